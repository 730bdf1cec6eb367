// The plan as numbered steps per source (seed 002's layout for `aishell explain`): what each
// source is asked (remote SQL, Mongo pipeline, Elasticsearch DSL, Redis commands), the estimated
// rows of each step, the join strategy, the order and why, the optimizations applied, and an
// estimated time per step from a per-source throughput model. With actuals (EXPLAIN ANALYZE,
// `query --stats`) each step also shows what happened, and misestimates over 10x are flagged.
//
// The time model: a step that reads a source costs
//     round trips x latency + rows / rows_per_second
// with, per connector type, rows per second, latency per round trip and rows per round trip
// (0: one stream per query, as PostgreSQL's COPY). A scan makes 1 + rows / rows_per_round_trip
// round trips; a lookup step makes one round trip per batch of keys. Work in the engine (joins,
// aggregation, sorting) costs rows in / the "engine" rate. A hash join reads its two inputs at
// the same time when federation.parallel is on: its time is the slower input's, not the sum.
// federation.source_throughput overrides the defaults (DefaultThroughputModel()).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "planner/logical_plan.h"

namespace aishell {

struct SourceThroughput {
  double rows_per_second = 1e6;
  double latency_seconds = 0.001;  // per round trip
  double rows_per_round_trip = 0;  // 0: the whole read is one round trip
};

// Per connector type ("postgres", "redis", ... and "engine" for in-memory work).
using ThroughputModel = std::map<std::string, SourceThroughput>;

// The built-in model, as the text federation.source_throughput accepts.
std::string DefaultThroughputModel();
// "postgres=1000000/2ms/0, redis=300000/1ms/1000" (rows per second / latency / rows per round
// trip; the last two optional) over the defaults. Throws Error(kConversion) naming the entry.
ThroughputModel ParseThroughputModel(const std::string& text);

// What happened in a step (EXPLAIN ANALYZE).
struct StepActual {
  int64_t rows = -1;
  int64_t bytes = -1;
  int64_t batches = -1;      // lookup batches, or batches the source returned
  int64_t round_trips = -1;  // queries/requests sent, where known
  double seconds = -1;
  // Spilled to disk (federation.spill): bytes written and partitions (or sorted runs); -1: none.
  int64_t spilled_bytes = -1;
  int64_t spill_partitions = -1;
  const char* spill_unit = "partitions";
};

struct PlanStep {
  int number = 0;
  std::string kind;         // "scan", "lookup", "join", "aggregate", "sort", "limit", "other"
  std::string title;        // "Query PostgreSQL (users-db.public.users)"
  std::string source;       // catalog name ("" for engine steps)
  std::string source_type;  // connector type ("" for engine steps)
  std::string table;
  std::string request;   // what the source is asked, exactly (or the engine's operation)
  std::string strategy;  // "batch fetch, 1K keys per query", "hash join, build side: ..."
  double estimated_rows = -1;
  double estimated_round_trips = -1;
  double estimated_seconds = 0;
  int parallel_with = 0;  // another step read at the same time (0: none)
  std::optional<StepActual> actual;
  const LogicalOperator* node = nullptr;  // the plan node of this step
};

struct PlanSteps {
  std::vector<PlanStep> steps;
  std::string strategy;                    // "Start with smallest dataset (sessions, 300 rows)"
  std::vector<std::string> optimizations;  // applied, one line each
  double estimated_seconds = 0;            // total, parallel reads overlapping
  double estimated_result_rows = -1;
};

struct PlanStepsOptions {
  ThroughputModel model;
  bool parallel_fetch = true;
  // The connector type of a catalog ("" if it is not a catalog: a table function).
  std::function<std::string(const std::string& catalog)> catalog_type;
  // Actuals of a plan node after a run (EXPLAIN ANALYZE); null: estimates only.
  std::function<std::optional<StepActual>(const LogicalOperator&)> actuals;
};

// Where an index on the source could help (index advice after EXPLAIN ANALYZE): the columns of a
// pushed filter of a scan step (one candidate per column), the key columns of a lookup step.
struct IndexCandidate {
  std::string catalog;
  std::shared_ptr<const TableInfo> table;
  std::vector<std::string> columns;
  std::string reason;  // "filter on status", "lookup key user_id"
};
std::vector<IndexCandidate> IndexCandidates(const PlanSteps& steps);

PlanSteps CollectPlanSteps(const LogicalOperator& root, const PlanStepsOptions& options);
// Seed 002's text layout; `tree` (the operator tree) is appended under its own heading when set.
std::string RenderPlanSteps(const PlanSteps& steps, const std::string& tree);
// One JSON object: steps, strategy, optimizations, estimated_seconds, and the tree as "plan".
std::string PlanStepsJson(const PlanSteps& steps, const std::string& tree);
// A source type as people write it: "postgres" -> "PostgreSQL".
std::string SourceTypeDisplayName(const std::string& type);

}  // namespace aishell
