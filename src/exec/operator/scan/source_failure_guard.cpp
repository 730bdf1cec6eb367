// The source failure guard of federation.on_source_failure = continue (operators.h).
#include <atomic>

#include "common/exception.h"
#include "exec/operator/operators.h"

namespace aishell {

bool IsSourceFailure(const Error& error) {
  return error.kind() == ErrorKind::kConnector || error.kind() == ErrorKind::kIo;
}

std::string SourceFailureWarning(const Error& error, const std::string& missing) {
  return std::string(error.what()) +
         "\n    Returning partial results (federation.on_source_failure = continue)" +
         "\n    Missing: " + missing;
}

namespace {

class SourceFailureGuard : public PhysicalOperator {
 public:
  SourceFailureGuard(PhysicalPtr input, std::string sources, std::string missing)
      : PhysicalOperator("SourceFailureGuard", input->types()),
        sources_(std::move(sources)),
        missing_(std::move(missing)) {
    children.push_back(std::move(input));
  }

  bool IsParallel() const override { return children[0]->IsParallel(); }
  bool KeepsRowOrder() const override { return true; }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
  };
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    if (!failed_.load()) st->child = children[0]->CreateState();
    return st;
  }

  std::string Describe() const override {
    return "SourceFailureGuard [" + sources_ + "]" + (failed_.load() ? " failed" : "");
  }

 protected:
  void PrepareChildren(ExecContext& ctx) override {
    try {
      children[0]->Prepare(ctx);
    } catch (const Error& e) {
      Absorb(ctx, e);
    }
  }

  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    if (failed_.load(std::memory_order_acquire) || !st.child) return false;
    try {
      return children[0]->Next(*st.child, out);
    } catch (const Error& e) {
      Absorb(*ctx_, e);
      out = Batch();
      return false;
    }
  }

 private:
  void Absorb(ExecContext& ctx, const Error& e) {
    if (!IsSourceFailure(e)) throw;
    failed_.store(true, std::memory_order_release);
    ctx.AddWarning(SourceFailureWarning(e, missing_));
  }

  std::string sources_;
  std::string missing_;
  std::atomic<bool> failed_{false};
};

}  // namespace

PhysicalPtr MakeSourceFailureGuard(PhysicalPtr input, std::string sources, std::string missing) {
  return std::make_unique<SourceFailureGuard>(std::move(input), std::move(sources),
                                              std::move(missing));
}

}  // namespace aishell
