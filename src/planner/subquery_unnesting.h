// Unnesting of correlated subqueries (Neumann and Kemper, "Unnesting Arbitrary Queries", BTW
// 2015). A subquery is bound with the enclosing query's scope as an outer frame: a name found
// only there becomes an outer reference, a column ref kOuterRefBase + id (id indexes the binder's
// table of correlated columns). A correlated subquery then runs as a dependent join, which
// PushDomain pushes down the subquery's plan until no operator refers to the outer query: where
// the correlation disappears, the plan is crossed with the domain (the distinct values of the
// outer columns the subquery uses), and every operator above carries the domain columns along
// (grouped by them, partitioned by them for LIMIT, joined on them where both sides need them).
// The result is joined to the outer query on the domain columns (NULL matches NULL).
#pragma once

#include <functional>
#include <vector>

#include "planner/logical_plan.h"

namespace aishell {

// Outer references: column refs in [kOuterRefBase, kOuterRefBase + (1 << 22)).
inline constexpr int kOuterRefBase = 1 << 22;
inline constexpr int kOuterRefEnd = 1 << 23;

inline bool IsOuterRef(const Expr& e) {
  return e.kind == ExprKind::kColumnRef && e.column_index >= kOuterRefBase &&
         e.column_index < kOuterRefEnd;
}

// Whether an expression (or, for a plan, any expression of any operator) holds an outer
// reference whose id satisfies `pred`.
bool HasOuterRefs(const Expr& expr, const std::function<bool(int)>& pred);
bool PlanHasOuterRefs(const LogicalOperator& op, const std::function<bool(int)>& pred);
// Calls fn for every outer reference id in the plan.
void CollectPlanOuterRefs(const LogicalOperator& op, const std::function<void(int)>& fn);

// A deep copy of a plan, with fresh scans (LogicalScan::make_scan), so that the copy can be
// optimized and run independently. Throws kUnsupported for a scan that cannot be recreated.
LogicalPtr ClonePlan(const LogicalOperator& op);

struct DomainInfo {
  // For each outer reference id: its domain column (0..k-1), or -1 (another level's reference).
  std::vector<int> id_to_domain;
  std::vector<OutputColumn> columns;        // the domain columns
  std::function<LogicalPtr()> make_domain;  // a fresh plan of the distinct domain rows
};

// The dependent join of `op` with the domain: a plan without this level's outer references
// whose output is op's output followed by the domain columns.
LogicalPtr PushDomain(const LogicalPtr& op, const DomainInfo& domain);

// `a IS NOT DISTINCT FROM b`, written so that the join key extraction can hash it when the type
// allows: coalesce(a, c) = coalesce(b, c) AND (a IS NULL) = (b IS NULL).
ExprPtr NullSafeEquals(ExprPtr a, ExprPtr b);

// The window function row_number() partitioned and ordered as given.
ExprPtr MakeRowNumber(std::vector<ExprPtr> partition_by, std::vector<SortKey> order_by);

}  // namespace aishell
