// The query history of an $AISHELL_HOME: one JSON line per finished statement, written by
// `aishell query` (and the shell) and by `aishell serve`, read by `aishell monitor federation`.
// $AISHELL_HOME/query_history.jsonl, mode 0600, appended under a lock file (several aishell
// processes may write at once) and rotated to query_history.1.jsonl past kQueryHistoryMaxBytes,
// so it stays bounded. The SQL goes through RedactText and is cut at 500 characters: no source
// password or token is ever written.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace aishell {

class Engine;
class ResultStream;
struct EngineOptions;

constexpr int64_t kQueryHistoryMaxBytes = 1 << 20;

struct QueryHistorySource {
  std::string name;  // "lake (file)", as the engine names its sources
  int64_t rows = 0;  // rows and bytes read (0 when the result came from the cache)
  int64_t bytes = 0;
};

struct QueryHistoryRecord {
  int64_t time_ms = 0;  // when it ended, milliseconds since the epoch
  std::string origin;   // "cli" or "serve"
  std::string user;     // the server's client user; empty for the command line
  std::string state;    // "FINISHED" or "FAILED"
  std::string error;    // the error's name (Trino's for the server, the engine's kind else)
  std::string sql;      // redacted, at most 500 characters
  double seconds = 0;   // wall time
  int64_t rows = 0;     // rows returned
  bool cache_hit = false;
  int64_t peak_memory = 0;        // the most memory its operators held at once
  int64_t max_memory = 0;         // federation.max_memory in force
  int64_t max_query_time_ms = 0;  // federation.max_query_time in force (0: none)
  std::vector<QueryHistorySource> sources;
  std::vector<std::pair<std::string, double>> slowest_steps;  // (step title, seconds), <= 3
};

// What a finished (or failed, `error` non-empty) stream did, with the budgets of `options`.
// `stream` may be null (the statement failed before it streamed).
QueryHistoryRecord QueryHistoryRecordOf(const ResultStream* stream, const EngineOptions& options,
                                        const std::string& sql, double seconds,
                                        const std::string& error);

// The command line's record of one statement that started at `start`: appended to the
// engine's home_dir history when it returned rows or failed (`error`: the error kind's name).
void RecordQueryHistory(Engine& engine, const ResultStream* stream, const std::string& sql,
                        std::chrono::steady_clock::time_point start, const std::string& error);

std::string QueryHistoryJson(const QueryHistoryRecord& record);  // one line, no newline
// Throws Error(kIo) for a line that is not a record.
QueryHistoryRecord ParseQueryHistoryJson(const std::string& line);

// Appends `record` to home_dir's history (creating it 0600), rotating it past max_bytes.
// Never throws: a history that cannot be written is no reason to fail a query.
void AppendQueryHistory(const std::string& home_dir, const QueryHistoryRecord& record,
                        int64_t max_bytes = kQueryHistoryMaxBytes);
// The last `limit` records of home_dir's history, oldest first (lines that do not parse, such
// as one cut by a crash, are skipped).
std::vector<QueryHistoryRecord> ReadQueryHistory(const std::string& home_dir, size_t limit = 1000);

// `aishell monitor federation`'s text: per source the queries, rows and bytes read, average and
// slowest time, cache hits and errors; the slowest steps; the budgets and how close the queries
// came to them.
std::string QueryHistorySummary(const std::vector<QueryHistoryRecord>& records);

}  // namespace aishell
