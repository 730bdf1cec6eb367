// The optimizer: rewrite rules over the logical plan, one rule per file, run in a fixed order by
// Optimize(). Rules mutate the plan in place (the binder builds a fresh tree for every statement)
// and return the new root.
//
// Order (see optimizer.cpp):
//   1. FoldConstants            constant sub-expressions evaluated, trivial filters removed
//   1b. ExtractCommonConjuncts  conjuncts common to every branch of an OR factored out of it
//   2. PushDownFilters          filters moved below projections, joins (outer-join safe),
//   aggregates
//   2b. ReorderJoins            cost-based order of inner joins: DP over connected subsets (up to
//                               12 inputs), greedy beyond; cross products only between components
//   3. ExtractJoinKeys          equality conjuncts -> left_keys/right_keys; cross -> inner
//   3b. GuardCartesianProducts  on first estimates: a join without keys whose output exceeds
//                               max_cartesian_rows is refused (or given the suggested keys)
//   4. PushDownLimits           limits moved below projections
//   5. PruneColumns             every node outputs only what its parent uses; scans read less
//   6. EstimateCardinality      estimated_rows on every node
//   6b. AggregateBelowJoins     an Aggregate over a cross-source inner join pre-aggregates the
//                               input its calls read, grouped by its join keys, on its scan
//                               (then offered to the source by PushDownAggregations)
//   7. ChooseJoinSides          smaller estimated input on the build (right) side
//   8. NegotiateScans           the only rule that talks to TableScan: filters, projection, order,
//                               limit; then PruneColumns and EstimateCardinality run again
//   8b. PushDownRemoteJoins     joins of two scans of one catalog offered to TableScan::PushJoin
//                               (one remote query); the scans are negotiated again if any was
//   9. PushDownAggregations     Aggregate directly on a Scan (through column-ref projections,
//                               only accepted filters) offered to TableScan::PushAggregation
//  10. MergeProjections, RemoveIdentityProjections
//  11. PlanJoinStrategies (lookup_join.h): lookup joins and dynamic filters, on the final
//      estimates
#pragma once

#include <optional>
#include <vector>

#include "planner/logical_plan.h"
#include "planner/planner.h"

namespace aishell {

// `notices` (may be null) receives what a rule changed on its own (cartesian_guard.cpp).
LogicalPtr Optimize(LogicalPtr plan, const PlannerOptions& options,
                    std::vector<std::string>* notices = nullptr);

LogicalPtr FoldConstants(LogicalPtr plan);
ExprPtr FoldConstantExpr(const ExprPtr& expr);
LogicalPtr ExtractCommonConjuncts(LogicalPtr plan);
ExprPtr ExtractCommonConjunctsExpr(const ExprPtr& expr);
LogicalPtr PushDownFilters(LogicalPtr plan);
LogicalPtr ReorderJoins(LogicalPtr plan, const PlannerOptions& options);
LogicalPtr ExtractJoinKeys(LogicalPtr plan);
LogicalPtr PushDownLimits(LogicalPtr plan);
LogicalPtr PruneColumns(LogicalPtr plan);
// Offers each scanned ROW column used only through field accesses to
// TableScan::PushFieldProjection (after the scans' projections are final).
void PushFieldProjections(const LogicalPtr& plan);
void EstimateCardinality(LogicalOperator& plan);
// Statistics of one output column of `op`, traced through projections, filters and joins to the
// scan's TableInfo::stats (distinct count capped by op's estimated rows); nullopt if unknown.
struct ColumnStats {
  std::optional<double> distinct_count;
  std::optional<double> null_fraction;
  std::optional<Value> min;
  std::optional<Value> max;
};
std::optional<ColumnStats> ColumnStatsOf(const LogicalOperator& op, int column);
// 1/max(NDV) of an equi-join key pair over `left` and `right` (either NDV may be missing), or -1
// when neither side has a distinct count.
double EstimateJoinKeySelectivity(const LogicalOperator& left, const Expr& left_key,
                                  const LogicalOperator& right, const Expr& right_key);
LogicalPtr GuardCartesianProducts(LogicalPtr plan, const PlannerOptions& options,
                                  std::vector<std::string>* notices);
LogicalPtr AggregateBelowJoins(LogicalPtr plan, const PlannerOptions& options);
LogicalPtr ChooseJoinSides(LogicalPtr plan);
LogicalPtr NegotiateScans(LogicalPtr plan, const PlannerOptions& options);
LogicalPtr PushDownRemoteJoins(LogicalPtr plan, const PlannerOptions& options);
LogicalPtr PushDownAggregations(LogicalPtr plan, const PlannerOptions& options);
LogicalPtr RemoveIdentityProjections(LogicalPtr plan);
LogicalPtr MergeProjections(LogicalPtr plan);

// --- helpers shared by the rules (optimizer_util.cpp) ---

// Whether `expr` evaluates to NULL or FALSE whenever every column in `null_columns` is NULL
// (a WHERE conjunct with this property removes the rows an outer join pads with NULLs).
bool IsNullRejecting(const Expr& expr, const std::vector<bool>& null_columns);
// Whether every column ref of `expr` is in [begin, end).
bool RefsWithin(const Expr& expr, int begin, int end);
// Whether `expr` references any column at all.
bool HasColumnRefs(const Expr& expr);
// Shifts every column ref by `delta`.
ExprPtr ShiftColumns(const ExprPtr& expr, int delta);
// A Filter node over `child` with the conjunction of `conjuncts` (child itself if empty).
LogicalPtr MakeFilterNode(LogicalPtr child, std::vector<ExprPtr> conjuncts);
// A join key without a lossless integer widening (CAST(int_col AS BIGINT), which the binder puts
// on the narrower side of an INTEGER = BIGINT key), else the key itself. A source can still be
// asked by the column: a key of the wider type that does not fit cannot equal a widened value.
const Expr& WithoutIntegerWidening(const Expr& key);
// Column refs 0..n-1 over `op`'s output.
std::vector<ExprPtr> IdentityRefs(const LogicalOperator& op);

}  // namespace aishell
