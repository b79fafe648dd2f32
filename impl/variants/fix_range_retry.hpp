// impl/variants/fix_range_retry.hpp: the smallest fix of finding
// global-retry-starves-refresh (docs/findings/), on v6.18.
//
// hva_to_pfn_retry() retries while *any* invalidation is in flight
// (mn_active_invalidate_count) or has ended since its snapshot
// (mmu_invalidate_seq): a stream of invalidations of other addresses keeps
// it retrying forever. The fix makes the retry range-based, the shape
// David Woodhouse proposed for the same problem in 2024 ("KVM: pfncache:
// Implement range-based invalidation check for hva_to_pfn_retry()"):
//
//   * range_start records, under mn_invalidate_lock with the count, the
//     union of the ranges in flight (kvm->mmu_gpc_invalidate_range_start/end);
//   * a refresh pass sets gpc->needs_invalidation under the write lock
//     instead of taking the seq snapshot; the walk of
//     gfn_to_pfn_cache_invalidate_start() clears it (with valid) for every
//     cache whose uhva the range covers, valid or being refreshed;
//   * before GUP the pass waits while an invalidation in flight covers its
//     uhva (gpc_invalidations_pending(), under mn_invalidate_lock);
//   * the pass retries iff needs_invalidation was cleared, or an
//     overlapping invalidation is in flight at the check (one that has not
//     walked the cache yet).
//
// An invalidation that started before the pass and covers the cache is
// waited for (without the wait, one that changes the entry after GUP read
// it and ends before the check goes unseen: S3, measured); one that starts
// after the flag was set finds the cache in its walk. mmu_invalidate_seq
// is no longer read, so the fix also closes finding
// hva-outside-memslot-stale-pfn. Observations: R1 for a retry; R2..R5 name
// the kernel's count and seq and are not expected of it (can_observe); R6
// is a pass that goes on beside an unrelated invalidation in flight.
//
// Two invariants are stated as safety needs them rather than as the
// kernel's global count implies them, for every variant: S2 (no cache
// becomes valid on a page an in-flight invalidation covers, once it has
// walked that cache or finished its walk) and S11 (in the pre-check window
// a cache may become valid only outside the invalidated range).
//
// Its progress is partial: the union of the in-flight ranges only grows
// while any invalidation is counted, so one invalidation of the cache's
// page followed by overlapping streams elsewhere can keep the wait waiting
// (not a scenario yet); a per-range record would close it.
//
// It does not compose, as written, with the fix of mm-teardown-leaves-
// cache-valid (v6.18+release-invalidates), whose endless invalidation of
// the whole address space would keep the wait above waiting for ever (a
// refresh after the mm's release: LIVELOCK in teardown_vs_refresh_read,
// measured): v6.18+fixes therefore does not include it.
#ifndef PFV_IMPL_VARIANTS_FIX_RANGE_RETRY_HPP
#define PFV_IMPL_VARIANTS_FIX_RANGE_RETRY_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct FixRangeRetry : Pfncache<M, FixRangeRetry<M>> {
  static constexpr VariantInfo info = {
      "v6.18+range-retry",
      VariantKind::kernel,
      "fix of global-retry-starves-refresh: the refresh waits for and retries on "
      "invalidations that overlap its address only",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kRangeRetry = true;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_FIX_RANGE_RETRY_HPP
