#include "connectors/mongodb/mongodb_scan.h"

#include <algorithm>
#include <cmath>

#include "common/exception.h"
#include "connectors/mongodb/mongodb_data_source.h"
#include "connectors/mongodb/mongodb_filter.h"

namespace aishell {

namespace {

std::shared_ptr<bson_t> Share(BsonPtr doc) {
  return std::shared_ptr<bson_t>(doc.release(), BsonDeleter());
}

bool IsScalar(const LogicalType& t) { return !t.IsNested() && t.id != TypeId::kJson; }

// {$ne: null} on a path: the rows where a field holds a value.
void AppendNotNull(bson_t* doc, const std::string& path) {
  bson_t cond;
  bson_append_document_begin(doc, path.c_str(), -1, &cond);
  bson_append_null(&cond, "$ne", -1);
  bson_append_document_end(doc, &cond);
}

// A part of a collection: {_id: {$gte: lo, $lt: hi}} (either bound may be missing).
struct MongoIdRangeSplit : Split {
  std::shared_ptr<bson_t> range;
  std::string text;
  std::string Describe() const override { return text; }
};

std::string OidHex(const bson_oid_t& oid) {
  char hex[25];
  bson_oid_to_string(&oid, hex);
  return hex;
}

std::shared_ptr<MongoIdRangeSplit> IdRangeSplit(const bson_oid_t* lo, const bson_oid_t* hi) {
  auto split = std::make_shared<MongoIdRangeSplit>();
  BsonPtr doc = NewBson();
  bson_t cond;
  bson_append_document_begin(doc.get(), "_id", 3, &cond);
  if (lo) bson_append_oid(&cond, "$gte", 4, lo);
  if (hi) bson_append_oid(&cond, "$lt", 3, hi);
  bson_append_document_end(doc.get(), &cond);
  split->range = Share(std::move(doc));
  split->text = std::string("_id") + (lo ? " >= ObjectId('" + OidHex(*lo) + "')" : "") +
                (lo && hi ? " and" : "") + (hi ? " < ObjectId('" + OidHex(*hi) + "')" : "");
  return split;
}

}  // namespace

std::vector<std::string> MongoAggregateParts(const MongoAggregation& aggregation) {
  std::vector<std::string> parts;
  auto add = [&](char what, int column) {
    std::string p(1, what);
    if (column >= 0) p += std::to_string(column);
    if (std::find(parts.begin(), parts.end(), p) == parts.end()) parts.push_back(p);
  };
  using K = MongoAggregateCall::Kind;
  for (const auto& call : aggregation.calls) {
    switch (call.kind) {
      case K::kCountStar:
        add('n', -1);
        break;
      case K::kCount:
        add('n', call.column);
        break;
      case K::kCountDistinct:
        add('d', call.column);
        break;
      case K::kSum:
      case K::kAvg:
        add('s', call.column);
        add('n', call.column);
        break;
      case K::kMin:
        add('<', call.column);
        break;
      case K::kMax:
        add('>', call.column);
        break;
    }
  }
  // Every group comes out of a count(*) (the other pipelines skip rows whose value is NULL, and
  // with them the groups that only have such rows).
  if (!aggregation.groups.empty() || parts.empty()) add('n', -1);
  return parts;
}

BsonPtr MongoScanSpec::Filter(const bson_t* extra) const {
  std::vector<const bson_t*> parts;
  for (const auto& f : filters) parts.push_back(f.get());
  if (extra) parts.push_back(extra);
  if (parts.size() == 1) return BsonPtr(bson_copy(parts[0]));
  BsonPtr out = NewBson();
  if (parts.empty()) return out;
  bson_t list;
  bson_append_array_begin(out.get(), "$and", -1, &list);
  for (size_t i = 0; i < parts.size(); i++) {
    std::string index = std::to_string(i);
    bson_append_document(&list, index.c_str(), -1, parts[i]);
  }
  bson_append_array_end(out.get(), &list);
  return out;
}

BsonPtr MongoScanSpec::FindOptions() const {
  BsonPtr opts = NewBson();
  bson_t projection_doc;
  bson_append_document_begin(opts.get(), "projection", -1, &projection_doc);
  bool has_id = false;
  for (int c : projection) {
    const std::string& path = table->columns[c].dotted;
    if (path == "_id") has_id = true;
    bson_append_int32(&projection_doc, path.c_str(), -1, 1);
  }
  // _id always travels (a few bytes): an error about a value names its document.
  if (!has_id) bson_append_int32(&projection_doc, "_id", -1, 1);
  bson_append_document_end(opts.get(), &projection_doc);
  if (!sort.empty()) {
    bson_t sort_doc;
    bson_append_document_begin(opts.get(), "sort", -1, &sort_doc);
    for (const auto& [path, dir] : sort) bson_append_int32(&sort_doc, path.c_str(), -1, dir);
    bson_append_document_end(opts.get(), &sort_doc);
  }
  if (limit >= 0) bson_append_int64(opts.get(), "limit", -1, limit);
  if (cursor_batch_size > 0) bson_append_int32(opts.get(), "batchSize", -1, cursor_batch_size);
  return opts;
}

namespace {

void AppendNumberTypes(bson_t* doc, const char* key, bool ferretdb, bool with_null) {
  bson_t list;
  bson_append_array_begin(doc, key, -1, &list);
  int i = 0;
  // FerretDB does not know the "decimal" alias (and stores no Decimal128).
  for (const char* t : {"int", "long", "double", "decimal", "null"}) {
    if ((std::string(t) == "decimal" && ferretdb) || (std::string(t) == "null" && !with_null))
      continue;
    std::string index = std::to_string(i++);
    bson_append_utf8(&list, index.c_str(), -1, t, -1);
  }
  bson_append_array_end(doc, &list);
}

}  // namespace

BsonPtr MongoScanSpec::NumbersOf(int column) const {
  BsonPtr doc = NewBson();
  bson_t cond;
  bson_append_document_begin(doc.get(), table->columns[column].dotted.c_str(), -1, &cond);
  AppendNumberTypes(&cond, "$type", server.IsFerretDb(), false);
  bson_append_document_end(doc.get(), &cond);
  return doc;
}

BsonPtr MongoScanSpec::NonNumbersOf(int column) const {
  BsonPtr doc = NewBson();
  bson_t cond, inner;
  bson_append_document_begin(doc.get(), table->columns[column].dotted.c_str(), -1, &cond);
  bson_append_bool(&cond, "$exists", -1, true);
  bson_append_document_begin(&cond, "$not", -1, &inner);
  AppendNumberTypes(&inner, "$type", server.IsFerretDb(), true);
  bson_append_document_end(&cond, &inner);
  bson_append_document_end(doc.get(), &cond);
  return doc;
}

std::vector<BsonPtr> MongoScanSpec::Pipelines() const {
  std::vector<BsonPtr> out;
  if (!aggregation) return out;
  const auto& cols = table->columns;
  auto key_of = [&](bson_t* group, bool with_distinct, int distinct_column) {
    const auto& keys = aggregation->groups;
    if (!with_distinct && keys.empty()) {
      bson_append_null(group, "_id", -1);
    } else if (!with_distinct && keys.size() == 1) {
      std::string ref = "$" + keys[0].path;
      bson_append_utf8(group, "_id", -1, ref.c_str(), -1);
    } else {
      bson_t id;
      bson_append_document_begin(group, "_id", -1, &id);
      for (size_t k = 0; k < keys.size(); k++) {
        std::string name = "k" + std::to_string(k), ref = "$" + keys[k].path;
        bson_append_utf8(&id, name.c_str(), -1, ref.c_str(), -1);
      }
      if (with_distinct) {
        std::string ref = "$" + cols[distinct_column].dotted;
        bson_append_utf8(&id, "d", -1, ref.c_str(), -1);
      }
      bson_append_document_end(group, &id);
    }
  };
  // One pipeline per distinct accumulator (a sum also needs the count of its values).
  for (const std::string& part : MongoAggregateParts(*aggregation)) {
    char what = part[0];
    int column = part.size() > 1 ? std::stoi(part.substr(1)) : -1;
    BsonPtr pipeline = NewBson();
    bson_t stages;
    bson_append_array_begin(pipeline.get(), "pipeline", -1, &stages);
    int stage = 0;
    auto next = [&] { return std::to_string(stage++); };
    BsonPtr extra;
    if (column >= 0 && what != 's') {
      if (what == 'n' && table->info->columns[column].type.IsNumeric()) {
        // The values $sum adds: numbers (a value of another type is no value of the column).
        extra = NumbersOf(column);
      } else {
        extra = NewBson();
        AppendNotNull(extra.get(), cols[column].dotted);
      }
    }
    BsonPtr match = Filter(extra.get());
    if (!bson_empty(match.get())) {
      bson_t m;
      bson_append_document_begin(&stages, next().c_str(), -1, &m);
      bson_append_document(&m, "$match", -1, match.get());
      bson_append_document_end(&stages, &m);
    }
    bson_t g, group, acc;
    bson_append_document_begin(&stages, next().c_str(), -1, &g);
    bson_append_document_begin(&g, "$group", -1, &group);
    key_of(&group, what == 'd', column);
    bson_append_document_begin(&group, "v", -1, &acc);
    std::string ref = column >= 0 ? "$" + cols[column].dotted : std::string();
    switch (what) {
      case 'n':  // count(*) or count(column)
      case 'd':  // distinct pairs: the count is not used
        bson_append_int32(&acc, "$sum", -1, 1);
        break;
      case 's':
        bson_append_utf8(&acc, "$sum", -1, ref.c_str(), -1);
        break;
      case '<':
        bson_append_utf8(&acc, "$min", -1, ref.c_str(), -1);
        break;
      case '>':
        bson_append_utf8(&acc, "$max", -1, ref.c_str(), -1);
        break;
    }
    bson_append_document_end(&group, &acc);
    bson_append_document_end(&g, &group);
    bson_append_document_end(&stages, &g);
    bson_append_array_end(pipeline.get(), &stages);
    out.push_back(std::move(pipeline));
  }
  return out;
}

MongoScan::MongoScan(MongoScanSpec spec) : spec_(std::move(spec)) {
  spec_.projection.clear();
  for (size_t i = 0; i < spec_.table->columns.size(); i++)
    spec_.projection.push_back(static_cast<int>(i));
  spec_.mismatches = &mismatches_;
}

void MongoScan::SetProjection(const std::vector<int>& column_ids) {
  for (int c : column_ids) {
    if (c < 0 || c >= static_cast<int>(spec_.table->columns.size()))
      throw Error(ErrorKind::kInternal,
                  spec_.where + ": projection column " + std::to_string(c) + " out of range");
  }
  spec_.projection = column_ids;
}

bool MongoScan::Pushable(int column) const {
  if (column < 0 || column >= static_cast<int>(spec_.table->columns.size())) return false;
  std::string path;
  return PushableField(*MakeColumnRef(column, spec_.table->info->columns[column].type), &path);
}

bool MongoScan::PushableField(const Expr& e, std::string* path) const {
  // A column, or a chain of ROW field accesses over one (not a cast: its value is not the
  // field's).
  bool field = e.kind == ExprKind::kColumnRef ||
               (e.kind == ExprKind::kFunction && e.function && e.function->field_index >= 0);
  const LogicalType& t = e.type;
  if (!field || !IsScalar(t)) return false;
  MongoFilterBuilder builder(*spec_.table, spec_.server.IsFerretDb());
  BsonKindSet kinds;
  if (!builder.FieldPath(e, path, &kinds)) return false;
  switch (t.id) {
    case TypeId::kVarchar:
      return kinds == KindBit(BsonKind::kString) || kinds == KindBit(BsonKind::kObjectId);
    case TypeId::kBoolean:
      return kinds == KindBit(BsonKind::kBool);
    case TypeId::kTimestampTz:
    case TypeId::kTimestamp:
      return kinds == KindBit(BsonKind::kDate);
    default:
      if (!t.IsNumeric() || kinds == 0) return false;
      if (kinds & ~(KindBit(BsonKind::kInt32) | KindBit(BsonKind::kInt64) |
                    KindBit(BsonKind::kDouble) | KindBit(BsonKind::kDecimal)))
        return false;
      return !(spec_.server.IsFerretDb() && (kinds & KindBit(BsonKind::kDecimal)));
  }
}

bool MongoScan::PushFilter(const Expr& conjunct) {
  if (spec_.limit >= 0 || spec_.aggregation) return false;
  MongoFilterBuilder builder(*spec_.table, spec_.server.IsFerretDb());
  BsonPtr doc = builder.Translate(conjunct);
  if (!doc) return false;
  std::vector<std::string> names;
  for (const auto& c : spec_.table->info->columns) names.push_back(c.name);
  spec_.filter_texts.push_back(conjunct.ToString(&names));
  spec_.filters.push_back(Share(std::move(doc)));
  return true;
}

bool MongoScan::PushLimit(int64_t limit) {
  if (limit < 0 || spec_.aggregation) return false;
  if (spec_.limit < 0 || limit < spec_.limit) spec_.limit = limit;
  return true;
}

bool MongoScan::PushOrder(const std::vector<SortKey>& keys, int64_t limit) {
  if (spec_.aggregation || spec_.limit >= 0 || keys.empty()) return false;
  std::vector<std::pair<std::string, int>> sort;
  for (const auto& key : keys) {
    if (!key.expr || key.expr->kind != ExprKind::kColumnRef) return false;
    int c = key.expr->column_index;
    if (!Pushable(c)) return false;
    // MongoDB sorts null and missing fields first when ascending, last when descending.
    bool non_null = !spec_.table->info->columns[c].nullable;
    if (!non_null && key.ascending != key.nulls_first) return false;
    sort.emplace_back(spec_.table->columns[c].dotted, key.ascending ? 1 : -1);
  }
  spec_.sort = std::move(sort);
  if (limit >= 0) spec_.limit = limit;
  return true;
}

bool MongoScan::PushAggregation(const AggregationRequest& request) {
  if (spec_.aggregation || spec_.limit >= 0 || !spec_.sort.empty()) return false;
  bool ferret = spec_.server.IsFerretDb();
  auto agg = std::make_shared<MongoAggregation>();
  for (size_t g = 0; g < request.group_columns.size(); g++) {
    int c = request.group_columns[g];
    std::shared_ptr<Expr> e;
    if (c >= 0 && c < static_cast<int>(spec_.table->columns.size())) {
      e = MakeColumnRef(c, spec_.table->info->columns[c].type);
    } else if (c < 0 && g < request.group_exprs.size() && request.group_exprs[g]) {
      e = request.group_exprs[g];  // a field of a ROW column, or refused below
    } else {
      return false;
    }
    MongoGroupKey key;
    if (!PushableField(*e, &key.path)) return false;
    key.type = e->type;
    agg->groups.push_back(std::move(key));
  }
  for (const auto& call : request.calls) {
    MongoAggregateCall out;
    out.column = call.column;
    out.result_type = call.result_type;
    const LogicalType* type =
        call.column >= 0 ? &spec_.table->info->columns.at(call.column).type : nullptr;
    if (call.function == "count") {
      if (call.column < 0) {
        if (call.distinct) return false;
        out.kind = MongoAggregateCall::Kind::kCountStar;
      } else {
        if (!IsScalar(*type)) return false;
        if (call.distinct && !Pushable(call.column)) return false;
        out.kind = call.distinct ? MongoAggregateCall::Kind::kCountDistinct
                                 : MongoAggregateCall::Kind::kCount;
      }
    } else if (call.distinct) {
      return false;
    } else if (call.function == "sum" || call.function == "avg") {
      // Exact for integers and doubles; DECIMAL stays in the engine.
      if (!Pushable(call.column) || !(type->IsIntegral() || type->id == TypeId::kDouble))
        return false;
      if (call.function == "sum" && call.result_type != LogicalType(TypeId::kBigInt) &&
          call.result_type != LogicalType(TypeId::kDouble))
        return false;
      if (call.function == "avg" && call.result_type != LogicalType(TypeId::kDouble)) return false;
      out.kind =
          call.function == "sum" ? MongoAggregateCall::Kind::kSum : MongoAggregateCall::Kind::kAvg;
    } else if (call.function == "min" || call.function == "max") {
      // FerretDB has no $min/$max accumulators (NotImplemented).
      if (ferret || !Pushable(call.column) || call.result_type != *type) return false;
      out.kind =
          call.function == "min" ? MongoAggregateCall::Kind::kMin : MongoAggregateCall::Kind::kMax;
    } else {
      return false;
    }
    agg->calls.push_back(out);
  }
  if (static_cast<int>(MongoAggregateParts(*agg).size()) > spec_.max_pipelines) return false;
  spec_.aggregation = std::move(agg);
  return true;
}

std::string MongoScan::Describe() const {
  const MongoTable& t = *spec_.table;
  std::string s;
  std::string target = t.database + "." + t.collection;
  if (spec_.aggregation) {
    auto pipelines = spec_.Pipelines();
    for (size_t i = 0; i < pipelines.size(); i++) {
      bson_iter_t it;
      std::string text = "[]";
      if (bson_iter_init_find(&it, pipelines[i].get(), "pipeline")) {
        bson_t wrapper;
        bson_init(&wrapper);
        bson_append_iter(&wrapper, "p", 1, &it);
        std::string json = BsonToJson(wrapper);
        bson_destroy(&wrapper);
        size_t colon = json.find(':');
        size_t close = json.rfind('}');
        text = json.substr(colon + 2, close - colon - 3);
      }
      if (!s.empty()) s += "\n";
      s += "db." + t.collection + ".aggregate(" + text + ")";
    }
    s += "\n(" + std::to_string(pipelines.size()) +
         " pipeline(s), one accumulator each, merged per group by aishell)";
  } else {
    BsonPtr filter = spec_.Filter();
    BsonPtr opts = spec_.FindOptions();
    s = "db." + t.collection + ".find(" + BsonToJson(*filter);
    bson_iter_t it;
    if (bson_iter_init_find(&it, opts.get(), "projection")) {
      bson_t wrapper;
      bson_init(&wrapper);
      bson_append_iter(&wrapper, "projection", -1, &it);
      std::string json = BsonToJson(wrapper);
      bson_destroy(&wrapper);
      s += ", " + json.substr(json.find(':') + 2, json.rfind('}') - json.find(':') - 3);
    }
    s += ")";
    if (!spec_.sort.empty()) {
      s += ".sort({";
      for (size_t i = 0; i < spec_.sort.size(); i++)
        s += (i ? ", \"" : "\"") + spec_.sort[i].first +
             "\": " + std::to_string(spec_.sort[i].second);
      s += "})";
    }
    if (spec_.limit >= 0) s += ".limit(" + std::to_string(spec_.limit) + ")";
  }
  if (!spec_.aggregation) {
    std::string why_one;
    int splits = PlannedSplits(0, &why_one);
    if (splits > 1 && spec_.splits > 0)
      s += "\nread in " + std::to_string(splits) + " _id ranges at once (scan.splits)";
    else if (splits > 1 || why_one.rfind("FerretDB", 0) == 0)
      s += "\nread in " +
           (splits > 1 ? std::string("one _id range per thread") : "one cursor: " + why_one);
  }
  s += "\ndatabase " + t.database + "; schema " + t.sampling;
  int64_t mismatched = mismatches_.load();
  if (mismatched > 0)
    s += "; " + std::to_string(mismatched) +
         " value(s) that did not fit their column read as NULL (schema.on_mismatch=null)";
  return s;
}

double MongoScan::EstimatedRows() const {
  if (spec_.aggregation) return -1;
  double rows = spec_.table->info->stats.row_count.value_or(-1);
  if (rows >= 0) {
    for (size_t i = 0; i < spec_.filters.size(); i++) rows *= 0.25;
    rows = std::max(rows, 1.0);
  }
  if (spec_.limit >= 0 && (rows < 0 || rows > spec_.limit)) rows = static_cast<double>(spec_.limit);
  return rows;
}

int MongoScan::PlannedSplits(int threads, std::string* why_one) const {
  auto one = [&](std::string why) {
    if (why_one) *why_one = std::move(why);
    return 1;
  };
  if (spec_.aggregation || spec_.limit >= 0 || !spec_.sort.empty())
    return one("an aggregation, ORDER BY or LIMIT is read as one cursor");
  const MongoTable& t = *spec_.table;
  bool object_ids = false;
  for (const auto& c : t.columns)
    if (c.dotted == "_id") object_ids = c.kinds == KindBit(BsonKind::kObjectId);
  if (!object_ids) return one("the sampled _id values are not all ObjectIds");
  if (spec_.splits > 0) return spec_.splits;
  if (spec_.server.IsFerretDb())
    return one("FerretDB reads the whole collection for every _id range; scan.splits=N forces N");
  double rows = t.info->stats.row_count.value_or(-1);
  if (rows < static_cast<double>(spec_.split_min_documents))
    return one("under " + std::to_string(spec_.split_min_documents) + " documents");
  return std::max(threads, 1);
}

std::vector<bson_oid_t> MongoScan::SplitPoints(int n) const {
  const MongoTable& t = *spec_.table;
  std::string what = "splitting " + t.database + "." + t.collection + " by _id";
  MongoPool::Lease client = spec_.pool->Acquire();
  CollectionPtr coll(
      mongoc_client_get_collection(client.get(), t.database.c_str(), t.collection.c_str()));
  // Every document is read by some range only if every _id is an ObjectId: a range bound of one
  // BSON type matches only values of that type. The check uses the _id index on MongoDB.
  std::vector<bson_oid_t> ids;
  auto read_ids = [&](const bson_t& filter, const bson_t& opts, bool aggregate) {
    CursorPtr cursor(
        aggregate
            ? mongoc_collection_aggregate(coll.get(), MONGOC_QUERY_NONE, &filter, nullptr, nullptr)
            : mongoc_collection_find_with_opts(coll.get(), &filter, &opts, nullptr));
    const bson_t* doc = nullptr;
    bool other = false;
    while (mongoc_cursor_next(cursor.get(), &doc)) {
      bson_iter_t it;
      if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
        ids.push_back(*bson_iter_oid(&it));
      else
        other = true;
    }
    bson_error_t error;
    if (mongoc_cursor_error(cursor.get(), &error))
      ThrowMongoError(spec_.where, what, error, spec_.pool->url());
    return !other;
  };
  bson_t* not_oid = BCON_NEW("_id", "{", "$not", "{", "$type", BCON_UTF8("objectId"), "}", "}");
  bson_t* id_only = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "limit", BCON_INT64(1));
  bool others = !read_ids(*not_oid, *id_only, false) || !ids.empty();
  bson_destroy(not_oid);
  bson_destroy(id_only);
  ids.clear();
  if (others) return {};
  if (!spec_.server.IsFerretDb()) {
    // A random sample of _ids, sorted: its quantiles cut the collection into about equal parts.
    bson_t* pipeline =
        BCON_NEW("pipeline", "[", "{", "$sample", "{", "size", BCON_INT32(64 * n), "}", "}", "{",
                 "$project", "{", "_id", BCON_INT32(1), "}", "}", "]");
    bson_t empty = BSON_INITIALIZER;
    bool ok = read_ids(*pipeline, empty, true);
    bson_destroy(pipeline);
    if (!ok) return {};
    std::sort(ids.begin(), ids.end(), [](const bson_oid_t& a, const bson_oid_t& b) {
      return bson_oid_compare(&a, &b) < 0;
    });
    std::vector<bson_oid_t> points;
    for (int i = 1; i < n && !ids.empty(); i++)
      points.push_back(ids[ids.size() * static_cast<size_t>(i) / static_cast<size_t>(n)]);
    ids = std::move(points);
  } else {
    // No $sample on FerretDB: the i-th n-quantile by counting through the _id order.
    int64_t count = static_cast<int64_t>(t.info->stats.row_count.value_or(0));
    for (int i = 1; i < n && count > 0; i++) {
      bson_t empty = BSON_INITIALIZER;
      bson_t* opts =
          BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "sort", "{", "_id", BCON_INT32(1),
                   "}", "skip", BCON_INT64(count * i / n), "limit", BCON_INT64(1));
      read_ids(empty, *opts, false);
      bson_destroy(opts);
    }
  }
  ids.erase(
      std::unique(ids.begin(), ids.end(),
                  [](const bson_oid_t& a, const bson_oid_t& b) { return bson_oid_equal(&a, &b); }),
      ids.end());
  return ids;
}

std::vector<std::shared_ptr<Split>> MongoScan::CreateSplits(int max_parallelism) {
  int n = PlannedSplits(max_parallelism, nullptr);
  if (n > 1) {
    std::vector<bson_oid_t> points = SplitPoints(n);
    if (!points.empty()) {
      std::vector<std::shared_ptr<Split>> splits;
      splits.push_back(IdRangeSplit(nullptr, &points[0]));
      for (size_t i = 1; i < points.size(); i++)
        splits.push_back(IdRangeSplit(&points[i - 1], &points[i]));
      splits.push_back(IdRangeSplit(&points.back(), nullptr));
      return splits;
    }
  }
  return {std::make_shared<Split>()};
}

std::unique_ptr<DataSource> MongoScan::CreateDataSource(std::shared_ptr<Split> split) {
  auto spec = std::make_shared<MongoScanSpec>(spec_);
  if (spec_.aggregation) return std::make_unique<MongoAggregateSource>(spec, &counters_);
  if (auto range = std::dynamic_pointer_cast<MongoIdRangeSplit>(split)) {
    auto rounds = std::make_shared<std::vector<std::shared_ptr<bson_t>>>();
    rounds->push_back(range->range);
    return std::make_unique<MongoFindSource>(spec, rounds, &counters_);
  }
  return std::make_unique<MongoFindSource>(spec, nullptr, &counters_);
}

double MongoScan::MaxLookupKeys(const std::vector<int>&) const {
  return static_cast<double>(spec_.max_lookup_keys);
}

bool MongoScan::SupportsKeyLookup(const std::vector<int>& key_columns) const {
  if (key_columns.size() != 1 || spec_.limit >= 0 || spec_.aggregation) return false;
  return Pushable(key_columns[0]);
}

BsonPtr MongoScan::InFilter(int column, const Vector& values, size_t count) const {
  const MongoColumn& c = spec_.table->columns[column];
  const LogicalType& type = spec_.table->info->columns[column].type;
  BsonPtr doc = NewBson();
  bson_t cond, list;
  bson_append_document_begin(doc.get(), c.dotted.c_str(), -1, &cond);
  bson_append_array_begin(&cond, "$in", -1, &list);
  size_t n = 0;
  for (size_t i = 0; i < count; i++) {
    Value v = values.GetValue(i);
    if (v.is_null()) continue;
    if (v.type() != type) return nullptr;
    if (type.id == TypeId::kVarchar && c.kinds == KindBit(BsonKind::kObjectId)) {
      // Text that is no ObjectId's lower-case hex never equals one: skip it.
      const std::string& s = v.GetString();
      bool hex = s.size() == 24 && std::all_of(s.begin(), s.end(), [](char ch) {
                   return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                 });
      if (!hex) continue;
    }
    if ((type.id == TypeId::kTimestampTz || type.id == TypeId::kTimestamp) &&
        v.GetInt64() % 1000 != 0)
      continue;  // dates hold milliseconds: no match
    if (type.IsFloating() && std::isnan(v.GetDouble())) continue;
    std::string index = std::to_string(n++);
    if (!AppendBsonValue(&list, index.c_str(), v, c.kinds)) return nullptr;
  }
  bson_append_array_end(&cond, &list);
  bson_append_document_end(doc.get(), &cond);
  return doc;
}

std::unique_ptr<DataSource> MongoScan::LookupKeys(const std::vector<int>& key_columns,
                                                  const Batch& keys) {
  if (!SupportsKeyLookup(key_columns) || keys.ColumnCount() != 1)
    return TableScan::LookupKeys(key_columns, keys);
  auto spec = std::make_shared<MongoScanSpec>(spec_);
  // Rounds of at most batch_size keys each.
  std::vector<std::shared_ptr<bson_t>> rounds;
  size_t step = static_cast<size_t>(std::max(1, spec_.batch_size));
  for (size_t offset = 0; offset < keys.count; offset += step) {
    size_t n = std::min(step, keys.count - offset);
    Vector slice = keys.columns[0].Slice(offset, n);
    BsonPtr in = InFilter(key_columns[0], slice, n);
    if (!in) return TableScan::LookupKeys(key_columns, keys);
    rounds.push_back(Share(std::move(in)));
  }
  return std::make_unique<MongoFindSource>(spec, std::make_shared<decltype(rounds)>(rounds),
                                           &counters_);
}

size_t MongoScan::MaxKeysPerRequest(const std::vector<int>&) const {
  return static_cast<size_t>(std::max(1, spec_.batch_size));
}

std::string MongoScan::DescribeLookup(const std::vector<int>& key_columns,
                                      size_t batch_size) const {
  if (!SupportsKeyLookup(key_columns)) return {};
  const std::string& path = spec_.table->columns[key_columns[0]].dotted;
  return "db." + spec_.table->collection + ".find({\"" + path + "\": {\"$in\": [<up to " +
         std::to_string(std::min<size_t>(batch_size, static_cast<size_t>(spec_.batch_size))) +
         " keys>]}} AND the scan's filter)";
}

bool MongoScan::PushDynamicFilter(int column, const Batch& values) {
  if (spec_.limit >= 0 || spec_.aggregation || !Pushable(column) || values.ColumnCount() != 1)
    return false;
  if (values.count > static_cast<size_t>(spec_.batch_size)) return false;
  if (spec_.max_lookup_keys >= 0 && values.count > static_cast<size_t>(spec_.max_lookup_keys))
    return false;
  BsonPtr in = InFilter(column, values.columns[0], values.count);
  if (!in) return false;
  spec_.filter_texts.push_back(spec_.table->info->columns[column].name + " IN (" +
                               std::to_string(values.count) + " join keys)");
  spec_.filters.push_back(Share(std::move(in)));
  return true;
}

}  // namespace aishell
