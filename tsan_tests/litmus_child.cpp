// tsan_tests/litmus_child.cpp: runs one litmus test of model/litmus.hpp on
// real threads, in a process of its own, so that tsan_tests/litmus.cpp can
// expect ThreadSanitizer to report it (TSan prints a report and makes the
// process exit with status 66).
//
//   tsan_litmus_child NAME
#include <cstdio>
#include <cstring>

#include "model/litmus.hpp"
#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

int main(int argc, char** argv) {
  using namespace pfv;
  if (argc != 2) {
    std::fprintf(stderr, "usage: tsan_litmus_child NAME\n");
    return 2;
  }
  const char* name = argv[1];
  if (std::strcmp(name, "Race+plain") == 0) {
    real::run<litmus::Race_plain<RealModel>>(10, 1);
  } else if (std::strcmp(name, "Race+plain+marked") == 0) {
    real::run<litmus::Race_plain_marked<RealModel>>(10, 1);
  } else if (std::strcmp(name, "Race+marked+marked") == 0) {
    real::run<litmus::Race_marked_marked<RealModel>>(10, 1);
  } else if (std::strcmp(name, "Race+write-under-read-lock") == 0) {
    real::run<litmus::Race_write_under_read_lock<RealModel>>(10, 1);
  } else if (std::strcmp(name, "Deadlock+lock-order-inversion") == 0) {
    // Run the two threads one after the other: TSan's lock-order detector
    // needs to see both orders, not to hang in them.
    real::run<litmus::Deadlock_lock_order_inversion<RealModel>>(1, 1, /*sequential=*/true);
  } else {
    std::fprintf(stderr, "tsan_litmus_child: unknown litmus test: %s\n", name);
    return 2;
  }
  return 0;
}
