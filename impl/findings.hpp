// impl/findings.hpp: what the suite found in the kernel's own code.
//
// A finding is a scenario in which a kernel variant, written as the kernel
// writes it, fails an invariant. It is registered here instead of being
// tuned away: the gate then expects that kernel variant to fail that cell
// with the finding's failure class (the table says "finding: <name>"), and
// turns red if the model stops catching it. Each finding names the variant
// that carries its smallest fix, which must pass every scenario (or show
// only the other findings), and has its page, docs/findings/<name>.md,
// built from the generated trace.
//
// Mutants and artifacts are built on Pfncache's defaults, which are the
// newest kernel's code (v6.18): in a scenario where a finding of v6.18
// shows, a mutant may fail with the finding's classes as well as its own.
#ifndef PFV_IMPL_FINDINGS_HPP
#define PFV_IMPL_FINDINGS_HPP

#include <cstddef>
#include <cstring>

#include "impl/info.hpp"

namespace pfv {

struct FindingInfo {
  const char* name;       // docs/findings/<name>.md
  const char* variants;   // the kernel variants that have it (','-separated)
  const char* scenarios;  // where it shows (','-separated)
  const char* caught_by;  // the failure classes it shows as ('|'-separated)
  const char* fixed_by;   // the variant with the smallest fix
  const char* summary;    // one line
};

inline constexpr FindingInfo kFindings[] = {
    {"hva-outside-memslot-stale-pfn",
     "v6.9,pre-patch,v6.18,v6.18+release-invalidates",
     "hva_outside_refresh_invalidate_read",
     "S3|S1|race page",
     "v6.18+range-end-seq",
     "an HVA-based cache outside every memslot can be refreshed with the page an "
     "invalidation has just taken away: the invalidation moves "
     "mn_active_invalidate_count but not mmu_invalidate_seq, and it can start and "
     "end while the refresh has gpc->lock dropped"},
    {"mm-teardown-leaves-cache-valid",
     "v6.9,pre-patch,v6.18,v6.18+range-end-seq,v6.18+range-retry,kernel-6.1",
     "teardown_vs_timer_read,teardown_vs_refresh_read",
     "S1|S3|race page",
     "v6.18+release-invalidates",
     "kvm_mmu_notifier_release() does not invalidate the pfn caches, and after it "
     "no invalidation reaches KVM: exit_mmap() frees the pages of caches that stay "
     "valid, and the Xen timer or an irqfd still writes through them"},
    {"activate-hva-without-access-ok",
     "v6.9,pre-patch",
     "hva_activate_bad_address",
     "S16",
     "v6.18",
     "v6.9's kvm_gpc_activate_hva() accepts a kernel address, and "
     "__kvm_gpc_refresh() then WARNs (GPA and HVA both invalid); fixed in v6.11 "
     "by ebbdf37ce9ab, which moved access_ok() into kvm_gpc_activate_hva()"},
    {"v6.1-deactivate-leaves-valid",
     "kernel-6.1",
     "activate_deactivate,two_caches_deactivate_activate_read",
     "S6",
     "pre-patch",
     "v6.1's kvm_gpc_deactivate() clears active and takes the cache off "
     "kvm->gpc_list, and only then, in kvm_gfn_to_pfn_cache_unmap(), clears valid: "
     "in between the cache is valid, inactive and out of reach of every "
     "invalidation; fixed in v6.2 by 9f87791d686d, which Debian 12's 6.1 does not have"},
    {"global-retry-starves-refresh",
     "v6.9,pre-patch,v6.18,v6.18+range-end-seq,v6.18+release-invalidates,v6.18+fixes,"
     "kernel-6.1,kernel-6.12",
     "unrelated_stream_refresh,overlapping_streams_refresh",
     "starvation",
     "v6.18+range-retry",
     "hva_to_pfn_retry() retries while any invalidation anywhere in the VM is in flight "
     "(mn_active_invalidate_count) or has ended since its snapshot (mmu_invalidate_seq): "
     "a stream of invalidations of pages the cache does not map keeps the refresh "
     "retrying forever under a fair schedule, while every invalidation finishes"},
};

// A kernel file's variant name without the "+patch" of a patched copy
// (pfncache-verify --patch): the copy is expected to show the findings of
// the file it patches, until the patch fixes them.
inline const char* base_name(const char* name) {
  static thread_local char buf[64];
  const char* plus = std::strstr(name, "+patch");
  if (plus == nullptr || static_cast<std::size_t>(plus - name) >= sizeof buf) return name;
  std::memcpy(buf, name, static_cast<std::size_t>(plus - name));
  buf[plus - name] = 0;
  return buf;
}

// The registered finding a variant shows in a scenario, or nullptr: its own
// if it is a kernel variant (its twin's if it runs the kernel's own file),
// v6.18's (Pfncache's defaults) otherwise.
inline const FindingInfo* finding_for(const VariantInfo& v, const ScenarioInfo& s) {
  const char* who = v.twin ? v.twin : v.kind == VariantKind::kernel ? v.name : "v6.18";
  for (const FindingInfo& f : kFindings)
    if ((names_include(f.variants, who) || names_include(f.variants, base_name(v.name))) &&
        names_include(f.scenarios, s.name))
      return &f;
  return nullptr;
}

}  // namespace pfv

#endif  // PFV_IMPL_FINDINGS_HPP
