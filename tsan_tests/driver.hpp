// tsan_tests/driver.hpp: runs one scenario on real threads, many times.
//
// WHAT IT IS
//   The real-thread driver of the "one scenario body, two drivers" rule: the
//   same scenario class that relacy_tests/driver.hpp explores, instantiated
//   with pfv::RealModel and run on std::threads that start together (a
//   spinning start gate maximises overlap). Built with -fsanitize=thread,
//   every race TSan observes is reported; every M::check() that fails is
//   counted (the check handler is replaced while the driver runs).
//
// GUARANTEE
//   run<S>(iterations, seed) returns the number of iterations, failed checks
//   (with the first message), and how often each observation happened. The
//   seed only permutes thread start order and inserts small random delays,
//   so a stress run is repeatable in its parameters (not in its
//   interleavings, which the hardware decides).
//
// CAVEATS
//   A stress run samples interleavings; it proves nothing by passing. Its
//   job is to show that the same code runs on real threads, that TSan sees
//   what it can see, and how often a race window is hit.
#ifndef PFV_TSAN_TESTS_DRIVER_HPP
#define PFV_TSAN_TESTS_DRIVER_HPP

#include <sched.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/real_model.hpp"

namespace pfv {
namespace real {

struct StressResult {
  std::uint64_t iterations = 0;
  std::uint64_t failed_checks = 0;
  std::string first_failure;
  double seconds = 0;
};

// Counts failed checks instead of aborting, for the duration of a run.
class CountingChecks {
 public:
  CountingChecks() {
    state() = this;
    previous_ = check_handler().exchange(&handler);
  }
  ~CountingChecks() {
    check_handler().store(previous_);
    state() = nullptr;
  }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  std::string first() {
    std::lock_guard<std::mutex> g(m_);
    return first_;
  }

 private:
  static CountingChecks*& state() {
    static CountingChecks* s = nullptr;
    return s;
  }
  static void handler(const char* what, Loc loc) {
    CountingChecks* self = state();
    if (self->failures_.fetch_add(1, std::memory_order_relaxed) == 0) {
      std::lock_guard<std::mutex> g(self->m_);
      self->first_ = std::string(what) + " at " + loc.file + ":" + std::to_string(loc.line);
    }
  }
  CheckHandler previous_;
  std::atomic<std::uint64_t> failures_{0};
  std::mutex m_;
  std::string first_;
};

// Environment overrides: PFV_STRESS_ITERATIONS, PFV_STRESS_SEED.
inline std::uint64_t env_u64(const char* name, std::uint64_t dflt) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return dflt;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  return (end && *end == '\0') ? static_cast<std::uint64_t>(x) : dflt;
}

inline std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t x = (s += 0x9E3779B97F4A7C15ull);
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Spins briefly on `done`, then yields the CPU between polls: with more
// threads than cores (three scenario threads and the starter on a two-core
// runner), a pure spin holds a core until the scheduler's tick and turns
// every start into milliseconds of waiting.
template <class F>
void spin_until(F done) {
  for (unsigned k = 0; !done(); ++k)
    if (k >= 256) sched_yield();
}

// An order forced on every iteration, for tests that need one interleaving
// rather than a sample: thread `late` starts only once every other thread
// has finished. The wait uses relaxed atomics only, so it orders the threads
// in time without creating any happens-before edge between them: accesses
// they make race for TSan exactly as they would without the order.
struct Order {
  int late = -1;
};

// Waits (relaxed loads: no happens-before) until `finished` reaches `others`.
inline void wait_for_the_others(const std::atomic<unsigned>& finished, unsigned others) {
  spin_until([&] { return finished.load(std::memory_order_relaxed) >= others; });
}

// Runs S `iterations` times. Each iteration constructs a fresh S, calls
// before(), runs thread(i) for every i on its own std::thread (released
// together, or in `order`), joins, and calls after().
template <class S>
StressResult run(std::uint64_t iterations, std::uint64_t seed, bool sequential = false,
                 const Order* order = nullptr) {
  CountingChecks checks;
  StressResult out;
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t rng = seed;
  for (std::uint64_t it = 0; it < iterations; ++it) {
    auto s = std::make_unique<S>();
    s->before();
    if (sequential) {
      for (unsigned i = 0; i < S::threads; ++i) std::thread([&s, i] { s->thread(i); }).join();
    } else {
      std::atomic<unsigned> ready{0};
      std::atomic<bool> go{false};
      std::atomic<unsigned> finished{0};
      unsigned delay[S::threads];
      for (unsigned i = 0; i < S::threads; ++i)
        delay[i] = static_cast<unsigned>(splitmix(rng) % 64);
      std::vector<std::thread> ts;
      ts.reserve(S::threads);
      for (unsigned i = 0; i < S::threads; ++i) {
        ts.emplace_back([&, i] {
          ready.fetch_add(1, std::memory_order_relaxed);
          spin_until([&] { return go.load(std::memory_order_relaxed); });
          for (unsigned k = 0; k < delay[i]; ++k)
            std::atomic_signal_fence(std::memory_order_seq_cst);
          if (order && order->late == static_cast<int>(i)) wait_for_the_others(finished, S::threads - 1);
          s->thread(i);
          finished.fetch_add(1, std::memory_order_relaxed);
        });
      }
      spin_until([&] { return ready.load(std::memory_order_relaxed) == S::threads; });
      go.store(true, std::memory_order_relaxed);
      for (std::thread& t : ts) t.join();
    }
    s->after();
    ++out.iterations;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.failed_checks = checks.failures();
  out.first_failure = checks.first();
  return out;
}

// A child process's exit status and combined stdout/stderr. Tests use it to
// expect a report from a sanitizer, or a red exit status from a driver.
struct ProcessResult {
  int status = -1;  // exit status, -1 if it did not exit normally
  std::string output;
};

inline ProcessResult run_process(const std::string& command) {
  ProcessResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// The failed-check count tsan_pfncache_child prints ("V / S: N iterations,
// K failed checks"), or 0 if its line is missing.
inline std::uint64_t child_failed_checks(const std::string& output) {
  const std::size_t k = output.find(" failed checks");
  if (k == std::string::npos) return 0;
  std::size_t b = k;
  while (b > 0 && output[b - 1] >= '0' && output[b - 1] <= '9') --b;
  return b == k ? 0 : std::stoull(output.substr(b, k - b));
}

// A cell with a registered finding, run in a child process (CHILD VARIANT
// SCENARIO N): the finding may free a page under a reader, a data race too,
// and TSan's report (exit 66) must not end the test's own process.
struct FindingRun {
  ProcessResult process;
  std::uint64_t failed_checks = 0;
  bool raced = false;  // TSan reported a data race
  // The child ended cleanly, or with TSan's report of a race.
  bool ended_as_expected() const {
    return process.status == 0 || (process.status == 66 && raced);
  }
};
inline FindingRun run_finding_child(const std::string& child, const std::string& variant,
                                    const std::string& scenario, std::uint64_t n) {
  FindingRun r;
  r.process = run_process(child + " " + variant + " " + scenario + " " + std::to_string(n));
  r.failed_checks = child_failed_checks(r.process.output);
  r.raced = r.process.output.find("WARNING: ThreadSanitizer: data race") != std::string::npos;
  return r;
}

// The findings whose scenario needs no race window (the bad address is
// refused or not by one thread's own ioctls; after exit_mmap() the cache is
// valid on a freed page whatever the timing): every iteration shows them.
// Elsewhere real threads hit the window only sometimes.
inline bool finding_needs_no_timing(const std::string& scenario) {
  return scenario == "teardown_vs_timer_read" || scenario == "hva_activate_bad_address";
}

}  // namespace real
}  // namespace pfv

#endif  // PFV_TSAN_TESTS_DRIVER_HPP
