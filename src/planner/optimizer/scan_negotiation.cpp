// Rule: scan negotiation, the last rule, run on the final plan shape. It is the only code
// that calls the TableScan negotiation methods, so each TableScan ends up consistent with its
// LogicalScan:
//   1. SetProjection(column_ids) so the source knows the columns early;
//   2. each conjunct of a Filter directly above the scan is offered to PushFilter; accepted
//      ones move to LogicalScan::pushed_filters, refused ones stay in the Filter;
//   3. columns only the pushed filters used are pruned, and SetProjection is called again
//      with the final column list;
//   4. ROW columns used only through fields (r.city) are offered to PushFieldProjection;
//   5. Limit[+Sort] directly above the scan: PushOrder(keys, limit+offset) / PushLimit. The
//      engine keeps its own Sort and Limit (a source may apply them per split only).
// With PlannerOptions::pushdown=false nothing but the projection is offered.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

std::vector<int> ScanToTable(const LogicalScan& scan) { return scan.column_ids; }

LogicalPtr PushFilters(LogicalPtr op, bool pushdown) {
  for (auto& c : op->children) c = PushFilters(c, pushdown);
  if (op->kind == LogicalOpKind::kScan) {
    auto& scan = static_cast<LogicalScan&>(*op);
    if (scan.scan) scan.scan->SetProjection(scan.column_ids);
    return op;
  }
  if (!pushdown || op->kind != LogicalOpKind::kFilter ||
      op->children[0]->kind != LogicalOpKind::kScan)
    return op;
  auto& filter = static_cast<LogicalFilter&>(*op);
  auto& scan = static_cast<LogicalScan&>(*op->children[0]);
  if (!scan.scan) return op;
  std::vector<int> to_table = ScanToTable(scan);
  std::vector<ExprPtr> refused;
  for (auto& conjunct : SplitConjunction(filter.predicate)) {
    ExprPtr over_table = RemapColumns(conjunct, to_table);
    if (IsDeterministic(*conjunct) && scan.scan->PushFilter(*over_table)) {
      scan.pushed_filters.push_back(over_table);
    } else {
      refused.push_back(conjunct);
    }
  }
  if (refused.empty()) return op->children[0];
  filter.predicate = MakeAnd(std::move(refused));
  return op;
}

void SetProjections(const LogicalPtr& op) {
  for (auto& c : op->children) SetProjections(c);
  if (op->kind == LogicalOpKind::kScan) {
    auto& scan = static_cast<LogicalScan&>(*op);
    if (scan.scan) scan.scan->SetProjection(scan.column_ids);
  }
}

void PushLimits(const LogicalPtr& op) {
  for (auto& c : op->children) PushLimits(c);
  if (op->kind != LogicalOpKind::kLimit) return;
  auto& limit = static_cast<LogicalLimit&>(*op);
  if (limit.limit < 0) return;
  int64_t rows = limit.limit + limit.offset;
  LogicalPtr child = op->children[0];
  if (child->kind == LogicalOpKind::kScan) {
    auto& scan = static_cast<LogicalScan&>(*child);
    if (scan.scan && scan.scan->PushLimit(rows)) scan.pushed_limit = rows;
    return;
  }
  if (child->kind == LogicalOpKind::kSort) {
    auto& sort = static_cast<LogicalSort&>(*child);
    // Look through projections between the sort and the scan (substituting the keys).
    std::vector<SortKey> keys = sort.keys;
    LogicalPtr below = child->children[0];
    while (below->kind == LogicalOpKind::kProject) {
      const auto& exprs = static_cast<LogicalProject&>(*below).exprs;
      for (auto& k : keys) k.expr = SubstituteColumns(k.expr, exprs);
      below = below->children[0];
    }
    if (below->kind != LogicalOpKind::kScan) return;
    auto& scan = static_cast<LogicalScan&>(*below);
    if (!scan.scan) return;
    for (auto& k : keys) {
      if (!IsDeterministic(*k.expr)) return;
      k.expr = RemapColumns(k.expr, ScanToTable(scan));
    }
    if (scan.scan->PushOrder(keys, rows)) scan.pushed_limit = rows;
  }
}

}  // namespace

LogicalPtr NegotiateScans(LogicalPtr plan, const PlannerOptions& options) {
  plan = PushFilters(std::move(plan), options.pushdown);
  plan = PruneColumns(std::move(plan));
  SetProjections(plan);
  PushFieldProjections(plan);
  if (options.pushdown) PushLimits(plan);
  return plan;
}

}  // namespace aishell
