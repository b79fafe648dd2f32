// relacy_tests/search/scheduler.hpp: plugs search::Engine into Relacy.
//
// Relacy's context is a template over its scheduler type
// (rl::run_test<test, scheduler>); this class has the members Relacy calls
// and forwards each decision to the engine the driver made active. No patch
// to Relacy is needed.
#ifndef PFV_RELACY_TESTS_SEARCH_SCHEDULER_HPP
#define PFV_RELACY_TESTS_SEARCH_SCHEDULER_HPP

#include "model/relacy_model.hpp"
#include "relacy_tests/search/engine.hpp"

namespace pfv {
namespace search {

// The engine of the simulation that is running (one at a time per process).
inline Engine*& active_engine() {
  static Engine* e = nullptr;
  return e;
}

template <rl::thread_id_t N>
class Scheduler : public rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N> {
  using base_t = rl::scheduler<Scheduler<N>, rl::scheduler_thread_info, N>;

 public:
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;
  struct task_t {};

  static_assert(N <= rlm::kMaxThreads, "too many threads for the search engine");

  Scheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic_threads)
      : base_t(params, ctx, dynamic_threads), engine_(*active_engine()) {
    engine_.set_thread_count(N);
  }

  rl::thread_id_t iteration_begin_impl() { return engine_.begin_execution(this->iter_); }

  bool iteration_end_impl() { return engine_.end_execution(); }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned /*yield*/) {
    reason = rl::unpark_reason_normal;
    Engine::Mask running = 0;
    for (rl::thread_id_t i = 0; i != N; ++i)
      if (this->threads_[i].state_ == rl::thread_state_running) running |= Engine::Mask(1) << i;
    const thread_info_t& cur = *this->thread_;
    return engine_.schedule(static_cast<int>(cur.index_), cur.state_ == rl::thread_state_running,
                            running);
  }

  unsigned rand_impl(unsigned limit, rl::sched_type type) { return engine_.rand(limit, type); }

  // Only used by Relacy's own progress output, which the driver discards.
  rl::iteration_t iteration_count_impl() { return this->iter_ + 1; }

  void get_state_impl(std::ostream&) {}
  void set_state_impl(std::istream&) {}
  void on_thread_block(rl::thread_id_t, bool) {}

 private:
  Engine& engine_;
};

}  // namespace search
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_SEARCH_SCHEDULER_HPP
