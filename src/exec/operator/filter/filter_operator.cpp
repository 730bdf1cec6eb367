#include "exec/operator/operators.h"

namespace aishell {

namespace {

class FilterOperator : public PhysicalOperator {
 public:
  FilterOperator(PhysicalPtr child, ExprPtr predicate)
      : PhysicalOperator("Filter", child->types()), predicate_(std::move(predicate)) {
    children.push_back(std::move(child));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
    std::vector<uint32_t> sel;
  };

  bool IsParallel() const override { return children[0]->IsParallel(); }
  bool KeepsRowOrder() const override { return true; }
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    return st;
  }
  std::string Describe() const override { return "Filter " + predicate_->ToString(); }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    Batch in;
    while (children[0]->Next(*st.child, in)) {
      size_t n = SelectRows(*predicate_, in, st.sel);
      if (n == 0) continue;
      if (n == in.count) {
        out = std::move(in);
      } else {
        out = in.Select(st.sel.data(), n);  // dictionary columns stay dictionaries
      }
      return true;
    }
    return false;
  }

 private:
  ExprPtr predicate_;
};

}  // namespace

PhysicalPtr MakeFilterOperator(PhysicalPtr child, ExprPtr predicate) {
  return std::make_unique<FilterOperator>(std::move(child), std::move(predicate));
}

}  // namespace aishell
