// kshim/bridge.hpp: the kernel's types and functions, as the kernel's own
// virt/kvm/pfncache.c sees them, bound to the project's model state.
//
// WHAT IT IS
//   The shim lets the kernel's unmodified pfncache.c, compiled as C++ (g++),
//   run on impl/'s model: `struct gfn_to_pfn_cache`, `struct kvm`, the
//   memslots, pages, locks and lists are *views* of a pfv::Gpc<M>, a
//   pfv::Kvm<M> and their parts. A field of a view is a wrapper (kvar, kword,
//   kvar_vptr, kslot) around the model's own variable, so every access the
//   kernel text makes is the model's access: plain fields race-checked
//   (var<T>), the words the kernel reads without their writers' lock
//   (mn_active_invalidate_count, mmu_invalidate_seq, a memslot generation)
//   relaxed atomics, exactly as impl/ writes them. The functions the file
//   calls (locks, lists, GUP, kmap, memslots, barriers, WARN_ON_ONCE) are
//   declared here and defined by the harness (kshim/harness.hpp), which
//   runs impl/'s checks around them.
//
//   Everything is in the namespace KSHIM_NS, one per kernel tree, so that
//   several trees (and their API levels) link into one binary; the kernel
//   file itself is compiled inside that namespace (kshim/kshim.h).
//
// API LEVELS (KSHIM_API, chosen by a compile probe: cmake/kshim.cmake)
//   601  v5.17..v6.1:  kvm_gfn_to_pfn_cache_check/refresh/unmap(kvm, gpc, ...),
//                     kvm_gpc_activate(kvm, gpc, vcpu, usage, gpa, len), a
//                     five-argument hva_to_pfn(), usage and vcpu fields
//   609  v6.9..v6.12: kvm_gpc_check(gpc, len), kvm_gpc_refresh(gpc, len),
//                     kvm_gpc_activate(_hva)(gpc, ..., len),
//                     kvm_gpc_deactivate(gpc), a six-argument hva_to_pfn(),
//                     kvm_release_pfn_clean()
//   613  v6.13..:     the same API, hva_to_pfn(struct kvm_follow_pfn *),
//                     kvm_release_page_unused()/kvm_release_page_clean()
//   (v6.2..v6.8 is a fourth form, kvm_gpc_check(gpc, gpa, len): no tree of
//   it is at hand here, so it is not written.)
//
// CAVEATS
//   * A field access through a view cannot name its own source line (a
//     conversion operator takes no defaulted argument): it is attributed to
//     the kernel function and line of the thread's last shim call before it.
//   * Nothing here is kernel text: names, signatures and the member order of
//     struct kvm_follow_pfn are the kernel's interfaces, re-declared.
#pragma once

#ifndef KSHIM_NS
#error "define KSHIM_NS (the tree's namespace) and KSHIM_API before including kshim/bridge.hpp"
#endif

#include <cstdint>

#include "impl/kvm.hpp"
#include "model/model.hpp"

#if KSHIM_MODEL_RELACY
#include "model/relacy_model.hpp"
#else
#include "model/real_model.hpp"
#endif

namespace KSHIM_NS {

#if KSHIM_MODEL_RELACY
using KM = pfv::RelacyModel;
#else
using KM = pfv::RealModel;
#endif

using pfv::Loc;
using u64 = std::uint64_t;
using gpa_t = pfv::gpa_t;
using gfn_t = pfv::gfn_t;
using kvm_pfn_t = pfv::pfn_t;
using hpa_t = std::uint64_t;

// The last kernel call site of this thread, for the field accesses.
Loc& last_site();
// The harness watches a few fields (observations of impl/: G1..G3, A2).
void kshim_loaded(const void* field, u64 value);
void kshim_storing(const void* field, u64 value);

// ---- field wrappers ------------------------------------------------------------

// A plain field: the model's var<T>.
template <class T>
struct kvar {
  pfv::var_t<KM, T>* v = nullptr;
  operator T() const {
    const T x = v->load(last_site());
    kshim_loaded(v, static_cast<u64>(x));
    return x;
  }
  T operator=(T x) {
    kshim_storing(v, static_cast<u64>(x));
    v->store(x, last_site());
    return x;
  }
  T operator+=(T x) { return *this = static_cast<T>(T(*this) + x); }
  kvar& operator=(const kvar& o) = delete;
};

// A word the kernel reads without its writer's lock: the model's relaxed
// atomic. The kernel only reads these in pfncache.c.
template <class T>
struct kword {
  pfv::atomic_t<KM, T>* a = nullptr;
  operator T() const;  // harness: also remembers what the thread read
};

// A `void *` field (gpc->khva): the model keeps the address as a number.
struct kvar_vptr {
  pfv::var_t<KM, pfv::khva_t>* v = nullptr;
  operator void*() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(load())); }
  explicit operator std::uintptr_t() const { return load(); }
  void* operator=(void* p) {
    v->store(static_cast<pfv::khva_t>(reinterpret_cast<std::uintptr_t>(p)), last_site());
    return p;
  }
  void* operator-(unsigned long d) const {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(load() - d));
  }
  kvar_vptr& operator=(const kvar_vptr&) = delete;
  pfv::khva_t load() const {
    const pfv::khva_t x = v->load(last_site());
    kshim_loaded(v, static_cast<u64>(x));
    return x;
  }
};

struct kvm;
struct kvm_memory_slot {  // a slot object of the model's pool
  pfv::Kvm<KM>* kvm = nullptr;
  int index = pfv::kNoSlot;
};
struct kvm_memslots {  // one of the model's two memslot sets
  pfv::Kvm<KM>* kvm = nullptr;
  int set = 0;
  kword<u64> generation;
};

// gpc->memslot: the model keeps the slot's index.
struct kslot {
  pfv::var_t<KM, int>* v = nullptr;
  struct kvm* owner = nullptr;
  operator kvm_memory_slot*() const;
  kvm_memory_slot* operator=(kvm_memory_slot* s) {
    const int i = s ? s->index : pfv::kNoSlot;
    kshim_storing(v, static_cast<u64>(static_cast<std::int64_t>(i)));
    v->store(i, last_site());
    return s;
  }
  kslot& operator=(const kslot&) = delete;
};

struct list_head {  // a node of kvm->gpc_list, or its head
  struct gfn_to_pfn_cache* owner = nullptr;  // nullptr: the head
  struct kvm* kvm = nullptr;
};

struct rwlock_t {
  struct gfn_to_pfn_cache* gpc = nullptr;
};
struct spinlock_t {
  pfv::spinlock_t<KM>* l = nullptr;
};
struct mutex {
  pfv::mutex_t<KM>* m = nullptr;
};

struct page {
  kvm_pfn_t pfn;
};

#if KSHIM_API == 601
struct kvm_vcpu {
  int vcpu_idx;
};
enum pfn_cache_usage {
  KVM_GUEST_USES_PFN = 1u << 0,
  KVM_HOST_USES_PFN = 1u << 1,
  KVM_GUEST_AND_HOST_USE_PFN = KVM_GUEST_USES_PFN | KVM_HOST_USES_PFN,
};
#endif

// struct gfn_to_pfn_cache (include/linux/kvm_types.h), as a view.
struct gfn_to_pfn_cache {
  kvar<u64> generation;
  kvar<gpa_t> gpa;
  kvar<unsigned long> uhva;
  kslot memslot;
  struct kvm* kvm = nullptr;
  struct list_head list;
  rwlock_t lock;
  struct mutex refresh_lock;
  kvar_vptr khva;
  kvar<kvm_pfn_t> pfn;
  kvar<bool> active;
  kvar<bool> valid;
#if KSHIM_API == 601
  // Not part of the model: every cache of the scenarios is used by the host
  // only (no vCPU eviction); activate writes them unlocked, unchecked here.
  struct kvm_vcpu* vcpu = nullptr;
  enum pfn_cache_usage usage = KVM_HOST_USES_PFN;
#endif
  pfv::Gpc<KM>* model = nullptr;
};

// struct kvm, as far as pfncache.c uses it.
struct kvm {
  spinlock_t gpc_lock;
  struct list_head gpc_list;
  kword<unsigned long> mn_active_invalidate_count;
  kword<unsigned long> mmu_invalidate_seq;
  pfv::Kvm<KM>* model = nullptr;
  gfn_to_pfn_cache gpcs[pfv::Kvm<KM>::kMaxGpc];
  kvm_memory_slot slots[pfv::Kvm<KM>::kSlotPool];
  kvm_memslots sets[2];
};

#if KSHIM_API >= 613
// struct kvm_follow_pfn: its members in the order pfncache.c's designated
// initializer names them (C++ requires declaration order).
struct kvm_follow_pfn {
  const kvm_memory_slot* slot;
  gfn_t gfn;
  unsigned int flags;
  unsigned long hva;
  struct page** refcounted_page;
  bool* map_writable;
};
#endif

// ---- constants -----------------------------------------------------------------

using pfv::INVALID_GPA;
using pfv::KVM_HVA_ERR_BAD;
using pfv::KVM_PFN_ERR_FAULT;
using pfv::PAGE_SIZE;
inline constexpr u64 PAGE_MASK = ~(PAGE_SIZE - 1);
inline constexpr unsigned long MEMREMAP_WB = 1;
inline constexpr unsigned int FOLL_WRITE = 0x01;
#if KSHIM_API == 601
inline constexpr unsigned KVM_MAX_VCPUS = 8;
inline constexpr unsigned KVM_REQUEST_WAIT = 1u << 9;
inline constexpr unsigned KVM_REQ_OUTSIDE_GUEST_MODE = 2 | KVM_REQUEST_WAIT;
#endif

// ---- helpers without side effects ------------------------------------------------

inline bool is_error_noslot_pfn(kvm_pfn_t pfn) { return pfv::is_error_noslot_pfn(pfn); }
inline bool kvm_is_error_hva(unsigned long hva) { return pfv::kvm_is_error_hva(hva); }
inline bool kvm_is_error_gpa(gpa_t gpa) { return pfv::kvm_is_error_gpa(gpa); }
inline gfn_t gpa_to_gfn(gpa_t gpa) { return pfv::gpa_to_gfn(gpa); }
inline unsigned long offset_in_page(unsigned long a) { return pfv::offset_in_page(a); }
inline unsigned long offset_in_page(const kvar_vptr& p) {
  return pfv::offset_in_page(static_cast<std::uintptr_t>(p));
}
inline unsigned long PAGE_ALIGN_DOWN(unsigned long a) { return pfv::PAGE_ALIGN_DOWN(a); }
bool access_ok(const void* addr, unsigned long len, Loc loc = Loc::current());

// ---- what the harness defines ----------------------------------------------------

// Locks (gpc->lock is an rwlock taken with IRQs off; the model has no IRQs).
void read_lock_irq(rwlock_t* l, Loc loc = Loc::current());
void read_unlock_irq(rwlock_t* l, Loc loc = Loc::current());
void write_lock_irq(rwlock_t* l, Loc loc = Loc::current());
void write_unlock_irq(rwlock_t* l, Loc loc = Loc::current());
void spin_lock(spinlock_t* l, Loc loc = Loc::current());
void spin_unlock(spinlock_t* l, Loc loc = Loc::current());
void mutex_lock(struct mutex* m, Loc loc = Loc::current());
void mutex_unlock(struct mutex* m, Loc loc = Loc::current());
inline void rwlock_init(rwlock_t*) {}
inline void mutex_init(struct mutex*) {}
void lockdep_assert_held(struct mutex* m, Loc loc = Loc::current());
void lockdep_assert_held(rwlock_t* l, Loc loc = Loc::current());
void lockdep_assert_held_write(rwlock_t* l, Loc loc = Loc::current());

// guard(mutex)(&m): the mutex is held to the end of the scope.
// The unlock is attributed to the guard's own line and function (the scope
// that ends), as the lock is: a shim mutant drop-mutex@F drops both.
struct kshim_guard_mutex {
  struct mutex* m;
  Loc loc;
  explicit kshim_guard_mutex(struct mutex* mx, Loc l = Loc::current()) : m(mx), loc(l) {
    mutex_lock(m, loc);
  }
  ~kshim_guard_mutex() { mutex_unlock(m, loc); }
  kshim_guard_mutex(const kshim_guard_mutex&) = delete;
  kshim_guard_mutex& operator=(const kshim_guard_mutex&) = delete;
};

// kvm->gpc_list.
void list_add(struct list_head* node, struct list_head* head, Loc loc = Loc::current());
void list_del(struct list_head* node, Loc loc = Loc::current());
gfn_to_pfn_cache* kshim_list_first(struct list_head* head, Loc loc = Loc::current());
gfn_to_pfn_cache* kshim_list_next(struct list_head* head, gfn_to_pfn_cache* pos,
                                  Loc loc = Loc::current());

// Barriers and scheduling.
void smp_rmb(Loc loc = Loc::current());
void cond_resched(Loc loc = Loc::current());

// WARN_ON_ONCE / KVM_BUG_ON: an invariant failure (S5 for the retry loop's
// WARN_ON_ONCE(gpc->valid), S16 otherwise). Returns `cond`.
bool kshim_warn(bool cond, const char* text, Loc loc = Loc::current());

// Memslots.
struct kvm_memslots* kvm_memslots(struct kvm* kvm, Loc loc = Loc::current());
struct kvm_memory_slot* __gfn_to_memslot(struct kvm_memslots* slots, gfn_t gfn,
                                         Loc loc = Loc::current());
unsigned long gfn_to_hva_memslot(struct kvm_memory_slot* slot, gfn_t gfn,
                                 Loc loc = Loc::current());

// GUP and pages.
#if KSHIM_API == 601
kvm_pfn_t hva_to_pfn(unsigned long addr, bool atomic, bool* async, bool write_fault,
                     bool* writable, Loc loc = Loc::current());
#elif KSHIM_API == 609
kvm_pfn_t hva_to_pfn(unsigned long addr, bool atomic, bool interruptible, bool* async,
                     bool write_fault, bool* writable, Loc loc = Loc::current());
#else
kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn* kfp, Loc loc = Loc::current());
void kvm_release_page_unused(struct page* page, Loc loc = Loc::current());
void kvm_release_page_clean(struct page* page, Loc loc = Loc::current());
#endif
#if KSHIM_API < 613
void kvm_release_pfn_clean(kvm_pfn_t pfn, Loc loc = Loc::current());
#endif
bool pfn_valid(kvm_pfn_t pfn);
struct page* pfn_to_page(kvm_pfn_t pfn);
inline hpa_t pfn_to_hpa(kvm_pfn_t pfn) { return pfn << pfv::PAGE_SHIFT; }
void* kmap(struct page* page, Loc loc = Loc::current());
void kunmap(struct page* page, Loc loc = Loc::current());
void* memremap(hpa_t offset, std::size_t size, unsigned long flags, Loc loc = Loc::current());
void memunmap(void* addr, Loc loc = Loc::current());

#if KSHIM_API == 601
// The vCPU eviction of a KVM_GUEST_USES_PFN cache (never used here).
inline void bitmap_zero(unsigned long* map, unsigned bits) {
  for (unsigned i = 0; i < (bits + 63) / 64; ++i) map[i] = 0;
}
inline void __set_bit(int nr, unsigned long* map) { map[nr / 64] |= 1ul << (nr % 64); }
bool kvm_make_vcpus_request_mask(struct kvm* kvm, unsigned req, unsigned long* vcpu_bitmap);
#endif

// ---- the pfncache.c API (defined by the kernel file) -----------------------------

#if KSHIM_API == 601
void gfn_to_pfn_cache_invalidate_start(struct kvm* kvm, unsigned long start, unsigned long end,
                                       bool may_block);
bool kvm_gfn_to_pfn_cache_check(struct kvm* kvm, struct gfn_to_pfn_cache* gpc, gpa_t gpa,
                                unsigned long len);
int kvm_gfn_to_pfn_cache_refresh(struct kvm* kvm, struct gfn_to_pfn_cache* gpc, gpa_t gpa,
                                 unsigned long len);
void kvm_gfn_to_pfn_cache_unmap(struct kvm* kvm, struct gfn_to_pfn_cache* gpc);
void kvm_gpc_init(struct gfn_to_pfn_cache* gpc);
int kvm_gpc_activate(struct kvm* kvm, struct gfn_to_pfn_cache* gpc, struct kvm_vcpu* vcpu,
                     enum pfn_cache_usage usage, gpa_t gpa, unsigned long len);
void kvm_gpc_deactivate(struct kvm* kvm, struct gfn_to_pfn_cache* gpc);
#else
void gfn_to_pfn_cache_invalidate_start(struct kvm* kvm, unsigned long start, unsigned long end);
bool kvm_gpc_check(struct gfn_to_pfn_cache* gpc, unsigned long len);
int kvm_gpc_refresh(struct gfn_to_pfn_cache* gpc, unsigned long len);
void kvm_gpc_init(struct gfn_to_pfn_cache* gpc, struct kvm* kvm);
int kvm_gpc_activate(struct gfn_to_pfn_cache* gpc, gpa_t gpa, unsigned long len);
int kvm_gpc_activate_hva(struct gfn_to_pfn_cache* gpc, unsigned long uhva, unsigned long len);
void kvm_gpc_deactivate(struct gfn_to_pfn_cache* gpc);
#endif

}  // namespace KSHIM_NS
