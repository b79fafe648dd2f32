// model/kernel_atomic.hpp: the kernel's atomic read-modify-writes, with the
// orderings the Linux-kernel memory model gives them, over any model.
//
// WHAT IT IS
//   xchg(), cmpxchg(), atomic_*_return() and their _relaxed/_acquire/_release
//   forms, and the non-returning atomic_add()/atomic_inc() family, written
//   once over M::atomic<T> and M's barriers (the same text under Relacy and
//   on real threads). Call them with the model named: kernel::xchg<M>(a, v).
//
// GUARANTEE (tools/memory-model/Documentation, atomic_t.txt)
//   * Value-returning RMWs without a suffix are fully ordered: as if an
//     smp_mb() came right before and right after them.
//   * _acquire: the load part is an acquire; _release: the store part is a
//     release; _relaxed and the non-returning forms order nothing.
//   * A cmpxchg() that fails orders nothing, whatever its suffix.
//
// HOW IT WORKS
//   xchg/atomic_*_return: smp_mb(); the RMW, relaxed; smp_mb(). Exact.
//   cmpxchg: a compare-exchange that is seq_cst on success and relaxed on
//   failure, then smp_mb() on success only. The leading smp_mb() cannot be
//   placed before it is known whether the exchange succeeds, so it is left
//   out, and a successful cmpxchg() orders a little less than the kernel's:
//   earlier accesses are released to whoever reads its store, and ordered
//   before everything after it by the trailing barrier, but its own load is
//   not ordered after earlier stores (an SB shape through the load of a
//   successful cmpxchg() is allowed here and not by the LKMM). That is the
//   false-alarm direction; placing the barrier unconditionally would order a
//   failed cmpxchg(), the unsafe direction.
#ifndef PFV_MODEL_KERNEL_ATOMIC_HPP
#define PFV_MODEL_KERNEL_ATOMIC_HPP

#include <atomic>

#include "model/model.hpp"

namespace pfv {
namespace kernel {

// ---- exchange ---------------------------------------------------------------

template <class M, class A, class T>
T xchg(A& a, T v, Loc loc = Loc::current()) {
  M::smp_mb(loc);
  const T old = a.exchange(v, std::memory_order_relaxed, loc);
  M::smp_mb(loc);
  return old;
}
template <class M, class A, class T>
T xchg_relaxed(A& a, T v, Loc loc = Loc::current()) {
  return a.exchange(v, std::memory_order_relaxed, loc);
}
template <class M, class A, class T>
T xchg_acquire(A& a, T v, Loc loc = Loc::current()) {
  return a.exchange(v, std::memory_order_acquire, loc);
}
template <class M, class A, class T>
T xchg_release(A& a, T v, Loc loc = Loc::current()) {
  return a.exchange(v, std::memory_order_release, loc);
}

// ---- compare-exchange: returns the value it found ---------------------------

namespace detail {
// One compare-exchange, ordered by `ok` on success and never on failure;
// true if it succeeded. `seen` is what it found.
template <class A, class T>
bool cmpxchg_ordered(A& a, T& seen, T desired, std::memory_order ok, const Loc& loc) {
  return a.compare_exchange_strong(seen, desired, ok, std::memory_order_relaxed, loc);
}
}  // namespace detail

template <class M, class A, class T>
T cmpxchg(A& a, T old, T desired, Loc loc = Loc::current()) {
  T seen = old;
  if (detail::cmpxchg_ordered(a, seen, desired, std::memory_order_seq_cst, loc)) M::smp_mb(loc);
  return seen;
}
template <class M, class A, class T>
T cmpxchg_relaxed(A& a, T old, T desired, Loc loc = Loc::current()) {
  T seen = old;
  detail::cmpxchg_ordered(a, seen, desired, std::memory_order_relaxed, loc);
  return seen;
}
template <class M, class A, class T>
T cmpxchg_acquire(A& a, T old, T desired, Loc loc = Loc::current()) {
  T seen = old;
  detail::cmpxchg_ordered(a, seen, desired, std::memory_order_acquire, loc);
  return seen;
}
template <class M, class A, class T>
T cmpxchg_release(A& a, T old, T desired, Loc loc = Loc::current()) {
  T seen = old;
  detail::cmpxchg_ordered(a, seen, desired, std::memory_order_release, loc);
  return seen;
}

// ---- arithmetic ---------------------------------------------------------------

// atomic_add_return(): fully ordered, returns the new value.
template <class M, class A, class T>
T atomic_add_return(T v, A& a, Loc loc = Loc::current()) {
  M::smp_mb(loc);
  const T old = a.fetch_add(v, std::memory_order_relaxed, loc);
  M::smp_mb(loc);
  return static_cast<T>(old + v);
}
template <class M, class A, class T>
T atomic_add_return_relaxed(T v, A& a, Loc loc = Loc::current()) {
  return static_cast<T>(a.fetch_add(v, std::memory_order_relaxed, loc) + v);
}
template <class M, class A, class T>
T atomic_add_return_acquire(T v, A& a, Loc loc = Loc::current()) {
  return static_cast<T>(a.fetch_add(v, std::memory_order_acquire, loc) + v);
}
template <class M, class A, class T>
T atomic_add_return_release(T v, A& a, Loc loc = Loc::current()) {
  return static_cast<T>(a.fetch_add(v, std::memory_order_release, loc) + v);
}
// atomic_sub_return(): fully ordered, returns the new value.
template <class M, class A, class T>
T atomic_sub_return(T v, A& a, Loc loc = Loc::current()) {
  M::smp_mb(loc);
  const T old = a.fetch_sub(v, std::memory_order_relaxed, loc);
  M::smp_mb(loc);
  return static_cast<T>(old - v);
}
// atomic_add()/atomic_sub()/atomic_inc()/atomic_dec(): no return value, no
// ordering (smp_mb__before_atomic()/smp_mb__after_atomic() add it).
template <class M, class A, class T>
void atomic_add(T v, A& a, Loc loc = Loc::current()) {
  a.fetch_add(v, std::memory_order_relaxed, loc);
}
template <class M, class A, class T>
void atomic_sub(T v, A& a, Loc loc = Loc::current()) {
  a.fetch_sub(v, std::memory_order_relaxed, loc);
}

}  // namespace kernel
}  // namespace pfv

#endif  // PFV_MODEL_KERNEL_ATOMIC_HPP
