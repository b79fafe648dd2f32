// impl/variants/retry_keeps_page.hpp: mutant "retry-keeps-page".
//
// hva_to_pfn_retry() without the release of a lost pass's page: GUP's
// reference leaks (before 85165781c5d9 the cache pinned its page; since, it
// must not).
#ifndef PFV_IMPL_VARIANTS_RETRY_KEEPS_PAGE_HPP
#define PFV_IMPL_VARIANTS_RETRY_KEEPS_PAGE_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RetryKeepsPage : Pfncache<M, RetryKeepsPage<M>> {
  static constexpr VariantInfo info = {
      "retry-keeps-page",
      VariantKind::mutant,
      "a lost pass of the retry loop does not drop its page reference",
      /*caught_by=*/"S12",
      /*caught_in=*/"invalidate_vs_refresh,two_invalidators_refresh",
      /*why=*/nullptr};
  static constexpr bool kRetryReleasesPage = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_RETRY_KEEPS_PAGE_HPP
