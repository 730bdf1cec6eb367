// Factories for the physical operators; the physical planner wires them up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/physical_operator.h"
#include "planner/logical_plan.h"

namespace aishell {

struct ScanProgressSource {
  std::string source;
  std::string table;
  TableScan* scan = nullptr;
  const PhysicalOperator* op = nullptr;
};

PhysicalPtr MakeTableScanOperator(const LogicalScan& scan);
// Progress of a scan operator made by MakeTableScanOperator.
SourceProgress TableScanProgress(const PhysicalOperator& op);
bool IsTableScanOperator(const PhysicalOperator& op);

PhysicalPtr MakeFilterOperator(PhysicalPtr child, ExprPtr predicate);
PhysicalPtr MakeProjectionOperator(PhysicalPtr child, std::vector<ExprPtr> exprs,
                                   std::vector<LogicalType> types);
PhysicalPtr MakeLimitOperator(PhysicalPtr child, int64_t limit, int64_t offset);
PhysicalPtr MakeValuesOperator(const LogicalValues& values);
// Runs a parallel child on all workers and hands its batches to one consumer.
PhysicalPtr MakeExchangeOperator(PhysicalPtr child);
PhysicalPtr MakeHashJoinOperator(PhysicalPtr left, PhysicalPtr right, const LogicalJoin& join);
PhysicalPtr MakeHashAggregateOperator(PhysicalPtr child, const LogicalAggregate& aggregate);
// ORDER BY, optionally keeping only the first `limit` rows (Top-N; -1 = all).
PhysicalPtr MakeSortOperator(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit);
PhysicalPtr MakeWindowOperator(PhysicalPtr child, const LogicalWindow& window);
PhysicalPtr MakeSetOperator(PhysicalPtr left, PhysicalPtr right, const LogicalSetOperation& op);
PhysicalPtr MakeInsertOperator(PhysicalPtr child, const LogicalInsert& insert);

}  // namespace aishell
