// impl/variants/pre_patch.hpp: the pre-patch variant.
//
// v6.9 without 21dadfcd665e: the invalidation takes every cache's lock for
// write, whether or not the cache needs invalidating; everything else is
// v6.9 (including 6addfcf27139's refresh_lock in activate/deactivate and the
// missing access_ok()). It is not the code that preceded the patch in
// history (v6.8 had no refresh_lock in activate/deactivate and still had
// kvm_gpc_unmap()): it isolates the seed patch's one change.
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
      "v6.9 without 21dadfcd665e: invalidate_start takes each cache's write "
      "lock unconditionally",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kReadLockPrecheck = false;
  static constexpr bool kActivateHvaChecksAccessOk = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_PRE_PATCH_HPP
