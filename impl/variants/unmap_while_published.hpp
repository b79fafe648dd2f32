// impl/variants/unmap_while_published.hpp: mutant "unmap-while-published".
//
// kvm_gpc_deactivate() unmapping first: a reader that passed kvm_gpc_check()
// still uses a khva that is gone.
#ifndef PFV_IMPL_VARIANTS_UNMAP_WHILE_PUBLISHED_HPP
#define PFV_IMPL_VARIANTS_UNMAP_WHILE_PUBLISHED_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct UnmapWhilePublished : Pfncache<M, UnmapWhilePublished<M>> {
  static constexpr VariantInfo info = {
      "unmap-while-published",
      VariantKind::mutant,
      "kvm_gpc_deactivate() unmaps khva before the write critical section that stops publishing it",
      /*caught_by=*/"S8|S1",
      /*caught_in=*/"two_caches_deactivate_activate_read",
      /*why=*/nullptr};
  static constexpr bool kDeactivateUnmapsAfterUnpublish = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_UNMAP_WHILE_PUBLISHED_HPP
