// relacy_tests/cells.hpp: the (variant, scenario) table the gate runs.
//
// Every registered variant (impl/variants.list) is instantiated with every
// scenario (PFV_SCENARIOS in impl/scenarios.hpp) under the Relacy model. The
// instantiations live in one generated translation unit per variant
// (CMake writes cells_<stem>.cpp), which registers its cells here at start-up.
#ifndef PFV_RELACY_TESTS_CELLS_HPP
#define PFV_RELACY_TESTS_CELLS_HPP

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "impl/info.hpp"
#include "impl/scenarios.hpp"
#include "relacy_tests/driver.hpp"

namespace pfv {

struct Cell {
  const VariantInfo* variant;
  const ScenarioInfo* scenario;
  unsigned variant_order;
  unsigned scenario_order;
  unsigned threads;
  const char* const* thread_names;
  RunResult (*run)(const search::Config&, const RunOptions&);
  bool (*can_observe)(const char* code);  // the variant's Pfncache::can_observe
};

// "a,b,c" -> {"a", "b", "c"}, empty fields kept: the name lists of the
// gate's and the docs generator's command lines, the parts of a replay
// state.
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

inline std::vector<Cell>& cell_registry() {
  static std::vector<Cell> cells;
  return cells;
}

// The cells in table order: variants as listed, scenarios as listed.
inline const std::vector<Cell>& cells() {
  std::vector<Cell>& c = cell_registry();
  std::stable_sort(c.begin(), c.end(), [](const Cell& a, const Cell& b) {
    return a.variant_order != b.variant_order ? a.variant_order < b.variant_order
                                              : a.scenario_order < b.scenario_order;
  });
  return c;
}

template <class S>
RunResult run_cell(const search::Config& cfg, const RunOptions& opt) {
  return run<S>(cfg, opt);
}

template <template <class> class V, template <class, template <class> class> class S>
void register_cell(unsigned variant_order, unsigned scenario_order) {
  using Scenario = S<RelacyModel, V>;
  if constexpr (cell_exists(V<RelacyModel>::info, Scenario::info))
    cell_registry().push_back(Cell{&V<RelacyModel>::info, &Scenario::info, variant_order,
                                   scenario_order, Scenario::threads, Scenario::thread_names,
                                   &run_cell<Scenario>, &V<RelacyModel>::can_observe});
}

template <template <class> class V>
struct CellRegistrar {
  explicit CellRegistrar(unsigned variant_order) {
    unsigned scenario_order = 0;
#define PFV_REGISTER_SCENARIO(S) register_cell<V, S>(variant_order, scenario_order++);
    PFV_SCENARIOS(PFV_REGISTER_SCENARIO)
#undef PFV_REGISTER_SCENARIO
  }
};

}  // namespace pfv

// Used once per variant, by the generated cells_<stem>.cpp.
#define PFV_REGISTER_VARIANT(V, ORDER) \
  static const ::pfv::CellRegistrar<::pfv::V> pfv_cells_##V(ORDER)

#endif  // PFV_RELACY_TESTS_CELLS_HPP
