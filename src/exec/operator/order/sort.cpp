// ORDER BY and Top-N (ORDER BY ... LIMIT n). Each worker buffers its share of the input (with
// the evaluated sort keys as extra columns); Top-N buffers compact to the best `limit` rows
// whenever they grow past twice that, so memory stays O(limit). Then one sort of everything.
// External sort: when a worker's buffer would take the query over max_memory (and
// federation.spill is on), it is sorted and written to disk as a run; at the end the remaining
// buffers become runs too, and the runs are merged (k-way, one batch per run in memory).
#include <algorithm>
#include <mutex>
#include <queue>

#include "common/exception.h"
#include "exec/operator/operators.h"
#include "exec/operator/order/sort_util.h"

namespace aishell {

namespace {

constexpr size_t kMinRunRows = 8 * kBatchSize;
// More runs than this are merged into one (an extra pass over them) to bound the open files.
constexpr size_t kMaxRuns = 64;

class SortOperator : public PhysicalOperator {
 public:
  SortOperator(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit)
      : PhysicalOperator(limit >= 0 ? "TopN" : "Sort", child->types()),
        keys_(std::move(keys)),
        limit_(limit) {
    data_columns_ = child->types().size();
    all_types_ = child->types();
    for (const auto& k : keys_) all_types_.push_back(k.expr->type);
    children.push_back(std::move(child));
  }

  void FillStats(StepActual& stats) const override {
    PhysicalOperator::FillStats(stats);
    if (runs_.empty()) return;
    stats.spilled_bytes = spilled_bytes_;
    stats.spill_partitions = runs_written_;
    stats.spill_unit = "sorted runs";
  }

  std::string DescribeKeys() const {
    std::string d = name_;
    if (limit_ >= 0) d += " " + std::to_string(limit_);
    for (size_t i = 0; i < keys_.size(); i++) {
      d += (i ? ", " : " by ") + keys_[i].expr->ToString() +
           (keys_[i].ascending ? " ASC" : " DESC") +
           (keys_[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    return d;
  }

  struct State : OperatorState {
    size_t next = 0;
  };

  std::string Describe() const override {
    std::string d = DescribeKeys();
    if (!runs_.empty())
      d += " spilled=" + FormatBytes(spilled_bytes_) + " runs=" + std::to_string(runs_written_);
    if (compactions_ > 0) d += " run_merges=" + std::to_string(compactions_);
    return d;
  }
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }

  void Build(ExecContext& ctx) override {
    int workers = WorkerCount(ctx, *children[0]);
    // Top-N keeps O(limit) rows; a large limit spills (compacted runs) like a sort.
    const bool can_spill = ctx.spill.enabled();
    std::vector<Buffered> locals(workers);
    for (auto& l : locals) l.Init(all_types_, &ctx.memory);
    RunParallel(ctx, *children[0], nullptr, [&](int w, Batch& b) {
      Buffered& l = locals[w];
      for (size_t c = 0; c < data_columns_; c++)
        AppendRows(l.rows.columns[c], b.columns[c], 0, b.count);
      for (size_t k = 0; k < keys_.size(); k++) {
        Vector v = EvaluateExpr(*keys_[k].expr, b);
        AppendRows(l.rows.columns[data_columns_ + k], v, 0, b.count);
      }
      l.rows.count += b.count;
      if (limit_ >= 0 && l.rows.count > static_cast<size_t>(2 * limit_ + kBatchSize))
        Compact(l, limit_);
      int64_t bytes = static_cast<int64_t>(l.rows.MemoryUsage());
      if (!can_spill) {
        l.memory.Resize(bytes);
      } else if (!l.memory.TryResize(bytes)) {
        // A run is at least kMinRunRows long (other operators may hold most of the budget):
        // few runs, few open files.
        if (l.rows.count >= kMinRunRows)
          SpillRun(ctx, l);
        else
          l.memory.ForceResize(bytes);
      }
    });
    if (runs_.empty() && can_spill && locals.size() > 1) {
      // Concatenating the workers' buffers needs about their size again: when that does not
      // fit, they become runs instead.
      int64_t total = 0;
      for (auto& l : locals) total += static_cast<int64_t>(l.rows.MemoryUsage());
      MemoryReservation probe(&ctx.memory, "sorting");
      if (!probe.TryResize(total)) {
        for (auto& l : locals)
          if (l.rows.count) SpillRun(ctx, l);
      }
    }
    if (!runs_.empty()) {
      // Every buffer becomes a run; the merge reads them back (GetNext).
      for (auto& l : locals) {
        if (l.rows.count) SpillRun(ctx, l);
        l = Buffered();
      }
      StartMerge();
      return;
    }
    Buffered& all = locals[0];
    for (size_t w = 1; w < locals.size(); w++) {
      for (size_t c = 0; c < all_types_.size(); c++) {
        AppendRows(all.rows.columns[c], locals[w].rows.columns[c], 0, locals[w].rows.count);
      }
      all.rows.count += locals[w].rows.count;
      locals[w] = Buffered();
      all.memory.Resize(static_cast<int64_t>(all.rows.MemoryUsage()));
    }
    std::vector<SortColumn> sort_columns = MakeSortColumns(all.rows);
    perm_ = SortPermutation(sort_columns, all.rows.count, limit_, ctx.threads);
    result_ = std::move(all);
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    if (merge_) return NextMerged(out);
    auto& st = static_cast<State&>(state);
    if (st.next >= perm_.size()) return false;
    size_t n = std::min(kBatchSize, perm_.size() - st.next);
    out = Batch();
    out.count = n;
    for (size_t c = 0; c < data_columns_; c++)
      out.columns.push_back(result_.rows.columns[c].Gather(perm_.data() + st.next, n));
    st.next += n;
    return true;
  }

 private:
  struct Buffered {
    Batch rows;
    MemoryReservation memory;
    void Init(const std::vector<LogicalType>& types, MemoryTracker* tracker) {
      rows = Batch(types, kBatchSize);
      memory = MemoryReservation(tracker, "sorting");
    }
  };

  std::vector<SortColumn> MakeSortColumns(const Batch& rows) const {
    std::vector<SortColumn> cols(keys_.size());
    for (size_t k = 0; k < keys_.size(); k++) {
      cols[k].key.Load(rows.columns[data_columns_ + k], rows.count);
      cols[k].ascending = keys_[k].ascending;
      cols[k].nulls_first = keys_[k].nulls_first;
    }
    return cols;
  }

  void Compact(Buffered& l, int64_t limit) const {
    std::vector<SortColumn> cols = MakeSortColumns(l.rows);
    std::vector<uint32_t> perm = SortPermutation(cols, l.rows.count, limit);
    Batch kept = l.rows.Gather(perm.data(), perm.size());
    l.rows = Batch(all_types_, std::max<size_t>(kept.count * 2 + kBatchSize, kBatchSize));
    for (size_t c = 0; c < all_types_.size(); c++)
      AppendRows(l.rows.columns[c], kept.columns[c], 0, kept.count);
    l.rows.count = kept.count;
  }

  // Sorts the worker's buffer and writes it to disk as one run.
  void SpillRun(ExecContext& ctx, Buffered& l) {
    std::vector<SortColumn> cols = MakeSortColumns(l.rows);
    std::vector<uint32_t> perm = SortPermutation(cols, l.rows.count, -1, 1);
    std::unique_ptr<SpillFile> file = ctx.spill.CreateFile();
    for (size_t start = 0; start < perm.size(); start += kBatchSize) {
      size_t n = std::min(kBatchSize, perm.size() - start);
      file->Write(l.rows.Gather(perm.data() + start, n));
    }
    {
      std::lock_guard<std::mutex> lock(runs_mutex_);
      spilled_bytes_ += file->bytes();
      runs_.push_back(std::move(file));
      runs_written_++;
      if (runs_.size() >= kMaxRuns) CompactRuns(ctx);
    }
    l.rows = Batch(all_types_, kBatchSize);
    l.memory.Reset();
  }

  // The current batch of one run during the merge.
  struct Cursor {
    Batch batch;
    std::vector<SortColumn> keys;
    size_t row = 0;
  };
  // Orders run indices for the min-heap: by their current rows, ties by run (input) order.
  struct Greater {
    const std::vector<Cursor>* cursors;
    bool operator()(size_t a, size_t b) const {
      const Cursor& ca = (*cursors)[a];
      const Cursor& cb = (*cursors)[b];
      for (size_t k = 0; k < ca.keys.size(); k++) {
        const SortColumn& ka = ca.keys[k];
        const SortColumn& kb = cb.keys[k];
        bool na = ka.key.nulls[ca.row], nb = kb.key.nulls[cb.row];
        if (na || nb) {
          if (na && nb) continue;
          bool a_first = na ? ka.nulls_first : !ka.nulls_first;
          return !a_first;
        }
        int c = ka.key.Compare(ca.row, kb.key, cb.row);
        if (c != 0) return ka.ascending ? c > 0 : c < 0;
      }
      return a > b;
    }
  };
  struct Merge {
    std::vector<Cursor> cursors;
    std::priority_queue<size_t, std::vector<size_t>, Greater> heap{Greater{&cursors}};
  };

  // Moves run r to its next row (loading its next batch when needed); false at its end.
  bool Advance(size_t r) {
    Cursor& c = merge_->cursors[r];
    if (c.batch.count && c.row + 1 < c.batch.count) {
      c.row++;
      return true;
    }
    Batch b;
    if (!runs_[r]->Read(all_types_, b) || b.count == 0) {
      c.batch = Batch();
      return false;
    }
    c.batch = std::move(b);
    c.keys = MakeSortColumns(c.batch);
    c.row = 0;
    return true;
  }

  bool NextMerged(Batch& out) { return MergeNext(out, data_columns_, true); }

  // The next batch of the merge: its first `columns` columns; with `apply_limit`, Top-N's limit.
  bool MergeNext(Batch& out, size_t columns, bool apply_limit) {
    if (merge_->heap.empty()) return false;
    if (apply_limit && limit_ >= 0 && merged_rows_ >= static_cast<size_t>(limit_)) return false;
    std::vector<LogicalType> types(all_types_.begin(), all_types_.begin() + columns);
    out = Batch(types, kBatchSize);
    out.SetCount(kBatchSize);
    size_t n = 0;
    size_t cap = kBatchSize;
    if (apply_limit && limit_ >= 0) cap = std::min(cap, static_cast<size_t>(limit_) - merged_rows_);
    while (n < cap && !merge_->heap.empty()) {
      size_t r = merge_->heap.top();
      merge_->heap.pop();
      Cursor& c = merge_->cursors[r];
      for (size_t col = 0; col < columns; col++)
        out.columns[col].SetRowFrom(c.batch.columns[col], c.row, n);
      n++;
      if (Advance(r)) merge_->heap.push(r);
    }
    out.SetCount(n);
    if (apply_limit) merged_rows_ += n;
    return n > 0;
  }

  // Starts the k-way merge of runs_.
  void StartMerge() {
    merge_ = std::make_unique<Merge>();
    for (auto& r : runs_) {
      r->Rewind();
      merge_->cursors.emplace_back();
    }
    for (size_t r = 0; r < runs_.size(); r++) {
      if (Advance(r)) merge_->heap.push(r);
    }
  }

  // Too many runs (open files): merges them into one run (under runs_mutex_).
  void CompactRuns(ExecContext& ctx) {
    std::unique_ptr<SpillFile> merged = ctx.spill.CreateFile();
    StartMerge();
    Batch b;
    while (MergeNext(b, all_types_.size(), false)) merged->Write(b);
    merge_.reset();
    spilled_bytes_ += merged->bytes();
    runs_.clear();
    runs_.push_back(std::move(merged));
    compactions_++;
  }

  std::vector<SortKey> keys_;
  int64_t limit_;
  std::mutex runs_mutex_;
  std::vector<std::unique_ptr<SpillFile>> runs_;
  int64_t spilled_bytes_ = 0;
  std::unique_ptr<Merge> merge_;
  size_t merged_rows_ = 0;
  int compactions_ = 0;       // merges of kMaxRuns runs into one
  int64_t runs_written_ = 0;  // sorted runs spilled (before compactions)
  size_t data_columns_ = 0;
  std::vector<LogicalType> all_types_;
  Buffered result_;
  std::vector<uint32_t> perm_;
};

}  // namespace

PhysicalPtr MakeSortOperator(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit) {
  return std::make_unique<SortOperator>(std::move(child), std::move(keys), limit);
}

}  // namespace aishell
