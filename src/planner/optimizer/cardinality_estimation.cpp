// Rule: cardinality estimation. Sets estimated_rows on every node, bottom-up, from the
// sources' estimates (TableScan::EstimatedRows after pushdown, else TableInfo statistics) and
// simple selectivity heuristics (equality 10% or 1/distinct count, ranges 33%, others 50%).
// Used by ChooseJoinSides and shown by EXPLAIN.
#include <algorithm>
#include <cmath>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

constexpr double kDefaultTableRows = 1000;

double ConjunctSelectivity(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kComparison:
      switch (e.op) {
        case CompareOp::kEq:
        case CompareOp::kIsNotDistinctFrom:
          return 0.1;
        case CompareOp::kNe:
        case CompareOp::kIsDistinctFrom:
          return 0.9;
        default:
          return 0.33;
      }
    case ExprKind::kIn:
      return e.negated ? 0.9 : std::min(0.5, 0.1 * static_cast<double>(e.children.size() - 1));
    case ExprKind::kIsNull:
      return 0.1;
    case ExprKind::kIsNotNull:
      return 0.9;
    case ExprKind::kLike:
      return e.negated ? 0.75 : 0.25;
    case ExprKind::kOr: {
      double keep_none = 1;
      for (const auto& c : e.children) keep_none *= 1 - ConjunctSelectivity(*c);
      return 1 - keep_none;
    }
    case ExprKind::kConstant:
      if (!e.value.is_null() && e.value.type().id == TypeId::kBoolean)
        return e.value.GetBool() ? 1.0 : 0.0;
      return 0.0;
    default:
      return 0.5;
  }
}

double Selectivity(const ExprPtr& predicate) {
  double s = 1;
  for (const auto& c : SplitConjunction(predicate)) s *= ConjunctSelectivity(*c);
  return s;
}

double ScanRows(const LogicalScan& scan) {
  double rows = -1;
  if (scan.scan) rows = scan.scan->EstimatedRows();
  if (rows < 0 && scan.table && scan.table->stats.row_count) {
    rows = *scan.table->stats.row_count;
    if (!scan.pushed_filters.empty())
      rows *= Selectivity(MakeAnd(std::vector<ExprPtr>(scan.pushed_filters)));
  }
  if (rows < 0) rows = kDefaultTableRows;
  if (scan.pushed_limit >= 0) rows = std::min(rows, static_cast<double>(scan.pushed_limit));
  return rows;
}

}  // namespace

void EstimateCardinality(LogicalOperator& op) {
  for (auto& c : op.children) EstimateCardinality(*c);
  auto child_rows = [&](size_t i) {
    return i < op.children.size() ? std::max(0.0, op.children[i]->estimated_rows) : 0.0;
  };
  double rows = 0;
  switch (op.kind) {
    case LogicalOpKind::kScan:
      rows = ScanRows(static_cast<const LogicalScan&>(op));
      break;
    case LogicalOpKind::kFilter:
      rows = child_rows(0) * Selectivity(static_cast<const LogicalFilter&>(op).predicate);
      break;
    case LogicalOpKind::kProject:
    case LogicalOpKind::kSort:
    case LogicalOpKind::kWindow:
      rows = child_rows(0);
      break;
    case LogicalOpKind::kUnnest:  // no element counts: assume a few per row
      rows = child_rows(0) * 4;
      break;
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<const LogicalAggregate&>(op);
      if (a.groups.empty()) {
        rows = 1;
      } else {
        // Without distinct counts: each extra key multiplies the groups; never above the input.
        double in = child_rows(0);
        rows = std::min(
            in, std::max(1.0, in * std::min(1.0, 0.1 * static_cast<double>(a.groups.size()))));
      }
      break;
    }
    case LogicalOpKind::kJoin: {
      auto& j = static_cast<const LogicalJoin&>(op);
      double l = child_rows(0), r = child_rows(1);
      switch (j.join_type) {
        case JoinType::kCross:
          rows = l * r;
          break;
        case JoinType::kInner:
          rows = j.left_keys.empty() ? l * r * (j.condition ? 0.33 : 1.0) : std::max(l, r);
          break;
        // Outer equi-joins are mostly lookups (foreign key -> primary key): about one output
        // row per preserved row.
        case JoinType::kLeft:
          rows = j.left_keys.empty() ? std::max(l, l * r * 0.33) : l;
          break;
        case JoinType::kRight:
          rows = j.left_keys.empty() ? std::max(r, l * r * 0.33) : r;
          break;
        case JoinType::kFull:
          rows = l + r;
          break;
        case JoinType::kSemi:
          rows = l * 0.5;
          break;
        case JoinType::kAnti:
          rows = l * 0.5;
          break;
      }
      if (j.condition && !j.left_keys.empty() && j.join_type == JoinType::kInner)
        rows *= Selectivity(j.condition);
      break;
    }
    case LogicalOpKind::kLimit: {
      auto& l = static_cast<const LogicalLimit&>(op);
      rows = std::max(0.0, child_rows(0) - static_cast<double>(l.offset));
      if (l.limit >= 0) rows = std::min(rows, static_cast<double>(l.limit));
      break;
    }
    case LogicalOpKind::kSetOperation: {
      auto& s = static_cast<const LogicalSetOperation&>(op);
      if (s.set_op == SetOpKind::kUnion)
        rows = child_rows(0) + child_rows(1);
      else if (s.set_op == SetOpKind::kIntersect)
        rows = std::min(child_rows(0), child_rows(1));
      else
        rows = child_rows(0);
      break;
    }
    case LogicalOpKind::kValues:
      rows = static_cast<double>(static_cast<const LogicalValues&>(op).rows.size());
      break;
    case LogicalOpKind::kInsert:
      rows = 1;
      break;
  }
  // A few rows rather than none: only a FALSE filter or LIMIT 0 estimates zero.
  op.estimated_rows = rows > 0 && rows < 1 ? 1 : std::round(rows);
}

}  // namespace aishell
