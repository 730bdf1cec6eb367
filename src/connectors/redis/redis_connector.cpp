#include "connectors/redis/redis_connector.h"

#include <algorithm>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/redis/redis_pool.h"
#include "connectors/redis/redis_scan.h"
#include "connectors/redis/redis_table_inference.h"
#include "connectors/redis/redis_writer.h"
#include "formats/value_parser.h"

namespace aishell {

RedisConnector::RedisConnector(const ConnectionConfig& config)
    : name_(config.name), properties_(config.properties) {
  address_ = ParseRedisUrl(config.url, Where());
  auto number = [&](const char* key, int* out) {
    auto it = properties_.find(key);
    if (it == properties_.end()) return;
    int64_t n;
    if (!ParseBigIntText(it->second, &n) || n <= 0 || n > 1000000) {
      throw Error(ErrorKind::kConnector,
                  Where() + ": property " + key + "='" + it->second + "' is not a positive number");
    }
    *out = static_cast<int>(n);
  };
  number("sample_size", &sample_size_);
  number("lookup_batch_size", &lookup_batch_size_);
  number("scan_count", &scan_count_);
  ApplyRedisConnectionProperties(properties_, Where(), &address_);
  // Connect now: a wrong password or a server that is down fails here. The connection is kept.
  pool_ = std::make_shared<RedisPool>(address_, Where());
  pool_->Release(pool_->Acquire());
  // Declared tables: check the properties now (no server work; inferred tables wait for first use).
  for (const auto& [key, value] : properties_) {
    if (key.rfind("table.", 0) == 0) {
      LoadDefinitions();
      break;
    }
  }
}

RedisConnector::~RedisConnector() = default;

std::string RedisConnector::Where() const { return "redis source '" + name_ + "'"; }

void RedisConnector::LoadDefinitions() {
  if (loaded_) return;
  std::map<std::string, RedisTableDef> defs = DeclaredTables();
  ApplyTableOptions(defs);
  if (defs.empty()) {
    // Inferred: group sampled keys by pattern (numbers, UUIDs and hex ids become {id}).
    RespConnection conn(address_, Where());
    defs = InferRedisTables(conn, Where());
    ApplyInferredColumnTypes(defs);
  }
  for (auto& [k, d] : defs) entries_.push_back(Entry{std::move(d), nullptr});
  loaded_ = true;
}

// Declared tables (table.<name>=<pattern>) by lower-case name.
std::map<std::string, RedisTableDef> RedisConnector::DeclaredTables() const {
  std::map<std::string, RedisTableDef> defs;
  for (const auto& [key, value] : properties_) {
    if (key.rfind("table.", 0) == 0) {
      RedisTableDef d;
      d.name = key.substr(6);
      if (d.name.empty())
        throw Error(ErrorKind::kConnector, Where() + ": property '" + key + "' names no table");
      d.pattern_text = value;
      d.pattern = RedisKeyPattern::Parse(value, Where() + " table '" + d.name + "'");
      d.declared = true;
      defs[AsciiLower(d.name)] = std::move(d);
    }
  }
  return defs;
}

// format.<t>, ttl.<t> and column.<t>.<col> of declared tables (an undeclared <t> is an error when
// tables are declared; with none declared, column.* waits for the inferred tables).
void RedisConnector::ApplyTableOptions(std::map<std::string, RedisTableDef>& defs) const {
  for (const auto& [key, value] : properties_) {
    auto dot = key.find('.');
    if (dot == std::string::npos) continue;
    std::string kind = key.substr(0, dot);
    std::string rest = key.substr(dot + 1);
    if (kind != "format" && kind != "ttl" && kind != "column") continue;
    std::string table = kind == "column" ? rest.substr(0, rest.find('.')) : rest;
    auto it = defs.find(AsciiLower(table));
    if (it == defs.end()) {
      if (defs.empty()) continue;  // inferred tables: applied below by name
      throw Error(ErrorKind::kConnector,
                  Where() + ": property '" + key + "' names table '" + table +
                      "', which is not declared (declare it with --property table." + table +
                      "=<key pattern>)");
    }
    RedisTableDef& d = it->second;
    if (kind == "format") {
      if (!ParseRedisShape(value, &d.shape)) {
        throw Error(ErrorKind::kConnector,
                    Where() + ": property '" + key + "': unknown format '" + value +
                        "' (hash, json, string, zset, list, set, stream, hash_entries)");
      }
      d.shape_forced = true;
    } else if (kind == "ttl") {
      int64_t n;
      if (!ParseBigIntText(value, &n) || n <= 0) {
        throw Error(ErrorKind::kConnector, Where() + ": property '" + key + "': '" + value +
                                               "' is not a number of seconds");
      }
      d.ttl_seconds = n;
    } else {
      size_t cd = rest.find('.');
      if (cd == std::string::npos || cd + 1 >= rest.size()) {
        throw Error(ErrorKind::kConnector,
                    Where() + ": property '" + key + "' should be column.<table>.<column>");
      }
      auto type = ParseTypeName(value);
      if (!type)
        throw Error(ErrorKind::kConnector,
                    Where() + ": property '" + key + "': unknown type '" + value + "'");
      d.column_types[AsciiLower(rest.substr(cd + 1))] = *type;
    }
  }
}

// Overrides by name for inferred tables (column.<t>.<col> naming no table is ignored).
void RedisConnector::ApplyInferredColumnTypes(std::map<std::string, RedisTableDef>& defs) const {
  for (const auto& [key, value] : properties_) {
    if (key.rfind("column.", 0) != 0) continue;
    std::string rest = key.substr(7);
    size_t cd = rest.find('.');
    if (cd == std::string::npos) continue;
    auto it = defs.find(AsciiLower(rest.substr(0, cd)));
    auto type = ParseTypeName(value);
    if (it != defs.end() && type) it->second.column_types[AsciiLower(rest.substr(cd + 1))] = *type;
  }
}

RedisConnector::Entry* RedisConnector::FindEntry(const std::string& table) {
  LoadDefinitions();
  for (auto& e : entries_) {
    if (AsciiLower(e.def.name) == AsciiLower(table)) return &e;
  }
  return nullptr;
}

std::shared_ptr<const TableInfo> RedisConnector::Describe(Entry& entry) {
  if (entry.info) return entry.info;
  RespConnection conn(address_, Where());
  entry.info = DescribeRedisTable(conn, entry.def, sample_size_, scan_count_, Where());
  return entry.info;
}

std::vector<std::string> RedisConnector::ListSchemas() { return {"default"}; }

std::vector<std::string> RedisConnector::ListTables(const std::string& schema) {
  if (!schema.empty() && AsciiLower(schema) != "default") {
    throw Error(ErrorKind::kCatalog, Where() + ": no schema '" + schema + "' (it has 'default')");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  LoadDefinitions();
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.def.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<const TableInfo> RedisConnector::GetTable(const std::string& schema,
                                                          const std::string& table) {
  if (!schema.empty() && AsciiLower(schema) != "default") return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = FindEntry(table);
  if (!e) return nullptr;
  return Describe(*e);
}

RedisConnector::Entry& RedisConnector::EntryOf(const TableInfo& table) {
  Entry* e = FindEntry(table.name);
  if (!e) throw Error(ErrorKind::kCatalog, Where() + ": no table '" + table.name + "'");
  return *e;
}

std::unique_ptr<TableScan> RedisConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": CreateScan without a table");
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = &EntryOf(*table);
  Describe(*e);
  RedisScanSpec spec;
  spec.where = Where();
  spec.pool = pool_;
  spec.table = table;
  spec.def = e->def;
  spec.scan_count = scan_count_;
  spec.batch_keys = lookup_batch_size_;
  return std::make_unique<RedisScan>(std::move(spec));
}

std::unique_ptr<TableWriter> RedisConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                        const std::vector<int>& key_columns,
                                                        UpsertConflict conflict) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": UpsertInto without a table");
  std::string pattern;
  size_t placeholders = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* e = &EntryOf(*table);
    pattern = e->def.pattern_text;
    placeholders = e->def.pattern.placeholders.size();
  }
  std::vector<int> expected;
  for (size_t i = 0; i < placeholders; i++) expected.push_back(static_cast<int>(i));
  if (key_columns != expected) {
    std::string keys;
    for (int k : key_columns) keys += (keys.empty() ? "" : ", ") + table->columns[k].name;
    throw Error(ErrorKind::kUnsupported,
                Where() + ": table '" + table->name + "' is keyed by its key pattern '" + pattern +
                    "', not by " + keys + ": sync into it with --key naming the pattern's field");
  }
  if (conflict != UpsertConflict::kSourceWins) {
    throw Error(ErrorKind::kUnsupported,
                Where() + ": table '" + table->name +
                    "': a Redis write replaces each key, so only conflict source_wins is "
                    "supported (not " +
                    (conflict == UpsertConflict::kError ? "error" : "target_wins") + ")");
  }
  return InsertInto(std::move(table));
}

std::unique_ptr<TableWriter> RedisConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = &EntryOf(*table);
  if (!e->def.declared) {
    throw Error(ErrorKind::kUnsupported, Where() + ": table '" + table->name +
                                             "' was inferred; declare it with --property table." +
                                             table->name + "=<key pattern> to insert into it");
  }
  Describe(*e);
  if (e->def.shape != RedisShape::kHash && e->def.shape != RedisShape::kJson) {
    throw Error(ErrorKind::kUnsupported,
                Where() + ": INSERT into '" + table->name + "' (" + RedisShapeName(e->def.shape) +
                    " keys) is not supported: only hashes and JSON strings are written");
  }
  // A nested value (ROW, ARRAY, MAP) has no Redis form that reads back as the same type: refused
  // before anything is written, with the way that works (a JSON column).
  for (const auto& c : table->columns) {
    if (!c.type.IsNested()) continue;
    throw Error(ErrorKind::kUnsupported,
                Where() + ": table '" + table->name + "' column '" + c.name + "' is " +
                    c.type.ToString() + ": Redis keeps " +
                    (e->def.shape == RedisShape::kHash ? "a hash's fields as strings"
                                                       : "JSON members as JSON only") +
                    ", so a nested row cannot be written as it is. Declare the column as JSON "
                    "(--property column." +
                    table->name + "." + c.name + "=json) and write CAST(" + c.name +
                    " AS JSON); it reads back as the same JSON");
  }
  return std::make_unique<RedisTableWriter>(Where(), address_, table, e->def);
}

std::string RedisConnector::Summary() {
  RespConnection conn(address_, Where());
  RespView r = conn.Command({"INFO", "server"});
  std::string version;
  if (r.type() == RespType::kString) {
    std::string_view info = r.str();
    size_t p = info.find("redis_version:");
    if (p != std::string_view::npos) {
      size_t e = info.find_first_of("\r\n", p);
      version = std::string(info.substr(p + 14, e - p - 14));
    }
  }
  size_t n = ListTables("default").size();
  return "Redis " + version + ", " + address_.host + ":" + std::to_string(address_.port) + " db " +
         std::to_string(address_.db) + ", " + std::to_string(n) + " table(s)";
}

namespace {

std::string FormatTtl(int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " seconds";
  if (seconds < 2 * 3600) return std::to_string((seconds + 30) / 60) + " minutes";
  if (seconds < 2 * 86400) return std::to_string((seconds + 1800) / 3600) + " hours";
  return std::to_string((seconds + 43200) / 86400) + " days";
}

}  // namespace

SourceOverview RedisConnector::Overview(size_t max_objects) {
  SourceOverview o;
  o.engine = "Redis";
  o.object_kind = "Key patterns";
  o.row_word = "keys";
  RespConnection conn(address_, Where());
  RespView info = conn.Command({"INFO", "server"});
  if (info.type() == RespType::kString) {
    std::string_view text = info.str();
    size_t p = text.find("redis_version:");
    if (p != std::string_view::npos) {
      size_t e = text.find_first_of("\r\n", p);
      o.version = std::string(text.substr(p + 14, e - p - 14));
    }
  }
  RespView size = conn.Command({"DBSIZE"});
  if (size.type() == RespType::kInteger) o.total_keys = size.integer();
  std::vector<std::pair<std::string, std::string>> tables;  // name, glob
  {
    std::lock_guard<std::mutex> lock(mutex_);
    LoadDefinitions();
    for (const auto& e : entries_) tables.emplace_back(e.def.name, e.def.pattern.Glob());
  }
  // Each pattern: SCAN MATCH up to kScanCap keys visited (exact when the scan ends first, else
  // extrapolated from the share of the database visited), and the TTL of up to kTtlSample keys.
  constexpr int64_t kScanCap = 20000;
  constexpr size_t kTtlSample = 100;
  std::vector<int64_t> ttls;
  int64_t without_expiry = 0;
  for (const auto& [name, glob] : tables) {
    if (o.objects.size() >= max_objects) break;
    SourceObject obj;
    obj.schema = "default";
    obj.name = name + " (" + glob + ")";
    std::string cursor = "0";
    int64_t matched = 0, visited_calls = 0;
    std::vector<std::string> sample;
    bool done = false;
    while (visited_calls * 1000 < kScanCap) {
      RespView r = conn.Command({"SCAN", cursor, "MATCH", glob, "COUNT", "1000"});
      visited_calls++;
      if (!r.is_array() || r.size() != 2) break;
      RespView c = r.first();
      cursor = std::string(c.str());
      RespView keys = c.next();
      RespView k = keys.first();
      for (size_t i = 0; i < keys.size(); i++, k = k.next()) {
        matched++;
        if (sample.size() < kTtlSample) sample.emplace_back(k.str());
      }
      if (cursor == "0") {
        done = true;
        break;
      }
    }
    obj.rows = matched;
    if (!done && o.total_keys && *o.total_keys > 0) {
      double visited = std::min<double>(static_cast<double>(*o.total_keys),
                                        static_cast<double>(visited_calls) * 1000.0);
      obj.rows = static_cast<int64_t>(static_cast<double>(matched) *
                                      (static_cast<double>(*o.total_keys) / visited));
      obj.rows_estimated = true;
    }
    if (!sample.empty()) {
      std::vector<std::vector<std::string>> commands;
      for (const auto& key : sample) commands.push_back({"TTL", key});
      auto replies = conn.Pipeline(commands);
      for (auto& reply : replies) {
        if (reply.type() != RespType::kInteger) continue;
        int64_t t = reply.integer();
        if (t >= 0)
          ttls.push_back(t);
        else if (t == -1)
          without_expiry++;
      }
    }
    o.objects.push_back(std::move(obj));
  }
  int64_t sampled = static_cast<int64_t>(ttls.size()) + without_expiry;
  if (sampled > 0) {
    std::string fact;
    if (!ttls.empty()) {
      std::sort(ttls.begin(), ttls.end());
      fact = "TTL: " + FormatTtl(ttls[ttls.size() / 2]) + " median remaining (" +
             FormatTtl(ttls.front()) + " to " + FormatTtl(ttls.back()) + ")";
      if (without_expiry > 0) fact += "; " + std::to_string(without_expiry) + " without expiry";
    } else {
      fact = "TTL: none (no expiry on the keys)";
    }
    fact += ", over " + std::to_string(sampled) + " sampled keys";
    o.facts.push_back(fact);
  }
  return o;
}

void RegisterRedisConnector() {
  ConnectorFactory::Register("redis", {"redis", "rediss"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<RedisConnector>(config);
                             });
}

}  // namespace aishell
