// ORDER BY and Top-N (ORDER BY ... LIMIT n). Each worker buffers its share of the input (with
// the evaluated sort keys as extra columns); Top-N buffers compact to the best `limit` rows
// whenever they grow past twice that, so memory stays O(limit). Then one sort of everything.
#include "common/exception.h"
#include "exec/operator/operators.h"
#include "exec/operator/order/sort_util.h"

namespace aishell {

namespace {

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

  std::string Describe() const override {
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
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }

  void Build(ExecContext& ctx) override {
    int workers = WorkerCount(ctx, *children[0]);
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
      l.memory.Resize(static_cast<int64_t>(l.rows.MemoryUsage()));
    });
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

  std::vector<SortKey> keys_;
  int64_t limit_;
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
