// impl/variants/seq_plain_increment.hpp: artifact "seq-plain-increment".
//
// kvm_mmu_invalidate_end() exactly as the kernel writes it: a plain
// increment of mmu_invalidate_seq under mmu_lock, here a relaxed load and a
// relaxed store. It is not a bug in the kernel. In C11 the store of an
// increment that is not a read-modify-write does not continue the release
// sequence of the increment it read, so after two overlapping invalidations
// a refresh whose seq snapshot read the second increment is not ordered
// after the first invalidation's page-table update, and its GUP may read
// that page's old entry. The Linux memory model forbids that outcome (the
// earlier invalidation's smp_mb(), its TLB flush, makes its page-table update
// propagate before its seq store, and the later increment's store depends
// on reading it); Pfncache models the increment as a relaxed fetch_add,
// which gives C11 the same guarantee. Before page references were modelled
// this text failed S3 (GUP returned the freed page); now GUP cannot take a
// page whose last reference is gone, and the C11 execution is harmless: the
// variant stays, registered as harmless, so that the difference remains
// tested (docs/limits.md).
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
      "the kernel's plain mmu_invalidate_seq++ as a relaxed load and store: a "
      "C11-only reordering, harmless since GUP takes page references",
      /*caught_by=*/"harmless",
      /*caught_in=*/nullptr,
      /*why=*/
      "the execution C11 allows here ends with GUP reading the entry of a page the "
      "first invalidation replaced; with page references modelled, that page has "
      "lost its last reference before either seq store, so GUP cannot take it "
      "and reads again: the kernel's plain increment passes every scenario under "
      "C11 too (before page references were modelled it failed S3 in "
      "two_invalidators_refresh, docs/limits.md)",
      /*sometimes=*/"P5"};

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
