// Writes to PostgreSQL: BEGIN; [CREATE TABLE]; COPY ... FROM STDIN (text); COMMIT on Commit, else
// ROLLBACK, so that a table is written all or nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

// A writer into `qualified` ("schema"."table") with `columns`; `create_ddl`, when not empty, runs
// first in the same transaction.
std::unique_ptr<TableWriter> CreatePgTableWriter(std::string where, std::string url,
                                                 std::string qualified,
                                                 std::vector<ColumnInfo> columns,
                                                 std::string create_ddl);

// An upsert into `qualified` (Connector::UpsertInto) in one transaction: COPY into a temporary
// table, then (kError) a check that no key is already there, DELETE the rows whose keys come
// again (kSourceWins), and INSERT the staged rows whose keys are not there.
std::unique_ptr<TableWriter> CreatePgUpsertWriter(std::string where, std::string url,
                                                  std::string qualified,
                                                  std::vector<ColumnInfo> columns,
                                                  const std::vector<int>& key_columns,
                                                  UpsertConflict conflict);

}  // namespace aishell
