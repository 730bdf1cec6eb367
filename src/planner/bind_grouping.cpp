// GROUP BY GROUPING SETS, ROLLUP and CUBE, and grouping(), as Trino plans them: the input is
// repeated once per grouping set (a cross join with a VALUES list of set numbers), the group keys
// outside a row's set are NULL, and one aggregation groups by every key plus the set number.
// DISTINCT and FILTER aggregates, HAVING and ORDER BY then need nothing special.
#include <algorithm>

#include "common/exception.h"
#include "planner/binder.h"

namespace aishell {

namespace {

std::vector<std::vector<size_t>> ElementSets(const GroupingElement& el) {
  std::vector<std::vector<size_t>> sets;
  switch (el.kind) {
    case GroupingElementKind::kPlain:
    case GroupingElementKind::kGroupingSets:
      return el.lists;
    case GroupingElementKind::kRollup:
      // ROLLUP (a, b, c): (a, b, c), (a, b), (a), ().
      for (size_t n = el.lists.size() + 1; n-- > 0;) {
        std::vector<size_t> set;
        for (size_t i = 0; i < n; i++)
          set.insert(set.end(), el.lists[i].begin(), el.lists[i].end());
        sets.push_back(std::move(set));
      }
      return sets;
    case GroupingElementKind::kCube: {
      // CUBE (a, b): (a, b), (a), (b), (): every subset, the larger ones first.
      size_t n = el.lists.size();
      if (n > 12) {
        throw Error(ErrorKind::kBinder,
                    "CUBE of " + std::to_string(n) +
                        " items makes too many grouping sets (at most 12 items)",
                    el.position);
      }
      for (size_t mask = (size_t{1} << n); mask-- > 0;) {
        std::vector<size_t> set;
        for (size_t i = 0; i < n; i++) {
          if (mask & (size_t{1} << (n - 1 - i)))
            set.insert(set.end(), el.lists[i].begin(), el.lists[i].end());
        }
        sets.push_back(std::move(set));
      }
      std::stable_sort(sets.begin(), sets.end(),
                       [](const auto& a, const auto& b) { return a.size() > b.size(); });
      return sets;
    }
  }
  return sets;
}

}  // namespace

std::vector<std::vector<size_t>> ExpandGroupingSets(const SelectNode& select) {
  std::vector<std::vector<size_t>> result = {{}};
  for (const auto& el : select.grouping_elements) {
    std::vector<std::vector<size_t>> sets = ElementSets(el);
    std::vector<std::vector<size_t>> next;
    if (result.size() * sets.size() > kMaxGroupingSets) {
      throw Error(ErrorKind::kBinder,
                  "GROUP BY makes more than " + std::to_string(kMaxGroupingSets) + " grouping sets",
                  el.position);
    }
    for (const auto& left : result) {
      for (const auto& right : sets) {
        std::vector<size_t> set = left;
        for (size_t k : right) {
          if (std::find(set.begin(), set.end(), k) == set.end()) set.push_back(k);
        }
        next.push_back(std::move(set));
      }
    }
    result = std::move(next);
  }
  if (select.group_by_distinct) {
    std::vector<std::vector<size_t>> unique;
    std::vector<std::vector<size_t>> seen;
    for (const auto& set : result) {
      std::vector<size_t> sorted = set;
      std::sort(sorted.begin(), sorted.end());
      if (std::find(seen.begin(), seen.end(), sorted) != seen.end()) continue;
      seen.push_back(std::move(sorted));
      unique.push_back(set);
    }
    result = std::move(unique);
  }
  return result;
}

LogicalPtr BuildGroupingSetsInput(LogicalPtr input, const AggregateContext& agg,
                                  LogicalAggregate& aggregate) {
  const auto& sets = agg.grouping_sets;
  size_t keys = agg.groups.size() - 1;  // the last group is the set number
  int width = static_cast<int>(input->output.size());
  LogicalType bigint(TypeId::kBigInt);

  auto values = std::make_shared<LogicalValues>();
  for (size_t s = 0; s < sets.size(); s++)
    values->rows.push_back({MakeConstant(Value::BigInt(static_cast<int64_t>(s)))});
  values->output.push_back({"$grouping_set", bigint});

  auto join = std::make_shared<LogicalJoin>();
  join->join_type = JoinType::kCross;
  join->output = input->output;
  join->output.push_back(values->output[0]);
  join->children = {std::move(input), values};

  // Input columns as they are (aggregate arguments read them), then each key (NULL outside the
  // row's set), then the set number.
  auto project = std::make_shared<LogicalProject>();
  for (int i = 0; i < width; i++) {
    project->exprs.push_back(MakeColumnRef(i, join->output[i].type, join->output[i].name));
    project->output.push_back(join->output[i]);
  }
  ExprPtr set_ref = MakeColumnRef(width, bigint, "$grouping_set");
  for (size_t k = 0; k < keys; k++) {
    const ExprPtr& key = agg.groups[k];
    auto in_set = [&](size_t s) {
      return std::find(sets[s].begin(), sets[s].end(), k) != sets[s].end();
    };
    std::vector<ExprPtr> outside;
    for (size_t s = 0; s < sets.size(); s++) {
      if (!in_set(s)) outside.push_back(MakeConstant(Value::BigInt(static_cast<int64_t>(s))));
    }
    ExprPtr e = key;
    if (!outside.empty()) {
      auto in = std::make_shared<Expr>();
      in->kind = ExprKind::kIn;
      in->type = LogicalType(TypeId::kBoolean);
      in->children = {set_ref};
      for (auto& o : outside) in->children.push_back(o);
      auto c = std::make_shared<Expr>();
      c->kind = ExprKind::kCase;
      c->type = key->type;
      c->has_else = true;
      c->children = {in, MakeConstant(Value::Null(key->type)), key};
      e = c;
    }
    project->exprs.push_back(e);
    project->output.push_back({agg.group_texts[k], key->type});
  }
  project->exprs.push_back(set_ref);
  project->output.push_back({"$grouping_set", bigint});
  project->children = {join};

  aggregate.groups.clear();
  for (size_t k = 0; k <= keys; k++) {
    aggregate.groups.push_back(MakeColumnRef(width + static_cast<int>(k),
                                             project->output[width + k].type,
                                             project->output[width + k].name));
  }
  for (size_t s = 0; s < sets.size(); s++) {
    if (!sets[s].empty()) continue;
    std::vector<Value> row;
    for (size_t k = 0; k < keys; k++) row.push_back(Value::Null(agg.groups[k]->type));
    row.push_back(Value::BigInt(static_cast<int64_t>(s)));
    aggregate.empty_input_groups.push_back(std::move(row));
  }
  return project;
}

ExprPtr Binder::BindGroupingCall(const FunctionCallExpression& fn, BindContext& ctx) {
  if (!ctx.aggregate) {
    throw Error(ErrorKind::kBinder,
                "grouping() is allowed only in the select list, HAVING and ORDER BY of a "
                "query with GROUP BY, not in " +
                    std::string(ctx.clause),
                fn.position);
  }
  if (fn.args.empty() || fn.distinct || fn.is_star || fn.filter || !fn.order_by.empty())
    throw Error(ErrorKind::kBinder, "grouping() takes one or more GROUP BY expressions",
                fn.position);
  if (fn.args.size() > 62)
    throw Error(ErrorKind::kBinder, "grouping() takes at most 62 arguments", fn.position);
  auto& agg = *ctx.aggregate;
  size_t keys = agg.grouping_sets.empty() ? agg.groups.size() : agg.groups.size() - 1;
  std::vector<size_t> arg_keys;
  for (const auto& a : fn.args) {
    ExprPtr bound;
    try {
      bound = BindExpr(*a, ctx);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kBinder) throw;
      bound = nullptr;
    }
    if (!bound || bound->kind != ExprKind::kColumnRef || bound->column_index < 0 ||
        static_cast<size_t>(bound->column_index) >= keys) {
      throw Error(ErrorKind::kBinder,
                  "the arguments of grouping() must be GROUP BY expressions: '" + a->ToString() +
                      "' is not",
                  a->position);
    }
    arg_keys.push_back(static_cast<size_t>(bound->column_index));
  }
  // Bit n-1-i (the first argument the most significant) is 1 when argument i is not in the
  // row's grouping set.
  auto mask = [&](const std::vector<size_t>* set) {
    int64_t m = 0;
    for (size_t i = 0; i < arg_keys.size(); i++) {
      bool in = !set || std::find(set->begin(), set->end(), arg_keys[i]) != set->end();
      if (!in) m |= int64_t{1} << (arg_keys.size() - 1 - i);
    }
    return m;
  };
  if (agg.grouping_sets.empty()) return MakeConstant(Value::BigInt(0));
  LogicalType bigint(TypeId::kBigInt);
  ExprPtr set_ref = MakeColumnRef(agg.grouping_set_column, bigint, "$grouping_set");
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  e->type = bigint;
  for (size_t s = 0; s < agg.grouping_sets.size(); s++) {
    e->children.push_back(MakeComparison(CompareOp::kEq, set_ref,
                                         MakeConstant(Value::BigInt(static_cast<int64_t>(s)))));
    e->children.push_back(MakeConstant(Value::BigInt(mask(&agg.grouping_sets[s]))));
  }
  return e;
}

}  // namespace aishell
