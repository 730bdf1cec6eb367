// Row-group skipping: the per-column domains of the filters pushed to a Parquet scan
// (catalog/predicate_domain.h) are checked against the min/max statistics and null counts of
// each row group's column chunk (and of each page, with the page index).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "catalog/predicate_domain.h"
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

// The values a row of `column` must have to pass the pushed filters.
struct RowGroupFilter {
  int column = -1;
  Domain domain;

  RowGroupFilter() = default;
  RowGroupFilter(int column, Domain domain) : column(column), domain(std::move(domain)) {}
  // `column <op> constant`, op one of = <> < <= > >=.
  RowGroupFilter(int column, CompareOp op, const Value& constant);

  // The filter of a column of type `type`, or nullopt when its statistics are not used or the
  // domain's values are of another type.
  static std::optional<RowGroupFilter> ForColumn(int column, const LogicalType& type,
                                                 const Domain& domain);
  // One filter per constrained column of `domain` whose type statistics support (the domain's
  // values must be of the column's type); columns of other types are left out.
  static std::vector<RowGroupFilter> FromDomain(const TupleDomain& domain,
                                                const std::vector<ColumnInfo>& columns);
  // False only if no row of a chunk with this range can pass.
  bool MayMatch(const StatsRange& range) const;
  std::string ToString(const std::vector<ColumnInfo>& columns) const;
};

}  // namespace aishell::parquet
