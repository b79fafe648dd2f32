// impl/variants/use_after_unlock.hpp: mutant "use-after-unlock".
//
// A user that checks the cache under the read lock but uses khva after
// read_unlock(): nothing stops the invalidation from freeing the page in
// between.
#ifndef PFV_IMPL_VARIANTS_USE_AFTER_UNLOCK_HPP
#define PFV_IMPL_VARIANTS_USE_AFTER_UNLOCK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct UseAfterUnlock : Pfncache<M, UseAfterUnlock<M>> {
  static constexpr VariantInfo info = {
      "use-after-unlock",
      VariantKind::mutant,
      "a reader touches the page through khva after dropping gpc->lock",
      /*caught_by=*/"S1|race page",
      /*caught_in=*/
      "invalidate_vs_read,refresh_read_invalidate,move_vs_invalidate,"
      "refresh_two_readers_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kUseUnderReadLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_USE_AFTER_UNLOCK_HPP
