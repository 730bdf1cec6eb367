// The SQLite scan: the negotiation (filters, limits, ORDER BY + LIMIT, joins of two tables of the
// database file, batched key lookups become one SELECT, every literal bound as a parameter through
// the shared SQL translator, remote_sql/), and its splits (rowid ranges of large tables).
#pragma once

#include <memory>
#include <string>

#include "catalog/connector.h"

namespace aishell {

// A scan of `table` (`remote_name` in the file) of the source `source` (scans of the same source
// and file may join). `rowid_name`: a name that reaches the rowid of this table ("" for views and
// WITHOUT ROWID tables).
std::unique_ptr<TableScan> CreateSqliteScan(const void* source, std::string where, std::string path,
                                            std::shared_ptr<const TableInfo> table,
                                            std::string remote_name, std::string rowid_name);

}  // namespace aishell
