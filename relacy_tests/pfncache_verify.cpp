// relacy_tests/pfncache_verify.cpp: the gate.
//
//   pfncache-verify [options]
//
// Runs every registered variant (impl/variants.list) in every scenario
// (impl/scenarios.hpp) under Relacy and prints one row per cell: variant,
// scenario, the search that produced the verdict, executions, time, result,
// expected result, verdict. Exit status 0 if and only if every cell is as
// expected; 1 otherwise; 2 on bad input. See --help.
//
// Cells run in parallel worker processes (-j, default: every core;
// relacy_tests/pool.hpp). A complete search that is still running after
// --split-after executions is abandoned and re-run cooperatively: its tree
// is cut into prefixes at the split depth, and every free worker joins,
// claiming prefixes as it reaches them (search/claims.hpp). The table comes
// out in the same order, with the same verdicts, whatever -j is.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "relacy_tests/gate.hpp"
#include "relacy_tests/pool.hpp"
#include "relacy_tests/teeth.hpp"
#include "kshim/knobs.hpp"
#include "relacy_tests/kernel_patch.hpp"

namespace {

using namespace pfv;
using gate::BadInput;
using gate::Row;
using gate::SearchResult;
using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> variants, scenarios;
  gate::SearchSpec search;
  double max_seconds = 900;
  unsigned shard = 0, shards = 1, split_depth = 16;
  std::uint64_t split_after = 100000;
  unsigned jobs = 0;
  std::uint64_t estimate = 0;
  bool trace = false, list = false, quiet = false, window = false, teeth = false;
  bool ghosts_ordered = false;
  bool c11_locks = false;
  bool slow = false, slow_only = false;
  std::string replay, json, junit, witness, only;
  std::string only_check;  // "S1:" for --only S1: the prefix M::check() matches
  std::string sometimes;   // --sometimes: codes every cell must also reach
  std::string shim_mutant;  // --shim-mutant KIND@FUNCTION (kshim/knobs.hpp)
  bool shim_teeth = false;
  bool fingerprint_crosscheck = false;
  std::string kernel_tree, patch;  // --kernel-tree DIR --patch FILE
  std::vector<std::string> forward;  // the other arguments, for the patched build's gate
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

RunOptions run_options(const Cell& c, const Options& opt) {
  RunOptions ro;
  ro.thread_names = c.thread_names;
  ro.thread_count = c.threads;
  if (!opt.only_check.empty()) ro.only_check = opt.only_check.c_str();
  return ro;
}

// ---- work done in a worker process --------------------------------------------

// A cell's plan (gate::plan), search after search until one fails. The
// complete search stops after --split-after executions (budget_cut), to be
// re-run cooperatively by the parent.
nlohmann::json plan_task(const Cell& c, const Options& opt, const gate::Expectation& e) {
  SearchResult last;
  double cpu = 0;
  const std::string label = std::string(c.variant->name) + " / " + c.scenario->name;
  for (search::Config cfg : gate::plan(e, opt.search)) {
    cfg.max_seconds = opt.max_seconds;
    cfg.shard = opt.shard;
    cfg.shards = opt.shards;
    cfg.split_depth = opt.shards > 1 ? opt.split_depth : 0;
    const bool complete_search =
        cfg.mode == search::Mode::reduced || cfg.mode == search::Mode::full;
    if (complete_search && opt.shards == 1) cfg.max_executions = opt.split_after;
    const std::string progress = label + " (" + gate::search_text(cfg) + ")";
    cfg.progress_label = opt.quiet ? nullptr : progress.c_str();
    RunOptions ro = run_options(c, opt);
    const RunResult r = c.run(cfg, ro);
    last = gate::from_run(cfg, r);
    cpu += last.seconds;
    last.budget_cut = !last.failed() && !last.complete && cfg.max_executions != 0 &&
                      r.stats.executions >= cfg.max_executions;
    if (last.failed() || last.budget_cut) break;
  }
  return {{"result", gate::to_json(last)}, {"cpu", cpu}};
}

// One process's share of a cooperative complete search.
nlohmann::json coop_task(const Cell& c, const Options& opt, search::PrefixClaims* claims,
                         double max_seconds) {
  search::Config cfg = opt.search.cfg;
  cfg.split_depth = opt.split_depth;
  cfg.claims = claims;
  cfg.max_seconds = max_seconds;
  const std::string progress = std::string(c.variant->name) + " / " + c.scenario->name + " (" +
                               gate::search_text(cfg) + ", cooperative)";
  cfg.progress_label = opt.quiet ? nullptr : progress.c_str();
  RunOptions ro = run_options(c, opt);
  ro.keep_outcomes = true;
  const RunResult r = c.run(cfg, ro);
  if (r.result != rl::test_result_success) claims->request_stop();
  return gate::to_json(gate::from_run(cfg, r));
}

// ---- the table ----------------------------------------------------------------

void print_header() {
  std::printf("%-28s %-30s %-9s %11s %8s  %-24s %-24s %s\n", "variant", "scenario", "search",
              "executions", "time", "result", "expected", "verdict");
}

std::string truncate(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

void print_row(const Row& row) {
  std::printf("%-28s %-30s %-9s %11llu %7.2fs  %-24s %-24s %s\n", row.cell->variant->name,
              row.cell->scenario->name, row.result.search.c_str(),
              static_cast<unsigned long long>(row.result.shown_executions()), row.seconds,
              truncate(row.result_class, 24).c_str(), truncate(row.expected.text, 24).c_str(),
              row.verdict.c_str());
  std::fflush(stdout);
}

void print_trace(const Row& row) {
  const SearchResult& r = row.result;
  std::printf("\n  %s / %s: %s (%s, execution %llu)\n", row.cell->variant->name,
              row.cell->scenario->name, r.failure.what.c_str(), r.search.c_str(),
              static_cast<unsigned long long>(r.shown_executions()));
  std::printf("%s", r.failure.trace.c_str());
  std::printf("  replay: pfncache-verify --replay '%s'\n\n", row.replay.c_str());
}

void print_window(const std::vector<Row>& rows) {
  std::printf(
      "\npre-check window (21dadfcd665e), executions of the search that gave the verdict:\n");
  std::printf("%-14s %-30s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "variant", "scenario",
              "W0 reach", "W1 chg", "W2 inval", "W3 moved", "W5 deact", "W6 inval", "W7 skip",
              "W8 redund", "W9 store");
  for (const Row& r : rows) {
    const SearchResult& s = r.result;
    if (s.failed() || s.observed("W0") == 0) continue;
    auto n = [&](const char* code) { return static_cast<unsigned long long>(s.observed(code)); };
    std::printf("%-14s %-30s %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
                r.cell->variant->name, r.cell->scenario->name, n("W0"), n("W1"), n("W2"), n("W3"),
                n("W5"), n("W6"), n("W7"), n("W8"), n("W9"));
  }
}

// Coherence (model/relacy_model.hpp, StoreClocks): every pair of stores to
// one location by two threads with no happens-before between them, in any
// cell. The search never puts such stores in coherence order against their
// execution order; the list says where a verdict could rest on that.
void print_coherence(const std::vector<Row>& rows) {
  struct Where {
    std::set<std::string> variants, scenarios;
  };
  std::map<std::string, Where> where;  // by pair
  for (const Row& r : rows)
    for (const std::string& u : r.result.unordered_stores) {
      where[u].variants.insert(r.cell->variant->name);
      where[u].scenarios.insert(r.cell->scenario->name);
    }
  if (where.empty()) {
    std::printf("\ncoherence: no two threads store to one location without happens-before "
                "between the stores, in any cell (docs/limits.md, \"Coherence\")\n");
    return;
  }
  std::printf("\ncoherence: store pairs with no happens-before between them (the search "
              "explores only one coherence order for each; docs/limits.md, \"Coherence\"):\n");
  for (const auto& [pair, w] : where)
    std::printf("  %s\n      in %zu variant%s, %zu scenario%s (%s)\n", pair.c_str(),
                w.variants.size(), w.variants.size() == 1 ? "" : "s", w.scenarios.size(),
                w.scenarios.size() == 1 ? "" : "s", w.scenarios.begin()->c_str());
}

// ---- running the cells --------------------------------------------------------

// One cell on its way through the pool.
struct Job {
  enum State { pending, planning, waiting_coop, coop, done } state = pending;
  Row row;
  Clock::time_point start;
  double cpu = 0;
  search::PrefixClaims* claims = nullptr;
  unsigned workers = 0;    // cooperative processes running
  bool exhausted = false;  // a cooperative process has walked every prefix
  std::vector<SearchResult> parts;
};

void finish_job(Job& j, const Options& opt) {
  j.row.seconds = since(j.start);
  j.row.cpu_seconds = j.cpu;
  if (j.row.error.empty()) {
    gate::decide(j.row, opt.shards == 1, opt.sometimes);
  } else {
    j.row.verdict = "ERROR";
    j.row.result_class = "error";
  }
  search::PrefixClaims::destroy(j.claims);
  j.claims = nullptr;
  j.state = Job::done;
}

std::vector<Row> run_cells(const std::vector<const Cell*>& selected, const Options& opt,
                           bool print) {
  std::vector<Job> jobs(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) {
    jobs[i].row.cell = selected[i];
    jobs[i].row.expected = gate::expectation(*selected[i], opt.only);
  }
  Pool pool(opt.jobs);
  std::size_t next_pending = 0, next_print = 0, finished = 0;

  auto start_coop_worker = [&](Job& j) {
    const double left = std::max(1.0, opt.max_seconds - since(j.start));
    const Cell& c = *j.row.cell;
    search::PrefixClaims* claims = j.claims;
    pool.start(static_cast<int>(&j - jobs.data()),
               [&c, &opt, claims, left] { return coop_task(c, opt, claims, left); });
    ++j.workers;
    j.state = Job::coop;
  };

  while (finished < jobs.size()) {
    while (pool.running() < pool.jobs()) {
      // A search that outgrew one process first, then new cells, then more
      // processes for a cooperative search still under way.
      Job* pick = nullptr;
      for (Job& j : jobs)
        if (j.state == Job::waiting_coop) {
          pick = &j;
          break;
        }
      if (pick) {
        start_coop_worker(*pick);
        continue;
      }
      if (next_pending < jobs.size()) {
        Job& j = jobs[next_pending++];
        j.state = Job::planning;
        j.start = Clock::now();
        const Cell& c = *j.row.cell;
        const gate::Expectation e = j.row.expected;
        pool.start(static_cast<int>(&j - jobs.data()),
                   [&c, &opt, e] { return plan_task(c, opt, e); });
        continue;
      }
      for (Job& j : jobs)
        if (j.state == Job::coop && !j.exhausted && (!pick || j.workers < pick->workers)) pick = &j;
      if (!pick) break;
      start_coop_worker(*pick);
    }

    const Pool::Done d = pool.wait_any();
    Job& j = jobs[static_cast<std::size_t>(d.tag)];
    if (d.crashed) {
      j.row.error = d.message;
      if (j.state == Job::coop && j.claims) j.claims->request_stop();
      if (j.state == Job::coop && --j.workers > 0) continue;
      finish_job(j, opt);
      ++finished;
    } else if (j.state == Job::planning) {
      SearchResult r = gate::search_result_from_json(d.value.at("result"));
      j.cpu += d.value.at("cpu").get<double>();
      if (r.budget_cut) {
        j.claims = search::PrefixClaims::create();
        if (j.claims == nullptr) {
          j.row.error = "cannot map the shared claim table for a cooperative search";
          finish_job(j, opt);
          ++finished;
        } else {
          j.state = Job::waiting_coop;
        }
      } else {
        j.row.result = r;
        finish_job(j, opt);
        ++finished;
      }
    } else {  // a cooperative share
      SearchResult part = gate::search_result_from_json(d.value);
      j.cpu += part.seconds;
      j.parts.push_back(part);
      j.exhausted = true;
      if (--j.workers == 0) {
        j.row.result = gate::merge(j.parts);
        finish_job(j, opt);
        ++finished;
      }
    }
    while (print && next_print < jobs.size() && jobs[next_print].state == Job::done)
      print_row(jobs[next_print++].row);
  }
  std::vector<Row> rows;
  for (Job& j : jobs) rows.push_back(j.row);
  return rows;
}

// Runs fn(i) for i in [0, n) in the pool and returns the results in order.
std::vector<nlohmann::json> run_all(std::size_t n, unsigned jobs,
                                    const std::function<nlohmann::json(std::size_t)>& fn) {
  std::vector<nlohmann::json> out(n);
  Pool pool(jobs);
  std::size_t next = 0, done = 0;
  while (done < n) {
    while (next < n && pool.running() < pool.jobs()) {
      const std::size_t i = next++;
      pool.start(static_cast<int>(i), [&fn, i] { return fn(i); });
    }
    const Pool::Done d = pool.wait_any();
    if (d.crashed) throw std::runtime_error(d.message);
    out[static_cast<std::size_t>(d.tag)] = d.value;
    ++done;
  }
  return out;
}

// ---- the other modes ----------------------------------------------------------

void print_list() {
  std::printf("variants (impl/variants.list):\n");
  std::set<std::string> seen;
  for (const Cell& c : cells()) {
    if (!seen.insert(c.variant->name).second) continue;
    std::printf("  %-28s %-8s %s\n", c.variant->name, gate::kind_name(c.variant->kind).c_str(),
                c.variant->summary);
  }
  std::printf("\nfindings (impl/findings.hpp):\n");
  for (const FindingInfo& f : kFindings)
    std::printf("  %s\n      in %s\n      shows in %s as %s; fixed by %s\n      %s\n", f.name,
                f.variants, f.scenarios, f.caught_by, f.fixed_by, f.summary);
  std::printf("\nscenarios (impl/scenarios.hpp):\n");
  seen.clear();
  for (const Cell& c : cells()) {
    if (!seen.insert(c.scenario->name).second) continue;
    std::printf(
        "  %-30s %u threads\n      Shape:  %s\n      Result: %s\n      Shows:  %s\n"
        "      Sometimes (must be reached): %s\n",
        c.scenario->name, c.threads, c.scenario->shape, c.scenario->result, c.scenario->shows,
        c.scenario->sometimes);
  }
}

const Cell* find_cell(const std::string& variant, const std::string& scenario) {
  for (const Cell& c : cells())
    if (variant == c.variant->name && scenario == c.scenario->name) return &c;
  return nullptr;
}

int do_replay(const std::string& state, const Options& opt) {
  const std::vector<std::string> parts = split(state, ':');
  if (parts.size() != 4 || (parts[2] != "r" && parts[2] != "f"))
    throw BadInput("bad replay state (expected variant:scenario:f|r:decisions): " + state);
  const Cell* c = find_cell(parts[0], parts[1]);
  if (c == nullptr)
    throw BadInput("replay state names an unknown cell: " + parts[0] + " / " + parts[1]);
  std::vector<search::Decision> d;
  if (!decode_decisions(parts[3], d)) throw BadInput("replay state has bad decisions: " + parts[3]);
  search::Config rc;
  rc.mode = search::Mode::replay;
  rc.random_memory = parts[2] == "r";
  rc.replay.assign(d.begin(), d.end());
  RunOptions ro = run_options(*c, opt);
  ro.trace_always = true;
  const RunResult r = c->run(rc, ro);
  std::printf("%s / %s: replayed one execution (%zu decisions)%s\n", c->variant->name,
              c->scenario->name, d.size(),
              r.stats.replay_diverged ? " -- WARNING: the decisions did not fit this build" : "");
  std::printf("%s", r.failure.full_trace.c_str());
  if (r.result == rl::test_result_success) std::printf("  (no failure in this execution)\n");
  return r.stats.replay_diverged ? 1 : 0;
}

int do_estimate(const std::vector<const Cell*>& selected, const Options& opt) {
  const std::vector<nlohmann::json> res = run_all(selected.size(), opt.jobs, [&](std::size_t i) {
    search::Config cfg;
    cfg.mode = search::Mode::probe;
    cfg.iterations = opt.estimate;
    RunOptions ro;
    ro.want_trace = false;
    const RunResult r = selected[i]->run(cfg, ro);
    return nlohmann::json{
        {"estimate", r.probe_estimate}, {"stderr", r.probe_stderr}, {"walks", r.stats.probe_walks}};
  });
  std::printf("%-28s %-30s %16s %10s %12s\n", "variant", "scenario", "full-tree (est.)", "+/-",
              "walks");
  for (std::size_t i = 0; i < selected.size(); ++i)
    std::printf("%-28s %-30s %16.3g %10.2g %12llu\n", selected[i]->variant->name,
                selected[i]->scenario->name, res[i].at("estimate").get<double>(),
                res[i].at("stderr").get<double>(),
                static_cast<unsigned long long>(res[i].at("walks").get<std::uint64_t>()));
  return 0;
}

int do_witness(const std::vector<const Cell*>& selected, const Options& opt) {
  const std::vector<nlohmann::json> res = run_all(selected.size(), opt.jobs, [&](std::size_t i) {
    const Cell& c = *selected[i];
    search::Config cfg;
    cfg.mode = search::Mode::reduced;
    cfg.max_seconds = opt.max_seconds;
    RunOptions ro = run_options(c, opt);
    ro.witness_of = opt.witness.c_str();
    const RunResult r = c.run(cfg, ro);
    char buf[1024];
    if (r.witness.empty()) {
      std::snprintf(buf, sizeof buf, "%s / %s: %s never observed (%s, %llu executions%s)\n",
                    c.variant->name, c.scenario->name, opt.witness.c_str(),
                    gate::search_text(cfg).c_str(),
                    static_cast<unsigned long long>(r.stats.executions),
                    r.result != rl::test_result_success ? ", stopped by a failure"
                    : r.stats.complete                  ? ", complete"
                                                        : ", INCOMPLETE");
      return nlohmann::json{{"text", buf}};
    }
    std::snprintf(buf, sizeof buf,
                  "%s / %s: %s first observed in execution %llu of the reduced search\n",
                  c.variant->name, c.scenario->name, opt.witness.c_str(),
                  static_cast<unsigned long long>(r.witness_execution));
    std::string text = buf + r.witness_trace;
    text += "  replay: pfncache-verify --replay '" + std::string(c.variant->name) + ":" +
            c.scenario->name + ":f:" +
            encode_decisions(std::vector<search::Decision>(r.witness.begin(), r.witness.end())) +
            "'\n\n";
    return nlohmann::json{{"text", text}};
  });
  for (const nlohmann::json& r : res) std::printf("%s", r.at("text").get<std::string>().c_str());
  return 0;
}

int do_teeth(const Options& opt) {
  const std::vector<const VariantInfo*> mutants = teeth_mutants();
  const std::vector<nlohmann::json> res = run_all(
      mutants.size(), opt.jobs, [&](std::size_t i) { return nlohmann::json(teeth_probe(mutants[i])); });
  std::vector<std::vector<std::string>> caught;
  for (const nlohmann::json& r : res) caught.push_back(r.get<std::vector<std::string>>());
  const Teeth t = teeth_from(mutants, caught);
  std::printf(
      "Each invariant alone (every other check off), bound=2, the mutants' target "
      "scenarios:\n\n%s",
      teeth_markdown(t).c_str());
  int bad = 0;
  for (int k = 0; k < kInvariantCount; ++k)
    if (t.toothless[k]) {
      std::printf("\n%s catches no mutant on its own\n", kInvariantCodes[k]);
      ++bad;
    }
  return bad ? 1 : 0;
}

// ---- the command line ---------------------------------------------------------

bool known_observation(const std::string& code) {
  for (const char* ob : inv::observations)
    if (!code.empty() && std::strncmp(ob, (code + ":").c_str(), code.size() + 1) == 0) return true;
  return false;
}

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app(
      "Verifies every registered variant of the KVM pfncache protocol in every\n"
      "scenario under the Relacy race detector and prints the verdict table.\n"
      "Exit status: 0 if every cell is as expected, 1 if not, 2 on bad input.",
      "pfncache-verify");
  app.get_formatter()->column_width(26);
  std::string variants, scenarios, search = "auto", shard, sometimes;
  app.add_option("--variant", variants, "only these variants (comma-separated names, see --list)")
      ->type_name("LIST");
  app.add_option("--scenario", scenarios, "only these scenarios (comma-separated names)")
      ->type_name("LIST");
  app.add_option("--search", search,
                 "auto (default: refute with bound=2, then prove with reduced), reduced, full, "
                 "bound=N, random=N")
      ->type_name("SPEC");
  app.add_option("--max-seconds", o.max_seconds,
                 "give up a search after S seconds (default 900); a cell whose search did not "
                 "finish is INCOMPLETE, not a pass (a complete pass that never reached one of its "
                 "scenario's Sometimes is UNREACHED, not a pass either)")
      ->check(CLI::PositiveNumber)
      ->type_name("S");
  app.add_option("-j,--jobs", o.jobs, "worker processes (default: the number of cores)")
      ->check(CLI::Range(1u, 256u))
      ->type_name("N");
  app.add_option("--shard", shard,
                 "explore only shard I/N of each search (0 <= I < N); the N shards partition the "
                 "tree exactly (for N CI jobs)")
      ->type_name("I/N");
  app.add_option("--split", o.split_depth,
                 "branching decisions that cut a tree into prefixes, for shards and cooperative "
                 "searches (default 16)")
      ->check(CLI::Range(1u, 64u))
      ->type_name("D");
  app.add_option("--split-after", o.split_after,
                 "a complete search still running after N executions is re-run cooperatively by "
                 "every free worker (default 100000; 0: never)")
      ->type_name("N");
  app.add_option("--estimate", o.estimate,
                 "print Knuth's estimate (N random walks) of each cell's full-search tree instead "
                 "of verifying")
      ->check(CLI::Range(std::uint64_t(1), std::uint64_t(1000000000)))
      ->type_name("N");
  app.add_flag("--trace", o.trace,
               "print the trace of every failing cell (unexpected failures are always traced)");
  app.add_option("--replay", o.replay,
                 "re-run exactly one execution (STATE as printed after a failure) and print its "
                 "trace")
      ->type_name("STATE");
  app.add_option("--json", o.json, "also write the report as JSON ('-' for stdout)")
      ->type_name("FILE");
  app.add_option("--junit", o.junit, "also write the report as JUnit XML")->type_name("FILE");
  app.add_flag("--window", o.window, "print the pre-check window observations per cell");
  app.add_option("--sometimes", sometimes,
                 "also require every passing cell to reach these observations (comma-separated: "
                 "W3,R4,...)")
      ->type_name("CODES");
  app.add_option("--witness", o.witness,
                 "find, with the reduced search, the first execution of each cell in which an "
                 "observation starting with OBS (W3, R2, ...) happens, and print its trace")
      ->type_name("OBS");
  app.add_option("--only", o.only,
                 "check only this invariant (S1, S2, ...): every other check is off, so a "
                 "variant's harm (S1, S3) can be told from a broken design rule (S2, S4); data "
                 "races are always reported; mutants' cells become informational")
      ->type_name("INV");
  app.add_flag("--teeth", o.teeth,
               "show that each invariant alone catches some mutant: a mutant x invariant "
               "table; exits 1 if one catches none");
  app.add_option("--shim-mutant", o.shim_mutant,
                 "run the kernel-file variants with one shim mutant: drop-rmb, drop-read-lock, "
                 "drop-write-lock, drop-mutex or drop-warn, @ the kernel function whose calls "
                 "it drops (drop-rmb@mmu_notifier_retry_cache); see kshim/knobs.hpp")
      ->type_name("KIND@FUNCTION");
  app.add_flag("--shim-teeth", o.shim_teeth,
               "show that the gate catches every shim mutant of kshim/knobs.hpp on every "
               "kernel-file variant built; exits 1 if one is not caught");
  app.add_flag("--fingerprint-crosscheck", o.fingerprint_crosscheck,
               "run the kernel-file variants' cells (default: the small scenarios) with the "
               "retry loop's declared fingerprint and with the one of every value loaded; "
               "their outcomes and observations must agree (ctest kernel.fingerprint)");
  app.add_option("--kernel-tree", o.kernel_tree,
                 "with --patch: a kernel tree (it needs virt/kvm/pfncache.c and its Makefile)")
      ->type_name("DIR");
  app.add_option("--patch", o.patch,
                 "with --kernel-tree: apply this unified diff to a temporary copy of the tree's "
                 "virt/kvm/pfncache.c, build it (g++) and gate it beside the unpatched file "
                 "(kernel-X.Y+patch and kernel-X.Y); the other options go to that gate")
      ->type_name("FILE");
  app.add_flag("--slow", o.slow,
               "also run the complete searches of the scenarios marked slow (their cost is in "
               "docs/measured/search.md)");
  app.add_flag("--slow-only", o.slow_only, "run only what --slow adds");
  app.add_flag("--list", o.list, "list variants and scenarios and exit");
  app.add_flag("--quiet", o.quiet, "no progress lines on stderr");
  app.add_flag("--c11-locks", o.c11_locks,
               "C11's lock ordering instead of the kernel's po-unlock-lock-po (the model "
               "before the kernel's lock rule; docs/limits.md)");
  app.add_flag("--ghosts-ordered", o.ghosts_ordered,
               "evidence mode: order every checker (ghost) access as a step of its own, as "
               "if no ghost were GhostOrder::unordered; the verdicts must be the same "
               "(ctest relacy.ghosts)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    std::exit(0);
  } catch (const CLI::ParseError& e) {
    throw BadInput(e.what());
  }
  if (o.kernel_tree.empty() != o.patch.empty())
    throw BadInput("--kernel-tree and --patch go together");
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kernel-tree" || a == "--patch") {
      ++i;
      continue;
    }
    if (a.rfind("--kernel-tree=", 0) == 0 || a.rfind("--patch=", 0) == 0) continue;
    o.forward.push_back(a);
  }
  o.search = gate::parse_search(search);
  if (!variants.empty()) o.variants = split(variants, ',');
  if (!scenarios.empty()) o.scenarios = split(scenarios, ',');
  if (!shard.empty()) {
    const auto slash = shard.find('/');
    if (slash == std::string::npos) throw BadInput("--shard needs I/N, not " + shard);
    o.shard = static_cast<unsigned>(gate::parse_count("--shard I/N", shard.substr(0, slash)));
    o.shards = static_cast<unsigned>(gate::parse_count("--shard I/N", shard.substr(slash + 1)));
    if (o.shards == 0 || o.shard >= o.shards)
      throw BadInput("--shard needs 0 <= I < N, not " + shard);
  }
  if (!sometimes.empty())
    for (const std::string& code : split(sometimes, ',')) {
      if (!known_observation(code))
        throw BadInput("--sometimes: unknown observation code '" + code +
                       "' (see impl/invariants.hpp)");
      o.sometimes += " " + code;
    }
  if (!o.shim_mutant.empty()) {
    if (!kshim::parse_knob(o.shim_mutant, kshim::knob()))
      throw BadInput("--shim-mutant: not KIND@FUNCTION with KIND one of drop-rmb, drop-read-lock, "
                     "drop-write-lock, drop-mutex, drop-warn: '" + o.shim_mutant + "'");
    if (!kshim::known_function(kshim::knob().func))
      throw BadInput("--shim-mutant: '" + kshim::knob().func +
                     "' is no function of pfncache.c the shim knows (" +
                     kshim::known_functions_text() + ")");
    bool built = false;
    for (const Cell& c : cells()) built = built || c.variant->kernel_file;
    if (!built)
      throw BadInput("--shim-mutant: no kernel-file variant is built (scripts/setup --kernel, or "
                     "cmake -DPFV_KERNEL_TREE=DIR)");
  }
  if (app.count("--witness") && o.witness.empty())
    throw BadInput("--witness needs an observation name (W3, R2, ...)");
  if (!o.only.empty()) {
    bool known = false;
    for (const char* code : kInvariantCodes) known = known || o.only == code;
    if (!known)
      throw BadInput("--only: unknown invariant '" + o.only +
                     "' (S1, S2, ...; see docs/protocol.md)");
    o.only_check = o.only + ":";
  }
  if (!o.search.automatic && o.search.cfg.mode == search::Mode::random && o.shards > 1)
    throw BadInput(
        "--shard applies to the tree searches (auto, reduced, full, bound=N), not random");
  if (o.jobs == 0) o.jobs = Pool::cores();
  return o;
}

// Is the cell one of those --variant and --scenario name?
bool named(const Cell& c, const Options& opt) {
  const bool v = opt.variants.empty() || std::find(opt.variants.begin(), opt.variants.end(),
                                                   c.variant->name) != opt.variants.end();
  const bool s = opt.scenarios.empty() || std::find(opt.scenarios.begin(), opt.scenarios.end(),
                                                    c.scenario->name) != opt.scenarios.end();
  return v && s;
}

// A cell whose complete search is slow (a passing variant in a scenario
// marked slow) runs only with --slow; --slow-only runs nothing else.
bool slow_cell(const Cell& c) {
  const gate::Expectation e = gate::expectation(c);
  return c.scenario->slow && (e.kind == gate::Expectation::pass || e.finding != nullptr);
}
bool slow_selected(const Cell& c, const Options& opt) {
  if (opt.slow_only) return slow_cell(c);
  return opt.slow || !slow_cell(c);
}

// A harmless mutant's own Sometimes (VariantInfo::sometimes) must be reached
// by its complete passing searches, in some scenario. Checked only when the
// run covered every cell of the variant that a default run has (a subset
// may simply not hold the window); one message per code missed.
std::vector<std::string> harmless_sometimes_missing(const std::vector<Row>& rows,
                                                    const Options& opt) {
  std::vector<std::string> out;
  if (opt.shards > 1 || !opt.only.empty()) return out;
  std::vector<const VariantInfo*> variants;
  for (const Cell& c : cells())
    if (c.variant->sometimes && (variants.empty() || variants.back() != c.variant))
      variants.push_back(c.variant);
  for (const VariantInfo* vp : variants) {
    const VariantInfo& v = *vp;
    bool covered = true;
    std::set<std::string> seen;
    for (const Cell& d : cells()) {
      if (d.variant != &v || slow_cell(d) || gate::expectation(d).finding) continue;
      const Row* row = nullptr;
      for (const Row& r : rows)
        if (r.cell == &d) row = &r;
      if (row == nullptr || !row->result.complete || row->result.failed()) {
        covered = false;
        break;
      }
      for (const Observation& o : row->result.observations)
        if (o.executions) seen.insert(o.what.substr(0, o.what.find(':')));
    }
    if (!covered) continue;
    std::istringstream codes(v.sometimes);
    for (std::string code; codes >> code;)
      if (!seen.count(code))
        out.push_back(std::string(v.name) + ": harmless, but no complete search reached " + code +
                      " (its Sometimes): the harmless verdict proves nothing");
  }
  return out;
}

// The kernel file against its impl/ twin (VariantInfo::twin), cell by cell,
// where both ran: the same code must give the same result class, executions,
// outcomes and observations (the kernel file's own hook codes K* aside). One
// message per difference: drift between impl/ and the kernel's text.
std::vector<std::string> kernel_file_drift(const std::vector<Row>& rows, const Options& opt) {
  std::vector<std::string> out;
  if (opt.shards > 1 || !opt.only.empty() || !opt.shim_mutant.empty()) return out;
  for (const Row& k : rows) {
    const VariantInfo& v = *k.cell->variant;
    // (A patched file, kernel-X.Y+patch, is meant to differ.)
    if (!v.kernel_file || v.twin == nullptr || std::strstr(v.name, "+patch")) continue;
    const Row* t = nullptr;
    for (const Row& r : rows)
      if (r.cell->scenario == k.cell->scenario && std::strcmp(r.cell->variant->name, v.twin) == 0)
        t = &r;
    if (t == nullptr || k.result.search != t->result.search) continue;
    const std::string where =
        std::string(v.name) + " / " + k.cell->scenario->name + ": drift from " + v.twin + ": ";
    if (k.result_class != t->result_class)
      out.push_back(where + "result " + k.result_class + " vs " + t->result_class);
    if (k.result.shown_executions() != t->result.shown_executions())
      out.push_back(where + std::to_string(k.result.shown_executions()) + " vs " +
                    std::to_string(t->result.shown_executions()) + " executions");
    if (k.result.outcomes != t->result.outcomes)
      out.push_back(where + std::to_string(k.result.outcomes) + " vs " +
                    std::to_string(t->result.outcomes) + " outcomes");
    std::map<std::string, std::uint64_t> ko, to;
    for (const Observation& o : k.result.observations)
      if (o.what[0] != 'K') ko[o.what.substr(0, o.what.find(':'))] = o.executions;
    for (const Observation& o : t->result.observations)
      to[o.what.substr(0, o.what.find(':'))] = o.executions;
    if (ko != to) {
      std::string d;
      for (const auto& [code, n] : ko)
        if (!to.count(code) || to[code] != n)
          d += " " + code + "=" + std::to_string(n) + "/" + std::to_string(to.count(code) ? to[code] : 0);
      for (const auto& [code, n] : to)
        if (!ko.count(code)) d += " " + code + "=0/" + std::to_string(n);
      out.push_back(where + "observations differ (kernel/twin):" + d);
    }
  }
  return out;
}

// Hook coverage: the shim's checks are chosen by the calling kernel
// function's name, so a renamed function would switch them off unseen. A
// kernel-file cell whose complete search passed and called GUP (K0) must have run the retry loop's hook
// (K2) and evaluated the kernel's WARN that is S5 (K4); one whose walk met a
// cache (K3) must have run the walk's hook (K1).
std::vector<std::string> hook_coverage_missing(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows) {
    // (A failing search stops early: coverage is a claim of complete passes.)
    if (!r.cell->variant->kernel_file || !r.result.complete || r.result.failed()) continue;
    const SearchResult& x = r.result;
    auto miss = [&](const char* have, const char* need, const char* what) {
      if (x.observed(have) && !x.observed(need))
        out.push_back(std::string(r.cell->variant->name) + " / " + r.cell->scenario->name +
                      ": hook coverage: " + have + " without " + need + " (" + what + ")");
    };
    miss("K0", "K2", "GUP ran but the retry loop's checks (S4) never did: is hva_to_pfn_retry renamed?");
    miss("K0", "K4", "GUP ran but the kernel's WARN_ON_ONCE(gpc->valid), S5, was never evaluated");
    miss("K3", "K1", "the walk met a cache but the walk's checks (S1, S11) never ran: is "
                     "gfn_to_pfn_cache_invalidate_start renamed?");
  }
  return out;
}

// Every scenario a variant's caught_in or a finding names must exist, and
// every variant a finding names (a misspelt name would silently drop the
// cells the gate must check). One line per error.
std::string registry_errors() {
  std::set<std::string> scenarios, variants;
  for (const Cell& c : cells()) {
    scenarios.insert(c.scenario->name);
    variants.insert(c.variant->name);
  }
  std::string out;
  std::set<std::string> seen;
  for (const Cell& c : cells()) {
    if (!seen.insert(c.variant->name).second || c.variant->caught_in == nullptr) continue;
    for (const std::string& s : split(c.variant->caught_in, ','))
      if (!scenarios.count(s))
        out += std::string("  variant ") + c.variant->name + ": caught_in names no scenario '" + s +
               "'\n";
  }
  for (const FindingInfo& f : kFindings) {
    for (const std::string& s : split(f.scenarios, ','))
      if (!scenarios.count(s))
        out += std::string("  finding ") + f.name + ": names no scenario '" + s + "'\n";
    for (const std::string& v : split(f.variants, ','))
      // (kernel-<version>: the kernel file of a tree, built only where the
      // tree is: scripts/setup --kernel)
      if (!variants.count(v) && v.rfind("kernel-", 0) != 0)
        out += std::string("  finding ") + f.name + ": names no variant '" + v + "'\n";
    if (!variants.count(f.fixed_by))
      out += std::string("  finding ") + f.name + ": its fix names no variant '" + f.fixed_by +
             "'\n";
  }
  return out;
}

std::vector<const Cell*> select(const Options& opt);

// --shim-teeth: every shim mutant of kshim::kShimTeeth that applies to a
// kernel-file variant's API level, run on all of that variant's cells (the
// default gate's, slow ones aside): caught if some cell is not as expected
// or a hook-coverage Sometimes is missed. Exit 1 if one is not caught.
int do_shim_teeth(const Options& opt) {
  std::vector<const VariantInfo*> kernels;
  for (const Cell& c : cells())
    if (c.variant->kernel_file && (kernels.empty() || kernels.back() != c.variant))
      kernels.push_back(c.variant);
  if (kernels.empty()) {
    std::printf("pfncache-verify --shim-teeth: no kernel-file variant is built "
                "(scripts/setup --kernel, or cmake -DPFV_KERNEL_TREE=DIR)\n");
    return 1;
  }
  std::printf("%-14s %-52s %-44s %s\n", "variant", "shim mutant", "caught in", "as");
  int missed = 0;
  for (const VariantInfo* v : kernels) {
    Options o = opt;
    o.variants = {v->name};
    o.quiet = true;
    const std::vector<const Cell*> sel = select(o);
    for (const kshim::Teeth& t : kshim::kShimTeeth) {
      if (v->kshim_api < t.api_min || v->kshim_api > t.api_max) continue;
      kshim::parse_knob(t.spec, kshim::knob());
      o.shim_mutant = t.spec;
      const std::vector<Row> rows = run_cells(sel, o, false);
      std::string where, as;
      // Caught: a cell not as expected, or a hook-coverage miss. A search
      // that did not finish (INCOMPLETE) or crashed (ERROR) is not a catch.
      std::string other;
      for (const Row& r : rows) {
        if (where.empty() && r.verdict == "UNEXPECTED") {
          where = r.cell->scenario->name;
          as = r.result_class;
        }
        if (r.verdict == "INCOMPLETE" || r.verdict == "ERROR")
          other = std::string(" (") + r.cell->scenario->name + ": " + r.verdict + ")";
      }
      if (where.empty())
        for (const std::string& m : hook_coverage_missing(rows)) {
          where = m.substr(m.find(" / ") + 3, m.find(':') - m.find(" / ") - 3);
          as = m.substr(m.find("hook coverage"), m.find(" (") - m.find("hook coverage"));
          break;
        }
      missed += where.empty();
      std::printf("%-14s %-52s %-44s %s%s\n", v->name, t.spec,
                  where.empty() ? "NOT CAUGHT" : where.c_str(), as.c_str(), other.c_str());
      std::fflush(stdout);
    }
  }
  kshim::knob() = {};
  return missed ? 1 : 0;
}

// --fingerprint-crosscheck: the declared fingerprint of the kernel's retry
// loop (the seq snapshot) against the safe one (every value loaded since the
// previous hint). The safe one explores more; both must reach the same
// result, outcomes and observation codes, or the declaration is unsound for
// this kernel text.
int do_fingerprint_crosscheck(const Options& opt) {
  Options o = opt;
  o.quiet = true;
  if (o.scenarios.empty())
    o.scenarios = {"invalidate_vs_refresh", "refresh_read_invalidate", "activate_deactivate",
                   "move_vs_invalidate", "hva_refresh_invalidate_read",
                   "two_caches_invalidate_one_read"};
  std::vector<const Cell*> sel;
  for (const Cell* c : select(o))
    if (c->variant->kernel_file) sel.push_back(c);
  if (sel.empty()) {
    std::printf("pfncache-verify --fingerprint-crosscheck: no kernel-file cell selected "
                "(scripts/setup --kernel, or cmake -DPFV_KERNEL_TREE=DIR)\n");
    return 1;
  }
  kshim::fingerprint_loads() = false;
  const std::vector<Row> seq = run_cells(sel, o, false);
  kshim::fingerprint_loads() = true;
  const std::vector<Row> loads = run_cells(sel, o, false);
  kshim::fingerprint_loads() = false;
  auto codes = [](const Row& r) {
    std::set<std::string> c;
    for (const Observation& x : r.result.observations)
      if (x.executions) c.insert(x.what.substr(0, x.what.find(':')));
    return c;
  };
  std::printf("%-14s %-40s %12s %12s %9s  %s\n", "variant", "scenario", "exec (seq)",
              "exec (loads)", "outcomes", "verdict");
  int bad = 0;
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const Row &a = seq[i], &b = loads[i];
    // (A failing cell stops at its first failure: only its class compares.)
    const bool failed = a.result.failed() || b.result.failed();
    const bool same = a.result_class == b.result_class &&
                      (failed || (a.result.outcomes == b.result.outcomes && codes(a) == codes(b) &&
                                  a.result.complete && b.result.complete));
    bad += !same;
    std::printf("%-14s %-40s %12llu %12llu %4llu/%-4llu  %s\n", a.cell->variant->name,
                a.cell->scenario->name,
                static_cast<unsigned long long>(a.result.shown_executions()),
                static_cast<unsigned long long>(b.result.shown_executions()),
                static_cast<unsigned long long>(a.result.outcomes),
                static_cast<unsigned long long>(b.result.outcomes),
                same ? "same" : ("DIFFERENT: " + a.result_class + " vs " + b.result_class).c_str());
  }
  return bad ? 1 : 0;
}

std::vector<const Cell*> select(const Options& opt) {
  for (const std::string& v : opt.variants) {
    bool known = false;
    for (const Cell& c : cells()) known = known || v == c.variant->name;
    if (!known) throw BadInput("unknown variant: " + v + " (see --list)");
  }
  for (const std::string& s : opt.scenarios) {
    bool known = false;
    for (const Cell& c : cells()) known = known || s == c.scenario->name;
    if (!known) throw BadInput("unknown scenario: " + s + " (see --list)");
  }
  std::vector<const Cell*> selected;
  for (const Cell& c : cells())
    if (named(c, opt) && slow_selected(c, opt)) selected.push_back(&c);
  return selected;
}

int run(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (const std::string bad = registry_errors(); !bad.empty()) {
    std::fprintf(stderr, "pfncache-verify: the registry of variants, scenarios and findings is "
                         "inconsistent:\n%s", bad.c_str());
    return 1;
  }
  if (!opt.patch.empty()) {
    // Refuse unwritable report paths before the build, not after it.
    gate::check_writable(opt.json);
    gate::check_writable(opt.junit);
    return kernel_patch::gate_patch(opt.kernel_tree, opt.patch, opt.forward);
  }
  rlm::recorder().ghosts_ordered = opt.ghosts_ordered;
  rlm::recorder().c11_locks = opt.c11_locks;
  if (opt.list) {
    print_list();
    return 0;
  }
  if (!opt.replay.empty()) return do_replay(opt.replay, opt);
  if (opt.teeth) return do_teeth(opt);
  if (opt.shim_teeth) return do_shim_teeth(opt);
  if (opt.fingerprint_crosscheck) return do_fingerprint_crosscheck(opt);

  const std::vector<const Cell*> selected = select(opt);
  // Refuse unwritable report paths before the (long) run, not after it.
  gate::check_writable(opt.json);
  gate::check_writable(opt.junit);
  if (opt.estimate) return do_estimate(selected, opt);
  if (!opt.witness.empty()) return do_witness(selected, opt);

  const auto t0 = Clock::now();
  const bool table = opt.json != "-";
  if (table) {
    std::printf(
        "pfncache-verify: %zu cells, search %s%s%s, %u worker%s\n\n", selected.size(),
        opt.search.text.c_str(),
        opt.shards > 1
            ? (", shard " + std::to_string(opt.shard) + "/" + std::to_string(opt.shards)).c_str()
            : "",
        opt.only.empty() ? "" : (", only " + opt.only).c_str(), opt.jobs, opt.jobs == 1 ? "" : "s");
    print_header();
  }
  const std::vector<Row> rows = run_cells(selected, opt, table);
  const double total = since(t0);

  std::size_t bad = 0, incomplete = 0, unreached = 0, errors = 0;
  for (const Row& r : rows) {
    bad += r.verdict == "UNEXPECTED";
    incomplete += r.verdict == "INCOMPLETE";
    unreached += r.verdict == "UNREACHED";
    errors += r.verdict == "ERROR";
  }
  // Failures of the gate as a whole, beside the cells': a harmless variant
  // whose window was never reached, drift of a kernel file from its twin,
  // a hook-coverage miss.
  std::vector<std::string> gate_failures = harmless_sometimes_missing(rows, opt);
  for (const std::string& m : kernel_file_drift(rows, opt)) gate_failures.push_back(m);
  for (const std::string& m : hook_coverage_missing(rows)) gate_failures.push_back(m);
  if (table) {
    for (const Row& r : rows)
      if (r.result.failed() && (opt.trace || !gate::verdict_ok(r.verdict))) print_trace(r);
    if (opt.window) print_window(rows);
    print_coherence(rows);
    for (const Row& r : rows) {
      if (r.verdict == "UNREACHED")
        std::printf(
            "\n  %s / %s: passed, but never reached %s (the scenario's Sometimes): the "
            "pass proves nothing there\n",
            r.cell->variant->name, r.cell->scenario->name, r.unreached.c_str());
      if (r.verdict == "ERROR")
        std::printf("\n  %s / %s: ERROR: %s\n", r.cell->variant->name, r.cell->scenario->name,
                    r.error.c_str());
    }
    for (const std::string& m : gate_failures) std::printf("\n  %s\n", m.c_str());
    std::printf(
        "\n%zu cells in %.1fs: %zu as expected, %zu unexpected, %zu incomplete, %zu unreached%s%s\n",
        rows.size(), total, rows.size() - bad - incomplete - unreached - errors, bad, incomplete,
        unreached, errors ? (", " + std::to_string(errors) + " errors").c_str() : "",
        gate_failures.empty()
            ? ""
            : ("; " + std::to_string(gate_failures.size()) + " gate checks failed (above)").c_str());
    std::size_t slow_left = 0;
    for (const Cell& c : cells()) slow_left += named(c, opt) && slow_cell(c) && !slow_selected(c, opt);
    if (slow_left)
      std::printf(
          "%zu cells of scenarios marked slow were not run: pfncache-verify --slow-only runs "
          "them (ctest label slow)\n",
          slow_left);
  }
  const std::string shard = std::to_string(opt.shard) + "/" + std::to_string(opt.shards);
  if (!opt.json.empty())
    gate::write_file(opt.json,
                     gate::json_text(gate::json_report(rows, opt.search.text, shard, opt.only)));
  if (!opt.junit.empty()) gate::write_file(opt.junit, gate::junit_report(rows));
  return bad || incomplete || unreached || errors || !gate_failures.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const BadInput& e) {
    std::fprintf(stderr, "pfncache-verify: %s\n(try --help)\n", e.what());
    return 2;
  }
}
