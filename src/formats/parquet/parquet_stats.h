// Row-group skipping: simple comparisons pushed to a Parquet scan are checked against the
// min/max statistics of each row group's column chunk.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/value.h"
#include "expr/expression.h"
#include "formats/parquet/parquet_metadata.h"

namespace aishell::parquet {

struct StatsRange {
  bool all_null = false;  // every value is NULL: no comparison matches
  Value min, max;
};

// The [min, max] range of a chunk as engine values of `type`, or nullopt when the statistics
// are missing or cannot be trusted. `raw` says the column's values are the physical values
// (no unit conversion), which is the only case where statistics are used.
std::optional<StatsRange> StatisticsRange(const Statistics& stats, PhysicalType physical,
                                          const LogicalType& type, bool raw, int64_t num_rows);

// `column <op> constant` (or the flipped form) with op one of = < <= > >=.
struct RowGroupFilter {
  int column = -1;
  CompareOp op = CompareOp::kEq;
  Value constant;

  static std::optional<RowGroupFilter> FromExpr(const Expr& expr, size_t column_count);
  // False only if no row of a chunk with this range can satisfy the comparison.
  bool MayMatch(const StatsRange& range) const;
  std::string ToString(const std::vector<ColumnInfo>& columns) const;
};

}  // namespace aishell::parquet
