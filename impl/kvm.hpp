// impl/kvm.hpp: the data the pfn cache protocol touches: struct
// gfn_to_pfn_cache (include/linux/kvm_types.h), the parts of struct kvm and
// its memslots (include/linux/kvm_host.h) that pfncache.c and the
// mmu_notifier side of kvm_main.c use.
//
// WHAT IT IS
//   Plain structures over the model: every field the kernel protects with a
//   lock is a var_t (race-checked), every field the kernel reads without its
//   writer's lock is an atomic_t read relaxed (mn_active_invalidate_count,
//   mmu_invalidate_seq, the memslot generation: word-sized plain C fields
//   the kernel relies on being read whole; docs/limits.md), the RCU pointer
//   to the active memslots is an atomic_t stored with release and loaded
//   with acquire (rcu_assign_pointer / srcu_dereference). Checker-only state
//   is ghost_t.
//
//   Memslots are KVM's: two embedded sets (__memslots[0] and [1]), one
//   active through the kvm->memslots pointer; an update edits the inactive
//   set, swaps (kvm_swap_active_memslots()) and edits the other. Slots are
//   separate objects (a small pool), freed (poisoned) when an update no
//   longer needs them, so a reader that outlives its SRCU protection races
//   with the poisoning store.
//
// CAVEATS
//   * One address space (x86 has two, for SMM; the generation still steps
//     by two, as kvm_arch_nr_memslot_as_ids() does there).
//   * At most two slots per set and two caches per VM.
#ifndef PFV_IMPL_KVM_HPP
#define PFV_IMPL_KVM_HPP

#include <cstdint>

#include "impl/host_mmu.hpp"
#include "impl/srcu.hpp"
#include "model/model.hpp"

namespace pfv {

inline constexpr std::uint32_t KVM_MEM_LOG_DIRTY_PAGES = 1u << 0;
inline constexpr std::uint32_t KVM_MEMSLOT_INVALID = 1u << 16;
inline constexpr std::uint64_t KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS = std::uint64_t(1) << 63;
inline constexpr std::uint64_t kNrMemslotAsIds = 2;  // kvm_arch_nr_memslot_as_ids() on x86
inline constexpr int kNoSlot = -1;
inline constexpr std::uint64_t kSlotPoison = 0x6b6b6b6b6b6b6b6bull;  // POISON_FREE bytes

template <class M>
struct Kvm;

// struct kvm_memory_slot.
template <class M>
struct MemorySlot {
  var_t<M, gfn_t> base_gfn;
  var_t<M, std::uint64_t> npages;
  var_t<M, hva_t> userspace_addr;
  var_t<M, std::uint32_t> flags;
};

// struct kvm_memslots: the generation and the slots (here a short array of
// indices into Kvm::slot_pool instead of the gfn and hva trees).
template <class M>
struct Memslots {
  static constexpr unsigned kSlots = 2;
  atomic_t<M, std::uint64_t> generation;
  var_t<M, int> slot[kSlots];
};

// The names of the caches' fields in traces: "gpc" and "gpc2".
inline constexpr const char* kGpcNames[2][14] = {
    {"gpc.lock", "gpc.refresh_lock", "gpc.gpa", "gpc.generation", "gpc.uhva", "gpc.memslot",
     "gpc.khva", "gpc.pfn", "gpc.active", "gpc.valid", "gpc.list.next", "gpc.list.prev",
     "gpc.ghost", "gpc.needs_invalidation"},
    {"gpc2.lock", "gpc2.refresh_lock", "gpc2.gpa", "gpc2.generation", "gpc2.uhva", "gpc2.memslot",
     "gpc2.khva", "gpc2.pfn", "gpc2.active", "gpc2.valid", "gpc2.list.next", "gpc2.list.prev",
     "gpc2.ghost", "gpc2.needs_invalidation"}};

// struct gfn_to_pfn_cache.
template <class M>
struct Gpc {
  // Checker-only state, packed in one ghost word per cache.
  static constexpr std::uint32_t LISTED = 1u << 0;  // on kvm->gpc_list
  static constexpr std::uint32_t ACTIVE = 1u << 1;  // active, as of the last write unlock
  static constexpr std::uint32_t WALKED = 1u << 8;  // invalidations in flight that walked it
  static std::uint32_t walked_of(std::uint32_t g) { return (g >> 8) & 0xffu; }
  // ... and, per hva page (4 bits each from bit 16), those of them whose
  // range covers the page: from its walk of this cache until its range_end
  // the cache must not become valid there (S2).
  static std::uint32_t covered_bits(hva_t start, hva_t end) {
    return HostMmu<M>::per_page(start, end, 16, 4);
  }
  static std::uint32_t covered_at(std::uint32_t g, hva_t uhva) {
    return HostMmu<M>::count_at(g, uhva, 16, 4);
  }

  // list_head pointers as indices: kHead is &kvm->gpc_list itself,
  // LIST_POISON1/2 what list_del() leaves behind.
  static constexpr int kHead = -1, LIST_POISON1 = -2, LIST_POISON2 = -3;

  Gpc(Kvm<M>& k, unsigned idx, const char* const* names = kGpcNames[0])
      : kvm(&k),
        index(idx),
        lock(names[0]),
        refresh_lock(names[1]),
        gpa(names[2], INVALID_GPA),
        generation(names[3], 0),
        uhva(names[4], KVM_HVA_ERR_BAD),
        memslot(names[5], kNoSlot),
        khva(names[6], 0),
        pfn(names[7], KVM_PFN_ERR_FAULT),
        active(names[8], false),
        valid(names[9], false),
        next(names[10], LIST_POISON1),
        prev(names[11], LIST_POISON2),
        ghost(names[12], 0),
        needs_invalidation(names[13], false) {}

  Kvm<M>* kvm;
  unsigned index;
  rwlock_t<M> lock;
  mutex_t<M> refresh_lock;
  var_t<M, gpa_t> gpa;
  var_t<M, std::uint64_t> generation;
  var_t<M, hva_t> uhva;
  var_t<M, int> memslot;  // struct kvm_memory_slot *: an index into kvm->slot_pool
  var_t<M, khva_t> khva;
  var_t<M, pfn_t> pfn;
  var_t<M, bool> active;
  var_t<M, bool> valid;
  var_t<M, int> next, prev;  // struct list_head list, under kvm->gpc_lock
  ghost_t<M, std::uint32_t> ghost;
  // Only with the range-based retry (Pfncache::kRangeRetry, not in any
  // kernel): set by a refresh pass, cleared by an invalidation that
  // overlaps the cache. Under gpc->lock.
  var_t<M, bool> needs_invalidation;

  // Checker: the cache as the current write-lock holder found it. Written
  // and read only by that holder.
  struct Snapshot {
    bool valid, active;
    pfn_t pfn;
    hva_t uhva;
    khva_t khva;
  } at_write_lock{};
};

// The parts of struct kvm that the protocol uses.
template <class M>
struct Kvm {
  static constexpr unsigned kMaxGpc = 2;
  static constexpr unsigned kSlotPool = 4;

  spinlock_t<M> gpc_lock{"kvm.gpc_lock"};
  var_t<M, int> gpc_list_next{"kvm.gpc_list.next", Gpc<M>::kHead};
  var_t<M, int> gpc_list_prev{"kvm.gpc_list.prev", Gpc<M>::kHead};

  spinlock_t<M> mn_invalidate_lock{"kvm.mn_invalidate_lock"};
  atomic_t<M, unsigned long> mn_active_invalidate_count{"kvm.mn_active_invalidate_count", 0};
  // kvm->mmu_lock is an rwlock on x86; invalidations take it for write.
  spinlock_t<M> mmu_lock{"kvm.mmu_lock"};
  atomic_t<M, unsigned long> mmu_invalidate_seq{"kvm.mmu_invalidate_seq", 0};
  var_t<M, long> mmu_invalidate_in_progress{"kvm.mmu_invalidate_in_progress", 0};
  // Only with the range-based retry (Pfncache::kRangeRetry): the union of
  // the ranges of the invalidations in flight, under mn_invalidate_lock.
  var_t<M, hva_t> mmu_gpc_invalidate_range_start{"kvm.mmu_gpc_invalidate_range_start", 0};
  var_t<M, hva_t> mmu_gpc_invalidate_range_end{"kvm.mmu_gpc_invalidate_range_end", 0};

  // Memslots (address space 0): the RCU pointer to the active set, the two
  // sets, the slot objects, and the updaters' lock.
  Srcu<M> srcu{"kvm.srcu"};
  atomic_t<M, int> memslots{"kvm.memslots[0]", 0};
  Memslots<M> __memslots[2] = {
      {{"memslots[0].generation", 0}, {{"memslots[0].slot[0]", kNoSlot}, {"memslots[0].slot[1]", kNoSlot}}},
      {{"memslots[1].generation", 0}, {{"memslots[1].slot[0]", kNoSlot}, {"memslots[1].slot[1]", kNoSlot}}}};
  MemorySlot<M> slot_pool[kSlotPool] = {
      {{"slot[0].base_gfn", 0}, {"slot[0].npages", 0}, {"slot[0].userspace_addr", 0}, {"slot[0].flags", 0}},
      {{"slot[1].base_gfn", 0}, {"slot[1].npages", 0}, {"slot[1].userspace_addr", 0}, {"slot[1].flags", 0}},
      {{"slot[2].base_gfn", 0}, {"slot[2].npages", 0}, {"slot[2].userspace_addr", 0}, {"slot[2].flags", 0}},
      {{"slot[3].base_gfn", 0}, {"slot[3].npages", 0}, {"slot[3].userspace_addr", 0}, {"slot[3].flags", 0}}};
  // kvm->mn_memslots_update_rcuwait: the task registered to be woken (1:
  // the memslot updater) and that task's state (0 TASK_RUNNING, 1
  // TASK_UNINTERRUPTIBLE). Used only in scenarios with a memslot updater
  // (srcu.grace_periods): elsewhere no task is ever registered.
  atomic_t<M, int> rcuwait_task{"kvm.mn_memslots_update_rcuwait.task", 0};
  atomic_t<M, int> updater_state{"updater.__state", 0};
  var_t<M, int> slot_pool_next{"kvm.slot_pool_next", 0};  // the slot allocator; under slots_lock
  mutex_t<M> slots_lock{"kvm.slots_lock"};

  HostMmu<M> mm;
  // Checker (S2): per hva page (8 bits each, pages 0..3), the invalidations
  // in flight whose walk of the caches has returned and whose range covers
  // the page. From then until range_end no cache may become valid there.
  ghost_t<M, std::uint32_t> walked_pages{"kvm.walked_pages", 0};
  static std::uint32_t pages_of(hva_t start, hva_t end) {
    return HostMmu<M>::per_page(start, end, 0, 8);
  }
  static std::uint32_t walked_at(std::uint32_t g, hva_t uhva) {
    return HostMmu<M>::count_at(g, uhva, 0, 8);
  }
  // Checker: invalidations that never end (a released mm, see
  // KvmMain::kvm_mmu_notifier_release()).
  ghost_t<M, std::uint32_t> mm_released{"kvm.mm_released", 0};
  Gpc<M>* gpcs[kMaxGpc] = {nullptr, nullptr};  // every cache, listed or not
  unsigned ngpc = 0;

  // Building (before any thread runs): a memslot gfn [base, base + npages)
  // -> hva page `page` on, in both sets, generation as after its creation.
  void add_memslot_initially(gfn_t base, std::uint64_t npages, unsigned page) {
    const int s = next_slot_initially++;
    slot_pool[s].base_gfn.init(base);
    slot_pool[s].npages.init(npages);
    slot_pool[s].userspace_addr.init(HostMmu<M>::hva_of(page));
    slot_pool[s].flags.init(0);
    slot_pool_next.init(next_slot_initially);
    generation_initially = kNrMemslotAsIds * static_cast<std::uint64_t>(next_slot_initially);
    for (Memslots<M>& set : __memslots) {
      set.slot[slots_initially].init(s);
      set.generation.init(generation_initially);
    }
    ++slots_initially;
  }
  int next_slot_initially = 0;
  unsigned slots_initially = 0;
  std::uint64_t generation_initially = 0;
};

}  // namespace pfv

#endif  // PFV_IMPL_KVM_HPP
