// relacy_tests/search/claims.hpp: the table through which several processes
// share one search tree.
//
// WHAT IT IS
//   A cooperative search splits a tree at its split depth into prefixes
//   (engine.hpp, "Sharding") and hands them out at run time: every process
//   walks the same prefixes in the same order, and a prefix goes to the first
//   process that reaches it and claims it here. A process that finishes a
//   large prefix late finds the later ones taken and steps over them, so the
//   work balances itself however unevenly the tree hangs under its prefixes.
//   The table lives in memory shared by fork() (mmap MAP_SHARED), so every
//   worker process of the gate sees the same claims.
//
// GUARANTEE
//   Each prefix is claimed exactly once (an atomic exchange per prefix), so
//   the processes partition the tree exactly, as static sharding does.
//   `stop` is raised by a process that found a failure: the others end their
//   search at their next execution boundary (their results are then
//   incomplete, which the merge reports as such).
//
// MEMORY ORDERING
//   Relaxed throughout: a claim is a single exchange on its own byte, and
//   nothing else is published through the table (results travel through
//   pipes, after the worker has finished).
#ifndef PFV_RELACY_TESTS_SEARCH_CLAIMS_HPP
#define PFV_RELACY_TESTS_SEARCH_CLAIMS_HPP

#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace pfv {
namespace search {

class PrefixClaims {
 public:
  // Prefixes a table can hold; more is a hard error (a larger split depth
  // than any scenario needs).
  static constexpr std::uint64_t kCapacity = std::uint64_t(1) << 24;

  // A table in fresh shared anonymous memory (pages are touched only as
  // claims reach them). nullptr if the mapping failed.
  static PrefixClaims* create() {
    void* p = mmap(nullptr, bytes(), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    return static_cast<PrefixClaims*>(p);  // zero-filled: nothing claimed, no stop
  }
  static void destroy(PrefixClaims* c) {
    if (c != nullptr) munmap(c, bytes());
  }

  // True if this process now owns prefix `id` (it was the first to ask).
  bool claim(std::uint64_t id) {
    if (id >= kCapacity) return false;
    std::uint64_t seen = highest_.load(std::memory_order_relaxed);
    while (seen < id + 1 &&
           !highest_.compare_exchange_weak(seen, id + 1, std::memory_order_relaxed)) {
    }
    return taken()[id].exchange(1, std::memory_order_relaxed) == 0;
  }
  bool overflowed(std::uint64_t id) const { return id >= kCapacity; }

  void request_stop() { stop_.store(1, std::memory_order_relaxed); }
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed) != 0; }
  // One more than the highest prefix id any process has asked for.
  std::uint64_t prefixes_seen() const { return highest_.load(std::memory_order_relaxed); }

 private:
  static std::size_t bytes() { return sizeof(PrefixClaims) + kCapacity; }

  // The claim bytes follow the header in the same mapping.
  std::atomic<std::uint8_t>* taken() {
    return reinterpret_cast<std::atomic<std::uint8_t>*>(this + 1);
  }

  std::atomic<std::uint32_t> stop_;
  std::atomic<std::uint64_t> highest_;
};

static_assert(std::atomic<std::uint8_t>::is_always_lock_free &&
                  std::atomic<std::uint64_t>::is_always_lock_free,
              "claims are shared between processes: their atomics must be lock-free");

}  // namespace search
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_SEARCH_CLAIMS_HPP
