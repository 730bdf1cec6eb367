// Binding of queries: SELECT (WHERE, GROUP BY, HAVING, windows, DISTINCT, ORDER BY, LIMIT),
// set operations, VALUES, CTEs and subquery predicates (semi/anti joins).
#include <functional>

#include "common/exception.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// Calls `f` on each direct sub-expression (not into subqueries).
void ForEachChild(const ParsedExpression& e,
                  const std::function<void(const ParsedExpression&)>& f) {
  auto visit = [&](const ParsedExpressionPtr& p) {
    if (p) f(*p);
  };
  switch (e.kind) {
    case ExpressionKind::kFunction: {
      const auto& fn = e.As<FunctionCallExpression>();
      for (const auto& a : fn.args) visit(a);
      visit(fn.filter);
      if (fn.over) {
        for (const auto& p : fn.over->partition_by) visit(p);
        for (const auto& o : fn.over->order_by) visit(o.expr);
      }
      break;
    }
    case ExpressionKind::kCast:
      visit(e.As<CastExpression>().child);
      break;
    case ExpressionKind::kLambda:
      visit(e.As<LambdaExpression>().body);
      break;
    case ExpressionKind::kCase: {
      const auto& c = e.As<CaseExpression>();
      visit(c.operand);
      for (const auto& w : c.whens) {
        visit(w.when);
        visit(w.then);
      }
      visit(c.else_expr);
      break;
    }
    case ExpressionKind::kUnary:
      visit(e.As<UnaryExpression>().child);
      break;
    case ExpressionKind::kBinary:
      visit(e.As<BinaryExpression>().left);
      visit(e.As<BinaryExpression>().right);
      break;
    case ExpressionKind::kIsNull:
      visit(e.As<IsNullExpression>().child);
      break;
    case ExpressionKind::kBetween:
      visit(e.As<BetweenExpression>().value);
      visit(e.As<BetweenExpression>().low);
      visit(e.As<BetweenExpression>().high);
      break;
    case ExpressionKind::kInList:
      visit(e.As<InListExpression>().value);
      for (const auto& x : e.As<InListExpression>().list) visit(x);
      break;
    case ExpressionKind::kInSubquery:
      visit(e.As<InSubqueryExpression>().value);
      break;
    case ExpressionKind::kLike:
      visit(e.As<LikeExpression>().value);
      visit(e.As<LikeExpression>().pattern);
      visit(e.As<LikeExpression>().escape);
      break;
    case ExpressionKind::kExtract:
      visit(e.As<ExtractExpression>().child);
      break;
    default:
      break;
  }
}

}  // namespace

bool ContainsAggregate(const ParsedExpression& e) {
  if (e.kind == ExpressionKind::kFunction) {
    const auto& fn = e.As<FunctionCallExpression>();
    if (!fn.over) {
      std::string name = LowerName(fn.function_name());
      if (fn.is_star ||
          (FunctionRegistry::Get().IsAggregate(name) && !FunctionRegistry::Get().IsScalar(name)))
        return true;
    }
  }
  bool found = false;
  ForEachChild(e, [&](const ParsedExpression& c) { found = found || ContainsAggregate(c); });
  return found;
}

void SplitParsedConjunction(const ParsedExpression& e, std::vector<const ParsedExpression*>& out) {
  if (e.kind == ExpressionKind::kBinary && e.As<BinaryExpression>().op == BinaryOp::kAnd) {
    SplitParsedConjunction(*e.As<BinaryExpression>().left, out);
    SplitParsedConjunction(*e.As<BinaryExpression>().right, out);
  } else {
    out.push_back(&e);
  }
}

namespace {

ExprPtr ResolveWindowRefs(const ExprPtr& e, int base) {
  if (!e) return e;
  if (e->kind == ExprKind::kColumnRef) {
    if (e->column_index < kWindowRefBase) return e;
    auto c = std::make_shared<Expr>(*e);
    c->column_index = base + (e->column_index - kWindowRefBase);
    return c;
  }
  auto c = std::make_shared<Expr>(*e);
  for (auto& ch : c->children) ch = ResolveWindowRefs(ch, base);
  return c;
}

bool IsIntegerLiteral(const ParsedExpression& e) {
  return e.kind == ExpressionKind::kLiteral &&
         e.As<LiteralExpression>().literal_kind == LiteralKind::kInteger;
}

LogicalPtr MakeProject(LogicalPtr child, std::vector<ExprPtr> exprs,
                       std::vector<std::string> names) {
  auto p = std::make_shared<LogicalProject>();
  for (size_t i = 0; i < exprs.size(); i++) p->output.push_back({names[i], exprs[i]->type});
  p->exprs = std::move(exprs);
  p->children = {std::move(child)};
  return p;
}

LogicalPtr MakeLimit(LogicalPtr child, const QueryNode& q) {
  if (!q.limit && !q.offset) return child;
  auto l = std::make_shared<LogicalLimit>();
  l->limit = q.limit.value_or(-1);
  l->offset = q.offset.value_or(0);
  if (l->limit < -1 || l->offset < 0)
    throw Error(ErrorKind::kBinder, "LIMIT and OFFSET must not be negative", q.position);
  l->output = child->output;
  l->children = {std::move(child)};
  return l;
}

}  // namespace

Scope CorrelatedScope(const Scope& outer, const Scope& inner) {
  Scope combined;
  for (auto c : outer.columns) {
    for (const auto& ic : inner.columns) {
      if (LowerName(ic.name) == LowerName(c.name)) c.qualified_only = true;
    }
    combined.columns.push_back(c);
  }
  combined.columns.insert(combined.columns.end(), inner.columns.begin(), inner.columns.end());
  return combined;
}

LogicalPtr Binder::BindQuery(const QueryNode& query) {
  if (query.recursive)
    throw Error(ErrorKind::kUnsupported, "WITH RECURSIVE is not supported", query.position);
  size_t saved = ctes_.size();
  for (const auto& cte : query.ctes) ctes_.push_back({&cte, ctes_.size(), frames_.size()});
  LogicalPtr plan;
  try {
    if (query.kind == QueryNodeKind::kSelect) {
      plan = BindSelect(query.As<SelectNode>());
    } else {
      plan = ApplyOrderLimit(BindQueryBody(query), query);
    }
  } catch (...) {
    ctes_.resize(saved);
    throw;
  }
  ctes_.resize(saved);
  return plan;
}

LogicalPtr Binder::BindQueryBody(const QueryNode& query) {
  switch (query.kind) {
    case QueryNodeKind::kSelect:
      return BindSelect(query.As<SelectNode>());
    case QueryNodeKind::kSetOperation:
      return BindSetOperation(query.As<SetOperationNode>());
    case QueryNodeKind::kValues:
      return BindValues(query.As<ValuesNode>());
  }
  throw Error(ErrorKind::kInternal, "unknown query kind", query.position);
}

LogicalPtr Binder::ApplyOrderLimit(LogicalPtr plan, const QueryNode& query) {
  if (!query.order_by.empty()) {
    Scope scope;
    for (const auto& o : plan->output) {
      ScopeColumn c;
      c.name = o.name;
      c.type = o.type;
      scope.columns.push_back(c);
    }
    auto sort = std::make_shared<LogicalSort>();
    for (const auto& item : query.order_by) {
      SortKey key;
      key.ascending = item.ascending;
      key.nulls_first = item.nulls_first.value_or(false);
      if (IsIntegerLiteral(*item.expr)) {
        int64_t k = item.expr->As<LiteralExpression>().integer_value;
        if (k < 1 || k > static_cast<int64_t>(plan->output.size())) {
          throw Error(ErrorKind::kBinder,
                      "ORDER BY position " + std::to_string(k) + " is not in the select list",
                      item.expr->position);
        }
        key.expr = MakeColumnRef(static_cast<int>(k - 1), plan->output[k - 1].type,
                                 plan->output[k - 1].name);
      } else {
        BindContext ctx;
        ctx.scope = &scope;
        ctx.clause = "ORDER BY";
        key.expr = BindExpr(*item.expr, ctx);
      }
      sort->keys.push_back(key);
    }
    sort->output = plan->output;
    sort->children = {plan};
    plan = sort;
  }
  return MakeLimit(plan, query);
}

LogicalPtr Binder::BindSetOperation(const SetOperationNode& node) {
  LogicalPtr left = BindQuery(*node.left);
  LogicalPtr right = BindQuery(*node.right);
  if (left->output.size() != right->output.size()) {
    throw Error(ErrorKind::kBinder,
                "set operation inputs have different column counts: " +
                    std::to_string(left->output.size()) + " and " +
                    std::to_string(right->output.size()),
                node.position);
  }
  std::vector<LogicalType> types;
  for (size_t i = 0; i < left->output.size(); i++) {
    auto t = CommonSuperType(left->output[i].type, right->output[i].type);
    if (!t) {
      throw Error(ErrorKind::kBinder,
                  "set operation column " + std::to_string(i + 1) + " ('" + left->output[i].name +
                      "') has incompatible types " + left->output[i].type.ToString() + " and " +
                      right->output[i].type.ToString(),
                  node.position);
    }
    types.push_back(t->id == TypeId::kNull ? LogicalType(TypeId::kVarchar) : *t);
  }
  auto cast_input = [&](LogicalPtr in) {
    bool needed = false;
    for (size_t i = 0; i < types.size(); i++) needed = needed || in->output[i].type != types[i];
    if (!needed) return in;
    std::vector<ExprPtr> exprs;
    std::vector<std::string> names;
    for (size_t i = 0; i < types.size(); i++) {
      exprs.push_back(CastTo(
          MakeColumnRef(static_cast<int>(i), in->output[i].type, in->output[i].name), types[i]));
      names.push_back(in->output[i].name);
    }
    return MakeProject(in, std::move(exprs), std::move(names));
  };
  auto set = std::make_shared<LogicalSetOperation>();
  set->set_op = node.op == SetOperationType::kUnion       ? SetOpKind::kUnion
                : node.op == SetOperationType::kIntersect ? SetOpKind::kIntersect
                                                          : SetOpKind::kExcept;
  set->all = node.all;
  set->children = {cast_input(left), cast_input(right)};
  for (size_t i = 0; i < types.size(); i++) set->output.push_back({left->output[i].name, types[i]});
  return set;
}

LogicalPtr Binder::BindValues(const ValuesNode& node) {
  auto values = std::make_shared<LogicalValues>();
  size_t width = node.rows.empty() ? 0 : node.rows[0].size();
  for (const auto& row : node.rows) {
    if (row.size() != width) {
      throw Error(ErrorKind::kBinder, "VALUES rows have different numbers of columns",
                  node.position);
    }
    std::vector<ExprPtr> bound;
    for (const auto& e : row) {
      BindContext ctx;
      ctx.clause = "VALUES";
      bound.push_back(BindExpr(*e, ctx));
    }
    values->rows.push_back(std::move(bound));
  }
  for (size_t c = 0; c < width; c++) {
    LogicalType t(TypeId::kNull);
    for (const auto& row : values->rows) {
      auto common = CommonSuperType(t, row[c]->type);
      if (!common) {
        throw Error(ErrorKind::kBinder,
                    "VALUES column " + std::to_string(c + 1) + " mixes " + t.ToString() + " and " +
                        row[c]->type.ToString(),
                    node.position);
      }
      t = *common;
    }
    if (t.id == TypeId::kNull) t = LogicalType(TypeId::kVarchar);
    for (auto& row : values->rows) row[c] = FoldConstantExpr(CastTo(row[c], t));
    values->output.push_back({"_col" + std::to_string(c), t});
  }
  return values;
}

bool Binder::BindSubqueryPredicate(const ParsedExpression& conjunct, bool negated, LogicalPtr& plan,
                                   Scope& scope) {
  if (conjunct.kind == ExpressionKind::kUnary &&
      conjunct.As<UnaryExpression>().op == UnaryOp::kNot) {
    return BindSubqueryPredicate(*conjunct.As<UnaryExpression>().child, !negated, plan, scope);
  }
  int outer_width = static_cast<int>(scope.columns.size());
  auto join = std::make_shared<LogicalJoin>();
  if (conjunct.kind == ExpressionKind::kInSubquery) {
    const auto& in = conjunct.As<InSubqueryExpression>();
    bool anti = negated != in.negated;
    BindContext ctx;
    ctx.scope = &scope;
    ctx.clause = "IN";
    ExprPtr value;
    try {
      value = BindExpr(*in.value, ctx);
    } catch (const Error& e) {
      // A subquery in the value: bound as a condition over the plan (BindInSubqueryValue).
      if (e.kind() == ErrorKind::kUnsupported) return false;
      throw;
    }
    bool is_correlated = false;
    int depth = 0;
    LogicalPtr sub = BindSubqueryPlan(*in.query, scope, &is_correlated, &depth);
    if (is_correlated) {
      // Correlated x IN (SELECT y FROM t WHERE t.a = outer.b): a semi join on x = y AND the
      // correlation. (NOT IN is null-aware per correlated group: unnested in general.)
      const QueryNode& q = *in.query;
      bool simple =
          !anti && q.kind == QueryNodeKind::kSelect && q.ctes.empty() && !q.limit && !q.offset;
      if (simple) {
        const auto& s = q.As<SelectNode>();
        simple = s.from && s.where && s.group_by.empty() && !s.having && !s.distinct &&
                 s.select_list.size() == 1 &&
                 s.select_list[0].expr->kind != ExpressionKind::kStar &&
                 !ContainsAggregate(*s.select_list[0].expr);
      }
      if (!simple) return false;
      const auto& s = q.As<SelectNode>();
      return TryFastPath(scope, [&]() {
        BoundRelation inner = BindTableRef(*s.from);
        Scope combined = CorrelatedScope(scope, inner.scope);
        int total = static_cast<int>(combined.columns.size());
        std::vector<ExprPtr> inner_filters, correlated;
        std::vector<const ParsedExpression*> parts;
        SplitParsedConjunction(*s.where, parts);
        for (const auto* p : parts) {
          BindContext wctx;
          wctx.scope = &combined;
          wctx.clause = "WHERE";
          ExprPtr w = EnsureBoolean(BindExpr(*p, wctx), "WHERE", p->position);
          if (RefsWithin(*w, outer_width, total)) {
            inner_filters.push_back(ShiftColumns(w, -outer_width));
          } else {
            correlated.push_back(w);
          }
        }
        BindContext ictx;
        ictx.scope = &inner.scope;
        ictx.clause = "IN subquery";
        ExprPtr item = BindExpr(*s.select_list[0].expr, ictx);
        auto project = std::make_shared<LogicalProject>();
        project->children = {MakeFilterNode(inner.plan, std::move(inner_filters))};
        // Output: the inner columns (for the correlation), then the IN item.
        for (size_t i = 0; i < inner.scope.columns.size(); i++) {
          const auto& c = inner.scope.columns[i];
          project->exprs.push_back(MakeColumnRef(static_cast<int>(i), c.type, c.name));
          project->output.push_back({c.name, c.type});
        }
        project->exprs.push_back(item);
        project->output.push_back({"in_value", item->type});
        int item_index = outer_width + static_cast<int>(inner.scope.columns.size());
        correlated.push_back(BindComparisonExpr(CompareOp::kEq, value,
                                                MakeColumnRef(item_index, item->type, "in_value"),
                                                conjunct.position));
        join->join_type = JoinType::kSemi;
        join->condition = MakeAnd(correlated);
        join->children = {plan, project};
        join->output = plan->output;
        plan = join;
      });
    }
    if (sub->output.size() != 1) {
      throw Error(
          ErrorKind::kBinder,
          "an IN subquery must return one column, not " + std::to_string(sub->output.size()),
          conjunct.position);
    }
    join->join_type = anti ? JoinType::kAnti : JoinType::kSemi;
    join->null_aware = anti;
    join->condition = BindComparisonExpr(
        CompareOp::kEq, value, MakeColumnRef(outer_width, sub->output[0].type, sub->output[0].name),
        conjunct.position);
    join->children = {plan, sub};
  } else if (conjunct.kind == ExpressionKind::kExists) {
    const auto& ex = conjunct.As<ExistsExpression>();
    bool anti = negated != ex.negated;
    join->join_type = anti ? JoinType::kAnti : JoinType::kSemi;
    const QueryNode& q = *ex.query;
    bool simple = q.kind == QueryNodeKind::kSelect && q.ctes.empty() && !q.limit && !q.offset;
    if (simple) {
      const auto& s = q.As<SelectNode>();
      simple = s.from && s.group_by.empty() && !s.having;
      for (const auto& item : s.select_list) simple = simple && !ContainsAggregate(*item.expr);
    }
    if (!simple) {
      // Uncorrelated form: any row of the subquery.
      bool is_correlated = false;
      int depth = 0;
      LogicalPtr sub = BindSubqueryPlan(q, scope, &is_correlated, &depth);
      if (is_correlated) return false;
      join->children = {plan, sub};
    } else if (!TryFastPath(scope, [&]() {
                 const auto& s = q.As<SelectNode>();
                 BoundRelation inner = BindTableRef(*s.from);
                 // Inner names win over outer names: outer columns shadowed by an inner name are
                 // reachable only qualified.
                 Scope combined = CorrelatedScope(scope, inner.scope);
                 int total = static_cast<int>(combined.columns.size());
                 std::vector<ExprPtr> inner_filters, correlated;
                 if (s.where) {
                   std::vector<const ParsedExpression*> parts;
                   SplitParsedConjunction(*s.where, parts);
                   for (const auto* p : parts) {
                     BindContext ctx;
                     ctx.scope = &combined;
                     ctx.clause = "WHERE";
                     ExprPtr e = EnsureBoolean(BindExpr(*p, ctx), "WHERE", p->position);
                     if (RefsWithin(*e, outer_width, total)) {
                       inner_filters.push_back(ShiftColumns(e, -outer_width));
                     } else {
                       correlated.push_back(e);
                     }
                   }
                 }
                 LogicalPtr sub = MakeFilterNode(inner.plan, std::move(inner_filters));
                 join->children = {plan, sub};
                 if (!correlated.empty()) join->condition = MakeAnd(correlated);
               })) {
      return false;
    }
  } else {
    return false;
  }
  join->output = plan->output;
  plan = join;
  return true;
}

void Binder::BindWhere(const ParsedExpression& where, LogicalPtr& plan, Scope& scope) {
  std::vector<const ParsedExpression*> parts;
  SplitParsedConjunction(where, parts);
  std::vector<ExprPtr> conjuncts;
  std::vector<const ParsedExpression*> with_subqueries;
  for (const auto* p : parts) {
    if (BindSubqueryPredicate(*p, false, plan, scope)) continue;
    if (ContainsAggregate(*p)) {
      throw Error(ErrorKind::kBinder, "aggregate functions are not allowed in WHERE (use HAVING)",
                  p->position);
    }
    // Conjuncts without subqueries filter first: a correlated subquery is unnested over the
    // values of the outer plan it is joined to, which then has them.
    BindContext ctx;
    ctx.scope = &scope;
    ctx.clause = "WHERE";
    try {
      conjuncts.push_back(EnsureBoolean(BindExpr(*p, ctx), "WHERE clause", p->position));
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kUnsupported) throw;
      with_subqueries.push_back(p);
    }
  }
  plan = MakeFilterNode(plan, std::move(conjuncts));
  conjuncts.clear();
  for (const auto* p : with_subqueries) {
    BindContext ctx;
    ctx.scope = &scope;
    ctx.plan = &plan;
    ctx.plan_scope = &scope;
    ctx.clause = "WHERE";
    conjuncts.push_back(EnsureBoolean(BindExpr(*p, ctx), "WHERE clause", p->position));
  }
  plan = MakeFilterNode(plan, std::move(conjuncts));
}

LogicalPtr Binder::BindSelect(const SelectNode& s) {
  // The WINDOW clause, visible to this SELECT's window functions (not to its subqueries').
  struct WindowsGuard {
    const std::vector<NamedWindow>*& slot;
    const std::vector<NamedWindow>* saved;
    ~WindowsGuard() { slot = saved; }
  } windows_guard{named_windows_, named_windows_};
  named_windows_ = &s.windows;
  LogicalPtr plan;
  Scope scope;
  if (s.from) {
    BoundRelation from = BindTableRef(*s.from);
    plan = from.plan;
    scope = std::move(from.scope);
  } else {
    auto values = std::make_shared<LogicalValues>();
    values->rows.push_back({});
    plan = values;
  }
  if (s.where) BindWhere(*s.where, plan, scope);

  // The select list with stars expanded.
  struct Item {
    const ParsedExpression* expr = nullptr;
    int column = -1;  // star-expanded column
    std::string name;
    int position = -1;
  };
  std::vector<Item> items;
  for (const auto& si : s.select_list) {
    if (si.expr->kind == ExpressionKind::kStar) {
      const auto& star = si.expr->As<StarExpression>();
      std::string qualifier = star.qualifier.empty() ? "" : LowerName(star.qualifier.back());
      bool any = false;
      for (size_t i = 0; i < scope.columns.size(); i++) {
        const auto& c = scope.columns[i];
        // t.* includes t's USING columns (hidden from a bare *, which lists them once).
        if (c.hidden_column) continue;
        if (qualifier.empty() ? c.hidden_from_star : c.table != qualifier) continue;
        items.push_back({nullptr, static_cast<int>(i), c.name, si.position});
        any = true;
      }
      if (!qualifier.empty() && !any) {
        throw Error(ErrorKind::kBinder,
                    "table or alias '" + star.qualifier.Joined() + "' not found for '*'",
                    si.position);
      }
      if (qualifier.empty() && !s.from)
        throw Error(ErrorKind::kBinder, "SELECT * needs a FROM clause", si.position);
      continue;
    }
    Item item;
    item.expr = si.expr.get();
    item.position = si.position;
    if (!si.alias.empty()) {
      item.name = si.alias;
    } else if (si.expr->kind == ExpressionKind::kColumnRef) {
      item.name = si.expr->As<ColumnRefExpression>().column_name();
    } else {
      item.name = si.expr->ToString();
    }
    items.push_back(item);
  }

  bool aggregated = !s.group_by.empty() || !s.grouping_elements.empty() || s.having;
  for (const auto& it : items) aggregated = aggregated || (it.expr && ContainsAggregate(*it.expr));
  for (const auto& o : s.order_by) aggregated = aggregated || ContainsAggregate(*o.expr);

  AggregateContext agg;
  agg.input = &scope;
  agg.input_plan = &plan;
  agg.input_plan_scope = &scope;
  if (aggregated) {
    for (const auto& g : s.group_by) {
      const ParsedExpression* expr = g.get();
      int star_column = -1;
      std::string text = g->ToString();
      if (IsIntegerLiteral(*g)) {
        int64_t k = g->As<LiteralExpression>().integer_value;
        if (k < 1 || k > static_cast<int64_t>(items.size())) {
          throw Error(ErrorKind::kBinder,
                      "GROUP BY position " + std::to_string(k) + " is not in the select list",
                      g->position);
        }
        const Item& it = items[k - 1];
        if (it.expr) {
          if (ContainsAggregate(*it.expr)) {
            throw Error(ErrorKind::kBinder,
                        "GROUP BY position " + std::to_string(k) + " refers to an aggregate",
                        g->position);
          }
          expr = it.expr;
          text = it.expr->ToString();
        } else {
          star_column = it.column;
          text = it.name;
        }
      } else if (g->kind == ExpressionKind::kColumnRef &&
                 g->As<ColumnRefExpression>().name.size() == 1) {
        // An input column first, else a select alias.
        const auto& ref = g->As<ColumnRefExpression>();
        bool is_input = false;
        for (const auto& c : scope.columns)
          is_input =
              is_input || (!c.qualified_only && LowerName(c.name) == LowerName(ref.column_name()));
        if (!is_input) {
          for (const auto& it : items) {
            if (it.expr && LowerName(it.name) == LowerName(ref.column_name()) &&
                !ContainsAggregate(*it.expr)) {
              expr = it.expr;
              text = it.expr->ToString();
              break;
            }
          }
        }
      }
      ExprPtr bound;
      if (star_column >= 0) {
        bound = MakeColumnRef(star_column, scope.columns[star_column].type,
                              scope.columns[star_column].name);
      } else {
        if (ContainsAggregate(*expr))
          throw Error(ErrorKind::kBinder, "aggregate functions are not allowed in GROUP BY",
                      g->position);
        BindContext ctx;
        ctx.scope = &scope;
        ctx.clause = "GROUP BY";
        bound = BindExpr(*expr, ctx);
      }
      agg.groups.push_back(bound);
      agg.group_texts.push_back(text);
    }
    if (!s.grouping_elements.empty()) {
      // The grouping set's number is one more group key (grouping() reads it).
      agg.grouping_sets = ExpandGroupingSets(s);
      agg.grouping_set_column = static_cast<int>(agg.groups.size());
      agg.groups.push_back(MakeConstant(Value::BigInt(0)));
      agg.group_texts.push_back("$grouping_set");
    }
  }

  WindowContext win;
  std::vector<LogicalPtr> deferred;  // scalar subqueries of an aggregated query
  std::vector<std::string> alias_names;
  std::vector<ExprPtr> alias_exprs;
  auto bind_output_expr = [&](const ParsedExpression& e, const char* clause) {
    BindContext ctx;
    ctx.scope = &scope;
    ctx.window = &win;
    ctx.clause = clause;
    if (!alias_names.empty()) {
      ctx.alias_names = &alias_names;
      ctx.alias_exprs = &alias_exprs;
    }
    if (aggregated) {
      ctx.aggregate = &agg;
      ctx.deferred_subqueries = &deferred;
    } else {
      ctx.plan = &plan;
      ctx.plan_scope = &scope;
    }
    return BindExpr(e, ctx);
  };

  std::vector<ExprPtr> exprs;
  std::vector<std::string> names;
  for (const auto& it : items) {
    if (it.expr) {
      exprs.push_back(bind_output_expr(*it.expr, "SELECT"));
    } else if (aggregated) {
      ExprPtr e;
      for (size_t g = 0; g < agg.groups.size(); g++) {
        if (agg.groups[g]->kind == ExprKind::kColumnRef &&
            agg.groups[g]->column_index == it.column) {
          e = MakeColumnRef(static_cast<int>(g), agg.groups[g]->type, it.name);
        }
      }
      if (!e) {
        throw Error(
            ErrorKind::kBinder,
            "column '" + it.name +
                "' (from *) must appear in the GROUP BY clause or be used in an aggregate function",
            it.position);
      }
      exprs.push_back(e);
    } else {
      exprs.push_back(MakeColumnRef(it.column, scope.columns[it.column].type, it.name));
    }
    names.push_back(it.name);
  }
  size_t visible = exprs.size();
  // ORDER BY expressions may use select-list aliases (ORDER BY total * 2).
  for (size_t i = 0; i < s.select_list.size(); i++) {
    const auto& si = s.select_list[i];
    if (si.alias.empty()) continue;
    for (size_t k = 0; k < items.size(); k++) {
      if (items[k].expr == si.expr.get()) {
        alias_names.push_back(LowerName(si.alias));
        alias_exprs.push_back(exprs[k]);
      }
    }
  }

  ExprPtr having;
  if (s.having) {
    BindContext ctx;
    ctx.scope = &scope;
    ctx.aggregate = &agg;
    ctx.deferred_subqueries = &deferred;
    ctx.clause = "HAVING";
    having = EnsureBoolean(BindExpr(*s.having, ctx), "HAVING clause", s.having->position);
  }

  // ORDER BY: output ordinals, output aliases, select expressions, else hidden columns.
  std::vector<SortKey> sort_keys;
  for (const auto& o : s.order_by) {
    SortKey key;
    key.ascending = o.ascending;
    key.nulls_first = o.nulls_first.value_or(false);
    int out = -1;
    if (IsIntegerLiteral(*o.expr)) {
      int64_t k = o.expr->As<LiteralExpression>().integer_value;
      if (k < 1 || k > static_cast<int64_t>(visible)) {
        throw Error(ErrorKind::kBinder,
                    "ORDER BY position " + std::to_string(k) + " is not in the select list",
                    o.expr->position);
      }
      out = static_cast<int>(k - 1);
    } else {
      if (o.expr->kind == ExpressionKind::kColumnRef &&
          o.expr->As<ColumnRefExpression>().name.size() == 1) {
        std::string n = LowerName(o.expr->As<ColumnRefExpression>().column_name());
        for (size_t i = 0; i < visible && out < 0; i++) {
          const auto& si = items[i];
          bool aliased = si.expr && si.expr->kind != ExpressionKind::kColumnRef;
          if (LowerName(names[i]) == n &&
              (aliased || si.expr == nullptr || si.expr->kind == ExpressionKind::kColumnRef)) {
            out = static_cast<int>(i);
          }
        }
      }
      if (out < 0) {
        std::string text = o.expr->ToString();
        for (size_t i = 0; i < visible && out < 0; i++) {
          if (items[i].expr && items[i].expr->ToString() == text) out = static_cast<int>(i);
        }
      }
      if (out < 0) {
        if (s.distinct) {
          throw Error(ErrorKind::kBinder,
                      "for SELECT DISTINCT, ORDER BY expressions must appear in the select list",
                      o.expr->position);
        }
        exprs.push_back(bind_output_expr(*o.expr, "ORDER BY"));
        names.push_back(o.expr->ToString());
        out = static_cast<int>(exprs.size() - 1);
      }
    }
    key.expr = MakeColumnRef(out, exprs[out]->type, names[out]);
    sort_keys.push_back(key);
  }

  if (aggregated) {
    auto a = std::make_shared<LogicalAggregate>();
    a->groups = agg.groups;
    a->aggregates = agg.aggregates;
    for (size_t i = 0; i < agg.groups.size(); i++)
      a->output.push_back({agg.group_texts[i], agg.groups[i]->type});
    for (size_t i = 0; i < agg.aggregates.size(); i++)
      a->output.push_back({agg.aggregate_names[i], agg.aggregates[i]->type});
    a->children = {agg.grouping_sets.empty() ? plan : BuildGroupingSetsInput(plan, agg, *a)};
    plan = a;
    if (!deferred.empty()) {
      int base = static_cast<int>(plan->output.size());
      plan = JoinDeferredSubqueries(plan, deferred);
      having = ResolveSubqueryRefs(having, base);
      for (auto& e : exprs) e = ResolveSubqueryRefs(e, base);
      for (auto& e : win.exprs) e = ResolveSubqueryRefs(e, base);
    }
    if (having) plan = MakeFilterNode(plan, {having});
  }
  if (!win.exprs.empty()) {
    int base = static_cast<int>(plan->output.size());
    auto w = std::make_shared<LogicalWindow>();
    w->output = plan->output;
    for (size_t i = 0; i < win.exprs.size(); i++)
      w->output.push_back({win.texts[i], win.exprs[i]->type});
    w->window_exprs = win.exprs;
    w->children = {plan};
    plan = w;
    for (auto& e : exprs) e = ResolveWindowRefs(e, base);
  }
  plan = MakeProject(plan, exprs, names);
  if (s.distinct) {
    auto d = std::make_shared<LogicalAggregate>();
    d->groups = IdentityRefs(*plan);
    d->output = plan->output;
    d->children = {plan};
    plan = d;
  }
  if (!sort_keys.empty()) {
    auto sort = std::make_shared<LogicalSort>();
    sort->keys = sort_keys;
    sort->output = plan->output;
    sort->children = {plan};
    plan = sort;
  }
  plan = MakeLimit(plan, s);
  if (exprs.size() > visible) {
    std::vector<ExprPtr> keep;
    std::vector<std::string> keep_names;
    for (size_t i = 0; i < visible; i++) {
      keep.push_back(MakeColumnRef(static_cast<int>(i), exprs[i]->type, names[i]));
      keep_names.push_back(names[i]);
    }
    plan = MakeProject(plan, keep, keep_names);
  }
  return plan;
}

}  // namespace aishell
