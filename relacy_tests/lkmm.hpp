// relacy_tests/lkmm.hpp: the kernel memory model's own litmus tests as a
// conformance suite for the Relacy model.
//
// WHAT IT IS
//   Every test of the kernel's tools/memory-model/litmus-tests, written in
//   this project's litmus style (model/lkmm_litmus.hpp), run under the full
//   and the reduced search, its verdict (Sometimes / Never) compared with the
//   LKMM's Result. Used by `relacy_litmus --lkmm` (ctests relacy.lkmm and
//   relacy.lkmm_c11_locks) and by the docs generator (the table in
//   docs/limits.md, block "lkmm").
//
// GUARANTEE
//   conformance() counts as bad: a test whose full and reduced searches
//   disagree (verdict or unordered store pairs), a disagreement with the LKMM
//   that known_differences() does not document, and a documented difference
//   that now agrees (so the documentation cannot go stale).
#ifndef PFV_RELACY_TESTS_LKMM_HPP
#define PFV_RELACY_TESTS_LKMM_HPP

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "model/lkmm_litmus.hpp"
#include "relacy_tests/driver.hpp"

namespace pfv {
namespace lkmm {

enum class Result { never, sometimes };

inline const char* result_name(Result r) { return r == Result::never ? "Never" : "Sometimes"; }

struct Test {
  const char* name;
  const char* outcome;  // the observation that is the test's exists clause
  Result result;        // the LKMM's Result (herd7 on tools/memory-model)
  RunResult (*run)(const search::Config&);
};

inline const std::vector<Test>& tests() {
  static const std::vector<Test> r = {
#define PFV_LKMM_ROW(T, NAME, RESULT) \
  {NAME, lkmm_litmus::T<RelacyModel>::kOutcome, Result::RESULT, &run_relacy<lkmm_litmus::T>},
      PFV_LKMM_LITMUS_TESTS(PFV_LKMM_ROW)
#undef PFV_LKMM_ROW
  };
  return r;
}

// Where the model and the LKMM disagree, and why. `direction`: "missed
// outcome" (the LKMM allows an outcome the search never produces: the unsafe
// direction, a bug could hide there) or "false alarm" (the model allows what
// the LKMM forbids). `c11_locks_only`: a difference only under C11 lock
// ordering (--c11-locks).
struct KnownDifference {
  const char* name;
  const char* direction;
  const char* why;
  bool c11_locks_only;
};

inline const std::vector<KnownDifference>& known_differences() {
  static const std::vector<KnownDifference> r = {
      {"LB+poonceonces", "missed outcome",
       "load buffering: a load never reads a store that executes after it (Relacy's "
       "operational model; see \"Load buffering\")",
       false},
      {"S+poonceonces", "missed outcome",
       "coherence: a store that executes later is never coherence-before an earlier one; "
       "the coherence check names the two stores to x (see \"Coherence\")",
       false},
      {"MP+polockonce+poacquiresilsil", "missed outcome",
       "spin_lock() is one atomic step: the lock is never seen free by a thread that saw "
       "a store made inside the critical section (the LKMM lets the lock word's store "
       "become visible late)",
       false},
      {"ISA2+pooncelock+pooncelock+pombonce", "false alarm",
       "C11 lock ordering: a lock handed from CPU to CPU is not cumulative", true},
      {"MP+unlocklockonceonce+fencermbonceonce", "false alarm",
       "C11 lock ordering: an unlock followed by a lock on one CPU orders nothing for a "
       "lockless observer",
       true},
  };
  return r;
}

inline const KnownDifference* known_difference(const char* name, bool c11_locks) {
  for (const KnownDifference& k : known_differences())
    if (std::strcmp(k.name, name) == 0 && (!k.c11_locks_only || c11_locks)) return &k;
  return nullptr;
}

// The model's verdict: Sometimes / Never, or what stopped the search.
inline std::string model_verdict(const RunResult& r, const char* outcome) {
  if (r.result != rl::test_result_success) return rl::test_result_str(r.result);
  if (!r.stats.complete) return "incomplete";
  return observed_executions(r, outcome) > 0 ? "Sometimes" : "Never";
}

// Runs the suite (or the test `only`) and appends its table to `out`: plain
// text, or Markdown for docs/limits.md. Returns the number of bad rows.
inline int conformance(const std::string& only, bool markdown, bool c11_locks, std::string& out) {
  const bool saved = rlm::recorder().c11_locks;
  rlm::recorder().c11_locks = c11_locks;
  search::Config full, reduced;
  full.mode = search::Mode::full;
  reduced.mode = search::Mode::reduced;
  int agree = 0, documented = 0, bad = 0, total = 0;
  char line[1024];
  if (markdown) {
    out += "| test | LKMM | model | agree | unordered stores | why not |\n";
    out += "|---|---|---|---|---|---|\n";
  } else {
    std::snprintf(line, sizeof line, "%-52s %-9s %-9s %-9s %9s %9s %3s  %s\n", "kernel litmus test",
                  "LKMM", "full", "reduced", "exec full", "exec red.", "co", "verdict");
    out += line;
  }
  for (const Test& t : tests()) {
    if (!only.empty() && only != t.name) continue;
    ++total;
    const RunResult f = t.run(full);
    const RunResult d = t.run(reduced);
    const std::string vf = model_verdict(f, t.outcome), vd = model_verdict(d, t.outcome);
    const bool searches_agree = vf == vd && f.unordered_stores == d.unordered_stores;
    const bool same = vf == result_name(t.result);
    const KnownDifference* k = known_difference(t.name, c11_locks);
    std::string verdict;
    if (!searches_agree) {
      verdict = "UNEXPECTED: full and reduced disagree";
      ++bad;
    } else if (same && k) {
      verdict = "UNEXPECTED: agrees, but documented as a difference";
      ++bad;
    } else if (same) {
      verdict = "agree";
      ++agree;
    } else if (k) {
      verdict = std::string("documented (") + k->direction + ")";
      ++documented;
    } else {
      verdict = "UNEXPECTED: undocumented disagreement";
      ++bad;
    }
    if (markdown) {
      std::string co;
      for (const std::string& u : f.unordered_stores)
        co += (co.empty() ? "" : ", ") + u.substr(0, u.find(':'));
      const std::string why = k ? std::string(k->direction) + ": " + k->why : (same ? "" : verdict);
      std::snprintf(line, sizeof line, "| %s | %s | %s | %s | %s | %s |\n", t.name,
                    result_name(t.result), vf.c_str(), same ? "yes" : "**no**",
                    co.empty() ? "-" : co.c_str(), why.c_str());
    } else {
      std::snprintf(line, sizeof line, "%-52s %-9s %-9s %-9s %9llu %9llu %3zu  %s\n", t.name,
                    result_name(t.result), vf.c_str(), vd.c_str(),
                    static_cast<unsigned long long>(f.stats.executions + f.stats.redundant),
                    static_cast<unsigned long long>(d.stats.executions + d.stats.redundant),
                    f.unordered_stores.size(), verdict.c_str());
    }
    out += line;
  }
  std::snprintf(line, sizeof line,
                markdown ? "\n%d of %d agree with the LKMM; %d documented differences; %d "
                           "undocumented (%s lock ordering, full and reduced search).\n"
                         : "%d of %d agree with the LKMM, %d documented differences, %d "
                           "unexpected (%s lock ordering)\n",
                agree, total, documented, bad, c11_locks ? "C11" : "the kernel's");
  out += line;
  rlm::recorder().c11_locks = saved;
  return bad;
}

}  // namespace lkmm
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_LKMM_HPP
