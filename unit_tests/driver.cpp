// unit_tests/driver.cpp: the Relacy driver's contracts: strict exit status,
// replayable decisions.
#include "relacy_tests/driver.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "model/litmus.hpp"
#include "tsan_tests/driver.hpp"

namespace {

using Proc = pfv::real::ProcessResult;

Proc run(const std::string& args) {
  return pfv::real::run_process(std::string(PFV_RELACY_LITMUS) + " " + args);
}

}  // namespace

TEST_CASE("relacy_litmus: a right expectation is green", "[driver]") {
  const Proc p = run("--only MP+relaxed+relaxed");
  CHECK(p.status == 0);
  CHECK(p.output.find("all litmus results as expected") != std::string::npos);
}

TEST_CASE("relacy_litmus: a wrong expectation turns the run red", "[driver]") {
  // MP+relaxed+relaxed does show the stale read; claiming Never must fail.
  const Proc sometimes = run("--only MP+relaxed+relaxed --expect MP+relaxed+relaxed=Never");
  CHECK(sometimes.status == 1);
  CHECK(sometimes.output.find("UNEXPECTED") != std::string::npos);
  // MP+release+acquire never does; claiming Sometimes must fail too.
  const Proc never = run("--only MP+release+acquire --expect MP+release+acquire=Sometimes");
  CHECK(never.status == 1);
  // A race that is expected not to happen.
  const Proc race = run("--only Race+plain --expect Race+plain=pass");
  CHECK(race.status == 1);
}

TEST_CASE("relacy_litmus: bad usage exits 2 with a message", "[driver]") {
  const Proc unknown = run("--only No+such+test");
  CHECK(unknown.status == 2);
  CHECK(unknown.output.find("unknown litmus test") != std::string::npos);
  const Proc option = run("--frobnicate");
  CHECK(option.status == 2);
}

TEST_CASE("decisions round-trip through their text form", "[driver]") {
  std::vector<pfv::search::Decision> d;
  for (int i = 0; i < 7; ++i) d.push_back({0, 1});
  d.push_back({1, 1});
  d.push_back({0, 0});
  d.push_back({0, 2});
  d.push_back({0, 2});
  const std::string s = pfv::encode_decisions(d);
  CHECK(s == "1*7.b022");
  std::vector<pfv::search::Decision> back;
  REQUIRE(pfv::decode_decisions(s, back));
  REQUIRE(back.size() == d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    CHECK(back[i].data == d[i].data);
    CHECK(back[i].value == d[i].value);
  }
  CHECK_FALSE(pfv::decode_decisions("1*.", back));
  CHECK_FALSE(pfv::decode_decisions("1?", back));
}

TEST_CASE("a failing execution replays exactly from its decisions", "[driver]") {
  pfv::search::Config c;
  c.mode = pfv::search::Mode::full;
  const pfv::RunResult r = pfv::run<pfv::litmus::Race_write_under_read_lock<pfv::RelacyModel>>(c);
  REQUIRE(r.result == rl::test_result_data_race);
  CHECK(r.failure.replayed);
  const pfv::RunResult again =
      pfv::replay<pfv::litmus::Race_write_under_read_lock<pfv::RelacyModel>>(r.failure.decisions,
                                                                             false);
  CHECK(again.result == rl::test_result_data_race);
  CHECK(again.stats.executions + again.stats.redundant == 0);  // it stopped in its only execution
  CHECK(again.failure.trace.find("data race on v") != std::string::npos);
}
