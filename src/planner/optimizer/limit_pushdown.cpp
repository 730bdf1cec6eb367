// Rule: limit pushdown. A Limit moves below projections (which do not change the row count)
// so that it sits on its producer: directly above a Sort (exec turns Sort+Limit into a top-N;
// NegotiateScans offers the order and limit to the source) or directly above a Scan
// (NegotiateScans offers PushLimit). Under UNION ALL each input gets a copy of the limit
// (limit + offset rows), the original stays on top.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

LogicalPtr Visit(LogicalPtr op) {
  for (auto& c : op->children) c = Visit(c);
  if (op->kind != LogicalOpKind::kLimit) return op;
  auto limit = std::static_pointer_cast<LogicalLimit>(op);
  LogicalPtr child = limit->children[0];
  if (child->kind == LogicalOpKind::kProject) {
    // Limit(Project(x)) -> Project(Limit(x))
    bool deterministic = true;
    for (const auto& e : static_cast<LogicalProject&>(*child).exprs) deterministic = deterministic && IsDeterministic(*e);
    if (deterministic) {
      limit->children[0] = child->children[0];
      limit->output = child->children[0]->output;
      child->children[0] = Visit(limit);
      return child;
    }
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
