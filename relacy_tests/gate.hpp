// relacy_tests/gate.hpp: what the gate decides about one cell, and how it
// reports it.
//
// WHAT IT IS
//   The pieces of pfncache-verify that do not depend on how cells are
//   scheduled: the search plan of a cell, what a cell is expected to produce
//   (Expectation), the verdict, the result of a search as a value that
//   travels between processes (SearchResult, as JSON), the merge of the
//   parts of a cooperative search, and the JSON and JUnit reports.
//
// GUARANTEE
//   A SearchResult survives a round trip through JSON unchanged
//   (to_json/from_json), so a cell run in a worker process is reported
//   exactly as if it had run in the gate's own process. The JSON report has
//   a versioned schema (kSchema; docs/gating.md documents it); the JUnit
//   report has one testsuite per variant and one testcase per cell, the
//   failure message and trace in the failure element. Text from anywhere
//   (variant summaries, traces) is escaped by the libraries that write it:
//   nlohmann-json (invalid UTF-8 replaced) and pugixml (characters XML 1.0
//   cannot carry replaced first).
#ifndef PFV_RELACY_TESTS_GATE_HPP
#define PFV_RELACY_TESTS_GATE_HPP

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/findings.hpp"
#include "relacy_tests/cells.hpp"

namespace pfv {
namespace gate {

// The JSON report's schema: bumped when a field changes meaning or goes.
inline constexpr const char* kSchema = "pfncache-verify/2";

// Bad input from the command line or a file: the gate prints the message
// and exits 2, having written nothing.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- searches ---------------------------------------------------------------

struct SearchSpec {
  std::string text = "auto";
  bool automatic = true;
  search::Config cfg;
  SearchSpec() { cfg.mode = search::Mode::reduced; }
};

inline std::uint64_t parse_count(const std::string& what, const std::string& digits) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 12)
    throw BadInput(what + " needs a number, not '" + digits + "'");
  return std::strtoull(digits.c_str(), nullptr, 10);
}

inline SearchSpec parse_search(const std::string& s) {
  SearchSpec spec;
  spec.text = s;
  spec.automatic = s == "auto";
  if (s == "auto" || s == "reduced") {
    spec.cfg.mode = search::Mode::reduced;
  } else if (s == "full") {
    spec.cfg.mode = search::Mode::full;
  } else if (s.rfind("bound=", 0) == 0) {
    spec.cfg.mode = search::Mode::bound;
    spec.cfg.bound = static_cast<unsigned>(parse_count("bound=N", s.substr(6)));
  } else if (s.rfind("random=", 0) == 0) {
    spec.cfg.mode = search::Mode::random;
    spec.cfg.iterations = parse_count("random=N", s.substr(7));
    if (spec.cfg.iterations == 0) throw BadInput("random=N needs N > 0");
  } else {
    throw BadInput("unknown search: " + s + " (auto, reduced, full, bound=N, random=N)");
  }
  return spec;
}

inline std::string search_text(const search::Config& c) {
  switch (c.mode) {
    case search::Mode::bound: return "bound=" + std::to_string(c.bound);
    case search::Mode::random: return "random=" + std::to_string(c.iterations);
    default: return search::mode_name(c.mode);
  }
}

// ---- the result of one search, as a value -------------------------------------

struct WorkerShare {  // one process's part of a cooperative search
  std::uint64_t executions = 0, prefixes = 0;
  double seconds = 0;
};

struct SearchResult {
  std::string search;  // "bound=2", "reduced", ...
  int result = rl::test_result_success;
  std::uint64_t executions = 0, redundant = 0, skipped = 0, prefixes = 0, max_events = 0;
  bool complete = false;
  bool budget_cut = false;  // stopped by --split-after: to be re-run cooperatively
  double seconds = 0;       // CPU seconds of the search (summed over its processes)
  std::uint64_t outcomes = 0;
  std::vector<std::uint64_t> outcome_hashes;
  std::vector<Observation> observations;
  // Coherence: store pairs with no happens-before (RunResult::unordered_stores).
  std::vector<std::string> unordered_stores;
  std::vector<WorkerShare> workers;
  struct {
    std::string kind, what, file, func, decisions, trace, full_trace;
    unsigned line = 0;
    bool replayed = false;
    bool random_memory = false;
  } failure;

  bool failed() const { return result != rl::test_result_success; }
  // Executions as the table counts them: those explored, those cut short by
  // sleep sets, and the failing one.
  std::uint64_t shown_executions() const { return executions + redundant + (failed() ? 1 : 0); }
  std::uint64_t observed(const std::string& code) const {
    for (const Observation& o : observations)
      if (o.what.compare(0, code.size() + 1, code + ":") == 0) return o.executions;
    return 0;
  }
};

inline SearchResult from_run(const search::Config& cfg, const RunResult& r) {
  SearchResult s;
  s.search = search_text(cfg);
  s.result = r.result;
  s.executions = r.stats.executions;
  s.redundant = r.stats.redundant;
  s.skipped = r.stats.skipped;
  s.prefixes = r.stats.prefixes;
  s.max_events = r.stats.max_events;
  s.complete = r.stats.complete;
  s.seconds = r.stats.seconds;
  s.outcomes = r.outcomes;
  s.outcome_hashes.assign(r.outcome_set.begin(), r.outcome_set.end());
  std::sort(s.outcome_hashes.begin(), s.outcome_hashes.end());
  s.observations = r.observations;
  s.unordered_stores = r.unordered_stores;
  if (s.failed()) {
    const Failure& f = r.failure;
    s.failure.kind = f.kind;
    s.failure.what = f.what;
    s.failure.file = short_path(f.loc.file);
    s.failure.func = f.loc.func;
    s.failure.line = f.loc.line;
    s.failure.decisions = encode_decisions(f.decisions);
    s.failure.trace = f.trace;
    s.failure.full_trace = f.full_trace;
    s.failure.replayed = f.replayed;
    s.failure.random_memory = uses_random_memory(cfg);
  }
  return s;
}

inline nlohmann::json workers_json(const std::vector<WorkerShare>& workers) {
  nlohmann::json w = nlohmann::json::array();
  for (const WorkerShare& x : workers)
    w.push_back({{"executions", x.executions}, {"prefixes", x.prefixes}, {"seconds", x.seconds}});
  return w;
}

inline nlohmann::json to_json(const SearchResult& s) {
  nlohmann::json j = {
      {"search", s.search},         {"result", s.result},     {"executions", s.executions},
      {"redundant", s.redundant},   {"skipped", s.skipped},   {"prefixes", s.prefixes},
      {"max_events", s.max_events}, {"complete", s.complete}, {"budget_cut", s.budget_cut},
      {"seconds", s.seconds},       {"outcomes", s.outcomes}, {"outcome_hashes", s.outcome_hashes}};
  nlohmann::json obs = nlohmann::json::array();
  for (const Observation& o : s.observations) obs.push_back({o.what, o.executions});
  j["observations"] = obs;
  j["unordered_stores"] = s.unordered_stores;
  j["workers"] = workers_json(s.workers);
  if (s.failed())
    j["failure"] = {{"kind", s.failure.kind},         {"what", s.failure.what},
                    {"file", s.failure.file},         {"func", s.failure.func},
                    {"line", s.failure.line},         {"decisions", s.failure.decisions},
                    {"trace", s.failure.trace},       {"full_trace", s.failure.full_trace},
                    {"replayed", s.failure.replayed}, {"random_memory", s.failure.random_memory}};
  return j;
}

inline SearchResult search_result_from_json(const nlohmann::json& j) {
  SearchResult s;
  s.search = j.at("search").get<std::string>();
  s.result = j.at("result").get<int>();
  s.executions = j.at("executions").get<std::uint64_t>();
  s.redundant = j.at("redundant").get<std::uint64_t>();
  s.skipped = j.at("skipped").get<std::uint64_t>();
  s.prefixes = j.at("prefixes").get<std::uint64_t>();
  s.max_events = j.at("max_events").get<std::uint64_t>();
  s.complete = j.at("complete").get<bool>();
  s.budget_cut = j.at("budget_cut").get<bool>();
  s.seconds = j.at("seconds").get<double>();
  s.outcomes = j.at("outcomes").get<std::uint64_t>();
  s.outcome_hashes = j.at("outcome_hashes").get<std::vector<std::uint64_t>>();
  for (const auto& o : j.at("observations"))
    s.observations.push_back(Observation{o.at(0).get<std::string>(), o.at(1).get<std::uint64_t>()});
  if (j.contains("unordered_stores"))  // absent in reports older than the field
    s.unordered_stores = j.at("unordered_stores").get<std::vector<std::string>>();
  for (const auto& w : j.at("workers"))
    s.workers.push_back(WorkerShare{w.at("executions").get<std::uint64_t>(),
                                    w.at("prefixes").get<std::uint64_t>(),
                                    w.at("seconds").get<double>()});
  if (j.contains("failure")) {
    const auto& f = j.at("failure");
    s.failure.kind = f.at("kind").get<std::string>();
    s.failure.what = f.at("what").get<std::string>();
    s.failure.file = f.at("file").get<std::string>();
    s.failure.func = f.at("func").get<std::string>();
    s.failure.line = f.at("line").get<unsigned>();
    s.failure.decisions = f.at("decisions").get<std::string>();
    s.failure.trace = f.at("trace").get<std::string>();
    s.failure.full_trace = f.at("full_trace").get<std::string>();
    s.failure.replayed = f.at("replayed").get<bool>();
    s.failure.random_memory = f.at("random_memory").get<bool>();
  }
  return s;
}

// The parts of one cooperative search, as one search: executions add up,
// observations add up, outcomes unite, the search is complete only if every
// part is, and a failure of any part is the search's failure (the first one
// reported; the other parts were stopped by it).
inline SearchResult merge(const std::vector<SearchResult>& parts) {
  SearchResult m;
  if (parts.empty()) return m;
  m.search = parts.front().search;
  m.complete = true;
  std::set<std::uint64_t> outcomes;
  std::map<std::string, std::uint64_t> obs;
  std::vector<std::string> obs_order;
  std::set<std::string> unordered;
  for (const SearchResult& p : parts) {
    unordered.insert(p.unordered_stores.begin(), p.unordered_stores.end());
    m.executions += p.executions;
    m.redundant += p.redundant;
    m.skipped += p.skipped;
    m.prefixes += p.prefixes;
    m.max_events = std::max(m.max_events, p.max_events);
    m.seconds += p.seconds;
    m.complete = m.complete && p.complete;
    outcomes.insert(p.outcome_hashes.begin(), p.outcome_hashes.end());
    for (const Observation& o : p.observations) {
      if (obs.find(o.what) == obs.end()) obs_order.push_back(o.what);
      obs[o.what] += o.executions;
    }
    m.workers.push_back(WorkerShare{p.executions + p.redundant, p.prefixes, p.seconds});
    if (p.failed() && !m.failed()) {
      m.result = p.result;
      m.failure = p.failure;
    }
  }
  if (m.failed()) m.complete = false;
  m.outcome_hashes.assign(outcomes.begin(), outcomes.end());
  m.outcomes = m.outcome_hashes.size();
  for (const std::string& w : obs_order) m.observations.push_back(Observation{w, obs[w]});
  m.unordered_stores.assign(unordered.begin(), unordered.end());
  return m;
}

// ---- expectations and verdicts ------------------------------------------------

// The class of a failure, as the table and the expectations name it: "S2",
// "race gpc.valid", "deadlock", "livelock", or "check: <text>".
inline std::string failure_class(const SearchResult& r) {
  if (!r.failed()) return "pass";
  const std::string& kind = r.failure.kind;
  const std::string& what = r.failure.what;
  if (kind == "invariant") {
    if (what.size() >= 2 && what[0] == 'S' && std::isdigit(static_cast<unsigned char>(what[1]))) {
      std::size_t n = 1;
      while (n < what.size() && std::isdigit(static_cast<unsigned char>(what[n]))) ++n;
      return what.substr(0, n);
    }
    return "check: " + what;
  }
  if (kind == "data race") return "race " + what;
  return kind;
}


inline bool class_matches(const std::string& got, const std::string& allowed_list) {
  for (const std::string& a : split(allowed_list, '|')) {
    if (a.empty()) continue;
    if (got == a) return true;
    // "race page" admits "race page[0].data".
    if (a.rfind("race ", 0) == 0 && got.rfind(a, 0) == 0) return true;
  }
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
//                                     of the mutant's classes;
//   --only INV, a mutant or artifact: informational: every check but INV is
//                                     off, so what the mutant's expectation
//                                     names may not be checked at all; the
//                                     complete search runs and the result is
//                                     shown, whatever it is.
//   finding (impl/findings.hpp): a kernel variant that has a registered
//                                     finding in this scenario must fail with
//                                     the finding's classes; a mutant, built
//                                     on v6.18, may fail with them too.
struct Expectation {
  enum Kind { pass, caught, not_target, informational } kind;
  std::string classes;  // caught / not_target: the failure classes allowed
  std::string text;
  const FindingInfo* finding = nullptr;
};

inline Expectation expectation(const Cell& c, const std::string& only = "") {
  const VariantInfo& v = *c.variant;
  const FindingInfo* f = finding_for(v, *c.scenario);
  const bool harmless = v.caught_by && std::strcmp(v.caught_by, "harmless") == 0;
  if (f && (v.kind == VariantKind::kernel || harmless) && only.empty())
    return {Expectation::caught, f->caught_by, std::string("finding: ") + f->name, f};
  if (v.kind == VariantKind::kernel) return {Expectation::pass, "", "pass"};
  if (harmless) return {Expectation::pass, "", "pass (harmless)"};
  if (!only.empty()) return {Expectation::informational, "", "- (only " + only + ")"};
  std::string classes = v.caught_by ? v.caught_by : "";
  if (f) classes += std::string("|") + f->caught_by;
  if (names_include(v.caught_in, c.scenario->name))
    return {Expectation::caught, classes,
            std::string(v.kind == VariantKind::artifact ? "C11 artifact: " : "caught: ") +
                v.caught_by,
            f};
  return {Expectation::not_target, classes, "- (not a target)", f};
}

// The searches a cell runs, in order, until one fails. `automatic`: refute
// with bound=2 (every execution with at most two preemptions), then prove
// with the complete search, except where a mutant is not a target.
inline std::vector<search::Config> plan(const Expectation& e, const SearchSpec& spec) {
  std::vector<search::Config> p;
  if (spec.automatic) {
    search::Config refute;
    refute.mode = search::Mode::bound;
    refute.bound = 2;
    p.push_back(refute);
    if (e.kind != Expectation::not_target) p.push_back(spec.cfg);
  } else {
    p.push_back(spec.cfg);
  }
  return p;
}

struct Row {
  const Cell* cell = nullptr;
  Expectation expected{Expectation::pass, "", ""};
  SearchResult result;  // of the search that gave the verdict
  std::string result_class;
  std::string verdict;    // "ok", "UNEXPECTED", "INCOMPLETE", "UNREACHED", "info", "ERROR"
  std::string unreached;  // Sometimes codes a passing complete search missed
  std::string replay;     // state for --replay
  std::string error;      // ERROR: what went wrong running the cell
  double seconds = 0;     // wall-clock time of the cell, every search included
  double cpu_seconds = 0;
};

inline std::string replay_state(const Cell& c, const SearchResult& r) {
  return std::string(c.variant->name) + ":" + c.scenario->name + ":" +
         (r.failure.random_memory ? "r" : "f") + ":" + r.failure.decisions;
}

// The codes of the scenario's Sometimes (and of `extra`) that the variant
// can produce but the search never observed, space-separated.
inline std::string missing_sometimes(const Cell& c, const SearchResult& r,
                                     const std::string& extra) {
  std::string missing;
  std::istringstream codes(std::string(c.scenario->sometimes ? c.scenario->sometimes : "") + " " +
                           extra);
  std::string code;
  while (codes >> code) {
    if (!c.can_observe(code.c_str())) continue;
    if (r.observed(code) == 0) missing += (missing.empty() ? "" : " ") + code;
  }
  return missing;
}

// Sets result_class, verdict, unreached and replay from `result`.
// `check_sometimes`: the search saw the whole tree (not one static shard).
inline void decide(Row& row, bool check_sometimes, const std::string& extra_sometimes) {
  const SearchResult& r = row.result;
  row.result_class = failure_class(r);
  const bool failed = r.failed();
  if (failed && (r.failure.kind == "misplaced hint" || r.failure.kind == "progress overflow")) {
    // An error of the model (the hint's contract, or the lasso detector's
    // limits), not a verdict on the protocol.
    row.verdict = "ERROR";
    row.result_class = "error";
    row.error = r.failure.kind == "misplaced hint" ? "misplaced hint: " + r.failure.what
                                                   : r.failure.what;
    row.replay = replay_state(*row.cell, r);
    return;
  }
  const bool complete = failed || r.complete;
  if (failed) row.replay = replay_state(*row.cell, r);
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
    case Expectation::informational: row.verdict = complete ? "info" : "INCOMPLETE"; break;
  }
  // A Never needs its Sometimes: a pass proved by a complete search counts
  // only if the search reached every state the scenario names.
  if (row.verdict == "ok" && !failed && r.complete && check_sometimes) {
    row.unreached = missing_sometimes(*row.cell, r, extra_sometimes);
    if (!row.unreached.empty()) {
      row.verdict = "UNREACHED";
      row.result_class = "pass, never " + row.unreached;
    }
  }
}

// Does this verdict keep the gate green?
inline bool verdict_ok(const std::string& v) { return v == "ok" || v == "info"; }

// ---- reports ---------------------------------------------------------------------

inline std::string kind_name(VariantKind k) {
  switch (k) {
    case VariantKind::kernel: return "kernel";
    case VariantKind::mutant: return "mutant";
    case VariantKind::artifact: return "artifact";
  }
  return "?";
}

inline nlohmann::json row_json(const Row& r) {
  const SearchResult& s = r.result;
  nlohmann::json j = {{"variant", r.cell->variant->name},
                      {"scenario", r.cell->scenario->name},
                      {"search", s.search},
                      {"executions", s.executions},
                      {"redundant", s.redundant},
                      {"seconds", r.seconds},
                      {"cpu_seconds", r.cpu_seconds},
                      {"complete", s.complete},
                      {"distinct_outcomes", s.outcomes},
                      {"result", r.result_class},
                      {"expected", r.expected.text},
                      {"verdict", r.verdict}};
  if (r.expected.finding) j["finding"] = r.expected.finding->name;
  if (!r.unreached.empty()) j["unreached"] = r.unreached;
  if (!r.error.empty()) j["error"] = r.error;
  if (!s.workers.empty()) j["workers"] = workers_json(s.workers);
  if (s.failed())
    j["failure"] = {{"kind", s.failure.kind},     {"what", s.failure.what},
                    {"file", s.failure.file},     {"line", s.failure.line},
                    {"function", s.failure.func}, {"replay", r.replay},
                    {"trace", s.failure.trace}};
  nlohmann::json obs = nlohmann::json::object();
  for (const Observation& o : s.observations)
    if (o.executions) obs[o.what] = o.executions;
  j["observations"] = obs;
  j["unordered_stores"] = s.unordered_stores;
  return j;
}

// The JSON report (schema kSchema, docs/gating.md).
inline nlohmann::json json_report(const std::vector<Row>& rows, const std::string& search,
                                  const std::string& shard, const std::string& only) {
  nlohmann::json j = {
      {"schema", kSchema}, {"tool", "pfncache-verify"}, {"search", search}, {"shard", shard}};
  if (!only.empty()) j["only"] = only;
  nlohmann::json variants = nlohmann::json::array();
  std::set<std::string> seen;
  for (const Row& r : rows) {
    const VariantInfo& v = *r.cell->variant;
    if (!seen.insert(v.name).second) continue;
    nlohmann::json vj = {{"name", v.name}, {"kind", kind_name(v.kind)}, {"summary", v.summary}};
    if (v.caught_by) vj["caught_by"] = v.caught_by;
    if (v.caught_in) vj["caught_in"] = v.caught_in;
    variants.push_back(vj);
  }
  j["variants"] = variants;
  nlohmann::json findings = nlohmann::json::array();
  for (const FindingInfo& f : kFindings)
    findings.push_back({{"name", f.name},
                        {"variants", f.variants},
                        {"scenarios", f.scenarios},
                        {"caught_by", f.caught_by},
                        {"fixed_by", f.fixed_by},
                        {"summary", f.summary}});
  j["findings"] = findings;
  nlohmann::json cells = nlohmann::json::array();
  std::size_t bad = 0;
  for (const Row& r : rows) {
    cells.push_back(row_json(r));
    bad += !verdict_ok(r.verdict);
  }
  j["cells"] = cells;
  j["summary"] = {{"cells", rows.size()}, {"not_ok", bad}};
  return j;
}

inline std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// XML 1.0 cannot carry most control characters, even escaped: replace them
// (and bytes that are not UTF-8, via the JSON library's decoder) before the
// XML writer escapes the rest.
inline std::string xml_safe(const std::string& s) {
  const std::string utf8 =
      nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string decoded = nlohmann::json::parse(utf8).get<std::string>();
  std::string out;
  out.reserve(decoded.size());
  for (char c : decoded) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f ? '?' : c;
  }
  return out;
}

// The JUnit report: one testsuite per variant, one testcase per cell.
inline std::string junit_report(const std::vector<Row>& rows) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node suites = doc.append_child("testsuites");
  std::size_t failures = 0;
  double total = 0;
  for (const Row& r : rows) {
    failures += !verdict_ok(r.verdict);
    total += r.seconds;
  }
  suites.append_attribute("name") = "pfncache-verify";
  suites.append_attribute("tests") = static_cast<unsigned long long>(rows.size());
  suites.append_attribute("failures") = static_cast<unsigned long long>(failures);
  suites.append_attribute("errors") = 0;
  suites.append_attribute("time") = total;
  for (std::size_t i = 0; i < rows.size();) {
    const std::string variant = rows[i].cell->variant->name;
    std::size_t end = i;
    std::size_t f = 0;
    double t = 0;
    while (end < rows.size() && variant == rows[end].cell->variant->name) {
      f += !verdict_ok(rows[end].verdict);
      t += rows[end].seconds;
      ++end;
    }
    pugi::xml_node suite = suites.append_child("testsuite");
    suite.append_attribute("name") = xml_safe(variant).c_str();
    suite.append_attribute("tests") = static_cast<unsigned long long>(end - i);
    suite.append_attribute("failures") = static_cast<unsigned long long>(f);
    suite.append_attribute("errors") = 0;
    suite.append_attribute("skipped") = 0;
    suite.append_attribute("time") = t;
    for (; i < end; ++i) {
      const Row& r = rows[i];
      pugi::xml_node tc = suite.append_child("testcase");
      tc.append_attribute("name") = xml_safe(r.cell->scenario->name).c_str();
      tc.append_attribute("classname") = xml_safe(variant).c_str();
      tc.append_attribute("time") = r.seconds;
      if (!verdict_ok(r.verdict)) {
        pugi::xml_node fail = tc.append_child("failure");
        fail.append_attribute("message") =
            xml_safe(r.verdict + ": " + r.result_class + ", expected " + r.expected.text).c_str();
        fail.append_attribute("type") = r.verdict.c_str();
        const std::string body = r.error.empty() ? r.result.failure.trace : r.error;
        fail.append_child(pugi::node_pcdata).set_value(xml_safe(body).c_str());
      }
      tc.append_child("system-out")
          .append_child(pugi::node_pcdata)
          .set_value(xml_safe(r.result.search + ": " + r.result_class + " (expected " +
                              r.expected.text + ")")
                         .c_str());
    }
  }
  std::ostringstream o;
  doc.save(o, "  ", pugi::format_default, pugi::encoding_utf8);
  return o.str();
}

// Writes `content` to `path` atomically (a temporary file renamed over it),
// so a failure never leaves a half-written report. "-" is standard output.
inline void write_file(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) throw BadInput("cannot write " + path + ": " + std::strerror(errno));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    throw BadInput("cannot write " + path + ": " + std::strerror(e));
  }
}

// Refuses a report path that cannot be written, before a long run.
inline void check_writable(const std::string& path) {
  if (path.empty() || path == "-") return;
  const std::string probe = path + ".tmp.check." + std::to_string(getpid());
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (f == nullptr) throw BadInput("cannot write " + path + ": " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

}  // namespace gate
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_GATE_HPP
