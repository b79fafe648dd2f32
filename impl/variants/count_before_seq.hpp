// impl/variants/count_before_seq.hpp: mutant "count-before-seq".
//
// kvm_mmu_notifier_invalidate_range_end() with its two halves swapped: the
// count reaches zero while the seq still has its old value, so a refresh
// whose GUP raced with the invalidation passes both tests.
#ifndef PFV_IMPL_VARIANTS_COUNT_BEFORE_SEQ_HPP
#define PFV_IMPL_VARIANTS_COUNT_BEFORE_SEQ_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct CountBeforeSeq : Pfncache<M, CountBeforeSeq<M>> {
  static constexpr VariantInfo info = {
      "count-before-seq",
      VariantKind::mutant,
      "range_end drops mn_active_invalidate_count before it bumps "
      "mmu_invalidate_seq",
      /*caught_by=*/"S3|S1",
      /*caught_in=*/
      "invalidate_vs_refresh,refresh_read_invalidate,activate_deactivate,"
      "two_invalidators_refresh,refresh_two_readers_invalidate,"
      "move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kEndSeqBeforeCount = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_COUNT_BEFORE_SEQ_HPP
