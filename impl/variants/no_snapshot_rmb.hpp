// impl/variants/no_snapshot_rmb.hpp: mutant "no-snapshot-rmb".
//
// hva_to_pfn_retry() without the smp_rmb() after the mmu_invalidate_seq
// snapshot: GUP may read the page table as it was before an invalidation
// whose seq increment the snapshot already saw. Registered as harmless since
// page references are modelled (see why).
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
      /*caught_by=*/"harmless",
      /*caught_in=*/nullptr,
      /*why=*/
      "GUP orders its own page-table read: it takes its page reference only while "
      "the page still has one (folio_try_get), and an invalidation drops the "
      "entry's reference before range_end bumps the seq; so a refresh whose "
      "snapshot saw that bump cannot get the page back, stale read or not, and "
      "retries GUP. (The kernel's gup-fast also re-reads the entry after its "
      "fully ordered reference grab.) The complete search finds no failure "
      "without (C); the model does not reuse freed frames, the case the re-read "
      "exists for",
      /*sometimes=*/"P5"};
  static constexpr bool kSnapshotRmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_SNAPSHOT_RMB_HPP
