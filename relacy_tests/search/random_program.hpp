// relacy_tests/search/random_program.hpp: small random concurrent programs,
// to test the reduced search against the full one.
//
// A Program is data: up to three threads of up to kMaxOps operations over two
// atomics, a mutex, an rwlock, two lock-protected plain variables and a ghost
// counter. Interpreter<M> runs the program installed with set_program() as a
// scenario (written once over the model, like every other scenario). The
// generated programs are free of data races by construction (each plain
// variable is only touched under its lock) and free of livelocks (a thread
// spins only on an atomic that another thread stores a non-zero value to
// unconditionally), so a complete search explores the whole tree and the
// reduced and full searches can be compared execution class by class.
#ifndef PFV_RELACY_TESTS_SEARCH_RANDOM_PROGRAM_HPP
#define PFV_RELACY_TESTS_SEARCH_RANDOM_PROGRAM_HPP

#include <atomic>
#include <cstdint>
#include <string>

#include "model/model.hpp"

namespace pfv {
namespace randprog {

enum class Kind : std::uint8_t {
  load,           // r = a[obj].load(mo)
  store,          // a[obj].store(arg, mo)
  rmw,            // r = a[obj].fetch_add(1, mo)
  cas,            // r = a[obj].compare_exchange_strong(arg - 1 -> arg)
  fence,          // fence(mo)
  mutex_section,  // lock m; v[0] += 1; unlock
  read_section,   // read_lock rw; r = v[1]; read_unlock
  write_section,  // write_lock rw; v[1] = arg; write_unlock
  try_section,    // if (mutex.trylock) { v[0] += 10; unlock }  (obj 0) or the rwlock for
                  // read (obj 1) or write (obj 2)
  ghost_adjust,   // g.adjust(1)
  ghost_add,      // r = g.add(1)
  spin,           // while (a[obj].load(acquire) == 0) spin_wait_hint()
  irq_read_section,   // read_lock_in_interrupt rw; r = v[1]; read_unlock
  ghost_update,       // r = g.update(+1, or +2 on an odd value)
  ghost_fence_update, // r = h.fence_update(+1): smp_mb() and a ghost step in one (h is
                      // touched only by fence_update, fence_update's contract)
};

constexpr int kMaxThreads = 3;
constexpr int kMaxOps = 6;

struct Op {
  Kind kind;
  std::uint8_t obj;
  std::uint8_t arg;
  std::memory_order mo;
};

struct Program {
  int threads = 2;
  bool fair = false;       // the rwlock is fair (writers announce; task readers wait)
  bool symmetric = false;  // thread 1 is a copy of thread 0 (Config::sym_pred)
  int len[kMaxThreads] = {0, 0, 0};
  Op ops[kMaxThreads][kMaxOps] = {};
};

inline const Program*& current() {
  static const Program* p = nullptr;
  return p;
}
// Which thread each thread is a copy of (-1: none), for the search's
// symmetry (the Interpreter's symmetric_with).
inline int g_symmetric_with[kMaxThreads] = {-1, -1, -1};
inline void set_program(const Program* p) {
  current() = p;
  g_symmetric_with[1] = p->symmetric ? 0 : -1;
}

inline const char* mo_name(std::memory_order mo) {
  switch (mo) {
    case std::memory_order_relaxed: return "rlx";
    case std::memory_order_acquire: return "acq";
    case std::memory_order_release: return "rel";
    case std::memory_order_acq_rel: return "acq_rel";
    case std::memory_order_seq_cst: return "sc";
    default: return "?";
  }
}

inline std::string describe(const Program& p) {
  std::string s = p.fair ? "[fair rw] " : "";
  if (p.symmetric) s += "[T1 = T0] ";
  for (int t = 0; t < p.threads; ++t) {
    s += "T" + std::to_string(t) + ":";
    for (int i = 0; i < p.len[t]; ++i) {
      const Op& o = p.ops[t][i];
      const std::string a = std::to_string(o.obj), v = std::to_string(o.arg);
      switch (o.kind) {
        case Kind::load: s += " r=a" + a + ".load(" + mo_name(o.mo) + ")"; break;
        case Kind::store: s += " a" + a + ".store(" + v + "," + mo_name(o.mo) + ")"; break;
        case Kind::rmw: s += " a" + a + ".fetch_add(1," + mo_name(o.mo) + ")"; break;
        case Kind::cas: s += " a" + a + ".cas(" + std::to_string(o.arg - 1) + "->" + v + ")"; break;
        case Kind::fence: s += std::string(" fence(") + mo_name(o.mo) + ")"; break;
        case Kind::mutex_section: s += " {m: v0++}"; break;
        case Kind::read_section: s += " {rw.r: r=v1}"; break;
        case Kind::write_section: s += " {rw.w: v1=" + v + "}"; break;
        case Kind::try_section: s += " try{" + a + "}"; break;
        case Kind::ghost_adjust: s += " g.adjust"; break;
        case Kind::ghost_add: s += " r=g.add"; break;
        case Kind::spin: s += " spin(a" + a + ")"; break;
        case Kind::irq_read_section: s += " {rw.r(irq): r=v1}"; break;
        case Kind::ghost_update: s += " r=g.update"; break;
        case Kind::ghost_fence_update: s += " r=h.fence_update"; break;
      }
    }
    s += t + 1 < p.threads ? " |" : "";
  }
  return s;
}

// A deterministic generator (splitmix64).
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : s_(seed) {}

  Program next() {
    Program p;
    p.threads = 2 + static_cast<int>(pick(2));
    bool stores_one[2] = {false, false};
    for (int t = 0; t < p.threads; ++t) {
      p.len[t] = 2 + static_cast<int>(pick(p.threads == 3 ? 3 : 4));
      for (int i = 0; i < p.len[t]; ++i) {
        Op& o = p.ops[t][i];
        // Every kind but spin: the eleven of the first programs, and now and
        // then one of the later three.
        o.kind = pick(5) == 0 ? static_cast<Kind>(12 + pick(3)) : static_cast<Kind>(pick(11));
        o.obj = static_cast<std::uint8_t>(pick(2));
        o.arg = static_cast<std::uint8_t>(1 + pick(2));
        o.mo = order(o.kind);
        if (o.kind == Kind::try_section) o.obj = static_cast<std::uint8_t>(pick(3));
        if (o.kind == Kind::store && o.arg != 0 && o.obj < 2) stores_one[o.obj] = true;
      }
    }
    // Sometimes make the last step of thread 1 a spin on an atomic that
    // thread 0 stores to unconditionally.
    if (pick(4) == 0) {
      for (int a = 0; a < 2; ++a) {
        bool t0_stores = false;
        for (int i = 0; i < p.len[0]; ++i)
          t0_stores = t0_stores || (p.ops[0][i].kind == Kind::store && p.ops[0][i].obj == a);
        if (t0_stores) {
          p.ops[1][p.len[1] - 1] =
              Op{Kind::spin, static_cast<std::uint8_t>(a), 0, std::memory_order_acquire};
          break;
        }
      }
    }
    (void)stores_one;
    p.fair = pick(3) == 0;
    if (pick(4) == 0) {
      // Two threads that run the same code: thread 1 a copy of thread 0.
      p.symmetric = true;
      p.len[1] = p.len[0];
      for (int i = 0; i < p.len[0]; ++i) p.ops[1][i] = p.ops[0][i];
    }
    return p;
  }

 private:
  std::uint64_t pick(std::uint64_t n) { return next64() % n; }
  std::uint64_t next64() {
    std::uint64_t x = (s_ += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  std::memory_order order(Kind k) {
    static const std::memory_order loads[] = {std::memory_order_relaxed, std::memory_order_acquire,
                                              std::memory_order_seq_cst};
    static const std::memory_order stores[] = {std::memory_order_relaxed, std::memory_order_release,
                                               std::memory_order_seq_cst};
    static const std::memory_order rmws[] = {std::memory_order_relaxed, std::memory_order_acq_rel,
                                             std::memory_order_seq_cst};
    static const std::memory_order fences[] = {std::memory_order_acquire, std::memory_order_release,
                                               std::memory_order_seq_cst};
    switch (k) {
      case Kind::load: return loads[pick(3)];
      case Kind::store: return stores[pick(3)];
      case Kind::rmw:
      case Kind::cas: return rmws[pick(3)];
      case Kind::fence: return fences[pick(3)];
      default: return std::memory_order_relaxed;
    }
  }
  std::uint64_t s_;
};

// Runs the installed program; every thread records what it read.
template <class M>
struct Interpreter {
  static constexpr unsigned threads = kMaxThreads;
  static constexpr const char* thread_names[] = {"t0", "t1", "t2"};
  static constexpr const int (&symmetric_with)[kMaxThreads] = g_symmetric_with;

  atomic_t<M, int> a[2] = {{"a0", 0}, {"a1", 0}};
  mutex_t<M> m{"m"};
  rwlock_t<M> rw{"rw"};
  var_t<M, int> v[2] = {{"v0", 0}, {"v1", 0}};
  ghost_t<M, int> g{"g", 0};
  ghost_t<M, int> h{"h", 0};
  int regs[kMaxThreads][kMaxOps] = {};
  const Program& prog = *current();

  Interpreter() { rw.set_fair(prog.fair); }
  void before() {}

  void thread(unsigned t) {
    if (static_cast<int>(t) >= prog.threads) return;
    for (int i = 0; i < prog.len[t]; ++i) {
      const Op& o = prog.ops[t][i];
      int& r = regs[t][i];
      switch (o.kind) {
        case Kind::load: r = a[o.obj].load(o.mo); break;
        case Kind::store: a[o.obj].store(o.arg, o.mo); break;
        case Kind::rmw: r = a[o.obj].fetch_add(1, o.mo); break;
        case Kind::cas: {
          int expected = o.arg - 1;
          r = a[o.obj].compare_exchange_strong(expected, o.arg, o.mo, fail_order(o.mo)) ? 1 : 0;
          break;
        }
        case Kind::fence: M::fence(o.mo); break;
        case Kind::mutex_section:
          m.lock();
          v[0].store(v[0].load() + 1);
          m.unlock();
          break;
        case Kind::read_section:
          rw.read_lock();
          r = v[1].load();
          rw.read_unlock();
          break;
        case Kind::write_section:
          rw.write_lock();
          v[1].store(o.arg);
          rw.write_unlock();
          break;
        case Kind::try_section:
          if (o.obj == 0) {
            r = m.trylock();
            if (r) {
              v[0].store(v[0].load() + 10);
              m.unlock();
            }
          } else if (o.obj == 1) {
            r = rw.read_trylock();
            if (r) {
              r += v[1].load();
              rw.read_unlock();
            }
          } else {
            r = rw.write_trylock();
            if (r) {
              v[1].store(7);
              rw.write_unlock();
            }
          }
          break;
        case Kind::ghost_adjust: g.adjust(1); break;
        case Kind::ghost_add: r = g.add(1); break;
        case Kind::irq_read_section:
          rw.read_lock_in_interrupt();
          r = v[1].load();
          rw.read_unlock();
          break;
        case Kind::ghost_update: r = g.update([](int x) { return x + 1 + (x & 1); }); break;
        case Kind::ghost_fence_update: r = h.fence_update([](int x) { return x * 2 + 1; }); break;
        case Kind::spin:
          while ((r = a[o.obj].load(std::memory_order_acquire)) == 0) M::spin_wait_hint();
          break;
      }
    }
  }

  void after() {}

  std::uint64_t signature() {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint64_t x) { h = (h ^ x) * 1099511628211ull; };
    for (int t = 0; t < kMaxThreads; ++t)
      for (int i = 0; i < kMaxOps; ++i) mix(static_cast<std::uint64_t>(regs[t][i]) + 7);
    mix(static_cast<std::uint64_t>(a[0].load(std::memory_order_relaxed)));
    mix(static_cast<std::uint64_t>(a[1].load(std::memory_order_relaxed)));
    mix(static_cast<std::uint64_t>(v[0].load()));
    mix(static_cast<std::uint64_t>(v[1].load()));
    mix(static_cast<std::uint64_t>(g.load()));
    return h;
  }

 private:
  static std::memory_order fail_order(std::memory_order mo) {
    if (mo == std::memory_order_acq_rel) return std::memory_order_acquire;
    if (mo == std::memory_order_release) return std::memory_order_relaxed;
    return mo;
  }
};

}  // namespace randprog
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_SEARCH_RANDOM_PROGRAM_HPP
