// tsan_tests/cells.hpp: every (variant, scenario) cell on real threads.
//
// The real-thread twin of relacy_tests/cells.hpp: the same scenario classes,
// instantiated with pfv::RealModel, looked up by name at run time.
#ifndef PFV_TSAN_TESTS_CELLS_HPP
#define PFV_TSAN_TESTS_CELLS_HPP

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "impl/all_variants.hpp"
#include "impl/info.hpp"
#include "impl/scenarios.hpp"
#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

namespace pfv {
namespace real {

struct Cell {
  const VariantInfo* variant;
  const ScenarioInfo* scenario;
  unsigned threads;
  StressResult (*run)(std::uint64_t iterations, std::uint64_t seed);
};

template <class S>
StressResult run_cell(std::uint64_t iterations, std::uint64_t seed) {
  return run<S>(iterations, seed);
}

template <template <class> class V>
void add_variant(std::vector<Cell>& c) {
#define PFV_REAL_SCENARIO(S)                                                              \
  c.push_back(Cell{&V<RealModel>::info, &S<RealModel, V>::info, S<RealModel, V>::threads, \
                   &run_cell<S<RealModel, V>>});
  PFV_SCENARIOS(PFV_REAL_SCENARIO)
#undef PFV_REAL_SCENARIO
}

// Every cell, variants as in impl/variants.list, scenarios as registered.
inline const std::vector<Cell>& cells() {
  static const std::vector<Cell> all = [] {
    std::vector<Cell> c;
#define PFV_REAL_VARIANT(V) add_variant<V>(c);
    PFV_VARIANTS(PFV_REAL_VARIANT)
#undef PFV_REAL_VARIANT
    return c;
  }();
  return all;
}

inline const Cell* find_cell(const std::string& variant, const std::string& scenario) {
  for (const Cell& c : cells())
    if (variant == c.variant->name && scenario == c.scenario->name) return &c;
  return nullptr;
}

}  // namespace real
}  // namespace pfv

#endif  // PFV_TSAN_TESTS_CELLS_HPP
