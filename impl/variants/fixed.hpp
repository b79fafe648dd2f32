// impl/variants/fixed.hpp: v6.18 with the smallest fix of every safety
// finding (impl/findings.hpp). It must pass every scenario but the progress
// finding's (global-retry-starves-refresh), whose fix, v6.18+range-retry,
// does not compose with the release fix as written (see its header).
#ifndef PFV_IMPL_VARIANTS_FIXED_HPP
#define PFV_IMPL_VARIANTS_FIXED_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct Fixed : Pfncache<M, Fixed<M>> {
  static constexpr VariantInfo info = {
      "v6.18+fixes",
      VariantKind::kernel,
      "v6.18 with the smallest fixes of the safety findings (range_end seq, "
      "release invalidates)",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kEndBumpsSeqWithoutMemslot = true;
  static constexpr bool kReleaseInvalidatesCaches = true;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_FIXED_HPP
