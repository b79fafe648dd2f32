// impl/variants/retry_stale_snapshot.hpp: mutant "retry-stale-snapshot".
//
// hva_to_pfn_retry() takes its mmu_invalidate_seq snapshot once, before the
// first pass, and compares every later pass with it: a retry that ignores
// whether anything changed since the pass began. Once one invalidation has
// ended during the refresh, every pass fails, for ever, though nothing is
// in flight any more. A progress mutant: the search reports it as LIVELOCK
// (the refresh waits at its spin-wait hint, and nothing it reads can change).
#ifndef PFV_IMPL_VARIANTS_RETRY_STALE_SNAPSHOT_HPP
#define PFV_IMPL_VARIANTS_RETRY_STALE_SNAPSHOT_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RetryStaleSnapshot : Pfncache<M, RetryStaleSnapshot<M>> {
  static constexpr VariantInfo info = {
      "retry-stale-snapshot",
      VariantKind::mutant,
      "hva_to_pfn_retry() takes its seq snapshot once, before the first pass, not per pass",
      /*caught_by=*/"livelock|starvation",
      /*caught_in=*/"invalidate_vs_refresh,pvclock_loop_vs_migrations",
      /*why=*/nullptr};
  static constexpr bool kSnapshotEachPass = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_RETRY_STALE_SNAPSHOT_HPP
