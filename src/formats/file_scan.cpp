#include "formats/file_scan.h"

#include "common/exception.h"

namespace aishell {

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
  std::string s = " columns=[";
  for (size_t i = 0; i < projection_.size(); i++) {
    s += (i ? ", " : "") + info_->columns[projection_[i]].name;
  }
  s += "]";
  if (limit_ >= 0) s += " limit=" + std::to_string(limit_);
  return s;
}

std::shared_ptr<std::atomic<int64_t>> FileScan::RowBudget() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (limit_ >= 0 && !remaining_) remaining_ = std::make_shared<std::atomic<int64_t>>(limit_);
  return remaining_;
}

}  // namespace aishell
