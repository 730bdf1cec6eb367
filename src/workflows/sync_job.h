// Sync jobs (aishell sync): what a job copies from a source table into a target table, its
// YAML form (seed 002's `sync_job:` file), and where jobs and their state live
// ($AISHELL_HOME/sync/<name>.yaml and <name>.state.json).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

// A table named as `conn.table` or `conn.schema.table` ("quoted" and [bracketed] parts too).
struct SyncTableRef {
  std::string connection;
  std::string schema;  // empty: the connection's default schema
  std::string table;
  // Throws Error(kCatalog) naming `what` ("source", "target") for a name without a connection.
  static SyncTableRef Parse(const std::string& text, const std::string& what);
  std::string ToString() const;  // conn.[schema.]table
};

enum class SyncMode : uint8_t { kFull, kIncremental };

struct SyncJob {
  std::string name;   // letters, digits, '-', '_'
  std::string title;  // the YAML file's name: "Users to Orders Sync"
  SyncTableRef source;
  SyncTableRef target;
  SyncMode mode = SyncMode::kIncremental;
  std::string sync_key = "updated_at";
  std::vector<std::string> columns;                             // empty: every column
  std::vector<std::pair<std::string, std::string>> renames;     // source -> target name
  std::vector<std::pair<std::string, std::string>> add_fields;  // name -> SQL expression
  std::vector<std::string> excludes;
  UpsertConflict conflict = UpsertConflict::kSourceWins;
  std::string key;       // the target key column; empty: `id` (after renames)
  std::string schedule;  // 5-field cron; empty: run by hand
  bool alert_on_failure = true;
  bool track_metrics = true;
};

// What the last runs of a job left behind.
struct SyncState {
  std::optional<std::string> watermark;  // the sync key's value, as text
  std::string watermark_type;            // its SQL type (TIMESTAMP, BIGINT, ...)
  int64_t registered_at = 0;             // unix seconds
  int64_t last_run_start = 0;
  int64_t last_slot = 0;  // the scheduled minute the daemon last ran the job for
  int64_t last_run_end = 0;
  int64_t last_success = 0;
  std::string last_status;  // "ok", "failed", "" (never ran)
  std::string last_error;
  int64_t last_rows = 0;
  int64_t total_rows = 0;
  int64_t runs = 0;
  int64_t failures = 0;
};

const char* SyncModeName(SyncMode mode);
const char* UpsertConflictName(UpsertConflict conflict);
// "source_wins" | "target_wins" | "error"; throws Error(kConversion) naming `where` otherwise.
UpsertConflict ParseUpsertConflict(const std::string& text, const std::string& where);
SyncMode ParseSyncMode(const std::string& text, const std::string& where);

// Reads a job file in seed 002's format (a top-level `sync_job:` map, or the map itself).
// Throws Error(kIo / kConversion) naming the file, the line and the key.
SyncJob LoadSyncJobFile(const std::string& path);
SyncJob ParseSyncJobYaml(const std::string& text, const std::string& where);
std::string SyncJobToYaml(const SyncJob& job);
// A job name from a title or from the tables: lower case, '-' between words.
std::string SyncJobNameFrom(const std::string& text);

// Jobs and their state under home/sync/.
class SyncJobStore {
 public:
  explicit SyncJobStore(std::string home);
  std::vector<SyncJob> List() const;
  std::optional<SyncJob> Find(const std::string& name) const;
  void Save(const SyncJob& job) const;
  bool Delete(const std::string& name) const;  // the job and its state
  SyncState LoadState(const std::string& name) const;
  // Written to a temporary file, synced and renamed over the old one.
  void SaveState(const std::string& name, const SyncState& state) const;
  std::string dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace aishell
