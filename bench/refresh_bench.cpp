// bench/refresh_bench.cpp: how many passes a refresh needs, and how long it
// takes, while other threads invalidate pages the cache does not map.
//
// The retry test of hva_to_pfn_retry() is global: mmu_notifier_retry_cache()
// retries while *any* invalidation is in flight (mn_active_invalidate_count
// is per VM) or has ended since the snapshot (mmu_invalidate_seq is per VM),
// whatever address it covers. This measures what that costs a refresh on
// real threads, with gpc->lock the kernel's qrwlock (model/qrwlock.hpp), on
// the same impl/ code the model checker runs.
//
// One thread (the benchmark's) repeats: migrate the cache's own page (so the
// cache is invalid), then kvm_gpc_refresh(), timed. Meanwhile I other
// threads (I = 0, 1, 2) invalidate one page each, pages the cache never
// maps, back to back: with I = 2 their in-flight intervals overlap. For each
// refresh the number of passes of the retry loop is counted (1 + the R1
// retries it observed).
//
// Counters: refreshes per second, mean and maximum passes per refresh, the
// share of refreshes that needed more than one pass, p50/p99/max refresh
// latency, and the invalidations per second the other threads achieved.
// Nothing is asserted about them (docs/measured/progress.md has a run).
//
// Caveat: with I + 1 threads on a machine with fewer cores the OS
// time-slices them, and a refresh that is descheduled in its unlocked GUP
// sees every invalidation of its time slice: the rows then measure the
// scheduler as much as the protocol. The kernel runs invalidations on other
// CPUs with preemption mostly enabled, so neither extreme is the kernel's.
//
//   refresh_bench [Google Benchmark options]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "impl/invariants.hpp"
#include "impl/scenarios.hpp"
#include "impl/variants/v6_18.hpp"
#include "model/qrwlock.hpp"
#include "model/real_model.hpp"

namespace {

using namespace pfv;

// Retries observed by this thread (the only observation counted).
thread_local std::uint64_t t_retries = 0;

// RealModel with the kernel's qrwlock as gpc->lock, the checks compiled out,
// and only the retry observation counted.
struct ProgressModel : RealModel {
  using rwlock = Qrwlock<ProgressModel>;
  static void check(bool, const char*, Loc = Loc::current()) {}
  static void observe(const char* what, Loc = Loc::current()) {
    if (what == inv::R1_retry) ++t_retries;
  }
};

using M = ProgressModel;
using P = V6_18<M>;

void BM_RefreshUnderUnrelatedInvalidations(benchmark::State& state) {
  const int invalidators = static_cast<int>(state.range(0));
  ScenarioBase<M, V6_18> vm;
  vm.gpa_cache(vm.gpc, 1, true);  // valid on gfn 1 (hva page 0)
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> invalidations{0};
  std::atomic<int> started{0};
  std::vector<std::thread> others;
  for (int k = 0; k < invalidators; ++k)
    others.emplace_back([&, k] {
      std::uint64_t n = 0;
      started.fetch_add(1, std::memory_order_relaxed);
      while (!stop.load(std::memory_order_relaxed)) {
        // Migrate hva page 1 + k: never the cache's page.
        P::invalidate(vm.kvm, ScenarioBase<M, V6_18>::hva(1 + static_cast<unsigned>(k)));
        ++n;
      }
      invalidations.fetch_add(n, std::memory_order_relaxed);
    });

  // Measure only once every invalidator is running.
  while (started.load(std::memory_order_relaxed) < invalidators) std::this_thread::yield();

  std::vector<std::uint64_t> latencies;
  latencies.reserve(1 << 16);
  std::uint64_t refreshes = 0, passes = 0, max_passes = 0, retried = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    P::invalidate(vm.kvm, ScenarioBase<M, V6_18>::hva(0));  // the cache is invalid now
    const std::uint64_t before = t_retries;
    const auto s = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(P::kvm_gpc_refresh(vm.gpc, P::kLen));
    const auto e = std::chrono::steady_clock::now();
    const std::uint64_t p = 1 + (t_retries - before);
    passes += p;
    max_passes = std::max(max_passes, p);
    retried += p > 1;
    ++refreshes;
    if (latencies.size() < latencies.capacity())
      latencies.push_back(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(e - s).count()));
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : others) t.join();

  std::sort(latencies.begin(), latencies.end());
  auto q = [&](double f) {
    return latencies.empty() ? 0.0
                             : static_cast<double>(latencies[static_cast<std::size_t>(
                                   f * static_cast<double>(latencies.size() - 1))]);
  };
  const double n = static_cast<double>(std::max<std::uint64_t>(refreshes, 1));
  state.counters["refreshes_per_s"] = secs > 0 ? static_cast<double>(refreshes) / secs : 0;
  state.counters["mean_passes"] = static_cast<double>(passes) / n;
  state.counters["max_passes"] = static_cast<double>(max_passes);
  state.counters["retried_share"] = static_cast<double>(retried) / n;
  state.counters["p50_ns"] = q(0.50);
  state.counters["p99_ns"] = q(0.99);
  state.counters["max_ns"] = latencies.empty() ? 0.0 : static_cast<double>(latencies.back());
  state.counters["inval_per_s"] = secs > 0 ? static_cast<double>(invalidations.load()) / secs : 0;
}

BENCHMARK(BM_RefreshUnderUnrelatedInvalidations)
    ->Name("refresh/V6_18/QrwlockOf")
    ->ArgName("invalidators")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
