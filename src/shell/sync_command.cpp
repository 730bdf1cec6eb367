// `aishell sync` and `aishell validate-sync`: the shell side of src/workflows/ (sync jobs).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/strings.h"
#include "engine/result_format.h"
#include "shell/arrow_args.h"
#include "shell/box_table.h"
#include "shell/cli.h"
#include "workflows/cron_schedule.h"
#include "workflows/sync_job.h"
#include "workflows/sync_runner.h"
#include "workflows/table_cache.h"

namespace aishell {

namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UtcTime(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "never";
  return FormatTimestamp(unix_seconds * 1000000) + " UTC";
}

std::string Ago(int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  if (seconds < 172800) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " days";
}

}  // namespace

// The source and target of `sync a -> b`: also `a '->' b`, `a to b` and `a --to b` (bash reads
// `->` unquoted as `-` and a redirection of the output to the file `b`).
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text + ",") {
    if (c == ',') {
      cur = TrimSpace(cur);
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

std::pair<std::string, std::string> SplitPair(const std::string& text, const char* option) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError{std::string(option) + " needs name=value, not '" + text + "'", "sync"};
  }
  return {TrimSpace(text.substr(0, eq)), TrimSpace(text.substr(eq + 1))};
}

// Options that change a job (the same for `sync a -> b` and `sync --file`).
void ApplyJobOptions(const ParsedArgs& args, SyncJob& job) {
  try {
    if (auto m = args.Get("--mode")) job.mode = ParseSyncMode(*m, "--mode");
    if (auto c = args.Get("--conflict")) job.conflict = ParseUpsertConflict(*c, "--conflict");
  } catch (const Error& e) {
    throw UsageError{e.what(), "sync"};
  }
  if (auto k = args.Get("--sync-key")) job.sync_key = *k;
  if (auto k = args.Get("--key")) job.key = *k;
  if (auto c = args.Get("--columns")) job.columns = SplitList(*c);
  if (args.Has("--exclude")) {
    for (const auto& v : args.options.at("--exclude"))
      for (auto& x : SplitList(v)) job.excludes.push_back(x);
  }
  if (args.Has("--rename")) {
    for (const auto& v : args.options.at("--rename"))
      for (auto& x : SplitList(v)) job.renames.push_back(SplitPair(x, "--rename"));
  }
  if (args.Has("--add-field")) {
    for (const auto& v : args.options.at("--add-field"))
      job.add_fields.push_back(SplitPair(v, "--add-field"));
  }
  if (auto s = args.Get("--schedule")) {
    try {
      CronSchedule::Parse(*s);
    } catch (const Error& e) {
      throw UsageError{std::string("--schedule: ") + e.what(), "sync"};
    }
    job.schedule = *s;
  }
  if (auto n = args.Get("--name")) {
    if (!Engine::IsValidSourceName(*n))
      throw UsageError{"invalid job name '" + *n + "': use letters, digits, '_' and '-'", "sync"};
    job.name = *n;
  }
}

void PrintRun(const SyncJob& job, const SyncRunResult& r, const SyncPlan* plan) {
  std::printf("✅ Sync %s → %s (%s%s)\n", job.source.ToString().c_str(),
              job.target.ToString().c_str(), SyncModeName(job.mode),
              job.mode == SyncMode::kIncremental ? (" on " + job.sync_key).c_str() : "");
  std::printf("   Job: %s\n", job.name.c_str());
  std::printf("   Rows written: %s%s (conflict: %s)\n", FormatCount(r.rows).c_str(),
              r.created_target ? " into a new table" : " (upserted by key)",
              UpsertConflictName(job.conflict));
  if (job.mode == SyncMode::kIncremental) {
    std::printf("   Watermark: %s → %s\n",
                r.watermark_before.empty() ? "none" : r.watermark_before.c_str(),
                r.watermark_after.empty() ? "none" : r.watermark_after.c_str());
  }
  std::printf("   Time: %.2f s\n", r.seconds);
}

std::atomic<bool> g_daemon_stop{false};
void OnDaemonSignal(int) { g_daemon_stop = true; }

}  // namespace

int Cli::Sync(const ParsedArgs& args) {
  SyncJobStore jobs(home_);
  std::string sub = args.positional.empty() ? "" : args.positional[0];
  auto need_name = [&](const char* what) -> SyncJob {
    if (args.positional.size() != 2)
      throw UsageError{std::string("sync ") + what + " needs a job name", "sync"};
    auto job = jobs.Find(args.positional[1]);
    if (!job) {
      std::vector<std::string> names;
      for (const auto& j : jobs.List()) names.push_back(j.name);
      std::string hint = SuggestName(args.positional[1], names);
      throw Error(ErrorKind::kCatalog, "no sync job '" + args.positional[1] + "'" +
                                           (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                           " (aishell sync list shows them)");
    }
    return *job;
  };
  if (sub == "list") {
    auto list = jobs.List();
    if (list.empty()) {
      std::printf(
          "No sync jobs yet. Create one with: aishell sync <conn>.<table> '->' "
          "<conn>.<table>\n");
      return 0;
    }
    for (const auto& j : list) {
      std::printf("%-28s %s → %s  %s%s\n", j.name.c_str(), j.source.ToString().c_str(),
                  j.target.ToString().c_str(), SyncModeName(j.mode),
                  j.schedule.empty() ? "" : ("  schedule \"" + j.schedule + "\"").c_str());
    }
    return 0;
  }
  if (sub == "show") {
    std::fputs(SyncJobToYaml(need_name("show")).c_str(), stdout);
    return 0;
  }
  if (sub == "delete") {
    SyncJob job = need_name("delete");
    jobs.Delete(job.name);
    std::printf("Deleted sync job '%s'\n", job.name.c_str());
    return 0;
  }
  if (sub == "run") {
    SyncJob job = need_name("run");
    auto r = RunSyncJob(engine(), jobs, job);
    PrintRun(job, r, nullptr);
    return 0;
  }
  if (sub == "status") return SyncStatus(args);
  if (sub == "daemon") return SyncDaemon(args);
  if (sub == "install-service") return SyncInstallService(args);

  if (args.Has("--cache")) return SyncCache(args);
  SyncJob job;
  if (auto file = args.Get("--file")) {
    if (!args.positional.empty())
      throw UsageError{"sync --file takes no tables: the file names them", "sync"};
    job = LoadSyncJobFile(*file);
  } else {
    SourceAndTarget endpoints = ParseSourceAndTargetOnly(args.positional, args.Get("--to"), "sync");
    const std::string& from = endpoints.source;
    const std::string& to = endpoints.target;
    try {
      job.source = SyncTableRef::Parse(from, "source");
      job.target = SyncTableRef::Parse(to, "target");
    } catch (const Error& e) {
      throw UsageError{e.what(), "sync"};
    }
    job.name = SyncJobNameFrom(job.source.ToString() + "-to-" + job.target.ToString());
  }
  ApplyJobOptions(args, job);
  // Bad input fails here, before the job is saved or anything is written.
  PlanSync(engine(), job);
  jobs.Save(job);
  SyncState state = jobs.LoadState(job.name);
  if (state.registered_at == 0) {
    state.registered_at = Now();
    jobs.SaveState(job.name, state);
  }
  if (!job.schedule.empty()) {
    std::printf("Sync Configuration (saved as job '%s'):\n\n%s\n", job.name.c_str(),
                SyncJobToYaml(job).c_str());
    int64_t next = CronSchedule::Parse(job.schedule).NextAfter(Now());
    std::printf(
        "⏱  Next run: %s; `aishell sync daemon` runs due jobs, `aishell sync run %s` "
        "runs it now\n",
        UtcTime(next).c_str(), job.name.c_str());
    return 0;
  }
  auto r = RunSyncJob(engine(), jobs, job);
  PrintRun(job, r, nullptr);
  return 0;
}

namespace {

// "300", "300s", "5m", "2h", "1d" -> seconds.
int64_t ParseTtl(const std::string& text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i < 9)
    n = n * 10 + (text[i++] - '0');
  std::string unit = text.substr(i);
  int64_t scale = unit.empty() || unit == "s" ? 1
                  : unit == "m"               ? 60
                  : unit == "h"               ? 3600
                  : unit == "d"               ? 86400
                                              : 0;
  if (i == 0 || scale == 0 || n <= 0) {
    throw UsageError{"--ttl needs a duration such as 300, 90s, 15m, 2h or 1d, not '" + text + "'",
                     "sync"};
  }
  return n * scale;
}

}  // namespace

int Cli::SyncCache(const ParsedArgs& args) {
  SourceAndTarget endpoints = ParseSourceAndTargetOnly(args.positional, args.Get("--to"), "sync");
  const std::string& from = endpoints.source;
  const std::string& to = endpoints.target;
  if (to != "local-cache") {
    throw UsageError{
        "sync --cache copies a table into the local cache: write <conn>.<table> '->' "
        "local-cache, not '" +
            to + "'",
        "sync"};
  }
  SyncTableRef ref;
  try {
    ref = SyncTableRef::Parse(from, "source");
  } catch (const Error& e) {
    throw UsageError{e.what(), "sync"};
  }
  int64_t ttl = args.Get("--ttl") ? ParseTtl(*args.Get("--ttl")) : 3600;
  TableCacheResult r = CacheTable(engine(), home_, ref, ttl);
  std::printf("✅ Cached %s.%s.%s in a local Parquet copy: %s rows, %s bytes\n",
              r.entry.catalog.c_str(), r.entry.schema.c_str(), r.entry.table.c_str(),
              FormatCount(r.rows).c_str(), FormatCount(r.bytes).c_str());
  std::printf(
      "   Queries read it in the table's place until %s (TTL %lld s); EXPLAIN shows "
      "[local cache: ...]\n",
      UtcTime(r.entry.created_at + r.entry.ttl_seconds).c_str(), static_cast<long long>(ttl));
  return 0;
}

int Cli::SyncStatus(const ParsedArgs& args) {
  SyncJobStore jobs(home_);
  auto list = jobs.List();
  if (args.positional.size() > 2) throw UsageError{"sync status takes at most a job name", "sync"};
  if (args.positional.size() == 2) {
    std::erase_if(list, [&](const SyncJob& j) { return j.name != args.positional[1]; });
    if (list.empty()) throw Error(ErrorKind::kCatalog, "no sync job '" + args.positional[1] + "'");
  }
  OutputFormat format = OutputFormat::kTable;
  if (auto f = args.Get("--format")) {
    auto parsed = ParseOutputFormat(*f);
    if (!parsed)
      throw UsageError{"unknown format '" + *f + "'; use table, csv, json or jsonl", "sync"};
    format = *parsed;
  }
  const std::vector<std::string> names = {"job",        "source",   "target",   "mode",
                                          "schedule",   "last_run", "status",   "rows",
                                          "total_rows", "lag",      "next_run", "error"};
  std::vector<OutputColumn> columns;
  std::vector<LogicalType> types;
  for (const auto& n : names) {
    bool count = n == "rows" || n == "total_rows";
    types.push_back(LogicalType(count ? TypeId::kBigInt : TypeId::kVarchar));
    columns.push_back({n, types.back()});
  }
  Batch batch(types, std::max<size_t>(list.size(), 1));
  batch.SetCount(list.size());
  int64_t now = Now();
  for (size_t i = 0; i < list.size(); i++) {
    const SyncJob& j = list[i];
    SyncState s = jobs.LoadState(j.name);
    std::string lag = "-";
    if (s.last_success) lag = Ago(now - s.last_success) + " since last success";
    if (s.watermark &&
        (s.watermark_type == "TIMESTAMP" || s.watermark_type.rfind("TIMESTAMP", 0) == 0)) {
      if (auto ts = ParseTimestamp(*s.watermark)) {
        int64_t behind = now - *ts / 1000000;
        lag = (behind >= 0 ? Ago(behind) : "0 s") + " behind now (watermark " + *s.watermark + ")";
      }
    } else if (s.watermark) {
      lag += " (watermark " + *s.watermark + ")";
    }
    std::string next = "-";
    if (!j.schedule.empty()) next = UtcTime(CronSchedule::Parse(j.schedule).NextAfter(now));
    std::vector<std::string> text = {j.name,
                                     j.source.ToString(),
                                     j.target.ToString(),
                                     SyncModeName(j.mode),
                                     j.schedule.empty() ? "-" : j.schedule,
                                     UtcTime(s.last_run_start),
                                     s.last_status.empty() ? "never ran" : s.last_status,
                                     "",
                                     "",
                                     lag,
                                     next,
                                     s.last_error};
    for (size_t c = 0; c < names.size(); c++) {
      if (c == 7) {
        batch.columns[c].SetValue(i, Value::BigInt(s.last_rows));
      } else if (c == 8) {
        batch.columns[c].SetValue(i, Value::BigInt(s.total_rows));
      } else {
        batch.columns[c].SetString(i, text[c]);
      }
    }
  }
  if (list.empty() && format == OutputFormat::kTable) {
    std::printf("No sync jobs yet.\n");
    return 0;
  }
  std::vector<Batch> batches;
  batches.push_back(std::move(batch));
  TableFormatOptions options;
  options.max_width = TerminalWidth();
  options.max_rows = -1;
  WriteResult(std::cout, format, columns, batches, options);
  std::cout.flush();
  return 0;
}

int Cli::SyncDaemon(const ParsedArgs& args) {
  SyncJobStore jobs(home_);
  bool once = args.Has("--once");
  std::optional<int64_t> at;
  if (auto a = args.Get("--at")) {
    auto ts = ParseTimestamp(*a);
    if (!ts)
      throw UsageError{"--at needs a time such as '2026-01-01 00:15:00', not '" + *a + "'", "sync"};
    at = *ts / 1000000;
  }
  double poll = 20;
  if (auto p = args.Get("--poll")) {
    char* end = nullptr;
    poll = std::strtod(p->c_str(), &end);
    if (p->empty() || *end || poll <= 0 || poll > 3600)
      throw UsageError{"--poll needs seconds between 0 and 3600, not '" + *p + "'", "sync"};
  }
  signal(SIGINT, OnDaemonSignal);
  signal(SIGTERM, OnDaemonSignal);
  int failures = 0;
  if (!once) std::fprintf(stderr, "aishell sync daemon: running due jobs (Ctrl-C stops)\n");
  while (!g_daemon_stop) {
    int64_t now = at.value_or(Now());
    for (const auto& job : jobs.List()) {
      if (job.schedule.empty()) continue;
      SyncState s = jobs.LoadState(job.name);
      int64_t last_slot = CronSchedule::Parse(job.schedule).LastAtOrBefore(now);
      int64_t since = std::max(s.last_slot, s.registered_at);
      if (last_slot < 0 || last_slot <= since) continue;
      std::fflush(stdout);
      try {
        auto r = RunSyncJob(engine(), jobs, job, last_slot);
        std::printf("[%s] %s: %s rows written\n", UtcTime(Now()).c_str(), job.name.c_str(),
                    FormatCount(r.rows).c_str());
      } catch (const Error& e) {
        failures++;
        std::printf("[%s] %s: failed: %s\n", UtcTime(Now()).c_str(), job.name.c_str(), e.what());
        if (job.alert_on_failure) {
          std::fprintf(stderr, "⚠️  sync job '%s' failed: %s\n", job.name.c_str(), e.what());
          // monitoring.alert_on_failure: the notify.command hook too, with the job and error.
          auto settings = store().LoadSettings();
          auto hook = settings.find("notify.command");
          if (hook != settings.end() && !hook->second.empty()) {
            setenv("AISHELL_SYNC_JOB", job.name.c_str(), 1);
            setenv("AISHELL_SYNC_ERROR", e.what(), 1);
            int rc = std::system(hook->second.c_str());
            (void)rc;
          }
        }
      }
      std::fflush(stdout);
    }
    if (once) break;
    for (double waited = 0; waited < poll && !g_daemon_stop; waited += 0.2)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return failures ? 1 : 0;
}

int Cli::ValidateSyncCommand(const ParsedArgs& args) {
  SyncJobStore jobs(home_);
  std::vector<SyncJob> selected;
  size_t max_keys = 20;
  if (auto m = args.Get("--max-keys")) {
    char* end = nullptr;
    long n = std::strtol(m->c_str(), &end, 10);
    if (m->empty() || *end || n < 0 || n > 100000)
      throw UsageError{"--max-keys needs a number from 0 to 100000", "validate-sync"};
    max_keys = static_cast<size_t>(n);
  }
  if (args.positional.size() == 1) {
    auto job = jobs.Find(args.positional[0]);
    if (!job) {
      throw Error(ErrorKind::kCatalog, "no sync job '" + args.positional[0] +
                                           "' (validate-sync takes a job name, or a source and a "
                                           "target connection)");
    }
    selected.push_back(*job);
  } else if (args.positional.size() == 2) {
    for (const auto& name : args.positional) engine().catalogs().GetCatalog(name);
    for (const auto& j : jobs.List()) {
      if (EqualsIgnoreCase(j.source.connection, args.positional[0]) &&
          EqualsIgnoreCase(j.target.connection, args.positional[1]))
        selected.push_back(j);
    }
    if (selected.empty()) {
      throw Error(ErrorKind::kCatalog, "no sync job copies from '" + args.positional[0] +
                                           "' into '" + args.positional[1] +
                                           "' (aishell sync list shows the jobs)");
    }
  } else {
    throw UsageError{"validate-sync needs a job name, or a source and a target connection",
                     "validate-sync"};
  }
  bool all_ok = true;
  for (const auto& job : selected) {
    SyncValidation v = ValidateSync(engine(), jobs, job, max_keys);
    all_ok = all_ok && v.ok();
    std::printf("%s Sync check: %s → %s (job %s)\n", v.ok() ? "✅" : "❌",
                job.source.ToString().c_str(), job.target.ToString().c_str(), job.name.c_str());
    std::printf("   Rows: source %s, target %s\n", FormatCount(v.source_rows).c_str(),
                FormatCount(v.target_rows).c_str());
    size_t bad = 0;
    for (const auto& r : v.ranges) bad += r.equal ? 0 : 1;
    std::printf("   Checksums: %zu of %zu key ranges match\n", v.ranges.size() - bad,
                v.ranges.size());
    for (const auto& r : v.ranges) {
      if (r.equal) continue;
      std::printf("     ✗ %s: source %s rows, target %s rows\n", r.label.c_str(),
                  FormatCount(r.source_rows).c_str(), FormatCount(r.target_rows).c_str());
    }
    if (v.differing_key_count) {
      std::printf("   Differing keys: %s%s\n", FormatCount(v.differing_key_count).c_str(),
                  v.differing_key_count > static_cast<int64_t>(v.differing_keys.size())
                      ? (" (first " + std::to_string(v.differing_keys.size()) + ")").c_str()
                      : "");
      for (const auto& k : v.differing_keys) std::printf("     - %s\n", k.c_str());
    }
    std::printf("   Lag: %s\n", v.lag.c_str());
  }
  return all_ok ? 0 : 1;
}

}  // namespace aishell
