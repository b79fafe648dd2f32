// impl/variants/runstate_lock_order_reversed.hpp: mutant "runstate-lock-order-reversed".
//
// kvm_xen_update_runstate_guest() taking its two caches' read locks in the
// other order. Registered as harmless: see why.
#ifndef PFV_IMPL_VARIANTS_RUNSTATE_LOCK_ORDER_REVERSED_HPP
#define PFV_IMPL_VARIANTS_RUNSTATE_LOCK_ORDER_REVERSED_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct RunstateLockOrderReversed : Pfncache<M, RunstateLockOrderReversed<M>> {
  static constexpr VariantInfo info = {
      "runstate-lock-order-reversed",
      VariantKind::mutant,
      "the runstate update takes gpc2's lock before gpc1's",
      /*caught_by=*/"harmless",
      /*caught_in=*/nullptr,
      /*why=*/
      "no other path in KVM holds two gpc locks at once (the invalidation walk and "
      "refresh take one gpc->lock at a time, users switch caches by dropping "
      "the first), so either order is acyclic; the fixed order matters to "
      "lockdep's subclass annotation (lock_set_subclass), not to deadlock "
      "freedom. The complete search with fair rwlocks (a task reader waits behind "
      "a waiting writer) finds no deadlock either way"};
  static constexpr bool kRunstateLockOrder = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_RUNSTATE_LOCK_ORDER_REVERSED_HPP
