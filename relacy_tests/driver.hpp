// relacy_tests/driver.hpp: runs one scenario under Relacy with one search and
// reports what happened.
//
// WHAT IT IS
//   The Relacy driver of the "one scenario body, two drivers" rule. A
//   scenario is a class template over the model (impl/scenarios.hpp,
//   model/litmus.hpp) with `threads`, `thread_names`, a constructor, before(),
//   thread(i), after() and signature(). run<S>() wraps it in a Relacy test,
//   runs rl::run_test with pfv::search::Scheduler, and returns a RunResult:
//   Relacy's verdict, the search statistics, how many executions reached each
//   observation, the number of distinct behaviours, and for a failure the
//   decision list that replays it and a labelled trace.
//
// GUARANTEE
//   run<S>() never prints; callers decide. A failing simulation is replayed
//   once with Relacy's history on (to the raw-history stream, if given) and
//   our own labelled trace is built from the replay's event log.
#ifndef PFV_RELACY_TESTS_DRIVER_HPP
#define PFV_RELACY_TESTS_DRIVER_HPP

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstddef>
#include <cstring>
#include <new>
#include <ostream>
#include <streambuf>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/relacy_model.hpp"
#include "relacy_tests/search/engine.hpp"
#include "relacy_tests/search/raw_alloc.hpp"
#include "relacy_tests/search/scheduler.hpp"

namespace pfv {

inline std::uint64_t mix64(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

// Per-execution bookkeeping across a whole search.
class Collector {
 public:
  bool keep_classes = false;
  // Symmetric threads (the scenario's symmetric_with): keys are taken up to
  // this renaming (a thread and the one it is interchangeable with swap).
  const std::uint8_t* rename = nullptr;

  void end_execution(std::uint64_t signature, const void* base, std::size_t size) {
    rlm::Recorder& r = rlm::recorder();
    if (r.execution_redundant) return;  // covered elsewhere, or a foreign shard's prefix
    ++counted_;
    std::uint64_t seen = 0;
    for (int i = 0; i < r.obs_size; ++i) {
      if (!r.obs_seen[i]) continue;
      ++obs_executions_[i];
      seen = mix64(seen, static_cast<std::uint64_t>(i) + 1);
    }
    outcomes_.insert(mix64(signature, seen));
    if (witness_of && witness_.empty()) {
      for (int i = 0; i < r.obs_size; ++i) {
        if (!r.obs_seen[i] || std::strncmp(r.obs_keys[i], witness_of, std::strlen(witness_of)) != 0)
          continue;
        if (search::Engine* e = search::active_engine()) {
          witness_ = e->decisions();
          witness_execution_ = counted_;
          e->request_stop();
        }
        break;
      }
    }
    if (keep_classes) {
      std::uint64_t key = class_key(base, size, nullptr);
      if (rename) {
        // Symmetric threads: a class and its renaming are one class.
        const std::uint64_t other = class_key(base, size, rename);
        key = other < key ? other : key;
      }
      if (classes_.insert(key).second && keep_witnesses) {
        if (const search::Engine* e = search::active_engine()) witnesses_[key] = e->decisions();
      }
    }
  }

  // The first execution seen of each class (keep_witnesses).
  bool keep_witnesses = false;
  // Stop at the first execution with an observation starting with this.
  const char* witness_of = nullptr;
  const RawVector<search::Decision>& witness() const { return witness_; }
  std::uint64_t witness_execution() const { return witness_execution_; }
  const RawMap<std::uint64_t, RawVector<search::Decision>>& witnesses() const { return witnesses_; }

  std::uint64_t counted() const { return counted_; }
  std::uint64_t observation_executions(int i) const { return obs_executions_[i]; }
  const RawSet<std::uint64_t>& classes() const { return classes_; }
  const RawSet<std::uint64_t>& outcomes() const { return outcomes_; }

  // The Mazurkiewicz class of the current execution, as a hash. Per object
  // (identified by its offset inside the test object, so that separate runs
  // agree), the accesses are put in Foata normal form: an access's layer is
  // one more than the highest layer of the earlier accesses it conflicts
  // with (rlm::ops_commute), each layer is hashed as a set, and the layers
  // in order. Each access is named by (thread, index in its thread, kind,
  // outcome, value). Reordering two adjacent commuting steps leaves the key
  // unchanged; reordering two conflicting ones changes it.
  // `rename` (if set) maps each thread to the name it gets in the key.
  std::uint64_t class_key(const void* base, std::size_t size, const std::uint8_t* rename) {
    const rlm::Recorder& r = rlm::recorder();
    scratch_.clear();
    const auto* b = static_cast<const char*>(base);
    for (std::size_t i = 0; i < r.log_size; ++i) {
      const rlm::Event& e = r.log[i];
      // (Unordered ghost accesses are not steps: the search never orders them.)
      if (e.thread == rlm::kSpecialThread || e.op == rlm::Op::yield || e.obj == nullptr ||
          e.op == rlm::Op::ghost_unordered)
        continue;
      const auto* o = static_cast<const char*>(e.obj);
      const std::uint64_t id =
          (o >= b && o < b + size)
              ? static_cast<std::uint64_t>(o - b)
              : (static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(o)) | (1ull << 63));
      scratch_.emplace_back(id, static_cast<std::uint32_t>(i));
    }
    // (Not std::stable_sort: its temporary buffer would come from Relacy's
    // operator new and go back through the C library's free.)
    std::sort(scratch_.begin(), scratch_.end());
    std::uint64_t key = 0x51ED270B7u;
    std::size_t i = 0;
    while (i < scratch_.size()) {
      const std::uint64_t id = scratch_[i].first;
      std::size_t end = i;
      while (end < scratch_.size() && scratch_[end].first == id) ++end;
      layers_.assign(end - i, 0);
      std::uint32_t depth = 0;
      for (std::size_t k = i; k < end; ++k) {
        const rlm::Event& e = r.log[scratch_[k].second];
        std::uint32_t layer = 0;
        for (std::size_t j = i; j < k; ++j) {
          const rlm::Event& x = r.log[scratch_[j].second];
          if (layers_[j - i] >= layer && !rlm::ops_commute(x.op, x.ok, e.op, e.ok, false))
            layer = layers_[j - i] + 1;
        }
        layers_[k - i] = layer;
        depth = std::max(depth, layer + 1);
      }
      std::uint64_t h = mix64(0, id);
      for (std::uint32_t l = 0; l < depth; ++l) {
        std::uint64_t set = 0;
        for (std::size_t k = i; k < end; ++k) {
          if (layers_[k - i] != l) continue;
          const rlm::Event& e = r.log[scratch_[k].second];
          const std::uint64_t t = rename ? rename[e.thread] : e.thread;
          set += mix64(mix64(mix64(t, e.seq), static_cast<std::uint64_t>(e.op) * 2 + e.ok),
                       e.value);
        }
        h = mix64(h, set);
      }
      key = mix64(key, h);
      i = end;
    }
    return key;
  }

 private:
  std::uint64_t counted_ = 0;
  std::uint64_t obs_executions_[rlm::kMaxObservations] = {};
  RawSet<std::uint64_t> classes_, outcomes_;
  RawMap<std::uint64_t, RawVector<search::Decision>> witnesses_;
  RawVector<search::Decision> witness_;
  std::uint64_t witness_execution_ = 0;
  RawVector<std::pair<std::uint64_t, std::uint32_t>> scratch_;
  RawVector<std::uint32_t> layers_;
};

inline Collector*& active_collector() {
  static Collector* c = nullptr;
  return c;
}

// Resets the recorder before any member of the test is constructed.
struct ExecutionStart {
  ExecutionStart() {
    rlm::recorder().begin_execution();
    rlm::recorder().in_special = true;
  }
};

// The scenario this process simulates, behind function pointers: Relacy's
// context is a class template over the test type, and instantiating it once
// per scenario and variant cost more than a second of compile time per
// cell. With the scenario erased, it is instantiated once per thread count
// (relacy_tests/driver.cpp), and a cell compiles only its own code.
struct ScenarioOps {
  std::size_t size;
  void* (*construct)(void* mem);
  void (*destroy)(void* s);
  void (*before)(void* s);
  void (*thread)(void* s, unsigned i);
  void (*after)(void* s);
  std::uint64_t (*signature)(void* s);
  bool progress;  // the scenario's `progress`: lasso detection on
};

// A scenario may ask for progress checking (`static constexpr bool
// progress = true`): every spin-wait hint is then a progress point.
template <class S, class = void>
struct ProgressOf : std::false_type {};
template <class S>
struct ProgressOf<S, std::void_t<decltype(S::progress)>> : std::bool_constant<S::progress> {};

template <class S>
const ScenarioOps& scenario_ops() {
  static const ScenarioOps ops{
      sizeof(S),
      [](void* mem) -> void* { return ::new (mem) S(); },
      [](void* s) { static_cast<S*>(s)->~S(); },
      [](void* s) { static_cast<S*>(s)->before(); },
      [](void* s, unsigned i) { static_cast<S*>(s)->thread(i); },
      [](void* s) { static_cast<S*>(s)->after(); },
      [](void* s) -> std::uint64_t { return static_cast<S*>(s)->signature(); },
      ProgressOf<S>::value};
  return ops;
}

inline const ScenarioOps*& current_scenario() {
  static const ScenarioOps* ops = nullptr;
  return ops;
}

// Room for the scenario inside the test object (Relacy builds the test
// object, and every model object must be built inside it).
inline constexpr std::size_t kScenarioBytes = 64 * 1024;

template <unsigned N>
struct ErasedTest : ExecutionStart, rl::test_suite<ErasedTest<N>, N> {
  alignas(std::max_align_t) unsigned char storage[kScenarioBytes];
  void* s;
  ErasedTest() : s(current_scenario()->construct(storage)) {}
  ~ErasedTest() { current_scenario()->destroy(s); }
  void before() {
    current_scenario()->before(s);
    rlm::recorder().progress = current_scenario()->progress;
    rlm::recorder().nthreads = static_cast<int>(N);
    rlm::recorder().in_special = false;
  }
  void thread(unsigned i) {
    current_scenario()->thread(s, i);
    rlm::recorder().finished[i] = true;
  }
  void after() {
    rlm::recorder().in_special = true;
    current_scenario()->after(s);
    const std::uint64_t sig = current_scenario()->signature(s);
    if (search::Engine* e = search::active_engine()) e->finish_prefix();
    if (Collector* c = active_collector()) c->end_execution(sig, storage, sizeof storage);
  }
};

// The Relacy test of scenario S, with S installed while it lives.
template <class S>
using RelacyTest = ErasedTest<S::threads>;
template <class S>
class ScopedScenario {
 public:
  ScopedScenario() : previous_(current_scenario()) {
    static_assert(sizeof(S) <= kScenarioBytes, "scenario larger than the test object's room");
    current_scenario() = &scenario_ops<S>();
  }
  ~ScopedScenario() { current_scenario() = previous_; }
  ScopedScenario(const ScopedScenario&) = delete;
  ScopedScenario& operator=(const ScopedScenario&) = delete;

 private:
  const ScenarioOps* previous_;
};

// A stream that discards everything, without allocating.
class NullStream : public std::ostream {
 public:
  NullStream() : std::ostream(&buf_) {}

 private:
  struct Buf : std::streambuf {
    int overflow(int c) override { return c; }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
  } buf_;
};

struct Observation {
  std::string what;
  std::uint64_t executions;
};

struct Failure {
  rl::test_result_e result = rl::test_result_success;
  std::string kind;  // "invariant", "data race", "deadlock", "livelock", ...
  std::string what;  // the invariant text, or the raced-on variable
  Loc loc{"", "", 0};
  std::vector<search::Decision> decisions;
  std::string trace;  // labelled and trimmed to the steps that matter
  std::string full_trace;
  bool replayed = false;  // the replay reproduced the failure
};

struct RunResult {
  rl::test_result_e result = rl::test_result_success;
  search::Stats stats;
  std::uint64_t counted = 0;
  std::uint64_t classes = 0;
  std::uint64_t outcomes = 0;
  std::uint64_t recorded_checks = 0;  // RunOptions::record_checks: bit n for Sn
  std::vector<Observation> observations;
  Failure failure;
  double probe_estimate = 0, probe_stderr = 0;
  RawSet<std::uint64_t> class_set;    // filled when keep_classes
  RawSet<std::uint64_t> outcome_set;  // filled when keep_classes or keep_outcomes
  RawMap<std::uint64_t, RawVector<search::Decision>> witnesses;  // keep_witnesses
  // witness_of: the execution that first observed it (empty if none did),
  // its number, and its trace.
  std::vector<search::Decision> witness;
  std::uint64_t witness_execution = 0;
  std::string witness_trace, witness_full_trace;
  // Coherence (model/relacy_model.hpp, StoreClocks): every pair of stores to
  // one location by two threads with no happens-before between them, seen in
  // any execution, as "name: file:line func / file:line func" (sorted);
  // "..." last when there were more than the recorder holds.
  std::vector<std::string> unordered_stores;
};

struct RunOptions {
  bool keep_classes = false;
  bool keep_witnesses = false;       // with keep_classes: one execution per class
  bool keep_outcomes = false;        // fill outcome_set (to merge searches run apart)
  bool classes_up_to_symmetry = false;  // with keep_classes: one key per renaming orbit
  const char* witness_of = nullptr;  // stop at the first execution observing this (prefix)
  const char* only_check = nullptr;  // check only this invariant ("S11:"); see Recorder
  bool record_checks = false;        // record failing invariants, stop at none (Recorder)
  bool want_trace = true;
  bool trace_always = false;            // replay: build the trace even if it passes
  unsigned depth_limit = 20000;         // scheduling points per execution
  std::ostream* raw_history = nullptr;  // Relacy's own history of a failure
  const char* const* thread_names = nullptr;
  unsigned thread_count = 0;
};

// "T1 invalidate" style labels.
inline std::string thread_label(unsigned t, const RunOptions& o) {
  char buf[64];
  if (o.thread_names && t < o.thread_count)
    std::snprintf(buf, sizeof buf, "T%u %s", t, o.thread_names[t]);
  else
    std::snprintf(buf, sizeof buf, "T%u", t);
  return buf;
}

// A function's name without its template arguments (a lambda inside a
// function template is named after the whole instantiation).
inline std::string short_func(const char* func) {
  const char* lt = std::strchr(func, '<');
  return lt ? std::string(func, static_cast<std::size_t>(lt - func)) : std::string(func);
}

using rlm::short_path;

inline std::string describe_event(const rlm::Event& e) {
  char buf[256];
  // Values are logged as 64-bit words; show negative ones (the poison,
  // KVM_PFN_ERR_FAULT) as such.
  const long long v = static_cast<long long>(e.value);
  switch (e.op) {
    case rlm::Op::load:
      if (e.stale)
        std::snprintf(buf, sizeof buf, "load %s == %lld (stale: latest %lld)", e.name, v,
                      static_cast<long long>(e.latest));
      else
        std::snprintf(buf, sizeof buf, "load %s == %lld", e.name, v);
      break;
    case rlm::Op::store: std::snprintf(buf, sizeof buf, "store %s = %lld", e.name, v); break;
    case rlm::Op::rmw: std::snprintf(buf, sizeof buf, "rmw %s (was %lld)", e.name, v); break;
    case rlm::Op::var_load: std::snprintf(buf, sizeof buf, "read %s == %lld", e.name, v); break;
    case rlm::Op::var_store: std::snprintf(buf, sizeof buf, "write %s = %lld", e.name, v); break;
    case rlm::Op::ghost_load:
      std::snprintf(buf, sizeof buf, "[ghost] read %s == %lld", e.name, v);
      break;
    case rlm::Op::ghost_store:
      std::snprintf(buf, sizeof buf, "[ghost] %s = %lld", e.name, v);
      break;
    case rlm::Op::ghost_unordered:  // `ok`: a store (false: a load)
      std::snprintf(buf, sizeof buf, e.ok ? "[ghost] %s = %lld" : "[ghost] read %s == %lld",
                    e.name, v);
      break;
    case rlm::Op::try_x:
    case rlm::Op::try_s:
      std::snprintf(buf, sizeof buf, "%s(%s) %s", rlm::op_name(e.op), e.name,
                    e.ok ? "succeeds" : "fails");
      break;
    case rlm::Op::lock_probe:
      std::snprintf(buf, sizeof buf, "spin_is_locked(%s) == %lld", e.name, v);
      break;
    case rlm::Op::fence_sc: std::snprintf(buf, sizeof buf, "fence(seq_cst)"); break;
    case rlm::Op::yield: std::snprintf(buf, sizeof buf, "spin_wait_hint()"); break;
    case rlm::Op::note: std::snprintf(buf, sizeof buf, "observed %.*s", 40, e.name); break;
    default: std::snprintf(buf, sizeof buf, "%s(%s)", rlm::op_name(e.op), e.name); break;
  }
  return buf;
}

// A plain read made by the checker's own bookkeeping (the snapshots around
// each write critical section and the window count), not by the protocol:
// left out of the trimmed trace.
inline bool checker_read(const rlm::Event& e) {
  if (e.op != rlm::Op::var_load) return false;
  static const char* const checker[] = {"write_lock_irq", "write_unlock_irq", "observe_window",
                                        "walked",         "covers",           "window_snapshot",
                                        "mapped_live",    "publish_live",     "signature",  "after"};
  for (const char* f : checker)
    if (std::strcmp(e.loc.func, f) == 0) return true;
  return false;
}

// Builds the labelled trace of the execution in the recorder's log. The
// trimmed form keeps the steps on objects that two or more threads touch
// (the ones that can matter for a race) and every ghost step.
inline void build_traces(const RunOptions& o, Failure& f) {
  const rlm::Recorder& r = rlm::recorder();
  std::vector<const void*> objs;
  std::vector<unsigned> masks;
  auto touch = [&](const void* obj, unsigned thread) {
    if (obj == nullptr) return;
    auto it = std::find(objs.begin(), objs.end(), obj);
    if (it == objs.end()) {
      objs.push_back(obj);
      masks.push_back(0);
      it = objs.end() - 1;
    }
    masks[static_cast<std::size_t>(it - objs.begin())] |= 1u << thread;
  };
  for (std::size_t i = 0; i < r.log_size; ++i) {
    const rlm::Event& e = r.log[i];
    if (e.thread != rlm::kSpecialThread) touch(e.obj, e.thread);
  }
  // The steps each thread was about to take when the execution stopped.
  const unsigned nthreads = o.thread_count ? o.thread_count : 0;
  for (unsigned t = 0; t < nthreads && t < static_cast<unsigned>(rlm::kMaxThreads); ++t) {
    const rlm::Pending& p = r.pending[t];
    if (p.op != rlm::Op::not_started && p.op != rlm::Op::unknown) touch(p.obj, t);
  }
  // What a failed check read: the objects of the failing thread's last few
  // reads. They stay in the trimmed trace even if only that thread touched
  // them (a refresh that publishes valid before it may, S4).
  std::vector<const void*> checked;
  if (f.kind == "invariant" && r.log_size > 0) {
    const unsigned failing = r.log[r.log_size - 1].thread;
    int reads = 0;
    for (std::size_t i = r.log_size; i-- > 0 && reads < 3;) {
      const rlm::Event& e = r.log[i];
      if (e.thread != failing) continue;
      if (e.op == rlm::Op::var_load || e.op == rlm::Op::load || e.op == rlm::Op::ghost_load) {
        checked.push_back(e.obj);
        ++reads;
      }
    }
  }
  auto shared = [&](const void* obj, const char* name) {
    if (f.kind == "data race" && r.last_access_name && name == r.last_access_name) return true;
    if (std::find(checked.begin(), checked.end(), obj) != checked.end()) return true;
    auto it = std::find(objs.begin(), objs.end(), obj);
    if (it == objs.end()) return false;
    const unsigned m = masks[static_cast<std::size_t>(it - objs.begin())];
    return (m & (m - 1)) != 0;
  };
  std::string full, trimmed;
  unsigned step = 0;
  // A lasso's cycle, marked in both forms (docs/reading-traces.md).
  const bool lasso = (f.kind == "livelock" || f.kind == "starvation") &&
                     r.lasso != rlm::Recorder::Lasso::none && r.lasso_begin <= r.lasso_end;
  const char* const cycle_begin =
      "  ----  cycle: the steps from here to the end repeat forever ----------------------\n";
  for (std::size_t i = 0; i < r.log_size; ++i) {
    if (lasso && i == r.lasso_begin) {
      full += cycle_begin;
      trimmed += cycle_begin;
    }
    const rlm::Event& e = r.log[i];
    if (e.thread == rlm::kSpecialThread) continue;
    ++step;
    char line[512];
    std::snprintf(line, sizeof line, "  %4u  %-14s %-34s %-44s %s:%u\n", step,
                  thread_label(e.thread, o).c_str(), short_func(e.loc.func).c_str(),
                  describe_event(e).c_str(),
                  short_path(e.loc.file), e.loc.line);
    full += line;
    const bool ghost = e.op == rlm::Op::ghost_load || e.op == rlm::Op::ghost_store ||
                       e.op == rlm::Op::ghost_adjust || e.op == rlm::Op::ghost_unordered ||
                       e.op == rlm::Op::note;
    if ((ghost || shared(e.obj, e.name)) && !checker_read(e)) trimmed += line;
  }
  if (lasso) {
    if (r.lasso_begin == r.log_size) {
      full += cycle_begin;
      trimmed += cycle_begin;
    }
    const char* const cycle_end =
        r.lasso == rlm::Recorder::Lasso::starvation || r.lasso_begin < r.lasso_end
            ? "  ----  end of cycle: the state is the one at its start; it can repeat forever ----\n"
            : "";
    full += cycle_end;
    trimmed += cycle_end;
  }
  std::string waiting;
  if (f.kind == "deadlock" || f.kind == "livelock" || f.kind == "starvation" ||
      f.kind == "misplaced hint") {
    for (unsigned t = 0; t < nthreads && t < static_cast<unsigned>(rlm::kMaxThreads); ++t) {
      const rlm::Pending& p = r.pending[t];
      if (p.op == rlm::Op::not_started || p.op == rlm::Op::unknown) continue;
      char line[512], step_text[128];
      std::snprintf(step_text, sizeof step_text, "%s(%s)", rlm::op_name(p.op), p.name);
      std::snprintf(line, sizeof line, "        %-14s %-34s waits in %-35s %s:%u\n",
                    thread_label(t, o).c_str(), short_func(p.loc.func).c_str(), step_text,
                    short_path(p.loc.file),
                    p.loc.line);
      waiting += line;
    }
  }
  char tail[768];
  if (f.kind.empty()) {
    tail[0] = '\0';
  } else if (f.kind == "data race" && r.last_access_name) {
    // Name the earlier access by another thread that the racing one meets:
    // for a read, the last write (two reads never race).
    std::string other;
    for (std::size_t i = r.log_size; i-- > 0;) {
      const rlm::Event& e = r.log[i];
      if (e.name == r.last_access_name && e.thread != rlm::kSpecialThread &&
          static_cast<int>(e.thread) != r.last_access_thread &&
          (e.op == rlm::Op::var_store || e.op == rlm::Op::store ||
           ((e.op == rlm::Op::var_load || e.op == rlm::Op::load) && r.last_access_write))) {
        char b[300];
        std::snprintf(b, sizeof b,
                      "\n          the latest conflicting access by another thread: %s by %s at "
                      "%s:%u",
                      describe_event(e).c_str(), thread_label(e.thread, o).c_str(),
                      short_path(e.loc.file), e.loc.line);
        other = b;
        break;
      }
    }
    std::snprintf(tail, sizeof tail,
                  "  FAILED: data race on %s: the access at %s:%u (%s) is not ordered by "
                  "happens-before with another thread's access%s\n",
                  r.last_access_name, short_path(r.last_access_loc.file), r.last_access_loc.line,
                  short_func(r.last_access_loc.func).c_str(), other.c_str());
  } else if (f.kind == "invariant") {
    std::snprintf(tail, sizeof tail, "  FAILED: %s\n          at %s:%u (%s)\n", f.what.c_str(),
                  short_path(f.loc.file), f.loc.line, short_func(f.loc.func).c_str());
  } else {
    std::snprintf(tail, sizeof tail, "  FAILED: %s\n", f.what.c_str());
  }
  f.full_trace = full + tail + waiting;
  f.trace = trimmed + tail + waiting;
}

// A witness trace ends where its point is made: at the observing thread's
// first lock release after the observation (the rest of the execution is
// in the full trace).
inline std::string cut_after_observation(const std::string& trace, const char* obs) {
  if (obs == nullptr) return trace;
  const std::string needle = std::string("observed ") + obs;
  std::size_t pos = trace.find(needle);
  if (pos == std::string::npos) return trace;
  std::size_t line_start = trace.rfind('\n', pos);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  const std::string label = trace.substr(line_start + 8, 14);  // "  %4u  %-14s"
  for (std::size_t at = trace.find('\n', pos); at != std::string::npos && at + 1 < trace.size();
       at = trace.find('\n', at + 1)) {
    const std::size_t end = trace.find('\n', at + 1);
    const std::string line = trace.substr(at + 1, end == std::string::npos ? end : end - at - 1);
    if (line.size() > 22 && line.compare(8, 14, label) == 0 &&
        line.find("unlock(") != std::string::npos) {
      if (end == std::string::npos || end + 1 >= trace.size()) return trace;
      return trace.substr(0, end + 1) + "   ...  (the rest of the execution: --replay prints it)\n";
    }
  }
  return trace;
}

// THE SPIN-WAIT HINT'S CONTRACT (model/model.hpp): a thread that waits at
// a hint while holding a lock that another thread is blocked on has its
// hint in the wrong place (before the unlock, not after it): the thread it
// waits for can never run, and the search would call that a deadlock or a
// livelock of the protocol. It is an error of the model instead.
inline void misplaced_hint(Failure& f) {
  const rlm::Recorder& r = rlm::recorder();
  for (int t = 0; t < rlm::kMaxThreads; ++t) {
    if (r.pending[t].op != rlm::Op::yield) continue;
    for (int i = 0; i < r.nheld[t]; ++i)
      for (int u = 0; u < rlm::kMaxThreads; ++u) {
        const rlm::Pending& p = r.pending[u];
        const bool acquires = p.op == rlm::Op::lock_x || p.op == rlm::Op::lock_s ||
                              p.op == rlm::Op::lock_s_fair || p.op == rlm::Op::lock_wait;
        if (u == t || !acquires || p.obj != r.held[t][i]) continue;
        char what[400];
        std::snprintf(what, sizeof what,
                      "spin_wait_hint() at %s:%u (%s) in thread %d, which holds %s, and thread %d "
                      "waits for %s at %s:%u: a hint must not wait while holding a lock the "
                      "thread it waits for needs (model/model.hpp, the hint's contract)",
                      short_path(r.pending[t].loc.file), r.pending[t].loc.line,
                      short_func(r.pending[t].loc.func).c_str(), t, r.held_name[t][i], u,
                      r.held_name[t][i], short_path(p.loc.file), p.loc.line);
        f.kind = "misplaced hint";
        f.what = what;
        f.loc = r.pending[t].loc;
        return;
      }
  }
}

inline void describe_failure(rl::test_result_e res, Failure& f) {
  const rlm::Recorder& r = rlm::recorder();
  f.result = res;
  switch (res) {
    case rl::test_result_user_assert_failed:
    case rl::test_result_user_invariant_failed:
      f.kind = "invariant";
      f.what = r.failed_check ? r.failed_check : "assertion";
      f.loc = r.failed_check ? r.failed_check_loc : Loc{"", "", 0};
      break;
    case rl::test_result_data_race:
      f.kind = "data race";
      f.what = r.last_access_name ? r.last_access_name : "?";
      f.loc = r.last_access_name ? r.last_access_loc : Loc{"", "", 0};
      break;
    case rl::test_result_deadlock:
      f.kind = "deadlock";
      f.what = "deadlock";
      break;
    case rl::test_result_livelock:
      // A lasso (rlm::progress_point, or the search's terminal spin).
      f.kind = r.lasso == rlm::Recorder::Lasso::starvation ? "starvation"
               : r.lasso == rlm::Recorder::Lasso::overflow ? "progress overflow"
                                                           : "livelock";
      f.what = r.lasso_text[0] ? r.lasso_text : "livelock";
      break;
    default:
      f.kind = "other";
      f.what = rl::test_result_str(res);
      break;
  }
  if (res == rl::test_result_deadlock || res == rl::test_result_livelock) misplaced_hint(f);
}

// Relacy's random search lets a relaxed load read two stores back, the tree
// searches one: a replay must use the memory model of the search it replays.
inline bool uses_random_memory(const search::Config& cfg) {
  return cfg.mode == search::Mode::random || cfg.random_memory;
}

// A scenario may declare interchangeable threads: `symmetric_with[t]` is the
// earlier thread t runs the same code on the same inputs as, or -1. The
// search then starts them in order (search::Config::sym_pred).
template <class S, class = void>
struct SymmetryOf {
  static void apply(search::Config&) {}
};
template <class S>
struct SymmetryOf<S, std::void_t<decltype(S::symmetric_with)>> {
  static void apply(search::Config& c) {
    for (unsigned t = 0; t < S::threads; ++t)
      c.sym_pred[t] = static_cast<std::uint8_t>(S::symmetric_with[t] < 0 ? 0 : S::symmetric_with[t] + 1);
  }
};

// The recorder's unordered store pairs as text, sorted, each pair's two
// places in source order (so the text does not depend on the schedule).
inline std::vector<std::string> unordered_stores(const rlm::Recorder& r) {
  std::vector<std::string> out;
  for (int i = 0; i < r.co_size; ++i) {
    const rlm::CoPair& p = r.co_pairs[i];
    char a[300], b[300];
    std::snprintf(a, sizeof a, "%s:%u %s", short_path(p.first.file), p.first.line,
                  short_func(p.first.func).c_str());
    std::snprintf(b, sizeof b, "%s:%u %s", short_path(p.second.file), p.second.line,
                  short_func(p.second.func).c_str());
    std::string x = a, y = b;
    if (y < x) std::swap(x, y);
    out.push_back(std::string(p.name) + ": " + x + " / " + y);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (r.co_overflow) out.push_back("...");
  return out;
}

// Runs the installed scenario (current_scenario()) on N threads. Defined
// here, instantiated once per N in relacy_tests/driver.cpp.
template <unsigned N>
RunResult run_threads(const search::Config& cfg, const RunOptions& o) {
  using Test = ErasedTest<N>;
  using Sched = search::Scheduler<N>;

  RunResult out;
  NullStream null;
  struct OnlyCheck {
    OnlyCheck(const char* c, bool record) {
      rlm::recorder().only_check = c;
      rlm::recorder().record_checks = record;
      rlm::recorder().recorded_checks = 0;
    }
    ~OnlyCheck() {
      rlm::recorder().only_check = nullptr;
      rlm::recorder().record_checks = false;
    }
  } only_check(o.only_check, o.record_checks);
  rlm::recorder().co_size = 0;
  rlm::recorder().co_overflow = false;
  rlm::recorder().release_own = &rlm::release_own_for<static_cast<int>(N)>;
  {
    search::Engine engine(cfg);
    Collector collector;
    collector.keep_classes = o.keep_classes;
    std::uint8_t rename[rlm::kMaxThreads + 1];
    for (int t = 0; t <= rlm::kMaxThreads; ++t) rename[t] = static_cast<std::uint8_t>(t);
    bool renames = false;
    for (int t = 0; t < rlm::kMaxThreads; ++t)
      if (cfg.sym_pred[t]) {
        rename[t] = static_cast<std::uint8_t>(cfg.sym_pred[t] - 1);
        rename[cfg.sym_pred[t] - 1] = static_cast<std::uint8_t>(t);
        renames = true;
      }
    if (o.classes_up_to_symmetry && renames) collector.rename = rename;
    collector.keep_witnesses = o.keep_witnesses;
    collector.witness_of = o.witness_of;
    search::active_engine() = &engine;
    active_collector() = &collector;
    rlm::recorder().logging = o.keep_classes || cfg.mode == search::Mode::replay;

    rl::test_params p;
    p.search_type = uses_random_memory(cfg) ? rl::sched_random : rl::sched_full;
    p.execution_depth_limit = o.depth_limit;
    p.output_stream = &null;
    p.progress_stream = &null;
    p.collect_history = false;
    rl::ostringstream state;
    const auto t0 = std::chrono::steady_clock::now();
    out.result = rl::run_test<Test, Sched>(p, state, false);
    const auto t1 = std::chrono::steady_clock::now();

    search::active_engine() = nullptr;
    active_collector() = nullptr;
    out.stats = engine.stats();
    out.stats.seconds = std::chrono::duration<double>(t1 - t0).count();
    out.counted = collector.counted();
    out.classes = collector.classes().size();
    out.outcomes = collector.outcomes().size();
    if (o.keep_classes) {
      out.class_set = collector.classes();
      out.witnesses = collector.witnesses();
    }
    if (o.keep_classes || o.keep_outcomes) out.outcome_set = collector.outcomes();
    out.witness.assign(collector.witness().begin(), collector.witness().end());
    out.witness_execution = collector.witness_execution();
    out.probe_estimate = engine.probe_estimate();
    out.probe_stderr = engine.probe_stderr();
    const rlm::Recorder& r = rlm::recorder();
    out.recorded_checks = r.recorded_checks;
    for (int i = 0; i < r.obs_size; ++i)
      out.observations.push_back(Observation{r.obs_keys[i], collector.observation_executions(i)});
    out.unordered_stores = unordered_stores(r);
    if (out.result != rl::test_result_success) {
      describe_failure(out.result, out.failure);
      out.failure.decisions.assign(engine.decisions().begin(), engine.decisions().end());
    } else if (o.trace_always && cfg.mode == search::Mode::replay) {
      build_traces(o, out.failure);
    }
  }

  if (!out.witness.empty() && o.want_trace) {
    RunOptions wo = o;
    wo.witness_of = nullptr;
    wo.trace_always = true;
    search::Config wc;
    wc.mode = search::Mode::replay;
    wc.random_memory = uses_random_memory(cfg);
    wc.replay.assign(out.witness.begin(), out.witness.end());
    wc.symmetry = cfg.symmetry;
    std::memcpy(wc.sym_pred, cfg.sym_pred, sizeof wc.sym_pred);
    const RunResult w = run_threads<N>(wc, wo);
    out.witness_trace = cut_after_observation(w.failure.trace, o.witness_of);
    out.witness_full_trace = w.failure.full_trace;
  }

  if (out.result != rl::test_result_success && o.want_trace) {
    // Replay the failing execution alone, with Relacy's history on.
    search::Config rc;
    rc.mode = search::Mode::replay;
    rc.random_memory = uses_random_memory(cfg);
    rc.replay.assign(out.failure.decisions.begin(), out.failure.decisions.end());
    rc.symmetry = cfg.symmetry;
    std::memcpy(rc.sym_pred, cfg.sym_pred, sizeof rc.sym_pred);
    search::Engine engine(rc);
    search::active_engine() = &engine;
    rlm::recorder().logging = true;
    rl::test_params p;
    p.search_type = uses_random_memory(rc) ? rl::sched_random : rl::sched_full;
    p.execution_depth_limit = o.depth_limit;
    p.output_stream = o.raw_history ? o.raw_history : &null;
    p.progress_stream = &null;
    p.collect_history = true;
    rl::ostringstream state;
    const rl::test_result_e again = rl::run_test<Test, Sched>(p, state, false);
    search::active_engine() = nullptr;
    out.failure.replayed = again == out.result && !engine.stats().replay_diverged;
    build_traces(o, out.failure);
  }
  return out;
}

extern template RunResult run_threads<2>(const search::Config&, const RunOptions&);
extern template RunResult run_threads<3>(const search::Config&, const RunOptions&);
extern template RunResult run_threads<4>(const search::Config&, const RunOptions&);
extern template RunResult run_threads<5>(const search::Config&, const RunOptions&);
extern template RunResult run_threads<6>(const search::Config&, const RunOptions&);

// Runs scenario S under `given` (its symmetry applied) and reports.
template <class S>
RunResult run(const search::Config& given, const RunOptions& opt = RunOptions()) {
  ScopedScenario<S> scope;
  search::Config cfg = given;
  SymmetryOf<S>::apply(cfg);
  RunOptions o = opt;
  if (o.thread_names == nullptr) {
    o.thread_names = S::thread_names;
    o.thread_count = S::threads;
  }
  return run_threads<S::threads>(cfg, o);
}

// A test template over the model, run under Relacy, as a function pointer
// (the litmus registries).
template <template <class> class T>
RunResult run_relacy(const search::Config& cfg) {
  return run<T<RelacyModel>>(cfg);
}

// How many executions observed exactly `what` (0 when none did, or `what`
// is null).
inline std::uint64_t observed_executions(const RunResult& r, const char* what) {
  if (what == nullptr) return 0;
  for (const Observation& o : r.observations)
    if (o.what == what) return o.executions;
  return 0;
}

// Replays one recorded execution of S (the --replay option).
template <class S>
RunResult replay(const std::vector<search::Decision>& decisions, bool random_memory,
                 const RunOptions& opt = RunOptions()) {
  search::Config rc;
  rc.mode = search::Mode::replay;
  rc.random_memory = random_memory;
  rc.replay.assign(decisions.begin(), decisions.end());
  return run<S>(rc, opt);
}

// Decisions <-> text: a thread choice is its digit, a data choice a letter
// ('a' + value); runs of three or more are written as <char>*<count>.
inline std::string encode_decisions(const std::vector<search::Decision>& d) {
  std::string s;
  for (std::size_t i = 0; i < d.size();) {
    const char c = static_cast<char>(d[i].data ? 'a' + d[i].value : '0' + d[i].value);
    std::size_t j = i;
    while (j < d.size() && d[j].data == d[i].data && d[j].value == d[i].value) ++j;
    const std::size_t n = j - i;
    if (n >= 3) {
      s += c;
      s += '*';
      s += std::to_string(n);
      s += '.';
    } else {
      s.append(n, c);
    }
    i = j;
  }
  return s;
}

inline bool decode_decisions(const std::string& s, std::vector<search::Decision>& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i++];
    search::Decision d{};
    if (c >= '0' && c <= '9') {
      d = search::Decision{0, static_cast<std::uint8_t>(c - '0')};
    } else if (c >= 'a' && c <= 'z') {
      d = search::Decision{1, static_cast<std::uint8_t>(c - 'a')};
    } else {
      return false;
    }
    std::size_t n = 1;
    if (i < s.size() && s[i] == '*') {
      const std::size_t dot = s.find('.', i);
      if (dot == std::string::npos || dot == i + 1) return false;
      n = 0;
      for (std::size_t k = i + 1; k < dot; ++k) {
        if (s[k] < '0' || s[k] > '9') return false;
        n = n * 10 + static_cast<std::size_t>(s[k] - '0');
        if (n > 1000000) return false;
      }
      i = dot + 1;
    }
    out.insert(out.end(), n, d);
  }
  return true;
}

}  // namespace pfv

#endif  // PFV_RELACY_TESTS_DRIVER_HPP
