// model/real_model.hpp: the model on real threads (std::atomic, plain memory,
// pthread locks), for stress tests and ThreadSanitizer.
//
// WHAT IT IS
//   The default instantiation of the interface in model/model.hpp. Nothing
//   here is simulated: var<T> is a plain T, so TSan sees plain accesses and
//   reports races on them; atomic<T> is std::atomic<T>; the locks are
//   pthread locks, which TSan intercepts, and the kernel's qrwlock built on
//   std::atomic.
//
// GUARANTEE
//   Same members and meaning as every other model (see model/model.hpp).
//   check() calls the installed check handler (default: print and abort).
//   observe() counts, per `what`, how often it happened (process-wide), and
//   calls an optional test hook first.
//
// MEMORY ORDERING
//   Exactly the orders the caller wrote. Barriers as mapped in model.hpp.
//   ghost<T> is a relaxed std::atomic<T>: it must never create a
//   happens-before edge that would hide a race from TSan, and relaxed
//   accesses create none.
//
// CAVEATS
//   * ThreadSanitizer (clang 14) ignores std::atomic_thread_fence: a plain
//     variable published only through fences (the MP+fences litmus shape) is
//     reported as a race although it is correct. The pfncache protocol never
//     publishes plain data through fences alone (its plain fields are all
//     protected by gpc->lock), so this does not affect the protocol tests;
//     the litmus test that needs it runs under Relacy only. Where impl/
//     does rely on a barrier pair for plain data (SRCU: a memslot reader's
//     accesses before synchronize_srcu() returns and the updater frees the
//     old slot), it names the edge with fence_edge_release/acquire, which
//     become __tsan_release/__tsan_acquire here.
//   * rwlock is the kernel's qrwlock (model/qrwlock.hpp), so real-thread
//     tests and benchmarks see the kernel's fairness: task readers queue
//     behind a waiting writer. Under TSan the lock is annotated as a
//     reader-writer mutex (__tsan_mutex_*), so TSan orders accesses by the
//     lock's meaning, not by the atomics inside it: two readers of one lock
//     never synchronize with each other, exactly as with a pthread rwlock.
#ifndef PFV_MODEL_REAL_MODEL_HPP
#define PFV_MODEL_REAL_MODEL_HPP

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "model/model.hpp"
#include "model/qrwlock.hpp"

#if defined(__SANITIZE_THREAD__)
#define PFV_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PFV_TSAN 1
#endif
#endif
#ifndef PFV_TSAN
#define PFV_TSAN 0
#endif

#if PFV_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace pfv {

namespace real {

// What check() does when an invariant fails. Tests install their own
// handler to count failures instead of aborting.
using CheckHandler = void (*)(const char* what, Loc loc);
// Called by observe() before counting; tests use it to act inside a window.
using ObserveHook = void (*)(const char* what);

inline void default_check_handler(const char* what, Loc loc) {
  std::fprintf(stderr, "pfncache-verify: invariant violated: %s\n  at %s:%u (%s)\n", what, loc.file,
               loc.line, loc.func);
  std::abort();
}

inline std::atomic<CheckHandler>& check_handler() {
  static std::atomic<CheckHandler> h{&default_check_handler};
  return h;
}

inline std::atomic<ObserveHook>& observe_hook() {
  static std::atomic<ObserveHook> h{nullptr};
  return h;
}

// A small lock-free table of observation counters, keyed by text.
class Observations {
 public:
  static constexpr int kSlots = 64;

  void add(const char* what) {
    for (int i = 0; i < kSlots; ++i) {
      const char* k = keys_[i].load(std::memory_order_relaxed);
      if (k == nullptr) {
        const char* expected = nullptr;
        if (keys_[i].compare_exchange_strong(expected, what, std::memory_order_relaxed,
                                             std::memory_order_relaxed)) {
          counts_[i].fetch_add(1, std::memory_order_relaxed);
          return;
        }
        k = expected;
      }
      if (k == what || std::strcmp(k, what) == 0) {
        counts_[i].fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    overflow_.fetch_add(1, std::memory_order_relaxed);
  }

  std::uint64_t count(const char* what) const {
    for (int i = 0; i < kSlots; ++i) {
      const char* k = keys_[i].load(std::memory_order_relaxed);
      if (k == nullptr) return 0;
      if (std::strcmp(k, what) == 0) return counts_[i].load(std::memory_order_relaxed);
    }
    return 0;
  }

  // Counts whose key starts with `prefix` (observations are numbered "W1: ...").
  std::uint64_t count_prefix(const char* prefix) const {
    std::uint64_t total = 0;
    const std::size_t n = std::strlen(prefix);
    for (int i = 0; i < kSlots; ++i) {
      const char* k = keys_[i].load(std::memory_order_relaxed);
      if (k == nullptr) break;
      if (std::strncmp(k, prefix, n) == 0) total += counts_[i].load(std::memory_order_relaxed);
    }
    return total;
  }

  template <class F>
  void for_each(F f) const {
    for (int i = 0; i < kSlots; ++i) {
      const char* k = keys_[i].load(std::memory_order_relaxed);
      if (k == nullptr) break;
      f(k, counts_[i].load(std::memory_order_relaxed));
    }
  }

  void reset() {
    for (int i = 0; i < kSlots; ++i) counts_[i].store(0, std::memory_order_relaxed);
  }

 private:
  std::atomic<const char*> keys_[kSlots] = {};
  std::atomic<std::uint64_t> counts_[kSlots] = {};
  std::atomic<std::uint64_t> overflow_{0};
};

inline Observations& observations() {
  static Observations o;
  return o;
}

// TSan annotations for a lock built from atomics (model/qrwlock.hpp).
// Between pre_ and post_ TSan ignores the lock's own atomics and applies
// the lock's meaning instead; without TSan these compile to nothing.
#if PFV_TSAN
inline constexpr unsigned kTsanRead = __tsan_mutex_read_lock;
inline constexpr unsigned kTsanTry = __tsan_mutex_try_lock;
inline void tsan_create(void* m) { __tsan_mutex_create(m, __tsan_mutex_not_static); }
inline void tsan_destroy(void* m) { __tsan_mutex_destroy(m, __tsan_mutex_not_static); }
class TsanLock {
 public:
  TsanLock(void* m, unsigned flags) : m_(m), flags_(flags) { __tsan_mutex_pre_lock(m_, flags_); }
  ~TsanLock() { __tsan_mutex_post_lock(m_, flags_, 0); }
  bool result(bool ok) {
    if (!ok) flags_ |= __tsan_mutex_try_lock_failed;
    return ok;
  }
  TsanLock(const TsanLock&) = delete;
  TsanLock& operator=(const TsanLock&) = delete;

 private:
  void* m_;
  unsigned flags_;
};
class TsanUnlock {
 public:
  TsanUnlock(void* m, unsigned flags) : m_(m), flags_(flags) { __tsan_mutex_pre_unlock(m_, flags_); }
  ~TsanUnlock() { __tsan_mutex_post_unlock(m_, flags_); }
  TsanUnlock(const TsanUnlock&) = delete;
  TsanUnlock& operator=(const TsanUnlock&) = delete;

 private:
  void* m_;
  unsigned flags_;
};
#else
inline constexpr unsigned kTsanRead = 0;
inline constexpr unsigned kTsanTry = 0;
inline void tsan_create(void*) {}
inline void tsan_destroy(void*) {}
struct TsanLock {
  TsanLock(void*, unsigned) {}
  bool result(bool ok) { return ok; }
};
struct TsanUnlock {
  TsanUnlock(void*, unsigned) {}
};
#endif

}  // namespace real

struct RealModel {
  static constexpr const char* name = "real";

  template <class T>
  class atomic {
   public:
    atomic(const char* name, T init) : name_(name), a_(init) {}
    atomic(const atomic&) = delete;
    atomic& operator=(const atomic&) = delete;

    T load(std::memory_order mo, Loc = Loc::current()) const { return a_.load(mo); }
    void store(T v, std::memory_order mo, Loc = Loc::current()) { a_.store(v, mo); }
    T exchange(T v, std::memory_order mo, Loc = Loc::current()) { return a_.exchange(v, mo); }
    T fetch_add(T v, std::memory_order mo, Loc = Loc::current()) { return a_.fetch_add(v, mo); }
    T fetch_sub(T v, std::memory_order mo, Loc = Loc::current()) { return a_.fetch_sub(v, mo); }
    T fetch_or(T v, std::memory_order mo, Loc = Loc::current()) { return a_.fetch_or(v, mo); }
    T fetch_and(T v, std::memory_order mo, Loc = Loc::current()) { return a_.fetch_and(v, mo); }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order ok,
                                 std::memory_order fail, Loc = Loc::current()) {
      return a_.compare_exchange_strong(expected, desired, ok, fail);
    }
    void init(T v) { a_.store(v, std::memory_order_relaxed); }
    const char* name() const { return name_; }
    T latest(Loc = Loc::current()) const { return a_.load(std::memory_order_relaxed); }
    void mark_counter() {}  // the lasso detector's (Relacy only)

   private:
    const char* name_;
    std::atomic<T> a_;
  };

  template <class T>
  class var {
   public:
    var(const char* name, T init) : name_(name), v_(init) {}
    var(const var&) = delete;
    var& operator=(const var&) = delete;

    T load(Loc = Loc::current()) const { return v_; }
    void store(T v, Loc loc = Loc::current()) {
      if (marked_stores_)
        write_once(v, loc);
      else
        v_ = v;
    }
    // Checker-only: the value now (a relaxed atomic read; for fields whose
    // stores are marked, so that TSan sees no race with it).
    T latest(Loc = Loc::current()) const { return __atomic_load_n(&v_, __ATOMIC_RELAXED); }
    // Every store() from now on is a WRITE_ONCE() (model/relacy_model.hpp).
    void mark_stores() { marked_stores_ = true; }
    // READ_ONCE()/WRITE_ONCE(): relaxed atomic accesses of the same memory
    // (the kernel's volatile accesses are single-copy atomic). ThreadSanitizer
    // then reports a race only where one of the two accesses is plain, which
    // is the kernel memory model's definition of a data race.
    T read_once(Loc = Loc::current()) const { return __atomic_load_n(&v_, __ATOMIC_RELAXED); }
    void write_once(T v, Loc = Loc::current()) { __atomic_store_n(&v_, v, __ATOMIC_RELAXED); }
    void init(T v) { v_ = v; }
    const char* name() const { return name_; }

   private:
    const char* name_;
    T v_;
    bool marked_stores_ = false;
  };

  template <class T>
  class ghost {
   public:
    ghost(const char* name, T init, GhostOrder = GhostOrder::ordered) : name_(name), g_(init) {}
    ghost(const ghost&) = delete;
    ghost& operator=(const ghost&) = delete;

    T load(Loc = Loc::current()) const { return g_.load(std::memory_order_relaxed); }
    void store(T v, Loc = Loc::current()) { g_.store(v, std::memory_order_relaxed); }
    // Read-modify-write in one step (a ghost counter).
    T add(T v, Loc = Loc::current()) { return g_.fetch_add(v, std::memory_order_relaxed) + v; }
    void adjust(T v, Loc = Loc::current()) { g_.fetch_add(v, std::memory_order_relaxed); }
    template <class F>
    T update(F f, Loc = Loc::current()) {
      T old = g_.load(std::memory_order_relaxed);
      T now = f(old);
      while (!g_.compare_exchange_weak(old, now, std::memory_order_relaxed)) now = f(old);
      return now;
    }
    void init(T v) { g_.store(v, std::memory_order_relaxed); }
    T peek() const { return g_.load(std::memory_order_relaxed); }
    template <class F>
    T fence_update(F f, Loc loc = Loc::current()) {
      std::atomic_thread_fence(std::memory_order_seq_cst);
      return update(f, loc);
    }
    const char* name() const { return name_; }

   private:
    const char* name_;
    std::atomic<T> g_;
  };

  class spinlock {
   public:
    explicit spinlock(const char* name) : name_(name) {
      pthread_spin_init(&l_, PTHREAD_PROCESS_PRIVATE);
    }
    ~spinlock() { pthread_spin_destroy(&l_); }
    spinlock(const spinlock&) = delete;
    spinlock& operator=(const spinlock&) = delete;

    void lock(Loc = Loc::current()) {
      pthread_spin_lock(&l_);
      held_.store(true, std::memory_order_relaxed);
    }
    void unlock(Loc = Loc::current()) {
      held_.store(false, std::memory_order_relaxed);
      pthread_spin_unlock(&l_);
    }
    bool trylock(Loc = Loc::current()) {
      if (pthread_spin_trylock(&l_) != 0) return false;
      held_.store(true, std::memory_order_relaxed);
      return true;
    }
    // spin_is_locked(): a racy snapshot that orders nothing, as in the kernel.
    bool is_locked(Loc = Loc::current()) const { return held_.load(std::memory_order_relaxed); }
    const char* name() const { return name_; }

   private:
    const char* name_;
    pthread_spinlock_t l_;
    std::atomic<bool> held_{false};
  };

  class mutex {
   public:
    explicit mutex(const char* name) : name_(name) {}
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;

    void lock(Loc = Loc::current()) { m_.lock(); }
    void unlock(Loc = Loc::current()) { m_.unlock(); }
    bool trylock(Loc = Loc::current()) { return m_.try_lock(); }
    const char* name() const { return name_; }

   private:
    const char* name_;
    std::mutex m_;
  };

  // rwlock_t: the kernel's queued rwlock (model/qrwlock.hpp), over this
  // model's atomics and spinlock, annotated for TSan.
  class rwlock {
   public:
    explicit rwlock(const char* name) : l_(name) { real::tsan_create(this); }
    ~rwlock() { real::tsan_destroy(this); }
    void set_fair(bool) {}  // the qrwlock is the kernel's: always fair
    rwlock(const rwlock&) = delete;
    rwlock& operator=(const rwlock&) = delete;

    void read_lock(Loc loc = Loc::current()) {
      real::TsanLock a(this, real::kTsanRead);
      l_.read_lock(loc);
    }
    void read_lock_in_interrupt(Loc loc = Loc::current()) {
      real::TsanLock a(this, real::kTsanRead);
      l_.read_lock_in_interrupt(loc);
    }
    bool read_trylock(Loc loc = Loc::current()) {
      real::TsanLock a(this, real::kTsanRead | real::kTsanTry);
      return a.result(l_.read_trylock(loc));
    }
    void read_unlock(Loc loc = Loc::current()) {
      real::TsanUnlock a(this, real::kTsanRead);
      l_.read_unlock(loc);
    }
    void write_lock(Loc loc = Loc::current()) {
      real::TsanLock a(this, 0);
      l_.write_lock(loc);
    }
    bool write_trylock(Loc loc = Loc::current()) {
      real::TsanLock a(this, real::kTsanTry);
      return a.result(l_.write_trylock(loc));
    }
    void write_unlock(Loc loc = Loc::current()) {
      real::TsanUnlock a(this, 0);
      l_.write_unlock(loc);
    }
    const char* name() const { return l_.name(); }

   private:
    Qrwlock<RealModel> l_;
  };

  static void fence(std::memory_order mo, Loc = Loc::current()) { std::atomic_thread_fence(mo); }
  static void smp_rmb(Loc = Loc::current()) { std::atomic_thread_fence(std::memory_order_acquire); }
  static void smp_wmb(Loc = Loc::current()) { std::atomic_thread_fence(std::memory_order_release); }
  static void smp_mb(Loc = Loc::current()) { std::atomic_thread_fence(std::memory_order_seq_cst); }
  // The kernel's conditional full barriers; smp_mb() where the architecture
  // does not make them free.
  static void smp_mb__before_atomic(Loc loc = Loc::current()) { smp_mb(loc); }
  static void smp_mb__after_atomic(Loc loc = Loc::current()) { smp_mb(loc); }
  static void smp_mb__after_spinlock(Loc loc = Loc::current()) { smp_mb(loc); }

  static void fence_edge_release(const void* tag, Loc = Loc::current()) {
#if PFV_TSAN
    __tsan_release(const_cast<void*>(tag));
#else
    (void)tag;
#endif
  }
  static void fence_edge_acquire(const void* tag, Loc = Loc::current()) {
#if PFV_TSAN
    __tsan_acquire(const_cast<void*>(tag));
#else
    (void)tag;
#endif
  }

  static void spin_wait_hint(std::uint64_t /*carried*/ = 0, Loc = Loc::current()) { sched_yield(); }
  static void spin_wait_hint_snapshot(std::uint64_t /*snapshot*/, Loc = Loc::current()) {
    sched_yield();
  }

  static void check(bool cond, const char* what, Loc loc = Loc::current()) {
    if (!cond) real::check_handler().load(std::memory_order_relaxed)(what, loc);
  }

  static void op_done(Loc = Loc::current()) {}  // the lasso detector's (Relacy only)
  static void observe(const char* what, Loc = Loc::current()) {
    if (real::ObserveHook h = real::observe_hook().load(std::memory_order_relaxed)) h(what);
    real::observations().add(what);
  }
};

}  // namespace pfv

#endif  // PFV_MODEL_REAL_MODEL_HPP
