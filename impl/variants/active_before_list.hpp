// impl/variants/active_before_list.hpp: mutant "active-before-list".
//
// kvm_gpc_activate() in the wrong order: between setting active and
// list_add() a refresh may validate a cache that invalidations cannot see.
#ifndef PFV_IMPL_VARIANTS_ACTIVE_BEFORE_LIST_HPP
#define PFV_IMPL_VARIANTS_ACTIVE_BEFORE_LIST_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct ActiveBeforeList : Pfncache<M, ActiveBeforeList<M>> {
  static constexpr VariantInfo info = {
      "active-before-list",
      VariantKind::mutant,
      "activate sets active before putting the cache on kvm->gpc_list",
      /*caught_by=*/"S6",
      /*caught_in=*/"activate_deactivate",
      /*why=*/nullptr};
  static constexpr bool kListBeforeActive = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_ACTIVE_BEFORE_LIST_HPP
