// relacy_tests/litmus.cpp: the litmus tests of model/litmus.hpp under Relacy.
//
// Every test runs under every complete search (full, and reduced: the
// partial-order reduction must agree with full search on each of them) and
// must produce its expected verdict. The executable prints one row per test
// and search (result, expected, executions, time) and exits 1 if any row
// differs from its expectation, 2 on bad usage.
//
//   relacy_litmus [--only NAME] [--search full|reduced|bound=N]
//                 [--expect NAME=VERDICT] [--c11-locks]
//   relacy_litmus --lkmm [--only NAME] [--markdown] [--c11-locks]
//
// --expect overrides one expectation (VERDICT: Sometimes, Never, race,
// deadlock, pass, misplaced-hint); the unit tests use it to show that a wrong expectation
// turns the run red. Each test also states how many pairs of unordered
// stores the coherence check must name (model/relacy_model.hpp,
// StoreClocks): none, except where the shape has them (2+2W).
//
// --lkmm runs the conformance suite instead: every litmus test of the
// kernel's tools/memory-model/litmus-tests (model/lkmm_litmus.hpp) under
// the full and the reduced search, its verdict compared with the LKMM's
// Result. A disagreement is allowed only where known_differences() below
// documents it (and a documented one that now agrees is an error too, so
// the table in docs/limits.md cannot go stale). --markdown prints that
// table. --c11-locks: C11's lock ordering instead of the kernel's
// po-unlock-lock-po (the "before" of docs/limits.md).
#include "model/litmus.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "relacy_tests/driver.hpp"
#include "relacy_tests/lkmm.hpp"

namespace {

using namespace pfv;

enum class Expect { sometimes, never, race, deadlock, pass, misplaced_hint };

const char* expect_name(Expect e) {
  switch (e) {
    case Expect::sometimes: return "Sometimes";
    case Expect::never: return "Never";
    case Expect::race: return "race";
    case Expect::deadlock: return "deadlock";
    case Expect::pass: return "pass";
    case Expect::misplaced_hint: return "misplaced-hint";
  }
  return "?";
}

bool parse_expect(const char* s, Expect& e) {
  for (Expect x : {Expect::sometimes, Expect::never, Expect::race, Expect::deadlock, Expect::pass,
                   Expect::misplaced_hint}) {
    if (std::strcmp(s, expect_name(x)) == 0) {
      e = x;
      return true;
    }
  }
  return false;
}

struct Litmus {
  const char* name;
  const char* outcome;  // observation that is the litmus outcome, or nullptr
  Expect expect;
  RunResult (*run)(const search::Config&);
  std::size_t unordered = 0;  // unordered store pairs the coherence check must name
};

const std::vector<Litmus>& registry() {
  static const std::vector<Litmus> r = {
      {"MP+relaxed+relaxed", litmus::MP_relaxed<RelacyModel>::kOutcome, Expect::sometimes,
       &run_relacy<litmus::MP_relaxed>},
      {"MP+release+acquire", litmus::MP_release_acquire<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::MP_release_acquire>},
      {"MP+wmb+rmb", litmus::MP_wmb_rmb<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::MP_wmb_rmb>},
      {"MP+wmb+rmb+plain", litmus::MP_wmb_rmb_plain<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::MP_wmb_rmb_plain>},
      {"SB+relaxed+relaxed", litmus::SB_relaxed<RelacyModel>::kOutcome, Expect::sometimes,
       &run_relacy<litmus::SB_relaxed>},
      {"SB+mb+mb", litmus::SB_mb<RelacyModel>::kOutcome, Expect::never, &run_relacy<litmus::SB_mb>},
      {"Race+plain", nullptr, Expect::race, &run_relacy<litmus::Race_plain>},
      {"Race+write-under-read-lock", nullptr, Expect::race,
       &run_relacy<litmus::Race_write_under_read_lock>},
      {"Race+marked+marked", litmus::Race_marked_marked<RelacyModel>::kOutcome, Expect::sometimes,
       &run_relacy<litmus::Race_marked_marked>},
      {"Race+plain+marked", nullptr, Expect::race, &run_relacy<litmus::Race_plain_marked>},
      {"Race+marked+plain", nullptr, Expect::race, &run_relacy<litmus::Race_marked_plain>},
      {"MP+marked+marked", litmus::MP_marked<RelacyModel>::kOutcome, Expect::sometimes,
       &run_relacy<litmus::MP_marked>},
      {"MP+wmb+rmb+marked", litmus::MP_wmb_rmb_marked<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::MP_wmb_rmb_marked>},
      {"SB+xchg+xchg", litmus::SB_xchg<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::SB_xchg>},
      {"SB+xchgrelaxed+xchgrelaxed", litmus::SB_xchg_relaxed<RelacyModel>::kOutcome,
       Expect::sometimes, &run_relacy<litmus::SB_xchg_relaxed>},
      {"SB+cmpxchg+cmpxchg", litmus::SB_cmpxchg<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::SB_cmpxchg>},
      {"SB+cmpxchgfail+cmpxchgfail", litmus::SB_cmpxchg_fail<RelacyModel>::kOutcome,
       Expect::sometimes, &run_relacy<litmus::SB_cmpxchg_fail>},
      {"WRC+unlocklock+rmb", litmus::WRC_unlocklock_rmb<RelacyModel>::kOutcome,
       Expect::sometimes, &run_relacy<litmus::WRC_unlocklock_rmb>},
      {"WRC+unlocklockstore+rmb", litmus::WRC_unlocklockstore_rmb<RelacyModel>::kOutcome,
       Expect::never, &run_relacy<litmus::WRC_unlocklockstore_rmb>},
      {"2+2W+poonceonces", litmus::TwoPlusTwoW<RelacyModel>::kOutcome, Expect::never,
       &run_relacy<litmus::TwoPlusTwoW>, 2},
      {"Spin+wait-hint", litmus::Spin_wait_hint<RelacyModel>::kOutcome, Expect::sometimes,
       &run_relacy<litmus::Spin_wait_hint>},
      {"Spin+hint-under-lock", nullptr, Expect::misplaced_hint,
       &run_relacy<litmus::Spin_hint_under_lock>},
      {"Deadlock+lock-order-inversion", nullptr, Expect::deadlock,
       &run_relacy<litmus::Deadlock_lock_order_inversion>},
  };
  return r;
}

// The verdict a run actually produced, in the vocabulary of Expect.
Expect verdict(const RunResult& r, const char* outcome) {
  if (r.failure.kind == "misplaced hint") return Expect::misplaced_hint;
  if (r.result == rl::test_result_data_race) return Expect::race;
  if (r.result == rl::test_result_deadlock) return Expect::deadlock;
  if (r.result != rl::test_result_success) return Expect::pass;  // reported as a mismatch below
  if (outcome == nullptr) return Expect::pass;
  return observed_executions(r, outcome) > 0 ? Expect::sometimes : Expect::never;
}

int usage(const char* msg) {
  std::fprintf(stderr,
               "relacy_litmus: %s\nusage: relacy_litmus [--only NAME] "
               "[--search full|reduced|bound=N] [--expect NAME=VERDICT] [--c11-locks]\n"
               "       relacy_litmus --lkmm [--only NAME] [--markdown] [--c11-locks]\n",
               msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string only;
  std::vector<search::Config> searches;
  std::vector<std::pair<std::string, Expect>> overrides;
  bool lkmm = false, markdown = false, c11_locks = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (a == "--lkmm") {
      lkmm = true;
    } else if (a == "--markdown") {
      markdown = true;
    } else if (a == "--c11-locks") {
      c11_locks = true;
    } else if (a == "--search" && i + 1 < argc) {
      const std::string s = argv[++i];
      search::Config c;
      if (s == "full") {
        c.mode = search::Mode::full;
      } else if (s == "reduced") {
        c.mode = search::Mode::reduced;
      } else if (s.rfind("bound=", 0) == 0 && s.size() > 6) {
        c.mode = search::Mode::bound;
        c.bound = static_cast<unsigned>(std::strtoul(s.c_str() + 6, nullptr, 10));
      } else {
        return usage(("unknown search: " + s).c_str());
      }
      searches.push_back(c);
    } else if (a == "--expect" && i + 1 < argc) {
      const std::string s = argv[++i];
      const auto eq = s.find('=');
      Expect e;
      if (eq == std::string::npos || !parse_expect(s.c_str() + eq + 1, e))
        return usage(("bad --expect: " + s).c_str());
      overrides.emplace_back(s.substr(0, eq), e);
    } else {
      return usage(("unknown option: " + a).c_str());
    }
  }
  rlm::recorder().c11_locks = c11_locks;
  if (lkmm) {
    if (!searches.empty() || !overrides.empty())
      return usage("--lkmm runs the full and reduced searches and takes no --search/--expect");
    bool known = only.empty();
    for (const lkmm::Test& t : lkmm::tests()) known = known || only == t.name;
    if (!known) return usage(("unknown kernel litmus test: " + only).c_str());
    std::string out;
    const int bad = lkmm::conformance(only, markdown, c11_locks, out);
    std::fputs(out.c_str(), stdout);
    return bad ? 1 : 0;
  }
  if (markdown) return usage("--markdown goes with --lkmm");
  if (searches.empty()) {
    search::Config full, reduced;
    full.mode = search::Mode::full;
    reduced.mode = search::Mode::reduced;
    searches = {full, reduced};
  }
  bool known = only.empty();
  for (const Litmus& l : registry()) known = known || only == l.name;
  if (!known) return usage(("unknown litmus test: " + only).c_str());
  for (const auto& o : overrides) {
    bool found = false;
    for (const Litmus& l : registry()) found = found || o.first == l.name;
    if (!found) return usage(("unknown litmus test in --expect: " + o.first).c_str());
  }

  std::printf("%-30s %-8s %-10s %-10s %10s %9s %3s  %s\n", "litmus", "search", "result", "expected",
              "executions", "time", "co", "verdict");
  int bad = 0;
  for (const Litmus& l : registry()) {
    if (!only.empty() && only != l.name) continue;
    Expect want = l.expect;
    for (const auto& o : overrides)
      if (o.first == l.name) want = o.second;
    for (const search::Config& c : searches) {
      const RunResult r = l.run(c);
      const Expect got = verdict(r, l.outcome);
      const bool clean = r.result == rl::test_result_success || got == Expect::race ||
                         got == Expect::deadlock || got == Expect::misplaced_hint;
      // A failing search stops early: its store pairs are not a verdict.
      const bool co_ok =
          r.result != rl::test_result_success || r.unordered_stores.size() == l.unordered;
      const bool ok = clean && got == want && co_ok &&
                      r.stats.complete == (r.result == rl::test_result_success);
      const char* result = r.result == rl::test_result_success || got == Expect::misplaced_hint
                               ? expect_name(got)
                               : rl::test_result_str(r.result);
      std::printf("%-30s %-8s %-10s %-10s %10llu %8.3fs %3zu  %s\n", l.name,
                  search::mode_name(c.mode), result, expect_name(want),
                  static_cast<unsigned long long>(r.stats.executions + r.stats.redundant),
                  r.stats.seconds, r.unordered_stores.size(), ok ? "ok" : "UNEXPECTED");
      if (!co_ok)
        for (const std::string& u : r.unordered_stores)
          std::printf("    unordered stores: %s\n", u.c_str());
      if (!ok) {
        ++bad;
        if (r.result != rl::test_result_success) std::printf("%s", r.failure.trace.c_str());
      }
    }
  }
  std::printf("%s\n", bad ? "FAILED: some litmus results differ from their expectation"
                          : "all litmus results as expected");
  return bad ? 1 : 0;
}
