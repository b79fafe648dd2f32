// model/qrwlock.hpp: the kernel's queued rwlock, written against the model.
//
// WHAT IT IS
//   kernel/locking/qrwlock.c and include/asm-generic/qrwlock.h (the rwlock_t
//   of x86 and arm64 outside PREEMPT_RT), re-expressed over M's atomics, a
//   spinlock and the spin-wait hint, so that the same text runs under Relacy
//   (relacy_tests/qrwlock.cpp verifies it) and on real threads (it is the
//   rwlock of pfv::RealModel, so every real-thread test and the benchmarks
//   use it).
//
//   One word, cnts:
//     bits 0..7   QW_LOCKED (0xff)  a writer holds the lock
//     bit  8      QW_WAITING        a writer is queued, waiting for readers
//     bits 9..    readers, in units of QR_BIAS
//   and wait_lock, a spinlock that queues the slow paths.
//
// GUARANTEE (each checked under Relacy, with a mutant that breaks it)
//   * Mutual exclusion: a writer excludes everyone; readers share.
//   * No lost wake-up: every waiter eventually gets the lock.
//   * Task-context readers queue behind a waiting writer: a read_lock()
//     that starts after a writer has set QW_WAITING enters after that
//     writer, so task readers cannot starve writers.
//   * Interrupt-context readers (read_lock_in_interrupt()) do not queue:
//     they get the lock as soon as no writer *holds* it, even if one waits
//     ("Readers in interrupt context will get the lock immediately if the
//     writer is just waiting (not holding the lock yet)").
//   * read_trylock() fails while a writer holds the lock or waits for it.
//
// MEMORY ORDERING
//   Read and write acquisitions are acquire RMWs (or an acquire load after
//   spinning: atomic_cond_read_acquire); releases are release RMWs.
//   read_unlock is atomic_sub_return_release; write_unlock is the kernel's
//   smp_store_release() of the low byte, modelled as a release fetch_sub of
//   QW_LOCKED: C11 has no mixed-size accesses, and subtracting the byte's
//   value is the same change to the word.
//
// CAVEATS
//   * wait_lock is the model's spinlock: permissive under Relacy, pthread's
//     (unfair) on real threads; the kernel's is a FIFO queued spinlock. The
//     properties above do not depend on it: the waiting writer holds
//     wait_lock, so task readers queue behind it whatever its order.
//   * An interrupt on the CPU that holds the lock (the reason writers use
//     write_lock_irq) is not modelled: threads are independent CPUs.
//   * The K parameter turns the lock into one of its mutants (QrwlockKernel
//     is the kernel's); only relacy_tests/qrwlock.cpp uses the others.
#ifndef PFV_MODEL_QRWLOCK_HPP
#define PFV_MODEL_QRWLOCK_HPP

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "model/model.hpp"

namespace pfv {

// The kernel's qrwlock. Each knob names the code it stands for.
struct QrwlockKernel {
  // queued_read_lock(): the fast path fails on QW_WAITING too (QW_WMASK).
  static constexpr bool kReadersSeeWaiting = true;
  // queued_read_lock_slowpath(): task readers give back their bias and
  // queue on wait_lock.
  static constexpr bool kTaskReadersQueue = true;
  // queued_write_lock_slowpath(): wait until only QW_WAITING is left (no
  // readers), not merely until no writer holds the lock.
  static constexpr bool kWriterWaitsForReaders = true;
  // queued_write_unlock(): clears only the locked byte.
  static constexpr bool kUnlockClearsOnlyLocked = true;
  // queued_write_unlock(): a release.
  static constexpr bool kUnlockRelease = true;
  // queued_read_trylock(): fails on QW_WAITING too.
  static constexpr bool kTrylockSeesWaiting = true;

  // checker: called at the points a test of the lock needs to see (no-ops
  // here; relacy_tests/qrwlock.cpp records them in ghost state).
  static void after_read_fastpath(std::uint32_t /*cnts*/) {}
  static void after_set_waiting() {}
};

template <class M, class K = QrwlockKernel>
class Qrwlock {
 public:
  static constexpr std::uint32_t QW_LOCKED = 0xffu;
  static constexpr std::uint32_t QW_WAITING = 0x100u;
  static constexpr std::uint32_t QW_WMASK = QW_LOCKED | QW_WAITING;
  static constexpr std::uint32_t QR_BIAS = 1u << 9;

  explicit Qrwlock(const char* name)
      : name_(name), cnts_(intern(name, ".cnts"), 0), wait_lock_(intern(name, ".wait_lock")) {}
  Qrwlock(const Qrwlock&) = delete;
  Qrwlock& operator=(const Qrwlock&) = delete;

  // read_lock() from task context (vCPU paths).
  void read_lock(Loc loc = Loc::current()) { queued_read_lock(false, loc); }
  // read_lock() from hard interrupt context (the Xen timer).
  void read_lock_in_interrupt(Loc loc = Loc::current()) { queued_read_lock(true, loc); }

  // queued_read_trylock().
  bool read_trylock(Loc loc = Loc::current()) {
    std::uint32_t cnts = cnts_.load(std::memory_order_relaxed, loc);
    if (!(cnts & trylock_mask())) {
      cnts = cnts_.fetch_add(QR_BIAS, std::memory_order_acquire, loc) + QR_BIAS;
      if (!(cnts & trylock_mask())) return true;
      cnts_.fetch_sub(QR_BIAS, std::memory_order_relaxed, loc);
    }
    return false;
  }

  // queued_read_unlock(): atomic_sub_return_release().
  void read_unlock(Loc loc = Loc::current()) {
    cnts_.fetch_sub(QR_BIAS, std::memory_order_release, loc);
  }

  // queued_write_lock().
  void write_lock(Loc loc = Loc::current()) {
    std::uint32_t cnts = 0;
    if (cnts_.compare_exchange_strong(cnts, QW_LOCKED, std::memory_order_acquire,
                                      std::memory_order_relaxed, loc))
      return;
    queued_write_lock_slowpath(loc);
  }

  // queued_write_trylock().
  bool write_trylock(Loc loc = Loc::current()) {
    std::uint32_t cnts = cnts_.load(std::memory_order_relaxed, loc);
    if (cnts) return false;
    return cnts_.compare_exchange_strong(cnts, QW_LOCKED, std::memory_order_acquire,
                                         std::memory_order_relaxed, loc);
  }

  // queued_write_unlock(): smp_store_release(&lock->wlocked, 0).
  void write_unlock(Loc loc = Loc::current()) {
    const std::memory_order mo =
        K::kUnlockRelease ? std::memory_order_release : std::memory_order_relaxed;
    if constexpr (K::kUnlockClearsOnlyLocked)
      cnts_.fetch_sub(QW_LOCKED, mo, loc);
    else
      cnts_.store(0, mo, loc);  // mutant: also wipes QW_WAITING and the readers
  }

  const char* name() const { return name_; }

 private:
  static constexpr std::uint32_t read_mask() {
    return K::kReadersSeeWaiting ? QW_WMASK : QW_LOCKED;
  }
  static constexpr std::uint32_t trylock_mask() {
    return K::kTrylockSeesWaiting ? QW_WMASK : QW_LOCKED;
  }

  void queued_read_lock(bool in_interrupt, Loc loc) {
    const std::uint32_t cnts = cnts_.fetch_add(QR_BIAS, std::memory_order_acquire, loc) + QR_BIAS;
    K::after_read_fastpath(cnts);  // checker
    if (!(cnts & read_mask())) return;
    queued_read_lock_slowpath(in_interrupt, loc);
  }

  void queued_read_lock_slowpath(bool in_interrupt, Loc loc) {
    // Readers come here when they cannot get the lock without waiting.
    if (in_interrupt || !K::kTaskReadersQueue) {
      // Readers in interrupt context will get the lock immediately if the
      // writer is just waiting (not holding the lock yet), so spin with
      // ACQUIRE semantics until the lock is available without waiting in
      // the queue.
      cond_read_acquire_until_unlocked(loc);
      return;
    }
    cnts_.fetch_sub(QR_BIAS, std::memory_order_relaxed, loc);

    // Put the reader into the wait queue.
    wait_lock_.lock(loc);
    cnts_.fetch_add(QR_BIAS, std::memory_order_relaxed, loc);

    // The ACQUIRE semantics of the following spinning code ensure that
    // accesses can't leak upwards out of the subsequent critical section in
    // the case that the lock is currently held for write.
    cond_read_acquire_until_unlocked(loc);

    // Signal the next one in queue to become queue head.
    wait_lock_.unlock(loc);
  }

  void queued_write_lock_slowpath(Loc loc) {
    // Put the writer into the wait queue.
    wait_lock_.lock(loc);

    // Try to acquire the lock directly if no reader is present.
    std::uint32_t cnts = cnts_.load(std::memory_order_relaxed, loc);
    if (!cnts && cnts_.compare_exchange_strong(cnts, QW_LOCKED, std::memory_order_acquire,
                                               std::memory_order_relaxed, loc)) {
      wait_lock_.unlock(loc);
      return;
    }

    // Set the waiting flag to notify readers that a writer is pending.
    cnts_.fetch_or(QW_WAITING, std::memory_order_relaxed, loc);
    K::after_set_waiting();  // checker

    // When no more readers or writers, set the locked flag.
    for (;;) {
      cnts = cnts_.load(std::memory_order_relaxed, loc);  // atomic_cond_read_relaxed()
      const bool free = K::kWriterWaitsForReaders ? cnts == QW_WAITING : !(cnts & QW_LOCKED);
      if (free && cnts_.compare_exchange_strong(cnts, (cnts & ~QW_WAITING) | QW_LOCKED,
                                                std::memory_order_acquire,
                                                std::memory_order_relaxed, loc))
        break;
      M::spin_wait_hint(0, loc);
    }
    wait_lock_.unlock(loc);
  }

  // atomic_cond_read_acquire(&lock->cnts, !(VAL & _QW_LOCKED)).
  void cond_read_acquire_until_unlocked(Loc loc) {
    while (cnts_.load(std::memory_order_acquire, loc) & QW_LOCKED) M::spin_wait_hint(0, loc);
  }

  // The names of the parts ("gpc.lock.cnts"), in static storage: traces are
  // printed after the lock is gone.
  static const char* intern(const char* name, const char* suffix) {
    constexpr int kNames = 32, kSize = 48;
    static char names[kNames][kSize];
    static int used = 0;
    static std::atomic_flag busy = ATOMIC_FLAG_INIT;
    char want[kSize];
    std::snprintf(want, sizeof want, "%s%s", name, suffix);
    while (busy.test_and_set(std::memory_order_acquire)) {
    }
    const char* found = nullptr;
    for (int i = 0; i < used && !found; ++i)
      if (std::strcmp(names[i], want) == 0) found = names[i];
    if (!found && used < kNames) {
      std::memcpy(names[used], want, sizeof want);
      found = names[used++];
    }
    if (!found) found = suffix[1] == 'c' ? "qrwlock.cnts" : "qrwlock.wait_lock";
    busy.clear(std::memory_order_release);
    return found;
  }

  const char* name_;
  atomic_t<M, std::uint32_t> cnts_;
  spinlock_t<M> wait_lock_;
};

}  // namespace pfv

#endif  // PFV_MODEL_QRWLOCK_HPP
