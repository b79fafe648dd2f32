// unit_tests/gate.cpp: the pfncache-verify command line: exit statuses,
// bad input, reports, replay.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>
#include <string>

#include "tsan_tests/driver.hpp"

namespace {

using Proc = pfv::real::ProcessResult;

Proc gate(const std::string& args) {
  return pfv::real::run_process(std::string(PFV_GATE) + " --quiet " + args);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

std::string temp_path(const char* stem) { return std::string(PFV_TMPDIR) + "/" + stem; }

}  // namespace

TEST_CASE("gate: a kernel variant passes and exits 0", "[gate]") {
  const Proc p = gate("--variant v6.9 --scenario invalidate_vs_read,invalidate_vs_refresh");
  CHECK(p.status == 0);
  CHECK(p.output.find("v6.9") != std::string::npos);
  CHECK(p.output.find("UNEXPECTED") == std::string::npos);
  CHECK(p.output.find("2 cells") != std::string::npos);
}

TEST_CASE("gate: a mutant is caught where it is targeted, with its trace", "[gate]") {
  const Proc p = gate("--variant retry-ignores-count --scenario invalidate_vs_refresh --trace");
  CHECK(p.status == 0);  // caught, as expected
  CHECK(p.output.find("S3") != std::string::npos);
  CHECK(p.output.find("FAILED: S3") != std::string::npos);
  CHECK(p.output.find("replay: pfncache-verify --replay") != std::string::npos);
}

TEST_CASE("gate: a mutant the search cannot catch turns the run red", "[gate]") {
  // Without preemptions the refresh cannot be interrupted by the
  // invalidation, so the mutant survives: its expected catch is missed.
  const Proc p =
      gate("--variant retry-ignores-count --scenario invalidate_vs_refresh --search bound=0");
  CHECK(p.status == 1);
  CHECK(p.output.find("UNEXPECTED") != std::string::npos);
}

TEST_CASE("gate: a pass that never reaches its Sometimes turns the run red", "[gate]") {
  // invalidate_vs_read reaches its own Sometimes (U1 U0 I1 W0) ...
  CHECK(gate("--variant v6.9 --scenario invalidate_vs_read --sometimes U1,W0").status == 0);
  // ... but the cache never moves there (W3), so a demand for W3 is unmet.
  const Proc p = gate("--variant v6.9 --scenario invalidate_vs_read --sometimes W3");
  CHECK(p.status == 1);
  CHECK(p.output.find("UNREACHED") != std::string::npos);
  CHECK(p.output.find("never reached W3") != std::string::npos);
  // A variant that cannot produce an observation is not asked for it: the
  // pre-patch invalidation has no pre-check window.
  CHECK(gate("--variant pre-patch --scenario move_vs_invalidate --sometimes W3").status == 0);
}

TEST_CASE("gate: bad input exits 2 with a message", "[gate]") {
  const Proc variant = gate("--variant no-such-variant");
  CHECK(variant.status == 2);
  CHECK(variant.output.find("unknown variant: no-such-variant") != std::string::npos);
  CHECK(gate("--scenario nowhere").status == 2);
  CHECK(gate("--search sideways").status == 2);
  CHECK(gate("--search bound=x").status == 2);
  CHECK(gate("--shard 3/2").status == 2);
  CHECK(gate("--shard 1").status == 2);
  CHECK(gate("--max-seconds -1").status == 2);
  CHECK(gate("--frobnicate").status == 2);
  CHECK(gate("--variant").status == 2);
  CHECK(gate("--replay nonsense").status == 2);
  CHECK(gate("--replay v6.9:nowhere:f:0").status == 2);
  CHECK(gate("--sometimes Z9").status == 2);
  CHECK(gate("--jobs 0").status == 2);
  CHECK(gate("--jobs x").status == 2);
  CHECK(gate("--split-after many").status == 2);
  CHECK(gate("--split 0").status == 2);
  CHECK(gate("--estimate 0").status == 2);
}

TEST_CASE("gate: an unwritable report is refused before running, nothing is left", "[gate]") {
  const std::string dir = temp_path("no-such-dir");
  const Proc p = gate("--variant v6.9 --scenario invalidate_vs_read --json " + dir + "/r.json");
  CHECK(p.status == 2);
  CHECK(p.output.find("cannot write") != std::string::npos);
  CHECK_FALSE(exists(dir + "/r.json"));
  const Proc x = gate("--variant v6.9 --scenario invalidate_vs_read --junit " + dir + "/r.xml");
  CHECK(x.status == 2);
  CHECK_FALSE(exists(dir + "/r.xml"));
}

TEST_CASE("gate: JSON and JUnit reports", "[gate]") {
  const std::string json = temp_path("gate-report.json");
  const std::string junit = temp_path("gate-report.xml");
  std::remove(json.c_str());
  std::remove(junit.c_str());
  const Proc p = gate("--variant v6.9,use-after-unlock --scenario invalidate_vs_read --json " +
                      json + " --junit " + junit);
  CHECK(p.status == 0);
  const nlohmann::json j = nlohmann::json::parse(slurp(json));
  CHECK(j.at("tool") == "pfncache-verify");
  CHECK(j.at("summary").at("not_ok") == 0);
  REQUIRE(j.at("cells").size() == 2);
  const nlohmann::json& uau = j.at("cells").at(1);
  CHECK(uau.at("variant") == "use-after-unlock");
  CHECK(uau.at("verdict") == "ok");
  CHECK(uau.at("failure").at("replay").get<std::string>().rfind(
            "use-after-unlock:invalidate_vs_read:", 0) == 0);
  pugi::xml_document x;
  REQUIRE(x.load_file(junit.c_str()));
  const pugi::xml_node suites = x.child("testsuites");
  CHECK(suites.attribute("tests").as_int() == 2);
  CHECK(suites.attribute("failures").as_int() == 0);
  const pugi::xml_node tc =
      suites.find_child_by_attribute("testsuite", "name", "use-after-unlock").child("testcase");
  CHECK(std::string(tc.attribute("name").value()) == "invalidate_vs_read");
}

TEST_CASE("gate: workers in parallel give the table a single process gives", "[gate]") {
  const std::string one = temp_path("gate-j1.json"), two = temp_path("gate-j2.json");
  const std::string cells =
      "--variant v6.9,retry-ignores-count --scenario invalidate_vs_refresh,refresh_read_invalidate,"
      "activate_deactivate --split-after 200 ";
  REQUIRE(gate(cells + "-j 1 --json " + one).status == 0);
  REQUIRE(gate(cells + "-j 2 --json " + two).status == 0);
  const nlohmann::json a = nlohmann::json::parse(slurp(one)), b = nlohmann::json::parse(slurp(two));
  REQUIRE(a.at("cells").size() == b.at("cells").size());
  for (std::size_t i = 0; i < a.at("cells").size(); ++i) {
    const nlohmann::json &x = a.at("cells").at(i), &y = b.at("cells").at(i);
    CHECK(x.at("variant") == y.at("variant"));
    CHECK(x.at("scenario") == y.at("scenario"));
    CHECK(x.at("verdict") == y.at("verdict"));
    CHECK(x.at("result") == y.at("result"));
    // A complete search explores the same tree however its prefixes are
    // shared out; the observations add up to the same counts.
    if (x.at("complete") == true) {
      CHECK(x.at("executions") == y.at("executions"));
      CHECK(x.at("observations") == y.at("observations"));
    }
  }
  // --split-after 200 made the larger searches cooperative: their parts
  // are reported, and with two workers the prefixes were shared out.
  bool shared = false;
  for (const nlohmann::json& c : b.at("cells"))
    if (c.contains("workers") && c.at("workers").size() == 2) shared = true;
  CHECK(shared);
}

TEST_CASE("gate: --only checks one invariant for any variant", "[gate]") {
  // retry-ignores-count breaks the design rule S2 first; with only S3 on,
  // the search goes on to the harm: a stale page installed.
  const Proc s3 = gate("--variant retry-ignores-count --scenario invalidate_vs_refresh --only S3");
  CHECK(s3.status == 0);  // mutants' cells are informational under --only
  CHECK(s3.output.find("S3") != std::string::npos);
  CHECK(s3.output.find(" info") != std::string::npos);
  // A kernel variant must still pass with one invariant on.
  CHECK(gate("--variant v6.9 --scenario invalidate_vs_refresh --only S1").status == 0);
  CHECK(gate("--only Z9").status == 2);
}

TEST_CASE("gate: --replay re-runs exactly the failing execution", "[gate]") {
  const Proc p = gate("--variant count-after-walk --scenario invalidate_vs_refresh --trace");
  REQUIRE(p.status == 0);
  const std::string key = "--replay '";
  const auto at = p.output.find(key);
  REQUIRE(at != std::string::npos);
  const auto end = p.output.find('\'', at + key.size());
  const std::string state = p.output.substr(at + key.size(), end - at - key.size());
  const Proc r = gate("--replay '" + state + "'");
  CHECK(r.status == 0);
  CHECK(r.output.find("replayed one execution") != std::string::npos);
  CHECK(r.output.find("FAILED: S3") != std::string::npos);
  CHECK(r.output.find("WARNING") == std::string::npos);
}

TEST_CASE("gate: --list names every variant and scenario", "[gate]") {
  const Proc p = gate("--list");
  CHECK(p.status == 0);
  CHECK(p.output.find("no-recheck") != std::string::npos);
  CHECK(p.output.find("two_invalidators_refresh") != std::string::npos);
}
