// The plain data types of the engine's API: its options, a collected result, and what
// Engine::Connect registered. Apart from engine.h so that config_store.h can use them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/query_types.h"
#include "common/vector.h"

namespace aishell {

struct EngineOptions {
  int threads = 0;                 // 0: the number of cores
  int64_t max_memory = 4LL << 30;  // bytes per query
  // The session time zone (federation.time_zone, SET TIME ZONE, Trino's X-Trino-Time-Zone and
  // time_zone_id): current_date, localtimestamp and AT TIME ZONE read it (common/time_zone.h).
  std::string time_zone = "UTC";
  // federation.spill / spill_path / spill_max_size: aggregation, sort and hash join spill to
  // disk beyond max_memory (ExecutionOptions).
  bool spill = true;
  std::string spill_path;       // "" = $TMPDIR
  int64_t spill_max_bytes = 0;  // 0 = no cap
  bool pushdown = true;         // offer filters/limits/aggregates to sources
  // Rows of a parallel scan without ORDER BY come out in the table's order (DuckDB's setting).
  bool preserve_insertion_order = true;
  std::string home_dir;  // where views are persisted; empty: not persisted
  // The result cache (engine/result_cache.h) under home_dir/cache/results: on when the TTL is
  // above 0 (`aishell cache enable --ttl 300`). fresh_data (query --fresh-data) runs the query
  // and refreshes its entry instead of reading it.
  int64_t result_cache_ttl_ms = 0;
  int64_t result_cache_max_bytes = 256LL << 20;
  bool fresh_data = false;

  // Join strategies (planner.h PlannerOptions): lookup joins and dynamic filtering.
  bool lookup_join = true;
  int64_t lookup_join_max_rows = 100000;
  int64_t lookup_batch_size = 10000;
  bool dynamic_filtering = true;
  int64_t dynamic_filter_max_keys = 10000;
  // federation.max_cartesian_rows: a join without an equality condition estimated above this
  // many rows is refused (0: never); auto_fix_cartesian (query --auto-fix) adds the suggested
  // condition instead.
  int64_t max_cartesian_rows = 1000000;
  bool auto_fix_cartesian = false;
  // federation.timeout: a running query is cancelled this long after it started; 0: no limit.
  int64_t timeout_ms = 0;
  // federation.on_source_failure = continue (false: fail): partial results when a source fails.
  bool continue_on_source_failure = false;
  // federation.eager_aggregation: pre-aggregation below cross-source joins (PlannerOptions).
  bool eager_aggregation = true;
  // federation.join_reordering: cost-based join order (PlannerOptions); false: as written.
  bool join_reordering = true;
  // federation.parallel: independent source reads run at the same time.
  bool parallel_fetch = true;
  // federation.source_throughput: the per-source time model of `explain`'s estimates
  // (planner/plan_steps.h), entries over the built-in defaults; empty: the defaults.
  std::string source_throughput;
  // federation.type_mappings: source columns read as another type (planner.h ParseTypeMappings).
  std::string type_mappings;
};

struct QueryResult {
  std::vector<OutputColumn> columns;
  std::vector<Batch> batches;
  int64_t row_count = 0;
  double elapsed_seconds = 0;
  std::vector<std::string> sources;  // data sources used, e.g. "users-db (postgres)", "read_csv"
  std::string message;               // for statements without rows, e.g. "CREATE VIEW"
  bool has_rows = true;              // false for statements that only report a message
  // What the user should know about a result that is complete as far as it goes, e.g. a source
  // that could not be reached and was left out of a listing. Never holds a secret.
  std::vector<std::string> warnings;
  // What the planner changed on its own (a join key cast across sources, an auto-fixed join),
  // printed with an info sign; PlannedQuery::notices.
  std::vector<std::string> notices;
};

// What `Engine::Connect` registered: the saved definition and what the source listed.
struct ConnectResult {
  ConnectionConfig config;  // as saved: type resolved, a local path made absolute
  bool replaced = false;    // an earlier definition of the same name was replaced
  std::string summary;      // the connector's one-line Summary(), may be empty
  size_t schema_count = 0;
  size_t table_count = 0;                  // in the first 100 schemas
  std::vector<std::string> sample_tables;  // the first 10 tables (schema-qualified if not default)
};

// What `Engine::CheckConnection` found when it reached a saved source.
struct ConnectionStatus {
  bool reachable = false;
  std::string summary;      // the connector's Summary() when reachable (may be empty)
  std::string error;        // why it could not be reached (password scrubbed) otherwise
  SourceOverview overview;  // Engine::CheckConnection(name, true): what the source holds
};

}  // namespace aishell
