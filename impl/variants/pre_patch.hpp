// impl/variants/pre_patch.hpp: the pre-patch variant.
//
// v6.9 without 21dadfcd665e: the invalidation takes every cache's lock for
// write, whether or not the cache needs invalidating. This is the code the
// seed patch changed; everything else is v6.9.
#ifndef PFV_IMPL_VARIANTS_PRE_PATCH_HPP
#define PFV_IMPL_VARIANTS_PRE_PATCH_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct PrePatch : Pfncache<M, PrePatch<M>> {
  static constexpr VariantInfo info = {
      "pre-patch",
      VariantKind::kernel,
      "before 21dadfcd665e: invalidate_start takes each cache's write lock "
      "unconditionally",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kReadLockPrecheck = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_PRE_PATCH_HPP
