// relacy_tests/qrwlock.cpp: the kernel's queued rwlock (model/qrwlock.hpp),
// verified under Relacy, and the pfncache protocol run on it.
//
// Properties, numbered here and checked through M::check:
//   Q1  mutual exclusion: a writer is alone; readers share.
//   Q2  a task-context reader that arrives while a writer waits enters
//       after that writer (task readers cannot starve a writer).
//   Q3  read_trylock() never succeeds while a writer waits or holds.
//   Q4  no lost wake-up: every thread finishes (a waiter that can never be
//       woken makes the search report LIVELOCK or DEADLOCK).
// and observations that must be reached (the Sometimes of each test):
//   QS1 an interrupt-context reader entered while a writer waited
//   QS2 read_trylock() failed because a writer waited (it did not hold)
//   QS3 a task reader arrived while a writer waited, and queued
//   QS4 a writer queued and set QW_WAITING
//
// Every test runs with the complete reduced search against the kernel's
// lock (QrwlockKernel: must pass and reach its Sometimes) and against the
// mutants that break one knob (each must be caught by its property). Then
// three pfncache scenarios run with gpc->lock being this lock instead of
// the model's permissive rwlock.
//
//   relacy_qrwlock [--quiet]     exit 0 if every result is as expected
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "impl/scenarios.hpp"
#include "impl/variants/pre_patch.hpp"
#include "impl/variants/v6_9.hpp"
#include "model/qrwlock.hpp"
#include "relacy_tests/driver.hpp"

namespace {

using namespace pfv;
using M = RelacyModel;

const char* const Q1 = "Q1: mutual exclusion: a writer shared the lock";
const char* const Q2 = "Q2: a task reader that arrived while a writer waited entered before it";
const char* const Q3 = "Q3: read_trylock() succeeded while a writer waited or held the lock";
const char* const QS1 = "QS1: an interrupt reader entered while a writer waited";
const char* const QS2 = "QS2: read_trylock() failed while a writer only waited";
const char* const QS3 = "QS3: a task reader arrived while a writer waited, and queued";
const char* const QS4 = "QS4: a writer queued and set QW_WAITING";

// The ghost state the tests keep. One test object exists at a time.
struct Ghosts {
  static constexpr std::uint32_t WRITER = 1u << 8;
  ghost_t<M, std::uint32_t> inside{"inside", 0};        // readers + WRITER per writer
  ghost_t<M, std::uint32_t> writer{"writer", 0};        // 0 idle, 1 waiting, 2 holding
  ghost_t<M, std::uint32_t> acquired{"acquired", 0};    // writers that have acquired
  ghost_t<M, std::uint32_t> epoch{"epoch", 0};          // writers that began to release
  // Per thread: cnts as the thread's last read fast path left it.
  ghost_t<M, std::uint32_t> reader_saw[3] = {{"reader_saw[0]", 0}, {"reader_saw[1]", 0},
                                             {"reader_saw[2]", 0}};
  ghost_t<M, std::uint32_t>& saw() { return reader_saw[rlm::current_thread()]; }
};
Ghosts*& ghosts() {
  static Ghosts* g = nullptr;
  return g;
}

// The kernel's lock (or a mutant), with the checker hooks recording into
// the current test's ghosts.
template <class K>
struct Probed : K {
  static void after_read_fastpath(std::uint32_t cnts) { ghosts()->saw().store(cnts); }
  static void after_set_waiting() {
    ghosts()->writer.store(1);
    M::observe(QS4);
  }
};

// The mutants of the lock, each one knob.
struct ReadersIgnoreWaiting : QrwlockKernel {
  static constexpr bool kReadersSeeWaiting = false;
};
struct TaskReadersDoNotQueue : QrwlockKernel {
  static constexpr bool kTaskReadersQueue = false;
};
struct WriterIgnoresReaders : QrwlockKernel {
  static constexpr bool kWriterWaitsForReaders = false;
};
struct UnlockClearsWaiting : QrwlockKernel {
  static constexpr bool kUnlockClearsOnlyLocked = false;
};
struct UnlockRelaxed : QrwlockKernel {
  static constexpr bool kUnlockRelease = false;
};
struct TrylockIgnoresWaiting : QrwlockKernel {
  static constexpr bool kTrylockSeesWaiting = false;
};

enum class Role { writer, reader, irq_reader, trylock };

template <class K>
struct LockTest : Ghosts {
  using L = Qrwlock<M, Probed<K>>;
  static constexpr unsigned QW_WAITING = L::QW_WAITING;
  L lock{"rw"};
  var_t<M, int> data{"data", 0};

  LockTest() { ghosts() = this; }
  ~LockTest() { ghosts() = nullptr; }
  void before() {}
  void after() {}
  std::uint64_t signature() { return static_cast<std::uint64_t>(data.load()); }

  void write_section() {
    lock.write_lock();
    writer.store(2);
    acquired.adjust(1);
    M::check(inside.add(WRITER) == WRITER, Q1);
    data.store(data.load() + 1);
    inside.adjust(0u - WRITER);
    writer.store(0);
    epoch.adjust(1);
    lock.write_unlock();
  }

  // A task reader; checks Q2 when it gets in.
  void read_section() {
    lock.read_lock();
    const bool saw_waiting = (this->saw().load() & QW_WAITING) != 0;
    if (saw_waiting) {
      M::check(acquired.load() != 0, Q2);
      M::observe(QS3);
    }
    reader_body();
    lock.read_unlock();
  }

  void interrupt_read_section() {
    lock.read_lock_in_interrupt();
    if ((this->saw().load() & QW_WAITING) && acquired.load() == 0) M::observe(QS1);
    reader_body();
    lock.read_unlock();
  }

  // Q3 is checked when the writer waited or held the lock for the whole
  // trylock: its state was set when the trylock began and it has not
  // released since (epoch, bumped after the state is cleared and before the
  // unlock, unchanged; read before the state, so a release already under
  // way shows as a cleared state).
  void trylock_section() {
    const std::uint32_t e = epoch.load();
    const std::uint32_t w = writer.load();
    if (lock.read_trylock()) {
      M::check(w == 0 || epoch.load() != e, Q3);
      reader_body();
      lock.read_unlock();
    } else if (writer.load() == 1) {
      M::observe(QS2);
    }
  }

  void reader_body() {
    M::check((inside.add(1) >> 8) == 0, Q1);
    (void)data.load();
    inside.adjust(0u - 1u);
  }

  // What thread i of a test does: the test's roles[i].
  void play(Role r) {
    switch (r) {
      case Role::writer: return write_section();
      case Role::reader: return read_section();
      case Role::irq_reader: return interrupt_read_section();
      case Role::trylock: return trylock_section();
    }
  }
};

// A test: three threads, each playing a role.
template <class K, class T>
struct Roles : LockTest<K> {
  static constexpr unsigned threads = 3;
  void thread(unsigned i) { this->play(T::roles[i]); }
};

// Q1, Q4: two writers and a task reader.
template <class K>
struct Exclusion : Roles<K, Exclusion<K>> {
  static constexpr const char* name = "exclusion";
  static constexpr const char* thread_names[] = {"writer A", "writer B", "reader"};
  static constexpr const char* sometimes = "QS4";
  static constexpr Role roles[] = {Role::writer, Role::writer, Role::reader};
};

// Q2: a reader holds the lock, a writer comes and waits, a second task
// reader arrives.
template <class K>
struct WriterFairness : Roles<K, WriterFairness<K>> {
  static constexpr const char* name = "writer_fairness";
  static constexpr const char* thread_names[] = {"reader A", "writer", "reader B"};
  static constexpr const char* sometimes = "QS3 QS4";
  static constexpr Role roles[] = {Role::reader, Role::writer, Role::reader};
};

// The same with an interrupt-context second reader: it may overtake.
template <class K>
struct InterruptReader : Roles<K, InterruptReader<K>> {
  static constexpr const char* name = "interrupt_reader";
  static constexpr const char* thread_names[] = {"reader", "writer", "irq reader"};
  static constexpr const char* sometimes = "QS1 QS4";
  static constexpr Role roles[] = {Role::reader, Role::writer, Role::irq_reader};
};

// Q3: a reader holds the lock, a writer waits, a trylock reader tries.
template <class K>
struct Trylock : Roles<K, Trylock<K>> {
  static constexpr const char* name = "trylock";
  static constexpr const char* thread_names[] = {"reader", "writer", "trylock"};
  static constexpr const char* sometimes = "QS2 QS4";
  static constexpr Role roles[] = {Role::reader, Role::writer, Role::trylock};
};

// Q4 with two writers queued one behind the other, and an interrupt reader.
template <class K>
struct TwoWriters : Roles<K, TwoWriters<K>> {
  static constexpr const char* name = "two_writers";
  static constexpr const char* thread_names[] = {"writer A", "writer B", "irq reader"};
  static constexpr const char* sometimes = "QS4";
  static constexpr Role roles[] = {Role::writer, Role::writer, Role::irq_reader};
};

// The pfncache protocol on the kernel's rwlock: RelacyModel with its
// permissive rwlock replaced by the qrwlock.
struct RelacyQrw : RelacyModel {
  using rwlock = Qrwlock<RelacyQrw>;
};

struct Outcome {
  std::string test, lock, expected, got;
  std::uint64_t executions = 0;
  double seconds = 0;
  bool ok = false;
};

std::string failure_class(const RunResult& r) {
  if (r.result == rl::test_result_success) return "pass";
  if (r.failure.kind == "invariant") return r.failure.what.substr(0, r.failure.what.find(':'));
  if (r.failure.kind == "data race") return "race";
  return r.failure.kind;  // "deadlock", "livelock", ...
}

bool reached_all(const RunResult& r, const char* sometimes, std::string& missing) {
  std::string codes = sometimes;
  std::size_t pos = 0;
  while (pos < codes.size()) {
    std::size_t end = codes.find(' ', pos);
    if (end == std::string::npos) end = codes.size();
    const std::string code = codes.substr(pos, end - pos) + ":";
    bool seen = false;
    for (const Observation& o : r.observations)
      seen = seen || (o.executions > 0 && o.what.compare(0, code.size(), code) == 0);
    if (!seen) missing += (missing.empty() ? "" : " ") + code.substr(0, code.size() - 1);
    pos = end + 1;
  }
  return missing.empty();
}

// Runs S with the complete reduced search; `expected` is "pass" or a
// failure class (several separated by '|').
template <class S>
Outcome check(const char* test, const char* lock, const char* expected, const char* sometimes,
              bool quiet) {
  search::Config cfg;
  cfg.mode = search::Mode::reduced;
  cfg.max_seconds = 600;
  cfg.progress_label = quiet ? nullptr : test;
  cfg.progress_period = 5;
  RunOptions o;
  o.want_trace = !quiet;
  const RunResult r = run<S>(cfg, o);
  Outcome out{test, lock, expected, failure_class(r), r.stats.executions + r.stats.redundant,
              r.stats.seconds, false};
  const std::string exp = expected;
  if (exp == "pass") {
    std::string missing;
    out.ok = r.result == rl::test_result_success && r.stats.complete &&
             reached_all(r, sometimes, missing);
    if (r.result == rl::test_result_success && !r.stats.complete) out.got = "INCOMPLETE";
    if (!missing.empty()) out.got = "pass, never " + missing;
  } else {
    out.ok = ("|" + exp + "|").find("|" + out.got + "|") != std::string::npos;
  }
  std::printf("%-32s %-26s %9llu %7.2fs  %-26s %-14s %s\n", test, lock,
              static_cast<unsigned long long>(out.executions), out.seconds, out.got.c_str(),
              expected, out.ok ? "ok" : "UNEXPECTED");
  if (!out.ok && r.result != rl::test_result_success) std::printf("%s\n", r.failure.trace.c_str());
  std::fflush(stdout);
  return out;
}

template <template <class> class T, class K>
Outcome lock_case(const char* lock, const char* expected, bool quiet) {
  return check<T<K>>(T<K>::name, lock, expected, T<K>::sometimes, quiet);
}

template <template <class, template <class> class> class S, template <class> class V>
Outcome protocol_case(bool quiet) {
  using Sc = S<RelacyQrw, V>;
  const std::string name = std::string(Sc::info.name) + " on qrwlock";
  // The scenario's Sometimes, as far as the variant can produce them.
  std::string sometimes;
  std::string codes = Sc::info.sometimes;
  for (std::size_t pos = 0; pos < codes.size();) {
    std::size_t end = codes.find(' ', pos);
    if (end == std::string::npos) end = codes.size();
    const std::string code = codes.substr(pos, end - pos);
    if (V<RelacyQrw>::can_observe(code.c_str())) sometimes += (sometimes.empty() ? "" : " ") + code;
    pos = end + 1;
  }
  return check<Sc>(name.c_str(), V<RelacyQrw>::info.name, "pass", sometimes.c_str(), quiet);
}

}  // namespace

int main(int argc, char** argv) {
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quiet") == 0) {
      quiet = true;
    } else {
      std::fprintf(stderr, "usage: relacy_qrwlock [--quiet]\n");
      return 2;
    }
  }
  std::printf("%-32s %-26s %9s %8s  %-26s %-14s %s\n", "test", "lock", "executions", "time",
              "result", "expected", "verdict");
  std::vector<Outcome> all;
  // The kernel's lock: every property holds, every Sometimes is reached.
  all.push_back(lock_case<Exclusion, QrwlockKernel>("kernel", "pass", quiet));
  all.push_back(lock_case<WriterFairness, QrwlockKernel>("kernel", "pass", quiet));
  all.push_back(lock_case<InterruptReader, QrwlockKernel>("kernel", "pass", quiet));
  all.push_back(lock_case<Trylock, QrwlockKernel>("kernel", "pass", quiet));
  all.push_back(lock_case<TwoWriters, QrwlockKernel>("kernel", "pass", quiet));
  // Each mutant is caught by the property it breaks.
  all.push_back(lock_case<WriterFairness, ReadersIgnoreWaiting>("readers-ignore-waiting", "Q2", quiet));
  all.push_back(lock_case<WriterFairness, TaskReadersDoNotQueue>("task-readers-do-not-queue", "Q2", quiet));
  all.push_back(lock_case<Exclusion, WriterIgnoresReaders>("writer-ignores-readers", "Q1|race", quiet));
  all.push_back(lock_case<TwoWriters, UnlockClearsWaiting>("unlock-clears-waiting", "livelock|deadlock|Q1", quiet));
  all.push_back(lock_case<Exclusion, UnlockRelaxed>("unlock-relaxed", "race", quiet));
  all.push_back(lock_case<Trylock, TrylockIgnoresWaiting>("trylock-ignores-waiting", "Q3", quiet));
  // The protocol on the kernel's lock.
  all.push_back(protocol_case<InvalidateVsRead, V6_9>(quiet));
  all.push_back(protocol_case<InvalidateVsRead, PrePatch>(quiet));
  all.push_back(protocol_case<UnrelatedInvalidateVsRead, V6_9>(quiet));
  all.push_back(protocol_case<InvalidateVsRefresh, V6_9>(quiet));
  all.push_back(protocol_case<InvalidateVsRefresh, PrePatch>(quiet));

  std::size_t bad = 0;
  for (const Outcome& o : all) bad += !o.ok;
  std::printf("\n%zu results: %zu as expected, %zu unexpected\n", all.size(), all.size() - bad, bad);
  return bad ? 1 : 0;
}
