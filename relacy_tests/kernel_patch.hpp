// relacy_tests/kernel_patch.hpp: `pfncache-verify --kernel-tree DIR --patch
// FILE`, the kernel developer's workflow: gate a patch to virt/kvm/pfncache.c.
//
//   1. DIR must hold virt/kvm/pfncache.c and its top-level Makefile; FILE
//      must be a readable unified diff that touches virt/kvm/pfncache.c
//      (its hunks for other files are set aside, with a note: the shim
//      gates that one file).
//   2. The tree's three files are copied to a temporary tree, and the diff's
//      pfncache.c part is applied there (patch(1)); the original tree is
//      never written.
//   3. This project is configured and built (g++) in a temporary build
//      directory with both trees, the original as kernel-X.Y and the patched
//      copy as kernel-X.Y+patch, and the impl/ variants their findings and
//      twins need.
//   4. That build's pfncache-verify runs the two kernel-file variants,
//      v6.9 and v6.18 (the twins), with the remaining options; its exit
//      status is returned.
//
// Bad input (no tree, no file, a diff that does not touch pfncache.c or
// does not apply, a patched file the shim's API levels do not compile)
// exits 2 with the reason. The temporary directory is always removed.
#ifndef PFV_RELACY_TESTS_KERNEL_PATCH_HPP
#define PFV_RELACY_TESTS_KERNEL_PATCH_HPP

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "relacy_tests/gate.hpp"

namespace pfv {
namespace kernel_patch {

namespace fs = std::filesystem;

// Runs argv with stdout and stderr to `log`; returns the exit status.
inline int run(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    if (!log.empty()) {
      std::FILE* f = std::fopen(log.c_str(), "a");
      if (f) {
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
      }
    }
    std::vector<char*> a;
    for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of `log` that say why (kshim: messages, compiler errors), or its tail.
inline std::string why(const std::string& log) {
  std::istringstream in(read_text(log));
  std::string line, picked;
  std::vector<std::string> all;
  while (std::getline(in, line)) {
    all.push_back(line);
    if (line.find("kshim:") != std::string::npos || line.find("error:") != std::string::npos)
      if (picked.size() < 4000) picked += "  " + line + "\n";
  }
  if (!picked.empty()) return picked;
  std::string tail;
  for (std::size_t i = all.size() > 15 ? all.size() - 15 : 0; i < all.size(); ++i)
    tail += "  " + all[i] + "\n";
  return tail;
}

// The diff's sections for virt/kvm/pfncache.c; the other files it touches.
inline std::string pfncache_part(const std::string& diff, std::vector<std::string>& others) {
  std::istringstream in(diff);
  std::string line, out, section, target;
  bool keep = false;
  auto flush = [&] {
    if (keep) out += section;
    section.clear();
  };
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const bool header = l.rfind("--- ", 0) == 0 && i + 1 < lines.size() &&
                        lines[i + 1].rfind("+++ ", 0) == 0;
    if (l.rfind("diff ", 0) == 0 || header) {
      if (header || section.empty() || section.rfind("diff ", 0) != 0) flush();
      if (header) {
        std::string path = lines[i + 1].substr(4);
        path = path.substr(0, path.find_first_of("\t"));
        keep = path.size() >= 19 && path.compare(path.size() - 19, 19, "virt/kvm/pfncache.c") == 0;
        if (!keep) others.push_back(path);
      }
    }
    section += l + "\n";
  }
  flush();
  return out;
}

inline int gate_patch_in(const std::string& tree_arg, const std::string& patch_file,
                         const std::vector<std::string>& forward);

inline int gate_patch(const std::string& tree_arg, const std::string& patch_file,
                      const std::vector<std::string>& forward) {
  try {
    return gate_patch_in(tree_arg, patch_file, forward);
  } catch (const std::exception& e) {  // a filesystem error (the temporary tree is removed)
    std::fprintf(stderr, "pfncache-verify: --patch: %s\n", e.what());
    return 2;
  }
}

inline int gate_patch_in(const std::string& tree_arg, const std::string& patch_file,
                         const std::vector<std::string>& forward) {
  auto bad = [](const std::string& m) {
    std::fprintf(stderr, "pfncache-verify: %s\n", m.c_str());
    return 2;
  };
  std::error_code ec;
  const fs::path tree = fs::absolute(tree_arg, ec);
  if (!fs::is_regular_file(tree / "virt/kvm/pfncache.c") || !fs::is_regular_file(tree / "Makefile"))
    return bad("--kernel-tree " + tree_arg +
               ": not a kernel tree (it needs virt/kvm/pfncache.c and the top-level Makefile)");
  std::ifstream probe(patch_file);
  if (!probe) return bad("--patch " + patch_file + ": cannot read the file");
  std::vector<std::string> others;
  const std::string part = pfncache_part(read_text(patch_file), others);
  if (part.empty())
    return bad("--patch " + patch_file + ": the diff does not touch virt/kvm/pfncache.c");
  for (const std::string& o : others)
    std::fprintf(stderr, "pfncache-verify: note: the diff also changes %s; only "
                         "virt/kvm/pfncache.c is gated\n", o.c_str());

  char tmpl[] = "/tmp/pfncache-verify-patch-XXXXXX";
  if (!mkdtemp(tmpl)) return bad("cannot create a temporary directory");
  const fs::path tmp = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{tmp};
  const fs::path copy = tmp / "tree";
  fs::create_directories(copy / "virt/kvm");
  fs::copy_file(tree / "Makefile", copy / "Makefile");
  if (fs::exists(tree / "virt/kvm/kvm_mm.h"))
    fs::copy_file(tree / "virt/kvm/kvm_mm.h", copy / "virt/kvm/kvm_mm.h");
  {
    std::ofstream d(tmp / "pfncache.diff");
    d << part;
    if (!d.flush()) return bad("cannot write the diff to " + tmp.string());
  }
  const std::string log = (tmp / "log").string();
  if (run({"patch", "--batch", "--forward", "--silent", "-r", (tmp / "rejects").string(), "-o",
           (copy / "virt/kvm/pfncache.c").string(), (tree / "virt/kvm/pfncache.c").string(),
           (tmp / "pfncache.diff").string()},
          log) != 0)
    return bad("--patch " + patch_file + ": the diff does not apply to " +
               (tree / "virt/kvm/pfncache.c").string() + ":\n" + why(log));

  std::fprintf(stderr, "pfncache-verify: building the patched pfncache.c (g++, a few minutes)\n");
  const fs::path build = tmp / "build";
  const std::string trees = "kernel-@=" + tree.string() + ";kernel-@+patch=" + copy.string();
  if (run({"cmake", "-S", PFV_SOURCE_DIR, "-B", build.string(), "-G", "Ninja",
           "-DCMAKE_CXX_COMPILER=g++", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
           "-DPFV_KERNEL_TREE=" + trees,
           "-DPFV_ONLY_VARIANTS=v6_9;pre_patch;v6_18;fix_range_end_seq;fix_release_invalidates"},
          log) != 0)
    return bad("the kernel trees were refused:\n" + why(log));
  if (run({"cmake", "--build", build.string(), "--target", "pfncache-verify"}, log) != 0)
    return bad("the patched pfncache.c does not build against the shim:\n" + why(log));

  // kernel-X.Y, kernel-X.Y+patch and their twin.
  std::string variants;
  {
    std::string out = (tmp / "list").string();
    if (run({(build / "relacy_tests/pfncache-verify").string(), "--list"}, out) != 0)
      return bad("the patched build's pfncache-verify does not run:\n" + why(out));
    std::istringstream in(read_text(out));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream w(line);
      std::string name;
      w >> name;
      if (name.rfind("kernel-", 0) == 0 && name.find('.') != std::string::npos)
        variants += (variants.empty() ? "" : ",") + name;
    }
  }
  if (variants.find("+patch") == std::string::npos)
    return bad("the patched build has no kernel-file variant for the patched copy");
  std::vector<std::string> argv = {(build / "relacy_tests/pfncache-verify").string(),
                                    "--variant", variants + ",v6.9,v6.18"};
  for (const std::string& f : forward) argv.push_back(f);
  std::fflush(stdout);
  return run(argv, "");
}

}  // namespace kernel_patch
}  // namespace pfv

#endif  // PFV_RELACY_TESTS_KERNEL_PATCH_HPP
