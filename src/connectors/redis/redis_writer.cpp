#include "connectors/redis/redis_writer.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/exception.h"
#include "common/json_text.h"

namespace aishell {

void RedisTableWriter::Append(const Batch& batch) {
  if (done_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
  const auto& cols = table_->columns;
  if (batch.ColumnCount() != cols.size()) {
    throw Error(ErrorKind::kInternal,
                where_ + ": insert batch has " + std::to_string(batch.ColumnCount()) +
                    " columns, table '" + table_->name + "' has " + std::to_string(cols.size()));
  }
  size_t ttl_col = cols.size() - 1;
  for (size_t r = 0; r < batch.count; r++) {
    row_number_++;
    std::string key = RowKey(batch, r);
    Value ttl_value = batch.columns[ttl_col].GetValue(r);
    int64_t ttl = ttl_value.is_null() ? def_.ttl_seconds : ttl_value.GetInt64();
    std::vector<Command> cmds;
    cmds.push_back({"DEL", key});
    if (def_.shape == RedisShape::kJson)
      cmds.push_back(JsonSet(batch, r, key));
    else
      cmds.push_back(HashSet(batch, r, key));
    if (ttl > 0) cmds.push_back({"EXPIRE", key, std::to_string(ttl)});
    rows_.push_back(std::move(cmds));
  }
}

std::string RedisTableWriter::RowError() const {
  return where_ + ": insert into '" + table_->name + "' row " + std::to_string(row_number_) + ": ";
}

std::string RedisTableWriter::RowKey(const Batch& batch, size_t r) const {
  const auto& cols = table_->columns;
  size_t np = def_.pattern.placeholders.size();
  Value key_value = batch.columns[cols.size() - 2].GetValue(r);
  if (!key_value.is_null()) {
    std::string key = key_value.GetString();
    std::vector<std::string_view> parts;
    if (!def_.pattern.Match(key, &parts)) {
      throw Error(ErrorKind::kConversion, RowError() + "_key '" + RedisShown(key) +
                                              "' does not fit the pattern '" + def_.pattern_text +
                                              "'");
    }
    return key;
  }
  std::vector<std::string> parts(np);
  for (size_t i = 0; i < np; i++) {
    Value v = batch.columns[i].GetValue(r);
    if (v.is_null()) {
      throw Error(ErrorKind::kConversion, RowError() + "key column '" + cols[i].name +
                                              "' is NULL (it makes the key '" + def_.pattern_text +
                                              "')");
    }
    parts[i] = v.ToString();
    if (parts[i].empty() || parts[i].find(':') != std::string::npos) {
      throw Error(ErrorKind::kConversion, RowError() + "key column '" + cols[i].name + "' value '" +
                                              RedisShown(parts[i]) + "' is empty or holds ':'");
    }
  }
  return def_.pattern.Compose(parts);
}

RedisTableWriter::Command RedisTableWriter::JsonSet(const Batch& batch, size_t r,
                                                    const std::string& key) const {
  const auto& cols = table_->columns;
  size_t np = def_.pattern.placeholders.size(), key_col = cols.size() - 2;
  std::string json = "{";
  bool first = true;
  for (size_t c = np; c < key_col; c++) {
    Value v = batch.columns[c].GetValue(r);
    if (!first) json += ",";
    first = false;
    AppendJsonString(cols[c].name, &json);
    json += ":";
    if (v.is_null()) {
      json += "null";
      continue;
    }
    switch (v.type().id) {
      case TypeId::kBoolean:
      case TypeId::kTinyInt:
      case TypeId::kSmallInt:
      case TypeId::kInteger:
      case TypeId::kBigInt:
      case TypeId::kDecimal:
      case TypeId::kJson:
        json += v.ToString();
        break;
      case TypeId::kReal:
      case TypeId::kDouble: {
        double d = v.GetDouble();
        if (std::isfinite(d))
          json += fmt::format("{}", d);
        else
          json += "null";
        break;
      }
      default:
        AppendJsonString(v.ToString(), &json);
    }
  }
  json += "}";
  return {"SET", key, json};
}

RedisTableWriter::Command RedisTableWriter::HashSet(const Batch& batch, size_t r,
                                                    const std::string& key) const {
  const auto& cols = table_->columns;
  size_t np = def_.pattern.placeholders.size(), key_col = cols.size() - 2;
  Command hset = {"HSET", key};
  for (size_t c = np; c < key_col; c++) {
    Value v = batch.columns[c].GetValue(r);
    if (v.is_null()) continue;
    hset.push_back(cols[c].name);
    hset.push_back(v.ToString());
  }
  if (hset.size() == 2) {
    throw Error(ErrorKind::kConversion,
                RowError() + "every field is NULL (Redis cannot store an empty hash)");
  }
  return hset;
}

std::string RedisTableWriter::BatchError(const std::vector<RespView>& replies) {
  RespView exec = replies.back();
  std::string error;
  for (size_t i = 0; i + 1 < replies.size() && error.empty(); i++) {
    if (replies[i].is_error()) error = std::string(replies[i].str());
  }
  if (exec.is_error())
    error = std::string(exec.str());
  else if (!exec.is_array())
    error = "the transaction was aborted";
  else {
    RespView e = exec.first();
    for (size_t i = 0; i < exec.size() && error.empty(); i++, e = e.next()) {
      if (e.is_error()) error = std::string(e.str());
    }
  }
  return error;
}

void RedisTableWriter::Commit() {
  if (done_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
  done_ = true;
  if (rows_.empty()) return;
  RespConnection conn(address_, where_);
  const size_t kRowsPerBatch = 500;
  for (size_t start = 0; start < rows_.size(); start += kRowsPerBatch) {
    size_t end = std::min(rows_.size(), start + kRowsPerBatch);
    std::vector<Command> cmds = {{"MULTI"}};
    for (size_t i = start; i < end; i++) {
      for (auto& c : rows_[i]) cmds.push_back(std::move(c));
    }
    cmds.push_back({"EXEC"});
    std::string error = BatchError(conn.Pipeline(cmds));
    if (!error.empty()) {
      throw Error(ErrorKind::kConnector,
                  where_ + ": insert into '" + table_->name + "' failed in the batch of rows " +
                      std::to_string(start + 1) + "-" + std::to_string(end) + ": " + error +
                      (start > 0 ? " (earlier batches were written)" : ""));
    }
  }
  rows_.clear();
}

void RedisTableWriter::Abort() {
  done_ = true;
  rows_.clear();
}

}  // namespace aishell
