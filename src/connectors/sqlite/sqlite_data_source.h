// Reading a SQLite scan: its queries run one after another on a read-only connection of their own,
// their rows converted to the columns' engine types (SQLite does not enforce declared types: a
// value that does not fit is an error naming the table, column and row).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

// One query of a scan and its bound parameters.
struct SqliteQuery {
  std::string sql;
  std::vector<Value> params;
  bool case_sensitive_like = false;
};

// Runs `queries` (several for batched key lookups) against the database at `path` and streams their
// rows: the `projection` columns of `table`. Opens the database at once.
std::unique_ptr<DataSource> CreateSqliteDataSource(std::string where, const std::string& path,
                                                   std::shared_ptr<const TableInfo> table,
                                                   std::vector<int> projection,
                                                   std::vector<SqliteQuery> queries,
                                                   ScanCounters* counters);

}  // namespace aishell
