#include "connectors/postgres/postgres_scan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_set>
#include <utility>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/postgres/postgres_client.h"
#include "connectors/postgres/postgres_data_source.h"
#include "connectors/remote_sql/remote_scan_state.h"
#include "connectors/remote_sql/sql_dialect.h"
#include "expr/expression.h"

namespace aishell {

namespace {

struct PgSplit : Split {
  bool ranged = false;
  int64_t first_page = 0;
  std::optional<int64_t> end_page;
  int64_t span = 0;                      // pages of the range (also when open-ended)
  std::shared_ptr<PgSnapshotPool> pool;  // the connections of the scan's shared snapshot
  std::string Describe() const override {
    if (!ranged) return "whole table";
    return "ctid pages [" + std::to_string(first_page) + ", " +
           (end_page ? std::to_string(*end_page) : std::string("end")) + ")";
  }
};

std::string DoubleLiteral(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf) + "::float8";
}

// PostgreSQL's side of the shared SQL translator: literals inline and escaped, strings compared in
// byte order (COLLATE "C", like the engine), double ranges kept in the engine (NaN sorts
// differently), ILIKE only for ASCII patterns (PostgreSQL folds case by the database locale).
class PgDialect : public SqlDialect {
 public:
  static const PgDialect& Get() {
    static const PgDialect dialect;
    return dialect;
  }
  bool Literal(const Value& v, const LogicalType& column_type, std::string* out,
               std::vector<Value>*) const override {
    if (v.is_null()) return false;
    const LogicalType& t = v.type();
    switch (column_type.id) {
      case TypeId::kVarchar:
        return t.id == TypeId::kVarchar && QuotePgString(v.GetString(), out);
      case TypeId::kBoolean:
        if (t.id != TypeId::kBoolean) return false;
        *out += v.GetBool() ? "TRUE" : "FALSE";
        return true;
      case TypeId::kSmallInt:
      case TypeId::kInteger:
      case TypeId::kBigInt:
      case TypeId::kDecimal:
      case TypeId::kDouble:
        if (t.IsIntegral()) {
          *out += v.GetInt64() < 0 ? "(" + std::to_string(v.GetInt64()) + ")"
                                   : std::to_string(v.GetInt64());
          return true;
        }
        if (t.id == TypeId::kDecimal) {
          *out += "(" + FormatDecimal(v.GetInt128(), t.scale) + "::numeric)";
          return true;
        }
        if (t.id == TypeId::kDouble && std::isfinite(v.GetDouble()) &&
            column_type.id == TypeId::kDouble) {
          *out += "(" + DoubleLiteral(v.GetDouble()) + ")";
          return true;
        }
        return false;
      case TypeId::kDate:
        if (t.id != TypeId::kDate) return false;
        *out += "DATE '" + FormatDate(static_cast<int32_t>(v.GetInt64())) + "'";
        return true;
      case TypeId::kTimestamp:
        if (t.id != TypeId::kTimestamp) return false;
        *out += "TIMESTAMP '" + FormatTimestamp(v.GetInt64()) + "'";
        return true;
      case TypeId::kTimestampTz:  // an instant: written in UTC
        if (t.id != TypeId::kTimestampTz) return false;
        *out += "TIMESTAMPTZ '" + FormatTimestamp(v.GetInt64()) + "+00'";
        return true;
      default:
        return false;
    }
  }
  bool Comparable(const ColumnInfo& column, bool ordering) const override {
    return !(ordering && column.type.id == TypeId::kDouble);
  }
  std::string OrderingSuffix(const LogicalType& type) const override {
    return type.id == TypeId::kVarchar ? " COLLATE \"C\"" : "";
  }
  bool SupportsILike(std::string_view pattern) const override {
    for (unsigned char ch : pattern) {
      if (ch >= 0x80) return false;
    }
    return true;
  }
  std::string DefaultLikeEscape() const override { return " ESCAPE ''"; }
  bool ParenthesizePredicates() const override { return true; }
};

// Everything a scan was asked; copied when two scans become one joined scan.
struct PgScanState : RemoteScanState {
  std::string label;       // for messages: the table, or "a JOIN b"
  PgTableMeta first_meta;  // of leaf 0 (ctid splits)
  double base_rows = -1;

  // Dynamic filters, ANDed after the filters: the SQL sent, ("k" IN (...)), and the form EXPLAIN
  // shows (long key lists cut to their first keys and a count, in an SQL comment).
  struct DynamicFilter {
    std::string sql;
    std::string shown;
  };
  std::vector<DynamicFilter> dynamic;
  bool aggregated = false;
  std::string agg_select;
  std::string agg_group;
  std::vector<LogicalType> agg_types;
  size_t agg_groups = 0;

  bool Joinable() const { return limit < 0 && order.empty() && !aggregated && dynamic.empty(); }
};

bool HasDoubleColumnRef(const Expr& e, const std::vector<ColumnInfo>& columns) {
  if (e.kind == ExprKind::kColumnRef && e.column_index >= 0 &&
      e.column_index < static_cast<int>(columns.size()) &&
      columns[e.column_index].type.id == TypeId::kDouble)
    return true;
  for (const auto& c : e.children) {
    if (c && HasDoubleColumnRef(*c, columns)) return true;
  }
  return false;
}

class PgScan : public TableScan {
 public:
  PgScan(const void* source, std::string where, std::string url,
         std::shared_ptr<PgConnectionCache> cache, const TableInfo& table, const PgTableMeta& meta)
      : source_(source), where_(std::move(where)), url_(std::move(url)), cache_(std::move(cache)) {
    s_.InitTable(table.columns, PgQualified(meta), meta.casts);
    s_.label = table.name;
    s_.first_meta = meta;
    s_.base_rows = table.stats.row_count.value_or(-1);
  }
  PgScan(const void* source, std::string where, std::string url,
         std::shared_ptr<PgConnectionCache> cache, PgScanState state)
      : source_(source),
        where_(std::move(where)),
        url_(std::move(url)),
        cache_(std::move(cache)),
        s_(std::move(state)) {}

  void SetProjection(const std::vector<int>& column_ids) override {
    s_.SetProjection(column_ids, where_);
  }

  bool PushFilter(const Expr& conjunct) override {
    return !s_.aggregated && s_.PushFilter(conjunct, PgDialect::Get());
  }

  bool PushLimit(int64_t limit) override { return !s_.aggregated && s_.PushLimit(limit); }

  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override {
    if (s_.aggregated) return false;
    return s_.PushOrder(
        keys, limit, [](int) { return true; }, [this](int c) { return ColumnSql(c, true); });
  }

  // GROUP BY with count, count(DISTINCT), sum, avg, min, max, each cast to the engine's result type
  // so that the binary values decode as that type.
  bool PushAggregation(const AggregationRequest& request) override {
    if (s_.aggregated || s_.limit >= 0 || !s_.order.empty()) return false;
    const int ncols = static_cast<int>(s_.columns.size());
    std::vector<std::string> select, group;
    std::vector<LogicalType> types;
    for (int g : request.group_columns) {
      if (g < 0 || g >= ncols) return false;
      if (s_.columns[g].type.id == TypeId::kDouble) return false;  // NaN/-0 grouping may differ
      select.push_back(ColumnSql(g));
      group.push_back(ColumnSql(g));
      types.push_back(s_.columns[g].type);
    }
    for (const auto& call : request.calls) {
      std::string fn = call.function;
      for (auto& ch : fn) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string arg;
      const LogicalType* arg_type = nullptr;
      if (call.column >= 0) {
        if (call.column >= ncols) return false;
        arg_type = &s_.columns[call.column].type;
        arg = ColumnSql(call.column, fn == "min" || fn == "max");
      } else if (fn != "count") {
        return false;
      }
      std::string cast;
      switch (call.result_type.id) {
        case TypeId::kBigInt:
          cast = "::int8";
          break;
        case TypeId::kInteger:
          cast = "::int4";
          break;
        case TypeId::kDouble:
          cast = "::float8";
          break;
        case TypeId::kDecimal:
          cast = "::numeric(" + std::to_string(call.result_type.precision) + "," +
                 std::to_string(call.result_type.scale) + ")";
          break;
        case TypeId::kVarchar:
          cast = "::text";
          break;
        case TypeId::kBoolean:
          cast = "::boolean";
          break;
        case TypeId::kDate:
          cast = "::date";
          break;
        case TypeId::kTimestamp:
          cast = "::timestamp";
          break;
        default:
          return false;
      }
      std::string expr;
      if (fn == "count") {
        expr = call.column < 0
                   ? "count(*)"
                   : std::string("count(") + (call.distinct ? "DISTINCT " : "") + arg + ")";
      } else if (fn == "sum" || fn == "avg") {
        if (!arg_type || !arg_type->IsNumeric()) return false;
        // Floating-point sums depend on the order of addition; keep them in the engine.
        if (arg_type->id == TypeId::kDouble) return false;
        expr = fn + "(" + (call.distinct ? "DISTINCT " : "") + arg + ")";
      } else if (fn == "min" || fn == "max") {
        if (!arg_type || arg_type->id == TypeId::kTimestampTz || arg_type->id == TypeId::kBoolean)
          return false;
        expr = fn + "(" + arg + ")";
      } else {
        return false;
      }
      select.push_back("(" + expr + ")" + cast);
      types.push_back(call.result_type);
    }
    s_.agg_select.clear();
    for (size_t i = 0; i < select.size(); i++) s_.agg_select += (i ? ", " : "") + select[i];
    s_.agg_group.clear();
    for (size_t i = 0; i < group.size(); i++) s_.agg_group += (i ? ", " : "") + group[i];
    s_.agg_types = std::move(types);
    s_.agg_groups = request.group_columns.size();
    s_.aggregated = true;
    return true;
  }

  // Two scans of this source become one query: FROM a t0 [LEFT|RIGHT] JOIN b t1 ON ... . The
  // filters each side had accepted go to WHERE (inner join, and the preserved side of an outer
  // join) or into ON (the side an outer join pads with NULLs).
  std::unique_ptr<TableScan> PushJoin(const TableScan& right_scan, PushedJoinType type,
                                      const std::vector<ExprPtr>& conditions) override {
    const auto* right = dynamic_cast<const PgScan*>(&right_scan);
    if (!right || right->source_ != source_ || right->url_ != url_) return nullptr;
    if (!s_.Joinable() || !right->s_.Joinable() || conditions.empty()) return nullptr;
    const PgScanState& l = s_;
    const PgScanState& r = right->s_;
    PgScanState j;
    if (!JoinRemoteStates(l, r, type, conditions, &j)) return nullptr;
    // Double keys: NaN equals NaN in PostgreSQL, not in the engine.
    for (const auto& c : conditions) {
      if (HasDoubleColumnRef(*c, j.columns)) return nullptr;
    }
    j.label = l.label + " JOIN " + r.label;
    j.first_meta = l.first_meta;
    j.splittable = l.splittable && type != PushedJoinType::kRight;
    auto joined = std::make_unique<PgScan>(source_, where_, url_, cache_, std::move(j));
    // Every condition must translate over the joined columns.
    if (!joined->s_.JoinConditionsTranslate(PgDialect::Get())) return nullptr;
    return joined;
  }

  std::string Describe() const override {
    return "COPY (" + BuildSql({}, true) + ") TO STDOUT (FORMAT binary)";
  }

  double EstimatedRows() const override {
    double rows = s_.EstimateRows(s_.base_rows);  // an aggregation has no limit below it
    if (s_.aggregated) return s_.agg_groups == 0 ? 1 : (rows < 0 ? -1 : std::max(1.0, rows * 0.1));
    return rows;
  }

  // Plain tables of many pages split into ctid page ranges (TID range scans) of at most
  // kPagesPerSplit pages, read by up to max_parallelism connections that share one exported
  // snapshot, so that the ranges together read the table as of one moment. Each connection runs
  // one range's COPY after another. The ranges follow the table's current size (pg_relation_size
  // under that snapshot, not the statistics); the last one is open-ended. A join splits by the
  // pages of its first table when every join keeps that table's rows apart (inner and left joins).
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    double stats_pages = s_.first_meta.relpages;
    if (max_parallelism > 1 && s_.splittable && s_.first_meta.relkind == 'r' && s_.limit < 0 &&
        !s_.aggregated && s_.order.empty() && stats_pages >= kMinPagesToSplit) {
      auto pool =
          std::make_shared<PgSnapshotPool>(where_ + " table '" + s_.label + "'", url_, cache_);
      int64_t pages = pool->Export(PgQualified(s_.first_meta));
      if (pages >= 0) {
        int64_t per = PagesPerSplit(pages, max_parallelism);
        for (const auto& [first, end] : PageRanges(pages, per)) {
          auto s = std::make_shared<PgSplit>();
          s->ranged = true;
          s->first_page = first;
          s->end_page = end;
          s->span = per;
          s->pool = pool;
          splits.push_back(s);
        }
        pool->SetSplits(splits.size() * kStreamsPerSplit);
        return splits;
      }
    }
    splits.push_back(std::make_shared<PgSplit>());
    return splits;
  }

  // Pages per split: at most kPagesPerSplit, and at least 2 splits per thread while splits stay
  // >= 64 pages.
  static int64_t PagesPerSplit(int64_t pages, int max_parallelism) {
    int64_t per = std::min<int64_t>(kPagesPerSplit, pages / (2 * std::max(1, max_parallelism)));
    return std::max<int64_t>(per, 64);
  }

  // [first, end) page ranges of `per` pages covering `pages` pages, the last open-ended (nullopt).
  static std::vector<std::pair<int64_t, std::optional<int64_t>>> PageRanges(int64_t pages,
                                                                            int64_t per) {
    std::vector<std::pair<int64_t, std::optional<int64_t>>> ranges;
    int64_t first = 0;
    while (first + per < pages) {
      ranges.push_back({first, first + per});
      first += per;
    }
    ranges.push_back({first, std::nullopt});
    return ranges;
  }

  // A page range of a parallel scan is read as kStreamsPerSplit sub-ranges, one COPY each, at
  // once (PgMultiplexSource): twice as many backends as reading threads.
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    auto range = std::dynamic_pointer_cast<PgSplit>(split);
    if (!range || !range->ranged) return CreatePgDataSource(CopyTarget(), {BuildSql("")});
    const int64_t step = std::max<int64_t>(1, range->span / kStreamsPerSplit);
    std::vector<std::string> sqls;
    int64_t first = range->first_page;
    for (int i = 0; i < kStreamsPerSplit; i++) {
      std::optional<int64_t> end = first + step;
      if (i + 1 == kStreamsPerSplit) end = range->end_page;  // the last sub-range ends with it
      sqls.push_back(BuildSql(CtidRange(first, end)));
      if (end) first = *end;
    }
    if (range->pool) return CreatePgMultiplexSource(CopyTarget(), sqls, range->pool);
    return CreatePgDataSource(CopyTarget(), sqls);
  }

  std::string CtidRange(int64_t first, std::optional<int64_t> end) const {
    std::string ctid = s_.joined ? "t0.ctid" : "ctid";
    std::string sql = ctid + " >= '(" + std::to_string(first) + ",0)'::tid";
    if (end) sql += " AND " + ctid + " < '(" + std::to_string(*end) + ",0)'::tid";
    return sql;
  }

  // --- batched key lookups: WHERE <pushed filters> AND ("k" IN (...)) or (("a", "b") IN ((..),
  // ..)), literals escaped like filters, in chunks of kKeysPerQuery keys.
  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    if (key_columns.empty() || s_.limit >= 0 || !s_.order.empty() || s_.aggregated) return false;
    for (int c : key_columns) {
      if (c < 0 || c >= static_cast<int>(s_.columns.size())) return false;
      switch (s_.columns[c].type.id) {
        case TypeId::kVarchar:
        case TypeId::kSmallInt:
        case TypeId::kInteger:
        case TypeId::kBigInt:
        case TypeId::kDecimal:
        case TypeId::kBoolean:
        case TypeId::kDate:
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
          break;
        default:
          return false;  // doubles: NaN
      }
    }
    return true;
  }

  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
    RemoteScanState::CheckLookupKeys(key_columns, keys, where_);
    const size_t width = key_columns.size();
    const std::string key_sql = KeySql(key_columns);
    std::vector<std::string> sqls;
    std::unordered_set<std::string> seen;
    std::string list;
    size_t in_list = 0;
    auto flush = [&] {
      if (in_list == 0) return;
      sqls.push_back(BuildSql("(" + key_sql + " IN (" + list + "))"));
      list.clear();
      in_list = 0;
    };
    for (size_t r = 0; r < keys.count; r++) {
      std::string tuple;
      bool usable = true;
      for (size_t k = 0; k < width && usable; k++) {
        Value v = keys.columns[k].GetValue(r);
        // A NULL key never matches; neither does text PostgreSQL cannot hold (a NUL byte) or a
        // value that has no exact literal of the column's type.
        std::vector<Value> unused;
        if (v.is_null() ||
            !PgDialect::Get().Literal(v, s_.columns[key_columns[k]].type, &tuple, &unused)) {
          usable = false;
          break;
        }
        if (k + 1 < width) tuple += ", ";
      }
      if (!usable) continue;
      if (width > 1) tuple = "(" + tuple + ")";
      if (!seen.insert(tuple).second) continue;  // each key once: no row is returned twice
      list += (in_list ? ", " : "") + tuple;
      if (++in_list == kKeysPerQuery) flush();
    }
    flush();
    return CreatePgDataSource(CopyTarget(), sqls);
  }

  size_t MaxKeysPerRequest(const std::vector<int>&) const override { return kKeysPerQuery; }

  // The remote SQL of one LookupKeys query, the key list left as a placeholder.
  std::string DescribeLookup(const std::vector<int>& key_columns,
                             size_t batch_size) const override {
    if (!SupportsKeyLookup(key_columns)) return {};
    size_t per_query = std::min(batch_size, kKeysPerQuery);
    std::string s = "COPY (" + BuildSql("(" + KeySql(key_columns) + " IN ($keys))", true) +
                    ") TO STDOUT (FORMAT binary)";
    s += " (up to " + std::to_string(per_query) + " distinct keys per query)";
    return s;
  }

  // A join's distinct build keys for one column: AND ("k" IN (...)) in the remote query, each
  // literal escaped through the shared dialect. Refused when a value has no exact literal of the
  // column's type (doubles: NaN), or when a limit or aggregation makes the filter change results.
  bool PushDynamicFilter(int column, const Batch& values) override {
    if (values.ColumnCount() != 1 || values.count == 0) return false;
    if (!SupportsKeyLookup({column})) return false;
    const LogicalType& type = s_.columns[column].type;
    if (!(values.columns[0].type() == type)) return false;
    std::string list, shown;
    std::unordered_set<std::string> seen;
    for (size_t r = 0; r < values.count; r++) {
      Value v = values.columns[0].GetValue(r);
      if (v.is_null()) continue;  // never matches
      std::string lit;
      std::vector<Value> unused;
      if (!PgDialect::Get().Literal(v, type, &lit, &unused) || !unused.empty()) return false;
      if (!seen.insert(lit).second) continue;
      list += (list.empty() ? "" : ", ") + lit;
      if (seen.size() == kShownKeys) shown = list;
    }
    if (list.empty()) {
      s_.dynamic.push_back({"FALSE", "FALSE"});
      return true;
    }
    std::string head = "(" + ColumnSql(column) + " IN (";
    if (seen.size() <= kShownKeys)
      shown = list;
    else
      shown += " /* ... " + std::to_string(seen.size()) + " keys in all */";
    s_.dynamic.push_back({head + list + "))", head + shown + "))"});
    return true;
  }

  static constexpr size_t kShownKeys = 20;          // of a dynamic filter's IN list, in EXPLAIN
  static constexpr double kMinPagesToSplit = 1000;  // about 8 MB
  static constexpr int64_t kPagesPerSplit = 1000;
  static constexpr int kStreamsPerSplit = 1;
  static constexpr size_t kKeysPerQuery = 10000;  // literals: no parameter limit

 private:
  // What this scan's COPYs read: the projected columns, or the aggregation's outputs.
  PgCopyTarget CopyTarget() {
    PgCopyTarget target;
    if (s_.aggregated) {
      target.types = s_.agg_types;
      for (size_t i = 0; i < target.types.size(); i++)
        target.names.push_back("aggregate output " + std::to_string(i + 1));
    } else {
      for (int c : s_.projection) {
        target.types.push_back(s_.columns[c].type);
        target.names.push_back(s_.columns[c].name);
      }
    }
    std::string what = s_.joined ? " query '" + s_.label + "'" : " table '" + s_.label + "'";
    target.where = where_ + what;
    target.url = url_;
    target.counters = &counters_;
    target.cache = cache_;
    return target;
  }

  std::string KeySql(const std::vector<int>& key_columns) const {
    std::string key_sql;
    for (size_t k = 0; k < key_columns.size(); k++)
      key_sql += (k ? ", " : "") + ColumnSql(key_columns[k]);
    if (key_columns.size() > 1) key_sql = "(" + key_sql + ")";
    return key_sql;
  }

  std::string ColumnSql(int c, bool for_order = false) const {
    std::string s = s_.ColumnSql(c);
    if (for_order) s += PgDialect::Get().OrderingSuffix(s_.columns[c].type);
    return s;
  }

  // The remote query; `shown`: as EXPLAIN prints it (long dynamic key lists cut short).
  std::string BuildSql(const std::string& extra, bool shown = false) const {
    std::string cols;
    for (int c : s_.projection) cols += (cols.empty() ? "" : ", ") + ColumnSql(c);
    if (cols.empty()) cols = "1";  // COPY needs a column; the engine ignores it
    if (s_.aggregated) cols = s_.agg_select;
    std::vector<Value> unused;
    std::string sql =
        "SELECT " + cols + " FROM " + s_.FromSql(PgDialect::Get(), &unused, nullptr, where_);
    size_t n = s_.AppendFilters(PgDialect::Get(), &sql, &unused, nullptr, where_);
    for (const auto& d : s_.dynamic) sql += (n++ ? " AND " : " WHERE ") + (shown ? d.shown : d.sql);
    if (!extra.empty()) sql += (n++ ? " AND " : " WHERE ") + extra;
    if (s_.aggregated && !s_.agg_group.empty()) sql += " GROUP BY " + s_.agg_group;
    if (!s_.order.empty()) sql += " ORDER BY " + s_.order;
    if (s_.limit >= 0) sql += " LIMIT " + std::to_string(s_.limit);
    return sql;
  }

  const void* source_;
  std::string where_;
  std::string url_;
  std::shared_ptr<PgConnectionCache> cache_;  // the source's idle connections
  PgScanState s_;
};

}  // namespace

std::unique_ptr<TableScan> CreatePgScan(const void* source, std::string where, std::string url,
                                        std::shared_ptr<PgConnectionCache> cache,
                                        const TableInfo& table, const PgTableMeta& meta) {
  return std::make_unique<PgScan>(source, std::move(where), std::move(url), std::move(cache), table,
                                  meta);
}

}  // namespace aishell
