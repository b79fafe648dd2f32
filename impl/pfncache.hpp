// impl/pfncache.hpp: the KVM gfn_to_pfn_cache protocol, written once.
//
// WHAT IT IS
//   virt/kvm/pfncache.c (v6.9 to v6.18: the read-lock pre-check of
//   21dadfcd665e, HVA-based caches, page offsets, memslot generations) and
//   the users of a cache in arch/x86/kvm (xen.c, x86.c), re-expressed
//   against the model interface (model/model.hpp). The mmu_notifier and
//   memslot side of kvm_main.c is impl/kvm_main.hpp, the primary MMU
//   impl/host_mmu.hpp, the data impl/kvm.hpp. The operations keep their
//   kernel names, so this file can be read beside pfncache.c; where a
//   kernel name starts with "__" (reserved in C++) it is spelled do_<name>.
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
//   The invariants of impl/invariants.hpp are checked through M::check() at
//   the points marked "checker:", so both drivers check the same things.
//   Checker code only reads protocol state under the locks the protocol
//   itself holds there, or ghost state; it never adds synchronisation.
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
//       after mn_active_invalidate_count++ (J); a refresh that takes the
//       write lock after the walk therefore reads a non-zero count (release
//       of the walk's unlock, acquire of the refresh's write lock).
//   kvm->srcu: kvm_memslots() in check and refresh is a srcu_dereference()
//       (acquire) of the pointer the memslot updater publishes with release;
//       the caller's SRCU read section keeps the slots it reads alive.
//
// CAVEATS
//   * A cache covers one page; page offsets and len are kept as the kernel
//     does (kvm_gpc_is_valid_len()).
//   * gpc_map() never fails for RAM; memremap() fails when the model's two
//     slots are taken.
#ifndef PFV_IMPL_PFNCACHE_HPP
#define PFV_IMPL_PFNCACHE_HPP

#include <cstdint>

#include "impl/host_mmu.hpp"
#include "impl/invariants.hpp"
#include "impl/kvm.hpp"
#include "impl/kvm_main.hpp"
#include "model/model.hpp"

namespace pfv {

// The kernel's error numbers (EINVAL and friends are macros of <errno.h>).
inline constexpr int E_INVAL = 22;
inline constexpr int E_FAULT = 14;
inline constexpr int E_IO = 5;

template <class M, class Self>
struct Pfncache : KvmMain<M, Self> {
  // ---- The knobs a variant may hide. Each names the kernel code it is. ----

  // 21dadfcd665e: invalidation pre-checks each cache under the read lock and
  // takes the write lock only on a match. false: the pre-patch invalidation.
  static constexpr bool kReadLockPrecheck = true;
  // ... and re-checks under the write lock ("a small window here").
  static constexpr bool kRecheckUnderWriteLock = true;
  // ... the pre-check holds gpc->lock for read at all.
  static constexpr bool kPrecheckTakesLock = true;
  // ... the pre-check reads valid, pfn and uhva with READ_ONCE() (a lockless
  // pre-check done the kernel memory model's way; its variant also makes
  // every store to them a WRITE_ONCE(), in bind_scenario()).
  static constexpr bool kPrecheckMarked = false;
  // ... a match is invalidated under the write lock (not the read lock).
  static constexpr bool kInvalidateUnderWriteLock = true;
  // (F) mmu_notifier_retry_cache() retries while any invalidation is active.
  static constexpr bool kRetryChecksCount = true;
  // (G) smp_rmb() between the count and the seq reads.
  static constexpr bool kRetryRmb = true;
  // (C) smp_rmb() after the seq snapshot, before GUP.
  static constexpr bool kSnapshotRmb = true;
  // (B) every pass of hva_to_pfn_retry() takes a new seq snapshot (false:
  // one snapshot before the loop, the mutant "retry-stale-snapshot").
  static constexpr bool kSnapshotEachPass = true;
  // (A) hva_to_pfn_retry() sets valid = false before dropping the lock.
  static constexpr bool kInvalidateBeforeUnlock = true;
  // hva_to_pfn_retry() sets valid only after mmu_notifier_retry_cache().
  static constexpr bool kValidAfterRetryCheck = true;
  // A failed pass of the retry loop releases its page (85165781c5d9).
  static constexpr bool kRetryReleasesPage = true;
  // A failed pass unmaps its mapping unless it reused the old one.
  static constexpr bool kRetryUnmapsNewMapping = true;
  // refresh and activate/deactivate serialise on gpc->refresh_lock.
  static constexpr bool kRefreshLock = true;
  // refresh fails on an inactive cache (ecbcf030b456).
  static constexpr bool kRefreshChecksActive = true;
  // activate puts the cache on the list before setting active (ecbcf030b456).
  static constexpr bool kListBeforeActive = true;
  // activate tests active under refresh_lock (6addfcf27139): without it two
  // activators can both see the cache inactive.
  static constexpr bool kActivateUnderRefreshLock = true;
  // deactivate clears valid, under gpc->lock for write, with active
  // (9f87791d686d, v6.2; before that the unmap cleared it later).
  static constexpr bool kDeactivateClearsValid = true;
  // deactivate acts only on an active cache.
  static constexpr bool kDeactivateChecksActive = true;
  // deactivate unmaps the old mapping only after the write critical section
  // that unpublished it.
  static constexpr bool kDeactivateUnmapsAfterUnpublish = true;
  // kvm_gpc_check() compares the memslot generation (GPA-based caches).
  static constexpr bool kCheckGeneration = true;
  // kvm_gpc_activate_hva() rejects addresses access_ok() rejects
  // (ebbdf37ce9ab, v6.11; v6.9 checked only in one Xen caller).
  static constexpr bool kActivateHvaChecksAccessOk = true;
  // users touch the page through khva only while holding the read lock.
  static constexpr bool kUseUnderReadLock = true;
  // kvm_xen_update_runstate_guest(): gpc1's lock before gpc2's.
  static constexpr bool kRunstateLockOrder = true;

  static constexpr unsigned long kLen = 8;  // what users ask for

  // Whether this variant can produce an observation at all (by its code,
  // "W3"): the window observations exist only where the pre-check drops the
  // read lock before a write-lock re-check. The gate requires a scenario's
  // Sometimes only where this is true.
  static bool can_observe(const char* code) {
    // R2..R5 name the kernel's global retry (the count, the seq), which the
    // range-based retry does not have; only it lets a pass go on beside an
    // unrelated invalidation in flight (R6).
    if (code[0] == 'R' && code[1] >= '2' && code[1] <= '5') return !Self::kRangeRetry;
    if (code[0] == 'R' && code[1] == '6') return Self::kRangeRetry;
    if (code[0] != 'W') return true;
    if (!Self::kReadLockPrecheck || !Self::kInvalidateUnderWriteLock) return false;
    if (code[1] == '6' || code[1] == '7') return Self::kRecheckUnderWriteLock;
    if (code[1] == '8' || code[1] == '9') return !Self::kRecheckUnderWriteLock;
    return true;
  }

  // ---- gpc->lock, with the checker's view of each write critical section ----

  // (`loc`: the caller's line for the trace; kshim/ passes the kernel file's.)
  static void read_lock_irq(Gpc<M>& gpc, Loc loc = Loc::current()) { gpc.lock.read_lock(loc); }
  static void read_unlock_irq(Gpc<M>& gpc, Loc loc = Loc::current()) {
    gpc.lock.read_unlock(loc);
  }

  static void write_lock_irq(Gpc<M>& gpc, Loc loc = Loc::current()) {
    gpc.lock.write_lock(loc);
    gpc.at_write_lock = {gpc.valid.load(), gpc.active.load(), gpc.pfn.load(), gpc.uhva.load(),
                         gpc.khva.load()};
  }

  // checker: what this write critical section published. A cache that
  // becomes valid (or changes page while valid) must map the live frame its
  // uhva maps (S3), must not be on a page an invalidation still in flight
  // has walked (S2), must be active (S6), and an active cache must be on the
  // list (S6). Reads here are under the write lock.
  static void write_unlock_irq(Gpc<M>& gpc, Loc loc = Loc::current()) {
    const typename Gpc<M>::Snapshot& was = gpc.at_write_lock;
    const bool valid = gpc.valid.load();
    const bool active = gpc.active.load();
    const pfn_t pfn = gpc.pfn.load();
    const hva_t uhva = gpc.uhva.load();
    if (valid) M::check(active, inv::S6_valid_active);
    const bool newly_valid = valid && !(was.valid && was.pfn == pfn && was.uhva == uhva);
    if (newly_valid) M::check(gpc.kvm->mm.publish_live(pfn, uhva), inv::S3);
    if (newly_valid || active != was.active) {
      const std::uint32_t g = active == was.active
                                  ? gpc.ghost.load()
                                  : gpc.ghost.add(active ? Gpc<M>::ACTIVE : 0u - Gpc<M>::ACTIVE);
      // S2: no invalidation in flight that covers the page has walked this
      // cache, nor has any finished its walk of every cache.
      if (newly_valid) M::check(Gpc<M>::covered_at(g, uhva) == 0, inv::S2);
      if (active) M::check((g & Gpc<M>::LISTED) != 0, inv::S6_active_listed);
    }
    if (newly_valid)
      M::check(Kvm<M>::walked_at(gpc.kvm->walked_pages.load(), uhva) == 0, inv::S2);
    gpc.lock.write_unlock(loc);
  }

  // The scenario's VM and caches, once built (before any thread runs): a
  // variant that keeps state of its own beside them (kshim/: the kernel
  // file's views) binds it here.
  static void bind_scenario(Kvm<M>&, Gpc<M>&, Gpc<M>&) {}

  // ---- virt/kvm/pfncache.c ----------------------------------------------------

  // The mmu_notifier's invalidate_range_start hook: every cache on
  // kvm->gpc_list whose page is in the range is made invalid.
  // A match of the walk, under the write lock: the cache is no longer valid
  // (and, with the range-based retry, a refresh pass under way must retry).
  static void invalidate_match(Gpc<M>& gpc) {
    gpc.valid.store(false);
    if constexpr (Self::kRangeRetry) gpc.needs_invalidation.store(false);
  }

  static void gfn_to_pfn_cache_invalidate_start(Kvm<M>& kvm, MmuNotifierRange& range) {
    const hva_t start = range.start, end = range.end;
    unsigned invalidated = 0;  // checker
    kvm.gpc_lock.lock();
    // list_for_each_entry(gpc, &kvm->gpc_list, list)
    unsigned visited = 0;  // checker: a corrupt list may be a cycle
    for (int i = kvm.gpc_list_next.load(); i != Gpc<M>::kHead;) {
      if (i < 0 || ++visited > Kvm<M>::kMaxGpc) {
        // LIST_POISON: a node that was deleted is still linked; or more
        // nodes than caches: the list has a cycle.
        M::check(false, inv::S14_walk);
        break;
      }
      Gpc<M>& gpc = *kvm.gpcs[i];

      if constexpr (!Self::kReadLockPrecheck) {
        // Before 21dadfcd665e: always the write lock. One page per cache, so
        // the start of the page is what is compared.
        Self::write_lock_irq(gpc);
        if (Self::matches(gpc, start, end)) {
          Self::invalidate_match(gpc);
          M::observe(inv::I1_invalidated);
          ++invalidated;
        }
        Self::walked(gpc, range);
        Self::write_unlock_irq(gpc);
        i = gpc.next.load();
        continue;
      }

      if constexpr (Self::kPrecheckTakesLock) Self::read_lock_irq(gpc);

      if (Self::precheck_matches(gpc, start, end)) {
        if constexpr (!Self::kInvalidateUnderWriteLock) {
          Self::invalidate_match(gpc);
          M::observe(inv::I1_invalidated);
          ++invalidated;
          Self::walked(gpc, range);
          if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
          i = gpc.next.load();
          continue;
        }
        const typename Gpc<M>::Snapshot seen = Self::window_snapshot(gpc);  // checker
        if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
        M::observe(inv::W0_window);

        // 21dadfcd665e: the lock is dropped here and the write lock taken,
        // so the cache may have changed meanwhile; the match is tested again
        // under the write lock.
        Self::write_lock_irq(gpc);
        Self::observe_window(gpc, seen, start, end);
        if constexpr (Self::kRecheckUnderWriteLock) {
          if (Self::matches(gpc, start, end)) {
            Self::invalidate_match(gpc);
            M::observe(inv::W6_revalidated);
            M::observe(inv::I1_invalidated);
            ++invalidated;
          } else {
            M::observe(inv::W7_recheck_skipped);
          }
        } else {
          M::observe(gpc.valid.load() ? inv::W9_store_changed : inv::W8_redundant_store);
          Self::invalidate_match(gpc);
          M::observe(inv::I1_invalidated);
          ++invalidated;
        }
        Self::walked(gpc, range);
        Self::write_unlock_irq(gpc);
        i = gpc.next.load();
        continue;
      }

      Self::walked(gpc, range);
      if constexpr (Self::kPrecheckTakesLock) Self::read_unlock_irq(gpc);
      i = gpc.next.load();
    }
    kvm.gpc_lock.unlock();
    if (invalidated > 1) M::observe(inv::I3_two_caches);
  }

  static bool matches(Gpc<M>& gpc, hva_t start, hva_t end) {
    if constexpr (Self::kRangeRetry) {
      // A cache whose refresh is under way matches too: its pass must learn
      // of the invalidation (needs_invalidation).
      if (gpc.needs_invalidation.load()) {
        const hva_t uhva = gpc.uhva.load();
        return uhva >= start && uhva < end;
      }
    }
    if (!gpc.valid.load() || is_error_noslot_pfn(gpc.pfn.load())) return false;
    const hva_t uhva = gpc.uhva.load();
    return uhva >= start && uhva < end;
  }

  // The pre-check's test: matches() (plain reads, under the read lock, as
  // the kernel has it), or with marked reads (kPrecheckMarked).
  static bool precheck_matches(Gpc<M>& gpc, hva_t start, hva_t end) {
    if constexpr (!Self::kPrecheckMarked) {
      return Self::matches(gpc, start, end);
    } else {
      if (!gpc.valid.read_once() || is_error_noslot_pfn(gpc.pfn.read_once())) return false;
      const hva_t uhva = gpc.uhva.read_once();
      return uhva >= start && uhva < end;
    }
  }

  // checker: the walk of `range` has passed this cache, still holding its
  // lock. From here until range_end the cache must not be valid for the
  // range (the walk half of S1) nor become valid again at all (S2).
  static void walked(Gpc<M>& gpc, MmuNotifierRange& range) {
    M::check(!Self::covers(gpc, range), inv::S1_walk);
    gpc.ghost.adjust(Gpc<M>::WALKED + Gpc<M>::covered_bits(range.start, range.end));
    range.walked |= 1u << gpc.index;
  }

  // checker: the cache as the pre-check saw it (under the read lock).
  static typename Gpc<M>::Snapshot window_snapshot(Gpc<M>& gpc) {
    if constexpr (Self::kPrecheckMarked)  // checker reads (latest(): not steps)
      return {true, gpc.active.latest(), gpc.pfn.latest(), gpc.uhva.latest(), 0};
    // (The range-based retry also matches a cache being refreshed, which
    // is not valid.)
    return {gpc.valid.load(), gpc.active.load(), gpc.pfn.load(), gpc.uhva.load(), 0};
  }

  // checker: matches(), read by the checker itself (so a trace can tell the
  // protocol's reads from the checker's).
  static bool covers(Gpc<M>& gpc, const MmuNotifierRange& range) {
    if constexpr (Self::kPrecheckMarked) {
      // A lockless walker: the checker reads what is true now (latest(): no
      // step, no stale value), not what the walker's own loads saw.
      if (!gpc.valid.latest() || is_error_noslot_pfn(gpc.pfn.latest())) return false;
      const hva_t uhva = gpc.uhva.latest();
      return uhva >= range.start && uhva < range.end;
    }
    if (!gpc.valid.load() || is_error_noslot_pfn(gpc.pfn.load())) return false;
    const hva_t uhva = gpc.uhva.load();
    return uhva >= range.start && uhva < range.end;
  }

  // checker: what changed in the pre-check window (the "Sometimes" of S11),
  // and S11 itself. Reads under the write lock.
  static void observe_window(Gpc<M>& gpc, const typename Gpc<M>::Snapshot& seen, hva_t start,
                             hva_t end) {
    const bool valid = gpc.valid.load();
    const bool active = gpc.active.load();
    const pfn_t pfn = gpc.pfn.load();
    const hva_t uhva = gpc.uhva.load();
    const bool in_range = uhva >= start && uhva < end;
    M::check(!valid || !in_range || (pfn == seen.pfn && uhva == seen.uhva), inv::S11_window);
    if (valid != seen.valid || active != seen.active || pfn != seen.pfn || uhva != seen.uhva)
      M::observe(inv::W1_changed);
    if (!valid) M::observe(inv::W2_valid_cleared);
    if (uhva != seen.uhva) M::observe(inv::W3_uhva_moved);
    if (pfn != seen.pfn) M::observe(inv::W4_pfn_changed);
    if (!active) M::observe(inv::W5_deactivated);
  }

  // The access must fit in one page (the only use of len).
  static bool kvm_gpc_is_valid_len(gpa_t gpa, hva_t uhva, unsigned long len) {
    const std::uint64_t offset = kvm_is_error_gpa(gpa) ? offset_in_page(uhva) : offset_in_page(gpa);
    return offset + len <= PAGE_SIZE;
  }

  // The caller holds gpc->lock for read (and kvm->srcu). `seen_set`
  // (checker): which memslots it looked at.
  static bool kvm_gpc_check(Gpc<M>& gpc, unsigned long len, int* seen_set = nullptr) {
    Kvm<M>& kvm = *gpc.kvm;
    const int set = Self::kvm_memslots(kvm);
    if (seen_set) *seen_set = set;
    if (!gpc.active.load()) return false;
    // A cache made from a memslot is only good for the memslots it was made
    // from: the generation must not have moved.
    if constexpr (Self::kCheckGeneration) {
      if (!kvm_is_error_gpa(gpc.gpa.load()) &&
          gpc.generation.load() !=
              kvm.__memslots[set].generation.load(std::memory_order_relaxed)) {
        M::observe(inv::G1_gen_mismatch);
        return false;
      }
    }
    if (kvm_is_error_hva(gpc.uhva.load())) return false;
    if (!Self::kvm_gpc_is_valid_len(gpc.gpa.load(), gpc.uhva.load(), len)) return false;
    if (!gpc.valid.load()) return false;
    return true;
  }

  // kmap() for memory with a struct page, memremap() for the rest.
  static khva_t gpc_map(Kvm<M>& kvm, pfn_t pfn) {
    if (HostMmu<M>::pfn_valid(pfn)) return kvm.mm.kmap(pfn);
    M::observe(inv::P4_memremap);
    return kvm.mm.memremap(pfn);
  }

  // Undoes gpc_map(): nothing for an error pfn or a NULL mapping.
  static void gpc_unmap(Kvm<M>& kvm, pfn_t pfn, khva_t khva) {
    if (is_error_noslot_pfn(pfn) || !khva) return;
    if (HostMmu<M>::pfn_valid(pfn)) {
      kvm.mm.kunmap(pfn);
      return;
    }
    kvm.mm.memunmap(khva);
  }

  // The releases of GUP's reference: kvm_release_pfn_clean() up to v6.12,
  // kvm_release_page_unused()/kvm_release_page_clean() since v6.13 (the
  // same put_page() here; a frame without struct page has no reference).
  static void kvm_release_page_unused(Kvm<M>& kvm, pfn_t pfn) { Self::release_page(kvm, pfn); }
  static void kvm_release_page_clean(Kvm<M>& kvm, pfn_t pfn) { Self::release_page(kvm, pfn); }
  static void release_page(Kvm<M>& kvm, pfn_t pfn) {
    if (is_error_noslot_pfn(pfn)) return;
    kvm.mm.put_page(pfn);
  }

  static bool mmu_notifier_retry_cache(Kvm<M>& kvm, unsigned long mmu_seq) {
    // mn_active_invalidate_count plays the part of mmu_invalidate_in_progress
    // here: the caches are invalidated before the latter is raised.
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

  // The range-based retry's test (not in any kernel): is an invalidation
  // that overlaps the cache's address in flight? Under mn_invalidate_lock,
  // as range_start records the union of the in-flight ranges.
  static bool gpc_invalidations_pending(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    kvm.mn_invalidate_lock.lock();
    const unsigned long count = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed);
    const hva_t uhva = gpc.uhva.load();
    const bool pending = count != 0 && kvm.mmu_gpc_invalidate_range_start.load() <= uhva &&
                         uhva < kvm.mmu_gpc_invalidate_range_end.load();
    kvm.mn_invalidate_lock.unlock();
    if (!pending && count != 0) M::observe(inv::R6_unrelated_in_flight);
    return pending;
  }

  // Called with refresh_lock and gpc->lock for write held; returns with
  // gpc->lock for write held.
  static int hva_to_pfn_retry(Gpc<M>& gpc) {
    static_assert(!Self::kRangeRetry || (!Self::kPrecheckMarked && Self::kInvalidateUnderWriteLock &&
                                         Self::kReadLockPrecheck),
                  "the range-based retry clears needs_invalidation under the write lock, "
                  "after a pre-check that reads it");
    Kvm<M>& kvm = *gpc.kvm;
    // The page offset may differ from the old one.
    const khva_t old_khva = PAGE_ALIGN_DOWN(gpc.khva.load());
    pfn_t new_pfn = KVM_PFN_ERR_FAULT;
    khva_t new_khva = 0;
    unsigned long mmu_seq;

    // (A) The gpa->uhva part is already updated, so a check() by another
    // task could pass; invalidate before dropping the lock.
    if constexpr (Self::kInvalidateBeforeUnlock) gpc.valid.store(false);

    bool retry;
    std::uint64_t passes = 0;   // the range-based retry's carried state
    bool lost_to_walk = false;  // ... and why its last pass failed
    do {
      if constexpr (Self::kRangeRetry) {
        // The fix: an invalidation that overlaps the cache from here on
        // clears this (the walk, under gpc->lock).
        mmu_seq = 0;
        gpc.needs_invalidation.store(true);
      } else if (Self::kSnapshotEachPass || new_pfn == KVM_PFN_ERR_FAULT) {
        mmu_seq = kvm.mmu_invalidate_seq.load(std::memory_order_relaxed);  // (B)
        if (mmu_seq != 0) M::observe(inv::R5_snapshot_saw_end);  // checker (every scenario starts at 0)
        // (C): pairs with the primary MMU's TLB flush (smp_mb()) before
        // range_end's seq++: GUP below cannot see an older PTE than the seq.
        if constexpr (Self::kSnapshotRmb) M::smp_rmb();
      }

      M::check(!gpc.valid.load(), inv::S4);  // checker: about to drop the lock
      Self::write_unlock_irq(gpc);

      // A pass that lost to an invalidation: drop its mapping (unless it
      // reused the old one) and its page, outside the lock (both may sleep),
      // and give way.
      if (new_pfn != KVM_PFN_ERR_FAULT) {
        if constexpr (Self::kRetryUnmapsNewMapping) {
          if (new_khva != old_khva) {
            Self::gpc_unmap(kvm, new_pfn, new_khva);
            M::observe(inv::P3_retry_unmapped);
          }
        }
        if constexpr (Self::kRetryReleasesPage) Self::kvm_release_page_unused(kvm, new_pfn);
        // cond_resched(). What the next pass carries: the snapshot. With
        // the range-based retry: whether the last pass lost to a walk that
        // cleared the flag it has now re-armed (no read of the last pass
        // shows that, so a fresh number stands for it); a pass that lost to
        // an invalidation in flight carries nothing but what it read.
        if constexpr (Self::kRangeRetry)
          M::spin_wait_hint(lost_to_walk ? ++passes : 0);
        else
          M::spin_wait_hint_snapshot(mmu_seq);
      }

      // The fix: wait for the invalidations in flight that overlap the
      // cache (they may have started before needs_invalidation was set and
      // change the entry GUP is about to read, then end before the check),
      // and for no others.
      if constexpr (Self::kRangeRetry) {
        while (Self::gpc_invalidations_pending(gpc)) M::spin_wait_hint(0);
      }

      // A writable mapping, always. (uhva is read with the lock dropped:
      // only refresh_lock holders write it.)
      new_pfn = kvm.mm.hva_to_pfn(gpc.uhva.load());
      if (is_error_noslot_pfn(new_pfn)) {
        Self::write_lock_irq(gpc);  // out_error
        return -E_FAULT;
      }

      // A new kernel mapping, unless the pfn did not change (kmap() and
      // memremap() may sleep: also outside the lock).
      if (new_pfn == gpc.pfn.load())
        new_khva = old_khva;
      else
        new_khva = Self::gpc_map(kvm, new_pfn);
      if (!new_khva) {
        Self::kvm_release_page_unused(kvm, new_pfn);
        Self::write_lock_irq(gpc);  // out_error
        return -E_FAULT;
      }

      Self::write_lock_irq(gpc);

      // Nobody else may refresh meanwhile (refresh_lock).
      M::check(!gpc.valid.load(), inv::S5);  // WARN_ON_ONCE(gpc->valid)

      if constexpr (!Self::kValidAfterRetryCheck) {
        gpc.valid.store(true);
        gpc.pfn.store(new_pfn);
        gpc.khva.store(new_khva + offset_in_page(gpc.uhva.load()));
      }
      if constexpr (Self::kRangeRetry) {
        // An overlapping invalidation walked the cache during the pass, or
        // one is in flight that has not walked it yet (its count and range
        // were recorded before its walk, (J)).
        lost_to_walk = !gpc.needs_invalidation.load();
        retry = lost_to_walk || Self::gpc_invalidations_pending(gpc);
      } else {
        retry = Self::mmu_notifier_retry_cache(kvm, mmu_seq);
      }
      if (retry) M::observe(inv::R1_retry);
    } while (retry);

    gpc.valid.store(true);
    gpc.pfn.store(new_pfn);
    gpc.khva.store(new_khva + offset_in_page(gpc.uhva.load()));

    // From here on the cache holds no reference: only the mmu_notifier
    // keeps it honest (85165781c5d9).
    Self::kvm_release_page_clean(kvm, new_pfn);
    return 0;
  }

  // __kvm_gpc_refresh(). The caller holds refresh_lock.
  static int do_kvm_gpc_refresh(Gpc<M>& gpc, gpa_t gpa, hva_t uhva) {
    Kvm<M>& kvm = *gpc.kvm;
    std::uint64_t page_offset;
    bool unmap_old = false;
    bool hva_change = false;
    int ret = 0;

    // A cache is GPA-based XOR HVA-based.
    if (kvm_is_error_gpa(gpa) == kvm_is_error_hva(uhva)) {
      M::check(false, inv::S16_gpa_xor_hva);  // WARN_ON_ONCE
      return -E_INVAL;
    }

    Self::write_lock_irq(gpc);

    if constexpr (Self::kRefreshChecksActive) {
      if (!gpc.active.load()) {
        Self::write_unlock_irq(gpc);  // out_unlock
        return -E_INVAL;
      }
    }

    const pfn_t old_pfn = gpc.pfn.load();
    const khva_t old_khva = PAGE_ALIGN_DOWN(gpc.khva.load());
    const hva_t old_uhva = PAGE_ALIGN_DOWN(gpc.uhva.load());
    bool out = false;

    if (kvm_is_error_gpa(gpa)) {
      M::observe(inv::A2_hva_cache);
      page_offset = offset_in_page(uhva);
      gpc.gpa.store(INVALID_GPA);
      gpc.memslot.store(kNoSlot);
      gpc.uhva.store(PAGE_ALIGN_DOWN(uhva));
      if (gpc.uhva.load() != old_uhva) hva_change = true;
    } else {
      const int set = Self::kvm_memslots(kvm);
      Memslots<M>& slots = kvm.__memslots[set];
      page_offset = offset_in_page(gpa);
      if (gpc.gpa.load() != gpa ||
          gpc.generation.load() != slots.generation.load(std::memory_order_relaxed) ||
          kvm_is_error_hva(gpc.uhva.load())) {
        const gfn_t gfn = gpa_to_gfn(gpa);
        if (gpc.gpa.load() == gpa) M::observe(inv::G3_retranslated);
        gpc.gpa.store(gpa);
        const std::uint64_t gen = slots.generation.load(std::memory_order_relaxed);
        if (gen & KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS) M::observe(inv::G2_in_progress);
        gpc.generation.store(gen);
        gpc.memslot.store(Self::do_gfn_to_memslot(kvm, set, gfn));
        gpc.uhva.store(Self::gfn_to_hva_memslot(kvm, gpc.memslot.load(), gfn));
        if (kvm_is_error_hva(gpc.uhva.load())) {
          ret = -E_FAULT;
          out = true;
        } else if (gpc.uhva.load() != old_uhva) {
          // A new gpa or generation may still give the same uhva.
          hva_change = true;
        }
      } else {
        gpc.uhva.store(old_uhva);
      }
    }

    if (!out) {
      // The offset must be right before hva_to_pfn_retry().
      gpc.uhva.store(gpc.uhva.load() + page_offset);

      // A changed uhva, or no valid pfn: drop the lock and translate again.
      if (!gpc.valid.load() || hva_change) {
        ret = Self::hva_to_pfn_retry(gpc);
      } else {
        // The mapping is still good: keep it, with the (maybe new) offset.
        gpc.khva.store(old_khva + page_offset);
        Self::write_unlock_irq(gpc);  // out_unlock
        return 0;
      }
    }

    // out: a failed refresh leaves the cache invalid without a pfn or a
    // mapping; the gpa/uhva/generation it got may stay.
    if (ret) {
      gpc.valid.store(false);
      gpc.pfn.store(KVM_PFN_ERR_FAULT);
      gpc.khva.store(0);
    }

    // The pfn may have changed: decide before the lock goes.
    unmap_old = old_pfn != gpc.pfn.load();

    Self::write_unlock_irq(gpc);  // out_unlock

    if (unmap_old) Self::gpc_unmap(kvm, old_pfn, old_khva);
    return ret;
  }

  static int kvm_gpc_refresh(Gpc<M>& gpc, unsigned long len) {
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.lock();  // guard(mutex)
    int ret;
    if (!Self::kvm_gpc_is_valid_len(gpc.gpa.load(), gpc.uhva.load(), len)) {
      ret = -E_INVAL;
    } else {
      // GPA-based: the uhva is recomputed if needed; HVA-based: refresh it.
      const gpa_t gpa = gpc.gpa.load();
      const hva_t uhva = kvm_is_error_gpa(gpa) ? gpc.uhva.load() : KVM_HVA_ERR_BAD;
      ret = Self::do_kvm_gpc_refresh(gpc, gpa, uhva);
    }
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
    return ret;
  }

  // list_add(&gpc->list, &kvm->gpc_list), with CONFIG_DEBUG_LIST's checks
  // (__list_add_valid): under kvm->gpc_lock.
  static void list_add(Kvm<M>& kvm, Gpc<M>& gpc) {
    const int me = static_cast<int>(gpc.index);
    const int next = kvm.gpc_list_next.load();
    const bool next_ok = (next == Gpc<M>::kHead ? kvm.gpc_list_prev.load()
                                                : kvm.gpcs[next]->prev.load()) == Gpc<M>::kHead;
    // checker: the cache must not be listed already (a node added twice
    // corrupts the list even where the debug checks below pass).
    M::check((gpc.ghost.load() & Gpc<M>::LISTED) == 0, inv::S14_add);
    // __list_add_valid(): with CONFIG_DEBUG_LIST a corrupt add is reported
    // and not done.
    M::check(next_ok && next != me, inv::S14_add);
    if (!next_ok || next == me) return;
    if (next == Gpc<M>::kHead)
      kvm.gpc_list_prev.store(me);
    else
      kvm.gpcs[next]->prev.store(me);
    gpc.next.store(next);
    gpc.prev.store(Gpc<M>::kHead);
    kvm.gpc_list_next.store(me);
    gpc.ghost.adjust(Gpc<M>::LISTED);  // checker
  }

  // list_del(&gpc->list) (__list_del_entry_valid): under kvm->gpc_lock.
  static void list_del(Kvm<M>& kvm, Gpc<M>& gpc) {
    const int me = static_cast<int>(gpc.index);
    const int next = gpc.next.load(), prev = gpc.prev.load();
    const bool poisoned = next == Gpc<M>::LIST_POISON1 || prev == Gpc<M>::LIST_POISON2;
    const bool linked =
        !poisoned &&
        (prev == Gpc<M>::kHead ? kvm.gpc_list_next.load() : kvm.gpcs[prev]->next.load()) == me &&
        (next == Gpc<M>::kHead ? kvm.gpc_list_prev.load() : kvm.gpcs[next]->prev.load()) == me;
    M::check(linked, inv::S14_del);
    if (!linked) return;
    if (next == Gpc<M>::kHead)
      kvm.gpc_list_prev.store(prev);
    else
      kvm.gpcs[next]->prev.store(prev);
    if (prev == Gpc<M>::kHead)
      kvm.gpc_list_next.store(next);
    else
      kvm.gpcs[prev]->next.store(next);
    gpc.next.store(Gpc<M>::LIST_POISON1);
    gpc.prev.store(Gpc<M>::LIST_POISON2);
    // checker: the cache leaves the list only once it is inactive (S6).
    const std::uint32_t g = gpc.ghost.add(0u - Gpc<M>::LISTED);
    M::check((g & Gpc<M>::ACTIVE) == 0, inv::S6_active_listed);
  }

  // __kvm_gpc_activate().
  static int do_kvm_gpc_activate(Gpc<M>& gpc, gpa_t gpa, hva_t uhva, unsigned long len) {
    Kvm<M>& kvm = *gpc.kvm;
    if (!Self::kvm_gpc_is_valid_len(gpa, uhva, len)) return -E_INVAL;

    // guard(mutex)(&gpc->refresh_lock); before 6addfcf27139 the caller's
    // own serialisation was trusted.
    constexpr bool lock = Self::kRefreshLock && Self::kActivateUnderRefreshLock;
    if constexpr (lock) gpc.refresh_lock.lock();
    if (!gpc.active.load()) {
      if (gpc.valid.load()) {
        M::check(false, inv::S16_bug_on_valid);  // KVM_BUG_ON(gpc->valid, kvm)
        if constexpr (lock) gpc.refresh_lock.unlock();
        return -E_IO;
      }
      if constexpr (Self::kListBeforeActive) {
        kvm.gpc_lock.lock();
        Self::list_add(kvm, gpc);
        kvm.gpc_lock.unlock();
      }
      // Active only once listed: a refresh may not map the page before the
      // cache is reachable by mmu_notifier events (ecbcf030b456).
      Self::write_lock_irq(gpc);
      gpc.active.store(true);
      Self::write_unlock_irq(gpc);
      if constexpr (!Self::kListBeforeActive) {
        kvm.gpc_lock.lock();
        Self::list_add(kvm, gpc);
        kvm.gpc_lock.unlock();
      }
    }
    if constexpr (Self::kRefreshLock && !Self::kActivateUnderRefreshLock)
      gpc.refresh_lock.lock();
    const int ret = Self::do_kvm_gpc_refresh(gpc, gpa, uhva);
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
    return ret;
  }

  static int kvm_gpc_activate(Gpc<M>& gpc, gpa_t gpa, unsigned long len) {
    // INVALID_GPA marks HVA-based caches: refused here (WARN_ON_ONCE).
    if (kvm_is_error_gpa(gpa)) return -E_INVAL;
    return Self::do_kvm_gpc_activate(gpc, gpa, KVM_HVA_ERR_BAD, len);
  }

  static int kvm_gpc_activate_hva(Gpc<M>& gpc, hva_t uhva, unsigned long len) {
    if constexpr (Self::kActivateHvaChecksAccessOk) {
      if (!access_ok(uhva, len)) {
        M::observe(inv::A1_access_ok);
        return -E_INVAL;
      }
    }
    return Self::do_kvm_gpc_activate(gpc, INVALID_GPA, uhva, len);
  }

  static void kvm_gpc_deactivate(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.lock();  // guard(mutex)
    if (!Self::kDeactivateChecksActive || gpc.active.load()) {
      if constexpr (!Self::kDeactivateUnmapsAfterUnpublish) {
        // (broken) the mapping goes while the cache still publishes it;
        // refresh_lock keeps khva and pfn stable for this read.
        Self::gpc_unmap(kvm, gpc.pfn.load(), PAGE_ALIGN_DOWN(gpc.khva.load()));
      }
      // Inactive before it leaves the list: until gpc->lock is dropped,
      // mmu_notifier events must still find it, and a refresh after that
      // fails.
      Self::write_lock_irq(gpc);
      gpc.active.store(false);
      if constexpr (Self::kDeactivateClearsValid) gpc.valid.store(false);
      // The gpa->uhva part stays (the generation protects it); the pfn must
      // be looked up again after reactivation, since only the mmu_notifier
      // protected it.
      const khva_t old_khva = gpc.khva.load() - offset_in_page(gpc.khva.load());
      const pfn_t old_pfn = gpc.pfn.load();
      gpc.khva.store(0);
      gpc.pfn.store(KVM_PFN_ERR_FAULT);
      Self::write_unlock_irq(gpc);

      kvm.gpc_lock.lock();
      Self::list_del(kvm, gpc);
      kvm.gpc_lock.unlock();

      if constexpr (Self::kDeactivateUnmapsAfterUnpublish) Self::gpc_unmap(kvm, old_pfn, old_khva);
    }
    if constexpr (Self::kRefreshLock) gpc.refresh_lock.unlock();
  }

  // kvm_gpc_mark_dirty_in_slot() (include/linux/kvm_host.h): the caller holds
  // gpc->lock; mark_page_dirty_in_slot() reads the memslot.
  static void kvm_gpc_mark_dirty_in_slot(Gpc<M>& gpc) {
    const int slot = gpc.memslot.load();
    if (slot == kNoSlot) return;
    // kvm_slot_dirty_track_enabled(memslot): dirty logging is off in the
    // scenarios; the read is what matters (the slot must still exist).
    (void)(gpc.kvm->slot_pool[slot].flags.load() & KVM_MEM_LOG_DIRTY_PAGES);
  }

  // ---- the users: how KVM reads through a cache (arch/x86/kvm) ----------------

  // checker: S9. A GPA-based cache that passed kvm_gpc_check() with the
  // memslots `set` maps what `set` translates its gpa to. Under the reader's
  // SRCU read section: `set` cannot change under it.
  static void check_translation(Gpc<M>& gpc, int set) {
    const gpa_t gpa = gpc.gpa.load();
    if (kvm_is_error_gpa(gpa)) return;
    Kvm<M>& kvm = *gpc.kvm;
    const gfn_t gfn = gpa_to_gfn(gpa);
    const hva_t want = Self::gfn_to_hva_memslot(kvm, Self::do_gfn_to_memslot(kvm, set, gfn), gfn);
    M::check(!kvm_is_error_hva(want) && PAGE_ALIGN_DOWN(want) == PAGE_ALIGN_DOWN(gpc.uhva.load()),
             inv::S9);
  }

  // The non-sleeping fast path (kvm_xen_set_evtchn_fast(), also from hard
  // IRQ: xen_timer_callback()): use the page if the cache is usable, give up
  // otherwise. It takes kvm->srcu itself. Returns whether it used the page.
  static bool read_use(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    const auto idx = Self::srcu_read_lock(kvm);
    Self::read_lock_irq(gpc);  // read_lock_irqsave()
    int set = 0;
    const bool ok = Self::kvm_gpc_check(gpc, kLen, &set);
    khva_t khva = 0;
    if (ok) {
      Self::check_translation(gpc, set);  // checker
      khva = gpc.khva.load();
      if constexpr (Self::kUseUnderReadLock) Self::use(gpc, khva);
    }
    Self::read_unlock_irq(gpc);  // read_unlock_irqrestore()
    if constexpr (!Self::kUseUnderReadLock) {
      if (ok) Self::use(gpc, khva);
    }
    Self::srcu_read_unlock(kvm, idx);
    if (!ok) M::observe(inv::U0_check_failed);
    return ok;
  }

  // The sleeping pattern (kvm_setup_guest_pvclock(); the vCPU holds
  // kvm->srcu): refresh until the check passes, then use the page and mark
  // it dirty. Returns whether it used the page.
  static bool read_use_refreshing(Gpc<M>& gpc) {
    Kvm<M>& kvm = *gpc.kvm;
    const auto idx = Self::srcu_read_lock(kvm);
    Self::read_lock_irq(gpc);
    int set = 0;
    unsigned refreshes = 0;  // checker
    while (!Self::kvm_gpc_check(gpc, kLen, &set)) {
      Self::read_unlock_irq(gpc);
      if (++refreshes == 2) M::observe(inv::U4_refreshed_twice);
      if (Self::kvm_gpc_refresh(gpc, kLen)) {
        Self::srcu_read_unlock(kvm, idx);
        return false;
      }
      Self::read_lock_irq(gpc);
    }
    Self::check_translation(gpc, set);  // checker
    Self::use(gpc, gpc.khva.load());
    Self::kvm_gpc_mark_dirty_in_slot(gpc);
    Self::read_unlock_irq(gpc);
    Self::srcu_read_unlock(kvm, idx);
    return true;
  }

  // kvm_xen_update_runstate_guest() (not atomic): two caches read together,
  // gpc1's lock first (lock_set_subclass). Returns whether both were usable.
  static bool read_use_two(Gpc<M>& gpc1, Gpc<M>& gpc2) {
    Kvm<M>& kvm = *gpc1.kvm;
    Gpc<M>& first = Self::kRunstateLockOrder ? gpc1 : gpc2;
    Gpc<M>& second = Self::kRunstateLockOrder ? gpc2 : gpc1;
    const auto idx = Self::srcu_read_lock(kvm);
    Self::read_lock_irq(first);
    int set1 = 0, set2 = 0;
    bool ok = Self::kvm_gpc_check(first, kLen, &set1);
    if (ok) {
      Self::read_lock_irq(second);
      ok = Self::kvm_gpc_check(second, kLen, &set2);
      if (ok) {
        Self::check_translation(first, set1);
        Self::check_translation(second, set2);
        Self::use(first, first.khva.load());
        Self::use(second, second.khva.load());
      }
      Self::read_unlock_irq(second);
    }
    Self::read_unlock_irq(first);
    Self::srcu_read_unlock(kvm, idx);
    if (!ok) M::observe(inv::U0_check_failed);
    return ok;
  }

  static void use(Gpc<M>& gpc, khva_t khva) {
    M::observe(inv::U1_used);
    HostMmu<M>& mm = gpc.kvm->mm;
    const pfn_t f = mm.use(khva);
    // A frame no page had at the start: a migration target.
    if (f != KVM_PFN_ERR_FAULT && HostMmu<M>::pfn_valid(f) && f >= mm.first_target)
      M::observe(inv::U2_used_new_page);
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_PFNCACHE_HPP
