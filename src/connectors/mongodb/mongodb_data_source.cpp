#include "connectors/mongodb/mongodb_data_source.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/exception.h"

namespace aishell {

namespace {

std::vector<LogicalType> ProjectedTypes(const MongoScanSpec& spec) {
  std::vector<LogicalType> types;
  for (int c : spec.projection) types.push_back(spec.table->info->columns[c].type);
  return types;
}

CollectionPtr OpenCollection(mongoc_client_t* client, const MongoTable& table) {
  return CollectionPtr(
      mongoc_client_get_collection(client, table.database.c_str(), table.collection.c_str()));
}

}  // namespace

MongoFindSource::MongoFindSource(std::shared_ptr<const MongoScanSpec> spec,
                                 std::shared_ptr<const std::vector<std::shared_ptr<bson_t>>> rounds,
                                 ScanCounters* counters)
    : spec_(std::move(spec)),
      rounds_(std::move(rounds)),
      counters_(counters),
      decoder_(spec_->table, spec_->projection, spec_->mismatch, spec_->where, spec_->mismatches),
      types_(ProjectedTypes(*spec_)) {}

MongoFindSource::~MongoFindSource() { CloseCursor(); }

void MongoFindSource::CloseCursor() {
  cursor_.reset();
  collection_.reset();
  client_.reset();
}

bool MongoFindSource::OpenNext() {
  CloseCursor();
  const bson_t* extra = nullptr;
  if (rounds_) {
    if (next_round_ >= rounds_->size()) return false;
    extra = (*rounds_)[next_round_++].get();
  } else if (next_round_++ > 0) {
    return false;
  }
  client_ = std::make_unique<MongoPool::Lease>(spec_->pool->Acquire());
  collection_ = OpenCollection(client_->get(), *spec_->table);
  BsonPtr filter = spec_->Filter(extra);
  BsonPtr opts = spec_->FindOptions();
  cursor_.reset(
      mongoc_collection_find_with_opts(collection_.get(), filter.get(), opts.get(), nullptr));
  return true;
}

bool MongoFindSource::Next(Batch& out) {
  if (done_) return false;
  out = Batch(types_, kBatchSize);
  size_t n = 0;
  while (n < kBatchSize) {
    if (!cursor_ && !OpenNext()) {
      done_ = true;
      break;
    }
    const bson_t* doc = nullptr;
    if (mongoc_cursor_next(cursor_.get(), &doc)) {
      for (auto& column : out.columns) column.Resize(n + 1);
      decoder_.Decode(*doc, out, n);
      counters_->bytes_read.fetch_add(doc->len, std::memory_order_relaxed);
      n++;
      continue;
    }
    bson_error_t error;
    if (mongoc_cursor_error(cursor_.get(), &error)) {
      std::string what = "reading " + spec_->table->database + "." + spec_->table->collection;
      CloseCursor();
      done_ = true;
      ThrowMongoError(spec_->where, what, error, spec_->pool->url());
    }
    CloseCursor();
  }
  if (n == 0) return false;
  out.SetCount(n);
  counters_->rows_read.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
  return true;
}

// One group of the merged result: its key values and, per pipeline, what it contributed.
struct MongoAggregateSource::Group {
  std::vector<Value> keys;
  std::vector<int64_t> counts;
  std::vector<int64_t> int_sums;
  std::vector<double> double_sums;
  std::vector<bool> sum_is_double;
  std::vector<Value> extremes;
  std::vector<std::unordered_set<std::string>> distinct;
};

MongoAggregateSource::MongoAggregateSource(std::shared_ptr<const MongoScanSpec> spec,
                                           ScanCounters* counters)
    : spec_(std::move(spec)),
      counters_(counters),
      decoder_(spec_->table, {}, spec_->mismatch, spec_->where, spec_->mismatches) {}

MongoAggregateSource::~MongoAggregateSource() = default;

namespace {

// A value as a hash key that tells NULL from every text.
std::string KeyText(const Value& v) {
  return v.is_null() ? std::string("\x01") : "\x02" + v.ToString();
}

}  // namespace

void MongoAggregateSource::Run() {
  const MongoAggregation& agg = *spec_->aggregation;
  const MongoTable& table = *spec_->table;
  std::vector<std::string> parts = MongoAggregateParts(agg);
  std::vector<BsonPtr> pipelines = spec_->Pipelines();
  std::unordered_map<std::string, size_t> index;
  size_t nparts = parts.size();
  auto group_of = [&](std::vector<Value> keys) -> Group& {
    std::string text;
    for (const auto& k : keys) text += KeyText(k) + '\0';
    auto [it, inserted] = index.emplace(text, groups_.size());
    if (inserted) {
      auto g = std::make_unique<Group>();
      g->keys = std::move(keys);
      g->counts.assign(nparts, 0);
      g->int_sums.assign(nparts, 0);
      g->double_sums.assign(nparts, 0);
      g->sum_is_double.assign(nparts, false);
      g->extremes.assign(nparts, Value());
      g->distinct.resize(nparts);
      groups_.push_back(std::move(g));
    }
    return *groups_[it->second];
  };
  auto decode_as = [&](const bson_iter_t* it, const LogicalType& type,
                       const std::string& path) -> Value {
    if (!it) return Value::Null(type);
    Vector v(type, 1);
    v.Resize(1);
    decoder_.DecodeValue(*it, type, v, 0, path);
    return v.GetValue(0);
  };
  auto decode = [&](const bson_iter_t* it, int column) -> Value {
    return decode_as(it, table.info->columns[column].type, table.columns[column].dotted);
  };
  auto decode_key = [&](const bson_iter_t* it, size_t k) -> Value {
    return decode_as(it, agg.groups[k].type, agg.groups[k].path);
  };
  if (agg.groups.empty()) group_of({});  // a global aggregate has one row, inputs or not

  MongoPool::Lease client = spec_->pool->Acquire();
  CollectionPtr collection = OpenCollection(client.get(), table);
  // $sum skips values that are not numbers, where the engine stops at them (or reads them as
  // NULL with schema.on_mismatch=null, as $sum does): look for one first.
  if (spec_->mismatch == MismatchPolicy::kError) {
    std::vector<int> checked;
    for (const auto& call : agg.calls) {
      int c = call.column;
      if (c < 0 || !table.info->columns[c].type.IsNumeric() ||
          std::find(checked.begin(), checked.end(), c) != checked.end())
        continue;
      checked.push_back(c);
      BsonPtr odd = spec_->NonNumbersOf(c);
      BsonPtr filter = spec_->Filter(odd.get());
      bson_t* opts = BCON_NEW("limit", BCON_INT64(1));
      CursorPtr cursor(
          mongoc_collection_find_with_opts(collection.get(), filter.get(), opts, nullptr));
      bson_destroy(opts);
      const bson_t* doc = nullptr;
      if (mongoc_cursor_next(cursor.get(), &doc))
        decoder_.DecodeField(*doc, table.columns[c], table.info->columns[c].type);  // throws
      bson_error_t error;
      if (mongoc_cursor_error(cursor.get(), &error))
        ThrowMongoError(spec_->where, "checking " + table.database + "." + table.collection, error,
                        spec_->pool->url());
    }
  }
  for (size_t p = 0; p < nparts; p++) {
    char what = parts[p][0];
    int column = parts[p].size() > 1 ? std::stoi(parts[p].substr(1)) : -1;
    CursorPtr cursor(mongoc_collection_aggregate(collection.get(), MONGOC_QUERY_NONE,
                                                 pipelines[p].get(), nullptr, nullptr));
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor.get(), &doc)) {
      counters_->bytes_read.fetch_add(doc->len, std::memory_order_relaxed);
      bson_iter_t id;
      std::vector<Value> keys;
      bson_iter_t distinct_it;
      bool has_distinct = false;
      bool found_id = bson_iter_init_find(&id, doc, "_id");
      bool keyed_doc = what == 'd' || agg.groups.size() > 1;
      if (!keyed_doc) {
        if (agg.groups.size() == 1)
          keys.push_back(decode_key(found_id && !BSON_ITER_HOLDS_NULL(&id) ? &id : nullptr, 0));
      } else {
        // {k0: .., k1: .., d: ..}; a missing key is NULL (MongoDB leaves a missing field out).
        bson_t sub;
        uint32_t length = 0;
        const uint8_t* data = nullptr;
        if (found_id && BSON_ITER_HOLDS_DOCUMENT(&id)) bson_iter_document(&id, &length, &data);
        bool ok = data && bson_init_static(&sub, data, length);
        for (size_t k = 0; k < agg.groups.size(); k++) {
          bson_iter_t kit;
          std::string name = "k" + std::to_string(k);
          bool has = ok && bson_iter_init_find(&kit, &sub, name.c_str());
          keys.push_back(decode_key(has ? &kit : nullptr, k));
        }
        has_distinct = ok && bson_iter_init_find(&distinct_it, &sub, "d") &&
                       !BSON_ITER_HOLDS_NULL(&distinct_it);
      }
      Group& g = group_of(std::move(keys));
      bson_iter_t v;
      bool has_v = bson_iter_init_find(&v, doc, "v");
      switch (what) {
        case 'n':
          if (has_v) g.counts[p] += bson_iter_as_int64(&v);
          break;
        case 'd':
          if (has_distinct) g.distinct[p].insert(KeyText(decode(&distinct_it, column)));
          break;
        case 's':
          if (!has_v) break;
          if (BSON_ITER_HOLDS_DOUBLE(&v)) {
            g.sum_is_double[p] = true;
            g.double_sums[p] += bson_iter_double(&v);
          } else if (BSON_ITER_HOLDS_INT32(&v) || BSON_ITER_HOLDS_INT64(&v)) {
            int64_t add = bson_iter_as_int64(&v);
            if (__builtin_add_overflow(g.int_sums[p], add, &g.int_sums[p]))
              g.sum_is_double[p] = true;  // reported as an overflow below
          }
          break;
        case '<':
        case '>': {
          if (!has_v || BSON_ITER_HOLDS_NULL(&v)) break;
          Value x = decode(&v, column);
          if (x.is_null()) break;
          Value& best = g.extremes[p];
          if (best.is_null() || (what == '<' ? x.Compare(best) < 0 : x.Compare(best) > 0)) best = x;
          break;
        }
      }
    }
    bson_error_t error;
    if (mongoc_cursor_error(cursor.get(), &error)) {
      ThrowMongoError(spec_->where, "aggregating " + table.database + "." + table.collection, error,
                      spec_->pool->url());
    }
  }
}

bool MongoAggregateSource::Next(Batch& out) {
  if (!ran_) {
    Run();
    ran_ = true;
  }
  if (emitted_ >= groups_.size()) return false;
  const MongoAggregation& agg = *spec_->aggregation;
  const MongoTable& table = *spec_->table;
  std::vector<std::string> parts = MongoAggregateParts(agg);
  auto part_index = [&](char what, int column) {
    std::string p(1, what);
    if (column >= 0) p += std::to_string(column);
    for (size_t i = 0; i < parts.size(); i++) {
      if (parts[i] == p) return i;
    }
    throw Error(ErrorKind::kInternal, spec_->where + ": no pipeline " + p);
  };
  std::vector<LogicalType> types;
  for (const auto& key : agg.groups) types.push_back(key.type);
  for (const auto& call : agg.calls) types.push_back(call.result_type);
  size_t n = std::min(kBatchSize, groups_.size() - emitted_);
  out = Batch(types, n);
  out.SetCount(n);
  using K = MongoAggregateCall::Kind;
  for (size_t r = 0; r < n; r++) {
    const Group& g = *groups_[emitted_ + r];
    size_t col = 0;
    for (const auto& k : g.keys) out.columns[col++].SetValue(r, k);
    for (const auto& call : agg.calls) {
      Vector& v = out.columns[col++];
      Value result;
      switch (call.kind) {
        case K::kCountStar:
          result = Value::BigInt(g.counts[part_index('n', -1)]);
          break;
        case K::kCount:
          result = Value::BigInt(g.counts[part_index('n', call.column)]);
          break;
        case K::kCountDistinct:
          result =
              Value::BigInt(static_cast<int64_t>(g.distinct[part_index('d', call.column)].size()));
          break;
        case K::kSum:
        case K::kAvg: {
          size_t s = part_index('s', call.column);
          int64_t count = g.counts[part_index('n', call.column)];
          if (count == 0) {
            result = Value::Null(call.result_type);
            break;
          }
          if (call.kind == K::kSum && call.result_type.id == TypeId::kBigInt) {
            if (g.sum_is_double[s])
              throw Error(ErrorKind::kExecution, spec_->where + ": sum(" +
                                                     table.info->columns[call.column].name +
                                                     ") overflows BIGINT");
            result = Value::BigInt(g.int_sums[s]);
            break;
          }
          double sum = g.double_sums[s] + static_cast<double>(g.int_sums[s]);
          result = Value::Double(call.kind == K::kSum ? sum : sum / static_cast<double>(count));
          break;
        }
        case K::kMin:
          result = g.extremes[part_index('<', call.column)];
          break;
        case K::kMax:
          result = g.extremes[part_index('>', call.column)];
          break;
      }
      if (result.is_null()) {
        v.SetNull(r);
      } else {
        v.SetValue(r, result);
      }
    }
  }
  emitted_ += n;
  counters_->rows_read.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
  return true;
}

}  // namespace aishell
