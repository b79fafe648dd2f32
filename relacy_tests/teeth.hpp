// relacy_tests/teeth.hpp: every invariant, alone, catches a broken variant.
//
// A check that never fails proves nothing. For each mutant and each
// invariant, this runs the mutant's target scenarios with every other check
// switched off (all invariants at once: see teeth_probe) and records the
// first scenario in which that invariant alone catches it (bound=2: every execution with at
// most two preemptions; where that finds nothing, the reduced search, cut
// off after kTeethExecutions executions). An invariant that catches no
// mutant has no teeth: `pfncache-verify --teeth` then exits 1, and the
// relacy.teeth test fails. Data races are reported by Relacy whatever the
// check mask, so a mutant whose first failure is a race shows "race".
#ifndef PFV_RELACY_TESTS_TEETH_HPP
#define PFV_RELACY_TESTS_TEETH_HPP

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "relacy_tests/cells.hpp"

namespace pfv {

inline constexpr const char* kInvariantCodes[] = {"S1",  "S2",  "S3",  "S4",  "S5",  "S6",  "S8",
                                                 "S9",  "S11", "S12", "S13", "S14", "S15", "S16",
                                                 "S17"};
inline constexpr int kInvariantCount = sizeof kInvariantCodes / sizeof kInvariantCodes[0];
inline constexpr std::uint64_t kTeethExecutions = 20000;

struct TeethRow {
  const VariantInfo* variant;
  // Per invariant: the first target scenario it alone catches the mutant
  // in, "race" if only races were found, or "" if it catches nothing there.
  std::string caught[kInvariantCount];
};

struct Teeth {
  std::vector<TeethRow> rows;
  bool toothless[kInvariantCount] = {};  // no mutant caught by it alone
};


// The mutants the teeth table is about: every mutant that is not harmless.
inline std::vector<const VariantInfo*> teeth_mutants() {
  std::vector<const VariantInfo*> out;
  for (const Cell& c : cells()) {
    const VariantInfo& v = *c.variant;
    if (v.kind != VariantKind::mutant || (v.caught_by && std::strcmp(v.caught_by, "harmless") == 0))
      continue;
    if (out.empty() || out.back() != &v) out.push_back(&v);
  }
  return out;
}

// Every invariant alone against mutant v, in one search per target scenario
// and pass: caught[k] is the first target scenario in which invariant k
// alone catches v, "race" if only races were found, "" if nothing.
//
// Each search records failing checks instead of stopping at them
// (RunOptions::record_checks), which is exactly checking each invariant
// alone, all at once: checks do not steer the search, so the executions
// explored are the same whatever the mask, and invariant k "alone" fails in
// a search if and only if it fails, recorded, before the search ends or
// meets a data race (which stops the search either way).
inline std::vector<std::string> teeth_probe(const VariantInfo* v) {
  std::vector<std::string> caught(kInvariantCount);
  bool race = false;
  // bound=2 first (fast), then the reduced search, cut off after
  // kTeethExecutions (some invariants need more than two preemptions).
  for (int pass = 0; pass < 2; ++pass) {
    for (const Cell& c : cells()) {
      if (c.variant != v || !names_include(v->caught_in, c.scenario->name)) continue;
      search::Config cfg;
      cfg.mode = pass == 0 ? search::Mode::bound : search::Mode::reduced;
      cfg.bound = 2;
      cfg.max_executions = pass == 0 ? 0 : kTeethExecutions;
      RunOptions o;
      o.want_trace = false;
      o.record_checks = true;
      const RunResult r = c.run(cfg, o);
      race = race || r.failure.kind == "data race";
      for (int k = 0; k < kInvariantCount; ++k) {
        const unsigned n = static_cast<unsigned>(std::atoi(kInvariantCodes[k] + 1));
        if (caught[k].empty() && (r.recorded_checks >> n & 1u)) caught[k] = c.scenario->name;
      }
    }
  }
  for (std::string& k : caught)
    if (k.empty() && race) k = "race";
  return caught;
}

// The table from its probes: caught[m][k] is teeth_probe(mutants[m], k).
inline Teeth teeth_from(const std::vector<const VariantInfo*>& mutants,
                        const std::vector<std::vector<std::string>>& caught) {
  Teeth t;
  for (std::size_t m = 0; m < mutants.size(); ++m) {
    TeethRow row{mutants[m], {}};
    for (int k = 0; k < kInvariantCount; ++k)
      row.caught[k] = caught[m][static_cast<std::size_t>(k)];
    t.rows.push_back(row);
  }
  for (int k = 0; k < kInvariantCount; ++k) {
    t.toothless[k] = true;
    for (const TeethRow& row : t.rows)
      if (!row.caught[k].empty() && row.caught[k] != "race") t.toothless[k] = false;
  }
  return t;
}

// The whole table, mutant by mutant in this process.
inline Teeth measure_teeth() {
  const std::vector<const VariantInfo*> mutants = teeth_mutants();
  std::vector<std::vector<std::string>> caught;
  for (const VariantInfo* v : mutants) caught.push_back(teeth_probe(v));
  return teeth_from(mutants, caught);
}

// The matrix as Markdown: one row per mutant, one column per invariant.
inline std::string teeth_markdown(const Teeth& t) {
  std::string s = "| mutant |";
  for (const char* code : kInvariantCodes) s += std::string(" ") + code + " alone |";
  s += "\n|---|";
  for (int k = 0; k < kInvariantCount; ++k) s += "---|";
  s += "\n";
  for (const TeethRow& row : t.rows) {
    s += std::string("| ") + row.variant->name + " |";
    for (int k = 0; k < kInvariantCount; ++k)
      s += " " + (row.caught[k].empty() ? std::string("-") : row.caught[k]) + " |";
    s += "\n";
  }
  return s;
}

}  // namespace pfv

#endif  // PFV_RELACY_TESTS_TEETH_HPP
