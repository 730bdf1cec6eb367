// Rule: cardinality estimation. Sets estimated_rows on every node, bottom-up, from the
// sources' estimates (TableScan::EstimatedRows after pushdown, else TableInfo statistics) and
// the sources' column statistics (TableInfo::stats: distinct counts, null fractions, min/max),
// traced from a column through projections, filters, sorts, limits, joins and group keys to its
// scan (ColumnStatsOf). Textbook selectivities where a column has statistics: `col = const`
// 1/NDV, `col IN (k values)` k/NDV, `col IS NULL` its null fraction, a range on a numeric column
// from its min/max; equi-join |L|*|R|/max(NDV_l, NDV_r) per key; GROUP BY min(rows, product of
// the keys' NDVs). Without statistics, fixed heuristics (equality 10%, ranges 33%, others 50%).
// Used by ReorderJoins, ChooseJoinSides and shown by EXPLAIN.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

constexpr double kDefaultTableRows = 1000;

using StatsLookup = std::function<std::optional<ColumnStats>(int)>;

// The column a key or filter operand reads (through casts), or -1.
int BareColumn(const Expr& e) {
  const Expr* x = &e;
  while (x->kind == ExprKind::kCast && !x->children.empty()) x = x->children[0].get();
  return x->kind == ExprKind::kColumnRef ? x->column_index : -1;
}

std::optional<double> NumericOf(const Value& v) {
  if (v.is_null() || !v.type().IsNumeric()) return std::nullopt;
  return v.AsDouble();
}

// Selectivity of a conjunct from column statistics, when it has the shape the statistics
// answer; nullopt otherwise (the heuristic applies).
std::optional<double> StatsSelectivity(const Expr& e, const StatsLookup& stats) {
  if (!stats) return std::nullopt;
  if (e.kind == ExprKind::kIsNull || e.kind == ExprKind::kIsNotNull) {
    if (e.children.empty()) return std::nullopt;
    int col = BareColumn(*e.children[0]);
    if (col < 0) return std::nullopt;
    auto cs = stats(col);
    if (!cs || !cs->null_fraction) return std::nullopt;
    double f = std::clamp(*cs->null_fraction, 0.0, 1.0);
    return e.kind == ExprKind::kIsNull ? f : 1 - f;
  }
  if (e.kind == ExprKind::kIn && !e.negated && !e.children.empty()) {
    int col = BareColumn(*e.children[0]);
    if (col < 0) return std::nullopt;
    auto cs = stats(col);
    if (!cs || !cs->distinct_count || *cs->distinct_count < 1) return std::nullopt;
    return std::min(1.0, static_cast<double>(e.children.size() - 1) / *cs->distinct_count);
  }
  if (e.kind != ExprKind::kComparison || e.children.size() != 2) return std::nullopt;
  int col = BareColumn(*e.children[0]);
  const Expr* other = e.children[1].get();
  CompareOp op = e.op;
  if (col < 0 || other->kind != ExprKind::kConstant) {
    col = BareColumn(*e.children[1]);
    other = e.children[0].get();
    if (col < 0 || other->kind != ExprKind::kConstant) return std::nullopt;
    switch (op) {  // const < col  =>  col > const
      case CompareOp::kLt:
        op = CompareOp::kGt;
        break;
      case CompareOp::kLe:
        op = CompareOp::kGe;
        break;
      case CompareOp::kGt:
        op = CompareOp::kLt;
        break;
      case CompareOp::kGe:
        op = CompareOp::kLe;
        break;
      default:
        break;
    }
  }
  auto cs = stats(col);
  if (!cs) return std::nullopt;
  double non_null = 1 - std::clamp(cs->null_fraction.value_or(0.0), 0.0, 1.0);
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIsNotDistinctFrom:
      if (!cs->distinct_count || *cs->distinct_count < 1) return std::nullopt;
      return non_null / *cs->distinct_count;
    case CompareOp::kNe:
    case CompareOp::kIsDistinctFrom:
      if (!cs->distinct_count || *cs->distinct_count < 1) return std::nullopt;
      return non_null * (1 - 1 / *cs->distinct_count);
    case CompareOp::kLt:
    case CompareOp::kLe:
    case CompareOp::kGt:
    case CompareOp::kGe: {
      if (!cs->min || !cs->max) return std::nullopt;
      auto lo = NumericOf(*cs->min), hi = NumericOf(*cs->max), c = NumericOf(other->value);
      if (!lo || !hi || !c || *hi < *lo) return std::nullopt;
      double below;  // fraction of values under c
      if (*hi == *lo)
        below = *c > *lo ? 1.0 : (*c < *lo ? 0.0 : 0.5);
      else
        below = std::clamp((*c - *lo) / (*hi - *lo), 0.0, 1.0);
      double f = op == CompareOp::kLt || op == CompareOp::kLe ? below : 1 - below;
      // Never quite zero: the statistics may be stale.
      return non_null * std::max(f, 0.001);
    }
    default:
      return std::nullopt;
  }
}

double ConjunctSelectivity(const Expr& e, const StatsLookup& stats = nullptr) {
  if (auto s = StatsSelectivity(e, stats)) return *s;
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
      for (const auto& c : e.children) keep_none *= 1 - ConjunctSelectivity(*c, stats);
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

double Selectivity(const ExprPtr& predicate, const StatsLookup& stats = nullptr) {
  double s = 1;
  for (const auto& c : SplitConjunction(predicate)) s *= ConjunctSelectivity(*c, stats);
  return s;
}

std::optional<ColumnStats> TableColumnStats(const TableInfo& table, int table_column) {
  if (table_column < 0 || table_column >= static_cast<int>(table.stats.columns.size()))
    return std::nullopt;
  const auto& c = table.stats.columns[table_column];
  ColumnStats out;
  out.distinct_count = c.distinct_count;
  out.null_fraction = c.null_fraction;
  out.min = c.min;
  out.max = c.max;
  if (!out.distinct_count && !out.null_fraction && !out.min && !out.max) return std::nullopt;
  // An integer column without a distinct count has at most max - min + 1 values (a Parquet
  // footer's min/max): TPC-H's nation keys are 25, whatever the table's size.
  if (!out.distinct_count && out.min && out.max && !out.min->is_null() && !out.max->is_null() &&
      out.min->type().IsIntegral() && out.max->type().IsIntegral()) {
    double span = out.max->AsDouble() - out.min->AsDouble() + 1;
    if (span >= 1) out.distinct_count = span;
  }
  if (out.distinct_count && table.stats.row_count && *table.stats.row_count >= 1)
    out.distinct_count = std::min(*out.distinct_count, *table.stats.row_count);
  return out;
}

double ScanRows(const LogicalScan& scan) {
  double rows = -1;
  if (scan.scan) rows = scan.scan->EstimatedRows();
  if (rows < 0 && scan.table && scan.table->stats.row_count) {
    rows = *scan.table->stats.row_count;
    if (!scan.pushed_filters.empty()) {
      const TableInfo& t = *scan.table;  // pushed filters index the table's columns
      rows *= Selectivity(MakeAnd(std::vector<ExprPtr>(scan.pushed_filters)),
                          [&t](int col) { return TableColumnStats(t, col); });
    }
  }
  if (rows < 0) rows = kDefaultTableRows;
  if (scan.pushed_limit >= 0) rows = std::min(rows, static_cast<double>(scan.pushed_limit));
  return rows;
}

}  // namespace

std::optional<ColumnStats> ColumnStatsOf(const LogicalOperator& op, int column) {
  if (column < 0 || column >= static_cast<int>(op.output.size())) return std::nullopt;
  std::optional<ColumnStats> out;
  switch (op.kind) {
    case LogicalOpKind::kScan: {
      const auto& scan = static_cast<const LogicalScan&>(op);
      if (scan.table && column < static_cast<int>(scan.column_ids.size()))
        out = TableColumnStats(*scan.table, scan.column_ids[column]);
      break;
    }
    case LogicalOpKind::kFilter:
      if (!op.children.empty()) out = ColumnStatsOf(*op.children[0], column);
      // `col = constant` leaves one distinct value.
      for (const auto& c : SplitConjunction(static_cast<const LogicalFilter&>(op).predicate)) {
        if (c->kind != ExprKind::kComparison || c->op != CompareOp::kEq || c->children.size() != 2)
          continue;
        bool l =
            BareColumn(*c->children[0]) == column && c->children[1]->kind == ExprKind::kConstant;
        bool r =
            BareColumn(*c->children[1]) == column && c->children[0]->kind == ExprKind::kConstant;
        if (!l && !r) continue;
        if (!out) out = ColumnStats{};
        out->distinct_count = 1;
        out->null_fraction = 0;
      }
      break;
    case LogicalOpKind::kSort:
    case LogicalOpKind::kLimit:
    case LogicalOpKind::kWindow:
      if (!op.children.empty()) out = ColumnStatsOf(*op.children[0], column);
      break;
    case LogicalOpKind::kProject: {
      const auto& p = static_cast<const LogicalProject&>(op);
      if (column < static_cast<int>(p.exprs.size()) && !op.children.empty() &&
          p.exprs[column]->kind == ExprKind::kColumnRef)
        out = ColumnStatsOf(*op.children[0], p.exprs[column]->column_index);
      break;
    }
    case LogicalOpKind::kAggregate: {
      const auto& a = static_cast<const LogicalAggregate&>(op);
      if (column < static_cast<int>(a.groups.size()) && !op.children.empty() &&
          a.groups[column]->kind == ExprKind::kColumnRef)
        out = ColumnStatsOf(*op.children[0], a.groups[column]->column_index);
      break;
    }
    case LogicalOpKind::kJoin: {
      if (op.children.size() != 2) break;
      int left_width = static_cast<int>(op.children[0]->output.size());
      out = column < left_width ? ColumnStatsOf(*op.children[0], column)
                                : ColumnStatsOf(*op.children[1], column - left_width);
      break;
    }
    default:
      break;
  }
  // A column has no more distinct values than its node has rows.
  if (out && out->distinct_count && op.estimated_rows >= 0)
    out->distinct_count = std::max(1.0, std::min(*out->distinct_count, op.estimated_rows));
  return out;
}

double EstimateJoinKeySelectivity(const LogicalOperator& left, const Expr& left_key,
                                  const LogicalOperator& right, const Expr& right_key) {
  auto ndv = [](const LogicalOperator& side, const Expr& key) -> std::optional<double> {
    int col = BareColumn(key);
    if (col < 0) return std::nullopt;
    auto cs = ColumnStatsOf(side, col);
    if (!cs || !cs->distinct_count) return std::nullopt;
    return *cs->distinct_count;
  };
  auto l = ndv(left, left_key), r = ndv(right, right_key);
  if (!l && !r) return -1;
  return 1 / std::max({1.0, l.value_or(0.0), r.value_or(0.0)});
}

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
    case LogicalOpKind::kFilter: {
      const LogicalOperator& child = *op.children[0];
      rows = child_rows(0) * Selectivity(static_cast<const LogicalFilter&>(op).predicate,
                                         [&child](int col) { return ColumnStatsOf(child, col); });
      break;
    }
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
        // With every key's distinct count: their product, never above the input. Without:
        // each extra key multiplies the groups.
        double in = child_rows(0);
        double product = 1;
        bool known = true;
        for (const auto& g : a.groups) {
          std::optional<ColumnStats> cs;
          if (g->kind == ExprKind::kColumnRef) cs = ColumnStatsOf(*op.children[0], g->column_index);
          if (!cs || !cs->distinct_count) {
            known = false;
            break;
          }
          // NULL is a group of its own.
          product *= *cs->distinct_count + (cs->null_fraction.value_or(0) > 0 ? 1 : 0);
        }
        if (known)
          rows = std::min(in, std::max(1.0, product));
        else  // at least sqrt(rows): a GROUP BY over 6 rows makes more than one group
          rows = std::min(
              in, std::max({1.0, std::sqrt(in),
                            in * std::min(1.0, 0.1 * static_cast<double>(a.groups.size()))}));
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
        case JoinType::kInner: {
          if (j.left_keys.empty()) {
            rows = l * r * (j.condition ? 0.33 : 1.0);
            break;
          }
          // |L|*|R|/max(NDV_l, NDV_r) for each key with statistics; without, a lookup.
          double sel = 1;
          bool known = false;
          for (size_t k = 0; k < j.left_keys.size() && k < j.right_keys.size(); k++) {
            double s = EstimateJoinKeySelectivity(*op.children[0], *j.left_keys[k], *op.children[1],
                                                  *j.right_keys[k]);
            if (s >= 0) {
              sel = known ? std::min(sel, s) : s;  // keys are rarely independent
              known = true;
            }
          }
          rows = known ? l * r * sel : std::max(l, r);
          break;
        }
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
      if (j.condition && !j.left_keys.empty() && j.join_type == JoinType::kInner) {
        const LogicalOperator& jl = *op.children[0];
        const LogicalOperator& jr = *op.children[1];
        int left_width = static_cast<int>(jl.output.size());
        rows *= Selectivity(j.condition, [&](int col) {
          return col < left_width ? ColumnStatsOf(jl, col) : ColumnStatsOf(jr, col - left_width);
        });
      }
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
