// Rule: identity projection removal. A Project that outputs exactly its input columns, in order,
// under the same names (left behind by column pruning, join side swaps and ORDER BY helpers) is
// removed, so the executor does not copy batches for nothing.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

bool IsIdentity(const LogicalOperator& op) {
  if (op.kind != LogicalOpKind::kProject) return false;
  const auto& p = static_cast<const LogicalProject&>(op);
  const auto& input = op.children[0]->output;
  if (p.exprs.size() != input.size()) return false;
  for (size_t i = 0; i < p.exprs.size(); i++) {
    const auto& e = *p.exprs[i];
    if (e.kind != ExprKind::kColumnRef || e.column_index != static_cast<int>(i)) return false;
    if (p.output[i].name != input[i].name || p.output[i].type != input[i].type) return false;
  }
  return true;
}

LogicalPtr Visit(LogicalPtr op) {
  for (auto& c : op->children) c = Visit(c);
  while (IsIdentity(*op)) op = op->children[0];
  return op;
}

}  // namespace

LogicalPtr RemoveIdentityProjections(LogicalPtr plan) { return Visit(std::move(plan)); }

}  // namespace aishell
