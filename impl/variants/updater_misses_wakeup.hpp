// impl/variants/updater_misses_wakeup.hpp: mutant "updater-misses-wakeup".
//
// kvm_swap_active_memslots() drops mn_invalidate_lock before it sets its
// task state to TASK_UNINTERRUPTIBLE. A range_end that drops the count in
// between finds the task still running and its wake-up sets it running
// again; the updater then sets itself sleeping and sleeps for ever, with no
// invalidation left to wake it: the classic lost wake-up. A progress
// mutant: the search reports LIVELOCK (the updater waits at schedule()'s
// hint, and nothing it reads can change).
#ifndef PFV_IMPL_VARIANTS_UPDATER_MISSES_WAKEUP_HPP
#define PFV_IMPL_VARIANTS_UPDATER_MISSES_WAKEUP_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct UpdaterMissesWakeup : Pfncache<M, UpdaterMissesWakeup<M>> {
  static constexpr VariantInfo info = {
      "updater-misses-wakeup",
      VariantKind::mutant,
      "kvm_swap_active_memslots() sets its task state to sleeping only after it drops "
      "mn_invalidate_lock",
      /*caught_by=*/"livelock",
      /*caught_in=*/"memslot_delete_vs_invalidate,memslot_create_vs_invalidate",
      /*why=*/nullptr};
  static constexpr bool kSleepStateUnderLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_UPDATER_MISSES_WAKEUP_HPP
