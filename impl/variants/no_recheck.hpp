// impl/variants/no_recheck.hpp: mutant "no-recheck".
//
// The seed patch without the second check under the write lock. The patch's
// comment says the cache "could be modified" in the window between dropping
// the read lock and taking the write lock; this variant stores valid = false
// there regardless. Whether that can break anything is the question the
// suite answers (docs/race-window.md).
#ifndef PFV_IMPL_VARIANTS_NO_RECHECK_HPP
#define PFV_IMPL_VARIANTS_NO_RECHECK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoRecheck : Pfncache<M, NoRecheck<M>> {
  static constexpr VariantInfo info = {
      "no-recheck",
      VariantKind::mutant,
      "21dadfcd665e without its re-check: after a matching pre-check, "
      "invalidate under the write lock unconditionally",
      /*caught_by=*/"harmless",
      /*caught_in=*/nullptr,
      /*why=*/
      "the window can only make the cache invalid: after the pre-check "
      "matched, this invalidation is in flight (its count is raised and its "
      "walk holds the cache), so no refresh can make the cache valid again "
      "before the write lock is taken (S2); whatever changed in the window "
      "left valid false, and the unconditional store only writes false over "
      "false (counted as W8)",
      /*sometimes=*/"W8"};
  static constexpr bool kRecheckUnderWriteLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_RECHECK_HPP
