// impl/kvm_main.hpp: the side of virt/kvm/kvm_main.c the pfn caches depend
// on, written once against the model: the mmu_notifier callbacks
// (invalidate_range_start/end, release), __kvm_handle_hva_range()'s memslot
// lookup, kvm_memslots() and the gfn->hva translation, and the memslot
// updates (kvm_set_memslot() for create, delete and move, with
// kvm_swap_active_memslots()). Also the primary MMU operations that call
// the notifiers: page migration, zap, exit_mmap.
//
// WHAT IT IS
//   KvmMain<M, Self> is a base of the variant (CRTP, see pfncache.hpp):
//   every call goes through Self::, so a variant changes one operation or
//   one knob and everything else stays this text. The operations keep their
//   kernel names; "__" names are spelled do_<name>.
//
// MEMORY ORDERING (every barrier and its partner)
//   (J) range_start raises mn_active_invalidate_count under
//       mn_invalidate_lock before it walks the caches: the walk's gpc->lock
//       release is what a refresh's write lock acquires (pfncache.hpp).
//   (K, L) kvm_mmu_invalidate_end(): seq++, smp_wmb(), then (M) the count
//       decrement: pairs with smp_rmb() (G) in mmu_notifier_retry_cache().
//       The mmu_lock unlock and mn_invalidate_lock lock between seq++ and (M)
//       order them too (the LKMM's po-unlock-lock-po, model/relacy_model.hpp),
//       so for the pfn caches (L) is redundant: the no-end-wmb mutant is
//       harmless, and caught only under C11 lock ordering (--c11-locks).
//   rcu_assign_pointer() of the new memslots (release) pairs with
//       kvm_memslots()'s srcu_dereference() (acquire); synchronize_srcu()
//       (impl/srcu.hpp) orders every reader of the old memslots before the
//       updater's later writes to them.
//   The wait for mn_active_invalidate_count == 0 and the publication are
//       both under mn_invalidate_lock, as range_start's increment is: a
//       range's start and end see the same memslots.
//
// CAVEATS
//   * The secondary MMU (kvm_unmap_gfn_range(), page faults) is not
//     modelled; mmu_invalidate_in_progress is kept as bookkeeping only.
//   * The memslot updater sleeps as the kernel's does (its task state, the
//     rcuwait registration, range_end's wake-up): schedule() is a spin on
//     the task state with the spin-wait hint. SRCU's grace-period wait is a
//     spin with the hint (the checker explores a wait's end whenever what
//     it waits for changes).
#ifndef PFV_IMPL_KVM_MAIN_HPP
#define PFV_IMPL_KVM_MAIN_HPP

#include <cstdint>

#include "impl/host_mmu.hpp"
#include "impl/invariants.hpp"
#include "impl/kvm.hpp"
#include "model/model.hpp"

namespace pfv {

// struct mmu_notifier_range, plus the checker's record of which caches this
// invalidation walked (S2).
struct MmuNotifierRange {
  hva_t start, end;
  std::uint32_t walked = 0;  // checker: caches walked (bit per cache index)
  std::uint32_t pages = 0;   // checker: its pages in kvm->walked_pages once walked
};

enum class MrChange { create, remove, move, flags_only };

template <class M, class Self>
struct KvmMain {
  using Srcu_ = Srcu<M>;

  // ---- The knobs a variant may hide. Each names the kernel code it is. ----

  // (J) range_start raises mn_active_invalidate_count before walking caches.
  static constexpr bool kCountBeforeWalk = true;
  // (L) smp_wmb() between seq++ and the count decrement.
  static constexpr bool kEndWmb = true;
  // (K before M) range_end bumps the seq before it drops the count.
  static constexpr bool kEndSeqBeforeCount = true;
  // kvm_swap_active_memslots() waits for mn_active_invalidate_count == 0.
  static constexpr bool kSwapWaitsForInvalidations = true;
  // kvm_swap_active_memslots() waits for SRCU readers before finishing.
  static constexpr bool kSwapSynchronizesSrcu = true;
  // SRCU: synchronize waits for late readers of the previous flip first.
  static constexpr bool kSrcuWaitsForLateReaders = true;
  // Not in any kernel: range_end bumps mmu_invalidate_seq even when the
  // range hit no memslot (the fix of finding hva-outside-memslot-stale-pfn).
  static constexpr bool kEndBumpsSeqWithoutMemslot = false;
  // Not in any kernel: kvm_mmu_notifier_release() invalidates every cache
  // and keeps mn_active_invalidate_count raised for good, since no
  // invalidation reaches KVM after it (the fix of finding
  // mm-teardown-leaves-cache-valid).
  static constexpr bool kReleaseInvalidatesCaches = false;
  // Not in any kernel: the range-based retry (the fix of finding
  // global-retry-starves-refresh): range_start also records the union of
  // the in-flight ranges, and a refresh waits only for invalidations that
  // overlap its address (pfncache.hpp, hva_to_pfn_retry()).
  static constexpr bool kRangeRetry = false;
  // range_end drops mn_active_invalidate_count on every path (false: not
  // when the range hit no memslot, the mutant "end-keeps-count").
  static constexpr bool kEndDropsCountAlways = true;
  // kvm_swap_active_memslots() sets its task state (set_current_state())
  // before it drops mn_invalidate_lock to sleep (false: after, the mutant
  // "updater-misses-wakeup").
  static constexpr bool kSleepStateUnderLock = true;

  // ---- SRCU (the callers of kvm_memslots() hold kvm->srcu) -----------------

  static typename Srcu_::Token srcu_read_lock(Kvm<M>& kvm) { return kvm.srcu.read_lock(); }
  static void srcu_read_unlock(Kvm<M>& kvm, typename Srcu_::Token t) { kvm.srcu.read_unlock(t); }
  static void synchronize_srcu_expedited(Kvm<M>& kvm) {
    kvm.srcu.synchronize(Self::kSrcuWaitsForLateReaders);
  }

  // ---- memslots ---------------------------------------------------------------

  // kvm_memslots(): srcu_dereference(kvm->memslots[0]). Returns the index of
  // the set (kvm->__memslots[...]).
  static int kvm_memslots(Kvm<M>& kvm, Loc loc = Loc::current()) {
    return kvm.memslots.load(std::memory_order_acquire, loc);
  }

  // __gfn_to_memslot(): the slot of `set` covering gfn, or kNoSlot.
  static int do_gfn_to_memslot(Kvm<M>& kvm, int set, gfn_t gfn) {
    for (unsigned i = 0; i < Memslots<M>::kSlots; ++i) {
      const int s = kvm.__memslots[set].slot[i].load();
      if (s == kNoSlot) continue;
      const gfn_t base = kvm.slot_pool[s].base_gfn.load();
      if (gfn >= base && gfn < base + kvm.slot_pool[s].npages.load()) return s;
    }
    return kNoSlot;
  }

  // gfn_to_hva_memslot() -> __gfn_to_hva_many(): KVM_HVA_ERR_BAD for no slot
  // or an invalid one (a slot being deleted or moved).
  static hva_t gfn_to_hva_memslot(Kvm<M>& kvm, int slot, gfn_t gfn) {
    if (slot == kNoSlot) return KVM_HVA_ERR_BAD;
    MemorySlot<M>& s = kvm.slot_pool[slot];
    if (s.flags.load() & KVM_MEMSLOT_INVALID) return KVM_HVA_ERR_BAD;
    return s.userspace_addr.load() + (gfn - s.base_gfn.load()) * PAGE_SIZE;
  }

  // Does a slot of `set` overlap [start, end)? (kvm_for_each_memslot_in_hva_range)
  static bool memslot_in_hva_range(Kvm<M>& kvm, int set, hva_t start, hva_t end) {
    for (unsigned i = 0; i < Memslots<M>::kSlots; ++i) {
      const int s = kvm.__memslots[set].slot[i].load();
      if (s == kNoSlot) continue;
      const hva_t a = kvm.slot_pool[s].userspace_addr.load();
      const hva_t b = a + kvm.slot_pool[s].npages.load() * PAGE_SIZE;
      if (a < end && start < b) return true;
    }
    return false;
  }

  // ---- virt/kvm/kvm_main.c: the mmu_notifier side ----------------------------------

  static void kvm_mmu_invalidate_begin(Kvm<M>& kvm) {
    // Called under mmu_lock (write).
    kvm.mmu_invalidate_in_progress.store(kvm.mmu_invalidate_in_progress.load() + 1);
  }

  static void kvm_mmu_invalidate_end(Kvm<M>& kvm) {
    // Called under mmu_lock (write).
    // (K) The seq moves so that whoever looked up a page before this
    // invalidation (a page fault, a pfn cache refresh) learns that the page
    // may be gone.
    //
    // The kernel's plain increment under mmu_lock is modelled as an atomic
    // read-modify-write: every writer holds mmu_lock, so each increment reads
    // the one before it, and as an RMW it continues the release sequence of
    // that earlier increment. That is the C11 shadow of what the LKMM
    // guarantees here: the earlier invalidation's TLB flush (a strong fence)
    // propagated its page-table update everywhere before it dropped
    // mmu_lock, so a refresh whose snapshot read this increment also sees
    // that update. Written as a separate load and store, the C11 model lets
    // such a refresh read the older PTE after two overlapping invalidations,
    // an outcome the LKMM forbids (the seq-plain-increment variant keeps that
    // text; docs/limits.md shows its trace).
    kvm.mmu_invalidate_seq.fetch_add(1, std::memory_order_relaxed);
    // (L) Orders the seq++ before the count decrement in range_end: pairs
    // with smp_rmb() (G) in mmu_notifier_retry_cache().
    if constexpr (Self::kEndWmb) M::smp_wmb();
    const long in_progress = kvm.mmu_invalidate_in_progress.load() - 1;
    kvm.mmu_invalidate_in_progress.store(in_progress);
    M::check(in_progress >= 0, inv::S16_in_progress);
  }

  // __kvm_handle_hva_range(): takes mmu_lock and runs on_lock only if a
  // memslot overlaps the range. Returns whether one did (found_memslot).
  template <class OnLock>
  static bool do_kvm_handle_hva_range(Kvm<M>& kvm, hva_t start, hva_t end, OnLock on_lock) {
    const auto idx = Self::srcu_read_lock(kvm);
    const int set = Self::kvm_memslots(kvm);
    const bool found = Self::memslot_in_hva_range(kvm, set, start, end);
    if (found) {
      kvm.mmu_lock.lock();  // KVM_MMU_LOCK(kvm)
      on_lock(kvm);
      // kvm_mmu_unmap_gfn_range(): the secondary MMU (not modelled)
      kvm.mmu_lock.unlock();
    } else {
      M::observe(inv::I2_no_memslot);
    }
    Self::srcu_read_unlock(kvm, idx);
    return found;
  }

  static void kvm_mmu_notifier_invalidate_range_start(Kvm<M>& kvm, MmuNotifierRange& range) {
    // The count also keeps memslot updates out until range_end: both halves
    // must find the same memslots, or the conditional mmu_lock/in_progress
    // bookkeeping would not balance. (J): raised before any cache is walked.
    if constexpr (Self::kCountBeforeWalk) Self::mn_active_invalidate_count_inc(kvm, range);

    // The caches are walked first, outside mmu_lock (no cache lock is taken
    // with mmu_lock held), on their own hva test rather than the memslots';
    // since this is before mmu_invalidate_in_progress is raised, a refresh
    // must look at mn_active_invalidate_count instead.
    Self::gfn_to_pfn_cache_invalidate_start(kvm, range);
    walk_returned(kvm, range);  // checker

    if constexpr (!Self::kCountBeforeWalk) Self::mn_active_invalidate_count_inc(kvm, range);

    Self::do_kvm_handle_hva_range(kvm, range.start, range.end,
                                  [](Kvm<M>& k) { Self::kvm_mmu_invalidate_begin(k); });
  }

  // checker: the walk has returned; until range_end no cache may become
  // valid on the range's pages (S2).
  static void walk_returned(Kvm<M>& kvm, MmuNotifierRange& range) {
    range.pages = Kvm<M>::pages_of(range.start, range.end);
    if (range.pages) kvm.walked_pages.adjust(range.pages);
  }

  static void mn_active_invalidate_count_inc(Kvm<M>& kvm, const MmuNotifierRange& range) {
    kvm.mn_invalidate_lock.lock();
    if constexpr (Self::kRangeRetry) {
      // The first invalidation in flight starts the union; later ones widen it.
      if (kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) == 0) {
        kvm.mmu_gpc_invalidate_range_start.store(range.start);
        kvm.mmu_gpc_invalidate_range_end.store(range.end);
      } else {
        if (range.start < kvm.mmu_gpc_invalidate_range_start.load())
          kvm.mmu_gpc_invalidate_range_start.store(range.start);
        if (range.end > kvm.mmu_gpc_invalidate_range_end.load())
          kvm.mmu_gpc_invalidate_range_end.store(range.end);
      }
    }
    kvm.mn_active_invalidate_count.fetch_add(1, std::memory_order_relaxed);
    kvm.mn_invalidate_lock.unlock();
  }

  static void mn_active_invalidate_count_dec(Kvm<M>& kvm, MmuNotifierRange& range) {
    kvm.mn_invalidate_lock.lock();
    const unsigned long count = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed);
    M::check(count != 0, inv::S16_count);
    // checker: from the count decrement on, a refresh may legitimately see
    // this invalidation as over (S2); it stops counting as in flight here.
    for (unsigned i = 0; i < kvm.ngpc; ++i)
      if (range.walked >> i & 1u)
        kvm.gpcs[i]->ghost.adjust(0u - (Gpc<M>::WALKED + Gpc<M>::covered_bits(range.start, range.end)));
    if (range.pages) kvm.walked_pages.adjust(0u - range.pages);
    if (count) kvm.mn_active_invalidate_count.fetch_sub(1, std::memory_order_relaxed);  // (M)
    const bool wake = count <= 1;  // wake = !kvm->mn_active_invalidate_count
    kvm.mn_invalidate_lock.unlock();
    // Without a memslot updater no task is ever registered, and the wake-up
    // below would read NULL: it is left out (with its smp_mb()).
    if (wake && kvm.srcu.grace_periods) Self::rcuwait_wake_up(kvm);
  }

  // rcuwait_wake_up(): a full barrier, then wake the registered task, if any
  // (wake_up_process(): TASK_RUNNING).
  static void rcuwait_wake_up(Kvm<M>& kvm) {
    M::smp_mb();  // pairs with set_current_state()'s barrier in the waiter
    if (kvm.rcuwait_task.load(std::memory_order_relaxed))
      kvm.updater_state.store(0, std::memory_order_relaxed);
  }

  static void kvm_mmu_notifier_invalidate_range_end(Kvm<M>& kvm, MmuNotifierRange& range) {
    auto end = [](Kvm<M>& k) { Self::kvm_mmu_invalidate_end(k); };
    if constexpr (Self::kEndSeqBeforeCount) {
      const bool found = Self::do_kvm_handle_hva_range(kvm, range.start, range.end, end);
      if constexpr (Self::kEndBumpsSeqWithoutMemslot) {
        if (!found) {
          kvm.mmu_lock.lock();
          kvm.mmu_invalidate_seq.fetch_add(1, std::memory_order_relaxed);
          M::smp_wmb();  // pairs with smp_rmb() (G) in mmu_notifier_retry_cache()
          kvm.mmu_lock.unlock();
        }
      }
      if (Self::kEndDropsCountAlways || found) Self::mn_active_invalidate_count_dec(kvm, range);
    } else {
      Self::mn_active_invalidate_count_dec(kvm, range);
      Self::do_kvm_handle_hva_range(kvm, range.start, range.end, end);
    }
  }

  // kvm_mmu_notifier_release(): kvm_flush_shadow_all() (the secondary MMU,
  // not modelled). The pfn caches are not touched.
  static void kvm_mmu_notifier_release(Kvm<M>& kvm) {
    if constexpr (Self::kReleaseInvalidatesCaches) {
      // The fix: an invalidation of the whole address space that never ends
      // (none of the mm's later unmaps reaches KVM): every cache is made
      // invalid, and every refresh from now on retries until GUP fails.
      MmuNotifierRange range{0, PAGE_OFFSET};
      Self::mn_active_invalidate_count_inc(kvm, range);
      Self::gfn_to_pfn_cache_invalidate_start(kvm, range);
      walk_returned(kvm, range);  // checker
      kvm.mm_released.store(1);  // checker: the count stays raised at rest
    }
  }

  // ---- memslot updates (kvm_set_memslot() and its helpers) -------------------------

  static void kvm_swap_active_memslots(Kvm<M>& kvm) {
    const int active = kvm.memslots.load(std::memory_order_relaxed);  // slots_lock held
    const int inactive = active ^ 1;
    // The new set's generation starts from the active one's, marked in
    // progress until the grace period below is over.
    std::uint64_t gen = kvm.__memslots[active].generation.load(std::memory_order_relaxed);
    M::check(!(gen & KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS), inv::S16_gen);
    kvm.__memslots[inactive].generation.store(gen | KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS,
                                              std::memory_order_relaxed);
    // No publication while an invalidation is between its range_start and
    // range_end: both must see the same memslots (see range_start).
    kvm.mn_invalidate_lock.lock();
    if constexpr (Self::kSwapWaitsForInvalidations) {
      bool waited = false;
      kvm.rcuwait_task.store(1, std::memory_order_release);  // prepare_to_rcuwait()
      while (kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) != 0) {
        waited = true;
        // set_current_state(TASK_UNINTERRUPTIBLE): smp_store_mb(). Under
        // the lock, so a range_end that drops the count after the test
        // above wakes this task after the state is set.
        if constexpr (Self::kSleepStateUnderLock) set_current_state_sleeping(kvm);
        kvm.mn_invalidate_lock.unlock();
        if constexpr (!Self::kSleepStateUnderLock) set_current_state_sleeping(kvm);
        // schedule(): the task sleeps until a wake-up sets it running.
        while (kvm.updater_state.load(std::memory_order_relaxed) != 0) M::spin_wait_hint(0);
        kvm.mn_invalidate_lock.lock();
      }
      // finish_rcuwait(): no task registered, the task running.
      kvm.rcuwait_task.store(0, std::memory_order_relaxed);
      kvm.updater_state.store(0, std::memory_order_relaxed);
      if (waited) M::observe(inv::G4_updater_waited);
    }
    kvm.memslots.store(inactive, std::memory_order_release);  // rcu_assign_pointer()
    kvm.mn_invalidate_lock.unlock();

    if constexpr (Self::kSwapSynchronizesSrcu) Self::synchronize_srcu_expedited(kvm);

    // The final generation: the in-progress bit cleared, one step per
    // address space further.
    gen = (gen | KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS) & ~KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS;
    gen += kNrMemslotAsIds;
    kvm.__memslots[inactive].generation.store(gen, std::memory_order_relaxed);
  }

  static void set_current_state_sleeping(Kvm<M>& kvm) {
    kvm.updater_state.store(1, std::memory_order_relaxed);
    M::smp_mb();  // pairs with rcuwait_wake_up()'s barrier
  }

  // kvm_replace_memslot(): in the inactive set, `old` becomes `fresh`.
  static void kvm_replace_memslot(Kvm<M>& kvm, int old, int fresh) {
    Memslots<M>& set = kvm.__memslots[kvm.memslots.load(std::memory_order_relaxed) ^ 1];
    for (unsigned i = 0; i < Memslots<M>::kSlots; ++i) {
      if (set.slot[i].load() == old) {
        set.slot[i].store(fresh);
        return;
      }
    }
  }

  static void kvm_activate_memslot(Kvm<M>& kvm, int old, int fresh) {
    Self::kvm_swap_active_memslots(kvm);
    // The set that just became inactive gets the same change.
    Self::kvm_replace_memslot(kvm, old, fresh);
  }

  // kzalloc() + kvm_copy_memslot() of a slot object, and kfree().
  static int alloc_memslot(Kvm<M>& kvm, gfn_t base, std::uint64_t npages, hva_t uaddr,
                           std::uint32_t flags) {
    const int s = kvm.slot_pool_next.load();
    kvm.slot_pool_next.store(s + 1);
    kvm.slot_pool[s].base_gfn.store(base);
    kvm.slot_pool[s].npages.store(npages);
    kvm.slot_pool[s].userspace_addr.store(uaddr);
    kvm.slot_pool[s].flags.store(flags);
    return s;
  }
  static void free_memslot(Kvm<M>& kvm, int s) {  // kfree(): poisoned
    kvm.slot_pool[s].base_gfn.store(kSlotPoison);
    kvm.slot_pool[s].npages.store(0);
    kvm.slot_pool[s].userspace_addr.store(kSlotPoison);
    kvm.slot_pool[s].flags.store(static_cast<std::uint32_t>(kSlotPoison));
  }

  // kvm_set_memslot(), without the arch hooks and the failure paths: the
  // update of slot `old` to base_gfn `base` (move), to nothing (delete), to
  // flags `base` (flags only: dirty logging on or off), or the creation of
  // gfn [base, base + npages) -> uaddr.
  static void kvm_set_memslot(Kvm<M>& kvm, int old, MrChange change, gfn_t base = 0,
                              std::uint64_t npages = 0, hva_t uaddr = 0) {
    kvm.slots_lock.lock();
    int invalid_slot = kNoSlot;
    if (change == MrChange::remove || change == MrChange::move) {
      // kvm_invalidate_memslot()
      MemorySlot<M>& o = kvm.slot_pool[old];
      invalid_slot = Self::alloc_memslot(kvm, o.base_gfn.load(), o.npages.load(),
                                         o.userspace_addr.load(),
                                         o.flags.load() | KVM_MEMSLOT_INVALID);
      Self::kvm_replace_memslot(kvm, old, invalid_slot);
      Self::kvm_swap_active_memslots(kvm);
      // kvm_arch_flush_shadow_memslot(), kvm_arch_guest_memory_reclaimed():
      // the secondary MMU (not modelled)
    }
    int fresh = kNoSlot;
    if (change == MrChange::create) {
      fresh = Self::alloc_memslot(kvm, base, npages, uaddr, 0);
      Self::kvm_replace_memslot(kvm, kNoSlot, fresh);
      Self::kvm_activate_memslot(kvm, kNoSlot, fresh);
    } else if (change == MrChange::remove) {
      Self::kvm_replace_memslot(kvm, old, kNoSlot);
      Self::kvm_activate_memslot(kvm, invalid_slot, kNoSlot);
    } else if (change == MrChange::flags_only) {
      MemorySlot<M>& o = kvm.slot_pool[old];
      fresh = Self::alloc_memslot(kvm, o.base_gfn.load(), o.npages.load(),
                                  o.userspace_addr.load(), static_cast<std::uint32_t>(base));
      Self::kvm_replace_memslot(kvm, old, fresh);
      Self::kvm_activate_memslot(kvm, old, fresh);
    } else {
      MemorySlot<M>& o = kvm.slot_pool[old];
      fresh = Self::alloc_memslot(kvm, base, o.npages.load(), o.userspace_addr.load(),
                                  o.flags.load());
      Self::kvm_replace_memslot(kvm, old, fresh);
      Self::kvm_activate_memslot(kvm, invalid_slot, fresh);
    }
    if (invalid_slot != kNoSlot) Self::free_memslot(kvm, invalid_slot);
    // kvm_commit_memory_region(): the old slot goes.
    if (change != MrChange::create) Self::free_memslot(kvm, old);
    kvm.slots_lock.unlock();
  }

  // ---- the primary MMU's side of an invalidation --------------------------------------

  // A page migration of `hva`, as mm/ performs it: range_start, replace the
  // entry (the old frame loses its reference), range_end.
  static void invalidate(Kvm<M>& kvm, hva_t hva) {
    notified_page_change(kvm, hva, [](Kvm<M>& k, hva_t a) { k.mm.change_pte(a); });
  }

  // What every primary-MMU change of one page does: range_start for the
  // page, the change of its entry, range_end.
  template <class Change>
  static void notified_page_change(Kvm<M>& kvm, hva_t hva, Change change) {
    MmuNotifierRange range{PAGE_ALIGN_DOWN(hva), PAGE_ALIGN_DOWN(hva) + PAGE_SIZE};
    Self::kvm_mmu_notifier_invalidate_range_start(kvm, range);
    change(kvm, hva);
    Self::kvm_mmu_notifier_invalidate_range_end(kvm, range);
  }

  // Migration of every page in [start, end) under one notifier range (as a
  // THP split or a range of NUMA migrations does).
  static void invalidate_range(Kvm<M>& kvm, hva_t start, hva_t end) {
    MmuNotifierRange range{start, end};
    Self::kvm_mmu_notifier_invalidate_range_start(kvm, range);
    for (hva_t a = start; a < end; a += PAGE_SIZE) kvm.mm.change_pte(a);
    Self::kvm_mmu_notifier_invalidate_range_end(kvm, range);
  }

  // mprotect() of the page at `hva` (change_protection()): range_start, the
  // entry's permissions change (same frame), range_end. Nothing is freed, so
  // a stream of them returns the address space to the same state.
  static void mprotect(Kvm<M>& kvm, hva_t hva) {
    notified_page_change(kvm, hva, [](Kvm<M>& k, hva_t a) { k.mm.protect_pte(a); });
  }

  // do_wp_page() -> wp_page_copy(): a write fault on a write-protected
  // (copy-on-write) entry, taken by GUP with FOLL_WRITE in the faulting
  // thread: range_start, the entry replaced by a fresh, writable copy (the
  // old frame is this mm's no longer), range_end.
  static void do_wp_page(Kvm<M>& kvm, hva_t hva) {
    notified_page_change(kvm, hva, [](Kvm<M>& k, hva_t a) { k.mm.change_pte(a); });
  }

  // munmap()/MADV_DONTNEED of the page at `hva`: range_start, zap, range_end.
  static void zap(Kvm<M>& kvm, hva_t hva) {
    notified_page_change(kvm, hva, [](Kvm<M>& k, hva_t a) { k.mm.zap_pte(a); });
  }

  // exit_mmap(): mmu_notifier_release() first (KVM's ->release, after which
  // the notifier is unlinked), then unmap_vmas() of everything, whose
  // range_start/range_end no longer reach KVM.
  static void exit_mmap(Kvm<M>& kvm) {
    Self::kvm_mmu_notifier_release(kvm);
    for (unsigned p = 0; p < HostMmu<M>::kHvaPages; ++p) kvm.mm.zap_pte(HostMmu<M>::hva_of(p));
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_KVM_MAIN_HPP
