// Scalar subqueries. An uncorrelated one is LEFT-joined (without condition) to the plan as a
// single row; in an aggregated query (select list, HAVING, ORDER BY) it is joined to the
// Aggregate's output, after the aggregate is built. A correlated aggregate whose correlation is a
// conjunction of equalities inner_expr = outer_expr takes a fast path: the subquery is grouped by
// its inner correlation expressions and LEFT-joined on them (count() results are coalesced to 0
// for groups that do not exist). Any other correlated subquery (scalar, IN, EXISTS, in any
// clause) is unnested (subquery_unnesting.h): a dependent join pushed down the subquery's plan.
#include "common/exception.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"
#include "planner/subquery_unnesting.h"

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

// EnforceSingleRow for an unnested subquery whose output is [value, domain columns...]: per
// domain value, more than one row is an error.
LogicalPtr EnforceSingleRowPerDomain(LogicalPtr subplan, int width) {
  std::vector<LogicalType> coerced;
  const auto& col = subplan->output[0];
  auto count = FunctionRegistry::Get().BindAggregate("count_star", {}, false, &coerced);
  auto pick = FunctionRegistry::Get().BindAggregate("arbitrary", {col.type}, false, &coerced);
  if (!count || !pick) return subplan;
  int k = static_cast<int>(subplan->output.size()) - width;
  auto agg = std::make_shared<LogicalAggregate>();
  for (int i = 0; i < k; i++) {
    const auto& d = subplan->output[width + i];
    agg->groups.push_back(MakeColumnRef(width + i, d.type, d.name));
    agg->output.push_back(d);
  }
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
  agg->output.push_back({"rows", agg->aggregates[0]->type});
  agg->output.push_back({col.name, agg->aggregates[1]->type});
  agg->children = {subplan};
  ExprPtr rows = MakeColumnRef(k, agg->output[k].type, "rows");
  ExprPtr value = MakeColumnRef(k + 1, agg->output[k + 1].type, col.name);
  ExprPtr fail =
      MakeCast(MakeConstant(Value::Varchar("Scalar sub-query has returned multiple rows")),
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
  for (int i = 0; i < k; i++) {
    project->exprs.push_back(MakeColumnRef(i, agg->output[i].type, agg->output[i].name));
    project->output.push_back(agg->output[i]);
  }
  project->children = {agg};
  return project;
}

// Whether an aggregate is NULL over no rows (sum, avg, min, ...; not count, count_if, ...).
bool NullOverNoRows(const std::string& name) {
  return name.find("count") == std::string::npos && name != "approx_distinct";
}

// Whether `e` (over an Aggregate's output: groups below `first_aggregate`) is NULL when every
// aggregate column is NULL.
bool NullWhenAggregatesAre(const Expr& e, int first_aggregate) {
  switch (e.kind) {
    case ExprKind::kColumnRef:
      return e.column_index >= first_aggregate;
    case ExprKind::kCast:
      return !e.try_cast && NullWhenAggregatesAre(*e.children[0], first_aggregate);
    case ExprKind::kFunction:
      if (!e.function || !e.function->null_propagating) return false;
      for (const auto& c : e.children) {
        if (NullWhenAggregatesAre(*c, first_aggregate)) return true;
      }
      return false;
    default:
      return false;
  }
}

const Scope& EmptyScope() {
  static const Scope kEmpty;
  return kEmpty;
}

}  // namespace

LogicalPtr Binder::BindSubqueryPlan(const QueryNode& query, const Scope& scope, bool* correlated,
                                    int* depth) {
  int d = static_cast<int>(frames_.size());
  size_t first = correlated_.size();
  frames_.push_back(&scope);
  LogicalPtr plan;
  try {
    plan = BindQuery(query);
  } catch (...) {
    frames_.pop_back();
    throw;
  }
  frames_.pop_back();
  *depth = d;
  *correlated = false;
  for (size_t i = first; i < correlated_.size(); i++) {
    if (correlated_[i].depth == d) *correlated = true;
  }
  // A reference handed out while binding may not have reached the plan (a failed attempt).
  if (*correlated) {
    *correlated = PlanHasOuterRefs(*plan, [&](int id) { return correlated_[id].depth == d; });
  }
  return plan;
}

bool Binder::TryFastPath(const Scope& scope, const std::function<void()>& fast_path) {
  int saved = fast_path_depth_;
  fast_path_depth_ = static_cast<int>(frames_.size());
  frames_.push_back(&scope);
  bool ok = true;
  try {
    fast_path();
  } catch (const Error& e) {
    frames_.pop_back();
    fast_path_depth_ = saved;
    if (e.kind() != ErrorKind::kBinder && e.kind() != ErrorKind::kUnsupported) throw;
    return false;
  }
  frames_.pop_back();
  fast_path_depth_ = saved;
  return ok;
}

ExprPtr Binder::ToOuterRefs(const ExprPtr& expr, int depth) {
  if (!expr) return expr;
  if (depth == fast_path_depth_) {
    throw Error(ErrorKind::kUnsupported, "an outer reference outside the fast path's scope");
  }
  if (expr->kind == ExprKind::kColumnRef && expr->column_index < kOuterRefBase) {
    int id = static_cast<int>(correlated_.size());
    correlated_.push_back({depth, expr->column_index});
    return MakeColumnRef(kOuterRefBase + id, expr->type, expr->name);
  }
  auto c = std::make_shared<Expr>(*expr);
  for (auto& ch : c->children) ch = ToOuterRefs(ch, depth);
  return c;
}

ExprPtr Binder::BindOuterColumnRef(const ColumnRefExpression& ref) {
  if (frames_.empty()) return nullptr;
  const Scope* scope = frames_.back();
  int depth = static_cast<int>(frames_.size()) - 1;
  frames_.pop_back();
  ExprPtr e;
  try {
    e = BindColumnRef(ref, *scope);
  } catch (const Error& err) {
    frames_.push_back(scope);
    if (err.kind() != ErrorKind::kBinder) throw;
    return nullptr;
  }
  frames_.push_back(scope);
  return ToOuterRefs(e, depth);
}

LogicalPtr Binder::Decorrelate(const LogicalPtr& sub, int depth, const LogicalPtr& outer,
                               std::vector<int>* outer_columns) {
  DomainInfo d;
  d.id_to_domain.assign(correlated_.size(), -1);
  std::map<int, int> position;
  CollectPlanOuterRefs(*sub, [&](int id) {
    if (correlated_[id].depth != depth) return;
    int c = correlated_[id].column;
    auto it = position.find(c);
    if (it == position.end()) {
      it = position.emplace(c, static_cast<int>(outer_columns->size())).first;
      outer_columns->push_back(c);
    }
    d.id_to_domain[id] = it->second;
  });
  for (int c : *outer_columns) {
    d.columns.push_back({"$outer." + outer->output[c].name, outer->output[c].type});
  }
  std::vector<int> cols = *outer_columns;
  std::vector<OutputColumn> columns = d.columns;
  // The values of the outer columns are those below the subqueries joined to the outer plan
  // before this one (LEFT joins keep every row): the domain is read from there, so that each
  // subquery does not read all those before it again.
  LogicalPtr base = outer;
  while (base->kind == LogicalOpKind::kJoin) {
    const auto& j = static_cast<const LogicalJoin&>(*base);
    if (j.join_type != JoinType::kLeft || !j.unnested) break;
    int left_width = static_cast<int>(j.children[0]->output.size());
    bool below = true;
    for (int c : cols) below = below && c < left_width;
    if (!below) break;
    base = j.children[0];
  }
  d.make_domain = [outer = base, cols, columns]() -> LogicalPtr {
    auto a = std::make_shared<LogicalAggregate>();
    for (size_t i = 0; i < cols.size(); i++)
      a->groups.push_back(MakeColumnRef(cols[i], columns[i].type, columns[i].name));
    a->output = columns;
    a->children = {ClonePlan(*outer)};
    return a;
  };
  return PushDomain(sub, d);
}

ExprPtr Binder::JoinCorrelatedSubquery(LogicalPtr sub, int depth, int value_column, bool single_row,
                                       BindContext& ctx) {
  std::vector<int> outer_columns;
  int width = static_cast<int>(sub->output.size());
  LogicalPtr unnested = Decorrelate(sub, depth, *ctx.plan, &outer_columns);
  if (single_row && !AtMostOneRow(*sub)) unnested = EnforceSingleRowPerDomain(unnested, width);
  int outer_width = static_cast<int>(ctx.plan_scope->columns.size());
  std::vector<ExprPtr> conds;
  for (size_t i = 0; i < outer_columns.size(); i++) {
    const auto& o = (*ctx.plan)->output[outer_columns[i]];
    conds.push_back(
        NullSafeEquals(MakeColumnRef(outer_columns[i], o.type, o.name),
                       MakeColumnRef(outer_width + width + static_cast<int>(i), o.type, o.name)));
  }
  return JoinScalarSubquery(unnested, conds.empty() ? nullptr : MakeAnd(conds), value_column, ctx);
}

void Binder::MapOuterRefsToGroups(const LogicalOperator& sub, int depth, BindContext& ctx,
                                  int position) {
  if (!ctx.aggregate) {
    throw Error(ErrorKind::kUnsupported,
                std::string("a correlated subquery in ") + ctx.clause +
                    " of an aggregated query is not supported",
                position);
  }
  const auto& groups = ctx.aggregate->groups;
  std::set<int> done;
  CollectPlanOuterRefs(sub, [&](int id) {
    if (correlated_[id].depth != depth || !done.insert(id).second) return;
    int column = correlated_[id].column;
    for (size_t g = 0; g < groups.size(); g++) {
      if (groups[g]->kind == ExprKind::kColumnRef && groups[g]->column_index == column) {
        correlated_[id].column = static_cast<int>(g);
        return;
      }
    }
    throw Error(ErrorKind::kBinder,
                "column '" + ctx.scope->columns[column].name +
                    "' of a correlated subquery must appear in the GROUP BY clause",
                position);
  });
}

ExprPtr Binder::DeferSubquery(LogicalPtr sub, int depth, BindContext& ctx) {
  if (PlanHasOuterRefs(*sub, [&](int id) { return correlated_[id].depth == depth; })) {
    deferred_depth_[sub.get()] = depth;
  } else {
    sub = EnforceSingleRow(std::move(sub));
  }
  int index = static_cast<int>(ctx.deferred_subqueries->size());
  ctx.deferred_subqueries->push_back(sub);
  return MakeColumnRef(kSubqueryRefBase + index, sub->output[0].type, "(subquery)");
}

ExprPtr Binder::JoinScalarSubquery(LogicalPtr subplan, ExprPtr condition, int value_column,
                                   BindContext& ctx) {
  LogicalPtr& plan = *ctx.plan;
  auto join = std::make_shared<LogicalJoin>();
  join->join_type = JoinType::kLeft;
  join->output = plan->output;
  join->output.insert(join->output.end(), subplan->output.begin(), subplan->output.end());
  join->condition = std::move(condition);
  join->children = {plan, subplan};
  join->unnested = true;
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

LogicalPtr Binder::JoinDeferredSubqueries(LogicalPtr plan,
                                          const std::vector<LogicalPtr>& subqueries) {
  for (const auto& sub : subqueries) {
    auto join = std::make_shared<LogicalJoin>();
    join->join_type = JoinType::kLeft;
    join->output = plan->output;
    auto it = deferred_depth_.find(sub.get());
    if (it == deferred_depth_.end()) {
      join->output.insert(join->output.end(), sub->output.begin(), sub->output.end());
      join->children = {plan, sub};
      plan = join;
      continue;
    }
    std::vector<int> outer_columns;
    int width = static_cast<int>(sub->output.size());
    LogicalPtr unnested = Decorrelate(sub, it->second, plan, &outer_columns);
    if (!AtMostOneRow(*sub)) unnested = EnforceSingleRowPerDomain(unnested, width);
    int outer_width = static_cast<int>(plan->output.size());
    std::vector<ExprPtr> conds;
    for (size_t i = 0; i < outer_columns.size(); i++) {
      const auto& o = plan->output[outer_columns[i]];
      conds.push_back(
          NullSafeEquals(MakeColumnRef(outer_columns[i], o.type, o.name),
                         MakeColumnRef(outer_width + width + static_cast<int>(i), o.type, o.name)));
    }
    join->output.insert(join->output.end(), unnested->output.begin(), unnested->output.end());
    join->condition = MakeAnd(conds);
    join->children = {plan, unnested};
    // Keep the outer columns and the value (the deferred refs count one column per subquery).
    auto project = std::make_shared<LogicalProject>();
    for (int i = 0; i <= outer_width; i++) {
      project->exprs.push_back(MakeColumnRef(i, join->output[i].type, join->output[i].name));
      project->output.push_back(join->output[i]);
    }
    project->children = {join};
    plan = project;
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
    bool correlated = false;
    int depth = 0;
    LogicalPtr subplan =
        BindSubqueryPlan(*sub.query, ctx.scope ? *ctx.scope : EmptyScope(), &correlated, &depth);
    if (subplan->output.size() != 1) {
      throw Error(
          ErrorKind::kBinder,
          "a scalar subquery must return one column, not " + std::to_string(subplan->output.size()),
          sub.position);
    }
    if (correlated) MapOuterRefsToGroups(*subplan, depth, ctx, sub.position);
    return DeferSubquery(std::move(subplan), depth, ctx);
  }
  if (!ctx.plan || !ctx.plan_scope) {
    throw Error(ErrorKind::kUnsupported,
                std::string("scalar subqueries are not supported in ") + ctx.clause, sub.position);
  }
  bool correlated = false;
  int depth = 0;
  LogicalPtr subplan = BindSubqueryPlan(*sub.query, *ctx.plan_scope, &correlated, &depth);
  if (subplan->output.size() != 1) {
    throw Error(
        ErrorKind::kBinder,
        "a scalar subquery must return one column, not " + std::to_string(subplan->output.size()),
        sub.position);
  }
  // At most one row is expected: a LEFT join without condition yields NULL for an empty result.
  if (!correlated) return JoinScalarSubquery(EnforceSingleRow(std::move(subplan)), nullptr, 0, ctx);
  if (sub.query->kind == QueryNodeKind::kSelect) {
    // The fast path: equality correlations only, grouped by the inner keys and LEFT-joined.
    const auto& s = sub.query->As<SelectNode>();
    if (s.from && s.where && s.group_by.empty() && !s.having && !s.distinct && s.ctes.empty() &&
        !s.limit && !s.offset && s.select_list.size() == 1) {
      ExprPtr result;
      if (TryFastPath(*ctx.plan_scope,
                      [&]() { result = BindCorrelatedScalarSubquery(s, ctx, sub.position); })) {
        return result;
      }
    }
  }
  return JoinCorrelatedSubquery(std::move(subplan), depth, 0, true, ctx);
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
  // A lookup (no aggregate) may find several rows per outer row, an error the general unnesting
  // raises.
  if (!ContainsAggregate(item)) throw Error(ErrorKind::kUnsupported, "not an aggregate", position);
  {
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
    // A missing group reads NULL: right for a bare aggregate (count() is coalesced to 0) and for
    // an expression that is NULL when its aggregates are (0.2 * avg(x)), if each of them is NULL
    // over no rows. Otherwise (count(*) + 1) the general unnesting computes empty groups too.
    bool bare = value->kind == ExprKind::kColumnRef &&
                value->column_index >= static_cast<int>(nkeys) &&
                value->column_index < static_cast<int>(nkeys + agg.aggregates.size());
    if (bare) {
      const auto& fn = agg.aggregates[value->column_index - nkeys];
      is_count = fn->name == "count" || fn->name == "count_star";
      if (!is_count && !NullOverNoRows(fn->name))
        throw Error(ErrorKind::kUnsupported, "not an aggregate", position);
    } else {
      bool all_null = true;
      for (const auto& fn : agg.aggregates) all_null = all_null && NullOverNoRows(fn->name);
      if (!all_null || !NullWhenAggregatesAre(*value, static_cast<int>(nkeys)))
        throw Error(ErrorKind::kUnsupported, "not an aggregate", position);
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

ExprPtr Binder::BindInSubqueryValue(const InSubqueryExpression& in, BindContext& ctx) {
  BindContext vctx = ctx;
  vctx.window = nullptr;
  ExprPtr value = BindExpr(*in.value, vctx);
  bool correlated = false;
  int depth = 0;
  bool deferred = !ctx.plan && ctx.deferred_subqueries;
  const Scope& frame = deferred ? (ctx.scope ? *ctx.scope : EmptyScope()) : *ctx.plan_scope;
  LogicalPtr distinct_input = BindSubqueryPlan(*in.query, frame, &correlated, &depth);
  if (deferred) {
    // An aggregated query: the value is over the Aggregate's output, and so is the subquery
    // once its outer references are mapped to the group columns.
    if (correlated) MapOuterRefsToGroups(*distinct_input, depth, ctx, in.position);
    correlated = true;
  }
  if (distinct_input->output.size() != 1) {
    throw Error(ErrorKind::kBinder,
                "an IN subquery must return one column, not " +
                    std::to_string(distinct_input->output.size()),
                in.position);
  }
  if (correlated) {
    // Per outer row, over the subquery's rows v (x an outer reference):
    //   CASE WHEN count(*) = 0 THEN FALSE WHEN count(x = v is TRUE) > 0 THEN TRUE
    //        WHEN count(x = v is NULL) > 0 THEN NULL ELSE FALSE END
    const auto& v = distinct_input->output[0];
    ExprPtr cmp = BindComparisonExpr(CompareOp::kEq, ToOuterRefs(value, depth),
                                     MakeColumnRef(0, v.type, v.name), in.position);
    ExprPtr null_bool = MakeConstant(Value::Null(LogicalType(TypeId::kBoolean)));
    auto agg = std::make_shared<LogicalAggregate>();
    agg->aggregates = {
        MakeAggregateExpr("count_star", {}),
        MakeAggregateExpr("count", {MakeCaseExpr({cmp, BoolConst(true)}, false)}),
        MakeAggregateExpr("count",
                          {MakeCaseExpr({IsNullExpr(cmp->Copy()), BoolConst(true)}, false)})};
    for (const char* n : {"rows", "matches", "unknowns"})
      agg->output.push_back({n, agg->aggregates[0]->type});
    agg->children = {distinct_input};
    auto project = std::make_shared<LogicalProject>();
    auto col = [&](int i) { return MakeColumnRef(i, agg->output[i].type, agg->output[i].name); };
    auto zero = [&]() { return CastTo(MakeConstant(Value::BigInt(0)), agg->output[0].type); };
    project->exprs = {
        MakeCaseExpr({MakeComparison(CompareOp::kEq, col(0), zero()), BoolConst(false),
                      MakeComparison(CompareOp::kGt, col(1), zero()), BoolConst(true),
                      MakeComparison(CompareOp::kGt, col(2), zero()), null_bool, BoolConst(false)},
                     true)};
    project->output = {{"in", LogicalType(TypeId::kBoolean)}};
    project->children = {agg};
    ExprPtr result = deferred ? DeferSubquery(project, depth, ctx)
                              : JoinCorrelatedSubquery(project, depth, 0, false, ctx);
    return in.negated ? MakeNot(result) : result;
  }
  LogicalPtr stats_input = ClonePlan(*distinct_input);
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
  bool correlated = false;
  int depth = 0;
  bool deferred = !ctx.plan && ctx.deferred_subqueries;
  const Scope& frame = deferred ? (ctx.scope ? *ctx.scope : EmptyScope()) : *ctx.plan_scope;
  LogicalPtr sub = BindSubqueryPlan(*exists.query, frame, &correlated, &depth);
  if (deferred && correlated) MapOuterRefsToGroups(*sub, depth, ctx, exists.position);
  ExprPtr result;
  if (correlated || deferred) {
    // count(*) > 0 per outer row (the unnested count is 0, not NULL, for an empty result).
    LogicalPtr counts = CountRows(sub);
    auto project = std::make_shared<LogicalProject>();
    ExprPtr n = MakeColumnRef(0, counts->output[0].type, counts->output[0].name);
    project->exprs = {
        MakeComparison(CompareOp::kGt, n, CastTo(MakeConstant(Value::BigInt(0)), n->type))};
    project->output = {{"exists", LogicalType(TypeId::kBoolean)}};
    project->children = {counts};
    result = deferred ? DeferSubquery(project, depth, ctx)
                      : JoinCorrelatedSubquery(project, depth, 0, false, ctx);
  } else {
    ExprPtr count_all = JoinScalarSubquery(CountRows(sub), nullptr, 0, ctx);
    result = MakeComparison(CompareOp::kGt, count_all,
                            CastTo(MakeConstant(Value::BigInt(0)), count_all->type));
  }
  return exists.negated ? MakeNot(result) : result;
}

}  // namespace aishell

namespace aishell {

BoundRelation Binder::BindJoinWithSubqueries(BoundRelation rel, std::shared_ptr<LogicalJoin> join,
                                             const ParsedExpression& condition) {
  int width = static_cast<int>(rel.scope.columns.size());
  join->join_type = JoinType::kCross;
  join->condition = nullptr;
  LogicalPtr plan = join;
  Scope scope = rel.scope;
  BindWhere(condition, plan, scope);
  auto project = std::make_shared<LogicalProject>();
  for (int i = 0; i < width; i++) {
    project->exprs.push_back(MakeColumnRef(i, plan->output[i].type, plan->output[i].name));
    project->output.push_back(plan->output[i]);
  }
  project->children = {plan};
  rel.plan = project;
  return rel;
}

BoundRelation Binder::BindLateralJoin(BoundRelation left, const JoinRef& ref) {
  const auto& sub = ref.right->As<SubqueryRef>();
  using AstJoin = decltype(JoinRef::type);
  if (ref.type != AstJoin::kCross && ref.type != AstJoin::kInner && ref.type != AstJoin::kLeft) {
    throw Error(ErrorKind::kUnsupported,
                "LATERAL joins only as a comma, CROSS JOIN, [INNER] JOIN or LEFT JOIN",
                ref.position);
  }
  if (!ref.using_columns.empty() || ref.natural) {
    throw Error(ErrorKind::kUnsupported, "a LATERAL join takes ON, not USING or NATURAL",
                ref.position);
  }
  int depth = static_cast<int>(frames_.size());
  frames_.push_back(&left.scope);
  BoundRelation right;
  try {
    right = BindNamedQuery(*sub.query, sub.alias, sub.column_aliases, sub.position);
  } catch (...) {
    frames_.pop_back();
    throw;
  }
  frames_.pop_back();
  bool correlated =
      PlanHasOuterRefs(*right.plan, [&](int id) { return correlated_[id].depth == depth; });
  int left_width = static_cast<int>(left.plan->output.size());
  int right_width = static_cast<int>(right.plan->output.size());
  BoundRelation rel;
  rel.scope.columns = left.scope.columns;
  rel.scope.columns.insert(rel.scope.columns.end(), right.scope.columns.begin(),
                           right.scope.columns.end());
  ExprPtr on;
  if (ref.condition) {
    BindContext ctx;
    ctx.scope = &rel.scope;
    ctx.clause = "JOIN ... ON";
    on = EnsureBoolean(BindExpr(*ref.condition, ctx), "JOIN condition", ref.condition->position);
  }
  std::vector<ExprPtr> conds;
  LogicalPtr right_plan = right.plan;
  std::vector<int> outer_columns;
  if (correlated) {
    right_plan = Decorrelate(right.plan, depth, left.plan, &outer_columns);
    for (size_t i = 0; i < outer_columns.size(); i++) {
      const auto& o = left.plan->output[outer_columns[i]];
      conds.push_back(NullSafeEquals(
          MakeColumnRef(outer_columns[i], o.type, o.name),
          MakeColumnRef(left_width + right_width + static_cast<int>(i), o.type, o.name)));
    }
  }
  if (on) conds.push_back(on);
  auto join = std::make_shared<LogicalJoin>();
  join->join_type = ref.type == AstJoin::kLeft ? JoinType::kLeft
                    : conds.empty()            ? JoinType::kCross
                                               : JoinType::kInner;
  if (!conds.empty()) join->condition = MakeAnd(conds);
  join->children = {left.plan, right_plan};
  join->output = left.plan->output;
  join->output.insert(join->output.end(), right_plan->output.begin(), right_plan->output.end());
  join->unnested = correlated;
  if (!correlated) {
    rel.plan = join;
    return rel;
  }
  // Without the domain columns.
  auto project = std::make_shared<LogicalProject>();
  for (int i = 0; i < left_width + right_width; i++) {
    project->exprs.push_back(MakeColumnRef(i, join->output[i].type, join->output[i].name));
    project->output.push_back(join->output[i]);
  }
  project->children = {join};
  rel.plan = project;
  return rel;
}

}  // namespace aishell
