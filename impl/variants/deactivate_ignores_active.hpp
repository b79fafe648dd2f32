// impl/variants/deactivate_ignores_active.hpp: mutant "deactivate-ignores-active".
//
// kvm_gpc_deactivate() without its test of active: deactivating a cache that
// is not active (never activated, or already deactivated, as VM teardown
// does for every cache) deletes it from kvm->gpc_list anyway.
#ifndef PFV_IMPL_VARIANTS_DEACTIVATE_IGNORES_ACTIVE_HPP
#define PFV_IMPL_VARIANTS_DEACTIVATE_IGNORES_ACTIVE_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct DeactivateIgnoresActive : Pfncache<M, DeactivateIgnoresActive<M>> {
  static constexpr VariantInfo info = {
      "deactivate-ignores-active",
      VariantKind::mutant,
      "kvm_gpc_deactivate() does not test active: an inactive cache is list_del()ed",
      /*caught_by=*/"S14",
      /*caught_in=*/"two_caches_deactivate_activate_read",
      /*why=*/nullptr};
  static constexpr bool kDeactivateChecksActive = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_DEACTIVATE_IGNORES_ACTIVE_HPP
