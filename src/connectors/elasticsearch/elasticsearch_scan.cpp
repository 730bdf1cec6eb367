#include "connectors/elasticsearch/elasticsearch_scan.h"

#include <algorithm>
#include <map>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "connectors/elasticsearch/elasticsearch_data_source.h"
#include "connectors/elasticsearch/elasticsearch_query.h"

namespace aishell {

namespace {

// The field sorts and aggregations read (doc values), or nullptr.
const std::string* DocValueField(const EsField& f) {
  if (f.is_array) return nullptr;
  if (EsQueryBuilder::Exact(f) && f.es_type != "float" && f.es_type != "half_float") return &f.path;
  if ((f.es_type == "text" || f.es_type == "match_only_text") && !f.keyword_subfield.empty() &&
      f.subfield_ignore_above < 0)
    return &f.keyword_subfield;
  return nullptr;
}

struct EsSplit : Split {
  int slice = 0;
  int slices = 1;
  std::shared_ptr<EsReadContext> context;
  std::string Describe() const override {
    return slices > 1 ? "slice " + std::to_string(slice) + " of " + std::to_string(slices) : "";
  }
};

const char* AggName(EsAggregateCall::Kind k) {
  switch (k) {
    case EsAggregateCall::Kind::kCount:
      return "value_count";
    case EsAggregateCall::Kind::kSum:
      return "sum";
    case EsAggregateCall::Kind::kAvg:
      return "avg";
    case EsAggregateCall::Kind::kMin:
      return "min";
    case EsAggregateCall::Kind::kMax:
      return "max";
    default:
      return nullptr;
  }
}

}  // namespace

std::string EsScanSpec::Query(const std::string& extra) const {
  std::vector<std::string> clauses = filters;
  if (!extra.empty()) clauses.push_back(extra);
  if (must.empty()) return EsBoolFilter(clauses);
  std::string out = "{\"bool\":{\"must\":[";
  for (size_t i = 0; i < must.size(); i++) out += (i ? "," : "") + must[i];
  out += "]";
  if (!clauses.empty()) {
    out += ",\"filter\":[";
    for (size_t i = 0; i < clauses.size(); i++) out += (i ? "," : "") + clauses[i];
    out += "]";
  }
  return out + "}}";
}

std::string EsScanSpec::SourceJson() const {
  std::string includes;
  bool whole = false;
  for (int c : projection) {
    const EsColumn& col = table->columns[c];
    if (col.kind == EsColumnKind::kSource) whole = true;
    if (col.kind != EsColumnKind::kField) continue;
    if (!includes.empty()) includes += ',';
    AppendJsonString(col.field->path, &includes);
  }
  if (whole) return "\"_source\":true";
  if (includes.empty()) return "\"_source\":false";
  return "\"_source\":{\"includes\":[" + includes + "]}";
}

std::string EsScanSpec::SearchBody(const std::string& extra, int64_t size) const {
  std::string body = "{\"size\":" + std::to_string(size) + "," + SourceJson() +
                     ",\"query\":" + Query(extra) + ",\"track_total_hits\":false";
  if (!must.empty()) body += ",\"track_scores\":true";
  if (!sort.empty()) {
    body += ",\"sort\":[";
    for (size_t i = 0; i < sort.size(); i++) body += (i ? "," : "") + sort[i];
    body += "]";
  }
  return body + "}";
}

std::string EsScanSpec::AggregationBody(const std::string& after) const {
  const EsAggregation& agg = *aggregation;
  std::string metrics;
  for (size_t i = 0; i < agg.calls.size(); i++) {
    const auto& call = agg.calls[i];
    if (call.kind == EsAggregateCall::Kind::kCountStar ||
        call.kind == EsAggregateCall::Kind::kCountDistinct)
      continue;
    const std::string& field = *DocValueField(*call.field);
    auto add = [&](const std::string& name, const char* kind) {
      if (!metrics.empty()) metrics += ',';
      metrics += JsonString(name) + ":{\"" + kind + "\":{\"field\":" + JsonString(field) + "}}";
    };
    add("a" + std::to_string(i), AggName(call.kind));
    // sum of no values is NULL in SQL and 0 here: its value count tells them apart.
    if (call.kind == EsAggregateCall::Kind::kSum) add("n" + std::to_string(i), "value_count");
  }
  std::string body = "{\"size\":0,\"query\":" + Query();
  if (agg.groups.empty() && !agg.distinct_field) {
    body += ",\"track_total_hits\":true";
    if (!metrics.empty()) body += ",\"aggs\":{" + metrics + "}";
    return body + "}";
  }
  body += ",\"track_total_hits\":false,\"aggs\":{\"groups\":{\"composite\":{\"size\":" +
          std::to_string(composite_size) + ",\"sources\":[";
  for (size_t g = 0; g < agg.groups.size(); g++) {
    if (g) body += ',';
    body += "{\"g" + std::to_string(g) + "\":" + agg.group_sources[g] + "}";
  }
  if (agg.distinct_field) {
    body += std::string(agg.groups.empty() ? "" : ",") +
            "{\"d\":{\"terms\":{\"field\":" + JsonString(agg.distinct_path) +
            ",\"missing_bucket\":true}}}";
  }
  body += "]";
  if (!after.empty()) body += ",\"after\":" + after;
  body += "}";
  if (!metrics.empty()) body += ",\"aggs\":{" + metrics + "}";
  return body + "}}}";
}

EsScan::EsScan(EsScanSpec spec) : spec_(std::move(spec)) {
  spec_.projection.clear();
  for (size_t i = 0; i < spec_.table->columns.size(); i++) {
    if (!spec_.table->info->columns[i].hidden) spec_.projection.push_back(static_cast<int>(i));
  }
}

void EsScan::SetProjection(const std::vector<int>& column_ids) {
  for (int c : column_ids) {
    if (c < 0 || c >= static_cast<int>(spec_.table->columns.size()))
      throw Error(ErrorKind::kInternal,
                  spec_.where + ": projection column " + std::to_string(c) + " out of range");
  }
  spec_.projection = column_ids;
}

bool EsScan::PushFilter(const Expr& conjunct) {
  if (spec_.limit >= 0 || spec_.aggregation) return false;
  EsQueryBuilder builder(*spec_.table);
  auto clause = builder.Translate(conjunct);
  if (!clause) return false;
  std::vector<std::string> names;
  for (const auto& c : spec_.table->info->columns) names.push_back(c.name);
  spec_.filter_texts.push_back(conjunct.ToString(&names));
  if (EsQueryBuilder::IsMatch(conjunct)) {
    spec_.must.push_back(*clause);  // scored: _score is its relevance
  } else {
    spec_.filters.push_back(*clause);
  }
  return true;
}

bool EsScan::PushLimit(int64_t limit) {
  // Beyond index.max_result_window (10,000 by default) one request cannot say it.
  if (limit < 0 || limit > 10000 || spec_.aggregation) return false;
  if (spec_.limit < 0 || limit < spec_.limit) spec_.limit = limit;
  return true;
}

bool EsScan::PushOrder(const std::vector<SortKey>& keys, int64_t limit) {
  if (spec_.aggregation || spec_.limit >= 0 || keys.empty() || limit < 0 || limit > 10000)
    return false;
  EsQueryBuilder builder(*spec_.table);
  std::vector<std::string> sort;
  for (const auto& key : keys) {
    if (!key.expr) return false;
    if (key.expr->kind == ExprKind::kColumnRef && key.expr->column_index >= 0 &&
        key.expr->column_index < static_cast<int>(spec_.table->columns.size()) &&
        spec_.table->columns[key.expr->column_index].kind == EsColumnKind::kScore) {
      // Relevance: every hit has a score (0 without a full-text condition).
      if (spec_.must.empty()) return false;
      sort.push_back(std::string("{\"_score\":{\"order\":\"") + (key.ascending ? "asc" : "desc") +
                     "\"}}");
      continue;
    }
    const EsField* f = builder.FieldOf(*key.expr);
    if (!f || key.expr->kind == ExprKind::kCast) return false;
    const std::string* field = DocValueField(*f);
    if (!field) return false;
    sort.push_back("{" + JsonString(*field) + ":{\"order\":\"" + (key.ascending ? "asc" : "desc") +
                   "\",\"missing\":\"" + (key.nulls_first ? "_first" : "_last") + "\"}}");
  }
  spec_.sort = std::move(sort);
  spec_.limit = limit;
  return true;
}

bool EsScan::PushAggregation(const AggregationRequest& request) {
  if (spec_.aggregation || spec_.limit >= 0 || !spec_.sort.empty()) return false;
  auto agg = std::make_shared<EsAggregation>();
  auto field_of = [&](int column) -> const EsField* {
    if (column < 0 || column >= static_cast<int>(spec_.table->columns.size())) return nullptr;
    const EsColumn& c = spec_.table->columns[column];
    return c.kind == EsColumnKind::kField ? c.field : nullptr;
  };
  EsQueryBuilder builder(*spec_.table);
  for (size_t g = 0; g < request.group_columns.size(); g++) {
    int c = request.group_columns[g];
    const Expr* e =
        c < 0 && g < request.group_exprs.size() ? request.group_exprs[g].get() : nullptr;
    if (e && e->kind == ExprKind::kFunction && e->function && e->function->name == "date_trunc" &&
        e->children.size() == 2) {
      // date_trunc(unit, date field) as a date_histogram of that calendar interval (UTC, as the
      // engine truncates TIMESTAMP WITH TIME ZONE values).
      static const std::map<std::string, std::string> kIntervals = {
          {"second", "1s"}, {"minute", "1m"}, {"hour", "1h"},    {"day", "1d"},
          {"week", "1w"},   {"month", "1M"},  {"quarter", "1q"}, {"year", "1y"}};
      const Expr& unit = *e->children[0];
      const EsField* f = builder.FieldOf(*e->children[1]);
      if (unit.kind != ExprKind::kConstant || unit.value.is_null() || !f || f->is_array ||
          (f->es_type != "date" && f->es_type != "date_nanos") ||
          e->type.id != TypeId::kTimestampTz || e->children[1]->kind == ExprKind::kCast)
        return false;
      auto interval = kIntervals.find(AsciiLower(unit.value.GetString()));
      if (interval == kIntervals.end()) return false;
      agg->groups.push_back(f);
      agg->group_sources.push_back("{\"date_histogram\":{\"field\":" + JsonString(f->path) +
                                   ",\"calendar_interval\":\"" + interval->second +
                                   "\",\"missing_bucket\":true}}");
      agg->group_types.push_back(e->type);
      continue;
    }
    // A column, or a field of an object column (r.city).
    const EsField* f = e ? builder.FieldOf(*e) : field_of(c);
    if (!f || !DocValueField(*f) || (e && e->kind == ExprKind::kCast)) return false;
    const LogicalType& t = e ? e->type : spec_.table->info->columns[c].type;
    if (t.id == TypeId::kDouble || t != f->type) return false;  // -0.0 and 0.0: one SQL group
    agg->groups.push_back(f);
    agg->group_sources.push_back("{\"terms\":{\"field\":" + JsonString(*DocValueField(*f)) +
                                 ",\"missing_bucket\":true}}");
    agg->group_types.push_back(t);
  }
  using K = EsAggregateCall::Kind;
  for (const auto& call : request.calls) {
    EsAggregateCall out;
    out.result_type = call.result_type;
    if (call.distinct) {
      // Exact only (cardinality is approximate): one bucket per distinct value, counted.
      const EsField* f = field_of(call.column);
      if (call.function != "count" || !f || !DocValueField(*f) ||
          spec_.table->info->columns[call.column].type.id == TypeId::kDouble ||
          (agg->distinct_field && agg->distinct_field != f))
        return false;
      agg->distinct_field = f;
      agg->distinct_path = *DocValueField(*f);
      out.kind = K::kCountDistinct;
      out.field = f;
      agg->calls.push_back(out);
      continue;
    }
    if (call.function == "count" && call.column < 0) {
      out.kind = K::kCountStar;
      agg->calls.push_back(out);
      continue;
    }
    const EsField* f = field_of(call.column);
    if (!f || !DocValueField(*f)) return false;
    out.field = f;
    const LogicalType& t = spec_.table->info->columns[call.column].type;
    bool numeric = t.IsIntegral() || t.id == TypeId::kDouble;
    if (call.function == "count") {
      out.kind = K::kCount;
    } else if (call.function == "sum" && numeric &&
               (call.result_type == LogicalType(TypeId::kBigInt) ||
                call.result_type == LogicalType(TypeId::kDouble))) {
      out.kind = K::kSum;
    } else if (call.function == "avg" && numeric &&
               call.result_type == LogicalType(TypeId::kDouble)) {
      out.kind = K::kAvg;
    } else if ((call.function == "min" || call.function == "max") && call.result_type == t &&
               (numeric || t.id == TypeId::kTimestampTz)) {
      out.kind = call.function == "min" ? K::kMin : K::kMax;
    } else {
      return false;
    }
    agg->calls.push_back(out);
  }
  if (agg->distinct_field) {
    for (const auto& c : agg->calls) {
      if (c.kind != K::kCountDistinct && c.kind != K::kCountStar) return false;
    }
  }
  spec_.aggregation = std::move(agg);
  return true;
}

std::string EsScan::Describe() const {
  const std::string& index = spec_.table->index;
  std::string s;
  if (spec_.aggregation) {
    s = "POST /" + index + "/_search " + spec_.AggregationBody({});
    if (spec_.aggregation->distinct_field)
      s += "\n(count(DISTINCT): one composite bucket per group and value, counted by aishell)";
    if (!spec_.aggregation->groups.empty() || spec_.aggregation->distinct_field)
      s += "\n(composite aggregation, paged by after_key, " + std::to_string(spec_.composite_size) +
           " buckets a page)";
  } else if (spec_.limit >= 0) {
    s = "POST /" + index + "/_search " + spec_.SearchBody({}, spec_.limit);
  } else {
    s = "POST /" + index + "/_search " + spec_.SearchBody({}, spec_.page_size);
    double rows = spec_.table->info->stats.row_count.value_or(0);
    if (!spec_.filters.empty()) rows /= 4;
    s += rows <= spec_.page_size ? "\n(then, if the first page is full: " : "\n(read by ";
    if (spec_.server.has_pit && !spec_.force_scroll) {
      s += "point in time POST /" + index + "/_pit, pages of " + std::to_string(spec_.page_size) +
           " by search_after on _shard_doc";
    } else {
      s += "scroll of " + std::to_string(spec_.page_size) + " sorted by _doc";
    }
    s +=
        ", sliced across splits above " + std::to_string(spec_.slice_min_documents) + " documents)";
  }
  if (!spec_.filter_texts.empty()) {
    s += "\npushed filters:";
    for (const auto& f : spec_.filter_texts) s += " [" + f + "]";
  }
  return s;
}

double EsScan::EstimatedRows() const {
  if (spec_.aggregation) return spec_.aggregation->groups.empty() ? 1 : -1;
  double rows = spec_.table->info->stats.row_count.value_or(-1);
  if (rows >= 0) {
    for (size_t i = 0; i < spec_.filters.size(); i++) rows *= 0.25;
    rows = std::max(rows, 1.0);
  }
  if (spec_.limit >= 0 && (rows < 0 || rows > spec_.limit)) rows = static_cast<double>(spec_.limit);
  return rows;
}

std::vector<std::shared_ptr<Split>> EsScan::CreateSplits(int max_parallelism) {
  auto context = std::make_shared<EsReadContext>(std::make_shared<EsScanSpec>(spec_), &counters_);
  int slices = 1;
  double rows = spec_.table->info->stats.row_count.value_or(0);
  if (!spec_.aggregation && spec_.limit < 0 && max_parallelism > 1 &&
      rows >= static_cast<double>(spec_.slice_min_documents))
    slices = max_parallelism;
  std::vector<std::shared_ptr<Split>> out;
  for (int i = 0; i < slices; i++) {
    auto split = std::make_shared<EsSplit>();
    split->slice = i;
    split->slices = slices;
    split->context = context;
    out.push_back(split);
  }
  return out;
}

std::unique_ptr<DataSource> EsScan::CreateDataSource(std::shared_ptr<Split> split) {
  auto es = std::dynamic_pointer_cast<EsSplit>(split);
  std::shared_ptr<EsReadContext> context =
      es ? es->context
         : std::make_shared<EsReadContext>(std::make_shared<EsScanSpec>(spec_), &counters_);
  if (spec_.aggregation) return std::make_unique<EsAggregateSource>(context);
  return std::make_unique<EsSearchSource>(context, es ? es->slice : 0, es ? es->slices : 1,
                                          std::vector<std::string>{});
}

int EsScan::LookupBatch() const {
  return static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(spec_.batch_size, spec_.table->max_terms_count)));
}

bool EsScan::SupportsKeyLookup(const std::vector<int>& key_columns) const {
  if (key_columns.size() != 1 || spec_.limit >= 0 || spec_.aggregation) return false;
  int c = key_columns[0];
  if (c < 0 || c >= static_cast<int>(spec_.table->columns.size())) return false;
  const EsColumn& col = spec_.table->columns[c];
  return col.kind == EsColumnKind::kField && EsQueryBuilder::KeyLookupField(*col.field);
}

std::unique_ptr<DataSource> EsScan::LookupKeys(const std::vector<int>& key_columns,
                                               const Batch& keys) {
  if (!SupportsKeyLookup(key_columns) || keys.ColumnCount() != 1)
    return TableScan::LookupKeys(key_columns, keys);
  EsQueryBuilder builder(*spec_.table);
  const EsField& f = *spec_.table->columns[key_columns[0]].field;
  std::vector<std::string> rounds;
  size_t step = static_cast<size_t>(LookupBatch());
  for (size_t offset = 0; offset < keys.count; offset += step) {
    size_t n = std::min(step, keys.count - offset);
    Vector slice = keys.columns[0].Slice(offset, n);
    auto terms = builder.Terms(f, slice, n);
    if (!terms) return TableScan::LookupKeys(key_columns, keys);
    rounds.push_back(*terms);
  }
  if (rounds.empty()) rounds.push_back("{\"match_none\":{}}");
  auto context = std::make_shared<EsReadContext>(std::make_shared<EsScanSpec>(spec_), &counters_);
  return std::make_unique<EsSearchSource>(context, 0, 1, std::move(rounds));
}

size_t EsScan::MaxKeysPerRequest(const std::vector<int>&) const {
  return static_cast<size_t>(LookupBatch());
}

std::string EsScan::DescribeLookup(const std::vector<int>& key_columns, size_t batch_size) const {
  if (!SupportsKeyLookup(key_columns)) return {};
  const EsField& f = *spec_.table->columns[key_columns[0]].field;
  const std::string& target = f.es_type == "text" ? f.keyword_subfield : f.path;
  size_t n = std::min<size_t>(batch_size, static_cast<size_t>(LookupBatch()));
  std::string terms =
      "{\"terms\":{" + JsonString(target) + ":[<up to " + std::to_string(n) + " keys>]}}";
  return "POST /" + spec_.table->index + "/_search " + spec_.SearchBody(terms, spec_.page_size);
}

bool EsScan::PushDynamicFilter(int column, const Batch& values) {
  if (!SupportsKeyLookup({column}) || values.ColumnCount() != 1) return false;
  if (values.count > static_cast<size_t>(LookupBatch())) return false;
  EsQueryBuilder builder(*spec_.table);
  auto terms = builder.Terms(*spec_.table->columns[column].field, values.columns[0], values.count);
  if (!terms) return false;
  spec_.filter_texts.push_back(spec_.table->info->columns[column].name + " IN (" +
                               std::to_string(values.count) + " join keys)");
  spec_.filters.push_back(*terms);
  return true;
}

namespace {

class EsRawQuerySource : public DataSource {
 public:
  EsRawQuerySource(std::shared_ptr<EsClient> client, std::string what, std::string path,
                   std::string body, size_t columns, ScanCounters* counters)
      : client_(std::move(client)),
        what_(std::move(what)),
        path_(std::move(path)),
        body_(std::move(body)),
        columns_(columns),
        counters_(counters) {}

  bool Next(Batch& out) override {
    if (done_) return false;
    done_ = true;
    EsResponse r = client_->Request("POST", path_, what_, body_);
    counters_->bytes_read.fetch_add(static_cast<int64_t>(r.body.size()), std::memory_order_relaxed);
    counters_->rows_read.fetch_add(1, std::memory_order_relaxed);
    std::vector<LogicalType> types(columns_, LogicalType(TypeId::kVarchar));
    out = Batch(types, 1);
    for (auto& column : out.columns) {
      column.Resize(1);
      column.SetValue(0, Value::Varchar(r.body));
    }
    out.SetCount(1);
    return true;
  }

 private:
  std::shared_ptr<EsClient> client_;
  std::string what_;
  std::string path_;
  std::string body_;
  size_t columns_;
  ScanCounters* counters_;
  bool done_ = false;
};

}  // namespace

std::string EsRawQueryScan::Describe() const {
  return "POST /" + index_ + "/_search " + body_ +
         "\n(raw_query: the body as written; the whole answer is the one row's result)";
}

std::vector<std::shared_ptr<Split>> EsRawQueryScan::CreateSplits(int) {
  return {std::make_shared<Split>()};
}

std::unique_ptr<DataSource> EsRawQueryScan::CreateDataSource(std::shared_ptr<Split>) {
  return std::make_unique<EsRawQuerySource>(client_, "raw_query on index '" + index_ + "'",
                                            "/" + path_ + "/_search", body_, projection_.size(),
                                            &counters_);
}

}  // namespace aishell
