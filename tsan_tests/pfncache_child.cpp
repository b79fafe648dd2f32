// tsan_tests/pfncache_child.cpp: runs one (variant, scenario) cell on real
// threads in a process of its own, so that tsan_tests/pfncache.cpp can
// expect ThreadSanitizer's report and exit status (66) from it.
//
//   tsan_pfncache_child VARIANT SCENARIO ITERATIONS
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tsan_tests/cells.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tsan_pfncache_child VARIANT SCENARIO ITERATIONS\n");
    return 2;
  }
  const pfv::real::Cell* c = pfv::real::find_cell(argv[1], argv[2]);
  if (c == nullptr) {
    std::fprintf(stderr, "tsan_pfncache_child: unknown cell %s / %s\n", argv[1], argv[2]);
    return 2;
  }
  char* end = nullptr;
  const unsigned long long n = std::strtoull(argv[3], &end, 10);
  if (*argv[3] == '\0' || *end != '\0') {
    std::fprintf(stderr, "tsan_pfncache_child: bad iteration count %s\n", argv[3]);
    return 2;
  }
  const pfv::real::StressResult r = c->run(n, 1);
  std::printf("%s / %s: %llu iterations, %llu failed checks%s%s\n", argv[1], argv[2],
              static_cast<unsigned long long>(r.iterations),
              static_cast<unsigned long long>(r.failed_checks), r.failed_checks ? ": " : "",
              r.first_failure.c_str());
  return 0;
}
