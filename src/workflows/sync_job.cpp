#include "workflows/sync_job.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "workflows/cron_schedule.h"

namespace aishell {

namespace fs = std::filesystem;

SyncTableRef SyncTableRef::Parse(const std::string& text, const std::string& what) {
  std::vector<std::string> parts;
  std::string cur;
  char close = 0;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (close) {
      if (c == close) {
        if (close == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cur += '"';
          i++;
          continue;
        }
        close = 0;
        continue;
      }
      cur += c;
    } else if (c == '"') {
      close = '"';
    } else if (c == '[') {
      close = ']';
    } else if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); });
  if (close || empty_part || parts.size() < 2 || parts.size() > 3) {
    throw Error(ErrorKind::kCatalog, "the " + what + " '" + text +
                                         "' is not a table name: write <connection>.<table> or "
                                         "<connection>.<schema>.<table> (e.g. users-db.users)");
  }
  SyncTableRef ref;
  ref.connection = parts[0];
  if (parts.size() == 3) ref.schema = parts[1];
  ref.table = parts.back();
  return ref;
}

std::string SyncTableRef::ToString() const {
  return connection + "." + (schema.empty() ? "" : schema + ".") + table;
}

const char* SyncModeName(SyncMode mode) { return mode == SyncMode::kFull ? "full" : "incremental"; }

const char* UpsertConflictName(UpsertConflict conflict) {
  switch (conflict) {
    case UpsertConflict::kSourceWins:
      return "source_wins";
    case UpsertConflict::kTargetWins:
      return "target_wins";
    case UpsertConflict::kError:
      return "error";
  }
  return "?";
}

UpsertConflict ParseUpsertConflict(const std::string& text, const std::string& where) {
  std::string t = AsciiLower(text);
  std::replace(t.begin(), t.end(), '-', '_');
  if (t == "source_wins") return UpsertConflict::kSourceWins;
  if (t == "target_wins") return UpsertConflict::kTargetWins;
  if (t == "error") return UpsertConflict::kError;
  throw Error(ErrorKind::kConversion, where + ": unknown conflict resolution '" + text +
                                          "' (use source_wins, target_wins or error)");
}

SyncMode ParseSyncMode(const std::string& text, const std::string& where) {
  std::string t = AsciiLower(text);
  if (t == "full") return SyncMode::kFull;
  if (t == "incremental") return SyncMode::kIncremental;
  throw Error(ErrorKind::kConversion,
              where + ": unknown sync mode '" + text + "' (use full or incremental)");
}

std::string SyncJobNameFrom(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      out += AsciiLowerChar(c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "sync-job" : out;
}

namespace {

[[noreturn]] void YamlError(const std::string& where, const YAML::Node& node,
                            const std::string& message) {
  std::string at = where;
  if (node.Mark().line >= 0) at += ":" + std::to_string(node.Mark().line + 1);
  throw Error(ErrorKind::kConversion, at + ": " + message);
}

std::string Scalar(const std::string& where, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) YamlError(where, node, "'" + key + "' needs a single value");
  return node.as<std::string>();
}

std::vector<std::string> StringList(const std::string& where, const YAML::Node& node,
                                    const std::string& key) {
  std::vector<std::string> out;
  if (node.IsScalar()) {  // "a, b"
    std::stringstream in(node.as<std::string>());
    std::string item;
    while (std::getline(in, item, ',')) {
      item = TrimSpace(item);
      if (!item.empty()) out.push_back(item);
    }
    return out;
  }
  if (!node.IsSequence()) YamlError(where, node, "'" + key + "' needs a list, e.g. [a, b]");
  for (const auto& item : node) out.push_back(Scalar(where, item, key));
  return out;
}

void CheckKeys(const std::string& where, const YAML::Node& map, const std::set<std::string>& known,
               const std::string& section) {
  if (!map.IsMap()) YamlError(where, map, "'" + section + "' needs a map of settings");
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (!known.count(key)) {
      std::string hint = SuggestName(key, std::vector<std::string>(known.begin(), known.end()));
      YamlError(where, kv.first,
                "unknown key '" + key + "' in " + section +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
}

// "users-db (PostgreSQL)" -> "users-db".
std::string DatabaseName(const std::string& text) {
  std::string t = TrimSpace(text);
  if (auto p = t.find(" ("); p != std::string::npos) t = TrimSpace(t.substr(0, p));
  return t;
}

}  // namespace

SyncJob ParseSyncJobYaml(const std::string& text, const std::string& where) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kConversion,
                where + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (root.IsMap() && root["sync_job"]) root = root["sync_job"];
  if (!root.IsMap()) YamlError(where, root, "a sync job file holds a map under 'sync_job:'");
  CheckKeys(where, root,
            {"name", "source", "destination", "target", "mode", "sync_key", "schedule",
             "transforms", "conflict_resolution", "monitoring", "key"},
            "sync_job");
  SyncJob job;
  if (root["name"]) job.title = Scalar(where, root["name"], "name");
  auto endpoint = [&](const char* key, SyncTableRef& ref, bool is_source) {
    YAML::Node n = root[key];
    if (!n) return false;
    CheckKeys(where, n,
              {"database", "connection", "schema", "table", "collection", "columns", "key"}, key);
    YAML::Node db = n["database"] ? n["database"] : n["connection"];
    if (!db) YamlError(where, n, std::string("'") + key + "' needs 'database: <connection>'");
    ref.connection = DatabaseName(Scalar(where, db, "database"));
    if (n["schema"]) ref.schema = Scalar(where, n["schema"], "schema");
    YAML::Node table = n["table"] ? n["table"] : n["collection"];
    if (!table) YamlError(where, n, std::string("'") + key + "' needs 'table:' (or 'collection:')");
    ref.table = Scalar(where, table, "table");
    if (n["columns"]) {
      if (!is_source) YamlError(where, n["columns"], "'columns' belongs under 'source'");
      job.columns = StringList(where, n["columns"], "columns");
    }
    if (n["key"]) job.key = Scalar(where, n["key"], "key");
    return true;
  };
  if (!endpoint("source", job.source, true)) YamlError(where, root, "the job needs 'source:'");
  if (!endpoint("destination", job.target, false) && !endpoint("target", job.target, false))
    YamlError(where, root, "the job needs 'destination:'");
  if (root["mode"]) job.mode = ParseSyncMode(Scalar(where, root["mode"], "mode"), where);
  if (root["sync_key"]) job.sync_key = Scalar(where, root["sync_key"], "sync_key");
  if (root["key"]) job.key = Scalar(where, root["key"], "key");
  if (root["schedule"]) {
    job.schedule = Scalar(where, root["schedule"], "schedule");
    CronSchedule::Parse(job.schedule);
  }
  if (root["conflict_resolution"]) {
    job.conflict = ParseUpsertConflict(
        Scalar(where, root["conflict_resolution"], "conflict_resolution"), where);
  }
  if (YAML::Node t = root["transforms"]) {
    if (!t.IsSequence()) YamlError(where, t, "'transforms' needs a list of - rename/add_field/...");
    for (const auto& step : t) {
      CheckKeys(where, step, {"rename", "add_field", "exclude_fields", "exclude"}, "transforms");
      for (const auto& kv : step) {
        std::string kind = kv.first.as<std::string>();
        if (kind == "exclude_fields" || kind == "exclude") {
          for (auto& c : StringList(where, kv.second, kind)) job.excludes.push_back(c);
          continue;
        }
        if (!kv.second.IsMap()) YamlError(where, kv.second, "'" + kind + "' needs {from: to}");
        for (const auto& pair : kv.second) {
          std::string a = pair.first.as<std::string>();
          std::string b = Scalar(where, pair.second, kind);
          (kind == "rename" ? job.renames : job.add_fields).push_back({a, b});
        }
      }
    }
  }
  if (YAML::Node m = root["monitoring"]) {
    CheckKeys(where, m, {"alert_on_failure", "track_metrics"}, "monitoring");
    if (m["alert_on_failure"]) job.alert_on_failure = m["alert_on_failure"].as<bool>(true);
    if (m["track_metrics"]) job.track_metrics = m["track_metrics"].as<bool>(true);
  }
  job.name = SyncJobNameFrom(
      !job.title.empty() ? job.title : job.source.ToString() + "-to-" + job.target.ToString());
  return job;
}

SyncJob LoadSyncJobFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot read the sync job file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseSyncJobYaml(buf.str(), path);
}

std::string SyncJobToYaml(const SyncJob& job) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "sync_job" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted
      << (job.title.empty() ? job.name : job.title);
  auto endpoint = [&](const char* key, const SyncTableRef& ref, bool is_source) {
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "database" << YAML::Value << ref.connection;
    if (!ref.schema.empty()) out << YAML::Key << "schema" << YAML::Value << ref.schema;
    out << YAML::Key << "table" << YAML::Value << ref.table;
    if (is_source && !job.columns.empty())
      out << YAML::Key << "columns" << YAML::Value << YAML::Flow << job.columns;
    if (!is_source && !job.key.empty()) out << YAML::Key << "key" << YAML::Value << job.key;
    out << YAML::EndMap;
  };
  endpoint("source", job.source, true);
  endpoint("destination", job.target, false);
  out << YAML::Key << "mode" << YAML::Value << SyncModeName(job.mode);
  out << YAML::Key << "sync_key" << YAML::Value << job.sync_key;
  if (!job.schedule.empty())
    out << YAML::Key << "schedule" << YAML::Value << YAML::DoubleQuoted << job.schedule;
  if (!job.renames.empty() || !job.add_fields.empty() || !job.excludes.empty()) {
    out << YAML::Key << "transforms" << YAML::Value << YAML::BeginSeq;
    for (const auto& [a, b] : job.renames) {
      out << YAML::BeginMap << YAML::Key << "rename" << YAML::Value << YAML::Flow << YAML::BeginMap
          << YAML::Key << a << YAML::Value << b << YAML::EndMap << YAML::EndMap;
    }
    for (const auto& [a, b] : job.add_fields) {
      out << YAML::BeginMap << YAML::Key << "add_field" << YAML::Value << YAML::Flow
          << YAML::BeginMap << YAML::Key << a << YAML::Value << b << YAML::EndMap << YAML::EndMap;
    }
    if (!job.excludes.empty()) {
      out << YAML::BeginMap << YAML::Key << "exclude_fields" << YAML::Value << YAML::Flow
          << job.excludes << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "conflict_resolution" << YAML::Value << UpsertConflictName(job.conflict);
  out << YAML::Key << "monitoring" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "alert_on_failure" << YAML::Value << job.alert_on_failure;
  out << YAML::Key << "track_metrics" << YAML::Value << job.track_metrics;
  out << YAML::EndMap;
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

SyncJobStore::SyncJobStore(std::string home) : dir_(std::move(home) + "/sync") {}

std::vector<SyncJob> SyncJobStore::List() const {
  std::vector<SyncJob> jobs;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return jobs;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string f = e.path().filename().string();
    if (f.size() > 5 && f.ends_with(".yaml") && !f.ends_with(".state.yaml"))
      names.push_back(f.substr(0, f.size() - 5));
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (auto job = Find(n)) jobs.push_back(*job);
  }
  return jobs;
}

std::optional<SyncJob> SyncJobStore::Find(const std::string& name) const {
  std::string path = dir_ + "/" + name + ".yaml";
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  SyncJob job = LoadSyncJobFile(path);
  job.name = name;
  return job;
}

namespace {

void WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw Error(ErrorKind::kIo, "cannot write " + tmp);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      throw Error(ErrorKind::kIo, "cannot write " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorKind::kIo, "cannot replace " + path);
}

}  // namespace

void SyncJobStore::Save(const SyncJob& job) const {
  fs::create_directories(dir_);
  WriteFileAtomically(dir_ + "/" + job.name + ".yaml", SyncJobToYaml(job));
}

bool SyncJobStore::Delete(const std::string& name) const {
  std::error_code ec;
  bool removed = fs::remove(dir_ + "/" + name + ".yaml", ec);
  fs::remove(dir_ + "/" + name + ".state.yaml", ec);
  return removed;
}

SyncState SyncJobStore::LoadState(const std::string& name) const {
  SyncState s;
  std::string path = dir_ + "/" + name + ".state.yaml";
  std::error_code ec;
  if (!fs::exists(path, ec)) return s;
  YAML::Node n;
  try {
    n = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kIo, "the sync state " + path + " is damaged: " + e.msg);
  }
  if (n["watermark"] && !n["watermark"].IsNull()) s.watermark = n["watermark"].as<std::string>();
  s.watermark_type = n["watermark_type"].as<std::string>("");
  s.registered_at = n["registered_at"].as<int64_t>(0);
  s.last_run_start = n["last_run_start"].as<int64_t>(0);
  s.last_run_end = n["last_run_end"].as<int64_t>(0);
  s.last_slot = n["last_slot"].as<int64_t>(0);
  s.last_success = n["last_success"].as<int64_t>(0);
  s.last_status = n["last_status"].as<std::string>("");
  s.last_error = n["last_error"].as<std::string>("");
  s.last_rows = n["last_rows"].as<int64_t>(0);
  s.total_rows = n["total_rows"].as<int64_t>(0);
  s.runs = n["runs"].as<int64_t>(0);
  s.failures = n["failures"].as<int64_t>(0);
  return s;
}

void SyncJobStore::SaveState(const std::string& name, const SyncState& s) const {
  fs::create_directories(dir_);
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (s.watermark) {
    out << YAML::Key << "watermark" << YAML::Value << YAML::DoubleQuoted << *s.watermark;
    out << YAML::Key << "watermark_type" << YAML::Value << s.watermark_type;
  }
  out << YAML::Key << "registered_at" << YAML::Value << s.registered_at;
  out << YAML::Key << "last_run_start" << YAML::Value << s.last_run_start;
  out << YAML::Key << "last_run_end" << YAML::Value << s.last_run_end;
  out << YAML::Key << "last_slot" << YAML::Value << s.last_slot;
  out << YAML::Key << "last_success" << YAML::Value << s.last_success;
  out << YAML::Key << "last_status" << YAML::Value << s.last_status;
  out << YAML::Key << "last_error" << YAML::Value << YAML::DoubleQuoted << s.last_error;
  out << YAML::Key << "last_rows" << YAML::Value << s.last_rows;
  out << YAML::Key << "total_rows" << YAML::Value << s.total_rows;
  out << YAML::Key << "runs" << YAML::Value << s.runs;
  out << YAML::Key << "failures" << YAML::Value << s.failures;
  out << YAML::EndMap;
  WriteFileAtomically(dir_ + "/" + name + ".state.yaml", std::string(out.c_str()) + "\n");
}

}  // namespace aishell
