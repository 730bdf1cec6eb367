// Runs an optimized logical plan: builds physical operators and pipelines, uses the cores,
// enforces the memory limit, and streams result batches.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/query_types.h"
#include "common/vector.h"
#include "planner/logical_plan.h"
#include "planner/plan_steps.h"

namespace aishell {

struct ExecutionOptions {
  int threads = 2;                         // worker threads for parallel pipelines
  int64_t max_memory = 8LL << 30;          // bytes; exceeding it fails the query with kOutOfMemory
  std::atomic<bool>* cancelled = nullptr;  // set to true to interrupt (checked between batches)
  // A parallel scan (-> filter -> project) read by the root or a LIMIT hands its batches on in
  // scan order (split by split), as one thread would.
  bool preserve_insertion_order = true;
  // federation.on_source_failure = continue: an input that may be empty without changing what
  // the query means for the other inputs (the inner side of an outer join, a UNION ALL branch,
  // a lookup join's looked-up side of a LEFT join) ends at a source failure instead of failing
  // the query, and the result carries a warning (Warnings()).
  bool continue_on_source_failure = false;
  // federation.parallel: independent inputs are read at the same time (a hash join's build side
  // while its probe side prepares: the build sides of a chain of joins).
  bool parallel_fetch = true;
  // federation.spill: hash aggregation, sort and hash join write partitions or sorted runs to
  // disk beyond max_memory instead of failing; spill_path ("" = $TMPDIR) holds a directory per
  // query, removed when it ends; spill_max_bytes (0 = none) caps the bytes one query spills.
  bool spill = true;
  std::string spill_path;
  int64_t spill_max_bytes = 0;
};

class QueryExecutor {
 public:
  QueryExecutor(LogicalPtr plan, ExecutionOptions options);
  ~QueryExecutor();

  // Next batch of the result (count > 0), or false at the end. Throws Error on failure.
  bool Next(Batch& out);

  // The physical plan with, per operator, rows produced and time spent (after the run).
  std::string ExplainAnalyze() const;
  // What the operator made for plan node `node` did (after the run); nullopt when the node has
  // no operator of its own (merged into another).
  std::optional<StepActual> ActualsOf(const LogicalOperator& node) const;
  // Rows read so far per scan; safe to call from another thread while Next runs.
  std::vector<SourceProgress> Progress() const;
  // Peak tracked memory in bytes.
  int64_t PeakMemory() const;
  // Bytes written to spill files so far; safe to call from another thread.
  int64_t SpilledBytes() const;
  // What the result should be read with (a source left out under on_source_failure = continue).
  std::vector<std::string> Warnings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aishell
