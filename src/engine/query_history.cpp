#include "engine/query_history.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "engine/engine.h"

namespace aishell {

namespace {

constexpr size_t kMaxSqlChars = 500;

std::string HistoryPath(const std::string& home_dir) { return home_dir + "/query_history.jsonl"; }
std::string RotatedPath(const std::string& home_dir) { return home_dir + "/query_history.1.jsonl"; }

std::string Str(simdjson::dom::object obj, const char* key) {
  std::string_view v;
  if (obj[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

int64_t Int(simdjson::dom::object obj, const char* key) {
  int64_t v = 0;
  if (obj[key].get(v) == simdjson::SUCCESS) return v;
  double d = 0;
  if (obj[key].get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  return 0;
}

double Num(simdjson::dom::object obj, const char* key) {
  double d = 0;
  if (obj[key].get(d) == simdjson::SUCCESS) return d;
  int64_t v = 0;
  if (obj[key].get(v) == simdjson::SUCCESS) return static_cast<double>(v);
  return 0;
}

std::string Bytes(int64_t n) {
  if (n >= (1LL << 30)) return fmt::format("{:.1f} GiB", n / double(1LL << 30));
  if (n >= (1LL << 20)) return fmt::format("{:.1f} MiB", n / double(1LL << 20));
  if (n >= (1LL << 10)) return fmt::format("{:.1f} KiB", n / double(1LL << 10));
  return fmt::format("{} B", n);
}

void ReadLines(const std::string& path, std::vector<std::string>* lines) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines->push_back(line);
}

}  // namespace

QueryHistoryRecord QueryHistoryRecordOf(const ResultStream* stream, const EngineOptions& options,
                                        const std::string& sql, double seconds,
                                        const std::string& error) {
  QueryHistoryRecord r;
  r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  r.state = error.empty() ? "FINISHED" : "FAILED";
  r.error = error;
  std::string redacted = RedactText(sql);
  r.sql = redacted.size() > kMaxSqlChars ? redacted.substr(0, kMaxSqlChars) + "..." : redacted;
  r.seconds = seconds;
  r.max_memory = options.max_memory;
  r.max_query_time_ms = options.timeout_ms;
  if (!stream) return r;
  r.rows = stream->row_count();
  r.cache_hit = stream->from_cache();
  r.peak_memory = stream->peak_memory_bytes();
  std::map<std::string, std::pair<int64_t, int64_t>> read;  // catalog -> rows, bytes
  for (const auto& p : stream->source_progress()) {
    auto& [rows, bytes] = read[p.source];
    rows += p.rows_read;
    bytes += p.bytes_read;
  }
  for (const auto& name : stream->sources()) {
    QueryHistorySource s;
    s.name = name;
    auto it = read.find(name.substr(0, name.find(' ')));
    if (it != read.end()) {
      s.rows = it->second.first;
      s.bytes = it->second.second;
    }
    r.sources.push_back(s);
  }
  try {
    auto steps = stream->StepSeconds();
    if (steps.size() > 3) steps.resize(3);
    r.slowest_steps = std::move(steps);
  } catch (const std::exception&) {
  }
  return r;
}

void RecordQueryHistory(Engine& engine, const ResultStream* stream, const std::string& sql,
                        std::chrono::steady_clock::time_point start, const std::string& error) {
  if (engine.options().home_dir.empty()) return;
  if (error.empty() && (!stream || !stream->has_rows())) return;  // SET, USE, CREATE, ...
  try {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto r = QueryHistoryRecordOf(stream, engine.options(), sql, seconds, error);
    r.origin = "cli";
    AppendQueryHistory(engine.options().home_dir, r);
  } catch (const std::exception&) {
  }
}

std::string QueryHistoryJson(const QueryHistoryRecord& r) {
  std::string out = fmt::format(R"({{"time":{},"origin":)", r.time_ms) + JsonString(r.origin) +
                    R"(,"user":)" + JsonString(r.user) + R"(,"state":)" + JsonString(r.state) +
                    R"(,"error":)" + JsonString(r.error) + R"(,"sql":)" + JsonString(r.sql) +
                    fmt::format(R"(,"seconds":{:.6f},"rows":{},"cacheHit":{},"peakMemory":{},)"
                                R"("maxMemory":{},"maxQueryTimeMs":{},"sources":[)",
                                r.seconds, r.rows, r.cache_hit ? "true" : "false", r.peak_memory,
                                r.max_memory, r.max_query_time_ms);
  for (size_t i = 0; i < r.sources.size(); i++) {
    if (i) out += ',';
    out += R"({"name":)" + JsonString(r.sources[i].name) +
           fmt::format(R"(,"rows":{},"bytes":{}}})", r.sources[i].rows, r.sources[i].bytes);
  }
  out += R"(],"slowestSteps":[)";
  for (size_t i = 0; i < r.slowest_steps.size(); i++) {
    if (i) out += ',';
    out += R"({"step":)" + JsonString(r.slowest_steps[i].first) +
           fmt::format(R"(,"seconds":{:.6f}}})", r.slowest_steps[i].second);
  }
  return out + "]}";
}

QueryHistoryRecord ParseQueryHistoryJson(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(line).get(obj) != simdjson::SUCCESS)
    throw Error(ErrorKind::kIo, "not a query history record: " + line.substr(0, 80));
  QueryHistoryRecord r;
  r.time_ms = Int(obj, "time");
  r.origin = Str(obj, "origin");
  r.user = Str(obj, "user");
  r.state = Str(obj, "state");
  r.error = Str(obj, "error");
  r.sql = Str(obj, "sql");
  r.seconds = Num(obj, "seconds");
  r.rows = Int(obj, "rows");
  bool hit = false;
  if (obj["cacheHit"].get(hit) == simdjson::SUCCESS) r.cache_hit = hit;
  r.peak_memory = Int(obj, "peakMemory");
  r.max_memory = Int(obj, "maxMemory");
  r.max_query_time_ms = Int(obj, "maxQueryTimeMs");
  simdjson::dom::array sources;
  if (obj["sources"].get(sources) == simdjson::SUCCESS) {
    for (auto e : sources) {
      simdjson::dom::object s;
      if (e.get(s) != simdjson::SUCCESS) continue;
      r.sources.push_back({Str(s, "name"), Int(s, "rows"), Int(s, "bytes")});
    }
  }
  simdjson::dom::array steps;
  if (obj["slowestSteps"].get(steps) == simdjson::SUCCESS) {
    for (auto e : steps) {
      simdjson::dom::object s;
      if (e.get(s) != simdjson::SUCCESS) continue;
      r.slowest_steps.emplace_back(Str(s, "step"), Num(s, "seconds"));
    }
  }
  return r;
}

void AppendQueryHistory(const std::string& home_dir, const QueryHistoryRecord& record,
                        int64_t max_bytes) {
  if (home_dir.empty()) return;
  std::string line = QueryHistoryJson(record) + "\n";
  // The lock file, not the history itself: a writer waiting for the lock must not keep writing
  // into a file another one just rotated away.
  int lock = ::open((home_dir + "/query_history.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return;
  if (::flock(lock, LOCK_EX) == 0) {
    std::string path = HistoryPath(home_dir);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 &&
        st.st_size + static_cast<int64_t>(line.size()) > max_bytes)
      std::rename(path.c_str(), RotatedPath(home_dir).c_str());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::fchmod(fd, 0600);
      size_t done = 0;
      while (done < line.size()) {
        ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::close(fd);
    }
    ::flock(lock, LOCK_UN);
  }
  ::close(lock);
}

std::vector<QueryHistoryRecord> ReadQueryHistory(const std::string& home_dir, size_t limit) {
  std::vector<std::string> lines;
  if (home_dir.empty()) return {};
  int lock = ::open((home_dir + "/query_history.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (lock >= 0) ::flock(lock, LOCK_SH);  // not between a rotation and the next write
  ReadLines(RotatedPath(home_dir), &lines);
  ReadLines(HistoryPath(home_dir), &lines);
  if (lock >= 0) ::close(lock);
  size_t first = lines.size() > limit ? lines.size() - limit : 0;
  std::vector<QueryHistoryRecord> out;
  for (size_t i = first; i < lines.size(); i++) {
    try {
      out.push_back(ParseQueryHistoryJson(lines[i]));
    } catch (const Error&) {
    }
  }
  return out;
}

std::string QueryHistorySummary(const std::vector<QueryHistoryRecord>& records) {
  struct Totals {
    int64_t queries = 0, rows = 0, bytes = 0, cache_hits = 0, errors = 0;
    double seconds = 0, slowest = 0;
  };
  std::map<std::string, Totals> per_source;
  for (const auto& r : records) {
    for (const auto& s : r.sources) {
      auto& t = per_source[s.name];
      t.queries++;
      t.rows += s.rows;
      t.bytes += s.bytes;
      t.cache_hits += r.cache_hit ? 1 : 0;
      t.errors += r.state == "FAILED" ? 1 : 0;
      t.seconds += r.seconds;
      t.slowest = std::max(t.slowest, r.seconds);
    }
  }
  std::string out =
      fmt::format("{:<28} {:>8} {:>12} {:>12} {:>10} {:>10} {:>7} {:>7}\n", "source", "queries",
                  "rows read", "bytes read", "avg s", "slowest s", "cached", "errors");
  for (const auto& [name, t] : per_source) {
    out += fmt::format("{:<28} {:>8} {:>12} {:>12} {:>10.3f} {:>10.3f} {:>7} {:>7}\n", name,
                       t.queries, t.rows, t.bytes, t.queries ? t.seconds / t.queries : 0.0,
                       t.slowest, t.cache_hits, t.errors);
  }
  // The slowest steps of the recent queries.
  std::vector<std::pair<double, std::string>> steps;
  for (const auto& r : records)
    for (const auto& [title, seconds] : r.slowest_steps)
      if (seconds > 0) steps.emplace_back(seconds, title);
  std::stable_sort(steps.begin(), steps.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (!steps.empty()) {
    out += "\nslowest steps:\n";
    for (size_t i = 0; i < steps.size() && i < 5; i++)
      out += fmt::format("  {:>9.3f} s  {}\n", steps[i].first, steps[i].second);
  }
  // The budgets in force for the most recent query, and the closest any query came to them.
  if (!records.empty()) {
    const auto& last = records.back();
    const QueryHistoryRecord* memory = nullptr;
    const QueryHistoryRecord* time = nullptr;
    for (const auto& r : records) {
      if (r.max_memory > 0 &&
          (!memory || r.peak_memory * 1.0 / r.max_memory >
                          memory->peak_memory * 1.0 / std::max<int64_t>(memory->max_memory, 1)))
        memory = &r;
      if (r.max_query_time_ms > 0 &&
          (!time || r.seconds * 1000 / r.max_query_time_ms >
                        time->seconds * 1000 / std::max<int64_t>(time->max_query_time_ms, 1)))
        time = &r;
    }
    out += "\nbudgets (closest of the recent queries):\n";
    if (memory)
      out += fmt::format("  federation.max_memory      {:>10}  peak {} ({:.1f}%)\n",
                         Bytes(memory->max_memory), Bytes(memory->peak_memory),
                         100.0 * memory->peak_memory / memory->max_memory);
    if (time) {
      out += fmt::format("  federation.max_query_time  {:>9.3f}s  slowest {:.3f} s ({:.1f}%)\n",
                         time->max_query_time_ms / 1000.0, time->seconds,
                         100.0 * time->seconds * 1000 / time->max_query_time_ms);
    } else if (last.max_query_time_ms == 0) {
      out += "  federation.max_query_time  none\n";
    }
  }
  out += fmt::format("{} recent queries\n", records.size());
  return out;
}

}  // namespace aishell
