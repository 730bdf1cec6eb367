// Factories for the physical operators; the physical planner wires them up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/exception.h"
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
// The TableScan a scan operator reads, or null for other operators.
const TableScan* TableScanOf(const PhysicalOperator& op);
// federation.on_source_failure = continue: passes `input` through, and when reading it fails
// because a source failed (Error kConnector or kIo, in Prepare or Next) ends it there instead,
// with a warning in the ExecContext: "<the error>", then "Returning partial results ..." and
// "Missing: <missing>". `sources` names the tables read below it (for EXPLAIN ANALYZE).
PhysicalPtr MakeSourceFailureGuard(PhysicalPtr input, std::string sources, std::string missing);
// Whether `error` is a source's failure that on_source_failure = continue may absorb.
bool IsSourceFailure(const Error& error);
// The warning for a source failure absorbed under on_source_failure = continue.
std::string SourceFailureWarning(const Error& error, const std::string& missing);
// Where the batch a table scan operator last returned on this thread comes from: its split's
// index (splits are handed out in index order, and each is read to its end by one thread) and the
// batch's number among those this thread's scan state returned.
struct ScanBatchOrigin {
  const PhysicalOperator* scan = nullptr;  // the scan operator that returned it
  size_t split = 0;
  uint64_t sequence = 0;
};
ScanBatchOrigin& ThisThreadScanBatchOrigin();
// Whether split `index` of the scan operator `op` has been read to its end; false before the
// splits exist and past the last one.
bool TableScanSplitDone(const PhysicalOperator& op, size_t index);

PhysicalPtr MakeFilterOperator(PhysicalPtr child, ExprPtr predicate);
PhysicalPtr MakeProjectionOperator(PhysicalPtr child, std::vector<ExprPtr> exprs,
                                   std::vector<LogicalType> types);
PhysicalPtr MakeLimitOperator(PhysicalPtr child, int64_t limit, int64_t offset);
PhysicalPtr MakeValuesOperator(const LogicalValues& values);
// Runs a parallel child on all workers and hands its batches to one consumer: as they come, or,
// with `scan_order`, in the order of the table scan under the child (split by split, each split's
// batches in order), as one thread reading the table would. `scan_order` needs a child that is a
// chain of KeepsRowOrder() operators over a table scan (ExchangeCanKeepScanOrder).
PhysicalPtr MakeExchangeOperator(PhysicalPtr child, bool scan_order = false);
bool ExchangeCanKeepScanOrder(const PhysicalOperator& child);
PhysicalPtr MakeHashJoinOperator(PhysicalPtr left, PhysicalPtr right, const LogicalJoin& join);
PhysicalPtr MakeHashAggregateOperator(PhysicalPtr child, const LogicalAggregate& aggregate);
// ORDER BY, optionally keeping only the first `limit` rows (Top-N; -1 = all).
PhysicalPtr MakeSortOperator(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit);
PhysicalPtr MakeWindowOperator(PhysicalPtr child, const LogicalWindow& window);
// UNNEST (see LogicalUnnest): output_types are the input's, then the element columns.
PhysicalPtr MakeUnnestOperator(PhysicalPtr child, std::vector<ExprPtr> arrays, bool ordinality,
                               bool outer, std::vector<LogicalType> output_types);
PhysicalPtr MakeSetOperator(PhysicalPtr left, PhysicalPtr right, const LogicalSetOperation& op);
PhysicalPtr MakeInsertOperator(PhysicalPtr child, const LogicalInsert& insert);

}  // namespace aishell
