// Scalar subqueries. An uncorrelated one is LEFT-joined (without condition) to the plan as a
// single row; in an aggregated query (select list, HAVING, ORDER BY) it is joined to the
// Aggregate's output, after the aggregate is built. A correlated one whose correlation is a
// conjunction of equalities inner_expr = outer_expr is decorrelated: the subquery is grouped by its
// inner correlation expressions and LEFT-joined on them (count() results are coalesced to 0 for
// groups that do not exist); a non-aggregate correlated subquery (a lookup) is LEFT-joined
// directly.
#include "common/exception.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// Whether a plan returns at most one row by construction (a global aggregate, LIMIT 1).
bool AtMostOneRow(const LogicalOperator& op) {
  switch (op.kind) {
    case LogicalOpKind::kAggregate:
      return static_cast<const LogicalAggregate&>(op).groups.empty();
    case LogicalOpKind::kLimit: {
      const auto& l = static_cast<const LogicalLimit&>(op);
      return (l.limit >= 0 && l.limit <= 1) || AtMostOneRow(*op.children[0]);
    }
    case LogicalOpKind::kProject:
    case LogicalOpKind::kFilter:
    case LogicalOpKind::kSort:
      return AtMostOneRow(*op.children[0]);
    case LogicalOpKind::kValues:
      return static_cast<const LogicalValues&>(op).rows.size() <= 1;
    default:
      return false;
  }
}

// A scalar subquery that returns more than one row is an error at run time:
//   SELECT CASE WHEN count(*) > 1 THEN <cast error naming the problem> ELSE arbitrary(x) END
// (CASE evaluates a branch only for the rows that take it).
LogicalPtr EnforceSingleRow(LogicalPtr subplan) {
  if (AtMostOneRow(*subplan)) return subplan;
  const auto& col = subplan->output[0];
  std::vector<LogicalType> coerced;
  auto count = FunctionRegistry::Get().BindAggregate("count_star", {}, false, &coerced);
  auto pick = FunctionRegistry::Get().BindAggregate("arbitrary", {col.type}, false, &coerced);
  if (!count || !pick) return subplan;
  auto agg = std::make_shared<LogicalAggregate>();
  auto make_agg = [](std::shared_ptr<const AggregateFunction> fn, std::vector<ExprPtr> args) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kAggregate;
    e->name = fn->name;
    e->type = fn->return_type;
    e->aggregate = std::move(fn);
    e->children = std::move(args);
    return e;
  };
  agg->aggregates = {make_agg(count, {}), make_agg(pick, {MakeColumnRef(0, col.type, col.name)})};
  agg->output = {{"rows", agg->aggregates[0]->type}, {col.name, agg->aggregates[1]->type}};
  agg->children = {subplan};
  ExprPtr rows = MakeColumnRef(0, agg->output[0].type, "rows");
  ExprPtr value = MakeColumnRef(1, agg->output[1].type, col.name);
  ExprPtr fail =
      MakeCast(MakeConstant(Value::Varchar("scalar subquery returned more than one row")),
               LogicalType(TypeId::kBigInt));
  if (value->type.id != TypeId::kBigInt) fail = MakeCast(fail, value->type);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->type = value->type;
  e->has_else = true;
  e->children = {
      MakeComparison(CompareOp::kGt, rows, CastTo(MakeConstant(Value::BigInt(1)), rows->type)),
      fail, value};
  auto project = std::make_shared<LogicalProject>();
  project->exprs = {e};
  project->output = {col};
  project->children = {agg};
  return project;
}

}  // namespace

ExprPtr Binder::JoinScalarSubquery(LogicalPtr subplan, ExprPtr condition, int value_column,
                                   BindContext& ctx) {
  LogicalPtr& plan = *ctx.plan;
  auto join = std::make_shared<LogicalJoin>();
  join->join_type = JoinType::kLeft;
  join->output = plan->output;
  join->output.insert(join->output.end(), subplan->output.begin(), subplan->output.end());
  join->condition = std::move(condition);
  join->children = {plan, subplan};
  plan = join;
  int first = static_cast<int>(ctx.plan_scope->columns.size());
  for (const auto& o : subplan->output) {
    ScopeColumn col;
    col.name = o.name;
    col.type = o.type;
    col.hidden_from_star = true;
    col.qualified_only = true;
    ctx.plan_scope->columns.push_back(col);
  }
  const auto& out = subplan->output[value_column];
  return MakeColumnRef(first + value_column, out.type, "(subquery)");
}

LogicalPtr JoinDeferredSubqueries(LogicalPtr plan, const std::vector<LogicalPtr>& subqueries) {
  for (const auto& sub : subqueries) {
    auto join = std::make_shared<LogicalJoin>();
    join->join_type = JoinType::kLeft;
    join->output = plan->output;
    join->output.insert(join->output.end(), sub->output.begin(), sub->output.end());
    join->children = {plan, sub};
    plan = join;
  }
  return plan;
}

ExprPtr ResolveSubqueryRefs(const ExprPtr& expr, int base) {
  if (!expr) return expr;
  if (expr->kind == ExprKind::kColumnRef) {
    if (expr->column_index < kSubqueryRefBase || expr->column_index >= kWindowRefBase) return expr;
    auto c = std::make_shared<Expr>(*expr);
    c->column_index = base + (expr->column_index - kSubqueryRefBase);
    return c;
  }
  auto c = std::make_shared<Expr>(*expr);
  for (auto& ch : c->children) ch = ResolveSubqueryRefs(ch, base);
  if (c->window) {
    auto w = std::make_shared<WindowSpec>(*c->window);
    for (auto& p : w->partition_by) p = ResolveSubqueryRefs(p, base);
    for (auto& k : w->order_by) k.expr = ResolveSubqueryRefs(k.expr, base);
    c->window = std::move(w);
  }
  return c;
}

ExprPtr Binder::BindScalarSubquery(const SubqueryExpression& sub, BindContext& ctx) {
  if ((!ctx.plan || !ctx.plan_scope) && ctx.deferred_subqueries) {
    // An aggregated query: uncorrelated only (a correlated one would be grouped and joined on
    // columns of the FROM clause, which the aggregate's output no longer has).
    LogicalPtr subplan;
    try {
      subplan = BindQuery(*sub.query);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kBinder) throw;
      throw Error(e.kind(),
                  std::string(e.what()) + " (a scalar subquery in " + ctx.clause +
                      " of an aggregated query must not be correlated)",
                  e.position());
    }
    if (subplan->output.size() != 1) {
      throw Error(
          ErrorKind::kBinder,
          "a scalar subquery must return one column, not " + std::to_string(subplan->output.size()),
          sub.position);
    }
    subplan = EnforceSingleRow(std::move(subplan));
    int index = static_cast<int>(ctx.deferred_subqueries->size());
    ctx.deferred_subqueries->push_back(subplan);
    return MakeColumnRef(kSubqueryRefBase + index, subplan->output[0].type, "(subquery)");
  }
  if (!ctx.plan || !ctx.plan_scope) {
    throw Error(ErrorKind::kUnsupported,
                std::string("scalar subqueries are not supported in ") + ctx.clause, sub.position);
  }
  LogicalPtr subplan;
  try {
    subplan = BindQuery(*sub.query);
  } catch (const Error& e) {
    // A name the subquery does not define may come from the outer query: try decorrelation.
    if (e.kind() != ErrorKind::kBinder || sub.query->kind != QueryNodeKind::kSelect) throw;
    const auto& s = sub.query->As<SelectNode>();
    if (!s.from || !s.where || !s.group_by.empty() || s.having || s.distinct || !s.ctes.empty() ||
        s.limit || s.offset || s.select_list.size() != 1) {
      throw;
    }
    return BindCorrelatedScalarSubquery(s, ctx, sub.position);
  }
  if (subplan->output.size() != 1) {
    throw Error(
        ErrorKind::kBinder,
        "a scalar subquery must return one column, not " + std::to_string(subplan->output.size()),
        sub.position);
  }
  // At most one row is expected: a LEFT join without condition yields NULL for an empty result.
  return JoinScalarSubquery(EnforceSingleRow(std::move(subplan)), nullptr, 0, ctx);
}

ExprPtr Binder::BindCorrelatedScalarSubquery(const SelectNode& s, BindContext& ctx, int position) {
  const Scope& outer = *ctx.plan_scope;
  int outer_width = static_cast<int>(outer.columns.size());
  BoundRelation inner = BindTableRef(*s.from);
  Scope combined = CorrelatedScope(outer, inner.scope);
  int total = static_cast<int>(combined.columns.size());

  std::vector<ExprPtr> inner_filters, inner_keys, outer_keys;
  std::vector<const ParsedExpression*> parts;
  SplitParsedConjunction(*s.where, parts);
  for (const auto* p : parts) {
    BindContext wctx;
    wctx.scope = &combined;
    wctx.clause = "WHERE";
    ExprPtr e = EnsureBoolean(BindExpr(*p, wctx), "WHERE", p->position);
    if (RefsWithin(*e, outer_width, total)) {
      inner_filters.push_back(ShiftColumns(e, -outer_width));
      continue;
    }
    bool ok = false;
    if (e->kind == ExprKind::kComparison && e->op == CompareOp::kEq) {
      for (int side = 0; side < 2 && !ok; side++) {
        const ExprPtr& in = e->children[side];
        const ExprPtr& out = e->children[1 - side];
        if (HasColumnRefs(*in) && RefsWithin(*in, outer_width, total) &&
            RefsWithin(*out, 0, outer_width)) {
          inner_keys.push_back(ShiftColumns(in, -outer_width));
          outer_keys.push_back(out);
          ok = true;
        }
      }
    }
    if (!ok) {
      throw Error(ErrorKind::kUnsupported,
                  "correlated subqueries are supported only with equality correlations (inner = "
                  "outer), not: " +
                      p->ToString(),
                  p->position);
    }
  }
  LogicalPtr plan = MakeFilterNode(inner.plan, std::move(inner_filters));
  const ParsedExpression& item = *s.select_list[0].expr;
  if (item.kind == ExpressionKind::kStar)
    throw Error(ErrorKind::kBinder, "a scalar subquery must return one column", position);

  size_t nkeys = inner_keys.size();
  LogicalPtr subplan;
  int value_column = static_cast<int>(nkeys);
  bool is_count = false;
  if (ContainsAggregate(item)) {
    AggregateContext agg;
    agg.input = &inner.scope;
    agg.groups = inner_keys;
    for (size_t i = 0; i < nkeys; i++)
      agg.group_texts.push_back("\x01key" + std::to_string(i));  // never matches SQL
    BindContext actx;
    actx.scope = &inner.scope;
    actx.aggregate = &agg;
    actx.clause = "subquery SELECT";
    ExprPtr value = BindExpr(item, actx);
    auto a = std::make_shared<LogicalAggregate>();
    a->groups = agg.groups;
    a->aggregates = agg.aggregates;
    for (size_t i = 0; i < nkeys; i++)
      a->output.push_back({"key" + std::to_string(i), agg.groups[i]->type});
    for (size_t i = 0; i < agg.aggregates.size(); i++)
      a->output.push_back({agg.aggregate_names[i], agg.aggregates[i]->type});
    a->children = {plan};
    if (value->kind == ExprKind::kColumnRef && value->column_index >= static_cast<int>(nkeys)) {
      const auto& fn = agg.aggregates[value->column_index - nkeys];
      is_count = fn->name == "count" || fn->name == "count_star";
    }
    auto project = std::make_shared<LogicalProject>();
    for (size_t i = 0; i < nkeys; i++) {
      project->exprs.push_back(
          MakeColumnRef(static_cast<int>(i), agg.groups[i]->type, a->output[i].name));
      project->output.push_back(a->output[i]);
    }
    project->exprs.push_back(value);
    project->output.push_back({item.ToString(), value->type});
    project->children = {a};
    subplan = project;
  } else {
    BindContext vctx;
    vctx.scope = &inner.scope;
    vctx.clause = "subquery SELECT";
    ExprPtr value = BindExpr(item, vctx);
    auto project = std::make_shared<LogicalProject>();
    for (size_t i = 0; i < nkeys; i++) {
      project->exprs.push_back(inner_keys[i]);
      project->output.push_back({"key" + std::to_string(i), inner_keys[i]->type});
    }
    project->exprs.push_back(value);
    project->output.push_back({item.ToString(), value->type});
    project->children = {plan};
    subplan = project;
  }
  std::vector<ExprPtr> conds;
  for (size_t i = 0; i < nkeys; i++) {
    conds.push_back(BindComparisonExpr(
        CompareOp::kEq, outer_keys[i],
        MakeColumnRef(outer_width + static_cast<int>(i), inner_keys[i]->type, "key"), position));
  }
  ExprPtr result =
      JoinScalarSubquery(subplan, conds.empty() ? nullptr : MakeAnd(conds), value_column, ctx);
  if (is_count) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCoalesce;
    e->type = result->type;
    e->children = {result, CastTo(MakeConstant(Value::BigInt(0)), result->type)};
    return e;
  }
  return result;
}

}  // namespace aishell

namespace aishell {

namespace {

ExprPtr MakeAggregateExpr(const std::string& name, std::vector<ExprPtr> args) {
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a->type);
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindAggregate(name, types, false, &coerced);
  if (!fn) throw Error(ErrorKind::kInternal, "aggregate '" + name + "' is not registered");
  for (size_t i = 0; i < args.size() && i < coerced.size(); i++)
    args[i] = CastTo(args[i], coerced[i]);
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggregate;
  e->name = name;
  e->aggregate = fn;
  e->type = fn->return_type;
  e->children = std::move(args);
  return e;
}

// SELECT count(*), count(x) FROM input: one row.
LogicalPtr CountRows(LogicalPtr input) {
  auto a = std::make_shared<LogicalAggregate>();
  a->aggregates.push_back(MakeAggregateExpr("count_star", {}));
  a->output.push_back({"count_all", a->aggregates[0]->type});
  if (!input->output.empty()) {
    a->aggregates.push_back(MakeAggregateExpr(
        "count", {MakeColumnRef(0, input->output[0].type, input->output[0].name)}));
    a->output.push_back({"count_non_null", a->aggregates[1]->type});
  }
  a->children = {std::move(input)};
  return a;
}

ExprPtr MakeCaseExpr(std::vector<ExprPtr> children, bool has_else) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->type = LogicalType(TypeId::kBoolean);
  e->has_else = has_else;
  e->children = std::move(children);
  return e;
}

ExprPtr IsNullExpr(ExprPtr child, bool negated = false) {
  auto e = std::make_shared<Expr>();
  e->kind = negated ? ExprKind::kIsNotNull : ExprKind::kIsNull;
  e->type = LogicalType(TypeId::kBoolean);
  e->children = {std::move(child)};
  return e;
}

ExprPtr BoolConst(bool v) { return MakeConstant(Value::Boolean(v)); }

}  // namespace

LogicalPtr Binder::BindUncorrelated(const QueryNode& query) {
  try {
    return BindQuery(query);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kBinder) throw;
    throw Error(e.kind(),
                std::string(e.what()) +
                    " (a correlated IN or EXISTS subquery is supported only as a WHERE condition "
                    "combined with AND)",
                e.position());
  }
}

ExprPtr Binder::BindInSubqueryValue(const InSubqueryExpression& in, BindContext& ctx) {
  BindContext vctx = ctx;
  vctx.window = nullptr;
  ExprPtr value = BindExpr(*in.value, vctx);
  LogicalPtr distinct_input = BindUncorrelated(*in.query);
  if (distinct_input->output.size() != 1) {
    throw Error(ErrorKind::kBinder,
                "an IN subquery must return one column, not " +
                    std::to_string(distinct_input->output.size()),
                in.position);
  }
  LogicalPtr stats_input = BindQuery(*in.query);
  // Matches: SELECT DISTINCT x FROM subquery, LEFT-joined on value = x.
  auto distinct = std::make_shared<LogicalAggregate>();
  distinct->groups = IdentityRefs(*distinct_input);
  distinct->output = distinct_input->output;
  distinct->children = {distinct_input};
  int outer_width = static_cast<int>(ctx.plan_scope->columns.size());
  ExprPtr cond = BindComparisonExpr(
      CompareOp::kEq, value,
      MakeColumnRef(outer_width, distinct->output[0].type, distinct->output[0].name), in.position);
  ExprPtr match = JoinScalarSubquery(distinct, cond, 0, ctx);
  // Emptiness and NULLs of the subquery: one row of counts.
  LogicalPtr stats = CountRows(stats_input);
  ExprPtr count_all = JoinScalarSubquery(stats, nullptr, 0, ctx);
  ExprPtr count_non_null =
      MakeColumnRef(count_all->column_index + 1, count_all->type, "count_non_null");
  ExprPtr zero = MakeConstant(Value::BigInt(0));
  zero = CastTo(zero, count_all->type);
  // CASE WHEN count_all = 0 THEN FALSE WHEN value IS NULL THEN NULL WHEN match IS NOT NULL THEN
  // TRUE
  //      WHEN count_non_null < count_all THEN NULL ELSE FALSE END
  ExprPtr result = MakeCaseExpr(
      {MakeComparison(CompareOp::kEq, count_all, zero), BoolConst(false), IsNullExpr(value->Copy()),
       MakeConstant(Value::Null(LogicalType(TypeId::kBoolean))), IsNullExpr(match, true),
       BoolConst(true), MakeComparison(CompareOp::kLt, count_non_null, count_all->Copy()),
       MakeConstant(Value::Null(LogicalType(TypeId::kBoolean))), BoolConst(false)},
      true);
  return in.negated ? MakeNot(result) : result;
}

ExprPtr Binder::BindExistsValue(const ExistsExpression& exists, BindContext& ctx) {
  LogicalPtr sub = BindUncorrelated(*exists.query);
  ExprPtr count_all = JoinScalarSubquery(CountRows(sub), nullptr, 0, ctx);
  ExprPtr result = MakeComparison(CompareOp::kGt, count_all,
                                  CastTo(MakeConstant(Value::BigInt(0)), count_all->type));
  return exists.negated ? MakeNot(result) : result;
}

}  // namespace aishell
