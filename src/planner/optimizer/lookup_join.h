// Join strategies chosen after scan negotiation (lookup_join.cpp), as LogicalJoin subclasses so
// that every other rule and EXPLAIN keep treating them as joins:
//   LogicalLookupJoin         one input is a scan read by batched key lookups
//   (TableScan::LookupKeys)
//                             with the distinct keys of the other, small, input;
//   LogicalDynamicFilterJoin  a hash join whose build keys are offered to the probe scan
//                             (TableScan::PushDynamicFilter) before the probe starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "planner/logical_plan.h"
#include "planner/planner.h"

namespace aishell {

struct LogicalLookupJoin : LogicalJoin {
  int lookup_side = 1;                // the child read by key lookups: 0 = left, 1 = right
  std::shared_ptr<LogicalScan> scan;  // the looked-up scan, inside children[lookup_side]
  ExprPtr scan_filter;                // over the scan's output (filters the source refused)
  std::vector<ExprPtr> projection;    // lookup side output over the scan's output; empty: identity
  std::vector<int> key_columns;       // per join key: the TableInfo column looked up
  int64_t batch_size = 10000;         // distinct keys per LookupKeys call
  std::string Describe() const override;
};

// The scan a LogicalLookupJoin reads by key (EXPLAIN shows what one batch asks the source).
struct LogicalLookupScan : LogicalScan {
  std::vector<int> key_columns;
  int64_t batch_size = 10000;
  std::string Describe() const override;
};

// A probe scan column that a hash join's build keys are offered to.
struct DynamicFilterTarget {
  std::shared_ptr<TableScan> scan;
  int table_column = -1;  // index into the scan's TableInfo::columns
  size_t key_index = 0;   // the join key (left_keys / right_keys position)
  LogicalType column_type;
  std::string name;  // catalog.table.column, for EXPLAIN
};

struct LogicalDynamicFilterJoin : LogicalJoin {
  std::vector<DynamicFilterTarget> dynamic_filters;
  int64_t max_keys = 10000;  // more distinct build keys than this: nothing is offered
  std::string Describe() const override;
};

// The rule: joins become LogicalLookupJoin or LogicalDynamicFilterJoin where the options allow.
// Runs last (after scan negotiation, aggregation pushdown and projection cleanup).
LogicalPtr PlanJoinStrategies(LogicalPtr plan, const PlannerOptions& options);

}  // namespace aishell
