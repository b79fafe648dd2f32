// relacy_tests/search/engine.hpp: the search strategies behind every Relacy
// run of this project.
//
// WHAT IT IS
//   One search engine, plugged into Relacy through rl::run_test<test,
//   scheduler> (relacy_tests/search/scheduler.hpp is the thin adapter). It
//   decides, at every scheduling point, which thread runs next, and at every
//   data choice (which store a relaxed load reads), which value is taken. Its
//   modes:
//     full      every enabled thread at every scheduling point, every data
//               choice: a depth-first search of the whole tree.
//     bound=N   the same tree, cut to executions with at most N preemptions
//               (switching away from a thread that could have continued);
//               blocking and yielding switches are free (as in CHESS and
//               Relacy's context-bound scheduler).
//     reduced   source-set dynamic partial-order reduction with sleep sets
//               (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial
//               order reduction", POPL 2014, Algorithm 1): explores at least
//               one execution of every Mazurkiewicz trace. Data choices stay
//               full branches. See docs/reduction.md for the rules and why
//               they are sound.
//     random=N  N executions, each thread and data choice uniform.
//     probe=N   Knuth's estimator: N random root-to-leaf walks of the `full`
//               (or bound) tree; the mean of 1/P(walk) estimates the number
//               of executions. Thread choices are importance-sampled (see
//               probe_choice), data choices are uniform.
//     replay    re-runs exactly one recorded execution (its decision list).
//
// GUARANTEE
//   * Enabledness is exact for the model's locks: a thread whose next step
//     is an acquire of a taken lock is not scheduled (it would only park),
//     so no branch of any mode is spent on a blocked attempt. The rwlock is
//     therefore "permissive": a reader may enter whenever no writer holds the
//     lock, which includes every interleaving a fair rwlock allows.
//   * A thread whose next step is a spin-wait hint (YIELD) is disabled until
//     another thread has executed, since the start of the spinning thread's
//     previous loop pass, a step that conflicts with one of the spinning
//     thread's steps since then. A spin loop that re-reads an unchanged world
//     is therefore not unrolled again (the loop must be one whose failed pass
//     leaves shared state as it found it, which is what a spin-wait hint
//     promises). If nothing else can run, the execution fails as LIVELOCK.
//   * Every decision of the current execution is recorded, so a failing
//     execution can be replayed exactly, in any mode.
//   * Sharding (shard i of N, split depth D): the first D branching decisions
//     of the tree are made without reduction; the resulting prefixes are
//     dealt round-robin to the N shards, and each shard explores (reduced or
//     not) only below its own prefixes. The shards partition the tree
//     exactly; a shard executes each foreign prefix once (deterministically,
//     uncounted) to step over it. Cooperative search (Config::claims): the
//     same prefixes, claimed at run time by whichever process reaches each
//     first (claims.hpp), so that the work balances itself.
//
// HOW IT WORKS
//   The model layer stores each thread's pending operation (object and kind)
//   in pfv::rlm::recorder() before the operation reaches Relacy. At every
//   scheduling point the engine therefore knows every thread's next step. It
//   keeps the current execution's events with vector clocks of the
//   happens-before relation induced by conflicting steps (same object, at
//   least one writes; lock steps per the table in docs/reduction.md), the
//   decision path of the depth-first search, and per node the backtrack,
//   done and sleep sets.
//
// CAVEATS
//   * Independence is decided from the announced operation: plain var<T>
//     accesses are not scheduling points, so two steps that touch the same
//     plain variable count as independent. That is sound because Relacy's
//     race detector reports any such pair that is not ordered by
//     happens-before in every execution containing both, whatever their
//     order (data-race-free programs need only their synchronisation
//     operations interleaved).
//   * Everything here allocates through RawAlloc (see raw_alloc.hpp).
#ifndef PFV_RELACY_TESTS_SEARCH_ENGINE_HPP
#define PFV_RELACY_TESTS_SEARCH_ENGINE_HPP

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "model/relacy_model.hpp"
#include "relacy_tests/search/claims.hpp"
#include "relacy_tests/search/raw_alloc.hpp"

namespace pfv {
namespace search {

using rlm::Op;

enum class Mode { full, bound, reduced, random, probe, replay };

inline const char* mode_name(Mode m) {
  switch (m) {
    case Mode::full: return "full";
    case Mode::bound: return "bound";
    case Mode::reduced: return "reduced";
    case Mode::random: return "random";
    case Mode::probe: return "probe";
    case Mode::replay: return "replay";
  }
  return "?";
}

// One decision of an execution: a thread choice or a data choice.
struct Decision {
  std::uint8_t data;  // 0: which thread runs; 1: which value a data choice takes
  std::uint8_t value;
};

struct Config {
  Mode mode = Mode::full;
  unsigned bound = 2;                // bound mode (and probe of a bound tree)
  bool probe_bounded = false;        // probe: walk the bound tree instead of the full one
  std::uint64_t iterations = 1000;   // random / probe: executions
  std::uint64_t seed = 1;            // random / probe
  bool random_memory = false;        // replay: the execution came from random search,
                                     // whose memory model reads up to two stores back
  unsigned shard = 0;                // sharding: this shard ...
  unsigned shards = 1;               // ... of this many
  unsigned split_depth = 0;          // branching decisions made without reduction
  PrefixClaims* claims = nullptr;    // cooperative: prefixes claimed at run time
                                     // (claims.hpp) instead of dealt to shards
  // Symmetry (see "Symmetric threads" in docs/reduction.md): sym_pred[t] is
  // 1 + the thread t is interchangeable with and must not start before, or
  // 0. Off when `symmetry` is false (the full search it is compared with).
  std::uint8_t sym_pred[rlm::kMaxThreads] = {};
  bool symmetry = true;
  std::uint64_t max_executions = 0;  // 0: unlimited; otherwise stop (incomplete)
  double max_seconds = 0;            // 0: unlimited; otherwise stop (incomplete)
  bool stop_after_first_redundant = false;
  RawVector<Decision> replay;            // replay mode: the decisions to follow
  const char* progress_label = nullptr;  // non-null: progress lines on stderr
  double progress_period = 5.0;          // seconds between progress lines
};

struct Stats {
  std::uint64_t executions = 0;  // complete executions explored (not skipped)
  std::uint64_t redundant = 0;   // reduced: executions cut short by sleep sets
  std::uint64_t skipped = 0;     // sharding: executions over foreign prefixes
  std::uint64_t races = 0;       // reduced: races found
  std::uint64_t backtracks = 0;  // reduced: backtrack points added
  // reduced: races whose reversal would need a thread that was not enabled
  // where the race began: spinning (its last pass already read the older
  // value, see yield_enabled) or waiting for a lock held by a third thread
  // (then every enabled thread is tried there instead).
  std::uint64_t infeasible_spin = 0;
  std::uint64_t infeasible_lock = 0;
  std::uint64_t infeasible_sym = 0;  // reversals that only rename symmetric threads
  std::uint64_t yield_blocks = 0;          // decisions at which a spinning thread was disabled
  std::uint64_t max_events = 0;            // longest execution, in scheduled steps
  std::uint64_t prefixes = 0;              // sharding: prefixes this process explored
  double probe_sum = 0, probe_sum_sq = 0;  // probe mode
  std::uint64_t probe_walks = 0;
  bool complete = false;         // the search ran to its end
  bool replay_diverged = false;  // replay: the recorded decisions did not fit
  double seconds = 0;
};

using Clock = std::uint32_t[rlm::kMaxThreads];

class Engine {
 public:
  static constexpr int kMaxThreads = rlm::kMaxThreads;
  using Mask = std::uint32_t;

  explicit Engine(const Config& cfg) : cfg_(cfg) {
    path_.reserve(512);
    events_.reserve(1024);
    decisions_.reserve(2048);
    start_ = std::chrono::steady_clock::now();
    last_progress_ = start_;
  }

  const Config& config() const { return cfg_; }
  const Stats& stats() const { return stats_; }
  Stats& stats() { return stats_; }
  // The decisions of the current (or, after a failure, the failing) execution.
  const RawVector<Decision>& decisions() const { return decisions_; }
  bool execution_redundant() const { return redundant_; }
  bool execution_skipped() const { return skipping_; }

  // ---- called by the scheduler adapter -----------------------------------

  void set_thread_count(int n) { nthreads_ = n; }

  int begin_execution(std::uint64_t iteration) {
    iteration_ = iteration;
    depth_ = 0;
    events_.clear();
    decisions_.clear();
    redundant_ = false;
    skipping_ = false;
    branch_depth_ = 0;
    preemptions_ = 0;
    replay_pos_ = 0;
    probe_weight_ = 1.0;
    sleep_prop_ = 0;
    for (auto& o : objects_) o.history.clear();
    objects_used_ = 0;
    locks_used_ = 0;
    for (int t = 0; t < kMaxThreads; ++t) {
      Thread& th = threads_[t];
      th.count = 0;
      std::memset(th.clock, 0, sizeof th.clock);
      th.yields = 0;
      th.after_yield = 0;
      th.last_carried = 0;
      th.last_unknown = -1;
    }
    if (cfg_.mode == Mode::random || cfg_.mode == Mode::probe) {
      rng_ = splitmix(cfg_.seed * 0x9E3779B97F4A7C15ull + iteration);
    }
    return 0;  // thread 0 always starts: the first choice is not a real one
  }

  // The scheduling decision. `cur` is the thread that reached the scheduling
  // point; `cur_running` is false when it just finished or parked; `running`
  // is Relacy's set of threads that are not parked or finished.
  int schedule(int cur, bool cur_running, Mask running) {
    current_node_ = -1;
    if (cfg_.mode == Mode::replay) return replay_schedule(running);

    // 1. Threads that have not reached their first operation run first: a
    //    thread's start executes only thread-local code.
    const int starting = first_unstarted(running);
    if (starting >= 0) {
      record(Decision{0, static_cast<std::uint8_t>(starting)});
      return starting;
    }

    // 2. Enabledness.
    Mask enabled, lock_blocked, yield_blocked;
    classify(running, enabled, lock_blocked, yield_blocked);
    if (enabled == 0) {
      const int t = stuck(lock_blocked, yield_blocked);
      record(Decision{0, static_cast<std::uint8_t>(t)});
      return t;
    }

    const bool cur_enabled = cur_running && (enabled >> cur & 1u);
    int chosen;
    if (redundant_ || skipping_) {
      chosen = cur_enabled ? cur : lowest(enabled);
    } else {
      switch (cfg_.mode) {
        case Mode::random: chosen = pick_random(enabled); break;
        case Mode::probe: chosen = probe_choice(cur, cur_enabled, enabled); break;
        default: chosen = tree_choice(cur, cur_enabled, enabled); break;
      }
    }
    if (cur_enabled && chosen != cur) ++preemptions_;
    record(Decision{0, static_cast<std::uint8_t>(chosen)});
    execute(chosen);
    return chosen;
  }

  // Called from the test's after(), before the execution is collected: an
  // execution that ended before the split depth is a prefix of its own, and
  // its ownership is decided here.
  void finish_prefix() {
    if (split() && !skipping_ && branch_depth_ < cfg_.split_depth && cfg_.mode != Mode::replay) {
      prefix_reached();
    }
  }

  // A data choice of `limit` values (which store a relaxed load reads, and
  // the like).
  unsigned rand(unsigned limit, rl::sched_type type) {
    unsigned v = 0;
    if (type == rl::sched_type_mem_realloc) {
      // "Defer this free()": the models never free inside a simulation.
      v = 1 % limit;
    } else if (cfg_.mode == Mode::replay) {
      v = replay_data(limit);
    } else if (redundant_ || skipping_ || limit == 1) {
      v = 0;
    } else if (cfg_.mode == Mode::random) {
      v = static_cast<unsigned>(next_random() % limit);
    } else if (cfg_.mode == Mode::probe) {
      v = static_cast<unsigned>(next_random() % limit);
      probe_weight_ *= limit;
    } else {
      v = data_node(limit);
    }
    record(Decision{1, static_cast<std::uint8_t>(v)});
    return v;
  }

  // Ends the search after the current execution (a caller found what it
  // was looking for).
  void request_stop() { stop_requested_ = true; }

  // Returns true when the search is over.
  bool end_execution() {
    stats_.max_events = events_.size() > stats_.max_events ? events_.size() : stats_.max_events;
    if (skipping_) {
      ++stats_.skipped;
    } else if (redundant_) {
      ++stats_.redundant;
    } else {
      ++stats_.executions;
    }
    const auto now = std::chrono::steady_clock::now();
    stats_.seconds = std::chrono::duration<double>(now - start_).count();
    maybe_progress(now);
    if (stop_requested_) return true;
    if (cfg_.claims && cfg_.claims->stop_requested()) return true;  // another process failed

    switch (cfg_.mode) {
      case Mode::replay: stats_.complete = true; return true;
      case Mode::random:
        if (stats_.executions >= cfg_.iterations) {
          stats_.complete = true;
          return true;
        }
        return out_of_budget();
      case Mode::probe:
        learn_lengths();
        stats_.probe_sum += probe_weight_;
        stats_.probe_sum_sq += probe_weight_ * probe_weight_;
        ++stats_.probe_walks;
        if (stats_.probe_walks >= cfg_.iterations) {
          stats_.complete = true;
          return true;
        }
        return false;
      default: break;
    }
    if (cfg_.stop_after_first_redundant && redundant_) return true;
    if (!advance()) {
      stats_.complete = true;
      return true;
    }
    return out_of_budget();
  }

  // Fraction of the tree explored so far (depth-first modes), from the
  // current path: each node's finished alternatives weighted by the product
  // of the branching factors above it.
  double progress_fraction() const {
    double f = 0, w = 1;
    for (const Node& n : path_) {
      unsigned total, before;
      if (n.data) {
        total = n.count;
        before = n.value;
      } else {
        total = popcount(n.cands & ~n.sleep);
        before = popcount(n.done & ~n.sleep) - 1;
        if (total == 0) total = 1;
      }
      if (total <= 1) continue;
      f += w * before / total;
      w /= total;
    }
    return f;
  }

  // Estimated number of executions of the probed tree (probe mode).
  double probe_estimate() const {
    return stats_.probe_walks ? stats_.probe_sum / static_cast<double>(stats_.probe_walks) : 0;
  }
  // Standard error of that estimate.
  double probe_stderr() const;

 private:
  struct Fp {  // a footprint: the object and kind of a step
    const void* obj;
    Op op;
    bool ok;
  };

  struct Node {
    bool data;
    bool shallow;               // before the split depth: full branching, no reduction
    bool branching;             // had more than one candidate when created
    std::uint8_t count, value;  // data node
    std::uint8_t chosen;        // thread node: the thread chosen now
    std::uint8_t first;         // thread node: the thread tried first
    Mask enabled, cands, done, sleep;
    Fp fp[kMaxThreads];  // every thread's pending step at this node
    std::int32_t event;  // the event executed at this node (current execution)
  };

  struct Event {
    const void* obj;
    Op op;
    bool ok;  // trylock outcome
    std::uint8_t thread;
    std::uint32_t idx;  // 1-based position among its thread's events
    std::int32_t node;  // path index of its thread node, -1 if none
    Clock clock;        // happens-before (conflict) clock
  };

  struct Object {
    const void* obj;
    RawVector<std::int32_t> history;  // events on it, in execution order
  };

  struct LockState {
    const void* obj;
    int owner;  // exclusive holder, -1 if none
    int readers;
    int waiting;  // fair rwlock: writers announced (write_wait) and not yet in
    Mask waiters;
  };

  struct Thread {
    std::uint32_t count;         // events so far
    Clock clock;                 // clock of its last event
    int yields;                  // YIELD steps executed
    std::size_t after_yield;     // event position just after its last YIELD
    std::uint64_t last_carried;  // the fingerprint its last YIELD carried

    std::int32_t last_unknown;
  };

  static Mask bit(int t) { return Mask(1) << t; }
  static int lowest(Mask m) { return __builtin_ctz(m); }
  static unsigned popcount(Mask m) { return static_cast<unsigned>(__builtin_popcount(m)); }

  // Independence of two *pending* steps (outcomes unknown: a trylock counts
  // as the acquire it may become).
  static bool independent_pending(const Fp& a, const Fp& b) {
    if (a.op == Op::unknown || b.op == Op::unknown) return false;
    if (a.op == Op::yield || b.op == Op::yield) return true;
    if (a.obj != b.obj) return true;
    return rlm::ops_commute(a.op, true, b.op, true, /*pending=*/true);
  }

  // Do two *executed* steps on the same object commute?
  static bool commute(const Event& a, const Event& b) {
    return rlm::ops_commute(a.op, a.ok, b.op, b.ok, /*pending=*/false);
  }

  // Is x a step that conflicts with every other kind of step on its object
  // (so that everything before it on the object is ordered before it)?
  static bool full_write(const Event& x) { return rlm::op_orders_object(x.op, x.ok); }

  // Dependence of two *executed* steps.
  static bool dependent_events(const Event& a, const Event& b) {
    if (a.op == Op::unknown || b.op == Op::unknown) return true;
    if (a.op == Op::yield || b.op == Op::yield) return false;
    if (a.obj != b.obj) return false;
    return !commute(a, b);
  }

  static std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  std::uint64_t next_random() {
    rng_ = splitmix(rng_);
    return rng_;
  }

  void record(Decision d) { decisions_.push_back(d); }

  int first_unstarted(Mask running) const {
    const rlm::Recorder& rec = rlm::recorder();
    for (int t = 0; t < nthreads_; ++t)
      if ((running >> t & 1u) && rec.pending[t].op == Op::not_started) return t;
    return -1;
  }

  void classify(Mask running, Mask& enabled, Mask& lock_blocked, Mask& yield_blocked) {
    const rlm::Recorder& rec = rlm::recorder();
    enabled = lock_blocked = yield_blocked = 0;
    for (int t = 0; t < nthreads_; ++t) {
      if (!(running >> t & 1u)) continue;
      const rlm::Pending& p = rec.pending[t];
      if (sym_blocked(t)) {
        // Treated as waiting for a lock its predecessor's first step
        // releases: races that need it are handled conservatively.
        lock_blocked |= bit(t);
      } else if (rlm::op_is_lock(p.op) && !lock_enabled(p)) {
        lock_blocked |= bit(t);
      } else if (p.op == Op::yield && !yield_enabled(t)) {
        yield_blocked |= bit(t);
      } else {
        enabled |= bit(t);
      }
    }
    if (yield_blocked) ++stats_.yield_blocks;
  }

  // Symmetric threads start in order: thread t, interchangeable with an
  // earlier thread p (same code, same inputs), takes its first step only
  // after p has taken its own. Every execution is a renaming of one in which
  // they start in that order, so the others are left out.
  bool sym_blocked(int t) const {
    if (!cfg_.symmetry || cfg_.sym_pred[t] == 0 || threads_[t].count != 0) return false;
    return threads_[cfg_.sym_pred[t] - 1].count == 0;
  }

  // No thread can take a step. If some wait for a lock, let one of them park:
  // Relacy reports DEADLOCK once every thread is parked. Otherwise every
  // unfinished thread spins on a world that cannot change: LIVELOCK.
  int stuck(Mask lock_blocked, Mask yield_blocked) {
    for (Mask m = lock_blocked; m; m &= m - 1)
      if (!sym_blocked(lowest(m))) return lowest(m);
    if (lock_blocked) return lowest(lock_blocked);
    rlm::Recorder& rec = rlm::recorder();
    // The lasso: each waiting thread's last pass, repeated forever.
    rec.lasso = rlm::Recorder::Lasso::livelock;
    rec.lasso_begin = rec.log_size;
    for (Mask m = yield_blocked; m; m &= m - 1)
      rec.lasso_begin = std::min(rec.lasso_begin, rec.last_hint_log[lowest(m)]);
    rec.lasso_end = rec.log_size;
    std::snprintf(rec.lasso_text, sizeof rec.lasso_text,
                  "livelock: every unfinished thread is spinning and nothing it reads can "
                  "change (each one's last pass repeats forever)");
    rl::ctx().fail_test(rec.lasso_text, rl::test_result_livelock,
                        rlm::info(rec.pending[lowest(yield_blocked)].loc));
    return lowest(yield_blocked);  // not reached
  }

  // ---- locks ---------------------------------------------------------------

  LockState& lock_state(const void* obj) {
    for (int i = 0; i < locks_used_; ++i)
      if (locks_[i].obj == obj) return locks_[i];
    if (locks_used_ == kMaxLocks) {
      std::fprintf(stderr, "pfncache-verify: more than %d locks in one test\n", kMaxLocks);
      std::abort();
    }
    locks_[locks_used_] = LockState{obj, -1, 0, 0, 0};
    return locks_[locks_used_++];
  }

  bool lock_enabled(const rlm::Pending& p) {
    const LockState& l = lock_state(p.obj);
    if (p.op == Op::lock_x) return l.owner < 0 && l.readers == 0;
    if (p.op == Op::lock_s) return l.owner < 0;
    if (p.op == Op::lock_s_fair) return l.owner < 0 && l.waiting == 0;
    return true;  // trylocks, unlocks and write_wait never block
  }

  // Applies a lock step to the shadow state; returns the trylock outcome.
  bool apply_lock(int t, const rlm::Pending& p) {
    LockState& l = lock_state(p.obj);
    switch (p.op) {
      case Op::lock_x:
        l.owner = t;
        if (l.waiters & bit(t)) {
          l.waiters &= ~bit(t);
          --l.waiting;
        }
        return true;
      case Op::lock_s:
      case Op::lock_s_fair: ++l.readers; return true;
      case Op::lock_wait:
        l.waiters |= bit(t);
        ++l.waiting;
        return true;
      case Op::try_s_fair:
        if (l.owner < 0 && l.waiting == 0) {
          ++l.readers;
          return true;
        }
        return false;
      case Op::try_x:
        if (l.owner < 0 && l.readers == 0) {
          l.owner = t;
          return true;
        }
        return false;
      case Op::try_s:
        if (l.owner < 0) {
          ++l.readers;
          return true;
        }
        return false;
      case Op::unlock_x: l.owner = -1; return true;
      case Op::unlock_s: --l.readers; return true;
      default: return true;
    }
  }

  // ---- spin-wait hints ------------------------------------------------------

  // A spin-wait hint (YIELD) of thread t is enabled on the first pass of
  // its loop, and afterwards only if the next pass could differ from the
  // last one: the state the loop carries changed (the fingerprint passed to
  // spin_wait_hint), or another thread changed something t observed in the
  // last pass (a value it loaded, a lock it tried) after t observed it.
  // Otherwise the next pass would observe what the last one did, from the
  // same carried state, and end the same way: the execution that waits here
  // is the one in which t's last pass came after those changes, which the
  // search explores anyway. t's own blocking lock steps are not
  // observations: a failed pass leaves every lock as it found it, and lock
  // steps of other threads only add happens-before edges, which can only
  // remove behaviours.
  bool yield_enabled(int t) const {
    const Thread& th = threads_[t];
    if (th.yields == 0) return true;
    const rlm::Recorder& rec = rlm::recorder();
    if (rec.pending[t].value != th.last_carried) return true;
    // A stale load may read the newer value next time.
    if (rec.stale_load[t]) return true;
    // For each object the pass observed, its *first* observation: if nobody
    // changed the object after it, every read of the pass saw what the next
    // pass would see. (The last observation is not enough: a pass that
    // read an object twice and saw it change in between may do something
    // else next time, e.g. GUP's re-check of a page-table entry.)
    const void* seen_objs[64];
    int nseen = 0;
    for (std::size_t i = th.after_yield; i < events_.size(); ++i) {
      const Event& seen = events_[i];
      if (seen.thread != t || !observes(seen.op)) continue;
      bool dup = false;
      for (int k = 0; k < nseen; ++k) dup = dup || seen_objs[k] == seen.obj;
      if (dup) continue;  // only the first observation of each object counts
      if (nseen == 64) return true;  // too many to track: assume it may differ
      seen_objs[nseen++] = seen.obj;
      for (std::size_t j = i + 1; j < events_.size(); ++j) {
        const Event& other = events_[j];
        if (other.thread == t) continue;
        if (other.op == Op::unknown || seen.op == Op::unknown ||
            (other.obj == seen.obj && changes(other)))
          return true;
      }
    }
    return false;
  }

  static bool observes(Op op) {
    return op == Op::load || op == Op::rmw || op == Op::ghost_load || op == Op::try_x ||
           op == Op::try_s || op == Op::try_s_fair || op == Op::lock_probe || op == Op::unknown;
  }

  static bool changes(const Event& e) {
    switch (e.op) {
      case Op::store:
      case Op::rmw:
      case Op::ghost_store:
      case Op::ghost_adjust:
      case Op::lock_x:
      case Op::lock_s:
      case Op::unlock_x:
      case Op::unlock_s:
      case Op::lock_wait:
      case Op::lock_s_fair: return true;
      case Op::try_x:
      case Op::try_s:
      case Op::try_s_fair: return e.ok;
      default: return false;
    }
  }

  // ---- the current execution's events --------------------------------------

  Object& object(const void* obj) {
    for (int i = 0; i < objects_used_; ++i)
      if (objects_[i].obj == obj) return objects_[i];
    if (objects_used_ == static_cast<int>(objects_.size())) objects_.emplace_back();
    Object& o = objects_[objects_used_++];
    o.obj = obj;
    o.history.clear();
    return o;
  }

  static void join(Clock& into, const Clock& from) {
    for (int i = 0; i < kMaxThreads; ++i)
      if (from[i] > into[i]) into[i] = from[i];
  }

  // Executes the bookkeeping for thread t's pending step: shadow locks, the
  // event and its clock, yield segments, and (reduced mode) race detection.
  void execute(int t) {
    const rlm::Pending& p = rlm::recorder().pending[t];
    Event e{};
    e.obj = p.obj;
    e.op = p.op;
    e.ok = rlm::op_is_lock(p.op) ? apply_lock(t, p) : true;
    e.thread = static_cast<std::uint8_t>(t);
    e.idx = ++threads_[t].count;
    e.node = current_node_;
    std::memcpy(e.clock, threads_[t].clock, sizeof(Clock));

    const std::int32_t id = static_cast<std::int32_t>(events_.size());
    const bool detect = cfg_.mode == Mode::reduced && !redundant_ && !skipping_ &&
                        current_node_ >= 0 &&
                        static_cast<std::size_t>(current_node_) >= replay_limit_;

    if (e.op == Op::unknown) {
      for (const Event& x : events_) join(e.clock, x.clock);
      if (detect) {
        for (int q = 0; q < nthreads_; ++q) {
          if (q == t) continue;
          for (std::int32_t i = id - 1; i >= 0; --i)
            if (events_[i].thread == q) {
              maybe_race(i, e, t);
              break;
            }
        }
      }
      threads_[t].last_unknown = id;
    } else if (e.op != Op::yield) {
      for (int q = 0; q < nthreads_; ++q) {
        const std::int32_t u = threads_[q].last_unknown;
        if (q != t && u >= 0) join(e.clock, events_[u].clock);
      }
      Object& o = object(e.obj);
      add_dependencies(o, e);
      if (detect) {
        for (int q = 0; q < nthreads_; ++q) {
          const std::int32_t u = threads_[q].last_unknown;
          if (q != t && u >= 0) maybe_race(u, e, t);
        }
        find_races(o, e, t);
      }
      o.history.push_back(id);
    }
    e.clock[t] = e.idx;
    std::memcpy(threads_[t].clock, e.clock, sizeof(Clock));
    events_.push_back(e);
    if (current_node_ >= 0) path_[current_node_].event = id;

    if (e.op == Op::yield) {
      Thread& th = threads_[t];
      ++th.yields;
      th.after_yield = events_.size();
      th.last_carried = p.value;
      rlm::recorder().stale_load[t] = false;
    }
  }

  // Joins the clocks of the earlier events the new event conflicts with.
  void add_dependencies(const Object& o, Event& e) const {
    for (std::size_t k = o.history.size(); k-- > 0;) {
      const Event& x = events_[o.history[k]];
      if (commute(x, e)) continue;
      join(e.clock, x.clock);
      if (full_write(x)) break;  // earlier events are ordered before it
    }
  }

  bool concurrent_with(const Event& x, int t) const { return threads_[t].clock[x.thread] < x.idx; }

  // The races of a new event e (thread t) with earlier events on the same
  // object: the standard candidates (for a read, the last write; for a write,
  // the last write and the reads since it), except that a blocking acquire
  // can never be reordered before the release of a hold it conflicts with.
  // For such a release the candidate is the acquire that began the hold: the
  // two acquires are the pair whose order the search must try both ways (see
  // docs/reduction.md, "Locks").
  void find_races(const Object& o, const Event& e, int t) {
    for (std::size_t k = o.history.size(); k-- > 0;) {
      const std::int32_t xi = o.history[k];
      const Event& x = events_[xi];
      if (commute(x, e)) continue;
      if (x.thread != t) {
        if (blocked_by_hold(x, e)) {
          const std::int32_t a = matching_acquire(o, k);
          if (a >= 0 && !(shared_hold(events_[a]) && (e.op == Op::lock_s || e.op == Op::lock_s_fair)))
            maybe_race(a, e, t);
        } else {
          maybe_race(xi, e, t);
        }
      }
      if (full_write(x)) break;  // earlier events are ordered before it
    }
    // A fair reader may have waited behind a writer that announced itself
    // before the holds above: the reader arriving first is the reversal to
    // try (the announcement, not the acquire, is what blocked it).
    if (e.op == Op::lock_s_fair || e.op == Op::try_s_fair) {
      for (std::size_t k = o.history.size(); k-- > 0;) {
        const Event& x = events_[o.history[k]];
        if (x.op == Op::lock_wait && x.thread != t) maybe_race(o.history[k], e, t);
      }
    }
  }

  static bool shared_hold(const Event& x) {
    return x.op == Op::lock_s || x.op == Op::lock_s_fair ||
           ((x.op == Op::try_s || x.op == Op::try_s_fair) && x.ok);
  }

  // Could e (a blocking acquire) never have run before release x, because
  // the hold x ends conflicts with it?
  static bool blocked_by_hold(const Event& x, const Event& e) {
    if (e.op == Op::lock_x) return x.op == Op::unlock_x || x.op == Op::unlock_s;
    if (e.op == Op::lock_s || e.op == Op::lock_s_fair) return x.op == Op::unlock_x;
    return false;  // trylocks and everything else can run at any time
  }

  // The acquire, by the same thread, that began the hold ended by the release
  // at position k of the object's history.
  std::int32_t matching_acquire(const Object& o, std::size_t k) const {
    const Event& r = events_[o.history[k]];
    const bool shared = r.op == Op::unlock_s;
    while (k-- > 0) {
      const Event& a = events_[o.history[k]];
      if (a.thread != r.thread) continue;
      if (shared ? shared_hold(a) : (a.op == Op::lock_x || (a.op == Op::try_x && a.ok)))
        return o.history[k];
    }
    return -1;
  }

  // If earlier event xi and the new event e (of thread t) are concurrent,
  // make sure the search will try to reverse them: source-DPOR's step.
  void maybe_race(std::int32_t xi, const Event& e, int t) {
    const Event& x = events_[xi];
    if (x.thread == t || !concurrent_with(x, t) || x.node < 0) return;
    ++stats_.races;
    Node& n = path_[x.node];
    if (n.shallow) return;  // every alternative is explored there anyway
    // v = the events after x that do not happen after x, then e.
    Mask seen = 0, initials = 0;
    for (std::size_t i = static_cast<std::size_t>(xi) + 1; i < events_.size(); ++i) {
      const Event& y = events_[i];
      if (y.clock[x.thread] >= x.idx) continue;  // happens after x
      const Mask yb = bit(y.thread);
      if (seen & yb) continue;
      seen |= yb;
      if (is_initial(xi, i, y.clock)) initials |= yb;
    }
    if (!(seen & bit(t))) {
      // e's clock already holds its conflicts (x among them, which is not in
      // v); what matters is whether some event of v precedes it.
      if (is_initial(xi, events_.size(), e.clock)) initials |= bit(t);
    }
    if (initials & n.cands) return;
    const Mask feasible = initials & n.enabled;
    if (feasible == 0) {
      bool spinning = false;
      for (Mask m = initials; m; m &= m - 1) spinning = spinning || n.fp[lowest(m)].op == Op::yield;
      if (spinning) {
        ++stats_.infeasible_spin;
        return;
      }
      // The reversal would start a symmetric thread before the first step
      // of the thread it is interchangeable with: the renaming of that
      // execution is explored instead.
      bool renamed = cfg_.symmetry && x.idx == 1;
      for (Mask m = initials; m && renamed; m &= m - 1)
        renamed = cfg_.sym_pred[lowest(m)] == x.thread + 1;
      if (renamed) {
        ++stats_.infeasible_sym;
        return;
      }
      // The initial waits for a lock a third thread holds there: the
      // reversal takes more than one step. Be conservative, as Flanagan and
      // Godefroid's DPOR is when the racing thread is not enabled: try every
      // enabled thread at that node.
      ++stats_.infeasible_lock;
      const Mask add = n.enabled & ~n.cands;
      if (add) {
        n.cands |= add;
        ++stats_.backtracks;
      }
      return;
    }
    const Mask add = (feasible & bit(t)) ? bit(t) : (feasible & (~feasible + 1));
    n.cands |= add;
    ++stats_.backtracks;
  }

  // Is the event at position `pos` (clock `c`) not preceded, among the events
  // strictly between x and pos that do not happen after x, by any of them?
  bool is_initial(std::int32_t xi, std::size_t pos, const Clock& c) const {
    const Event& x = events_[xi];
    for (std::size_t j = static_cast<std::size_t>(xi) + 1; j < pos; ++j) {
      const Event& z = events_[j];
      if (z.clock[x.thread] >= x.idx) continue;  // not in v
      if (c[z.thread] >= z.idx) return false;    // z happens before it
    }
    return true;
  }

  // ---- depth-first tree (full, bound, reduced) ------------------------------

  Mask bound_candidates(int cur, bool cur_enabled, Mask enabled) const {
    if (cfg_.mode == Mode::bound || (cfg_.mode == Mode::probe && cfg_.probe_bounded)) {
      if (cur_enabled && preemptions_ >= cfg_.bound) return bit(cur);
    }
    return enabled;
  }

  int tree_choice(int cur, bool cur_enabled, Mask enabled) {
    if (depth_ < path_.size()) {
      // Replaying a prefix of an earlier execution.
      Node& n = path_[depth_];
      if (n.data || n.enabled != enabled || !(enabled >> n.chosen & 1u)) diverged("thread choice");
      current_node_ = static_cast<std::int32_t>(depth_);
      ++depth_;
      if (n.branching) note_branch(n.shallow);
      if (cfg_.mode == Mode::reduced) sleep_prop_ = child_sleep(n);
      return n.chosen;
    }
    Node n{};
    n.data = false;
    n.enabled = enabled;
    n.event = -1;
    const rlm::Recorder& rec = rlm::recorder();
    for (int t = 0; t < nthreads_; ++t) n.fp[t] = Fp{rec.pending[t].obj, rec.pending[t].op, true};
    Mask cands = bound_candidates(cur, cur_enabled, enabled);
    if (cfg_.mode == Mode::reduced) {
      n.sleep = sleep_prop_ & enabled;
      cands &= ~n.sleep;
      if (cands == 0) {
        // Every enabled thread is asleep: whatever happens next is already
        // covered. Finish this execution without branching.
        redundant_ = true;
        rlm::recorder().execution_redundant = true;
        return cur_enabled ? cur : lowest(enabled);
      }
    }
    n.shallow = branch_depth_ < cfg_.split_depth && popcount(cands) > 1;
    n.first = static_cast<std::uint8_t>((cands >> cur & 1u) && cur_enabled ? cur : lowest(cands));
    if (cfg_.mode == Mode::reduced && !n.shallow) {
      n.cands = bit(n.first);  // source-DPOR: backtrack starts with one thread
    } else {
      n.cands = cands;
    }
    n.chosen = n.first;
    n.done = bit(n.first);
    n.branching = popcount(cands) > 1;
    path_.push_back(n);
    current_node_ = static_cast<std::int32_t>(depth_);
    ++depth_;
    if (n.branching) note_branch(n.shallow);
    if (cfg_.mode == Mode::reduced) sleep_prop_ = child_sleep(path_.back());
    return n.chosen;
  }

  // The sleep set passed below node n after choosing n.chosen: the threads
  // asleep at n or explored at n before, whose next step is independent of
  // the step taken.
  Mask child_sleep(const Node& n) const {
    Mask s = (n.sleep | n.done) & ~bit(n.chosen);
    Mask out = 0;
    const Fp& taken = n.fp[n.chosen];
    for (Mask m = s; m; m &= m - 1) {
      const int q = lowest(m);
      if (independent_pending(n.fp[q], taken)) out |= bit(q);
    }
    return out;
  }

  unsigned data_node(unsigned limit) {
    if (depth_ < path_.size()) {
      Node& n = path_[depth_];
      if (!n.data || n.count != limit) diverged("data choice");
      ++depth_;
      note_branch(n.shallow);
      return n.value;
    }
    Node n{};
    n.data = true;
    n.count = static_cast<std::uint8_t>(limit);
    n.value = 0;
    n.event = -1;
    n.shallow = branch_depth_ < cfg_.split_depth;
    path_.push_back(n);
    ++depth_;
    note_branch(n.shallow);
    return 0;
  }

  // Counts a branching decision; at the split depth the prefix is complete
  // and this shard either owns it or steps over it.
  void note_branch(bool shallow) {
    ++branch_depth_;
    if (!split()) return;
    if (shallow && branch_depth_ == cfg_.split_depth) prefix_reached();
  }

  // Is the tree divided among processes (static shards or shared claims)?
  bool split() const { return cfg_.split_depth > 0 && (cfg_.shards > 1 || cfg_.claims); }

  // The current prefix is complete: decide, once per prefix, whether this
  // process explores it (statically: its shard's share of the round-robin
  // deal; cooperatively: it claimed the prefix first), and step over it if
  // not.
  void prefix_reached() {
    if (prefix_counted_ != prefix_id_) {
      prefix_counted_ = prefix_id_;
      if (cfg_.claims) {
        if (cfg_.claims->overflowed(prefix_id_)) {
          std::fprintf(stderr, "pfncache-verify: more than %llu prefixes: use a smaller split depth\n",
                       static_cast<unsigned long long>(PrefixClaims::kCapacity));
          std::abort();
        }
        prefix_owned_ = cfg_.claims->claim(prefix_id_);
      } else {
        prefix_owned_ = prefix_id_ % cfg_.shards == cfg_.shard;
      }
      if (prefix_owned_) ++stats_.prefixes;
    }
    if (!prefix_owned_) {
      skipping_ = true;
      rlm::recorder().execution_redundant = true;
    }
  }

  // Moves the depth-first search to its next execution; false when done.
  bool advance() {
    while (!path_.empty()) {
      Node& n = path_.back();
      const std::size_t idx = path_.size() - 1;
      if (n.data) {
        if (n.value + 1u < n.count) {
          ++n.value;
          reposition(idx, n.shallow);
          return true;
        }
      } else {
        Mask next = n.cands & ~n.done & n.enabled;
        if (cfg_.mode == Mode::reduced) next &= ~n.sleep;
        if (next) {
          n.chosen = static_cast<std::uint8_t>(lowest(next));
          n.done |= bit(n.chosen);
          reposition(idx, n.shallow);
          return true;
        }
      }
      path_.pop_back();
    }
    return false;
  }

  void reposition(std::size_t idx, bool shallow) {
    replay_limit_ = idx;
    if (shallow) ++prefix_id_;
  }

  void diverged(const char* what) {
    std::fprintf(stderr,
                 "pfncache-verify: the test is not deterministic: a %s differs when its "
                 "execution is re-run (depth %zu)\n",
                 what, depth_);
    std::abort();
  }

  // ---- random and probe ------------------------------------------------------

  int pick_random(Mask m) {
    unsigned k = static_cast<unsigned>(next_random() % popcount(m));
    for (; k; --k) m &= m - 1;
    return lowest(m);
  }

  // Knuth's estimator is unbiased for any choice probabilities, provided
  // the walk's weight is 1/P(walk); its variance is small only when the
  // probabilities follow the subtree sizes. Uniform choices are a poor fit
  // for interleavings: the leaves where one thread runs k steps in a row
  // have probability 2^-k each, and there are many of them, so a few
  // thousand uniform walks under-estimate such trees several-fold. Choosing
  // each thread with probability proportional to its expected remaining
  // steps instead makes every interleaving of fixed-length threads equally
  // likely (the multinomial identity), which is the zero-variance choice for
  // them. The expected lengths are learned from the earlier walks (uniform
  // until a thread has been seen to finish); learning does not bias the
  // estimate, since each walk's weight uses the probabilities it was drawn
  // with.
  int probe_choice(int cur, bool cur_enabled, Mask enabled) {
    const Mask cands = bound_candidates(cur, cur_enabled, enabled);
    if (popcount(cands) == 1) return lowest(cands);
    double r[kMaxThreads] = {}, sum = 0;
    for (Mask m = cands; m; m &= m - 1) {
      const int t = lowest(m);
      const double left = probe_length_[t] - static_cast<double>(threads_[t].count);
      r[t] = left > 1 ? left : 1;
      sum += r[t];
    }
    const double u = static_cast<double>(next_random() >> 11) * 0x1.0p-53 * sum;
    double acc = 0;
    int chosen = -1;
    for (Mask m = cands; m; m &= m - 1) {
      chosen = lowest(m);
      acc += r[chosen];
      if (u < acc) break;
    }
    probe_weight_ *= sum / r[chosen];
    return chosen;
  }

  // Running mean of each thread's number of steps per walk.
  void learn_lengths() {
    const double n = static_cast<double>(stats_.probe_walks);
    for (int t = 0; t < nthreads_; ++t)
      probe_length_[t] += (static_cast<double>(threads_[t].count) - probe_length_[t]) / (n + 1);
  }

  // ---- replay ----------------------------------------------------------------

  int replay_schedule(Mask running) {
    int t = -1;
    if (replay_pos_ < cfg_.replay.size() && cfg_.replay[replay_pos_].data == 0) {
      t = cfg_.replay[replay_pos_++].value;
    }
    const int starting = first_unstarted(running);
    if (starting >= 0) {
      if (t != starting) stats_.replay_diverged = true;
      record(Decision{0, static_cast<std::uint8_t>(starting)});
      return starting;
    }
    Mask enabled, lock_blocked, yield_blocked;
    classify(running, enabled, lock_blocked, yield_blocked);
    if (enabled == 0) {
      const int s = stuck(lock_blocked, yield_blocked);
      if (t != s) stats_.replay_diverged = true;
      record(Decision{0, static_cast<std::uint8_t>(s)});
      return s;
    }
    if (t < 0 || t >= nthreads_ || !(enabled >> t & 1u)) {
      stats_.replay_diverged = true;
      t = lowest(enabled);
    }
    record(Decision{0, static_cast<std::uint8_t>(t)});
    execute(t);
    return t;
  }

  unsigned replay_data(unsigned limit) {
    if (replay_pos_ < cfg_.replay.size() && cfg_.replay[replay_pos_].data == 1) {
      const unsigned v = cfg_.replay[replay_pos_++].value;
      if (v < limit) return v;
    }
    stats_.replay_diverged = true;
    return 0;
  }

  // ---- budget and progress -----------------------------------------------------

  bool out_of_budget() const {
    if (cfg_.max_executions && stats_.executions >= cfg_.max_executions) return true;
    if (cfg_.max_seconds > 0 && stats_.seconds >= cfg_.max_seconds) return true;
    return false;
  }

  void maybe_progress(std::chrono::steady_clock::time_point now) {
    if (cfg_.progress_label == nullptr) return;
    if (std::chrono::duration<double>(now - last_progress_).count() < cfg_.progress_period) return;
    last_progress_ = now;
    const double rate = stats_.seconds > 0 ? stats_.executions / stats_.seconds : 0;
    if (cfg_.mode == Mode::random || cfg_.mode == Mode::probe) {
      const double done =
          static_cast<double>(cfg_.mode == Mode::probe ? stats_.probe_walks : stats_.executions);
      const double frac = done / static_cast<double>(cfg_.iterations);
      std::fprintf(stderr, "  [%s] %.1f%% of %llu, %.0f/s, %.0fs left\n", cfg_.progress_label,
                   100.0 * frac, static_cast<unsigned long long>(cfg_.iterations), rate,
                   frac > 0 ? stats_.seconds * (1 - frac) / frac : 0.0);
      return;
    }
    const double frac = progress_fraction();
    std::fprintf(stderr, "  [%s] %llu executions, %.0f/s, ~%.1f%% explored, ETA %s\n",
                 cfg_.progress_label, static_cast<unsigned long long>(stats_.executions), rate,
                 100.0 * frac, eta(frac).c_str());
  }

  std::string eta(double frac) const {
    if (frac <= 0) return "unknown";
    const double left = stats_.seconds * (1 - frac) / frac;
    char buf[64];
    if (left < 120)
      std::snprintf(buf, sizeof buf, "%.0fs", left);
    else if (left < 7200)
      std::snprintf(buf, sizeof buf, "%.0fmin", left / 60);
    else
      std::snprintf(buf, sizeof buf, "%.1fh", left / 3600);
    return buf;
  }

  static constexpr int kMaxLocks = 32;

  Config cfg_;
  Stats stats_;
  int nthreads_ = 0;
  std::uint64_t iteration_ = 0;

  RawVector<Node> path_;
  std::size_t depth_ = 0;
  std::size_t replay_limit_ = 0;
  std::int32_t current_node_ = -1;
  Mask sleep_prop_ = 0;

  RawVector<Event> events_;
  RawVector<Object> objects_;
  int objects_used_ = 0;
  LockState locks_[kMaxLocks] = {};
  int locks_used_ = 0;
  Thread threads_[kMaxThreads] = {};

  RawVector<Decision> decisions_;
  std::size_t replay_pos_ = 0;

  bool redundant_ = false;
  bool skipping_ = false;
  bool stop_requested_ = false;
  unsigned branch_depth_ = 0;
  unsigned preemptions_ = 0;
  std::uint64_t prefix_id_ = 0;
  std::uint64_t prefix_counted_ = ~0ull;
  bool prefix_owned_ = false;

  std::uint64_t rng_ = 0;
  double probe_weight_ = 1.0;
  double probe_length_[kMaxThreads] = {};

  std::chrono::steady_clock::time_point start_, last_progress_;
};

inline double Engine::probe_stderr() const {
  const double n = static_cast<double>(stats_.probe_walks);
  if (n < 2) return 0;
  const double mean = stats_.probe_sum / n;
  double var = (stats_.probe_sum_sq / n - mean * mean) * n / (n - 1);
  if (var < 0) var = 0;
  return __builtin_sqrt(var / n);
}

}  // namespace search
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_SEARCH_ENGINE_HPP
