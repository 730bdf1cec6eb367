// INSERT INTO / CREATE TABLE AS: streams the child into a TableWriter, all-or-nothing, and
// returns one row with the number of rows written.
#include <mutex>

#include "catalog/connector.h"
#include "common/exception.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

class InsertOperator : public PhysicalOperator {
 public:
  InsertOperator(PhysicalPtr child, const LogicalInsert& insert)
      : PhysicalOperator("Insert", {LogicalType(TypeId::kBigInt)}),
        connector_(insert.connector),
        catalog_(insert.catalog_name),
        schema_(insert.schema),
        table_(insert.table),
        create_(insert.create_table),
        columns_(insert.columns),
        properties_(insert.properties) {
    if (!connector_)
      throw Error(ErrorKind::kInternal, "insert into '" + table_ + "' has no connector");
    children.push_back(std::move(child));
  }

  struct State : OperatorState {
    bool done = false;
  };
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }
  std::string Describe() const override {
    return std::string(create_ ? "CreateTableAs " : "Insert ") + catalog_ + "." + schema_ + "." +
           table_;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    if (st.done) return false;
    st.done = true;
    std::unique_ptr<TableWriter> writer;
    if (create_) {
      writer = properties_.empty()
                   ? connector_->CreateTable(schema_, table_, columns_)
                   : connector_->CreateTableWithProperties(schema_, table_, columns_, properties_);
    } else {
      auto info = connector_->GetTable(schema_, table_);
      if (!info)
        throw Error(ErrorKind::kCatalog,
                    "table '" + catalog_ + "." + schema_ + "." + table_ + "' does not exist");
      writer = connector_->InsertInto(info);
    }
    if (!writer)
      throw Error(ErrorKind::kInternal, "connector returned no writer for '" + table_ + "'");
    int64_t rows = 0;
    std::mutex m;
    try {
      RunParallel(*ctx_, *children[0], nullptr, [&](int, Batch& b) {
        std::lock_guard<std::mutex> lock(m);
        writer->Append(b);
        rows += static_cast<int64_t>(b.count);
      });
      writer->Commit();
    } catch (...) {
      try {
        writer->Abort();
      } catch (...) {
      }
      throw;
    }
    out = Batch(types_, 1);
    out.SetCount(1);
    out.columns[0].Data<int64_t>()[0] = rows;
    return true;
  }

 private:
  std::shared_ptr<Connector> connector_;
  std::string catalog_;
  std::string schema_;
  std::string table_;
  bool create_;
  std::vector<ColumnInfo> columns_;
  std::vector<TableProperty> properties_;
};

}  // namespace

PhysicalPtr MakeInsertOperator(PhysicalPtr child, const LogicalInsert& insert) {
  return std::make_unique<InsertOperator>(std::move(child), insert);
}

}  // namespace aishell
