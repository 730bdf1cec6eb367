#include <mutex>

#include "catalog/connector.h"
#include "common/exception.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

class TableScanOperator : public PhysicalOperator {
 public:
  TableScanOperator(const LogicalScan& scan)
      : PhysicalOperator("TableScan", scan.OutputTypes()),
        scan_(scan.scan),
        catalog_(scan.catalog_name),
        estimated_rows_(scan.estimated_rows) {
    if (scan.table)
      table_ = scan.table->schema.empty() ? scan.table->name
                                          : scan.table->schema + "." + scan.table->name;
    if (!scan_)
      throw Error(ErrorKind::kInternal, "scan of '" + table_ + "' has no table scan object");
  }

  struct State : OperatorState {
    std::unique_ptr<DataSource> source;
    size_t split = 0;       // the index of `source`'s split
    uint64_t sequence = 0;  // batches this state returned
  };

  // Splits are created at the first Next, after every join build ran (Prepare), so that a
  // dynamic filter a join offers to this scan (TableScan::PushDynamicFilter) can still apply.
  void Build(ExecContext& ctx) override {
    threads_ = ctx.threads;
    next_split_ = 0;
    for (size_t i = 0; done_ && i < splits_.size(); i++) done_[i].store(false);
  }

  bool IsParallel() const override { return true; }
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }

  std::string Describe() const override {
    std::string d = "TableScan " + (catalog_.empty() ? table_ : catalog_ + "." + table_);
    std::string what = scan_->Describe();
    if (!what.empty()) d += " [" + what + "]";
    d += " splits=" + std::to_string(splits_.size());
    // After execution (EXPLAIN ANALYZE): what the source read, when it counts bytes.
    int64_t bytes = scan_->counters().bytes_read.load();
    if (bytes > 0) d += " bytes_read=" + std::to_string(bytes);
    return d;
  }

  void FillStats(StepActual& stats) const override {
    PhysicalOperator::FillStats(stats);
    int64_t bytes = scan_->counters().bytes_read.load();
    stats.bytes = bytes > 0 ? bytes : -1;
  }

  bool ReportProgress(SourceProgress& progress) const override {
    progress = Progress();
    return true;
  }

  SourceProgress Progress() const {
    SourceProgress p;
    p.estimated_rows = estimated_rows_;
    size_t splits = split_count_.load(std::memory_order_acquire);
    bool done = splits > 0;
    for (size_t i = 0; done && i < splits; i++) done = done_[i].load(std::memory_order_acquire);
    p.done = done;
    p.source = catalog_;
    p.table = table_;
    p.rows_read = std::max<int64_t>(scan_->counters().rows_read.load(), rows_produced());
    p.bytes_read = scan_->counters().bytes_read.load();
    return p;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    std::call_once(splits_once_, [&] {
      splits_ = scan_->CreateSplits(threads_);
      done_ = std::make_unique<std::atomic<bool>[]>(splits_.size());
      for (size_t i = 0; i < splits_.size(); i++) done_[i].store(false);
      split_count_.store(splits_.size(), std::memory_order_release);
    });
    while (true) {
      if (!st.source) {
        size_t idx = next_split_.fetch_add(1);
        if (idx >= splits_.size()) return false;
        st.source = scan_->CreateDataSource(splits_[idx]);
        st.split = idx;
      }
      out = Batch();
      if (st.source->Next(out)) {
        if (out.count == 0) continue;
        if (out.columns.size() != types_.size()) {
          throw Error(ErrorKind::kInternal,
                      "source " + table_ + " returned " + std::to_string(out.columns.size()) +
                          " columns, expected " + std::to_string(types_.size()));
        }
        for (auto& c : out.columns) {
          if (c.size() < out.count && c.kind() == VectorKind::kFlat) c.Resize(out.count);
        }
        ThisThreadScanBatchOrigin() = {this, st.split, st.sequence++};
        return true;
      }
      st.source.reset();
      done_[st.split].store(true, std::memory_order_release);
    }
  }

 public:
  const TableScan* table_scan() const { return scan_.get(); }

  bool SplitDone(size_t index) const {
    return index < split_count_.load(std::memory_order_acquire) &&
           done_[index].load(std::memory_order_acquire);
  }

 private:
  std::shared_ptr<TableScan> scan_;
  std::string catalog_;
  double estimated_rows_ = -1;
  std::string table_;
  std::vector<std::shared_ptr<Split>> splits_;
  std::once_flag splits_once_;
  int threads_ = 1;
  std::atomic<size_t> next_split_{0};
  std::unique_ptr<std::atomic<bool>[]> done_;  // per split: read to its end
  std::atomic<size_t> split_count_{0};         // splits_.size() once they exist
};

}  // namespace

PhysicalPtr MakeTableScanOperator(const LogicalScan& scan) {
  return std::make_unique<TableScanOperator>(scan);
}

SourceProgress TableScanProgress(const PhysicalOperator& op) {
  SourceProgress p;
  op.ReportProgress(p);
  return p;
}

ScanBatchOrigin& ThisThreadScanBatchOrigin() {
  thread_local ScanBatchOrigin origin;
  return origin;
}

bool TableScanSplitDone(const PhysicalOperator& op, size_t index) {
  return static_cast<const TableScanOperator&>(op).SplitDone(index);
}

const TableScan* TableScanOf(const PhysicalOperator& op) {
  const auto* scan = dynamic_cast<const TableScanOperator*>(&op);
  return scan ? scan->table_scan() : nullptr;
}

bool IsTableScanOperator(const PhysicalOperator& op) {
  return dynamic_cast<const TableScanOperator*>(&op) != nullptr;
}

}  // namespace aishell
