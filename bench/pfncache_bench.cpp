// bench/pfncache_bench.cpp: what the read-lock pre-check buys readers.
//
// The review of 21dadfcd665e asked for "some performance data ... to verify
// that this isn't a pointless optimization". This is that measurement, run
// on the same impl/ code as the model checker, on real threads.
//
// Each benchmark runs R reader threads (Google Benchmark's ->Threads(R))
// against one cache, valid on hva 0, while one more thread issues
// invalidations of hva 1: ranges that never cover the cache, the case the
// patch is about. Readers either
//   * lock: read_lock, kvm_gpc_check(), use the page, read_unlock (the
//     vCPU paths), or
//   * trylock: read_trylock, and on failure count a miss and go on (the Xen
//     event-channel fast path, kvm_xen_set_evtchn_fast(), which then falls
//     back to a slow path).
// The invalidator runs at a target rate (invalidations per second; 0 = none,
// the baseline; "max" = back to back). Both the pre-patch invalidation
// (write lock on every cache) and v6.9's (read-lock pre-check) are measured,
// each with gpc->lock being the kernel's qrwlock (model/qrwlock.hpp) and,
// as a contrast, std::shared_mutex.
//
// Counters: reads/s (all readers; a failed trylock is not a read), the
// trylock miss rate, per-reader latency percentiles of one attempt (sampled,
// every 8th, clock overhead included), and the invalidation rate achieved.
//
// Caveat: a machine with C cores runs R readers and the invalidator without
// oversubscription only while R + 1 <= C. Beyond that the OS time-slices the
// threads, and a spinning lock whose holder is preempted makes everyone
// wait: those rows measure the scheduler as much as the lock (the kernel
// takes rwlock_t with preemption disabled).
//
// The model here is the real one with the checker switched off (no ghost
// state, no checks, no observation counting): those are shared atomics that
// would add their own contention. Correctness is the gate's business.
//
//   pfncache_bench [Google Benchmark options]      (see scripts/bench)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "impl/scenarios.hpp"
#include "impl/variants/pre_patch.hpp"
#include "impl/variants/v6_9.hpp"
#include "model/qrwlock.hpp"
#include "model/real_model.hpp"

namespace {

using namespace pfv;

// RealModel with gpc->lock chosen by LockOf and the checks compiled out.
// (Ghost state stays: page references and frame states drive GUP and the
// page allocator, not only the checks.)
template <template <class> class LockOf>
struct BenchModel : RealModel {
  using rwlock = LockOf<BenchModel>;

  static void check(bool, const char*, Loc = Loc::current()) {}
  static void observe(const char*, Loc = Loc::current()) {}
};

template <class M>
using QrwlockOf = Qrwlock<M>;
// std::shared_mutex behind the rwlock interface: the contrast. Its fairness
// is the C++ library's (glibc's pthread rwlock, which prefers readers), not
// the kernel's.
class SharedMutexRwlock {
 public:
  explicit SharedMutexRwlock(const char* name) : name_(name) {}
  SharedMutexRwlock(const SharedMutexRwlock&) = delete;
  SharedMutexRwlock& operator=(const SharedMutexRwlock&) = delete;

  void read_lock(Loc = Loc::current()) { m_.lock_shared(); }
  void read_lock_in_interrupt(Loc = Loc::current()) { m_.lock_shared(); }
  void read_unlock(Loc = Loc::current()) { m_.unlock_shared(); }
  bool read_trylock(Loc = Loc::current()) { return m_.try_lock_shared(); }
  void write_lock(Loc = Loc::current()) { m_.lock(); }
  void write_unlock(Loc = Loc::current()) { m_.unlock(); }
  bool write_trylock(Loc = Loc::current()) { return m_.try_lock(); }
  const char* name() const { return name_; }

 private:
  const char* name_;
  std::shared_mutex m_;
};
template <class M>
using SharedMutexOf = SharedMutexRwlock;

enum Mode : int64_t { kLock = 0, kTrylock = 1 };
constexpr int64_t kMaxRate = -1;

// Log-linear latency histogram (8 sub-buckets per power of two), per thread.
class Histogram {
 public:
  void add(std::uint64_t ns) {
    if (ns < 8) {
      ++b_[ns];
    } else {
      const int e = 63 - __builtin_clzll(ns);  // >= 3
      const int sub = static_cast<int>((ns >> (e - 3)) & 7);
      const int i = 8 + (e - 3) * 8 + sub;
      ++b_[std::min(i, kBuckets - 1)];
    }
    ++n_;
  }
  // The lower edge of the bucket holding quantile q.
  double quantile(double q) const {
    if (n_ == 0) return 0;
    const std::uint64_t want = static_cast<std::uint64_t>(q * static_cast<double>(n_ - 1));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += b_[i];
      if (seen > want) {
        if (i < 8) return i;
        const int e = (i - 8) / 8 + 3, sub = (i - 8) % 8;
        return static_cast<double>((8ull + static_cast<unsigned>(sub)) << (e - 3));
      }
    }
    return 0;
  }

 private:
  static constexpr int kBuckets = 8 + 61 * 8;
  std::uint64_t b_[kBuckets] = {};
  std::uint64_t n_ = 0;
};

template <class M, template <class> class V>
struct Fixture {
  using P = V<M>;
  ScenarioBase<M, V> vm;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> invalidations{0};
  std::thread invalidator;

  explicit Fixture(int64_t rate) {
    vm.gpa_cache(vm.gpc, 1, true);  // valid on gfn 1 (hva page 0)
    if (rate == 0) return;
    invalidator = std::thread([this, rate] {
      using Clock = std::chrono::steady_clock;
      // Paced in bursts: `burst` invalidations back to back, then sleep
      // until the next burst is due, the bursts at least 200 us apart. The
      // invalidator never spins while it waits, so on a machine with few
      // cores it takes no more CPU from the readers than its work needs.
      const std::int64_t burst = rate > 0 ? std::max<std::int64_t>(1, rate / 5000) : 1;
      const auto period = rate > 0 ? std::chrono::nanoseconds(1000000000 * burst / rate)
                                   : std::chrono::nanoseconds(0);
      auto next = Clock::now();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (std::int64_t i = 0; i < burst; ++i) {
          // Migrate hva page 1 (to a free frame): never the cache's page.
          P::invalidate(vm.kvm, ScenarioBase<M, V>::hva(1));
          ++n;
        }
        invalidations.store(n, std::memory_order_relaxed);
        if (rate < 0) continue;
        next += period;
        std::this_thread::sleep_until(next);
      }
    });
  }
  ~Fixture() {
    stop.store(true, std::memory_order_relaxed);
    if (invalidator.joinable()) invalidator.join();
  }
};

template <class M, template <class> class V>
void BM_Readers(benchmark::State& state) {
  using P = V<M>;
  using F = Fixture<M, V>;
  static F* f = nullptr;
  const Mode mode = static_cast<Mode>(state.range(0));
  const int64_t rate = state.range(1);
  if (state.thread_index() == 0) f = new F(rate);

  Histogram h;
  std::uint64_t ops = 0, misses = 0;  // attempts, and trylocks that failed
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const bool sample = (ops & 7) == 0;
    const auto s = sample ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    Gpc<M>& gpc = f->vm.gpc;
    if (mode == kLock) {
      benchmark::DoNotOptimize(P::read_use(gpc));
    } else if (gpc.lock.read_trylock()) {
      if (P::kvm_gpc_check(gpc, P::kLen)) P::use(gpc, gpc.khva.load());
      gpc.lock.read_unlock();
    } else {
      ++misses;
    }
    if (sample) {
      h.add(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - s)
              .count()));
    }
    ++ops;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Reads that happened: a failed trylock is not a read (the Xen fast path
  // falls back to its slow path instead).
  state.counters["reads_per_s"] =
      benchmark::Counter(static_cast<double>(ops - misses), benchmark::Counter::kIsRate);
  state.counters["miss_rate"] = benchmark::Counter(
      ops ? static_cast<double>(misses) / static_cast<double>(ops) : 0, benchmark::Counter::kAvgThreads);
  state.counters["p50_ns"] = benchmark::Counter(h.quantile(0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_ns"] = benchmark::Counter(h.quantile(0.99), benchmark::Counter::kAvgThreads);
  state.counters["p999_ns"] = benchmark::Counter(h.quantile(0.999), benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0) {
    state.counters["inval_per_s"] =
        secs > 0 ? static_cast<double>(f->invalidations.load()) / secs : 0;
    delete f;
    f = nullptr;
  } else {
    state.counters["inval_per_s"] = 0;
  }
}

void Args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"mode", "rate"});
  for (int64_t mode : {kLock, kTrylock})
    for (int64_t rate : {int64_t{0}, int64_t{1000}, int64_t{10000}, int64_t{100000}, kMaxRate})
      b->Args({mode, rate});
  b->Threads(1)->Threads(2)->Threads(4)->UseRealTime()->MeasureProcessCPUTime();
}

#define PFV_BENCH(V, LOCK)                                                   \
  BENCHMARK_TEMPLATE(BM_Readers, BenchModel<LOCK>, V)                        \
      ->Name("readers/" #V "/" #LOCK)                                        \
      ->Apply(Args)

PFV_BENCH(PrePatch, QrwlockOf);
PFV_BENCH(V6_9, QrwlockOf);
PFV_BENCH(PrePatch, SharedMutexOf);
PFV_BENCH(V6_9, SharedMutexOf);

}  // namespace

BENCHMARK_MAIN();
