// impl/variants/lockless_precheck_marked.hpp: mutant "lockless-precheck-marked".
//
// lockless-precheck done the kernel memory model's way: the pre-check reads
// valid, pfn and uhva with READ_ONCE() and no lock, and every store to
// valid, pfn, uhva and active is a WRITE_ONCE(). There is no data race
// left for the race detector to report (two marked accesses never race),
// so the question is the one a reviewer of such a change asks: is the
// ordering enough? The invariants answer it.
#ifndef PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_MARKED_HPP
#define PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_MARKED_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct LocklessPrecheckMarked : Pfncache<M, LocklessPrecheckMarked<M>> {
  static constexpr VariantInfo info = {
      "lockless-precheck-marked", VariantKind::mutant,
      "the pre-check reads the cache with READ_ONCE() and no lock; every store to "
      "valid, pfn, uhva and active is a WRITE_ONCE()",
      /*caught_by=*/"S1|S11|race page",
      /*caught_in=*/
      "invalidate_vs_refresh,activate_deactivate,move_vs_invalidate,"
      "two_invalidators_refresh,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kPrecheckTakesLock = false;
  static constexpr bool kPrecheckMarked = true;

  static void bind_scenario(Kvm<M>&, Gpc<M>& g0, Gpc<M>& g1) {
    for (Gpc<M>* g : {&g0, &g1}) {
      g->valid.mark_stores();
      g->pfn.mark_stores();
      g->uhva.mark_stores();
      g->active.mark_stores();
    }
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_LOCKLESS_PRECHECK_MARKED_HPP
