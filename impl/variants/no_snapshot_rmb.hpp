// impl/variants/no_snapshot_rmb.hpp: mutant "no-snapshot-rmb".
//
// hva_to_pfn_retry() without the smp_rmb() after the mmu_invalidate_seq
// snapshot: GUP may read the page table as it was before an invalidation
// whose seq increment the snapshot already saw.
#ifndef PFV_IMPL_VARIANTS_NO_SNAPSHOT_RMB_HPP
#define PFV_IMPL_VARIANTS_NO_SNAPSHOT_RMB_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoSnapshotRmb : Pfncache<M, NoSnapshotRmb<M>> {
  static constexpr VariantInfo info = {
      "no-snapshot-rmb",
      VariantKind::mutant,
      "the smp_rmb() (C) between the seq snapshot and GUP in "
      "hva_to_pfn_retry() is dropped",
      /*caught_by=*/"S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,refresh_two_readers_invalidate,"
      "move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kSnapshotRmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_SNAPSHOT_RMB_HPP
