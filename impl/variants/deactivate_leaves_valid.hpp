// impl/variants/deactivate_leaves_valid.hpp: mutant "deactivate-leaves-valid".
//
// kvm_gpc_deactivate() as it was before 9f87791d686d (v6.2: "KVM: Drop KVM's
// API to allow temporarily unmapping gfn=>pfn cache") moved the store of
// valid = false into it: in v5.17..v6.1 deactivate cleared only active, and
// kvm_gfn_to_pfn_cache_unmap() cleared valid later, under refresh_lock. In
// between, an inactive cache stays valid, off the list that invalidations
// walk. (6addfcf27139, v6.9, added refresh_lock around deactivate; the store
// itself is older.)
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
