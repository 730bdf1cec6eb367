// Rule: limit pushdown. A Limit moves below projections (which do not change the row count)
// so that it sits on its producer: directly above a Sort (exec turns Sort+Limit into a top-N;
// NegotiateScans offers the order and limit to the source) or directly above a Scan
// (NegotiateScans offers PushLimit). Under UNION ALL each input gets a copy of the limit
// (limit + offset rows), the original stays on top. A top-N (Limit over Sort) whose keys use
// only the preserved side of an outer join is copied onto that side: every preserved row
// yields at least one output row, so the first N output rows come from the first N input rows.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

LogicalPtr Visit(LogicalPtr op);

void PushTopNThroughOuterJoin(const LogicalLimit& limit, const LogicalSort& sort) {
  std::vector<SortKey> keys = sort.keys;
  LogicalPtr node = sort.children[0];
  while (node->kind == LogicalOpKind::kProject) {
    const auto& exprs = static_cast<LogicalProject&>(*node).exprs;
    for (const auto& e : exprs) {
      if (!IsDeterministic(*e)) return;
    }
    for (auto& k : keys) k.expr = SubstituteColumns(k.expr, exprs);
    node = node->children[0];
  }
  if (node->kind != LogicalOpKind::kJoin) return;
  auto& join = static_cast<LogicalJoin&>(*node);
  int left_size = static_cast<int>(join.children[0]->output.size());
  int total = left_size + static_cast<int>(join.children[1]->output.size());
  int side;
  if (join.join_type == JoinType::kLeft) {
    side = 0;
    for (const auto& k : keys) {
      if (!RefsWithin(*k.expr, 0, left_size)) return;
    }
  } else if (join.join_type == JoinType::kRight) {
    side = 1;
    for (auto& k : keys) {
      if (!RefsWithin(*k.expr, left_size, total)) return;
      k.expr = ShiftColumns(k.expr, -left_size);
    }
  } else {
    return;
  }
  LogicalPtr& input = join.children[side];
  if (input->kind == LogicalOpKind::kLimit) return;  // already pushed
  auto inner_sort = std::make_shared<LogicalSort>();
  inner_sort->keys = std::move(keys);
  inner_sort->output = input->output;
  inner_sort->children = {input};
  auto inner_limit = std::make_shared<LogicalLimit>();
  inner_limit->limit = limit.limit + limit.offset;
  inner_limit->output = input->output;
  inner_limit->children = {inner_sort};
  input = Visit(inner_limit);
}

LogicalPtr Visit(LogicalPtr op) {
  for (auto& c : op->children) c = Visit(c);
  if (op->kind != LogicalOpKind::kLimit) return op;
  auto limit = std::static_pointer_cast<LogicalLimit>(op);
  LogicalPtr child = limit->children[0];
  if (child->kind == LogicalOpKind::kProject) {
    // Limit(Project(x)) -> Project(Limit(x))
    bool deterministic = true;
    for (const auto& e : static_cast<LogicalProject&>(*child).exprs)
      deterministic = deterministic && IsDeterministic(*e);
    if (deterministic) {
      limit->children[0] = child->children[0];
      limit->output = child->children[0]->output;
      child->children[0] = Visit(limit);
      return child;
    }
  }
  if (child->kind == LogicalOpKind::kSort && limit->limit >= 0) {
    PushTopNThroughOuterJoin(*limit, static_cast<LogicalSort&>(*child));
  }
  if (child->kind == LogicalOpKind::kSetOperation && limit->limit >= 0) {
    auto& set = static_cast<LogicalSetOperation&>(*child);
    if (set.set_op == SetOpKind::kUnion && set.all) {
      for (auto& input : child->children) {
        if (input->kind == LogicalOpKind::kLimit) continue;
        auto inner = std::make_shared<LogicalLimit>();
        inner->limit = limit->limit + limit->offset;
        inner->output = input->output;
        inner->children.push_back(input);
        input = Visit(inner);
      }
    }
  }
  return op;
}

}  // namespace

LogicalPtr PushDownLimits(LogicalPtr plan) { return Visit(std::move(plan)); }

}  // namespace aishell
