// impl/variants/v6_18.hpp: the v6.18 variant (the newest kernel text).
//
// virt/kvm/pfncache.c as of v6.13 and unchanged through v6.18 (and the
// February 2026 mainline): v6.9's protocol, plus access_ok() in
// kvm_gpc_activate_hva() (ebbdf37ce9ab, v6.11) and struct kvm_follow_pfn with
// kvm_release_page_unused()/kvm_release_page_clean() in hva_to_pfn_retry()
// (v6.13). Every knob of Pfncache keeps its default: Pfncache is this text.
#ifndef PFV_IMPL_VARIANTS_V6_18_HPP
#define PFV_IMPL_VARIANTS_V6_18_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct V6_18 : Pfncache<M, V6_18<M>> {
  static constexpr VariantInfo info = {
      "v6.18",
      VariantKind::kernel,
      "v6.18 (v6.13 onwards): v6.9 plus access_ok() in kvm_gpc_activate_hva() "
      "and kvm_follow_pfn's page releases",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_V6_18_HPP
