#include "connectors/iceberg/iceberg_connector.h"

#include <simdjson.h>

#include <algorithm>

#include "catalog/catalog_registry.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/iceberg/iceberg_writer.h"
#include "formats/parquet/parquet_compression.h"

namespace aishell::iceberg {

namespace {

int64_t MetadataVersion(const std::string& name) {
  if (name.size() < 15 || name.substr(name.size() - 14) != ".metadata.json") return -1;
  size_t i = name[0] == 'v' ? 1 : 0;
  size_t start = i;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) i++;
  if (i == start || i - start > 15) return -1;
  return std::stoll(name.substr(start, i - start));
}

std::string BaseName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// schema.name-mapping.default: [{"field-id": 1, "names": ["id"]}, ...] (top level only).
std::map<std::string, int> ParseNameMapping(const std::string& json) {
  std::map<std::string, int> out;
  simdjson::dom::parser parser;
  simdjson::dom::array arr;
  if (parser.parse(json).get(arr) != simdjson::SUCCESS) return out;
  for (auto e : arr) {
    simdjson::dom::object o;
    if (e.get(o) != simdjson::SUCCESS) continue;
    int64_t id;
    if (o["field-id"].get(id) != simdjson::SUCCESS) continue;
    simdjson::dom::array names;
    if (o["names"].get(names) != simdjson::SUCCESS) continue;
    for (auto n : names) {
      std::string_view s;
      if (n.get(s) == simdjson::SUCCESS) out[AsciiLower(std::string(s))] = static_cast<int>(id);
    }
  }
  return out;
}

std::optional<int64_t> AsOfMillis(const Value& v) {
  switch (v.type().id) {
    case TypeId::kDate:
      return v.GetInt64() * 86400000LL;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t us = v.GetInt64();
      return us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    }
    case TypeId::kVarchar: {
      auto ts = ParseTimestamp(v.GetString());
      if (!ts) return std::nullopt;
      return *ts / 1000;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string FindCurrentMetadataFile(FileSystem& fs, const std::string& meta_dir) {
  std::string hint_path = JoinPath(meta_dir, "version-hint.text");
  if (fs.Exists(hint_path)) {
    std::string hint = fs.OpenForRead(hint_path)->ReadAll();
    while (!hint.empty() && std::isspace(static_cast<unsigned char>(hint.back()))) hint.pop_back();
    if (!hint.empty() && std::all_of(hint.begin(), hint.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      std::string candidate = JoinPath(meta_dir, "v" + hint + ".metadata.json");
      if (fs.Exists(candidate)) return candidate;
    }
  }
  std::string best;
  int64_t best_version = -1, best_mtime = 0;
  for (const auto& f : fs.List(meta_dir, false)) {
    int64_t v = MetadataVersion(BaseName(f.path));
    if (v < 0) continue;
    if (v > best_version || (v == best_version && f.mtime_ns > best_mtime)) {
      best_version = v;
      best = f.path;
      best_mtime = f.mtime_ns;
    }
  }
  return best;
}

std::string IcebergTableState::Resolve(const std::string& path) const {
  if (moved_from.empty()) return path;
  for (const std::string& p : {path, StripFileScheme(path)}) {
    for (const std::string& from : {moved_from, StripFileScheme(moved_from)}) {
      if (p.size() >= from.size() && p.compare(0, from.size(), from) == 0 &&
          (p.size() == from.size() || p[from.size()] == '/')) {
        return moved_to + p.substr(from.size());
      }
    }
  }
  return path;
}

std::shared_ptr<IcebergTableState> MakeTableState(
    const std::string& display_name, const std::string& schema_name, const std::string& table_name,
    const std::string& metadata_location, const std::string& metadata_json,
    const StorageOptions& storage, std::optional<int64_t> snapshot_id,
    std::optional<int64_t> as_of_ms) {
  auto st = std::make_shared<IcebergTableState>();
  st->display_name = display_name;
  st->metadata_location = metadata_location;
  st->storage = storage;
  st->metadata = ParseTableMetadata(metadata_json, display_name + ": " + metadata_location);
  const TableMetadata& m = st->metadata;
  const Snapshot* snap = nullptr;
  bool time_travel = snapshot_id || as_of_ms;
  if (snapshot_id) {
    snap = m.SnapshotById(*snapshot_id);
    if (!snap) {
      throw Error(ErrorKind::kCatalog,
                  display_name + ": no snapshot with id " + std::to_string(*snapshot_id));
    }
  } else if (as_of_ms) {
    snap = m.SnapshotAsOf(*as_of_ms);
    if (!snap) {
      throw Error(ErrorKind::kCatalog, display_name + ": no snapshot at or before " +
                                           FormatTimestampTz(*as_of_ms * 1000));
    }
  } else {
    snap = m.CurrentSnapshot();
  }
  if (snap) st->snapshot_id = snap->snapshot_id;
  // Time travel reads with the snapshot's schema; the current snapshot with the current schema.
  const IcebergSchema* schema = &m.CurrentSchema();
  if (time_travel && snap && snap->schema_id) {
    if (const IcebergSchema* s = m.SchemaById(*snap->schema_id)) schema = s;
  }
  st->schema = *schema;
  for (const auto& s : m.schemas) {
    for (const auto& [id, t] : s.all_types) st->all_types.emplace(id, t);
  }
  for (const auto& [id, t] : schema->all_types) st->all_types[id] = t;
  auto nm = m.properties.find("schema.name-mapping.default");
  if (nm != m.properties.end()) st->name_mapping = ParseNameMapping(nm->second);

  auto info = std::make_shared<TableInfo>();
  info->schema = schema_name;
  info->name = table_name;
  info->location = metadata_location;
  for (const auto& f : st->schema.fields) {
    ColumnInfo c;
    c.name = f.name;
    c.type = EngineType(f.type);
    c.nullable = !f.required;
    c.comment = f.doc;
    if (c.type.id == TypeId::kVarchar && f.type.id != IcebergTypeId::kString) {
      c.comment = "iceberg " + f.type.text + " read as text";
    }
    info->columns.push_back(c);
  }
  if (snap) {
    auto it = snap->summary.find("total-records");
    if (it != snap->summary.end()) {
      try {
        double rows = std::stod(it->second);
        auto del = snap->summary.find("total-position-deletes");
        if (del != snap->summary.end()) rows -= std::stod(del->second);
        info->stats.row_count = std::max(0.0, rows);
      } catch (...) {
      }
    }
  } else {
    info->stats.row_count = 0;
  }
  st->info = info;
  return st;
}

// ---------------------------------------------------------------------------------------------

IcebergConnector::IcebergConnector(const ConnectionConfig& config) : config_(config) {
  catalog_ = CreateIcebergCatalog(config_);
}

IcebergCatalog& IcebergConnector::catalog() { return *catalog_; }

std::string IcebergConnector::DefaultSchema() const {
  auto it = config_.properties.find("schema");
  if (it != config_.properties.end()) return it->second;
  return "default";
}

std::vector<std::string> IcebergConnector::ListSchemas() {
  std::vector<std::string> out;
  for (const auto& ns : catalog_->ListNamespaces()) out.push_back(JoinNamespace(ns));
  return out;
}

std::vector<std::string> IcebergConnector::ListTables(const std::string& schema) {
  std::vector<std::string> out;
  std::vector<TableIdentifier> ids;
  try {
    ids = catalog_->ListTables(SplitNamespace(schema));
  } catch (const Error& e) {
    // A REST namespace that does not exist (404 NoSuchNamespace) has no tables: CREATE TABLE
    // and sync then create it, as they do on the other catalogs.
    std::string message = e.what();
    if (message.find("HTTP 404") != std::string::npos &&
        message.find("NoSuchNamespace") != std::string::npos)
      return out;
    throw;
  }
  for (const auto& id : ids) out.push_back(id.name);
  return out;
}

std::string IcebergConnector::ChangeMarker(const TableInfo& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tables_.find(&table);
  if (it == tables_.end() || !it->second.state) return {};
  const auto& id = it->second.state->snapshot_id;
  return "snapshot " + (id ? std::to_string(*id) : std::string("none"));
}

std::shared_ptr<const TableInfo> IcebergConnector::Load(const std::string& schema,
                                                        const std::string& table,
                                                        std::optional<int64_t> snapshot_id,
                                                        std::optional<int64_t> as_of_ms,
                                                        const std::string& ref) {
  std::string base = table;
  std::string kind;
  auto dollar = table.find('$');
  if (dollar != std::string::npos) {
    base = table.substr(0, dollar);
    kind = AsciiLower(table.substr(dollar + 1));
    static const char* kKinds[] = {"snapshots", "history", "files", "manifests", "partitions"};
    if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
      throw Error(ErrorKind::kCatalog,
                  "iceberg table " + schema + "." + base + ": unknown metadata table '$" + kind +
                      "' (use $snapshots, $history, $files, $manifests or $partitions)");
    }
  }
  TableIdentifier id{SplitNamespace(schema), base};
  auto load = [&](const TableIdentifier& i) {
    return ref.empty() ? catalog_->LoadTable(i) : catalog_->LoadTableAtRef(i, ref);
  };
  auto loaded = load(id);
  if (!loaded) {
    // Names match case-insensitively.
    for (const auto& name : ListTables(schema)) {  // a missing namespace: none
      if (AsciiLower(name) == AsciiLower(base)) {
        id.name = name;
        loaded = load(id);
        break;
      }
    }
  }
  if (!loaded) {
    if (!ref.empty()) {
      throw Error(ErrorKind::kCatalog, "iceberg table " + id.ToString() +
                                           " does not exist at ref '" + ref + "' (" +
                                           catalog_->Describe() + ")");
    }
    return nullptr;
  }
  std::string display = "iceberg table " + id.ToString();
  auto state = MakeTableState(display, schema, id.name, loaded->metadata_location,
                              loaded->metadata_json, loaded->storage, snapshot_id, as_of_ms);
  std::shared_ptr<TableInfo> info = state->info;
  if (!kind.empty()) info = MetadataTableInfo(*state, kind, table);
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = tables_.begin(); it != tables_.end();) {
    if (it->second.info.expired())
      it = tables_.erase(it);
    else
      ++it;
  }
  tables_[info.get()] = Entry{info, state, kind};
  return info;
}

std::shared_ptr<const TableInfo> IcebergConnector::GetTable(const std::string& schema,
                                                            const std::string& table) {
  return Load(schema, table, std::nullopt, std::nullopt);
}

std::shared_ptr<const TableInfo> IcebergConnector::GetTableVersion(const std::string& schema,
                                                                   const std::string& table,
                                                                   bool is_timestamp,
                                                                   const Value& version) {
  if (is_timestamp) {
    auto ms = AsOfMillis(version);
    if (!ms) {
      throw Error(ErrorKind::kBinder,
                  "FOR TIMESTAMP AS OF needs a timestamp, got " + version.ToSqlLiteral());
    }
    return Load(schema, table, std::nullopt, ms);
  }
  if (version.type().id == TypeId::kVarchar && !version.is_null()) {
    // A Nessie ref: a branch, a tag, `<branch>@<hash>` or a commit hash.
    return Load(schema, table, std::nullopt, std::nullopt, version.GetString());
  }
  if (!version.type().IsIntegral()) {
    throw Error(ErrorKind::kBinder,
                "FOR VERSION AS OF needs a snapshot id (BIGINT) or, on a Nessie catalog, a ref "
                "name or commit hash, got " +
                    version.ToSqlLiteral());
  }
  return Load(schema, table, version.GetInt64(), std::nullopt);
}

std::unique_ptr<TableScan> IcebergConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  Entry entry;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(table.get());
    if (it != tables_.end()) entry = it->second;
  }
  if (!entry.state) {
    // Not one of ours (a copy): load the current version by name.
    auto info = GetTable(table->schema, table->name);
    if (!info) {
      throw Error(ErrorKind::kCatalog,
                  "iceberg table " + table->schema + "." + table->name + " no longer exists");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    entry = tables_[info.get()];
  }
  if (!entry.metadata_kind.empty()) {
    return CreateMetadataTableScan(entry.state, entry.metadata_kind, table);
  }
  return CreateIcebergScan(entry.state);
}

std::string IcebergConnector::Summary() {
  try {
    size_t tables = 0;
    auto namespaces = catalog_->ListNamespaces();
    for (const auto& ns : namespaces) tables += catalog_->ListTables(ns).size();
    return catalog_->Describe() + ", " + std::to_string(namespaces.size()) + " namespaces, " +
           std::to_string(tables) + " tables";
  } catch (const Error& e) {
    return catalog_->Describe();
  }
}

namespace {

// One Trino partitioning entry: "col", "day(col)", "bucket(col, 16)", "truncate(col, 4)".
PartitionRequest ParsePartitionEntry(const std::string& entry, int position) {
  auto trim = [](std::string v) {
    size_t b = v.find_first_not_of(" \t");
    size_t e = v.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  };
  auto bad = [&]() -> Error {
    return Error(ErrorKind::kBinder,
                 "iceberg: bad partitioning entry '" + entry +
                     "' (expected column, year(column), month(column), day(column) or "
                     "hour(column))",
                 position);
  };
  std::string text = trim(entry);
  PartitionRequest r;
  size_t open = text.find('(');
  if (open == std::string::npos) {
    if (text.empty() || text.find(')') != std::string::npos) throw bad();
    r.column = text;
    return r;
  }
  if (text.back() != ')') throw bad();
  r.transform = trim(text.substr(0, open));
  std::string args = text.substr(open + 1, text.size() - open - 2);
  size_t comma = args.find(',');
  r.column = trim(args.substr(0, comma));
  if (r.transform.empty() || r.column.empty()) throw bad();
  std::string lower = r.transform;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "bucket" || lower == "truncate") {
    throw Error(ErrorKind::kUnsupported,
                "iceberg: partition transform '" + lower + "' in '" + entry +
                    "' is not supported for writes (identity, year, month, day, hour)",
                position);
  }
  if (comma != std::string::npos) throw bad();
  return r;
}

IcebergWriteOptions WriteOptionsFromProperties(const std::vector<ColumnInfo>& columns,
                                               const std::vector<TableProperty>& properties) {
  IcebergWriteOptions options;
  for (const auto& p : properties) {
    std::string name = p.name;
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    if (name == "partitioning") {
      if (!p.is_array) {
        throw Error(ErrorKind::kBinder,
                    "iceberg: table property 'partitioning' must be an ARRAY of strings, e.g. "
                    "ARRAY['day(ts)', 'region']",
                    p.position);
      }
      for (size_t i = 0; i < p.values.size(); i++) {
        int pos = i < p.value_positions.size() ? p.value_positions[i] : p.position;
        PartitionRequest r = ParsePartitionEntry(p.values[i], pos);
        try {
          ResolvePartitionSpec(columns, {r});
        } catch (const Error& e) {
          throw Error(e.kind(), e.what(), pos);
        }
        options.partition_by.push_back(std::move(r));
      }
    } else if (name == "format") {
      std::string v = p.values.empty() ? std::string() : p.values.front();
      std::transform(v.begin(), v.end(), v.begin(), ::toupper);
      if (p.is_array || v != "PARQUET") {
        throw Error(ErrorKind::kUnsupported,
                    "iceberg: table property format must be 'PARQUET' (the only file format "
                    "written)",
                    p.value_positions.empty() ? p.position : p.value_positions.front());
      }
    } else {
      throw Error(
          ErrorKind::kUnsupported,
          "iceberg: unknown table property '" + p.name + "' (supported: partitioning, format)",
          p.position);
    }
  }
  return options;
}

}  // namespace

void IcebergConnector::CheckTableProperties(const std::vector<ColumnInfo>& columns,
                                            const std::vector<TableProperty>& properties) {
  WriteOptionsFromProperties(columns, properties);
}

std::unique_ptr<TableWriter> IcebergConnector::CreateTable(const std::string& schema,
                                                           const std::string& table,
                                                           const std::vector<ColumnInfo>& columns) {
  return CreateTableWithProperties(schema, table, columns, {});
}

std::unique_ptr<TableWriter> IcebergConnector::CreateTableWithProperties(
    const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns,
    const std::vector<TableProperty>& properties) {
  if (table.find('$') != std::string::npos) {
    throw Error(ErrorKind::kCatalog, "iceberg table " + schema + "." + table +
                                         ": cannot create a table whose name contains '$'");
  }
  IcebergWriteOptions options = WriteOptionsFromProperties(columns, properties);
  Namespace ns = SplitNamespace(schema);
  if (ns.empty()) throw Error(ErrorKind::kCatalog, "iceberg CREATE TABLE needs a namespace");
  bool exists = false;
  for (const auto& n : catalog_->ListNamespaces()) {
    if (n == ns) exists = true;
  }
  // The writer checks the columns (and that the table is new) first: a CTAS it rejects does not
  // leave a new namespace behind.
  auto writer =
      CreateIcebergTableWriter(catalog_, TableIdentifier{ns, table}, columns, std::move(options));
  if (!exists) catalog_->CreateNamespace(ns);
  return writer;
}

std::unique_ptr<TableWriter> IcebergConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (table->name.find('$') != std::string::npos) {
    throw Error(ErrorKind::kUnsupported, "iceberg table " + table->schema + "." + table->name +
                                             ": metadata tables are read-only");
  }
  auto read_list = [](const std::string& path,
                      const StorageOptions& storage) -> std::vector<ManifestListEntry> {
    std::string bytes;
    try {
      bytes = FileSystemForPath(path, storage)->OpenForRead(path)->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo, "cannot read manifest list " + path + ": " + e.what());
    }
    std::vector<ManifestListEntry> out;
    for (const auto& m : ReadManifestList(bytes, path)) {
      ManifestListEntry e;
      e.path = m.path;
      e.length = m.length;
      e.spec_id = m.spec_id;
      e.content = m.content;
      e.sequence_number = m.sequence_number;
      e.min_sequence_number = m.min_sequence_number;
      e.added_snapshot_id = m.added_snapshot_id;
      e.added_files = static_cast<int>(m.added_files);
      e.existing_files = static_cast<int>(m.existing_files);
      e.deleted_files = static_cast<int>(m.deleted_files);
      e.added_rows = m.added_rows;
      e.existing_rows = m.existing_rows;
      e.deleted_rows = m.deleted_rows;
      for (const auto& p : m.partitions) {
        ManifestListEntry::Summary sum;
        sum.contains_null = p.contains_null;
        sum.contains_nan = p.contains_nan;
        sum.lower = p.lower_bound;
        sum.upper = p.upper_bound;
        e.partitions.push_back(sum);
      }
      out.push_back(std::move(e));
    }
    return out;
  };
  return CreateIcebergAppendWriter(catalog_,
                                   TableIdentifier{SplitNamespace(table->schema), table->name},
                                   table->columns, read_list);
}

// ---------------------------------------------------------------------------------------------

namespace {

BoundTableFunction IcebergScanFunction(const std::vector<Value>& args,
                                       const std::map<std::string, Value>& named) {
  const char* fn = "iceberg_scan";
  if (args.size() != 1 || args[0].is_null() || args[0].type().id != TypeId::kVarchar) {
    throw Error(ErrorKind::kBinder,
                "iceberg_scan takes one argument, a table location or a metadata.json path "
                "(e.g. iceberg_scan('/warehouse/db/t'))");
  }
  static const char* kKnown =
      "snapshot_from_id, snapshot_from_timestamp, version, version_name_format, "
      "allow_moved_paths, metadata_compression_codec";
  std::optional<int64_t> snapshot_id, as_of_ms;
  std::string version, name_format = "v%s%s.metadata.json,%s%s.metadata.json", codec;
  bool allow_moved = false;
  auto text = [&](const std::string& key, const Value& v) {
    if (v.is_null()) {
      throw Error(ErrorKind::kBinder, std::string(fn) + ": " + key + " must not be NULL");
    }
    if (v.type().IsIntegral()) return std::to_string(v.GetInt64());
    if (v.type().id != TypeId::kVarchar) {
      throw Error(ErrorKind::kBinder,
                  std::string(fn) + ": " + key + " must be a string, got " + v.ToSqlLiteral());
    }
    return v.GetString();
  };
  for (const auto& [k, v] : named) {
    std::string key = AsciiLower(k);
    if (key == "snapshot_from_id") {
      if (!v.type().IsIntegral() || v.is_null()) {
        throw Error(ErrorKind::kBinder, std::string(fn) + ": " + key + " must be a snapshot id");
      }
      snapshot_id = v.GetInt64();
    } else if (key == "snapshot_from_timestamp") {
      as_of_ms = AsOfMillis(v);
      if (!as_of_ms) {
        throw Error(ErrorKind::kBinder, std::string(fn) + ": " + key + " must be a timestamp");
      }
    } else if (key == "version") {
      // DuckDB: the metadata version ('2' -> v2.metadata.json / 00002-...), or a file name.
      version = text(key, v);
    } else if (key == "version_name_format") {
      name_format = text(key, v);
    } else if (key == "metadata_compression_codec") {
      codec = AsciiLower(text(key, v));
      if (codec != "gzip" && codec != "none" && !codec.empty()) {
        throw Error(ErrorKind::kBinder, std::string(fn) + ": metadata_compression_codec '" + codec +
                                            "' is not supported (use 'gzip' or 'none')");
      }
      if (codec == "none") codec.clear();
    } else if (key == "allow_moved_paths") {
      if (v.type().id != TypeId::kBoolean || v.is_null()) {
        throw Error(ErrorKind::kBinder,
                    std::string(fn) + ": allow_moved_paths must be true or false");
      }
      allow_moved = v.GetBool();
    } else {
      throw Error(ErrorKind::kBinder,
                  std::string(fn) + ": unknown parameter '" + k + "' (known: " + kKnown + ")");
    }
  }
  std::string path = args[0].GetString();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  StorageOptions storage;
  auto fs = FileSystemForPath(path, storage);
  std::string metadata_location;
  std::string meta_dir = JoinPath(path, "metadata");
  std::string suffix = codec == "gzip" ? ".gz" : "";
  auto ends_with = [](const std::string& s, const std::string& e) {
    return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(path, ".json")) {
    metadata_location = path;
    if (!version.empty()) {
      throw Error(ErrorKind::kBinder, std::string(fn) +
                                          ": version applies to a table location, not to a "
                                          "metadata file (" +
                                          path + ")");
    }
  } else if (!version.empty() && version != "?") {
    std::vector<std::string> tried;
    if (ends_with(version, ".metadata.json")) {
      tried.push_back(version.find('/') != std::string::npos ? version
                                                             : JoinPath(meta_dir, version));
    } else {
      // version_name_format: comma-separated formats; the first %s is the version, the
      // second the compression suffix (".gz" with metadata_compression_codec => 'gzip').
      size_t start = 0;
      while (start <= name_format.size()) {
        size_t comma = name_format.find(',', start);
        if (comma == std::string::npos) comma = name_format.size();
        std::string f = name_format.substr(start, comma - start);
        start = comma + 1;
        if (f.empty()) continue;
        std::string name;
        int subs = 0;
        for (size_t i = 0; i < f.size(); i++) {
          if (f[i] == '%' && i + 1 < f.size() && f[i + 1] == 's') {
            name += subs++ == 0 ? version : suffix;
            i++;
          } else {
            name.push_back(f[i]);
          }
        }
        tried.push_back(JoinPath(meta_dir, name));
      }
      // pyiceberg and Java name files NNNNN-<uuid>: a bare number finds that one too.
      if (!version.empty() &&
          std::all_of(version.begin(), version.end(), [](char c) { return std::isdigit(c); })) {
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "%05lld-", std::stoll(version));
        for (const auto& f : fs->List(meta_dir, false)) {
          std::string base = BaseName(f.path);
          if (base.rfind(prefix, 0) == 0 && ends_with(base, suffix + ".metadata.json")) {
            tried.push_back(f.path);
          }
        }
      }
    }
    for (const auto& t : tried) {
      if (fs->Exists(t)) {
        metadata_location = t;
        break;
      }
    }
    if (metadata_location.empty()) {
      std::string list;
      for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
      throw Error(ErrorKind::kIo, std::string(fn) + ": no metadata file for version '" + version +
                                      "' (tried " + list + ")");
    }
  } else {
    metadata_location = FindCurrentMetadataFile(*fs, meta_dir);
    if (metadata_location.empty() && !suffix.empty()) {
      // Compressed metadata: the highest version among *.gz.metadata.json.
      int64_t best = -1;
      for (const auto& f : fs->List(meta_dir, false)) {
        std::string base = BaseName(f.path);
        if (!ends_with(base, ".gz.metadata.json")) continue;
        std::string plain = base.substr(0, base.size() - 17) + ".metadata.json";
        int64_t v = MetadataVersion(plain);
        if (v > best) {
          best = v;
          metadata_location = f.path;
        }
      }
    }
    if (metadata_location.empty()) {
      throw Error(ErrorKind::kIo, std::string(fn) + ": no Iceberg metadata under " + meta_dir +
                                      " (expected version-hint.text or *.metadata.json)");
    }
  }
  std::string json;
  try {
    json = fs->OpenForRead(metadata_location)->ReadAll();
  } catch (const Error& e) {
    throw Error(ErrorKind::kIo,
                std::string(fn) + ": cannot read metadata " + metadata_location + ": " + e.what());
  }
  if (json.size() >= 18 && static_cast<unsigned char>(json[0]) == 0x1f &&
      static_cast<unsigned char>(json[1]) == 0x8b) {
    // gzip (metadata_compression_codec => 'gzip', or a .gz.metadata.json found on its own);
    // the trailer holds the uncompressed size.
    uint32_t size = 0;
    for (int i = 0; i < 4; i++) {
      size |= static_cast<uint32_t>(static_cast<unsigned char>(json[json.size() - 4 + i]))
              << (8 * i);
    }
    std::string out(size, '\0');
    try {
      parquet::Decompress(parquet::Codec::kGzip, reinterpret_cast<const uint8_t*>(json.data()),
                          json.size(), reinterpret_cast<uint8_t*>(out.data()), out.size());
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo, std::string(fn) + ": cannot decompress metadata " +
                                      metadata_location + ": " + e.what());
    }
    json = std::move(out);
  }
  std::string name = BaseName(path);
  if (metadata_location == path) {
    // .../<table>/metadata/vN.metadata.json
    auto meta_dir = path.substr(0, path.find_last_of('/'));
    name = BaseName(meta_dir.substr(0, meta_dir.find_last_of('/')));
  }
  auto state = MakeTableState(std::string(fn) + "('" + path + "')", "", name, metadata_location,
                              json, storage, snapshot_id, as_of_ms);
  if (allow_moved) {
    // The table is now at `path` (or two levels above its metadata file).
    std::string root = path;
    if (ends_with(path, ".json")) {
      root = path.substr(0, path.find_last_of('/'));
      root = root.substr(0, root.find_last_of('/'));
    }
    std::string from = state->metadata.location;
    while (from.size() > 1 && from.back() == '/') from.pop_back();
    if (!from.empty() && StripFileScheme(from) != StripFileScheme(root)) {
      state->moved_from = from;
      state->moved_to = root;
    }
  }
  BoundTableFunction bound;
  bound.source_name = fn;
  bound.table = state->info;
  bound.scan = CreateIcebergScan(state);
  return bound;
}

}  // namespace

void RegisterIcebergConnector() {
  ConnectorFactory::Register("nessie", {},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<IcebergConnector>(config);
                             });
  ConnectorFactory::Register("iceberg", {"iceberg+http", "iceberg+https"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<IcebergConnector>(config);
                             });
  TableFunctionRegistry::Register("iceberg_scan", IcebergScanFunction);
}

}  // namespace aishell::iceberg
