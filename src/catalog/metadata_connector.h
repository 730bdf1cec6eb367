// Metadata as tables, as Trino's clients read it: `<catalog>.information_schema.*` (schemata,
// tables, columns) for every catalog, and the `system` catalog's `jdbc` schema (catalogs,
// schemas, tables, table_types, columns, types and the empty tables the JDBC driver's
// DatabaseMetaData reads). Rows are listed from the registry's connectors when a scan is read;
// equality and wildcard-free LIKE filters on the catalog, schema and table columns narrow what is
// listed (the engine still applies every filter).
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog_registry.h"
#include "catalog/connector.h"

namespace aishell {

// The information_schema of one catalog of `registry` (which must outlive it): a connector whose
// only schema is "information_schema".
std::shared_ptr<Connector> MakeInformationSchemaConnector(CatalogRegistry* registry,
                                                          const std::string& catalog);

// The `system` catalog: schemas "jdbc" and "information_schema" over every catalog of `registry`
// (which must outlive it; registering it there is fine).
std::shared_ptr<Connector> MakeSystemConnector(CatalogRegistry* registry);

// The name of the schema every catalog answers for (Trino's).
inline constexpr const char* kInformationSchema = "information_schema";

// java.sql.Types code of a type, as system.jdbc.columns reports it (VARCHAR 12, BIGINT -5, ...).
int JdbcTypeCode(const LogicalType& type);

}  // namespace aishell
