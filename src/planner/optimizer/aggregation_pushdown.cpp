// Rule: aggregation pushdown, run right after scan negotiation (so the only filters left are
// the ones the source accepted, and the scan's projection is final). When an Aggregate sits
// directly on a Scan, possibly through projections, its group columns and calls (count(*),
// count, count(DISTINCT), sum, avg, min, max over plain columns) are offered to
// TableScan::PushAggregation; groups that are deterministic expressions over table columns
// (date_trunc('day', ts), r.city) only to scans that AcceptsGroupExpressions(). If accepted, the
// Aggregate is replaced by the scan, whose output becomes the group columns then one column per
// call, typed like the Aggregate's output (the request carries the engine's result types; the
// source returns them). Otherwise nothing changes. With PlannerOptions::pushdown=false nothing is
// offered.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// The table column behind `expr` (a column ref over the scan's output), or -1.
int TableColumn(const Expr& expr, const LogicalScan& scan) {
  if (expr.kind != ExprKind::kColumnRef) return -1;
  int i = expr.column_index;
  if (i < 0 || i >= static_cast<int>(scan.column_ids.size())) return -1;
  return scan.column_ids[i];
}

LogicalPtr TryPush(const LogicalPtr& op) {
  auto& agg = static_cast<LogicalAggregate&>(*op);
  LogicalPtr below = op->children[0];
  // Look through projections, substituting them into the aggregate (a call over anything but a
  // plain column, or an expression group a scan does not accept, still refuses below).
  std::vector<ExprPtr> groups = agg.groups;
  std::vector<ExprPtr> calls = agg.aggregates;
  while (below->kind == LogicalOpKind::kProject) {
    const auto& exprs = static_cast<LogicalProject&>(*below).exprs;
    for (auto& g : groups) g = SubstituteColumns(g, exprs);
    for (auto& c : calls) c = SubstituteColumns(c, exprs);
    below = below->children[0];
  }
  if (below->kind != LogicalOpKind::kScan) return op;
  auto& scan = static_cast<LogicalScan&>(*below);
  if (!scan.scan || !scan.table || scan.pushed_limit >= 0) return op;

  if (groups.size() + calls.size() != op->output.size()) return op;
  AggregationRequest request;
  for (size_t i = 0; i < groups.size(); i++) {
    int column = TableColumn(*groups[i], scan);
    if (column < 0) {
      // An expression group: over table columns, for a scan that takes them.
      std::vector<int> refs;
      CollectColumnRefs(*groups[i], &refs);
      if (!scan.scan->AcceptsGroupExpressions() || refs.empty() || !IsDeterministic(*groups[i]) ||
          !(groups[i]->type == op->output[i].type))
        return op;
      for (int r : refs) {
        if (r < 0 || r >= static_cast<int>(scan.column_ids.size())) return op;
      }
      request.group_exprs.resize(groups.size());
      request.group_exprs[i] = RemapColumns(groups[i], scan.column_ids);
      request.group_columns.push_back(-1);
      continue;
    }
    // The source returns group columns with their table types: they must be the output types.
    if (!(scan.table->columns[column].type == op->output[i].type)) return op;
    request.group_columns.push_back(column);
  }
  for (size_t i = 0; i < calls.size(); i++) {
    const ExprPtr& c = calls[i];
    if (c->kind != ExprKind::kAggregate) return op;
    AggregationRequest::Call call;
    // The engine's result type: the source casts its result to it (e.g. PostgreSQL's
    // sum(bigint) is numeric, avg(integer) is numeric; both are cast to the engine's types).
    call.result_type = op->output[groups.size() + i].type;
    call.distinct = c->distinct;
    const std::string& fn = c->name;
    if (fn == "count_star") {
      if (!c->children.empty() || c->distinct) return op;
      call.function = "count";
      call.column = -1;
    } else if (fn == "count" || fn == "sum" || fn == "avg" || fn == "min" || fn == "max") {
      if (c->children.size() != 1) return op;
      if (c->distinct && fn != "count") return op;
      int column = TableColumn(*c->children[0], scan);
      if (column < 0) return op;
      call.function = fn;
      call.column = column;
    } else {
      return op;
    }
    request.calls.push_back(call);
  }
  if (!scan.scan->PushAggregation(request)) return op;
  // The scan now returns the Aggregate's output: group columns, then one column per call.
  scan.output = op->output;
  scan.estimated_rows = op->estimated_rows;
  return below;
}

LogicalPtr PushAggregations(LogicalPtr op) {
  for (auto& c : op->children) c = PushAggregations(c);
  if (op->kind != LogicalOpKind::kAggregate || op->children.size() != 1) return op;
  return TryPush(op);
}

}  // namespace

LogicalPtr PushDownAggregations(LogicalPtr plan, const PlannerOptions& options) {
  if (!options.pushdown) return plan;
  return PushAggregations(std::move(plan));
}

}  // namespace aishell
