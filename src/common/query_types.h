// Plain types that describe a query's result and progress, shared by the planner (output
// columns), the executor (progress) and the engine's public API without including either.
#pragma once

#include <cstdint>
#include <string>

#include "common/types.h"

namespace aishell {

// A result column: its name and type.
struct OutputColumn {
  std::string name;
  LogicalType type;
};

// Rows read so far by one scan of a running query.
struct SourceProgress {
  std::string source;  // catalog name or table function, e.g. "users-db" or "read_csv"
  std::string table;
  int64_t rows_read = 0;
  int64_t bytes_read = 0;
  // For per-step progress lines: the planner's estimate of the rows this step reads (-1:
  // unknown), whether it is finished, and "scan" or "lookup" (rows fetched by key batches).
  double estimated_rows = -1;
  bool done = false;
  std::string kind = "scan";
};

}  // namespace aishell
