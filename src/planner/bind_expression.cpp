// Binding of expressions: names, types, implicit coercions, functions, aggregates, windows.
#include <algorithm>
#include <cctype>

#include "common/exception.h"
#include "functions/nested_functions.h"
#include "planner/bind_lambda.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"
#include "planner/subquery_unnesting.h"

namespace aishell {

std::string LowerName(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ExprPtr CastTo(ExprPtr expr, const LogicalType& type, int position) {
  if (expr->type == type) return expr;
  if (expr->kind == ExprKind::kConstant && expr->value.is_null()) {
    return MakeConstant(Value::Null(type));
  }
  auto cast = MakeCast(std::move(expr), type);
  if (cast->kind == ExprKind::kCast && cast->position < 0) cast->position = position;
  return cast;
}

namespace {

bool IsStringLiteral(const ExprPtr& e) {
  return e->kind == ExprKind::kConstant && e->type.id == TypeId::kVarchar;
}

// Types a string literal compared with them is read as (DATE '...' without the keyword).
bool TakesStringLiterals(const LogicalType& t) {
  return t.IsNumeric() || t.IsTemporal() || t.id == TypeId::kBoolean || t.id == TypeId::kUuid ||
         t.id == TypeId::kTime;
}

}  // namespace

ExprPtr BindComparisonExpr(CompareOp op, ExprPtr left, ExprPtr right, int position) {
  if (left->type != right->type) {
    // Trino: a string literal compared with a date/number/timestamp is coerced to that type.
    if (IsStringLiteral(right) && TakesStringLiterals(left->type)) {
      right = MakeCast(right, left->type);
    } else if (IsStringLiteral(left) && TakesStringLiterals(right->type)) {
      left = MakeCast(left, right->type);
    } else {
      auto common = CommonSuperType(left->type, right->type);
      if (!common) {
        throw Error(ErrorKind::kBinder,
                    std::string("cannot compare ") + left->type.ToString() + " with " +
                        right->type.ToString() + " (operator " + CompareOpSymbol(op) + ")",
                    position);
      }
      left = CastTo(left, *common);
      right = CastTo(right, *common);
    }
  }
  return MakeComparison(op, std::move(left), std::move(right));
}

ExprPtr BindScalarCall(const std::string& name, std::vector<ExprPtr> args, int position) {
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a->type);
  std::vector<LogicalType> coerced;
  std::shared_ptr<const ScalarFunction> fn;
  try {
    fn = FunctionRegistry::Get().BindScalar(name, types, &coerced);
  } catch (const Error& e) {
    if (e.position() < 0) throw Error(e.kind(), e.what(), position);
    throw;
  }
  if (!fn) {
    if (FunctionRegistry::Get().IsAggregate(name)) {
      throw Error(ErrorKind::kBinder, "aggregate function '" + name + "' is not allowed here",
                  position);
    }
    std::string hint = SuggestName(name, FunctionRegistry::Get().Names());
    throw Error(ErrorKind::kBinder,
                "function '" + name + "' not found" +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                position);
  }
  for (size_t i = 0; i < args.size() && i < coerced.size(); i++)
    args[i] = CastTo(args[i], coerced[i], position);
  auto call = MakeFunction(std::move(fn), std::move(args));
  call->position = position;
  return call;
}

ExprPtr EnsureBoolean(ExprPtr expr, const char* clause, int position) {
  if (expr->type.id == TypeId::kBoolean) return expr;
  if (expr->type.id == TypeId::kNull) return CastTo(expr, LogicalType(TypeId::kBoolean));
  throw Error(ErrorKind::kBinder,
              std::string(clause) + " must be a boolean expression, not " + expr->type.ToString(),
              position);
}

namespace {

LogicalType UnifyTypes(const std::vector<ExprPtr>& exprs, int position, const char* what) {
  LogicalType t(TypeId::kNull);
  for (const auto& e : exprs) {
    auto common = CommonSuperType(t, e->type);
    if (!common) {
      throw Error(ErrorKind::kBinder,
                  std::string(what) + ": cannot mix " + t.ToString() + " and " + e->type.ToString(),
                  position);
    }
    t = *common;
  }
  return t;
}

bool NameMatches(const std::string& a, const std::string& b) {
  return LowerName(a) == LowerName(b);
}

std::string ColumnLabel(const ScopeColumn& c) {
  return c.table.empty() ? c.name : c.table + "." + c.name;
}

}  // namespace

ExprPtr Binder::BindColumnRef(const ColumnRefExpression& ref, const Scope& scope) {
  const auto& parts = ref.name.parts;
  const std::string& column = parts.back();
  std::string table, schema, catalog;
  if (parts.size() >= 2) table = LowerName(parts[parts.size() - 2]);
  if (parts.size() >= 3) schema = LowerName(parts[parts.size() - 3]);
  if (parts.size() >= 4) catalog = LowerName(parts[parts.size() - 4]);
  int found = -1;
  int matches = 0;
  for (size_t i = 0; i < scope.columns.size(); i++) {
    const auto& c = scope.columns[i];
    if (!NameMatches(c.name, column)) continue;
    if (parts.size() == 1 && c.qualified_only) continue;
    if (!table.empty() && c.table != table) continue;
    if (!schema.empty() && c.schema != schema) continue;
    if (!catalog.empty() && c.catalog != catalog) continue;
    if (found < 0) found = static_cast<int>(i);
    matches++;
  }
  if (matches > 1) {
    std::string tables;
    for (const auto& c : scope.columns) {
      if (NameMatches(c.name, column) && !c.qualified_only && !c.table.empty()) {
        tables += (tables.empty() ? "" : ", ") + c.table + "." + c.name;
      }
    }
    throw Error(ErrorKind::kBinder,
                "column reference '" + ref.name.Joined() + "' is ambiguous" +
                    (tables.empty() ? "" : " (" + tables + ")"),
                ref.position);
  }
  if (found < 0 && parts.size() >= 2) {
    // r.field, t.r.field, ...: the longest prefix that names a column, then ROW fields.
    for (size_t k = parts.size() - 1; k >= 1; k--) {
      ColumnRefExpression prefix;
      prefix.position = ref.position;
      prefix.name = ref.name;
      prefix.name.parts.resize(k);
      if (prefix.name.quoted.size() > k) prefix.name.quoted.resize(k);
      ExprPtr base;
      try {
        base = BindColumnRef(prefix, scope);
      } catch (const Error&) {
        continue;
      }
      for (size_t p = k; p < parts.size() && base; p++) {
        const LogicalType& t = base->type;
        if (t.id != TypeId::kRow) {
          throw Error(ErrorKind::kBinder,
                      "'" + prefix.name.Joined() + "' is a " + t.ToString() +
                          ", which has no field '" + parts[p] + "'",
                      ref.position);
        }
        size_t field = t.FieldNames().size();
        for (size_t f = 0; f < t.FieldNames().size(); f++) {
          if (NameMatches(t.FieldNames()[f], parts[p])) {
            field = f;
            break;
          }
        }
        if (field == t.FieldNames().size()) {
          std::string names;
          for (const auto& n : t.FieldNames()) names += (names.empty() ? "" : ", ") + n;
          throw Error(ErrorKind::kBinder,
                      "no field '" + parts[p] + "' in " + t.ToString() + " (fields: " + names + ")",
                      ref.position);
        }
        base = MakeFunction(MakeFieldAccess(t, field), {base});
      }
      return base;
    }
  }
  if (found < 0) {
    if (ExprPtr outer = BindOuterColumnRef(ref)) return outer;
    std::vector<std::string> candidates;
    bool table_known = table.empty();
    for (const auto& c : scope.columns) {
      if (!table.empty() && c.table != table) continue;
      if (!table.empty()) table_known = true;
      candidates.push_back(c.name);
    }
    if (!table_known) {
      std::vector<std::string> tables;
      for (const auto& c : scope.columns) {
        if (!c.table.empty()) tables.push_back(c.table);
      }
      std::string hint = SuggestName(table, tables);
      throw Error(ErrorKind::kBinder,
                  "table or alias '" + table + "' not found for column '" + ref.name.Joined() +
                      "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                  ref.position);
    }
    std::string hint = SuggestName(column, candidates);
    throw Error(ErrorKind::kBinder,
                "column '" + ref.name.Joined() + "' not found" +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                ref.position);
  }
  const auto& c = scope.columns[found];
  return MakeColumnRef(found, c.type, ColumnLabel(c));
}

namespace {

void SetPositions(Expr& e, int position) {
  if (e.position >= 0) e.position = position;
  for (auto& c : e.children) {
    if (c) SetPositions(*c, position);
  }
}

}  // namespace

ExprPtr Binder::BindExpr(const ParsedExpression& expr, BindContext& ctx) {
  ExprPtr bound = BindExprNode(expr, ctx);
  if (view_depth_ > 0 && bound) SetPositions(*bound, view_position_);
  return bound;
}

ExprPtr Binder::BindCrossTableKeyEquality(const ExprPtr& left, const ExprPtr& right,
                                          const BindContext& ctx) {
  if (!ctx.scope || ctx.aggregate) return nullptr;
  if (left->kind != ExprKind::kColumnRef || right->kind != ExprKind::kColumnRef) return nullptr;
  const auto& columns = ctx.scope->columns;
  auto in_scope = [&](const ExprPtr& e) {
    return e->column_index >= 0 && e->column_index < static_cast<int>(columns.size());
  };
  if (!in_scope(left) || !in_scope(right)) return nullptr;
  const ExprPtr* integer = nullptr;
  const ExprPtr* text = nullptr;
  if (left->type.IsIntegral() && right->type.id == TypeId::kVarchar) {
    integer = &left;
    text = &right;
  } else if (right->type.IsIntegral() && left->type.id == TypeId::kVarchar) {
    integer = &right;
    text = &left;
  } else {
    return nullptr;
  }
  const ScopeColumn& ic = columns[(*integer)->column_index];
  const ScopeColumn& tc = columns[(*text)->column_index];
  if (ic.table.empty() || tc.table.empty()) return nullptr;
  if (ic.table == tc.table && ic.schema == tc.schema && ic.catalog == tc.catalog) return nullptr;
  // The VARCHAR side is read as the integer type (TRY_CAST: a string that is not an integer
  // of that type matches nothing). Casting the integer to VARCHAR instead would make '007' and
  // '7' differ; the integer side stays a bare column, so it can still be looked up by key.
  const LogicalType& type = (*integer)->type;
  ExprPtr cast = MakeCast(*text, type, /*try_cast=*/true);
  auto label = [](const ScopeColumn& c) {
    return (c.catalog.empty() ? "" : c.catalog + " ") + c.table + "." + c.name;
  };
  std::string notice = "Type mismatch on a join key: " + label(ic) + " (" + type.ToString() +
                       ") = " + label(tc) + " (" + (*text)->type.ToString() +
                       "). Auto-converting: TRY_CAST(" + tc.table + "." + tc.name + " AS " +
                       type.ToString() + "); values that are not integers match nothing";
  if (std::find(notices_.begin(), notices_.end(), notice) == notices_.end())
    notices_.push_back(notice);
  return text == &right ? MakeComparison(CompareOp::kEq, left, cast)
                        : MakeComparison(CompareOp::kEq, cast, right);
}

ExprPtr Binder::BindExprNode(const ParsedExpression& expr, BindContext& ctx) {
  // Post-aggregation: an expression equal to a GROUP BY expression is that group column.
  if (ctx.aggregate && expr.kind != ExpressionKind::kLiteral) {
    auto& agg = *ctx.aggregate;
    std::string text = expr.ToString();
    for (size_t i = 0; i < agg.group_texts.size(); i++) {
      if (agg.group_texts[i] == text)
        return MakeColumnRef(static_cast<int>(i), agg.groups[i]->type, text);
    }
  }
  switch (expr.kind) {
    case ExpressionKind::kLiteral: {
      Value v = LiteralToValue(expr.As<LiteralExpression>());
      return MakeConstant(std::move(v));
    }
    case ExpressionKind::kColumnRef: {
      const auto& ref = expr.As<ColumnRefExpression>();
      if (ctx.alias_names && ref.name.size() == 1) {
        std::string n = LowerName(ref.column_name());
        for (size_t i = 0; i < ctx.alias_names->size(); i++) {
          if ((*ctx.alias_names)[i] == n) return (*ctx.alias_exprs)[i]->Copy();
        }
      }
      if (ctx.aggregate) {
        auto& agg = *ctx.aggregate;
        ExprPtr input = BindColumnRef(ref, *agg.input);
        if (IsOuterRef(*input)) return input;
        for (size_t i = 0; i < agg.groups.size(); i++) {
          if (agg.groups[i]->kind == ExprKind::kColumnRef &&
              agg.groups[i]->column_index == input->column_index) {
            return MakeColumnRef(static_cast<int>(i), input->type, input->name);
          }
        }
        throw Error(ErrorKind::kBinder,
                    "column '" + ref.name.Joined() +
                        "' must appear in the GROUP BY clause or be used in an aggregate function",
                    ref.position);
      }
      if (!ctx.scope)
        throw Error(ErrorKind::kBinder, "column '" + ref.name.Joined() + "' is not allowed here",
                    ref.position);
      return BindColumnRef(ref, *ctx.scope);
    }
    case ExpressionKind::kStar:
      throw Error(ErrorKind::kBinder, "'*' is not allowed here", expr.position);
    case ExpressionKind::kFunction:
      return BindFunction(expr.As<FunctionCallExpression>(), ctx);
    case ExpressionKind::kCast: {
      const auto& c = expr.As<CastExpression>();
      auto type = ParseTypeName(c.type_name);
      if (!type)
        throw Error(ErrorKind::kBinder, "unknown type '" + c.type_name + "'", expr.position);
      ExprPtr child = BindExpr(*c.child, ctx);
      if (child->kind == ExprKind::kConstant && child->value.is_null())
        return MakeConstant(Value::Null(*type));
      if (child->type == *type && !c.try_cast) return child;
      auto cast = MakeCast(child, *type, c.try_cast);
      cast->position = expr.position;
      return cast;
    }
    case ExpressionKind::kCase:
      return BindCase(expr.As<CaseExpression>(), ctx);
    case ExpressionKind::kUnary: {
      const auto& u = expr.As<UnaryExpression>();
      ExprPtr child = BindExpr(*u.child, ctx);
      switch (u.op) {
        case UnaryOp::kPlus:
          if (!child->type.IsNumeric() && child->type.id != TypeId::kInterval &&
              child->type.id != TypeId::kNull) {
            throw Error(ErrorKind::kBinder,
                        "unary '+' needs a number, not " + child->type.ToString(), expr.position);
          }
          return child;
        case UnaryOp::kNegate:
          return BindScalarCall("negate", {child}, expr.position);
        case UnaryOp::kNot:
          return MakeNot(EnsureBoolean(child, "NOT operand", expr.position));
      }
      break;
    }
    case ExpressionKind::kBinary: {
      const auto& b = expr.As<BinaryExpression>();
      if (b.op == BinaryOp::kAnd || b.op == BinaryOp::kOr) {
        ExprPtr l =
            EnsureBoolean(BindExpr(*b.left, ctx),
                          b.op == BinaryOp::kAnd ? "AND operand" : "OR operand", b.left->position);
        ExprPtr r =
            EnsureBoolean(BindExpr(*b.right, ctx),
                          b.op == BinaryOp::kAnd ? "AND operand" : "OR operand", b.right->position);
        return b.op == BinaryOp::kAnd ? MakeAnd({l, r}) : MakeOr({l, r});
      }
      ExprPtr l = BindExpr(*b.left, ctx);
      ExprPtr r = BindExpr(*b.right, ctx);
      switch (b.op) {
        case BinaryOp::kAdd:
          return BindScalarCall("add", {l, r}, expr.position);
        case BinaryOp::kSubtract:
          return BindScalarCall("subtract", {l, r}, expr.position);
        case BinaryOp::kMultiply:
          return BindScalarCall("multiply", {l, r}, expr.position);
        case BinaryOp::kDivide:
          return BindScalarCall("divide", {l, r}, expr.position);
        case BinaryOp::kModulo:
          return BindScalarCall("modulus", {l, r}, expr.position);
        case BinaryOp::kConcat:
          return BindScalarCall("concat", {l, r}, expr.position);
        case BinaryOp::kEqual:
          if (ExprPtr key = BindCrossTableKeyEquality(l, r, ctx)) return key;
          return BindComparisonExpr(CompareOp::kEq, l, r, expr.position);
        case BinaryOp::kNotEqual:
          return BindComparisonExpr(CompareOp::kNe, l, r, expr.position);
        case BinaryOp::kLess:
          return BindComparisonExpr(CompareOp::kLt, l, r, expr.position);
        case BinaryOp::kLessEqual:
          return BindComparisonExpr(CompareOp::kLe, l, r, expr.position);
        case BinaryOp::kGreater:
          return BindComparisonExpr(CompareOp::kGt, l, r, expr.position);
        case BinaryOp::kGreaterEqual:
          return BindComparisonExpr(CompareOp::kGe, l, r, expr.position);
        case BinaryOp::kIsDistinctFrom:
          return BindComparisonExpr(CompareOp::kIsDistinctFrom, l, r, expr.position);
        case BinaryOp::kIsNotDistinctFrom:
          return BindComparisonExpr(CompareOp::kIsNotDistinctFrom, l, r, expr.position);
        default:
          break;
      }
      break;
    }
    case ExpressionKind::kIsNull: {
      const auto& n = expr.As<IsNullExpression>();
      auto e = std::make_shared<Expr>();
      e->kind = n.negated ? ExprKind::kIsNotNull : ExprKind::kIsNull;
      e->type = LogicalType(TypeId::kBoolean);
      e->children.push_back(BindExpr(*n.child, ctx));
      return e;
    }
    case ExpressionKind::kBetween: {
      const auto& b = expr.As<BetweenExpression>();
      ExprPtr v = BindExpr(*b.value, ctx);
      ExprPtr lo = BindExpr(*b.low, ctx);
      ExprPtr hi = BindExpr(*b.high, ctx);
      ExprPtr both = MakeAnd({BindComparisonExpr(CompareOp::kGe, v, lo, expr.position),
                              BindComparisonExpr(CompareOp::kLe, v->Copy(), hi, expr.position)});
      return b.negated ? MakeNot(both) : both;
    }
    case ExpressionKind::kInList: {
      const auto& in = expr.As<InListExpression>();
      ExprPtr v = BindExpr(*in.value, ctx);
      std::vector<ExprPtr> items;
      for (const auto& item : in.list) {
        ExprPtr e = BindExpr(*item, ctx);
        // A string literal in a list compared with a number/date column: coerce the literal.
        if (IsStringLiteral(e) && (v->type.IsNumeric() || v->type.IsTemporal()))
          e = MakeCast(e, v->type);
        items.push_back(e);
      }
      std::vector<ExprPtr> all = {v};
      all.insert(all.end(), items.begin(), items.end());
      LogicalType t = UnifyTypes(all, expr.position, "IN list");
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kIn;
      e->type = LogicalType(TypeId::kBoolean);
      e->negated = in.negated;
      for (auto& a : all) e->children.push_back(CastTo(a, t));
      return e;
    }
    case ExpressionKind::kInSubquery:
      if ((ctx.plan && ctx.plan_scope) || (!ctx.plan && ctx.deferred_subqueries))
        return BindInSubqueryValue(expr.As<InSubqueryExpression>(), ctx);
      [[fallthrough]];
    case ExpressionKind::kExists:
      if (expr.kind == ExpressionKind::kExists &&
          ((ctx.plan && ctx.plan_scope) || (!ctx.plan && ctx.deferred_subqueries))) {
        return BindExistsValue(expr.As<ExistsExpression>(), ctx);
      }
      throw Error(ErrorKind::kUnsupported,
                  std::string("IN (subquery) and EXISTS are not supported in ") + ctx.clause,
                  expr.position);
    case ExpressionKind::kSubquery:
      return BindScalarSubquery(expr.As<SubqueryExpression>(), ctx);
    case ExpressionKind::kLike: {
      const auto& l = expr.As<LikeExpression>();
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kLike;
      e->type = LogicalType(TypeId::kBoolean);
      e->negated = l.negated;
      e->case_insensitive = l.case_insensitive;
      auto to_varchar = [&](ExprPtr x, int pos) {
        if (x->type.id == TypeId::kVarchar) return x;
        if (x->type.id == TypeId::kNull) return CastTo(x, LogicalType(TypeId::kVarchar));
        throw Error(ErrorKind::kBinder, "LIKE needs VARCHAR operands, not " + x->type.ToString(),
                    pos);
      };
      e->children.push_back(to_varchar(BindExpr(*l.value, ctx), l.value->position));
      e->children.push_back(to_varchar(BindExpr(*l.pattern, ctx), l.pattern->position));
      if (l.escape) e->children.push_back(to_varchar(BindExpr(*l.escape, ctx), l.escape->position));
      return e;
    }
    case ExpressionKind::kLambda:
      throw Error(ErrorKind::kBinder,
                  "a lambda expression is allowed only as an argument of transform, filter, "
                  "reduce, any_match, all_match or none_match",
                  expr.position);
    case ExpressionKind::kExtract: {
      const auto& x = expr.As<ExtractExpression>();
      std::string field = x.field;
      if (field == "dow") field = "day_of_week";
      if (field == "doy") field = "day_of_year";
      return BindScalarCall(field, {BindExpr(*x.child, ctx)}, expr.position);
    }
  }
  throw Error(ErrorKind::kUnsupported, "unsupported expression: " + expr.ToString(), expr.position);
}

ExprPtr Binder::BindCase(const CaseExpression& c, BindContext& ctx) {
  ExprPtr operand = c.operand ? BindExpr(*c.operand, ctx) : nullptr;
  std::vector<ExprPtr> conditions, results;
  for (const auto& w : c.whens) {
    ExprPtr cond = BindExpr(*w.when, ctx);
    if (operand) {
      cond = BindComparisonExpr(CompareOp::kEq, operand->Copy(), cond, w.when->position);
    } else {
      cond = EnsureBoolean(cond, "CASE WHEN condition", w.when->position);
    }
    conditions.push_back(cond);
    results.push_back(BindExpr(*w.then, ctx));
  }
  if (c.else_expr) results.push_back(BindExpr(*c.else_expr, ctx));
  LogicalType t = UnifyTypes(results, c.position, "CASE results");
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->type = t;
  for (size_t i = 0; i < conditions.size(); i++) {
    e->children.push_back(conditions[i]);
    e->children.push_back(CastTo(results[i], t));
  }
  if (c.else_expr) {
    e->has_else = true;
    e->children.push_back(CastTo(results.back(), t));
  }
  return e;
}

ExprPtr Binder::BindFunction(const FunctionCallExpression& fn, BindContext& ctx) {
  std::string name = LowerName(fn.function_name());
  if (fn.over) return BindWindowCall(fn, ctx);
  if (name == "grouping" && fn.name.parts.size() == 1) return BindGroupingCall(fn, ctx);
  if (name == "count" && fn.is_star) return BindAggregateCall(fn, ctx);
  if (FunctionRegistry::Get().IsAggregate(name) && !FunctionRegistry::Get().IsScalar(name)) {
    return BindAggregateCall(fn, ctx);
  }
  if (HasLambdaArgument(fn)) return BindLambdaCall(*this, fn, ctx);
  if (fn.distinct || fn.filter || !fn.order_by.empty()) {
    throw Error(
        ErrorKind::kBinder,
        "DISTINCT, ORDER BY and FILTER apply only to aggregate functions, not '" + name + "'",
        fn.position);
  }
  if (name == "$dereference" && fn.args.size() == 2) {  // (expr).field
    ExprPtr base = BindExpr(*fn.args[0], ctx);
    const LogicalType& t = base->type;
    const std::string& field = fn.args[1]->As<ColumnRefExpression>().column_name();
    if (t.id != TypeId::kRow)
      throw Error(ErrorKind::kBinder, "'." + field + "' needs a ROW, not " + t.ToString(),
                  fn.position);
    size_t f = 0;
    while (f < t.FieldNames().size() && !NameMatches(t.FieldNames()[f], field)) f++;
    if (f == t.FieldNames().size()) {
      std::string names;
      for (const auto& n : t.FieldNames()) names += (names.empty() ? "" : ", ") + n;
      throw Error(ErrorKind::kBinder,
                  "no field '" + field + "' in " + t.ToString() + " (fields: " + names + ")",
                  fn.args[1]->position);
    }
    auto access = MakeFieldAccess(t, f);
    return MakeFunction(std::move(access), {std::move(base)});
  }
  std::vector<ExprPtr> args;
  for (const auto& a : fn.args) args.push_back(BindExpr(*a, ctx));
  if (name == "row") {  // ROW(a, b, ...): fields of the arguments' own types
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a->type);
    return MakeFunction(MakeRowConstructor(types), std::move(args));
  }
  if (name == "subscript" && args.size() == 2 && args[0]->type.id == TypeId::kRow) {
    // r[i]: field i (1-based), a constant.
    const Expr& index = *args[1];
    if (index.kind != ExprKind::kConstant || !index.value.type().IsIntegral() ||
        index.value.is_null())
      throw Error(ErrorKind::kBinder, "a ROW subscript must be a constant integer",
                  fn.args[1]->position);
    int64_t i = index.value.GetInt64();
    int64_t fields = static_cast<int64_t>(args[0]->type.Children().size());
    if (i < 1 || i > fields)
      throw Error(ErrorKind::kBinder,
                  "ROW subscript " + std::to_string(i) + " is out of range: " +
                      args[0]->type.ToString() + " has " + std::to_string(fields) + " fields",
                  fn.args[1]->position);
    // The access is built before args[0] is moved (argument evaluation order is unspecified).
    auto access = MakeFieldAccess(args[0]->type, static_cast<size_t>(i - 1));
    return MakeFunction(std::move(access), {std::move(args[0])});
  }
  if (name == "coalesce") {
    if (args.empty())
      throw Error(ErrorKind::kBinder, "coalesce needs at least one argument", fn.position);
    LogicalType t = UnifyTypes(args, fn.position, "coalesce arguments");
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCoalesce;
    e->type = t;
    for (auto& a : args) e->children.push_back(CastTo(a, t));
    return e;
  }
  if (name == "nullif") {
    if (args.size() != 2) throw Error(ErrorKind::kBinder, "nullif takes 2 arguments", fn.position);
    ExprPtr eq = BindComparisonExpr(CompareOp::kEq, args[0], args[1], fn.position);
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCase;
    e->type = args[0]->type;
    e->has_else = true;
    e->children = {eq, MakeConstant(Value::Null(args[0]->type)), args[0]->Copy()};
    return e;
  }
  if (name == "if") {
    if (args.size() != 2 && args.size() != 3)
      throw Error(ErrorKind::kBinder, "if takes 2 or 3 arguments", fn.position);
    std::vector<ExprPtr> results(args.begin() + 1, args.end());
    LogicalType t = UnifyTypes(results, fn.position, "if results");
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCase;
    e->type = t;
    e->children = {EnsureBoolean(args[0], "if condition", fn.position), CastTo(args[1], t)};
    if (args.size() == 3) {
      e->has_else = true;
      e->children.push_back(CastTo(args[2], t));
    }
    return e;
  }
  return BindScalarCall(name, std::move(args), fn.position);
}

ExprPtr Binder::BindAggregateCall(const FunctionCallExpression& fn, BindContext& ctx) {
  std::string name = LowerName(fn.function_name());
  if (!ctx.aggregate) {
    throw Error(ErrorKind::kBinder,
                "aggregate function '" + name + "' is not allowed in " + ctx.clause, fn.position);
  }
  auto& agg = *ctx.aggregate;
  std::string text = fn.ToString();
  for (size_t i = 0; i < agg.aggregate_texts.size(); i++) {
    if (agg.aggregate_texts[i] == text) {
      return MakeColumnRef(static_cast<int>(agg.groups.size() + i), agg.aggregates[i]->type, text);
    }
  }
  // Arguments are bound over the FROM scope (no nested aggregates).
  BindContext inner;
  inner.scope = agg.input;
  inner.clause = "aggregate arguments";
  if (agg.input_plan && agg.input_plan_scope) {
    inner.plan = agg.input_plan;
    inner.plan_scope = agg.input_plan_scope;
  }
  std::vector<ExprPtr> args;
  bool star = fn.is_star || (name == "count" && fn.args.empty());
  for (const auto& a : fn.args) args.push_back(BindExpr(*a, inner));
  ExprPtr filter;
  if (fn.filter) filter = EnsureBoolean(BindExpr(*fn.filter, inner), "FILTER", fn.filter->position);
  std::string fname = star ? "count_star" : name;
  // ORDER BY inside the call, and FILTER on an aggregate that keeps NULLs (where the CASE rewrite
  // below would add NULLs): the ordered wrapper collects the rows, filters and sorts them.
  bool ordered = !fn.order_by.empty() || (filter && fname == "array_agg");
  std::vector<ExprPtr> keys;
  std::vector<LogicalType> key_types;
  std::vector<bool> descending, nulls_first;
  for (const auto& o : fn.order_by) {
    keys.push_back(BindExpr(*o.expr, inner));
    key_types.push_back(keys.back()->type);
    descending.push_back(!o.ascending);
    nulls_first.push_back(o.nulls_first.value_or(false));  // Trino: NULLS LAST by default
  }
  if (filter && !ordered) {
    // agg(x) FILTER (WHERE c) == agg(CASE WHEN c THEN x END); count(*) counts CASE WHEN c THEN 1.
    if (star) {
      fname = "count";
      args = {MakeConstant(Value::Integer(1))};
    }
    for (auto& a : args) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kCase;
      e->type = a->type;
      e->children = {filter->Copy(), a};
      a = e;
    }
  }
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a->type);
  std::vector<LogicalType> coerced;
  std::shared_ptr<const AggregateFunction> bound;
  try {
    bound = FunctionRegistry::Get().BindAggregate(fname, types, fn.distinct && !ordered, &coerced);
  } catch (const Error& e) {
    if (e.position() < 0) throw Error(e.kind(), e.what(), fn.position);
    throw;
  }
  if (!bound) {
    std::string hint = SuggestName(name, FunctionRegistry::Get().Names());
    throw Error(ErrorKind::kBinder,
                "aggregate function '" + name + "' not found" +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                fn.position);
  }
  for (size_t i = 0; i < args.size() && i < coerced.size(); i++)
    args[i] = CastTo(args[i], coerced[i]);
  if (ordered) {
    bound = MakeOrderedAggregate(bound, key_types, descending, nulls_first, filter != nullptr,
                                 fn.distinct);
    for (auto& k : keys) args.push_back(std::move(k));
    if (filter) args.push_back(filter);
  }
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggregate;
  e->type = bound->return_type;
  e->name = fname;
  e->aggregate = bound;
  e->distinct = fn.distinct;
  e->children = std::move(args);
  e->position = view_depth_ > 0 ? view_position_ : fn.position;  // for run-time errors
  agg.aggregates.push_back(e);
  agg.aggregate_texts.push_back(text);
  agg.aggregate_names.push_back(text);
  return MakeColumnRef(static_cast<int>(agg.groups.size() + agg.aggregates.size() - 1), e->type,
                       text);
}

ExprPtr Binder::BindWindowCall(const FunctionCallExpression& fn, BindContext& ctx) {
  std::string name = LowerName(fn.function_name());
  if (!ctx.window) {
    throw Error(ErrorKind::kBinder,
                "window function '" + name + "' is not allowed in " + ctx.clause, fn.position);
  }
  if (!fn.order_by.empty())
    throw Error(ErrorKind::kUnsupported,
                "ORDER BY inside the arguments of window function '" + name +
                    "' is not supported; order the window with OVER (ORDER BY ...)",
                fn.position);
  auto& win = *ctx.window;
  // OVER w / OVER (w ...): the WINDOW clause's definition, refined.
  std::unique_ptr<WindowDefinition> resolved = ResolveWindow(*fn.over, fn.position);
  const WindowDefinition& over = *resolved;
  std::string text = fn.ToString();
  if (!fn.over->existing_name.empty()) {
    auto copy = fn.Copy();
    copy->As<FunctionCallExpression>().over = over.Copy();
    text = copy->ToString();
  }
  for (size_t i = 0; i < win.texts.size(); i++) {
    if (win.texts[i] == text)
      return MakeColumnRef(kWindowRefBase + static_cast<int>(i), win.exprs[i]->type, text);
  }
  BindContext inner = ctx;
  inner.window = nullptr;
  inner.clause = "window function arguments";
  auto spec = std::make_shared<WindowSpec>();
  for (const auto& p : over.partition_by) spec->partition_by.push_back(BindExpr(*p, inner));
  for (const auto& o : over.order_by) {
    SortKey key;
    key.expr = BindExpr(*o.expr, inner);
    key.ascending = o.ascending;
    key.nulls_first = o.nulls_first.value_or(false);
    spec->order_by.push_back(key);
  }
  if (over.frame) BindWindowFrame(*over.frame, *spec);
  std::vector<ExprPtr> args;
  for (const auto& a : fn.args) args.push_back(BindExpr(*a, inner));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kWindow;
  e->name = name;
  static const struct {
    const char* name;
    WindowFunctionKind kind;
  } kRanking[] = {{"row_number", WindowFunctionKind::kRowNumber},
                  {"rank", WindowFunctionKind::kRank},
                  {"dense_rank", WindowFunctionKind::kDenseRank},
                  {"lag", WindowFunctionKind::kLag},
                  {"lead", WindowFunctionKind::kLead},
                  {"first_value", WindowFunctionKind::kFirstValue},
                  {"last_value", WindowFunctionKind::kLastValue},
                  {"ntile", WindowFunctionKind::kNtile}};
  bool ranking = false;
  for (const auto& r : kRanking) {
    if (name == r.name) {
      spec->function = r.kind;
      ranking = true;
    }
  }
  if (ranking) {
    switch (spec->function) {
      case WindowFunctionKind::kRowNumber:
      case WindowFunctionKind::kRank:
      case WindowFunctionKind::kDenseRank:
        if (!args.empty())
          throw Error(ErrorKind::kBinder, name + "() takes no arguments", fn.position);
        e->type = LogicalType(TypeId::kBigInt);
        break;
      case WindowFunctionKind::kNtile:
        if (args.size() != 1)
          throw Error(ErrorKind::kBinder, "ntile takes 1 argument", fn.position);
        args[0] = CastTo(args[0], LogicalType(TypeId::kBigInt));
        e->type = LogicalType(TypeId::kBigInt);
        break;
      case WindowFunctionKind::kLag:
      case WindowFunctionKind::kLead:
        if (args.empty() || args.size() > 3)
          throw Error(ErrorKind::kBinder, name + " takes 1 to 3 arguments", fn.position);
        e->type = args[0]->type;
        if (args.size() >= 2) args[1] = CastTo(args[1], LogicalType(TypeId::kBigInt));
        if (args.size() == 3) args[2] = CastTo(args[2], e->type);
        break;
      default:
        if (args.size() != 1)
          throw Error(ErrorKind::kBinder, name + " takes 1 argument", fn.position);
        e->type = args[0]->type;
        break;
    }
  } else {
    bool star = fn.is_star || (name == "count" && fn.args.empty());
    std::string fname = star ? "count_star" : name;
    std::vector<LogicalType> types;
    for (const auto& a : args) types.push_back(a->type);
    std::vector<LogicalType> coerced;
    auto bound = FunctionRegistry::Get().BindAggregate(fname, types, fn.distinct, &coerced);
    if (!bound) {
      std::string hint = SuggestName(name, FunctionRegistry::Get().Names());
      throw Error(ErrorKind::kBinder,
                  "window function '" + name + "' not found" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                  fn.position);
    }
    for (size_t i = 0; i < args.size() && i < coerced.size(); i++)
      args[i] = CastTo(args[i], coerced[i]);
    spec->function = WindowFunctionKind::kAggregate;
    e->aggregate = bound;
    e->name = fname;
    e->type = bound->return_type;
    e->distinct = fn.distinct;
  }
  e->children = std::move(args);
  e->window = spec;
  win.exprs.push_back(e);
  win.texts.push_back(text);
  return MakeColumnRef(kWindowRefBase + static_cast<int>(win.exprs.size() - 1), e->type, text);
}

}  // namespace aishell
