// relacy_tests/pool.hpp: run pieces of work in parallel worker processes.
//
// WHAT IT IS
//   The gate's way of using every core. A task is a function run in a child
//   process (fork): it returns a JSON value, which the child writes to a pipe
//   and the parent reads back. Relacy keeps its state in process-wide
//   globals (one simulation at a time per process), so processes, not
//   threads, are the unit of parallelism; and a child that crashes takes
//   nothing else with it.
//
// GUARANTEE
//   * At most `jobs` children run at once (the caller starts a task only
//     when running() < jobs()).
//   * wait_any() returns every started task exactly once, with the JSON its
//     function returned, or with `crashed` set and a message (killed by a
//     signal, exited without a complete result).
//   * The parent reads every pipe while its children run, so a child never
//     blocks on a full pipe however large its result (traces can be long).
//
// CAVEATS
//   * fork() copies the parent: create shared state (search/claims.hpp)
//     before starting the tasks that use it, and run no Relacy simulation
//     in the parent while children exist.
#ifndef PFV_RELACY_TESTS_POOL_HPP
#define PFV_RELACY_TESTS_POOL_HPP

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pfv {

class Pool {
 public:
  struct Done {
    int tag = 0;
    bool crashed = false;
    std::string message;  // crashed: what happened
    nlohmann::json value;
  };

  explicit Pool(unsigned jobs) : jobs_(jobs == 0 ? 1 : jobs) {}
  ~Pool() {
    for (Child& c : children_) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
      close(c.fd);
    }
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  unsigned jobs() const { return jobs_; }
  unsigned running() const { return static_cast<unsigned>(children_.size()); }

  // The number of cores this process may use.
  static unsigned cores() {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<unsigned>(n) : 1;
  }

  // Starts fn in a child process. `tag` comes back with its result.
  void start(int tag, const std::function<nlohmann::json()>& fn) {
    int fds[2];
    if (pipe(fds) != 0) fatal("pipe");
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) fatal("fork");
    if (pid == 0) {
      close(fds[0]);
      for (const Child& c : children_) close(c.fd);
      std::string out;
      try {
        out = fn().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "pfncache-verify: worker: %s\n", e.what());
        std::fflush(stderr);
        _exit(3);
      }
      std::fflush(stdout);
      std::fflush(stderr);
      const char* p = out.data();
      std::size_t left = out.size();
      while (left > 0) {
        const ssize_t n = write(fds[1], p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(4);
        p += n;
        left -= static_cast<std::size_t>(n);
      }
      close(fds[1]);
      _exit(0);
    }
    close(fds[1]);
    children_.push_back(Child{pid, fds[0], tag, {}});
  }

  // Blocks until one child has finished; returns its result.
  Done wait_any() {
    for (;;) {
      std::vector<pollfd> pfds;
      for (const Child& c : children_) pfds.push_back(pollfd{c.fd, POLLIN, 0});
      if (pfds.empty()) fatal("wait_any() with no running task");
      if (poll(pfds.data(), pfds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        fatal("poll");
      }
      for (std::size_t i = 0; i < pfds.size(); ++i) {
        if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Child& c = children_[i];
        char buf[65536];
        const ssize_t n = read(c.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
          c.data.append(buf, static_cast<std::size_t>(n));
          continue;
        }
        // End of file: the child is done.
        Done d = finish(c);
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
        return d;
      }
    }
  }

 private:
  struct Child {
    pid_t pid;
    int fd;
    int tag;
    std::string data;
  };

  [[noreturn]] static void fatal(const char* what) {
    std::fprintf(stderr, "pfncache-verify: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
  }

  static Done finish(Child& c) {
    close(c.fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    Done d;
    d.tag = c.tag;
    char msg[128];
    if (WIFSIGNALED(status)) {
      std::snprintf(msg, sizeof msg, "the worker process was killed by signal %d (%s)",
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
      d.crashed = true;
      d.message = msg;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::snprintf(msg, sizeof msg, "the worker process exited with status %d",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      d.crashed = true;
      d.message = msg;
    } else {
      d.value = nlohmann::json::parse(c.data, nullptr, false);
      if (d.value.is_discarded()) {
        d.crashed = true;
        d.message = "the worker process sent a malformed result";
      }
    }
    return d;
  }

  unsigned jobs_;
  std::vector<Child> children_;
};

}  // namespace pfv

#endif  // PFV_RELACY_TESTS_POOL_HPP
