// An in-memory table source for tests (and anyone who needs a table of batches): a Connector,
// TableScan and TableWriter over batches held in memory, with optional failure injection.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "planner/logical_plan.h"

namespace aishell {

struct MemoryTable {
  std::shared_ptr<TableInfo> info;
  std::vector<Batch> batches;  // flat vectors, one per column of info->columns
  // Failure injection: the data source throws Error(kConnector) when asked for batch number
  // `fail_at_batch` (0-based, counted per data source); -1 = never.
  int fail_at_batch = -1;

  int64_t RowCount() const;
};

// Builds a table from rows of values (each row has one value per column), `rows_per_batch`
// rows per batch.
std::shared_ptr<MemoryTable> MakeMemoryTable(const std::string& name,
                                             const std::vector<ColumnInfo>& columns,
                                             const std::vector<std::vector<Value>>& rows,
                                             size_t rows_per_batch = kBatchSize);

class MemoryTableScan : public TableScan {
 public:
  explicit MemoryTableScan(std::shared_ptr<MemoryTable> table);
  void SetProjection(const std::vector<int>& column_ids) override { projection_ = column_ids; }
  std::string Describe() const override;
  double EstimatedRows() const override { return static_cast<double>(table_->RowCount()); }
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override;
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override;

 private:
  std::shared_ptr<MemoryTable> table_;
  std::vector<int> projection_;
};

class MemoryConnector : public Connector {
 public:
  std::string TypeName() const override { return "memory"; }
  std::vector<std::string> ListSchemas() override { return {"default"}; }
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;
  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;

  void AddTable(std::shared_ptr<MemoryTable> table);
  std::shared_ptr<MemoryTable> FindTable(const std::string& name);
  // Commit publishes appended batches (for writers made by CreateTable/InsertInto).
  void Publish(const std::string& name, std::shared_ptr<TableInfo> info, std::vector<Batch> batches,
               bool replace);
  // Makes writers fail in Append after this many batches (-1 = never).
  int fail_writes_after = -1;

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<MemoryTable>> tables_;
};

// A LogicalScan over `table` reading `column_ids` (all columns when empty).
std::shared_ptr<LogicalScan> MakeMemoryScan(std::shared_ptr<MemoryTable> table,
                                            std::vector<int> column_ids = {},
                                            const std::string& catalog = "memory");

}  // namespace aishell
