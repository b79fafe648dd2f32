# cmake/kshim.cmake: the kernel's own virt/kvm/pfncache.c, read from kernel
# trees at build time, compiled against kshim/ and gated as variants
# (kernel-<version>) beside impl/'s.
#
#   PFV_KERNEL_TREE   the trees (a ';'-list of directories that hold
#                     virt/kvm/pfncache.c and the top-level Makefile).
#                     Empty (the default): the trees scripts/setup --kernel
#                     extracted under build/kernel-trees/. OFF: none.
#
# For each tree this file:
#   * reads VERSION/PATCHLEVEL from its Makefile (the variant's name),
#   * finds the shim's API level by compile probes (613, then 609, then 601:
#     the first level whose declarations the file compiles against),
#   * picks the impl/ variant that writes the same code (the twin whose
#     executions and outcomes must agree: drift otherwise),
#   * generates one translation unit per driver (Relacy cells, real-thread
#     cells) from cmake/kshim_cells.cpp.in.
# Nothing of the tree is copied: the generated files #include it.
#
# g++ only: clang++ rejects the file's arithmetic on `void *` locals (a GNU C
# extension), which no shim can reach. Under clang the kernel-file variants
# are skipped, with a message.

set(PFV_KERNEL_TREE "" CACHE STRING
    "kernel trees whose virt/kvm/pfncache.c is gated (';'-list; empty: build/kernel-trees/*; OFF: none)")

# Flags of the kernel translation units: the file is kernel C, built by the
# kernel without -Wextra; these are the C/C++ differences it meets (see
# docs/kernel-file.md), not warnings about the project's code.
set(PFV_KSHIM_FLAGS -Wno-error -Wno-pointer-arith -Wno-unused-parameter
    -Wno-missing-field-initializers -Wno-invalid-offsetof)

set(PFV_KERNEL_VARIANTS)  # "name;ns;api;twin;file" per tree, for the drivers

function(pfv_kshim_probe tree api out)
  set(probe ${CMAKE_BINARY_DIR}/kshim-probe/${api}.cpp)
  file(CONFIGURE OUTPUT ${probe} CONTENT
"#define KSHIM_NS kshim_probe
#define KSHIM_API ${api}
#define KSHIM_MODEL_RELACY 0
#include \"kshim/bridge.hpp\"
#include \"kshim/kshim.h\"
namespace KSHIM_NS {
#include \"${tree}/virt/kvm/pfncache.c\"
}
")
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only -w -I${PFV_ROOT}/kshim/include
            -I${PFV_ROOT} -I${PFV_GENERATED_DIR} ${probe}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(rc EQUAL 0)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

if(PFV_KERNEL_TREE STREQUAL "OFF")
  set(pfv_trees)
elseif(PFV_KERNEL_TREE STREQUAL "")
  # The complete trees only (scripts/setup renames a tree into place once
  # its extraction has finished; a *.tmp left by an interrupted one is not
  # a tree).
  file(GLOB pfv_found LIST_DIRECTORIES true ${PFV_ROOT}/build/kernel-trees/*)
  set(pfv_trees)
  foreach(t IN LISTS pfv_found)
    if(IS_DIRECTORY ${t} AND NOT t MATCHES "\\.tmp$" AND EXISTS ${t}/virt/kvm/pfncache.c)
      list(APPEND pfv_trees ${t})
    endif()
  endforeach()
else()
  set(pfv_trees ${PFV_KERNEL_TREE})
endif()

if(pfv_trees AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(STATUS "kshim: the kernel-file variants are built by g++ only "
                 "(clang++ rejects the file's void * arithmetic): skipped")
  set(pfv_trees)
endif()

set(pfv_kernel_names)
foreach(tree IN LISTS pfv_trees)
  # NAME=DIR names the variant (an @ in NAME stands for the tree's version:
  # pfncache-verify --patch names its copy kernel-@+patch).
  set(given_name "")
  if(tree MATCHES "^([^=/]+)=(.+)$")
    set(given_name ${CMAKE_MATCH_1})
    set(tree ${CMAKE_MATCH_2})
  endif()
  get_filename_component(tree ${tree} ABSOLUTE)
  set(file ${tree}/virt/kvm/pfncache.c)
  if(NOT EXISTS ${file} OR NOT EXISTS ${tree}/Makefile)
    message(FATAL_ERROR "kshim: ${tree} is not a kernel tree: "
                        "it needs virt/kvm/pfncache.c and the top-level Makefile")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(STRINGS ${tree}/Makefile mk REGEX "^(VERSION|PATCHLEVEL) = [0-9]+$")
  set(major "")
  set(minor "")
  if(mk MATCHES "VERSION = ([0-9]+)")
    set(major ${CMAKE_MATCH_1})
  endif()
  if(mk MATCHES "PATCHLEVEL = ([0-9]+)")
    set(minor ${CMAKE_MATCH_1})
  endif()
  if(major STREQUAL "" OR minor STREQUAL "")
    message(FATAL_ERROR "kshim: no VERSION and PATCHLEVEL in ${tree}/Makefile")
  endif()
  set(ver ${major}.${minor})
  set(name kernel-${ver})
  if(given_name)
    string(REPLACE "@" "${ver}" name "${given_name}")
  endif()
  # A second tree of the same version (a patched copy): its own name.
  set(n 2)
  while(name IN_LIST pfv_kernel_names)
    set(name kernel-${ver}.${n})
    math(EXPR n "${n} + 1")
  endwhile()
  list(APPEND pfv_kernel_names ${name})
  string(REGEX REPLACE "[^A-Za-z0-9]" "_" ns "kshim_${name}")

  set(api "")
  foreach(level 613 609 601)
    pfv_kshim_probe(${tree} ${level} ok)
    if(ok)
      set(api ${level})
      break()
    endif()
  endforeach()
  if(api STREQUAL "")
    message(FATAL_ERROR "kshim: ${file} compiles against none of the shim's API levels "
                        "(601: v5.17-v6.1, 609: v6.9-v6.12, 613: v6.13+); "
                        "see docs/kernel-file.md to add one")
  endif()

  # The twin: the impl/ variant that writes this code.
  # (A call, not a mention: kvm_gpc_activate_hva()'s access_ok(), v6.11+.)
  file(STRINGS ${file} has_access_ok REGEX "access_ok[ \t]*\\(")
  if(api STREQUAL "601")
    set(twin "nullptr")
  elseif(api STREQUAL "613" OR has_access_ok)
    set(twin "\"v6.18\"")
  else()
    set(twin "\"v6.9\"")
  endif()
  message(STATUS "kshim: ${name}: ${file} (API ${api}, twin ${twin})")
  list(APPEND PFV_KERNEL_VARIANTS "${name}|${ns}|${api}|${twin}|${file}")
endforeach()

# pfv_kshim_sources(OUT DRIVER): one generated translation unit per kernel
# tree (cmake/kshim_cells.cpp.in), registering the tree's KernelFile with
# DRIVER's cells: "relacy" (relacy_tests/cells.hpp, the gate) or "real"
# (tsan_tests/cells.hpp, real threads). Rows follow impl/'s, in tree order.
function(pfv_kshim_sources out driver)
  set(srcs)
  set(order 1000)
  foreach(kv IN LISTS PFV_KERNEL_VARIANTS)
    string(REPLACE "|" ";" kv "${kv}")
    list(GET kv 0 PFV_KSHIM_NAME)
    list(GET kv 1 PFV_KSHIM_NS)
    list(GET kv 2 PFV_KSHIM_API)
    list(GET kv 3 PFV_KSHIM_TWIN)
    list(GET kv 4 PFV_KSHIM_FILE)
    set(PFV_KSHIM_SUMMARY "the kernel's own ${PFV_KSHIM_FILE} (kshim API ${PFV_KSHIM_API})")
    if(driver STREQUAL "relacy")
      set(PFV_KSHIM_RELACY 1)
      set(PFV_KSHIM_DRIVER relacy_tests/cells.hpp)
      set(PFV_KSHIM_REGISTER "PFV_REGISTER_KERNEL_VARIANT(${PFV_KSHIM_NS}, ${order});")
      set(src ${PFV_GENERATED_DIR}/kcells_${PFV_KSHIM_NS}.cpp)
    else()
      set(PFV_KSHIM_RELACY 0)
      set(PFV_KSHIM_DRIVER tsan_tests/cells.hpp)
      set(PFV_KSHIM_REGISTER
          "static const ::pfv::real::CellRegistrar<${PFV_KSHIM_NS}::KernelFile> pfv_real_kcells(${order});")
      set(src ${PFV_GENERATED_DIR}/real_kcells_${PFV_KSHIM_NS}.cpp)
    endif()
    configure_file(${PFV_ROOT}/cmake/kshim_cells.cpp.in ${src} @ONLY)
    list(APPEND srcs ${src})
    math(EXPR order "${order} + 1")
  endforeach()
  set(${out} ${srcs} PARENT_SCOPE)
endfunction()
