// Writes to SQLite: one BEGIN IMMEDIATE transaction ([CREATE TABLE], prepared INSERTs), committed
// on Commit and rolled back otherwise, so that a table is written all or nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

// A writer into `table` of the database at `path`; `create`: CREATE TABLE it first (same
// transaction).
std::unique_ptr<TableWriter> CreateSqliteTableWriter(std::string where, const std::string& path,
                                                     std::string table,
                                                     std::vector<ColumnInfo> columns, bool create);

// An upsert into `table` (Connector::UpsertInto) in one transaction: per row, a lookup by the key
// columns, then DELETE + INSERT (source wins), nothing (target wins) or an error naming the key.
std::unique_ptr<TableWriter> CreateSqliteUpsertWriter(std::string where, const std::string& path,
                                                      std::string table,
                                                      std::vector<ColumnInfo> columns,
                                                      std::vector<int> key_columns,
                                                      UpsertConflict conflict);

}  // namespace aishell
