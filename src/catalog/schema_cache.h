// Last-known table descriptions, kept so that a query can still be planned while a source is
// down: under federation.on_source_failure = continue, a table whose source fails while it is
// described is bound from its remembered columns and scanned by an UnavailableScan, and the
// executor turns the optional branch that reads it (the inner side of an outer join, a UNION ALL
// branch) into empty input with a warning. The engine keeps them in $AISHELL_HOME.
#pragma once

#include <memory>
#include <string>

#include "catalog/connector.h"

namespace aishell {

class SchemaCache {
 public:
  virtual ~SchemaCache() = default;
  // Records a table as its source described it (columns only: statistics go stale).
  virtual void Remember(const std::string& catalog, const std::string& connector_type,
                        const std::string& default_schema, const TableInfo& table) = 0;
  // The remembered table, or null. An empty `schema` means the catalog's default schema.
  virtual std::shared_ptr<const TableInfo> Recall(const std::string& catalog,
                                                  const std::string& schema,
                                                  const std::string& table) const = 0;
  // The connector type remembered for a catalog ("postgres"), or "".
  virtual std::string ConnectorType(const std::string& catalog) const = 0;
};

// The scan of a table whose source failed while the query was planned. It keeps the error and
// raises it (Error(kConnector), the source's message) when read; EXPLAIN shows it.
std::unique_ptr<TableScan> MakeUnavailableScan(const std::string& catalog,
                                               const std::string& error);

}  // namespace aishell
