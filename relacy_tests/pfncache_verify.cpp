// relacy_tests/pfncache_verify.cpp: the gate.
//
//   pfncache-verify [options]
//
// Runs every registered variant (impl/variants.list) in every scenario
// (impl/scenarios.hpp) under Relacy and prints one row per cell: variant,
// scenario, the search that produced the verdict, executions, time, result,
// expected result, verdict. Exit status 0 if and only if every cell is as
// expected; 1 otherwise; 2 on bad input. See --help.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "relacy_tests/cells.hpp"
#include "relacy_tests/teeth.hpp"

namespace {

using namespace pfv;

constexpr const char* kUsage =
    "usage: pfncache-verify [options]\n"
    "\n"
    "Verifies every registered variant of the KVM pfncache protocol in every\n"
    "scenario under the Relacy race detector and prints the verdict table.\n"
    "Exit status: 0 if every cell is as expected, 1 if not, 2 on bad input.\n"
    "\n"
    "options:\n"
    "  --variant LIST      only these variants (comma-separated names, see --list)\n"
    "  --scenario LIST     only these scenarios (comma-separated names)\n"
    "  --search SPEC       auto (default: refute with bound=2, then prove with\n"
    "                      reduced), reduced, full, bound=N, random=N\n"
    "  --max-seconds S     give up a search after S seconds (default 900); a cell\n"
    "                      whose search did not finish is INCOMPLETE, not a pass\n"
    "                      (a complete pass that never reached one of its\n"
    "                      scenario's Sometimes is UNREACHED, not a pass either)\n"
    "  --shard I/N         explore only shard I of N of each search (0 <= I < N);\n"
    "                      the N shards partition the tree exactly\n"
    "  --split D           branching decisions dealt out to shards (default 6)\n"
    "  --estimate N        print Knuth's estimate (N random walks) of each cell's\n"
    "                      full-search tree instead of verifying\n"
    "  --trace             print the trace of every failing cell (unexpected\n"
    "                      failures are always traced)\n"
    "  --replay STATE      re-run exactly one execution (STATE as printed after\n"
    "                      a failure) and print its trace\n"
    "  --json FILE         also write the report as JSON ('-' for stdout)\n"
    "  --junit FILE        also write the report as JUnit XML\n"
    "  --window            print the pre-check window observations per cell\n"
    "  --sometimes CODES   also require every passing cell to reach these\n"
    "                      observations (comma-separated: W3,R4,...)\n"
    "  --witness OBS       find, with the reduced search, the first execution of\n"
    "                      each cell in which an observation starting with OBS\n"
    "                      (W3, R2, ...) happens, and print its trace\n"
    "  --teeth             show that each invariant alone catches some mutant:\n"
    "                      a mutant x invariant table; exits 1 if one catches none\n"
    "  --list              list variants and scenarios and exit\n"
    "  --quiet             no progress lines on stderr\n"
    "  --help              this text\n";

[[noreturn]] void bad_input(const std::string& msg) {
  std::fprintf(stderr, "pfncache-verify: %s\n(try --help)\n", msg.c_str());
  std::exit(2);
}

struct SearchSpec {
  std::string text = "auto";
  bool automatic = true;
  search::Config cfg = reduced();
  static search::Config reduced() {
    search::Config c;
    c.mode = search::Mode::reduced;
    return c;
  }
};

SearchSpec parse_search(const std::string& s) {
  SearchSpec spec;
  spec.text = s;
  spec.automatic = s == "auto";
  auto number = [&](const std::string& prefix) {
    const std::string digits = s.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 12)
      bad_input("bad search: " + s + " (" + prefix + "N needs a number)");
    return std::strtoull(digits.c_str(), nullptr, 10);
  };
  if (s == "auto") {
    spec.cfg.mode = search::Mode::reduced;
  } else if (s == "reduced") {
    spec.cfg.mode = search::Mode::reduced;
  } else if (s == "full") {
    spec.cfg.mode = search::Mode::full;
  } else if (s.rfind("bound=", 0) == 0) {
    spec.cfg.mode = search::Mode::bound;
    spec.cfg.bound = static_cast<unsigned>(number("bound="));
  } else if (s.rfind("random=", 0) == 0) {
    spec.cfg.mode = search::Mode::random;
    spec.cfg.iterations = number("random=");
    if (spec.cfg.iterations == 0) bad_input("random=N needs N > 0");
  } else {
    bad_input("unknown search: " + s + " (auto, reduced, full, bound=N, random=N)");
  }
  return spec;
}

std::string search_text(const search::Config& c) {
  switch (c.mode) {
    case search::Mode::bound: return "bound=" + std::to_string(c.bound);
    case search::Mode::random: return "random=" + std::to_string(c.iterations);
    default: return search::mode_name(c.mode);
  }
}

// The class of a failure, as the table and the expectations name it:
// "S2", "race gpc.valid", "deadlock", "livelock", or "check: <text>".
std::string failure_class(const RunResult& r) {
  const Failure& f = r.failure;
  if (r.result == rl::test_result_success) return "pass";
  if (f.kind == "invariant") {
    if (f.what.size() >= 2 && f.what[0] == 'S' &&
        std::isdigit(static_cast<unsigned char>(f.what[1]))) {
      std::size_t n = 1;
      while (n < f.what.size() && std::isdigit(static_cast<unsigned char>(f.what[n]))) ++n;
      return f.what.substr(0, n);
    }
    return "check: " + f.what;
  }
  if (f.kind == "data race") return "race " + f.what;
  return f.kind;
}

bool class_matches(const std::string& got, const char* allowed_list) {
  if (allowed_list == nullptr) return false;
  for (const std::string& a : split(allowed_list, '|')) {
    if (a.empty()) continue;
    if (got == a) return true;
    // "race page" admits "race page[0].data".
    if (a.rfind("race ", 0) == 0 && got.rfind(a, 0) == 0) return true;
  }
  return false;
}

bool listed_in(const char* list, const char* name) {
  if (list == nullptr) return false;
  for (const std::string& s : split(list, ','))
    if (s == name) return true;
  return false;
}

// What a cell is expected to produce, and how hard the gate must look.
//   kernel variant:                   pass, proved by a complete search;
//   harmless mutant:                  pass, proved by a complete search;
//   mutant, a scenario that targets it (caught_in): caught, with one of its
//                                     failure classes (refuted fast, or by the
//                                     complete search: passing it is a miss);
//   mutant, any other scenario:       not a target: only the fast refuter
//                                     runs, and a failure must still be one
//                                     of the mutant's classes.
struct Expectation {
  enum Kind { pass, caught, not_target } kind;
  const char* classes;  // caught / not_target: the failure classes allowed
  std::string text;
};

Expectation expectation(const Cell& c) {
  const VariantInfo& v = *c.variant;
  if (v.kind == VariantKind::kernel) return {Expectation::pass, nullptr, "pass"};
  if (v.caught_by && std::strcmp(v.caught_by, "harmless") == 0)
    return {Expectation::pass, nullptr, "pass (harmless)"};
  if (listed_in(v.caught_in, c.scenario->name))
    return {Expectation::caught, v.caught_by,
            std::string(v.kind == VariantKind::artifact ? "C11 artifact: " : "caught: ") +
                v.caught_by};
  return {Expectation::not_target, v.caught_by, "- (not a target)"};
}

struct Row {
  const Cell* cell;
  std::string search;
  RunResult result;
  std::string result_class;
  Expectation expected;
  std::string verdict;    // "ok", "UNEXPECTED", "INCOMPLETE", "UNREACHED"
  std::string unreached;  // Sometimes codes a passing complete search missed
  std::string replay;     // state for --replay
  double seconds = 0;     // all searches of the cell
};

std::string replay_state(const Cell& c, const search::Config& cfg, const RunResult& r) {
  return std::string(c.variant->name) + ":" + c.scenario->name + ":" +
         (uses_random_memory(cfg) ? "r" : "f") + ":" + encode_decisions(r.failure.decisions);
}

struct Options {
  std::vector<std::string> variants, scenarios;
  SearchSpec search;
  double max_seconds = 900;
  unsigned shard = 0, shards = 1, split_depth = 6;
  std::uint64_t estimate = 0;
  bool trace = false, list = false, quiet = false, window = false, teeth = false;
  std::string replay, json, junit, witness;
  std::string sometimes;  // --sometimes: codes every cell must also reach
};

// The codes of the scenario's Sometimes that the variant can produce but
// the search never observed, space-separated.
std::string missing_sometimes(const Cell& c, const RunResult& r, const std::string& extra) {
  std::string missing;
  std::istringstream codes(std::string(c.scenario->sometimes ? c.scenario->sometimes : "") + " " +
                           extra);
  std::string code;
  while (codes >> code) {
    if (!c.can_observe(code.c_str())) continue;
    bool seen = false;
    for (const Observation& o : r.observations)
      seen = seen || (o.executions > 0 && o.what.compare(0, code.size() + 1, code + ":") == 0);
    if (!seen) missing += (missing.empty() ? "" : " ") + code;
  }
  return missing;
}

Row run_row(const Cell& c, const Options& opt) {
  Row row;
  row.cell = &c;
  row.expected = expectation(c);
  RunOptions ro;
  ro.thread_names = c.thread_names;
  ro.thread_count = c.threads;

  auto configure = [&](search::Config cfg) {
    cfg.max_seconds = opt.max_seconds;
    cfg.shard = opt.shard;
    cfg.shards = opt.shards;
    cfg.split_depth = opt.shards > 1 ? opt.split_depth : 0;
    return cfg;
  };
  std::string label = std::string(c.variant->name) + " / " + c.scenario->name;

  std::vector<search::Config> plan;
  if (opt.search.automatic) {
    search::Config refute;
    refute.mode = search::Mode::bound;
    refute.bound = 2;
    plan.push_back(configure(refute));
    if (row.expected.kind != Expectation::not_target)
      plan.push_back(configure(opt.search.cfg));  // reduced: the complete search
  } else {
    plan.push_back(configure(opt.search.cfg));
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    search::Config cfg = plan[i];
    std::string progress = label + " (" + search_text(cfg) + ")";
    cfg.progress_label = opt.quiet ? nullptr : progress.c_str();
    cfg.progress_period = 5;
    RunResult r = c.run(cfg, ro);
    row.seconds += r.stats.seconds;
    row.search = search_text(cfg);
    const bool failed = r.result != rl::test_result_success;
    row.result = std::move(r);
    if (failed) {
      row.replay = replay_state(c, cfg, row.result);
      break;
    }
  }
  const RunResult& r = row.result;
  row.result_class = failure_class(r);
  const bool failed = r.result != rl::test_result_success;
  const bool complete = failed || r.stats.complete;
  switch (row.expected.kind) {
    case Expectation::pass:
      row.verdict = failed ? "UNEXPECTED" : complete ? "ok" : "INCOMPLETE";
      break;
    case Expectation::caught:
      row.verdict =
          failed     ? (class_matches(row.result_class, row.expected.classes) ? "ok" : "UNEXPECTED")
          : complete ? "UNEXPECTED"
                     : "INCOMPLETE";
      break;
    case Expectation::not_target:
      row.verdict =
          !failed || class_matches(row.result_class, row.expected.classes) ? "ok" : "UNEXPECTED";
      break;
  }
  // A Never needs its Sometimes: a pass proved by a complete search counts
  // only if the search reached every state the scenario names. (A shard
  // sees part of the tree, so the check is left to the whole search.)
  if (row.verdict == "ok" && !failed && r.stats.complete && opt.shards == 1) {
    row.unreached = missing_sometimes(c, r, opt.sometimes);
    if (!row.unreached.empty()) {
      row.verdict = "UNREACHED";
      row.result_class = "pass, never " + row.unreached;
    }
  }
  return row;
}

std::string human_count(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string truncate(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

void print_header() {
  std::printf("%-28s %-30s %-9s %11s %8s  %-24s %-24s %s\n", "variant", "scenario", "search",
              "executions", "time", "result", "expected", "verdict");
}

void print_row(const Row& row) {
  const RunResult& r = row.result;
  std::printf("%-28s %-30s %-9s %11s %7.2fs  %-24s %-24s %s\n", row.cell->variant->name,
              row.cell->scenario->name, row.search.c_str(),
              human_count(r.stats.executions + r.stats.redundant +
                          (r.result == rl::test_result_success ? 0 : 1))
                  .c_str(),
              row.seconds, truncate(row.result_class, 24).c_str(),
              truncate(row.expected.text, 24).c_str(), row.verdict.c_str());
  std::fflush(stdout);
}

void print_trace(const Row& row) {
  const Failure& f = row.result.failure;
  std::printf("\n  %s / %s: %s (%s, execution %llu)\n", row.cell->variant->name,
              row.cell->scenario->name, f.what.c_str(), row.search.c_str(),
              static_cast<unsigned long long>(row.result.stats.executions +
                                              row.result.stats.redundant + 1));
  std::printf("%s", f.trace.c_str());
  std::printf("  replay: pfncache-verify --replay '%s'\n\n", row.replay.c_str());
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o;
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// Writes `content` to `path` atomically (a temporary file renamed over it),
// so a failure never leaves a half-written report.
void write_file(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) bad_input("cannot write " + path + ": " + std::strerror(errno));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    bad_input("cannot write " + path + ": " + std::strerror(errno));
  }
}

std::string json_report(const std::vector<Row>& rows, const Options& opt) {
  std::ostringstream o;
  o << "{\n  \"tool\": \"pfncache-verify\",\n  \"search\": \"" << json_escape(opt.search.text)
    << "\",\n  \"shard\": \"" << opt.shard << "/" << opt.shards << "\",\n  \"cells\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const search::Stats& s = r.result.stats;
    o << "    {\"variant\": \"" << json_escape(r.cell->variant->name) << "\", \"scenario\": \""
      << json_escape(r.cell->scenario->name) << "\", \"search\": \"" << json_escape(r.search)
      << "\", \"executions\": " << s.executions << ", \"redundant\": " << s.redundant
      << ", \"seconds\": " << r.seconds << ", \"complete\": " << (s.complete ? "true" : "false")
      << ", \"distinct_outcomes\": " << r.result.outcomes << ", \"result\": \""
      << json_escape(r.result_class) << "\", \"expected\": \"" << json_escape(r.expected.text)
      << "\", \"verdict\": \"" << r.verdict << "\"";
    if (!r.unreached.empty()) o << ", \"unreached\": \"" << json_escape(r.unreached) << "\"";
    if (r.result.result != rl::test_result_success) {
      const Failure& f = r.result.failure;
      o << ", \"failure\": {\"kind\": \"" << json_escape(f.kind) << "\", \"what\": \""
        << json_escape(f.what) << "\", \"file\": \"" << json_escape(short_path(f.loc.file))
        << "\", \"line\": " << f.loc.line << ", \"function\": \"" << json_escape(f.loc.func)
        << "\", \"replay\": \"" << json_escape(r.replay) << "\", \"trace\": \""
        << json_escape(f.trace) << "\"}";
    }
    o << ", \"observations\": {";
    bool first = true;
    for (const Observation& ob : r.result.observations) {
      if (ob.executions == 0) continue;
      o << (first ? "" : ", ") << "\"" << json_escape(ob.what) << "\": " << ob.executions;
      first = false;
    }
    o << "}}" << (i + 1 < rows.size() ? ",\n" : "\n");
  }
  std::size_t bad = 0;
  for (const Row& r : rows) bad += r.verdict != "ok";
  o << "  ],\n  \"summary\": {\"cells\": " << rows.size() << ", \"not_ok\": " << bad << "}\n}\n";
  return o.str();
}

std::string junit_report(const std::vector<Row>& rows) {
  std::size_t failures = 0;
  double total = 0;
  for (const Row& r : rows) {
    failures += r.verdict != "ok";
    total += r.seconds;
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pfncache-verify\" tests=\""
    << rows.size() << "\" failures=\"" << failures << "\" time=\"" << total << "\">\n";
  std::string current;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (current != r.cell->variant->name) {
      if (!current.empty()) o << "  </testsuite>\n";
      current = r.cell->variant->name;
      std::size_t n = 0, f = 0;
      for (const Row& x : rows)
        if (current == x.cell->variant->name) {
          ++n;
          f += x.verdict != "ok";
        }
      o << "  <testsuite name=\"" << xml_escape(current) << "\" tests=\"" << n << "\" failures=\""
        << f << "\">\n";
    }
    o << "    <testcase classname=\"" << xml_escape(current) << "\" name=\""
      << xml_escape(r.cell->scenario->name) << "\" time=\"" << r.seconds << "\">\n";
    o << "      <system-out>"
      << xml_escape(r.search + ": " + r.result_class + " (expected " + r.expected.text + ")")
      << "</system-out>\n";
    if (r.verdict != "ok") {
      o << "      <failure message=\""
        << xml_escape(r.verdict + ": " + r.result_class + ", expected " + r.expected.text) << "\">"
        << xml_escape(r.result.failure.trace) << "</failure>\n";
    }
    o << "    </testcase>\n";
  }
  if (!current.empty()) o << "  </testsuite>\n";
  o << "</testsuites>\n";
  return o.str();
}

void print_list() {
  std::printf("variants (impl/variants.list):\n");
  std::set<std::string> seen;
  for (const Cell& c : cells()) {
    if (!seen.insert(c.variant->name).second) continue;
    std::printf("  %-28s %-8s %s\n", c.variant->name,
                c.variant->kind == VariantKind::kernel   ? "kernel"
                : c.variant->kind == VariantKind::mutant ? "mutant"
                                                         : "artifact",
                c.variant->summary);
  }
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

int do_replay(const std::string& state) {
  const std::vector<std::string> parts = split(state, ':');
  if (parts.size() != 4 || (parts[2] != "r" && parts[2] != "f"))
    bad_input("bad replay state (expected variant:scenario:f|r:decisions): " + state);
  const Cell* c = find_cell(parts[0], parts[1]);
  if (c == nullptr) bad_input("replay state names an unknown cell: " + parts[0] + " / " + parts[1]);
  std::vector<search::Decision> d;
  if (!decode_decisions(parts[3], d)) bad_input("replay state has bad decisions: " + parts[3]);
  search::Config rc;
  rc.mode = search::Mode::replay;
  rc.random_memory = parts[2] == "r";
  rc.replay.assign(d.begin(), d.end());
  RunOptions ro;
  ro.thread_names = c->thread_names;
  ro.thread_count = c->threads;
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
  std::printf("%-28s %-30s %16s %10s %12s\n", "variant", "scenario", "full-tree (est.)", "+/-",
              "walks");
  for (const Cell* c : selected) {
    search::Config cfg;
    cfg.mode = search::Mode::probe;
    cfg.iterations = opt.estimate;
    RunOptions ro;
    ro.want_trace = false;
    const RunResult r = c->run(cfg, ro);
    std::printf("%-28s %-30s %16.3g %10.2g %12llu\n", c->variant->name, c->scenario->name,
                r.probe_estimate, r.probe_stderr,
                static_cast<unsigned long long>(r.stats.probe_walks));
  }
  return 0;
}

int do_witness(const std::vector<const Cell*>& selected, const Options& opt) {
  for (const Cell* c : selected) {
    search::Config cfg;
    cfg.mode = search::Mode::reduced;
    cfg.max_seconds = opt.max_seconds;
    RunOptions ro;
    ro.thread_names = c->thread_names;
    ro.thread_count = c->threads;
    ro.witness_of = opt.witness.c_str();
    const RunResult r = c->run(cfg, ro);
    if (r.witness.empty()) {
      std::printf("%s / %s: %s never observed (%s, %llu executions%s)\n", c->variant->name,
                  c->scenario->name, opt.witness.c_str(), search_text(cfg).c_str(),
                  static_cast<unsigned long long>(r.stats.executions),
                  r.result != rl::test_result_success ? ", stopped by a failure"
                  : r.stats.complete                  ? ", complete"
                                                      : ", INCOMPLETE");
      continue;
    }
    std::printf("%s / %s: %s first observed in execution %llu of the reduced search\n%s",
                c->variant->name, c->scenario->name, opt.witness.c_str(),
                static_cast<unsigned long long>(r.witness_execution), r.witness_trace.c_str());
    std::printf("  replay: pfncache-verify --replay '%s:%s:f:%s'\n\n", c->variant->name,
                c->scenario->name, encode_decisions(r.witness).c_str());
  }
  return 0;
}

void print_window(const std::vector<Row>& rows) {
  std::printf(
      "\npre-check window (21dadfcd665e), executions of the search that gave the verdict:\n");
  std::printf("%-14s %-30s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "variant", "scenario",
              "W0 reach", "W1 chg", "W2 inval", "W3 moved", "W5 deact", "W6 inval", "W7 skip",
              "W8 redund", "W9 store");
  for (const Row& r : rows) {
    const std::string v = r.cell->variant->name;
    if (r.result.result != rl::test_result_success) continue;
    auto count = [&](const char* key) {
      for (const Observation& o : r.result.observations)
        if (o.what.rfind(key, 0) == 0) return o.executions;
      return std::uint64_t(0);
    };
    if (count("W0") == 0) continue;
    std::printf("%-14s %-30s %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu\n", v.c_str(),
                r.cell->scenario->name, (unsigned long long)count("W0"),
                (unsigned long long)count("W1"), (unsigned long long)count("W2"),
                (unsigned long long)count("W3"), (unsigned long long)count("W5"),
                (unsigned long long)count("W6"), (unsigned long long)count("W7"),
                (unsigned long long)count("W8"), (unsigned long long)count("W9"));
  }
}

Options parse(int argc, char** argv) {
  Options o;
  auto value = [&](int& i, const char* name) -> std::string {
    if (i + 1 >= argc) bad_input(std::string(name) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else if (a == "--variant") {
      for (const std::string& v : split(value(i, "--variant"), ',')) o.variants.push_back(v);
    } else if (a == "--scenario") {
      for (const std::string& s : split(value(i, "--scenario"), ',')) o.scenarios.push_back(s);
    } else if (a == "--search") {
      o.search = parse_search(value(i, "--search"));
    } else if (a == "--max-seconds") {
      const std::string v = value(i, "--max-seconds");
      char* end = nullptr;
      o.max_seconds = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(o.max_seconds > 0))
        bad_input("--max-seconds needs a positive number, not " + v);
    } else if (a == "--shard") {
      const std::string v = value(i, "--shard");
      const auto slash = v.find('/');
      if (slash == std::string::npos) bad_input("--shard needs I/N, not " + v);
      const std::string is = v.substr(0, slash), ns = v.substr(slash + 1);
      if (is.empty() || ns.empty() || is.find_first_not_of("0123456789") != std::string::npos ||
          ns.find_first_not_of("0123456789") != std::string::npos || is.size() > 6 || ns.size() > 6)
        bad_input("--shard needs I/N with numbers, not " + v);
      o.shard = static_cast<unsigned>(std::stoul(is));
      o.shards = static_cast<unsigned>(std::stoul(ns));
      if (o.shards == 0 || o.shard >= o.shards) bad_input("--shard needs 0 <= I < N, not " + v);
    } else if (a == "--split") {
      const std::string v = value(i, "--split");
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 3)
        bad_input("--split needs a number, not " + v);
      o.split_depth = static_cast<unsigned>(std::stoul(v));
      if (o.split_depth == 0) bad_input("--split needs a number > 0");
    } else if (a == "--estimate") {
      const std::string v = value(i, "--estimate");
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9)
        bad_input("--estimate needs a number of walks, not " + v);
      o.estimate = std::stoull(v);
      if (o.estimate == 0) bad_input("--estimate needs at least one walk");
    } else if (a == "--trace") {
      o.trace = true;
    } else if (a == "--replay") {
      o.replay = value(i, "--replay");
    } else if (a == "--json") {
      o.json = value(i, "--json");
    } else if (a == "--junit") {
      o.junit = value(i, "--junit");
    } else if (a == "--window") {
      o.window = true;
    } else if (a == "--witness") {
      o.witness = value(i, "--witness");
      if (o.witness.empty()) bad_input("--witness needs an observation name (W3, R2, ...)");
    } else if (a == "--sometimes") {
      for (const std::string& code : split(value(i, "--sometimes"), ',')) {
        bool known = false;
        for (const char* ob : inv::observations)
          known = known ||
                  (!code.empty() && std::strncmp(ob, (code + ":").c_str(), code.size() + 1) == 0);
        if (!known)
          bad_input("--sometimes: unknown observation code '" + code +
                    "' (see impl/invariants.hpp)");
        o.sometimes += " " + code;
      }
    } else if (a == "--teeth") {
      o.teeth = true;
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else {
      bad_input("unknown option: " + a);
    }
  }
  if (!o.search.automatic && o.search.cfg.mode == search::Mode::random && o.shards > 1)
    bad_input("--shard applies to the tree searches (auto, reduced, full, bound=N), not random");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (opt.list) {
    print_list();
    return 0;
  }
  if (!opt.replay.empty()) return do_replay(opt.replay);
  if (opt.teeth) {
    const Teeth t = measure_teeth();
    std::printf("Each invariant alone (every other check off), bound=2, the mutants' target "
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

  // Validate the selection before running anything.
  for (const std::string& v : opt.variants) {
    bool known = false;
    for (const Cell& c : cells()) known = known || v == c.variant->name;
    if (!known) bad_input("unknown variant: " + v + " (see --list)");
  }
  for (const std::string& s : opt.scenarios) {
    bool known = false;
    for (const Cell& c : cells()) known = known || s == c.scenario->name;
    if (!known) bad_input("unknown scenario: " + s + " (see --list)");
  }
  std::vector<const Cell*> selected;
  for (const Cell& c : cells()) {
    const bool v = opt.variants.empty() || std::find(opt.variants.begin(), opt.variants.end(),
                                                     c.variant->name) != opt.variants.end();
    const bool s = opt.scenarios.empty() || std::find(opt.scenarios.begin(), opt.scenarios.end(),
                                                      c.scenario->name) != opt.scenarios.end();
    if (v && s) selected.push_back(&c);
  }
  // Refuse unwritable report paths before the (long) run, not after it.
  for (const std::string* path : {&opt.json, &opt.junit}) {
    if (path->empty() || *path == "-") continue;
    std::FILE* f = std::fopen((*path + ".tmp.check").c_str(), "w");
    if (f == nullptr) bad_input("cannot write " + *path + ": " + std::strerror(errno));
    std::fclose(f);
    std::remove((*path + ".tmp.check").c_str());
  }
  if (opt.estimate) return do_estimate(selected, opt);
  if (!opt.witness.empty()) return do_witness(selected, opt);

  const auto t0 = std::chrono::steady_clock::now();
  if (opt.json != "-") {
    std::printf(
        "pfncache-verify: %zu cells, search %s%s\n\n", selected.size(), opt.search.text.c_str(),
        opt.shards > 1
            ? (", shard " + std::to_string(opt.shard) + "/" + std::to_string(opt.shards)).c_str()
            : "");
    print_header();
  }
  std::vector<Row> rows;
  for (const Cell* c : selected) {
    rows.push_back(run_row(*c, opt));
    if (opt.json != "-") print_row(rows.back());
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::size_t bad = 0, incomplete = 0, unreached = 0;
  for (const Row& r : rows) {
    bad += r.verdict == "UNEXPECTED";
    incomplete += r.verdict == "INCOMPLETE";
    unreached += r.verdict == "UNREACHED";
  }
  if (opt.json != "-") {
    for (const Row& r : rows) {
      const bool failed = r.result.result != rl::test_result_success;
      if (failed && (opt.trace || r.verdict != "ok")) print_trace(r);
    }
    if (opt.window) print_window(rows);
    for (const Row& r : rows)
      if (r.verdict == "UNREACHED")
        std::printf(
            "\n  %s / %s: passed, but never reached %s (the scenario's Sometimes): the "
            "pass proves nothing there\n",
            r.cell->variant->name, r.cell->scenario->name, r.unreached.c_str());
    std::printf(
        "\n%zu cells in %.1fs: %zu as expected, %zu unexpected, %zu incomplete, %zu unreached\n",
        rows.size(), total, rows.size() - bad - incomplete - unreached, bad, incomplete, unreached);
  }
  if (!opt.json.empty()) write_file(opt.json, json_report(rows, opt));
  if (!opt.junit.empty()) write_file(opt.junit, junit_report(rows));
  return bad || incomplete || unreached ? 1 : 0;
}
