// The dependent join push-down of subquery_unnesting.h.
#include "planner/subquery_unnesting.h"

#include "common/exception.h"
#include "functions/nested_functions.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// A copy of `expr` with each node for which fn returns non-null replaced by that (bottom-up:
// fn sees the original node).
ExprPtr MapExpr(const ExprPtr& expr, const std::function<ExprPtr(const Expr&)>& fn) {
  if (!expr) return expr;
  if (ExprPtr r = fn(*expr)) return r;
  auto c = std::make_shared<Expr>(*expr);
  for (auto& ch : c->children) ch = MapExpr(ch, fn);
  if (c->window) {
    auto w = std::make_shared<WindowSpec>(*c->window);
    for (auto& p : w->partition_by) p = MapExpr(p, fn);
    for (auto& k : w->order_by) k.expr = MapExpr(k.expr, fn);
    c->window = std::move(w);
  }
  return c;
}

void VisitExpr(const Expr& expr, const std::function<void(const Expr&)>& fn) {
  fn(expr);
  for (const auto& ch : expr.children) {
    if (ch) VisitExpr(*ch, fn);
  }
  if (expr.window) {
    for (const auto& p : expr.window->partition_by) VisitExpr(*p, fn);
    for (const auto& k : expr.window->order_by) VisitExpr(*k.expr, fn);
  }
}

// Every expression slot of one operator (not its children's).
void ForEachExprSlot(LogicalOperator& op, const std::function<void(ExprPtr&)>& fn) {
  switch (op.kind) {
    case LogicalOpKind::kFilter:
      fn(static_cast<LogicalFilter&>(op).predicate);
      break;
    case LogicalOpKind::kProject:
      for (auto& e : static_cast<LogicalProject&>(op).exprs) fn(e);
      break;
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<LogicalAggregate&>(op);
      for (auto& e : a.groups) fn(e);
      for (auto& e : a.aggregates) fn(e);
      break;
    }
    case LogicalOpKind::kJoin: {
      auto& j = static_cast<LogicalJoin&>(op);
      for (auto& e : j.left_keys) fn(e);
      for (auto& e : j.right_keys) fn(e);
      if (j.condition) fn(j.condition);
      break;
    }
    case LogicalOpKind::kSort:
      for (auto& k : static_cast<LogicalSort&>(op).keys) fn(k.expr);
      break;
    case LogicalOpKind::kWindow:
      for (auto& e : static_cast<LogicalWindow&>(op).window_exprs) fn(e);
      break;
    case LogicalOpKind::kUnnest:
      for (auto& e : static_cast<LogicalUnnest&>(op).arrays) fn(e);
      break;
    case LogicalOpKind::kValues:
      for (auto& row : static_cast<LogicalValues&>(op).rows) {
        for (auto& e : row) fn(e);
      }
      break;
    case LogicalOpKind::kScan:
      for (auto& e : static_cast<LogicalScan&>(op).pushed_filters) fn(e);
      break;
    default:
      break;
  }
}

void ForEachExprConst(const LogicalOperator& op, const std::function<void(const Expr&)>& fn) {
  ForEachExprSlot(const_cast<LogicalOperator&>(op), [&](ExprPtr& e) {
    if (e) fn(*e);
  });
}

template <typename T>
std::shared_ptr<T> CopyNode(const LogicalOperator& op) {
  return std::make_shared<T>(static_cast<const T&>(op));
}

ExprPtr Ref(int index, const OutputColumn& col) { return MakeColumnRef(index, col.type, col.name); }

LogicalPtr MakeProjectNode(LogicalPtr child, std::vector<int> columns) {
  auto p = std::make_shared<LogicalProject>();
  for (int c : columns) {
    p->exprs.push_back(Ref(c, child->output[c]));
    p->output.push_back(child->output[c]);
  }
  p->children = {std::move(child)};
  return p;
}

LogicalPtr MakeJoinNode(JoinType type, LogicalPtr left, LogicalPtr right, ExprPtr condition) {
  auto j = std::make_shared<LogicalJoin>();
  j->join_type = type;
  j->output = left->output;
  if (type != JoinType::kSemi && type != JoinType::kAnti)
    j->output.insert(j->output.end(), right->output.begin(), right->output.end());
  j->condition = std::move(condition);
  j->children = {std::move(left), std::move(right)};
  j->unnested = true;
  return j;
}

ExprPtr MakeAggregateCall(const std::string& name, std::vector<ExprPtr> args) {
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a->type);
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindAggregate(name, types, false, &coerced);
  if (!fn) throw Error(ErrorKind::kInternal, "aggregate '" + name + "' is not registered");
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggregate;
  e->name = name;
  e->aggregate = fn;
  e->type = fn->return_type;
  e->children = std::move(args);
  return e;
}

// Aggregates that collect NULL arguments (an empty group's domain row would add one).
bool KeepsNulls(const Expr& aggregate) {
  return aggregate.name == "array_agg" || aggregate.name == "map_agg";
}

class DomainPusher {
 public:
  explicit DomainPusher(const DomainInfo& d) : d_(d), k_(static_cast<int>(d.columns.size())) {}

  LogicalPtr Push(const LogicalPtr& op) {
    if (!Has(*op)) return Cross(op);
    switch (op->kind) {
      case LogicalOpKind::kFilter: {
        LogicalPtr c = Push(op->children[0]);
        int cw = Width(op->children[0]);
        auto f = CopyNode<LogicalFilter>(*op);
        f->predicate = Rewrite(f->predicate, cw);
        f->output = c->output;
        f->children = {c};
        return f;
      }
      case LogicalOpKind::kProject: {
        LogicalPtr c = Push(op->children[0]);
        int cw = Width(op->children[0]);
        auto p = CopyNode<LogicalProject>(*op);
        for (auto& e : p->exprs) e = Rewrite(e, cw);
        AppendDomainRefs(p->exprs, cw);
        p->output.insert(p->output.end(), d_.columns.begin(), d_.columns.end());
        p->children = {c};
        return p;
      }
      case LogicalOpKind::kAggregate:
        return PushAggregate(static_cast<const LogicalAggregate&>(*op));
      case LogicalOpKind::kJoin:
        return PushJoin(static_cast<const LogicalJoin&>(*op));
      case LogicalOpKind::kSort: {
        LogicalPtr c = Push(op->children[0]);
        auto s = CopyNode<LogicalSort>(*op);
        for (auto& key : s->keys) key.expr = Rewrite(key.expr, Width(op->children[0]));
        s->output = c->output;
        s->children = {c};
        return s;
      }
      case LogicalOpKind::kLimit:
        return PushLimit(static_cast<const LogicalLimit&>(*op));
      case LogicalOpKind::kWindow: {
        LogicalPtr c = Push(op->children[0]);
        int cw = Width(op->children[0]);
        auto w = CopyNode<LogicalWindow>(*op);
        for (auto& e : w->window_exprs) {
          e = Rewrite(e, cw);
          auto spec = std::make_shared<WindowSpec>(*e->window);
          AppendDomainRefs(spec->partition_by, cw);
          e->window = spec;
        }
        w->output = c->output;
        int nw = static_cast<int>(w->window_exprs.size());
        for (int i = 0; i < nw; i++) w->output.push_back(op->output[cw + i]);
        w->children = {c};
        return Reorder(w, cw, k_, nw);
      }
      case LogicalOpKind::kSetOperation: {
        auto s = CopyNode<LogicalSetOperation>(*op);
        s->children = {Push(op->children[0]), Push(op->children[1])};
        s->output.insert(s->output.end(), d_.columns.begin(), d_.columns.end());
        return s;
      }
      case LogicalOpKind::kUnnest: {
        LogicalPtr c = Push(op->children[0]);
        int cw = Width(op->children[0]);
        auto u = CopyNode<LogicalUnnest>(*op);
        for (auto& e : u->arrays) e = Rewrite(e, cw);
        u->output = c->output;
        int extra = Width(op) - cw;
        for (int i = 0; i < extra; i++) u->output.push_back(op->output[cw + i]);
        u->children = {c};
        return Reorder(u, cw, k_, extra);
      }
      default:
        throw Error(ErrorKind::kUnsupported, "a correlated subquery with outer references in " +
                                                 op->Describe() + " is not supported");
    }
  }

 private:
  bool Has(const LogicalOperator& op) const {
    return PlanHasOuterRefs(op, [&](int id) { return Mine(id); });
  }
  bool Mine(int id) const {
    return id >= 0 && id < static_cast<int>(d_.id_to_domain.size()) && d_.id_to_domain[id] >= 0;
  }
  static int Width(const LogicalPtr& op) { return static_cast<int>(op->output.size()); }

  // This level's outer refs -> base + domain column.
  ExprPtr Rewrite(const ExprPtr& e, int base) const {
    return MapExpr(e, [&](const Expr& x) -> ExprPtr {
      if (!IsOuterRef(x) || !Mine(x.column_index - kOuterRefBase)) return nullptr;
      int pos = d_.id_to_domain[x.column_index - kOuterRefBase];
      return MakeColumnRef(base + pos, x.type, x.name);
    });
  }
  // Local refs >= from move by delta.
  static ExprPtr Shift(const ExprPtr& e, int from, int delta) {
    if (delta == 0) return e;
    return MapExpr(e, [&](const Expr& x) -> ExprPtr {
      if (x.kind != ExprKind::kColumnRef || x.column_index >= kOuterRefBase ||
          x.column_index < from)
        return nullptr;
      return MakeColumnRef(x.column_index + delta, x.type, x.name);
    });
  }
  void AppendDomainRefs(std::vector<ExprPtr>& exprs, int base) const {
    for (int i = 0; i < k_; i++) exprs.push_back(Ref(base + i, d_.columns[i]));
  }

  LogicalPtr Cross(const LogicalPtr& op) const {
    return MakeJoinNode(JoinType::kCross, op, d_.make_domain(), nullptr);
  }

  // op's output is [a columns][b columns][c columns]: a project to [a][c][b].
  static LogicalPtr Reorder(LogicalPtr op, int a, int b, int c) {
    std::vector<int> cols;
    for (int i = 0; i < a; i++) cols.push_back(i);
    for (int i = 0; i < c; i++) cols.push_back(a + b + i);
    for (int i = 0; i < b; i++) cols.push_back(a + i);
    return MakeProjectNode(std::move(op), std::move(cols));
  }

  ExprPtr DomainEquals(int left_base, int right_base) const {
    std::vector<ExprPtr> conds;
    for (int i = 0; i < k_; i++) {
      conds.push_back(
          NullSafeEquals(Ref(left_base + i, d_.columns[i]), Ref(right_base + i, d_.columns[i])));
    }
    return MakeAnd(std::move(conds));
  }

  LogicalPtr PushAggregate(const LogicalAggregate& agg) {
    const LogicalPtr& child = agg.children[0];
    int cw = Width(child);
    LogicalPtr c = Push(child);
    int ng = static_cast<int>(agg.groups.size());
    int na = static_cast<int>(agg.aggregates.size());
    auto a = std::make_shared<LogicalAggregate>();
    if (ng > 0) {
      for (const auto& g : agg.groups) a->groups.push_back(Rewrite(g, cw));
      AppendDomainRefs(a->groups, cw);
      for (const auto& e : agg.aggregates) a->aggregates.push_back(Rewrite(e, cw));
      a->output.assign(agg.output.begin(), agg.output.begin() + ng);
      a->output.insert(a->output.end(), d_.columns.begin(), d_.columns.end());
      a->output.insert(a->output.end(), agg.output.begin() + ng, agg.output.end());
      a->children = {c};
      return Reorder(a, ng, k_, na);
    }
    // A global aggregate has one row per domain value, also for the values whose group is
    // empty: domain LEFT JOIN (input, TRUE AS marker) ON domain = input's domain, grouped by
    // the domain; count(*) counts the markers.
    auto marked = std::make_shared<LogicalProject>();
    marked->exprs = IdentityRefs(*c);
    marked->output = c->output;
    marked->exprs.push_back(MakeConstant(Value::Boolean(true)));
    marked->output.push_back({"$marker", LogicalType(TypeId::kBoolean)});
    marked->children = {c};
    int marker = k_ + cw + k_;
    LogicalPtr left = d_.make_domain();
    auto join = MakeJoinNode(JoinType::kLeft, left, marked, DomainEquals(0, k_ + cw));
    for (int i = 0; i < k_; i++) a->groups.push_back(Ref(i, d_.columns[i]));
    for (const auto& e : agg.aggregates) {
      if (e->name == "count_star") {
        auto m = MakeAggregateCall("count", {Ref(marker, join->output[marker])});
        m->type = e->type;
        a->aggregates.push_back(m);
        continue;
      }
      ExprPtr moved = Rewrite(Shift(e, 0, k_), 0);
      if (KeepsNulls(*e)) {
        // The domain row of an empty group must not be collected: only rows with the marker.
        auto marker_set = std::make_shared<Expr>();
        marker_set->kind = ExprKind::kIsNotNull;
        marker_set->type = LogicalType(TypeId::kBoolean);
        marker_set->children = {Ref(marker, join->output[marker])};
        moved->aggregate = MakeOrderedAggregate(moved->aggregate, {}, {}, {}, true, false);
        moved->children.push_back(marker_set);
      }
      a->aggregates.push_back(moved);
    }
    a->output = d_.columns;
    a->output.insert(a->output.end(), agg.output.begin(), agg.output.end());
    a->children = {join};
    return Reorder(a, 0, k_, na);
  }

  LogicalPtr PushJoin(const LogicalJoin& join) {
    const LogicalPtr& l = join.children[0];
    const LogicalPtr& r = join.children[1];
    int lw = Width(l), rw = Width(r);
    bool lh = Has(*l), rh = Has(*r);
    bool push_left = lh, push_right = rh;
    switch (join.join_type) {
      case JoinType::kInner:
      case JoinType::kCross:
        if (!lh && !rh) push_left = true;
        break;
      case JoinType::kLeft:
      case JoinType::kSemi:
      case JoinType::kAnti:
        push_left = true;
        break;
      case JoinType::kRight:
        push_right = true;
        break;
      case JoinType::kFull:
        push_left = push_right = true;
        break;
    }
    if (join.null_aware && push_right) {
      throw Error(ErrorKind::kUnsupported,
                  "NOT IN over a subquery correlated two levels out is not supported");
    }
    LogicalPtr nl = push_left ? Push(l) : l;
    LogicalPtr nr = push_right ? Push(r) : r;
    int lk = push_left ? k_ : 0;
    auto j = CopyNode<LogicalJoin>(join);
    j->children = {nl, nr};
    int domain_base = push_left ? lw : lw + lk + rw;
    if (j->condition) j->condition = Rewrite(Shift(j->condition, lw, lk), domain_base);
    for (auto& e : j->left_keys) e = Rewrite(e, lw);
    for (auto& e : j->right_keys) e = Rewrite(e, rw);
    if (push_left && push_right) {
      ExprPtr eq = DomainEquals(lw, lw + lk + rw);
      j->condition = j->condition ? MakeAnd({j->condition, eq}) : eq;
    }
    if (j->join_type == JoinType::kCross && j->condition) j->join_type = JoinType::kInner;
    j->output = nl->output;
    if (join.join_type == JoinType::kSemi || join.join_type == JoinType::kAnti) return j;
    j->output.insert(j->output.end(), nr->output.begin(), nr->output.end());
    std::vector<int> cols;
    for (int i = 0; i < lw; i++) cols.push_back(i);
    for (int i = 0; i < rw; i++) cols.push_back(lw + lk + i);
    for (int i = 0; i < k_; i++) cols.push_back(domain_base + i);
    return MakeProjectNode(j, std::move(cols));
  }

  LogicalPtr PushLimit(const LogicalLimit& limit) {
    // LIMIT per domain value: row_number() OVER (PARTITION BY domain ORDER BY the sort keys).
    LogicalPtr below = limit.children[0];
    std::vector<SortKey> order;
    if (below->kind == LogicalOpKind::kSort) {
      order = static_cast<const LogicalSort&>(*below).keys;
      below = below->children[0];
    }
    int cw = Width(below);
    LogicalPtr c = Push(below);
    for (auto& key : order) key.expr = Rewrite(key.expr, cw);
    std::vector<ExprPtr> partition;
    AppendDomainRefs(partition, cw);
    auto w = std::make_shared<LogicalWindow>();
    w->window_exprs = {MakeRowNumber(std::move(partition), std::move(order))};
    w->output = c->output;
    w->output.push_back({"$row_number", LogicalType(TypeId::kBigInt)});
    w->children = {c};
    ExprPtr rn = Ref(cw + k_, w->output.back());
    std::vector<ExprPtr> conds;
    conds.push_back(MakeComparison(CompareOp::kGt, rn, MakeConstant(Value::BigInt(limit.offset))));
    if (limit.limit >= 0) {
      conds.push_back(MakeComparison(CompareOp::kLe, rn->Copy(),
                                     MakeConstant(Value::BigInt(limit.offset + limit.limit))));
    }
    LogicalPtr f = MakeFilterNode(w, std::move(conds));
    std::vector<int> cols;
    for (int i = 0; i < cw + k_; i++) cols.push_back(i);
    return MakeProjectNode(f, std::move(cols));
  }

  const DomainInfo& d_;
  int k_;
};

}  // namespace

bool HasOuterRefs(const Expr& expr, const std::function<bool(int)>& pred) {
  bool found = false;
  VisitExpr(expr, [&](const Expr& e) {
    if (IsOuterRef(e) && pred(e.column_index - kOuterRefBase)) found = true;
  });
  return found;
}

void CollectPlanOuterRefs(const LogicalOperator& op, const std::function<void(int)>& fn) {
  ForEachExprConst(op, [&](const Expr& e) {
    VisitExpr(e, [&](const Expr& x) {
      if (IsOuterRef(x)) fn(x.column_index - kOuterRefBase);
    });
  });
  for (const auto& c : op.children) CollectPlanOuterRefs(*c, fn);
}

bool PlanHasOuterRefs(const LogicalOperator& op, const std::function<bool(int)>& pred) {
  bool found = false;
  CollectPlanOuterRefs(op, [&](int id) {
    if (pred(id)) found = true;
  });
  return found;
}

LogicalPtr ClonePlan(const LogicalOperator& op) {
  LogicalPtr copy;
  switch (op.kind) {
    case LogicalOpKind::kScan: {
      auto s = CopyNode<LogicalScan>(op);
      if (!s->make_scan) {
        throw Error(ErrorKind::kUnsupported, "a correlated subquery over " + op.Describe() +
                                                 " is not supported (the scan cannot be repeated)");
      }
      s->scan = s->make_scan();
      copy = s;
      break;
    }
    case LogicalOpKind::kFilter:
      copy = CopyNode<LogicalFilter>(op);
      break;
    case LogicalOpKind::kProject:
      copy = CopyNode<LogicalProject>(op);
      break;
    case LogicalOpKind::kAggregate:
      copy = CopyNode<LogicalAggregate>(op);
      break;
    case LogicalOpKind::kJoin:
      copy = CopyNode<LogicalJoin>(op);
      break;
    case LogicalOpKind::kSort:
      copy = CopyNode<LogicalSort>(op);
      break;
    case LogicalOpKind::kLimit:
      copy = CopyNode<LogicalLimit>(op);
      break;
    case LogicalOpKind::kWindow:
      copy = CopyNode<LogicalWindow>(op);
      break;
    case LogicalOpKind::kSetOperation:
      copy = CopyNode<LogicalSetOperation>(op);
      break;
    case LogicalOpKind::kValues:
      copy = CopyNode<LogicalValues>(op);
      break;
    case LogicalOpKind::kUnnest:
      copy = CopyNode<LogicalUnnest>(op);
      break;
    default:
      throw Error(ErrorKind::kUnsupported,
                  "a correlated subquery over " + op.Describe() + " is not supported");
  }
  ForEachExprSlot(*copy, [](ExprPtr& e) {
    if (e) e = e->Copy();
  });
  for (auto& c : copy->children) c = ClonePlan(*c);
  return copy;
}

LogicalPtr PushDomain(const LogicalPtr& op, const DomainInfo& domain) {
  DomainPusher pusher(domain);
  return pusher.Push(op);
}

ExprPtr NullSafeEquals(ExprPtr a, ExprPtr b) {
  const LogicalType& t = a->type;
  ExprPtr sentinel;
  if (t.IsNumeric()) {
    sentinel = MakeCast(MakeConstant(Value::BigInt(0)), t);
  } else if (t.id == TypeId::kVarchar) {
    sentinel = MakeCast(MakeConstant(Value::Varchar("")), t);
  } else if (t.id == TypeId::kBoolean) {
    sentinel = MakeConstant(Value::Boolean(false));
  }
  if (!sentinel) return MakeComparison(CompareOp::kIsNotDistinctFrom, a, b);
  auto coalesce = [&](ExprPtr x) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCoalesce;
    e->type = t;
    e->children = {std::move(x), sentinel->Copy()};
    return e;
  };
  auto is_null = [](ExprPtr x) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kIsNull;
    e->type = LogicalType(TypeId::kBoolean);
    e->children = {std::move(x)};
    return e;
  };
  return MakeAnd({MakeComparison(CompareOp::kEq, coalesce(a), coalesce(b)),
                  MakeComparison(CompareOp::kEq, is_null(a->Copy()), is_null(b->Copy()))});
}

ExprPtr MakeRowNumber(std::vector<ExprPtr> partition_by, std::vector<SortKey> order_by) {
  auto spec = std::make_shared<WindowSpec>();
  spec->function = WindowFunctionKind::kRowNumber;
  spec->partition_by = std::move(partition_by);
  spec->order_by = std::move(order_by);
  spec->rows_frame = true;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kWindow;
  e->name = "row_number";
  e->type = LogicalType(TypeId::kBigInt);
  e->window = spec;
  return e;
}

}  // namespace aishell
