// tsan_tests/pfncache_child.cpp: runs one (variant, scenario) cell on real
// threads in a process of its own, so that tsan_tests/pfncache.cpp can
// expect ThreadSanitizer's report and exit status (66) from it.
//
//   tsan_pfncache_child VARIANT SCENARIO ITERATIONS [ORDER]
//
// ORDER forces one interleaving on every iteration (driver.hpp, Order):
//   late=T   thread T starts once every other thread has finished
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tsan_tests/cells.hpp"

namespace {

bool parse_uint(const std::string& s, unsigned long long& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtoull(s.c_str(), &end, 10);
  return *end == '\0';
}

bool parse_order(const std::string& s, pfv::real::Order& o) {
  unsigned long long t = 0;
  if (s.rfind("late=", 0) != 0 || !parse_uint(s.substr(5), t)) return false;
  o.late = static_cast<int>(t);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: tsan_pfncache_child VARIANT SCENARIO ITERATIONS [ORDER]\n");
    return 2;
  }
  const pfv::real::Cell* c = pfv::real::find_cell(argv[1], argv[2]);
  if (c == nullptr) {
    std::fprintf(stderr, "tsan_pfncache_child: unknown cell %s / %s\n", argv[1], argv[2]);
    return 2;
  }
  unsigned long long n = 0;
  if (!parse_uint(argv[3], n)) {
    std::fprintf(stderr, "tsan_pfncache_child: bad iteration count %s\n", argv[3]);
    return 2;
  }
  pfv::real::Order order;
  if (argc == 5 && (!parse_order(argv[4], order) || order.late >= static_cast<int>(c->threads))) {
    std::fprintf(stderr, "tsan_pfncache_child: bad order %s (late=T)\n", argv[4]);
    return 2;
  }
  const pfv::real::StressResult r = c->run(n, 1, argc == 5 ? &order : nullptr);
  std::printf("%s / %s: %llu iterations, %llu failed checks%s%s\n", argv[1], argv[2],
              static_cast<unsigned long long>(r.iterations),
              static_cast<unsigned long long>(r.failed_checks), r.failed_checks ? ": " : "",
              r.first_failure.c_str());
  return 0;
}
