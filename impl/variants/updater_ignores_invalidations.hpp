// impl/variants/updater_ignores_invalidations.hpp: mutant "updater-ignores-invalidations".
//
// kvm_swap_active_memslots() without its wait for in-flight invalidations: a
// range's start and end can see different memslots.
#ifndef PFV_IMPL_VARIANTS_UPDATER_IGNORES_INVALIDATIONS_HPP
#define PFV_IMPL_VARIANTS_UPDATER_IGNORES_INVALIDATIONS_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct UpdaterIgnoresInvalidations : Pfncache<M, UpdaterIgnoresInvalidations<M>> {
  static constexpr VariantInfo info = {
      "updater-ignores-invalidations",
      VariantKind::mutant,
      "kvm_swap_active_memslots() publishes without waiting for mn_active_invalidate_count to drop",
      /*caught_by=*/"S16|S17|S3|S1",
      /*caught_in=*/"memslot_delete_vs_invalidate,memslot_create_vs_invalidate",
      /*why=*/nullptr};
  static constexpr bool kSwapWaitsForInvalidations = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_UPDATER_IGNORES_INVALIDATIONS_HPP
