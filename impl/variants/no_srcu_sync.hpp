// impl/variants/no_srcu_sync.hpp: mutant "no-srcu-sync".
//
// kvm_swap_active_memslots() without synchronize_srcu_expedited(): the old
// memslots are edited and freed while readers may still use them.
#ifndef PFV_IMPL_VARIANTS_NO_SRCU_SYNC_HPP
#define PFV_IMPL_VARIANTS_NO_SRCU_SYNC_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoSrcuSync : Pfncache<M, NoSrcuSync<M>> {
  static constexpr VariantInfo info = {
      "no-srcu-sync",
      VariantKind::mutant,
      "kvm_swap_active_memslots() does not wait for SRCU readers before it finishes the generation and the old slots go",
      /*caught_by=*/"race slot|race memslots|S9|S3|S1",
      /*caught_in=*/"read_memslot_move,refresh_memslot_delete_munmap",
      /*why=*/nullptr};
  static constexpr bool kSwapSynchronizesSrcu = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_SRCU_SYNC_HPP
