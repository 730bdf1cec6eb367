#include "connectors/redis/redis_data_source.h"

#include <algorithm>
#include <cstring>

#include "catalog/emit_batch.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "connectors/redis/redis_json.h"
#include "formats/value_parser.h"

namespace aishell {

RedisDataSource::RedisDataSource(std::shared_ptr<const RedisScanSpec> spec, RedisKeyPlan plan,
                                 ScanCounters* counters, std::atomic<int64_t>* skipped)
    : spec_(std::move(spec)), plan_(std::move(plan)), counters_(counters), skipped_(skipped) {
  const auto& cols = spec_->table->columns;
  size_t np = spec_->def.pattern.placeholders.size();
  key_column_ = static_cast<int>(cols.size()) - 2;
  ttl_column_ = static_cast<int>(cols.size()) - 1;
  for (int c : spec_->projection) {
    types_.push_back(cols[c].type);
    if (c == ttl_column_) want_ttl_ = true;
  }
  for (size_t c = np; c < cols.size() - 2; c++) value_index_[cols[c].name] = static_cast<int>(c);
  count_text_ = std::to_string(spec_->scan_count);
  conn_ = spec_->pool->Acquire();
}

RedisDataSource::~RedisDataSource() {
  // Only a connection with no reply pending goes back (a SCAN/pipeline always reads all of its
  // replies).
  if (conn_ && !conn_->broken() && inflight_ == 0) {
    conn_->Discard();
    spec_->pool->Release(std::move(conn_));
  }
}

bool RedisDataSource::Next(Batch& out) {
  Batch batch(types_, kBatchSize);
  size_t rows = 0;
  while (rows < kBatchSize && !done_) {
    if (spec_->limit >= 0 && emitted_ >= spec_->limit) {
      done_ = true;
      break;
    }
    if (pos_ >= chunk_.size()) {
      if (!FetchChunk()) {
        done_ = true;
        break;
      }
      continue;
    }
    Emit(batch, &rows);
  }
  return EmitBatch(batch, rows, *counters_, out);
}

// Next group of keys with their values. Two pipelines are in flight: each starts with the
// next SCAN, so as soon as its reply arrives the following group is sent, before this group's
// values are read and decoded; the server always has queued work.
bool RedisDataSource::FetchChunk() {
  chunk_.clear();
  pos_ = 0;
  elem_ = 0;
  conn_->Discard();  // the previous chunk's replies are consumed: reuse the read buffer
  if (inflight_ == 0) {
    if (!CollectKeys(&next_rows_)) return false;
    SendChunk(next_rows_);
  }
  chunk_.swap(next_rows_);  // both buffers stay allocated (no large frees per chunk)
  next_rows_.clear();
  bool chunk_scan = next_has_scan_;
  if (chunk_scan) {
    next_scan_ = conn_->Read();
    have_next_scan_ = true;
  }
  if (CollectKeys(&next_rows_)) SendChunk(next_rows_);
  ReceiveChunk();
  return true;
}

// The next group of keys that fit the pattern and the pushed filters (possibly none, when a
// SCAN step matched nothing); false when there is nothing left to send. Sends a SCAN of its own
// only at the start (nothing in flight); afterwards every SCAN reply heads a value pipeline.
bool RedisDataSource::CollectKeys(std::vector<KeyRow>* rows) {
  rows->clear();
  if (plan_.lookup) {
    if (next_key_ >= plan_.keys.size()) return false;
    size_t end = std::min(plan_.keys.size(), next_key_ + static_cast<size_t>(spec_->batch_keys));
    for (; next_key_ < end; next_key_++) AddKey(rows, plan_.keys[next_key_]);
    return true;
  }
  if (!have_next_scan_) {
    if (scan_finished_) return false;
    if (inflight_ != 0)
      throw Error(ErrorKind::kInternal, spec_->where + ": SCAN sent with replies pending");
    seen_.Reserve(static_cast<size_t>(
        std::clamp(spec_->table->stats.row_count.value_or(0), 1024.0, 4194304.0)));
    conn_->Append({"SCAN", cursor_, "MATCH", plan_.glob, "COUNT", count_text_});
    next_scan_ = conn_->Read();
  }
  have_next_scan_ = false;
  RespView r = next_scan_;
  if (r.is_error()) {
    throw Error(ErrorKind::kConnector, spec_->where + ": SCAN failed: " + std::string(r.str()));
  }
  if (!r.is_array() || r.size() != 2 || !r.first().next().is_array()) {
    throw Error(ErrorKind::kConnector, spec_->where + ": unexpected reply to SCAN");
  }
  cursor_.assign(r.first().str());
  if (cursor_ == "0") scan_finished_ = true;
  RespView arr = r.first().next();
  RespView e = arr.first();
  for (size_t i = 0; i < arr.size(); i++, e = e.next()) {
    std::string_view stored;
    if (seen_.Insert(e.str(), &stored)) AddKey(rows, stored);
  }
  return true;
}

// Keeps a key that fits the pattern and the pushed filters.
void RedisDataSource::AddKey(std::vector<KeyRow>* rows, std::string_view k) {
  if (!spec_->def.pattern.Match(k, &parts_)) return;
  if (!spec_->selection.Accepts(k, parts_)) return;
  rows->push_back(KeyRow{k, RespView(), -1});
}

// Sends the next SCAN (while the scan goes on), the value command per key (MGET for strings)
// and TTL per key when projected, without reading the replies.
void RedisDataSource::SendChunk(const std::vector<KeyRow>& rows) {
  next_has_scan_ = !plan_.lookup && !scan_finished_;
  if (next_has_scan_) conn_->Append({"SCAN", cursor_, "MATCH", plan_.glob, "COUNT", count_text_});
  RedisShape shape = spec_->def.shape;
  if (rows.empty()) {
    // Nothing to fetch (the SCAN step matched no key).
  } else if (shape == RedisShape::kString || shape == RedisShape::kJson) {
    args_.assign(1, "MGET");
    for (const auto& row : rows) args_.push_back(row.key);
    conn_->Append(args_.data(), args_.size());
  } else {
    for (const auto& row : rows) {
      switch (shape) {
        case RedisShape::kZset:
          conn_->Append({"ZRANGE", row.key, "0", "-1", "WITHSCORES"});
          break;
        case RedisShape::kList:
          conn_->Append({"LRANGE", row.key, "0", "-1"});
          break;
        case RedisShape::kSet:
          conn_->Append({"SMEMBERS", row.key});
          break;
        case RedisShape::kStream:
          conn_->Append({"XRANGE", row.key, "-", "+"});
          break;
        default:  // hash, hash_entries
          conn_->Append({"HGETALL", row.key});
          break;
      }
    }
  }
  if (want_ttl_) {
    for (const auto& row : rows) conn_->Append({"TTL", row.key});
  }
  inflight_++;
  conn_->Flush();
}

// Reads the value (and TTL) replies of chunk_'s pipeline (its SCAN reply was read before).
void RedisDataSource::ReceiveChunk() {
  RedisShape shape = spec_->def.shape;
  if (chunk_.empty()) {
  } else if (shape == RedisShape::kString || shape == RedisShape::kJson) {
    RespView m = conn_->Read();
    if (m.is_error())
      throw Error(ErrorKind::kConnector, spec_->where + ": MGET failed: " + std::string(m.str()));
    if (!m.is_array() || m.size() != chunk_.size())
      throw Error(ErrorKind::kConnector, spec_->where + ": unexpected reply to MGET");
    RespView e = m.first();
    for (auto& row : chunk_) {
      row.value = e;
      e = e.next();
    }
  } else {
    for (auto& row : chunk_) row.value = conn_->Read();
  }
  if (want_ttl_) {
    for (auto& row : chunk_) {
      RespView t = conn_->Read();
      row.ttl = t.type() == RespType::kInteger ? t.integer() : -1;
    }
  }
  inflight_--;
}

// A key whose value is gone (expired, deleted) or of another type than the table's.
bool RedisDataSource::Usable(const RespView& r) {
  if (r.is_nil() || r.is_error()) return false;
  if (r.is_array() && r.size() == 0) return false;  // missing hash/zset/list/set
  return true;
}

void RedisDataSource::Emit(Batch& batch, size_t* rows) {
  KeyRow& row = chunk_[pos_];
  if (!Usable(row.value)) return Skip();
  spec_->def.pattern.Match(row.key, &parts_);
  RedisShape shape = spec_->def.shape;
  if (shape == RedisShape::kHash || shape == RedisShape::kJson || shape == RedisShape::kString)
    return EmitKeyRow(batch, rows, row);
  EmitElementRows(batch, rows, row);
}

// One row for the key (hash, JSON, string); a value of another type is skipped.
void RedisDataSource::EmitKeyRow(Batch& batch, size_t* rows, const KeyRow& row) {
  const RespView& r = row.value;
  fields_.assign(spec_->table->columns.size(), std::nullopt);
  switch (spec_->def.shape) {
    case RedisShape::kHash:
      if (!HashFields(r)) return Skip();
      break;
    case RedisShape::kJson:
      if (!JsonFields(row)) return Skip();
      break;
    default:
      if (r.type() != RespType::kString) return Skip();
      fields_[spec_->def.pattern.placeholders.size()] = r.str();
      break;
  }
  EmitRow(batch, rows, row);
  pos_++;
}

// The fields of an HGETALL reply into fields_; false if the reply is not a hash.
bool RedisDataSource::HashFields(const RespView& r) {
  if (!r.is_array()) return false;
  // Hashes of one table usually list their fields in the same order: try the column the
  // same position mapped to last time before hashing the name.
  const auto& cols = spec_->table->columns;
  size_t n = r.size() / 2;
  if (field_cache_.size() < n) field_cache_.resize(n, -1);
  RespView e = r.first();
  for (size_t i = 0; i < n; i++) {
    std::string_view name = e.str();
    e = e.next();
    int c = field_cache_[i];
    if (c < 0 || cols[c].name != name) {
      auto it = value_index_.find(name);
      c = it == value_index_.end() ? -1 : it->second;
      field_cache_[i] = c;
    }
    if (c >= 0) fields_[c] = e.str();
    e = e.next();
  }
  return true;
}

// The members of a JSON string into fields_; false if the value is not a string, an error naming
// the key if it is not a JSON object.
bool RedisDataSource::JsonFields(const KeyRow& row) {
  const RespView& r = row.value;
  if (r.type() != RespType::kString) return false;
  std::string error;
  if (!RedisJsonMembers(parser_, r.str(), &members_, nullptr, &error)) {
    throw Error(ErrorKind::kConversion, spec_->where + ": table '" + spec_->table->name +
                                            "' key '" + RedisShown(row.key) +
                                            "' does not hold a valid JSON object (" + error +
                                            "): '" + RedisShown(r.str()) + "'");
  }
  for (auto& [name, v] : members_) {
    auto it = value_index_.find(name);
    if (it != value_index_.end() && v) fields_[it->second] = std::string_view(*v);
  }
  return true;
}

// One row per element (zset, list, set, stream, hash entries), resumed at elem_ when the batch
// fills up; a value of another type is skipped.
void RedisDataSource::EmitElementRows(Batch& batch, size_t* rows, const KeyRow& row) {
  const RespView& r = row.value;
  if (!r.is_array()) return Skip();
  RedisShape shape = spec_->def.shape;
  size_t np = spec_->def.pattern.placeholders.size();
  size_t step = shape == RedisShape::kZset || shape == RedisShape::kHashEntries ? 2 : 1;
  if (elem_ == 0) elem_view_ = r.first();
  while (elem_ + step - 1 < r.size() && *rows < kBatchSize) {
    if (spec_->limit >= 0 && emitted_ >= spec_->limit) return;
    fields_.assign(spec_->table->columns.size(), std::nullopt);
    std::string index_text;
    if (shape == RedisShape::kZset || shape == RedisShape::kHashEntries) {
      fields_[np] = elem_view_.str();
      fields_[np + 1] = elem_view_.next().str();
    } else if (shape == RedisShape::kList) {
      index_text = std::to_string(elem_ / step);
      fields_[np] = index_text;
      fields_[np + 1] = elem_view_.str();
    } else if (shape == RedisShape::kStream) {
      // [id, [field, value, ...]]
      RespView entry = elem_view_;
      if (entry.is_array() && entry.size() == 2) {
        fields_[np] = entry.first().str();
        RespView kv = entry.first().next();
        RespView f = kv.first();
        for (size_t i = 0; kv.is_array() && i + 1 < kv.size(); i += 2, f = f.next().next()) {
          auto it = value_index_.find(f.str());
          if (it != value_index_.end() && it->second != static_cast<int>(np))
            fields_[it->second] = f.next().str();
        }
      }
    } else {
      fields_[np] = elem_view_.str();
    }
    EmitRow(batch, rows, row);
    elem_ += step;
    for (size_t s = 0; s < step; s++) elem_view_ = elem_view_.next();
  }
  if (elem_ + step - 1 >= r.size()) {
    pos_++;
    elem_ = 0;
  }
}

void RedisDataSource::Skip() {
  (*skipped_)++;
  pos_++;
  elem_ = 0;
}

void RedisDataSource::EmitRow(Batch& batch, size_t* rows, const KeyRow& row) {
  size_t r = *rows;
  const auto& cols = spec_->table->columns;
  for (size_t j = 0; j < spec_->projection.size(); j++) {
    int c = spec_->projection[j];
    Vector& v = batch.columns[j];
    if (c == key_column_) {
      v.SetString(r, row.key);
    } else if (c == ttl_column_) {
      if (row.ttl >= 0)
        v.Data<int64_t>()[r] = row.ttl;
      else
        v.SetNull(r);
    } else if (c < static_cast<int>(parts_.size())) {
      Store(v, r, cols[c], parts_[c], row.key);
    } else if (fields_[c]) {
      Store(v, r, cols[c], *fields_[c], row.key);
    } else {
      v.SetNull(r);
    }
  }
  (*rows)++;
  emitted_++;
}

void RedisDataSource::Store(Vector& v, size_t r, const ColumnInfo& col, std::string_view text,
                            std::string_view key) {
  const LogicalType& t = col.type;
  bool ok = true;
  switch (t.id) {
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
      v.SetString(r, text);
      return;
    case TypeId::kJson: {
      auto canonical = CanonicalJson(text);
      ok = canonical.has_value();
      if (ok) v.SetString(r, *canonical);
      break;
    }
    case TypeId::kBigInt:
      ok = ParseBigIntText(text, &v.Data<int64_t>()[r]);
      break;
    case TypeId::kDouble:
      ok = ParseDoubleText(text, &v.Data<double>()[r]);
      break;
    case TypeId::kBoolean: {
      bool b = false;
      ok = ParseBooleanText(text, true, &b);
      v.Data<uint8_t>()[r] = b;
      break;
    }
    case TypeId::kInteger: {
      int64_t x = 0;
      ok = ParseBigIntText(text, &x) && x >= INT32_MIN && x <= INT32_MAX;
      v.Data<int32_t>()[r] = static_cast<int32_t>(x);
      break;
    }
    default: {
      size_t width = t.PhysicalSize();
      alignas(16) unsigned char slot[16] = {};
      ok = ParseTypedText(text, t, slot);
      if (ok) std::memcpy(v.Data<uint8_t>() + r * width, slot, width);
      break;
    }
  }
  if (!ok) {
    throw Error(ErrorKind::kConversion,
                spec_->where + ": table '" + spec_->table->name + "' key '" + RedisShown(key) +
                    "' column '" + col.name + "': '" + RedisShown(text) + "' is not a valid " +
                    t.ToString() + " (the type was inferred from a sample; " +
                    "override it with --property column." + spec_->table->name + "." + col.name +
                    "=varchar)");
  }
}

}  // namespace aishell
