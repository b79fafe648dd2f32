// relacy_tests/search/raw_alloc.hpp: containers that may be used while a
// Relacy simulation runs.
//
// Relacy replaces the global operator new: while its context exists, every
// `new` goes to its checked allocator, every block must be freed before the
// execution ends (or it reports a leak), and every free is a branch of the
// search. The schedulers and collectors below live across executions, so
// they allocate with malloc directly. Standard algorithms that take a
// temporary buffer (stable_sort, stable_partition, inplace_merge) must not
// run during a simulation: the buffer comes from Relacy's operator new and is
// returned to the C library.
#ifndef PFV_RELACY_TESTS_SEARCH_RAW_ALLOC_HPP
#define PFV_RELACY_TESTS_SEARCH_RAW_ALLOC_HPP

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <new>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pfv {

template <class T>
struct RawAlloc {
  using value_type = T;
  RawAlloc() = default;
  template <class U>
  RawAlloc(const RawAlloc<U>&) {}
  T* allocate(std::size_t n) {
    void* p = std::malloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  template <class U>
  bool operator==(const RawAlloc<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const RawAlloc<U>&) const {
    return false;
  }
};

template <class T>
using RawVector = std::vector<T, RawAlloc<T>>;

template <class K>
using RawSet = std::unordered_set<K, std::hash<K>, std::equal_to<K>, RawAlloc<K>>;

template <class K, class V>
using RawMap =
    std::unordered_map<K, V, std::hash<K>, std::equal_to<K>, RawAlloc<std::pair<const K, V>>>;

}  // namespace pfv

#endif  // PFV_RELACY_TESTS_SEARCH_RAW_ALLOC_HPP
