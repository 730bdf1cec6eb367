#include "engine/schema_cache_file.h"

#include <simdjson.h>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "engine/config_store.h"

namespace aishell {

namespace {

std::string TableKey(const std::string& schema, const std::string& table) {
  return AsciiLower(schema) + "." + AsciiLower(table);
}

bool SameColumns(const TableInfo& a, const TableInfo& b) {
  if (a.schema != b.schema || a.name != b.name || a.columns.size() != b.columns.size())
    return false;
  for (size_t i = 0; i < a.columns.size(); i++) {
    const auto& x = a.columns[i];
    const auto& y = b.columns[i];
    if (x.name != y.name || x.hidden != y.hidden || x.type.ToString() != y.type.ToString())
      return false;
  }
  return true;
}

std::string Text(simdjson::dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get_string().get(s)) return {};
  return std::string(s);
}

}  // namespace

void FileSchemaCache::LoadLocked() const {
  if (loaded_) return;
  loaded_ = true;
  std::optional<std::string> text;
  try {
    text = ReadFileIfExists(path_);
  } catch (const Error&) {
    return;  // unreadable: an empty cache (it is only a fallback)
  }
  if (!text) return;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(*text).get(root)) return;
  simdjson::dom::object catalogs;
  if (root["catalogs"].get_object().get(catalogs)) return;
  for (auto [name, value] : catalogs) {
    CatalogEntry entry;
    entry.type = Text(value, "type");
    entry.default_schema = Text(value, "default_schema");
    simdjson::dom::array tables;
    if (value["tables"].get_array().get(tables)) continue;
    for (auto t : tables) {
      auto info = std::make_shared<TableInfo>();
      info->schema = Text(t, "schema");
      info->name = Text(t, "name");
      simdjson::dom::array columns;
      if (info->name.empty() || t["columns"].get_array().get(columns)) continue;
      bool ok = true;
      for (auto c : columns) {
        ColumnInfo col;
        col.name = Text(c, "name");
        auto type = ParseTypeName(Text(c, "type"));
        if (col.name.empty() || !type) {
          ok = false;
          break;
        }
        col.type = *type;
        bool hidden = false;
        if (!c["hidden"].get_bool().get(hidden)) col.hidden = hidden;
        info->columns.push_back(std::move(col));
      }
      if (ok) entry.tables[TableKey(info->schema, info->name)] = info;
    }
    catalogs_[AsciiLower(std::string(name))] = std::move(entry);
  }
}

void FileSchemaCache::SaveLocked() const {
  std::string out = "{\"catalogs\": {";
  bool first_catalog = true;
  for (const auto& [name, entry] : catalogs_) {
    out += first_catalog ? "\n  " : ",\n  ";
    first_catalog = false;
    AppendJsonString(name, &out);
    out += ": {\"type\": ";
    AppendJsonString(entry.type, &out);
    out += ", \"default_schema\": ";
    AppendJsonString(entry.default_schema, &out);
    out += ", \"tables\": [";
    bool first_table = true;
    for (const auto& [key, info] : entry.tables) {
      out += first_table ? "\n    " : ",\n    ";
      first_table = false;
      out += "{\"schema\": ";
      AppendJsonString(info->schema, &out);
      out += ", \"name\": ";
      AppendJsonString(info->name, &out);
      out += ", \"columns\": [";
      for (size_t i = 0; i < info->columns.size(); i++) {
        const auto& c = info->columns[i];
        out += i ? ", {\"name\": " : "{\"name\": ";
        AppendJsonString(c.name, &out);
        out += ", \"type\": ";
        AppendJsonString(c.type.ToString(), &out);
        if (c.hidden) out += ", \"hidden\": true";
        out += "}";
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "\n}}\n";
  try {
    WriteFileAtomic(path_, out, 0600, /*durable=*/false);
  } catch (const Error&) {
    // Only a fallback: a home that cannot be written must not fail the query.
  }
}

void FileSchemaCache::Remember(const std::string& catalog, const std::string& connector_type,
                               const std::string& default_schema, const TableInfo& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  LoadLocked();
  auto& entry = catalogs_[AsciiLower(catalog)];
  std::string key = TableKey(table.schema, table.name);
  auto it = entry.tables.find(key);
  if (it != entry.tables.end() && SameColumns(*it->second, table) && entry.type == connector_type &&
      entry.default_schema == default_schema)
    return;
  auto info = std::make_shared<TableInfo>();
  info->schema = table.schema;
  info->name = table.name;
  info->location = table.location;
  info->columns = table.columns;
  for (auto& c : info->columns) c.comment.clear();
  entry.type = connector_type;
  entry.default_schema = default_schema;
  entry.tables[key] = std::move(info);
  SaveLocked();
}

std::shared_ptr<const TableInfo> FileSchemaCache::Recall(const std::string& catalog,
                                                         const std::string& schema,
                                                         const std::string& table) const {
  std::lock_guard<std::mutex> lock(mutex_);
  LoadLocked();
  auto c = catalogs_.find(AsciiLower(catalog));
  if (c == catalogs_.end()) return nullptr;
  auto t =
      c->second.tables.find(TableKey(schema.empty() ? c->second.default_schema : schema, table));
  return t == c->second.tables.end() ? nullptr : t->second;
}

std::string FileSchemaCache::ConnectorType(const std::string& catalog) const {
  std::lock_guard<std::mutex> lock(mutex_);
  LoadLocked();
  auto c = catalogs_.find(AsciiLower(catalog));
  return c == catalogs_.end() ? std::string() : c->second.type;
}

}  // namespace aishell
