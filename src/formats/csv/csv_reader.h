// CSV reading: a tokenizer over a memory-mapped file, a sniffer (delimiter, header, column
// types by sampling), and the scan that parses byte-range splits straight into typed vectors.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/connector.h"
#include "formats/file_format.h"

namespace aishell {

struct CsvReadOptions {
  std::optional<bool> header;  // unset: detect (header unless the first row fits the column types)
  char delimiter = 0;          // 0: detect among , ; tab |
  char quote = '"';
  std::string null_string;  // an unquoted field equal to this is NULL (besides the empty field)
  std::vector<std::string> names;                                // column name overrides
  std::vector<std::pair<std::string, LogicalType>> named_types;  // type overrides by name
  std::vector<LogicalType> positional_types;                     // type overrides by position
  int64_t sample_rows = 20480;

  // Options: header, delim (or sep/delimiter), quote, nullstr, columns, types, sample_size.
  static CsvReadOptions Parse(const FileOptions& options, const std::string& fn);

  // Sets the types of `columns` from the type overrides (by position, then by name, case
  // insensitively). Throws Error(kBinder, "<fn>: option 'types' lists N types but " +
  // count_mismatch() ) when the positional types do not match the columns, and
  // Error(kBinder, "<fn>: option 'types' " + unknown_name(name)) for a name no column has.
  void ApplyTypes(std::vector<ColumnInfo>& columns, const std::string& fn,
                  const std::function<std::string()>& count_mismatch,
                  const std::function<std::string(const std::string&)>& unknown_name) const;
};

struct CsvField {
  const char* data;
  uint32_t size;
  bool quoted;
  bool escaped;  // contains doubled quotes that must be unescaped
};

enum class CsvStatus : uint8_t { kRow, kEnd, kUnterminatedQuote, kBadQuote };

// Splits rows into fields. Blank lines are skipped. Handles quotes with "" escapes, quoted
// newlines, \n and \r\n line ends.
class CsvTokenizer {
 public:
  CsvTokenizer(const char* data, size_t size, char delimiter, char quote);
  // Reads the row starting at or after `pos` into fields(); `row_start` is where it begins.
  // On kBadQuote/kUnterminatedQuote, `pos` is the offset of the problem.
  CsvStatus Next(size_t& pos, size_t& row_start);
  const std::vector<CsvField>& fields() const { return fields_; }

 private:
  const char* data_;
  size_t size_;
  char delimiter_;
  char quote_;
  // The first delimiter, \n or \r at or after p (or size), from a cached 64-byte block bitmask.
  size_t NextSpecial(size_t p);
  uint64_t BlockMask(size_t base) const;

  bool special_[256];
  std::vector<CsvField> fields_;
  size_t block_base_ = SIZE_MAX;
  uint64_t block_mask_ = 0;
};

// Unescapes doubled quotes of a quoted field into `out` (returns bytes written).
size_t CsvUnescape(const CsvField& field, char quote, char* out);
// 1-based line number of byte `offset` (counts '\n' before it).
int64_t CsvLineAt(const char* data, size_t offset);

struct CsvSchema {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  std::string null_string;
  std::vector<ColumnInfo> columns;
  bool quoted_newlines = false;  // seen in the sample
  bool stray_quotes = false;     // a quote inside an unquoted field: quote parity cannot find rows
  bool has_newline = true;       // the sample has '\n' line ends
  double avg_row_bytes = 0;
  int64_t sampled_data_rows = 0;  // data rows in the sample (all of them if sample_was_whole_file)
  int64_t sample_rows_limit = 0;
  bool sample_was_whole_file = false;
};

// Detects the dialect and infers the columns of one file's contents.
CsvSchema SniffCsv(const char* data, size_t size, const std::string& path,
                   const CsvReadOptions& options, const std::string& fn);

class CsvFormat : public FileFormat {
 public:
  std::string Name() const override { return "csv"; }
  std::shared_ptr<FileTable> Open(const std::string& function_name,
                                  const std::vector<std::string>& files, const FileOptions& options,
                                  const std::string& schema,
                                  const std::string& table_name) override;
  bool CanWrite() const override { return true; }
  std::string FileHeader(const std::vector<ColumnInfo>& columns) const override;
  void AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                  std::string* out) const override;

  explicit CsvFormat(char write_delimiter = ',') : write_delimiter_(write_delimiter) {}

 private:
  char write_delimiter_;
};

}  // namespace aishell
