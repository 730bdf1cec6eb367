#include "connectors/elasticsearch/elasticsearch_writer.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"

namespace aishell {

namespace {

std::string EsTypeFor(const LogicalType& t, const std::string& path,
                      std::vector<std::string>* arrays);

std::string PropertiesFor(const std::vector<std::string>& names,
                          const std::vector<LogicalType>& types, const std::string& prefix,
                          std::vector<std::string>* arrays) {
  std::string out = "{";
  for (size_t i = 0; i < names.size(); i++) {
    if (names[i] == "_id") continue;
    if (out.size() > 1) out += ',';
    std::string path = prefix.empty() ? names[i] : prefix + "." + names[i];
    out += JsonString(names[i]) + ":" + EsTypeFor(types[i], path, arrays);
  }
  return out + "}";
}

std::string EsTypeFor(const LogicalType& t, const std::string& path,
                      std::vector<std::string>* arrays) {
  auto simple = [](const char* type) { return std::string("{\"type\":\"") + type + "\"}"; };
  switch (t.id) {
    case TypeId::kBoolean:
      return simple("boolean");
    case TypeId::kTinyInt:
      return simple("byte");
    case TypeId::kSmallInt:
      return simple("short");
    case TypeId::kInteger:
      return simple("integer");
    case TypeId::kBigInt:
      return simple("long");
    case TypeId::kReal:
      return simple("float");
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return simple("double");
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "{\"type\":\"date\",\"format\":\"strict_date_optional_time||epoch_millis\"}";
    case TypeId::kRow:
      return "{\"properties\":" + PropertiesFor(t.FieldNames(), t.Children(), path, arrays) + "}";
    case TypeId::kArray: {
      const LogicalType& e = t.ElementType();
      if (e.id == TypeId::kRow)
        return "{\"type\":\"nested\",\"properties\":" +
               PropertiesFor(e.FieldNames(), e.Children(), path, arrays) + "}";
      arrays->push_back(path);
      return EsTypeFor(e, path, arrays);
    }
    case TypeId::kJson:
    case TypeId::kMap:
      return "{\"type\":\"object\",\"enabled\":false}";
    default:
      return simple("keyword");
  }
}

void AppendValue(const Value& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  const LogicalType& t = v.type();
  switch (t.id) {
    case TypeId::kBoolean:
      *out += v.GetBool() ? "true" : "false";
      return;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      *out += std::to_string(v.GetInt64());
      return;
    case TypeId::kReal:
    case TypeId::kDouble: {
      double d = v.GetDouble();
      if (!std::isfinite(d)) {
        *out += "null";  // Elasticsearch has no NaN or infinity in JSON
        return;
      }
      char buf[40];
      auto r = std::to_chars(buf, buf + sizeof(buf), d);
      out->append(buf, r.ptr);
      return;
    }
    case TypeId::kDecimal:
      *out += v.ToString();
      return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t micros = v.GetInt64();
      int32_t days = TimestampDays(micros);
      int64_t in_day = micros - static_cast<int64_t>(days) * kMicrosPerDay;
      CivilDate d = CivilFromDays(days);
      char buf[64];
      int64_t us = in_day % 1000000;
      int64_t secs = in_day / 1000000;
      snprintf(buf, sizeof(buf), "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"", d.year, d.month, d.day,
               static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
               static_cast<int>(secs % 60), static_cast<int>(us));
      *out += buf;
      return;
    }
    case TypeId::kDate:
      AppendJsonString(FormatDate(static_cast<int32_t>(v.GetInt64())), out);
      return;
    case TypeId::kJson:
      *out += v.GetString();
      return;
    case TypeId::kArray:
      *out += '[';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendValue(v.Children()[i], out);
      }
      *out += ']';
      return;
    case TypeId::kRow: {
      *out += '{';
      const auto& names = t.FieldNames();
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendJsonString(names[i], out);
        *out += ':';
        AppendValue(v.Children()[i], out);
      }
      *out += '}';
      return;
    }
    case TypeId::kMap: {
      *out += '{';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendJsonString(v.Children()[i].ToString(), out);
        *out += ':';
        AppendValue(v.MapValues()[i], out);
      }
      *out += '}';
      return;
    }
    default:
      AppendJsonString(v.ToString(), out);
      return;
  }
}

}  // namespace

std::string EsMappingFor(const std::vector<ColumnInfo>& columns) {
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  for (const auto& c : columns) {
    names.push_back(c.name);
    types.push_back(c.type);
  }
  std::vector<std::string> arrays;
  std::string props = PropertiesFor(names, types, "", &arrays);
  std::string meta = "{\"aishell\":{\"arrays\":[";
  for (size_t i = 0; i < arrays.size(); i++) meta += (i ? "," : "") + JsonString(arrays[i]);
  meta += "]}}";
  return "{\"mappings\":{\"dynamic\":false,\"_meta\":" + meta + ",\"properties\":" + props + "}}";
}

EsWriter::EsWriter(EsWriterSpec spec) : spec_(std::move(spec)) {
  for (size_t i = 0; i < spec_.columns.size(); i++) {
    if (spec_.columns[i].name == "_id") id_column_ = static_cast<int>(i);
  }
  if (spec_.key_column >= 0) key_column_ = spec_.key_column;
  if (id_column_ >= 0 && spec_.columns[id_column_].type.id != TypeId::kVarchar &&
      !spec_.columns[id_column_].type.IsIntegral())
    throw Error(ErrorKind::kUnsupported, spec_.where + ": index '" + spec_.index +
                                             "': the _id column must be VARCHAR or an integer");
}

EsWriter::~EsWriter() {
  if (!finished_) {
    try {
      Abort();
    } catch (...) {
    }
  }
}

void EsWriter::Append(const Batch& batch) {
  size_t columns = std::min(batch.ColumnCount(), spec_.columns.size());
  for (size_t r = 0; r < batch.count; r++) {
    std::string id;
    if (id_column_ >= 0) {
      // A NULL _id (an INSERT that names no _id): Elasticsearch gives the document one.
      Value v = batch.columns[id_column_].GetValue(r);
      if (!v.is_null())
        id = v.type().id == TypeId::kVarchar ? v.GetString() : std::to_string(v.GetInt64());
    }
    if (key_column_ >= 0) {
      Value v = batch.columns[key_column_].GetValue(r);
      if (v.is_null()) {
        throw Error(ErrorKind::kConversion, spec_.where + ": index '" + spec_.index + "': key " +
                                                spec_.columns[key_column_].name +
                                                " is NULL in row " +
                                                std::to_string(written_ + pending_items_ + 1));
      }
      id = v.type().id == TypeId::kVarchar ? v.GetString() : v.ToString();
    }
    pending_ += std::string(spec_.keep_existing ? "{\"create\"" : "{\"index\"") +
                ":{\"_index\":" + JsonString(spec_.index);
    if (!id.empty()) pending_ += ",\"_id\":" + JsonString(id);
    pending_ += "}}\n{";
    bool first = true;
    for (size_t c = 0; c < columns; c++) {
      if (static_cast<int>(c) == id_column_) continue;
      Value v = batch.columns[c].GetValue(r);
      if (v.is_null()) continue;  // a missing field reads back as NULL
      if (!first) pending_ += ',';
      first = false;
      AppendJsonString(spec_.columns[c].name, &pending_);
      pending_ += ':';
      AppendValue(v, &pending_);
    }
    pending_ += "}\n";
    pending_items_++;
    if (pending_.size() >= spec_.flush_bytes) Flush();
  }
}

void EsWriter::Flush() {
  if (pending_items_ == 0) return;
  EsResponse r = spec_.client->Request("POST", "/_bulk", "writing to index '" + spec_.index + "'",
                                       pending_, "application/x-ndjson");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(r.body).get(root))
    throw Error(ErrorKind::kConnector,
                spec_.where + ": index '" + spec_.index + "': the _bulk answer is not JSON");
  simdjson::dom::array items;
  std::string failures;
  size_t failed = 0;
  if (!root["items"].get(items)) {
    size_t i = 0;
    for (simdjson::dom::element item : items) {
      simdjson::dom::element op;
      if (!item["index"].get(op) || !item["create"].get(op)) {
        simdjson::dom::element err;
        std::string_view err_type;
        bool kept = spec_.keep_existing && !op["error"].get(err) && !err["type"].get(err_type) &&
                    err_type == "version_conflict_engine_exception";
        if (!kept && !op["error"].get(err)) {
          failed++;
          if (failed <= 3) {
            std::string_view type, reason;
            if (err["type"].get(type)) type = "?";
            if (err["reason"].get(reason)) reason = "?";
            failures += "\n  item " + std::to_string(written_ + i + 1) + ": " + std::string(type) +
                        ": " + std::string(reason);
          }
        } else {
          // Only documents this write created are deleted by Abort (replaced ones stay replaced).
          std::string_view id, result;
          if (!op["_id"].get(id) && !op["result"].get(result) && result == "created")
            written_ids_.emplace_back(id);
        }
      }
      i++;
    }
  }
  if (failed > 0) {
    std::string replacing = spec_.alias.empty() ? std::string()
                                                : " (the replacement of '" + spec_.alias +
                                                      "', whose data is left as it was)";
    throw Error(ErrorKind::kConnector, spec_.where + ": index '" + spec_.index + "'" + replacing +
                                           ": " + std::to_string(failed) + " of " +
                                           std::to_string(pending_items_) +
                                           " document(s) were refused by _bulk" + failures +
                                           (failed > 3 ? "\n  ..." : ""));
  }
  written_ += static_cast<int64_t>(pending_items_);
  pending_.clear();
  pending_items_ = 0;
}

void EsWriter::Commit() {
  Flush();
  spec_.client->Request("POST", "/" + spec_.index + "/_refresh",
                        "refreshing index '" + spec_.index + "'");
  if (!spec_.alias.empty()) {
    // The atomic switch: readers of the name see the old index until this call, the new one after.
    spec_.client->Request("POST", "/_aliases",
                          "switching alias '" + spec_.alias + "' to index '" + spec_.index + "'",
                          "{\"actions\":" + spec_.swap_actions + "}");
    finished_ = true;
    for (const auto& old : spec_.delete_after) spec_.client->Send("DELETE", "/" + old);
    return;
  }
  finished_ = true;
}

void EsWriter::Abort() {
  if (finished_) return;
  finished_ = true;
  pending_.clear();
  pending_items_ = 0;
  if (spec_.create) {
    spec_.client->Send("DELETE", "/" + spec_.index);
    return;
  }
  // An INSERT: delete the documents written (replaced documents of an upsert stay replaced).
  std::string body;
  for (const auto& id : written_ids_) {
    body += "{\"delete\":{\"_index\":" + JsonString(spec_.index) + ",\"_id\":" + JsonString(id) +
            "}}\n";
  }
  if (!body.empty())
    spec_.client->Send("POST", "/_bulk?refresh=true", body, "application/x-ndjson");
}

}  // namespace aishell
