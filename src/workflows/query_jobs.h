// Background queries (aishell query --async): each job is a folder $AISHELL_HOME/jobs/<id>/ with
// job.yaml (the SQL, status, process id, times, rows, error) and, when done, its result
// (last_result.bin, ConfigStore's format, read back by `aishell export <id>`). The job runs in a
// process of its own that RunQueryJob drives; `jobs cancel` signals it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace aishell {

struct QueryJob {
  std::string id;
  std::vector<std::string> statements;
  std::string status;  // queued, running, done, failed, cancelled
  int64_t pid = 0;
  int64_t submitted = 0;  // unix seconds
  int64_t started = 0;
  int64_t ended = 0;
  double seconds = 0;  // run time
  int64_t rows = 0;
  std::string error;
  bool notify = false;    // --notify-on-complete
  bool notified = false;  // the next command told the user
  bool finished() const { return status == "done" || status == "failed" || status == "cancelled"; }
};

class QueryJobStore {
 public:
  explicit QueryJobStore(std::string home);
  // A new job with the next free id ("1", "2", ...), saved as queued.
  QueryJob Create(std::vector<std::string> statements, bool notify);
  std::optional<QueryJob> Find(const std::string& id) const;
  std::vector<QueryJob> List() const;  // oldest first
  void Save(const QueryJob& job) const;
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  // A job marked running whose process is gone (killed) is reported failed.
  QueryJob Refresh(QueryJob job) const;

 private:
  std::string root_;
};

// Runs the job's statements in this process, keeps the result of the last one that returns rows,
// and records the outcome; SIGTERM cancels it. Runs `notify_command` (notify.command) at the end
// with AISHELL_JOB_ID, AISHELL_JOB_STATUS and AISHELL_JOB_ROWS set. Returns the exit code.
int RunQueryJob(Engine& engine, const QueryJobStore& store, const std::string& id,
                const std::string& notify_command);

// Sends SIGTERM to the job's process, waits up to two seconds, then SIGKILL; marks it cancelled.
// Throws Error(kExecution) when the job already finished.
QueryJob CancelQueryJob(const QueryJobStore& store, const std::string& id);

}  // namespace aishell
