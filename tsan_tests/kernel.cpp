// tsan_tests/kernel.cpp: the kernel's own pfncache.c (kshim/) on real
// threads under ThreadSanitizer, built by g++ -fsanitize=thread (clang++
// rejects the file; docs/kernel-file.md) in the gcc configuration wherever
// kernel trees are (scripts/setup --kernel). The same scenarios and checks
// as tsan_tests/pfncache.cpp's stress tests, on the kernel-file variants:
//
//   * every cell without a registered finding: PFV_STRESS_ITERATIONS
//     iterations (default 200), every invariant check active, TSan watching
//     every plain access of the kernel file's views;
//   * every cell with one, in a child process (tsan_kernel_child), which
//     must end cleanly or with TSan's report; where the finding needs no
//     timing (real::finding_needs_no_timing) it shows in every iteration,
//     elsewhere its failed checks are counted and printed.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "impl/findings.hpp"
#include "impl/invariants.hpp"
#include "tsan_tests/cells.hpp"
#include "tsan_tests/driver.hpp"

namespace {

using namespace pfv;

std::uint64_t iterations() { return real::env_u64("PFV_STRESS_ITERATIONS", 200); }

TEST(KernelFile, PassesEveryScenarioWithoutAFinding) {
  unsigned n = 0;
  for (const real::Cell& c : real::cells()) {
    if (!c.variant->kernel_file || finding_for(*c.variant, *c.scenario)) continue;
    ++n;
    real::observations().reset();
    const real::StressResult r = c.run(iterations(), 1, nullptr);
    EXPECT_EQ(r.failed_checks, 0u)
        << c.variant->name << " / " << c.scenario->name << ": " << r.first_failure;
    std::printf("  %-12s %-40s %5llu iterations %6.2fs  GUP %llu, walk met a cache %llu\n",
                c.variant->name, c.scenario->name, static_cast<unsigned long long>(r.iterations),
                r.seconds, static_cast<unsigned long long>(real::observations().count(inv::K0_gup)),
                static_cast<unsigned long long>(real::observations().count(inv::K3_walk_met_cache)));
  }
  EXPECT_GT(n, 0u) << "no kernel-file cell is built";
}

TEST(KernelFile, FindingsShow) {
  const std::uint64_t n = iterations();
  for (const real::Cell& c : real::cells()) {
    const FindingInfo* f = c.variant->kernel_file ? finding_for(*c.variant, *c.scenario) : nullptr;
    if (f == nullptr) continue;
    const real::FindingRun r =
        real::run_finding_child(PFV_TSAN_KERNEL_CHILD, c.variant->name, c.scenario->name, n);
    const std::uint64_t failed = r.failed_checks;
    const bool raced = r.raced;
    EXPECT_TRUE(r.ended_as_expected())
        << c.variant->name << " / " << c.scenario->name << "\n" << r.process.output;
    if (real::finding_needs_no_timing(c.scenario->name)) {
      EXPECT_GE(failed, n) << c.variant->name << " / " << c.scenario->name;
    }
    std::printf("  %-12s %-40s finding %s: %llu failed checks in %llu iterations%s\n",
                c.variant->name, c.scenario->name, f->name,
                static_cast<unsigned long long>(failed), static_cast<unsigned long long>(n),
                raced ? ", TSan: data race" : "");
  }
}

}  // namespace
