// relacy_tests/search_report.cpp: what each search costs on each scenario.
//
// For the v6.9 variant in every scenario (the slow ones too), runs side by
// side:
//   * Relacy's own full search and context-bound search (its stock
//     schedulers, with a time limit added: Relacy has none),
//   * Knuth's estimate of the size of the full tree (random root-to-leaf
//     walks of this project's full search, which, unlike the stock one, does
//     not branch on a thread that would only block on a lock), beside that
//     full search itself, cut off at the same limit,
//   * the reduced search (relacy_tests/search/engine.hpp),
// and prints a Markdown table: executions, distinct Mazurkiewicz classes,
// executions cut short by sleep sets, time and rate.
//
//   relacy_search_report [--max-seconds S] [--walks N] [--only SCENARIO,...]
//                        [--reduced-only [--shard I/N]] [--reduced-seconds S]
//   relacy_search_report --scaling [--shard I/N] [--reduced-seconds S]
//   relacy_search_report --reductions [--only SCENARIO,...] [--reduced-seconds S]
//
// --reductions measures what the two coarsenings of the reduced search buy,
// scenario by scenario: the reduced search with class keys, first as it was
// before them (every checker ghost ordered as a step of its own, no symmetry
// rule), then with unordered ghosts, then with both (the gate's search).
// Their soundness evidence is elsewhere (relacy.ghosts, relacy_reduction);
// this is the cost side. Exit status 1 if, in some scenario, the three give
// different verdicts or a coarsening explores more classes than the search
// without it (ctest relacy.coarsenings runs two small scenarios).
//
// --reduced-only runs only the reduced search, without recording classes
// (about twice as fast), with progress and an estimated time to completion
// on stderr: the way to measure a long tree, shard by shard if needed.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "impl/scenarios.hpp"
#include "impl/variants/v6_9.hpp"
#include "relacy_tests/cells.hpp"
#include "relacy_tests/driver.hpp"

namespace {

using namespace pfv;
using Clock = std::chrono::steady_clock;

struct StockRun {
  std::uint64_t executions = 0;
  bool complete = false, timed_out = false;
  double seconds = 0;
  std::uint64_t classes = 0;
  rl::test_result_e result = rl::test_result_success;
};

StockRun& stock() {
  static StockRun s;
  return s;
}
Clock::time_point& deadline() {
  static Clock::time_point d;
  return d;
}

bool count_and_stop() {
  ++stock().executions;
  if (Clock::now() > deadline()) {
    stock().timed_out = true;
    return true;
  }
  return false;
}

// Relacy's tree search with the time limit Relacy lacks: the one thing the
// two stock schedulers below add to it.
template <class Derived, class ThreadInfo, rl::thread_id_t N>
class TimeLimited : public rl::tree_search_scheduler<Derived, ThreadInfo, N> {
 protected:
  using base_t = rl::tree_search_scheduler<Derived, ThreadInfo, N>;

 public:
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;
  TimeLimited(rl::test_params& p, shared_context_t& c, rl::thread_id_t d) : base_t(p, c, d) {}
  double iteration_count_approx() { return 1.0; }
  bool iteration_end_impl() {
    if (count_and_stop()) return true;
    const bool done = base_t::iteration_end_impl();
    stock().complete = done;
    return done;
  }
};

// Relacy's full_search_scheduler, plus a time limit.
template <rl::thread_id_t N>
class StockFull
    : public TimeLimited<StockFull<N>, rl::tree_search_scheduler_thread_info<N>, N> {
  using limited_t = TimeLimited<StockFull<N>, rl::tree_search_scheduler_thread_info<N>, N>;

 public:
  using typename limited_t::shared_context_t;
  using typename limited_t::thread_info_t;
  using limited_t::limited_t;
  bool can_switch(thread_info_t&) { return true; }
  void on_switch(thread_info_t&) {}
};

// Relacy's context_bound_scheduler, plus a time limit.
template <rl::thread_id_t N>
class StockBound
    : public TimeLimited<StockBound<N>, rl::context_bound_scheduler_thread_info<N>, N> {
  using limited_t = TimeLimited<StockBound<N>, rl::context_bound_scheduler_thread_info<N>, N>;

 public:
  using typename limited_t::shared_context_t;
  using typename limited_t::thread_info_t;
  using limited_t::limited_t;
  rl::thread_id_t iteration_begin_impl() {
    switches_remain_ = this->params_.context_bound;
    return limited_t::base_t::iteration_begin_impl();
  }
  bool can_switch(thread_info_t& t) {
    t.sched_count_ += 1;
    return switches_remain_ != 0;
  }
  void on_switch(thread_info_t& t) {
    if (t.state_ == rl::thread_state_running)
      switches_remain_ -= 1;
    else
      t.forced_context_switch_count_ += 1;
  }

 private:
  unsigned switches_remain_ = 0;
};

template <class S, template <rl::thread_id_t> class Sched>
StockRun run_stock(double max_seconds, unsigned bound) {
  stock() = StockRun{};
  Collector collector;
  collector.keep_classes = true;
  active_collector() = &collector;
  search::active_engine() = nullptr;
  rlm::recorder().logging = true;
  NullStream null;
  rl::test_params p;
  p.search_type = rl::sched_full;
  p.context_bound = bound;
  p.execution_depth_limit = 20000;
  p.output_stream = &null;
  p.progress_stream = &null;
  rl::ostringstream state;
  const auto t0 = Clock::now();
  deadline() =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  using Test = RelacyTest<S>;
  stock().result = rl::run_test<Test, Sched<Test::params::thread_count>>(p, state, false);
  stock().seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  stock().classes = collector.classes().size();
  active_collector() = nullptr;
  return stock();
}

std::string cell(const StockRun& r) {
  char b[160];
  const char* what = r.result != rl::test_result_success ? rl::test_result_str(r.result)
                     : r.complete                        ? "complete"
                                                         : "cut off";
  std::snprintf(b, sizeof b, "%llu (%s, %llu classes, %.1fs)",
                static_cast<unsigned long long>(r.executions), what,
                static_cast<unsigned long long>(r.classes), r.seconds);
  return b;
}

struct Options {
  double max_seconds = 60;
  double reduced_seconds = 0;  // 0: five times max_seconds
  std::uint64_t walks = 2000;
  std::vector<std::string> only;  // --only: these scenarios (empty: every one)
  bool reduced_only = false;
  bool scaling = false;
  bool reductions = false;
  unsigned shard = 0, shards = 1;
  bool selected(const std::string& name) const {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  }
};

// A reduced search's result in the tables: its failure, "complete", or
// "CUT OFF" (its time ran out).
const char* outcome(const RunResult& r) {
  return r.result != rl::test_result_success ? rl::test_result_str(r.result)
         : r.stats.complete                  ? "complete"
                                             : "CUT OFF";
}

// The reduced search of --reduced-only and --scaling: cut off at
// --reduced-seconds, this process's shard only, with progress on stderr.
search::Config sharded_reduced(const Options& o, const char* label) {
  search::Config reduced;
  reduced.mode = search::Mode::reduced;
  reduced.max_seconds = o.reduced_seconds;
  reduced.shard = o.shard;
  reduced.shards = o.shards;
  if (o.shards > 1) reduced.split_depth = 6;
  reduced.progress_label = label;
  return reduced;
}

template <class S>
void reduced_row(const Options& o) {
  const search::Config reduced = sharded_reduced(o, S::info.name);
  RunOptions quiet;
  quiet.want_trace = false;
  const RunResult red = run<S>(reduced, quiet);
  std::printf("| %s | %u | shard %u/%u | %s | %llu | %llu | %llu | %.1fs | %.0f/s |\n",
              S::info.name, S::threads, o.shard, o.shards, outcome(red),
              static_cast<unsigned long long>(red.stats.executions),
              static_cast<unsigned long long>(red.stats.redundant),
              static_cast<unsigned long long>(red.stats.skipped), red.stats.seconds,
              red.stats.seconds > 0 ? red.stats.executions / red.stats.seconds : 0.0);
  std::fflush(stdout);
}

// The scaling table's row: Knuth's estimate of the full tree, and the
// reduced search (no class keys) cut off at --reduced-seconds.
template <class S>
void scaling_row(const Options& o) {
  search::Config probe;
  probe.mode = search::Mode::probe;
  probe.iterations = o.walks;
  RunOptions quiet;
  quiet.want_trace = false;
  const RunResult est = run<S>(probe, quiet);
  const RunResult red = run<S>(sharded_reduced(o, S::info.name), quiet);
  std::printf("| %s | %u | %s | %.3g | shard %u/%u | %s | %llu | %llu | %.1fs | %.0f/s |\n",
              S::info.name, S::threads, S::info.shape, est.probe_estimate, o.shard, o.shards,
              outcome(red),
              static_cast<unsigned long long>(red.stats.executions),
              static_cast<unsigned long long>(red.stats.redundant), red.stats.seconds,
              red.stats.seconds > 0 ? red.stats.executions / red.stats.seconds : 0.0);
  std::fflush(stdout);
}

// One configuration of the --reductions table: the reduced search with
// class keys, ghosts ordered or not, the symmetry rule on or off.
std::string reduction_cell(const RunResult& r) {
  char b[200];
  std::snprintf(b, sizeof b, "%llu, %llu classes, %.1fs (%s)",
                static_cast<unsigned long long>(r.stats.executions + r.stats.redundant),
                static_cast<unsigned long long>(r.classes), r.stats.seconds, outcome(r));
  return b;
}

template <class S>
RunResult reduction_run(const Options& o, bool ghosts_ordered, bool symmetry) {
  search::Config c;
  c.mode = search::Mode::reduced;
  c.max_seconds = o.reduced_seconds;
  c.symmetry = symmetry;
  RunOptions classes;
  classes.keep_classes = true;
  classes.want_trace = false;
  rlm::recorder().ghosts_ordered = ghosts_ordered;
  RunResult r = run<S>(c, classes);
  rlm::recorder().ghosts_ordered = false;
  return r;
}

// Set by reduction_row when the three searches of a scenario disagree on
// the verdict, or a coarsening explored more classes than the search
// without it (both complete): --reductions then exits 1.
bool& reductions_disagree() {
  static bool d = false;
  return d;
}

template <class S>
void reduction_row(const Options& o) {
  const RunResult before = reduction_run<S>(o, true, false);
  const RunResult ghosts = reduction_run<S>(o, false, false);
  const RunResult both = reduction_run<S>(o, false, true);
  char ratio[64] = "-";
  if (before.stats.complete && both.stats.complete && both.classes > 0)
    std::snprintf(ratio, sizeof ratio, "%.2f",
                  static_cast<double>(before.classes) / static_cast<double>(both.classes));
  std::printf("| %s | %u | %s | %s | %s | %s |\n", S::info.name, S::threads,
              reduction_cell(before).c_str(), reduction_cell(ghosts).c_str(),
              reduction_cell(both).c_str(), ratio);
  std::fflush(stdout);
  // A verdict is reached when the search failed or completed (not when its
  // time ran out); class counts compare only between complete passes.
  const auto decided = [](const RunResult& r) {
    return r.result != rl::test_result_success || r.stats.complete;
  };
  const auto passed = [](const RunResult& r) {
    return r.result == rl::test_result_success && r.stats.complete;
  };
  const bool verdicts_differ = decided(before) && decided(ghosts) && decided(both) &&
                               (before.result != ghosts.result || ghosts.result != both.result);
  const bool grew = (passed(before) && passed(ghosts) && ghosts.classes > before.classes) ||
                    (passed(ghosts) && passed(both) && both.classes > ghosts.classes);
  if (verdicts_differ || grew) {
    std::fprintf(stderr, "relacy_search_report: %s: %s\n", S::info.name,
                 verdicts_differ ? "the three searches give different verdicts"
                                 : "a coarsening explored more classes than the search without it");
    reductions_disagree() = true;
  }
}

template <class S>
void row(const Options& o) {
  if (!o.selected(S::info.name)) return;
  if (o.reductions) return reduction_row<S>(o);
  if (o.reduced_only) return reduced_row<S>(o);
  const double max_seconds = o.max_seconds;
  const std::uint64_t walks = o.walks;
  const StockRun full = run_stock<S, StockFull>(max_seconds, 0);
  const StockRun b2 = run_stock<S, StockBound>(max_seconds, 2);
  const StockRun b3 = run_stock<S, StockBound>(max_seconds, 3);

  search::Config probe;
  probe.mode = search::Mode::probe;
  probe.iterations = walks;
  RunOptions quiet;
  quiet.want_trace = false;
  const RunResult est = run<S>(probe, quiet);

  // The tree the estimate is of: this project's full search, cut off like
  // the stock ones.
  search::Config full_ours;
  full_ours.mode = search::Mode::full;
  full_ours.max_seconds = max_seconds;
  const RunResult fo = run<S>(full_ours, quiet);

  search::Config reduced;
  reduced.mode = search::Mode::reduced;
  reduced.max_seconds = o.reduced_seconds;
  RunOptions classes;
  classes.keep_classes = true;
  classes.want_trace = false;
  const RunResult red = run<S>(reduced, classes);
  const double per_class =
      red.classes ? static_cast<double>(red.stats.executions + red.stats.redundant) / red.classes
                  : 0;
  std::printf(
      "| %s | %u | %s | %.3g (±%.1g) | %llu (%s, %.1fs) | %s | %s | %llu%s, %llu cut by "
      "sleep sets, %llu classes, %.2f per class, %.1fs, %.0f/s |\n",
      S::info.name, S::threads, cell(full).c_str(), est.probe_estimate, est.probe_stderr,
      static_cast<unsigned long long>(fo.stats.executions + fo.stats.redundant),
      fo.result != rl::test_result_success ? rl::test_result_str(fo.result)
      : fo.stats.complete                  ? "complete"
                                           : "cut off",
      fo.stats.seconds, cell(b2).c_str(), cell(b3).c_str(),
      static_cast<unsigned long long>(red.stats.executions), red.stats.complete ? "" : " (CUT OFF)",
      static_cast<unsigned long long>(red.stats.redundant),
      static_cast<unsigned long long>(red.classes), per_class, red.stats.seconds,
      red.stats.seconds > 0 ? red.stats.executions / red.stats.seconds : 0.0);
  std::fflush(stdout);
}

// ---- the scaling family (docs/measured/search.md, "Scaling") ---------------
// One shape grown a thread at a time: migrations of hva page 0 (symmetric),
// one kvm_gpc_refresh() of an active, invalid cache, readers' fast paths
// (symmetric). Three threads is two_invalidators_refresh; five is the shape
// of the SPIN model the issue compares with (three invalidators, a
// refresher, a user).
template <class M, template <class> class V, unsigned Inv, unsigned Readers>
struct ScalingBody : ScenarioBase<M, V> {
  static constexpr unsigned threads = Inv + 1 + Readers;
  static constexpr const char* kNames2[] = {"invalidate", "invalidate", "refresh", "read", "read"};
  static constexpr const char* kNames3[] = {"invalidate", "invalidate", "invalidate",
                                            "refresh",    "read",       "read"};
  static constexpr const char* const* thread_names = Inv == 2 ? kNames2 : kNames3;
  static constexpr int sym(unsigned t) {
    return t == 0 || t == Inv ? -1 : t < Inv ? static_cast<int>(t) - 1 : t == Inv + 1 ? -1
                                                                              : static_cast<int>(t) - 1;
  }
  static constexpr std::array<int, threads> syms() {
    std::array<int, threads> a{};
    for (unsigned t = 0; t < threads; ++t) a[t] = sym(t);
    return a;
  }
  ScalingBody() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i < Inv)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == Inv)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};
#define PFV_SCALING(NAME, INV, READERS, TEXT)                                               \
  template <class M, template <class> class V>                                            \
  struct NAME : ScalingBody<M, V, INV, READERS> {                                           \
    using B = ScalingBody<M, V, INV, READERS>;                                              \
    static constexpr ScenarioInfo info = {#NAME, TEXT, "", "", ""};                         \
    static constexpr std::array<int, B::threads> symmetric_with = B::syms();               \
  };
PFV_SCALING(scale_3, 2, 0, "2 migrations || refresh")
PFV_SCALING(scale_4, 2, 1, "2 migrations || refresh || reader")
PFV_SCALING(scale_5, 3, 1, "3 migrations || refresh || reader")
PFV_SCALING(scale_6, 3, 2, "3 migrations || refresh || 2 readers")
#undef PFV_SCALING

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const auto usage = [] {
    std::fprintf(stderr,
                 "usage: relacy_search_report [--max-seconds S] [--walks N] [--only SCENARIO,...]\n"
                 "                            [--reduced-only [--shard I/N]] [--reduced-seconds S]\n"
                 "       relacy_search_report --scaling [--shard I/N] [--reduced-seconds S]\n"
                 "       relacy_search_report --reductions [--only SCENARIO,...] [--reduced-seconds S]\n");
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--max-seconds" && has) {
      o.max_seconds = std::strtod(argv[++i], nullptr);
    } else if (a == "--reduced-seconds" && has) {
      o.reduced_seconds = std::strtod(argv[++i], nullptr);
      if (!(o.reduced_seconds > 0)) return usage();
    } else if (a == "--walks" && has) {
      o.walks = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--only" && has) {
      const std::string list = argv[++i];
      if (!list.empty()) o.only = split(list, ',');
    } else if (a == "--scaling") {
      o.scaling = true;
    } else if (a == "--reductions") {
      o.reductions = true;
    } else if (a == "--reduced-only") {
      o.reduced_only = true;
    } else if (a == "--shard" && has) {
      if (std::sscanf(argv[++i], "%u/%u", &o.shard, &o.shards) != 2 || o.shards == 0 ||
          o.shard >= o.shards) {
        std::fprintf(stderr, "relacy_search_report: bad --shard %s (want I/N, 0 <= I < N)\n",
                     argv[i]);
        return 2;
      }
    } else {
      return usage();
    }
  }
  if (!(o.max_seconds > 0) || o.walks == 0) {
    std::fprintf(stderr, "relacy_search_report: --max-seconds and --walks must be positive\n");
    return 2;
  }
  if (o.reductions && (o.reduced_only || o.scaling || o.shards > 1)) {
    std::fprintf(stderr,
                 "relacy_search_report: --reductions goes with neither --reduced-only, "
                 "--scaling nor --shard\n");
    return 2;
  }
  if (o.scaling) {
    if (o.reduced_seconds == 0) o.reduced_seconds = 600;
    std::printf(
        "Variant v6.9, the scaling family: Knuth's estimate of the full tree (%llu walks), "
        "and the reduced search (no class keys) cut off after %g s.\n\n"
        "| scenario | threads | shape | full tree (estimate) | part | result | executions | "
        "cut by sleep sets | time | rate |\n|---|---|---|---|---|---|---|---|---|---|\n",
        static_cast<unsigned long long>(o.walks), o.reduced_seconds);
    scaling_row<scale_3<RelacyModel, V6_9>>(o);
    scaling_row<scale_4<RelacyModel, V6_9>>(o);
    scaling_row<scale_5<RelacyModel, V6_9>>(o);
    scaling_row<scale_6<RelacyModel, V6_9>>(o);
    return 0;
  }
  if (o.shards > 1 && !o.reduced_only && !o.scaling) {
    std::fprintf(stderr, "relacy_search_report: --shard needs --reduced-only\n");
    return 2;
  }
  if (o.reduced_seconds == 0) o.reduced_seconds = 5 * o.max_seconds;
  for (const std::string& name : o.only) {
    bool known = false;
#define PFV_KNOWN(S) known = known || name == S<RelacyModel, V6_9>::info.name;
    PFV_SCENARIOS(PFV_KNOWN)
#undef PFV_KNOWN
    if (!known) {
      std::fprintf(stderr, "relacy_search_report: unknown scenario: '%s'\n", name.c_str());
      return 2;
    }
  }
  if (o.reductions) {
    std::printf(
        "Variant v6.9, the reduced search with class keys, cut off after %g s, three ways:\n"
        "before the coarsenings (every ghost ordered, no symmetry rule), with unordered\n"
        "ghosts, and with both (the gate's search). Each cell: executions (with those cut by\n"
        "sleep sets), distinct classes, time, result.\n\n"
        "| scenario | threads | before: ghosts ordered, no symmetry | unordered ghosts | "
        "unordered ghosts + symmetry | classes before / after |\n|---|---|---|---|---|---|\n",
        o.reduced_seconds);
  } else if (o.reduced_only) {
    std::printf("Variant v6.9, reduced search only (no class keys), cut off after %g s.\n\n",
                o.reduced_seconds);
    std::printf(
        "| scenario | threads | part | result | executions | cut by sleep sets | skipped "
        "(other shards) | time | rate |\n|---|---|---|---|---|---|---|---|---|\n");
  } else {
    std::printf(
        "Variant v6.9. Relacy's stock searches are cut off after %g s each; the\n"
        "full-tree estimate is Knuth's, from %llu random walks.\n\n",
        o.max_seconds, static_cast<unsigned long long>(o.walks));
    std::printf(
        "| scenario | threads | Relacy full search | full tree (estimate) | full search "
        "(this project) | Relacy bound=2 | Relacy bound=3 | reduced (this project) |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
  }
#define PFV_REPORT_ROW(S) row<S<RelacyModel, V6_9>>(o);
  PFV_SCENARIOS(PFV_REPORT_ROW)
#undef PFV_REPORT_ROW
  return reductions_disagree() ? 1 : 0;
}
