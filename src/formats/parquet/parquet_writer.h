// Parquet writing: one file from batches. Every column is OPTIONAL (ARRAY as a standard 3-level
// LIST, MAP as a MAP of a repeated key_value group with a REQUIRED key, ROW as a group); values are
// PLAIN or dictionary encoded (RLE_DICTIONARY), pages are compressed (SNAPPY by default, or ZSTD,
// GZIP, UNCOMPRESSED), column chunks carry min/max/null-count statistics, and row groups hold at
// most `row_group_rows` rows.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "formats/file_format.h"
#include "formats/parquet/parquet_metadata.h"

namespace aishell {

struct ParquetWriteOptions {
  parquet::Codec codec = parquet::Codec::kSnappy;
  int64_t row_group_rows = 122880;
  int64_t page_rows = 8192;
  bool dictionary = true;
  // Parquet field ids of the top-level columns (one per column, in order; empty: none), as
  // Iceberg writers set them.
  std::vector<int> field_ids;

  // Options: compression ('snappy', 'zstd', 'gzip', 'uncompressed'), row_group_size (rows),
  // dictionary (boolean). Throws Error(kBinder) naming `fn` on a bad value.
  static ParquetWriteOptions Parse(const FileOptions& options, const std::string& fn);
};

class ParquetWriter {
 public:
  // Creates (truncates) `path`. Throws Error(kUnsupported) for a column type Parquet output
  // does not support (INTERVAL) and Error(kIo) when the file cannot be created.
  ParquetWriter(std::string path, std::vector<ColumnInfo> columns,
                ParquetWriteOptions options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // Appends the rows of `batch` (columns in `columns` order, any vector form).
  void Append(const Batch& batch);
  // Writes the last row group and the footer, and closes the file.
  void Finish();

  int64_t rows_written() const { return total_rows_; }

 private:
  struct ColumnBuffer;
  struct Node;
  static void AppendValue(ColumnBuffer& b, const UnifiedView& view, const LogicalType& type,
                          size_t i);
  void BuildNode(Node* node, const LogicalType& type, const std::string& name, bool optional,
                 uint32_t parent_def, uint32_t rep, const std::vector<std::string>& path);
  void AppendNested(const Node& node, const Vector& vector, const UnifiedView& view, size_t i,
                    uint32_t rep, uint32_t parent_def);
  void AppendAbsent(const Node& node, uint32_t rep, uint32_t def);
  void FlushRowGroup();
  void Write(const std::string& bytes);

  std::string path_;
  std::vector<ColumnInfo> columns_;
  ParquetWriteOptions options_;
  std::FILE* file_ = nullptr;
  int64_t offset_ = 0;
  int64_t total_rows_ = 0;
  int64_t group_rows_ = 0;
  std::vector<std::unique_ptr<ColumnBuffer>> buffers_;  // one per leaf column
  std::vector<Node> roots_;                             // the schema tree of each column
  std::string row_groups_;                              // encoded RowGroup structs
  int row_group_count_ = 0;
  bool finished_ = false;
};

// A TableWriter (catalog/connector.h) over ParquetWriter: writes to a temporary file beside
// `path` and renames it over `path` on Commit; Abort (or destruction without Commit) removes it.
// For the file catalog's CREATE TABLE AS and `aishell query ... --format parquet --output FILE`.
std::unique_ptr<TableWriter> CreateParquetTableWriter(const std::string& path,
                                                      const std::vector<ColumnInfo>& columns,
                                                      const ParquetWriteOptions& options = {});

}  // namespace aishell
