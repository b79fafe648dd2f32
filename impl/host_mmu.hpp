// impl/host_mmu.hpp: the primary MMU, as far as the pfn cache can tell.
//
// WHAT IT IS
//   A handful of host user pages (hva page numbers 0..kHvas-1), each mapped
//   by a page-table entry to a page frame (pfn 0..kPages-1). GUP
//   (hva_to_pfn) reads the entry; an invalidation replaces it (page
//   migration: the page moves to a fresh frame) and frees the old frame.
//
// GUARANTEE (of the model, towards the checks)
//   * A frame is LIVE while mapped, UNMAPPED from the moment the primary MMU
//     starts replacing its entry, FREED once it is freed. The state is ghost
//     state: read and written in execution order, invisible to the memory
//     model. A freed frame's contents are overwritten (poisoned), so a use
//     the ghost check somehow missed still races with the poisoning store.
//   * The primary MMU changes an entry only after invalidate_range_start()
//     has returned, and frees the old frame right away: the most aggressive
//     timing the mmu_notifier contract allows ("KVM absolutely must not touch
//     the memory after .invalidate_range_start()"). Any later free would only
//     hide uses.
//
// MEMORY ORDERING
//   The entry is read by GUP with a relaxed load (gup-fast reads the PTE with
//   READ_ONCE). After replacing it the primary MMU flushes the TLB, modelled
//   as smp_mb(): it is the barrier the smp_rmb() after the
//   mmu_invalidate_seq snapshot in hva_to_pfn_retry() pairs with (if the
//   snapshot saw the seq++ of range_end, the page-table read after it sees
//   the new entry).
//
// CAVEATS
//   * Page reference counts are not modelled: a frame GUP returned may be
//     freed while refresh still holds it. refresh never touches the contents
//     of the frame, and the cache drops its reference anyway (85165781c5d9),
//     so this only makes frees earlier, never later.
//   * One memslot maps gfn g to hva g; memslots are never updated.
#ifndef PFV_IMPL_HOST_MMU_HPP
#define PFV_IMPL_HOST_MMU_HPP

#include <cstdint>

#include "impl/invariants.hpp"
#include "model/model.hpp"

namespace pfv {

using gpa_t = std::uint64_t;   // guest physical page number
using hva_t = std::uint64_t;   // host user page number
using pfn_t = std::uint64_t;   // host page frame number
using khva_t = std::uint64_t;  // kernel mapping of a frame: 0 is NULL, else pfn + 1

inline constexpr pfn_t KVM_PFN_ERR_FAULT = ~pfn_t(0);
inline constexpr hva_t KVM_HVA_ERR_BAD = ~hva_t(0);
inline constexpr gpa_t INVALID_GPA = ~gpa_t(0);
inline constexpr unsigned long PAGE_SIZE = 4096;

inline bool is_error_noslot_pfn(pfn_t pfn) { return pfn == KVM_PFN_ERR_FAULT; }
inline bool kvm_is_error_hva(hva_t hva) { return hva == KVM_HVA_ERR_BAD; }

template <class M>
struct HostMmu {
  static constexpr unsigned kHvas = 2;
  static constexpr unsigned kPages = 5;
  static constexpr int kPoison = -1;

  // Ghost frame state, packed: state in bits 0..7, users in bits 8..15.
  static constexpr std::uint32_t LIVE = 0, UNMAPPED = 1, FREED = 2;
  static constexpr std::uint32_t USER = 1u << 8;
  static std::uint32_t state_of(std::uint32_t g) { return g & 0xff; }
  static std::uint32_t users_of(std::uint32_t g) { return (g >> 8) & 0xff; }

  // Page tables: hva h initially maps frame h.
  atomic_t<M, pfn_t> pte[kHvas] = {{"mm.pte[0]", 0}, {"mm.pte[1]", 1}};
  spinlock_t<M> ptl{"mm.ptl"};

  // The frames: their contents and their ghost state.
  var_t<M, int> data[kPages] = {{"page[0].data", 0},
                                {"page[1].data", 0},
                                {"page[2].data", 0},
                                {"page[3].data", 0},
                                {"page[4].data", 0}};
  ghost_t<M, std::uint32_t> frame[kPages] = {{"page[0].state", LIVE},
                                             {"page[1].state", LIVE},
                                             {"page[2].state", LIVE},
                                             {"page[3].state", LIVE},
                                             {"page[4].state", LIVE}};
  // Which hva maps each frame during its life (set up by the scenario before
  // any thread runs; frames only move from hva to a fresh frame).
  hva_t home[kPages] = {0, 1, KVM_HVA_ERR_BAD, KVM_HVA_ERR_BAD, KVM_HVA_ERR_BAD};

  // memslot: gfn -> hva.
  static hva_t gfn_to_hva_memslot(gpa_t gfn) { return gfn < kHvas ? gfn : KVM_HVA_ERR_BAD; }

  // GUP: hva -> pfn, from the page table.
  pfn_t hva_to_pfn(hva_t hva) {
    if (hva >= kHvas) return KVM_PFN_ERR_FAULT;
    return pte[hva].load(std::memory_order_relaxed);  // gup-fast: READ_ONCE(*ptep)
  }

  // The primary MMU replaces the entry of `hva` by `new_frame` (migration).
  // Called after invalidate_range_start() has returned. Returns the old frame.
  pfn_t change_pte(hva_t hva, pfn_t new_frame) {
    ptl.lock();
    const pfn_t old = pte[hva].load(std::memory_order_relaxed);
    const std::uint32_t g = frame[old].add(UNMAPPED);
    // The walk half of S1: invalidate_range_start() has returned, so no
    // reader may still be using the frame (the write lock waited for them).
    // That no cache is still valid for it is checked at the walk itself and
    // by S2 afterwards.
    M::check(users_of(g) == 0, inv::S1_walk);
    pte[hva].store(new_frame, std::memory_order_relaxed);
    ptl.unlock();
    M::smp_mb();  // flush_tlb_range(): pairs with smp_rmb() (C) in hva_to_pfn_retry()
    return old;
  }

  void free_page(pfn_t f) {
    frame[f].adjust(FREED - UNMAPPED);
    data[f].store(kPoison);
  }

  // What a user of the cache does through gpc->khva, under gpc->lock for
  // read: read the guest page. (Users that write it do so with atomic bit
  // operations, as kvm_xen_set_evtchn_fast() does, or on a page only they
  // use; a plain read is what can race with the poisoning free.)
  void use(khva_t khva) {
    const pfn_t f = khva - 1;
    const std::uint32_t g = frame[f].add(USER);
    M::check(state_of(g) == LIVE, inv::S1_use);
    if (f >= kHvas) M::observe(inv::U2_used_new_page);  // not an initial frame: a migration target
    // The read itself, and its value: a freed page holds the poison. (Using
    // the value also keeps the compiler from dropping the load, which TSan
    // must see.)
    M::check(data[f].load() != kPoison, inv::S1_use);
    frame[f].adjust(0u - USER);
  }

  // Checker: is `f` a live frame mapped at `hva`? (S3)
  bool mapped_live(pfn_t f, hva_t hva) {
    if (f >= kPages || home[f] != hva) return false;
    return state_of(frame[f].load()) == LIVE;
  }
};

}  // namespace pfv

#endif  // PFV_IMPL_HOST_MMU_HPP
