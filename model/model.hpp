// model/model.hpp: the memory-model interface that impl/ is written against.
//
// WHAT IT IS
//   One contract, two instantiations. Algorithm code (impl/) takes a model
//   type `M` as a template parameter and touches shared memory only through
//   M's members. `pfv::RealModel` (model/real_model.hpp) is std::atomic, plain
//   memory and real locks, for real threads and ThreadSanitizer.
//   `pfv::RelacyModel` (model/relacy_model.hpp) is the Relacy race detector:
//   every operation becomes a scheduling point of the checker, plain
//   variables are race-checked with vector clocks. The same algorithm text
//   runs under both (the loom / folly `Atom` idea, with fences, plain data
//   and locks bundled into one struct so nothing needs a second channel).
//
// GUARANTEE
//   Every instantiation provides the same members with the same meaning:
//
//     M::atomic<T>     load(mo), store(v, mo), exchange(v, mo),
//                      fetch_add(v, mo), fetch_sub(v, mo),
//                      compare_exchange_strong(expected, desired, mo_ok, mo_fail)
//                      Every memory order is written by the caller; there is
//                      no defaulted (implicitly seq_cst) order anywhere.
//     M::var<T>        plain shared data: load(), store(v). A data race on it
//                      is a defect: Relacy reports it in the first execution
//                      that holds both accesses, TSan when it observes one.
//                      read_once(), write_once(v): READ_ONCE()/WRITE_ONCE(),
//                      the kernel's marked accesses of the same field: a
//                      relaxed atomic access (a scheduling point under
//                      Relacy). The kernel memory model's race rule: two
//                      conflicting accesses race only if at least one is
//                      plain; two marked accesses never do. mark_stores():
//                      every later store() is a write_once() (a field whose
//                      every writer marks its stores; set while building).
//                      latest(): checker-only, the value stored last (not
//                      an access: no step, no race check).
//     M::ghost<T>      checker-only state (what a proof would call a ghost
//                      variable): load(), store(v). It is read in execution
//                      order, creates no happens-before edge and is never
//                      reported as racing. Constructed (name, init) or
//                      (name, init, GhostOrder::unordered): see GhostOrder. Invariants use it to speak about
//                      "what is true now" (is this page freed?) without
//                      perturbing the memory model under test. add(d) adds and
//                      returns the new value; adjust(d) adds and returns
//                      nothing (two adjustments commute, which lets the
//                      search skip trying both orders); update(f) replaces
//                      the value by f(value) in one step and returns it;
//                      fence_update(f) is smp_mb() and update(f) in one
//                      step (a record ordered exactly with the barrier).
//                      Its contract: the search orders it as a barrier,
//                      not as a ghost access, so f must commute with every
//                      other access to the ghost but fence_updates, or the
//                      caller must show that their order cannot change what
//                      a check concludes (impl/srcu.hpp does).
//     Each of the three also has init(v): sets the initial value while the
//                      test object is being built, before any thread runs
//                      (not an operation, never traced); ghost<T> has
//                      peek() for the same moment.
//     M::rwlock        read_lock/read_unlock, write_lock/write_unlock,
//                      read_trylock/write_trylock (true on success).
//     M::spinlock      lock/unlock/trylock; is_locked() (spin_is_locked():
//                      a racy snapshot, orders nothing).
//     M::mutex         lock/unlock (may sleep in the kernel; same model).
//     M::fence(mo)     atomic_thread_fence.
//     M::smp_rmb(), M::smp_wmb(), M::smp_mb()   kernel barriers, mapped once
//                      below; smp_mb__before_atomic(), smp_mb__after_atomic(),
//                      smp_mb__after_spinlock(): smp_mb().
//     M::fence_edge_release(tag), M::fence_edge_acquire(tag)
//                      the happens-before edge a pair of barriers creates,
//                      told to a tool that does not model barriers
//                      (ThreadSanitizer ignores atomic_thread_fence). Placed
//                      next to the barriers and the atomic accesses that
//                      pair them: release before the atomic store, acquire
//                      after the atomic load that saw it. No effect under
//                      Relacy, which checks the barriers themselves, so an
//                      annotation can never hide a missing barrier from the
//                      proof; on real threads it only adds an edge the
//                      barriers already create.
//     M::spin_wait_hint(carried)   cpu_relax()/cond_resched() in a retry
//                      loop: the thread is waiting for another thread to
//                      change something. `carried` is a fingerprint of the
//                      state the loop carries from one pass to the next
//                      (0 if none). The contract: a pass that fails changes no
//                      shared state for good (locks it takes, it releases),
//                      and the next pass depends only on what it reads and on
//                      `carried`. The checker then re-runs a pass only when
//                      something it read has changed since, or the carried
//                      state did. WHERE THE HINT GOES: at the end of a
//                      failed pass, after everything the pass undoes (its
//                      unlocks, the release of what it took), and before the
//                      next pass's first read; the carried value is what the
//                      next pass starts from. A hint placed earlier (before
//                      an unlock) makes the thread wait holding what the
//                      others need, which the search would call a deadlock
//                      or livelock of the protocol: the Relacy driver
//                      reports it instead as an error, "misplaced hint"
//                      (a thread waits at a hint holding a lock another
//                      thread is blocked on; litmus Spin+hint-under-lock),
//                      and the gate's verdict for the cell is ERROR. Holding
//                      a lock at a hint is otherwise allowed (a qrwlock
//                      writer spins holding wait_lock, as the kernel's
//                      does). A hint placed later than the next pass's
//                      first read is not detected: that read is then
//                      treated as part of the old pass.
//     M::spin_wait_hint_snapshot(seq)  the same hint, when what the loop
//                      carries is a snapshot of a counter (mark_counter()):
//                      the lasso detector then compares it with the counter
//                      by equality, where it compares any other carried
//                      value as it is.
//     M::op_done()     an operation of the scenario finished (one
//                      invalidation of a stream): what tells STARVATION
//                      (others finish operations, the waiting thread does
//                      not) from LIVELOCK (nobody finishes anything).
//                      Checker-only, no step.
//     atomic::mark_counter()  while building: the value is a sequence count,
//                      compared by the protocol only with snapshots of it
//                      (mmu_invalidate_seq); the lasso detector compares
//                      states without its value. atomic::latest(): the
//                      value last in modification order (checker-only).
//
//   PROGRESS. In a scenario that asks for it (`progress`), every arrival at
//                      a spin-wait hint is a progress point: the Relacy
//                      model fingerprints the state (every model object's
//                      latest value, every thread's next step) and, when a
//                      thread meets a state it met before at a hint while
//                      every unfinished thread ran in between, reports the
//                      cycle as a lasso: LIVELOCK or STARVATION
//                      (docs/reduction.md, "Progress").
//     M::check(cond, what)  an invariant. `what` starts with the invariant's
//                      number ("S1: ..."), see impl/invariants.hpp.
//     M::observe(what)      "this interesting thing happened in this
//                      execution": the Sometimes half of a Never claim.
//
//   Every member takes a trailing `Loc loc = Loc::current()`. Callers never
//   pass it; the compiler fills in the caller's function, file and line, so a
//   Relacy trace line points at the algorithm's own source, not at the
//   wrapper.
//
// MEMORY ORDERING: the kernel barrier mapping (written down once, here)
//   smp_rmb()  ->  atomic_thread_fence(memory_order_acquire), placed after
//                  the earlier load(s). Stronger than the kernel's: a C11
//                  acquire fence also orders the earlier loads before later
//                  *stores*.
//   smp_wmb()  ->  atomic_thread_fence(memory_order_release), placed before
//                  the later store(s). Stronger than the kernel's: a C11
//                  release fence also orders earlier *loads* before the later
//                  stores.
//   smp_mb()   ->  atomic_thread_fence(memory_order_seq_cst).
//   READ_ONCE/WRITE_ONCE of a field that is also read locklessly -> a relaxed
//                  atomic access.
//   spin_lock/unlock, read/write_lock -> lock objects with acquire/release
//                  semantics, plus, under Relacy, the kernel's lock ordering:
//                  an unlock followed by a lock (on the same CPU, or of the
//                  same lock handed over) orders what came before the
//                  unlock before what comes after the lock for every
//                  observer (po-unlock-lock-po; not a store before a load), not
//                  A-cumulatively: after the acquire, an acquire fence and a
//                  release of the thread's own stores and the releaser's,
//                  when the thread has accessed nothing since its last
//                  release or smp_mb() (model/relacy_model.hpp, lock_base;
//                  off with Recorder::c11_locks; docs/limits.md says what it
//                  still over-orders). Real locks give it on real CPUs.
//   COHERENCE. Under Relacy two stores to one location are in coherence
//                  order as they execute; stores with no happens-before
//                  between them are named by a check instead of being
//                  explored in both orders (StoreClocks; docs/limits.md).
//   LIMITS. C11 fences pair only with atomic accesses (a release fence
//   followed by an atomic store, an atomic load followed by an acquire
//   fence). The kernel barriers are defined by the Linux-kernel memory model
//   (tools/memory-model), which differs at the edges (it orders dependent
//   loads, it has no out-of-thin-air results, smp_wmb does not order loads).
//   Because the mapping is stronger than the kernel's for rmb/wmb, a proof
//   here can miss a bug that needs exactly the kernel's weaker barrier;
//   claims that hinge on that belong to herd7 litmus reasoning.
//
// HOW IT WORKS
//   See model/real_model.hpp and model/relacy_model.hpp. The Relacy model
//   additionally records, before each operation, the object and kind of the
//   operation the thread is about to perform, so that the search strategies in
//   relacy_tests/search/ (including the partial-order reduction) know every
//   thread's next step.
//
// CAVEATS
//   * Objects must be constructed inside the checker's test object (Relacy
//     needs its context to exist); no heap allocation inside simulated
//     threads (Relacy turns every free() into a search branch).
//   * Relacy's memory model is sound for what it shows and incomplete: a
//     relaxed load reads at most one store back under full search (two under
//     random search), load buffering is never produced. See docs/limits.md.
#ifndef PFV_MODEL_MODEL_HPP
#define PFV_MODEL_MODEL_HPP

#include <atomic>  // std::memory_order
#include <cstdint>

namespace pfv {

// A source location, filled in at the call site of a model operation.
struct Loc {
  const char* func;
  const char* file;
  unsigned line;

  static constexpr Loc current(const char* func = __builtin_FUNCTION(),
                               const char* file = __builtin_FILE(),
                               unsigned line = __builtin_LINE()) {
    return Loc{func, file, line};
  }
};

// How the checker orders a ghost's accesses (M::ghost<T>'s third argument).
//   ordered    every access is a step the search orders against the other
//              threads' steps on the same ghost (two orders, two classes).
//   unordered  accesses run inside the thread's current step and are never
//              ordered by the search: no classes of their own. Allowed only
//              for state that no check reads before every thread is done,
//              or whose checks are shadowed by a race-checked access (two
//              var<T> accesses, at least one a store, placed with the ghost
//              accesses): then an order the search does not try is reported
//              as a data race of the shadow, whatever order it does try.
enum class GhostOrder { ordered, unordered };

// Aliases that keep `typename M::template` out of algorithm code.
template <class M, class T>
using atomic_t = typename M::template atomic<T>;
template <class M, class T>
using var_t = typename M::template var<T>;
template <class M, class T>
using ghost_t = typename M::template ghost<T>;
template <class M>
using rwlock_t = typename M::rwlock;
template <class M>
using spinlock_t = typename M::spinlock;
template <class M>
using mutex_t = typename M::mutex;

}  // namespace pfv

#endif  // PFV_MODEL_MODEL_HPP
