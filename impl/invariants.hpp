// impl/invariants.hpp: the protocol's invariants, numbered once.
//
// The numbers follow the reference map of the protocol (S1..S11). Every
// M::check() in impl/ passes one of these texts, so a failure in either
// driver (Relacy or real threads) names its invariant the same way, and the
// gate (relacy_tests/pfncache_verify.cpp) classifies a failure by the
// leading "Sn".
//
// Where each is checked, and why the check is sound, is written next to the
// check in impl/pfncache.hpp and summarised in docs/protocol.md.
#ifndef PFV_IMPL_INVARIANTS_HPP
#define PFV_IMPL_INVARIANTS_HPP

namespace pfv {
namespace inv {

// S1 has two halves. Its use half is the safety property the whole protocol
// exists for; its walk half is what makes the use half hold.
inline constexpr const char* S1_use =
    "S1: no read-use of a freed page: a reader whose kvm_gpc_check() passed "
    "touched a page the primary MMU has unmapped or freed";
inline constexpr const char* S1_walk =
    "S1: when invalidate_range_start has returned, no cache is valid for the "
    "invalidated page and no reader is still using it";

// S2: the mn_active_invalidate_count half of mmu_notifier_retry_cache(), as
// far as safety needs it: an invalidation covers its own range only.
inline constexpr const char* S2 =
    "S2: a cache became valid on a page an in-flight invalidation covers, after "
    "that invalidation's walk (before its range_end)";

// S3: the mmu_invalidate_seq half of mmu_notifier_retry_cache().
inline constexpr const char* S3 =
    "S3: the cache is valid on a page that is not the one the primary MMU maps "
    "at its address (a stale or unmapped pfn was published, or kept)";

// S4: gpc->valid = false before hva_to_pfn_retry() drops the lock.
inline constexpr const char* S4 =
    "S4: refresh dropped gpc->lock with the cache still valid, so "
    "kvm_gpc_check() could pass while it is being refreshed";

// S5: WARN_ON_ONCE(gpc->valid) after hva_to_pfn_retry() re-takes the lock.
inline constexpr const char* S5 =
    "S5: WARN_ON_ONCE(gpc->valid) in hva_to_pfn_retry(): someone validated the "
    "cache while refresh had the lock dropped";

// S6: ecbcf030b456: active if and only if the cache is on kvm->gpc_list, and
// valid only while active.
inline constexpr const char* S6_valid_active = "S6: the cache is valid but not active";
inline constexpr const char* S6_active_listed =
    "S6: the cache is active but not on kvm->gpc_list (invalidations cannot "
    "reach it)";

// S8: a kernel mapping (kmap or memremap, what gpc->khva points into) is
// used only while it exists: gpc_unmap() of the old mapping comes after the
// write critical section that stopped publishing it, and readers drop the
// read lock before that.
inline constexpr const char* S8_use =
    "S8: a reader used a kernel mapping (gpc->khva) that is not mapped any more";

// S9: memslot generation (kvm_gpc_check()'s generation test): a GPA-based
// cache that passes kvm_gpc_check() maps the host address that the memslots
// its reader sees translate its gpa to.
inline constexpr const char* S9 =
    "S9: a reader used a GPA-based cache whose gpa the memslots it sees no longer "
    "translate to the cache's uhva (stale generation)";

// S12: page references (GUP's reference, 85165781c5d9): every reference a
// refresh takes is dropped exactly once, on the path that took it. Checked
// at rest: a frame holds one reference for its page-table entry, none
// otherwise.
inline constexpr const char* S12_leak =
    "S12: at rest, a page's references do not balance (GUP's reference never dropped, "
    "or one dropped that was not taken)";

// S13: kernel mappings: gpc_map() and gpc_unmap() pair up.
inline constexpr const char* S13_unmap =
    "S13: gpc_unmap() of a kernel mapping that is not mapped (unmapped twice?)";
inline constexpr const char* S13_leak =
    "S13: at rest, a kernel mapping exists that no cache holds (leaked kmap/memremap)";

// S14: kvm->gpc_list (list.h with CONFIG_DEBUG_LIST): a node is added only
// when it is not on the list, deleted only when it is, and the walk only
// meets listed nodes.
inline constexpr const char* S14_add =
    "S14: list corruption: list_add() of a cache already on kvm->gpc_list";
inline constexpr const char* S14_del =
    "S14: list corruption: list_del() of a cache not on kvm->gpc_list";
inline constexpr const char* S14_walk =
    "S14: list corruption: the walk of kvm->gpc_list reached a deleted node or went round "
    "a cycle";
inline constexpr const char* S14_rest =
    "S14: at rest, kvm->gpc_list and the caches' active flags disagree";

// S15: SRCU (impl/srcu.hpp): synchronize_srcu() returns only after every
// read-side critical section that began before it has ended.
inline constexpr const char* S15 =
    "S15: synchronize_srcu() returned while a read-side critical section that began "
    "before it was still running";

// S16: the kernel's own assertions (WARN_ON_ONCE, KVM_BUG_ON) other than S5:
// each names its condition and function.
inline constexpr const char* S16_gpa_xor_hva =
    "S16: WARN_ON_ONCE(kvm_is_error_gpa(gpa) == kvm_is_error_hva(uhva)) in __kvm_gpc_refresh()";
inline constexpr const char* S16_bug_on_valid =
    "S16: KVM_BUG_ON(gpc->valid) in __kvm_gpc_activate()";
inline constexpr const char* S16_in_progress =
    "S16: KVM_BUG_ON(kvm->mmu_invalidate_in_progress < 0) in kvm_mmu_invalidate_end()";
inline constexpr const char* S16_count =
    "S16: WARN_ON_ONCE(!kvm->mn_active_invalidate_count) in "
    "kvm_mmu_notifier_invalidate_range_end()";
inline constexpr const char* S16_gen =
    "S16: WARN_ON(gen & KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS) in kvm_swap_active_memslots()";

inline constexpr const char* S16_kernel_warn =
    "S16: a WARN_ON_ONCE() or KVM_BUG_ON() of the kernel's pfncache.c fired";

// S17: at rest (every thread done), the mmu_notifier bookkeeping is balanced.
inline constexpr const char* S17_count = "S17: at rest, mn_active_invalidate_count is not zero";
inline constexpr const char* S17_in_progress =
    "S17: at rest, mmu_invalidate_in_progress is not zero (range_start and range_end saw "
    "different memslots)";
inline constexpr const char* S17_walked =
    "S17: at rest, an invalidation is still counted in flight";

// S11: the pre-check window of 21dadfcd665e. Between the read-lock
// pre-check and the write lock, the cache can only stop needing the
// invalidation: since this invalidation is in flight, no refresh can make it
// valid on the invalidated range (S2), so at the re-check it is either
// invalid, exactly as the pre-check saw it, or valid outside the range (a
// refresh that moved it elsewhere: a design that waits only for
// overlapping invalidations allows it; the kernel's global count does not).
inline constexpr const char* S11_window =
    "S11: in the pre-check window a cache became valid on another page of the "
    "invalidated range (it may only become invalid there)";

// Observations (the "Sometimes" half). W* are the pre-check window of
// 21dadfcd665e (S11 in the reference): between the read-lock pre-check and
// the write-lock re-check in gfn_to_pfn_cache_invalidate_start().
inline constexpr const char* W0_window =
    "W0: window reached: the read-lock pre-check matched and the lock was dropped";
inline constexpr const char* W1_changed =
    "W1: window: the cache changed between the pre-check and the write lock";
inline constexpr const char* W2_valid_cleared = "W2: window: valid went from true to false";
inline constexpr const char* W3_uhva_moved =
    "W3: window: uhva changed (the cache was moved by a refresh)";
inline constexpr const char* W4_pfn_changed = "W4: window: pfn changed";
inline constexpr const char* W5_deactivated = "W5: window: the cache was deactivated";
inline constexpr const char* W6_revalidated =
    "W6: window: the cache was valid again and in range at the re-check (the "
    "invalidation still had work to do)";
inline constexpr const char* W7_recheck_skipped =
    "W7: window: the re-check found nothing to invalidate and skipped the store";
inline constexpr const char* W8_redundant_store =
    "W8: without the re-check: the unconditional store wrote valid = false over "
    "valid = false (redundant)";
inline constexpr const char* W9_store_changed =
    "W9: without the re-check: the unconditional store changed valid from true "
    "to false";

// Other reached states worth counting. A scenario lists the observations
// it must reach (ScenarioInfo::sometimes, by their codes); the gate turns a
// passing, complete search that misses one into a failure, since a Never
// proved where the interesting state is never reached proves nothing.
inline constexpr const char* R1_retry =
    "R1: hva_to_pfn_retry() retried (mmu_notifier_retry_cache() was true)";
inline constexpr const char* R2_retry_count =
    "R2: a retry was caused by mn_active_invalidate_count";
inline constexpr const char* R3_retry_seq = "R3: a retry was caused by mmu_invalidate_seq";
inline constexpr const char* R5_snapshot_saw_end =
    "R5: a refresh's seq snapshot saw an invalidation's mmu_invalidate_seq++ (GUP after it "
    "must not see the page table from before that invalidation)";
inline constexpr const char* R4_retry_two =
    "R4: a retry saw two invalidations in flight (mn_active_invalidate_count > 1)";
inline constexpr const char* R6_unrelated_in_flight =
    "R6: a refresh pass went on while an invalidation of another address was in flight "
    "(the range-based retry)";
inline constexpr const char* U4_refreshed_twice =
    "U4: a check/refresh loop refreshed twice (the check failed again after a refresh)";
inline constexpr const char* U0_check_failed =
    "U0: a reader found the cache unusable (kvm_gpc_check() failed)";
inline constexpr const char* U1_used = "U1: a reader used the cache (kvm_gpc_check() passed)";
inline constexpr const char* U2_used_new_page =
    "U2: a reader used the page the invalidation migrated to";
inline constexpr const char* U3_readers_both =
    "U3: two readers both used the cache in one execution";
inline constexpr const char* I1_invalidated = "I1: an invalidation set valid = false";
inline constexpr const char* I2_no_memslot =
    "I2: an invalidation's range hit no memslot (no mmu_invalidate_seq++, no mmu_lock)";
inline constexpr const char* I3_two_caches = "I3: one invalidation walk invalidated two caches";
inline constexpr const char* G1_gen_mismatch =
    "G1: kvm_gpc_check() failed on the memslot generation";
inline constexpr const char* G2_in_progress =
    "G2: a refresh took its generation from memslots whose update was in progress";
inline constexpr const char* G3_retranslated =
    "G3: a refresh re-translated the gpa with new memslots (uhva changed or gone)";
inline constexpr const char* G4_updater_waited =
    "G4: a memslot update waited for an in-flight invalidation";
inline constexpr const char* G5_srcu_waited = "G5: synchronize_srcu() waited for a reader";
inline constexpr const char* P1_unmapped =
    "P1: the primary MMU unmapped a frame (its contents poisoned: KVM must not touch it)";
inline constexpr const char* P3_retry_unmapped =
    "P3: a retry pass unmapped the mapping of the pass before (new_khva != old_khva)";
inline constexpr const char* P4_memremap = "P4: a cache mapped device memory with memremap()";
inline constexpr const char* P5_cow_broken =
    "P5: GUP broke copy-on-write: its write fault raised an invalidation of the page it resolves";
inline constexpr const char* A1_access_ok =
    "A1: kvm_gpc_activate_hva() refused an address access_ok() rejects";
inline constexpr const char* A2_hva_cache = "A2: an HVA-based cache was refreshed";

// The kernel file's hooks (kshim/harness.hpp), for hook coverage: GUP ran
// (K0), the retry loop's hook ran (K2); the walk met a listed cache (K3),
// the walk's hook ran (K1). A kernel-file cell that reaches K0 must reach
// K2, one that reaches K3 must reach K1: a renamed kernel function would
// otherwise switch the checks off unseen.
inline constexpr const char* K0_gup = "K0: the kernel file's GUP returned a page";
inline constexpr const char* K1_walk_hooked =
    "K1: the walk's checks ran in the kernel file's gfn_to_pfn_cache_invalidate_start()";
inline constexpr const char* K2_retry_hooked =
    "K2: the retry loop's checks ran in the kernel file's hva_to_pfn_retry()";
inline constexpr const char* K3_walk_met_cache = "K3: the kernel file's walk met a listed cache";
// K4: the kernel's own WARN_ON_ONCE(gpc->valid) after GUP, which is S5 on the
// kernel file, was evaluated (a cell that reaches K0 must reach K4).
inline constexpr const char* K4_warn_hooked =
    "K4: the kernel file's WARN_ON_ONCE(gpc->valid) in hva_to_pfn_retry() was evaluated";

// Every observation, for validating the codes a user names.
inline constexpr const char* observations[] = {W0_window,
                                               W1_changed,
                                               W2_valid_cleared,
                                               W3_uhva_moved,
                                               W4_pfn_changed,
                                               W5_deactivated,
                                               W6_revalidated,
                                               W7_recheck_skipped,
                                               W8_redundant_store,
                                               W9_store_changed,
                                               R1_retry,
                                               R2_retry_count,
                                               R3_retry_seq,
                                               R4_retry_two,
                                               R5_snapshot_saw_end,
                                               R6_unrelated_in_flight,
                                               U4_refreshed_twice,
                                               U0_check_failed,
                                               U1_used,
                                               U2_used_new_page,
                                               U3_readers_both,
                                               I1_invalidated,
                                               I2_no_memslot,
                                               I3_two_caches,
                                               G1_gen_mismatch,
                                               G2_in_progress,
                                               G3_retranslated,
                                               G4_updater_waited,
                                               G5_srcu_waited,
                                               P1_unmapped,
                                               P3_retry_unmapped,
                                               P4_memremap,
                                               P5_cow_broken,
                                               A1_access_ok,
                                               A2_hva_cache,
                                               K0_gup,
                                               K1_walk_hooked,
                                               K2_retry_hooked,
                                               K3_walk_met_cache,
                                               K4_warn_hooked};

}  // namespace inv
}  // namespace pfv

#endif  // PFV_IMPL_INVARIANTS_HPP
