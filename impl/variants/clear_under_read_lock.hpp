// impl/variants/clear_under_read_lock.hpp: mutant "clear-under-read-lock".
//
// The pre-check invalidates a matching cache without upgrading to the
// write lock: a write under a read lock, racing with every reader's
// kvm_gpc_check().
#ifndef PFV_IMPL_VARIANTS_CLEAR_UNDER_READ_LOCK_HPP
#define PFV_IMPL_VARIANTS_CLEAR_UNDER_READ_LOCK_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct ClearUnderReadLock : Pfncache<M, ClearUnderReadLock<M>> {
  static constexpr VariantInfo info = {
      "clear-under-read-lock",
      VariantKind::mutant,
      "the pre-check writes valid = false while holding gpc->lock only for "
      "read",
      /*caught_by=*/"race gpc.valid",
      /*caught_in=*/
      "invalidate_vs_read,refresh_read_invalidate,move_vs_invalidate,"
      "refresh_two_readers_invalidate,move_refresh_read_invalidate",
      /*why=*/nullptr};
  static constexpr bool kInvalidateUnderWriteLock = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_CLEAR_UNDER_READ_LOCK_HPP
