// PostgreSQL types and the engine's: how a column of a remote table is read (MapPgType), what a
// created table's columns become (PgTypeFor), and the metadata a scan keeps per table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"

namespace aishell {

// How a PostgreSQL column type maps to an engine type, and the SQL that reads it.
struct PgTypeMapping {
  LogicalType type;
  std::string cast;     // appended to the column in the remote SELECT, e.g. "::text"; may be empty
  std::string comment;  // set when the type is read as text or approximated
};
PgTypeMapping MapPgType(uint32_t type_oid, int32_t typmod, const std::string& type_name);

// The column type of CREATE TABLE for an engine type ("text" for those PostgreSQL has no match of).
std::string PgTypeFor(const LogicalType& type);

// Table metadata a scan needs beyond TableInfo.
struct PgTableMeta {
  std::string remote_schema;
  std::string remote_name;
  std::vector<std::string> casts;  // per column: appended to the quoted column name when read
  char relkind = 'r';
  double relpages = 0;
};

// "schema"."table", quoted.
std::string PgQualified(const PgTableMeta& table);

}  // namespace aishell
