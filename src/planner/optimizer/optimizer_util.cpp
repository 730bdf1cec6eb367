#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// Whether `expr` is NULL whenever every column in `null_columns` is NULL.
bool IsNullStrict(const Expr& expr, const std::vector<bool>& null_columns) {
  switch (expr.kind) {
    case ExprKind::kColumnRef:
      return expr.column_index >= 0 &&
             static_cast<size_t>(expr.column_index) < null_columns.size() &&
             null_columns[expr.column_index];
    case ExprKind::kCast:
      return IsNullStrict(*expr.children[0], null_columns);
    case ExprKind::kFunction:
      if (!expr.function || !expr.function->null_propagating) return false;
      for (const auto& c : expr.children) {
        if (IsNullStrict(*c, null_columns)) return true;
      }
      return false;
    case ExprKind::kComparison:
      if (expr.op == CompareOp::kIsDistinctFrom || expr.op == CompareOp::kIsNotDistinctFrom)
        return false;
      return IsNullStrict(*expr.children[0], null_columns) ||
             IsNullStrict(*expr.children[1], null_columns);
    case ExprKind::kLike:
      return IsNullStrict(*expr.children[0], null_columns) ||
             IsNullStrict(*expr.children[1], null_columns);
    case ExprKind::kIn:
      return IsNullStrict(*expr.children[0], null_columns);
    case ExprKind::kNot:
      return IsNullStrict(*expr.children[0], null_columns);
    case ExprKind::kAnd:
    case ExprKind::kOr:
      // NULL AND x may be FALSE; NULL OR x may be TRUE: strict only if all are.
      for (const auto& c : expr.children) {
        if (!IsNullStrict(*c, null_columns)) return false;
      }
      return !expr.children.empty();
    default:
      return false;
  }
}

}  // namespace

bool IsNullRejecting(const Expr& expr, const std::vector<bool>& null_columns) {
  switch (expr.kind) {
    case ExprKind::kIsNotNull:
      return IsNullStrict(*expr.children[0], null_columns);
    case ExprKind::kAnd:
      for (const auto& c : expr.children) {
        if (IsNullRejecting(*c, null_columns)) return true;
      }
      return false;
    case ExprKind::kOr:
      for (const auto& c : expr.children) {
        if (!IsNullRejecting(*c, null_columns)) return false;
      }
      return !expr.children.empty();
    default:
      return IsNullStrict(expr, null_columns);
  }
}

bool RefsWithin(const Expr& expr, int begin, int end) {
  std::vector<int> refs;
  CollectColumnRefs(expr, &refs);
  for (int r : refs) {
    if (r < begin || r >= end) return false;
  }
  return true;
}

bool HasColumnRefs(const Expr& expr) {
  std::vector<int> refs;
  CollectColumnRefs(expr, &refs);
  return !refs.empty();
}

ExprPtr ShiftColumns(const ExprPtr& expr, int delta) {
  std::vector<int> refs;
  CollectColumnRefs(*expr, &refs);
  int max_ref = -1;
  for (int r : refs) max_ref = std::max(max_ref, r);
  std::vector<int> mapping(static_cast<size_t>(max_ref + 1));
  for (int i = 0; i <= max_ref; i++) mapping[i] = i + delta;
  return RemapColumns(expr, mapping);
}

LogicalPtr MakeFilterNode(LogicalPtr child, std::vector<ExprPtr> conjuncts) {
  if (conjuncts.empty()) return child;
  auto filter = std::make_shared<LogicalFilter>();
  filter->predicate = MakeAnd(std::move(conjuncts));
  filter->output = child->output;
  filter->children.push_back(std::move(child));
  return filter;
}

std::vector<ExprPtr> IdentityRefs(const LogicalOperator& op) {
  std::vector<ExprPtr> refs;
  for (size_t i = 0; i < op.output.size(); i++) {
    refs.push_back(MakeColumnRef(static_cast<int>(i), op.output[i].type, op.output[i].name));
  }
  return refs;
}

const Expr& WithoutIntegerWidening(const Expr& key) {
  if (key.kind == ExprKind::kCast && key.children.size() == 1 && key.children[0] &&
      IntegerRank(key.type.id) > 0 && IntegerRank(key.children[0]->type.id) > 0 &&
      IntegerRank(key.children[0]->type.id) <= IntegerRank(key.type.id))
    return *key.children[0];
  return key;
}

}  // namespace aishell
