// tsan_tests/litmus.cpp: the litmus tests of model/litmus.hpp on real threads
// under ThreadSanitizer.
//
// What TSan can observe, it must: the racy tests and the lock-order
// inversion run in a child process (tsan_litmus_child) that must exit with
// TSan's status and report. What it cannot observe is said here, not
// skipped silently:
//   * MP+relaxed+relaxed and SB+relaxed+relaxed (Sometimes): whether real
//     hardware shows a weak outcome is up to the CPU (x86 never shows the MP
//     one); they run, are counted and printed, and are not required.
//   * MP+wmb+rmb+plain: TSan ignores std::atomic_thread_fence and would report
//     a race on correct code; it runs under Relacy only.
// The "Never" tests run many times and must never show their outcome, and
// the whole binary must be TSan-clean (a report fails the test run).
#include "model/litmus.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

namespace {

using namespace pfv;

std::uint64_t iterations() { return real::env_u64("PFV_STRESS_ITERATIONS", 2000); }
std::uint64_t seed() { return real::env_u64("PFV_STRESS_SEED", 1); }

template <template <class> class T>
std::uint64_t outcome_count(std::uint64_t n) {
  using S = T<RealModel>;
  real::observations().reset();
  const real::StressResult r = real::run<S>(n, seed());
  EXPECT_EQ(r.failed_checks, 0u) << r.first_failure;
  const std::uint64_t c = real::observations().count(S::kOutcome);
  std::printf("  %llu iterations in %.2fs (seed %llu), outcome \"%s\" seen %llu times\n",
              static_cast<unsigned long long>(r.iterations), r.seconds,
              static_cast<unsigned long long>(seed()), S::kOutcome,
              static_cast<unsigned long long>(c));
  return c;
}

TEST(Litmus, MP_release_acquire_never) {
  EXPECT_EQ(outcome_count<litmus::MP_release_acquire>(iterations()), 0u);
}
TEST(Litmus, MP_wmb_rmb_never) { EXPECT_EQ(outcome_count<litmus::MP_wmb_rmb>(iterations()), 0u); }
TEST(Litmus, SB_mb_never) { EXPECT_EQ(outcome_count<litmus::SB_mb>(iterations()), 0u); }
// The kernel's fully ordered RMWs (model/kernel_atomic.hpp) on real CPUs.
TEST(Litmus, SB_xchg_never) { EXPECT_EQ(outcome_count<litmus::SB_xchg>(iterations()), 0u); }
TEST(Litmus, SB_cmpxchg_never) {
  EXPECT_EQ(outcome_count<litmus::SB_cmpxchg>(iterations()), 0u);
}
TEST(Litmus, SB_cmpxchg_fail_runs) { outcome_count<litmus::SB_cmpxchg_fail>(iterations()); }
TEST(Litmus, MP_relaxed_runs) { outcome_count<litmus::MP_relaxed>(iterations()); }
TEST(Litmus, SB_relaxed_runs) { outcome_count<litmus::SB_relaxed>(iterations()); }

TEST(Litmus, Spin_wait_hint_terminates) {
  using S = litmus::Spin_wait_hint<RealModel>;
  const real::StressResult r = real::run<S>(iterations(), seed());
  EXPECT_EQ(r.failed_checks, 0u) << r.first_failure;
}

real::ProcessResult run_child(const char* name) {
  return real::run_process(std::string(PFV_TSAN_LITMUS_CHILD) + " '" + name + "'");
}

// The child running `name` must exit with TSan's status, having printed
// `report`.
void expect_reported(const char* name, const char* report) {
  const real::ProcessResult c = run_child(name);
  EXPECT_EQ(c.status, 66) << c.output;
  EXPECT_NE(c.output.find(report), std::string::npos) << c.output;
}

constexpr const char* kDataRace = "WARNING: ThreadSanitizer: data race";

TEST(Litmus, Race_plain_is_reported_by_tsan) { expect_reported("Race+plain", kDataRace); }

// Marked accesses (var<T>::read_once/write_once) are relaxed atomics on the
// same memory: a plain store racing with a marked load is still a race, two
// marked accesses are not (the kernel memory model's definition).
TEST(Litmus, Race_plain_marked_is_reported_by_tsan) {
  expect_reported("Race+plain+marked", kDataRace);
}

TEST(Litmus, Race_marked_marked_is_clean) {
  const real::ProcessResult c = run_child("Race+marked+marked");
  EXPECT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(c.output.find("ThreadSanitizer"), std::string::npos) << c.output;
}

TEST(Litmus, MP_wmb_rmb_marked_never) {
  EXPECT_EQ(outcome_count<litmus::MP_wmb_rmb_marked>(iterations()), 0u);
}

TEST(Litmus, Race_write_under_read_lock_is_reported_by_tsan) {
  expect_reported("Race+write-under-read-lock", kDataRace);
}

TEST(Litmus, Lock_order_inversion_is_reported_by_tsan) {
  expect_reported("Deadlock+lock-order-inversion", "lock-order-inversion");
}

}  // namespace
