// impl/variants/no_snapshot_rmb.hpp: mutant "no-snapshot-rmb".
//
// hva_to_pfn_retry() without the smp_rmb() after the mmu_invalidate_seq
// snapshot: GUP may read the page table as it was before an invalidation
// whose seq increment the snapshot already saw. Registered as harmless: GUP
// orders its own read (see why, and docs/mutants/no-snapshot-rmb.md).
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
      "GUP orders its own page-table read: gup-fast takes its page reference with a "
      "fully ordered RMW and re-reads the entry, the slow path and VM_PFNMAP read it "
      "under the page-table lock; either orders the seq snapshot before the read as "
      "(C) does (the model's GUP keeps the acquire half of that barrier). The "
      "complete search finds no failure without (C)",
      /*sometimes=*/"R5"};
  static constexpr bool kSnapshotRmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_SNAPSHOT_RMB_HPP
