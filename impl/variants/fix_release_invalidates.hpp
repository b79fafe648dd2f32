// impl/variants/fix_release_invalidates.hpp: the smallest fix of finding
// mm-teardown-leaves-cache-valid (docs/findings/), on v6.18.
//
// kvm_mmu_notifier_release() treats the teardown as an invalidation of the
// whole address space that never ends: it raises mn_active_invalidate_count
// and leaves it raised (kvm_destroy_vm() already resets an unbalanced
// count), and walks every cache (gfn_to_pfn_cache_invalidate_start(kvm, 0,
// ULONG_MAX)). No cache stays valid, and a refresh in flight or started
// later retries until GUP finds the page gone:
//
//   	idx = srcu_read_lock(&kvm->srcu);
//   	kvm_flush_shadow_all(kvm);
//   	srcu_read_unlock(&kvm->srcu, idx);
//  +	spin_lock(&kvm->mn_invalidate_lock);
//  +	kvm->mn_active_invalidate_count++;
//  +	spin_unlock(&kvm->mn_invalidate_lock);
//  +	gfn_to_pfn_cache_invalidate_start(kvm, 0, ULONG_MAX);
//
// (An invalidation that also dropped the count again was tried first: the
// gate showed a refresh that starts after ->release still installing a page
// exit_mmap() then unmaps unseen, teardown_vs_refresh_read.)
#ifndef PFV_IMPL_VARIANTS_FIX_RELEASE_INVALIDATES_HPP
#define PFV_IMPL_VARIANTS_FIX_RELEASE_INVALIDATES_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct FixReleaseInvalidates : Pfncache<M, FixReleaseInvalidates<M>> {
  static constexpr VariantInfo info = {
      "v6.18+release-invalidates",
      VariantKind::kernel,
      "fix of mm-teardown-leaves-cache-valid: mmu_notifier release invalidates "
      "every cache and leaves mn_active_invalidate_count raised",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kReleaseInvalidatesCaches = true;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_FIX_RELEASE_INVALIDATES_HPP
