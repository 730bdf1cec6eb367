// The embeddable engine: one object per session. Parses, binds, optimizes and runs statements
// against the registered catalogs. The command line and (later) the server sit on top of it.
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
#include "common/vector.h"
#include "exec/query_executor.h"
#include "planner/logical_plan.h"

namespace aishell {

struct Statement;
struct ExplainStatement;
struct CreateViewStatement;
struct PlannedQuery;

struct EngineOptions {
  int threads = 0;                 // 0: the number of cores
  int64_t max_memory = 4LL << 30;  // bytes per query
  bool pushdown = true;            // offer filters/limits/aggregates to sources
  // Rows of a parallel scan without ORDER BY come out in the table's order (DuckDB's setting).
  bool preserve_insertion_order = true;
  std::string home_dir;  // where views are persisted; empty: not persisted

  // Join strategies (planner.h PlannerOptions): lookup joins and dynamic filtering.
  bool lookup_join = true;
  int64_t lookup_join_max_rows = 100000;
  int64_t lookup_batch_size = 1000;
  bool dynamic_filtering = true;
  int64_t dynamic_filter_max_keys = 10000;
};

struct QueryResult {
  std::vector<OutputColumn> columns;
  std::vector<Batch> batches;
  int64_t row_count = 0;
  double elapsed_seconds = 0;
  std::vector<std::string> sources;  // data sources used, e.g. "users-db (postgres)", "read_csv"
  std::string message;               // for statements without rows, e.g. "CREATE VIEW"
  bool has_rows = true;              // false for statements that only report a message
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();

  CatalogRegistry& catalogs() { return catalogs_; }
  EngineOptions& options() { return options_; }

  // Runs one statement (a trailing ';' is fine) and collects its whole result.
  QueryResult Execute(const std::string& sql);
  // Runs statements separated by ';'; returns the result of each.
  std::vector<QueryResult> ExecuteScript(const std::string& sql);
  // The plan of a query as text (EXPLAIN), or its analyzed run (EXPLAIN ANALYZE).
  std::string Explain(const std::string& sql, bool analyze = false);

  // Called about every 100 ms while a query runs, from another thread.
  using ProgressCallback =
      std::function<void(const std::vector<SourceProgress>&, double elapsed_seconds)>;
  void SetProgressCallback(ProgressCallback callback) { progress_ = std::move(callback); }
  // Interrupts the running query (safe from a signal handler thread).
  void Cancel() { cancelled_ = true; }

  // Session settings (SET SESSION name = value): pushdown, max_memory, threads.
  void SetSetting(const std::string& name, const std::string& value);
  std::map<std::string, std::string> Settings() const;

  // Loads and saves views in home_dir/views.json (the caller loads them: the constructor does not).
  void LoadViews();
  void SaveViews();

  // options().threads, or the number of cores when it is 0.
  int EffectiveThreads() const;

 private:
  QueryResult ExecuteStatement(Statement& statement, std::chrono::steady_clock::time_point start);
  QueryResult Run(PlannedQuery& planned, std::chrono::steady_clock::time_point start,
                  std::string* analyze_text);
  std::string ExplainStatementText(ExplainStatement& explain,
                                   std::chrono::steady_clock::time_point start,
                                   std::vector<std::string>* sources);
  QueryResult ShowCatalogs(const std::optional<std::string>& like);
  QueryResult ShowSchemas(const std::string& catalog, const std::optional<std::string>& like);
  QueryResult ShowTables(const std::vector<std::string>& scope,
                         const std::optional<std::string>& like);
  QueryResult Describe(const std::vector<std::string>& parts);
  QueryResult CreateView(CreateViewStatement& create);
  std::string ResolveCatalogName(const std::string& catalog);
  std::string ExplainText(const std::string& sql, bool analyze);

  EngineOptions options_;
  CatalogRegistry catalogs_;
  ProgressCallback progress_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace aishell
