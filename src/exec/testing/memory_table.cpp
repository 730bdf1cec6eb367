#include "exec/testing/memory_table.h"

#include "common/exception.h"

namespace aishell {

int64_t MemoryTable::RowCount() const {
  int64_t n = 0;
  for (const auto& b : batches) n += static_cast<int64_t>(b.count);
  return n;
}

std::shared_ptr<MemoryTable> MakeMemoryTable(const std::string& name,
                                             const std::vector<ColumnInfo>& columns,
                                             const std::vector<std::vector<Value>>& rows,
                                             size_t rows_per_batch) {
  auto t = std::make_shared<MemoryTable>();
  t->info = std::make_shared<TableInfo>();
  t->info->schema = "default";
  t->info->name = name;
  t->info->columns = columns;
  t->info->location = "memory:" + name;
  std::vector<LogicalType> types;
  for (const auto& c : columns) types.push_back(c.type);
  if (rows_per_batch == 0) rows_per_batch = kBatchSize;
  for (size_t start = 0; start < rows.size(); start += rows_per_batch) {
    size_t n = std::min(rows_per_batch, rows.size() - start);
    Batch b(types, n);
    b.SetCount(n);
    for (size_t r = 0; r < n; r++) {
      const auto& row = rows[start + r];
      if (row.size() != columns.size())
        throw Error(ErrorKind::kInternal, "row width does not match the columns");
      for (size_t c = 0; c < columns.size(); c++) b.columns[c].SetValue(r, row[c]);
    }
    t->batches.push_back(std::move(b));
  }
  t->info->stats.row_count = static_cast<double>(rows.size());
  return t;
}

namespace {

struct MemorySplit : Split {
  std::vector<size_t> batch_indices;
  std::string Describe() const override {
    return std::to_string(batch_indices.size()) + " batches";
  }
};

class MemoryDataSource : public DataSource {
 public:
  MemoryDataSource(std::shared_ptr<MemoryTable> table, std::vector<int> projection,
                   std::shared_ptr<MemorySplit> split, ScanCounters* counters)
      : table_(std::move(table)),
        projection_(std::move(projection)),
        split_(std::move(split)),
        counters_(counters) {}

  bool Next(Batch& out) override {
    if (table_->fail_at_batch >= 0 && produced_ == table_->fail_at_batch) {
      throw Error(ErrorKind::kConnector,
                  "memory table '" + table_->info->name + "': injected read failure");
    }
    if (pos_ >= split_->batch_indices.size()) return false;
    const Batch& b = table_->batches[split_->batch_indices[pos_++]];
    produced_++;
    out = Batch();
    out.count = b.count;
    for (int c : projection_) out.columns.push_back(b.columns.at(static_cast<size_t>(c)));
    counters_->rows_read += static_cast<int64_t>(b.count);
    counters_->bytes_read += static_cast<int64_t>(b.MemoryUsage());
    return true;
  }

 private:
  std::shared_ptr<MemoryTable> table_;
  std::vector<int> projection_;
  std::shared_ptr<MemorySplit> split_;
  ScanCounters* counters_;
  size_t pos_ = 0;
  int produced_ = 0;
};

class MemoryWriter : public TableWriter {
 public:
  MemoryWriter(MemoryConnector* connector, std::shared_ptr<TableInfo> info, bool replace)
      : connector_(connector), info_(std::move(info)), replace_(replace) {}
  void Append(const Batch& batch) override {
    if (connector_->fail_writes_after >= 0 &&
        static_cast<int>(batches_.size()) >= connector_->fail_writes_after) {
      throw Error(ErrorKind::kConnector,
                  "memory table '" + info_->name + "': injected write failure");
    }
    Batch copy = batch;
    copy.Flatten();
    batches_.push_back(std::move(copy));
  }
  void Commit() override { connector_->Publish(info_->name, info_, std::move(batches_), replace_); }
  void Abort() override { batches_.clear(); }

 private:
  MemoryConnector* connector_;
  std::shared_ptr<TableInfo> info_;
  bool replace_;
  std::vector<Batch> batches_;
};

}  // namespace

MemoryTableScan::MemoryTableScan(std::shared_ptr<MemoryTable> table) : table_(std::move(table)) {
  for (size_t i = 0; i < table_->info->columns.size(); i++)
    projection_.push_back(static_cast<int>(i));
}

std::string MemoryTableScan::Describe() const {
  std::string d = "memory table " + table_->info->name + " columns=[";
  for (size_t i = 0; i < projection_.size(); i++) {
    d += (i ? "," : "") + table_->info->columns.at(static_cast<size_t>(projection_[i])).name;
  }
  return d + "]";
}

std::vector<std::shared_ptr<Split>> MemoryTableScan::CreateSplits(int max_parallelism) {
  // Several splits per thread so that workers share the table.
  size_t n =
      std::max<size_t>(1, std::min<size_t>(table_->batches.size(),
                                           static_cast<size_t>(std::max(1, max_parallelism)) * 4));
  std::vector<std::shared_ptr<MemorySplit>> splits(n);
  for (auto& s : splits) s = std::make_shared<MemorySplit>();
  // Contiguous runs of batches, as a file's row groups or byte ranges: reading the splits in
  // index order reads the table in order.
  const size_t total = table_->batches.size();
  for (size_t i = 0; i < total; i++)
    splits[i * n / std::max<size_t>(total, 1)]->batch_indices.push_back(i);
  return {splits.begin(), splits.end()};
}

std::unique_ptr<DataSource> MemoryTableScan::CreateDataSource(std::shared_ptr<Split> split) {
  auto s = std::dynamic_pointer_cast<MemorySplit>(split);
  if (!s) throw Error(ErrorKind::kInternal, "memory table scan got a foreign split");
  return std::make_unique<MemoryDataSource>(table_, projection_, s, &counters_);
}

std::vector<std::string> MemoryConnector::ListTables(const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [k, v] : tables_) names.push_back(k);
  return names;
}

std::shared_ptr<const TableInfo> MemoryConnector::GetTable(const std::string&,
                                                           const std::string& table) {
  auto t = FindTable(table);
  return t ? t->info : nullptr;
}

std::unique_ptr<TableScan> MemoryConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  auto t = FindTable(table->name);
  if (!t) throw Error(ErrorKind::kCatalog, "memory table '" + table->name + "' does not exist");
  return std::make_unique<MemoryTableScan>(t);
}

std::unique_ptr<TableWriter> MemoryConnector::CreateTable(const std::string& schema,
                                                          const std::string& table,
                                                          const std::vector<ColumnInfo>& columns) {
  if (FindTable(table))
    throw Error(ErrorKind::kCatalog, "memory table '" + table + "' already exists");
  auto info = std::make_shared<TableInfo>();
  info->schema = schema;
  info->name = table;
  info->columns = columns;
  return std::make_unique<MemoryWriter>(this, info, true);
}

std::unique_ptr<TableWriter> MemoryConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  auto t = FindTable(table->name);
  if (!t) throw Error(ErrorKind::kCatalog, "memory table '" + table->name + "' does not exist");
  return std::make_unique<MemoryWriter>(this, t->info, false);
}

void MemoryConnector::AddTable(std::shared_ptr<MemoryTable> table) {
  std::lock_guard<std::mutex> lock(mutex_);
  tables_[table->info->name] = std::move(table);
}

std::shared_ptr<MemoryTable> MemoryConnector::FindTable(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

void MemoryConnector::Publish(const std::string& name, std::shared_ptr<TableInfo> info,
                              std::vector<Batch> batches, bool replace) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& t = tables_[name];
  if (!t || replace) {
    t = std::make_shared<MemoryTable>();
    t->info = std::move(info);
  }
  for (auto& b : batches) t->batches.push_back(std::move(b));
}

std::shared_ptr<LogicalScan> MakeMemoryScan(std::shared_ptr<MemoryTable> table,
                                            std::vector<int> column_ids,
                                            const std::string& catalog) {
  auto scan = std::make_shared<LogicalScan>();
  scan->catalog_name = catalog;
  scan->table = table->info;
  if (column_ids.empty()) {
    for (size_t i = 0; i < table->info->columns.size(); i++)
      column_ids.push_back(static_cast<int>(i));
  }
  auto ts = std::make_shared<MemoryTableScan>(table);
  ts->SetProjection(column_ids);
  scan->scan = ts;
  scan->column_ids = column_ids;
  for (int c : column_ids) {
    const auto& col = table->info->columns.at(static_cast<size_t>(c));
    scan->output.push_back({col.name, col.type});
  }
  scan->estimated_rows = static_cast<double>(table->RowCount());
  return scan;
}

}  // namespace aishell
