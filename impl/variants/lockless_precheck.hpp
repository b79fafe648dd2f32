// impl/variants/lockless_precheck.hpp: mutant "lockless-precheck".
//
// The pre-check reads valid, pfn and uhva without gpc->lock: nothing orders
// the walk after a refresh's critical section, so a refresh can validate the
// cache after the pre-check saw it invalid.
#ifndef PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_HPP
#define PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct LocklessPrecheck : Pfncache<M, LocklessPrecheck<M>> {
  static constexpr VariantInfo info = {
      "lockless-precheck",
      VariantKind::mutant,
      "the pre-check reads the cache with no lock and no barrier",
      /*caught_by=*/"race gpc.valid|race gpc.pfn|race gpc.uhva|race gpc.active",
      /*caught_in=*/
      "invalidate_vs_refresh,activate_deactivate,move_vs_invalidate,"
      "two_invalidators_refresh,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kPrecheckTakesLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_HPP
