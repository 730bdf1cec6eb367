// UNNEST: repeats each input row once per element of its arrays (zipped to the longest; shorter
// arrays padded with NULL), appending the element columns: an ARRAY's elements (an ARRAY of ROW:
// one column per field), a MAP's keys and values, and the ordinality when asked. Output batches
// hold at most kBatchSize rows; an input row with a long array continues in the next batch.
#include "exec/operator/operators.h"

namespace aishell {

namespace {

class UnnestOperator : public PhysicalOperator {
 public:
  UnnestOperator(PhysicalPtr child, std::vector<ExprPtr> arrays, bool ordinality, bool outer,
                 std::vector<LogicalType> types)
      : PhysicalOperator("Unnest", std::move(types)),
        arrays_(std::move(arrays)),
        ordinality_(ordinality),
        outer_(outer) {
    children.push_back(std::move(child));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
    Batch in;
    std::vector<Vector> arrays;  // evaluated over `in`
    bool have = false;
    size_t row = 0;     // next input row
    uint32_t elem = 0;  // next element of that row
  };

  bool IsParallel() const override { return children[0]->IsParallel(); }
  bool KeepsRowOrder() const override { return true; }
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    return st;
  }
  std::string Describe() const override {
    std::string d = outer_ ? "Unnest (outer)" : "Unnest";
    for (size_t i = 0; i < arrays_.size(); i++) d += (i ? ", " : " ") + arrays_[i]->ToString();
    if (ordinality_) d += " with ordinality";
    return d;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    while (true) {
      if (!st.have) {
        if (!children[0]->Next(*st.child, st.in)) return false;
        st.arrays.clear();
        for (const auto& a : arrays_) st.arrays.push_back(EvaluateExpr(*a, st.in));
        st.have = true;
        st.row = 0;
        st.elem = 0;
      }
      if (Emit(st, out)) return true;
    }
  }

 private:
  // The element count of row `row` of array i (0 when NULL).
  static uint32_t Length(const Vector& array, size_t row) {
    UnifiedView v = array.View();
    if (!v.IsValid(row)) return 0;
    return v.Get<ArrayEntry>(row).length;
  }

  // Fills `out` with up to kBatchSize rows from the current input; false when none were made.
  bool Emit(State& st, Batch& out) {
    std::vector<uint32_t> sel;                                // input row of each output row
    std::vector<std::vector<int64_t>> elems(arrays_.size());  // child row, or -1 for NULL
    std::vector<int64_t> ords;
    while (st.row < st.in.count && sel.size() < kBatchSize) {
      uint32_t longest = 0;
      for (const auto& a : st.arrays) longest = std::max(longest, Length(a, st.row));
      if (longest == 0) {
        if (outer_) {
          sel.push_back(static_cast<uint32_t>(st.row));
          for (auto& e : elems) e.push_back(-1);
          ords.push_back(-1);
        }
        st.row++;
        continue;
      }
      while (st.elem < longest && sel.size() < kBatchSize) {
        sel.push_back(static_cast<uint32_t>(st.row));
        for (size_t i = 0; i < st.arrays.size(); i++) {
          UnifiedView v = st.arrays[i].View();
          bool present = v.IsValid(st.row) && st.elem < v.Get<ArrayEntry>(st.row).length;
          // int64_t on both sides: a uint32_t offset would turn the -1 into 4294967295.
          elems[i].push_back(present
                                 ? static_cast<int64_t>(v.Get<ArrayEntry>(st.row).offset) + st.elem
                                 : int64_t{-1});
        }
        ords.push_back(st.elem + 1);
        st.elem++;
      }
      if (st.elem >= longest) {
        st.row++;
        st.elem = 0;
      }
    }
    if (st.row >= st.in.count) st.have = false;
    if (sel.empty()) return false;
    size_t n = sel.size();
    out = Batch();
    out.count = n;
    for (const auto& c : st.in.columns) out.columns.push_back(c.Select(sel.data(), n));
    size_t col = out.columns.size();
    for (size_t i = 0; i < st.arrays.size(); i++) {
      const Vector& array = st.arrays[i];
      const LogicalType& at = array.type();
      if (at.id == TypeId::kMap) {
        out.columns.push_back(Pick(array.child(0), elems[i], types()[col++]));
        out.columns.push_back(Pick(array.child(1), elems[i], types()[col++]));
        continue;
      }
      const Vector& elements = array.child(0);
      if (elements.type().id == TypeId::kRow) {  // one column per field
        UnifiedView rv = elements.View();
        for (size_t f = 0; f < elements.ChildCount(); f++) {
          std::vector<int64_t> rows(n, -1);
          for (size_t k = 0; k < n; k++) {
            int64_t e = elems[i][k];
            if (e >= 0 && rv.IsValid(static_cast<size_t>(e)))
              rows[k] = rv.Get<uint32_t>(static_cast<size_t>(e));
          }
          out.columns.push_back(Pick(elements.child(f), rows, types()[col++]));
        }
        continue;
      }
      out.columns.push_back(Pick(elements, elems[i], types()[col++]));
    }
    if (ordinality_) {
      Vector ord(LogicalType(TypeId::kBigInt), n);
      ord.Resize(n);
      for (size_t k = 0; k < n; k++) {
        if (ords[k] < 0)
          ord.SetNull(k);
        else
          ord.Data<int64_t>()[k] = ords[k];
      }
      out.columns.push_back(std::move(ord));
    }
    return true;
  }

  // Rows `rows` of `source` (-1: NULL) as a new flat vector of `type`.
  static Vector Pick(const Vector& source, const std::vector<int64_t>& rows,
                     const LogicalType& type) {
    Vector v(type, std::max<size_t>(rows.size(), 1));
    v.Resize(rows.size());
    if (type.id == TypeId::kNull) {
      for (size_t k = 0; k < rows.size(); k++) v.SetNull(k);
      return v;
    }
    for (size_t k = 0; k < rows.size(); k++) {
      if (rows[k] < 0)
        v.SetNull(k);
      else
        v.SetRowFrom(source, static_cast<size_t>(rows[k]), k);
    }
    return v;
  }

  std::vector<ExprPtr> arrays_;
  bool ordinality_;
  bool outer_;
};

}  // namespace

PhysicalPtr MakeUnnestOperator(PhysicalPtr child, std::vector<ExprPtr> arrays, bool ordinality,
                               bool outer, std::vector<LogicalType> output_types) {
  return std::make_unique<UnnestOperator>(std::move(child), std::move(arrays), ordinality, outer,
                                          std::move(output_types));
}

}  // namespace aishell
