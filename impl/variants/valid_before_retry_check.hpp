// impl/variants/valid_before_retry_check.hpp: mutant "valid-before-retry-check".
//
// hva_to_pfn_retry() sets valid = true before asking whether it must retry,
// so a retry drops the lock with the cache valid on a page that may be going
// away.
#ifndef PFV_IMPL_VARIANTS_VALID_BEFORE_RETRY_CHECK_HPP
#define PFV_IMPL_VARIANTS_VALID_BEFORE_RETRY_CHECK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct ValidBeforeRetryCheck : Pfncache<M, ValidBeforeRetryCheck<M>> {
  static constexpr VariantInfo info = {
      "valid-before-retry-check",
      VariantKind::mutant,
      "hva_to_pfn_retry() publishes valid, pfn and khva before "
      "mmu_notifier_retry_cache() decides",
      /*caught_by=*/"S4|S5|S2|S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "move_vs_invalidate,two_invalidators_refresh,"
      "refresh_two_readers_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kValidAfterRetryCheck = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_VALID_BEFORE_RETRY_CHECK_HPP
