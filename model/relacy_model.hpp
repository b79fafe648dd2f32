// model/relacy_model.hpp: the model under the Relacy race detector.
//
// WHAT IT IS
//   The checker instantiation of model/model.hpp, on Debian's relacy-dev
//   (upstream acc09bb). Every atomic, lock, seq_cst fence, ghost access and
//   spin-wait hint is a scheduling point of the checker; var<T> is rl::var<T>,
//   race-checked with vector clocks at every access.
//
//   Include this header only from a translation unit that is meant to run
//   under Relacy, and include every standard header you need *before* it:
//   relacy.hpp #defines new, delete, malloc, free, assert, errno and the
//   memory_order_* names. This header #undefs all of them again right after
//   including Relacy (and restores glibc's errno), so code below it (impl/,
//   the scenarios, standard headers) sees the usual meanings and spells
//   std::memory_order_acquire as usual. Relacy's global operator new stays in
//   force: while a simulation runs, heap allocation goes to Relacy's checked
//   allocator, so code that runs during a simulation allocates nothing, or
//   only through a malloc-based allocator (relacy_tests/search/raw_alloc.hpp).
//
// GUARANTEE
//   Same members and meaning as every other model. In addition, before each
//   operation the thread's *pending operation* (object address and kind) is
//   stored in the recorder (pfv::rlm::recorder()), and after it completes the
//   operation is appended to the execution's event log. The search strategies
//   (relacy_tests/search/) read the pending operations to know every thread's
//   next step; the traces and the class keys are built from the event log.
//
// MEMORY ORDERING
//   Relacy's own (see docs/limits.md): a relaxed load may read the latest
//   store or the one before it (two back under random search); acquire and
//   release fences change only the issuing thread's clocks (so they are not
//   scheduling points); a seq_cst fence joins a global fence order.
//
// CAVEATS
//   * check() fails the whole simulation: Relacy stops at the first failing
//     execution and replays it with its history.
//   * var<T> accesses are not scheduling points (Relacy's design): the
//     race detector compares vector clocks, so a race is reported in the
//     first execution that contains both accesses, whatever their order.
#ifndef PFV_MODEL_RELACY_MODEL_HPP
#define PFV_MODEL_RELACY_MODEL_HPP

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <relacy/relacy.hpp>
#include <relacy/stdlib/pthread.hpp>
#include <type_traits>

#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#undef errno
// Restore the C library's errno, which standard headers included later use.
#if defined(__GLIBC__)
#define errno (*__errno_location())
#else
#error "restore errno for this C library after including relacy.hpp"
#endif
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst

#include "model/model.hpp"

namespace pfv {
namespace rlm {

// The kind of a model operation, as the search strategies see it.
enum class Op : std::uint8_t {
  not_started,  // the thread has not reached its first operation yet
  unknown,      // a scheduling point the model did not announce
  load,
  store,
  rmw,       // exchange, fetch_*, compare_exchange
  fence_sc,  // seq_cst fence: joins Relacy's global fence order
  lock_x,    // blocking exclusive acquire (write_lock, spin_lock, mutex_lock)
  lock_s,    // blocking shared acquire (read_lock; any reader of a permissive
             // rwlock, an interrupt reader of a fair one)
  try_x,     // exclusive trylock (never blocks)
  try_s,     // shared trylock (never blocks)
  lock_wait,    // a writer of a fair rwlock announces itself (qrwlock's _QW_WAITING)
  lock_s_fair,  // a task reader of a fair rwlock: waits behind waiting writers
  try_s_fair,   // read_trylock() of a fair rwlock: fails while a writer waits
  unlock_x,
  unlock_s,
  ghost_load,
  ghost_store,   // also ghost add: it reads what it returns
  ghost_adjust,  // ghost add whose result is not used: commutes with another
  ghost_unordered,  // an unordered ghost's access (not a step; commutes with everything)
  yield,         // spin-wait hint
  lock_probe,    // spin_is_locked(): reads whether the lock is held, changes nothing
  var_load,      // plain accesses: logged, never pending
  var_store,
  note,  // an observation: logged, never pending
};

inline const char* op_name(Op op) {
  switch (op) {
    case Op::not_started: return "start";
    case Op::unknown: return "?";
    case Op::load: return "load";
    case Op::store: return "store";
    case Op::rmw: return "rmw";
    case Op::fence_sc: return "fence(seq_cst)";
    case Op::lock_x: return "lock";
    case Op::lock_s: return "read_lock";
    case Op::try_x: return "trylock";
    case Op::try_s: return "read_trylock";
    case Op::lock_wait: return "write_wait";
    case Op::lock_s_fair: return "read_lock";
    case Op::try_s_fair: return "read_trylock";
    case Op::unlock_x: return "unlock";
    case Op::unlock_s: return "read_unlock";
    case Op::ghost_load: return "ghost load";
    case Op::ghost_store: return "ghost store";
    case Op::ghost_adjust: return "ghost adjust";
    case Op::ghost_unordered: return "ghost (unordered)";
    case Op::yield: return "spin_wait_hint";
    case Op::lock_probe: return "spin_is_locked";
    case Op::var_load: return "load";
    case Op::var_store: return "store";
    case Op::note: return "observe";
  }
  return "?";
}

// Lock operations are the ones whose enabledness depends on a lock's state.
inline bool op_is_lock(Op op) {
  return op == Op::lock_x || op == Op::lock_s || op == Op::try_x || op == Op::try_s ||
         op == Op::unlock_x || op == Op::unlock_s || op == Op::lock_wait ||
         op == Op::lock_s_fair || op == Op::try_s_fair || op == Op::lock_probe;
}

// Read-like operations commute with each other on the same object.
inline bool op_is_read(Op op) {
  return op == Op::load || op == Op::lock_s || op == Op::try_s || op == Op::ghost_load ||
         op == Op::var_load || op == Op::lock_s_fair || op == Op::try_s_fair ||
         op == Op::lock_probe;
}

// What a lock operation reads and changes of its lock, seen as three parts:
// W (is it held exclusively), R (how many readers hold it) and Q (how many
// writers of a fair rwlock wait). `ok` is the trylock outcome; `pending`
// means the outcome is not known yet, so a trylock counts as the acquire it
// may become.
struct LockAccess {
  bool w_read, w_write, r_read, r_inc, r_dec, q_read, q_write;
};

inline LockAccess lock_access(Op op, bool ok, bool pending) {
  const bool acquires = pending || ok;
  switch (op) {
    case Op::lock_x: return {true, true, true, false, false, false, true};
    case Op::try_x: return {true, acquires, true, false, false, false, false};
    case Op::unlock_x: return {false, true, false, false, false, false, false};
    case Op::lock_s: return {true, false, false, true, false, false, false};
    case Op::try_s: return {true, false, false, acquires, false, false, false};
    case Op::unlock_s: return {false, false, false, false, true, false, false};
    // The waiting bit lives in the same word the writer bit does (qrwlock's
    // cnts): ordered with every change of W.
    case Op::lock_wait: return {true, false, false, false, false, false, true};
    case Op::lock_s_fair: return {true, false, false, true, false, true, false};
    case Op::try_s_fair: return {true, false, false, acquires, false, true, false};
    // spin_is_locked() reads W (the only part a spinlock has) and nothing else.
    case Op::lock_probe: return {true, false, false, false, false, false, false};
    default: return {true, true, true, true, true, true, true};
  }
}

// Two lock operations conflict when one changes a part the other reads or
// changes; arriving readers (R up) commute with each other, and so do
// leaving ones (R down), but not with each other: a reader that arrives
// after another left acquires what the leaver released.
inline bool locks_conflict(const LockAccess& a, const LockAccess& b) {
  if (a.w_write && (b.w_read || b.w_write)) return true;
  if (b.w_write && (a.w_read || a.w_write)) return true;
  if (a.r_read && (b.r_inc || b.r_dec)) return true;
  if (b.r_read && (a.r_inc || a.r_dec)) return true;
  // A waiting writer changes what a fair reader finds; writers arriving and
  // acquiring change the count in ways that commute.
  if ((a.q_write && b.q_read) || (b.q_write && a.q_read)) return true;
  return (a.r_inc && b.r_dec) || (a.r_dec && b.r_inc);
}

// Do two operations on the same object commute? Two reads do; two ghost
// adjustments (additions nobody reads the result of) do; lock operations
// follow locks_conflict(). `pending`: outcomes not known yet.
inline bool ops_commute(Op a, bool a_ok, Op b, bool b_ok, bool pending) {
  if (a == Op::ghost_unordered || b == Op::ghost_unordered) return true;
  if (op_is_lock(a) && op_is_lock(b))
    return !locks_conflict(lock_access(a, a_ok, pending), lock_access(b, b_ok, pending));
  if (op_is_lock(a) || op_is_lock(b)) return false;
  if (a == Op::ghost_adjust && b == Op::ghost_adjust) return true;
  return op_is_read(a) && op_is_read(b);
}

// Is an operation one that conflicts with every other operation on its
// object, so that everything earlier on the object is ordered before it?
inline bool op_orders_object(Op op, bool ok) {
  if (op == Op::ghost_unordered) return false;
  if (op == Op::lock_x || op == Op::unlock_x || (op == Op::try_x && ok)) return true;
  if (op_is_lock(op)) return false;
  return !op_is_read(op) && op != Op::ghost_adjust;
}

struct Pending {
  const void* obj;
  const char* name;
  Op op;
  Loc loc;
  std::uint64_t value;  // yield: the fingerprint of the loop's carried state
};

// A completed operation, in execution order.
struct Event {
  const void* obj;
  const char* name;     // the object's name, for traces
  std::uint64_t value;  // value loaded / stored / returned by an rmw (old value)
  Loc loc;
  std::uint32_t seq;  // index of this event among its thread's events
  std::uint16_t thread;
  Op op;
  bool ok;  // trylock result; true otherwise
  // A load that read an older value than the latest in modification order
  // (Relacy's weak memory): `latest` is that latest value. Traces only.
  bool stale = false;
  std::uint64_t latest = 0;
};

constexpr int kMaxThreads = 8;
// Events logged from the test's constructor, before() and after() are
// attributed to this pseudo-thread: which real thread runs after() depends
// on the schedule, and the class key must not.
constexpr int kSpecialThread = kMaxThreads;
constexpr std::size_t kMaxEvents = 16384;
constexpr int kMaxObservations = 64;
constexpr int kMaxCoPairs = 32;

// Two stores to one location by different threads, with no happens-before
// between them, seen in some execution of the run (see StoreClocks).
struct CoPair {
  const char* name;
  Loc first, second;  // in execution order
};

// Process-wide state of the Relacy model. Relacy runs every simulated thread
// on one OS thread, so nothing here needs synchronisation.
struct Recorder {
  Pending pending[kMaxThreads];
  std::uint32_t thread_seq[kMaxThreads + 1];
  bool in_special;  // constructor, before() or after() is running

  // The event log is kept only when someone reads it (traces, class keys):
  // searches that only want a verdict run faster without it.
  bool logging;
  Event log[kMaxEvents];
  std::size_t log_size;
  bool log_overflow;

  // When set (an invariant code with its colon, "S11:"), M::check ignores
  // every check whose text does not start with it: used to show that each
  // invariant, alone, catches some broken variant.
  const char* only_check;
  // When set, M::check records a failing invariant (bit n for "Sn:") in
  // `recorded_checks` and lets the execution go on, as if every check were
  // off: one search then tells, for every invariant at once, whether it
  // alone would have failed before the search ended (or met a data race,
  // which still stops it). Used by the teeth table.
  bool record_checks;
  std::uint64_t recorded_checks;
  // Evidence mode: every ghost is ordered (GhostOrder is ignored), so that
  // the verdicts with unordered ghosts can be compared with these.
  bool ghosts_ordered;

  // Failure context, read by the driver when a simulation fails.
  const char* failed_check;
  Loc failed_check_loc;
  const char* last_access_name;  // the plain variable being checked for races
  Loc last_access_loc;
  bool last_access_write;
  int last_access_thread;

  // Observations: keys are interned by text; `seen` is per execution.
  const char* obs_keys[kMaxObservations];
  int obs_size;
  bool obs_seen[kMaxObservations];

  // Set by a reducing search when the current execution is redundant (its
  // remainder is already covered by another execution).
  bool execution_redundant;

  // A thread loaded a value that was not the latest one in modification
  // order since its last spin-wait hint: a later pass may read differently
  // even if nothing is stored in between.
  bool stale_load[kMaxThreads];

  // Called at the end of every completed execution (from the test's after()).
  void (*on_execution_end)(void* ctx);
  void* on_execution_end_ctx;

  // Lock ordering: C11's (a lock orders only through its own release and
  // acquire) when set, the kernel's po-unlock-lock-po otherwise. Per thread,
  // per execution: the memory accesses made so far, how many had been made
  // at the thread's latest lock release or smp_mb() (its latest "ordering
  // point"), and whether it has released a lock.
  bool c11_locks;
  // Installed by the driver for its thread count (release_own_for<N>): the
  // release half of the lock rule's fence, restricted to the acquiring
  // thread's own accesses and those of the thread whose unlock it read from.
  void (*release_own)(int other, rl::timestamp_t other_ts);
  // The locks each thread holds (for the spin-wait hint's contract: a
  // thread that waits at a hint while holding a lock another thread needs
  // is a misplaced hint, not a livelock; see model/model.hpp).
  static constexpr int kMaxHeld = 8;
  const void* held[kMaxThreads][kMaxHeld];
  const char* held_name[kMaxThreads][kMaxHeld];
  int nheld[kMaxThreads];
  std::uint32_t accesses[kMaxThreads];
  std::uint32_t accesses_at_order_point[kMaxThreads];
  // The thread's own timestamp right after its latest store (0: none yet).
  rl::timestamp_t last_store_ts[kMaxThreads];
  bool released[kMaxThreads];

  // PROGRESS (the lasso detector; docs/reduction.md, "Progress").
  // Every model object of the execution, in construction order, with a
  // reader of its latest value: the shared state a progress point compares.
  // A `counter` (mmu_invalidate_seq) is compared only for equality with the
  // snapshots the waiting loops carry (the protocol does nothing else with
  // it), so that a cycle that bumps it can still close.
  struct StateObj {
    const void* obj;
    std::uint64_t (*read)(const void*);
    bool counter;
  };
  static constexpr int kMaxStateObjs = 512;
  StateObj state_objs[kMaxStateObjs];
  int nstate_objs;
  bool state_overflow;
  // Set for a scenario that asks for progress checking (its `progress`).
  bool progress;
  int nthreads;
  // Per thread: every completed step (a fairness witness: did the thread
  // run in the cycle?) and every operation the scenario counts as finished
  // (M::op_done: an invalidation of a stream).
  std::uint32_t steps[kMaxThreads];
  std::uint32_t ops_done[kMaxThreads];
  // Loads that read an older value than the latest (all threads): a cycle
  // that needs one is not a fair execution of the memory system (every
  // store becomes visible to every thread in finite time), so it is no lasso.
  std::uint32_t stale_reads;
  // The progress points met so far: each arrival at a spin-wait hint.
  struct Point {
    std::uint64_t hash;
    int thread;
    std::size_t log_at;
    std::uint32_t steps[kMaxThreads];
    std::uint32_t ops_done[kMaxThreads];
    std::uint32_t stale_reads;
  };
  static constexpr int kMaxPoints = 512;
  Point points[kMaxPoints];
  int npoints;
  // The lasso of a failing execution: its cycle is the log's events
  // [lasso_begin, lasso_end). `last_hint_log`: where each thread's latest pass began (just
  // after its latest spin-wait hint; at its first, where it arrived).
  enum class Lasso : std::uint8_t { none, livelock, starvation, overflow };
  Lasso lasso;
  std::size_t lasso_begin, lasso_end;
  char lasso_text[400];
  std::size_t last_hint_log[kMaxThreads];
  bool hinted[kMaxThreads];
  // Per thread: its latest hint carried a counter snapshot
  // (spin_wait_hint_snapshot); its thread function has returned.
  bool carried_snapshot[kMaxThreads];
  bool finished[kMaxThreads];

  // Coherence: the unordered store pairs seen in the whole run (not reset per
  // execution; the driver clears them before a run). `co_overflow`: more
  // distinct pairs than fit.
  CoPair co_pairs[kMaxCoPairs];
  int co_size;
  bool co_overflow;

  void begin_execution() {
    for (int i = 0; i < kMaxThreads; ++i) {
      pending[i] = Pending{nullptr, "", Op::not_started, Loc{"", "", 0}, 0};
      stale_load[i] = false;
      accesses[i] = 0;
      last_store_ts[i] = 0;
      nheld[i] = 0;
      accesses_at_order_point[i] = 0;
      released[i] = false;
      steps[i] = 0;
      ops_done[i] = 0;
      last_hint_log[i] = 0;
      hinted[i] = false;
      carried_snapshot[i] = false;
      finished[i] = false;
    }
    nstate_objs = 0;
    state_overflow = false;
    npoints = 0;
    stale_reads = 0;
    progress = false;  // the driver's before() sets both for the scenario
    nthreads = 0;
    lasso = Lasso::none;
    lasso_begin = lasso_end = 0;
    lasso_text[0] = '\0';
    for (int i = 0; i <= kMaxThreads; ++i) thread_seq[i] = 0;
    log_size = 0;
    log_overflow = false;
    failed_check = nullptr;
    last_access_name = nullptr;
    for (int i = 0; i < obs_size; ++i) obs_seen[i] = false;
    execution_redundant = false;
  }

  int intern_observation(const char* what) {
    for (int i = 0; i < obs_size; ++i)
      if (obs_keys[i] == what || std::strcmp(obs_keys[i], what) == 0) return i;
    if (obs_size == kMaxObservations) return -1;
    obs_keys[obs_size] = what;
    obs_seen[obs_size] = false;
    return obs_size++;
  }
};

inline Recorder g_recorder;  // zero-initialised at load time; no heap
inline Recorder& recorder() { return g_recorder; }

inline rl::debug_info info(const Loc& loc) { return rl::debug_info(loc.func, loc.file, loc.line); }

inline int current_thread() { return static_cast<int>(rl::ctx().threadx_->index_); }

inline void announce(const void* obj, const char* name, Op op, const Loc& loc,
                     std::uint64_t value = 0) {
  recorder().pending[current_thread()] = Pending{obj, name, op, loc, value};
}

// Appends a completed operation to the execution's event log.
inline void log_event(const void* obj, const char* name, Op op, std::uint64_t value, const Loc& loc,
                      bool ok) {
  Recorder& r = recorder();
  if (!r.logging) return;
  if (r.log_size == kMaxEvents) {
    r.log_overflow = true;
    return;
  }
  const int t = r.in_special ? kSpecialThread : current_thread();
  r.log[r.log_size++] =
      Event{obj, name, value, loc, r.thread_seq[t]++, static_cast<std::uint16_t>(t), op, ok};
}

// One memory access (atomic or plain, marked or not) by the current thread:
// counted so that the lock-ordering rule knows whether anything happened
// between an ordering point and a lock acquire.
inline void count_access() {
  Recorder& r = recorder();
  if (r.in_special) return;
  const int t = current_thread();
  ++r.accesses[t];
  ++r.steps[t];
}

// A lock release or smp_mb(): everything the thread accessed before it is
// ordered (for the lock-ordering rule) from here on.
inline void note_order_point() {
  Recorder& r = recorder();
  if (r.in_special) return;
  const int t = current_thread();
  r.accesses_at_order_point[t] = r.accesses[t];
}

// After a store by the current thread (any kind): what the lock rule's
// release half hands on (release_own_for).
inline void note_store() {
  Recorder& r = recorder();
  if (r.in_special) return;
  r.last_store_ts[current_thread()] = rl::ctx().threadx_->own_acq_rel_order_;
}

inline bool same_loc(const Loc& a, const Loc& b) {
  return a.line == b.line && (a.file == b.file || std::strcmp(a.file, b.file) == 0);
}

inline void note_unordered_stores(const char* name, const Loc& first, const Loc& second) {
  Recorder& r = recorder();
  for (int i = 0; i < r.co_size; ++i) {
    const CoPair& p = r.co_pairs[i];
    if ((p.name == name || std::strcmp(p.name, name) == 0) &&
        ((same_loc(p.first, first) && same_loc(p.second, second)) ||
         (same_loc(p.first, second) && same_loc(p.second, first))))
      return;
  }
  if (r.co_size == kMaxCoPairs) {
    r.co_overflow = true;
    return;
  }
  r.co_pairs[r.co_size++] = CoPair{name, first, second};
}

// COHERENCE. Relacy appends every store to its location's modification
// order when the store executes, so two stores that happens-before does not
// order are never found in the coherence order opposite to their execution
// order, though the kernel memory model (and C11) allow it whenever the
// rest of the execution needs it (S+poonceonces, 2+2W). The search cannot
// produce those orders; this check names, instead, every pair of stores
// (atomic, or marked accesses of a var) to one location by two threads with
// no happens-before between them, in any execution of the run: the places
// where a verdict could depend on what the search cannot show. Plain stores
// are not tracked: two unordered plain stores are a data race already.
// Happens-before is the same in every execution of a Mazurkiewicz class, so
// the reduced search sees every such pair the full search sees.
class StoreClocks {
 public:
  StoreClocks() {
    for (int i = 0; i < kMaxThreads; ++i) ts_[i] = 0;
  }
  // After the store: the current thread's clock holds its own timestamp.
  void on_store(const char* name, const Loc& loc) {
    Recorder& r = recorder();
    if (r.in_special) return;
    note_store();
    rl::thread_info_base* th = rl::ctx().threadx_;
    const int t = static_cast<int>(th->index_);
    const int n = static_cast<int>(rl::ctx().get_thread_count());  // acq_rel_order_'s size
    for (int u = 0; u < n; ++u)
      if (u != t && ts_[u] != 0 && th->acq_rel_order_[u] < ts_[u])
        note_unordered_stores(name, loc_[u], loc);
    ts_[t] = th->own_acq_rel_order_;
    loc_[t] = loc;
  }

 private:
  rl::timestamp_t ts_[kMaxThreads];
  Loc loc_[kMaxThreads];
};

// DATA RACES BETWEEN PLAIN AND MARKED ACCESSES (the kernel memory model's
// rule: a race needs two conflicting accesses, at least one plain, not
// ordered by happens-before; two marked accesses never race). Plain against
// plain is Relacy's own check of rl::var; this is the mixed case, with the
// same vector clocks: each access records its thread's timestamp, and an
// access fails when a conflicting access of the other kind by another thread
// is not in its happens-before past.
class MarkedRaces {
 public:
  MarkedRaces() {
    for (int i = 0; i < kMaxThreads; ++i) plain_load_[i] = plain_store_[i] = marked_load_[i] =
        marked_store_[i] = 0;
  }
  // True if the access races with an earlier one of the other kind.
  bool access(bool marked, bool write) {
    if (recorder().in_special) return false;
    rl::thread_info_base* th = rl::ctx().threadx_;
    const int t = static_cast<int>(th->index_);
    const int n = static_cast<int>(rl::ctx().get_thread_count());  // acq_rel_order_'s size
    const rl::timestamp_t* stores = marked ? plain_store_ : marked_store_;
    const rl::timestamp_t* loads = marked ? plain_load_ : marked_load_;
    bool race = false;
    for (int u = 0; u < n; ++u) {
      if (u == t) continue;
      if (th->acq_rel_order_[u] < stores[u] || (write && th->acq_rel_order_[u] < loads[u]))
        race = true;
    }
    // A timestamp of its own (as Relacy's rl::var does): a thread that
    // synchronised with this one before this access must not count it.
    th->own_acq_rel_order_ += 1;
    rl::timestamp_t* mine = marked ? (write ? marked_store_ : marked_load_)
                                   : (write ? plain_store_ : plain_load_);
    mine[t] = th->own_acq_rel_order_;
    return race;
  }

 private:
  rl::timestamp_t plain_load_[kMaxThreads], plain_store_[kMaxThreads];
  rl::timestamp_t marked_load_[kMaxThreads], marked_store_[kMaxThreads];
};

// The release half of po-unlock-lock-po (lock_base::after_acquire): later
// relaxed stores of this thread carry this thread's own timestamp, and
// `other`'s timestamp at the unlock this lock read from, and nothing else of
// the thread's happens-before past (the LKMM's rule is not A-cumulative: what
// a thread only read from others is not propagated by it). A C11 release
// fence would carry the whole past.
template <int N>
void release_own_for(int other, rl::timestamp_t other_ts) {
  auto& th = *static_cast<rl::thread_info<N>*>(rl::ctx().threadx_);
  const int t = static_cast<int>(th.index_);
  // Up to the thread's latest store, not its current timestamp: a vector
  // clock cannot tell a thread's reads from its writes, and an observer
  // that learnt the timestamp of a read would be bound by that read's
  // coherence (read-read coherence through happens-before), which the LKMM
  // does not propagate. Reads po-before that store are still covered (an
  // over-approximation, docs/limits.md).
  const rl::timestamp_t own = recorder().last_store_ts[t];
  if (th.release_fence_order_[t] < own) th.release_fence_order_[t] = own;
  if (other >= 0 && other < N && th.release_fence_order_[other] < other_ts)
    th.release_fence_order_[other] = other_ts;
}

// Marks the event just logged as a stale load (see Event::stale).
inline void mark_stale(std::uint64_t latest) {
  Recorder& r = recorder();
  if (!r.logging || r.log_size == 0) return;
  r.log[r.log_size - 1].stale = true;
  r.log[r.log_size - 1].latest = latest;
}

inline void complete(const void* obj, const char* name, Op op, std::uint64_t value, const Loc& loc,
                     bool ok = true) {
  Recorder& r = recorder();
  const int t = current_thread();
  r.pending[t] = Pending{nullptr, "", Op::unknown, loc, 0};
  if (!r.in_special) ++r.steps[t];
  log_event(obj, name, op, value, loc, ok);
}

template <class T>
std::uint64_t to_u64(T v) {
  if constexpr (std::is_pointer<T>::value) {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(v));
  } else {
    return static_cast<std::uint64_t>(v);
  }
}

// Completes an atomic-style load that returned `v` while `latest` was the
// latest value in modification order: a stale read is remembered for the
// spin-wait rule and marked in the trace.
template <class T>
void complete_load(const void* obj, const char* name, T v, T latest, const Loc& loc) {
  const bool stale = !(v == latest);
  if (stale) {
    recorder().stale_load[current_thread()] = true;
    ++recorder().stale_reads;
  }
  complete(obj, name, Op::load, to_u64(v), loc);
  if (stale) mark_stale(to_u64(latest));
}

inline rl::memory_order to_rl(std::memory_order mo) {
  switch (mo) {
    case std::memory_order_relaxed: return rl::mo_relaxed;
    case std::memory_order_consume: return rl::mo_consume;
    case std::memory_order_acquire: return rl::mo_acquire;
    case std::memory_order_release: return rl::mo_release;
    case std::memory_order_acq_rel: return rl::mo_acq_rel;
    case std::memory_order_seq_cst: return rl::mo_seq_cst;
  }
  return rl::mo_seq_cst;
}

// Adds a line to Relacy's own execution history (only while it records one).
inline void history_note(const Loc& loc, const char* what, const char* name, std::uint64_t value) {
  rl::context& c = rl::ctx();
  if (!c.collecting_history()) return;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s %s, value=%llu", what, name,
                static_cast<unsigned long long>(value));
  c.exec_log_msg(info(loc), buf);
}

inline void history_note(const Loc& loc, const char* text) {
  rl::context& c = rl::ctx();
  if (c.collecting_history()) c.exec_log_msg(info(loc), text);
}

// ---- progress: the lasso detector ------------------------------------------

// Registers a model object as part of the execution's state (its index, or
// -1 when the table is full: the execution then has no progress points).
inline int register_state(const void* obj, std::uint64_t (*read)(const void*)) {
  Recorder& r = recorder();
  if (r.nstate_objs == Recorder::kMaxStateObjs) {
    r.state_overflow = true;
    return -1;
  }
  r.state_objs[r.nstate_objs] = Recorder::StateObj{obj, read, false};
  return r.nstate_objs++;
}

inline std::uint64_t mix_state(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 27);
}

// The state at thread t's arrival at a spin-wait hint (at `loc`, carrying
// `carried`): the latest value of every registered object but the
// counters; of each counter only whether it equals a waiting loop's
// carried snapshot; and every thread's position, taken as its next step
// (object, kind, source line), t's being the hint itself. A thread's
// locals are not part of it: they are assumed to follow from its position
// and the shared state, and a stream's loop counter is left out on purpose
// (the stream stands for an endless one).
inline std::uint64_t progress_state(int t, std::uint64_t carried, bool snapshot, const Loc& loc) {
  const Recorder& r = recorder();
  std::uint64_t h = 0x243F6A8885A308D3ull;
  for (int i = 0; i < r.nstate_objs; ++i) {
    const Recorder::StateObj& o = r.state_objs[i];
    const std::uint64_t v = o.read(o.obj);
    if (!o.counter) {
      h = mix_state(h, v);
      continue;
    }
    std::uint64_t eq = snapshot && v == carried;
    for (int u = 0; u < r.nthreads; ++u)
      if (u != t && r.pending[u].op == Op::yield && r.carried_snapshot[u])
        eq = eq * 2 + (v == r.pending[u].value);
    h = mix_state(h, eq);
  }
  for (int u = 0; u < r.nthreads; ++u) {
    const Pending& p = u == t ? Pending{nullptr, "", Op::yield, loc, carried} : r.pending[u];
    h = mix_state(h, static_cast<std::uint64_t>(p.op));
    h = mix_state(h, reinterpret_cast<std::uintptr_t>(p.obj));
    h = mix_state(h, reinterpret_cast<std::uintptr_t>(p.loc.file) * 131 + p.loc.line);
    // A carried value that is not a counter snapshot is state as it is.
    const bool snap = u == t ? snapshot : r.carried_snapshot[u];
    if (p.op == Op::yield && !snap) h = mix_state(h, p.value);
    // A thread that has not finished but announced no next step (preempted
    // where the model does not announce): its position is unknown, and
    // the state matches no other.
    if (p.op == Op::unknown && !r.finished[u]) h = mix_state(h, 0x5157ull + r.steps[u]);
  }
  return h;
}

// A source path from the project's root ("impl/pfncache.hpp"), as traces
// print it.
inline const char* short_path(const char* file) {
  static const char* const roots[] = {"/impl/",       "/model/",      "/relacy_tests/",
                                      "/tsan_tests/", "/unit_tests/", "/bench/"};
  const char* best = nullptr;
  for (const char* r : roots) {
    const char* p = std::strstr(file, r);
    if (p && (best == nullptr || p < best)) best = p;
  }
  return best ? best + 1 : file;
}

// Thread t arrives at a spin-wait hint: a progress point. If the state is
// one met before at t's arrival at a hint, and every thread that has not
// finished took a step since, the steps in between are a cycle that can
// repeat forever, every thread running in each repetition (an
// unconditionally fair execution, fair under any definition) while t
// never finishes: a lasso. (No load of the cycle may read a stale value:
// a value that stays stale forever is not a fair memory system.)
// STARVATION if some operation finished in the
// cycle (the others make progress, t does not), LIVELOCK if none did.
inline void progress_point(int t, std::uint64_t carried, bool snapshot, const Loc& loc) {
  Recorder& r = recorder();
  if (!r.progress || r.in_special) return;
  if (r.state_overflow || r.npoints == Recorder::kMaxPoints) {
    // The detector cannot look any further: an error of the model's
    // limits, never a silent pass.
    std::snprintf(r.lasso_text, sizeof r.lasso_text,
                  "progress detector overflow: more than %d model objects or %d progress "
                  "points in one execution (model/relacy_model.hpp)",
                  Recorder::kMaxStateObjs, Recorder::kMaxPoints);
    r.lasso = Recorder::Lasso::overflow;
    rl::ctx().fail_test(r.lasso_text, rl::test_result_livelock, info(loc));
    return;
  }
  const std::uint64_t h = progress_state(t, carried, snapshot, loc);
  for (int k = r.npoints; k-- > 0;) {
    const Recorder::Point& p = r.points[k];
    if (p.hash != h || p.thread != t) continue;
    bool fair = r.stale_reads == p.stale_reads, others_done = false;
    for (int u = 0; u < r.nthreads; ++u) {
      if (r.ops_done[u] != p.ops_done[u]) others_done = true;
      if (u == t || r.finished[u]) continue;
      if (r.steps[u] == p.steps[u]) fair = false;
    }
    if (!fair) continue;
    r.lasso = others_done ? Recorder::Lasso::starvation : Recorder::Lasso::livelock;
    r.lasso_begin = p.log_at;
    r.lasso_end = r.log_size;
    std::snprintf(r.lasso_text, sizeof r.lasso_text,
                  others_done ? "starvation: thread %d fails its retry at %s:%u in every repetition "
                                "of a fair cycle in which other operations finish"
                              : "livelock: thread %d fails its retry at %s:%u in every repetition "
                                "of a fair cycle in which no operation finishes",
                  t, short_path(loc.file), loc.line);
    rl::ctx().fail_test(r.lasso_text, rl::test_result_livelock, info(loc));
    return;
  }
  Recorder::Point& p = r.points[r.npoints++];
  p.hash = h;
  p.thread = t;
  p.log_at = r.log_size;
  for (int u = 0; u < kMaxThreads; ++u) {
    p.steps[u] = r.steps[u];
    p.ops_done[u] = r.ops_done[u];
  }
  p.stale_reads = r.stale_reads;
}

struct rwlock_tag;
struct spinlock_tag;
struct mutex_tag;

// The one object that every seq_cst fence touches.
inline const char g_sc_fence_token = 0;

}  // namespace rlm

struct RelacyModel {
  static constexpr const char* name = "relacy";

  template <class T>
  class atomic {
   public:
    atomic(const char* name, T init) : name_(name) {
      a_.store(init, rl::mo_relaxed, rl::debug_info("init", name, 0));
      state_ = rlm::register_state(this, [](const void* o) {
        return rlm::to_u64(static_cast<const atomic*>(o)->a_.debug_value());
      });
    }
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(std::memory_order mo, Loc loc = Loc::current()) const {
      rlm::announce(this, name_, rlm::Op::load, loc);
      rlm::count_access();
      T v = a_.load(rlm::to_rl(mo), rlm::info(loc));
      rlm::complete_load(this, name_, v, a_.debug_value(), loc);
      return v;
    }
    void store(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::store, loc);
      rlm::count_access();
      a_.store(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::store, rlm::to_u64(v), loc);
    }
    T exchange(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      T old = a_.exchange(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(old), loc);
      return old;
    }
    T fetch_add(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      T old = a_.fetch_add(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(old), loc);
      return old;
    }
    T fetch_sub(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      T old = a_.fetch_sub(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(old), loc);
      return old;
    }
    T fetch_or(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      T old = a_.fetch_or(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(old), loc);
      return old;
    }
    T fetch_and(T v, std::memory_order mo, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      T old = a_.fetch_and(v, rlm::to_rl(mo), rlm::info(loc));
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(old), loc);
      return old;
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order ok,
                                 std::memory_order fail, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::rmw, loc);
      rlm::count_access();
      const rl::debug_info i = rlm::info(loc);
      const T before = expected;
      bool done =
          a_.compare_exchange_strong(expected, desired, rlm::to_rl(ok), i, rlm::to_rl(fail), i);
      if (done) co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::rmw, rlm::to_u64(done ? before : expected), loc, done);
      return done;
    }
    // Sets the value while the test object is being built, before any
    // thread runs (a scenario's initial state): not an operation.
    void init(T v) { a_.store(v, rl::mo_relaxed, rl::debug_info("init", name_, 0)); }
    const char* name() const { return name_; }
    // Checker-only: the value last in modification order (no step).
    T latest() const { return a_.debug_value(); }
    // While building: the protocol compares this value only for equality
    // with snapshots of it (a sequence count); the lasso detector compares
    // states without it (see rlm::progress_state).
    void mark_counter() {
      if (state_ >= 0) rlm::recorder().state_objs[state_].counter = true;
    }

   private:
    const char* name_;
    mutable rl::atomic<T> a_;
    rlm::StoreClocks co_;
    int state_ = -1;
  };

  // Plain shared data, with the kernel's marked accesses beside the plain
  // ones. The value lives in a Relacy atomic, so that a marked access is a
  // relaxed atomic step (it may read a stale value, it pairs with fences);
  // a plain access reaches the same atomic with preemption off (it stays a
  // non-scheduling point, as rl::var accesses are) and is race-checked by
  // Relacy's rl::var (plain against plain) and by MarkedRaces (plain against
  // marked). A plain access that is race-free reads the latest value: every
  // store to the location happens-before it.
  template <class T>
  class var {
   public:
    var(const char* name, T init) : name_(name), v_(init) {
      a_.store(init, rl::mo_relaxed, rl::debug_info("init", name, 0));
      rlm::register_state(this, [](const void* o) {
        return rlm::to_u64(static_cast<const var*>(o)->a_.debug_value());
      });
    }
    var(const var&) = delete;
    var& operator=(const var&) = delete;

    T load(Loc loc = Loc::current()) const {
      note_access(loc, false);
      rlm::count_access();
      v_(rlm::info(loc)).load();
      if (marked_.access(false, false)) race(loc);
      T v;
      {
        rl::preemption_disabler off(rl::ctx());
        v = a_.load(rl::mo_relaxed, rlm::info(loc));
      }
      rlm::log_event(this, name_, rlm::Op::var_load, rlm::to_u64(v), loc, true);
      return v;
    }
    void store(T v, Loc loc = Loc::current()) {
      if (marked_stores_) return write_once(v, loc);
      note_access(loc, true);
      rlm::count_access();
      v_(rlm::info(loc)).store(v);
      if (marked_.access(false, true)) race(loc);
      {
        rl::preemption_disabler off(rl::ctx());
        a_.store(v, rl::mo_relaxed, rlm::info(loc));
      }
      rlm::note_store();
      rlm::log_event(this, name_, rlm::Op::var_store, rlm::to_u64(v), loc, true);
    }
    // READ_ONCE(): a relaxed atomic load, a scheduling point like any atomic
    // access. It races only with a plain store.
    T read_once(Loc loc = Loc::current()) const {
      rlm::announce(this, name_, rlm::Op::load, loc);
      rl::ctx().sched();
      note_access(loc, false);
      rlm::count_access();
      if (marked_.access(true, false)) race(loc);
      T v;
      {
        rl::preemption_disabler off(rl::ctx());
        v = a_.load(rl::mo_relaxed, rlm::info(loc));
      }
      rlm::complete_load(this, name_, v, a_.debug_value(), loc);
      return v;
    }
    // WRITE_ONCE(): a relaxed atomic store. It races with any plain access.
    void write_once(T v, Loc loc = Loc::current()) {
      rlm::announce(this, name_, rlm::Op::store, loc);
      rl::ctx().sched();
      note_access(loc, true);
      rlm::count_access();
      if (marked_.access(true, true)) race(loc);
      {
        rl::preemption_disabler off(rl::ctx());
        a_.store(v, rl::mo_relaxed, rlm::info(loc));
      }
      co_.on_store(name_, loc);
      rlm::complete(this, name_, rlm::Op::store, rlm::to_u64(v), loc);
    }
    // Checker-only: the value stored last, in execution order (what is true
    // now). Not an access: no step, no race check, no memory-model effect.
    T latest() const { return a_.debug_value(); }
    // From now on every store() is a WRITE_ONCE(): what a field gets when
    // every writer marks its stores (so that lockless READ_ONCE() readers do
    // not race with them). Called while the test object is being built.
    void mark_stores() { marked_stores_ = true; }
    // Sets the value while the test object is being built (not an operation).
    void init(T v) {
      v_(rl::debug_info("init", name_, 0)).store(v);
      a_.store(v, rl::mo_relaxed, rl::debug_info("init", name_, 0));
    }
    const char* name() const { return name_; }

   private:
    void note_access(const Loc& loc, bool write) const {
      rlm::Recorder& r = rlm::recorder();
      r.last_access_name = name_;
      r.last_access_loc = loc;
      r.last_access_write = write;
      r.last_access_thread = r.in_special ? rlm::kSpecialThread : rlm::current_thread();
    }
    void race(const Loc& loc) const {
      rl::ctx().fail_test("data race (plain and marked access)", rl::test_result_data_race,
                          rlm::info(loc));
    }
    const char* name_;
    mutable rl::var<T> v_;
    mutable rl::atomic<T> a_;
    mutable rlm::MarkedRaces marked_;
    rlm::StoreClocks co_;
    bool marked_stores_ = false;
  };

  template <class T>
  class ghost {
   public:
    ghost(const char* name, T init, GhostOrder order = GhostOrder::ordered)
        : name_(name), g_(init), ordered_(order == GhostOrder::ordered) {
      rlm::register_state(this, [](const void* o) {
        return rlm::to_u64(static_cast<const ghost*>(o)->g_);
      });
    }
    ghost(const ghost&) = delete;
    ghost& operator=(const ghost&) = delete;

    T load(Loc loc = Loc::current()) const {
      step(rlm::Op::ghost_load, loc);
      done(rlm::Op::ghost_load, rlm::to_u64(g_), loc);
      rlm::history_note(loc, "ghost load", name_, rlm::to_u64(g_));
      return g_;
    }
    void store(T v, Loc loc = Loc::current()) {
      step(rlm::Op::ghost_store, loc);
      g_ = v;
      done(rlm::Op::ghost_store, rlm::to_u64(v), loc);
      rlm::history_note(loc, "ghost store", name_, rlm::to_u64(v));
    }
    T add(T v, Loc loc = Loc::current()) {
      step(rlm::Op::ghost_store, loc);
      g_ = static_cast<T>(g_ + v);
      done(rlm::Op::ghost_store, rlm::to_u64(g_), loc);
      rlm::history_note(loc, "ghost add", name_, rlm::to_u64(g_));
      return g_;
    }
    // Replaces the value by f(value) in one step and returns the new value
    // (a ghost read-modify-write: a reference count that must not go below
    // zero, a bit field updated together).
    template <class F>
    T update(F f, Loc loc = Loc::current()) {
      step(rlm::Op::ghost_store, loc);
      g_ = f(g_);
      done(rlm::Op::ghost_store, rlm::to_u64(g_), loc);
      rlm::history_note(loc, "ghost update", name_, rlm::to_u64(g_));
      return g_;
    }
    // smp_mb() and update(f) as one step: the order of such steps is the
    // order of the barriers in the global fence order, so a checker can
    // record "this happened before that barrier" exactly (SRCU's epochs).
    template <class F>
    T fence_update(F f, Loc loc = Loc::current()) {
      rlm::announce(&rlm::g_sc_fence_token, "fence", rlm::Op::fence_sc, loc);
      rl::atomic_thread_fence(rl::mo_seq_cst, rlm::info(loc));
      rlm::note_order_point();
      g_ = f(g_);
      rlm::complete(&rlm::g_sc_fence_token, "fence", rlm::Op::fence_sc, 0, loc);
      rlm::log_event(this, name_, rlm::Op::ghost_store, rlm::to_u64(g_), loc, true);
      rlm::history_note(loc, "ghost update with the fence", name_, rlm::to_u64(g_));
      return g_;
    }
    // Adds v; the result is not needed, so two adjustments commute (the
    // search need not try both orders).
    void adjust(T v, Loc loc = Loc::current()) {
      step(rlm::Op::ghost_adjust, loc);
      g_ = static_cast<T>(g_ + v);
      // The log records the delta, which does not depend on the order (an
      // unordered ghost's access is not part of any class key: its new value).
      done(rlm::Op::ghost_adjust, rlm::to_u64(ordered() ? v : g_), loc);
      rlm::history_note(loc, "ghost adjust by", name_, rlm::to_u64(v));
    }
    // Sets the value while the test object is being built (not an operation).
    void init(T v) { g_ = v; }
    T peek() const { return g_; }  // the same, for building: not an operation
    const char* name() const { return name_; }

   private:
    // An ordered ghost access is a scheduling point the search orders like
    // any other step; an unordered one runs inside the thread's current
    // step and is logged (for traces) as commuting with everything.
    bool ordered() const { return ordered_ || rlm::recorder().ghosts_ordered; }
    void step(rlm::Op op, const Loc& loc) const {
      if (!ordered()) return;
      rlm::announce(this, name_, op, loc);
      rl::ctx().sched();
    }
    void done(rlm::Op op, std::uint64_t v, const Loc& loc) const {
      if (ordered())
        rlm::complete(this, name_, op, v, loc);
      else
        rlm::log_event(this, name_, rlm::Op::ghost_unordered, v, loc, op != rlm::Op::ghost_load);
    }
    const char* name_;
    T g_;
    bool ordered_;
  };

 private:
  template <class Tag>
  class lock_base {
   public:
    lock_base(const char* name, bool rw) : name_(name) {
      // Not recursive, and no spurious trylock failure: a kernel trylock fails
      // only when the lock is taken.
      m_.init(rw, false, false, false, rl::debug_info("init", name, 0));
    }
    ~lock_base() { m_.deinit(rl::debug_info("deinit", name_, 0)); }
    lock_base(const lock_base&) = delete;
    lock_base& operator=(const lock_base&) = delete;
    const char* name() const { return name_; }

   protected:
    void acquire_x(const Loc& loc) {
      rlm::announce(this, name_, rlm::Op::lock_x, loc);
      m_.lock_exclusive(rlm::info(loc));
      held_x_ = true;
      after_acquire(loc);
      rlm::complete(this, name_, rlm::Op::lock_x, 0, loc);
    }
    void release_x(const Loc& loc) {
      rlm::announce(this, name_, rlm::Op::unlock_x, loc);
      m_.unlock_exclusive(rlm::info(loc));
      // After the unlock's scheduling point: a spin_is_locked() scheduled
      // there still sees the lock held, as Relacy and the search do.
      held_x_ = false;
      after_release();
      rlm::complete(this, name_, rlm::Op::unlock_x, 0, loc);
    }
    bool try_x(const Loc& loc) {
      rlm::announce(this, name_, rlm::Op::try_x, loc);
      const bool ok = m_.try_lock_exclusive(rlm::info(loc));
      if (ok) {
        held_x_ = true;
        after_acquire(loc);
      }
      rlm::complete(this, name_, rlm::Op::try_x, ok, loc, ok);
      return ok;
    }
    void acquire_s(const Loc& loc, rlm::Op op = rlm::Op::lock_s) {
      rlm::announce(this, name_, op, loc);
      m_.lock_shared(rlm::info(loc));
      after_acquire(loc);
      rlm::complete(this, name_, op, 0, loc);
    }
    void release_s(const Loc& loc) {
      rlm::announce(this, name_, rlm::Op::unlock_s, loc);
      m_.unlock_shared(rlm::info(loc));
      after_release();
      rlm::complete(this, name_, rlm::Op::unlock_s, 0, loc);
    }
    bool try_s(const Loc& loc, rlm::Op op = rlm::Op::try_s) {
      rlm::announce(this, name_, op, loc);
      const bool ok = m_.try_lock_shared(rlm::info(loc));
      if (ok) after_acquire(loc);
      rlm::complete(this, name_, op, ok, loc, ok);
      return ok;
    }
    // spin_is_locked(): a step that reads whether the lock is held, orders
    // nothing, and counts as an access of the lock word.
    bool probe(const Loc& loc) const {
      rlm::announce(this, name_, rlm::Op::lock_probe, loc);
      rl::ctx().sched();
      rlm::count_access();
      const bool held = held_x_;
      rlm::complete(this, name_, rlm::Op::lock_probe, held, loc);
      return held;
    }

   private:
    // THE KERNEL'S LOCK ORDERING (tools/memory-model, po-unlock-lock-po:
    // po ; [UL] ; (po|rf) ; [LKR] ; po). Accesses before an unlock are
    // ordered before accesses after a later lock when the lock follows the
    // unlock on the same CPU (any lock, po) or reads from it (the same lock
    // handed from another CPU, rf), and the order holds for every observer
    // (it is in cumul-fence), but it is not A-cumulative (what the CPU only
    // read from others is not propagated by it). Not W->R: the pair has
    // TSO's strength. Placed right after the acquire, as an acquire fence
    // (the thread's earlier loads before its later accesses) and a release
    // of the thread's own earlier accesses and the releaser's
    // (release_own_for). A fence there would also order what the thread
    // accessed between its unlock and this lock, which the LKMM does not:
    // so it is placed only when the thread has accessed nothing since its
    // latest ordering point (a lock release or an smp_mb()). Otherwise the
    // rule is not applied (the model then orders less than the kernel: the
    // false-alarm direction). Off under Recorder::c11_locks.
    void after_acquire(const Loc& loc) {
      rlm::Recorder& r = rlm::recorder();
      if (r.in_special) return;
      const int t = rlm::current_thread();
      if (r.nheld[t] < rlm::Recorder::kMaxHeld) {
        r.held[t][r.nheld[t]] = this;
        r.held_name[t][r.nheld[t]++] = name_;
      }
      if (r.c11_locks) return;
      const bool po = r.released[t];
      const bool rf = last_releaser_ >= 0 && last_releaser_ != t;
      if (!(po || rf) || r.accesses[t] != r.accesses_at_order_point[t]) return;
      if (r.release_own == nullptr) {  // no driver hook: the C11 fence (orders more)
        rl::atomic_thread_fence(rl::mo_acq_rel, rlm::info(loc));
        return;
      }
      // Acquire half: the thread's earlier loads are ordered before all its
      // later accesses (ppo). Release half: its own earlier accesses, and the
      // releaser's, before its later stores, for every observer.
      rl::atomic_thread_fence(rl::mo_acquire, rlm::info(loc));
      r.release_own(rf ? last_releaser_ : -1, last_release_ts_);
    }
    void after_release() {
      rlm::Recorder& r = rlm::recorder();
      if (r.in_special) return;
      const int t = rlm::current_thread();
      for (int i = r.nheld[t]; i-- > 0;)
        if (r.held[t][i] == this) {
          for (int j = i; j + 1 < r.nheld[t]; ++j) {
            r.held[t][j] = r.held[t][j + 1];
            r.held_name[t][j] = r.held_name[t][j + 1];
          }
          --r.nheld[t];
          break;
        }
      r.released[t] = true;
      last_releaser_ = t;
      last_release_ts_ = r.last_store_ts[t];
      rlm::note_order_point();
    }

    const char* name_;
    rl::generic_mutex<Tag> m_;
    bool held_x_ = false;
    int last_releaser_ = -1;  // the thread that released the lock last (this execution)
    rl::timestamp_t last_release_ts_ = 0;  // its own timestamp at that release
  };

 public:
  // Permissive by default: a reader enters whenever no writer holds the
  // lock (every order a fair rwlock allows, and more: right for safety).
  // set_fair(true) makes it the kernel's qrwlock as far as blocking goes:
  // a writer first announces itself (write_wait), and task readers then
  // wait behind it; interrupt readers do not (read_lock_in_interrupt()).
  // Needed where deadlock freedom is the question.
  class rwlock : lock_base<rlm::rwlock_tag> {
   public:
    explicit rwlock(const char* name) : lock_base(name, true) {}
    void set_fair(bool fair) { fair_ = fair; }
    void read_lock(Loc loc = Loc::current()) {
      if (fair_)
        acquire_s(loc, rlm::Op::lock_s_fair);
      else
        acquire_s(loc);
    }
    void read_lock_in_interrupt(Loc loc = Loc::current()) { acquire_s(loc); }
    void read_unlock(Loc loc = Loc::current()) { release_s(loc); }
    bool read_trylock(Loc loc = Loc::current()) {
      if (!fair_) return try_s(loc);
      if (waiting_ == 0) return try_s(loc, rlm::Op::try_s_fair);
      // A writer waits: qrwlock's read_trylock() fails.
      rlm::announce(this, name(), rlm::Op::try_s_fair, loc);
      rl::ctx().sched();
      rlm::complete(this, name(), rlm::Op::try_s_fair, 0, loc, false);
      return false;
    }
    void write_lock(Loc loc = Loc::current()) {
      if (fair_) {
        rlm::announce(this, name(), rlm::Op::lock_wait, loc);
        rl::ctx().sched();
        ++waiting_;
        rlm::complete(this, name(), rlm::Op::lock_wait, 0, loc);
      }
      acquire_x(loc);
      if (fair_) --waiting_;
    }
    void write_unlock(Loc loc = Loc::current()) { release_x(loc); }
    bool write_trylock(Loc loc = Loc::current()) { return try_x(loc); }
    using lock_base::name;

   private:
    bool fair_ = false;
    int waiting_ = 0;  // writers announced and not yet in (one OS thread runs them all)
  };

  class spinlock : lock_base<rlm::spinlock_tag> {
   public:
    explicit spinlock(const char* name) : lock_base(name, false) {}
    void lock(Loc loc = Loc::current()) { acquire_x(loc); }
    void unlock(Loc loc = Loc::current()) { release_x(loc); }
    bool trylock(Loc loc = Loc::current()) { return try_x(loc); }
    // spin_is_locked().
    bool is_locked(Loc loc = Loc::current()) const { return probe(loc); }
    using lock_base::name;
  };

  class mutex : lock_base<rlm::mutex_tag> {
   public:
    explicit mutex(const char* name) : lock_base(name, false) {}
    void lock(Loc loc = Loc::current()) { acquire_x(loc); }
    void unlock(Loc loc = Loc::current()) { release_x(loc); }
    bool trylock(Loc loc = Loc::current()) { return try_x(loc); }
    using lock_base::name;
  };

  static void fence(std::memory_order mo, Loc loc = Loc::current()) {
    if (mo == std::memory_order_relaxed) return;  // no effect in C++ either
    const bool sc = mo == std::memory_order_seq_cst;
    if (sc) rlm::announce(&rlm::g_sc_fence_token, "fence", rlm::Op::fence_sc, loc);
    rl::atomic_thread_fence(rlm::to_rl(mo), rlm::info(loc));
    if (sc) rlm::note_order_point();
    if (sc) rlm::complete(&rlm::g_sc_fence_token, "fence", rlm::Op::fence_sc, 0, loc);
  }
  static void smp_rmb(Loc loc = Loc::current()) { fence(std::memory_order_acquire, loc); }
  static void smp_wmb(Loc loc = Loc::current()) { fence(std::memory_order_release, loc); }
  static void smp_mb(Loc loc = Loc::current()) { fence(std::memory_order_seq_cst, loc); }
  // The kernel's conditional full barriers: smp_mb() (what they are where the
  // architecture does not make them free, and what the LKMM defines them as).
  static void smp_mb__before_atomic(Loc loc = Loc::current()) { smp_mb(loc); }
  static void smp_mb__after_atomic(Loc loc = Loc::current()) { smp_mb(loc); }
  static void smp_mb__after_spinlock(Loc loc = Loc::current()) { smp_mb(loc); }

  // Relacy models the barriers themselves; see model/model.hpp.
  static void fence_edge_release(const void*, Loc = Loc::current()) {}
  static void fence_edge_acquire(const void*, Loc = Loc::current()) {}

  static void spin_wait_hint(std::uint64_t carried = 0, Loc loc = Loc::current()) {
    hint(carried, false, loc);
  }
  static void spin_wait_hint_snapshot(std::uint64_t snapshot, Loc loc = Loc::current()) {
    hint(snapshot, true, loc);
  }
  static void hint(std::uint64_t carried, bool snapshot, const Loc& loc) {
    rlm::Recorder& r = rlm::recorder();
    const int t = rlm::current_thread();
    // Where the pass that ends here began is known from the thread's
    // second hint on; at its first, the cycle shown is the wait itself.
    if (!r.hinted[t]) r.last_hint_log[t] = r.log_size;
    rlm::progress_point(t, carried, snapshot, loc);
    r.carried_snapshot[t] = snapshot;
    rlm::announce(nullptr, "spin_wait_hint", rlm::Op::yield, loc, carried);
    rl::yield(1, rlm::info(loc));
    rlm::complete(nullptr, "spin_wait_hint", rlm::Op::yield, carried, loc);
    r.hinted[t] = true;
    r.last_hint_log[t] = r.log_size;  // a pass begins
  }

  static void check(bool cond, const char* what, Loc loc = Loc::current()) {
    if (cond) return;
    rlm::Recorder& r = rlm::recorder();
    if (r.only_check && std::strncmp(what, r.only_check, std::strlen(r.only_check)) != 0) return;
    if (r.record_checks) {
      if (what[0] == 'S') {
        const unsigned n = static_cast<unsigned>(std::strtoul(what + 1, nullptr, 10));
        if (n < 64) r.recorded_checks |= std::uint64_t(1) << n;
      }
      return;
    }
    r.failed_check = what;
    r.failed_check_loc = loc;
    rl::ctx().fail_test(what, rl::test_result_user_assert_failed, rlm::info(loc));
  }

  static void op_done(Loc = Loc::current()) {
    rlm::Recorder& r = rlm::recorder();
    if (!r.in_special) ++r.ops_done[rlm::current_thread()];
  }

  static void observe(const char* what, Loc loc = Loc::current()) {
    rlm::Recorder& r = rlm::recorder();
    const int i = r.intern_observation(what);
    if (i >= 0) r.obs_seen[i] = true;
    rlm::log_event(nullptr, what, rlm::Op::note, 0, loc, true);
    rlm::history_note(loc, what);
  }
};

}  // namespace pfv

#endif  // PFV_MODEL_RELACY_MODEL_HPP
