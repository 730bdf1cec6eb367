// The PostgreSQL scan: the negotiation (filters, limits, ORDER BY + LIMIT, aggregations, joins of
// two tables of the source, batched key lookups and dynamic filters become one remote SELECT,
// every literal and identifier escaped through the shared SQL translator, remote_sql/), and its
// splits (ctid page ranges read under one exported snapshot, postgres_data_source.h).
#pragma once

#include <memory>
#include <string>

#include "catalog/connector.h"
#include "connectors/postgres/postgres_types.h"

namespace aishell {

class PgConnectionCache;

// A scan of `table` of the source `source` (scans of the same source and URL may join).
std::unique_ptr<TableScan> CreatePgScan(const void* source, std::string where, std::string url,
                                        std::shared_ptr<PgConnectionCache> cache,
                                        const TableInfo& table, const PgTableMeta& meta);

}  // namespace aishell
