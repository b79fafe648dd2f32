// impl/variants/no_end_wmb.hpp: mutant "no-end-wmb".
//
// kvm_mmu_invalidate_end() without the smp_wmb() that orders seq++ before
// the count decrement: the other half of the (G)/(L) pair.
#ifndef PFV_IMPL_VARIANTS_NO_END_WMB_HPP
#define PFV_IMPL_VARIANTS_NO_END_WMB_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoEndWmb : Pfncache<M, NoEndWmb<M>> {
  static constexpr VariantInfo info = {
      "no-end-wmb",
      VariantKind::mutant,
      "the smp_wmb() (L) between seq++ and the count decrement at range_end "
      "is dropped",
      /*caught_by=*/"S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,refresh_two_readers_invalidate,"
      "move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kEndWmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_END_WMB_HPP
