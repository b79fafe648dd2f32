// impl/variants/check_ignores_generation.hpp: mutant "check-ignores-generation".
//
// kvm_gpc_check() without its generation test: a GPA-based cache made from
// memslots that have since changed passes the check.
#ifndef PFV_IMPL_VARIANTS_CHECK_IGNORES_GENERATION_HPP
#define PFV_IMPL_VARIANTS_CHECK_IGNORES_GENERATION_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct CheckIgnoresGeneration : Pfncache<M, CheckIgnoresGeneration<M>> {
  static constexpr VariantInfo info = {
      "check-ignores-generation",
      VariantKind::mutant,
      "kvm_gpc_check() does not compare the memslot generation",
      /*caught_by=*/"S9|race slot",
      /*caught_in=*/"read_memslot_move",
      /*why=*/nullptr};
  static constexpr bool kCheckGeneration = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_CHECK_IGNORES_GENERATION_HPP
