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

}  // namespace aishell
