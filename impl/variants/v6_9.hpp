// impl/variants/v6_9.hpp: the v6.9 variant.
//
// The protocol as merged for v6.9: virt/kvm/pfncache.c after the Durrant
// series (including 21dadfcd665e, the read-lock pre-check with its write-lock
// re-check) and David Woodhouse's 6addfcf27139 (refresh_lock around activate
// and deactivate). Every knob of Pfncache keeps its kernel default.
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
      "re-check",
      /*caught_by=*/nullptr,
      /*caught_in=*/nullptr,
      /*why=*/nullptr};
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_V6_9_HPP
