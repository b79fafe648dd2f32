// impl/scenarios.hpp: the races the suite explores, written once over the
// model and the variant, run by both drivers.
//
// Each scenario is a class template Scenario<M, V>: M the memory model, V the
// variant (a template over M deriving from Pfncache, see impl/variants.list).
// It owns a VM with one cache and the primary MMU, runs one kernel operation
// per thread, and checks at the end what must hold at rest. Each opens with
// its `info`:
//   Shape:   which operations race,
//   Result:  what must never happen (Never), and what must be reachable
//            (Sometimes) for the Never to mean anything,
//   Shows:   the point,
//   Sometimes: the codes of the observations the Result's Sometimes names;
//            the gate fails a passing complete search that misses one.
// Frames: hva 0 maps frame 0 and hva 1 maps frame 1 at the start; frames 2
// and 3 are the migration targets of hva 0, frame 4 of hva 1.
#ifndef PFV_IMPL_SCENARIOS_HPP
#define PFV_IMPL_SCENARIOS_HPP

#include <atomic>
#include <cstdint>

#include "impl/info.hpp"
#include "impl/invariants.hpp"
#include "impl/pfncache.hpp"
#include "model/model.hpp"

namespace pfv {

// What every scenario shares: the VM, its cache, and the checks at rest.
template <class M, template <class> class V>
struct ScenarioBase {
  using P = V<M>;
  using Init = typename Gpc<M>::Init;

  Kvm<M> kvm;
  Gpc<M> gpc;
  // Which threads used the page (bit per thread). Checker state, touched
  // with relaxed atomics so that several readers on real threads neither race
  // on it nor synchronise through it.
  std::atomic<std::uint64_t> used{0};

  explicit ScenarioBase(Init init) : gpc(kvm, 0, init) {
    kvm.gpcs[0] = &gpc;
    kvm.ngpc = 1;
    kvm.mm.home[2] = 0;
    kvm.mm.home[3] = 0;
    kvm.mm.home[4] = 1;
  }

  static Init valid_on_frame0() { return Init{true, true, 0, 0}; }
  static Init active_invalid() { return Init{true, false, 0, KVM_PFN_ERR_FAULT}; }

  void before() {}

  // At rest (every thread done, no invalidation in flight): a valid cache
  // maps the live frame of its address, and nothing is left over.
  void after() {
    if (gpc.valid.load()) {
      M::check(gpc.active.load(), inv::S6_valid_active);
      M::check(kvm.mm.mapped_live(gpc.pfn.load(), gpc.uhva.load()), inv::S3);
    }
    M::check(kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) == 0,
             "mn_active_invalidate_count is zero at rest");
    M::check((gpc.ghost.load() >> Gpc<M>::WALKED_SHIFT) == 0, "no invalidation in flight at rest");
    M::check(kvm.mmu_invalidate_in_progress.load() == 0,
             "mmu_invalidate_in_progress is zero at rest");
    observe_readers();
  }

  // Final state, for comparing the behaviours two searches reach.
  std::uint64_t signature() {
    std::uint64_t s = used.load(std::memory_order_relaxed);
    s = s * 2 + gpc.valid.load();
    s = s * 2 + gpc.active.load();
    s = s * 8 + (gpc.pfn.load() & 7);
    s = s * 8 + (gpc.uhva.load() & 7);
    s = s * 16 + kvm.mmu_invalidate_seq.load(std::memory_order_relaxed);
    return s;
  }

  // How many threads used the page (U3 when two did).
  void observe_readers() {
    const std::uint64_t u = used.load(std::memory_order_relaxed);
    if (u & (u - 1)) M::observe(inv::U3_readers_both);
  }

  void read(unsigned thread) {
    if (P::read_use(gpc)) used.fetch_or(1u << thread, std::memory_order_relaxed);
  }
};

// ---------------------------------------------------------------------------
// invalidate_vs_read
template <class M, template <class> class V>
struct InvalidateVsRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "invalidate_vs_read",
      /*Shape: */
      "page migration of hva 0 (frame 0 -> 2) || a reader's fast path "
      "(kvm_xen_set_evtchn_fast: check, use, unlock).",
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
  InvalidateVsRead() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
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
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_refresh() of an "
      "active but invalid cache for hva 0.",
      /*Result:*/
      "Never S2, S3, S4, S5 (refresh never installs frame 0 once the walk has "
      "passed, nor publishes a half-done refresh). Sometimes the retry loop "
      "retries on the count (R2) and on the seq (R3); Sometimes the walk "
      "finds the refreshed cache valid and invalidates it (I1).",
      /*Shows: */
      "mmu_notifier_retry_cache(): the count covers an invalidation in "
      "flight, the seq one that ended after the snapshot.",
      /*Sometimes:*/ "R2 R3 I1"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"invalidate", "refresh"};
  InvalidateVsRefresh() : ScenarioBase<M, V>(ScenarioBase<M, V>::active_invalid()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
  }
};

// ---------------------------------------------------------------------------
// unrelated_invalidate_vs_read
template <class M, template <class> class V>
struct UnrelatedInvalidateVsRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "unrelated_invalidate_vs_read",
      /*Shape: */
      "page migration of hva 1 (frame 1 -> 4) || a reader of a cache on hva "
      "0.",
      /*Result:*/
      "Never S1..S6; the pre-check never matches, so the invalidation never "
      "takes the write lock (the case 21dadfcd665e optimises). Sometimes "
      "the reader uses the cache (U1).",
      /*Shows: */
      "an unrelated invalidation leaves the cache and its reader alone.",
      /*Sometimes:*/ "U1"};
  static constexpr unsigned threads = 2;
  static constexpr const char* thread_names[] = {"invalidate", "read"};
  UnrelatedInvalidateVsRead() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 1, 4, 1);
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
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_refresh() || a "
      "reader's fast path; the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6. Sometimes the reader uses frame 0 (U1), Sometimes frame "
      "2 after the refresh re-mapped it (U2); Sometimes the refresh retries "
      "(R2, R3) and the pre-check window is open (W0).",
      /*Shows: */
      "the three roles together: the walk, the retry loop and the reader's "
      "check meet on gpc->lock.",
      /*Sometimes:*/ "U1 U2 R2 R3 W0"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read"};
  RefreshReadInvalidate() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
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
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_deactivate() then "
      "kvm_gpc_activate() of the same gpa || kvm_gpc_refresh().",
      /*Result:*/
      "Never S1..S6; in particular never active-but-unlisted, never "
      "valid-but-inactive (CVE-2022-49882's shape). Sometimes the "
      "invalidation's window sees the deactivation (W5) and the re-check "
      "skips (W7); Sometimes the refresh retries (R2).",
      /*Shows: */
      "the list/active ordering that keeps every usable cache reachable by "
      "invalidations.",
      /*Sometimes:*/ "W5 W7 R2 I1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "deact+act", "refresh"};
  ActivateDeactivate() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0) {
      V<M>::invalidate(this->kvm, 0, 2, 1);
    } else if (i == 1) {
      V<M>::kvm_gpc_deactivate(this->gpc);
      V<M>::kvm_gpc_activate(this->gpc, 0, V<M>::kLen);
    } else {
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
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
      "two migrations of hva 0 (to frames 2 and 3, serialised by the page "
      "table lock) || kvm_gpc_refresh() of an active, invalid cache.",
      /*Result:*/
      "Never S1..S6. Sometimes the retry loop sees both invalidations in "
      "flight (R4); Sometimes it retries on the seq (R3); Sometimes a walk "
      "finds the refreshed cache valid (I1).",
      /*Shows: */
      "mn_active_invalidate_count counts, it is not a flag; S2 holds per "
      "walking invalidation.",
      /*Sometimes:*/ "R4 R3 I1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate A", "invalidate B", "refresh"};
  TwoInvalidatorsRefresh() : ScenarioBase<M, V>(ScenarioBase<M, V>::active_invalid()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::invalidate(this->kvm, 0, 3, 2);
    else
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
  }
};

// ---------------------------------------------------------------------------
// move_vs_invalidate
template <class M, template <class> class V>
struct MoveVsInvalidate : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "move_vs_invalidate",
      /*Shape: */
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_activate() of the "
      "active cache with gpa 1 (a refresh that moves it to hva 1) || a "
      "reader's fast path.",
      /*Result:*/
      "Never S1..S6. Sometimes the cache moves inside the invalidation's "
      "pre-check window (W3), and the re-check then skips (W7); Sometimes "
      "the reader uses the cache (U1).",
      /*Shows: */
      "the window the comment in 21dadfcd665e describes, reached.",
      /*Sometimes:*/ "W3 W7 U1"};
  static constexpr unsigned threads = 3;
  static constexpr const char* thread_names[] = {"invalidate", "move", "read"};
  MoveVsInvalidate() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::kvm_gpc_activate(this->gpc, 1, V<M>::kLen);
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
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_refresh() || two "
      "readers' fast paths; four threads, the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6, never a race between the readers. Sometimes both readers "
      "use the cache (U3); Sometimes a reader uses frame 2 after the refresh "
      "(U2); Sometimes the pre-check window is open (W0).",
      /*Shows: */
      "readers share the read lock with each other; the re-check's write "
      "lock waits for all of them.",
      /*Sometimes:*/ "U3 U2 W0 R2"};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate", "refresh", "read A", "read B"};
  RefreshTwoReadersInvalidate() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
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
      "page migration of hva 0 (frame 0 -> 2) || kvm_gpc_activate() with gpa 1 "
      "(a move) || kvm_gpc_refresh() || a reader's fast path; four threads.",
      /*Result:*/
      "Never S1..S6. Sometimes the move happens in the pre-check window (W3) "
      "and the re-check skips (W7); Sometimes the reader uses the cache "
      "(U1) and the refresh retries (R2).",
      /*Shows: */
      "two refreshers serialise on refresh_lock; whichever runs second sees "
      "the first one's address.",
      /*Sometimes:*/ "W3 W7 U1 R2"};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate", "move", "read", "refresh"};
  MoveRefreshReadInvalidate() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::kvm_gpc_activate(this->gpc, 1, V<M>::kLen);
    else if (i == 2)
      this->read(i);
    else
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
  }
};

// ---------------------------------------------------------------------------
// two_invalidators_refresh_read (not in the gate: see docs/reduction.md)
template <class M, template <class> class V>
struct TwoInvalidatorsRefreshRead : ScenarioBase<M, V> {
  static constexpr ScenarioInfo info = {
      "two_invalidators_refresh_read",
      /*Shape: */
      "two migrations of hva 0 || kvm_gpc_refresh() || a reader's fast path; "
      "four threads, the cache starts valid on frame 0.",
      /*Result:*/
      "Never S1..S6. Sometimes the retry loop sees both invalidations in "
      "flight (R4); Sometimes the reader uses the cache (U1).",
      /*Shows: */
      "the cost of a complete search grows with the retry loop's partners: "
      "this one is reported, not gated.",
      /*Sometimes:*/ "R4 U1"};
  static constexpr unsigned threads = 4;
  static constexpr const char* thread_names[] = {"invalidate A", "invalidate B", "refresh", "read"};
  TwoInvalidatorsRefreshRead() : ScenarioBase<M, V>(ScenarioBase<M, V>::valid_on_frame0()) {}
  void thread(unsigned i) {
    if (i == 0)
      V<M>::invalidate(this->kvm, 0, 2, 1);
    else if (i == 1)
      V<M>::invalidate(this->kvm, 0, 3, 2);
    else if (i == 2)
      V<M>::kvm_gpc_refresh(this->gpc, V<M>::kLen);
    else
      this->read(i);
  }
};

// The registered scenarios, in table order.
#define PFV_SCENARIOS(X)         \
  X(InvalidateVsRead)            \
  X(UnrelatedInvalidateVsRead)   \
  X(InvalidateVsRefresh)         \
  X(RefreshReadInvalidate)       \
  X(ActivateDeactivate)          \
  X(MoveVsInvalidate)            \
  X(TwoInvalidatorsRefresh)      \
  X(RefreshTwoReadersInvalidate) \
  X(MoveRefreshReadInvalidate)

}  // namespace pfv

#endif  // PFV_IMPL_SCENARIOS_HPP
