#include "workflows/table_cache.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/exception.h"
#include "engine/result_format.h"

namespace aishell {

namespace fs = std::filesystem;

namespace {

std::string CacheDir(const std::string& home) { return home + "/cache/tables"; }

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void SaveIndex(const std::string& home, const std::vector<CachedTableEntry>& entries) {
  YAML::Emitter out;
  out << YAML::BeginSeq;
  for (const auto& e : entries) {
    out << YAML::BeginMap;
    out << YAML::Key << "catalog" << YAML::Value << e.catalog;
    out << YAML::Key << "schema" << YAML::Value << e.schema;
    out << YAML::Key << "table" << YAML::Value << e.table;
    out << YAML::Key << "path" << YAML::Value << e.path;
    out << YAML::Key << "created_at" << YAML::Value << e.created_at;
    out << YAML::Key << "ttl_seconds" << YAML::Value << e.ttl_seconds;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  std::string path = CacheDir(home) + "/index.yaml";
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out.c_str() << "\n";
    if (!f) throw Error(ErrorKind::kIo, "cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

}  // namespace

std::vector<CachedTableEntry> ListTableCache(const std::string& home) {
  std::vector<CachedTableEntry> out;
  std::string path = CacheDir(home) + "/index.yaml";
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  YAML::Node n;
  try {
    n = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kIo, "the table cache index " + path + " is damaged: " + e.msg);
  }
  if (!n.IsSequence()) return out;
  for (const auto& item : n) {
    CachedTableEntry e;
    e.catalog = item["catalog"].as<std::string>("");
    e.schema = item["schema"].as<std::string>("");
    e.table = item["table"].as<std::string>("");
    e.path = item["path"].as<std::string>("");
    e.created_at = item["created_at"].as<int64_t>(0);
    e.ttl_seconds = item["ttl_seconds"].as<int64_t>(0);
    if (!e.catalog.empty() && !e.table.empty() && !e.path.empty()) out.push_back(e);
  }
  return out;
}

void LoadTableCache(const std::string& home, CatalogRegistry& catalogs) {
  for (const auto& e : ListTableCache(home)) catalogs.PutCachedTable(e);
}

TableCacheResult CacheTable(Engine& engine, const std::string& home, const SyncTableRef& ref,
                            int64_t ttl_seconds) {
  std::shared_ptr<Connector> connector;
  try {
    connector = engine.catalogs().GetCatalog(ref.connection);
  } catch (const Error& e) {
    throw Error(e.kind(), "sync --cache " + ref.ToString() + ": " + e.what());
  }
  std::string schema = ref.schema.empty() ? connector->DefaultSchema() : ref.schema;
  auto info = connector->GetTable(schema, ref.table);
  if (!info) {
    auto tables = connector->ListTables(schema);
    std::string hint = SuggestName(ref.table, tables);
    throw Error(ErrorKind::kCatalog, "sync --cache " + ref.ToString() + ": no such table in " +
                                         ref.connection + "." + schema +
                                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  // Read the source itself, not the copy being replaced.
  engine.catalogs().RemoveCachedTable(ref.connection, schema, info->name);
  QueryResult result = engine.Execute("SELECT * FROM " + QuoteIdent(ref.connection) + "." +
                                      QuoteIdent(schema) + "." + QuoteIdent(info->name));
  fs::create_directories(CacheDir(home));
  TableCacheResult out;
  out.entry.catalog = ref.connection;
  out.entry.schema = schema;
  out.entry.table = info->name;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  out.entry.path = CacheDir(home) + "/" + ref.connection + "." + schema + "." + info->name + "." +
                   std::to_string(now) + ".parquet";
  out.entry.created_at = now;
  out.entry.ttl_seconds = ttl_seconds;
  WriteParquetFile(out.entry.path, result.columns, result.batches);
  out.rows = result.row_count;
  std::error_code ec;
  out.bytes = static_cast<int64_t>(fs::file_size(out.entry.path, ec));
  std::vector<CachedTableEntry> entries = ListTableCache(home);
  std::vector<std::string> old_paths;
  std::erase_if(entries, [&](const CachedTableEntry& e) {
    bool same = e.catalog == out.entry.catalog && e.schema == out.entry.schema &&
                e.table == out.entry.table;
    if (same) old_paths.push_back(e.path);
    return same;
  });
  entries.push_back(out.entry);
  SaveIndex(home, entries);
  for (const auto& p : old_paths)
    if (p != out.entry.path) fs::remove(p, ec);
  engine.catalogs().PutCachedTable(out.entry);
  return out;
}

}  // namespace aishell
