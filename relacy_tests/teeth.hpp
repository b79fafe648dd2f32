// relacy_tests/teeth.hpp: every invariant, alone, catches a broken variant.
//
// A check that never fails proves nothing. For each mutant and each
// invariant S1..S11, this runs the mutant's target scenarios with every
// other check switched off (RunOptions::only_check) and records the first
// scenario in which that invariant alone catches it (bound=2: every
// execution with at most two preemptions). An invariant that catches no
// mutant has no teeth: `pfncache-verify --teeth` then exits 1, and the
// relacy.teeth test fails. Data races are reported by Relacy whatever the
// check mask, so a mutant whose first failure is a race shows "race".
#ifndef PFV_RELACY_TESTS_TEETH_HPP
#define PFV_RELACY_TESTS_TEETH_HPP

#include <cstring>
#include <string>
#include <vector>

#include "relacy_tests/cells.hpp"

namespace pfv {

inline constexpr const char* kInvariantCodes[] = {"S1", "S2", "S3", "S4", "S5", "S6", "S11"};
inline constexpr int kInvariantCount = sizeof kInvariantCodes / sizeof kInvariantCodes[0];

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

inline bool in_list(const char* list, const char* name) {
  if (list == nullptr) return false;
  const std::size_t n = std::strlen(name);
  for (const char* p = list; *p;) {
    const char* end = std::strchr(p, ',');
    const std::size_t len = end ? static_cast<std::size_t>(end - p) : std::strlen(p);
    if (len == n && std::strncmp(p, name, n) == 0) return true;
    if (!end) break;
    p = end + 1;
  }
  return false;
}

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

// Invariant k alone against mutant v: the first target scenario in which it
// catches v, "race" if only races were found, "" if nothing.
inline std::string teeth_probe(const VariantInfo* v, int k) {
  const std::string only = std::string(kInvariantCodes[k]) + ":";
  bool race = false;
  for (const Cell& c : cells()) {
    if (c.variant != v || !in_list(v->caught_in, c.scenario->name)) continue;
    search::Config cfg;
    cfg.mode = search::Mode::bound;
    cfg.bound = 2;
    RunOptions o;
    o.want_trace = false;
    o.only_check = only.c_str();
    const RunResult r = c.run(cfg, o);
    if (r.result == rl::test_result_success) continue;
    if (r.failure.kind == "invariant" && r.failure.what.rfind(only, 0) == 0)
      return c.scenario->name;
    race = race || r.failure.kind == "data race";
  }
  return race ? "race" : "";
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

// The whole table, probe by probe in this process.
inline Teeth measure_teeth() {
  const std::vector<const VariantInfo*> mutants = teeth_mutants();
  std::vector<std::vector<std::string>> caught(mutants.size());
  for (std::size_t m = 0; m < mutants.size(); ++m)
    for (int k = 0; k < kInvariantCount; ++k) caught[m].push_back(teeth_probe(mutants[m], k));
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
