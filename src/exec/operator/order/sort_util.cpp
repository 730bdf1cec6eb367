#include "exec/operator/order/sort_util.h"

#include <algorithm>
#include <numeric>

namespace aishell {

int CompareRows(const std::vector<SortColumn>& keys, size_t a, size_t b) {
  for (const auto& k : keys) {
    bool na = k.key.nulls[a], nb = k.key.nulls[b];
    if (na || nb) {
      if (na && nb) continue;
      // NULL placement does not depend on the direction.
      return na ? (k.nulls_first ? -1 : 1) : (k.nulls_first ? 1 : -1);
    }
    int c = k.key.Compare(a, k.key, b);
    if (c != 0) return k.ascending ? c : -c;
  }
  return 0;
}

std::vector<uint32_t> SortPermutation(const std::vector<SortColumn>& keys, size_t n, int64_t limit) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  auto less = [&](uint32_t a, uint32_t b) {
    int c = CompareRows(keys, a, b);
    return c != 0 ? c < 0 : a < b;
  };
  // Fast path: one non-null integer key.
  if (keys.size() == 1 && keys[0].key.key_class == KeyClass::kInt && !keys[0].key.has_nulls) {
    const int64_t* v = keys[0].key.ints.data();
    bool asc = keys[0].ascending;
    auto less_int = [&](uint32_t a, uint32_t b) {
      if (v[a] != v[b]) return asc ? v[a] < v[b] : v[a] > v[b];
      return a < b;
    };
    if (limit >= 0 && static_cast<size_t>(limit) < n) {
      std::partial_sort(perm.begin(), perm.begin() + limit, perm.end(), less_int);
      perm.resize(limit);
    } else {
      std::sort(perm.begin(), perm.end(), less_int);
    }
    return perm;
  }
  if (limit >= 0 && static_cast<size_t>(limit) < n) {
    std::partial_sort(perm.begin(), perm.begin() + limit, perm.end(), less);
    perm.resize(limit);
  } else {
    std::sort(perm.begin(), perm.end(), less);
  }
  return perm;
}

}  // namespace aishell
