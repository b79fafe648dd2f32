// impl/host_mmu.hpp: the primary MMU (the VMM's address space), as far as a
// pfn cache can tell.
//
// WHAT IT IS
//   The host side of every pfn cache: a few user pages of the VMM (hva page
//   p at kUserBase + p * PAGE_SIZE), each mapped by a page-table entry to a
//   page frame; the frames, with their reference counts and kernel
//   mappings; GUP (hva_to_pfn), the releases of its reference, kmap/
//   memremap and their undoing (gpc_map/gpc_unmap's back ends), and the
//   primary MMU's own operations that raise mmu_notifier invalidations
//   (migration, zap) or do not (mm teardown after ->release).
//
//   Frames 0..kRamFrames-1 are RAM with a struct page: GUP takes a
//   reference, the cache kmap()s them. Frames from kRamFrames on are device
//   memory (a VM_PFNMAP mapping): no struct page, GUP takes no reference
//   (hva_to_pfn_remapped), the cache memremap()s them, and they are never
//   freed, only unmapped.
//
// GUARANTEE (of the model, towards the checks)
//   * A RAM frame holds one reference for its page-table entry and one per
//     GUP that has not been released; at rest every reference taken has
//     been dropped exactly once (S12). The count is checker state: KVM
//     never reads it, and GUP does not need it to refuse a stale entry
//     (its re-check does that, below), so the search need not order two
//     references' arrivals and departures (they commute).
//   * A frame's state is LIVE while an entry maps it and UNMAPPED from the
//     moment the primary MMU replaced that entry. Its contents are
//     overwritten (poisoned) right then, under the page-table lock: after
//     invalidate_range_start() has returned KVM must not touch the page at
//     all (a migration copies it after that point, a munmap frees it once
//     the last reference goes), so a use that the ghost check misses still
//     races with the poisoning store (S1). The state is ghost state: read
//     and written in execution order, invisible to the memory model.
//   * Every kernel mapping is counted: a kmap per RAM frame, a memremap
//     slot per device mapping. Unmapping what is not mapped is S13; using
//     a khva that is not mapped is S8.
//   * The primary MMU changes an entry only after invalidate_range_start()
//     has returned and drops the entry's reference right after its TLB
//     flush: the most aggressive timing the mmu_notifier contract allows
//     ("KVM absolutely must not touch the memory after
//     .invalidate_range_start()").
//
// MEMORY ORDERING
//   GUP reads the entry with a relaxed load (gup-fast: READ_ONCE(*ptep)).
//   After replacing an entry the primary MMU flushes the TLB, modelled as
//   smp_mb(): it is the barrier the smp_rmb() after the mmu_invalidate_seq
//   snapshot in hva_to_pfn_retry() pairs with (if the snapshot saw the
//   seq++ of range_end, the page-table read after it sees the new entry).
//
// CAVEATS
//   * GUP is gup-fast reduced to what the protocol can tell: one read of
//     the entry after a barrier (see hva_to_pfn()). folio_try_get()'s
//     refusal of a frame whose count is already zero is not modelled:
//     where the kernel refuses, the model takes the reference and the retry
//     loop must reject the frame. That can only add behaviours.
//   * Page references are ghost counters, not atomics: KVM's correctness
//     does not read them, and the kernel's fully ordered refcount RMWs are
//     represented by GUP's barrier.
//   * Addresses are bytes, pages 4 KiB; a cache covers one page.
#ifndef PFV_IMPL_HOST_MMU_HPP
#define PFV_IMPL_HOST_MMU_HPP

#include <cstdint>

#include "impl/invariants.hpp"
#include "model/model.hpp"

namespace pfv {

using gpa_t = std::uint64_t;   // guest physical address (bytes)
using gfn_t = std::uint64_t;   // guest frame number
using hva_t = std::uint64_t;   // host user virtual address (bytes)
using pfn_t = std::uint64_t;   // host page frame number
using khva_t = std::uint64_t;  // kernel virtual address (bytes); 0 is NULL

inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr std::uint64_t PAGE_SIZE = std::uint64_t(1) << PAGE_SHIFT;
// x86-64: the top of user space (access_ok()) and the direct map, where
// kmap() of a RAM frame lands; memremap() lands in the vmalloc area.
inline constexpr hva_t TASK_SIZE_MAX = 0x00007ffffffff000ull;
inline constexpr khva_t PAGE_OFFSET = 0xffff888000000000ull;
inline constexpr khva_t kMemremapBase = 0xffffc90000000000ull;
// The VMM's pages in this model start here (page p at kUserBase + p * 4 KiB).
inline constexpr hva_t kUserBase = 0x10000;

inline constexpr pfn_t KVM_PFN_ERR_FAULT = ~pfn_t(0);
inline constexpr hva_t KVM_HVA_ERR_BAD = PAGE_OFFSET;
inline constexpr gpa_t INVALID_GPA = ~gpa_t(0);

inline std::uint64_t offset_in_page(std::uint64_t a) { return a & (PAGE_SIZE - 1); }
inline std::uint64_t PAGE_ALIGN_DOWN(std::uint64_t a) { return a & ~(PAGE_SIZE - 1); }
inline gfn_t gpa_to_gfn(gpa_t gpa) { return gpa >> PAGE_SHIFT; }
inline bool is_error_noslot_pfn(pfn_t pfn) { return pfn == KVM_PFN_ERR_FAULT; }
inline bool kvm_is_error_hva(hva_t hva) { return hva >= PAGE_OFFSET; }
inline bool kvm_is_error_gpa(gpa_t gpa) { return gpa == INVALID_GPA; }
// access_ok(): the range lies in user space.
inline bool access_ok(hva_t addr, unsigned long len) {
  return addr <= TASK_SIZE_MAX && len <= TASK_SIZE_MAX - addr;
}

template <class M>
struct HostMmu {
  static constexpr unsigned kHvaPages = 4;
  static constexpr unsigned kRamFrames = 8;
  static constexpr unsigned kIoFrames = 1;
  static constexpr unsigned kFrames = kRamFrames + kIoFrames;
  static constexpr unsigned kMemremapSlots = 2;
  static constexpr pfn_t PFN_NONE = ~pfn_t(1);  // a page-table entry that maps nothing
  // An entry's write-protect bit (a copy-on-write page: after fork(), a KSM
  // merge, the zero page): GUP with FOLL_WRITE must fault it first.
  static constexpr pfn_t kWriteProtected = pfn_t(1) << 40;
  static pfn_t frame_of_entry(pfn_t e) { return e == PFN_NONE ? e : e & ~kWriteProtected; }
  static constexpr int kPoison = -1;

  static hva_t hva_of(unsigned page) { return kUserBase + page * PAGE_SIZE; }
  // The model's page of a user address, or -1 outside the model's pages.
  // Checker words that count something per hva page, `width` bits per
  // page from bit `base`: the increment for every page of [start, end),
  // and the count of `hva`'s page (0 outside the pages).
  static std::uint32_t per_page(hva_t start, hva_t end, unsigned base, unsigned width) {
    std::uint32_t m = 0;
    for (unsigned p = 0; p < kHvaPages; ++p)
      if (hva_of(p) >= start && hva_of(p) < end) m += 1u << (base + width * p);
    return m;
  }
  static std::uint32_t count_at(std::uint32_t g, hva_t hva, unsigned base, unsigned width) {
    const int p = page_of(hva);
    if (p < 0 || p >= static_cast<int>(kHvaPages)) return 0;
    return (g >> (base + width * static_cast<unsigned>(p))) & ((1u << width) - 1);
  }
  static int page_of(hva_t hva) {
    if (hva < kUserBase || hva >= kUserBase + kHvaPages * PAGE_SIZE) return -1;
    return static_cast<int>((hva - kUserBase) >> PAGE_SHIFT);
  }
  static bool pfn_valid(pfn_t pfn) { return pfn < kRamFrames; }  // has a struct page
  static khva_t kmap_address(pfn_t pfn) { return PAGE_OFFSET + pfn * PAGE_SIZE; }

  // Ghost frame state, in three words so that unrelated bookkeeping does not
  // order threads that only touch one part: the state word (LIVE/UNMAPPED,
  // the hva page it belongs to, readers inside use()), the reference count,
  // and the kmap count.
  static constexpr std::uint32_t LIVE = 0, UNMAPPED = 1, UNUSED = 3;
  static std::uint32_t state_of(std::uint32_t g) { return g & 3; }
  static int home_of(std::uint32_t g) { return static_cast<int>((g >> 2) & 0x3f) - 1; }
  static std::uint32_t users_of(std::uint32_t g) { return (g >> 8) & 0xff; }
  static constexpr std::uint32_t USER = 1u << 8;
  static constexpr std::uint32_t kUnderflow = 0x80000000u;  // a count went below zero
  static std::uint32_t state_word(std::uint32_t state, int home) {
    return state | static_cast<std::uint32_t>(home + 1) << 2;
  }

  // Ghost memremap slot: bit 0 mapped, the frame in bits 8..
  static bool slot_mapped(std::uint32_t s) { return s & 1; }
  static pfn_t slot_pfn(std::uint32_t s) { return s >> 8; }

  HostMmu() {
    for (unsigned f = 0; f < kFrames; ++f) state_[f].init(state_word(UNUSED, -1));
  }

  // ---- layout, set by a scenario while it is built (before any thread) -----

  // hva page p maps frame f (a RAM frame: one reference for the entry; a
  // device frame: a VM_PFNMAP page). RAM frames are mapped in order; the
  // ones after them are the migration targets.
  void map_initially(unsigned page, pfn_t f) {
    pte[page].init(f);
    pfnmap_[page] = !pfn_valid(f);
    state_[f].init(state_word(LIVE, static_cast<int>(page)));
    refs_[f].init(pfn_valid(f) ? 1 : 0);
    if (pfn_valid(f) && first_target <= f) {
      first_target = f + 1;
      next_frame.init(first_target);
    }
  }
  // A cache holds a kernel mapping of frame f from the start; its khva.
  khva_t mapped_initially(pfn_t f) {
    if (pfn_valid(f)) {
      kmaps_[f].init(kmaps_[f].peek() + 1);
      return kmap_address(f);
    }
    memremap_[0].init(1u | static_cast<std::uint32_t>(f) << 8);
    return kMemremapBase;
  }
  // The first frame that no page maps at the start (a migration target).
  pfn_t first_target = 0;

  // ---- GUP and page references ------------------------------------------------

  // hva_to_pfn(): the frame the VMM maps at `hva`, with a reference (RAM),
  // KVM_PFN_ERR_FAULT where nothing is mapped or the address is not the
  // VMM's (no VMA).
  //
  // gup-fast reads the entry, takes a reference with a fully ordered RMW
  // (try_grab_folio_fast()) and reads the entry again, starting over if it
  // changed: the frame it returns is the one the second read saw, after a
  // full barrier. The model keeps that read and, of the barrier, the part
  // the retry loop relies on: the caller's earlier loads (the seq
  // snapshot) are ordered before it, an acquire fence that pairs with the
  // primary MMU's TLB flush (smp_mb() in change_pte()) as (C) does. Keeping
  // only that read can only add outcomes (the kernel also needs the first
  // read to agree).
  pfn_t hva_to_pfn(hva_t hva) {
    const int p = page_of(hva);
    if (p < 0) return KVM_PFN_ERR_FAULT;
    if (pfnmap_[p]) return hva_to_pfn_remapped(static_cast<unsigned>(p));
    M::fence(std::memory_order_acquire);  // try_grab_folio_fast()'s barrier, as far as it matters
    pfn_t pfn = pte[p].load(std::memory_order_relaxed);  // READ_ONCE(*ptep)
    if (pfn != PFN_NONE && (pfn & kWriteProtected) && write_fault_) {
      // FOLL_WRITE on a write-protected entry: the slow path faults it in
      // (handle_mm_fault() -> do_wp_page() -> wp_page_copy()), which
      // raises an invalidation of the page around the entry's replacement,
      // in this thread, and then looks again.
      M::observe(inv::P5_cow_broken);
      write_fault_(fault_ctx_, hva);
      M::fence(std::memory_order_acquire);
      pfn = pte[p].load(std::memory_order_relaxed);
      if (pfn != PFN_NONE && (pfn & kWriteProtected)) return KVM_PFN_ERR_FAULT;
    }
    if (pfn == PFN_NONE) return KVM_PFN_ERR_FAULT;
    get_page(pfn);
    return pfn;
  }

  // A VM_PFNMAP page: GUP refuses it, and KVM reads the entry under the
  // page-table lock (follow_pfnmap_start()); no struct page, no reference.
  pfn_t hva_to_pfn_remapped(unsigned p) {
    ptl.lock();
    const pfn_t pfn = pte[p].load(std::memory_order_relaxed);
    ptl.unlock();
    return pfn == PFN_NONE ? KVM_PFN_ERR_FAULT : pfn;
  }

  // get_page()/put_page() on a RAM frame (a frame without struct page has
  // no count). Checker state only: see GUARANTEE.
  void get_page(pfn_t f) {
    if (pfn_valid(f)) refs_[f].adjust(1);
  }
  void put_page(pfn_t f) {
    if (pfn_valid(f)) refs_[f].adjust(-1);
  }

  // ---- kernel mappings (gpc_map/gpc_unmap's back ends) ---------------------------

  khva_t kmap(pfn_t f) {
    kmaps_[f].adjust(1);
    return kmap_address(f);
  }
  void kunmap(pfn_t f) {
    const std::uint32_t k =
        kmaps_[f].update([](std::uint32_t v) { return v == 0 ? v | kUnderflow : v - 1; });
    M::check(!(k & kUnderflow), inv::S13_unmap);
  }
  khva_t memremap(pfn_t f) {
    for (unsigned s = 0; s < kMemremapSlots; ++s) {
      const std::uint32_t want = 1u | static_cast<std::uint32_t>(f) << 8;
      const std::uint32_t got =
          memremap_[s].update([want](std::uint32_t v) { return slot_mapped(v) ? v : want; });
      if (got == want) return kMemremapBase + s * PAGE_SIZE;
    }
    return 0;  // no room: memremap() failed
  }
  void memunmap(khva_t khva) {
    const std::uint64_t s = (khva - kMemremapBase) >> PAGE_SHIFT;
    bool was = false;
    if (khva >= kMemremapBase && s < kMemremapSlots) {
      // Bit 1 marks an unmap of a slot that was not mapped.
      const std::uint32_t g = memremap_[s].update(
          [](std::uint32_t v) { return slot_mapped(v) ? v & ~1u : v | 2u; });
      was = !(g & 2u);
    }
    M::check(was, inv::S13_unmap);
  }

  // ---- what a user does through gpc->khva (under gpc->lock for read) ----------

  // Reads the guest page through the kernel mapping `khva`. (Users that
  // write it do so with atomic bit operations, as kvm_xen_set_evtchn_fast()
  // does, or on a page only they use; a plain read is what can race with
  // the poisoning free.) Returns the frame it read.
  pfn_t use(khva_t khva) {
    pfn_t f = KVM_PFN_ERR_FAULT;
    bool mapped = false;
    if (khva >= PAGE_OFFSET && khva < PAGE_OFFSET + kRamFrames * PAGE_SIZE) {
      f = (khva - PAGE_OFFSET) >> PAGE_SHIFT;
    } else if (khva >= kMemremapBase && khva < kMemremapBase + kMemremapSlots * PAGE_SIZE) {
      const std::uint32_t s = memremap_[(khva - kMemremapBase) >> PAGE_SHIFT].load();
      mapped = slot_mapped(s);
      f = slot_pfn(s);
    }
    M::check(f != KVM_PFN_ERR_FAULT, inv::S8_use);  // not a kernel mapping at all
    if (f == KVM_PFN_ERR_FAULT) return f;
    if (pfn_valid(f)) mapped = kmaps_[f].load() != 0;
    M::check(mapped, inv::S8_use);
    const std::uint32_t g = state_[f].add(USER);
    M::check(state_of(g) == LIVE, inv::S1_use);
    // The read itself, and its value: a freed page holds the poison. (Using
    // the value also keeps the compiler from dropping the load, which TSan
    // must see.)
    M::check(data[f].load() != kPoison, inv::S1_use);
    state_[f].adjust(0u - USER);
    return f;
  }

  // ---- the primary MMU's own changes -----------------------------------------------

  // Page migration of `hva`: the entry moves to a fresh frame, and the old
  // frame loses the entry's reference. Called after invalidate_range_start()
  // has returned. Returns the old frame.
  pfn_t change_pte(hva_t hva) {
    const unsigned p = static_cast<unsigned>(page_of(hva));
    ptl.lock();
    const pfn_t old = frame_of_entry(pte[p].load(std::memory_order_relaxed));
    pfn_t fresh = next_frame.load();
    if (fresh < kRamFrames)
      next_frame.store(fresh + 1);
    else
      fresh = reuse_freed_frame();  // long real-thread runs only
    state_[fresh].store(state_word(LIVE, static_cast<int>(p)));
    refs_[fresh].adjust(1);  // the entry's reference
    unmap_frame(old);
    pte[p].store(fresh, std::memory_order_relaxed);
    ptl.unlock();
    // flush_tlb_range(): pairs with smp_rmb() (C) in hva_to_pfn_retry() and
    // with GUP's own barrier (hva_to_pfn()).
    M::smp_mb();
    put_page(old);
    return old;
  }

  // change_pte_range() (mprotect(), NUMA hinting, soft-dirty clearing): the
  // entry's permissions change, its frame stays. Called after
  // invalidate_range_start() has returned.
  void protect_pte(hva_t hva) {
    const unsigned p = static_cast<unsigned>(page_of(hva));
    ptl.lock();
    const pfn_t entry = pte[p].load(std::memory_order_relaxed);
    pte[p].store(entry, std::memory_order_relaxed);  // the same frame, new permissions
    ptl.unlock();
    M::smp_mb();  // flush_tlb_range()
  }

  // The write fault of a GUP with FOLL_WRITE (set by the scenario: the
  // variant's do_wp_page(), which raises the invalidation).
  void on_write_fault(void (*f)(void*, hva_t), void* ctx) {
    write_fault_ = f;
    fault_ctx_ = ctx;
  }
  // Building: page's entry is write-protected (copy-on-write).
  void write_protect_initially(unsigned page) {
    pte[page].init(frame_of_entry(pte[page].latest()) | kWriteProtected);
  }

  // zap_pte_range() (munmap, MADV_DONTNEED, exit_mmap): the entry goes, and
  // the frame loses its reference. Called after invalidate_range_start()
  // has returned (exit_mmap: after ->release, with no notifier at all).
  pfn_t zap_pte(hva_t hva) {
    const unsigned p = static_cast<unsigned>(page_of(hva));
    ptl.lock();
    const pfn_t old = frame_of_entry(pte[p].load(std::memory_order_relaxed));
    if (old != PFN_NONE) unmap_frame(old);
    pte[p].store(PFN_NONE, std::memory_order_relaxed);
    ptl.unlock();
    M::smp_mb();  // flush_tlb_range()
    if (old != PFN_NONE) put_page(old);
    return old;
  }

  // ---- the checker's questions ------------------------------------------------------

  // Is `f` a live frame mapped at `hva`'s page? (S3)
  bool mapped_live(pfn_t f, hva_t hva) {
    if (f >= kFrames) return false;
    const std::uint32_t g = state_[f].load();
    return state_of(g) == LIVE && home_of(g) == page_of(hva);
  }
  // S3 as a refresh publishes frame `f` for `hva`: mapped_live(), and the
  // read of f's shadow, which races with an unmapping of f that the
  // publication is not ordered after (whatever order the search tried).
  bool publish_live(pfn_t f, hva_t hva) {
    const bool live = mapped_live(f, hva);
    if (live && f < kFrames) (void)mapping_[f].load();
    return live;
  }
  // At rest: a frame's state word, references and kmaps.
  std::uint32_t frame_state(pfn_t f) { return state_[f].load(); }
  std::int32_t frame_refs(pfn_t f) { return refs_[f].load(); }
  std::uint32_t frame_kmaps(pfn_t f) { return kmaps_[f].load(); }
  std::uint32_t memremap_slot(unsigned s) { return memremap_[s].load(); }

  // Page tables: entries of the VMM's pages.
  atomic_t<M, pfn_t> pte[kHvaPages] = {{"mm.pte[0]", PFN_NONE},
                                       {"mm.pte[1]", PFN_NONE},
                                       {"mm.pte[2]", PFN_NONE},
                                       {"mm.pte[3]", PFN_NONE}};
  spinlock_t<M> ptl{"mm.ptl"};
  var_t<M, pfn_t> next_frame{"mm.next_frame", 0};  // the frame allocator; under ptl
  void (*write_fault_)(void*, hva_t) = nullptr;  // on_write_fault()
  void* fault_ctx_ = nullptr;
  bool pfnmap_[kHvaPages] = {};                     // the page's VMA is VM_PFNMAP (layout)
  // The frames' contents.
  var_t<M, int> data[kFrames] = {{"page[0].data", 0}, {"page[1].data", 0}, {"page[2].data", 0},
                                 {"page[3].data", 0}, {"page[4].data", 0}, {"page[5].data", 0},
                                 {"page[6].data", 0}, {"page[7].data", 0}, {"io[8].data", 0}};

 private:
  // The page allocator, once every frame has been used: a frame whose last
  // reference is gone gets new contents. (The scenarios never get here; the
  // benchmarks' endless migrations do.)
  pfn_t reuse_freed_frame() {
    for (;;) {
      for (pfn_t f = 0; f < kRamFrames; ++f) {
        if (state_of(state_[f].load()) != UNMAPPED || refs_[f].load() != 0) continue;
        data[f].store(0);
        return f;
      }
      M::spin_wait_hint(0);  // every frame busy: wait for a release
    }
  }

  // The entry mapping `f` is going: the walk half of S1 (no reader may still
  // be using it: invalidate_range_start()'s write lock waited for them).
  // From here on KVM must not touch the frame: its contents are poisoned,
  // so a use that is not ordered before this point is a data race.
  void unmap_frame(pfn_t f) {
    const std::uint32_t g =
        state_[f].update([](std::uint32_t v) { return (v & ~3u) | UNMAPPED; });
    M::check(users_of(g) == 0, inv::S1_walk);
    M::observe(inv::P1_unmapped);
    data[f].store(kPoison);
    mapping_[f].store(1);  // S3's shadow
  }

  // The state word and the reference count are unordered ghosts
  // (GhostOrder): the count is read only at rest; the state's checks are
  // shadowed by race-checked accesses: S1 by the poisoning store of the
  // frame's data (unmap_frame()) against a user's read of it, S3 by
  // mapping_[f] (written when the frame is unmapped, read when a refresh
  // publishes it: a publication not ordered after that unmapping races).
  static constexpr GhostOrder kU = GhostOrder::unordered;
  ghost_t<M, std::uint32_t> state_[kFrames] = {
      {"page[0].state", 0, kU}, {"page[1].state", 0, kU}, {"page[2].state", 0, kU},
      {"page[3].state", 0, kU}, {"page[4].state", 0, kU}, {"page[5].state", 0, kU},
      {"page[6].state", 0, kU}, {"page[7].state", 0, kU}, {"io[8].state", 0, kU}};
  ghost_t<M, std::int32_t> refs_[kFrames] = {
      {"page[0].refs", 0, kU}, {"page[1].refs", 0, kU}, {"page[2].refs", 0, kU},
      {"page[3].refs", 0, kU}, {"page[4].refs", 0, kU}, {"page[5].refs", 0, kU},
      {"page[6].refs", 0, kU}, {"page[7].refs", 0, kU}, {"io[8].refs", 0, kU}};
  // S3's shadow (see above): 1 once the frame's entry is gone.
  var_t<M, int> mapping_[kFrames] = {
      {"page[0].unmapped", 0}, {"page[1].unmapped", 0}, {"page[2].unmapped", 0},
      {"page[3].unmapped", 0}, {"page[4].unmapped", 0}, {"page[5].unmapped", 0},
      {"page[6].unmapped", 0}, {"page[7].unmapped", 0}, {"io[8].unmapped", 0}};
  ghost_t<M, std::uint32_t> kmaps_[kFrames] = {
      {"page[0].kmaps", 0}, {"page[1].kmaps", 0}, {"page[2].kmaps", 0},
      {"page[3].kmaps", 0}, {"page[4].kmaps", 0}, {"page[5].kmaps", 0},
      {"page[6].kmaps", 0}, {"page[7].kmaps", 0}, {"io[8].kmaps", 0}};
  ghost_t<M, std::uint32_t> memremap_[kMemremapSlots] = {{"memremap[0]", 0}, {"memremap[1]", 0}};
};

}  // namespace pfv

#endif  // PFV_IMPL_HOST_MMU_HPP
