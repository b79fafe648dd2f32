// tsan_tests/cells.hpp: the (variant, scenario) cells on real threads.
//
// The real-thread twin of relacy_tests/cells.hpp: the same scenario classes,
// instantiated with pfv::RealModel, the same cells (cell_exists), looked up
// by name at run time. One generated translation unit per variant
// (real_cells_<stem>.cpp) registers its cells, so they compile in parallel
// and once for the test and the child process that share them.
#ifndef PFV_TSAN_TESTS_CELLS_HPP
#define PFV_TSAN_TESTS_CELLS_HPP

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "impl/info.hpp"
#include "impl/scenarios.hpp"
#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

namespace pfv {
namespace real {

struct Cell {
  const VariantInfo* variant;
  const ScenarioInfo* scenario;
  unsigned variant_order;
  unsigned scenario_order;
  unsigned threads;
  StressResult (*run)(std::uint64_t iterations, std::uint64_t seed, const Order* order);
};

template <class S>
StressResult run_cell(std::uint64_t iterations, std::uint64_t seed, const Order* order) {
  return run<S>(iterations, seed, false, order);
}

inline std::vector<Cell>& cell_registry() {
  static std::vector<Cell> cells;
  return cells;
}

// Every cell, variants as in impl/variants.list, scenarios as registered.
inline const std::vector<Cell>& cells() {
  std::vector<Cell>& c = cell_registry();
  std::stable_sort(c.begin(), c.end(), [](const Cell& a, const Cell& b) {
    return a.variant_order != b.variant_order ? a.variant_order < b.variant_order
                                              : a.scenario_order < b.scenario_order;
  });
  return c;
}

template <template <class> class V, template <class, template <class> class> class S>
void register_cell(unsigned variant_order, unsigned scenario_order) {
  using Scenario = S<RealModel, V>;
  if constexpr (cell_exists(V<RealModel>::info, Scenario::info))
    cell_registry().push_back(Cell{&V<RealModel>::info, &Scenario::info, variant_order,
                                   scenario_order, Scenario::threads, &run_cell<Scenario>});
}

template <template <class> class V>
struct CellRegistrar {
  explicit CellRegistrar(unsigned variant_order) {
    unsigned scenario_order = 0;
#define PFV_REGISTER_REAL_SCENARIO(S) register_cell<V, S>(variant_order, scenario_order++);
    PFV_SCENARIOS(PFV_REGISTER_REAL_SCENARIO)
#undef PFV_REGISTER_REAL_SCENARIO
  }
};

inline const Cell* find_cell(const std::string& variant, const std::string& scenario) {
  for (const Cell& c : cells())
    if (variant == c.variant->name && scenario == c.scenario->name) return &c;
  return nullptr;
}

}  // namespace real
}  // namespace pfv

// Used once per variant, by the generated real_cells_<stem>.cpp.
#define PFV_REGISTER_REAL_VARIANT(V, ORDER) \
  static const ::pfv::real::CellRegistrar<::pfv::V> pfv_real_cells_##V(ORDER)

#endif  // PFV_TSAN_TESTS_CELLS_HPP
