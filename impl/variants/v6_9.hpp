// impl/variants/v6_9.hpp: the v6.9 variant.
//
// The protocol as merged for v6.9: virt/kvm/pfncache.c after the Durrant
// series (the read-lock pre-check of 21dadfcd665e with its write-lock
// re-check, HVA-based caches, page offsets in uhva) and David Woodhouse's
// 6addfcf27139 (refresh_lock around activate and deactivate). Two
// differences from the newest text (Pfncache's defaults, the v6.18 variant):
//   * kvm_gpc_activate_hva() has no access_ok() (it came in v6.11 with
//     ebbdf37ce9ab; in v6.9 only Xen's SHARED_INFO_HVA caller checked);
//   * GUP's reference is dropped with kvm_release_pfn_clean() (v6.13 made it
//     kvm_release_page_unused()/_clean() on the page hva_to_pfn() returns);
//     the model drops the same reference either way.
#ifndef PFV_IMPL_VARIANTS_V6_9_HPP
#define PFV_IMPL_VARIANTS_V6_9_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct V6_9 : Pfncache<M, V6_9<M>> {
  static constexpr VariantInfo info = {
      "v6.9",
      VariantKind::kernel,
      "v6.9: the read-lock pre-check (21dadfcd665e) with its write-lock "
      "re-check; no access_ok() in kvm_gpc_activate_hva()",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
  static constexpr bool kActivateHvaChecksAccessOk = false;
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_V6_9_HPP
