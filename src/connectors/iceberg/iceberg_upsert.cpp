// IcebergConnector::UpsertInto (iceberg_connector.h): append-only upserts for aishell sync.
#include <map>
#include <string>
#include <vector>

#include "common/exception.h"
#include "connectors/iceberg/iceberg_connector.h"

namespace aishell::iceberg {

namespace {

std::string CellKey(const Value& v) {
  return v.is_null() ? std::string("\x01") : "=" + v.ToString();
}

class IcebergUpsertWriter : public TableWriter {
 public:
  IcebergUpsertWriter(IcebergConnector* connector, std::shared_ptr<const TableInfo> table,
                      std::vector<int> keys, UpsertConflict conflict)
      : connector_(connector),
        table_(std::move(table)),
        keys_(std::move(keys)),
        conflict_(conflict) {}

  void Append(const Batch& batch) override {
    std::vector<uint32_t> all(batch.count);
    for (size_t i = 0; i < batch.count; i++) all[i] = static_cast<uint32_t>(i);
    batches_.push_back(batch.Gather(all.data(), all.size()));  // a copy the caller cannot reuse
  }

  void Commit() override {
    std::string where = "iceberg table " + table_->schema + "." + table_->name;
    // The table's rows by key (the whole row as text, to tell a rerun from a change).
    std::map<std::string, std::string> existing;
    auto scan = connector_->CreateScan(table_);
    std::vector<int> all_columns;
    for (size_t c = 0; c < table_->columns.size(); c++) all_columns.push_back(static_cast<int>(c));
    scan->SetProjection(all_columns);
    for (auto& split : scan->CreateSplits(1)) {
      auto source = scan->CreateDataSource(split);
      Batch b;
      while (source->Next(b)) {
        for (size_t r = 0; r < b.count; r++) existing.emplace(Key(b, r), Row(b, r));
      }
    }
    auto writer = connector_->InsertInto(table_);
    int64_t appended = 0;
    for (const auto& b : batches_) {
      std::vector<uint32_t> keep;
      for (size_t r = 0; r < b.count; r++) {
        std::string key = Key(b, r), row = Row(b, r);
        auto it = existing.find(key);
        if (it == existing.end()) {
          keep.push_back(static_cast<uint32_t>(r));
          existing.emplace(key, row);  // a key twice in the input: the first is kept
          continue;
        }
        if (it->second == row || conflict_ == UpsertConflict::kTargetWins) continue;
        std::string shown = KeyText(b, r);
        writer->Abort();
        if (conflict_ == UpsertConflict::kError)
          throw Error(ErrorKind::kExecution,
                      where + ": the table already holds the key " + shown +
                          " (with other values); nothing was written (--conflict error)");
        throw Error(ErrorKind::kUnsupported,
                    where + ": the table already holds the key " + shown +
                        " with other values; replacing a row needs a copy-on-write rewrite of "
                        "its data files, which aishell's Iceberg writer does not do (it "
                        "appends): sync with --conflict target_wins to keep the table's rows, "
                        "or into a new table; nothing was written");
      }
      if (keep.empty()) continue;
      writer->Append(b.Gather(keep.data(), keep.size()));
      appended += static_cast<int64_t>(keep.size());
    }
    writer->Commit();  // no rows: the writer commits nothing new
    (void)appended;
  }

  void Abort() override { batches_.clear(); }

 private:
  std::string Key(const Batch& b, size_t r) const {
    std::string k;
    for (int c : keys_) k += CellKey(b.columns[c].GetValue(r)) + '\x1f';
    return k;
  }
  std::string Row(const Batch& b, size_t r) const {
    std::string k;
    for (size_t c = 0; c < b.columns.size(); c++) k += CellKey(b.columns[c].GetValue(r)) + '\x1f';
    return k;
  }
  std::string KeyText(const Batch& b, size_t r) const {
    std::string k;
    for (int c : keys_)
      k += (k.empty() ? "" : ", ") + table_->columns[c].name + "=" +
           b.columns[c].GetValue(r).ToString();
    return k;
  }

  IcebergConnector* connector_;
  std::shared_ptr<const TableInfo> table_;
  std::vector<int> keys_;
  UpsertConflict conflict_;
  std::vector<Batch> batches_;
};

}  // namespace

std::unique_ptr<TableWriter> IcebergConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                          const std::vector<int>& key_columns,
                                                          UpsertConflict conflict) {
  if (!table) throw Error(ErrorKind::kInternal, "iceberg: UpsertInto without a table");
  if (table->name.find('$') != std::string::npos)
    throw Error(ErrorKind::kUnsupported, "iceberg table " + table->schema + "." + table->name +
                                             ": metadata tables are read-only");
  if (key_columns.empty())
    throw Error(ErrorKind::kUnsupported, "iceberg table " + table->schema + "." + table->name +
                                             ": an upsert needs a key column");
  return std::make_unique<IcebergUpsertWriter>(this, std::move(table), key_columns, conflict);
}

}  // namespace aishell::iceberg
