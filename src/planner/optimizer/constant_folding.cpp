// Rule: constant folding. Constant, deterministic sub-expressions are evaluated once at plan
// time (ExpressionExecutor::EvaluateConstant); AND/OR with constant operands are simplified;
// a Filter whose predicate folds to TRUE is removed; one that folds to FALSE or NULL becomes an
// empty VALUES (its input is never read). An expression whose evaluation fails
// (e.g. 1/0) is left alone so that the error surfaces at run time, only if the row is reached.
#include "common/exception.h"
#include "expr/expression_executor.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

bool IsBoolConstant(const ExprPtr& e, bool value) {
  return e->kind == ExprKind::kConstant && !e->value.is_null() &&
         e->value.type().id == TypeId::kBoolean && e->value.GetBool() == value;
}

ExprPtr Fold(const ExprPtr& expr) {
  if (!expr) return expr;
  if (expr->kind == ExprKind::kConstant || expr->kind == ExprKind::kColumnRef) return expr;
  auto e = std::make_shared<Expr>(*expr);
  for (auto& c : e->children) c = Fold(c);
  if (e->window) {
    auto w = std::make_shared<WindowSpec>(*e->window);
    for (auto& p : w->partition_by) p = Fold(p);
    for (auto& k : w->order_by) k.expr = Fold(k.expr);
    e->window = std::move(w);
  }
  if (e->kind == ExprKind::kAnd || e->kind == ExprKind::kOr) {
    bool is_and = e->kind == ExprKind::kAnd;
    std::vector<ExprPtr> kept;
    for (auto& c : e->children) {
      if (IsBoolConstant(c, !is_and))
        return MakeConstant(Value::Boolean(!is_and));  // x AND FALSE, x OR TRUE
      if (IsBoolConstant(c, is_and)) continue;         // x AND TRUE, x OR FALSE
      kept.push_back(c);
    }
    if (kept.empty()) return MakeConstant(Value::Boolean(is_and));
    if (kept.size() == 1) return kept[0];
    e->children = std::move(kept);
  }
  if (e->kind == ExprKind::kAggregate || e->kind == ExprKind::kWindow) return e;
  if (IsConstant(*e) && IsDeterministic(*e)) {
    try {
      Value v = ExpressionExecutor::EvaluateConstant(*e);
      if (v.is_null()) v = Value::Null(e->type);
      auto c = MakeConstant(std::move(v));
      c->type = e->type;
      return c;
    } catch (const Error&) {
      return e;  // leave it for run time
    }
  }
  return e;
}

void FoldList(std::vector<ExprPtr>& exprs) {
  for (auto& e : exprs) e = Fold(e);
}

LogicalPtr FoldNode(LogicalPtr op) {
  for (auto& c : op->children) c = FoldNode(c);
  switch (op->kind) {
    case LogicalOpKind::kFilter: {
      auto& f = static_cast<LogicalFilter&>(*op);
      f.predicate = Fold(f.predicate);
      if (IsBoolConstant(f.predicate, true)) return op->children[0];
      if (f.predicate->kind == ExprKind::kConstant &&
          (f.predicate->value.is_null() || IsBoolConstant(f.predicate, false))) {
        // WHERE FALSE: no rows, and no need to read the input at all.
        auto empty = std::make_shared<LogicalValues>();
        empty->output = op->output;
        return empty;
      }
      break;
    }
    case LogicalOpKind::kProject:
      FoldList(static_cast<LogicalProject&>(*op).exprs);
      break;
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<LogicalAggregate&>(*op);
      FoldList(a.groups);
      for (auto& agg : a.aggregates) {
        auto folded = std::make_shared<Expr>(*agg);
        FoldList(folded->children);
        agg = folded;
      }
      break;
    }
    case LogicalOpKind::kJoin: {
      auto& j = static_cast<LogicalJoin&>(*op);
      FoldList(j.left_keys);
      FoldList(j.right_keys);
      if (j.condition) {
        j.condition = Fold(j.condition);
        if (IsBoolConstant(j.condition, true)) j.condition = nullptr;
      }
      break;
    }
    case LogicalOpKind::kSort:
      for (auto& k : static_cast<LogicalSort&>(*op).keys) k.expr = Fold(k.expr);
      break;
    case LogicalOpKind::kWindow:
      FoldList(static_cast<LogicalWindow&>(*op).window_exprs);
      break;
    case LogicalOpKind::kValues:
      for (auto& row : static_cast<LogicalValues&>(*op).rows) FoldList(row);
      break;
    default:
      break;
  }
  return op;
}

}  // namespace

ExprPtr FoldConstantExpr(const ExprPtr& expr) { return Fold(expr); }

LogicalPtr FoldConstants(LogicalPtr plan) { return FoldNode(std::move(plan)); }

}  // namespace aishell
