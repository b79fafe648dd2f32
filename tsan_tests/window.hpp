// tsan_tests/window.hpp: driving the pre-check window of 21dadfcd665e on
// real threads.
//
// gfn_to_pfn_cache_invalidate_start() reports M::observe(W0) after its
// read-lock pre-check matched and dropped the lock, before it takes the
// write lock. WindowHook installs a real-model observe hook that parks the
// invalidating thread right there until the test releases it, so another
// thread can change the cache inside the window, deterministically.
#ifndef PFV_TSAN_TESTS_WINDOW_HPP
#define PFV_TSAN_TESTS_WINDOW_HPP

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "impl/invariants.hpp"
#include "model/real_model.hpp"

namespace pfv {
namespace real {

class WindowHook {
 public:
  // Parks the first thread that observes `park_at`; a thread observing
  // `signal` (optional) sets signalled().
  explicit WindowHook(const char* park_at = inv::W0_window, const char* signal = nullptr) {
    state().park_at = park_at;
    state().signal = signal;
    state().phase.store(0, std::memory_order_seq_cst);
    state().signalled.store(false, std::memory_order_seq_cst);
    previous_ = observe_hook().exchange(&hook);
  }
  ~WindowHook() {
    release();
    observe_hook().store(previous_);
  }
  WindowHook(const WindowHook&) = delete;
  WindowHook& operator=(const WindowHook&) = delete;

  // Waits until a thread is parked in the window.
  void wait_parked() const {
    wait_until([] { return state().phase.load() == 1; });
  }
  // Waits until the signal observation happened.
  void wait_signalled() const {
    wait_until([] { return state().signalled.load(); });
  }
  // Lets the parked thread go on.
  void release() { state().phase.store(2); }

 private:
  struct State {
    const char* park_at = nullptr;
    const char* signal = nullptr;
    std::atomic<int> phase{0};  // 0 waiting for a thread, 1 parked, 2 released
    std::atomic<bool> signalled{false};
  };
  static State& state() {
    static State s;
    return s;
  }
  template <class F>
  static void wait_until(F done) {
    while (!done()) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  static void hook(const char* what) {
    State& s = state();
    if (s.signal && std::strcmp(what, s.signal) == 0) s.signalled.store(true);
    if (std::strcmp(what, s.park_at) != 0) return;
    int expected = 0;
    if (!s.phase.compare_exchange_strong(expected, 1)) return;  // only the first one parks
    while (s.phase.load() != 2) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  ObserveHook previous_;
};

}  // namespace real
}  // namespace pfv

#endif  // PFV_TSAN_TESTS_WINDOW_HPP
