// The tail every row-producing DataSource::Next shares: hand the filled batch out and count it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "catalog/connector.h"
#include "common/vector.h"

namespace aishell {

// `batch` holds `rows` filled rows: sets its count, adds the rows to `counters.rows_read` and
// moves it into `out`, returning true. With rows == 0 (the source is at its end) it returns false
// and leaves `out` and the counters alone. A Next ends with `return EmitBatch(...)`.
inline bool EmitBatch(Batch& batch, size_t rows, ScanCounters& counters, Batch& out) {
  if (rows == 0) return false;
  batch.SetCount(rows);
  counters.rows_read += static_cast<int64_t>(rows);
  out = std::move(batch);
  return true;
}

}  // namespace aishell
