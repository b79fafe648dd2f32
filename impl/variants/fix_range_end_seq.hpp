// impl/variants/fix_range_end_seq.hpp: the smallest fix of finding
// hva-outside-memslot-stale-pfn (docs/findings/), on v6.18.
//
// kvm_mmu_notifier_invalidate_range_end() bumps mmu_invalidate_seq (under
// mmu_lock, with the smp_wmb() that pairs with mmu_notifier_retry_cache()'s
// smp_rmb()) also when the range hit no memslot, so that a refresh that
// snapshotted the seq before an invalidation that started and ended while it
// had gpc->lock dropped sees the seq move and retries. One hunk in
// kvm_main.c:
//
//   	__kvm_handle_hva_range(kvm, &hva_range);
//  +	if (!found_memslot) {
//  +		KVM_MMU_LOCK(kvm);
//  +		kvm->mmu_invalidate_seq++;
//  +		smp_wmb();
//  +		KVM_MMU_UNLOCK(kvm);
//  +	}
//
// Its cost: mmu_lock for every invalidation of memory that is not guest
// memory (the common unrelated case the memslot test exists to avoid).
#ifndef PFV_IMPL_VARIANTS_FIX_RANGE_END_SEQ_HPP
#define PFV_IMPL_VARIANTS_FIX_RANGE_END_SEQ_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct FixRangeEndSeq : Pfncache<M, FixRangeEndSeq<M>> {
  static constexpr VariantInfo info = {
      "v6.18+range-end-seq",
      VariantKind::kernel,
      "fix of hva-outside-memslot-stale-pfn: range_end bumps "
      "mmu_invalidate_seq even when no memslot overlaps the range",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kEndBumpsSeqWithoutMemslot = true;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_FIX_RANGE_END_SEQ_HPP
