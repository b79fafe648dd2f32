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
};

}  // namespace pfv

#endif  // PFV_IMPL_INFO_HPP
