#include "engine/engine.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "common/time_zone.h"
#include "common/type_names.h"
#include "engine/config_store.h"
#include "engine/result_cache.h"
#include "engine/schema_cache_file.h"
#include "engine/settings.h"
#include "exec/query_executor.h"
#include "functions/function.h"
#include "planner/plan_steps.h"
#include "planner/planner.h"
#include "sql/ast.h"
#include "sql/parser.h"

namespace aishell {

namespace {

using Clock = std::chrono::steady_clock;

// SQL LIKE with % and _, case-insensitive (names are matched the way the catalogs match them).
bool LikeMatch(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto eq = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '_' || (pattern[p] != '%' && eq(pattern[p], text[t])))) {
      t++;
      p++;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_t = t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') p++;
  return p == pattern.size();
}

bool Matches(const std::optional<std::string>& like, const std::string& name) {
  return !like || LikeMatch(name, *like);
}

// A result of VARCHAR columns built from rows of text (nullopt = NULL).
QueryResult TextResult(const std::vector<std::string>& names,
                       const std::vector<std::vector<std::optional<std::string>>>& rows) {
  QueryResult result;
  std::vector<LogicalType> types;
  for (const auto& n : names) {
    result.columns.push_back({n, LogicalType(TypeId::kVarchar)});
    types.emplace_back(TypeId::kVarchar);
  }
  for (size_t start = 0; start < rows.size(); start += kBatchSize) {
    size_t n = std::min(kBatchSize, rows.size() - start);
    Batch batch(types, n);
    batch.SetCount(n);
    for (size_t r = 0; r < n; r++) {
      const auto& row = rows[start + r];
      for (size_t c = 0; c < names.size(); c++) {
        if (c < row.size() && row[c])
          batch.columns[c].SetString(r, *row[c]);
        else
          batch.columns[c].SetNull(r);
      }
    }
    result.batches.push_back(std::move(batch));
  }
  result.row_count = static_cast<int64_t>(rows.size());
  return result;
}

QueryResult MessageResult(std::string message) {
  QueryResult result;
  result.has_rows = false;
  result.message = std::move(message);
  return result;
}

std::string TypeText(const LogicalType& type) { return TrinoTypeName(type); }

// Calls the progress callback about every 100 ms from its own thread while alive.
class ProgressReporter {
 public:
  ProgressReporter(const Engine::ProgressCallback& callback, const QueryExecutor& executor,
                   Clock::time_point start)
      : callback_(callback), executor_(executor), start_(start) {
    if (callback_) thread_ = std::thread([this] { Run(); });
  }
  ~ProgressReporter() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; })) {
      lock.unlock();
      try {
        double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        callback_(executor_.Progress(), elapsed);
      } catch (...) {
        // Progress is best effort; the query's own errors surface from Next().
      }
      lock.lock();
    }
  }

  const Engine::ProgressCallback callback_;  // a copy: the engine's may change while a stream runs
  const QueryExecutor& executor_;
  Clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Re-raises an error from parsing or planning synthesized SQL without its (meaningless) position.
[[noreturn]] void RethrowWithoutPosition(const Error& e) { throw Error(e.kind(), e.what()); }

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  RegisterBuiltinConnectors();
  if (!options_.home_dir.empty()) {
    catalogs_.schema_cache = std::make_shared<FileSchemaCache>(
        ConfigStore(options_.home_dir).PathOf("schema_cache.json"));
  }
}

Engine::~Engine() = default;

int Engine::EffectiveThreads() const {
  if (options_.threads > 0) return options_.threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::vector<QueryResult> Engine::ExecuteScript(const std::string& sql) {
  std::vector<QueryResult> results;
  for (const auto& text : SplitStatements(sql)) results.push_back(Execute(text));
  return results;
}

namespace {
PlannerOptions PlannerOptionsOf(const EngineOptions& o);
}  // namespace

QueryResult Engine::Execute(const std::string& sql) { return Query(sql)->Collect(); }

namespace {

// Turns what a statement may throw into Error.
template <class F>
auto Translated(F&& f, const char* doing) -> decltype(f()) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::kOutOfMemory, std::string("out of memory while ") + doing);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kInternal, std::string("unexpected failure: ") + e.what());
  }
}

// federation.timeout: cancels the running query when its time is up. A thread sleeps until the
// deadline or until the query ends, whichever comes first; the executor sees the cancellation
// between batches.
class QueryDeadline {
 public:
  QueryDeadline(Clock::time_point start, int64_t timeout_ms, std::atomic<bool>* cancelled)
      : timeout_ms_(timeout_ms) {
    if (timeout_ms <= 0) return;
    thread_ = std::thread([this, start, cancelled] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!done_cv_.wait_until(lock, start + std::chrono::milliseconds(timeout_ms_),
                               [this] { return done_; })) {
        fired_ = true;
        cancelled->store(true);
      }
    });
  }
  ~QueryDeadline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  QueryDeadline(const QueryDeadline&) = delete;
  QueryDeadline& operator=(const QueryDeadline&) = delete;

  // The error of a query that was cancelled because its time was up.
  Error Expired() const {
    return Error(ErrorKind::kInterrupted,
                 "the query ran longer than federation.timeout (" +
                     FormatDurationSetting(timeout_ms_) +
                     ") and was cancelled; raise it with `aishell config set federation.timeout "
                     "<duration>` or SET SESSION timeout = '<duration>'");
  }
  bool fired() const { return fired_.load(); }

 private:
  int64_t timeout_ms_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

}  // namespace

struct ResultStream::Impl {
  std::vector<OutputColumn> columns;
  std::vector<std::string> sources;
  bool has_rows = true;
  std::string message;
  std::vector<std::string> warnings;
  std::vector<std::string> notices;
  Clock::time_point start;
  Clock::time_point end;
  bool finished = false;
  int64_t row_count = 0;
  // A materialized result (statements without a streaming plan)...
  std::vector<Batch> batches;
  size_t next_batch = 0;
  // ...or a running query. The reporter is declared after the executor: it stops first.
  LogicalPtr plan;
  std::unique_ptr<QueryExecutor> executor;
  std::unique_ptr<ProgressReporter> reporter;
  const std::atomic<bool>* cancelled = nullptr;
  std::unique_ptr<QueryDeadline> deadline;  // federation.timeout, when set
  // The result cache: a streamed result is kept (batches share their buffers) and stored when it
  // ends without warnings (a partial result is never cached).
  std::unique_ptr<ResultCache> cache;
  std::string cache_key;
  std::vector<std::string> cache_catalogs;
  std::map<std::string, std::string> cache_markers;
  int64_t cache_max_bytes = 0;
  bool from_cache = false;  // a hit: the rows are the cached ones
  std::vector<Batch> captured;
  int64_t captured_bytes = 0;

  void StoreInCache() {
    if (!cache || !warnings.empty()) return;
    QueryResult r;
    r.columns = columns;
    r.sources = sources;
    r.has_rows = true;
    r.row_count = row_count;
    r.batches = std::move(captured);
    try {
      cache->Store(cache_key, r, cache_catalogs, cache_markers, cache_max_bytes);
    } catch (const Error&) {
      // A cache that cannot be written is no reason to fail the query.
    }
    cache.reset();
  }
  // For StepStats (query --stats): the time model and the sources' connector types.
  ThroughputModel model;
  bool parallel_fetch = true;
  std::map<std::string, std::string> catalog_types;

  void Finish() {
    if (finished) return;
    finished = true;
    end = Clock::now();
    reporter.reset();
    deadline.reset();
  }
};

ResultStream::ResultStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultStream::~ResultStream() {
  if (impl_) impl_->reporter.reset();
}

const std::vector<OutputColumn>& ResultStream::columns() const { return impl_->columns; }
const std::vector<std::string>& ResultStream::sources() const { return impl_->sources; }
bool ResultStream::has_rows() const { return impl_->has_rows; }
const std::string& ResultStream::message() const { return impl_->message; }
const std::vector<std::string>& ResultStream::warnings() const { return impl_->warnings; }
const std::vector<std::string>& ResultStream::notices() const { return impl_->notices; }
bool ResultStream::finished() const { return impl_->finished; }

std::string ResultStream::StepStats() const {
  const Impl& d = *impl_;
  if (!d.plan || !d.executor) return {};
  PlanStepsOptions options;
  options.model = d.model;
  options.parallel_fetch = d.parallel_fetch;
  options.catalog_type = [&d](const std::string& catalog) {
    auto it = d.catalog_types.find(catalog);
    return it == d.catalog_types.end() ? std::string() : it->second;
  };
  const QueryExecutor& executor = *d.executor;
  options.actuals = [&executor](const LogicalOperator& node) { return executor.ActualsOf(node); };
  PlanSteps steps = CollectPlanSteps(*d.plan, options);
  return RenderPlanSteps(steps, {});
}
bool ResultStream::from_cache() const { return impl_->from_cache; }
std::vector<std::pair<std::string, double>> ResultStream::StepSeconds() const {
  const Impl& d = *impl_;
  std::vector<std::pair<std::string, double>> out;
  if (!d.plan || !d.executor) return out;
  PlanStepsOptions options;
  options.model = d.model;
  options.parallel_fetch = d.parallel_fetch;
  options.catalog_type = [&d](const std::string& catalog) {
    auto it = d.catalog_types.find(catalog);
    return it == d.catalog_types.end() ? std::string() : it->second;
  };
  const QueryExecutor& executor = *d.executor;
  options.actuals = [&executor](const LogicalOperator& node) { return executor.ActualsOf(node); };
  for (const auto& step : CollectPlanSteps(*d.plan, options).steps) {
    if (step.actual && step.actual->seconds >= 0)
      out.emplace_back(step.title, step.actual->seconds);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}
int64_t ResultStream::row_count() const { return impl_->row_count; }
int64_t ResultStream::peak_memory_bytes() const {
  return impl_->executor ? impl_->executor->PeakMemory() : 0;
}
int64_t ResultStream::spilled_bytes() const {
  return impl_->executor ? impl_->executor->SpilledBytes() : 0;
}
std::vector<SourceProgress> ResultStream::source_progress() const {
  return impl_->executor ? impl_->executor->Progress() : std::vector<SourceProgress>{};
}

double ResultStream::elapsed_seconds() const {
  auto end = impl_->finished ? impl_->end : Clock::now();
  return std::chrono::duration<double>(end - impl_->start).count();
}

bool ResultStream::Next(Batch& batch) {
  Impl& s = *impl_;
  if (s.finished) return false;
  if (!s.executor) {
    while (s.next_batch < s.batches.size()) {
      batch = std::move(s.batches[s.next_batch++]);
      if (batch.count == 0) continue;
      s.row_count += static_cast<int64_t>(batch.count);
      return true;
    }
    s.Finish();
    return false;
  }
  try {
    return Translated(
        [&] {
          while (true) {
            batch = Batch();
            if (!s.executor->Next(batch)) {
              for (auto& w : s.executor->Warnings()) s.warnings.push_back(std::move(w));
              s.Finish();
              s.StoreInCache();
              return false;
            }
            if (*s.cancelled) throw Error(ErrorKind::kInterrupted, "the query was cancelled");
            if (batch.count == 0) continue;
            s.row_count += static_cast<int64_t>(batch.count);
            if (s.cache) {
              // A rough size (fixed width per value, 16 bytes per string): past a quarter of
              // the cap the result is not kept.
              for (const auto& c : batch.columns)
                s.captured_bytes +=
                    static_cast<int64_t>(batch.count) * (c.type().IsStringLike() ? 16 : 9);
              if (s.captured_bytes > s.cache_max_bytes / 4) {
                s.cache.reset();
                s.captured.clear();
              } else {
                s.captured.push_back(batch);
              }
            }
            return true;
          }
        },
        "running the statement");
  } catch (const Error& e) {
    bool expired = s.deadline && s.deadline->fired() && e.kind() == ErrorKind::kInterrupted;
    Error timeout = expired ? s.deadline->Expired() : Error(ErrorKind::kInternal, "");
    s.Finish();
    if (expired) throw timeout;
    throw;
  } catch (...) {
    s.Finish();
    throw;
  }
}

QueryResult ResultStream::Collect() {
  QueryResult result;
  result.columns = impl_->columns;
  result.sources = impl_->sources;
  result.has_rows = impl_->has_rows;
  result.message = impl_->message;
  result.warnings = impl_->warnings;
  result.notices = impl_->notices;
  Batch batch;
  while (Next(batch)) {
    result.batches.push_back(std::move(batch));
    batch = Batch();
  }
  result.row_count = impl_->row_count;
  result.elapsed_seconds = elapsed_seconds();
  return result;
}

std::unique_ptr<ResultStream> Engine::Stream(PlannedQuery& planned, Clock::time_point start) {
  if (!planned.plan) throw Error(ErrorKind::kInternal, "the planner returned no plan");
  ExecutionOptions exec_options = ExecutionOptionsOf();
  auto impl = std::make_unique<ResultStream::Impl>();
  impl->start = start;
  impl->columns = planned.plan->output;
  impl->sources = planned.sources;
  impl->notices = planned.notices;
  impl->plan = planned.plan;
  impl->cancelled = &cancelled_;
  impl->executor = std::make_unique<QueryExecutor>(planned.plan, exec_options);
  impl->reporter = std::make_unique<ProgressReporter>(progress_, *impl->executor, start);
  impl->model = ParseThroughputModel(options_.source_throughput);
  impl->parallel_fetch = options_.parallel_fetch;
  for (const auto& name : catalogs_.CatalogNames()) {
    if (const ConnectionConfig* config = catalogs_.GetConfig(name))
      impl->catalog_types[name] = config->type;
  }
  if (options_.timeout_ms > 0)
    impl->deadline = std::make_unique<QueryDeadline>(start, options_.timeout_ms, &cancelled_);
  return std::unique_ptr<ResultStream>(new ResultStream(std::move(impl)));
}

namespace {

// The scans of a plan: (catalog, table) pairs.
void CollectScans(const LogicalOperator& op,
                  std::vector<std::pair<std::string, std::shared_ptr<const TableInfo>>>* out) {
  if (op.kind == LogicalOpKind::kScan) {
    const auto& scan = static_cast<const LogicalScan&>(op);
    out->emplace_back(scan.catalog_name, scan.table);
  }
  for (const auto& child : op.children)
    if (child) CollectScans(*child, out);
}

// Session settings that change only how fast a result comes, not what it is: not in the key.
bool IsPerformanceSetting(const std::string& name) {
  static const char* const kNames[] = {"threads",
                                       "max_memory",
                                       "timeout",
                                       "parallel",
                                       "lookup_batch_size",
                                       "batch_size",
                                       "dynamic_filter_max_keys",
                                       "pushdown",
                                       "lookup_join",
                                       "dynamic_filtering",
                                       "lookup_join_max_rows",
                                       "join_reordering",
                                       "eager_aggregation"};
  for (const char* n : kNames)
    if (name == n) return true;
  return name == "spill" || name == "spill_path" || name == "spill_max_size";
}

}  // namespace

std::string Engine::ResultCacheDir() const { return options_.home_dir + "/cache/results"; }

std::unique_ptr<ResultStream> Engine::CachedStream(const std::string& sql, PlannedQuery& planned,
                                                   Clock::time_point start) {
  std::string normalized = ResultCache::NormalizeSql(sql);
  if (ResultCache::IsVolatile(normalized) || !planned.plan) return Stream(planned, start);
  std::vector<std::pair<std::string, std::shared_ptr<const TableInfo>>> scans;
  CollectScans(*planned.plan, &scans);
  std::vector<std::string> catalogs;
  std::map<std::string, std::string> markers;
  for (const auto& [catalog, table] : scans) {
    if (catalog.empty() || !table) continue;
    if (std::find(catalogs.begin(), catalogs.end(), catalog) == catalogs.end())
      catalogs.push_back(catalog);
    try {
      std::string marker = catalogs_.GetCatalog(catalog)->ChangeMarker(*table);
      if (!marker.empty()) markers[catalog + "." + table->schema + "." + table->name] = marker;
    } catch (const Error&) {
    }
  }
  std::map<std::string, std::string> settings;
  for (const auto& [name, value] : Settings())
    if (!IsPerformanceSetting(name)) settings[name] = value;
  settings["auto_fix_cartesian"] = options_.auto_fix_cartesian ? "true" : "false";
  if (const char* tz = std::getenv("TZ")) settings["TZ"] = tz;
  if (!catalogs_.default_catalog.empty())
    settings["default"] = catalogs_.default_catalog + "." + catalogs_.default_schema;
  std::string key = ResultCache::Key(normalized, settings);
  auto cache = std::make_unique<ResultCache>(ResultCacheDir());
  if (!options_.fresh_data) {
    if (auto hit = cache->Lookup(key, options_.result_cache_ttl_ms, markers)) {
      auto impl = std::make_unique<ResultStream::Impl>();
      impl->start = start;
      impl->columns = planned.plan->output;
      impl->sources = planned.sources;
      impl->has_rows = true;
      impl->notices.push_back(
          fmt::format("cached, {:.0f} s old (cache.ttl {}; --fresh-data runs it again)",
                      hit->age_seconds, FormatDurationSetting(options_.result_cache_ttl_ms)));
      impl->batches = std::move(hit->result.batches);
      impl->from_cache = true;
      return std::unique_ptr<ResultStream>(new ResultStream(std::move(impl)));
    }
  }
  auto stream = Stream(planned, start);
  ResultStream::Impl& impl = *stream->impl_;
  impl.cache = std::move(cache);
  impl.cache_key = std::move(key);
  impl.cache_catalogs = std::move(catalogs);
  impl.cache_markers = std::move(markers);
  impl.cache_max_bytes = options_.result_cache_max_bytes;
  return stream;
}

void Engine::InvalidateCacheAfterWrite(const Statement& statement) {
  if (options_.home_dir.empty()) return;
  const QualifiedName* name = nullptr;
  if (statement.kind == StatementKind::kInsert)
    name = &static_cast<const InsertStatement&>(statement).table;
  else if (statement.kind == StatementKind::kCreateTableAs)
    name = &static_cast<const CreateTableAsStatement&>(statement).name;
  else if (statement.kind == StatementKind::kDropTable)
    name = &static_cast<const DropTableStatement&>(statement).name;
  if (!name) return;
  try {
    TableTarget target = ResolveTableTarget(*name, catalogs_, false);
    if (!target.catalog.empty()) ResultCache(ResultCacheDir()).InvalidateCatalog(target.catalog);
  } catch (const Error&) {
    // The write went through; a name that no longer resolves leaves the cache to its TTL.
  }
}

namespace {

// `SET TIME ZONE 'America/New_York'` / `SET TIME ZONE LOCAL` (UTC, the server's zone): the zone,
// or nullopt for another statement.
std::optional<std::string> SetTimeZoneStatement(const std::string& sql) {
  static const std::regex kSetTimeZone(
      R"(^\s*SET\s+TIME\s+ZONE\s+(LOCAL|'((?:[^']|'')*)')\s*;?\s*$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(sql, m, kSetTimeZone)) return std::nullopt;
  if (!m[2].matched) return std::string("UTC");
  return m[2].str();
}

}  // namespace

std::unique_ptr<ResultStream> Engine::Query(const std::string& sql) {
  auto start = Clock::now();
  cancelled_ = false;
  return Translated(
      [&]() -> std::unique_ptr<ResultStream> {
        // current_date, localtimestamp and AT TIME ZONE are bound in the session time zone.
        SessionTimeZoneScope zone(TimeZone::Get(options_.time_zone, "federation.time_zone"));
        if (auto set_zone = SetTimeZoneStatement(sql)) {
          SetSetting("time_zone", *set_zone);
          auto impl = std::make_unique<ResultStream::Impl>();
          impl->start = start;
          impl->has_rows = false;
          impl->message = "SET TIME ZONE";
          return std::unique_ptr<ResultStream>(new ResultStream(std::move(impl)));
        }
        StatementPtr statement = ParseStatement(sql);
        if (statement->kind == StatementKind::kSelect) {
          PlannedQuery planned = PlanStatement(*statement, catalogs_, PlannerOptionsOf(options_));
          if (options_.result_cache_ttl_ms > 0 && !options_.home_dir.empty())
            return CachedStream(sql, planned, start);
          return Stream(planned, start);
        }
        QueryResult result = ExecuteStatement(*statement, start);
        InvalidateCacheAfterWrite(*statement);
        auto impl = std::make_unique<ResultStream::Impl>();
        impl->start = start;
        impl->columns = std::move(result.columns);
        impl->sources = std::move(result.sources);
        impl->has_rows = result.has_rows;
        impl->message = std::move(result.message);
        impl->warnings = std::move(result.warnings);
        impl->batches = std::move(result.batches);
        return std::unique_ptr<ResultStream>(new ResultStream(std::move(impl)));
      },
      "running the statement");
}

namespace {

PlannerOptions PlannerOptionsOf(const EngineOptions& o) {
  PlannerOptions p;
  p.pushdown = o.pushdown;
  p.lookup_join = o.lookup_join;
  p.lookup_join_max_rows = static_cast<double>(o.lookup_join_max_rows);
  p.lookup_batch_size = o.lookup_batch_size;
  p.dynamic_filtering = o.dynamic_filtering;
  p.dynamic_filter_max_keys = o.dynamic_filter_max_keys;
  p.max_cartesian_rows = o.max_cartesian_rows;
  p.auto_fix_cartesian = o.auto_fix_cartesian;
  p.continue_on_source_failure = o.continue_on_source_failure;
  p.eager_aggregation = o.eager_aggregation;
  p.join_reordering = o.join_reordering;
  if (!o.type_mappings.empty()) p.type_mappings = ParseTypeMappings(o.type_mappings);
  return p;
}

}  // namespace

QueryResult Engine::ExecuteStatement(Statement& statement,
                                     std::chrono::steady_clock::time_point start) {
  switch (statement.kind) {
    case StatementKind::kSelect:
    case StatementKind::kInsert:
    case StatementKind::kCreateTableAs: {
      PlannedQuery planned = PlanStatement(statement, catalogs_, PlannerOptionsOf(options_));
      if (statement.kind == StatementKind::kCreateTableAs &&
          planned.plan->kind != LogicalOpKind::kInsert) {
        // CREATE TABLE IF NOT EXISTS on an existing table: nothing to do (the planner's no-op).
        return MessageResult("CREATE TABLE: 0 rows (the table already exists)");
      }
      return Run(planned, start, nullptr);
    }
    case StatementKind::kExplain: {
      auto& explain = statement.As<ExplainStatement>();
      QueryResult result;
      std::string text = ExplainStatementText(explain, start, &result.sources);
      std::vector<std::vector<std::optional<std::string>>> rows;
      size_t pos = 0;
      while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        if (nl > pos || nl < text.size()) rows.push_back({text.substr(pos, nl - pos)});
        pos = nl + 1;
      }
      auto sources = std::move(result.sources);
      result = TextResult({"Query Plan"}, rows);
      result.sources = std::move(sources);
      return result;
    }
    case StatementKind::kShowCatalogs:
      return ShowCatalogs(statement.As<ShowCatalogsStatement>().like_pattern);
    case StatementKind::kShowSchemas: {
      auto& show = statement.As<ShowSchemasStatement>();
      return ShowSchemas(show.catalog, show.like_pattern);
    }
    case StatementKind::kShowTables: {
      auto& show = statement.As<ShowTablesStatement>();
      return ShowTables(show.schema.parts, show.like_pattern);
    }
    case StatementKind::kShowColumns:
    case StatementKind::kDescribe:
      return Describe(statement.As<ShowColumnsStatement>().table.parts);
    case StatementKind::kShowFunctions: {
      auto& show = statement.As<ShowFunctionsStatement>();
      std::vector<std::vector<std::optional<std::string>>> rows;
      const auto& registry = FunctionRegistry::Get();
      auto names = registry.Names();
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      for (const auto& n : names) {
        if (!Matches(show.like_pattern, n)) continue;
        rows.push_back({n, std::string(registry.IsAggregate(n) ? "aggregate" : "scalar")});
      }
      for (const auto& n : TableFunctionRegistry::Names())
        if (Matches(show.like_pattern, n)) rows.push_back({n, std::string("table")});
      return TextResult({"Function", "Kind"}, rows);
    }
    case StatementKind::kShowSession: {
      auto& show = statement.As<ShowSessionStatement>();
      std::vector<std::vector<std::optional<std::string>>> rows;
      for (const auto& def : SettingsRegistry::Global().SessionSettings()) {
        if (!Matches(show.like_pattern, def.session_name)) continue;
        rows.push_back({def.session_name, def.current(options_), def.default_value, def.doc});
      }
      return TextResult({"Name", "Value", "Default", "Description"}, rows);
    }
    case StatementKind::kCreateView:
      return CreateView(statement.As<CreateViewStatement>());
    case StatementKind::kDropView: {
      auto& drop = statement.As<DropViewStatement>();
      std::string name = drop.name.Joined();
      if (!catalogs_.DropView(name)) {
        if (drop.if_exists) return MessageResult("DROP VIEW");
        std::vector<std::string> names;
        for (const auto& v : catalogs_.Views()) names.push_back(v.name);
        std::string hint = SuggestName(name, names);
        throw Error(ErrorKind::kCatalog,
                    "view '" + name + "' does not exist" +
                        (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                    drop.name.position);
      }
      SaveViews();
      return MessageResult("DROP VIEW");
    }
    case StatementKind::kDropTable: {
      auto& drop = statement.As<DropTableStatement>();
      TableTarget target = ResolveTableTarget(drop.name, catalogs_, !drop.if_exists);
      if (!target.info) return MessageResult("DROP TABLE");
      try {
        target.connector->DropTable(target.info);
      } catch (const Error& e) {
        throw Error(e.kind(), "DROP TABLE " + drop.name.Joined() + ": " + e.what(),
                    drop.name.position);
      }
      return MessageResult("DROP TABLE");
    }
    case StatementKind::kSetSession: {
      auto& set = statement.As<SetSessionStatement>();
      SetSetting(set.name, set.value);
      return MessageResult("SET SESSION");
    }
    case StatementKind::kResetSession: {
      auto& reset = statement.As<ResetSessionStatement>();
      const SettingDef* def = SettingsRegistry::Global().Find(reset.name);
      if (def && def->apply)
        def->apply(options_, def->default_value);
      else
        SetSetting(reset.name, "");  // throws the unknown-property error
      return MessageResult("RESET SESSION");
    }
    case StatementKind::kUse: {
      auto& use = statement.As<UseStatement>();
      if (!catalogs_.HasCatalog(use.catalog)) {
        catalogs_.GetCatalog(use.catalog);  // throws the unknown-catalog error with a suggestion
      }
      if (!use.schema.empty()) {
        auto schemas = catalogs_.GetCatalog(use.catalog)->ListSchemas();
        bool found = false;
        for (const auto& s : schemas) found = found || AsciiLower(s) == AsciiLower(use.schema);
        if (!found) {
          std::string hint = SuggestName(use.schema, schemas);
          throw Error(ErrorKind::kCatalog,
                      "schema '" + use.schema + "' does not exist in catalog '" + use.catalog +
                          "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                      statement.position);
        }
      }
      catalogs_.default_catalog = use.catalog;
      catalogs_.default_schema = use.schema;
      return MessageResult("USE");
    }
  }
  throw Error(ErrorKind::kUnsupported,
              std::string("statement ") + StatementKindName(statement.kind) + " is not supported",
              statement.position);
}

ExecutionOptions Engine::ExecutionOptionsOf() {
  ExecutionOptions exec_options;
  exec_options.threads = EffectiveThreads();
  exec_options.max_memory = options_.max_memory;
  exec_options.spill = options_.spill;
  exec_options.spill_path = options_.spill_path;
  exec_options.spill_max_bytes = options_.spill_max_bytes;
  exec_options.preserve_insertion_order = options_.preserve_insertion_order;
  exec_options.cancelled = &cancelled_;
  exec_options.continue_on_source_failure = options_.continue_on_source_failure;
  exec_options.parallel_fetch = options_.parallel_fetch;
  return exec_options;
}

QueryResult Engine::Run(PlannedQuery& planned, std::chrono::steady_clock::time_point start,
                        std::string* analyze_text,
                        const std::function<void(const QueryExecutor&)>& inspect) {
  if (!planned.plan) throw Error(ErrorKind::kInternal, "the planner returned no plan");
  ExecutionOptions exec_options = ExecutionOptionsOf();

  QueryResult result;
  result.columns = planned.plan->output;
  result.sources = planned.sources;
  QueryExecutor executor(planned.plan, exec_options);
  {
    QueryDeadline deadline(start, options_.timeout_ms, &cancelled_);
    ProgressReporter reporter(progress_, executor, start);
    Batch batch;
    try {
      while (executor.Next(batch)) {
        if (cancelled_) throw Error(ErrorKind::kInterrupted, "the query was cancelled");
        if (batch.count == 0) continue;
        result.row_count += static_cast<int64_t>(batch.count);
        result.batches.push_back(std::move(batch));
        batch = Batch();
      }
    } catch (const Error& e) {
      if (deadline.fired() && e.kind() == ErrorKind::kInterrupted) throw deadline.Expired();
      throw;
    }
  }
  result.warnings = executor.Warnings();
  if (inspect) inspect(executor);
  if (analyze_text) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    *analyze_text = executor.ExplainAnalyze();
    if (!analyze_text->empty() && analyze_text->back() != '\n') *analyze_text += '\n';
    *analyze_text += fmt::format("Rows: {}, elapsed: {:.3f} s\n", result.row_count, elapsed);
  }
  if (planned.plan->kind == LogicalOpKind::kInsert) {
    const auto& insert = static_cast<const LogicalInsert&>(*planned.plan);
    int64_t rows = 0;
    if (!result.batches.empty() && result.batches[0].count > 0 &&
        !result.batches[0].columns.empty()) {
      Value v = result.batches[0].columns[0].GetValue(0);
      if (!v.is_null()) rows = v.GetInt64();
    }
    result.message = fmt::format("{}: {} row{}", insert.create_table ? "CREATE TABLE" : "INSERT",
                                 rows, rows == 1 ? "" : "s");
    result.has_rows = false;
  }
  return result;
}

std::string Engine::ExplainStatementText(ExplainStatement& explain,
                                         std::chrono::steady_clock::time_point start,
                                         std::vector<std::string>* sources) {
  if (!explain.statement)
    throw Error(ErrorKind::kSyntax, "EXPLAIN needs a statement", explain.position);
  Statement& inner = *explain.statement;
  if (inner.kind != StatementKind::kSelect && inner.kind != StatementKind::kInsert &&
      inner.kind != StatementKind::kCreateTableAs) {
    throw Error(ErrorKind::kUnsupported,
                std::string("EXPLAIN supports queries, INSERT and CREATE TABLE AS, not ") +
                    StatementKindName(inner.kind),
                inner.position);
  }
  PlannedQuery planned = PlanStatement(inner, catalogs_, PlannerOptionsOf(options_));
  if (sources) *sources = planned.sources;
  if (!explain.analyze) return PlanToString(*planned.plan);
  std::string text;
  Run(planned, start, &text);
  return text;
}

std::string Engine::Explain(const std::string& sql, bool analyze) {
  try {
    return ExplainText(sql, analyze);
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::kOutOfMemory, "out of memory while explaining the statement");
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kInternal, std::string("unexpected failure: ") + e.what());
  }
}

std::string Engine::IndexAdvice(const PlanSteps& steps) {
  // Seed 002's "Use Indexes": where a pushed filter or a lookup key had no index on its source,
  // the statement that would create one. Never run; a source that cannot tell says nothing.
  std::vector<std::string> lines;
  for (const auto& c : IndexCandidates(steps)) {
    std::shared_ptr<Connector> connector;
    try {
      connector = catalogs_.GetCatalog(c.catalog);
    } catch (const Error&) {
      continue;
    }
    if (!connector || !c.table) continue;
    std::optional<bool> has;
    try {
      has = connector->HasIndex(*c.table, c.columns);
    } catch (const Error&) {
      continue;  // best effort: advice never fails the explain
    }
    if (!has || *has) continue;
    std::string statement = connector->CreateIndexStatement(*c.table, c.columns);
    if (statement.empty()) continue;
    lines.push_back("  " + SourceTypeDisplayName(connector->TypeName()) + " (" + c.catalog + ", " +
                    c.reason + "): " + statement);
  }
  if (lines.empty()) return {};
  std::string out = "\n💡 Add these indexes for better performance (not run):\n";
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string Engine::ExplainPlan(const std::string& sql, bool analyze, const std::string& format) {
  if (format == "text") return Explain(sql, analyze);
  if (format != "steps" && format != "json")
    throw Error(ErrorKind::kBinder,
                "explain --format must be steps, text or json, not '" + format + "'");
  auto start = Clock::now();
  cancelled_ = false;
  StatementPtr statement = ParseStatement(sql);
  if (statement->kind == StatementKind::kExplain) {
    auto& explain = statement->As<ExplainStatement>();
    analyze = analyze || explain.analyze;
    if (!explain.statement)
      throw Error(ErrorKind::kSyntax, "EXPLAIN needs a statement", explain.position);
    statement = std::move(explain.statement);
  }
  Statement& inner = *statement;
  if (inner.kind != StatementKind::kSelect && inner.kind != StatementKind::kInsert &&
      inner.kind != StatementKind::kCreateTableAs) {
    throw Error(ErrorKind::kUnsupported,
                std::string("EXPLAIN supports queries, INSERT and CREATE TABLE AS, not ") +
                    StatementKindName(inner.kind),
                inner.position);
  }
  PlannedQuery planned = PlanStatement(inner, catalogs_, PlannerOptionsOf(options_));
  PlanStepsOptions step_options;
  step_options.model = ParseThroughputModel(options_.source_throughput);
  step_options.parallel_fetch = options_.parallel_fetch;
  step_options.catalog_type = [this](const std::string& catalog) -> std::string {
    const ConnectionConfig* config = catalogs_.GetConfig(catalog);
    return config ? config->type : std::string();
  };
  std::string tree = PlanToString(*planned.plan);
  PlanSteps steps;
  if (analyze) {
    std::string analyzed;
    Run(planned, start, &analyzed, [&](const QueryExecutor& executor) {
      step_options.actuals = [&executor](const LogicalOperator& node) {
        return executor.ActualsOf(node);
      };
      steps = CollectPlanSteps(*planned.plan, step_options);
    });
    tree = analyzed;
  } else {
    steps = CollectPlanSteps(*planned.plan, step_options);
  }
  std::string out;
  if (format == "json") {
    out = PlanStepsJson(steps, tree);
  } else {
    // The index advice goes between the steps and the operator tree.
    out = RenderPlanSteps(steps, {});
    if (analyze) out += IndexAdvice(steps);
    out += "\nOperator tree:\n" + tree;
    if (out.back() != '\n') out += '\n';
  }
  if (format == "steps") {
    std::string notes;
    for (const auto& n : planned.notices) notes += "ℹ️  " + n + "\n";
    if (!notes.empty()) out = notes + "\n" + out;
  }
  return out;
}

std::string Engine::ExplainText(const std::string& sql, bool analyze) {
  auto start = Clock::now();
  cancelled_ = false;
  StatementPtr statement = ParseStatement(sql);
  if (statement->kind == StatementKind::kExplain) {
    auto& explain = statement->As<ExplainStatement>();
    explain.analyze = explain.analyze || analyze;
    return ExplainStatementText(explain, start, nullptr);
  }
  ExplainStatement explain;
  explain.analyze = analyze;
  explain.position = statement->position;
  explain.statement = std::move(statement);
  return ExplainStatementText(explain, start, nullptr);
}

QueryResult Engine::ShowCatalogs(const std::optional<std::string>& like) {
  std::vector<std::vector<std::optional<std::string>>> rows;
  auto names = catalogs_.CatalogNames();
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    if (Matches(like, n)) rows.push_back({n});
  return TextResult({"Catalog"}, rows);
}

std::string Engine::ResolveCatalogName(const std::string& catalog) {
  std::string name = catalog.empty() ? catalogs_.default_catalog : catalog;
  if (name.empty()) {
    auto names = catalogs_.CatalogNames();
    if (names.size() == 1) return names[0];
    throw Error(ErrorKind::kCatalog,
                names.empty()
                    ? "no catalog is connected; add one with `aishell connect <url> --name <name>`"
                    : "no current catalog; name one (e.g. SHOW SCHEMAS FROM " + names[0] +
                          ") or run USE <catalog>");
  }
  catalogs_.GetCatalog(name);  // throws with a suggestion if unknown
  return name;
}

bool Engine::ListOrWarn(const std::string& catalog, const std::function<void(Connector&)>& list,
                        std::vector<std::string>* warnings) {
  try {
    list(*catalogs_.GetCatalog(catalog));
    return true;
  } catch (const Error& e) {
    const ConnectionConfig* config = catalogs_.GetConfig(catalog);
    std::string why = config ? ScrubPassword(e.what(), config->url, 3) : e.what();
    warnings->push_back("source '" + catalog + "' could not be listed and is left out: " + why);
    return false;
  }
}

QueryResult Engine::ShowSchemas(const std::string& catalog,
                                const std::optional<std::string>& like) {
  if (catalog.empty() && catalogs_.default_catalog.empty() && catalogs_.CatalogNames().size() > 1) {
    // No current catalog: every catalog's schemas, qualified.
    auto names = catalogs_.CatalogNames();
    std::sort(names.begin(), names.end());
    std::vector<std::vector<std::optional<std::string>>> rows;
    std::vector<std::string> warnings;
    for (const auto& c : names) {
      std::vector<std::string> schemas;
      if (!ListOrWarn(
              c, [&](Connector& connector) { schemas = connector.ListSchemas(); }, &warnings))
        continue;
      std::sort(schemas.begin(), schemas.end());
      for (const auto& s : schemas)
        if (Matches(like, c + "." + s)) rows.push_back({c + "." + s});
    }
    QueryResult result = TextResult({"Schema"}, rows);
    result.warnings = std::move(warnings);
    return result;
  }
  std::string name = ResolveCatalogName(catalog);
  auto schemas = catalogs_.GetCatalog(name)->ListSchemas();
  std::sort(schemas.begin(), schemas.end());
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const auto& s : schemas)
    if (Matches(like, s)) rows.push_back({s});
  return TextResult({"Schema"}, rows);
}

QueryResult Engine::ShowTables(const std::vector<std::string>& scope,
                               const std::optional<std::string>& like) {
  std::vector<std::vector<std::optional<std::string>>> rows;
  if (scope.empty() && catalogs_.default_catalog.empty() && catalogs_.CatalogNames().size() != 1) {
    // No current catalog: list every catalog's tables, qualified, and the views.
    auto names = catalogs_.CatalogNames();
    std::sort(names.begin(), names.end());
    std::vector<std::string> all;
    std::vector<std::string> warnings;
    for (const auto& c : names) {
      std::vector<std::string> listed;
      bool ok = ListOrWarn(
          c,
          [&](Connector& connector) {
            for (const auto& s : connector.ListSchemas()) {
              for (const auto& t : connector.ListTables(s)) {
                listed.push_back(s == connector.DefaultSchema() ? c + "." + t
                                                                : c + "." + s + "." + t);
              }
            }
          },
          &warnings);
      if (ok) all.insert(all.end(), listed.begin(), listed.end());
    }
    for (const auto& v : catalogs_.Views()) all.push_back(v.name);
    std::sort(all.begin(), all.end());
    for (const auto& t : all)
      if (Matches(like, t)) rows.push_back({t});
    QueryResult result = TextResult({"Table"}, rows);
    result.warnings = std::move(warnings);
    return result;
  }
  std::string catalog, schema;
  if (scope.size() >= 2) {
    catalog = scope[scope.size() - 2];
    schema = scope.back();
  } else if (scope.size() == 1) {
    // FROM x: a catalog (its default schema) if one is named x, else a schema of the current
    // catalog.
    if (catalogs_.HasCatalog(scope[0])) {
      catalog = scope[0];
    } else {
      catalog = ResolveCatalogName("");
      schema = scope[0];
    }
  } else {
    catalog = ResolveCatalogName("");
    schema = catalogs_.default_schema;
  }
  catalog = ResolveCatalogName(catalog);
  auto connector = catalogs_.GetCatalog(catalog);
  if (schema.empty()) schema = connector->DefaultSchema();
  auto tables = connector->ListTables(schema);
  std::sort(tables.begin(), tables.end());
  for (const auto& t : tables)
    if (Matches(like, t)) rows.push_back({t});
  if (scope.empty()) {
    for (const auto& v : catalogs_.Views())
      if (v.name.find('.') == std::string::npos && Matches(like, v.name)) rows.push_back({v.name});
  }
  return TextResult({"Table"}, rows);
}

QueryResult Engine::Describe(const std::vector<std::string>& parts) {
  if (parts.empty()) throw Error(ErrorKind::kSyntax, "DESCRIBE needs a table name");
  std::string joined;
  for (const auto& p : parts) joined += (joined.empty() ? "" : ".") + p;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // A table of a connected catalog: report what the connector says (nullability, comments).
  if (!catalogs_.FindView(joined)) {
    std::string catalog, schema, table = parts.back();
    if (parts.size() >= 3) {
      catalog = parts[parts.size() - 3];
      schema = parts[parts.size() - 2];
    } else if (parts.size() == 2) {
      if (catalogs_.HasCatalog(parts[0]))
        catalog = parts[0];
      else {
        catalog = catalogs_.default_catalog;
        schema = parts[0];
      }
    } else {
      catalog = catalogs_.default_catalog;
      schema = catalogs_.default_schema;
      if (catalog.empty() && catalogs_.CatalogNames().size() == 1)
        catalog = catalogs_.CatalogNames()[0];
    }
    if (!catalog.empty() && catalogs_.HasCatalog(catalog)) {
      auto connector = catalogs_.GetCatalog(catalog);
      if (schema.empty()) schema = connector->DefaultSchema();
      auto info = connector->GetTable(schema, table);
      if (info) {
        for (const auto& col : info->columns)
          rows.push_back({col.name, TypeText(col.type), std::string(col.nullable ? "YES" : "NO"),
                          col.comment});
        return TextResult({"Column", "Type", "Nullable", "Comment"}, rows);
      }
    }
  }
  // A view, a table function or anything else the planner resolves: describe the query's output.
  std::string quoted;
  for (const auto& p : parts) quoted += (quoted.empty() ? "" : ".") + QuoteIdentifier(p);
  PlannedQuery planned;
  try {
    StatementPtr select = ParseStatement("SELECT * FROM " + quoted);
    PlannerOptions options = PlannerOptionsOf(options_);
    options.max_cartesian_rows = 0;  // describing a view runs nothing
    planned = PlanStatement(*select, catalogs_, options);
  } catch (const Error& e) {
    RethrowWithoutPosition(e);
  }
  for (const auto& col : planned.plan->output)
    rows.push_back({col.name, TypeText(col.type), std::string("YES"), std::string()});
  return TextResult({"Column", "Type", "Nullable", "Comment"}, rows);
}

QueryResult Engine::CreateView(CreateViewStatement& create) {
  std::string name = create.name.Joined();
  if (!create.or_replace && catalogs_.FindView(name)) {
    throw Error(ErrorKind::kCatalog,
                "view '" + name + "' already exists; use CREATE OR REPLACE VIEW to replace it",
                create.name.position);
  }
  // Validate: the query must plan against the current catalogs.
  SelectStatement select;
  select.query = std::move(create.query);
  select.position = create.position;
  select.text = create.sql;
  // A view over a cross product is checked by the cartesian guard when it is queried.
  PlannerOptions options = PlannerOptionsOf(options_);
  options.max_cartesian_rows = 0;
  PlanStatement(select, catalogs_, options);
  catalogs_.PutView(ViewDefinition{name, create.sql});
  SaveViews();
  return MessageResult(create.or_replace ? "CREATE OR REPLACE VIEW" : "CREATE VIEW");
}

void Engine::SetSetting(const std::string& name, const std::string& value) {
  const auto& registry = SettingsRegistry::Global();
  const SettingDef* def = registry.Find(name);
  if (!def || !def->apply) {
    std::vector<std::string> known;
    for (const auto& d : registry.SessionSettings()) known.push_back(d.session_name);
    std::string key = AsciiLower(name);
    if (key.rfind("federation.", 0) == 0) key = key.substr(11);
    std::string hint = SuggestName(key, known);
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::kBinder,
                "unknown session property '" + name + "'" +
                    (hint.empty() ? "; known: " + list : "; did you mean '" + hint + "'?"));
  }
  SettingsRegistry::Validate(*def, name, value);
  def->apply(options_, value);
}

std::map<std::string, std::string> Engine::Settings() const {
  std::map<std::string, std::string> out;
  for (const auto& def : SettingsRegistry::Global().SessionSettings())
    out[def.session_name] = def.current(options_);
  return out;
}

bool Engine::IsValidSourceName(const std::string& name) {
  if (name.empty()) return false;
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-')) return false;
  return true;
}

ConnectResult Engine::Connect(ConnectionConfig config) {
  if (!IsValidSourceName(config.name)) {
    throw Error(ErrorKind::kBinder,
                "invalid source name '" + config.name + "': use letters, digits, '_' and '-'");
  }
  if (config.url.find("://") == std::string::npos && !config.url.empty()) {
    // A local path: saved absolute, so later commands work from any directory.
    std::error_code ec;
    auto absolute = std::filesystem::absolute(config.url, ec);
    if (!ec) config.url = absolute.lexically_normal().string();
    while (config.url.size() > 1 && config.url.back() == '/') config.url.pop_back();
  }
  std::string redacted = RedactUrl(config.url);
  if (!config.type.empty()) {
    config.type = AsciiLower(config.type);
  } else {
    config.type = ConnectorFactory::TypeForUrl(config.url);
    if (config.type.empty()) {
      std::string lower = AsciiLower(config.url);
      auto ends = [&](const char* suffix) {
        std::string s = suffix;
        return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0;
      };
      auto types = ConnectorFactory::Types();
      auto known = [&](const char* t) {
        return std::find(types.begin(), types.end(), t) != types.end();
      };
      if ((ends(".db") || ends(".sqlite") || ends(".sqlite3")) && known("sqlite"))
        config.type = "sqlite";
      else if (config.url.find("://") == std::string::npos && known("file"))
        config.type = "file";
    }
    if (config.type.empty()) {
      std::string types;
      for (const auto& t : ConnectorFactory::Types()) types += (types.empty() ? "" : ", ") + t;
      if (auto scheme_end = config.url.find("://");
          scheme_end != std::string::npos && scheme_end > 0) {
        throw Error(ErrorKind::kUnsupported,
                    "no connector in this build handles '" + config.url.substr(0, scheme_end) +
                        "://' URLs (source '" + config.name + "'; available: " + types + ")");
      }
      throw UnknownConnectorType(ErrorKind::kUnsupported,
                                 "cannot tell the connector type of '" + redacted +
                                     "'; pass --type <connector>" +
                                     (types.empty() ? "" : " (available: " + types + ")"));
    }
  }
  ConnectResult result;
  try {
    std::shared_ptr<Connector> connector = ConnectorFactory::Make(config);
    auto schemas = connector->ListSchemas();
    result.schema_count = schemas.size();
    size_t listed = 0;
    for (const auto& s : schemas) {
      if (++listed > 100) break;
      auto t = connector->ListTables(s);
      result.table_count += t.size();
      for (const auto& name_in_schema : t) {
        if (result.sample_tables.size() < 10)
          result.sample_tables.push_back(
              s == connector->DefaultSchema() ? name_in_schema : s + "." + name_in_schema);
      }
    }
    result.summary = connector->Summary();
  } catch (const Error& e) {
    // Every caller (the shell, the server, Python) gets the message without the password, even
    // when a driver echoes it. A password under 3 characters is left alone: it would mask ordinary
    // letters.
    throw ConnectionFailed(Error(e.kind(), ScrubPassword(e.what(), config.url, 3)), config);
  }
  if (!options_.home_dir.empty())
    result.replaced = ConfigStore(options_.home_dir).PutConnection(config);
  else
    result.replaced = catalogs_.HasCatalog(config.name);
  catalogs_.AddCatalog(config);
  result.config = std::move(config);
  return result;
}

void Engine::Disconnect(const std::string& name) {
  bool removed = false;
  if (!options_.home_dir.empty()) {
    removed = ConfigStore(options_.home_dir).RemoveConnection(name);
  } else {
    removed = catalogs_.HasCatalog(name);
  }
  if (!removed) {
    std::vector<std::string> names;
    for (const auto& c : ListConnections()) names.push_back(c.name);
    std::string hint = SuggestName(name, names);
    throw Error(ErrorKind::kCatalog, "no connection named '" + name + "'" +
                                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  if (catalogs_.HasCatalog(name)) catalogs_.RemoveCatalog(name);
}

std::vector<ConnectionConfig> Engine::ListConnections() const {
  if (!options_.home_dir.empty()) return ConfigStore(options_.home_dir).LoadConnections();
  std::vector<ConnectionConfig> out;
  for (const auto& name : catalogs_.CatalogNames())
    if (const ConnectionConfig* c = catalogs_.GetConfig(name)) out.push_back(*c);
  return out;
}

ConnectionStatus Engine::CheckConnection(const std::string& name, bool overview) {
  ConnectionStatus status;
  const ConnectionConfig* config = catalogs_.GetConfig(name);
  std::string url = config ? config->url : std::string();
  try {
    std::shared_ptr<Connector> connector = catalogs_.GetCatalog(name);
    connector->ListSchemas();  // reaches the server even where Summary() is empty
    status.summary = connector->Summary();
    if (overview) {
      status.overview = connector->Overview(50);
      status.overview.default_schema = connector->DefaultSchema();
    }
    status.reachable = true;
  } catch (const std::exception& e) {
    status.error = url.empty() ? e.what() : ScrubPassword(e.what(), url, 3);
  }
  return status;
}

void Engine::LoadViews() {
  if (options_.home_dir.empty()) return;
  std::string path = options_.home_dir + "/views.json";
  auto text = ReadFileIfExists(path);
  if (!text) return;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(*text).get(root)) {
    throw Error(ErrorKind::kIo, fmt::format("cannot read {}: invalid JSON ({})", path,
                                            simdjson::error_message(error)));
  }
  simdjson::dom::array list;
  if (root.get_array().get(list))
    throw Error(ErrorKind::kIo, "cannot read " + path + ": expected a list of views");
  for (auto item : list) {
    std::string_view name, sql;
    if (item["name"].get_string().get(name) || item["sql"].get_string().get(sql)) {
      throw Error(ErrorKind::kIo,
                  "cannot read " + path + ": each view needs a \"name\" and a \"sql\"");
    }
    catalogs_.PutView(ViewDefinition{std::string(name), std::string(sql)});
  }
}

void Engine::SaveViews() {
  if (options_.home_dir.empty()) return;
  ConfigStore(options_.home_dir).EnsureHome();
  auto views = catalogs_.Views();
  std::sort(views.begin(), views.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string out = "[";
  for (size_t i = 0; i < views.size(); i++) {
    out += i ? ",\n  " : "\n  ";
    out +=
        "{\"name\": " + JsonString(views[i].name) + ", \"sql\": " + JsonString(views[i].sql) + "}";
  }
  out += views.empty() ? "]\n" : "\n]\n";
  WriteFileAtomic(options_.home_dir + "/views.json", out, 0644);
}

}  // namespace aishell
