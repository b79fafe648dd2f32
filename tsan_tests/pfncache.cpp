// tsan_tests/pfncache.cpp: the pfncache scenarios on real threads under
// ThreadSanitizer.
//
//   * Stress: every kernel variant in every scenario, many times, with every
//     invariant check active (a failed M::check is counted and fails the
//     test) and TSan watching every plain access (a report fails the run).
//   * TSan's teeth: the mutants whose bug is a data race run in a child
//     process (tsan_pfncache_child), which TSan must report.
//   * The pre-check window, deterministically: a hook parks the invalidation
//     between its read-lock pre-check and its write lock while another thread
//     deactivates or moves the cache; the re-check's path is asserted.
//
// Iterations and seed: PFV_STRESS_ITERATIONS (default 300 per cell) and
// PFV_STRESS_SEED (default 1), both printed.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

#include "impl/all_variants.hpp"
#include "impl/findings.hpp"
#include "impl/invariants.hpp"
#include "impl/scenarios.hpp"
#include "model/real_model.hpp"
#include "tsan_tests/cells.hpp"
#include "tsan_tests/driver.hpp"
#include "tsan_tests/window.hpp"

namespace {

using namespace pfv;

std::uint64_t iterations() { return real::env_u64("PFV_STRESS_ITERATIONS", 300); }
std::uint64_t seed() { return real::env_u64("PFV_STRESS_SEED", 1); }

std::uint64_t count(const char* what) { return real::observations().count(what); }

// ---- stress -----------------------------------------------------------------

TEST(Stress, KernelVariantsPassEveryScenario) {
  std::printf("  %llu iterations per cell, seed %llu\n",
              static_cast<unsigned long long>(iterations()),
              static_cast<unsigned long long>(seed()));
  for (const real::Cell& c : real::cells()) {
    if (c.variant->kind != VariantKind::kernel) continue;
    // A cell with a registered finding is expected to fail (FindingsShow
    // below runs them).
    if (finding_for(*c.variant, *c.scenario)) continue;
    real::observations().reset();
    const real::StressResult r = c.run(iterations(), seed(), nullptr);
    EXPECT_EQ(r.failed_checks, 0u)
        << c.variant->name << " / " << c.scenario->name << ": " << r.first_failure;
    std::printf(
        "  %-10s %-30s %6llu iterations %6.2fs  window reached %llu, changed %llu, "
        "retries %llu\n",
        c.variant->name, c.scenario->name, static_cast<unsigned long long>(r.iterations), r.seconds,
        static_cast<unsigned long long>(count(inv::W0_window)),
        static_cast<unsigned long long>(count(inv::W1_changed)),
        static_cast<unsigned long long>(count(inv::R1_retry)));
  }
}

// The registered findings (impl/findings.hpp) on real threads, each cell in
// a child process of its own (real::run_finding_child). Where the finding
// needs no race window every iteration must show it; where it needs a
// window real threads hit only sometimes, the count is reported.
TEST(Stress, FindingsShowOnRealThreads) {
  const std::uint64_t n = iterations();
  for (const real::Cell& c : real::cells()) {
    const FindingInfo* f = c.variant->kind == VariantKind::kernel
                               ? finding_for(*c.variant, *c.scenario)
                               : nullptr;
    if (f == nullptr) continue;
    const real::FindingRun r =
        real::run_finding_child(PFV_TSAN_PFNCACHE_CHILD, c.variant->name, c.scenario->name, n);
    const std::uint64_t failed = r.failed_checks;
    const bool raced = r.raced;
    EXPECT_TRUE(r.ended_as_expected())
        << c.variant->name << " / " << c.scenario->name << "\n" << r.process.output;
    // (A check may fail more than once in one iteration.)
    if (real::finding_needs_no_timing(c.scenario->name))
      EXPECT_GE(failed, n) << c.variant->name << " / " << c.scenario->name;
    std::printf("  %-26s %-36s finding %s: %llu failed checks in %llu iterations%s\n",
                c.variant->name, c.scenario->name, f->name,
                static_cast<unsigned long long>(failed), static_cast<unsigned long long>(n),
                raced ? ", TSan: data race" : "");
  }
}

// ---- TSan's teeth -------------------------------------------------------------

struct Racy {
  const char* variant;
  const char* scenario;
  // The order that makes the race happen in every iteration (see
  // tsan_pfncache_child): the racing accesses then always both occur, and
  // nothing but the protocol orders them, whatever the machine's load.
  const char* order;
};

// The mutants whose failure is a data race, each in a scenario where the
// Relacy gate reports that race, with the order that makes it happen.
// Without an order the race needs a window the hardware hits only
// sometimes: TsanTeeth.* once missed one under load (docs/measured/tsan.md).
const Racy kRacy[] = {
    // valid = false under the read lock: the reader reads it under the read
    // lock, after the invalidation (two readers never synchronise).
    {"clear-under-read-lock", "invalidate_vs_read", "late=1"},
    // The pre-check reads the cache with no lock, after the refresh wrote it.
    {"lockless-precheck", "invalidate_vs_refresh", "late=0"},
    // khva used after read_unlock(): the reader runs first (its check
    // passes), the invalidation after it; the use after read_unlock() is not
    // ordered before the invalidation's write lock. (An order that lets the
    // invalidation in first would leave the reader nothing to use.)
    {"use-after-unlock", "invalidate_vs_read", "late=0"},
    // Refresh reads gpc->gpa/uhva with no refresh_lock, after deactivate and
    // activate wrote them.
    {"no-refresh-lock", "activate_deactivate", "late=2"},
    // The update frees the slot the reader read, with no grace period.
    {"no-srcu-sync", "read_memslot_move", "late=0"},
    // The second activation tests active with no lock, after the first.
    {"activate-without-refresh-lock", "two_activators_invalidate", "late=0"},
};

// Iterations per child: every iteration has the race, so one would do; a
// few more keep the control meaningful.
constexpr std::uint64_t kRacyIterations = 20;

real::ProcessResult run_child(const char* variant, const char* scenario, std::uint64_t n,
                              const char* order) {
  return real::run_process(std::string(PFV_TSAN_PFNCACHE_CHILD) + " " + variant + " " +
                           scenario + " " + std::to_string(n) + " " + order);
}

TEST(TsanTeeth, RacyMutantsAreReported) {
  for (const Racy& r : kRacy) {
    const real::ProcessResult p = run_child(r.variant, r.scenario, kRacyIterations, r.order);
    EXPECT_EQ(p.status, 66) << r.variant << " / " << r.scenario << "\n" << p.output;
    EXPECT_NE(p.output.find("WARNING: ThreadSanitizer: data race"), std::string::npos)
        << r.variant << " / " << r.scenario << "\n"
        << p.output;
    std::printf("  %-30s %-28s %-14s TSan: data race reported (exit %d)\n", r.variant,
                r.scenario, r.order, p.status);
  }
}

// The same cell and order as lockless-precheck's race, with the pre-check's
// reads and every store to the fields it reads marked (READ_ONCE and
// WRITE_ONCE): no data race is left for TSan to report, as the Relacy gate
// finds none (it catches that mutant by an invariant instead).
TEST(TsanTeeth, MarkedLocklessPrecheckIsNoRace) {
  const real::ProcessResult p = run_child("lockless-precheck-marked", "invalidate_vs_refresh",
                                          kRacyIterations, "late=0");
  EXPECT_EQ(p.output.find("ThreadSanitizer: data race"), std::string::npos) << p.output;
  std::printf("  %-30s %-28s %-14s TSan: no data race (exit %d)\n", "lockless-precheck-marked",
              "invalidate_vs_refresh", "late=0", p.status);
}

TEST(TsanTeeth, KernelVariantsAreCleanInAChildToo) {
  // The control: the same child, cell and order on the kernel variant exits
  // 0, so it is the mutant that races, not the order.
  for (const Racy& r : kRacy) {
    const real::ProcessResult p = run_child("v6.18", r.scenario, kRacyIterations, r.order);
    EXPECT_EQ(p.status, 0) << "v6.18 / " << r.scenario << " " << r.order << "\n" << p.output;
  }
}

// ---- the pre-check window, deterministically ------------------------------------

template <template <class> class V>
struct Window {
  using P = V<RealModel>;
  ScenarioBase<RealModel, V> s;
  Window() { s.gpa_cache(s.gpc, 1, true); }
};

// The invalidation of hva 0 is parked in the window while another thread
// deactivates the cache; returns the observation counts of the re-check.
// The deactivation's write critical section completes inside the window;
// its list_del() then waits for kvm->gpc_lock, which the walk still holds,
// so the test releases the walk once the cache is seen inactive (through the
// checker's ghost word, which the write unlock updates).
template <template <class> class V>
void deactivate_in_window(std::uint64_t& skipped, std::uint64_t& redundant,
                          std::uint64_t& invalidated) {
  real::CountingChecks checks;
  real::observations().reset();
  Window<V> w;
  {
    real::WindowHook hook;
    std::thread inv([&] { V<RealModel>::invalidate(w.s.kvm, w.s.hva(0)); });
    hook.wait_parked();
    // Takes the write lock the pre-check dropped.
    std::thread deact([&] { V<RealModel>::kvm_gpc_deactivate(w.s.gpc); });
    while (w.s.gpc.ghost.load() & Gpc<RealModel>::ACTIVE) std::this_thread::yield();
    hook.release();
    inv.join();
    deact.join();
  }
  EXPECT_EQ(checks.failures(), 0u) << checks.first();
  EXPECT_EQ(count(inv::W0_window), 1u);
  EXPECT_EQ(count(inv::W1_changed), 1u);
  EXPECT_EQ(count(inv::W5_deactivated), 1u);
  EXPECT_FALSE(w.s.gpc.valid.load());
  skipped = count(inv::W7_recheck_skipped);
  redundant = count(inv::W8_redundant_store);
  invalidated = count(inv::I1_invalidated);
}

TEST(Window, DeactivationInsideTheWindowIsSkippedByTheRecheck) {
  std::uint64_t skipped, redundant, invalidated;
  deactivate_in_window<V6_9>(skipped, redundant, invalidated);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(redundant, 0u);
  EXPECT_EQ(invalidated, 0u);
  std::printf("  v6.9: the re-check saw the cache deactivated and skipped the store\n");
}

TEST(Window, WithoutTheRecheckTheStoreIsRedundant) {
  std::uint64_t skipped, redundant, invalidated;
  deactivate_in_window<NoRecheck>(skipped, redundant, invalidated);
  EXPECT_EQ(skipped, 0u);
  EXPECT_EQ(redundant, 1u);  // valid = false written over valid = false
  EXPECT_EQ(invalidated, 1u);
  std::printf("  no-recheck: the unconditional store wrote valid = false over false\n");
}

// The invalidation is parked in the window while a refresh moves the cache
// to hva 1: the refresh changes uhva, drops the lock, and must retry because
// the invalidation is still in flight; then the invalidation goes on.
template <template <class> class V>
void move_in_window(bool recheck) {
  real::CountingChecks checks;
  real::observations().reset();
  Window<V> w;
  {
    real::WindowHook hook(inv::W0_window, inv::R2_retry_count);
    std::thread inv([&] { V<RealModel>::invalidate(w.s.kvm, w.s.hva(0)); });
    hook.wait_parked();
    std::thread move(
        [&] { V<RealModel>::kvm_gpc_activate(w.s.gpc, w.s.gpa_of(2), V<RealModel>::kLen); });
    hook.wait_signalled();  // the refresh moved the cache and is retrying
    hook.release();
    inv.join();
    move.join();
  }
  EXPECT_EQ(checks.failures(), 0u) << checks.first();
  EXPECT_EQ(count(inv::W3_uhva_moved), 1u);
  EXPECT_EQ(count(inv::W7_recheck_skipped), recheck ? 1u : 0u);
  EXPECT_EQ(count(inv::W8_redundant_store), recheck ? 0u : 1u);
  EXPECT_GE(count(inv::R2_retry_count), 1u);
  // The move completed after the invalidation: valid, on hva page 1's frame.
  EXPECT_TRUE(w.s.gpc.valid.load());
  EXPECT_EQ(w.s.gpc.uhva.load(), w.s.hva(1));
  EXPECT_EQ(w.s.gpc.pfn.load(), 1u);
}

TEST(Window, RefreshMovingTheCacheInsideTheWindow) {
  move_in_window<V6_9>(true);
  move_in_window<NoRecheck>(false);
  std::printf(
      "  a refresh moved the cache inside the window: v6.9 skips, no-recheck stores "
      "valid = false over false, both end valid on hva 1\n");
}

}  // namespace
