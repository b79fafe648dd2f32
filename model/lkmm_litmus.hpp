// model/lkmm_litmus.hpp: the Linux-kernel memory model's own litmus tests
// (tools/memory-model/litmus-tests), written in this project's litmus style
// from each test's shape and stated result, over the model interface of
// model/model.hpp. relacy_tests runs them as the conformance suite: the
// barrier mapping of model.hpp held against LKMM's own verdicts, test by test.
//
// Conventions (those of model/litmus.hpp):
//   * One struct template per kernel test, named after it with '+', '.' and
//     '-' turned into '_'. Kernel process Pn is thread n; thread_names are
//     "P0", "P1", ... so a trace reads like the kernel test.
//   * Register r of kernel process N (N:r) is the member pN_r (-1 until set).
//     A final-state term (x=2 in an exists clause) is read in after(), once
//     every thread has finished, into the member x_final.
//   * Every shared variable is an atomic_t (but for dep+plain's plain
//     variables, which are var_t): READ_ONCE is a relaxed load,
//     WRITE_ONCE a relaxed store, smp_load_acquire/smp_store_release are
//     acquire/release, the barriers are M::smp_*(), spin_lock/spin_unlock/
//     spin_is_locked are spinlock_t's lock/unlock/is_locked.
//   * Each test opens with
//       Shape:   which process does what, in order,
//       Result:  LKMM's verdict on the exists clause (Never: no execution
//                satisfies it; Sometimes: some execution does), written over
//                our members,
//       Shows:   the point, and where the C11 mapping of model.hpp is known
//                to differ from LKMM for this shape.
//     after() calls M::observe(kOutcome) exactly when the exists clause holds.
//   * PFV_LKMM_LITMUS_TESTS(X), at the end, lists every test as
//     X(struct, kernel name, never|sometimes), in the order of the kernel
//     directory's README (dep+plain, which the README does not list, last).
#ifndef PFV_MODEL_LKMM_LITMUS_HPP
#define PFV_MODEL_LKMM_LITMUS_HPP

#include <atomic>
#include <cstdint>

#include "model/model.hpp"

namespace pfv {
namespace lkmm_litmus {

// The signature of an execution: its register and final values, each a small
// integer in -1..14, packed four bits apiece (first argument lowest).
constexpr std::uint64_t pack() { return 0; }
template <class... Rest>
constexpr std::uint64_t pack(int v, Rest... rest) {
  return static_cast<std::uint64_t>((v + 1) & 0xf) | (pack(rest...) << 4);
}

// ===========================================================================
// Coherence
// ===========================================================================

// ---------------------------------------------------------------------------
// CoRR+poonceonce+Once
// Shape:   P0 writes x=1. P1 reads x twice.
// Result:  Never p1_r0 == 1 && p1_r1 == 0.
// Shows:   read-read coherence: once a read has seen the new value, a later
//          read of the same variable by the same thread cannot see the old one.
template <class M>
struct CoRR_poonceonce_Once {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "CoRR+poonceonce+Once: new value, then the old one";
  atomic_t<M, int> x{"x", 0};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = x.load(std::memory_order_relaxed);
      p1_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ---------------------------------------------------------------------------
// CoRW+poonceonce+Once
// Shape:   P0 reads x, then writes x=1. P1 writes x=2.
// Result:  Never x_final == 2 && p0_r0 == 2.
// Shows:   read-write coherence: a thread's write to x is ordered after its
//          own earlier read of x, so the store that read saw (x=2) cannot end
//          up after that write in x's coherence order.
template <class M>
struct CoRW_poonceonce_Once {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "CoRW+poonceonce+Once: read a store that overwrote ours";
  atomic_t<M, int> x{"x", 0};
  int p0_r0 = -1;
  int x_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_r0 = x.load(std::memory_order_relaxed);
      x.store(1, std::memory_order_relaxed);
    } else {
      x.store(2, std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    if (x_final == 2 && p0_r0 == 2) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, x_final); }
};

// ---------------------------------------------------------------------------
// CoWR+poonceonce+Once
// Shape:   P0 writes x=1, then reads x. P1 writes x=2.
// Result:  Never x_final == 1 && p0_r0 == 2.
// Shows:   write-read coherence: if P0's read saw P1's store, that store is
//          later than P0's own in coherence order, so x cannot end as 1.
template <class M>
struct CoWR_poonceonce_Once {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "CoWR+poonceonce+Once: read a store that our own store overwrote";
  atomic_t<M, int> x{"x", 0};
  int p0_r0 = -1;
  int x_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      p0_r0 = x.load(std::memory_order_relaxed);
    } else {
      x.store(2, std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    if (x_final == 1 && p0_r0 == 2) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, x_final); }
};

// ---------------------------------------------------------------------------
// CoWW+poonceonce
// Shape:   P0 writes x=1, then x=2. The kernel test has this one process
//          only; thread 1 ("idle") does nothing and is there because the
//          drivers need two threads.
// Result:  Never x_final == 1.
// Shows:   write-write coherence: two stores of one thread to one variable
//          take effect in program order.
template <class M>
struct CoWW_poonceonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "idle"};
  static constexpr const char* kOutcome = "CoWW+poonceonce: the first store is the last";
  atomic_t<M, int> x{"x", 0};
  int x_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      x.store(2, std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    if (x_final == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(x_final); }
};

// ===========================================================================
// IRIW: independent reads of independent writes
// ===========================================================================

// ---------------------------------------------------------------------------
// IRIW+fencembonceonces+OnceOnce
// Shape:   P0 writes x=1. P1 reads x, smp_mb(), reads y. P2 writes y=1.
//          P3 reads y, smp_mb(), reads x.
// Result:  Never p1_r0 == 1 && p1_r1 == 0 && p3_r0 == 1 && p3_r1 == 0.
// Shows:   with a full barrier between each reader's two loads, the two
//          readers agree on the order of the two independent writes (LKMM's
//          propagation rule; in C++20 terms, the two seq_cst fences cannot
//          each precede the other).
template <class M>
struct IRIW_fencembonceonces_OnceOnce {
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2", "P3"};
  static constexpr const char* kOutcome =
      "IRIW+fencembonceonces+OnceOnce: readers disagree on the write order";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1, p1_r1 = -1, p3_r0 = -1, p3_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
    } else if (i == 1) {
      p1_r0 = x.load(std::memory_order_relaxed);
      M::smp_mb();
      p1_r1 = y.load(std::memory_order_relaxed);
    } else if (i == 2) {
      y.store(1, std::memory_order_relaxed);
    } else {
      p3_r0 = y.load(std::memory_order_relaxed);
      M::smp_mb();
      p3_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0 && p3_r0 == 1 && p3_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1, p3_r0, p3_r1); }
};

// ---------------------------------------------------------------------------
// IRIW+poonceonces+OnceOnce
// Shape:   as IRIW+fencembonceonces+OnceOnce without the two smp_mb().
// Result:  Sometimes p1_r0 == 1 && p1_r1 == 0 && p3_r0 == 1 && p3_r1 == 0.
// Shows:   with nothing between the loads, two readers can see two
//          independent writes in opposite orders.
template <class M>
struct IRIW_poonceonces_OnceOnce {
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2", "P3"};
  static constexpr const char* kOutcome =
      "IRIW+poonceonces+OnceOnce: readers disagree on the write order";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1, p1_r1 = -1, p3_r0 = -1, p3_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
    } else if (i == 1) {
      p1_r0 = x.load(std::memory_order_relaxed);
      p1_r1 = y.load(std::memory_order_relaxed);
    } else if (i == 2) {
      y.store(1, std::memory_order_relaxed);
    } else {
      p3_r0 = y.load(std::memory_order_relaxed);
      p3_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0 && p3_r0 == 1 && p3_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1, p3_r0, p3_r1); }
};

// ===========================================================================
// ISA2: a three-process chain from a store to a load
// ===========================================================================

// ---------------------------------------------------------------------------
// ISA2+pooncelock+pooncelock+pombonce
// Shape:   P0, holding mylock, writes x=1 then y=1. P1, holding mylock, reads
//          y then writes z=1. P2 reads z, smp_mb(), reads x.
// Result:  Never p1_r0 == 1 && p2_r2 == 1 && p2_r1 == 0.
// Shows:   LKMM: the order the lock gives P0's and P1's critical sections is
//          visible to a process outside the lock whose loads are separated
//          by smp_mb(). Under C11 alone the outcome is allowed: nothing in P1
//          releases before its store to z, so P2's read of z does not
//          synchronise with P1 and P2's seq_cst fence is the only one. The
//          model's po-unlock-lock-po rule (model/relacy_model.hpp) is what
//          makes it Never there; under --c11-locks it is Sometimes.
template <class M>
struct ISA2_pooncelock_pooncelock_pombonce {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "ISA2+pooncelock+pooncelock+pombonce: the chain end misses the first store";
  spinlock_t<M> mylock{"mylock"};
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r1 = -1, p2_r2 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      mylock.lock();
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else if (i == 1) {
      mylock.lock();
      p1_r0 = y.load(std::memory_order_relaxed);
      z.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else {
      p2_r2 = z.load(std::memory_order_relaxed);
      M::smp_mb();
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p2_r2 == 1 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r1, p2_r2); }
};

// ---------------------------------------------------------------------------
// ISA2+poonceonces
// Shape:   P0 writes x=1 then y=1. P1 reads y then writes z=1. P2 reads z
//          then x. All READ_ONCE/WRITE_ONCE.
// Result:  Sometimes p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0.
// Shows:   the release-acquire chain of the next test, with every release
//          and acquire made plain ONCE accesses, orders nothing.
template <class M>
struct ISA2_poonceonces {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome = "ISA2+poonceonces: the chain end misses the first store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r0 = -1, p2_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
    } else if (i == 1) {
      p1_r0 = y.load(std::memory_order_relaxed);
      z.store(1, std::memory_order_relaxed);
    } else {
      p2_r0 = z.load(std::memory_order_relaxed);
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r0, p2_r1); }
};

// ---------------------------------------------------------------------------
// ISA2+pooncerelease+poacquirerelease+poacquireonce
// Shape:   P0 writes x=1, store-releases y=1. P1 load-acquires y,
//          store-releases z=1. P2 load-acquires z, reads x.
// Result:  Never p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0.
// Shows:   a release-acquire chain in which every link but the last is a
//          reads-from orders the first store before the last load
//          (happens-before is transitive in C11 as well).
template <class M>
struct ISA2_pooncerelease_poacquirerelease_poacquireonce {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "ISA2+pooncerelease+poacquirerelease+poacquireonce: the chain end misses the first store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r0 = -1, p2_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_release);
    } else if (i == 1) {
      p1_r0 = y.load(std::memory_order_acquire);
      z.store(1, std::memory_order_release);
    } else {
      p2_r0 = z.load(std::memory_order_acquire);
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r0, p2_r1); }
};

// ===========================================================================
// LB: load buffering
// ===========================================================================

// ---------------------------------------------------------------------------
// LB+fencembonceonce+ctrlonceonce
// Shape:   P0 reads x and, only if it read non-zero, writes y=1 (a control
//          dependency). P1 reads y, smp_mb(), writes x=1.
// Result:  Never p0_r0 == 1 && p1_r0 == 1.
// Shows:   LKMM: a control dependency on one side and a full barrier on the
//          other forbid load buffering. C11 has no control dependencies, so
//          it does not forbid this shape by itself; the checker never
//          produces load buffering at all (docs/limits.md), so it reports
//          Never whatever the barriers.
template <class M>
struct LB_fencembonceonce_ctrlonceonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "LB+fencembonceonce+ctrlonceonce: each load saw the other's later store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r0 = -1, p1_r0 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_r0 = x.load(std::memory_order_relaxed);
      if (p0_r0) y.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = y.load(std::memory_order_relaxed);
      M::smp_mb();
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 1 && p1_r0 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p1_r0); }
};

// ---------------------------------------------------------------------------
// LB+poacquireonce+pooncerelease
// Shape:   P0 reads x, store-releases y=1. P1 load-acquires y, writes x=1.
// Result:  Never p0_r0 == 1 && p1_r0 == 1.
// Shows:   a release-acquire pair forbids load buffering: if P1's acquire
//          saw P0's release, P0's read of x happens before P1's write of x
//          and cannot read it.
template <class M>
struct LB_poacquireonce_pooncerelease {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "LB+poacquireonce+pooncerelease: each load saw the other's later store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r0 = -1, p1_r0 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_r0 = x.load(std::memory_order_relaxed);
      y.store(1, std::memory_order_release);
    } else {
      p1_r0 = y.load(std::memory_order_acquire);
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 1 && p1_r0 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p1_r0); }
};

// ---------------------------------------------------------------------------
// LB+poonceonces
// Shape:   P0 reads x, writes y=1. P1 reads y, writes x=1. All ONCE.
// Result:  Sometimes p0_r0 == 1 && p1_r0 == 1.
// Shows:   LKMM (and C11) allow load buffering without ordering. The checker
//          never produces load buffering (docs/limits.md): this is a known
//          place where it reports Never against LKMM's Sometimes.
template <class M>
struct LB_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "LB+poonceonces: each load saw the other's later store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r0 = -1, p1_r0 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_r0 = x.load(std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = y.load(std::memory_order_relaxed);
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 1 && p1_r0 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p1_r0); }
};

// ---------------------------------------------------------------------------
// LB+unlocklockonceonce+poacquireonce
// Shape:   P0 reads x inside lock s, then writes y=1 inside lock t (a
//          different lock). P1 load-acquires y, writes x=1.
// Result:  Never p0_r1 == 1 && p1_r2 == 1.
// Shows:   LKMM: an unlock followed by a lock on the same CPU orders the
//          accesses before it against those after it (all but store-then-
//          load), even for two different locks. C11 gives no such order (an
//          unlock of s and a lock of t are unrelated release and acquire),
//          so it does not forbid this shape by itself; the checker never
//          produces load buffering, so it reports Never regardless.
template <class M>
struct LB_unlocklockonceonce_poacquireonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "LB+unlocklockonceonce+poacquireonce: each load saw the other's later store";
  spinlock_t<M> s{"s"}, t{"t"};
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r1 = -1, p1_r2 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      s.lock();
      p0_r1 = x.load(std::memory_order_relaxed);
      s.unlock();
      t.lock();
      y.store(1, std::memory_order_relaxed);
      t.unlock();
    } else {
      p1_r2 = y.load(std::memory_order_acquire);
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r1 == 1 && p1_r2 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r1, p1_r2); }
};

// ===========================================================================
// MP: message passing
// ===========================================================================

// ---------------------------------------------------------------------------
// MP+onceassign+derefonce
// Shape:   p initially points to y (y=0). P0 writes x=1, then
//          rcu_assign_pointer(p, &x). P1, in an RCU read-side critical
//          section, rcu_dereference()s p and reads through the pointer.
//          The pointer is an int naming one of two atomics (kToX for x, kToY
//          for y) and the dereference selects that atomic: the simplest form
//          of a pointer to a shared int that the model interface allows.
//          rcu_read_lock()/rcu_read_unlock() are left out: the test has no
//          grace period, so they order nothing here.
// Result:  Never p1_r0 == kToX && p1_r1 == 0.
// Shows:   publishing with rcu_assign_pointer() and reading with
//          rcu_dereference() never shows the reader the pre-initialisation
//          value. rcu_assign_pointer() is a release store;
//          rcu_dereference() is an acquire load here, stronger than the
//          kernel's ordering by address dependency only.
template <class M>
struct MP_onceassign_derefonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "MP+onceassign+derefonce: new pointer, uninitialised target";
  static constexpr int kToX = 1, kToY = 2;
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  atomic_t<M, int> p{"p", kToY};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      p.store(kToX, std::memory_order_release);
    } else {
      p1_r0 = p.load(std::memory_order_acquire);
      atomic_t<M, int>& target = p1_r0 == kToX ? x : y;
      p1_r1 = target.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == kToX && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ---------------------------------------------------------------------------
// MP+polockmbonce+poacquiresilsil
// Shape:   P0 takes lo, smp_mb__after_spinlock(), writes x=1, releases lo.
//          P1 load-acquires x, then calls spin_is_locked(lo) twice.
// Result:  Never p1_r1 == 1 && p1_r2 == 0 && p1_r3 == 1.
// Shows:   r2 == 0 then r3 == 1 would mean P1's acquire ran before P0 took
//          the lock, yet it saw P0's store from inside the critical section;
//          smp_mb__after_spinlock() orders the lock acquisition before that
//          store, so it cannot happen.
template <class M>
struct MP_polockmbonce_poacquiresilsil {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "MP+polockmbonce+poacquiresilsil: saw the store, then the lock taken late";
  spinlock_t<M> lo{"lo"};
  atomic_t<M, int> x{"x", 0};
  int p1_r1 = -1, p1_r2 = -1, p1_r3 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      lo.lock();
      M::smp_mb__after_spinlock();
      x.store(1, std::memory_order_relaxed);
      lo.unlock();
    } else {
      p1_r1 = x.load(std::memory_order_acquire);
      p1_r2 = lo.is_locked() ? 1 : 0;
      p1_r3 = lo.is_locked() ? 1 : 0;
    }
  }
  void after() {
    if (p1_r1 == 1 && p1_r2 == 0 && p1_r3 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r1, p1_r2, p1_r3); }
};

// ---------------------------------------------------------------------------
// MP+polockonce+poacquiresilsil
// Shape:   as MP+polockmbonce+poacquiresilsil without the
//          smp_mb__after_spinlock().
// Result:  Sometimes p1_r1 == 1 && p1_r2 == 0 && p1_r3 == 1.
// Shows:   a lock acquisition alone is only an acquire: the store inside the
//          critical section can become visible before the lock is seen held.
template <class M>
struct MP_polockonce_poacquiresilsil {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "MP+polockonce+poacquiresilsil: saw the store, then the lock taken late";
  spinlock_t<M> lo{"lo"};
  atomic_t<M, int> x{"x", 0};
  int p1_r1 = -1, p1_r2 = -1, p1_r3 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      lo.lock();
      x.store(1, std::memory_order_relaxed);
      lo.unlock();
    } else {
      p1_r1 = x.load(std::memory_order_acquire);
      p1_r2 = lo.is_locked() ? 1 : 0;
      p1_r3 = lo.is_locked() ? 1 : 0;
    }
  }
  void after() {
    if (p1_r1 == 1 && p1_r2 == 0 && p1_r3 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r1, p1_r2, p1_r3); }
};

// ---------------------------------------------------------------------------
// MP+polocks
// Shape:   P0 writes buf=1, then writes flag=1 holding mylock. P1 reads flag
//          holding mylock, then (after unlocking) reads buf.
// Result:  Never p1_r0 == 1 && p1_r1 == 0.
// Shows:   unlock and a later lock of the same lock act as a release and an
//          acquire: what P0 did before its critical section is visible after
//          P1's.
template <class M>
struct MP_polocks {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "MP+polocks: flag seen, buf stale";
  spinlock_t<M> mylock{"mylock"};
  atomic_t<M, int> buf{"buf", 0}, flag{"flag", 0};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      buf.store(1, std::memory_order_relaxed);
      mylock.lock();
      flag.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else {
      mylock.lock();
      p1_r0 = flag.load(std::memory_order_relaxed);
      mylock.unlock();
      p1_r1 = buf.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ---------------------------------------------------------------------------
// MP+poonceonces
// Shape:   P0 writes buf=1 then flag=1. P1 reads flag then buf. All ONCE.
// Result:  Sometimes p1_r0 == 1 && p1_r1 == 0.
// Shows:   message passing needs ordering on both sides.
template <class M>
struct MP_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "MP+poonceonces: flag seen, buf stale";
  atomic_t<M, int> buf{"buf", 0}, flag{"flag", 0};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      buf.store(1, std::memory_order_relaxed);
      flag.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = flag.load(std::memory_order_relaxed);
      p1_r1 = buf.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ---------------------------------------------------------------------------
// MP+pooncerelease+poacquireonce
// Shape:   P0 writes buf=1, store-releases flag=1. P1 load-acquires flag,
//          reads buf.
// Result:  Never p1_r0 == 1 && p1_r1 == 0.
// Shows:   smp_store_release()/smp_load_acquire() suffice for message passing.
template <class M>
struct MP_pooncerelease_poacquireonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "MP+pooncerelease+poacquireonce: flag seen, buf stale";
  atomic_t<M, int> buf{"buf", 0}, flag{"flag", 0};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      buf.store(1, std::memory_order_relaxed);
      flag.store(1, std::memory_order_release);
    } else {
      p1_r0 = flag.load(std::memory_order_acquire);
      p1_r1 = buf.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ---------------------------------------------------------------------------
// MP+porevlocks
// Shape:   here P0 is the reader: it reads flag, then reads buf holding
//          mylock. P1 writes buf=1 holding mylock, then (after unlocking)
//          writes flag=1.
// Result:  Never p0_r0 == 1 && p0_r1 == 0.
// Shows:   the mirror of MP+polocks: the lock orders P1's critical section
//          before P0's whenever P0 saw the flag written after it.
template <class M>
struct MP_porevlocks {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "MP+porevlocks: flag seen, buf stale";
  spinlock_t<M> mylock{"mylock"};
  atomic_t<M, int> buf{"buf", 0}, flag{"flag", 0};
  int p0_r0 = -1, p0_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_r0 = flag.load(std::memory_order_relaxed);
      mylock.lock();
      p0_r1 = buf.load(std::memory_order_relaxed);
      mylock.unlock();
    } else {
      mylock.lock();
      buf.store(1, std::memory_order_relaxed);
      mylock.unlock();
      flag.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 1 && p0_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p0_r1); }
};

// ---------------------------------------------------------------------------
// MP+unlocklockonceonce+fencermbonceonce
// Shape:   P0 writes x=1 holding lock s, then y=1 holding lock t (a
//          different lock). P1 reads y, smp_rmb(), reads x.
// Result:  Never p1_r1 == 1 && p1_r2 == 0.
// Shows:   LKMM: stores before an unlock propagate to every CPU before
//          stores after a following lock on the same CPU, even of a
//          different lock. Under C11 alone the outcome is allowed: the
//          unlock of s releases only to acquirers of s, so P1's fence after
//          its relaxed read of y synchronises with nothing. The model's
//          po-unlock-lock-po rule makes it Never; --c11-locks: Sometimes.
template <class M>
struct MP_unlocklockonceonce_fencermbonceonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "MP+unlocklockonceonce+fencermbonceonce: y seen, x stale";
  spinlock_t<M> s{"s"}, t{"t"};
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r1 = -1, p1_r2 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      s.lock();
      x.store(1, std::memory_order_relaxed);
      s.unlock();
      t.lock();
      y.store(1, std::memory_order_relaxed);
      t.unlock();
    } else {
      p1_r1 = y.load(std::memory_order_relaxed);
      M::smp_rmb();
      p1_r2 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r1 == 1 && p1_r2 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r1, p1_r2); }
};

// ---------------------------------------------------------------------------
// MP+fencewmbonceonce+fencermbonceonce
// Shape:   P0 writes buf=1, smp_wmb(), writes flag=1. P1 reads flag,
//          smp_rmb(), reads buf.
// Result:  Never p1_r0 == 1 && p1_r1 == 0.
// Shows:   smp_wmb() between the stores and smp_rmb() between the loads
//          suffice for message passing (fence-fence synchronisation in C11).
template <class M>
struct MP_fencewmbonceonce_fencermbonceonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "MP+fencewmbonceonce+fencermbonceonce: flag seen, buf stale";
  atomic_t<M, int> buf{"buf", 0}, flag{"flag", 0};
  int p1_r0 = -1, p1_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      buf.store(1, std::memory_order_relaxed);
      M::smp_wmb();
      flag.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = flag.load(std::memory_order_relaxed);
      M::smp_rmb();
      p1_r1 = buf.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p1_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p1_r1); }
};

// ===========================================================================
// R
// ===========================================================================

// ---------------------------------------------------------------------------
// R+fencembonceonces
// Shape:   P0 writes x=1, smp_mb(), writes y=1. P1 writes y=2, smp_mb(),
//          reads x.
// Result:  Never y_final == 2 && p1_r0 == 0.
// Shows:   with a full barrier on both sides, if P1's store to y wins then
//          P1 must see P0's store to x, which came before P0's y store (in
//          C++20 terms the two seq_cst fences cannot each precede the
//          other). Without the barriers it is allowed (R+poonceonces).
template <class M>
struct R_fencembonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "R+fencembonceonces: y ends 2, x read stale";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1;
  int y_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      M::smp_mb();
      y.store(1, std::memory_order_relaxed);
    } else {
      y.store(2, std::memory_order_relaxed);
      M::smp_mb();
      p1_r0 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    y_final = y.load(std::memory_order_relaxed);
    if (y_final == 2 && p1_r0 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, y_final); }
};

// ---------------------------------------------------------------------------
// R+poonceonces
// Shape:   as R+fencembonceonces without the two smp_mb().
// Result:  Sometimes y_final == 2 && p1_r0 == 0.
// Shows:   without barriers, P1's store can win on y while P1 still reads
//          the old x.
template <class M>
struct R_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "R+poonceonces: y ends 2, x read stale";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1;
  int y_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
    } else {
      y.store(2, std::memory_order_relaxed);
      p1_r0 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    y_final = y.load(std::memory_order_relaxed);
    if (y_final == 2 && p1_r0 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, y_final); }
};

// ===========================================================================
// SB: store buffering
// ===========================================================================

// ---------------------------------------------------------------------------
// SB+fencembonceonces
// Shape:   P0 writes x=1, smp_mb(), reads y. P1 writes y=1, smp_mb(), reads x.
// Result:  Never p0_r0 == 0 && p1_r0 == 0.
// Shows:   a full barrier between each store and load forbids store
//          buffering; Dekker-style mutual exclusion rests on this.
template <class M>
struct SB_fencembonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "SB+fencembonceonces: both loads missed the other store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r0 = -1, p1_r0 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      M::smp_mb();
      p0_r0 = y.load(std::memory_order_relaxed);
    } else {
      y.store(1, std::memory_order_relaxed);
      M::smp_mb();
      p1_r0 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 0 && p1_r0 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p1_r0); }
};

// ---------------------------------------------------------------------------
// SB+poonceonces
// Shape:   as SB+fencembonceonces without the two smp_mb().
// Result:  Sometimes p0_r0 == 0 && p1_r0 == 0.
// Shows:   without ordering, each thread can miss the other's store.
template <class M>
struct SB_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "SB+poonceonces: both loads missed the other store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r0 = -1, p1_r0 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      p0_r0 = y.load(std::memory_order_relaxed);
    } else {
      y.store(1, std::memory_order_relaxed);
      p1_r0 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p0_r0 == 0 && p1_r0 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r0, p1_r0); }
};

// ---------------------------------------------------------------------------
// SB+rfionceonce-poonceonces
// Shape:   P0 writes x=1, reads x back, reads y. P1 writes y=1, reads y back,
//          reads x.
// Result:  Sometimes p0_r2 == 0 && p1_r4 == 0.
// Shows:   reading one's own store first does not stop store buffering: a
//          thread can see its own store before others do (LKMM is not
//          multicopy atomic). The read-backs p0_r1, p1_r3 and the final x, y
//          are part of the signature, as the kernel test prints them.
template <class M>
struct SB_rfionceonce_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome =
      "SB+rfionceonce-poonceonces: both loads missed the other store";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p0_r1 = -1, p0_r2 = -1, p1_r3 = -1, p1_r4 = -1;
  int x_final = -1, y_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      p0_r1 = x.load(std::memory_order_relaxed);
      p0_r2 = y.load(std::memory_order_relaxed);
    } else {
      y.store(1, std::memory_order_relaxed);
      p1_r3 = y.load(std::memory_order_relaxed);
      p1_r4 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    y_final = y.load(std::memory_order_relaxed);
    if (p0_r2 == 0 && p1_r4 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_r1, p0_r2, p1_r3, p1_r4, x_final, y_final); }
};

// ===========================================================================
// S
// ===========================================================================

// ---------------------------------------------------------------------------
// S+poonceonces
// Shape:   P0 writes x=2 then y=1. P1 reads y, writes x=1. All ONCE.
// Result:  Sometimes x_final == 2 && p1_r0 == 1.
// Shows:   without ordering, P1 can see y=1 and still have its store to x
//          overwritten by P0's earlier one.
template <class M>
struct S_poonceonces {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "S+poonceonces: y seen, yet x ends 2";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1;
  int x_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(2, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = y.load(std::memory_order_relaxed);
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    if (x_final == 2 && p1_r0 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, x_final); }
};

// ---------------------------------------------------------------------------
// S+fencewmbonceonce+poacquireonce
// Shape:   P0 writes x=2, smp_wmb(), writes y=1. P1 load-acquires y,
//          writes x=1.
// Result:  Never x_final == 2 && p1_r0 == 1.
// Shows:   smp_wmb() in place of a release, paired with an acquire, orders
//          P0's earlier store before P1's later store.
template <class M>
struct S_fencewmbonceonce_poacquireonce {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "S+fencewmbonceonce+poacquireonce: y seen, yet x ends 2";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1;
  int x_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(2, std::memory_order_relaxed);
      M::smp_wmb();
      y.store(1, std::memory_order_relaxed);
    } else {
      p1_r0 = y.load(std::memory_order_acquire);
      x.store(1, std::memory_order_relaxed);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    if (x_final == 2 && p1_r0 == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, x_final); }
};

// ===========================================================================
// WRC: write-to-read causality
// ===========================================================================

// ---------------------------------------------------------------------------
// WRC+poonceonces+Once
// Shape:   P0 writes x=1. P1 reads x, writes y=1. P2 reads y, reads x.
//          All ONCE.
// Result:  Sometimes p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0.
// Shows:   message passing with the data store in a third process: with no
//          ordering, P2 can see P1's flag but not the store P1 saw.
template <class M>
struct WRC_poonceonces_Once {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome = "WRC+poonceonces+Once: y seen, x stale";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1, p2_r0 = -1, p2_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
    } else if (i == 1) {
      p1_r0 = x.load(std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
    } else {
      p2_r0 = y.load(std::memory_order_relaxed);
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r0, p2_r1); }
};

// ---------------------------------------------------------------------------
// WRC+pooncerelease+fencermbonceonce+Once
// Shape:   P0 writes x=1. P1 reads x, store-releases y=1. P2 reads y,
//          smp_rmb(), reads x.
// Result:  Never p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0.
// Shows:   a release is cumulative: the store P1 read before releasing is
//          ordered for P2 too (in C11, P1's read of x happens before P2's,
//          and read-read coherence does the rest).
template <class M>
struct WRC_pooncerelease_fencermbonceonce_Once {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "WRC+pooncerelease+fencermbonceonce+Once: y seen, x stale";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  int p1_r0 = -1, p2_r0 = -1, p2_r1 = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
    } else if (i == 1) {
      p1_r0 = x.load(std::memory_order_relaxed);
      y.store(1, std::memory_order_release);
    } else {
      p2_r0 = y.load(std::memory_order_relaxed);
      M::smp_rmb();
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    if (p1_r0 == 1 && p2_r0 == 1 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r0, p2_r1); }
};

// ===========================================================================
// Z6.0
// ===========================================================================

// ---------------------------------------------------------------------------
// Z6.0+pooncelock+pooncelock+pombonce
// Shape:   P0, holding mylock, writes x=1 then y=1. P1, holding mylock, reads
//          y then writes z=1. P2 writes z=2, smp_mb(), reads x.
// Result:  Sometimes p1_r0 == 1 && z_final == 2 && p2_r1 == 0.
// Shows:   ordering between two critical sections of one lock is not
//          necessarily seen by a process that does not take the lock.
template <class M>
struct Z6_0_pooncelock_pooncelock_pombonce {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "Z6.0+pooncelock+pooncelock+pombonce: z ends 2, yet x read stale";
  spinlock_t<M> mylock{"mylock"};
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r1 = -1;
  int z_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      mylock.lock();
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else if (i == 1) {
      mylock.lock();
      p1_r0 = y.load(std::memory_order_relaxed);
      z.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else {
      z.store(2, std::memory_order_relaxed);
      M::smp_mb();
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    z_final = z.load(std::memory_order_relaxed);
    if (p1_r0 == 1 && z_final == 2 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r1, z_final); }
};

// ---------------------------------------------------------------------------
// Z6.0+pooncelock+poonceLock+pombonce
// Shape:   as Z6.0+pooncelock+pooncelock+pombonce, with
//          smp_mb__after_spinlock() right after P1's spin_lock().
// Result:  Never p1_r0 == 1 && z_final == 2 && p2_r1 == 0.
// Shows:   smp_mb__after_spinlock() makes the order of the two critical
//          sections visible to the process outside the lock (in C++20
//          terms: P1's fence and P2's seq_cst fence would each have to
//          precede the other).
template <class M>
struct Z6_0_pooncelock_poonceLock_pombonce {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "Z6.0+pooncelock+poonceLock+pombonce: z ends 2, yet x read stale";
  spinlock_t<M> mylock{"mylock"};
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r1 = -1;
  int z_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      mylock.lock();
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else if (i == 1) {
      mylock.lock();
      M::smp_mb__after_spinlock();
      p1_r0 = y.load(std::memory_order_relaxed);
      z.store(1, std::memory_order_relaxed);
      mylock.unlock();
    } else {
      z.store(2, std::memory_order_relaxed);
      M::smp_mb();
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    z_final = z.load(std::memory_order_relaxed);
    if (p1_r0 == 1 && z_final == 2 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r1, z_final); }
};

// ---------------------------------------------------------------------------
// Z6.0+pooncerelease+poacquirerelease+fencembonceonce
// Shape:   P0 writes x=1, store-releases y=1. P1 load-acquires y,
//          store-releases z=1. P2 writes z=2, smp_mb(), reads x.
// Result:  Sometimes p1_r0 == 1 && z_final == 2 && p2_r1 == 0.
// Shows:   a release-acquire chain does not order for a process linked to it
//          by two non-reads-from edges (P1 to P2 by coherence on z, P2 to P0
//          by from-read on x); that needs a full barrier per such edge.
template <class M>
struct Z6_0_pooncerelease_poacquirerelease_fencembonceonce {
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"P0", "P1", "P2"};
  static constexpr const char* kOutcome =
      "Z6.0+pooncerelease+poacquirerelease+fencembonceonce: z ends 2, yet x read stale";
  atomic_t<M, int> x{"x", 0}, y{"y", 0}, z{"z", 0};
  int p1_r0 = -1, p2_r1 = -1;
  int z_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      x.store(1, std::memory_order_relaxed);
      y.store(1, std::memory_order_release);
    } else if (i == 1) {
      p1_r0 = y.load(std::memory_order_acquire);
      z.store(1, std::memory_order_release);
    } else {
      z.store(2, std::memory_order_relaxed);
      M::smp_mb();
      p2_r1 = x.load(std::memory_order_relaxed);
    }
  }
  void after() {
    z_final = z.load(std::memory_order_relaxed);
    if (p1_r0 == 1 && z_final == 2 && p2_r1 == 0) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p1_r0, p2_r1, z_final); }
};

// ===========================================================================
// Dependencies through plain accesses
// ===========================================================================

// ---------------------------------------------------------------------------
// dep+plain
// Shape:   P0 reads x into a, stores a to plain z1, copies plain z1 to plain
//          z2, and writes y=1 only if z2 == 1. P1 load-acquires y and
//          store-releases the value it read into x. z1 and z2 are plain
//          (race-checked) variables that only P0 touches.
// Result:  Never x_final == 1 && y_final == 1.
// Shows:   LKMM: plain accesses carry dependencies like registers do, so the
//          if on z2 is a control dependency from P0's read of x to its write
//          of y, and the value 1 cannot appear out of thin air. C11 has no
//          dependency ordering (P0's relaxed accesses do not synchronise with
//          P1), so it does not forbid this shape by itself; the checker never
//          produces load buffering, so it reports Never regardless.
template <class M>
struct dep_plain {
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"P0", "P1"};
  static constexpr const char* kOutcome = "dep+plain: x and y both 1 out of thin air";
  atomic_t<M, int> x{"x", 0}, y{"y", 0};
  var_t<M, int> z1{"z1", 0}, z2{"z2", 0};
  int p0_a = -1, p1_r = -1;
  int x_final = -1, y_final = -1;
  void before() {}
  void thread(unsigned i) {
    if (i == 0) {
      p0_a = x.load(std::memory_order_relaxed);
      z1.store(p0_a);
      z2.store(z1.load());
      if (z2.load() == 1) y.store(1, std::memory_order_relaxed);
    } else {
      p1_r = y.load(std::memory_order_acquire);
      x.store(p1_r, std::memory_order_release);
    }
  }
  void after() {
    x_final = x.load(std::memory_order_relaxed);
    y_final = y.load(std::memory_order_relaxed);
    if (x_final == 1 && y_final == 1) M::observe(kOutcome);
  }
  std::uint64_t signature() const { return pack(p0_a, p1_r, x_final, y_final); }
};

}  // namespace lkmm_litmus
}  // namespace pfv

// Every test above: X(struct template, kernel test name, LKMM verdict), the
// verdict being the token never or sometimes. Kernel README order; dep+plain,
// which the README does not list, last.
#define PFV_LKMM_LITMUS_TESTS(X)                                                               \
  X(CoRR_poonceonce_Once, "CoRR+poonceonce+Once", never)                                       \
  X(CoRW_poonceonce_Once, "CoRW+poonceonce+Once", never)                                       \
  X(CoWR_poonceonce_Once, "CoWR+poonceonce+Once", never)                                       \
  X(CoWW_poonceonce, "CoWW+poonceonce", never)                                                 \
  X(IRIW_fencembonceonces_OnceOnce, "IRIW+fencembonceonces+OnceOnce", never)                   \
  X(IRIW_poonceonces_OnceOnce, "IRIW+poonceonces+OnceOnce", sometimes)                         \
  X(ISA2_pooncelock_pooncelock_pombonce, "ISA2+pooncelock+pooncelock+pombonce", never)         \
  X(ISA2_poonceonces, "ISA2+poonceonces", sometimes)                                           \
  X(ISA2_pooncerelease_poacquirerelease_poacquireonce,                                         \
    "ISA2+pooncerelease+poacquirerelease+poacquireonce", never)                                \
  X(LB_fencembonceonce_ctrlonceonce, "LB+fencembonceonce+ctrlonceonce", never)                 \
  X(LB_poacquireonce_pooncerelease, "LB+poacquireonce+pooncerelease", never)                   \
  X(LB_poonceonces, "LB+poonceonces", sometimes)                                               \
  X(LB_unlocklockonceonce_poacquireonce, "LB+unlocklockonceonce+poacquireonce", never)         \
  X(MP_onceassign_derefonce, "MP+onceassign+derefonce", never)                                 \
  X(MP_polockmbonce_poacquiresilsil, "MP+polockmbonce+poacquiresilsil", never)                 \
  X(MP_polockonce_poacquiresilsil, "MP+polockonce+poacquiresilsil", sometimes)                 \
  X(MP_polocks, "MP+polocks", never)                                                           \
  X(MP_poonceonces, "MP+poonceonces", sometimes)                                               \
  X(MP_pooncerelease_poacquireonce, "MP+pooncerelease+poacquireonce", never)                   \
  X(MP_porevlocks, "MP+porevlocks", never)                                                     \
  X(MP_unlocklockonceonce_fencermbonceonce, "MP+unlocklockonceonce+fencermbonceonce", never)   \
  X(MP_fencewmbonceonce_fencermbonceonce, "MP+fencewmbonceonce+fencermbonceonce", never)       \
  X(R_fencembonceonces, "R+fencembonceonces", never)                                           \
  X(R_poonceonces, "R+poonceonces", sometimes)                                                 \
  X(SB_fencembonceonces, "SB+fencembonceonces", never)                                         \
  X(SB_poonceonces, "SB+poonceonces", sometimes)                                               \
  X(SB_rfionceonce_poonceonces, "SB+rfionceonce-poonceonces", sometimes)                       \
  X(S_poonceonces, "S+poonceonces", sometimes)                                                 \
  X(S_fencewmbonceonce_poacquireonce, "S+fencewmbonceonce+poacquireonce", never)               \
  X(WRC_poonceonces_Once, "WRC+poonceonces+Once", sometimes)                                   \
  X(WRC_pooncerelease_fencermbonceonce_Once, "WRC+pooncerelease+fencermbonceonce+Once", never) \
  X(Z6_0_pooncelock_pooncelock_pombonce, "Z6.0+pooncelock+pooncelock+pombonce", sometimes)     \
  X(Z6_0_pooncelock_poonceLock_pombonce, "Z6.0+pooncelock+poonceLock+pombonce", never)         \
  X(Z6_0_pooncerelease_poacquirerelease_fencembonceonce,                                       \
    "Z6.0+pooncerelease+poacquirerelease+fencembonceonce", sometimes)                          \
  X(dep_plain, "dep+plain", never)

#endif  // PFV_MODEL_LKMM_LITMUS_HPP
