// The embeddable engine: one object per session. Parses, binds, optimizes and runs statements
// against the registered catalogs, registers sources and holds the session settings. The
// command line and (later) the server and the Python package sit on top of it. This header
// includes no planner or executor header: those stay behind engine.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/query_types.h"
#include "common/vector.h"
#include "engine/engine_types.h"

namespace aishell {

struct Statement;
struct ExplainStatement;
struct CreateViewStatement;
struct PlannedQuery;
struct ExecutionOptions;  // exec/query_executor.h
class QueryExecutor;
struct PlanSteps;  // planner/plan_steps.h      // exec/query_executor.h

// Connect could not tell the connector type of a URL without a scheme (the caller may ask for one).
class UnknownConnectorType : public Error {
 public:
  using Error::Error;
};

// The source of a Connect failed while being validated. what() is the connector's own message,
// which may echo the URL: scrub it (the shell does) before showing it.
class ConnectionFailed : public Error {
 public:
  ConnectionFailed(const Error& cause, ConnectionConfig config)
      : Error(cause.kind(), cause.what()), config_(std::move(config)) {}
  const ConnectionConfig& config() const { return config_; }

 private:
  ConnectionConfig config_;
};

class Engine;

// The rows of one statement, batch by batch as the executor produces them (a query's first rows
// are available before it ends). Made by Engine::Query; the Engine must outlive it. Statements
// without a streaming plan (SHOW, EXPLAIN, INSERT, SET, ...) come as one materialized result.
// Destroying the stream before its end stops the query. Not thread-safe (Engine::Cancel is).
class ResultStream {
 public:
  ~ResultStream();
  const std::vector<OutputColumn>& columns() const;
  const std::vector<std::string>& sources() const;  // data sources used
  bool has_rows() const;                            // false: only message() reports the statement
  const std::string& message() const;
  const std::vector<std::string>& warnings() const;  // QueryResult::warnings
  const std::vector<std::string>& notices() const;   // QueryResult::notices

  // The next batch (count > 0), or false at the end. Throws Error on failure.
  bool Next(Batch& batch);
  bool finished() const;      // Next returned false
  int64_t row_count() const;  // rows returned so far
  // Rows and bytes each scan has read so far (empty for a materialized result).
  std::vector<SourceProgress> source_progress() const;
  // The most memory the query's operators held at once (0 for a materialized result).
  int64_t peak_memory_bytes() const;
  // Bytes the query's operators wrote to spill files (federation.spill).
  int64_t spilled_bytes() const;
  // From the statement's start to its end (or to now while it runs).
  double elapsed_seconds() const;
  // Reads the rest of the stream into a QueryResult (batches already read are not in it;
  // row_count counts every row).
  QueryResult Collect();
  // After the end of a query: its plan as seed 002's steps, each with its estimates and what it
  // did (rows, bytes, batches, round trips, time; misestimates over 10x flagged), for
  // `query --stats`. Empty for statements without a plan (SHOW, SET, ...).
  std::string StepStats() const;
  // Whether the rows came from the result cache (no source was read).
  bool from_cache() const;
  // After the end of a query: each plan step that has a measured time, as (title, seconds), the
  // slowest first (for the query history of `aishell monitor federation`).
  std::vector<std::pair<std::string, double>> StepSeconds() const;

 private:
  friend class Engine;
  struct Impl;
  explicit ResultStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();

  CatalogRegistry& catalogs() { return catalogs_; }
  EngineOptions& options() { return options_; }

  // Runs one statement (a trailing ';' is fine) and streams its result. Parse and planning
  // errors throw here, execution errors from ResultStream::Next.
  std::unique_ptr<ResultStream> Query(const std::string& sql);
  // Runs one statement and collects its whole result (Query(sql)->Collect()).
  QueryResult Execute(const std::string& sql);
  // Runs statements separated by ';'; returns the result of each.
  std::vector<QueryResult> ExecuteScript(const std::string& sql);
  // The plan of a query as text (EXPLAIN), or its analyzed run (EXPLAIN ANALYZE).
  std::string Explain(const std::string& sql, bool analyze = false);
  // `aishell explain`: "steps" (seed 002's numbered steps per source with estimates, then the
  // operator tree), "json" (the steps as one JSON object) or "text" (the tree, as EXPLAIN).
  // With `analyze` the query runs and each step shows its actuals next to the estimates.
  std::string ExplainPlan(const std::string& sql, bool analyze, const std::string& format);

  // Called about every 100 ms while a query runs, from another thread.
  using ProgressCallback =
      std::function<void(const std::vector<SourceProgress>&, double elapsed_seconds)>;
  void SetProgressCallback(ProgressCallback callback) { progress_ = std::move(callback); }
  // Interrupts the running query (safe from a signal handler thread).
  void Cancel() { cancelled_ = true; }

  // Registers a data source: resolves its type (config.type, else from the URL), makes a local
  // path absolute, creates the connector and validates it by listing its schemas and tables, then
  // saves it in home_dir/connections.json (when home_dir is set) and adds it to catalogs().
  // Nothing is saved when the source cannot be reached (throws ConnectionFailed).
  ConnectResult Connect(ConnectionConfig config);
  // Removes a registered source; throws Error(kCatalog) with a suggestion when there is none.
  void Disconnect(const std::string& name);
  // The saved sources (home_dir/connections.json), in their saved order.
  std::vector<ConnectionConfig> ListConnections() const;
  // Reaches the saved source `name` and asks it for its Summary() (server version, tables, sizes).
  // Never throws for a source that cannot be reached: the status says why, without the password.
  // Safe to call for several sources at once from different threads.
  // With `overview`, also its Overview() (engine, version, tables and their sizes).
  ConnectionStatus CheckConnection(const std::string& name, bool overview = false);
  // Letters, digits, '_' and '-'.
  static bool IsValidSourceName(const std::string& name);

  // Session settings (SET SESSION name = value): pushdown, max_memory, threads.
  void SetSetting(const std::string& name, const std::string& value);
  std::map<std::string, std::string> Settings() const;

  // Loads and saves views in home_dir/views.json (the caller loads them: the constructor does not).
  void LoadViews();
  void SaveViews();

  // home_dir/cache/results: the result cache's folder.
  std::string ResultCacheDir() const;

  // options().threads, or the number of cores when it is 0.
  int EffectiveThreads() const;

 private:
  QueryResult ExecuteStatement(Statement& statement, std::chrono::steady_clock::time_point start);
  QueryResult Run(PlannedQuery& planned, std::chrono::steady_clock::time_point start,
                  std::string* analyze_text,
                  const std::function<void(const QueryExecutor&)>& inspect = nullptr);
  std::string ExplainStatementText(ExplainStatement& explain,
                                   std::chrono::steady_clock::time_point start,
                                   std::vector<std::string>* sources);
  QueryResult ShowCatalogs(const std::optional<std::string>& like);
  QueryResult ShowSchemas(const std::string& catalog, const std::optional<std::string>& like);
  // Runs `list` on a catalog's connector for a listing over every source: true, or false with a
  // warning naming the source and why (password scrubbed) when it cannot be reached.
  bool ListOrWarn(const std::string& catalog, const std::function<void(Connector&)>& list,
                  std::vector<std::string>* warnings);
  QueryResult ShowTables(const std::vector<std::string>& scope,
                         const std::optional<std::string>& like);
  QueryResult Describe(const std::vector<std::string>& parts);
  QueryResult CreateView(CreateViewStatement& create);
  std::string ResolveCatalogName(const std::string& catalog);
  std::string ExplainText(const std::string& sql, bool analyze);
  // Index advice lines for EXPLAIN ANALYZE's steps (empty: nothing to advise).
  std::string IndexAdvice(const PlanSteps& steps);

  std::unique_ptr<ResultStream> Stream(PlannedQuery& planned,
                                       std::chrono::steady_clock::time_point start);
  // Stream through the result cache: a hit as a materialized stream with a "cached, N s old"
  // notice, a miss streamed and stored at its end.
  std::unique_ptr<ResultStream> CachedStream(const std::string& sql, PlannedQuery& planned,
                                             std::chrono::steady_clock::time_point start);
  // A write through aishell (INSERT, CREATE TABLE AS, DROP TABLE) drops the cached results that
  // read the catalog it went to.
  void InvalidateCacheAfterWrite(const Statement& statement);
  // The executor's options from the session's (threads, memory, cancellation, source failures).
  ExecutionOptions ExecutionOptionsOf();

  EngineOptions options_;
  CatalogRegistry catalogs_;
  ProgressCallback progress_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aishell
