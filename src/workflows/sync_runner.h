// Runs a sync job through the engine: reads the source rows (all, or those at or after the stored
// watermark), applies the transforms in SQL, and upserts them into the target keyed by the
// target key in one write; the watermark advances only after the target has committed the rows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "workflows/sync_job.h"

namespace aishell {

struct SyncRunResult {
  int64_t rows = 0;  // rows written (upserted)
  bool created_target = false;
  std::string watermark_before;  // "" when none
  std::string watermark_after;
  std::string source_sql;  // what was read
  double seconds = 0;
};

// Runs `job` once, holding home/sync/<name>.lock so that two runs of one job never overlap.
// Records the outcome in the job's state (a failure too, with its message) and rethrows errors.
// Bad input (unknown connection, table or column, a target that cannot upsert) throws before
// anything is written.
// `scheduled_slot`: the cron minute a daemon runs it for (kept in the state, so that one slot runs
// once even when the run fails).
SyncRunResult RunSyncJob(Engine& engine, const SyncJobStore& store, const SyncJob& job,
                         int64_t scheduled_slot = 0);

// The SQL that reads the job's source rows as the target gets them (no watermark filter), and the
// target's key column; throws for bad input like RunSyncJob.
struct SyncPlan {
  std::string select_list;         // transformed columns, cast to the target's types
  std::vector<std::string> names;  // target column names, in select order
  std::vector<std::string> exprs;  // their source expressions (cast to the target's types)
  std::string source_from;         // "conn"."schema"."table"
  std::string target_from;
  std::string key;         // target key column
  std::string key_source;  // the source expression of the key
  bool target_exists = false;
};
SyncPlan PlanSync(Engine& engine, const SyncJob& job);

// `aishell validate-sync`: row counts and an order-independent checksum per key range of the
// job's source rows (transformed) and of its target, the differing keys (at most max_keys), and
// the lag behind the source.
struct SyncValidation {
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  struct Range {
    std::string label;
    int64_t source_rows = 0;
    int64_t target_rows = 0;
    bool equal = true;
  };
  std::vector<Range> ranges;
  std::vector<std::string> differing_keys;  // "id=7: missing in target", ...
  int64_t differing_key_count = 0;
  std::string lag;  // "source has 3 rows after the watermark (2 min)" or "up to date"
  bool ok() const { return differing_key_count == 0 && source_rows == target_rows; }
};
SyncValidation ValidateSync(Engine& engine, const SyncJobStore& store, const SyncJob& job,
                            size_t max_keys);

}  // namespace aishell
