// UNION [ALL], INTERSECT [ALL], EXCEPT [ALL]. Rows compare as IS NOT DISTINCT FROM (NULLs equal).
#include <mutex>

#include "common/exception.h"
#include "exec/key_table.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

const char* SetOpName(SetOpKind k) {
  switch (k) {
    case SetOpKind::kUnion:
      return "Union";
    case SetOpKind::kIntersect:
      return "Intersect";
    case SetOpKind::kExcept:
      return "Except";
  }
  return "SetOp";
}

class UnionAllOperator : public PhysicalOperator {
 public:
  UnionAllOperator(PhysicalPtr left, PhysicalPtr right)
      : PhysicalOperator("UnionAll", left->types()) {
    children.push_back(std::move(left));
    children.push_back(std::move(right));
  }
  struct State : OperatorState {
    std::unique_ptr<OperatorState> left, right;
    bool left_done = false;
  };
  bool IsParallel() const override {
    return children[0]->IsParallel() && children[1]->IsParallel();
  }
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->left = children[0]->CreateState();
    st->right = children[1]->CreateState();
    return st;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    if (!st.left_done) {
      if (children[0]->Next(*st.left, out)) return true;
      st.left_done = true;
    }
    return children[1]->Next(*st.right, out);
  }
};

// Distinct and multiset forms: the right input (INTERSECT/EXCEPT) is hashed first with a count
// per distinct row; the left input (and for UNION the right one too) is then streamed.
class HashSetOperator : public PhysicalOperator {
 public:
  HashSetOperator(PhysicalPtr left, PhysicalPtr right, SetOpKind kind, bool all)
      : PhysicalOperator(std::string(SetOpName(kind)) + (all ? " ALL" : ""), left->types()),
        kind_(kind),
        all_(all),
        right_rows_(left->types().size()),
        seen_(left->types().size()) {
    children.push_back(std::move(left));
    children.push_back(std::move(right));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> left, right;
    bool left_done = false;
  };
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->left = children[0]->CreateState();
    st->right = children[1]->CreateState();
    return st;
  }

  void Build(ExecContext& ctx) override {
    memory_ = MemoryReservation(&ctx.memory, "building the hash table of a set operation");
    if (kind_ == SetOpKind::kUnion) return;
    std::mutex m;
    RunParallel(ctx, *children[1], nullptr, [&](int, Batch& b) {
      KeyBatch kb;
      kb.Load(b.columns, b.count);
      std::lock_guard<std::mutex> lock(m);
      bool added = false;
      for (size_t i = 0; i < b.count; i++) {
        bool is_new;
        uint32_t id = right_rows_.FindOrInsertRow(kb, i, &is_new);
        if (is_new) {
          counts_.push_back(0);
          added = true;
        }
        counts_[id]++;
      }
      if (added) Keep(b);
      memory_.Resize(static_cast<int64_t>(right_rows_.MemoryUsage() + counts_.capacity() * 8));
    });
    emitted_.assign(counts_.size(), 0);
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    while (true) {
      Batch in;
      if (!st.left_done) {
        if (!children[0]->Next(*st.left, in)) {
          st.left_done = true;
          continue;
        }
      } else {
        if (kind_ != SetOpKind::kUnion) return false;
        if (!children[1]->Next(*st.right, in)) return false;
      }
      KeyBatch kb;
      kb.Load(in.columns, in.count);
      sel_.clear();
      bool added = false;
      for (size_t i = 0; i < in.count; i++) {
        if (kind_ == SetOpKind::kUnion) {
          if (all_) {
            sel_.push_back(static_cast<uint32_t>(i));
            continue;
          }
          bool is_new;
          seen_.FindOrInsertRow(kb, i, &is_new);
          if (is_new) {
            sel_.push_back(static_cast<uint32_t>(i));
            added = true;
          }
          continue;
        }
        uint32_t id = right_rows_.FindRow(kb, i);
        bool in_right = id != KeyTable::kNotFound;
        if (kind_ == SetOpKind::kIntersect) {
          if (!in_right) continue;
          if (all_) {
            if (counts_[id] > 0) {
              counts_[id]--;
              sel_.push_back(static_cast<uint32_t>(i));
            }
          } else if (!emitted_[id]) {
            emitted_[id] = 1;
            sel_.push_back(static_cast<uint32_t>(i));
          }
        } else {  // EXCEPT
          if (all_) {
            if (in_right && counts_[id] > 0) {
              counts_[id]--;
            } else {
              sel_.push_back(static_cast<uint32_t>(i));
            }
          } else if (!in_right) {
            bool is_new;
            seen_.FindOrInsertRow(kb, i, &is_new);
            if (is_new) {
              sel_.push_back(static_cast<uint32_t>(i));
              added = true;
            }
          }
        }
      }
      if (added) {
        Keep(in);
        memory_.Resize(static_cast<int64_t>(right_rows_.MemoryUsage() + seen_.MemoryUsage() +
                                            counts_.capacity() * 8));
      }
      if (sel_.empty()) continue;
      if (sel_.size() == in.count)
        out = std::move(in);
      else
        out = in.Gather(sel_.data(), sel_.size());
      return true;
    }
  }

 private:
  void Keep(const Batch& b) {  // hashed string keys point into these vectors
    for (const auto& c : b.columns) {
      if (c.type().IsStringLike()) kept_.push_back(c);
    }
  }

  SetOpKind kind_;
  bool all_;
  KeyTable right_rows_;
  KeyTable seen_;
  std::vector<int64_t> counts_;
  std::vector<uint8_t> emitted_;
  std::vector<uint32_t> sel_;
  std::vector<Vector> kept_;
  MemoryReservation memory_;
};

}  // namespace

PhysicalPtr MakeSetOperator(PhysicalPtr left, PhysicalPtr right, const LogicalSetOperation& op) {
  if (op.set_op == SetOpKind::kUnion && op.all) {
    return std::make_unique<UnionAllOperator>(std::move(left), std::move(right));
  }
  return std::make_unique<HashSetOperator>(std::move(left), std::move(right), op.set_op, op.all);
}

}  // namespace aishell
