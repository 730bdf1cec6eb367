// Writes query results for programs: CSV (RFC 4180), JSON (an array of objects), JSON Lines and
// Parquet files, whole or batch by batch as a result streams. The command line's box table for
// people is shell/box_table.h; the command line, `export last` and embedders use these writers.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_text.h"  // JsonString, used by the writers here
#include "common/query_types.h"
#include "common/vector.h"

namespace aishell {

enum class OutputFormat : uint8_t { kTable, kCsv, kJson, kJsonl };

// "table", "csv", "json", "jsonl" (case-insensitive), or nullopt.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);
const char* OutputFormatName(OutputFormat format);

// The display text of one cell: "NULL" for null, numbers and dates as Value::ToString does.
std::string CellText(const Vector& vector, size_t row);
// CSV with a header line; fields are quoted when they hold a comma, quote, CR or LF, or
// leading/trailing spaces; NULL is an empty field and the empty string is "". Lines end in "\n".
void WriteCsv(std::ostream& out, const std::vector<OutputColumn>& columns,
              const std::vector<Batch>& batches);
// The rows only, no header.
void WriteCsvRows(std::ostream& out, const std::vector<OutputColumn>& columns,
                  const std::vector<Batch>& batches);
// Rows as JSON objects, each after "\n  " / ",\n  " (array) or followed by "\n" (lines);
// counts them in rows_written.
void WriteJsonRows(std::ostream& out, const std::vector<OutputColumn>& columns,
                   const std::vector<Batch>& batches, bool array, size_t& rows_written);
// [{"col": value, ...}, ...] with one object per line; "[]" when empty.
void WriteJson(std::ostream& out, const std::vector<OutputColumn>& columns,
               const std::vector<Batch>& batches);
// One object per line.
void WriteJsonl(std::ostream& out, const std::vector<OutputColumn>& columns,
                const std::vector<Batch>& batches);
// Writes a result batch by batch as it streams, in csv, json or jsonl (the same text as
// WriteResult); the header (or "[") comes with the first batch, so an error before any row
// leaves nothing written. Call Finish at the end.
class ResultWriter {
 public:
  ResultWriter(std::ostream& out, OutputFormat format, std::vector<OutputColumn> columns);
  void Write(const Batch& batch);
  void Finish();

 private:
  std::ostream& out_;
  OutputFormat format_;
  std::vector<OutputColumn> columns_;
  std::vector<Batch> batch_;
  bool started_ = false;
  size_t rows_ = 0;
};

// Whether `name` is "parquet" (case-insensitive). Parquet is a file-only format: it is not an
// OutputFormat because it cannot go to a stream; callers write it with WriteParquetFile.
bool IsParquetFormatName(std::string_view name);
// Writes the result to a Parquet file at `path` (SNAPPY, via formats/parquet): a temporary file
// beside `path` is renamed over it only when everything was written, so a failure leaves no
// partial file. Throws Error(kIo) when the file cannot be written and Error(kUnsupported) for a
// column type Parquet output lacks (INTERVAL).
void WriteParquetFile(const std::string& path, const std::vector<OutputColumn>& columns,
                      const std::vector<Batch>& batches);

// Helpers, exposed for tests.
std::string CsvField(std::string_view text);
// A JSON value for one cell: numbers as numbers (decimals exact), booleans, null, dates and
// timestamps as ISO-8601 strings, everything else as strings.
std::string JsonCell(const Vector& vector, size_t row);

}  // namespace aishell
