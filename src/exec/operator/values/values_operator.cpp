#include "common/exception.h"
#include "exec/operator/operators.h"
#include "expr/expression_executor.h"

namespace aishell {

namespace {

class ValuesOperator : public PhysicalOperator {
 public:
  explicit ValuesOperator(const LogicalValues& values)
      : PhysicalOperator("Values", values.OutputTypes()) {
    rows_ = values.rows;
  }
  struct State : OperatorState {
    size_t next_row = 0;
  };
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }
  std::string Describe() const override {
    return "Values " + std::to_string(rows_.size()) + " rows";
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    if (st.next_row >= rows_.size()) return false;
    size_t n = std::min(kBatchSize, rows_.size() - st.next_row);
    out = Batch(types_, n);
    out.SetCount(n);
    for (size_t r = 0; r < n; r++) {
      const auto& row = rows_[st.next_row + r];
      if (row.size() != types_.size()) {
        throw Error(ErrorKind::kInternal, "VALUES row " + std::to_string(st.next_row + r + 1) +
                                              " has " + std::to_string(row.size()) +
                                              " values, expected " + std::to_string(types_.size()));
      }
      for (size_t c = 0; c < row.size(); c++) {
        const Expr& e = *row[c];
        Value v =
            (e.kind == ExprKind::kConstant && (e.value.is_null() || e.value.type() == types_[c]))
                ? e.value
                : ExpressionExecutor::EvaluateConstant(e);
        out.columns[c].SetValue(r, v);
      }
    }
    st.next_row += n;
    return true;
  }

 private:
  std::vector<std::vector<ExprPtr>> rows_;
};

}  // namespace

PhysicalPtr MakeValuesOperator(const LogicalValues& values) {
  return std::make_unique<ValuesOperator>(values);
}

}  // namespace aishell
