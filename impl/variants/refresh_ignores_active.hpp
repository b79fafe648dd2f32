// impl/variants/refresh_ignores_active.hpp: mutant "refresh-ignores-active".
//
// __kvm_gpc_refresh() without the !gpc->active test added by ecbcf030b456
// (CVE-2022-49882): a refresh that runs after a deactivation validates a
// cache that is off the list, where no invalidation can reach it.
#ifndef PFV_IMPL_VARIANTS_REFRESH_IGNORES_ACTIVE_HPP
#define PFV_IMPL_VARIANTS_REFRESH_IGNORES_ACTIVE_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RefreshIgnoresActive : Pfncache<M, RefreshIgnoresActive<M>> {
  static constexpr VariantInfo info = {
      "refresh-ignores-active",
      VariantKind::mutant,
      "refresh maps an inactive cache (the state before ecbcf030b456)",
      /*caught_by=*/"S6",
      /*caught_in=*/"activate_deactivate",
      /*why=*/nullptr};
  static constexpr bool kRefreshChecksActive = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_REFRESH_IGNORES_ACTIVE_HPP
