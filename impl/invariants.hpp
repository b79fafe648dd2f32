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

// S2: the mn_active_invalidate_count half of mmu_notifier_retry_cache().
inline constexpr const char* S2 =
    "S2: a cache became valid after an in-flight invalidation had walked it "
    "(before that invalidation's range_end)";

// S3: the mmu_invalidate_seq half of mmu_notifier_retry_cache().
inline constexpr const char* S3 =
    "S3: a refresh installed a page that is not the one the primary MMU maps "
    "at the cache's address (stale or freed pfn)";

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

// S11: the pre-check window of 21dadfcd665e. Between the read-lock
// pre-check and the write lock, the cache can only stop needing the
// invalidation: since this invalidation is in flight, no refresh can make it
// valid (S2), so at the re-check it is either invalid or exactly as the
// pre-check saw it.
inline constexpr const char* S11_window =
    "S11: in the pre-check window a cache became valid on another page or "
    "address (it may only become invalid there)";

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
inline constexpr const char* R4_retry_two =
    "R4: a retry saw two invalidations in flight (mn_active_invalidate_count > 1)";
inline constexpr const char* U0_check_failed =
    "U0: a reader found the cache unusable (kvm_gpc_check() failed)";
inline constexpr const char* U1_used = "U1: a reader used the cache (kvm_gpc_check() passed)";
inline constexpr const char* U2_used_new_page =
    "U2: a reader used the page the invalidation migrated to";
inline constexpr const char* U3_readers_both =
    "U3: two readers both used the cache in one execution";
inline constexpr const char* I1_invalidated = "I1: an invalidation set valid = false";

// Every observation, for validating the codes a user names.
inline constexpr const char* observations[] = {
    W0_window,      W1_changed,       W2_valid_cleared,   W3_uhva_moved,      W4_pfn_changed,
    W5_deactivated, W6_revalidated,   W7_recheck_skipped, W8_redundant_store, W9_store_changed,
    R1_retry,       R2_retry_count,   R3_retry_seq,       R4_retry_two,       U0_check_failed,
    U1_used,        U2_used_new_page, U3_readers_both,    I1_invalidated};

}  // namespace inv
}  // namespace pfv

#endif  // PFV_IMPL_INVARIANTS_HPP
