// Ordering of rows by normalized sort keys (ASC/DESC, NULLS FIRST/LAST), for ORDER BY, Top-N
// and window partitions.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/key_table.h"
#include "expr/expression.h"

namespace aishell {

struct SortColumn {
  KeyColumn key;
  bool ascending = true;
  bool nulls_first = false;
};

// -1, 0, 1: row a against row b.
int CompareRows(const std::vector<SortColumn>& keys, size_t a, size_t b);

// The rows 0..n-1 in sorted order (ties keep input order); with limit >= 0 only the first
// `limit` rows are sorted and returned.
// Big inputs are sorted with up to `threads` threads.
std::vector<uint32_t> SortPermutation(const std::vector<SortColumn>& keys, size_t n,
                                      int64_t limit = -1, int threads = 1);

}  // namespace aishell
