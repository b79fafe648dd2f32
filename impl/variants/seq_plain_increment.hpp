// impl/variants/seq_plain_increment.hpp: artifact "seq-plain-increment".
//
// kvm_mmu_invalidate_end() exactly as the kernel writes it: a plain
// increment of mmu_invalidate_seq under mmu_lock, here a relaxed load and a
// relaxed store. It is not a bug in the kernel. In C11 the store of an
// increment that is not a read-modify-write does not continue the release
// sequence of the increment it read, so after two overlapping invalidations
// a refresh whose seq snapshot read the second increment is not ordered
// after the first invalidation's page-table update, and may install the
// frame that invalidation unmapped (S3). The Linux memory model forbids
// that outcome: the earlier invalidation's smp_mb() (its TLB flush) makes
// its page-table update propagate before its seq store, and the later
// increment's store depends on reading it. Pfncache models the increment
// as a relaxed fetch_add, which gives C11 the same guarantee. (GUP's own
// fully ordered reference grab would also forbid it, in C11 too; the model
// keeps only the acquire half of that barrier, see HostMmu::hva_to_pfn().)
// This variant keeps the difference visible (docs/limits.md).
#ifndef PFV_IMPL_VARIANTS_SEQ_PLAIN_INCREMENT_HPP
#define PFV_IMPL_VARIANTS_SEQ_PLAIN_INCREMENT_HPP

#include "impl/info.hpp"
#include "impl/pfncache.hpp"

namespace pfv {

template <class M>
struct SeqPlainIncrement : Pfncache<M, SeqPlainIncrement<M>> {
  static constexpr VariantInfo info = {
      "seq-plain-increment",
      VariantKind::artifact,
      "the kernel's plain mmu_invalidate_seq++ as a relaxed load and store: "
      "fails only under C11, not under the Linux memory model",
      /*caught_by=*/"S3",
      /*caught_in=*/"two_invalidators_refresh",
      /*why=*/nullptr};

  static void kvm_mmu_invalidate_end(Kvm<M>& kvm) {
    // Called under mmu_lock (write).
    const unsigned long seq = kvm.mmu_invalidate_seq.load(std::memory_order_relaxed);
    kvm.mmu_invalidate_seq.store(seq + 1, std::memory_order_relaxed);  // (K), as written
    M::smp_wmb();  // (L)
    const long in_progress = kvm.mmu_invalidate_in_progress.load() - 1;
    kvm.mmu_invalidate_in_progress.store(in_progress);
    M::check(in_progress >= 0, inv::S16_in_progress);
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_VARIANTS_SEQ_PLAIN_INCREMENT_HPP
