#include "connectors/elasticsearch/elasticsearch_schema.h"

#include <simdjson.h>

#include "common/exception.h"
#include "common/type_names.h"

namespace aishell {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::vector<std::string> SplitFormats(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t bar = text.find("||", start);
    std::string part(
        text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (!part.empty()) out.push_back(part);
    if (bar == std::string_view::npos) break;
    start = bar + 2;
  }
  return out;
}

struct Builder {
  const std::set<std::string>& arrays;
  const std::string& where;
  const std::string& index;

  // Reads `properties` into `out` (merging into fields already there from another index).
  void ReadProperties(object properties, const std::string& prefix, const std::string& concrete,
                      std::vector<EsField>* out, std::map<std::string, std::string>* seen_in) {
    for (auto [key, value] : properties) {
      std::string name(key);
      std::string path = prefix.empty() ? name : prefix + "." + name;
      object def;
      if (value.get(def)) continue;
      EsField f;
      f.name = name;
      f.path = path;
      std::string_view type;
      object sub;
      if (!def["type"].get(type)) {
        f.es_type = std::string(type);
      } else if (!def["properties"].get(sub)) {
        f.es_type = "object";
      } else {
        continue;  // an empty object: nothing to read
      }
      if (f.es_type == "alias") continue;  // field aliases are views of other fields
      std::string_view format;
      if (!def["format"].get(format)) f.formats = SplitFormats(format);
      int64_t n;
      if (!def["ignore_above"].get(n)) f.ignore_above = static_cast<int>(n);
      std::string_view normalizer;
      if (!def["normalizer"].get(normalizer)) f.normalized = true;
      object multi;
      if (f.es_type == "text" && !def["fields"].get(multi)) {
        for (auto [sub_name, sub_def] : multi) {
          std::string_view sub_type;
          if (sub_def["type"].get(sub_type) || sub_type != "keyword") continue;
          std::string_view sub_normalizer;
          if (!sub_def["normalizer"].get(sub_normalizer)) continue;
          f.keyword_subfield = path + "." + std::string(sub_name);
          int64_t above;
          if (!sub_def["ignore_above"].get(above))
            f.subfield_ignore_above = static_cast<int>(above);
          break;
        }
      }
      if (f.es_type == "object" || f.es_type == "nested") {
        object props;
        if (!def["properties"].get(props))
          ReadProperties(props, path, concrete, &f.children, seen_in);
        if (f.children.empty()) continue;
      }
      Merge(std::move(f), concrete, out, seen_in);
    }
  }

  void Merge(EsField f, const std::string& concrete, std::vector<EsField>* out,
             std::map<std::string, std::string>* seen_in) {
    for (auto& existing : *out) {
      if (existing.name != f.name) continue;
      if (existing.es_type != f.es_type) {
        // keyword vs text and friends differ in what is pushed down: an error, as Trino's.
        throw Error(ErrorKind::kCatalog,
                    where + ": '" + index + "': field '" + f.path + "' is mapped as " +
                        existing.es_type + " in index " + (*seen_in)[f.path] + " but as " +
                        f.es_type + " in index " + concrete +
                        ": query the indices one at a time, or make their mappings agree");
      }
      for (auto& c : f.children) Merge(std::move(c), concrete, &existing.children, seen_in);
      if (existing.keyword_subfield != f.keyword_subfield) existing.keyword_subfield.clear();
      return;
    }
    (*seen_in)[f.path] = concrete;
    out->push_back(std::move(f));
  }

  void Type(EsField* f) {
    if (f->es_type == "object" || f->es_type == "nested") {
      std::vector<std::string> names;
      std::vector<LogicalType> types;
      for (auto& c : f->children) {
        Type(&c);
        names.push_back(c.name);
        types.push_back(c.type);
      }
      f->type = LogicalType::Row(names, types);
      if (f->es_type == "nested") {
        f->type = LogicalType::Array(f->type);
        f->is_array = true;
        return;
      }
    } else {
      f->type = EsScalarType(f->es_type);
    }
    if (arrays.count(f->path)) {
      f->is_array = true;
      f->type = LogicalType::Array(f->type);
    }
  }
};

}  // namespace

LogicalType EsScalarType(const std::string& t) {
  if (t == "keyword" || t == "text" || t == "match_only_text" || t == "constant_keyword" ||
      t == "wildcard" || t == "ip" || t == "version" || t == "search_as_you_type" ||
      t == "completion")
    return LogicalType(TypeId::kVarchar);
  if (t == "long") return LogicalType(TypeId::kBigInt);
  if (t == "integer") return LogicalType(TypeId::kInteger);
  if (t == "short") return LogicalType(TypeId::kSmallInt);
  if (t == "byte") return LogicalType(TypeId::kTinyInt);
  if (t == "double" || t == "scaled_float") return LogicalType(TypeId::kDouble);
  if (t == "float" || t == "half_float") return LogicalType(TypeId::kReal);
  if (t == "unsigned_long") return LogicalType::Decimal(20, 0);
  if (t == "boolean") return LogicalType(TypeId::kBoolean);
  if (t == "date" || t == "date_nanos") return LogicalType(TypeId::kTimestampTz);
  return LogicalType(TypeId::kJson);
}

std::shared_ptr<EsTable> BuildEsTable(const std::string& index, const std::string& mapping_json,
                                      const std::set<std::string>& declared_arrays,
                                      const std::string& where) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(mapping_json).get(root) || !root.is_object())
    throw Error(ErrorKind::kConnector, where + ": the mapping of '" + index + "' is not JSON");
  std::set<std::string> arrays = declared_arrays;
  auto table = std::make_shared<EsTable>();
  table->index = index;
  // First the arrays every index's _meta declares (written by aishell's CREATE TABLE AS).
  for (auto [concrete, body] : object(root)) {
    simdjson::dom::array listed;
    if (!body.at_pointer("/mappings/_meta/aishell/arrays").get(listed)) {
      for (element e : listed) {
        std::string_view s;
        if (!e.get(s)) arrays.insert(std::string(s));
      }
    }
  }
  Builder builder{arrays, where, index};
  std::map<std::string, std::string> seen_in;
  for (auto [concrete, body] : object(root)) {
    table->indices.emplace_back(concrete);
    object props;
    if (body.at_pointer("/mappings/properties").get(props)) continue;
    builder.ReadProperties(props, "", std::string(concrete), &table->fields, &seen_in);
  }
  for (auto& f : table->fields) builder.Type(&f);
  table->info = std::make_shared<TableInfo>();
  table->info->schema = "default";
  table->info->name = index;
  table->info->location = "elasticsearch index " + index;
  for (const auto& f : table->fields) {
    ColumnInfo c;
    c.name = f.name;
    c.type = f.type;
    c.comment = f.es_type;
    if (!f.keyword_subfield.empty()) c.comment += " (keyword sub-field " + f.keyword_subfield + ")";
    table->info->columns.push_back(c);
    table->columns.push_back(EsColumn{EsColumnKind::kField, &f});
  }
  auto hidden = [&](const char* name, LogicalType type, EsColumnKind kind, bool nullable) {
    for (const auto& f : table->fields) {
      if (f.name == name) return;  // a field of that name wins
    }
    ColumnInfo c;
    c.name = name;
    c.type = type;
    c.nullable = nullable;
    c.hidden = true;
    c.comment = "hidden";
    table->info->columns.push_back(c);
    table->columns.push_back(EsColumn{kind, nullptr});
  };
  hidden("_id", LogicalType(TypeId::kVarchar), EsColumnKind::kId, false);
  hidden("_score", LogicalType(TypeId::kReal), EsColumnKind::kScore, true);
  hidden("_source", LogicalType(TypeId::kJson), EsColumnKind::kSource, true);
  return table;
}

namespace {

void CollectArrays(element e, const std::string& prefix, std::set<std::string>* out) {
  object obj;
  if (e.get(obj)) return;
  for (auto [key, value] : obj) {
    std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    simdjson::dom::array arr;
    if (!value.get(arr)) {
      out->insert(path);
      for (element item : arr) CollectArrays(item, path, out);
    } else if (value.is_object()) {
      CollectArrays(value, path, out);
    }
  }
}

}  // namespace

std::set<std::string> ArrayPathsInSample(const std::string& search_json) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(search_json).get(root)) return out;
  simdjson::dom::array hits;
  if (root.at_pointer("/hits/hits").get(hits)) return out;
  for (element hit : hits) {
    element source;
    if (!hit["_source"].get(source)) CollectArrays(source, "", &out);
  }
  return out;
}

const EsField* FindEsField(const EsTable& table, const std::string& path) {
  const std::vector<EsField>* level = &table.fields;
  const EsField* found = nullptr;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    found = nullptr;
    for (const auto& f : *level) {
      if (f.name == part) found = &f;
    }
    if (!found) return nullptr;
    if (dot == std::string::npos) return found;
    level = &found->children;
    start = dot + 1;
  }
  return found;
}

}  // namespace aishell
