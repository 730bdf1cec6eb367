// What every file-format scan negotiates the same way: the projection, a pushed limit shared as
// one row budget by all of the scan's data sources, row estimates, and the start of Describe().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

class FileScan : public TableScan {
 public:
  // `function_name` names the reader in messages ("read_csv"); `info` lists the file's columns.
  FileScan(std::string function_name, std::vector<std::string> files,
           std::shared_ptr<const TableInfo> info);

  void SetProjection(const std::vector<int>& column_ids) override;
  bool PushLimit(int64_t limit) override;
  double EstimatedRows() const override;

 protected:
  // "read_csv /path/a.csv" or "read_csv /path/a.csv (+3 more files)".
  std::string DescribeFiles() const;
  // " columns=[a, b]" and, with a pushed limit, " limit=N".
  std::string DescribeProjectionAndLimit() const;
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
