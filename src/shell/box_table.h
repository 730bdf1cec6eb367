// The command line's results for people: a Unicode box table sized to the terminal, and
// WriteResult, which prints a result in any output format (the box table, or a writer from
// engine/result_format.h).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/query_types.h"
#include "common/vector.h"
#include "engine/result_format.h"

namespace aishell {

struct TableFormatOptions {
  size_t max_width = 0;     // terminal columns; 0: no limit
  int64_t max_rows = 1000;  // rows shown; the rest are summarized in a footer line
  bool wrap = false;        // cells wider than their column continue on more lines (else "…")
};

// A DOUBLE as a table shows it: the fewest significant digits (at most 15) whose text reads back
// within 1e-13 (relative) of the value, so a sum of money shows as 30618765.37 rather than
// 30618765.36999964 and 0.1 + 0.2 as 0.3. CSV and JSON keep the shortest exact text.
std::string ReadableDouble(double value);

// Whether a column of this type is right-aligned in a table.
bool IsRightAligned(const LogicalType& type);
// Columns occupied on a terminal by UTF-8 text (wide CJK and emoji count 2).
size_t DisplayWidth(std::string_view text);

// The box table:
//   ┌────┬───────┐
//   │ id │ name  │
//   ├────┼───────┤
//   │  1 │ alice │
//   └────┴───────┘
// followed, when rows were cut, by "(showing the first N of M rows)".
std::string FormatBoxTable(const std::vector<OutputColumn>& columns,
                           const std::vector<Batch>& batches,
                           const TableFormatOptions& options = {});

// FormatBoxTable in two parts, for a result that streams: the table of the first
// options.max_rows rows of `batches` (sets *visible_columns), printed once those rows are known,
// and the footer lines, printed at the end when the total is known.
std::string FormatBoxTableBody(const std::vector<OutputColumn>& columns,
                               const std::vector<Batch>& batches, const TableFormatOptions& options,
                               size_t* visible_columns);
std::string FormatBoxTableFooter(size_t columns, size_t visible_columns, int64_t shown_rows,
                                 int64_t total_rows);

void WriteResult(std::ostream& out, OutputFormat format, const std::vector<OutputColumn>& columns,
                 const std::vector<Batch>& batches, const TableFormatOptions& options = {});

}  // namespace aishell
