// What every file-format scan negotiates the same way: the projection, a pushed limit shared as
// one row budget by all of the scan's data sources, row estimates, and the start of Describe();
// and what every format's Open() builds the same way: the TableInfo, the row estimate from a
// sample, and the FileTable over the format's shared state.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/exception.h"
#include "formats/file_format.h"

namespace aishell {

// Throws Error(kIo, "<fn>: no files to read") when `files` is empty (what every Open() checks
// first).
void RequireFiles(const std::vector<std::string>& files, const std::string& fn);

// The TableInfo of `files` read as one table: location "first" or "first (+N more)".
std::shared_ptr<TableInfo> MakeFileTableInfo(const std::vector<std::string>& files,
                                             const std::string& schema,
                                             const std::string& table_name,
                                             std::vector<ColumnInfo> columns,
                                             std::optional<double> row_count);

// The row count of `files` from a sample of the first: `sampled_rows` when that single file was
// sampled whole, else the files' total size over `avg_row_bytes` (0 without a row size).
double EstimateFileRows(const std::vector<std::string>& files, bool sample_was_whole_file,
                        int64_t sampled_rows, double avg_row_bytes);

// The FileTable of a format whose scans share one immutable `State` (with a member
// `std::shared_ptr<TableInfo> info`); `Scan` is constructed from that state.
template <class Scan, class State>
class SharedStateFileTable : public FileTable {
 public:
  explicit SharedStateFileTable(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const TableInfo> info() const override { return state_->info; }
  std::unique_ptr<TableScan> CreateScan() override { return std::make_unique<Scan>(state_); }

 private:
  std::shared_ptr<const State> state_;
};

// Takes `rows` rows from a pushed limit's shared row budget. Returns false (and sets `done`) when
// the budget is already used up; otherwise lowers `rows` to what is left of the budget, setting
// `done` when that cuts it.
bool TakeFromRowBudget(std::atomic<int64_t>& budget, size_t& rows, bool& done);

// A byte range [begin, end) of one file; `end` SIZE_MAX: to the end of the file.
struct ByteRangeSplit : Split {
  std::string path;
  size_t begin = 0;
  size_t end = SIZE_MAX;
  std::string Describe() const override;
};

class FileScan : public TableScan {
 public:
  // `function_name` names the reader in messages ("read_csv"); `info` lists the file's columns.
  FileScan(std::string function_name, std::vector<std::string> files,
           std::shared_ptr<const TableInfo> info);

  void SetProjection(const std::vector<int>& column_ids) override;
  bool PushLimit(int64_t limit) override;
  double EstimatedRows() const override;

  // Lowers the smallest byte range below kMinByteRange so that small files split too (tests and
  // fuzz targets only; process-wide).
  static void SetMinByteRangeForTesting(size_t bytes);

 protected:
  // "read_csv /path/a.csv" or "read_csv /path/a.csv (+3 more files)".
  std::string DescribeFiles() const;
  // " columns=[a, b]" and, with a pushed limit, " limit=N".
  std::string DescribeProjectionAndLimit() const;
  std::string DescribeProjection() const;  // " columns=[a, b]"
  std::string DescribeLimit() const;       // " limit=N" with a pushed limit, else ""
  // The split as the format's own split type; throws Error(kInternal, "<fn>: foreign split").
  template <class S>
  std::shared_ptr<S> SplitAs(const std::shared_ptr<Split>& split) const {
    auto s = std::dynamic_pointer_cast<S>(split);
    if (!s) throw Error(ErrorKind::kInternal, function_name_ + ": foreign split");
    return s;
  }
  // The size of the byte ranges a file of `file_size` bytes splits into (8-64 MB), for
  // `max_parallelism` workers; files under 2 * kMinByteRange stay whole.
  static constexpr size_t kMinByteRange = 8u << 20;
  // The smallest range in use: kMinByteRange, unless a test or fuzz target lowered it.
  static size_t MinByteRange();
  static size_t ByteRangeSize(size_t file_size, int max_parallelism);
  // The size of `path` in bytes, 0 if missing.
  static size_t FileSizeOf(const std::string& path);
  // The row budget shared by every data source of this scan; null when no limit was pushed.
  std::shared_ptr<std::atomic<int64_t>> RowBudget();

  const std::string& function_name() const { return function_name_; }
  const std::vector<int>& projection() const { return projection_; }
  int64_t limit() const { return limit_; }

 private:
  std::string function_name_;
  std::vector<std::string> files_;
  std::shared_ptr<const TableInfo> info_;
  std::vector<int> projection_;
  int64_t limit_ = -1;
  std::mutex mutex_;
  std::shared_ptr<std::atomic<int64_t>> remaining_;
};

}  // namespace aishell
