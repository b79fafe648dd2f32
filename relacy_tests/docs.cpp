// relacy_tests/docs.cpp: regenerates the parts of docs/ that come from the
// suite, and checks that the checked-in copies are current.
//
//   pfncache-docs [--check] [ROOT]
//
// Every Markdown file in ROOT/docs, ROOT/docs/mutants and ROOT/docs/findings
// may hold blocks
//
//   <!-- BEGIN generated: KIND ARGS -->
//   ...
//   <!-- END generated -->
//
// whose content this tool writes:
//   trace VARIANT SCENARIO [c11-locks]
//                                 the counterexample the gate's search finds
//                                 (bound=2, then reduced), trimmed and labelled;
//                                 c11-locks: under C11 lock ordering
//   lkmm [c11-locks]              the conformance table of the kernel's own
//                                 litmus tests (relacy_tests/lkmm.hpp)
//   witness VARIANT SCENARIO OBS  the first execution of the reduced search in
//                                 which an observation starting with OBS
//                                 happens, trimmed and labelled
//   window SCENARIO[,...]         the pre-check window counts of v6.9 and
//                                 no-recheck (complete reduced searches)
//   checks                        where impl/ checks each invariant
//   teeth                         which invariant alone catches which mutant
//   variants                      the registered variants (impl/variants.list)
// Everything generated is deterministic (no times), so --check compares
// byte for byte. Exit status: 0 current (or rewritten), 1 stale (--check) or
// a block could not be generated, 2 bad usage.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "relacy_tests/cells.hpp"
#include "relacy_tests/lkmm.hpp"
#include "relacy_tests/teeth.hpp"

namespace {

using namespace pfv;

const Cell* find_cell(const std::string& variant, const std::string& scenario) {
  for (const Cell& c : cells())
    if (variant == c.variant->name && scenario == c.scenario->name) return &c;
  return nullptr;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

RunOptions options(const Cell& c) {
  RunOptions o;
  o.thread_names = c.thread_names;
  o.thread_count = c.threads;
  return o;
}

std::string search_name(const search::Config& c) {
  return c.mode == search::Mode::bound ? "bound=" + std::to_string(c.bound)
                                       : std::string(search::mode_name(c.mode));
}

bool gen_trace(const std::vector<std::string>& a, std::string& out, std::string& err) {
  if (a.size() != 3 && !(a.size() == 4 && a[3] == "c11-locks"))
    return (err = "trace needs VARIANT SCENARIO [c11-locks]"), false;
  const Cell* c = find_cell(a[1], a[2]);
  if (c == nullptr) return (err = "no such cell: " + a[1] + " / " + a[2]), false;
  struct Locks {
    bool saved = rlm::recorder().c11_locks;
    explicit Locks(bool c11) { rlm::recorder().c11_locks = c11; }
    ~Locks() { rlm::recorder().c11_locks = saved; }
  } locks(a.size() == 4);
  search::Config plan[2];
  plan[0].mode = search::Mode::bound;
  plan[0].bound = 2;
  plan[1].mode = search::Mode::reduced;
  for (const search::Config& cfg : plan) {
    const RunResult r = c->run(cfg, options(*c));
    if (r.result == rl::test_result_success) continue;
    std::ostringstream s;
    s << "Found by the " << search_name(cfg) << " search in execution "
      << (r.stats.executions + r.stats.redundant + 1) << ":\n\n```\n"
      << r.failure.trace << "```\n\nReplay it: `pfncache-verify " << (a.size() == 4 ? "--c11-locks " : "")
      << "--replay '" << a[1] << ":" << a[2]
      << ":f:" << encode_decisions(r.failure.decisions) << "'`\n";
    out = s.str();
    return true;
  }
  err = a[1] + " / " + a[2] + " did not fail";
  return false;
}

bool gen_witness(const std::vector<std::string>& a, std::string& out, std::string& err) {
  if (a.size() != 4) return (err = "witness needs VARIANT SCENARIO OBSERVATION"), false;
  const Cell* c = find_cell(a[1], a[2]);
  if (c == nullptr) return (err = "no such cell: " + a[1] + " / " + a[2]), false;
  search::Config cfg;
  cfg.mode = search::Mode::reduced;
  RunOptions o = options(*c);
  o.witness_of = a[3].c_str();
  const RunResult r = c->run(cfg, o);
  if (r.witness.empty()) return (err = a[3] + " never observed in " + a[1] + " / " + a[2]), false;
  std::ostringstream s;
  s << "The first execution of the reduced search that reaches " << a[3] << " (execution "
    << r.witness_execution << "):\n\n```\n"
    << r.witness_trace << "```\n\nReplay it: `pfncache-verify --replay '" << a[1] << ":" << a[2]
    << ":f:" << encode_decisions(r.witness) << "'`\n";
  out = s.str();
  return true;
}

std::uint64_t observed(const RunResult& r, const char* prefix) {
  for (const Observation& o : r.observations)
    if (o.what.rfind(prefix, 0) == 0) return o.executions;
  return 0;
}

bool gen_window(const std::vector<std::string>& a, std::string& out, std::string& err) {
  if (a.size() != 2) return (err = "window needs SCENARIO[,SCENARIO...]"), false;
  std::ostringstream s;
  s << "| scenario | variant | executions | W0 reached | W1 changed | W2 made invalid | W3 "
       "moved | W5 deactivated | W6 re-check invalidates | W7 re-check skips | W8 redundant "
       "store | W9 store invalidates | result |\n";
  s << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& scenario : split(a[1], ',')) {
    for (const char* variant : {"v6.9", "no-recheck"}) {
      const Cell* c = find_cell(variant, scenario);
      if (c == nullptr)
        return (err = "no such cell: " + std::string(variant) + " / " + scenario), false;
      search::Config cfg;
      cfg.mode = search::Mode::reduced;
      RunOptions o = options(*c);
      o.want_trace = false;
      const RunResult r = c->run(cfg, o);
      if (!r.stats.complete && r.result == rl::test_result_success)
        return (err = "search incomplete: " + std::string(variant) + " / " + scenario), false;
      s << "| " << scenario << " | " << variant << " | " << r.stats.executions << " | "
        << observed(r, "W0") << " | " << observed(r, "W1") << " | " << observed(r, "W2") << " | "
        << observed(r, "W3") << " | " << observed(r, "W5") << " | " << observed(r, "W6") << " | "
        << observed(r, "W7") << " | " << observed(r, "W8") << " | " << observed(r, "W9") << " | "
        << (r.result == rl::test_result_success ? "pass" : rl::test_result_str(r.result)) << " |\n";
    }
  }
  out = s.str();
  return true;
}

bool gen_checks(const std::string& root, std::string& out, std::string& err) {
  static const char* const files[] = {"impl/pfncache.hpp", "impl/kvm_main.hpp",
                                      "impl/host_mmu.hpp", "impl/srcu.hpp",
                                      "impl/scenarios.hpp", "kshim/harness.hpp"};
  // Every invariant text impl/invariants.hpp defines ("inline constexpr
  // const char* S..."), in its order: none may go unchecked.
  std::vector<std::string> names;
  {
    std::ifstream in(root + "/impl/invariants.hpp");
    if (!in) return (err = "cannot read impl/invariants.hpp"), false;
    const std::string decl = "inline constexpr const char* S";
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(decl, 0) != 0) continue;
      const std::size_t b = decl.size() - 1, e = line.find_first_of(" =", b);
      names.push_back(line.substr(b, e - b));
    }
  }
  std::ostringstream s;
  s << "| invariant | checked at | the line |\n|---|---|---|\n";
  for (const std::string& n : names) {
    const std::string needle = "inv::" + n + ")";
    const std::string needle2 = "inv::" + n + ",";
    const std::string needle3 = "inv::" + n + ";";  // kshim: `what = pfv::inv::S5;`
    bool any = false;
    for (const char* f : files) {
      std::ifstream in(root + "/" + f);
      if (!in) return (err = std::string("cannot read ") + f), false;
      std::string line;
      unsigned no = 0;
      while (std::getline(in, line)) {
        ++no;
        if (line.find(needle) == std::string::npos && line.find(needle2) == std::string::npos &&
            line.find(needle3) == std::string::npos)
          continue;
        std::string code = line.substr(line.find_first_not_of(' '));
        std::string cell;
        for (char ch : code) cell += ch == '|' ? std::string("\\|") : std::string(1, ch);
        s << "| " << n << " | `" << f << ":" << no << "` | `" << cell << "` |\n";
        any = true;
      }
    }
    if (!any) return (err = "no check found for " + n), false;
  }
  out = s.str();
  return true;
}

bool generate(const std::string& root, const std::string& spec, std::string& out,
              std::string& err) {
  const std::vector<std::string> a = words(spec);
  if (a.empty()) return (err = "empty generated block"), false;
  if (a[0] == "trace") return gen_trace(a, out, err);
  if (a[0] == "witness") return gen_witness(a, out, err);
  if (a[0] == "window") return gen_window(a, out, err);
  if (a[0] == "lkmm") {
    if (a.size() > 2 || (a.size() == 2 && a[1] != "c11-locks"))
      return (err = "lkmm takes only c11-locks"), false;
    if (lkmm::conformance("", true, a.size() == 2, out) != 0)
      return (err = "the kernel litmus tests have an undocumented disagreement:\n" + out), false;
    return true;
  }
  if (a[0] == "checks") return gen_checks(root, out, err);
  if (a[0] == "variants") {
    std::ostringstream o;
    o << "| variant | kind | what it changes | caught by | in |\n|---|---|---|---|---|\n";
    std::string last;
    for (const Cell& c : cells()) {
      if (last == c.variant->name) continue;
      last = c.variant->name;
      const VariantInfo& v = *c.variant;
      const char* kind = v.kind == VariantKind::kernel   ? "kernel"
                         : v.kind == VariantKind::mutant ? "mutant"
                                                         : "artifact";
      std::string in = v.caught_in ? v.caught_in : "";
      for (char& ch : in)
        if (ch == ',') ch = ' ';
      std::string by = v.caught_by ? v.caught_by : "";
      for (char& ch : by)
        if (ch == '|') ch = '/';
      const std::string page = v.kind == VariantKind::mutant ? "[" + last + "](" + last + ".md)"
                               : v.kind == VariantKind::artifact ? "[" + last + "](../limits.md)"
                                                                 : last;
      o << "| " << page << " | " << kind << " | " << v.summary << " | "
        << (by.empty() ? "-" : by) << " | " << (in.empty() ? "every scenario: must pass" : in)
        << " |\n";
    }
    out = o.str();
    return true;
  }
  if (a[0] == "teeth") {
    const Teeth t = measure_teeth();
    for (int k = 0; k < kInvariantCount; ++k)
      if (t.toothless[k]) return (err = std::string(kInvariantCodes[k]) + " catches no mutant"), false;
    out = teeth_markdown(t);
    return true;
  }
  err = "unknown kind of generated block: " + a[0];
  return false;
}

const char* const kBegin = "<!-- BEGIN generated: ";
const char* const kEnd = "<!-- END generated -->";

// Rewrites the generated blocks of one file; returns false on error.
bool process(const std::string& root, const std::string& path, bool check, int& stale) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "pfncache-docs: cannot read %s\n", path.c_str());
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::string result;
  std::size_t pos = 0;
  bool ok = true;
  for (;;) {
    const std::size_t b = text.find(kBegin, pos);
    if (b == std::string::npos) break;
    const std::size_t spec_end = text.find(" -->\n", b);
    const std::size_t e = text.find(kEnd, b);
    if (spec_end == std::string::npos || e == std::string::npos || e < spec_end) {
      std::fprintf(stderr, "pfncache-docs: %s: unterminated generated block\n", path.c_str());
      return false;
    }
    const std::string spec =
        text.substr(b + std::strlen(kBegin), spec_end - b - std::strlen(kBegin));
    std::string content, err;
    std::fprintf(stderr, "  %s: %s\n", path.c_str(), spec.c_str());
    if (!generate(root, spec, content, err)) {
      std::fprintf(stderr, "pfncache-docs: %s: %s\n", path.c_str(), err.c_str());
      ok = false;
      content = text.substr(spec_end + 5, e - spec_end - 5);
    }
    result += text.substr(pos, spec_end + 5 - pos);
    result += content;
    pos = e;
  }
  result += text.substr(pos);
  if (!ok) return false;  // a file with a failed block is left as it was
  if (result == text) return true;
  if (check) {
    std::fprintf(stderr, "pfncache-docs: %s is stale: run scripts/docs to regenerate it\n",
                 path.c_str());
    ++stale;
    return true;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream outf(tmp);
    outf << result;
    if (!outf) {
      std::fprintf(stderr, "pfncache-docs: cannot write %s\n", tmp.c_str());
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::fprintf(stderr, "pfncache-docs: cannot replace %s: %s\n", path.c_str(),
                 std::strerror(errno));
    std::remove(tmp.c_str());
    return false;
  }
  std::fprintf(stderr, "pfncache-docs: rewrote %s\n", path.c_str());
  return true;
}

std::vector<std::string> markdown_files(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 3 && n.compare(n.size() - 3, 3, ".md") == 0) out.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool check = false;
  std::string root = PFV_SOURCE_DIR;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--check") {
      check = true;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: pfncache-docs [--check] [ROOT]\n");
      return 2;
    } else {
      root = a;
    }
  }
  std::vector<std::string> files = markdown_files(root + "/docs");
  for (const char* sub : {"/docs/mutants", "/docs/findings"})
    for (const std::string& f : markdown_files(root + sub)) files.push_back(f);
  if (files.empty()) {
    std::fprintf(stderr, "pfncache-docs: no Markdown files under %s/docs\n", root.c_str());
    return 2;
  }
  bool ok = true;
  int stale = 0;
  for (const std::string& f : files) ok = process(root, f, check, stale) && ok;
  if (!ok) return 1;
  if (stale) {
    std::fprintf(stderr, "pfncache-docs: %d file(s) stale\n", stale);
    return 1;
  }
  return 0;
}
