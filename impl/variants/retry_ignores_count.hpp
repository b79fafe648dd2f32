// impl/variants/retry_ignores_count.hpp: mutant "retry-ignores-count".
//
// mmu_notifier_retry_cache() without its first test. The seq only moves at
// range_end, so a refresh that completes between an invalidation's walk and
// its end installs the page the primary MMU is about to free.
#ifndef PFV_IMPL_VARIANTS_RETRY_IGNORES_COUNT_HPP
#define PFV_IMPL_VARIANTS_RETRY_IGNORES_COUNT_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RetryIgnoresCount : Pfncache<M, RetryIgnoresCount<M>> {
  static constexpr VariantInfo info = {
      "retry-ignores-count",
      VariantKind::mutant,
      "mmu_notifier_retry_cache() ignores mn_active_invalidate_count and "
      "looks only at mmu_invalidate_seq",
      /*caught_by=*/"S2|S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,"
      "refresh_two_readers_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kRetryChecksCount = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_RETRY_IGNORES_COUNT_HPP
