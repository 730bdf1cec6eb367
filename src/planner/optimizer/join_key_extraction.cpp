// Rule: equi-join key extraction. Conjuncts of a join condition of the form
// <expr over the left input> = <expr over the right input> become left_keys/right_keys (cast
// to a common type when they differ), the rest stays as the residual condition (a constant is a
// left key of a null-aware anti join, whose NULL semantics need keys). A cross join
// with a condition becomes an inner join. <left> IS NOT DISTINCT FROM <right> (NULL equals
// NULL) becomes two keys that are never NULL: `x IS NULL` and `coalesce(x, <a constant>)`.
#include <optional>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// A constant of `type` for coalesce(key, constant) (any value does: `key IS NULL` is a key
// beside it); nullopt for types without one here (the comparison stays a residual condition).
std::optional<Value> FillValue(const LogicalType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return Value::Boolean(false);
    case TypeId::kTinyInt:
      return Value::TinyInt(0);
    case TypeId::kSmallInt:
      return Value::SmallInt(0);
    case TypeId::kInteger:
      return Value::Integer(0);
    case TypeId::kBigInt:
      return Value::BigInt(0);
    case TypeId::kReal:
      return Value::Real(0);
    case TypeId::kDouble:
      return Value::Double(0);
    case TypeId::kDecimal:
      return Value::Decimal(0, type.precision, type.scale);
    case TypeId::kVarchar:
      return Value::Varchar("");
    case TypeId::kDate:
      return Value::Date(0);
    case TypeId::kTimestamp:
      return Value::Timestamp(0);
    default:
      return std::nullopt;
  }
}

ExprPtr IsNullExpr(ExprPtr e) {
  auto r = std::make_shared<Expr>();
  r->kind = ExprKind::kIsNull;
  r->type = LogicalType(TypeId::kBoolean);
  r->children = {std::move(e)};
  return r;
}

ExprPtr CoalesceExpr(ExprPtr e, Value fill) {
  auto r = std::make_shared<Expr>();
  r->kind = ExprKind::kCoalesce;
  r->type = e->type;
  r->children = {std::move(e), MakeConstant(std::move(fill))};
  return r;
}

void Extract(LogicalJoin& join) {
  if (!join.condition) return;
  int left_size = static_cast<int>(join.children[0]->output.size());
  int total = left_size + static_cast<int>(join.children[1]->output.size());
  std::vector<ExprPtr> residual;
  for (auto& c : SplitConjunction(join.condition)) {
    bool not_distinct = c->kind == ExprKind::kComparison &&
                        c->op == CompareOp::kIsNotDistinctFrom && IsDeterministic(*c);
    if (c->kind == ExprKind::kComparison && (c->op == CompareOp::kEq || not_distinct) &&
        IsDeterministic(*c)) {
      ExprPtr a = c->children[0], b = c->children[1];
      bool a_left = HasColumnRefs(*a) && RefsWithin(*a, 0, left_size);
      bool a_right = HasColumnRefs(*a) && RefsWithin(*a, left_size, total);
      bool b_left = HasColumnRefs(*b) && RefsWithin(*b, 0, left_size);
      bool b_right = HasColumnRefs(*b) && RefsWithin(*b, left_size, total);
      // A null-aware anti join (NOT IN) keeps its NULL semantics only with keys: a constant on
      // the left ("3 NOT IN (SELECT ...)") is a left key too, not a residual condition.
      if (join.null_aware && !HasColumnRefs(*a) && b_right) a_left = true;
      ExprPtr lk, rk;
      if (a_left && b_right) {
        lk = a;
        rk = b;
      } else if (a_right && b_left) {
        lk = b;
        rk = a;
      }
      if (lk) {
        if (lk->type != rk->type) {
          auto common = CommonSuperType(lk->type, rk->type);
          if (!common) {
            residual.push_back(c);
            continue;
          }
          lk = MakeCast(lk, *common);
          rk = MakeCast(rk, *common);
        }
        if (not_distinct) {
          std::optional<Value> fill = FillValue(lk->type);
          if (!fill) {
            residual.push_back(c);
            continue;
          }
          join.left_keys.push_back(IsNullExpr(lk));
          join.right_keys.push_back(ShiftColumns(IsNullExpr(rk), -left_size));
          lk = CoalesceExpr(lk, *fill);
          rk = CoalesceExpr(rk, *fill);
        }
        join.left_keys.push_back(lk);
        join.right_keys.push_back(ShiftColumns(rk, -left_size));
        continue;
      }
    }
    residual.push_back(c);
  }
  join.condition = residual.empty() ? nullptr : MakeAnd(residual);
}

void Visit(const LogicalPtr& op) {
  for (auto& c : op->children) Visit(c);
  if (op->kind != LogicalOpKind::kJoin) return;
  auto& join = static_cast<LogicalJoin&>(*op);
  if (join.join_type == JoinType::kCross && join.condition) join.join_type = JoinType::kInner;
  Extract(join);
}

}  // namespace

LogicalPtr ExtractJoinKeys(LogicalPtr plan) {
  Visit(plan);
  return plan;
}

}  // namespace aishell
