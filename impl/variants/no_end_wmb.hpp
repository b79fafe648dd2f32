// impl/variants/no_end_wmb.hpp: mutant "no-end-wmb".
//
// kvm_mmu_invalidate_end() without the smp_wmb() that orders seq++ before
// the count decrement: the other half of the (G)/(L) pair. Registered as
// harmless for the pfn caches under the kernel's lock ordering (see why and
// docs/mutants/no-end-wmb.md); caught under C11 lock ordering (--c11-locks,
// ctest relacy.gate_c11_locks).
#ifndef PFV_IMPL_VARIANTS_NO_END_WMB_HPP
#define PFV_IMPL_VARIANTS_NO_END_WMB_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct NoEndWmb : Pfncache<M, NoEndWmb<M>> {
  static constexpr VariantInfo info = {
      "no-end-wmb",
      VariantKind::mutant,
      "the smp_wmb() (L) between seq++ and the count decrement at range_end "
      "is dropped",
      /*caught_by=*/"harmless",
      /*caught_in=*/nullptr,
      /*why=*/
      "the count (M) is decremented after range_end drops mmu_lock and takes "
      "mn_invalidate_lock, with no access in between: the LKMM's po-unlock-lock-po "
      "orders the seq++ before the decrement for every observer, as (L) does (and the "
      "kernel's srcu_read_unlock() between them is an smp_mb() too). (L) is still what "
      "orders seq++ before mmu_invalidate_in_progress-- for the page-fault path, which "
      "the model does not have. Under C11 lock ordering the same search finds S3",
      /*sometimes=*/"R3"};
  static constexpr bool kEndWmb = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_NO_END_WMB_HPP
