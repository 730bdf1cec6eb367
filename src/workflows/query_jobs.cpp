#include "workflows/query_jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/exception.h"
#include "engine/config_store.h"
#include "engine/settings.h"

namespace aishell {

namespace fs = std::filesystem;

namespace {

SettingRegistration kNotifyCommand({"notify.command",
                                    {},
                                    SettingType::kText,
                                    "",
                                    "a shell command run when a query --async job ends "
                                    "(AISHELL_JOB_ID, AISHELL_JOB_STATUS, AISHELL_JOB_ROWS set)",
                                    "shell"});

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::atomic<Engine*> g_running_engine{nullptr};
void OnTerminate(int) {
  if (Engine* e = g_running_engine.load()) e->Cancel();
}

}  // namespace

QueryJobStore::QueryJobStore(std::string home) : root_(std::move(home) + "/jobs") {}

QueryJob QueryJobStore::Create(std::vector<std::string> statements, bool notify) {
  fs::create_directories(root_);
  for (int n = 1;; n++) {
    std::string id = std::to_string(n);
    if (::mkdir(dir(id).c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;
      throw Error(ErrorKind::kIo, "cannot create " + dir(id));
    }
    QueryJob job;
    job.id = id;
    job.statements = std::move(statements);
    job.status = "queued";
    job.submitted = Now();
    job.notify = notify;
    Save(job);
    return job;
  }
}

void QueryJobStore::Save(const QueryJob& job) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << job.id;
  out << YAML::Key << "statements" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : job.statements) out << YAML::Literal << s;
  out << YAML::EndSeq;
  out << YAML::Key << "status" << YAML::Value << job.status;
  out << YAML::Key << "pid" << YAML::Value << job.pid;
  out << YAML::Key << "submitted" << YAML::Value << job.submitted;
  out << YAML::Key << "started" << YAML::Value << job.started;
  out << YAML::Key << "ended" << YAML::Value << job.ended;
  out << YAML::Key << "seconds" << YAML::Value << job.seconds;
  out << YAML::Key << "rows" << YAML::Value << job.rows;
  out << YAML::Key << "error" << YAML::Value << YAML::DoubleQuoted << job.error;
  out << YAML::Key << "notify" << YAML::Value << job.notify;
  out << YAML::Key << "notified" << YAML::Value << job.notified;
  out << YAML::EndMap;
  std::string path = dir(job.id) + "/job.yaml";
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) throw Error(ErrorKind::kIo, "cannot write " + tmp);
    std::fputs(out.c_str(), f);
    std::fputc('\n', f);
    std::fflush(f);
    ::fsync(fileno(f));
    std::fclose(f);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorKind::kIo, "cannot replace " + path);
}

std::optional<QueryJob> QueryJobStore::Find(const std::string& id) const {
  if (id.empty() || id.find('/') != std::string::npos || id[0] == '.') return std::nullopt;
  std::string path = dir(id) + "/job.yaml";
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  YAML::Node n;
  try {
    n = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kIo, "the job file " + path + " is damaged: " + e.msg);
  }
  QueryJob job;
  job.id = id;
  if (n["statements"])
    for (const auto& s : n["statements"]) job.statements.push_back(s.as<std::string>());
  job.status = n["status"].as<std::string>("");
  job.pid = n["pid"].as<int64_t>(0);
  job.submitted = n["submitted"].as<int64_t>(0);
  job.started = n["started"].as<int64_t>(0);
  job.ended = n["ended"].as<int64_t>(0);
  job.seconds = n["seconds"].as<double>(0);
  job.rows = n["rows"].as<int64_t>(0);
  job.error = n["error"].as<std::string>("");
  job.notify = n["notify"].as<bool>(false);
  job.notified = n["notified"].as<bool>(false);
  return Refresh(job);
}

QueryJob QueryJobStore::Refresh(QueryJob job) const {
  if (!job.finished() && job.pid > 0 && ::kill(static_cast<pid_t>(job.pid), 0) != 0 &&
      errno == ESRCH) {
    // Read again: the process may have finished between the two reads.
    job.status = "failed";
    job.error = "the background process (pid " + std::to_string(job.pid) + ") ended unexpectedly";
    if (job.ended == 0) job.ended = Now();
  }
  return job;
}

std::vector<QueryJob> QueryJobStore::List() const {
  std::vector<QueryJob> jobs;
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return jobs;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    if (auto job = Find(e.path().filename().string())) jobs.push_back(*job);
  }
  std::sort(jobs.begin(), jobs.end(), [](const QueryJob& a, const QueryJob& b) {
    return std::stoll("0" + a.id) < std::stoll("0" + b.id);
  });
  return jobs;
}

int RunQueryJob(Engine& engine, const QueryJobStore& store, const std::string& id,
                const std::string& notify_command) {
  auto found = store.Find(id);
  if (!found) throw Error(ErrorKind::kCatalog, "no job '" + id + "'");
  QueryJob job = *found;
  job.status = "running";
  job.pid = getpid();
  job.started = Now();
  store.Save(job);
  g_running_engine = &engine;
  signal(SIGTERM, OnTerminate);
  auto start = std::chrono::steady_clock::now();
  try {
    std::optional<QueryResult> kept;
    for (const auto& sql : job.statements) {
      QueryResult r = engine.Execute(sql);
      if (r.has_rows) kept = std::move(r);
    }
    if (kept) {
      ConfigStore(store.dir(id)).SaveLastResult(*kept, std::numeric_limits<int64_t>::max());
      job.rows = kept->row_count;
    }
    job.status = "done";
  } catch (const Error& e) {
    job.status = e.kind() == ErrorKind::kInterrupted ? "cancelled" : "failed";
    job.error = e.what();
  }
  g_running_engine = nullptr;
  job.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  job.ended = Now();
  // A cancel may have marked it already: keep "cancelled".
  if (auto now = store.Find(id); now && now->status == "cancelled") job.status = "cancelled";
  store.Save(job);
  if (!notify_command.empty()) {
    setenv("AISHELL_JOB_ID", job.id.c_str(), 1);
    setenv("AISHELL_JOB_STATUS", job.status.c_str(), 1);
    setenv("AISHELL_JOB_ROWS", std::to_string(job.rows).c_str(), 1);
    int rc = std::system(notify_command.c_str());
    (void)rc;
  }
  return job.status == "done" ? 0 : 1;
}

QueryJob CancelQueryJob(const QueryJobStore& store, const std::string& id) {
  auto found = store.Find(id);
  if (!found) throw Error(ErrorKind::kCatalog, "no job '" + id + "' (aishell jobs lists them)");
  QueryJob job = *found;
  if (job.finished())
    throw Error(ErrorKind::kExecution, "job " + id + " already ended (" + job.status + ")");
  pid_t pid = static_cast<pid_t>(job.pid);
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 20; i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto now = store.Find(id);
      if (now && now->finished()) return *now;
    }
    ::kill(pid, SIGKILL);
  }
  job.status = "cancelled";
  job.error = "cancelled by aishell jobs cancel";
  job.ended = Now();
  store.Save(job);
  return job;
}

}  // namespace aishell
