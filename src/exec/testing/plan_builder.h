// Hand-built logical plans for executor tests: small constructors that fill in `output`.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "common/exception.h"
#include "exec/query_executor.h"
#include "planner/logical_plan.h"

namespace aishell::testing {

inline ExprPtr Col(int index, LogicalType type, std::string name = {}) {
  return MakeColumnRef(index, type, std::move(name));
}
inline ExprPtr Lit(Value v) { return MakeConstant(std::move(v)); }
inline ExprPtr Cmp(CompareOp op, ExprPtr a, ExprPtr b) {
  return MakeComparison(op, std::move(a), std::move(b));
}

inline ExprPtr Agg(std::shared_ptr<const AggregateFunction> fn, std::vector<ExprPtr> args,
                   bool distinct = false) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggregate;
  e->type = fn->return_type;
  e->name = fn->name;
  e->aggregate = std::move(fn);
  e->children = std::move(args);
  e->distinct = distinct;
  return e;
}

inline ExprPtr Win(WindowSpec spec, LogicalType type, std::vector<ExprPtr> args = {},
                   std::shared_ptr<const AggregateFunction> fn = nullptr) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kWindow;
  e->type = type;
  e->name = fn ? fn->name : "window";
  e->window = std::make_shared<WindowSpec>(std::move(spec));
  e->children = std::move(args);
  e->aggregate = std::move(fn);
  return e;
}

inline LogicalPtr Filter(LogicalPtr child, ExprPtr predicate) {
  auto f = std::make_shared<LogicalFilter>();
  f->output = child->output;
  f->predicate = std::move(predicate);
  f->children.push_back(std::move(child));
  return f;
}

inline LogicalPtr Project(LogicalPtr child, std::vector<ExprPtr> exprs) {
  auto p = std::make_shared<LogicalProject>();
  for (size_t i = 0; i < exprs.size(); i++)
    p->output.push_back({"c" + std::to_string(i), exprs[i]->type});
  p->exprs = std::move(exprs);
  p->children.push_back(std::move(child));
  return p;
}

inline LogicalPtr Join(JoinType type, LogicalPtr left, LogicalPtr right,
                       std::vector<ExprPtr> left_keys, std::vector<ExprPtr> right_keys,
                       ExprPtr condition = nullptr, bool null_aware = false) {
  auto j = std::make_shared<LogicalJoin>();
  j->join_type = type;
  j->output = left->output;
  if (type != JoinType::kSemi && type != JoinType::kAnti) {
    for (const auto& c : right->output) j->output.push_back(c);
  }
  j->left_keys = std::move(left_keys);
  j->right_keys = std::move(right_keys);
  j->condition = std::move(condition);
  j->null_aware = null_aware;
  j->children.push_back(std::move(left));
  j->children.push_back(std::move(right));
  return j;
}

inline LogicalPtr Aggregate(LogicalPtr child, std::vector<ExprPtr> groups,
                            std::vector<ExprPtr> aggs) {
  auto a = std::make_shared<LogicalAggregate>();
  for (size_t i = 0; i < groups.size(); i++)
    a->output.push_back({"g" + std::to_string(i), groups[i]->type});
  for (size_t i = 0; i < aggs.size(); i++)
    a->output.push_back({"a" + std::to_string(i), aggs[i]->type});
  a->groups = std::move(groups);
  a->aggregates = std::move(aggs);
  a->children.push_back(std::move(child));
  return a;
}

inline LogicalPtr Sort(LogicalPtr child, std::vector<SortKey> keys) {
  auto s = std::make_shared<LogicalSort>();
  s->output = child->output;
  s->keys = std::move(keys);
  s->children.push_back(std::move(child));
  return s;
}

inline LogicalPtr Limit(LogicalPtr child, int64_t limit, int64_t offset = 0) {
  auto l = std::make_shared<LogicalLimit>();
  l->output = child->output;
  l->limit = limit;
  l->offset = offset;
  l->children.push_back(std::move(child));
  return l;
}

inline LogicalPtr Window(LogicalPtr child, std::vector<ExprPtr> exprs) {
  auto w = std::make_shared<LogicalWindow>();
  w->output = child->output;
  for (size_t i = 0; i < exprs.size(); i++)
    w->output.push_back({"w" + std::to_string(i), exprs[i]->type});
  w->window_exprs = std::move(exprs);
  w->children.push_back(std::move(child));
  return w;
}

inline LogicalPtr SetOp(SetOpKind kind, bool all, LogicalPtr left, LogicalPtr right) {
  auto s = std::make_shared<LogicalSetOperation>();
  s->output = left->output;
  s->set_op = kind;
  s->all = all;
  s->children.push_back(std::move(left));
  s->children.push_back(std::move(right));
  return s;
}

inline LogicalPtr Values(std::vector<OutputColumn> columns, std::vector<std::vector<Value>> rows) {
  auto v = std::make_shared<LogicalValues>();
  v->output = std::move(columns);
  for (auto& r : rows) {
    std::vector<ExprPtr> exprs;
    for (auto& x : r) exprs.push_back(MakeConstant(x));
    v->rows.push_back(std::move(exprs));
  }
  return v;
}

using Row = std::vector<Value>;

// Runs a plan to completion and returns its rows in output order.
inline std::vector<Row> RunPlan(LogicalPtr plan, int threads = 2, int64_t max_memory = 8LL << 30,
                                std::string* explain = nullptr, bool spill = true) {
  ExecutionOptions options;
  options.threads = threads;
  options.max_memory = max_memory;
  options.spill = spill;
  QueryExecutor exec(std::move(plan), options);
  std::vector<Row> rows;
  Batch b;
  while (exec.Next(b)) {
    for (size_t r = 0; r < b.count; r++) {
      Row row;
      for (const auto& c : b.columns) row.push_back(c.GetValue(r));
      rows.push_back(std::move(row));
    }
  }
  if (explain) *explain = exec.ExplainAnalyze();
  return rows;
}

inline std::string RowToString(const Row& row) {
  std::string s;
  for (size_t i = 0; i < row.size(); i++) s += (i ? "|" : "") + row[i].ToString();
  return s;
}

// Rows rendered "a|b|c" and sorted: for order-insensitive comparisons.
inline std::vector<std::string> Sorted(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(RowToString(r));
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> Strings(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(RowToString(r));
  return out;
}

}  // namespace aishell::testing
