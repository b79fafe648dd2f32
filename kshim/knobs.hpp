// kshim/knobs.hpp: shim-level mutants of the kernel file, without kernel
// text. A shim mutant drops one barrier, one lock or one WARN, in one named
// kernel function, by making the shim's function a no-op when the kernel
// function calling it has that name:
//
//   drop-rmb@F          smp_rmb()
//   drop-read-lock@F    read_lock_irq() and read_unlock_irq()
//   drop-write-lock@F   write_lock_irq() and write_unlock_irq()
//   drop-mutex@F        mutex_lock() and mutex_unlock() (guard(mutex) too)
//   drop-warn@F         WARN_ON_ONCE() and KVM_BUG_ON(): the condition is
//                       evaluated, never reported, and reads as false
//
// `pfncache-verify --shim-mutant SPEC` runs the kernel-file variants with
// one; `--shim-teeth` shows that the gate catches each of kShimTeeth.
// Independent of the tree's namespace, so that the gate can set it.
#ifndef PFV_KSHIM_KNOBS_HPP
#define PFV_KSHIM_KNOBS_HPP

#include <cstring>
#include <string>

namespace pfv {
namespace kshim {

inline constexpr const char* kKinds[] = {"drop-rmb", "drop-read-lock", "drop-write-lock",
                                         "drop-mutex", "drop-warn"};

struct Knob {
  std::string kind, func;  // empty: no mutant
};
inline Knob& knob() {
  static Knob k;
  return k;
}

// "kind@function" -> the knob; false if the kind is unknown or a part empty.
inline bool parse_knob(const std::string& spec, Knob& out) {
  const std::size_t at = spec.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == spec.size()) return false;
  out.kind = spec.substr(0, at);
  out.func = spec.substr(at + 1);
  for (const char* k : kKinds)
    if (out.kind == k) return true;
  return false;
}

// The functions of pfncache.c, over the API levels the shim knows: a shim
// mutant must name one (a misspelt name would drop nothing, silently).
inline constexpr const char* kFunctions[] = {
    "gfn_to_pfn_cache_invalidate_start", "kvm_gpc_is_valid_len",
    "kvm_gpc_check",                     "kvm_gfn_to_pfn_cache_check",
    "gpc_map",                           "gpc_unmap",
    "gpc_unmap_khva",                    "mmu_notifier_retry_cache",
    "hva_to_pfn_retry",                  "__kvm_gpc_refresh",
    "kvm_gpc_refresh",                   "kvm_gfn_to_pfn_cache_refresh",
    "kvm_gfn_to_pfn_cache_unmap",        "kvm_gpc_init",
    "__kvm_gpc_activate",                "kvm_gpc_activate",
    "kvm_gpc_activate_hva",              "kvm_gpc_deactivate"};
inline bool known_function(const std::string& f) {
  for (const char* k : kFunctions)
    if (f == k) return true;
  return false;
}
inline std::string known_functions_text() {
  std::string s;
  for (const char* k : kFunctions) s += (s.empty() ? "" : ", ") + std::string(k);
  return s;
}

// Is the shim's `kind` call made from kernel function `func` dropped?
inline bool dropped(const char* kind, const char* func) {
  const Knob& k = knob();
  return !k.kind.empty() && k.kind == kind && k.func == func;
}

// The retry loop's fingerprint (what cond_resched(), the spin-wait hint,
// carries into the next pass). Default: the last mmu_invalidate_seq load,
// impl/'s declaration for its own loop, a claim about the kernel's loop.
// `loads`: a hash of every value the thread loaded since its previous hint,
// which assumes nothing (a superset of any carried state) and costs more
// executions. --fingerprint-crosscheck runs both and requires the same
// outcomes (ctest kernel.fingerprint).
inline bool& fingerprint_loads() {
  static bool on = false;
  return on;
}

// The shim mutants the gate must catch, per API level of the kernel file
// (601: v6.1's names, 609/613: v6.9's). Each must make some cell of the
// kernel file's variant fail, or miss a hook-coverage Sometimes.
struct Teeth {
  int api_min, api_max;
  const char* spec;
};
inline constexpr Teeth kShimTeeth[] = {
    {601, 613, "drop-rmb@mmu_notifier_retry_cache"},
    {601, 613, "drop-warn@hva_to_pfn_retry"},
    {609, 613, "drop-read-lock@gfn_to_pfn_cache_invalidate_start"},
    {601, 601, "drop-write-lock@gfn_to_pfn_cache_invalidate_start"},
    {609, 613, "drop-mutex@kvm_gpc_refresh"},
    {601, 601, "drop-mutex@kvm_gfn_to_pfn_cache_refresh"},
    {609, 613, "drop-write-lock@kvm_gpc_deactivate"},
};

}  // namespace kshim
}  // namespace pfv

#endif  // PFV_KSHIM_KNOBS_HPP
