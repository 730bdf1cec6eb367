#include "exec/operator/operators.h"

namespace aishell {

namespace {

class ProjectionOperator : public PhysicalOperator {
 public:
  ProjectionOperator(PhysicalPtr child, std::vector<ExprPtr> exprs, std::vector<LogicalType> types)
      : PhysicalOperator("Project", std::move(types)), exprs_(std::move(exprs)) {
    children.push_back(std::move(child));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
  };

  bool IsParallel() const override { return children[0]->IsParallel(); }
  bool KeepsRowOrder() const override { return true; }
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    return st;
  }
  std::string Describe() const override {
    std::string d = "Project";
    for (size_t i = 0; i < exprs_.size(); i++) d += (i ? ", " : " ") + exprs_[i]->ToString();
    return d;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    Batch in;
    if (!children[0]->Next(*st.child, in)) return false;
    out = Batch();
    out.count = in.count;
    out.columns.reserve(exprs_.size());
    for (const auto& e : exprs_) out.columns.push_back(EvaluateExpr(*e, in));
    return true;
  }

 private:
  std::vector<ExprPtr> exprs_;
};

class LimitOperator : public PhysicalOperator {
 public:
  LimitOperator(PhysicalPtr child, int64_t limit, int64_t offset)
      : PhysicalOperator("Limit", child->types()), limit_(limit), offset_(offset) {
    children.push_back(std::move(child));
  }
  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
    int64_t skipped = 0;
    int64_t emitted = 0;
  };
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    return st;
  }
  std::string Describe() const override {
    std::string d = "Limit";
    if (limit_ >= 0) d += " " + std::to_string(limit_);
    if (offset_ > 0) d += " offset " + std::to_string(offset_);
    return d;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    while (true) {
      if (limit_ >= 0 && st.emitted >= limit_) return false;  // stop pulling the child
      Batch in;
      if (!children[0]->Next(*st.child, in)) return false;
      int64_t start = 0;
      int64_t n = static_cast<int64_t>(in.count);
      if (st.skipped < offset_) {
        int64_t skip = std::min(offset_ - st.skipped, n);
        st.skipped += skip;
        start = skip;
      }
      int64_t take = n - start;
      if (limit_ >= 0) take = std::min(take, limit_ - st.emitted);
      if (take <= 0) continue;
      st.emitted += take;
      if (start == 0 && take == n)
        out = std::move(in);
      else
        out = in.Slice(static_cast<size_t>(start), static_cast<size_t>(take));
      return true;
    }
  }

 private:
  int64_t limit_;
  int64_t offset_;
};

}  // namespace

PhysicalPtr MakeProjectionOperator(PhysicalPtr child, std::vector<ExprPtr> exprs,
                                   std::vector<LogicalType> types) {
  return std::make_unique<ProjectionOperator>(std::move(child), std::move(exprs), std::move(types));
}

PhysicalPtr MakeLimitOperator(PhysicalPtr child, int64_t limit, int64_t offset) {
  return std::make_unique<LimitOperator>(std::move(child), limit, offset);
}

}  // namespace aishell
