// Translates an optimized logical plan into physical operators.
#pragma once

#include <map>
#include <vector>

#include "exec/physical_operator.h"
#include "planner/logical_plan.h"

namespace aishell {

class PhysicalPlanner {
 public:
  // `continue_on_source_failure`: the inputs that may end early at a source failure are guarded
  // (ExecutionOptions::continue_on_source_failure).
  explicit PhysicalPlanner(int threads, bool keep_scan_order = false,
                           bool continue_on_source_failure = false)
      : threads_(threads),
        keep_scan_order_(keep_scan_order),
        continue_on_source_failure_(continue_on_source_failure) {}
  // The root is never a parallel operator: parallel roots get an Exchange on top.
  PhysicalPtr Plan(const LogicalOperator& root);
  // Every operator that reads a source (table scans, lookup joins), in plan order (progress).
  const std::vector<const PhysicalOperator*>& scans() const { return scans_; }
  // The operator made for each plan node (EXPLAIN ANALYZE's steps).
  const std::map<const LogicalOperator*, const PhysicalOperator*>& nodes() const { return nodes_; }

 private:
  PhysicalPtr PlanNode(const LogicalOperator& op);
  PhysicalPtr PlanNodeImpl(const LogicalOperator& op);
  // Puts an Exchange above a parallel operator whose consumer pulls serially. `in_order`: the
  // consumer (the root, a LIMIT) shows rows in the order it gets them, so a scan -> filter ->
  // project chain is handed on in scan order (when keep_scan_order_).
  PhysicalPtr Serialize(PhysicalPtr op, bool in_order = false);
  // `input` (planned from `logical`) wrapped in a source failure guard when the mode is on and
  // it reads a source; `role` says what its loss means ("LEFT JOIN", "UNION ALL").
  PhysicalPtr Optional(PhysicalPtr input, const LogicalOperator& logical, const char* role);

  int threads_;
  bool keep_scan_order_;
  bool continue_on_source_failure_;
  std::vector<const PhysicalOperator*> scans_;
  std::map<const LogicalOperator*, const PhysicalOperator*> nodes_;
};

}  // namespace aishell
