// impl/variants/deactivate_leaves_valid.hpp: mutant "deactivate-leaves-valid".
//
// kvm_gpc_deactivate() as before 6addfcf27139 made it clear valid: an
// inactive cache stays valid, off the list that invalidations walk.
#ifndef PFV_IMPL_VARIANTS_DEACTIVATE_LEAVES_VALID_HPP
#define PFV_IMPL_VARIANTS_DEACTIVATE_LEAVES_VALID_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct DeactivateLeavesValid : Pfncache<M, DeactivateLeavesValid<M>> {
  static constexpr VariantInfo info = {
      "deactivate-leaves-valid",
      VariantKind::mutant,
      "kvm_gpc_deactivate() clears active, pfn and khva but leaves valid set",
      /*caught_by=*/"S6",
      /*caught_in=*/"activate_deactivate",
      /*why=*/nullptr};
  static constexpr bool kDeactivateClearsValid = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_DEACTIVATE_LEAVES_VALID_HPP
