// impl/variants/activate_without_refresh_lock.hpp: mutant "activate-without-refresh-lock".
//
// __kvm_gpc_activate() testing active outside refresh_lock: two activators
// both see the cache inactive and both add it to kvm->gpc_list.
#ifndef PFV_IMPL_VARIANTS_ACTIVATE_WITHOUT_REFRESH_LOCK_HPP
#define PFV_IMPL_VARIANTS_ACTIVATE_WITHOUT_REFRESH_LOCK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct ActivateWithoutRefreshLock : Pfncache<M, ActivateWithoutRefreshLock<M>> {
  static constexpr VariantInfo info = {
      "activate-without-refresh-lock",
      VariantKind::mutant,
      "kvm_gpc_activate() tests active without refresh_lock (the state before 6addfcf27139, which trusted the callers)",
      /*caught_by=*/"S14|S16|S6|race gpc",
      /*caught_in=*/"two_activators_invalidate",
      /*why=*/nullptr};
  static constexpr bool kActivateUnderRefreshLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_ACTIVATE_WITHOUT_REFRESH_LOCK_HPP
