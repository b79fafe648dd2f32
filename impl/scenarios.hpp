// impl/scenarios.hpp: the races the suite explores, written once over the
// model and the variant, run by both drivers.
//
// Each scenario is a class template Scenario<M, V>: M the memory model, V the
// variant (a template over M deriving from Pfncache, see impl/variants.list).
// It owns a VM with one or two caches and the primary MMU, runs one kernel
// operation (or a short sequence of them) per thread, and checks at the end
// what must hold at rest. Each opens with its `info`:
//   Shape:   which operations race,
//   Result:  what must never happen (Never), and what must be reachable
//            (Sometimes) for the Never to mean anything,
//   Shows:   the point,
//   Sometimes: the codes of the observations the Result's Sometimes names;
//            the gate fails a passing complete search that misses one.
//
// The address space (ScenarioBase's layout): one memslot, gfn 1 and 2 ->
// hva pages 0 and 1 (kUserBase + 0x0000 and + 0x1000); hva page 2 is the
// VMM's but in no memslot; page 3 is a VM_PFNMAP mapping of device memory
// (frame 8). Pages 0, 1, 2 map RAM frames 0, 1, 2 at the start; frames 3..7
// are what migrations and faults allocate, in order.
#ifndef PFV_IMPL_SCENARIOS_HPP
#define PFV_IMPL_SCENARIOS_HPP

#include <atomic>
#include <cstdint>

#include "impl/info.hpp"
#include "impl/invariants.hpp"
#include "impl/pfncache.hpp"
#include "model/model.hpp"

namespace pfv {

// What every scenario shares: the VM, its caches, and the checks at rest.
template <class M, template <class> class V>
struct ScenarioBase {
  using P = V<M>;
  using Mmu = HostMmu<M>;

  static constexpr pfn_t kDeviceFrame = Mmu::kRamFrames;

  Kvm<M> kvm;
  Gpc<M> gpc{kvm, 0, kGpcNames[0]};
  Gpc<M> gpc2{kvm, 1, kGpcNames[1]};
  // Which threads used a page (bit per thread). Checker state, touched with
  // relaxed atomics so that several readers on real threads neither race on
  // it nor synchronise through it.
  std::atomic<std::uint64_t> used{0};

  // `device_page`: the hva page that maps device memory (VM_PFNMAP).
  explicit ScenarioBase(unsigned device_page = 3) : device_page_(device_page) {
    kvm.gpcs[0] = &gpc;
    kvm.gpcs[1] = &gpc2;
    kvm.ngpc = 1;
    // The protocol only compares the seq with snapshots of it: the lasso
    // detector leaves its value out of the states it compares.
    kvm.mmu_invalidate_seq.mark_counter();
    kvm.add_memslot_initially(1, 2, 0);  // gfn 1..2 -> hva pages 0..1
    for (unsigned p = 0; p < Mmu::kHvaPages; ++p) kvm.mm.map_initially(p, frame_of_page(p));
  }

  static gpa_t gpa_of(gfn_t gfn) { return gfn << PAGE_SHIFT; }
  static hva_t hva(unsigned page) { return Mmu::hva_of(page); }
  // The layout's initial translation: gfn 1 and 2 are hva pages 0 and 1.
  static unsigned page_of_gfn(gfn_t gfn) { return static_cast<unsigned>(gfn - 1); }
  pfn_t frame_of_page(unsigned page) const { return page == device_page_ ? kDeviceFrame : page; }

  // ---- building the caches (before any thread runs) -------------------------

  // An active GPA-based cache for gfn (+offset), as a completed
  // kvm_gpc_activate() leaves it: valid on the page's frame, or invalid
  // with its translation done (an invalidation or a failed refresh left it).
  void gpa_cache(Gpc<M>& g, gfn_t gfn, bool valid, std::uint64_t offset = 0) {
    const unsigned page = page_of_gfn(gfn);
    g.gpa.init(gpa_of(gfn) + offset);
    g.generation.init(kvm.generation_initially);
    g.memslot.init(0);
    g.uhva.init(hva(page) + offset);
    if (valid) map_initially(g, frame_of_page(page), offset);
    activate_initially(g);
  }

  // An active HVA-based cache for hva page `page` (+offset).
  void hva_cache(Gpc<M>& g, unsigned page, bool valid, std::uint64_t offset = 0) {
    g.gpa.init(INVALID_GPA);
    g.uhva.init(hva(page) + offset);
    if (valid) map_initially(g, frame_of_page(page), offset);
    activate_initially(g);
  }

  void use_two_caches() { kvm.ngpc = 2; }
  // The scenario has a memslot updater: SRCU's read side is real.
  void with_grace_periods() { kvm.srcu.grace_periods = true; }

  void before() {
    P::bind_scenario(kvm, gpc, gpc2);
    kvm.mm.on_write_fault(
        [](void* k, hva_t hva) { P::do_wp_page(*static_cast<Kvm<M>*>(k), hva); }, &kvm);
  }

  // At rest (every thread done, no invalidation in flight).
  void after() {
    HostMmu<M>& mm = kvm.mm;
    std::uint32_t kmaps_held[HostMmu<M>::kFrames] = {};
    bool slot_held[HostMmu<M>::kMemremapSlots] = {};
    int listed = 0, active = 0;
    for (unsigned i = 0; i < kvm.ngpc; ++i) {
      Gpc<M>& g = *kvm.gpcs[i];
      const bool valid = g.valid.load();
      const pfn_t pfn = g.pfn.load();
      const khva_t khva = g.khva.load();
      if (valid) {
        M::check(g.active.load(), inv::S6_valid_active);
        // A valid cache maps the live frame of its address.
        M::check(mm.mapped_live(pfn, g.uhva.load()), inv::S3);
        check_translation_at_rest(g);
      }
      if (!is_error_noslot_pfn(pfn) && khva) {
        if (HostMmu<M>::pfn_valid(pfn))
          ++kmaps_held[pfn];
        else if (khva >= kMemremapBase)
          slot_held[(khva - kMemremapBase) >> PAGE_SHIFT] = true;
      }
      active += g.active.load() ? 1 << i : 0;
    }
    // kvm->gpc_list holds exactly the active caches.
    for (int i = kvm.gpc_list_next.load(), n = 0; i != Gpc<M>::kHead && n < 4; ++n) {
      if (i < 0) {
        M::check(false, inv::S14_rest);
        break;
      }
      listed |= 1 << i;
      i = kvm.gpcs[i]->next.load();
    }
    M::check(listed == active, inv::S14_rest);
    // Every reference and mapping accounted for: a frame keeps one
    // reference for its page-table entry and nothing else; a kernel mapping
    // exists only where a cache holds it.
    for (pfn_t f = 0; f < HostMmu<M>::kRamFrames; ++f) {
      const bool mapped = HostMmu<M>::state_of(mm.frame_state(f)) == HostMmu<M>::LIVE;
      M::check(mm.frame_refs(f) == (mapped ? 1 : 0), inv::S12_leak);
      M::check(mm.frame_kmaps(f) == kmaps_held[f], inv::S13_leak);
    }
    for (unsigned s = 0; s < HostMmu<M>::kMemremapSlots; ++s)
      M::check(HostMmu<M>::slot_mapped(mm.memremap_slot(s)) == slot_held[s], inv::S13_leak);
    // No invalidation in flight, but one that never ends (a released mm).
    const std::uint32_t endless = kvm.mm_released.load();
    M::check(kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) == endless,
             inv::S17_count);
    for (unsigned i = 0; i < kvm.ngpc; ++i)
      M::check(Gpc<M>::walked_of(kvm.gpcs[i]->ghost.load()) == endless, inv::S17_walked);
    M::check(kvm.mmu_invalidate_in_progress.load() == 0, inv::S17_in_progress);
    observe_readers();
  }

  // S9 at rest: a valid GPA-based cache of the current generation maps what
  // the current memslots translate its gpa to.
  void check_translation_at_rest(Gpc<M>& g) {
    const int set = kvm.memslots.load(std::memory_order_relaxed);
    if (kvm_is_error_gpa(g.gpa.load()) ||
        g.generation.load() != kvm.__memslots[set].generation.load(std::memory_order_relaxed))
      return;
    P::check_translation(g, set);
  }

  // Final state, for comparing the behaviours two searches reach.
  std::uint64_t signature() {
    std::uint64_t s = used.load(std::memory_order_relaxed);
    for (unsigned i = 0; i < kvm.ngpc; ++i) {
      Gpc<M>& g = *kvm.gpcs[i];
      s = s * 2 + g.valid.load();
      s = s * 2 + g.active.load();
      s = s * 16 + (g.pfn.load() & 15);
      s = s * 8 + ((g.uhva.load() >> PAGE_SHIFT) & 7);
    }
    s = s * 16 + kvm.mmu_invalidate_seq.load(std::memory_order_relaxed);
    s = s * 2 + static_cast<std::uint64_t>(kvm.memslots.load(std::memory_order_relaxed));
    return s;
  }

  // How many threads used a page (U3 when two did).
  void observe_readers() {
    const std::uint64_t u = used.load(std::memory_order_relaxed);
    if (u & (u - 1)) M::observe(inv::U3_readers_both);
  }

  void read(unsigned thread, Gpc<M>& g) {
    if (P::read_use(g)) used.fetch_or(1u << thread, std::memory_order_relaxed);
  }
  void read(unsigned thread) { read(thread, gpc); }

  // A vCPU-context refresh: the vCPU holds kvm->srcu.
  int refresh(Gpc<M>& g) {
    const auto idx = P::srcu_read_lock(kvm);
    const int r = P::kvm_gpc_refresh(g, P::kLen);
    P::srcu_read_unlock(kvm, idx);
    return r;
  }
  // An ioctl-context activation (KVM_XEN_HVM_SET_ATTR takes kvm->srcu).
  int activate(Gpc<M>& g, gfn_t gfn) {
    const auto idx = P::srcu_read_lock(kvm);
    const int r = P::kvm_gpc_activate(g, gpa_of(gfn), P::kLen);
    P::srcu_read_unlock(kvm, idx);
    return r;
  }
  void deactivate(Gpc<M>& g) {
    const auto idx = P::srcu_read_lock(kvm);
    P::kvm_gpc_deactivate(g);
    P::srcu_read_unlock(kvm, idx);
  }

 private:
  void map_initially(Gpc<M>& g, pfn_t pfn, std::uint64_t offset) {
    g.pfn.init(pfn);
    g.khva.init(kvm.mm.mapped_initially(pfn) + offset);
    g.valid.init(true);
  }
  // On kvm->gpc_list (list_add at the head) and active.
  void activate_initially(Gpc<M>& g) {
    const int me = static_cast<int>(g.index);
    g.next.init(list_first_);
    g.prev.init(Gpc<M>::kHead);
    if (list_first_ == Gpc<M>::kHead)
      kvm.gpc_list_prev.init(me);
    else
      kvm.gpcs[list_first_]->prev.init(me);
    kvm.gpc_list_next.init(me);
    list_first_ = me;
    g.active.init(true);
    g.ghost.init(Gpc<M>::LISTED | Gpc<M>::ACTIVE);
  }
  int list_first_ = Gpc<M>::kHead;
  unsigned device_page_;
};

// ===========================================================================
// The protocol core: one GPA-based cache, invalidations inside the memslot.
// ===========================================================================

// ---------------------------------------------------------------------------
// invalidate_vs_read
template <class M, template <class> class V>
struct InvalidateVsRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "invalidate_vs_read",
      /*Shape: */
      "page migration of hva page 0 || a reader's fast path "
      "(kvm_xen_set_evtchn_fast: check, use, unlock); the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1 (the reader never touches frame 0 once it is unmapped). "
      "Sometimes the reader uses frame 0 (U1), Sometimes it finds the cache "
      "invalidated (U0, I1); Sometimes the pre-check window is open (W0).",
      /*Shows: */
      "the walk's write lock (or the pre-check's write-lock re-check) waits "
      "for the reader before the frame can go.",
      /*Sometimes:*/ "U1 U0 I1 W0"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"invalidate", "read"};
  InvalidateVsRead() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// invalidate_vs_refresh
template <class M, template <class> class V>
struct InvalidateVsRefresh : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "invalidate_vs_refresh",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_refresh() of an active but invalid "
      "cache for it.",
      /*Result:*/
      "Never S2, S3, S4, S5, S12, S13 (refresh never installs frame 0 once the walk "
      "has passed, nor publishes a half-done refresh, and drops every page "
      "reference and mapping of a lost pass). Sometimes the retry loop retries on "
      "the count (R2) and on the seq (R3); Sometimes the walk finds the refreshed "
      "cache valid and invalidates it (I1).",
      /*Shows: */
      "mmu_notifier_retry_cache(): the count covers an invalidation in "
      "flight, the seq one that ended after the snapshot.",
      /*Sometimes:*/ "R2 R3 I1 P3"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"invalidate", "refresh"};
  InvalidateVsRefresh() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// unrelated_invalidate_vs_read
template <class M, template <class> class V>
struct UnrelatedInvalidateVsRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "unrelated_invalidate_vs_read",
      /*Shape: */
      "page migration of hva page 1 || a reader of a cache on hva page 0.",
      /*Result:*/
      "Never S1..S6; the pre-check never matches, so the invalidation never "
      "takes the write lock (the case 21dadfcd665e optimises). Sometimes "
      "the reader uses the cache (U1).",
      /*Shows: */
      "an unrelated invalidation leaves the cache and its reader alone.",
      /*Sometimes:*/ "U1"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"invalidate", "read"};
  UnrelatedInvalidateVsRead() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(1));
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// refresh_read_invalidate
template <class M, template <class> class V>
struct RefreshReadInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "refresh_read_invalidate",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_refresh() || a reader's fast path; the "
      "cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6, S8, S12, S13. Sometimes the reader uses frame 0 (U1), "
      "Sometimes the frame the refresh re-mapped (U2); Sometimes the refresh "
      "retries (R2, R3) and the pre-check window is open (W0).",
      /*Shows: */
      "the three roles together: the walk, the retry loop and the reader's "
      "check meet on gpc->lock.",
      /*Sometimes:*/ "U1 U2 R2 R3 W0"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read"};
  RefreshReadInvalidate() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// activate_deactivate
template <class M, template <class> class V>
struct ActivateDeactivate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "activate_deactivate",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_deactivate() then "
      "kvm_gpc_activate() of the same gpa || kvm_gpc_refresh().",
      /*Result:*/
      "Never S1..S6, S12..S14; in particular never active-but-unlisted, never "
      "valid-but-inactive (CVE-2022-49882's shape). Sometimes the "
      "invalidation's window sees the deactivation (W5) and the re-check "
      "skips (W7); Sometimes the refresh retries (R2).",
      /*Shows: */
      "the list/active ordering that keeps every usable cache reachable by "
      "invalidations.",
      /*Sometimes:*/ "W5 W7 R2 I1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "deact+act", "refresh"};
  ActivateDeactivate() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0) {
      V<M>::invalidate(this->kvm, this->hva(0));
    } else if (i == 1) {
      this->deactivate(this->gpc);
      this->activate(this->gpc, 1);
    } else {
      this->refresh(this->gpc);
    }
  }
};

// ---------------------------------------------------------------------------
// two_invalidators_refresh
template <class M, template <class> class V>
struct TwoInvalidatorsRefresh : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_invalidators_refresh",
      /*Shape: */
      "two migrations of hva page 0 (each to the next free frame, serialised by the "
      "page table lock) || kvm_gpc_refresh() of an active, invalid cache.",
      /*Result:*/
      "Never S1..S6, S12, S13. Sometimes the retry loop sees both invalidations in "
      "flight (R4); Sometimes it retries on the seq (R3); Sometimes a walk "
      "finds the refreshed cache valid (I1).",
      /*Shows: */
      "mn_active_invalidate_count counts, it is not a flag; S2 holds per "
      "walking invalidation.",
      /*Sometimes:*/ "R4 R3 I1",
      /*slow:*/ true};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate A", "invalidate B", "refresh"};
  static constexpr int symmetric_with[] = {-1, 0, -1};
  TwoInvalidatorsRefresh() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i < 2)
      V<M>::invalidate(this->kvm, this->hva(0));
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// move_vs_invalidate
template <class M, template <class> class V>
struct MoveVsInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "move_vs_invalidate",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_activate() of the active cache with "
      "gfn 2 (a refresh that moves it to hva page 1) || a reader's fast path.",
      /*Result:*/
      "Never S1..S6, S8, S12, S13. Sometimes the cache moves inside the "
      "invalidation's pre-check window (W3), and the re-check then skips (W7); "
      "Sometimes the reader uses the cache (U1); Sometimes the move unmaps the old "
      "mapping after its last reader (P1 is the migration's free).",
      /*Shows: */
      "the window the comment in 21dadfcd665e describes, reached.",
      /*Sometimes:*/ "W3 W7 U1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "move", "read"};
  MoveVsInvalidate() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == 1)
      this->activate(this->gpc, 2);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// refresh_two_readers_invalidate
template <class M, template <class> class V>
struct RefreshTwoReadersInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "refresh_two_readers_invalidate",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_refresh() || two readers' fast paths; "
      "four threads, the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6, never a race between the readers. Sometimes both readers "
      "use the cache (U3); Sometimes a reader uses the frame the refresh "
      "mapped (U2); Sometimes the pre-check window is open (W0).",
      /*Shows: */
      "readers share the read lock with each other; the re-check's write "
      "lock waits for all of them.",
      /*Sometimes:*/ "U3 U2 W0 R2"};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read A", "read B"};
  static constexpr int symmetric_with[] = {-1, -1, -1, 2};
  RefreshTwoReadersInvalidate() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// move_refresh_read_invalidate
template <class M, template <class> class V>
struct MoveRefreshReadInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "move_refresh_read_invalidate",
      /*Shape: */
      "page migration of hva page 0 || kvm_gpc_activate() with gfn 2 (a move) || "
      "kvm_gpc_refresh() || a reader's fast path; four threads.",
      /*Result:*/
      "Never S1..S6, S8, S12, S13. Sometimes the move happens in the pre-check "
      "window (W3) and the re-check skips (W7); Sometimes the reader uses the "
      "cache (U1) and the refresh retries (R2).",
      /*Shows: */
      "two refreshers serialise on refresh_lock; whichever runs second sees "
      "the first one's address.",
      /*Sometimes:*/ "W3 W7 U1 R2"};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate", "move", "read", "refresh"};
  MoveRefreshReadInvalidate() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == 1)
      this->activate(this->gpc, 2);
    else if (i == 2)
      this->read(i);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// two_invalidators_refresh_read
template <class M, template <class> class V>
struct TwoInvalidatorsRefreshRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_invalidators_refresh_read",
      /*Shape: */
      "two migrations of hva page 0 || kvm_gpc_refresh() || a reader's fast path; "
      "four threads, the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6, S12, S13. Sometimes the retry loop sees both invalidations in "
      "flight (R4); Sometimes the reader uses the cache (U1).",
      /*Shows: */
      "the cost of a complete search grows with the retry loop's partners.",
      /*Sometimes:*/ "R4 U1",
      /*slow:*/ true};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate A", "invalidate B", "refresh", "read"};
  static constexpr int symmetric_with[] = {-1, 0, -1, -1};
  TwoInvalidatorsRefreshRead() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i < 2)
      V<M>::invalidate(this->kvm, this->hva(0));
    else if (i == 2)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ===========================================================================
// The address space: HVA-based caches, addresses outside memslots, device
// memory, memslot updates, mm teardown.
// ===========================================================================

// ---------------------------------------------------------------------------
// hva_refresh_invalidate_read
template <class M, template <class> class V>
struct HvaRefreshInvalidateRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "hva_refresh_invalidate_read",
      /*Shape: */
      "an HVA-based cache (kvm_gpc_activate_hva, uhva = hva page 1 + 0x40, inside "
      "the memslot), active and invalid: page migration of hva page 1 || "
      "kvm_gpc_refresh() || a reader's fast path.",
      /*Result:*/
      "Never S1..S6, S8, S12, S13. Sometimes the refresh retries on the count (R2) "
      "and on the seq (R3); Sometimes the reader uses the refreshed cache (U1).",
      /*Shows: */
      "an HVA-based cache inside a memslot is protected exactly as a GPA-based "
      "one: the invalidation hits the memslot, so range_end bumps the seq.",
      /*Sometimes:*/ "A2 R2 R3 U1",
      /*slow:*/ false, /*needs:*/ "hva"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read"};
  HvaRefreshInvalidateRead() { this->hva_cache(this->gpc, 1, false, 0x40); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(1));
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// hva_outside_refresh_invalidate_read
template <class M, template <class> class V>
struct HvaOutsideRefreshInvalidateRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "hva_outside_refresh_invalidate_read",
      /*Shape: */
      "an HVA-based cache on hva page 2, which no memslot covers (as Xen's "
      "SHARED_INFO_HVA allows), active and invalid: page migration of hva page 2 || "
      "kvm_gpc_refresh() || a reader's fast path.",
      /*Result:*/
      "Never S1..S6, S8, S12, S13. Sometimes the invalidation finds no memslot (I2) "
      "while the refresh is between its GUP and its retry check, and the "
      "refresh retries on the count (R2); Sometimes the reader uses the cache (U1).",
      /*Shows: */
      "an invalidation that hits no memslot moves mn_active_invalidate_count "
      "but not mmu_invalidate_seq: the retry check must still catch it.",
      /*Sometimes:*/ "A2 I2 R2 U1",
      /*slow:*/ false, /*needs:*/ "hva"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read"};
  HvaOutsideRefreshInvalidateRead() { this->hva_cache(this->gpc, 2, false); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(2));
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// device_zap_refresh_read
template <class M, template <class> class V>
struct DeviceZapRefreshRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "device_zap_refresh_read",
      /*Shape: */
      "hva page 1 maps device memory (VM_PFNMAP, frame 8: no struct page, so "
      "memremap() and no page reference); a GPA-based cache for gfn 2, active, "
      "never mapped: the VMM unmaps the page (zap: an invalidation inside the "
      "memslot) || kvm_gpc_refresh() || a reader's fast path.",
      /*Result:*/
      "Never S1, S3, S8, S13 (no memunmap() of a mapping still published or "
      "already gone, none leaked). Sometimes the refresh memremap()s (P4) and a "
      "lost pass memunmap()s its own mapping (P3); Sometimes the reader uses the "
      "device page (U1).",
      /*Shows: */
      "the memremap() side of gpc_map()/gpc_unmap() and of the retry loop's "
      "clean-up.",
      /*Sometimes:*/ "P4 P3 U1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"zap", "refresh", "read"};
  DeviceZapRefreshRead() : ScenarioBase<M, V>(1) { this->gpa_cache(this->gpc, 2, false); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::zap(this->kvm, this->hva(1));
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// hva_activate_bad_address
template <class M, template <class> class V>
struct HvaActivateBadAddress : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "hva_activate_bad_address",
      /*Shape: */
      "a VMM's KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO_HVA ioctls: kvm_gpc_activate_hva() "
      "with a kernel address, then with a user address no VMA covers, then with a "
      "good one (hva page 2) || the Xen timer's fast path reading the cache.",
      /*Result:*/
      "Never S16 (no kernel WARN from user input). Sometimes the kernel address "
      "is refused (A1); Sometimes the timer finds the cache unusable (U0), "
      "Sometimes it uses it after the good address (U1).",
      /*Shows: */
      "access_ok() in kvm_gpc_activate_hva() (ebbdf37ce9ab): without it the "
      "GPA-XOR-HVA WARN in __kvm_gpc_refresh() fires on a user's input.",
      /*Sometimes:*/ "A1 U1 U0",
      /*slow:*/ false, /*needs:*/ "hva"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"ioctl", "timer"};
  HvaActivateBadAddress() {}
  void thread(unsigned i) {
    if (i == 1) {
      this->read(i);
      return;
    }
    const auto idx = V<M>::srcu_read_lock(this->kvm);
    V<M>::kvm_gpc_activate_hva(this->gpc, PAGE_OFFSET + 0x1000, V<M>::kLen);
    V<M>::kvm_gpc_activate_hva(this->gpc, kUserBase + 0x100000, V<M>::kLen);
    V<M>::kvm_gpc_activate_hva(this->gpc, this->hva(2), V<M>::kLen);
    V<M>::srcu_read_unlock(this->kvm, idx);
  }
};

// ---------------------------------------------------------------------------
// two_refreshers_memslot_flags
template <class M, template <class> class V>
struct TwoRefreshersMemslotFlags : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_refreshers_memslot_flags",
      /*Shape: */
      "a GPA-based cache for gfn 1, valid: a memslot update that only changes "
      "flags (dirty logging on: a new slot object, one kvm_swap_active_memslots(), "
      "the old slot freed) || two vCPUs' kvm_gpc_refresh(), each holding kvm->srcu.",
      /*Result:*/
      "Never S9, S15, S12, S13, no use of a freed slot. Sometimes a refresh finds "
      "the generation moved and re-translates to the same uhva, keeping its "
      "mapping (G3); Sometimes a refresh takes the in-progress generation (G2); "
      "Sometimes the grace period waits for a refresher (G5).",
      /*Shows: */
      "a new generation with an unchanged uhva keeps the cache's mapping "
      "without a new GUP, and the generation it records is never one a later "
      "reader could mistake for the final one.",
      /*Sometimes:*/ "G3 G2 G5"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"memslot flags", "refresh A", "refresh B"};
  static constexpr int symmetric_with[] = {-1, -1, 1};
  TwoRefreshersMemslotFlags() {
    this->with_grace_periods();
    this->gpa_cache(this->gpc, 1, true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::kvm_set_memslot(this->kvm, 0, MrChange::flags_only, KVM_MEM_LOG_DIRTY_PAGES);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// refresh_memslot_move
template <class M, template <class> class V>
struct RefreshMemslotMove : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "refresh_memslot_move",
      /*Shape: */
      "a GPA-based cache for gfn 1, active and invalid: a memslot MOVE (gfn 1..2 "
      "becomes gfn 0..1 at the same hva pages: an invalid slot first, two "
      "kvm_swap_active_memslots()) || a vCPU's kvm_gpc_refresh() holding kvm->srcu.",
      /*Result:*/
      "Never S9 (a valid cache of the current generation maps what the current "
      "memslots translate its gpa to), S15, S12, S13, no race on a slot. Sometimes "
      "the refresh finds the slot invalid (the first swap published), Sometimes "
      "it takes the in-progress generation (G2); Sometimes the update's grace "
      "period waits for it (G5).",
      /*Shows: */
      "the generation's update-in-progress bit and the SRCU grace period keep "
      "a refresh from pairing a generation with another set's translation.",
      /*Sometimes:*/ "G2 G5"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"memslot move", "refresh"};
  RefreshMemslotMove() {
    this->with_grace_periods();
    this->gpa_cache(this->gpc, 1, false);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::kvm_set_memslot(this->kvm, 0, MrChange::move, 0);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// memslot_delete_vs_invalidate
template <class M, template <class> class V>
struct MemslotDeleteVsInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "memslot_delete_vs_invalidate",
      /*Shape: */
      "a memslot DELETE of the slot covering hva pages 0..1 || page migration of "
      "hva page 0; a GPA-based cache for gfn 1, valid.",
      /*Result:*/
      "Never S16, S17 (range_start and range_end see the same memslots, so "
      "mmu_invalidate_in_progress balances), S1..S3. Sometimes the update waits "
      "for the invalidation (G4); Sometimes the invalidation finds no memslot "
      "(I2).",
      /*Shows: */
      "why kvm_swap_active_memslots() waits for mn_active_invalidate_count to "
      "drop before it publishes.",
      /*Sometimes:*/ "G4 I2 I1"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"memslot delete", "invalidate"};
  MemslotDeleteVsInvalidate() {
    this->with_grace_periods();
    this->gpa_cache(this->gpc, 1, true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::kvm_set_memslot(this->kvm, 0, MrChange::remove);
    else
      V<M>::invalidate(this->kvm, this->hva(0));
  }
};

// ---------------------------------------------------------------------------
// memslot_create_vs_invalidate
template <class M, template <class> class V>
struct MemslotCreateVsInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "memslot_create_vs_invalidate",
      /*Shape: */
      "a memslot CREATE of gfn 5 at hva page 2 (no memslot covered it) || page "
      "migration of hva page 2; an HVA-based cache on hva page 2, valid.",
      /*Result:*/
      "Never S16 (mmu_invalidate_in_progress never goes below zero), S17, S1, S3. "
      "Sometimes the update waits for the invalidation (G4); Sometimes the "
      "invalidation finds no memslot (I2), Sometimes it finds the new one.",
      /*Shows: */
      "the other half of the same wait: an invalidation that began with no "
      "memslot must end with none.",
      /*Sometimes:*/ "G4 I2 I1",
      /*slow:*/ false, /*needs:*/ "hva"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"memslot create", "invalidate"};
  MemslotCreateVsInvalidate() {
    this->with_grace_periods();
    this->hva_cache(this->gpc, 2, true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::kvm_set_memslot(this->kvm, kNoSlot, MrChange::create, 5, 1, this->hva(2));
    else
      V<M>::invalidate(this->kvm, this->hva(2));
  }
};

// ---------------------------------------------------------------------------
// refresh_memslot_delete_munmap
template <class M, template <class> class V>
struct RefreshMemslotDeleteMunmap : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "refresh_memslot_delete_munmap",
      /*Shape: */
      "a GPA-based cache for gfn 1, active and invalid: the VMM deletes the memslot "
      "(kvm_set_memslot(DELETE)) and then unmaps its first page (an invalidation "
      "that no memslot covers any more) || a vCPU's kvm_gpc_refresh() holding "
      "kvm->srcu.",
      /*Result:*/
      "Never S3 (no valid cache on the unmapped page), S9, S12, S13, S15, no race on "
      "a freed slot. Sometimes the refresh is waited for by the delete's grace "
      "period (G5); Sometimes it finds the slot gone (G3 or a failed "
      "translation); Sometimes the munmap finds no memslot (I2).",
      /*Shows: */
      "SRCU, not the retry loop, keeps a GPA-based refresh away from an "
      "invalidation that no memslot covers: the delete cannot finish while the "
      "refresh still uses the old memslots.",
      /*Sometimes:*/ "G5 I2"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"delete+munmap", "refresh"};
  RefreshMemslotDeleteMunmap() {
    this->with_grace_periods();
    this->gpa_cache(this->gpc, 1, false);
  }
  void thread(unsigned i) {
    if (i == 0) {
      V<M>::kvm_set_memslot(this->kvm, 0, MrChange::remove);
      V<M>::zap(this->kvm, this->hva(0));
    } else {
      this->refresh(this->gpc);
    }
  }
};

// ---------------------------------------------------------------------------
// read_memslot_move
template <class M, template <class> class V>
struct ReadMemslotMove : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "read_memslot_move",
      /*Shape: */
      "a GPA-based cache for gfn 1 (hva page 0), valid: a memslot MOVE (gfn 1 then "
      "maps hva page 1) || the pvclock-style user (kvm_setup_guest_pvclock: check, "
      "refresh until it passes, use, mark dirty in the slot), holding kvm->srcu.",
      /*Result:*/
      "Never S9 (the user never uses hva page 0 through memslots that map gfn 1 "
      "elsewhere), never a use of a freed slot (mark dirty), S15. Sometimes the "
      "user uses the old translation (U1 before the move); Sometimes its check fails "
      "on the generation (G1) and it re-translates (G3).",
      /*Shows: */
      "kvm_gpc_check()'s generation test is what makes a moved memslot visible "
      "to a cache.",
      /*Sometimes:*/ "U1 G1 G3"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"memslot move", "pvclock user"};
  ReadMemslotMove() {
    this->with_grace_periods();
    this->gpa_cache(this->gpc, 1, true);
  }
  void thread(unsigned i) {
    if (i == 0) {
      V<M>::kvm_set_memslot(this->kvm, 0, MrChange::move, 0);
    } else {
      if (V<M>::read_use_refreshing(this->gpc)) this->used.fetch_or(1u << i, std::memory_order_relaxed);
    }
  }
};

// ---------------------------------------------------------------------------
// teardown_vs_timer_read
template <class M, template <class> class V>
struct TeardownVsTimerRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "teardown_vs_timer_read",
      /*Shape: */
      "the VMM exits: exit_mmap() (mmu_notifier_release(), then every page "
      "unmapped and freed with the notifier already unlinked) || the Xen timer's "
      "hard-IRQ event delivery through a valid GPA-based cache "
      "(xen_timer_callback -> kvm_xen_set_evtchn_fast), which the VM fd held "
      "elsewhere keeps alive.",
      /*Result:*/
      "Never S1 (the timer never writes a freed page). Sometimes it uses the page "
      "before the teardown (U1); Sometimes it finds the cache unusable (U0).",
      /*Shows: */
      "what kvm_mmu_notifier_release() must do for the caches: after it, no "
      "invalidation reaches KVM.",
      /*Sometimes:*/ "U1 U0"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"exit_mmap", "timer"};
  TeardownVsTimerRead() { this->gpa_cache(this->gpc, 1, true); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::exit_mmap(this->kvm);
    else
      this->read(i);
  }
};

// ---------------------------------------------------------------------------
// teardown_vs_refresh_read
template <class M, template <class> class V>
struct TeardownVsRefreshRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "teardown_vs_refresh_read",
      /*Shape: */
      "exit_mmap() || a refresh of an active, invalid HVA-based cache (hva page 1) "
      "from the irqfd worker (kvm_xen_set_evtchn's slow path, on kvm->mm) || the "
      "timer's fast path.",
      /*Result:*/
      "Never S1, S3. Sometimes the refresh retries (R2) or fails on the gone "
      "page; Sometimes the timer uses the page before the teardown (U1).",
      /*Shows: */
      "a fix to ->release must also stop a refresh that is between GUP and its "
      "retry check.",
      /*Sometimes:*/ "U1",
      /*slow:*/ false, /*needs:*/ "hva"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"exit_mmap", "refresh", "timer"};
  TeardownVsRefreshRead() { this->hva_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::exit_mmap(this->kvm);
    else if (i == 1)
      this->refresh(this->gpc);
    else
      this->read(i);
  }
};

// ===========================================================================
// Two caches: the list, the walk over several caches, two locks held together.
// ===========================================================================

// ---------------------------------------------------------------------------
// two_caches_invalidate_both_read
template <class M, template <class> class V>
struct TwoCachesInvalidateBothRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_caches_invalidate_both_read",
      /*Shape: */
      "two GPA-based caches, gfn 1 (hva page 0) and gfn 2 (hva page 1), both valid: "
      "one invalidation whose range covers both pages (both migrate) || the "
      "runstate-style reader holding both caches' read locks (gpc then gpc2) || "
      "kvm_gpc_refresh() of gpc.",
      /*Result:*/
      "Never S1..S6, S8, S12..S14 for either cache. Sometimes one walk invalidates "
      "both caches (I3); Sometimes the reader uses both (U1); Sometimes the refresh "
      "retries (R2).",
      /*Shows: */
      "the walk visits every listed cache under kvm->gpc_lock, one gpc->lock at a "
      "time; a reader holding two never blocks it for good.",
      /*Sometimes:*/ "I3 U1 R2"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate both", "runstate", "refresh"};
  TwoCachesInvalidateBothRead() {
    this->use_two_caches();
    this->gpa_cache(this->gpc, 1, true);
    this->gpa_cache(this->gpc2, 2, true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate_range(this->kvm, this->hva(0), this->hva(2));
    else if (i == 1)
      V<M>::read_use_two(this->gpc, this->gpc2);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// two_caches_invalidate_one_read
template <class M, template <class> class V>
struct TwoCachesInvalidateOneRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_caches_invalidate_one_read",
      /*Shape: */
      "the same two caches: migration of hva page 1 only (gpc2's page) || a reader "
      "of gpc || kvm_gpc_refresh() of gpc2.",
      /*Result:*/
      "Never S1..S6, S8, S12..S14. Sometimes the reader uses gpc undisturbed (U1) "
      "while gpc2 is invalidated (I1) and refreshed (R2 or a first-pass success).",
      /*Shows: */
      "an invalidation takes the write lock only of the cache it hits; the other "
      "cache's reader is not held up.",
      /*Sometimes:*/ "U1 I1 R2"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate gpc2", "read gpc", "refresh gpc2"};
  TwoCachesInvalidateOneRead() {
    this->use_two_caches();
    this->gpa_cache(this->gpc, 1, true);
    this->gpa_cache(this->gpc2, 2, true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, this->hva(1));
    else if (i == 1)
      this->read(i, this->gpc);
    else
      this->refresh(this->gpc2);
  }
};

// ---------------------------------------------------------------------------
// two_caches_deactivate_activate_read
template <class M, template <class> class V>
struct TwoCachesDeactivateActivateRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_caches_deactivate_activate_read",
      /*Shape: */
      "gpc valid on gfn 1, gpc2 never activated: kvm_gpc_deactivate(gpc) then "
      "kvm_gpc_deactivate(gpc2) (as VM teardown does, active or not) || "
      "kvm_gpc_activate(gpc2, gfn 2) || a reader of gpc.",
      /*Result:*/
      "Never S8 (the reader never uses a khva that is unmapped), S13 (the "
      "deactivation's mapping is unmapped exactly once), S14 (list_add and "
      "list_del of different caches interleave without corrupting kvm->gpc_list), "
      "S6. Sometimes the reader uses gpc before the deactivation (U1), Sometimes "
      "it finds it inactive (U0).",
      /*Shows: */
      "deactivate unmaps only after the write critical section that unpublished "
      "the mapping, and after list_del(); both list operations hold "
      "kvm->gpc_lock.",
      /*Sometimes:*/ "U1 U0"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"deactivate gpc", "activate gpc2", "read gpc"};
  TwoCachesDeactivateActivateRead() {
    this->use_two_caches();
    this->gpa_cache(this->gpc, 1, true);
  }
  void thread(unsigned i) {
    if (i == 0) {
      // VM teardown's order: every cache, activated or not.
      this->deactivate(this->gpc);
      this->deactivate(this->gpc2);
    } else if (i == 1) {
      this->activate(this->gpc2, 2);
    } else {
      this->read(i, this->gpc);
    }
  }
};

// ---------------------------------------------------------------------------
// two_activators_invalidate
template <class M, template <class> class V>
struct TwoActivatorsInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_activators_invalidate",
      /*Shape: */
      "one cache, never activated: kvm_gpc_activate(gfn 1) || kvm_gpc_activate(gfn "
      "2) (two ioctls on the same cache) || migration of hva page 0.",
      /*Result:*/
      "Never S14 (the cache is added to kvm->gpc_list once), S6, S16, S1..S3. "
      "Sometimes the second activation finds the cache active and only refreshes "
      "it (a move, A-style: the cache ends on either page).",
      /*Shows: */
      "since 6addfcf27139 refresh_lock makes activate's test of active and its "
      "list_add() one step; before, the callers' own lock was trusted.",
      /*Sometimes:*/ "U1",
      // Before 6addfcf27139 the API left this to the callers (v6.1's hold
      // kvm->lock around both ioctls): no cell for such a kernel file.
      /*slow:*/ false, /*needs:*/ "parallel-activate"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"activate 1", "activate 2", "invalidate"};
  TwoActivatorsInvalidate() {}
  void thread(unsigned i) {
    if (i == 0)
      this->activate(this->gpc, 1);
    else if (i == 1)
      this->activate(this->gpc, 2);
    else
      V<M>::invalidate(this->kvm, this->hva(0));
  }
  void after() {
    ScenarioBase<M, V>::after();
    if (this->gpc.valid.load()) M::observe(inv::U1_used);
  }
};

// ---------------------------------------------------------------------------
// runstate_two_caches_refresh_invalidate
template <class M, template <class> class V>
struct RunstateTwoCachesRefreshInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "runstate_two_caches_refresh_invalidate",
      /*Shape: */
      "two caches, both valid, with the kernel's fair rwlock (a task reader waits "
      "behind a waiting writer): the runstate update (kvm_xen_update_runstate_guest: "
      "gpc's read lock, then gpc2's) || kvm_gpc_refresh() of gpc2 after an "
      "invalidation made it invalid || migration of hva page 0 (gpc's page).",
      /*Result:*/
      "Never a deadlock, never S1..S6, S8. Sometimes the reader uses both caches "
      "(U1); Sometimes the refresh retries (R2); Sometimes the walk invalidates "
      "gpc (I1).",
      /*Shows: */
      "deadlock freedom with two caches: no other path holds two gpc locks, so "
      "the fixed order is not part of any cycle.",
      /*Sometimes:*/ "U1 R2 I1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"runstate", "refresh gpc2", "invalidate"};
  RunstateTwoCachesRefreshInvalidate() {
    this->use_two_caches();
    this->gpa_cache(this->gpc, 1, true);
    this->gpa_cache(this->gpc2, 2, false);
    this->gpc.lock.set_fair(true);
    this->gpc2.lock.set_fair(true);
  }
  void thread(unsigned i) {
    if (i == 0)
      V<M>::read_use_two(this->gpc, this->gpc2);
    else if (i == 1)
      this->refresh(this->gpc2);
    else
      V<M>::invalidate(this->kvm, this->hva(0));
  }
};

// ===========================================================================
// Progress: scenarios whose every spin-wait hint is a progress point (the
// lasso detector, docs/reduction.md "Progress"). A stream of N
// invalidations stands for an endless one: the detector compares states
// without the stream's loop counter.
// ===========================================================================

// A stream of `n` mprotect()s of hva page `page` (in the memslot, never
// cached here), each a finished operation of the scenario.
template <class M, template <class> class V>
void mprotect_stream(Kvm<M>& kvm, hva_t hva, unsigned n) {
  for (unsigned k = 0; k < n; ++k) {
    V<M>::mprotect(kvm, hva);
    M::op_done();
  }
}

// ---------------------------------------------------------------------------
// unrelated_stream_refresh
template <class M, template <class> class V>
struct UnrelatedStreamRefresh : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "unrelated_stream_refresh",
      /*Shape: */
      "a stream of mprotect()s of hva page 1 (in the memslot; the cache maps page 0), "
      "standing for an endless one || kvm_gpc_refresh() of an active, invalid cache.",
      /*Result:*/
      "Progress: the refresh finishes under every fair schedule (no lasso). Never "
      "S1..S6. Sometimes a pass goes on beside an invalidation of page 1 in flight (R6).",
      /*Shows: */
      "whether invalidations of addresses the cache does not map can keep a refresh "
      "retrying forever: the retry test is global (mmu_invalidate_seq, "
      "mn_active_invalidate_count).",
      /*Sometimes:*/ "R6"};
  static constexpr unsigned threads = 2;
  static constexpr bool progress = true;
  static constexpr const char* thread_names[] = {"mprotect stream", "refresh"};
  UnrelatedStreamRefresh() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i == 0)
      mprotect_stream<M, V>(this->kvm, this->hva(1), 2);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// overlapping_streams_refresh
template <class M, template <class> class V>
struct OverlappingStreamsRefresh : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "overlapping_streams_refresh",
      /*Shape: */
      "two streams of mprotect()s of hva page 1, whose in-flight intervals can "
      "overlap (mn_active_invalidate_count never back to 0) || kvm_gpc_refresh() "
      "of an active, invalid cache on page 0.",
      /*Result:*/
      "Progress: the refresh finishes under every fair schedule. Never S1..S6. "
      "Sometimes a pass goes on beside two invalidations in flight (R6).",
      /*Shows: */
      "the case the count alone decides: with two invalidators the count can stay "
      "raised for as long as they keep coming.",
      /*Sometimes:*/ "R6",
      /*slow:*/ true};
  static constexpr unsigned threads = 3;
  static constexpr bool progress = true;
  static constexpr const char* thread_names[] = {"mprotect stream A", "mprotect stream B",
                                                 "refresh"};
  static constexpr int symmetric_with[] = {-1, 0, -1};
  OverlappingStreamsRefresh() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i < 2)
      mprotect_stream<M, V>(this->kvm, this->hva(1), 2);
    else
      this->refresh(this->gpc);
  }
};

// ---------------------------------------------------------------------------
// pvclock_loop_vs_migrations
template <class M, template <class> class V>
struct PvclockLoopVsMigrations : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "pvclock_loop_vs_migrations",
      /*Shape: */
      "two migrations of hva page 0 || the pvclock user (kvm_setup_guest_pvclock(): "
      "check, and while it fails, refresh and check again) on an invalid cache of it.",
      /*Result:*/
      "Progress: the loop finishes (a bounded stream of invalidations of its own page "
      "delays it a bounded number of times). Never S1..S6, S12, S13. Sometimes the "
      "check fails again after a refresh (U4); Sometimes the user reads the "
      "page (U1).",
      /*Shows: */
      "the check/refresh loop around the retry loop: each invalidation of the page can "
      "cost a refresh, and nothing more.",
      /*Sometimes:*/ "U4 U1"};
  static constexpr unsigned threads = 2;
  static constexpr bool progress = true;
  static constexpr const char* thread_names[] = {"migrations", "pvclock"};
  PvclockLoopVsMigrations() { this->gpa_cache(this->gpc, 1, false); }
  void thread(unsigned i) {
    if (i == 0) {
      for (unsigned k = 0; k < 2; ++k) {
        V<M>::invalidate(this->kvm, this->hva(0));
        M::op_done();
      }
    } else if (V<M>::read_use_refreshing(this->gpc)) {
      this->used.fetch_or(1u << i, std::memory_order_relaxed);
    }
  }
};

// ---------------------------------------------------------------------------
// cow_refresh_read
template <class M, template <class> class V>
struct CowRefreshRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "cow_refresh_read",
      /*Shape: */
      "kvm_gpc_refresh() of an active, invalid cache on hva page 0, whose entry is "
      "write-protected (copy-on-write): its GUP (FOLL_WRITE) faults and raises an "
      "invalidation of that page itself || a reader's fast path.",
      /*Result:*/
      "Progress: the refresh finishes (its own invalidation costs it one more pass). "
      "Never S1..S6, S12, S13. Sometimes GUP breaks copy-on-write (P5) and the pass "
      "retries (R1); Sometimes the reader uses the copy (U1).",
      /*Shows: */
      "a refresh that is its own invalidator: the pass retries on the invalidation its "
      "GUP raised, and the next pass finds the entry writable.",
      /*Sometimes:*/ "P5 R1 U1"};
  static constexpr unsigned threads = 2;
  static constexpr bool progress = true;
  static constexpr const char* thread_names[] = {"refresh", "read"};
  CowRefreshRead() {
    this->gpa_cache(this->gpc, 1, false);
    this->kvm.mm.write_protect_initially(0);
  }
  void thread(unsigned i) {
    if (i == 0) {
      this->refresh(this->gpc);
    } else {
      this->read(i);
      this->read(i);
    }
  }
};

// The registered scenarios, in table order.
#define PFV_SCENARIOS(X)             \
  X(InvalidateVsRead)                \
  X(UnrelatedInvalidateVsRead)       \
  X(InvalidateVsRefresh)             \
  X(RefreshReadInvalidate)           \
  X(ActivateDeactivate)              \
  X(MoveVsInvalidate)                \
  X(TwoInvalidatorsRefresh)          \
  X(TwoInvalidatorsRefreshRead)      \
  X(RefreshTwoReadersInvalidate)     \
  X(MoveRefreshReadInvalidate)       \
  X(HvaRefreshInvalidateRead)        \
  X(HvaOutsideRefreshInvalidateRead) \
  X(DeviceZapRefreshRead)            \
  X(HvaActivateBadAddress)           \
  X(TwoRefreshersMemslotFlags)       \
  X(RefreshMemslotMove)              \
  X(MemslotDeleteVsInvalidate)       \
  X(MemslotCreateVsInvalidate)       \
  X(RefreshMemslotDeleteMunmap)      \
  X(ReadMemslotMove)                 \
  X(TeardownVsTimerRead)             \
  X(TeardownVsRefreshRead)            \
  X(TwoCachesInvalidateBothRead)      \
  X(TwoCachesInvalidateOneRead)       \
  X(TwoCachesDeactivateActivateRead)  \
  X(TwoActivatorsInvalidate)          \
  X(RunstateTwoCachesRefreshInvalidate) \
  X(UnrelatedStreamRefresh)             \
  X(OverlappingStreamsRefresh)          \
  X(PvclockLoopVsMigrations)           \
  X(CowRefreshRead)

}  // namespace pfv

#endif  // PFV_IMPL_SCENARIOS_HPP
