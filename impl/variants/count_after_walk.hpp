// impl/variants/count_after_walk.hpp: mutant "count-after-walk".
//
// kvm_mmu_notifier_invalidate_range_start() with the count raised after
// gfn_to_pfn_cache_invalidate_start(): a refresh that re-takes the lock just
// after the walk sees the count still at zero.
#ifndef PFV_IMPL_VARIANTS_COUNT_AFTER_WALK_HPP
#define PFV_IMPL_VARIANTS_COUNT_AFTER_WALK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct CountAfterWalk : Pfncache<M, CountAfterWalk<M>> {
  static constexpr VariantInfo info = {
      "count-after-walk",
      VariantKind::mutant,
      "invalidate_range_start raises mn_active_invalidate_count only after "
      "walking the caches",
      /*caught_by=*/"S2|S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,"
      "refresh_two_readers_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kCountBeforeWalk = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_COUNT_AFTER_WALK_HPP
