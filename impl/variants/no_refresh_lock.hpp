// impl/variants/no_refresh_lock.hpp: mutant "no-refresh-lock".
//
// No gpc->refresh_lock (as before 93984f19e7bc): two refreshes, or a refresh
// and a (de)activation, interleave while one of them has gpc->lock dropped.
#ifndef PFV_IMPL_VARIANTS_NO_REFRESH_LOCK_HPP
#define PFV_IMPL_VARIANTS_NO_REFRESH_LOCK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoRefreshLock : Pfncache<M, NoRefreshLock<M>> {
  static constexpr VariantInfo info = {
      "no-refresh-lock",
      VariantKind::mutant,
      "refresh, activate and deactivate do not serialise on gpc->refresh_lock",
      /*caught_by=*/
      "S5|S4|S3|S6|race gpc.uhva|race gpc.pfn|race gpc.khva|race "
      "gpc.active|race gpc.gpa|race gpc.generation|race gpc.valid",
      /*caught_in=*/"activate_deactivate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kRefreshLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_REFRESH_LOCK_HPP
