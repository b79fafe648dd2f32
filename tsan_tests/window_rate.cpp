// tsan_tests/window_rate.cpp: how often the pre-check window of 21dadfcd665e
// is hit on real hardware, with no hook in it.
//
// Each iteration builds a fresh VM whose cache is valid on gfn 1 (hva page
// 0), then releases, together, one thread that migrates hva page 0 (the
// invalidation), one that moves the cache to gfn 2 (hva page 1) with
// kvm_gpc_activate() (a refresh that changes uhva), and R threads that each run the reader's fast path until the
// invalidation is over. The threads persist across iterations and start each
// one from a spinning barrier. Reported per million invalidations: how often
// the pre-check matched and dropped the lock (W0), and how often the cache
// changed before the write lock was taken (W1, and W3: moved by the
// refresh).
//
//   window_rate [ITERATIONS [MAX_READERS [--smoke]]]    (defaults 100000 and 4)
//
// A statistic, not a test: it asserts nothing but that every invariant held
// (exit 1 otherwise) and, unless --smoke, that the window was reached at all
// (whether it is, in a few thousand iterations, depends on the machine's
// load: the smoke test must not).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "impl/invariants.hpp"
#include "impl/scenarios.hpp"
#include "impl/variants/v6_9.hpp"
#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

namespace {

using namespace pfv;
using V = V6_9<RealModel>;
using State = ScenarioBase<RealModel, V6_9>;

struct Rate {
  unsigned readers;
  std::uint64_t iterations, reached, changed, moved;
  double seconds;
};

Rate measure(unsigned readers, std::uint64_t iterations) {
  const unsigned nthreads = 2 + readers;
  alignas(State) unsigned char buf[sizeof(State)];
  State* s = nullptr;
  std::atomic<std::uint64_t> generation{0};
  std::atomic<unsigned> done{0};
  std::atomic<bool> invalidating{false};
  std::atomic<bool> quit{false};

  auto worker = [&](unsigned role) {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t g;
      while ((g = generation.load(std::memory_order_acquire)) == seen) {
        if (quit.load(std::memory_order_relaxed)) return;
        std::this_thread::yield();  // more threads than cores: do not starve the others
      }
      seen = g;
      if (role == 0) {
        V::invalidate(s->kvm, State::hva(0));
        invalidating.store(false, std::memory_order_relaxed);
      } else if (role == 1) {
        V::kvm_gpc_activate(s->gpc, State::gpa_of(2), V::kLen);
      } else {
        while (invalidating.load(std::memory_order_relaxed)) {
          V::read_use(s->gpc);
          std::this_thread::yield();
        }
      }
      done.fetch_add(1, std::memory_order_acq_rel);
    }
  };

  real::observations().reset();
  std::vector<std::thread> threads;
  for (unsigned r = 0; r < nthreads; ++r) threads.emplace_back(worker, r);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t it = 0; it < iterations; ++it) {
    s = new (buf) State();
    s->gpa_cache(s->gpc, 1, true);
    invalidating.store(true, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_acq_rel);
    while (done.load(std::memory_order_acquire) != nthreads) std::this_thread::yield();
    s->after();
    s->~State();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  quit.store(true);
  generation.fetch_add(1, std::memory_order_acq_rel);
  for (std::thread& t : threads) t.join();
  const real::Observations& o = real::observations();
  return Rate{readers,
              iterations,
              o.count(inv::W0_window),
              o.count(inv::W1_changed),
              o.count(inv::W3_uhva_moved),
              secs};
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const unsigned max_readers =
      argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 4;
  const bool smoke = argc > 3 && std::string(argv[3]) == "--smoke";
  if (iterations == 0 || argc > 4 || (argc > 3 && !smoke)) {
    std::fprintf(stderr, "usage: window_rate [ITERATIONS [MAX_READERS [--smoke]]]\n");
    return 2;
  }
  real::CountingChecks checks;
  std::printf("pre-check window hits per million invalidations (%u hardware threads)\n",
              std::thread::hardware_concurrency());
  std::fflush(stdout);
  std::printf("%8s %8s %12s %14s %14s %14s %10s\n", "threads", "readers", "invalidations",
              "W0 reached/M", "W1 changed/M", "W3 moved/M", "time");
  bool reached = false;
  for (unsigned readers = 0; readers <= max_readers; readers = readers ? readers * 2 : 1) {
    const Rate r = measure(readers, iterations);
    const double per = 1e6 / static_cast<double>(r.iterations);
    std::printf("%8u %8u %12llu %14.0f %14.1f %14.1f %9.2fs\n", 2 + readers, readers,
                static_cast<unsigned long long>(r.iterations), r.reached * per, r.changed * per,
                r.moved * per, r.seconds);
    std::fflush(stdout);
    reached = reached || r.reached > 0;
  }
  if (checks.failures()) {
    std::printf("invariant violated: %s\n", checks.first().c_str());
    return 1;
  }
  if (!reached && !smoke) {
    std::printf("the window was never reached\n");
    return 1;
  }
  return 0;
}
