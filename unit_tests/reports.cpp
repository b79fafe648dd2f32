// unit_tests/reports.cpp: the gate's JSON and JUnit reports round-trip:
// written by relacy_tests/gate.hpp, parsed back, every field where it
// belongs, whatever characters the text carries.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "relacy_tests/gate.hpp"

namespace {

using namespace pfv;

// Text with everything an escaper can get wrong: quotes, backslashes,
// control characters, markup, and a byte that is not UTF-8.
constexpr const char kNasty[] = "a \"quoted\" \\path\\ with \x01\x1f tab\t newline\n <&> \xff end";

constexpr VariantInfo kVariant = {"nasty-variant",     VariantKind::mutant,        kNasty,
                                  "S3|race gpc.valid", "two_invalidators_refresh", nullptr};
constexpr VariantInfo kKernel = {"v-test", VariantKind::kernel, "plain", nullptr, nullptr, nullptr};
constexpr ScenarioInfo kScenario = {"two_invalidators_refresh", "shape", "result", "shows", "R3"};

bool never(const char*) { return true; }

Cell cell(const VariantInfo& v) { return Cell{&v, &kScenario, 0, 0, 3, nullptr, nullptr, &never}; }

std::vector<gate::Row> rows(const Cell& caught, const Cell& passed) {
  gate::Row a;
  a.cell = &caught;
  a.expected = gate::expectation(caught);
  a.result.search = "bound=2";
  a.result.result = rl::test_result_user_assert_failed;
  a.result.executions = 41;
  a.result.failure.kind = "invariant";
  a.result.failure.what = std::string("S3: ") + kNasty;
  a.result.failure.file = "impl/pfncache.hpp";
  a.result.failure.func = "write_unlock_irq";
  a.result.failure.line = 221;
  a.result.failure.decisions = "1*3.0b";
  a.result.failure.trace = std::string("  trace line with ") + kNasty + "\n";
  a.result.observations = {{"R3: seq", 7}};
  a.seconds = 0.25;
  gate::decide(a, true, "");

  gate::Row b;
  b.cell = &passed;
  b.expected = gate::expectation(passed);
  b.result.search = "reduced";
  b.result.complete = true;
  b.result.executions = 100;
  b.result.observations = {{"R3: seq", 5}};
  b.seconds = 1.5;
  gate::decide(b, true, "");
  return {a, b};
}

}  // namespace

TEST_CASE("reports: the JSON report parses back with every field", "[reports]") {
  const Cell c1 = cell(kVariant), c2 = cell(kKernel);
  const std::vector<gate::Row> r = rows(c1, c2);
  REQUIRE(r[0].verdict == "ok");  // caught as expected (S3)
  REQUIRE(r[1].verdict == "ok");
  const std::string text = gate::json_text(gate::json_report(r, "auto", "0/1", ""));
  const nlohmann::json j = nlohmann::json::parse(text);  // throws if malformed
  CHECK(j.at("schema") == gate::kSchema);
  CHECK(j.at("tool") == "pfncache-verify");
  CHECK(j.at("summary").at("cells") == 2);
  CHECK(j.at("summary").at("not_ok") == 0);
  const nlohmann::json& v = j.at("variants").at(0);
  CHECK(v.at("name") == "nasty-variant");
  CHECK(v.at("kind") == "mutant");
  // Everything but the byte that is not UTF-8 survives exactly; that byte
  // becomes U+FFFD.
  const std::string summary = v.at("summary").get<std::string>();
  CHECK(summary.find("a \"quoted\" \\path\\ with \x01\x1f tab\t newline\n <&> ") == 0);
  CHECK(summary.find("\xef\xbf\xbd end") != std::string::npos);
  const nlohmann::json& c = j.at("cells").at(0);
  CHECK(c.at("variant") == "nasty-variant");
  CHECK(c.at("scenario") == "two_invalidators_refresh");
  CHECK(c.at("result") == "S3");
  CHECK(c.at("verdict") == "ok");
  CHECK(c.at("failure").at("line") == 221);
  CHECK(c.at("failure").at("replay") == "nasty-variant:two_invalidators_refresh:f:1*3.0b");
  CHECK(c.at("observations").at("R3: seq") == 7);
  CHECK(j.at("cells").at(1).at("complete") == true);
}

TEST_CASE("reports: the JUnit report is XML a CI system reads", "[reports]") {
  const Cell c1 = cell(kVariant), c2 = cell(kKernel);
  std::vector<gate::Row> r = rows(c1, c2);
  r[1].verdict = "UNEXPECTED";  // make one fail, to see its failure element
  const std::string text = gate::junit_report(r);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(text.c_str()));
  const pugi::xml_node suites = doc.child("testsuites");
  CHECK(std::string(suites.attribute("name").value()) == "pfncache-verify");
  CHECK(suites.attribute("tests").as_int() == 2);
  CHECK(suites.attribute("failures").as_int() == 1);
  int nsuites = 0;
  for (pugi::xml_node s : suites.children("testsuite")) {
    ++nsuites;
    CHECK(s.attribute("tests").as_int() == 1);
    const pugi::xml_node tc = s.child("testcase");
    CHECK(std::string(tc.attribute("name").value()) == "two_invalidators_refresh");
    CHECK(std::string(tc.attribute("classname").value()) == s.attribute("name").value());
  }
  CHECK(nsuites == 2);
  const pugi::xml_node failing =
      suites.find_child_by_attribute("testsuite", "name", "v-test").child("testcase");
  REQUIRE(failing.child("failure"));
  CHECK(std::string(failing.child("failure").attribute("type").value()) == "UNEXPECTED");
  // No control character XML 1.0 forbids reaches the file.
  for (char ch : text) {
    const unsigned char u = static_cast<unsigned char>(ch);
    CHECK_FALSE((u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r'));
  }
}

TEST_CASE("reports: a search result survives the trip between processes", "[reports]") {
  gate::SearchResult s;
  s.search = "reduced";
  s.result = rl::test_result_data_race;
  s.executions = 12;
  s.redundant = 3;
  s.complete = false;
  s.seconds = 0.5;
  s.outcome_hashes = {1, 5, 9};
  s.outcomes = 3;
  s.observations = {{"W0: window", 4}};
  s.workers = {{10, 2, 0.25}};
  s.failure.kind = "data race";
  s.failure.what = "gpc.valid";
  s.failure.trace = kNasty;
  s.failure.decisions = "0*4.1a";
  s.failure.random_memory = true;
  const gate::SearchResult t = gate::search_result_from_json(nlohmann::json::parse(
      gate::to_json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  CHECK(t.result == s.result);
  CHECK(t.executions == 12);
  CHECK(t.redundant == 3);
  CHECK(t.outcome_hashes == s.outcome_hashes);
  CHECK(t.observations.at(0).what == "W0: window");
  CHECK(t.workers.at(0).prefixes == 2);
  CHECK(t.failure.what == "gpc.valid");
  CHECK(t.failure.decisions == "0*4.1a");
  CHECK(t.failure.random_memory);
}

TEST_CASE("reports: the parts of a cooperative search merge into one", "[reports]") {
  gate::SearchResult a, b;
  a.search = b.search = "reduced";
  a.complete = b.complete = true;
  a.executions = 10;
  b.executions = 32;
  a.outcome_hashes = {1, 2};
  b.outcome_hashes = {2, 3};
  a.observations = {{"R3: x", 1}};
  b.observations = {{"R3: x", 2}, {"R4: y", 5}};
  gate::SearchResult m = gate::merge({a, b});
  CHECK(m.executions == 42);
  CHECK(m.complete);
  CHECK(m.outcomes == 3);
  CHECK(m.observed("R3") == 3);
  CHECK(m.observed("R4") == 5);
  CHECK(m.workers.size() == 2);
  b.complete = false;  // one part stopped early: the whole is not complete
  CHECK_FALSE(gate::merge({a, b}).complete);
  b.result = rl::test_result_user_assert_failed;  // one part failed: the whole failed
  m = gate::merge({a, b});
  CHECK(m.failed());
  CHECK_FALSE(m.complete);
}
