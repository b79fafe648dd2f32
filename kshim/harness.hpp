// kshim/harness.hpp: the kernel's own pfncache.c as a variant of the gate.
//
// WHAT IT IS
//   KSHIM_NS::KernelFile<M> is a variant like those of impl/variants/: the
//   scenarios, the kvm_main.c side (impl/kvm_main.hpp: the mmu_notifier
//   callbacks, memslot updates, the primary MMU) and the users (read_use and
//   friends) are impl/'s, and the operations of pfncache.c (the walk, check,
//   refresh, activate, deactivate) are the kernel file's own, called through
//   the views of kshim/bridge.hpp. The functions that file calls are defined
//   here, on the model, with impl/'s checks around them:
//
//     read_unlock_irq / write_lock_irq / write_unlock_irq
//         the checker code of Pfncache::write_lock_irq/write_unlock_irq (S2,
//         S3, S6) for every write critical section; chosen by the calling
//         kernel function (Loc::func): in gfn_to_pfn_cache_invalidate_start,
//         the walk's checks (S1 walk half, the pre-check window: W0..W7,
//         S11, I1); in hva_to_pfn_retry, S4 when the lock is dropped
//     WARN_ON_ONCE / KVM_BUG_ON     the kernel's own assertions (S5, S16)
//     lockdep_assert_held*()        real ownership checks (S16)
//     list_add / list_del / the walk (S14), GUP, page releases, kmap and
//     memremap (S8, S12, S13) as impl/ and impl/host_mmu.hpp do them
//     cond_resched()                the retry loop's spin-wait hint, carrying
//         the last mmu_invalidate_seq this thread read (the pass's snapshot)
//
//   Which hook runs is decided by the kernel function's name: a kernel that
//   renames hva_to_pfn_retry or gfn_to_pfn_cache_invalidate_start would
//   silently lose checks, so every scenario's Sometimes also includes the
//   hooks' own coverage observations (K1: the walk's hook ran, K2: the retry
//   loop's), which the gate requires.
//
// GUARANTEE
//   Where the kernel file and its impl/ twin (VariantInfo::twin) are the same
//   code, the search sees the same steps in the same order, so executions,
//   outcomes and verdicts agree: the gate reports any difference as drift.
//
// CAVEATS
//   * The fingerprint the spin-wait hint carries is the last seq load (what
//     impl/ declares for its loop). It is a claim about the kernel's loop:
//     kshim tests it against the fingerprint of every value the pass loaded
//     (ctest kernel.fingerprint).
//   * Thread state of the harness (the current walk, the window's snapshot)
//     is per model thread: an array indexed by Relacy's thread under Relacy,
//     thread_local on real threads.
#ifndef PFV_KSHIM_HARNESS_HPP
#define PFV_KSHIM_HARNESS_HPP

#include <cstdint>
#include <cstring>

#include "impl/info.hpp"
#include "impl/invariants.hpp"
#include "impl/pfncache.hpp"
#include "kshim/bridge.hpp"
#include "kshim/knobs.hpp"

namespace KSHIM_NS {

// The shim's own kind of check failure: its texts.
inline constexpr const char* kLockdep =
    "S16: lockdep_assert_held() failed: the lock is not held by this thread";

template <class M>
struct KernelFile;

// ---- the harness's per-thread state ----------------------------------------------

struct ThreadState {
  Loc site{"", "", 0};
  // The walk in progress (gfn_to_pfn_cache_invalidate_start).
  pfv::MmuNotifierRange* range = nullptr;
  unsigned invalidated = 0;
  unsigned visited = 0;
  pfv::Gpc<KM>* window = nullptr;  // the cache whose pre-check matched
  typename pfv::Gpc<KM>::Snapshot seen{};
  bool valid_at_write_lock = false;
  // What this thread read last.
  unsigned long last_count = 0, last_seq = 0;
  int last_set = 0;
  bool gen_read = false;
  u64 slots_gen = 0, gpc_gen = 0;
  bool in_retry_window = false;  // between a pass's unlock and its GUP
  u64 loads_fp = 0;  // every value loaded since the last hint (kshim::fingerprint_loads)
  // Locks held (lockdep), and whether for write.
  const void* held[8] = {};
  bool held_write[8] = {};
  unsigned nheld = 0;
};

#if KSHIM_MODEL_RELACY
inline ThreadState* tstates() {
  static ThreadState s[pfv::rlm::kMaxThreads + 1];
  return s;
}
inline ThreadState& tstate() {
  const pfv::rlm::Recorder& r = pfv::rlm::recorder();
  return tstates()[r.in_special ? pfv::rlm::kSpecialThread : pfv::rlm::current_thread()];
}
// A failing check leaves Relacy's threads mid-function: every execution
// starts from fresh thread state (bind(), before any thread runs).
inline void reset_tstates() {
  for (unsigned i = 0; i <= pfv::rlm::kMaxThreads; ++i) tstates()[i] = ThreadState{};
}
#else
inline ThreadState& tstate() {
  static thread_local ThreadState s;
  return s;
}
inline void reset_tstates() {}  // every iteration runs fresh threads
#endif

inline Loc& last_site() { return tstate().site; }

inline void hold(const void* l, bool write = true) {
  ThreadState& t = tstate();
  // (No scenario holds more than a few locks at once.)
  KM::check(t.nheld < 8, "kshim: more than 8 locks held by one thread");
  if (t.nheld < 8) {
    t.held_write[t.nheld] = write;
    t.held[t.nheld++] = l;
  }
}
inline void release(const void* l) {
  ThreadState& t = tstate();
  for (unsigned i = 0; i < t.nheld; ++i)
    if (t.held[i] == l) {
      --t.nheld;
      t.held[i] = t.held[t.nheld];
      t.held_write[i] = t.held_write[t.nheld];
      return;
    }
}
inline bool holds(const void* l, bool for_write = false) {
  const ThreadState& t = tstate();
  for (unsigned i = 0; i < t.nheld; ++i)
    if (t.held[i] == l && (!for_write || t.held_write[i])) return true;
  return false;
}

inline bool called_from(const Loc& loc, const char* func) {
  return std::strcmp(loc.func, func) == 0;
}

// ---- the views of the scenario's VM (one VM at a time) ----------------------------

struct Views {
  struct kvm kvm;
  struct page pages[pfv::HostMmu<KM>::kFrames];
};
inline Views& views() {
  static Views v;
  return v;
}
inline pfv::Kvm<KM>& model_kvm() { return *views().kvm.model; }

inline void bind(pfv::Kvm<KM>& k, pfv::Gpc<KM>& g0, pfv::Gpc<KM>& g1) {
  reset_tstates();
  Views& v = views();
  struct kvm& kv = v.kvm;
  kv.model = &k;
  kv.gpc_lock.l = &k.gpc_lock;
  kv.gpc_list.owner = nullptr;
  kv.gpc_list.kvm = &kv;
  kv.mn_active_invalidate_count.a = &k.mn_active_invalidate_count;
  kv.mmu_invalidate_seq.a = &k.mmu_invalidate_seq;
  for (unsigned s = 0; s < pfv::Kvm<KM>::kSlotPool; ++s) kv.slots[s] = {&k, static_cast<int>(s)};
  for (int set = 0; set < 2; ++set) {
    kv.sets[set].kvm = &k;
    kv.sets[set].set = set;
    kv.sets[set].generation.a = &k.__memslots[set].generation;
  }
  pfv::Gpc<KM>* gs[2] = {&g0, &g1};
  for (unsigned i = 0; i < 2; ++i) {
    pfv::Gpc<KM>& g = *gs[i];
    gfn_to_pfn_cache& c = kv.gpcs[i];
    c.model = &g;
    c.kvm = &kv;
    c.generation.v = &g.generation;
    c.gpa.v = &g.gpa;
    c.uhva.v = &g.uhva;
    c.memslot.v = &g.memslot;
    c.memslot.owner = &kv;
    c.list.owner = &c;
    c.list.kvm = &kv;
    c.lock.gpc = &c;
    c.refresh_lock.m = &g.refresh_lock;
    c.khva.v = &g.khva;
    c.pfn.v = &g.pfn;
    c.active.v = &g.active;
    c.valid.v = &g.valid;
  }
  for (pfv::pfn_t f = 0; f < pfv::HostMmu<KM>::kFrames; ++f) v.pages[f].pfn = f;
}
inline gfn_to_pfn_cache* view(pfv::Gpc<KM>& g) { return &views().kvm.gpcs[g.index]; }

// The safe fingerprint's hash (kshim::fingerprint_loads).
inline void fingerprint_load(u64 value) {
  u64& h = tstate().loads_fp;
  h = (h ^ value) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
}

// ---- field reads that the harness watches ------------------------------------------

template <class T>
kword<T>::operator T() const {
  const T v = a->load(std::memory_order_relaxed, last_site());
  fingerprint_load(static_cast<u64>(v));
  ThreadState& t = tstate();
  pfv::Kvm<KM>& k = model_kvm();
  if (static_cast<const void*>(a) == &k.mn_active_invalidate_count)
    t.last_count = static_cast<unsigned long>(v);
  else if (static_cast<const void*>(a) == &k.mmu_invalidate_seq)
    t.last_seq = static_cast<unsigned long>(v);
  else {
    t.gen_read = true;
    t.slots_gen = static_cast<u64>(v);
  }
  return v;
}

inline kslot::operator kvm_memory_slot*() const {
  const int i = v->load(last_site());
  fingerprint_load(static_cast<u64>(static_cast<std::int64_t>(i)));
  return i == pfv::kNoSlot ? nullptr : &owner->slots[i];
}

// ---- what pfncache.c calls ------------------------------------------------------------

inline void kshim_loaded(const void* field, u64 value) {
  fingerprint_load(value);
  pfv::Gpc<KM>* g[2] = {views().kvm.gpcs[0].model, views().kvm.gpcs[1].model};
  for (pfv::Gpc<KM>* c : g)
    if (c && field == &c->generation) tstate().gpc_gen = value;
}

inline void kshim_storing(const void* field, u64 value) {
  for (gfn_to_pfn_cache& c : views().kvm.gpcs) {
    pfv::Gpc<KM>* g = c.model;
    if (g == nullptr) continue;
    // impl/'s observations at the same steps of __kvm_gpc_refresh():
    if (field == &g->generation && (value & pfv::KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS))
      KM::observe(pfv::inv::G2_in_progress, last_site());
    if (field == &g->gpa && value != INVALID_GPA && value == g->gpa.load(last_site()))
      KM::observe(pfv::inv::G3_retranslated, last_site());
    if (field == &g->memslot && static_cast<std::int64_t>(value) == pfv::kNoSlot &&
        called_from(last_site(), "__kvm_gpc_refresh"))
      KM::observe(pfv::inv::A2_hva_cache, last_site());
  }
}

inline bool access_ok(const void* addr, unsigned long len, Loc loc) {
  last_site() = loc;
  const bool ok = pfv::access_ok(reinterpret_cast<std::uintptr_t>(addr), len);
  if (!ok) KM::observe(pfv::inv::A1_access_ok, loc);
  return ok;
}

inline bool kshim_warn(bool cond, const char* text, Loc loc) {
  last_site() = loc;
  if (pfv::kshim::dropped("drop-warn", loc.func)) return false;
  if (called_from(loc, "hva_to_pfn_retry") && std::strcmp(text, "gpc->valid") == 0)
    KM::observe(pfv::inv::K4_warn_hooked, loc);
  if (!cond) return false;
  const char* what = pfv::inv::S16_kernel_warn;
  if (called_from(loc, "hva_to_pfn_retry") && std::strcmp(text, "gpc->valid") == 0)
    what = pfv::inv::S5;
  else if (called_from(loc, "__kvm_gpc_refresh"))
    what = pfv::inv::S16_gpa_xor_hva;
  else if (called_from(loc, "__kvm_gpc_activate") && std::strcmp(text, "gpc->valid") == 0)
    what = pfv::inv::S16_bug_on_valid;
  KM::check(false, what, loc);
  return true;
}

inline void lockdep_assert_held(struct mutex* m, Loc loc) {
  last_site() = loc;
  KM::check(holds(m->m), kLockdep, loc);
}
inline void lockdep_assert_held(rwlock_t* l, Loc loc) {
  last_site() = loc;
  KM::check(holds(&l->gpc->model->lock), kLockdep, loc);
}
inline void lockdep_assert_held_write(rwlock_t* l, Loc loc) {
  last_site() = loc;
  KM::check(holds(&l->gpc->model->lock, /*for_write=*/true), kLockdep, loc);
}

inline void spin_lock(spinlock_t* l, Loc loc) {
  last_site() = loc;
  l->l->lock(loc);
  hold(l->l);
}
inline void spin_unlock(spinlock_t* l, Loc loc) {
  last_site() = loc;
  release(l->l);
  l->l->unlock(loc);
}
inline void mutex_lock(struct mutex* m, Loc loc) {
  last_site() = loc;
  if (pfv::kshim::dropped("drop-mutex", loc.func)) return;
  m->m->lock(loc);
  hold(m->m);
}
inline void mutex_unlock(struct mutex* m, Loc loc) {
  last_site() = loc;
  if (pfv::kshim::dropped("drop-mutex", loc.func)) return;
  release(m->m);
  m->m->unlock(loc);
}

// gpc->lock: impl/'s lock wrappers with their checks, and the walk's and the
// retry loop's checks by calling function.
template <class P>
struct Locks {
  static void read_lock_irq(rwlock_t* l, Loc loc) {
    last_site() = loc;
    pfv::Gpc<KM>& g = *l->gpc->model;
    if (pfv::kshim::dropped("drop-read-lock", loc.func)) return;
    P::read_lock_irq(g, loc);
    hold(&g.lock, /*write=*/false);
  }
  static void read_unlock_irq(rwlock_t* l, Loc loc) {
    last_site() = loc;
    pfv::Gpc<KM>& g = *l->gpc->model;
    ThreadState& t = tstate();
    const bool locked = !pfv::kshim::dropped("drop-read-lock", loc.func);
    release(&g.lock);
    if (called_from(loc, "gfn_to_pfn_cache_invalidate_start") && t.range) {
      KM::observe(pfv::inv::K1_walk_hooked, loc);
      if (P::covers(g, *t.range)) {
        // The pre-check matched: the window opens.
        t.seen = P::window_snapshot(g);
        t.window = &g;
        if (locked) P::read_unlock_irq(g, loc);
        KM::observe(pfv::inv::W0_window, loc);
        return;
      }
      P::walked(g, *t.range);
    }
    if (locked) P::read_unlock_irq(g, loc);
  }
  static void write_lock_irq(rwlock_t* l, Loc loc) {
    last_site() = loc;
    pfv::Gpc<KM>& g = *l->gpc->model;
    const bool locked = !pfv::kshim::dropped("drop-write-lock", loc.func);
    if (locked) {
      P::write_lock_irq(g, loc);
      hold(&g.lock);
    } else {
      // (The checker's snapshot, which the dropped lock would have taken.)
      g.at_write_lock = {g.valid.load(loc), g.active.load(loc), g.pfn.load(loc), g.uhva.load(loc),
                         g.khva.load(loc)};
    }
    ThreadState& t = tstate();
    if (called_from(loc, "gfn_to_pfn_cache_invalidate_start") && t.range) {
      t.valid_at_write_lock = g.at_write_lock.valid;
      if (t.window == &g) P::observe_window(g, t.seen, t.range->start, t.range->end);
    }
  }
  static void write_unlock_irq(rwlock_t* l, Loc loc) {
    last_site() = loc;
    pfv::Gpc<KM>& g = *l->gpc->model;
    ThreadState& t = tstate();
    const bool locked = !pfv::kshim::dropped("drop-write-lock", loc.func);
    release(&g.lock);
    if (called_from(loc, "gfn_to_pfn_cache_invalidate_start") && t.range) {
      KM::observe(pfv::inv::K1_walk_hooked, loc);
      const bool cleared = t.valid_at_write_lock && !g.valid.load(loc);
      if (t.window == &g) KM::observe(cleared ? pfv::inv::W6_revalidated : pfv::inv::W7_recheck_skipped, loc);
      if (cleared) {
        KM::observe(pfv::inv::I1_invalidated, loc);
        ++t.invalidated;
      }
      t.window = nullptr;
      P::walked(g, *t.range);
    } else if (called_from(loc, "hva_to_pfn_retry")) {
      // A pass drops the lock to run GUP.
      KM::observe(pfv::inv::K2_retry_hooked, loc);
      KM::check(!g.valid.load(loc), pfv::inv::S4, loc);
      t.in_retry_window = true;
      if (t.last_seq != 0) KM::observe(pfv::inv::R5_snapshot_saw_end, loc);
    }
    if (locked) P::write_unlock_irq(g, loc);
  }
};

// kvm->gpc_list: the model's list, with impl/'s checked list_add/list_del.
template <class P>
struct Lists {
  static void list_add(struct list_head* node, struct list_head*, Loc loc) {
    last_site() = loc;
    P::list_add(model_kvm(), *node->owner->model);
  }
  static void list_del(struct list_head* node, Loc loc) {
    last_site() = loc;
    P::list_del(model_kvm(), *node->owner->model);
  }
  static gfn_to_pfn_cache* at(int i, Loc loc) {
    ThreadState& t = tstate();
    if (i == pfv::Gpc<KM>::kHead) return nullptr;
    if (i < 0 || ++t.visited > pfv::Kvm<KM>::kMaxGpc) {
      // A deleted node still linked, or a cycle (as impl/'s walk says).
      KM::check(false, pfv::inv::S14_walk, loc);
      return nullptr;
    }
    return &views().kvm.gpcs[i];
  }
  static gfn_to_pfn_cache* first(struct list_head*, Loc loc) {
    last_site() = loc;
    tstate().visited = 0;
    gfn_to_pfn_cache* c = at(model_kvm().gpc_list_next.load(loc), loc);
    if (c) KM::observe(pfv::inv::K3_walk_met_cache, loc);
    return c;
  }
  static gfn_to_pfn_cache* next(struct list_head*, gfn_to_pfn_cache* pos, Loc loc) {
    last_site() = loc;
    return at(pos->model->next.load(loc), loc);
  }
};

template <class P>
struct Pages {
  static pfv::HostMmu<KM>& mm() { return model_kvm().mm; }
  static kvm_pfn_t gup(unsigned long addr, Loc loc) {
    last_site() = loc;
    tstate().in_retry_window = false;
    const kvm_pfn_t pfn = mm().hva_to_pfn(addr);
    fingerprint_load(pfn);
    if (!is_error_noslot_pfn(pfn)) KM::observe(pfv::inv::K0_gup, loc);
    return pfn;
  }
  static void release(kvm_pfn_t pfn, Loc loc) {
    last_site() = loc;
    P::release_page(model_kvm(), pfn);
  }
  static void unmapped(const Loc& loc) {
    if (tstate().in_retry_window) KM::observe(pfv::inv::P3_retry_unmapped, loc);
  }
};

}  // namespace KSHIM_NS

#endif  // PFV_KSHIM_HARNESS_HPP
