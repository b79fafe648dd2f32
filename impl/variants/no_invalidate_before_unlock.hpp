// impl/variants/no_invalidate_before_unlock.hpp: mutant "no-invalidate-before-unlock".
//
// hva_to_pfn_retry() without its first statement. A refresh that moved the
// cache to a new address (new gpa or memslot generation) drops the lock
// with the cache still valid on the old page.
#ifndef PFV_IMPL_VARIANTS_NO_INVALIDATE_BEFORE_UNLOCK_HPP
#define PFV_IMPL_VARIANTS_NO_INVALIDATE_BEFORE_UNLOCK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoInvalidateBeforeUnlock : Pfncache<M, NoInvalidateBeforeUnlock<M>> {
  static constexpr VariantInfo info = {
      "no-invalidate-before-unlock",
      VariantKind::mutant,
      "hva_to_pfn_retry() drops gpc->lock without setting valid = false first "
      "(A)",
      /*caught_by=*/"S4|S3",
      /*caught_in=*/"move_vs_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kInvalidateBeforeUnlock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_INVALIDATE_BEFORE_UNLOCK_HPP
