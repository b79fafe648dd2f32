// impl/info.hpp: what variants and scenarios say about themselves, for the
// gate's table, --list and the docs.
#ifndef PFV_IMPL_INFO_HPP
#define PFV_IMPL_INFO_HPP

namespace pfv {

enum class VariantKind {
  kernel,  // a version of the kernel's protocol: must pass every scenario
  mutant,  // deliberately broken: must be caught where it is exercised
  // The kernel's own text, written as the kernel writes it, that fails only
  // because the model's memory model (C11) is not the kernel's (LKMM): kept
  // so the limit is shown by a real trace (docs/limits.md). Gated like a
  // mutant: it must be caught where it is listed.
  artifact,
};

// Is `name` one of the ','-separated names of `list`? (At compile time too.)
constexpr bool names_include(const char* list, const char* name) {
  if (list == nullptr) return false;
  for (const char* p = list; *p;) {
    const char* n = name;
    while (*p && *p != ',' && *n && *p == *n) ++p, ++n;
    if (*n == '\0' && (*p == ',' || *p == '\0')) return true;
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return false;
}

struct VariantInfo {
  const char* name;  // the --variant name
  VariantKind kind;
  const char* summary;  // one line: what it is
  // A mutant's expected verdict. `caught_by`: the failure classes the gate
  // may see, '|'-separated ("S2|S3", "race gpc.valid"), or "harmless" when
  // the model checker shows it breaks nothing (`why` says why).
  // `caught_in`: the scenarios (','-separated) that exercise the broken step
  // and must catch it; in every other scenario it must pass.
  const char* caught_by;
  const char* caught_in;
  const char* why;
  // A harmless mutant's Sometimes: observation codes (space-separated) that
  // its complete searches must reach in some scenario, the window it is
  // harmless in (a "harmless" that never opens its window proves nothing).
  const char* sometimes = nullptr;
  // A variant that runs the kernel's own pfncache.c (kshim/): the impl/
  // variant that writes the same code (its executions and outcomes must
  // agree, the gate reports a difference as drift; its findings are this
  // one's), and what its API lacks ("hva": no HVA-based caches), so that
  // scenarios which need it have no cell.
  const char* twin = nullptr;
  const char* lacks = nullptr;
  bool kernel_file = false;
  int kshim_api = 0;  // its shim API level (kshim/bridge.hpp)
};

struct ScenarioInfo {
  const char* name;    // the --scenario name
  const char* shape;   // which operations race
  const char* result;  // Never ... / Sometimes ...
  const char* shows;   // the point
  // The Sometimes of `result`, as observation codes (impl/invariants.hpp),
  // space-separated: a complete search of a passing variant must reach each
  // one the variant can produce (Pfncache::can_observe), or the gate fails.
  const char* sometimes;
  // Too costly for the default gate: its complete searches run with
  // `pfncache-verify --slow` (ctest label `slow`); its measured cost is in
  // docs/measured/search.md. Mutants' refutations in it still run.
  bool slow = false;
  // What the scenario needs of a variant's API ("hva": HVA-based caches;
  // "parallel-activate": activations of one cache may race, 6addfcf27139).
  const char* needs = nullptr;
};

// Which (variant, scenario) cells exist, in both drivers: a kernel variant
// and a harmless mutant in every scenario (they must pass everywhere), a
// mutant or an artifact in the scenarios that exercise what it breaks (its
// caught_in). Cells that would only re-run the kernel's code with a dormant
// knob are not built.
constexpr bool cell_exists(const VariantInfo& v, const ScenarioInfo& s) {
  if (s.needs && names_include(v.lacks, s.needs)) return false;
  if (v.kind == VariantKind::kernel) return true;
  if (v.caught_by && names_include("harmless", v.caught_by)) return true;
  return names_include(v.caught_in, s.name);
}

}  // namespace pfv

#endif  // PFV_IMPL_INFO_HPP
