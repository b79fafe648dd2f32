// impl/variants/srcu_skips_late_readers.hpp: mutant "srcu-skips-late-readers".
//
// SRCU's grace period without its first wait: a reader that read the index
// before the previous flip but counted itself after is not waited for.
#ifndef PFV_IMPL_VARIANTS_SRCU_SKIPS_LATE_READERS_HPP
#define PFV_IMPL_VARIANTS_SRCU_SKIPS_LATE_READERS_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct SrcuSkipsLateReaders : Pfncache<M, SrcuSkipsLateReaders<M>> {
  static constexpr VariantInfo info = {
      "srcu-skips-late-readers",
      VariantKind::mutant,
      "synchronize_srcu() skips its first wait, for readers that read the index before the previous flip",
      /*caught_by=*/"S15|race slot|race memslots|S9",
      /*caught_in=*/"read_memslot_move",
      /*why=*/nullptr};
  static constexpr bool kSrcuWaitsForLateReaders = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_SRCU_SKIPS_LATE_READERS_HPP
