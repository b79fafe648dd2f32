// impl/variants/no_retry_rmb.hpp: mutant "no-retry-rmb".
//
// mmu_notifier_retry_cache() without the smp_rmb() that pairs with the
// smp_wmb() in kvm_mmu_invalidate_end(): the refresh may read the count
// already decremented and the seq not yet incremented (message passing
// without its read barrier).
#ifndef PFV_IMPL_VARIANTS_NO_RETRY_RMB_HPP
#define PFV_IMPL_VARIANTS_NO_RETRY_RMB_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoRetryRmb : Pfncache<M, NoRetryRmb<M>> {
  static constexpr VariantInfo info = {
      "no-retry-rmb",
      VariantKind::mutant,
      "the smp_rmb() (G) between the count and seq reads in "
      "mmu_notifier_retry_cache() is dropped",
      /*caught_by=*/"S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,refresh_two_readers_invalidate,"
      "move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kRetryRmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_RETRY_RMB_HPP
