// `aishell query --async`, `aishell jobs [show|cancel] <id>`, and `export <id>`: the shell side
// of src/workflows/query_jobs (background queries).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "common/date_time.h"
#include "common/exception.h"
#include "shell/box_table.h"
#include "shell/cli.h"
#include "workflows/query_jobs.h"

namespace aishell {

namespace {

std::string JobTime(int64_t unix_seconds) {
  return unix_seconds > 0 ? FormatTimestamp(unix_seconds * 1000000) + " UTC" : "-";
}

std::string OneLine(const std::vector<std::string>& statements) {
  std::string out;
  for (const auto& s : statements) {
    for (char c : s) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      if (c == ' ' && !out.empty() && out.back() == ' ') continue;
      out += c;
    }
    out += "; ";
  }
  if (out.size() >= 2) out.resize(out.size() - 2);
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

std::string NotifyCommand(ConfigStore& store) {
  auto settings = store.LoadSettings();
  auto it = settings.find("notify.command");
  return it == settings.end() ? "" : it->second;
}

}  // namespace

int Cli::StartAsyncQuery(const std::vector<std::string>& statements, bool notify) {
  QueryJobStore jobs(home_);
  QueryJob job = jobs.Create(statements, notify);
  std::string log = jobs.dir(job.id) + "/job.log";
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::kIo, "cannot start a background process for job " + job.id);
  if (pid == 0) {
    setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    std::string home = home_;
    const char* argv[] = {"aishell", "--home",       home.c_str(), "jobs",
                          "_run",    job.id.c_str(), nullptr};
    execv("/proc/self/exe", const_cast<char* const*>(argv));
    _exit(127);
  }
  std::printf("⏳ Job %s started in the background (pid %d)\n", job.id.c_str(), pid);
  std::printf("   aishell jobs show %s · aishell export %s --format csv · aishell jobs cancel %s\n",
              job.id.c_str(), job.id.c_str(), job.id.c_str());
  if (notify) std::printf("   You will be told when it ends (on your next aishell command).\n");
  return 0;
}

void Cli::NotifyFinishedJobs() {
  QueryJobStore jobs(home_);
  for (auto job : jobs.List()) {
    if (!job.notify || job.notified || !job.finished()) continue;
    std::fprintf(stderr, "\a🔔 Job %s %s: %s\n", job.id.c_str(), job.status.c_str(),
                 job.status == "done" ? (FormatCount(job.rows) + " rows in " +
                                         std::to_string(job.seconds).substr(0, 4) +
                                         " s (aishell export " + job.id + " --format csv)")
                                            .c_str()
                                      : job.error.c_str());
    job.notified = true;
    jobs.Save(job);
  }
}

int Cli::Jobs(const ParsedArgs& args) {
  QueryJobStore jobs(home_);
  std::string sub = args.positional.empty() ? "" : args.positional[0];
  auto need = [&](const char* what) -> QueryJob {
    if (args.positional.size() != 2)
      throw UsageError{std::string("jobs ") + what + " needs a job id", "jobs"};
    auto job = jobs.Find(args.positional[1]);
    if (!job)
      throw Error(ErrorKind::kCatalog,
                  "no job '" + args.positional[1] + "' (aishell jobs lists them)");
    return *job;
  };
  if (sub == "_run") {
    QueryJob job = need("_run");
    return RunQueryJob(engine(), jobs, job.id, NotifyCommand(store()));
  }
  if (sub == "cancel") {
    QueryJob job = CancelQueryJob(jobs, need("cancel").id);
    std::printf("Job %s: %s\n", job.id.c_str(), job.status.c_str());
    return 0;
  }
  if (sub == "show") {
    QueryJob job = need("show");
    std::printf("Job %s: %s\n", job.id.c_str(), job.status.c_str());
    std::printf("   Query: %s\n", OneLine(job.statements).c_str());
    std::printf("   Submitted: %s\n", JobTime(job.submitted).c_str());
    std::printf("   Started: %s\n", JobTime(job.started).c_str());
    std::printf("   Ended: %s\n", JobTime(job.ended).c_str());
    if (job.finished()) std::printf("   Run time: %.2f s\n", job.seconds);
    if (job.status == "done") {
      std::printf("   Rows: %s (aishell export %s --format csv|json|jsonl|table|parquet)\n",
                  FormatCount(job.rows).c_str(), job.id.c_str());
    }
    if (!job.error.empty()) std::printf("   Error: %s\n", job.error.c_str());
    return job.status == "failed" ? 1 : 0;
  }
  if (!sub.empty()) {
    throw UsageError{"unknown jobs subcommand '" + sub +
                         "' (use: jobs, jobs show <id>, "
                         "jobs cancel <id>)",
                     "jobs"};
  }
  auto list = jobs.List();
  if (list.empty()) {
    std::printf("No background jobs. Start one with: aishell query \"...\" --async\n");
    return 0;
  }
  std::vector<std::string> names = {"id", "status", "rows", "submitted", "seconds", "query"};
  std::vector<LogicalType> types = {LogicalType(TypeId::kVarchar), LogicalType(TypeId::kVarchar),
                                    LogicalType(TypeId::kBigInt),  LogicalType(TypeId::kVarchar),
                                    LogicalType(TypeId::kDouble),  LogicalType(TypeId::kVarchar)};
  std::vector<OutputColumn> columns;
  for (size_t i = 0; i < names.size(); i++) columns.push_back({names[i], types[i]});
  Batch batch(types, list.size());
  batch.SetCount(list.size());
  for (size_t i = 0; i < list.size(); i++) {
    const auto& j = list[i];
    batch.columns[0].SetString(i, j.id);
    batch.columns[1].SetString(i, j.status);
    batch.columns[2].SetValue(i, Value::BigInt(j.rows));
    batch.columns[3].SetString(i, JobTime(j.submitted));
    batch.columns[4].SetValue(i, j.finished()
                                     ? Value::Double(static_cast<int64_t>(j.seconds * 100) / 100.0)
                                     : Value::Null(LogicalType(TypeId::kDouble)));
    std::string q = OneLine(j.statements);
    if (q.size() > 60) q = q.substr(0, 57) + "...";
    batch.columns[5].SetString(i, q);
  }
  OutputFormat format = OutputFormat::kTable;
  if (auto f = args.Get("--format")) {
    auto parsed = ParseOutputFormat(*f);
    if (!parsed) throw UsageError{"unknown format '" + *f + "'", "jobs"};
    format = *parsed;
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

QueryResult Cli::LoadExportResult(const std::string& what) {
  if (what == "last") return store().LoadLastResult();
  QueryJobStore jobs(home_);
  auto job = jobs.Find(what);
  if (!job) {
    throw UsageError{
        "export takes 'last' or a background job id (aishell jobs lists them), not '" + what + "'",
        "export"};
  }
  if (job->status != "done") {
    throw Error(ErrorKind::kExecution,
                "job " + what + " is " + job->status +
                    (job->error.empty() ? "" : ": " + job->error) +
                    (job->finished() ? "" : " (aishell jobs show " + what + ")"));
  }
  return ConfigStore(jobs.dir(what)).LoadLastResult();
}

}  // namespace aishell
