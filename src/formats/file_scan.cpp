#include "formats/file_scan.h"

#include <algorithm>
#include <atomic>

#include "common/exception.h"

namespace aishell {

void RequireFiles(const std::vector<std::string>& files, const std::string& fn) {
  if (files.empty()) throw Error(ErrorKind::kIo, fn + ": no files to read");
}

std::shared_ptr<TableInfo> MakeFileTableInfo(const std::vector<std::string>& files,
                                             const std::string& schema,
                                             const std::string& table_name,
                                             std::vector<ColumnInfo> columns,
                                             std::optional<double> row_count) {
  auto info = std::make_shared<TableInfo>();
  info->schema = schema;
  info->name = table_name;
  info->columns = std::move(columns);
  info->location =
      files.size() == 1 ? files[0] : files[0] + " (+" + std::to_string(files.size() - 1) + " more)";
  info->stats.row_count = row_count;
  return info;
}

double EstimateFileRows(const std::vector<std::string>& files, bool sample_was_whole_file,
                        int64_t sampled_rows, double avg_row_bytes) {
  if (files.size() == 1 && sample_was_whole_file) return static_cast<double>(sampled_rows);
  if (avg_row_bytes <= 0) return 0;
  double total_bytes = 0;
  for (const auto& f : files)
    total_bytes += static_cast<double>(std::max<int64_t>(StatFile(f).size, 0));
  return std::max(0.0, total_bytes / avg_row_bytes);
}

bool TakeFromRowBudget(std::atomic<int64_t>& budget, size_t& rows, bool& done) {
  int64_t before = budget.fetch_sub(static_cast<int64_t>(rows));
  if (before <= 0) {
    done = true;
    return false;
  }
  if (before < static_cast<int64_t>(rows)) {
    rows = static_cast<size_t>(before);
    done = true;
  }
  return true;
}

std::string ByteRangeSplit::Describe() const {
  if (begin == 0 && end == SIZE_MAX) return path;
  return path + " [" + std::to_string(begin) + ", " +
         (end == SIZE_MAX ? std::string("end") : std::to_string(end)) + ")";
}

FileScan::FileScan(std::string function_name, std::vector<std::string> files,
                   std::shared_ptr<const TableInfo> info)
    : function_name_(std::move(function_name)), files_(std::move(files)), info_(std::move(info)) {
  for (size_t i = 0; i < info_->columns.size(); i++) projection_.push_back(static_cast<int>(i));
}

void FileScan::SetProjection(const std::vector<int>& column_ids) {
  for (int c : column_ids) {
    if (c < 0 || c >= static_cast<int>(info_->columns.size())) {
      throw Error(ErrorKind::kInternal,
                  function_name_ + ": projection column " + std::to_string(c) + " out of range");
    }
  }
  projection_ = column_ids;
}

bool FileScan::PushLimit(int64_t limit) {
  if (limit < 0) return false;
  if (limit_ < 0 || limit < limit_) limit_ = limit;
  return true;
}

double FileScan::EstimatedRows() const {
  double rows = info_->stats.row_count.value_or(-1);
  if (limit_ >= 0 && (rows < 0 || rows > limit_)) rows = static_cast<double>(limit_);
  return rows;
}

std::string FileScan::DescribeFiles() const {
  std::string s = function_name_ + " ";
  if (files_.empty()) return s;
  s += files_.size() == 1 ? files_[0]
                          : files_[0] + " (+" + std::to_string(files_.size() - 1) + " more files)";
  return s;
}

std::string FileScan::DescribeProjectionAndLimit() const {
  return DescribeProjection() + DescribeLimit();
}

std::string FileScan::DescribeProjection() const {
  std::string s = " columns=[";
  for (size_t i = 0; i < projection_.size(); i++) {
    s += (i ? ", " : "") + info_->columns[projection_[i]].name;
  }
  return s + "]";
}

std::string FileScan::DescribeLimit() const {
  return limit_ >= 0 ? " limit=" + std::to_string(limit_) : std::string();
}

namespace {
std::atomic<size_t> min_byte_range{size_t{8} << 20};  // FileScan::kMinByteRange
}  // namespace

size_t FileScan::MinByteRange() { return min_byte_range.load(std::memory_order_relaxed); }

void FileScan::SetMinByteRangeForTesting(size_t bytes) {
  min_byte_range = std::max<size_t>(bytes, 1);
}

size_t FileScan::ByteRangeSize(size_t file_size, int max_parallelism) {
  return std::clamp<size_t>(file_size / (static_cast<size_t>(std::max(max_parallelism, 1)) * 3),
                            MinByteRange(), std::max(MinByteRange(), size_t{64} << 20));
}

size_t FileScan::FileSizeOf(const std::string& path) {
  FileStamp st = StatFile(path);
  return st.size < 0 ? 0 : static_cast<size_t>(st.size);
}

std::shared_ptr<std::atomic<int64_t>> FileScan::RowBudget() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (limit_ >= 0 && !remaining_) remaining_ = std::make_shared<std::atomic<int64_t>>(limit_);
  return remaining_;
}

}  // namespace aishell
