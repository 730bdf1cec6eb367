// Rule: projection merging. A Project directly over another Project becomes one Project (the
// outer expressions with the inner ones substituted), so the executor materializes one batch
// instead of two. Skipped when an inner computed expression would be evaluated more than once
// or when anything is non-deterministic.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

bool CanMerge(const LogicalProject& outer, const LogicalProject& inner) {
  std::vector<int> uses(inner.exprs.size(), 0);
  for (const auto& e : outer.exprs) {
    if (!IsDeterministic(*e)) return false;
    std::vector<int> refs;
    CollectColumnRefs(*e, &refs);
    for (int r : refs) {
      if (r < 0 || static_cast<size_t>(r) >= uses.size()) return false;
      uses[r]++;
    }
  }
  for (size_t i = 0; i < inner.exprs.size(); i++) {
    const auto& e = *inner.exprs[i];
    if (!IsDeterministic(e)) return false;
    bool cheap = e.kind == ExprKind::kColumnRef || e.kind == ExprKind::kConstant;
    if (!cheap && uses[i] > 1) return false;
  }
  return true;
}

LogicalPtr Visit(LogicalPtr op) {
  for (auto& c : op->children) c = Visit(c);
  while (op->kind == LogicalOpKind::kProject && op->children[0]->kind == LogicalOpKind::kProject) {
    auto& outer = static_cast<LogicalProject&>(*op);
    auto& inner = static_cast<LogicalProject&>(*op->children[0]);
    if (!CanMerge(outer, inner)) break;
    for (auto& e : outer.exprs) {
      ExprPtr merged = SubstituteColumns(e, inner.exprs);
      // Keep the outer display name of a plain pass-through column.
      if (merged->kind == ExprKind::kColumnRef && e->kind == ExprKind::kColumnRef)
        merged->name = e->name;
      e = merged;
    }
    op->children[0] = inner.children[0];
  }
  return op;
}

}  // namespace

LogicalPtr MergeProjections(LogicalPtr plan) { return Visit(std::move(plan)); }

}  // namespace aishell
