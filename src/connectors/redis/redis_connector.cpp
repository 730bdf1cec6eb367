#include "connectors/redis/redis_connector.h"

#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "catalog/catalog_registry.h"
#include "catalog/emit_batch.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "expr/expression.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Shown(std::string_view s) {
  std::string out(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  return out;
}

using RedisConnection = RespConnection;

// One page of a SCAN used to sample keys: checks the reply, moves `cursor` on and returns the
// array of keys.
RespView ScanPage(const RespView& r, std::string* cursor, const std::string& where) {
  if (!r.is_array() || r.size() != 2 || !r[1].is_array()) {
    throw Error(ErrorKind::kConnector,
                where + ": SCAN failed" + (r.is_error() ? ": " + std::string(r.str()) : ""));
  }
  *cursor = std::string(r[0].str());
  return r[1];
}

}  // namespace

// Idle connections of one source, reused by data sources (key lookups come once per probe batch).
class RedisPool {
 public:
  RedisPool(RedisAddress address, std::string where)
      : address_(std::move(address)), where_(std::move(where)) {}
  std::unique_ptr<RedisConnection> Acquire() {
    while (true) {
      Idle idle;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (idle_.empty()) break;
        idle = std::move(idle_.back());
        idle_.pop_back();
      }
      // A connection idle for a while may have been dropped (server restart, timeout): PING it.
      if (std::chrono::steady_clock::now() - idle.since < std::chrono::seconds(5))
        return std::move(idle.conn);
      try {
        if (!idle.conn->Command({"PING"}).is_error()) {
          idle.conn->Discard();
          return std::move(idle.conn);
        }
      } catch (const Error&) {
      }
    }
    return std::make_unique<RedisConnection>(address_, where_);
  }
  // Keeps a healthy connection (every reply read) for the next data source.
  void Release(std::unique_ptr<RedisConnection> conn) {
    if (!conn || conn->broken()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < 8) idle_.push_back(Idle{std::move(conn), std::chrono::steady_clock::now()});
  }

 private:
  RedisAddress address_;
  std::string where_;
  std::mutex mutex_;
  struct Idle {
    std::unique_ptr<RedisConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;
};

namespace {

int PercentHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() && PercentHex(s[i + 1]) >= 0 && PercentHex(s[i + 2]) >= 0) {
      out += static_cast<char>(PercentHex(s[i + 1]) * 16 + PercentHex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool CanonicalInt(std::string_view s) {
  size_t i = s.size() && s[0] == '-' ? 1 : 0;
  if (i >= s.size() || s.size() > 18) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;
  for (; i < s.size(); i++) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return !(s.size() == 2 && s == "-0");
}

// Per-column type inference from sampled text values.
struct TypeGuess {
  bool any = false, can_int = true, can_double = true, can_bool = true, saw_text = false;
  void Add(std::string_view v, bool json_string) {
    any = true;
    if (json_string) saw_text = true;
    int64_t i;
    double d;
    bool b;
    if (!ParseBigIntText(v, &i)) can_int = false;
    if (!ParseDoubleText(v, &d)) can_double = false;
    if (!ParseBooleanText(v, false, &b)) can_bool = false;
  }
  LogicalType Type() const {
    if (!any || saw_text) return TypeId::kVarchar;
    if (can_int) return TypeId::kBigInt;
    if (can_double) return TypeId::kDouble;
    if (can_bool) return TypeId::kBoolean;
    return TypeId::kVarchar;
  }
};

// A JSON object's members as text (strings unquoted, nested values as JSON); false if not an
// object.
bool JsonMembers(simdjson::dom::parser& parser, std::string_view text,
                 std::vector<std::pair<std::string, std::optional<std::string>>>* out,
                 std::vector<bool>* is_string, std::string* error) {
  out->clear();
  if (is_string) is_string->clear();
  simdjson::dom::element root;
  auto err = parser.parse(text.data(), text.size()).get(root);
  if (err) {
    *error = simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    *error = "not a JSON object";
    return false;
  }
  for (auto field : obj) {
    std::optional<std::string> v;
    bool str = false;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        v = std::string(std::string_view(field.value.get_string().value()));
        str = true;
        break;
      case simdjson::dom::element_type::INT64:
        v = std::to_string(int64_t(field.value));
        break;
      case simdjson::dom::element_type::UINT64:
        v = std::to_string(uint64_t(field.value));
        break;
      case simdjson::dom::element_type::DOUBLE:
        v = fmt::format("{}", double(field.value));
        break;
      case simdjson::dom::element_type::BOOL:
        v = bool(field.value) ? "true" : "false";
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      default:
        v = simdjson::minify(field.value);
        str = true;
        break;
    }
    out->emplace_back(std::string(field.key), std::move(v));
    if (is_string) is_string->push_back(str);
  }
  return true;
}

// Placeholder or constant values as key text; false for types that have no canonical key text.
bool KeyText(const Value& v, std::string* out) {
  if (v.is_null()) return false;
  switch (v.type().id) {
    case TypeId::kVarchar:
      *out = v.GetString();
      return true;
    case TypeId::kInteger:
    case TypeId::kBigInt:
      *out = std::to_string(v.GetInt64());
      return true;
    default:
      return false;
  }
}

// Where the keys of a scan come from.
struct KeyPlan {
  bool lookup = false;            // direct keys (no SCAN)
  std::vector<std::string> keys;  // lookup keys
  std::string glob;               // SCAN MATCH
};

// Everything a data source needs, copied from the scan.
struct ScanSpec {
  std::string where;
  RedisAddress address;
  std::shared_ptr<RedisPool> pool;
  std::shared_ptr<const TableInfo> table;
  RedisTableDef def;
  std::vector<int> projection;
  // Exact filters: column -> allowed key texts (placeholder columns and _key).
  std::map<int, std::unordered_set<std::string>> constraints;
  int64_t limit = -1;
  int scan_count = 1000;
  int batch_keys = 1000;
};

// The keys a SCAN returned so far (SCAN may return a key more than once): copies in arena blocks
// and an open-addressing table, so a scan of N keys makes O(log N) allocations, not N.
class KeySet {
 public:
  void Reserve(size_t keys) {
    size_t slots = 1024;
    while (slots < keys * 2) slots *= 2;
    if (slots > slots_.size()) Rehash(slots);
  }
  // True (and *stored = the stable copy) if `key` was not in the set.
  bool Insert(std::string_view key, std::string_view* stored) {
    if ((count_ + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(1024, slots_.size() * 2));
    uint64_t h = XXH3_64bits(key.data(), key.size());
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.data) {
        s.data = Copy(key);
        s.len = static_cast<uint32_t>(key.size());
        s.hash = static_cast<uint32_t>(h >> 32);
        count_++;
        *stored = std::string_view(s.data, s.len);
        return true;
      }
      if (s.hash == static_cast<uint32_t>(h >> 32) && s.len == key.size() &&
          std::memcmp(s.data, key.data(), key.size()) == 0)
        return false;
    }
  }

 private:
  struct Slot {
    const char* data = nullptr;
    uint32_t len = 0;
    uint32_t hash = 0;  // high bits of the hash (the low bits pick the slot)
  };
  const char* Copy(std::string_view key) {
    if (block_used_ + key.size() > block_size_) {
      block_size_ = std::max<size_t>(size_t{1} << 20, key.size());
      blocks_.emplace_back(new char[block_size_]);
      block_used_ = 0;
    }
    char* p = blocks_.back().get() + block_used_;
    if (!key.empty()) std::memcpy(p, key.data(), key.size());
    block_used_ += key.size();
    return p;
  }
  void Rehash(size_t slots) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(slots, Slot{});
    size_t mask = slots - 1;
    for (const Slot& s : old) {
      if (!s.data) continue;
      uint64_t h = XXH3_64bits(s.data, s.len);
      size_t i = h & mask;
      while (slots_[i].data) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0, block_size_ = 0;
};

// Streams rows for a key plan: SCAN (or the given keys), pipelined value fetches, rows per key.
// Replies are decoded in place: every string is a view into the connection's read buffer, which
// is reused from chunk to chunk (no allocation per reply or per key).
class RedisDataSource : public DataSource {
 public:
  RedisDataSource(std::shared_ptr<const ScanSpec> spec, KeyPlan plan, ScanCounters* counters,
                  std::atomic<int64_t>* skipped)
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
  ~RedisDataSource() override {
    // Only a connection with no reply pending goes back (a SCAN/pipeline always reads all of its
    // replies).
    if (conn_ && !conn_->broken() && inflight_ == 0) {
      conn_->Discard();
      spec_->pool->Release(std::move(conn_));
    }
  }

  bool Next(Batch& out) override {
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

 private:
  struct KeyRow {
    std::string_view key;  // into seen_ (SCAN) or plan_.keys (lookups): stable
    RespView value;        // the value reply, or the MGET element (valid until the next chunk)
    int64_t ttl = -1;
  };

  // Next group of keys with their values. Two pipelines are in flight: each starts with the
  // next SCAN, so as soon as its reply arrives the following group is sent, before this group's
  // values are read and decoded; the server always has queued work.
  bool FetchChunk() {
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
  bool CollectKeys(std::vector<KeyRow>* rows) {
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
  void AddKey(std::vector<KeyRow>* rows, std::string_view k) {
    if (!spec_->def.pattern.Match(k, &parts_)) return;
    for (const auto& [col, allowed] : spec_->constraints) {
      std::string_view text = col == key_column_ ? k : parts_[col];
      if (!allowed.count(std::string(text))) return;
    }
    rows->push_back(KeyRow{k, RespView(), -1});
  }

  // Sends the next SCAN (while the scan goes on), the value command per key (MGET for strings)
  // and TTL per key when projected, without reading the replies.
  void SendChunk(const std::vector<KeyRow>& rows) {
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
  void ReceiveChunk() {
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
  static bool Usable(const RespView& r) {
    if (r.is_nil() || r.is_error()) return false;
    if (r.is_array() && r.size() == 0) return false;  // missing hash/zset/list/set
    return true;
  }

  void Emit(Batch& batch, size_t* rows) {
    KeyRow& row = chunk_[pos_];
    RespView r = row.value;
    if (!Usable(r)) return Skip();
    spec_->def.pattern.Match(row.key, &parts_);
    RedisShape shape = spec_->def.shape;
    if (shape == RedisShape::kHash || shape == RedisShape::kJson || shape == RedisShape::kString) {
      fields_.assign(spec_->table->columns.size(), std::nullopt);
      if (shape == RedisShape::kHash) {
        if (!r.is_array()) return Skip();
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
        EmitRow(batch, rows, row);
      } else if (shape == RedisShape::kJson) {
        if (r.type() != RespType::kString) return Skip();
        std::string error;
        if (!JsonMembers(parser_, r.str(), &members_, nullptr, &error)) {
          throw Error(ErrorKind::kConversion, spec_->where + ": table '" + spec_->table->name +
                                                  "' key '" + Shown(row.key) +
                                                  "' does not hold a valid JSON object (" + error +
                                                  "): '" + Shown(r.str()) + "'");
        }
        for (auto& [name, v] : members_) {
          auto it = value_index_.find(name);
          if (it != value_index_.end() && v) fields_[it->second] = std::string_view(*v);
        }
        EmitRow(batch, rows, row);
      } else {
        if (r.type() != RespType::kString) return Skip();
        fields_[spec_->def.pattern.placeholders.size()] = r.str();
        EmitRow(batch, rows, row);
      }
      pos_++;
      return;
    }
    if (!r.is_array()) return Skip();
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

  void Skip() {
    (*skipped_)++;
    pos_++;
    elem_ = 0;
  }

  void EmitRow(Batch& batch, size_t* rows, const KeyRow& row) {
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

  void Store(Vector& v, size_t r, const ColumnInfo& col, std::string_view text,
             std::string_view key) {
    const LogicalType& t = col.type;
    bool ok = true;
    switch (t.id) {
      case TypeId::kVarchar:
        v.SetString(r, text);
        return;
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
        size_t width = t.id == TypeId::kDate ? 4 : 8;
        alignas(8) unsigned char slot[16] = {};
        ok = ParseTypedText(text, t, slot);
        if (ok) std::memcpy(v.Data<uint8_t>() + r * width, slot, width);
        break;
      }
    }
    if (!ok) {
      throw Error(ErrorKind::kConversion,
                  spec_->where + ": table '" + spec_->table->name + "' key '" + Shown(key) +
                      "' column '" + col.name + "': '" + Shown(text) + "' is not a valid " +
                      t.ToString() + " (the type was inferred from a sample; " +
                      "override it with --property column." + spec_->table->name + "." + col.name +
                      "=varchar)");
    }
  }

  std::shared_ptr<const ScanSpec> spec_;
  KeyPlan plan_;
  ScanCounters* counters_;
  std::atomic<int64_t>* skipped_;
  std::unique_ptr<RedisConnection> conn_;
  std::vector<LogicalType> types_;
  int key_column_ = -1, ttl_column_ = -1;
  bool want_ttl_ = false;
  std::string count_text_;
  std::unordered_map<std::string_view, int> value_index_;  // views into the table's column names
  std::vector<int> field_cache_;  // hash field position -> column, from the previous key
  std::vector<std::optional<std::string_view>> fields_;
  std::vector<std::string_view> parts_;  // placeholder values of the current key
  std::vector<std::string_view> args_;   // MGET arguments
  std::vector<std::pair<std::string, std::optional<std::string>>> members_;
  simdjson::dom::parser parser_;

  std::vector<KeyRow> chunk_;
  size_t pos_ = 0;
  size_t elem_ = 0;
  RespView elem_view_;  // element elem_ of a multi-row value
  size_t next_key_ = 0;
  std::string cursor_ = "0";
  RespView next_scan_;  // the reply to a SCAN sent ahead at the head of a pipeline
  bool have_next_scan_ = false;
  bool scan_finished_ = false;
  std::vector<KeyRow> next_rows_;  // the keys whose pipeline was sent last
  int inflight_ = 0;               // pipelines sent whose replies are not all read
  bool next_has_scan_ = false;     // the pipeline sent last starts with a SCAN
  KeySet seen_;
  int64_t emitted_ = 0;
  bool done_ = false;
};

class RedisScan : public TableScan {
 public:
  RedisScan(ScanSpec spec) : spec_(std::move(spec)) {
    for (size_t i = 0; i < spec_.table->columns.size(); i++)
      spec_.projection.push_back(static_cast<int>(i));
    globs_.assign(spec_.def.pattern.placeholders.size(), "");
  }

  void SetProjection(const std::vector<int>& column_ids) override {
    for (int c : column_ids) {
      if (c < 0 || c >= static_cast<int>(spec_.table->columns.size())) {
        throw Error(ErrorKind::kInternal,
                    spec_.where + ": projection column " + std::to_string(c) + " out of range");
      }
    }
    spec_.projection = column_ids;
  }

  // Exact: = and IN on placeholder columns and _key. Narrowing only (refused): LIKE on a
  // placeholder.
  bool PushFilter(const Expr& e) override {
    if (spec_.limit >= 0) return false;
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    int np = static_cast<int>(spec_.def.pattern.placeholders.size());
    auto column = [&](const Expr& x) -> int {
      if (x.kind != ExprKind::kColumnRef) return -1;
      int c = x.column_index;
      if (c == key_col || (c >= 0 && c < np)) {
        TypeId t = spec_.table->columns[c].type.id;
        if (t == TypeId::kVarchar || t == TypeId::kBigInt || t == TypeId::kInteger) return c;
      }
      return -1;
    };
    auto constant_ok = [&](int c, const Value& v) {
      if (v.is_null()) return true;
      TypeId ct = spec_.table->columns[c].type.id;
      TypeId vt = v.type().id;
      if (ct == TypeId::kVarchar) return vt == TypeId::kVarchar;
      return vt == TypeId::kBigInt || vt == TypeId::kInteger;
    };
    std::vector<Value> values;
    int c = -1;
    if (e.kind == ExprKind::kComparison && e.op == CompareOp::kEq && e.children.size() == 2) {
      const Expr* col = e.children[0].get();
      const Expr* k = e.children[1].get();
      if (col->kind != ExprKind::kColumnRef) std::swap(col, k);
      c = column(*col);
      if (c < 0 || k->kind != ExprKind::kConstant || !constant_ok(c, k->value)) return false;
      values.push_back(k->value);
    } else if (e.kind == ExprKind::kIn && !e.negated && e.children.size() >= 2) {
      c = column(*e.children[0]);
      if (c < 0) return false;
      for (size_t i = 1; i < e.children.size(); i++) {
        const Expr& k = *e.children[i];
        if (k.kind != ExprKind::kConstant || !constant_ok(c, k.value)) return false;
        values.push_back(k.value);
      }
    } else if (e.kind == ExprKind::kLike && !e.negated && !e.case_insensitive &&
               e.children.size() >= 2) {
      int lc = column(*e.children[0]);
      if (lc < 0 || spec_.table->columns[lc].type.id != TypeId::kVarchar) return false;
      const Expr& p = *e.children[1];
      if (p.kind != ExprKind::kConstant || p.value.is_null() ||
          p.value.type().id != TypeId::kVarchar)
        return false;
      char escape = 0;
      if (e.children.size() == 3) {
        const Expr& x = *e.children[2];
        if (x.kind != ExprKind::kConstant || x.value.is_null() || x.value.GetString().size() != 1)
          return false;
        escape = x.value.GetString()[0];
      }
      std::string glob = RedisLikeToGlob(p.value.GetString(), escape);
      if (lc == key_col) {
        if (!glob.empty() && key_glob_.empty()) key_glob_ = glob;  // _key LIKE: the glob itself
      } else if (!glob.empty() && globs_[lc].empty()) {
        globs_[lc] = glob;
      }
      return false;  // narrows the SCAN; the engine still applies the LIKE
    } else {
      return false;
    }
    std::unordered_set<std::string> texts;
    for (const auto& v : values) {
      std::string t;
      if (KeyText(v, &t)) texts.insert(std::move(t));
    }
    auto it = spec_.constraints.find(c);
    if (it == spec_.constraints.end()) {
      spec_.constraints[c] = std::move(texts);
    } else {
      std::unordered_set<std::string> both;
      for (const auto& t : texts) {
        if (it->second.count(t)) both.insert(t);
      }
      it->second = std::move(both);
    }
    return true;
  }

  bool PushLimit(int64_t limit) override {
    if (limit < 0) return false;
    if (spec_.limit < 0 || limit < spec_.limit) spec_.limit = limit;
    return true;
  }

  std::string Describe() const override {
    KeyPlan plan = Plan();
    std::string value_cmd = ValueCommand();
    bool ttl =
        std::find(spec_.projection.begin(), spec_.projection.end(),
                  static_cast<int>(spec_.table->columns.size()) - 1) != spec_.projection.end();
    std::string s;
    if (plan.lookup) {
      if (plan.keys.empty()) return "no keys can match (no Redis command)";
      std::string keys;
      for (size_t i = 0; i < plan.keys.size() && i < 10; i++) keys += " " + plan.keys[i];
      if (plan.keys.size() > 10) keys += " ...";
      if (value_cmd == "MGET") {
        s = "MGET" + keys;
      } else {
        s = "pipelined " + value_cmd + " for" + keys;
      }
      s += " (" + std::to_string(plan.keys.size()) + " key(s), no SCAN)";
    } else {
      s = "SCAN 0 MATCH " + plan.glob + " COUNT " + std::to_string(spec_.scan_count) +
          ", then pipelined " + (value_cmd == "MGET" ? std::string("MGET") : value_cmd) + " per " +
          std::to_string(spec_.batch_keys) + " keys";
    }
    if (ttl) s += " + TTL";
    if (spec_.limit >= 0) s += "; stops after " + std::to_string(spec_.limit) + " row(s)";
    int64_t skipped = skipped_.load();
    if (skipped > 0) {
      s += "; skipped " + std::to_string(skipped) +
           " key(s) that expired or hold another type than " + RedisShapeName(spec_.def.shape);
    }
    return s;
  }

  double EstimatedRows() const override {
    KeyPlan plan = Plan();
    double rows = plan.lookup ? static_cast<double>(plan.keys.size())
                              : spec_.table->stats.row_count.value_or(-1);
    if (spec_.limit >= 0 && (rows < 0 || rows > spec_.limit))
      rows = static_cast<double>(spec_.limit);
    return rows;
  }

  std::vector<std::shared_ptr<Split>> CreateSplits(int) override {
    return {std::make_shared<Split>()};
  }

  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override {
    return std::make_unique<RedisDataSource>(std::make_shared<ScanSpec>(spec_), Plan(), &counters_,
                                             &skipped_);
  }

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    if (key_columns.empty() || spec_.limit >= 0) return false;
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    if (key_columns.size() == 1 && key_columns[0] == key_col) return true;
    size_t np = spec_.def.pattern.placeholders.size();
    if (key_columns.size() != np) return false;
    std::vector<int> sorted = key_columns;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < np; i++) {
      if (sorted[i] != static_cast<int>(i)) return false;
      TypeId t = spec_.table->columns[i].type.id;
      if (t != TypeId::kVarchar && t != TypeId::kBigInt && t != TypeId::kInteger) return false;
    }
    return true;
  }

  // Batched lookups: the keys composed from each row of `keys`, fetched in pipelines of
  // lookup_batch_size keys (no SCAN). Rows with a NULL never match.
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
    if (keys.ColumnCount() != key_columns.size()) {
      throw Error(ErrorKind::kInternal,
                  spec_.where + ": lookup keys have " + std::to_string(keys.ColumnCount()) +
                      " columns, expected " + std::to_string(key_columns.size()));
    }
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    KeyPlan plan;
    plan.lookup = true;
    std::unordered_set<std::string> seen;
    std::vector<std::string> parts(spec_.def.pattern.placeholders.size());
    for (size_t r = 0; r < keys.count; r++) {
      bool ok = true;
      std::string key;
      for (size_t k = 0; k < key_columns.size() && ok; k++) {
        std::string text;
        ok = KeyText(keys.columns[k].GetValue(r), &text);
        if (key_columns[k] == key_col)
          key = text;
        else
          parts[key_columns[k]] = text;
      }
      if (!ok) continue;
      if (key_columns[0] != key_col) key = spec_.def.pattern.Compose(parts);
      if (seen.insert(key).second) plan.keys.push_back(std::move(key));
    }
    return std::make_unique<RedisDataSource>(std::make_shared<ScanSpec>(spec_), std::move(plan),
                                             &counters_, &skipped_);
  }

  // One LookupKeys call: the keys composed from the batch, value commands pipelined.
  std::string DescribeLookup(const std::vector<int>& key_columns,
                             size_t batch_size) const override {
    if (!SupportsKeyLookup(key_columns)) return {};
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    std::string keys = key_columns.size() == 1 && key_columns[0] == key_col
                           ? std::string("<_key>")
                           : spec_.def.pattern.ToString();
    std::string value_cmd = ValueCommand();
    std::string s = value_cmd == "MGET" ? "MGET " + keys + " ..."
                                        : "pipelined " + value_cmd + " " + keys + " per key";
    bool ttl =
        std::find(spec_.projection.begin(), spec_.projection.end(),
                  static_cast<int>(spec_.table->columns.size()) - 1) != spec_.projection.end();
    if (ttl) s += " + TTL";
    s += " (up to " + std::to_string(batch_size) + " keys, " + std::to_string(spec_.batch_keys) +
         " per pipeline, no SCAN)";
    return s;
  }

  // A join's build keys on _key or a placeholder column: the same exact filter as `IN (...)`,
  // so a SCAN becomes direct key reads when every placeholder is constrained.
  bool PushDynamicFilter(int column, const Batch& values) override {
    if (spec_.limit >= 0 || values.ColumnCount() != 1) return false;
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    int np = static_cast<int>(spec_.def.pattern.placeholders.size());
    if (column != key_col && (column < 0 || column >= np)) return false;
    TypeId t = spec_.table->columns[column].type.id;
    if (t != TypeId::kVarchar && t != TypeId::kBigInt && t != TypeId::kInteger) return false;
    std::unordered_set<std::string> texts;
    for (size_t r = 0; r < values.count; r++) {
      Value v = values.columns[0].GetValue(r);
      if (t == TypeId::kVarchar ? v.type().id != TypeId::kVarchar
                                : v.type().id != TypeId::kBigInt && v.type().id != TypeId::kInteger)
        return false;
      std::string text;
      if (KeyText(v, &text)) texts.insert(std::move(text));
    }
    auto it = spec_.constraints.find(column);
    if (it == spec_.constraints.end()) {
      spec_.constraints[column] = std::move(texts);
    } else {
      std::unordered_set<std::string> both;
      for (const auto& x : texts) {
        if (it->second.count(x)) both.insert(x);
      }
      it->second = std::move(both);
    }
    return true;
  }

  int64_t skipped_keys() const { return skipped_.load(); }

 private:
  std::string ValueCommand() const {
    switch (spec_.def.shape) {
      case RedisShape::kHash:
      case RedisShape::kHashEntries:
        return "HGETALL";
      case RedisShape::kZset:
        return "ZRANGE 0 -1 WITHSCORES";
      case RedisShape::kList:
        return "LRANGE 0 -1";
      case RedisShape::kSet:
        return "SMEMBERS";
      case RedisShape::kStream:
        return "XRANGE - +";
      default:
        return "MGET";
    }
  }

  KeyPlan Plan() const {
    KeyPlan plan;
    int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
    auto kc = spec_.constraints.find(key_col);
    if (kc != spec_.constraints.end()) {
      plan.lookup = true;
      plan.keys.assign(kc->second.begin(), kc->second.end());
      std::sort(plan.keys.begin(), plan.keys.end());
      return plan;
    }
    size_t np = spec_.def.pattern.placeholders.size();
    bool all = np > 0;
    double product = 1;
    for (size_t i = 0; i < np; i++) {
      auto it = spec_.constraints.find(static_cast<int>(i));
      if (it == spec_.constraints.end()) {
        all = false;
        break;
      }
      product *= static_cast<double>(it->second.size());
    }
    if (all && product <= 100000) {
      plan.lookup = true;
      std::vector<std::vector<std::string>> choices(np);
      for (size_t i = 0; i < np; i++) {
        const auto& set = spec_.constraints.at(static_cast<int>(i));
        choices[i].assign(set.begin(), set.end());
        std::sort(choices[i].begin(), choices[i].end());
      }
      std::vector<std::string> current(np);
      std::function<void(size_t)> rec = [&](size_t i) {
        if (i == np) {
          plan.keys.push_back(spec_.def.pattern.Compose(current));
          return;
        }
        for (const auto& v : choices[i]) {
          current[i] = v;
          rec(i + 1);
        }
      };
      rec(0);
      return plan;
    }
    std::vector<std::string> parts(np);
    for (size_t i = 0; i < np; i++) {
      auto it = spec_.constraints.find(static_cast<int>(i));
      if (it != spec_.constraints.end() && it->second.size() == 1)
        parts[i] = RedisGlobEscape(*it->second.begin());
      else
        parts[i] = globs_[i];
    }
    plan.glob = key_glob_.empty() ? spec_.def.pattern.Glob(parts) : key_glob_;
    return plan;
  }

  ScanSpec spec_;
  std::vector<std::string> globs_;  // per placeholder, from LIKE
  std::string key_glob_;            // from _key LIKE
  std::atomic<int64_t> skipped_{0};
};

// Buffers rows; Commit writes them in MULTI/EXEC batches (DEL + HSET or SET, then EXPIRE).
class RedisTableWriter : public TableWriter {
 public:
  RedisTableWriter(std::string where, RedisAddress address, std::shared_ptr<const TableInfo> table,
                   RedisTableDef def)
      : where_(std::move(where)),
        address_(std::move(address)),
        table_(std::move(table)),
        def_(std::move(def)) {}

  void Append(const Batch& batch) override {
    if (done_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    const auto& cols = table_->columns;
    if (batch.ColumnCount() != cols.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": insert batch has " + std::to_string(batch.ColumnCount()) +
                      " columns, table '" + table_->name + "' has " + std::to_string(cols.size()));
    }
    size_t np = def_.pattern.placeholders.size();
    size_t key_col = cols.size() - 2, ttl_col = cols.size() - 1;
    for (size_t r = 0; r < batch.count; r++) {
      row_number_++;
      Value key_value = batch.columns[key_col].GetValue(r);
      std::string key;
      if (!key_value.is_null()) {
        key = key_value.GetString();
        std::vector<std::string_view> parts;
        if (!def_.pattern.Match(key, &parts)) {
          throw Error(ErrorKind::kConversion, where_ + ": insert into '" + table_->name + "' row " +
                                                  std::to_string(row_number_) + ": _key '" +
                                                  Shown(key) + "' does not fit the pattern '" +
                                                  def_.pattern_text + "'");
        }
      } else {
        std::vector<std::string> parts(np);
        for (size_t i = 0; i < np; i++) {
          Value v = batch.columns[i].GetValue(r);
          if (v.is_null()) {
            throw Error(ErrorKind::kConversion,
                        where_ + ": insert into '" + table_->name + "' row " +
                            std::to_string(row_number_) + ": key column '" + cols[i].name +
                            "' is NULL (it makes the key '" + def_.pattern_text + "')");
          }
          parts[i] = v.ToString();
          if (parts[i].empty() || parts[i].find(':') != std::string::npos) {
            throw Error(ErrorKind::kConversion, where_ + ": insert into '" + table_->name +
                                                    "' row " + std::to_string(row_number_) +
                                                    ": key column '" + cols[i].name + "' value '" +
                                                    Shown(parts[i]) + "' is empty or holds ':'");
          }
        }
        key = def_.pattern.Compose(parts);
      }
      Value ttl_value = batch.columns[ttl_col].GetValue(r);
      int64_t ttl = ttl_value.is_null() ? def_.ttl_seconds : ttl_value.GetInt64();
      std::vector<std::vector<std::string>> cmds;
      cmds.push_back({"DEL", key});
      if (def_.shape == RedisShape::kJson) {
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
            case TypeId::kInteger:
            case TypeId::kBigInt:
            case TypeId::kDecimal:
              json += v.ToString();
              break;
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
        cmds.push_back({"SET", key, json});
      } else {
        std::vector<std::string> hset = {"HSET", key};
        for (size_t c = np; c < key_col; c++) {
          Value v = batch.columns[c].GetValue(r);
          if (v.is_null()) continue;
          hset.push_back(cols[c].name);
          hset.push_back(v.ToString());
        }
        if (hset.size() == 2) {
          throw Error(ErrorKind::kConversion,
                      where_ + ": insert into '" + table_->name + "' row " +
                          std::to_string(row_number_) +
                          ": every field is NULL (Redis cannot store an empty hash)");
        }
        cmds.push_back(std::move(hset));
      }
      if (ttl > 0) cmds.push_back({"EXPIRE", key, std::to_string(ttl)});
      rows_.push_back(std::move(cmds));
    }
  }

  void Commit() override {
    if (done_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    done_ = true;
    if (rows_.empty()) return;
    RedisConnection conn(address_, where_);
    const size_t kRowsPerBatch = 500;
    for (size_t start = 0; start < rows_.size(); start += kRowsPerBatch) {
      size_t end = std::min(rows_.size(), start + kRowsPerBatch);
      std::vector<std::vector<std::string>> cmds = {{"MULTI"}};
      for (size_t i = start; i < end; i++) {
        for (auto& c : rows_[i]) cmds.push_back(std::move(c));
      }
      cmds.push_back({"EXEC"});
      std::vector<RespView> replies = conn.Pipeline(cmds);
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
      if (!error.empty()) {
        throw Error(ErrorKind::kConnector,
                    where_ + ": insert into '" + table_->name + "' failed in the batch of rows " +
                        std::to_string(start + 1) + "-" + std::to_string(end) + ": " + error +
                        (start > 0 ? " (earlier batches were written)" : ""));
      }
    }
    rows_.clear();
  }

  void Abort() override {
    done_ = true;
    rows_.clear();
  }

 private:
  std::string where_;
  RedisAddress address_;
  std::shared_ptr<const TableInfo> table_;
  RedisTableDef def_;
  std::vector<std::vector<std::vector<std::string>>> rows_;
  int64_t row_number_ = 0;
  bool done_ = false;
};

bool IsVariableSegment(std::string_view s) {
  if (s.empty()) return false;
  bool all_digits = true, all_hex = true, has_digit = false;
  for (char c : s) {
    bool d = std::isdigit(static_cast<unsigned char>(c));
    has_digit = has_digit || d;
    all_digits = all_digits && d;
    all_hex = all_hex && (d || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-');
  }
  if (all_digits) return true;
  if (all_hex && has_digit && s.size() >= 8) return true;  // hex ids, UUIDs
  return false;
}

std::string SanitizeName(std::string s) {
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
    else
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s.empty() ? std::string("keys") : s;
}

bool ParseShape(const std::string& text, RedisShape* out) {
  std::string t = Lower(text);
  if (t == "hash")
    *out = RedisShape::kHash;
  else if (t == "json")
    *out = RedisShape::kJson;
  else if (t == "string")
    *out = RedisShape::kString;
  else if (t == "zset")
    *out = RedisShape::kZset;
  else if (t == "list")
    *out = RedisShape::kList;
  else if (t == "set")
    *out = RedisShape::kSet;
  else if (t == "stream")
    *out = RedisShape::kStream;
  else if (t == "hash_entries")
    *out = RedisShape::kHashEntries;
  else
    return false;
  return true;
}

}  // namespace

const char* RedisShapeName(RedisShape shape) {
  switch (shape) {
    case RedisShape::kHash:
      return "hash";
    case RedisShape::kJson:
      return "json";
    case RedisShape::kString:
      return "string";
    case RedisShape::kZset:
      return "zset";
    case RedisShape::kList:
      return "list";
    case RedisShape::kSet:
      return "set";
    case RedisShape::kStream:
      return "stream";
    case RedisShape::kHashEntries:
      return "hash_entries";
  }
  return "?";
}

std::string RedisGlobEscape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string RedisLikeToGlob(const std::string& like, char escape) {
  std::string out;
  for (size_t i = 0; i < like.size(); i++) {
    char c = like[i];
    if (escape && c == escape) {
      if (i + 1 >= like.size()) return "";
      out += RedisGlobEscape(std::string_view(&like[i + 1], 1));
      i++;
    } else if (c == '%') {
      out += '*';
    } else if (c == '_') {
      out += '?';
    } else {
      out += RedisGlobEscape(std::string_view(&c, 1));
    }
  }
  return out;
}

RedisKeyPattern RedisKeyPattern::Parse(const std::string& pattern, const std::string& where) {
  RedisKeyPattern p;
  std::string literal;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (c == '{') {
      size_t close = pattern.find('}', i);
      if (close == std::string::npos) {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "' has an unclosed '{'");
      }
      std::string name = pattern.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "' has an empty or nested placeholder");
      }
      if (!p.placeholders.empty() && literal.empty()) {
        throw Error(ErrorKind::kConnector, where + ": key pattern '" + pattern +
                                               "': placeholders need literal text between them");
      }
      if (Lower(name) == "_key" || Lower(name) == "_ttl") {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "': '{" + name +
                        "}' is reserved (every table has _key and _ttl columns)");
      }
      for (const auto& other : p.placeholders) {
        if (Lower(other) == Lower(name)) {
          throw Error(ErrorKind::kConnector,
                      where + ": key pattern '" + pattern + "' repeats '{" + name + "}'");
        }
      }
      p.literals.push_back(literal);
      literal.clear();
      p.placeholders.push_back(name);
      i = close;
    } else if (c == '}') {
      throw Error(ErrorKind::kConnector,
                  where + ": key pattern '" + pattern + "' has a '}' without '{'");
    } else {
      literal += c;
    }
  }
  p.literals.push_back(literal);
  return p;
}

std::string RedisKeyPattern::ToString() const {
  std::string s = literals[0];
  for (size_t i = 0; i < placeholders.size(); i++)
    s += "{" + placeholders[i] + "}" + literals[i + 1];
  return s;
}

std::string RedisKeyPattern::Glob(const std::vector<std::string>& parts) const {
  std::string s = RedisGlobEscape(literals[0]);
  for (size_t i = 0; i < placeholders.size(); i++) {
    s += (i < parts.size() && !parts[i].empty()) ? parts[i] : "*";
    s += RedisGlobEscape(literals[i + 1]);
  }
  return s;
}

bool RedisKeyPattern::Match(std::string_view key, std::vector<std::string_view>* values) const {
  values->clear();
  if (key.substr(0, literals[0].size()) != literals[0]) return false;
  size_t pos = literals[0].size();
  for (size_t i = 0; i < placeholders.size(); i++) {
    const std::string& next = literals[i + 1];
    size_t end;
    if (i + 1 == placeholders.size() && next.empty()) {
      end = key.size();
    } else {
      end = key.find(next, pos);
      if (i + 1 == placeholders.size()) {
        // The last literal ends the key.
        if (key.size() < next.size() || key.substr(key.size() - next.size()) != next) return false;
        end = key.size() - next.size();
        if (end < pos) return false;
      }
      if (end == std::string_view::npos) return false;
    }
    std::string_view v = key.substr(pos, end - pos);
    if (v.empty() || v.find(':') != std::string_view::npos) return false;
    values->push_back(v);
    pos = end + next.size();
  }
  return pos == key.size();
}

std::string RedisKeyPattern::Compose(const std::vector<std::string>& values) const {
  std::string s = literals[0];
  for (size_t i = 0; i < placeholders.size(); i++) s += values[i] + literals[i + 1];
  return s;
}

RedisAddress ParseRedisUrl(const std::string& url, const std::string& where) {
  RedisAddress a;
  std::string rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("rediss://", 0) == 0) {
    rest = url.substr(9);
    a.tls = true;
  } else {
    throw Error(ErrorKind::kConnector, where + ": not a redis:// URL: " + RedactUrl(url));
  }
  size_t q = rest.find('?');
  if (q != std::string::npos) rest = rest.substr(0, q);
  size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string::npos) {
      a.password = PercentDecode(userinfo);  // redis://password@host, as redis-cli -u accepts
    } else {
      a.user = PercentDecode(userinfo.substr(0, colon));
      a.password = PercentDecode(userinfo.substr(colon + 1));
    }
  }
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      int64_t n;
      if (!ParseBigIntText(db, &n) || n < 0 || n > 100000) {
        throw Error(ErrorKind::kConnector,
                    where + ": database '" + db + "' in " + RedactUrl(url) + " is not a number");
      }
      a.db = static_cast<int>(n);
    }
  }
  if (!hostport.empty() && hostport[0] == '[') {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == std::string::npos) {
      throw Error(ErrorKind::kConnector, where + ": unclosed '[' in the host of " + RedactUrl(url));
    }
    a.host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport[0] != ':') {
      throw Error(ErrorKind::kConnector,
                  where + ": unexpected text after the host in " + RedactUrl(url));
    }
    if (!hostport.empty()) {
      std::string port = hostport.substr(1);
      int64_t n;
      if (!ParseBigIntText(port, &n) || n <= 0 || n > 65535) {
        throw Error(ErrorKind::kConnector,
                    where + ": port '" + port + "' in " + RedactUrl(url) + " is not valid");
      }
      a.port = static_cast<int>(n);
    }
  } else if (!hostport.empty()) {
    size_t colon = hostport.rfind(':');
    if (colon != std::string::npos) {
      std::string port = hostport.substr(colon + 1);
      int64_t n;
      if (!ParseBigIntText(port, &n) || n <= 0 || n > 65535) {
        throw Error(ErrorKind::kConnector,
                    where + ": port '" + port + "' in " + RedactUrl(url) + " is not valid");
      }
      a.port = static_cast<int>(n);
      hostport = hostport.substr(0, colon);
    }
    if (!hostport.empty()) a.host = hostport;
  }
  return a;
}

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
  auto seconds = [&](const char* key, int* out_ms) {
    auto it = properties_.find(key);
    if (it == properties_.end()) return;
    double d;
    if (!ParseDoubleText(it->second, &d) || !(d > 0) || d > 86400) {
      throw Error(ErrorKind::kConnector, Where() + ": property " + key + "='" + it->second +
                                             "' is not a number of seconds (0 < s <= 86400)");
    }
    *out_ms = std::max(1, static_cast<int>(d * 1000));
  };
  seconds("connect_timeout", &address_.connect_timeout_ms);
  seconds("read_timeout", &address_.read_timeout_ms);
  for (const auto& [key, value] : properties_) {
    if (key.rfind("tls.", 0) != 0) continue;
    if (!address_.tls) {
      throw Error(ErrorKind::kConnector,
                  Where() + ": property '" + key + "' needs a TLS connection: use a rediss:// URL");
    }
    if (key == "tls.verify") {
      bool b;
      if (!ParseBooleanText(value, false, &b)) {
        throw Error(ErrorKind::kConnector,
                    Where() + ": property tls.verify='" + value + "' is not true or false");
      }
      address_.tls_verify = b;
    } else if (key == "tls.ca-file") {
      address_.tls_ca_file = value;
    } else if (key == "tls.cert-file") {
      address_.tls_cert_file = value;
    } else if (key == "tls.key-file") {
      address_.tls_key_file = value;
    } else {
      throw Error(ErrorKind::kConnector,
                  Where() + ": unknown property '" + key +
                      "' (tls.ca-file, tls.verify, tls.cert-file, tls.key-file)");
    }
  }
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
      defs[Lower(d.name)] = std::move(d);
    }
  }
  for (const auto& [key, value] : properties_) {
    auto dot = key.find('.');
    if (dot == std::string::npos) continue;
    std::string kind = key.substr(0, dot);
    std::string rest = key.substr(dot + 1);
    if (kind != "format" && kind != "ttl" && kind != "column") continue;
    std::string table = kind == "column" ? rest.substr(0, rest.find('.')) : rest;
    auto it = defs.find(Lower(table));
    if (it == defs.end()) {
      if (defs.empty()) continue;  // inferred tables: applied below by name
      throw Error(ErrorKind::kConnector,
                  Where() + ": property '" + key + "' names table '" + table +
                      "', which is not declared (declare it with --property table." + table +
                      "=<key pattern>)");
    }
    RedisTableDef& d = it->second;
    if (kind == "format") {
      if (!ParseShape(value, &d.shape)) {
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
      d.column_types[Lower(rest.substr(cd + 1))] = *type;
    }
  }
  if (defs.empty()) {
    // Inferred: group sampled keys by pattern (numbers, UUIDs and hex ids become {id}).
    RedisConnection conn(address_, Where());
    std::string cursor = "0";
    std::map<std::string, std::vector<std::string>> groups;  // pattern -> literal segments
    int keys = 0;
    for (int round = 0; round < 200 && keys < 10000; round++) {
      RespView page = ScanPage(conn.Command({"SCAN", cursor, "COUNT", "1000"}), &cursor, Where());
      RespView element = page.first();
      for (size_t i = 0; i < page.size(); i++, element = element.next()) {
        std::string key(element.str());
        keys++;
        std::string pattern;
        std::vector<std::string> literal_segments;
        int vars = 0;
        size_t start = 0;
        bool ok = true;
        while (true) {
          size_t end = key.find(':', start);
          std::string seg =
              key.substr(start, end == std::string::npos ? std::string::npos : end - start);
          if (seg.empty()) ok = false;
          if (seg.find_first_of("{}") != std::string::npos) ok = false;
          bool digit = std::any_of(seg.begin(), seg.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          });
          if (IsVariableSegment(seg) || (start > 0 && digit)) {
            vars++;
            pattern += vars == 1 ? "{id}" : "{id" + std::to_string(vars) + "}";
          } else {
            pattern += seg;
            literal_segments.push_back(seg);
          }
          if (end == std::string::npos) break;
          pattern += ":";
          start = end + 1;
        }
        if (ok) groups.emplace(pattern, literal_segments);
      }
      if (cursor == "0") break;
    }
    for (const auto& [pattern, literals] : groups) {
      std::string name;
      for (const auto& l : literals) name += (name.empty() ? "" : "_") + l;
      name = SanitizeName(name);
      std::string unique = name;
      for (int n = 2; defs.count(unique); n++) unique = name + "_" + std::to_string(n);
      RedisTableDef d;
      d.name = unique;
      d.pattern_text = pattern;
      d.pattern = RedisKeyPattern::Parse(pattern, Where());
      defs[unique] = std::move(d);
    }
    // Overrides by name for inferred tables.
    for (const auto& [key, value] : properties_) {
      if (key.rfind("column.", 0) != 0) continue;
      std::string rest = key.substr(7);
      size_t cd = rest.find('.');
      if (cd == std::string::npos) continue;
      auto it = defs.find(Lower(rest.substr(0, cd)));
      auto type = ParseTypeName(value);
      if (it != defs.end() && type) it->second.column_types[Lower(rest.substr(cd + 1))] = *type;
    }
  }
  for (auto& [k, d] : defs) entries_.push_back(Entry{std::move(d), nullptr});
  loaded_ = true;
}

RedisConnector::Entry* RedisConnector::FindEntry(const std::string& table) {
  LoadDefinitions();
  for (auto& e : entries_) {
    if (Lower(e.def.name) == Lower(table)) return &e;
  }
  return nullptr;
}

// Samples keys of the table: shape from TYPE (majority), columns and types from the values.
std::shared_ptr<const TableInfo> RedisConnector::Describe(Entry& entry) {
  if (entry.info) return entry.info;
  RedisTableDef& def = entry.def;
  RedisConnection conn(address_, Where());
  std::vector<std::string> sample;
  std::string cursor = "0";
  std::string glob = def.pattern.Glob();
  std::vector<std::string_view> parts;
  int64_t seen = 0;
  bool complete = false;
  for (int round = 0; round < 1000 && static_cast<int>(sample.size()) < sample_size_; round++) {
    std::string count = std::to_string(scan_count_);
    RespView page =
        ScanPage(conn.Command({"SCAN", cursor, "MATCH", glob, "COUNT", count}), &cursor, Where());
    RespView element = page.first();
    for (size_t i = 0; i < page.size(); i++, element = element.next()) {
      std::string key(element.str());
      if (!def.pattern.Match(key, &parts)) continue;
      seen++;
      if (static_cast<int>(sample.size()) < sample_size_) sample.push_back(std::move(key));
    }
    if (cursor == "0") {
      complete = true;
      break;
    }
  }
  std::vector<std::vector<std::string>> type_cmds;
  for (const auto& k : sample) type_cmds.push_back({"TYPE", k});
  std::vector<std::string> types;
  for (const auto& t : conn.Pipeline(type_cmds))
    types.emplace_back(t.type() == RespType::kStatus || t.type() == RespType::kString ? t.str()
                                                                                      : "");
  std::map<std::string, int> votes;
  for (const auto& t : types) {
    if (!t.empty()) votes[t]++;
  }
  votes.erase("none");
  std::string majority;
  int best = 0;
  for (const auto& [t, n] : votes) {
    if (n > best) {
      best = n;
      majority = t;
    }
  }
  std::vector<std::string> of_type;
  for (size_t i = 0; i < sample.size(); i++) {
    if (types[i] == majority) of_type.push_back(sample[i]);
  }
  if (!def.shape_forced) {
    if (majority == "hash")
      def.shape = RedisShape::kHash;
    else if (majority == "zset")
      def.shape = RedisShape::kZset;
    else if (majority == "list")
      def.shape = RedisShape::kList;
    else if (majority == "set")
      def.shape = RedisShape::kSet;
    else if (majority == "stream")
      def.shape = RedisShape::kStream;
    else if (majority == "string")
      def.shape = RedisShape::kString;  // JSON decided below
    else if (!majority.empty()) {
      throw Error(ErrorKind::kUnsupported, Where() + ": table '" + def.name + "': keys of type '" +
                                               majority + "' are not supported (pattern '" +
                                               def.pattern_text + "')");
    }
  }
  if (sample.empty() && def.column_types.empty() && !def.shape_forced) {
    throw Error(ErrorKind::kConnector, Where() + ": table '" + def.name +
                                           "': no key matches the pattern '" + def.pattern_text +
                                           "' (declare its columns with --property column." +
                                           def.name + ".<column>=<type> to use it while empty)");
  }

  // Value columns in first-seen order with their type guesses.
  std::vector<std::string> names;
  std::map<std::string, TypeGuess> guesses;
  auto add = [&](const std::string& name, std::optional<std::string_view> v, bool json_string) {
    if (!guesses.count(name)) names.push_back(name);
    TypeGuess& g = guesses[name];
    if (v) g.Add(*v, json_string);
  };
  if (majority == "hash" && def.shape == RedisShape::kHash) {
    std::vector<std::vector<std::string>> cmds;
    for (const auto& k : of_type) cmds.push_back({"HGETALL", k});
    for (const auto& r : conn.Pipeline(cmds)) {
      if (!r.is_array()) continue;
      RespView e = r.first();
      for (size_t i = 0; i + 1 < r.size(); i += 2, e = e.next().next())
        add(std::string(e.str()), e.next().str(), false);
    }
  } else if (majority == "string" &&
             (def.shape == RedisShape::kString || def.shape == RedisShape::kJson)) {
    std::vector<std::vector<std::string>> cmds;
    for (const auto& k : of_type) cmds.push_back({"GET", k});
    std::vector<RespView> values = conn.Pipeline(cmds);
    // JSON when most sampled strings are JSON objects (the others then fail loudly at read time).
    int json_count = 0, string_count = 0;
    simdjson::dom::parser parser;
    std::vector<std::pair<std::string, std::optional<std::string>>> members;
    std::vector<bool> is_string;
    std::string error;
    for (const auto& r : values) {
      if (r.type() != RespType::kString) continue;
      string_count++;
      std::string_view text = r.str();
      size_t first = text.find_first_not_of(" \t\r\n");
      if (first != std::string_view::npos && text[first] == '{' &&
          JsonMembers(parser, text, &members, &is_string, &error)) {
        json_count++;
      }
    }
    bool mostly_json = string_count > 0 && json_count * 2 > string_count;
    if (!def.shape_forced) def.shape = mostly_json ? RedisShape::kJson : RedisShape::kString;
    if (def.shape == RedisShape::kJson) {
      for (const auto& r : values) {
        if (r.type() != RespType::kString) continue;
        if (!JsonMembers(parser, r.str(), &members, &is_string, &error)) {
          if (def.shape_forced) {
            throw Error(ErrorKind::kConversion, Where() + ": table '" + def.name +
                                                    "': a sampled value is not a JSON object (" +
                                                    error + "): '" + Shown(r.str()) + "'");
          }
          continue;
        }
        for (size_t i = 0; i < members.size(); i++) {
          add(members[i].first,
              members[i].second ? std::optional<std::string_view>(*members[i].second)
                                : std::nullopt,
              is_string[i]);
        }
      }
    } else {
      for (const auto& r : values) {
        if (r.type() == RespType::kString) add("value", r.str(), false);
      }
    }
  } else if (majority == "hash" && def.shape == RedisShape::kHashEntries) {
    names = {"field", "value"};
    guesses["field"].saw_text = true;
    std::vector<std::vector<std::string>> cmds;
    for (const auto& k : of_type) cmds.push_back({"HGETALL", k});
    for (const auto& r : conn.Pipeline(cmds)) {
      if (!r.is_array()) continue;
      RespView e = r.first();
      for (size_t i = 0; i + 1 < r.size(); i += 2, e = e.next().next())
        add("value", e.next().str(), false);
    }
  } else if (def.shape == RedisShape::kHashEntries) {
    names = {"field", "value"};
  } else if (def.shape == RedisShape::kZset) {
    names = {"member", "score"};
  } else if (def.shape == RedisShape::kList) {
    names = {"index", "value"};
  } else if (def.shape == RedisShape::kSet) {
    names = {"member"};
  } else if (def.shape == RedisShape::kStream) {
    names = {"id"};
    guesses["id"].saw_text = true;
    std::vector<std::vector<std::string>> cmds;
    for (const auto& k : of_type) cmds.push_back({"XRANGE", k, "-", "+", "COUNT", "20"});
    for (const auto& r : conn.Pipeline(cmds)) {
      if (!r.is_array()) continue;
      RespView entry = r.first();
      for (size_t e = 0; e < r.size(); e++, entry = entry.next()) {
        if (!entry.is_array() || entry.size() != 2 || !entry[1].is_array()) continue;
        RespView kv = entry[1];
        RespView f = kv.first();
        for (size_t i = 0; i + 1 < kv.size(); i += 2, f = f.next().next())
          add(std::string(f.str()), f.next().str(), false);
      }
    }
  } else if (def.shape == RedisShape::kString) {
    names = {"value"};
  }

  auto info = std::make_shared<TableInfo>();
  info->schema = "default";
  info->name = def.name;
  info->location = "redis keys '" + def.pattern_text + "' (" + RedisShapeName(def.shape) + ")";
  std::set<std::string> used = {"_key", "_ttl"};
  auto type_for = [&](const std::string& name, LogicalType inferred) {
    auto it = def.column_types.find(Lower(name));
    return it == def.column_types.end() ? inferred : it->second;
  };
  // Placeholder columns: BIGINT when every sampled value is a canonical integer.
  for (size_t i = 0; i < def.pattern.placeholders.size(); i++) {
    bool ints = !sample.empty();
    for (const auto& k : sample) {
      if (def.pattern.Match(k, &parts) && !CanonicalInt(parts[i])) ints = false;
    }
    ColumnInfo c;
    c.name = def.pattern.placeholders[i];
    c.type = type_for(c.name, ints ? LogicalType(TypeId::kBigInt) : LogicalType(TypeId::kVarchar));
    c.nullable = false;
    c.comment = "from the key pattern '" + def.pattern_text + "'";
    used.insert(Lower(c.name));
    info->columns.push_back(std::move(c));
  }
  for (const auto& n : names) {
    if (used.count(Lower(n))) continue;
    used.insert(Lower(n));
    ColumnInfo c;
    c.name = n;
    LogicalType t = TypeId::kVarchar;
    if (def.shape == RedisShape::kZset && n == "score")
      t = TypeId::kDouble;
    else if (def.shape == RedisShape::kList && n == "index")
      t = TypeId::kBigInt;
    else if (guesses.count(n))
      t = guesses[n].Type();
    c.type = type_for(n, t);
    info->columns.push_back(std::move(c));
  }
  // Declared-only columns (column.<table>.<col> for fields the sample did not show).
  for (const auto& [n, t] : def.column_types) {
    if (used.count(n)) continue;
    used.insert(n);
    ColumnInfo c;
    c.name = n;
    c.type = t;
    info->columns.push_back(std::move(c));
  }
  ColumnInfo key;
  key.name = "_key";
  key.type = TypeId::kVarchar;
  key.nullable = false;
  key.comment = "the full Redis key";
  info->columns.push_back(key);
  ColumnInfo ttl;
  ttl.name = "_ttl";
  ttl.type = TypeId::kBigInt;
  ttl.comment = "seconds left before the key expires, or NULL";
  info->columns.push_back(ttl);
  if (complete)
    info->stats.row_count = static_cast<double>(seen);
  else {
    RespView r = conn.Command({"DBSIZE"});
    if (r.type() == RespType::kInteger) info->stats.row_count = static_cast<double>(r.integer());
  }
  entry.info = info;
  return info;
}

std::vector<std::string> RedisConnector::ListSchemas() { return {"default"}; }

std::vector<std::string> RedisConnector::ListTables(const std::string& schema) {
  if (!schema.empty() && Lower(schema) != "default") {
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
  if (!schema.empty() && Lower(schema) != "default") return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = FindEntry(table);
  if (!e) return nullptr;
  return Describe(*e);
}

std::unique_ptr<TableScan> RedisConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": CreateScan without a table");
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = FindEntry(table->name);
  if (!e) throw Error(ErrorKind::kCatalog, Where() + ": no table '" + table->name + "'");
  Describe(*e);
  ScanSpec spec;
  spec.where = Where();
  spec.address = address_;
  spec.pool = pool_;
  spec.table = table;
  spec.def = e->def;
  spec.scan_count = scan_count_;
  spec.batch_keys = lookup_batch_size_;
  return std::make_unique<RedisScan>(std::move(spec));
}

std::unique_ptr<TableWriter> RedisConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = FindEntry(table->name);
  if (!e) throw Error(ErrorKind::kCatalog, Where() + ": no table '" + table->name + "'");
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
  return std::make_unique<RedisTableWriter>(Where(), address_, table, e->def);
}

std::string RedisConnector::Summary() {
  RedisConnection conn(address_, Where());
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

void RegisterRedisConnector() {
  ConnectorFactory::Register("redis", {"redis", "rediss"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<RedisConnector>(config);
                             });
}

}  // namespace aishell
