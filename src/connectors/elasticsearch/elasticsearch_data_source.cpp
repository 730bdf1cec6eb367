#include "connectors/elasticsearch/elasticsearch_data_source.h"

#include <simdjson.h>

#include <cmath>

#include "common/exception.h"
#include "common/json_text.h"

namespace aishell {

namespace {

constexpr const char* kKeepAlive = "1m";

}  // namespace

EsReadContext::~EsReadContext() {
  if (pit_id_.empty()) return;
  try {
    std::string path = spec_->server.has_pit ? "/_pit" : "/_search/point_in_time";
    spec_->client->Send("DELETE", path, "{\"id\":" + JsonString(pit_id_) + "}");
  } catch (...) {
    // The point in time expires on its own after its keep-alive.
  }
}

std::string EsReadContext::PitId() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!pit_id_.empty() || pit_refused_) return pit_id_;
  const std::string& index = spec_->table->index;
  std::string path = "/" + index + "/_pit?keep_alive=" + kKeepAlive;
  std::string what = "opening a point in time on index '" + index + "'";
  EsResponse r = spec_->client->Send("POST", path);
  if (r.status == 400 || r.status == 404 || r.status == 405) {
    // A server (or proxy) without point in time: the splits scroll instead.
    pit_refused_ = true;
    return pit_id_;
  }
  if (r.status < 200 || r.status >= 300)
    throw Error(ErrorKind::kConnector, spec_->client->DescribeFailure(r, "POST", path, what));
  simdjson::dom::parser parser;
  std::string_view id;
  if (parser.parse(r.body)["id"].get(id))
    throw Error(ErrorKind::kConnector,
                spec_->where + ": index '" + index + "': the point-in-time answer has no id");
  pit_id_ = std::string(id);
  return pit_id_;
}

EsSearchSource::EsSearchSource(std::shared_ptr<EsReadContext> context, int slice, int slices,
                               std::vector<std::string> rounds)
    : context_(std::move(context)),
      spec_(context_->spec()),
      slice_(slice),
      slices_(slices),
      rounds_(std::move(rounds)),
      decoder_(spec_.table, spec_.projection, spec_.where) {}

EsSearchSource::~EsSearchSource() { CloseScroll(); }

void EsSearchSource::CloseScroll() {
  if (scroll_id_.empty()) return;
  try {
    spec_.client->Send("DELETE", "/_search/scroll",
                       "{\"scroll_id\":[" + JsonString(scroll_id_) + "]}");
  } catch (...) {
  }
  scroll_id_.clear();
}

std::string EsSearchSource::SliceJson() const {
  if (slices_ <= 1) return {};
  return ",\"slice\":{\"id\":" + std::to_string(slice_) + ",\"max\":" + std::to_string(slices_) +
         "}";
}

void EsSearchSource::FetchPage() {
  const std::string& index = spec_.table->index;
  size_t round_count = std::max<size_t>(1, rounds_.size());
  bool use_pit = spec_.server.has_pit && !spec_.force_scroll;
  while (pending_.empty() && !done_) {
    if (round_ >= round_count) {
      done_ = true;
      return;
    }
    std::vector<Batch> batches;
    EsPage page;
    std::string what = "reading index '" + index + "'";
    auto run = [&](const std::string& method, const std::string& path, const std::string& body) {
      EsResponse r = spec_.client->Request(method, path, what, body);
      context_->counters()->bytes_read.fetch_add(static_cast<int64_t>(r.body.size()),
                                                 std::memory_order_relaxed);
      page = decoder_.DecodeSearch(r.body, &batches);
      documents_read_ += static_cast<int64_t>(page.hits);
    };
    switch (phase_) {
      case Phase::kStart: {
        // A probe page without a cursor ends small reads (lookups, selective filters) in one
        // request; a read that surely spans pages goes straight to the cursor.
        double rows = spec_.table->info->stats.row_count.value_or(0);
        if (!spec_.filters.empty()) rows /= 4;
        bool probe = spec_.limit >= 0 || !rounds_.empty() || rows <= spec_.page_size;
        if (slices_ > 1 || !probe) {
          phase_ = use_pit ? Phase::kPit : Phase::kScroll;
          continue;
        }
        int64_t size = spec_.limit >= 0 ? spec_.limit : spec_.page_size;
        run("POST", "/" + index + "/_search", spec_.SearchBody(Extra(), size));
        if (spec_.limit >= 0 || page.hits < static_cast<size_t>(spec_.page_size)) {
          for (auto& b : batches) pending_.push_back(std::move(b));
          phase_ = Phase::kRoundDone;
        } else {
          // More than one page: read again, from a consistent view.
          phase_ = use_pit ? Phase::kPit : Phase::kScroll;
          search_after_.clear();
        }
        break;
      }
      case Phase::kPit: {
        if (pit_id_.empty()) pit_id_ = context_->PitId();
        if (pit_id_.empty()) {
          // No point in time here after all: scroll (from the start of this round).
          phase_ = Phase::kScroll;
          continue;
        }
        std::string body = "{\"size\":" + std::to_string(spec_.page_size) + "," +
                           spec_.SourceJson() + ",\"query\":" + spec_.Query(Extra()) +
                           ",\"pit\":{\"id\":" + JsonString(pit_id_) + ",\"keep_alive\":\"" +
                           kKeepAlive + "\"},\"sort\":[\"_shard_doc\"],\"track_total_hits\":false" +
                           SliceJson();
        if (!spec_.must.empty()) body += ",\"track_scores\":true";
        if (!search_after_.empty()) body += ",\"search_after\":" + search_after_;
        body += "}";
        what = "reading index '" + index + "' (point in time, page after " +
               (search_after_.empty() ? std::string("the start") : search_after_) + ", after " +
               std::to_string(documents_read_) + " documents of this split)";
        run("POST", "/_search", body);
        for (auto& b : batches) pending_.push_back(std::move(b));
        if (!page.pit_id.empty()) pit_id_ = page.pit_id;
        search_after_ = page.last_sort;
        if (page.hits < static_cast<size_t>(spec_.page_size)) phase_ = Phase::kRoundDone;
        break;
      }
      case Phase::kScroll: {
        if (scroll_id_.empty()) {
          std::string body = "{\"size\":" + std::to_string(spec_.page_size) + "," +
                             spec_.SourceJson() + ",\"query\":" + spec_.Query(Extra()) +
                             ",\"sort\":[\"_doc\"]" + SliceJson() +
                             (spec_.must.empty() ? "" : ",\"track_scores\":true") + "}";
          run("POST", "/" + index + "/_search?scroll=" + kKeepAlive, body);
        } else {
          what = "reading index '" + index + "' (scroll, page after " +
                 std::to_string(documents_read_) + " documents of this split)";
          run("POST", "/_search/scroll",
              "{\"scroll\":\"" + std::string(kKeepAlive) +
                  "\",\"scroll_id\":" + JsonString(scroll_id_) + "}");
        }
        if (!page.scroll_id.empty()) scroll_id_ = page.scroll_id;
        for (auto& b : batches) pending_.push_back(std::move(b));
        if (page.hits == 0) {
          CloseScroll();
          phase_ = Phase::kRoundDone;
        }
        break;
      }
      case Phase::kRoundDone:
        round_++;
        phase_ = Phase::kStart;
        search_after_.clear();
        break;
    }
  }
}

bool EsSearchSource::Next(Batch& out) {
  while (pending_.empty()) {
    if (done_) return false;
    FetchPage();
  }
  out = std::move(pending_.front());
  pending_.pop_front();
  context_->counters()->rows_read.fetch_add(static_cast<int64_t>(out.count),
                                            std::memory_order_relaxed);
  return true;
}

EsAggregateSource::EsAggregateSource(std::shared_ptr<EsReadContext> context)
    : context_(std::move(context)), spec_(context_->spec()) {}

namespace {

using simdjson::dom::element;

[[noreturn]] void Unexpected(const EsScanSpec& spec, const std::string& what) {
  throw Error(ErrorKind::kConnector, spec.where + ": index '" + spec.table->index +
                                         "': unexpected aggregation answer: " + what);
}

// A number Elasticsearch computed in double as an exact integer of `type`.
Value ExactInteger(const EsScanSpec& spec, double d, const LogicalType& type, const char* what) {
  if (std::fabs(d) > 9007199254740992.0 || d != std::floor(d))
    throw Error(ErrorKind::kExecution,
                spec.where + ": index '" + spec.table->index + "': the " + what +
                    " computed by Elasticsearch (" + std::to_string(d) +
                    ") is beyond 2^53, where its double arithmetic is not exact; run the query "
                    "with SET SESSION pushdown = false");
  int64_t n = static_cast<int64_t>(d);
  switch (type.id) {
    case TypeId::kTinyInt:
      return Value::TinyInt(static_cast<int8_t>(n));
    case TypeId::kSmallInt:
      return Value::SmallInt(static_cast<int16_t>(n));
    case TypeId::kInteger:
      return Value::Integer(static_cast<int32_t>(n));
    default:
      return Value::BigInt(n);
  }
}

double NumberOf(element e) {
  double d;
  if (!e.get(d)) return d;
  int64_t i;
  if (!e.get(i)) return static_cast<double>(i);
  uint64_t u;
  if (!e.get(u)) return static_cast<double>(u);
  return NAN;
}

Value KeyValue(const EsScanSpec& spec, element e, const LogicalType& type) {
  if (e.is_null()) return Value::Null(type);
  switch (type.id) {
    case TypeId::kVarchar: {
      std::string_view s;
      if (!e.get(s)) return Value::Varchar(std::string(s));
      return Value::Varchar(simdjson::minify(e));
    }
    case TypeId::kBoolean: {
      bool b;
      if (!e.get(b)) return Value::Boolean(b);
      std::string_view s;
      if (!e.get(s)) return Value::Boolean(s == "true");
      return Value::Boolean(NumberOf(e) != 0);
    }
    case TypeId::kTimestampTz:
      return Value::TimestampTz(static_cast<int64_t>(NumberOf(e)) * 1000);
    case TypeId::kDouble:
      return Value::Double(NumberOf(e));
    case TypeId::kReal:
      return Value::Real(static_cast<float>(NumberOf(e)));
    default: {
      int64_t i;
      if (!e.get(i)) return ExactInteger(spec, static_cast<double>(i), type, "group key");
      return ExactInteger(spec, NumberOf(e), type, "group key");
    }
  }
}

// One row's aggregate values from an object holding a0.., n0.. (a bucket or `aggregations`).
void AppendCalls(const EsScanSpec& spec, element holder, int64_t doc_count,
                 std::vector<Value>* row) {
  using K = EsAggregateCall::Kind;
  const auto& calls = spec.aggregation->calls;
  for (size_t i = 0; i < calls.size(); i++) {
    const auto& call = calls[i];
    if (call.kind == K::kCountStar) {
      row->push_back(Value::BigInt(doc_count));
      continue;
    }
    element agg;
    if (holder[("a" + std::to_string(i))].get(agg)) Unexpected(spec, "no a" + std::to_string(i));
    element value = agg["value"];
    double d = value.is_null() ? NAN : NumberOf(value);
    bool missing = value.is_null() || std::isnan(d);
    switch (call.kind) {
      case K::kCount:
        row->push_back(Value::BigInt(missing ? 0 : static_cast<int64_t>(d)));
        break;
      case K::kSum: {
        double n = NumberOf(holder[("n" + std::to_string(i))]["value"]);
        if (missing || n == 0) {
          row->push_back(Value::Null(call.result_type));
        } else if (call.result_type.id == TypeId::kDouble) {
          row->push_back(Value::Double(d));
        } else {
          row->push_back(ExactInteger(spec, d, call.result_type, "sum"));
        }
        break;
      }
      case K::kAvg:
        row->push_back(missing ? Value::Null(call.result_type) : Value::Double(d));
        break;
      case K::kMin:
      case K::kMax:
        if (missing) {
          row->push_back(Value::Null(call.result_type));
        } else if (call.result_type.id == TypeId::kTimestampTz) {
          row->push_back(Value::TimestampTz(static_cast<int64_t>(d) * 1000));
        } else if (call.result_type.id == TypeId::kDouble) {
          row->push_back(Value::Double(d));
        } else {
          row->push_back(ExactInteger(spec, d, call.result_type, "min/max"));
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace

void EsAggregateSource::EmitRows(const std::vector<std::vector<Value>>& rows,
                                 const std::vector<LogicalType>& types, Batch& out) {
  out = Batch(types, rows.size());
  for (auto& column : out.columns) column.Resize(rows.size());
  for (size_t i = 0; i < rows.size(); i++) {
    for (size_t c = 0; c < types.size(); c++) out.columns[c].SetValue(i, rows[i][c]);
  }
  out.SetCount(rows.size());
  context_->counters()->rows_read.fetch_add(static_cast<int64_t>(rows.size()),
                                            std::memory_order_relaxed);
}

bool EsAggregateSource::NextDistinct(Batch& out) {
  const EsAggregation& agg = *spec_.aggregation;
  const std::string& index = spec_.table->index;
  std::vector<LogicalType> types = agg.group_types;
  for (const auto& c : agg.calls) types.push_back(c.result_type);
  std::vector<std::vector<Value>> rows;
  auto emit = [&] {
    std::vector<Value> row = group_values_;
    for (const auto& c : agg.calls) {
      row.push_back(Value::BigInt(c.kind == EsAggregateCall::Kind::kCountStar ? group_docs_
                                                                              : group_distinct_));
    }
    rows.push_back(std::move(row));
  };
  while (rows.empty() && !done_) {
    EsResponse r =
        spec_.client->Request("POST", "/" + index + "/_search", "aggregating index '" + index + "'",
                              spec_.AggregationBody(after_));
    context_->counters()->bytes_read.fetch_add(static_cast<int64_t>(r.body.size()),
                                               std::memory_order_relaxed);
    simdjson::dom::parser parser;
    element root, groups;
    simdjson::dom::array buckets;
    if (parser.parse(r.body).get(root) || root.at_pointer("/aggregations/groups").get(groups) ||
        groups["buckets"].get(buckets))
      Unexpected(spec_, "no composite buckets");
    for (element bucket : buckets) {
      std::string key;
      std::vector<Value> values;
      for (size_t g = 0; g < agg.groups.size(); g++) {
        element k = bucket["key"][("g" + std::to_string(g))];
        key += simdjson::minify(k) + '\x1f';
        values.push_back(KeyValue(spec_, k, agg.group_types[g]));
      }
      if (have_group_ && key != group_key_) {
        emit();
        group_docs_ = group_distinct_ = 0;
      }
      have_group_ = true;
      group_key_ = key;
      group_values_ = std::move(values);
      group_docs_ += static_cast<int64_t>(NumberOf(bucket["doc_count"]));
      if (!bucket["key"]["d"].is_null()) group_distinct_++;
    }
    element after;
    if (buckets.size() < static_cast<size_t>(spec_.composite_size) ||
        groups["after_key"].get(after)) {
      done_ = true;
      // The last group; without GROUP BY there is one row even when nothing matched.
      if (have_group_ || agg.groups.empty()) emit();
    } else {
      after_ = simdjson::minify(after);
    }
  }
  if (rows.empty()) return false;
  EmitRows(rows, types, out);
  return true;
}

bool EsAggregateSource::Next(Batch& out) {
  if (done_) return false;
  if (spec_.aggregation->distinct_field) return NextDistinct(out);
  const EsAggregation& agg = *spec_.aggregation;
  const std::string& index = spec_.table->index;
  EsResponse r =
      spec_.client->Request("POST", "/" + index + "/_search", "aggregating index '" + index + "'",
                            spec_.AggregationBody(after_));
  context_->counters()->bytes_read.fetch_add(static_cast<int64_t>(r.body.size()),
                                             std::memory_order_relaxed);
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(r.body).get(root)) Unexpected(spec_, "not JSON");
  std::vector<LogicalType> types = agg.group_types;
  for (const auto& c : agg.calls) types.push_back(c.result_type);
  std::vector<std::vector<Value>> rows;
  if (agg.groups.empty()) {
    int64_t total = 0;
    element t;
    if (!root.at_pointer("/hits/total/value").get(t)) total = static_cast<int64_t>(NumberOf(t));
    std::vector<Value> row;
    element aggs;
    if (root["aggregations"].get(aggs)) aggs = root;  // count(*) alone asks for no aggregation
    AppendCalls(spec_, aggs, total, &row);
    rows.push_back(std::move(row));
    done_ = true;
  } else {
    element groups;
    if (root.at_pointer("/aggregations/groups").get(groups)) Unexpected(spec_, "no groups");
    simdjson::dom::array buckets;
    if (groups["buckets"].get(buckets)) Unexpected(spec_, "no buckets");
    for (element bucket : buckets) {
      std::vector<Value> row;
      for (size_t g = 0; g < agg.groups.size(); g++)
        row.push_back(
            KeyValue(spec_, bucket["key"][("g" + std::to_string(g))], agg.group_types[g]));
      int64_t doc_count = static_cast<int64_t>(NumberOf(bucket["doc_count"]));
      AppendCalls(spec_, bucket, doc_count, &row);
      rows.push_back(std::move(row));
    }
    element after;
    if (buckets.size() < static_cast<size_t>(spec_.composite_size) ||
        groups["after_key"].get(after)) {
      done_ = true;
    } else {
      after_ = simdjson::minify(after);
    }
    if (rows.empty()) return false;
  }
  EmitRows(rows, types, out);
  return true;
}

}  // namespace aishell
