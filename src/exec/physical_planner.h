// Translates an optimized logical plan into physical operators.
#pragma once

#include <vector>

#include "exec/physical_operator.h"
#include "planner/logical_plan.h"

namespace aishell {

class PhysicalPlanner {
 public:
  explicit PhysicalPlanner(int threads) : threads_(threads) {}
  // The root is never a parallel operator: parallel roots get an Exchange on top.
  PhysicalPtr Plan(const LogicalOperator& root);
  // Every table scan operator created, in plan order (for progress reports).
  const std::vector<const PhysicalOperator*>& scans() const { return scans_; }

 private:
  PhysicalPtr PlanNode(const LogicalOperator& op);
  // Puts an Exchange above a parallel operator whose consumer pulls serially.
  PhysicalPtr Serialize(PhysicalPtr op);

  int threads_;
  std::vector<const PhysicalOperator*> scans_;
};

}  // namespace aishell
