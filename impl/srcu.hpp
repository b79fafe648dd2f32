// impl/srcu.hpp: sleepable RCU (kvm->srcu), as far as KVM's memslot
// readers and updaters rely on it, written once against the model.
//
// WHAT IT IS
//   The guarantee of srcu_read_lock()/srcu_read_unlock()/synchronize_srcu():
//   synchronize() returns only after every read-side critical section that
//   began before synchronize() was called has ended. KVM's memslot readers
//   (kvm_memslots() callers: GPA-cache users and refreshers, the
//   mmu_notifier's memslot walk) hold kvm->srcu; kvm_swap_active_memslots()
//   publishes the new memslots and then waits in synchronize_srcu_expedited()
//   before it touches the old ones or finishes the generation.
//
// HOW IT WORKS
//   The classic two-counter algorithm (Lai Jiangshan's SRCU rewrite, as in
//   kernel/rcu/srcutiny.c and the per-CPU counters of srcutree.c folded into
//   one pair): a reader increments the counter of the current index and
//   decrements the same one when it leaves; synchronize() first waits for
//   the counter of the other index to drain (late readers that read the
//   index before the previous flip), flips the index, and waits for the
//   counter of the old index to drain. Readers that begin after the flip use
//   the new index and are not waited for, as in the kernel.
//
// MEMORY ORDERING
//   Full barriers as in srcutree.c: (B) smp_mb() after a reader's increment
//   pairs with (D) the smp_mb() at the start of synchronize() (store
//   buffering: either the reader's increment is seen by the wait, or the
//   reader sees everything published before synchronize()); (C) smp_mb()
//   before a reader's decrement pairs with (E)/(F), the smp_mb() after each
//   wait (the reader's accesses happen before whatever the updater does
//   after synchronize()). ThreadSanitizer does not see barriers, so the
//   (C)->(F) edge is also named with fence_edge_release/acquire (no effect
//   under Relacy, which checks the barriers themselves).
//
// INVARIANTS
//   S15 (impl/invariants.hpp): when synchronize() returns, no read-side
//   critical section that began before it was called is still running.
//   Checked with ghost state: readers count themselves per grace-period
//   epoch; synchronize() opens a new epoch when it starts and, when it ends,
//   requires every older epoch to be empty. A reader begins at its barrier
//   (B), a grace period at its barrier (D): the epoch steps are
//   fence_update()s, one step with the barrier, so the epochs follow the
//   barriers' global order exactly. fence_update's contract holds: the two
//   fence_updates (a reader's +1 in the current epoch, the grace period's
//   epoch step) are ordered as barriers; a reader's -1 commutes with both;
//   and the final load's verdict cannot depend on where a concurrent
//   fence_update falls (one after (D) counts in the new epoch, which the
//   check leaves out; one before (D) precedes the check anyway).
//
// CAVEATS
//   * One pair of counters instead of one per CPU: the sum is what the
//     kernel's srcu_readers_active_idx_check() reads.
//   * When a scenario has no grace period at all (grace_periods == false),
//     the read side is elided: nobody reads its counters, so dropping them
//     only drops the two barriers a reader executes, which can only add
//     behaviours (sound for Never claims).
#ifndef PFV_IMPL_SRCU_HPP
#define PFV_IMPL_SRCU_HPP

#include <atomic>
#include <cstdint>

#include "impl/invariants.hpp"
#include "model/model.hpp"

namespace pfv {

template <class M>
class Srcu {
 public:
  // srcu_read_lock()'s return value, plus the checker's epoch.
  struct Token {
    unsigned idx = 0;
    unsigned epoch = 0;
  };

  // Ghost word: bits 0..7 the grace-period epoch, then per epoch (mod 4) an
  // 8-bit count of the read-side critical sections that began in it.
  static constexpr unsigned kEpochs = 4;
  static unsigned epoch_of(std::uint64_t g) { return static_cast<unsigned>(g & 0xff); }
  static unsigned readers_in(std::uint64_t g, unsigned epoch) {
    return static_cast<unsigned>((g >> (8 + 8 * (epoch % kEpochs))) & 0xff);
  }
  static std::uint64_t one_reader(unsigned epoch) {
    return std::uint64_t(1) << (8 + 8 * (epoch % kEpochs));
  }

  explicit Srcu(const char* name) : name_(name) {}

  // Set by a scenario that runs synchronize(); see CAVEATS.
  bool grace_periods = false;

  Token read_lock(Loc loc = Loc::current()) {
    Token t;
    if (!grace_periods) return t;
    t.idx = idx_.load(std::memory_order_relaxed, loc);  // READ_ONCE(ssp->srcu_idx)
    cnt_[t.idx].fetch_add(1, std::memory_order_relaxed, loc);
    // (B): pairs with (D) in synchronize(). checker: the critical section
    // begins at this barrier, in the current epoch (one step with it, so the
    // epochs follow the barriers' order).
    const std::uint64_t g = ghost_.fence_update(
        [](std::uint64_t v) { return v + one_reader(epoch_of(v)); }, loc);
    t.epoch = epoch_of(g);
    return t;
  }

  void read_unlock(Token t, Loc loc = Loc::current()) {
    if (!grace_periods) return;
    ghost_.adjust(0 - one_reader(t.epoch), loc);  // checker: the critical section ends
    M::smp_mb(loc);  // (C): pairs with (E)/(F) in synchronize()
    M::fence_edge_release(&cnt_[t.idx], loc);  // the edge (C)->(F) makes, for TSan
    cnt_[t.idx].fetch_sub(1, std::memory_order_relaxed, loc);
  }

  // synchronize_srcu_expedited(). `wait_late`: wait for the late readers of
  // the previous flip first (false: a broken SRCU, for the checker's teeth).
  void synchronize(bool wait_late = true, Loc loc = Loc::current()) {
    // (D): pairs with (B). checker: the grace period starts at this barrier:
    // the critical sections that began before it are the ones of the
    // current epoch and older; later ones get a new epoch.
    const std::uint64_t g = ghost_.fence_update(
        [](std::uint64_t v) { return (v & ~std::uint64_t(0xff)) | ((epoch_of(v) + 1) & 0xff); },
        loc);
    const unsigned mine = epoch_of(g);
    const unsigned i = idx_.load(std::memory_order_relaxed, loc);
    if (wait_late) wait_for_readers(i ^ 1u, loc);  // late readers of the previous flip
    idx_.store(i ^ 1u, std::memory_order_relaxed, loc);
    M::smp_mb(loc);  // (E): pairs with (C)
    wait_for_readers(i, loc);
    M::smp_mb(loc);  // (F): pairs with (C); what follows happens after every waited-for reader
    // checker: S15.
    const std::uint64_t now = ghost_.load(loc);
    bool ok = true;
    for (unsigned e = 0; e < kEpochs; ++e)
      if (e != mine % kEpochs && readers_in(now, e) != 0) ok = false;
    M::check(ok, inv::S15, loc);
  }

  const char* name() const { return name_; }

 protected:
  // srcu_readers_active_idx_check() until it reports none.
  void wait_for_readers(unsigned i, Loc loc) {
    bool waited = false;
    while (cnt_[i].load(std::memory_order_relaxed, loc) != 0) {
      waited = true;
      M::spin_wait_hint(0, loc);
    }
    if (waited) M::observe(inv::G5_srcu_waited, loc);
    M::fence_edge_acquire(&cnt_[i], loc);  // the edge (C)->(F) makes, for TSan
  }

  const char* name_;
  atomic_t<M, unsigned> idx_{"srcu.idx", 0};
  atomic_t<M, long> cnt_[2] = {{"srcu.cnt[0]", 0}, {"srcu.cnt[1]", 0}};
  ghost_t<M, std::uint64_t> ghost_{"srcu.readers", 0};
};

}  // namespace pfv

#endif  // PFV_IMPL_SRCU_HPP
