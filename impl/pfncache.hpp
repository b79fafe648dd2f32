// impl/pfncache.hpp: the KVM gfn_to_pfn_cache protocol, written once.
//
// WHAT IT IS
//   virt/kvm/pfncache.c as of v6.9 (with the read-lock pre-check of
//   21dadfcd665e), its users' read side, and the mmu_notifier hooks of
//   virt/kvm/kvm_main.c that it depends on, re-expressed against the model
//   interface (model/model.hpp). The operations keep their kernel names, so
//   this file can be read beside pfncache.c; where a kernel name starts with
//   "__" (reserved in C++) it is spelled do_<name>.
//
//   The algorithm is a class template Pfncache<M, Self>: M is the memory
//   model, Self is the variant (CRTP). A variant derives from Pfncache,
//   hides one of the k* knobs below or one whole operation, and everything
//   else stays this text. Every call from one operation to another goes
//   through Self::, so an overridden operation is the one that runs. The
//   pre-patch invalidation (write lock always) is the knob
//   kReadLockPrecheck = false, not a copy.
//
// GUARANTEE
//   The invariants of impl/invariants.hpp (S1..S6) are checked through
//   M::check() at the points marked "checker:", so both drivers check the
//   same things. Checker code only reads protocol state under the locks the
//   protocol itself holds there, or ghost state; it never adds
//   synchronisation.
//
// MEMORY ORDERING (every barrier and its partner)
//   (C) smp_rmb() after the mmu_invalidate_seq snapshot in
//       hva_to_pfn_retry(): pairs with the primary MMU's TLB flush
//       (smp_mb() in HostMmu::change_pte()) that precedes range_end's seq++.
//       If the snapshot saw the new seq, GUP after it sees the new PTE.
//   (G) smp_rmb() in mmu_notifier_retry_cache(): pairs with (L), the
//       smp_wmb() in kvm_mmu_invalidate_end() between seq++ and the count
//       decrement: reading the decremented count implies reading the
//       incremented seq (message passing).
//   gpc->lock: the walk of invalidate_range_start() holds it (read or write)
//       after mn_active_invalidate_count++; a refresh that takes the write
//       lock after the walk therefore reads a non-zero count (release of the
//       walk's unlock, acquire of the refresh's write lock).
//
// CAVEATS
//   * Offsets within a page, the len argument and HVA-based caches are kept
//     only as far as they affect the protocol: every len fits a page, every
//     cache is GPA-based, memslots never change (generation is constant).
//   * kmap/memremap and page references are bookkeeping-free no-ops.
#ifndef PFV_IMPL_PFNCACHE_HPP
#define PFV_IMPL_PFNCACHE_HPP

#include <cstdint>

#include "impl/host_mmu.hpp"
#include "impl/invariants.hpp"
#include "model/model.hpp"

namespace pfv {

// The kernel's error numbers (EINVAL and friends are macros of <errno.h>).
inline constexpr int E_INVAL = 22;
inline constexpr int E_FAULT = 14;
inline constexpr int E_IO = 5;

template <class M>
struct Kvm;

// struct mmu_notifier_range, plus the checker's record of which caches this
// invalidation walked (S2).
struct MmuNotifierRange {
  hva_t start, end;
  bool hits_memslot;         // __kvm_handle_hva_range() found a memslot
  std::uint32_t id_bit;      // checker: this invalidation's bit in Gpc::ghost
  std::uint32_t walked = 0;  // checker: caches walked (bit per cache index)
};

// struct gfn_to_pfn_cache.
template <class M>
struct Gpc {
  // Checker-only state, packed in one ghost word per cache.
  static constexpr std::uint32_t LISTED = 1u << 0;  // on kvm->gpc_list
  static constexpr std::uint32_t ACTIVE = 1u << 1;  // active, as of the last write unlock
  static constexpr std::uint32_t WALKED_SHIFT = 8;  // invalidations that walked it (bitmask)

  struct Init {
    bool active = false;
    bool valid = false;
    gpa_t gpa = INVALID_GPA;
    pfn_t pfn = KVM_PFN_ERR_FAULT;
  };

  Gpc(Kvm<M>& k, unsigned idx, Init init)
      : kvm(&k),
        index(idx),
        gpa("gpc.gpa", init.gpa),
        generation("gpc.generation", init.gpa == INVALID_GPA ? 0 : 1),
        uhva("gpc.uhva",
             init.gpa == INVALID_GPA ? KVM_HVA_ERR_BAD : HostMmu<M>::gfn_to_hva_memslot(init.gpa)),
        khva("gpc.khva", init.valid ? init.pfn + 1 : 0),
        pfn("gpc.pfn", init.valid ? init.pfn : KVM_PFN_ERR_FAULT),
        active("gpc.active", init.active),
        valid("gpc.valid", init.valid),
        list("gpc.list", init.active),
        ghost("gpc.ghost", init.active ? (LISTED | ACTIVE) : 0u) {}

  Kvm<M>* kvm;
  unsigned index;
  rwlock_t<M> lock{"gpc.lock"};
  mutex_t<M> refresh_lock{"gpc.refresh_lock"};
  var_t<M, gpa_t> gpa;
  var_t<M, std::uint64_t> generation;
  var_t<M, hva_t> uhva;
  var_t<M, khva_t> khva;
  var_t<M, pfn_t> pfn;
  var_t<M, bool> active;
  var_t<M, bool> valid;
  var_t<M, bool> list;  // on kvm->gpc_list; protected by kvm->gpc_lock
  ghost_t<M, std::uint32_t> ghost;

  // Checker: the cache as the current write-lock holder found it. Written
  // and read only by that holder.
  struct Snapshot {
    bool valid, active;
    pfn_t pfn;
    hva_t uhva;
  } at_write_lock{};
};

// The parts of struct kvm that the protocol uses.
template <class M>
struct Kvm {
  static constexpr unsigned kMaxGpc = 2;

  spinlock_t<M> gpc_lock{"kvm.gpc_lock"};
  spinlock_t<M> mn_invalidate_lock{"kvm.mn_invalidate_lock"};
  atomic_t<M, unsigned long> mn_active_invalidate_count{"kvm.mn_active_invalidate_count", 0};
  // kvm->mmu_lock is an rwlock on x86; invalidations take it for write.
  spinlock_t<M> mmu_lock{"kvm.mmu_lock"};
  atomic_t<M, unsigned long> mmu_invalidate_seq{"kvm.mmu_invalidate_seq", 0};
  var_t<M, long> mmu_invalidate_in_progress{"kvm.mmu_invalidate_in_progress", 0};
  const std::uint64_t memslots_generation = 1;  // kvm_memslots(kvm)->generation

  HostMmu<M> mm;
  Gpc<M>* gpcs[kMaxGpc] = {nullptr, nullptr};  // every cache; kvm->gpc_list is their `list`
  unsigned ngpc = 0;
};

template <class M, class Self>
struct Pfncache {
  // ---- The knobs a variant may hide. Each names the kernel code it is. ----

  // 21dadfcd665e: invalidation pre-checks each cache under the read lock and
  // takes the write lock only on a match. false: the pre-patch invalidation.
  static constexpr bool kReadLockPrecheck = true;
  // ... and re-checks under the write lock ("a small window here").
  static constexpr bool kRecheckUnderWriteLock = true;
  // ... the pre-check holds gpc->lock for read at all.
  static constexpr bool kPrecheckTakesLock = true;
  // ... a match is invalidated under the write lock (not the read lock).
  static constexpr bool kInvalidateUnderWriteLock = true;
  // (J) range_start raises mn_active_invalidate_count before walking caches.
  static constexpr bool kCountBeforeWalk = true;
  // (F) mmu_notifier_retry_cache() retries while any invalidation is active.
  static constexpr bool kRetryChecksCount = true;
  // (G) smp_rmb() between the count and the seq reads.
  static constexpr bool kRetryRmb = true;
  // (C) smp_rmb() after the seq snapshot, before GUP.
  static constexpr bool kSnapshotRmb = true;
  // (L) smp_wmb() between seq++ and the count decrement.
  static constexpr bool kEndWmb = true;
  // (K before M) range_end bumps the seq before it drops the count.
  static constexpr bool kEndSeqBeforeCount = true;
  // (A) hva_to_pfn_retry() sets valid = false before dropping the lock.
  static constexpr bool kInvalidateBeforeUnlock = true;
  // hva_to_pfn_retry() sets valid only after mmu_notifier_retry_cache().
  static constexpr bool kValidAfterRetryCheck = true;
  // refresh and activate/deactivate serialise on gpc->refresh_lock.
  static constexpr bool kRefreshLock = true;
  // refresh fails on an inactive cache (ecbcf030b456).
  static constexpr bool kRefreshChecksActive = true;
  // activate puts the cache on the list before setting active (ecbcf030b456).
  static constexpr bool kListBeforeActive = true;
  // deactivate clears valid (6addfcf27139).
  static constexpr bool kDeactivateClearsValid = true;
  // users touch the page through khva only while holding the read lock.
  static constexpr bool kUseUnderReadLock = true;

  static constexpr unsigned long kLen = 8;  // what users ask for; always fits a page

  // Whether this variant can produce an observation at all (by its code,
  // "W3"): the window observations exist only where the pre-check drops the
  // read lock before a write-lock re-check. The gate requires a scenario's
  // Sometimes only where this is true.
  static bool can_observe(const char* code) {
    if (code[0] != 'W') return true;
    if (!Self::kReadLockPrecheck || !Self::kInvalidateUnderWriteLock) return false;
    if (code[1] == '6' || code[1] == '7') return Self::kRecheckUnderWriteLock;
    if (code[1] == '8' || code[1] == '9') return !Self::kRecheckUnderWriteLock;
    return true;
  }

  // ---- gpc->lock, with the checker's view of each write critical section ----

  static void read_lock_irq(Gpc<M>& gpc) { gpc.lock.read_lock(); }
  static void read_unlock_irq(Gpc<M>& gpc) { gpc.lock.read_unlock(); }

  static void write_lock_irq(Gpc<M>& gpc) {
    gpc.lock.write_lock();
    gpc.at_write_lock = {gpc.valid.load(), gpc.active.load(), gpc.pfn.load(), gpc.uhva.load()};
  }

  // checker: what this write critical section published. A cache that
  // becomes valid (or changes page while valid) must map the live frame its
  // uhva maps (S3), must not have been walked by an invalidation still in
  // flight (S2), must be active (S6), and an active cache must be on the
  // list (S6). Reads here are under the write lock.
  static void write_unlock_irq(Gpc<M>& gpc) {
    const typename Gpc<M>::Snapshot& was = gpc.at_write_lock;
    const bool valid = gpc.valid.load();
    const bool active = gpc.active.load();
    const pfn_t pfn = gpc.pfn.load();
    const hva_t uhva = gpc.uhva.load();
    if (valid) M::check(active, inv::S6_valid_active);
    const bool newly_valid = valid && !(was.valid && was.pfn == pfn && was.uhva == uhva);
    if (newly_valid) M::check(gpc.kvm->mm.mapped_live(pfn, uhva), inv::S3);
    if (newly_valid || active != was.active) {
      const std::uint32_t g = active == was.active
                                  ? gpc.ghost.load()
                                  : gpc.ghost.add(active ? Gpc<M>::ACTIVE : 0u - Gpc<M>::ACTIVE);
      if (newly_valid) M::check((g >> Gpc<M>::WALKED_SHIFT) == 0, inv::S2);
      if (active) M::check((g & Gpc<M>::LISTED) != 0, inv::S6_active_listed);
    }
    gpc.lock.write_unlock();
  }

  // ---- virt/kvm/pfncache.c ----

  // MMU notifier 'invalidate_range_start' hook.
  static void gfn_to_pfn_cache_invalidate_start(Kvm<M>& kvm, MmuNotifierRange& range) {
    const hva_t start = range.start, end = range.end;
    kvm.gpc_lock.lock();
    for (unsigned i = 0; i < kvm.ngpc; ++i) {  // list_for_each_entry(gpc, &kvm->gpc_list, list)
      Gpc<M>& gpc = *kvm.gpcs[i];
      if (!gpc.list.load()) continue;

      if constexpr (!Self::kReadLockPrecheck) {
        // Before 21dadfcd665e: always the write lock.
        Self::write_lock_irq(gpc);
        // Only a single page so no need to care about length
        if (Self::matches(gpc, start, end)) {
          gpc.valid.store(false);
          M::observe(inv::I1_invalidated);
        }
        Self::walked(gpc, range);
        Self::write_unlock_irq(gpc);
        continue;
      }

      if constexpr (Self::kPrecheckTakesLock) Self::read_lock_irq(gpc);

      if (Self::matches(gpc, start, end)) {
        if constexpr (!Self::kInvalidateUnderWriteLock) {
          gpc.valid.store(false);
          M::observe(inv::I1_invalidated);
          Self::walked(gpc, range);
          if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
          continue;
        }
        const typename Gpc<M>::Snapshot seen = Self::window_snapshot(gpc);  // checker
        if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
        M::observe(inv::W0_window);

        /*
         * There is a small window here where the cache could be modified,
         * and invalidation would no longer be necessary. Hence check again
         * whether invalidation is still necessary once the write lock has
         * been acquired.
         */
        Self::write_lock_irq(gpc);
        Self::observe_window(gpc, seen);
        if constexpr (Self::kRecheckUnderWriteLock) {
          if (Self::matches(gpc, start, end)) {
            gpc.valid.store(false);
            M::observe(inv::W6_revalidated);
            M::observe(inv::I1_invalidated);
          } else {
            M::observe(inv::W7_recheck_skipped);
          }
        } else {
          M::observe(gpc.valid.load() ? inv::W9_store_changed : inv::W8_redundant_store);
          gpc.valid.store(false);
          M::observe(inv::I1_invalidated);
        }
        Self::walked(gpc, range);
        Self::write_unlock_irq(gpc);
        continue;
      }

      Self::walked(gpc, range);
      if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
    }
    kvm.gpc_lock.unlock();
  }

  static bool matches(Gpc<M>& gpc, hva_t start, hva_t end) {
    if (!gpc.valid.load() || is_error_noslot_pfn(gpc.pfn.load())) return false;
    const hva_t uhva = gpc.uhva.load();
    return uhva >= start && uhva < end;
  }

  // checker: the walk of `range` has passed this cache, still holding its
  // lock. From here until range_end the cache must not be valid for the
  // range (the walk half of S1) nor become valid again at all (S2).
  static void walked(Gpc<M>& gpc, MmuNotifierRange& range) {
    M::check(!Self::covers(gpc, range), inv::S1_walk);
    gpc.ghost.adjust(range.id_bit << Gpc<M>::WALKED_SHIFT);
    range.walked |= 1u << gpc.index;
  }

  // checker: the cache as the pre-check saw it (under the read lock).
  static typename Gpc<M>::Snapshot window_snapshot(Gpc<M>& gpc) {
    return {true, gpc.active.load(), gpc.pfn.load(), gpc.uhva.load()};
  }

  // checker: matches(), read by the checker itself (so a trace can tell the
  // protocol's reads from the checker's).
  static bool covers(Gpc<M>& gpc, const MmuNotifierRange& range) {
    if (!gpc.valid.load() || is_error_noslot_pfn(gpc.pfn.load())) return false;
    const hva_t uhva = gpc.uhva.load();
    return uhva >= range.start && uhva < range.end;
  }

  // checker: what changed in the pre-check window (the "Sometimes" of S11),
  // and S11 itself. Reads under the write lock.
  static void observe_window(Gpc<M>& gpc, const typename Gpc<M>::Snapshot& seen) {
    const bool valid = gpc.valid.load();
    const bool active = gpc.active.load();
    const pfn_t pfn = gpc.pfn.load();
    const hva_t uhva = gpc.uhva.load();
    M::check(!valid || (pfn == seen.pfn && uhva == seen.uhva), inv::S11_window);
    if (valid != seen.valid || active != seen.active || pfn != seen.pfn || uhva != seen.uhva)
      M::observe(inv::W1_changed);
    if (!valid) M::observe(inv::W2_valid_cleared);
    if (uhva != seen.uhva) M::observe(inv::W3_uhva_moved);
    if (pfn != seen.pfn) M::observe(inv::W4_pfn_changed);
    if (!active) M::observe(inv::W5_deactivated);
  }

  static bool kvm_gpc_is_valid_len(unsigned long len) { return len <= PAGE_SIZE; }

  // The caller holds gpc->lock for read.
  static bool kvm_gpc_check(Gpc<M>& gpc, unsigned long len) {
    if (!gpc.active.load()) return false;
    // For a GPA-based cache, the memslots must not have changed.
    if (gpc.gpa.load() != INVALID_GPA && gpc.generation.load() != gpc.kvm->memslots_generation)
      return false;
    if (kvm_is_error_hva(gpc.uhva.load())) return false;
    if (!Self::kvm_gpc_is_valid_len(len)) return false;
    if (!gpc.valid.load()) return false;
    return true;
  }

  static khva_t gpc_map(pfn_t pfn) { return pfn + 1; }  // kmap() / memremap()
  static void gpc_unmap(pfn_t, khva_t) {}               // kunmap() / memunmap()
  static void kvm_release_page_clean(pfn_t) {}

  static bool mmu_notifier_retry_cache(Kvm<M>& kvm, unsigned long mmu_seq) {
    /*
     * mn_active_invalidate_count acts for all intents and purposes like
     * mmu_invalidate_in_progress here; but the latter cannot be used here
     * because the invalidation of caches in the mmu_notifier event occurs
     * _before_ mmu_invalidate_in_progress is elevated.
     */
    if constexpr (Self::kRetryChecksCount) {
      const unsigned long count = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed);
      if (count) {
        M::observe(inv::R2_retry_count);
        if (count > 1) M::observe(inv::R4_retry_two);
        return true;
      }
    }
    // (G): pairs with the smp_wmb() (L) in kvm_mmu_invalidate_end(): either
    // the old (non-zero) count or the new (incremented) seq is observed.
    if constexpr (Self::kRetryRmb) M::smp_rmb();
    if (kvm.mmu_invalidate_seq.load(std::memory_order_relaxed) != mmu_seq) {
      M::observe(inv::R3_retry_seq);
      return true;
    }
    return false;
  }

  // Called with refresh_lock and gpc->lock for write held; returns with
  // gpc->lock for write held.
  static int hva_to_pfn_retry(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    const khva_t old_khva = gpc.khva.load();
    pfn_t new_pfn = KVM_PFN_ERR_FAULT;
    khva_t new_khva = 0;
    unsigned long mmu_seq;

    /*
     * (A) Invalidate the cache prior to dropping gpc->lock, the gpa=>uhva
     * assets have already been updated and so a concurrent check() from a
     * different task may not fail the gpa/uhva/generation checks.
     */
    if constexpr (Self::kInvalidateBeforeUnlock) gpc.valid.store(false);

    bool retry;
    do {
      mmu_seq = kvm.mmu_invalidate_seq.load(std::memory_order_relaxed);  // (B)
      // (C): pairs with the primary MMU's TLB flush (smp_mb()) before
      // range_end's seq++: GUP below cannot see an older PTE than the seq.
      if constexpr (Self::kSnapshotRmb) M::smp_rmb();

      M::check(!gpc.valid.load(), inv::S4);  // checker: about to drop the lock
      Self::write_unlock_irq(gpc);

      /*
       * If the previous iteration "failed" due to an mmu_notifier event,
       * release the pfn and unmap the kernel virtual address from the
       * previous attempt. Unmapping might sleep, so this needs to be done
       * after dropping the lock. Opportunistically check for resched while
       * the lock isn't held.
       */
      if (new_pfn != KVM_PFN_ERR_FAULT) {
        // Keep the mapping if the previous iteration reused the existing
        // mapping and didn't create a new one.
        if (new_khva != old_khva) Self::gpc_unmap(new_pfn, new_khva);
        Self::kvm_release_page_clean(new_pfn);
        // cond_resched(). What the next pass carries: the snapshot.
        M::spin_wait_hint(mmu_seq);
      }

      // We always request a writeable mapping. (uhva is read with the lock
      // dropped: only refresh_lock holders write it.)
      new_pfn = kvm.mm.hva_to_pfn(gpc.uhva.load());
      if (is_error_noslot_pfn(new_pfn)) {
        Self::write_lock_irq(gpc);  // out_error
        return -E_FAULT;
      }

      // Obtain a new kernel mapping; kmap() and memremap() can both sleep,
      // so this too must be done outside of gpc->lock!
      new_khva = new_pfn == gpc.pfn.load() ? old_khva : Self::gpc_map(new_pfn);

      Self::write_lock_irq(gpc);

      /*
       * Other tasks must wait for _this_ refresh to complete before
       * attempting to refresh.
       */
      M::check(!gpc.valid.load(), inv::S5);  // WARN_ON_ONCE(gpc->valid)

      if constexpr (!Self::kValidAfterRetryCheck) {
        gpc.valid.store(true);
        gpc.pfn.store(new_pfn);
        gpc.khva.store(new_khva);
      }
      retry = Self::mmu_notifier_retry_cache(kvm, mmu_seq);
      if (retry) M::observe(inv::R1_retry);
    } while (retry);

    gpc.valid.store(true);
    gpc.pfn.store(new_pfn);
    gpc.khva.store(new_khva);

    // Put the reference to the _new_ pfn. The pfn is now tracked by the
    // cache and can be safely migrated, swapped, etc... as the cache will
    // invalidate any mappings in response to relevant mmu_notifier events.
    Self::kvm_release_page_clean(new_pfn);
    return 0;
  }

  // __kvm_gpc_refresh(). The caller holds refresh_lock.
  static int do_kvm_gpc_refresh(Gpc<M>& gpc, gpa_t gpa, hva_t uhva) {
    Kvm<M>& kvm = *gpc.kvm;
    // Caches are GPA-based XOR HVA-based.
    if ((gpa == INVALID_GPA) == kvm_is_error_hva(uhva)) return -E_INVAL;

    Self::write_lock_irq(gpc);

    if constexpr (Self::kRefreshChecksActive) {
      if (!gpc.active.load()) {
        Self::write_unlock_irq(gpc);  // out_unlock
        return -E_INVAL;
      }
    }

    const pfn_t old_pfn = gpc.pfn.load();
    const khva_t old_khva = gpc.khva.load();
    const hva_t old_uhva = gpc.uhva.load();
    bool hva_change = false;
    int ret = 0;
    bool out = false;

    if (gpa == INVALID_GPA) {
      gpc.gpa.store(INVALID_GPA);
      gpc.uhva.store(uhva);
      hva_change = uhva != old_uhva;
    } else if (gpc.gpa.load() != gpa || gpc.generation.load() != kvm.memslots_generation ||
               kvm_is_error_hva(gpc.uhva.load())) {
      gpc.gpa.store(gpa);
      gpc.generation.store(kvm.memslots_generation);
      gpc.uhva.store(HostMmu<M>::gfn_to_hva_memslot(gpa));
      if (kvm_is_error_hva(gpc.uhva.load())) {
        ret = -E_FAULT;
        out = true;
      } else {
        // Even if the GPA and/or the memslot generation changed, the HVA
        // may still be the same.
        hva_change = gpc.uhva.load() != old_uhva;
      }
    }

    if (!out) {
      // If the userspace HVA changed or the PFN was already invalid, drop
      // the lock and do the HVA to PFN lookup again.
      if (!gpc.valid.load() || hva_change) {
        ret = Self::hva_to_pfn_retry(gpc);
      } else {
        // If the HVA->PFN mapping was already valid, don't unmap it.
        gpc.khva.store(old_khva);
        Self::write_unlock_irq(gpc);  // out_unlock
        return 0;
      }
    }

    // out: invalidate the cache and purge the pfn/khva if the refresh
    // failed. Some/all of the uhva, gpa, and memslot generation info may
    // still be valid, leave it as is.
    if (ret) {
      gpc.valid.store(false);
      gpc.pfn.store(KVM_PFN_ERR_FAULT);
      gpc.khva.store(0);
    }

    // Detect a pfn change before dropping the lock!
    const bool unmap_old = old_pfn != gpc.pfn.load();

    Self::write_unlock_irq(gpc);  // out_unlock

    if (unmap_old) Self::gpc_unmap(old_pfn, old_khva);
    return ret;
  }

  static int kvm_gpc_refresh(Gpc<M>& gpc, unsigned long len) {
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.lock();  // guard(mutex)
    int ret;
    if (!Self::kvm_gpc_is_valid_len(len)) {
      ret = -E_INVAL;
    } else {
      // If the cache is HVA-based, refresh the HVA; otherwise the GPA.
      const gpa_t gpa = gpc.gpa.load();
      const hva_t uhva = gpa == INVALID_GPA ? gpc.uhva.load() : KVM_HVA_ERR_BAD;
      ret = Self::do_kvm_gpc_refresh(gpc, gpa, uhva);
    }
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
    return ret;
  }

  static void list_add(Gpc<M>& gpc) {
    gpc.list.store(true);
    gpc.ghost.adjust(Gpc<M>::LISTED);  // checker
  }

  static void list_del(Gpc<M>& gpc) {
    gpc.list.store(false);
    // checker: the cache leaves the list only once it is inactive (S6).
    const std::uint32_t g = gpc.ghost.add(0u - Gpc<M>::LISTED);
    M::check((g & Gpc<M>::ACTIVE) == 0, inv::S6_active_listed);
  }

  // __kvm_gpc_activate().
  static int do_kvm_gpc_activate(Gpc<M>& gpc, gpa_t gpa, hva_t uhva, unsigned long len) {
    Kvm<M>& kvm = *gpc.kvm;
    if (!Self::kvm_gpc_is_valid_len(len)) return -E_INVAL;

    if constexpr (Self::kRefreshLock) gpc.refresh_lock.lock();  // guard(mutex)
    if (!gpc.active.load()) {
      if (gpc.valid.load()) {  // KVM_BUG_ON(gpc->valid, kvm)
        if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
        return -E_IO;
      }
      if constexpr (Self::kListBeforeActive) {
        kvm.gpc_lock.lock();
        Self::list_add(gpc);
        kvm.gpc_lock.unlock();
      }
      /*
       * Activate the cache after adding it to the list, a concurrent refresh
       * must not establish a mapping until the cache is reachable by
       * mmu_notifier events.
       */
      Self::write_lock_irq(gpc);
      gpc.active.store(true);
      Self::write_unlock_irq(gpc);
      if constexpr (!Self::kListBeforeActive) {
        kvm.gpc_lock.lock();
        Self::list_add(gpc);
        kvm.gpc_lock.unlock();
      }
    }
    const int ret = Self::do_kvm_gpc_refresh(gpc, gpa, uhva);
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
    return ret;
  }

  static int kvm_gpc_activate(Gpc<M>& gpc, gpa_t gpa, unsigned long len) {
    // Explicitly disallow INVALID_GPA so that the magic value can be used by
    // KVM to differentiate between GPA-based and HVA-based caches.
    if (gpa == INVALID_GPA) return -E_INVAL;  // WARN_ON_ONCE
    return Self::do_kvm_gpc_activate(gpc, gpa, KVM_HVA_ERR_BAD, len);
  }

  static void kvm_gpc_deactivate(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.lock();  // guard(mutex)
    if (gpc.active.load()) {
      /*
       * Deactivate the cache before removing it from the list, KVM must
       * stall mmu_notifier events until all users go away, i.e. until
       * gpc->lock is dropped and refresh is guaranteed to fail.
       */
      Self::write_lock_irq(gpc);
      gpc.active.store(false);
      if constexpr (Self::kDeactivateClearsValid) gpc.valid.store(false);
      // Leave the GPA => uHVA cache intact, it's protected by the memslot
      // generation. The PFN lookup needs to be redone every time as it's
      // only protected by the mmu_notifier.
      const khva_t old_khva = gpc.khva.load();
      gpc.khva.store(0);
      const pfn_t old_pfn = gpc.pfn.load();
      gpc.pfn.store(KVM_PFN_ERR_FAULT);
      Self::write_unlock_irq(gpc);

      kvm.gpc_lock.lock();
      Self::list_del(gpc);
      kvm.gpc_lock.unlock();

      Self::gpc_unmap(old_pfn, old_khva);
    }
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
  }

  // ---- virt/kvm/kvm_main.c: the mmu_notifier side ----

  static void kvm_mmu_invalidate_begin(Kvm<M>& kvm) {
    // Called under mmu_lock (write).
    kvm.mmu_invalidate_in_progress.store(kvm.mmu_invalidate_in_progress.load() + 1);
  }

  static void kvm_mmu_invalidate_end(Kvm<M>& kvm) {
    // Called under mmu_lock (write).
    // (K) This sequence increase will notify the kvm page fault (and the
    // pfn caches) that the page that is going to be mapped could have been
    // freed.
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
    // (L) The above sequence increase must be visible before the below count
    // decrease: pairs with smp_rmb() (G) in mmu_notifier_retry_cache().
    if constexpr (Self::kEndWmb) M::smp_wmb();
    const long in_progress = kvm.mmu_invalidate_in_progress.load() - 1;
    kvm.mmu_invalidate_in_progress.store(in_progress);
    M::check(in_progress >= 0, "KVM_BUG_ON(kvm->mmu_invalidate_in_progress < 0)");
  }

  static void kvm_mmu_notifier_invalidate_range_start(Kvm<M>& kvm, MmuNotifierRange& range) {
    // (J) Invalidations of caches must happen after the count is raised:
    // mmu_notifier_retry_cache() relies on seeing it.
    if constexpr (Self::kCountBeforeWalk) Self::mn_active_invalidate_count_inc(kvm);

    /*
     * Invalidate pfn caches _before_ invalidating the secondary MMUs, i.e.
     * before acquiring mmu_lock, to avoid holding mmu_lock while acquiring
     * each cache's lock. There are relatively few caches in existence at any
     * given time, and the caches themselves can check for hva overlap, i.e.
     * don't need to rely on memslot overlap checks for performance. Because
     * this runs without holding mmu_lock, the pfn caches must use
     * mn_active_invalidate_count (see above) instead of
     * mmu_invalidate_in_progress.
     */
    Self::gfn_to_pfn_cache_invalidate_start(kvm, range);

    if constexpr (!Self::kCountBeforeWalk) Self::mn_active_invalidate_count_inc(kvm);

    // __kvm_handle_hva_range(): takes mmu_lock only if a memslot overlaps.
    if (range.hits_memslot) {
      kvm.mmu_lock.lock();
      Self::kvm_mmu_invalidate_begin(kvm);
      // kvm_mmu_unmap_gfn_range(): the secondary MMU (not modelled)
      kvm.mmu_lock.unlock();
    }
  }

  static void mn_active_invalidate_count_inc(Kvm<M>& kvm) {
    kvm.mn_invalidate_lock.lock();
    kvm.mn_active_invalidate_count.fetch_add(1, std::memory_order_relaxed);
    kvm.mn_invalidate_lock.unlock();
  }

  static void mn_active_invalidate_count_dec(Kvm<M>& kvm, MmuNotifierRange& range) {
    kvm.mn_invalidate_lock.lock();
    const unsigned long count = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed);
    M::check(count != 0, "WARN_ON_ONCE(!kvm->mn_active_invalidate_count)");
    // checker: from the count decrement on, a refresh may legitimately see
    // this invalidation as over (S2); it stops counting as in flight here.
    for (unsigned i = 0; i < kvm.ngpc; ++i)
      if (range.walked >> i & 1u)
        kvm.gpcs[i]->ghost.adjust(0u - (range.id_bit << Gpc<M>::WALKED_SHIFT));
    if (count) kvm.mn_active_invalidate_count.fetch_sub(1, std::memory_order_relaxed);  // (M)
    kvm.mn_invalidate_lock.unlock();
    // rcuwait_wake_up(&kvm->mn_memslots_update_rcuwait): no memslot updater here.
  }

  static void kvm_mmu_notifier_invalidate_range_end(Kvm<M>& kvm, MmuNotifierRange& range) {
    if constexpr (Self::kEndSeqBeforeCount) {
      if (range.hits_memslot) {
        kvm.mmu_lock.lock();
        Self::kvm_mmu_invalidate_end(kvm);
        kvm.mmu_lock.unlock();
      }
      Self::mn_active_invalidate_count_dec(kvm, range);
    } else {
      Self::mn_active_invalidate_count_dec(kvm, range);
      if (range.hits_memslot) {
        kvm.mmu_lock.lock();
        Self::kvm_mmu_invalidate_end(kvm);
        kvm.mmu_lock.unlock();
      }
    }
  }

  // ---- the users: how KVM reads through a cache ----

  // The non-sleeping fast path (kvm_xen_set_evtchn_fast()): use the page if
  // the cache is valid, give up otherwise. Returns whether it used the page.
  static bool read_use(Gpc<M>& gpc) {
    Self::read_lock_irq(gpc);  // read_lock_irqsave()
    const bool ok = Self::kvm_gpc_check(gpc, kLen);
    khva_t khva = 0;
    if (ok) {
      khva = gpc.khva.load();
      if constexpr (Self::kUseUnderReadLock) Self::use(gpc, khva);
    }
    Self::read_unlock_irq(gpc);  // read_unlock_irqrestore()
    if constexpr (!Self::kUseUnderReadLock) {
      if (ok) Self::use(gpc, khva);
    }
    if (!ok) M::observe(inv::U0_check_failed);
    return ok;
  }

  // The sleeping pattern (kvm_setup_guest_pvclock()): refresh until the
  // check passes, then use the page. Returns whether it used the page.
  static bool read_use_refreshing(Gpc<M>& gpc) {
    Self::read_lock_irq(gpc);
    while (!Self::kvm_gpc_check(gpc, kLen)) {
      Self::read_unlock_irq(gpc);
      if (Self::kvm_gpc_refresh(gpc, kLen)) return false;
      Self::read_lock_irq(gpc);
    }
    Self::use(gpc, gpc.khva.load());
    Self::read_unlock_irq(gpc);
    return true;
  }

  static void use(Gpc<M>& gpc, khva_t khva) {
    M::observe(inv::U1_used);
    gpc.kvm->mm.use(khva);
  }

  // ---- the primary MMU's side of an invalidation ----

  // A page migration of `hva` to `new_frame`, as mm/ performs it:
  // range_start, replace the PTE and free the old frame, range_end.
  static void invalidate(Kvm<M>& kvm, hva_t hva, pfn_t new_frame, std::uint32_t id_bit) {
    MmuNotifierRange range{hva, hva + 1, hva < HostMmu<M>::kHvas, id_bit};
    Self::kvm_mmu_notifier_invalidate_range_start(kvm, range);
    const pfn_t old = kvm.mm.change_pte(hva, new_frame);
    kvm.mm.free_page(old);
    Self::kvm_mmu_notifier_invalidate_range_end(kvm, range);
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_PFNCACHE_HPP
