// kshim/kshim.h: what the kernel's pfncache.c needs around it, included
// (after kshim/bridge.hpp) by the translation unit that compiles the file.
//
// The file is compiled as C++ by g++, unmodified, inside the namespace
// KSHIM_NS, with -I kshim/include first on the include path: its
// #include <linux/...> lines find the empty stand-ins there (everything is
// declared already), and its #include "kvm_mm.h" finds the tree's own
// header, whose body the guard below skips (what pfncache.c needs from it is
// in bridge.hpp). The few kernel macros the file uses are defined here, in
// the project's own words; none collides with a name of the project, whose
// constants the file reaches through KSHIM_NS instead of macros.
//
// clang++ rejects the file's arithmetic on `void *` locals (a GNU C
// extension g++ accepts with -Wno-pointer-arith), which no shim can reach:
// the kernel-file targets are built by g++ only.
#ifndef PFV_KSHIM_KSHIM_H
#define PFV_KSHIM_KSHIM_H

#include <cerrno>

#include "kshim/bridge.hpp"

// The tree's virt/kvm/kvm_mm.h: its guard, so that its body is skipped.
#define __KVM_MM_H__ 1

#define __user
#define EXPORT_SYMBOL_GPL(sym) static_assert(true, "")
#define CONFIG_HAS_IOMEM 1

#define WARN_ON_ONCE(cond) kshim_warn(static_cast<bool>(cond), #cond)
#define KVM_BUG_ON(cond, kvm) kshim_warn(static_cast<bool>(cond), #cond)

// The walk of kvm->gpc_list (list_for_each_entry over the model's list).
#define list_for_each_entry(pos, head, member) \
  for (pos = kshim_list_first(head); pos != nullptr; pos = kshim_list_next(head, pos))

// guard(mutex)(&m): cleanup.h's scoped lock.
#define KSHIM_CAT2(a, b) a##b
#define KSHIM_CAT(a, b) KSHIM_CAT2(a, b)
#define guard(type) kshim_guard_##type KSHIM_CAT(kshim_guard_, __COUNTER__)

#if KSHIM_API == 601
#define DECLARE_BITMAP(name, bits) unsigned long name[((bits) + 63) / 64]
#endif

#endif  // PFV_KSHIM_KSHIM_H
