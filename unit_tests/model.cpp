// unit_tests/model.cpp: the real model's own machinery (check handler,
// observation counters, source locations).
#include <catch2/catch.hpp>
#include <cstring>
#include <thread>
#include <vector>

#include "model/real_model.hpp"
#include "tsan_tests/driver.hpp"

using pfv::Loc;
using pfv::RealModel;

namespace {
Loc where_am_i(Loc loc = Loc::current()) { return loc; }
}  // namespace

TEST_CASE("Loc::current() names the caller, not the callee", "[model]") {
  const Loc l = where_am_i();
  const unsigned line = __LINE__ - 1;
  CHECK(std::strstr(l.file, "unit_tests/model.cpp") != nullptr);
  CHECK(l.line == line);
  CHECK(std::strcmp(l.func, "where_am_i") != 0);
}

TEST_CASE("real model: a failed check reaches the installed handler", "[model]") {
  pfv::real::CountingChecks counting;
  RealModel::check(true, "S0: holds");
  CHECK(counting.failures() == 0);
  RealModel::check(false, "S0: does not hold");
  RealModel::check(false, "S0: does not hold either");
  CHECK(counting.failures() == 2);
  CHECK(counting.first().rfind("S0: does not hold at ", 0) == 0);
}

TEST_CASE("real model: observations are counted per text, across threads", "[model]") {
  auto& obs = pfv::real::observations();
  const char* key = "unit: observed from many threads";
  const std::uint64_t before = obs.count(key);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) RealModel::observe(key);
    });
  for (auto& t : ts) t.join();
  CHECK(obs.count(key) - before == 4000);
  CHECK(obs.count_prefix("unit: observed") >= 4000);
}

TEST_CASE("real model: locks and atomics behave as their std counterparts", "[model]") {
  RealModel::rwlock l("l");
  REQUIRE(l.read_trylock());
  REQUIRE(l.read_trylock());
  CHECK_FALSE(l.write_trylock());
  l.read_unlock();
  l.read_unlock();
  REQUIRE(l.write_trylock());
  CHECK_FALSE(l.read_trylock());
  l.write_unlock();

  RealModel::atomic<unsigned long> a("a", 5);
  CHECK(a.fetch_add(2, std::memory_order_relaxed) == 5);
  unsigned long expected = 7;
  CHECK(
      a.compare_exchange_strong(expected, 9, std::memory_order_acq_rel, std::memory_order_acquire));
  CHECK(a.load(std::memory_order_acquire) == 9);
}
