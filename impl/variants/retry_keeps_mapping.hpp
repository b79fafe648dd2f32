// impl/variants/retry_keeps_mapping.hpp: mutant "retry-keeps-mapping".
//
// hva_to_pfn_retry() without the unmap of a lost pass's new mapping: the
// kmap (or memremap) leaks.
#ifndef PFV_IMPL_VARIANTS_RETRY_KEEPS_MAPPING_HPP
#define PFV_IMPL_VARIANTS_RETRY_KEEPS_MAPPING_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RetryKeepsMapping : Pfncache<M, RetryKeepsMapping<M>> {
  static constexpr VariantInfo info = {
      "retry-keeps-mapping",
      VariantKind::mutant,
      "a lost pass of the retry loop does not unmap the mapping it made",
      /*caught_by=*/"S13",
      /*caught_in=*/"invalidate_vs_refresh,device_zap_refresh_read",
      /*why=*/nullptr};
  static constexpr bool kRetryUnmapsNewMapping = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_RETRY_KEEPS_MAPPING_HPP
