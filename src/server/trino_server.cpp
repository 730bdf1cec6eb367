#include "server/trino_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <malloc.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <thread>
#include <tuple>

#include "catalog/metadata_connector.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/time_zone.h"
#include "common/url.h"
#include "common/version.h"
#include "engine/config_store.h"
#include "engine/engine.h"
#include "engine/query_history.h"
#include "engine/settings.h"
#include "server/client_session.h"
#include "server/dashboard.h"
#include "server/server_security.h"
#include "server/trino_errors.h"
#include "server/trino_types.h"

namespace aishell {

namespace {

using Clock = std::chrono::steady_clock;

// server.* settings (`aishell config set server.max_concurrent_queries 16`), read by serve.
SettingRegistration max_concurrent_setting({"server.max_concurrent_queries",
                                            {},
                                            SettingType::kCount,
                                            "8",
                                            "queries `aishell serve` runs at once",
                                            "server",
                                            1,
                                            10000});
SettingRegistration max_queued_setting({"server.max_queued_queries",
                                        {},
                                        SettingType::kCount,
                                        "100",
                                        "queries `aishell serve` keeps waiting beyond those "
                                        "running; more fail with QUERY_QUEUE_FULL",
                                        "server",
                                        0,
                                        100000});

// A page of rows is sent once it holds this many bytes of JSON (or the query ended).
constexpr size_t kPageBytes = 1 << 20;
// A running query stops producing while this much JSON waits for its client.
constexpr size_t kMaxBufferedBytes = 8 << 20;
// How long a GET for the next page waits for rows before answering without them.
constexpr auto kMaxWait = std::chrono::milliseconds(1000);

std::string ErrorJson(const TrinoError& e) {
  std::string location;
  if (e.line > 0)
    location = fmt::format(R"({{"lineNumber":{},"columnNumber":{}}})", e.line, e.column);
  std::string out = R"({"message":)" + JsonString(e.message) +
                    fmt::format(R"(,"errorCode":{},"errorName":)", e.code) + JsonString(e.name) +
                    R"(,"errorType":)" + JsonString(e.type);
  if (!location.empty()) out += R"(,"errorLocation":)" + location;
  out += R"(,"failureInfo":{"type":)" + JsonString("io.trino.spi.TrinoException") +
         R"(,"message":)" + JsonString(e.message) + R"(,"suppressed":[],"stack":[])";
  if (!location.empty()) out += R"(,"errorLocation":)" + location;
  out += "}}";
  return out;
}

enum class QueryState { kQueued, kRunning, kFinished, kFailed };

const char* StateName(QueryState s) {
  switch (s) {
    case QueryState::kQueued:
      return "QUEUED";
    case QueryState::kRunning:
      return "RUNNING";
    case QueryState::kFinished:
      return "FINISHED";
    case QueryState::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

// One statement of a client: its session, its rows as pages of JSON waiting for the client, and
// the thread that runs it.
struct ServerQuery {
  std::string id;
  std::string slug;
  std::string sql;  // what runs (parameters substituted)
  ClientSession session;
  Clock::time_point created = Clock::now();
  Clock::time_point started{};
  Clock::time_point ended{};
  Clock::time_point last_access = Clock::now();

  std::mutex mu;
  std::condition_variable cv;
  QueryState state = QueryState::kQueued;
  bool has_columns = false;
  std::string columns_json;
  std::deque<std::string> pages;  // comma-joined row arrays
  size_t buffered_bytes = 0;
  bool producer_done = false;  // every page is in `pages` (or the query failed)
  std::optional<TrinoError> error;
  std::string update_type;
  std::optional<int64_t> update_count;
  std::vector<std::pair<std::string, std::string>> response_headers;
  std::vector<std::string> warnings;
  std::vector<std::string> sources;  // "lake (file)", as the engine names them
  std::map<std::string, std::pair<int64_t, int64_t>> source_progress;  // source -> rows, bytes
  int64_t processed_rows = 0;
  int64_t processed_bytes = 0;
  int64_t output_rows = 0;
  int64_t peak_memory = 0;
  int64_t spilled_bytes = 0;
  // For the query history: a result-cache hit, the slowest steps, the budgets in force.
  bool cache_hit = false;
  std::vector<std::pair<std::string, double>> slowest_steps;
  int64_t max_memory = 0;
  int64_t max_query_time_ms = 0;

  int64_t token = 0;  // the token of the next page the client may ask for
  std::string last_response;
  bool delivered_final = false;

  bool describe_output = false;  // DESCRIBE OUTPUT: the columns of `sql`, not its rows
  std::atomic<bool> cancelled{false};
  Engine* engine = nullptr;  // set while running, under mu
  std::thread worker;
};

std::string NewSlug() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("y{:016x}", rng());
}

std::string NewQueryId() {
  static std::atomic<int64_t> counter{0};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d_%H%M%S", &tm);
  return fmt::format("{}_{:05d}_aishl", buf, ++counter % 100000);
}

int64_t Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

struct TrinoServer::Impl {
  ServerOptions options;
  std::unique_ptr<httplib::Server> http;
  std::optional<PasswordFile> passwords;
  std::optional<ConnectionAcl> acl;
  std::thread listener;
  std::thread reaper;
  std::atomic<bool> stopping{false};
  int bound_port = 0;
  bool tls = false;

  std::mutex mu;  // guards queries, running, queued
  std::condition_variable slots;
  std::map<std::string, std::shared_ptr<ServerQuery>> queries;
  int running = 0;
  int queued = 0;
  std::deque<std::string> history;  // the last kHistory finished queries, as /v1/query JSON
  // The last kRecords finished queries, for /v1/federation (also appended to the history file
  // of the server's $AISHELL_HOME, engine/query_history.h).
  std::deque<QueryHistoryRecord> records;

  std::mutex stop_mu;
  std::condition_variable stop_cv;

  void Log(const std::string& line) {
    if (options.log) options.log(line);
  }

  // --- protocol ---

  std::string BaseUrl(const httplib::Request& req) const {
    std::string host = req.get_header_value("Host");
    if (host.empty()) host = options.bind + ":" + std::to_string(bound_port);
    return std::string(tls ? "https" : "http") + "://" + host;
  }

  std::string StatsJson(ServerQuery& q) {
    // under q.mu
    auto now = Clock::now();
    int64_t elapsed = Millis((q.ended != Clock::time_point{} ? q.ended : now) - q.created);
    int64_t queued_ms = Millis((q.started != Clock::time_point{}
                                    ? q.started
                                    : (q.ended != Clock::time_point{} ? q.ended : now)) -
                               q.created);
    bool done = q.state == QueryState::kFinished || q.state == QueryState::kFailed;
    std::string progress = done ? ",\"progressPercentage\":100.0,\"runningPercentage\":0.0" : "";
    return fmt::format(
        R"({{"state":"{}","queued":{},"scheduled":{},"nodes":1,"totalSplits":1,"queuedSplits":{},)"
        R"("runningSplits":{},"completedSplits":{},"cpuTimeMillis":{},"wallTimeMillis":{},)"
        R"("queuedTimeMillis":{},"elapsedTimeMillis":{},"processedRows":{},"processedBytes":{},)"
        R"("physicalInputBytes":{},"physicalWrittenBytes":0,"peakMemoryBytes":{},"spilledBytes":{}{}}})",
        StateName(q.state), q.state == QueryState::kQueued ? "true" : "false",
        q.state == QueryState::kQueued ? "false" : "true", q.state == QueryState::kQueued ? 1 : 0,
        q.state == QueryState::kRunning ? 1 : 0, done ? 1 : 0, elapsed - queued_ms,
        elapsed - queued_ms, queued_ms, elapsed, q.processed_rows, q.processed_bytes,
        q.processed_bytes, q.peak_memory, q.spilled_bytes, progress);
  }

  // The next QueryResults document; moves pages out. Under q.mu.
  std::string Results(ServerQuery& q, const std::string& base, bool* final) {
    std::string out = R"({"id":)" + JsonString(q.id) + R"(,"infoUri":)" +
                      JsonString(base + "/ui/query.html?" + q.id);
    std::string data;
    while (!q.pages.empty() && data.size() < kPageBytes) {
      if (!data.empty()) data += ',';
      q.buffered_bytes -= q.pages.front().size();
      data += q.pages.front();
      q.pages.pop_front();
    }
    q.cv.notify_all();  // the producer may be waiting for room
    bool failed = q.state == QueryState::kFailed;
    *final = failed || (q.producer_done && q.pages.empty());
    if (!*final) {
      out += R"(,"nextUri":)" + JsonString(fmt::format("{}/v1/statement/executing/{}/{}/{}", base,
                                                       q.id, q.slug, q.token + 1));
      out += R"(,"partialCancelUri":)" +
             JsonString(fmt::format("{}/v1/statement/executing/partialCancel/{}/0/{}/{}", base,
                                    q.id, q.slug, q.token + 1));
    }
    if (q.has_columns && !failed) out += R"(,"columns":)" + q.columns_json;
    if (!data.empty() && !failed) out += R"(,"data":[)" + data + "]";
    out += R"(,"stats":)" + StatsJson(q);
    if (failed && q.error) out += R"(,"error":)" + ErrorJson(*q.error);
    out += R"(,"warnings":[)";
    for (size_t i = 0; i < q.warnings.size(); i++) {
      if (i) out += ',';
      out += R"({"warningCode":{"code":1,"name":"AISHELL_WARNING"},"message":)" +
             JsonString(q.warnings[i]) + "}";
    }
    out += "]";
    if (!q.update_type.empty()) out += R"(,"updateType":)" + JsonString(q.update_type);
    if (q.update_count) out += fmt::format(R"(,"updateCount":{})", *q.update_count);
    return out + "}";
  }

  void SendJson(httplib::Response& res, const std::string& body, ServerQuery* q) {
    if (q) {
      for (const auto& [k, v] : q->response_headers) res.set_header(k.c_str(), v);
    }
    res.set_content(body, "application/json");
  }

  static void SendText(httplib::Response& res, int status, const std::string& text) {
    res.status = status;
    res.set_content(text + "\n", "text/plain");
  }

  // A finished-at-once result: the failure, or the result of a statement answered here.
  std::shared_ptr<ServerQuery> ImmediateQuery(const ClientSession& session) {
    auto q = std::make_shared<ServerQuery>();
    q->id = NewQueryId();
    q->slug = NewSlug();
    q->session = session;
    q->started = q->ended = Clock::now();
    q->producer_done = true;
    return q;
  }

  void Register(const std::shared_ptr<ServerQuery>& q) {
    std::lock_guard<std::mutex> lock(mu);
    queries[q->id] = q;
  }

  // --- authentication ---

  // The authenticated user, or nullopt after answering 401/403.
  std::optional<std::string> Authenticate(const httplib::Request& req, httplib::Response& res) {
    std::string header_user = req.get_header_value("X-Trino-User");
    if (!passwords) {
      if (header_user.empty()) header_user = req.get_header_value("X-Presto-User");
      return header_user;
    }
    std::string auth = req.get_header_value("Authorization");
    std::optional<std::string> decoded;
    if (auth.rfind("Basic ", 0) == 0) decoded = DecodeBase64(TrimSpace(auth.substr(6)));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (!decoded || colon == std::string::npos) {
      res.set_header("WWW-Authenticate", "Basic realm=\"aishell\"");
      SendText(res, 401, "Unauthorized: password authentication is required (HTTP Basic)");
      return std::nullopt;
    }
    std::string user = decoded->substr(0, colon);
    if (!passwords->Check(user, decoded->substr(colon + 1))) {
      Log("authentication failed for user " + user);
      res.set_header("WWW-Authenticate", "Basic realm=\"aishell\"");
      SendText(res, 401, "Unauthorized: invalid user name or password");
      return std::nullopt;
    }
    if (!header_user.empty() && header_user != user) {
      SendText(res, 403, "Access Denied: User " + user + " cannot impersonate user " + header_user);
      return std::nullopt;
    }
    return user;
  }

  // --- POST /v1/statement ---

  void Post(const httplib::Request& req, httplib::Response& res) {
    auto user = Authenticate(req, res);
    if (!user) return;
    if (user->empty()) {
      SendText(res, 400, "Error: the X-Trino-User header is required");
      return;
    }
    if (req.body.empty()) {
      SendText(res, 400, "Error: the request body must hold the SQL statement (it is empty)");
      return;
    }
    ClientSession session;
    session.user = *user;
    session.catalog = req.get_header_value("X-Trino-Catalog");
    session.schema = req.get_header_value("X-Trino-Schema");
    session.time_zone = req.get_header_value("X-Trino-Time-Zone");
    session.source = req.get_header_value("X-Trino-Source");
    session.transaction_id = req.get_header_value("X-Trino-Transaction-Id");
    try {
      for (size_t i = 0; i < req.get_header_value_count("X-Trino-Session"); i++) {
        auto pairs =
            ParseHeaderPairs(req.get_header_value("X-Trino-Session", i), "X-Trino-Session");
        session.properties.insert(session.properties.end(), pairs.begin(), pairs.end());
      }
      for (size_t i = 0; i < req.get_header_value_count("X-Trino-Prepared-Statement"); i++) {
        for (auto& [name, sql] :
             ParseHeaderPairs(req.get_header_value("X-Trino-Prepared-Statement", i),
                              "X-Trino-Prepared-Statement"))
          session.prepared[AsciiLower(name)] = sql;
      }
    } catch (const Error& e) {
      SendText(res, 400, std::string("Error: ") + e.what());
      return;
    }
    if (!session.time_zone.empty() && !TimeZone::Find(session.time_zone)) {
      SendText(
          res, 400,
          "Error: unknown time zone in the X-Trino-Time-Zone header: '" + session.time_zone + "'");
      return;
    }
    std::string base = BaseUrl(req);

    ServerStatement statement;
    std::shared_ptr<ServerQuery> q;
    try {
      statement = AnalyzeStatement(req.body, session);
    } catch (const Error& e) {
      q = ImmediateQuery(session);
      q->sql = req.body;
      q->state = QueryState::kFailed;
      q->error = ErrorOf(e, req.body);
    }
    if (!q && statement.action != StatementAction::kRun &&
        statement.action != StatementAction::kDescribeOutput) {
      q = ImmediateQuery(session);
      q->sql = req.body;
      q->state = QueryState::kFinished;
      q->has_columns = true;
      q->columns_json = TrinoColumnsJson({{"result", LogicalType(TypeId::kBoolean)}});
      q->pages.push_back("[true]");
      switch (statement.action) {
        case StatementAction::kPrepare:
          q->update_type = "PREPARE";
          q->response_headers.emplace_back(
              "X-Trino-Added-Prepare",
              PercentEncode(statement.name) + "=" + PercentEncode(statement.prepared_sql));
          break;
        case StatementAction::kDeallocate:
          q->update_type = "DEALLOCATE";
          q->response_headers.emplace_back("X-Trino-Deallocated-Prepare",
                                           PercentEncode(statement.name));
          break;
        case StatementAction::kStartTransaction:
          q->update_type = "START TRANSACTION";
          q->response_headers.emplace_back("X-Trino-Started-Transaction-Id", NewSlug());
          break;
        case StatementAction::kCommit:
        case StatementAction::kRollback:
          q->update_type = statement.action == StatementAction::kCommit ? "COMMIT" : "ROLLBACK";
          q->response_headers.emplace_back("X-Trino-Clear-Transaction-Id", "true");
          break;
        case StatementAction::kDescribeInput: {
          q->columns_json = TrinoColumnsJson({{"Position", LogicalType(TypeId::kBigInt)},
                                              {"Type", LogicalType(TypeId::kVarchar)}});
          q->pages.clear();
          size_t n = ParameterCount(statement.prepared_sql);
          std::string page;
          for (size_t i = 0; i < n; i++)
            page += (i ? "," : "") + fmt::format(R"([{},"unknown"])", i);
          if (!page.empty()) q->pages.push_back(page);
          break;
        }
        case StatementAction::kRun:
        case StatementAction::kDescribeOutput:
          break;
      }
    }
    if (q) {
      Register(q);
      std::lock_guard<std::mutex> lock(q->mu);
      bool final = false;
      q->last_response = Results(*q, base, &final);
      q->delivered_final = final;
      SendJson(res, q->last_response, q.get());
      return;
    }

    q = std::make_shared<ServerQuery>();
    q->id = NewQueryId();
    q->slug = NewSlug();
    q->sql = statement.sql;
    q->session = session;
    q->describe_output = statement.action == StatementAction::kDescribeOutput;
    {
      std::lock_guard<std::mutex> lock(mu);
      // Counted together: a query just admitted may not have left the queue yet.
      if (running + queued >= options.max_concurrent_queries + options.max_queued_queries) {
        q->state = QueryState::kFailed;
        q->producer_done = true;
        q->ended = Clock::now();
        q->error = TrinoError::Named(
            "QUERY_QUEUE_FULL",
            fmt::format(
                "Too many queued queries: {} running (server.max_concurrent_queries = {}) and {} "
                "waiting (server.max_queued_queries = {}); retry later",
                running, options.max_concurrent_queries, queued, options.max_queued_queries));
        queries[q->id] = q;
      } else {
        queued++;
        queries[q->id] = q;
        q->worker = std::thread([this, q] { RunQuery(q); });
      }
    }
    std::lock_guard<std::mutex> lock(q->mu);
    bool final = false;
    q->last_response = Results(*q, base, &final);
    q->delivered_final = final;
    if (q->state == QueryState::kFailed)
      Log("query " + q->id + " user=" + q->session.user + " FAILED QUERY_QUEUE_FULL");
    SendJson(res, q->last_response, q.get());
  }

  // --- the query's thread ---

  std::unique_ptr<Engine> MakeEngine(ServerQuery& q) {
    ConfigStore store(options.home_dir);
    EngineOptions eo;
    eo.home_dir = options.home_dir;
    ConfigStore::ApplySettings(store.LoadSettings(), eo);
    auto engine = std::make_unique<Engine>(eo);
    for (const auto& c : store.LoadConnections()) {
      if (acl && !acl->Allows(q.session.user, c.name)) continue;
      engine->catalogs().AddCatalog(c);
    }
    engine->LoadViews();
    engine->catalogs().AddCatalog("system", MakeSystemConnector(&engine->catalogs()));
    if (!q.session.catalog.empty()) {
      if (!engine->catalogs().HasCatalog(q.session.catalog))
        throw Error(ErrorKind::kCatalog,
                    "catalog '" + q.session.catalog + "' not found (the X-Trino-Catalog header)");
      engine->catalogs().default_catalog = q.session.catalog;
      engine->catalogs().default_schema = q.session.schema;
    }
    // The client's zone, then a time_zone_id session property (SET TIME ZONE) over it.
    if (!q.session.time_zone.empty()) engine->SetSetting("time_zone", q.session.time_zone);
    for (const auto& [name, value] : q.session.properties) engine->SetSetting(name, value);
    return engine;
  }

  void RunQuery(std::shared_ptr<ServerQuery> q) {
    {
      std::unique_lock<std::mutex> lock(mu);
      slots.wait(lock, [&] {
        return stopping || q->cancelled || running < options.max_concurrent_queries;
      });
      queued--;
      running++;
    }
    {
      std::lock_guard<std::mutex> lock(q->mu);
      q->state = QueryState::kRunning;
      q->started = Clock::now();
    }
    std::unique_ptr<Engine> engine;
    try {
      if (q->cancelled) throw Error(ErrorKind::kInterrupted, "Query was canceled");
      engine = MakeEngine(*q);
      // `timestamp with time zone` values are rendered in the session time zone, on this thread.
      std::optional<SessionTimeZoneScope> zone;
      zone.emplace(TimeZone::Get(engine->options().time_zone, "the session time zone"));
      engine->SetProgressCallback([q](const std::vector<SourceProgress>& progress, double) {
        int64_t rows = 0, bytes = 0;
        for (const auto& p : progress) {
          rows += p.rows_read;
          bytes += p.bytes_read;
        }
        std::lock_guard<std::mutex> lock(q->mu);
        for (const auto& p : progress) {
          auto& [r, b] = q->source_progress[p.source];
          r = std::max(r, p.rows_read);
          b = std::max(b, p.bytes_read);
        }
        q->processed_rows = std::max(q->processed_rows, rows);
        q->processed_bytes = std::max(q->processed_bytes, bytes);
      });
      {
        std::lock_guard<std::mutex> lock(q->mu);
        q->engine = engine.get();
        q->max_memory = engine->options().max_memory;
        q->max_query_time_ms = engine->options().timeout_ms;
      }
      if (q->cancelled) engine->Cancel();
      std::string catalog_before = engine->catalogs().default_catalog;
      std::string schema_before = engine->catalogs().default_schema;
      auto stream = engine->Query(q->sql);
      if (q->describe_output) {
        std::string page;
        for (const auto& c : stream->columns()) {
          if (!page.empty()) page += ',';
          page += "[" + JsonString(c.name) + R"(,"","","",)" +
                  JsonString(TrinoProtocolTypeName(c.type)) + ",0,false]";
        }
        std::lock_guard<std::mutex> lock(q->mu);
        q->has_columns = true;
        q->columns_json = TrinoColumnsJson({{"Column Name", LogicalType(TypeId::kVarchar)},
                                            {"Catalog", LogicalType(TypeId::kVarchar)},
                                            {"Schema", LogicalType(TypeId::kVarchar)},
                                            {"Table", LogicalType(TypeId::kVarchar)},
                                            {"Type", LogicalType(TypeId::kVarchar)},
                                            {"Type Size", LogicalType(TypeId::kBigInt)},
                                            {"Aliased", LogicalType(TypeId::kBoolean)}});
        if (!page.empty()) q->pages.push_back(page);
        q->state = QueryState::kFinished;
      } else {
        {
          std::lock_guard<std::mutex> lock(q->mu);
          q->warnings = stream->warnings();
          q->sources = stream->sources();
          q->cache_hit = stream->from_cache();
          for (const auto& n : stream->notices()) q->warnings.push_back(n);
          q->has_columns = true;
          if (stream->has_rows()) {
            q->columns_json = TrinoColumnsJson(stream->columns());
          } else {
            q->columns_json = TrinoColumnsJson({{"result", LogicalType(TypeId::kBoolean)}});
          }
        }
        if (stream->has_rows()) {
          Batch batch;
          while (stream->Next(batch)) {
            std::string page;
            size_t begin = 0;
            while (begin < batch.count) {
              size_t end = std::min(batch.count, begin + 256);
              if (!page.empty()) page += ',';
              AppendTrinoRows(batch, begin, end, &page);
              begin = end;
              if (page.size() >= kPageBytes || begin == batch.count) {
                std::unique_lock<std::mutex> lock(q->mu);
                q->cv.wait(lock,
                           [&] { return q->cancelled || q->buffered_bytes < kMaxBufferedBytes; });
                if (q->cancelled) break;
                q->buffered_bytes += page.size();
                q->pages.push_back(std::move(page));
                page.clear();
                q->cv.notify_all();
              }
            }
            {
              std::lock_guard<std::mutex> lock(q->mu);
              q->output_rows = stream->row_count();
            }
            if (q->cancelled) throw Error(ErrorKind::kInterrupted, "Query was canceled");
          }
          {
            // The scans' final counts (progress callbacks come only every 100 ms).
            std::lock_guard<std::mutex> lock(q->mu);
            int64_t rows = 0, bytes = 0;
            for (const auto& p : stream->source_progress()) {
              auto& [r, b] = q->source_progress[p.source];
              r = std::max(r, p.rows_read);
              b = std::max(b, p.bytes_read);
              rows += p.rows_read;
              bytes += p.bytes_read;
            }
            q->processed_rows = std::max(q->processed_rows, rows);
            q->processed_bytes = std::max(q->processed_bytes, bytes);
            q->peak_memory = stream->peak_memory_bytes();
            q->spilled_bytes = stream->spilled_bytes();
          }
          try {
            auto steps = stream->StepSeconds();
            if (steps.size() > 3) steps.resize(3);
            std::lock_guard<std::mutex> lock(q->mu);
            q->slowest_steps = std::move(steps);
          } catch (const std::exception&) {
          }
          for (const auto& w : stream->warnings()) {
            std::lock_guard<std::mutex> lock(q->mu);
            if (std::find(q->warnings.begin(), q->warnings.end(), w) == q->warnings.end())
              q->warnings.push_back(w);
          }
        } else {
          std::lock_guard<std::mutex> lock(q->mu);
          q->pages.push_back("[true]");
          q->buffered_bytes += 6;
          q->update_type = AsciiUpper(stream->message());
          SessionHeaders(*q, *engine, catalog_before, schema_before);
          if (q->update_type == "SET TIME ZONE")  // as Trino: the clients keep it
            q->response_headers.emplace_back(
                "X-Trino-Set-Session",
                "time_zone_id=" + PercentEncode(engine->options().time_zone));
        }
        std::lock_guard<std::mutex> lock(q->mu);
        q->state = QueryState::kFinished;
      }
    } catch (const Error& e) {
      std::lock_guard<std::mutex> lock(q->mu);
      q->state = QueryState::kFailed;
      if (q->cancelled && e.kind() == ErrorKind::kInterrupted) {
        q->error = TrinoError::Named("USER_CANCELED", "Query was canceled");
      } else {
        q->error = ErrorOf(e, q->sql);
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(q->mu);
      q->state = QueryState::kFailed;
      q->error = ErrorOf(Error(ErrorKind::kInternal, e.what()), q->sql);
    }
    {
      std::lock_guard<std::mutex> lock(q->mu);
      q->engine = nullptr;
      q->producer_done = true;
      q->ended = Clock::now();
      q->cv.notify_all();
      Log(fmt::format("query {} user={} {}{} rows={} elapsed={:.3f}s", q->id, q->session.user,
                      StateName(q->state), q->error ? " " + q->error->name : "", q->output_rows,
                      Millis(q->ended - q->created) / 1000.0));
    }
    Remember(*q);
    engine.reset();  // the query's memory goes with its engine
    bool idle;
    {
      std::lock_guard<std::mutex> lock(mu);
      running--;
      idle = running == 0 && queued == 0;
    }
    // The allocator keeps freed memory in per-thread arenas; give it back once nothing runs, so
    // the server's size after a burst of queries is its size before.
    if (idle) malloc_trim(0);
    slots.notify_all();
  }

  // X-Trino-Set-Session and friends after SET SESSION, RESET SESSION and USE. Under q.mu.
  void SessionHeaders(ServerQuery& q, Engine& engine, const std::string& catalog_before,
                      const std::string& schema_before) {
    static const std::regex kSet(
        R"(^\s*SET\s+SESSION\s+([A-Za-z0-9_.]+)\s*=\s*([\s\S]*?)\s*;?\s*$)", std::regex::icase);
    static const std::regex kReset(R"(^\s*RESET\s+SESSION\s+([A-Za-z0-9_.]+)\s*;?\s*$)",
                                   std::regex::icase);
    std::smatch m;
    if (std::regex_match(q.sql, m, kSet)) {
      std::string value = m[2].str();
      if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
        std::string unquoted;
        for (size_t i = 1; i + 1 < value.size(); i++) {
          unquoted += value[i];
          if (value[i] == '\'') i++;
        }
        value = unquoted;
      }
      q.response_headers.emplace_back("X-Trino-Set-Session",
                                      PercentEncode(m[1].str()) + "=" + PercentEncode(value));
    } else if (std::regex_match(q.sql, m, kReset)) {
      q.response_headers.emplace_back("X-Trino-Clear-Session", PercentEncode(m[1].str()));
    }
    if (engine.catalogs().default_catalog != catalog_before)
      q.response_headers.emplace_back("X-Trino-Set-Catalog", engine.catalogs().default_catalog);
    if (engine.catalogs().default_schema != schema_before ||
        engine.catalogs().default_catalog != catalog_before)
      q.response_headers.emplace_back("X-Trino-Set-Schema", engine.catalogs().default_schema);
  }

  // --- GET / DELETE on nextUri ---

  std::shared_ptr<ServerQuery> Find(const std::string& id, const std::string& slug) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = queries.find(id);
    if (it == queries.end() || it->second->slug != slug) return nullptr;
    return it->second;
  }

  void Get(const httplib::Request& req, httplib::Response& res) {
    auto user = Authenticate(req, res);
    if (!user) return;
    std::string id = req.matches[1];
    std::string slug = req.matches[2];
    int64_t token = std::stoll(req.matches[3]);
    auto q = Find(id, slug);
    if (!q) {
      SendText(res, 404, "Error: query " + id + " not found (unknown, finished or expired)");
      return;
    }
    if (passwords && q->session.user != *user) {
      SendText(res, 403, "Access Denied: query " + id + " belongs to another user");
      return;
    }
    std::unique_lock<std::mutex> lock(q->mu);
    q->last_access = Clock::now();
    if (token == q->token) {  // the client asks again for the page it was last sent
      SendJson(res, q->last_response, q.get());
      return;
    }
    if (token != q->token + 1 || q->delivered_final) {
      SendText(res, 404,
               fmt::format("Error: invalid token {} for query {} (expected {})", token, id,
                           q->token + 1));
      return;
    }
    q->cv.wait_for(lock, kMaxWait, [&] { return !q->pages.empty() || q->producer_done; });
    bool final = false;
    q->token = token;  // the page sent now; its nextUri asks for token + 1
    std::string body = Results(*q, BaseUrl(req), &final);
    q->last_response = body;
    q->delivered_final = final;
    SendJson(res, body, q.get());
  }

  void Delete(const httplib::Request& req, httplib::Response& res) {
    auto user = Authenticate(req, res);
    if (!user) return;
    std::string id = req.matches[1];
    auto q = Find(id, req.matches[2]);
    if (!q) {
      SendText(res, 404, "Error: query " + id + " not found");
      return;
    }
    Cancel(*q);
    res.status = 204;
  }

  void Cancel(ServerQuery& q) {
    q.cancelled = true;
    {
      std::lock_guard<std::mutex> lock(q.mu);
      if (q.engine) q.engine->Cancel();
      q.cv.notify_all();
    }
    slots.notify_all();
  }

  // Forgets queries whose client has everything (after a grace period for retries) or left.
  void Reap() {
    while (!stopping) {
      {
        std::unique_lock<std::mutex> lock(stop_mu);
        stop_cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping.load(); });
      }
      std::vector<std::shared_ptr<ServerQuery>> done;
      auto now = Clock::now();
      {
        std::lock_guard<std::mutex> lock(mu);
        for (auto it = queries.begin(); it != queries.end();) {
          auto& q = it->second;
          bool finished, abandoned;
          {
            std::lock_guard<std::mutex> ql(q->mu);
            finished = q->producer_done && q->delivered_final &&
                       now - q->last_access > std::chrono::seconds(5);
            abandoned =
                !q->delivered_final &&
                now - q->last_access > std::chrono::milliseconds(options.abandoned_after_ms);
          }
          if (abandoned && !q->cancelled) {
            Log("query " + q->id + " abandoned by its client: cancelled");
            q->cancelled = true;
            std::lock_guard<std::mutex> ql(q->mu);
            if (q->engine) q->engine->Cancel();
            q->cv.notify_all();
          }
          bool worker_done;
          {
            std::lock_guard<std::mutex> ql(q->mu);
            worker_done = q->producer_done;
          }
          if ((finished || (abandoned && worker_done))) {
            done.push_back(q);
            it = queries.erase(it);
          } else {
            ++it;
          }
        }
      }
      slots.notify_all();
      for (auto& q : done)
        if (q->worker.joinable()) q->worker.join();
      bool idle;
      {
        std::lock_guard<std::mutex> lock(mu);
        idle = running == 0 && queued == 0;
      }
      if (!done.empty() && idle) {
        done.clear();
        malloc_trim(0);  // the forgotten queries' pages go back to the system
      }
    }
  }

  // --- /v1/info and friends ---

  // --- monitoring: /v1/query, /v1/federation, /ui ---

  static constexpr size_t kHistory = 200;

  // One query as /v1/query lists it (the SQL through RedactText). Under q.mu.
  std::string QueryJson(ServerQuery& q) {
    auto now = Clock::now();
    int64_t elapsed = Millis((q.ended != Clock::time_point{} ? q.ended : now) - q.created);
    std::string sql = RedactText(q.sql.size() > 2000 ? q.sql.substr(0, 2000) + "..." : q.sql);
    std::string out = R"({"queryId":)" + JsonString(q.id) + R"(,"state":)" +
                      JsonString(StateName(q.state)) + R"(,"user":)" + JsonString(q.session.user) +
                      R"(,"query":)" + JsonString(sql) +
                      fmt::format(R"(,"elapsedMillis":{},"outputRows":{},"processedRows":{},)"
                                  R"("processedBytes":{})",
                                  elapsed, q.output_rows, q.processed_rows, q.processed_bytes);
    out += R"(,"errorName":)" + (q.error ? JsonString(q.error->name) : std::string("null"));
    out += fmt::format(R"(,"cacheHit":{},"peakMemory":{},"maxMemory":{},"maxQueryTimeMs":{})",
                       q.cache_hit ? "true" : "false", q.peak_memory, q.max_memory,
                       q.max_query_time_ms);
    out += R"(,"slowestSteps":[)";
    for (size_t i = 0; i < q.slowest_steps.size(); i++) {
      if (i) out += ',';
      out += R"({"step":)" + JsonString(q.slowest_steps[i].first) +
             fmt::format(R"(,"seconds":{:.6f}}})", q.slowest_steps[i].second);
    }
    out += "]";
    out += R"(,"sources":[)";
    for (size_t i = 0; i < q.sources.size(); i++) {
      if (i) out += ',';
      auto it = q.source_progress.find(q.sources[i].substr(0, q.sources[i].find(' ')));
      bool known = it != q.source_progress.end();
      out += R"({"name":)" + JsonString(q.sources[i]) +
             fmt::format(R"(,"rows":{},"bytes":{}}})", known ? it->second.first : 0,
                         known ? it->second.second : 0);
    }
    return out + "]}";
  }

  static constexpr size_t kRecords = 1000;

  void Remember(ServerQuery& q) {
    std::string json;
    QueryHistoryRecord r;
    {
      std::lock_guard<std::mutex> lock(q.mu);
      json = QueryJson(q);
      r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
      r.origin = "serve";
      r.user = q.session.user;
      r.state = StateName(q.state);
      r.error = q.error ? q.error->name : "";
      std::string sql = RedactText(q.sql);
      r.sql = sql.size() > 500 ? sql.substr(0, 500) + "..." : sql;
      r.seconds = Millis(q.ended - q.created) / 1000.0;
      r.rows = q.output_rows;
      r.cache_hit = q.cache_hit;
      r.peak_memory = q.peak_memory;
      r.max_memory = q.max_memory;
      r.max_query_time_ms = q.max_query_time_ms;
      r.slowest_steps = q.slowest_steps;
      for (const auto& name : q.sources) {
        auto it = q.source_progress.find(name.substr(0, name.find(' ')));
        bool known = it != q.source_progress.end();
        r.sources.push_back({name, known ? it->second.first : 0, known ? it->second.second : 0});
      }
    }
    // Statements the server answers itself (PREPARE, ...) never reached an engine.
    if (r.max_memory > 0) AppendQueryHistory(options.home_dir, r);
    std::lock_guard<std::mutex> lock(mu);
    history.push_back(std::move(json));
    if (history.size() > kHistory) history.pop_front();
    records.push_back(std::move(r));
    if (records.size() > kRecords) records.pop_front();
  }

  // Running queries first, then the recent ones, newest first.
  std::string QueriesJson() {
    std::vector<std::shared_ptr<ServerQuery>> live;
    std::vector<std::string> recent;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [id, q] : queries) live.push_back(q);
      recent.assign(history.rbegin(), history.rend());
    }
    std::string out = "[";
    bool first = true;
    for (auto& q : live) {
      std::lock_guard<std::mutex> lock(q->mu);
      if (q->state != QueryState::kQueued && q->state != QueryState::kRunning) continue;
      if (!first) out += ',';
      first = false;
      out += QueryJson(*q);
    }
    for (auto& r : recent) {
      if (!first) out += ',';
      first = false;
      out += r;
    }
    return out + "]";
  }

  // Per source over the last kRecords queries: queries, rows, bytes, time, cache hits, errors;
  // the slowest steps and the budgets (`aishell monitor federation --server` prints it).
  std::string FederationText() {
    std::lock_guard<std::mutex> lock(mu);
    std::string out = QueryHistorySummary({records.begin(), records.end()});
    out += fmt::format("running {}, waiting {}, recent {} (server.max_concurrent_queries = {})\n",
                       running, queued, records.size(), options.max_concurrent_queries);
    return out;
  }

  void Info(httplib::Response& res) {
    res.set_content(fmt::format(R"({{"nodeVersion":{{"version":"{}"}},"environment":"aishell",)"
                                R"("coordinator":true,"starting":false,"uptime":"0s"}})",
                                kAishellVersion),
                    "application/json");
  }
};

TrinoServer::TrinoServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& o = impl_->options;
  if (!o.password_file.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty())
      throw Error(ErrorKind::kUnsupported,
                  "--auth password needs TLS: pass --tls-cert and --tls-key (passwords are never "
                  "sent over plain HTTP)");
    impl_->passwords = PasswordFile::Load(o.password_file);
  }
  if (!o.acl_file.empty()) impl_->acl = ConnectionAcl::Load(o.acl_file);
  if (o.tls_cert.empty() != o.tls_key.empty())
    throw Error(ErrorKind::kUnsupported, "--tls-cert and --tls-key go together");
}

TrinoServer::~TrinoServer() { Stop(); }

void TrinoServer::Start() {
  Impl& s = *impl_;
  if (!s.options.tls_cert.empty()) {
    for (const auto* f : {&s.options.tls_cert, &s.options.tls_key}) {
      if (!std::ifstream(*f)) throw Error(ErrorKind::kIo, "cannot read the TLS file " + *f);
    }
    auto ssl =
        std::make_unique<httplib::SSLServer>(s.options.tls_cert.c_str(), s.options.tls_key.c_str());
    if (!ssl->is_valid())
      throw Error(ErrorKind::kIo, "cannot use the TLS certificate " + s.options.tls_cert +
                                      " with the key " + s.options.tls_key);
    s.http = std::move(ssl);
    s.tls = true;
  } else {
    s.http = std::make_unique<httplib::Server>();
  }
  // A connection holds a pool thread while it is open (cpp-httplib), idle keep-alive ones too:
  // many threads, and idle connections closed after 5 s (a client polling a query asks again at
  // once; one that comes back later reconnects).
  int threads = std::max(128, s.options.max_concurrent_queries + s.options.max_queued_queries);
  threads = std::min(threads, 512);
  s.http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http->set_payload_max_length(16 << 20);
  s.http->set_keep_alive_timeout(5);
  s.http->set_keep_alive_max_count(10000);
  s.http->Post("/v1/statement",
               [&s](const httplib::Request& req, httplib::Response& res) { s.Post(req, res); });
  s.http->Get(R"(/v1/statement/(?:executing|queued)/([^/]+)/([^/]+)/(\d+))",
              [&s](const httplib::Request& req, httplib::Response& res) { s.Get(req, res); });
  s.http->Delete(R"(/v1/statement/(?:executing|queued)/([^/]+)/([^/]+)/(\d+))",
                 [&s](const httplib::Request& req, httplib::Response& res) { s.Delete(req, res); });
  s.http->Delete(R"(/v1/statement/executing/partialCancel/([^/]+)/\d+/([^/]+)/\d+)",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  s.http->Get("/v1/info", [&s](const httplib::Request&, httplib::Response& res) { s.Info(res); });
  s.http->Get("/v1/query", [&s](const httplib::Request& req, httplib::Response& res) {
    if (s.Authenticate(req, res)) res.set_content(s.QueriesJson(), "application/json");
  });
  s.http->Get("/v1/federation", [&s](const httplib::Request& req, httplib::Response& res) {
    if (s.Authenticate(req, res)) res.set_content(s.FederationText(), "text/plain");
  });
  s.http->Get("/ui", [&s](const httplib::Request& req, httplib::Response& res) {
    if (s.Authenticate(req, res)) res.set_content(DashboardHtml(), "text/html; charset=utf-8");
  });
  s.http->Get("/v1/info/state", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("\"ACTIVE\"", "application/json");
  });
  s.http->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404)
      res.set_content("Error: no such resource: " + req.method + " " + req.path + "\n",
                      "text/plain");
  });
  s.http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content("Error: " + RedactText(what) + "\n", "text/plain");
      });
  if (s.options.port == 0) {
    s.bound_port = s.http->bind_to_any_port(s.options.bind);
    if (s.bound_port <= 0)
      throw Error(ErrorKind::kIo, "cannot listen on " + s.options.bind + " (any port)");
  } else {
    if (!s.http->bind_to_port(s.options.bind, s.options.port))
      throw Error(ErrorKind::kIo, fmt::format("cannot listen on {}:{} (in use, or not an address "
                                              "of this machine)",
                                              s.options.bind, s.options.port));
    s.bound_port = s.options.port;
  }
  s.listener = std::thread([&s] { s.http->listen_after_bind(); });
  s.reaper = std::thread([&s] { s.Reap(); });
}

void TrinoServer::Wait() {
  std::unique_lock<std::mutex> lock(impl_->stop_mu);
  impl_->stop_cv.wait(lock, [&] { return impl_->stopping.load(); });
}

void TrinoServer::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.stop_mu);
    if (s.stopping.exchange(true)) {
      // already stopping
    }
  }
  s.stop_cv.notify_all();
  if (s.http) s.http->stop();
  if (s.listener.joinable()) s.listener.join();
  if (s.reaper.joinable()) s.reaper.join();
  std::vector<std::shared_ptr<ServerQuery>> all;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [id, q] : s.queries) all.push_back(q);
    s.queries.clear();
  }
  for (auto& q : all) s.Cancel(*q);
  s.slots.notify_all();
  for (auto& q : all)
    if (q->worker.joinable()) q->worker.join();
}

int TrinoServer::port() const { return impl_->bound_port; }

std::string TrinoServer::base_url() const {
  return std::string(impl_->tls ? "https" : "http") + "://" + impl_->options.bind + ":" +
         std::to_string(impl_->bound_port);
}

}  // namespace aishell
