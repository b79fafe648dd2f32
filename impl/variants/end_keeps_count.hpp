// impl/variants/end_keeps_count.hpp: mutant "end-keeps-count".
//
// kvm_mmu_notifier_invalidate_range_end() returns early when the range hit
// no memslot, before it drops mn_active_invalidate_count: one path that
// never ends the invalidation it started. Every later refresh retries for
// ever (mmu_notifier_retry_cache() sees the count raised), and a memslot
// update waits for ever. A progress mutant: the safety invariants hold in
// every execution that ends; the search reports the refresh's endless
// retry as LIVELOCK, and S17 where nothing waits on the count.
#ifndef PFV_IMPL_VARIANTS_END_KEEPS_COUNT_HPP
#define PFV_IMPL_VARIANTS_END_KEEPS_COUNT_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct EndKeepsCount : Pfncache<M, EndKeepsCount<M>> {
  static constexpr VariantInfo info = {
      "end-keeps-count",
      VariantKind::mutant,
      "range_end does not drop mn_active_invalidate_count when the range hit no memslot",
      /*caught_by=*/"livelock|S17",
      /*caught_in=*/"hva_outside_refresh_invalidate_read",
      /*why=*/nullptr};
  static constexpr bool kEndDropsCountAlways = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_END_KEEPS_COUNT_HPP
