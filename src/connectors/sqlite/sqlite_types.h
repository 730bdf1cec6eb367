// SQLite's declared column types and the engine's: how a column is read (SqliteDeclaredType), what
// a created table's columns are declared as (SqliteTypeFor), and which columns compare in SQLite as
// in the engine.
#pragma once

#include <string>

#include "catalog/connector.h"

namespace aishell {

// Maps a declared SQLite column type to an engine type (INTEGER -> BIGINT, REAL -> DOUBLE, ...).
// `comment` receives a note when the mapping is lossy or a guess.
LogicalType SqliteDeclaredType(const std::string& declared, std::string* comment);

// The declared type of CREATE TABLE for an engine type.
std::string SqliteTypeFor(const LogicalType& type);

// Whether comparisons in SQLite agree with the engine's for this column (see PushFilter). A VARCHAR
// read from a column without TEXT affinity (no declared type, BLOB, ...) may hold numbers that
// SQLite compares as numbers: such columns carry a comment and are not compared remotely.
bool SqliteComparableColumn(const ColumnInfo& c);

}  // namespace aishell
