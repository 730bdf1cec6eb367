#include "connectors/sqlite/sqlite_scan.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_set>
#include <utility>

#include "common/exception.h"
#include "connectors/remote_sql/remote_scan_state.h"
#include "connectors/remote_sql/sql_dialect.h"
#include "connectors/sqlite/sqlite_client.h"
#include "connectors/sqlite/sqlite_data_source.h"
#include "connectors/sqlite/sqlite_types.h"
#include "expr/expression.h"

namespace aishell {

namespace {

// The whole table, or a range of rowids [low, high) (high unset: to the end).
struct SqliteSplit : Split {
  bool ranged = false;
  int64_t low = 0;
  std::optional<int64_t> high;
  std::string Describe() const override {
    if (!ranged) return "whole table";
    return "rowid [" + std::to_string(low) + ", " +
           (high ? std::to_string(*high) : std::string("end")) + ")";
  }
};

// SQLite's side of the shared SQL translator: every literal a bound parameter; only columns whose
// stored values compare like the engine's (SqliteComparableColumn); IS / IS NOT for IS [NOT]
// DISTINCT FROM; no ILIKE (LIKE runs with case_sensitive_like on).
class SqliteDialect : public SqlDialect {
 public:
  static const SqliteDialect& Get() {
    static const SqliteDialect dialect;
    return dialect;
  }
  bool Literal(const Value& v, const LogicalType& column_type, std::string* sql,
               std::vector<Value>* params) const override {
    if (!v.is_null()) {
      const LogicalType& t = v.type();
      bool ok;
      if (column_type.id == TypeId::kVarchar)
        ok = t.id == TypeId::kVarchar;
      else if (column_type.id == TypeId::kDate)
        ok = t.id == TypeId::kDate;
      else
        ok = t.id == TypeId::kBigInt || t.id == TypeId::kInteger || t.id == TypeId::kDouble;
      if (!ok) return false;
    }
    *sql += "?";
    params->push_back(v);
    return true;
  }
  bool Comparable(const ColumnInfo& column, bool) const override {
    return SqliteComparableColumn(column);
  }
  bool CompatibleColumns(const ColumnInfo& a, const ColumnInfo& b) const override {
    return a.type == b.type || (a.type.IsNumeric() && b.type.IsNumeric());
  }
  const char* IsDistinctFrom() const override { return " IS NOT "; }
  const char* IsNotDistinctFrom() const override { return " IS "; }
  const char* TrueLiteral() const override { return "1"; }
};

// Everything a scan was asked; copied when two scans become one joined scan.
struct SqliteScanState : RemoteScanState {
  std::shared_ptr<const TableInfo> table;  // the table, or the joined columns
  std::string rowid_name;                  // of leaf 0, "" if it cannot be split
  double first_rows = 0;                   // rows of leaf 0

  bool Joinable() const { return limit < 0 && order.empty(); }
};

class SqliteScan : public TableScan {
 public:
  // `rowid_name`: a name that reaches the rowid of this table ("" for views and WITHOUT ROWID
  // tables).
  SqliteScan(const void* source, std::string where, std::string path,
             std::shared_ptr<const TableInfo> table, std::string remote_name,
             std::string rowid_name)
      : source_(source), where_(std::move(where)), path_(std::move(path)) {
    s_.table = std::move(table);
    s_.InitTable(s_.table->columns, QuoteSqliteIdentifier(remote_name));
    s_.rowid_name = std::move(rowid_name);
    s_.first_rows = s_.table->stats.row_count.value_or(0);
  }
  SqliteScan(const void* source, std::string where, std::string path, SqliteScanState state)
      : source_(source), where_(std::move(where)), path_(std::move(path)), s_(std::move(state)) {}

  void SetProjection(const std::vector<int>& column_ids) override {
    s_.SetProjection(column_ids, where_);
  }

  bool PushFilter(const Expr& conjunct) override {
    return s_.PushFilter(conjunct, SqliteDialect::Get());
  }

  bool PushLimit(int64_t limit) override { return s_.PushLimit(limit); }

  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override {
    return s_.PushOrder(
        keys, limit, [this](int c) { return SqliteComparableColumn(s_.columns[c]); },
        [this](int c) { return ColumnSql(c); });
  }

  // One query for a join of two tables of this database file: FROM "a" t0 JOIN "b" t1 ON ...;
  // each side's filters go to WHERE, or into ON for the side an outer join pads with NULLs.
  std::unique_ptr<TableScan> PushJoin(const TableScan& right_scan, PushedJoinType type,
                                      const std::vector<ExprPtr>& conditions) override {
    const auto* right = dynamic_cast<const SqliteScan*>(&right_scan);
    if (!right || right->source_ != source_ || right->path_ != path_) return nullptr;
    if (!s_.Joinable() || !right->s_.Joinable() || conditions.empty()) return nullptr;
    const SqliteScanState& l = s_;
    const SqliteScanState& r = right->s_;
    SqliteScanState j;
    // SQLite runs RIGHT JOIN since 3.39.
    if (type == PushedJoinType::kRight && sqlite3_libversion_number() < 3039000) return nullptr;
    if (!JoinRemoteStates(l, r, type, conditions, &j)) return nullptr;
    auto table = std::make_shared<TableInfo>();
    table->schema = l.table->schema;
    table->name = l.table->name + " JOIN " + r.table->name;
    table->columns = j.columns;
    j.table = table;
    j.rowid_name = l.rowid_name;
    j.splittable = l.splittable;
    j.first_rows = l.first_rows;
    auto joined = std::make_unique<SqliteScan>(source_, where_, path_, std::move(j));
    if (!joined->s_.JoinConditionsTranslate(SqliteDialect::Get())) return nullptr;
    return joined;
  }

  std::string Describe() const override {
    SqliteQuery q = BuildQuery();
    std::string s = q.sql;
    if (!q.params.empty()) {
      s += " [parameters: ";
      for (size_t i = 0; i < q.params.size(); i++)
        s += (i ? ", " : "") + q.params[i].ToSqlLiteral();
      s += "]";
    }
    return s;
  }

  double EstimatedRows() const override {
    if (s_.joined) return -1;  // the planner's join estimate
    return s_.EstimateRows(s_.table->stats.row_count.value_or(-1));
  }

  // Large rowid tables split into rowid ranges (cheap: min/max use the b-tree ends), so that both
  // cores read; ordered or limited scans stay whole. A join splits by its first table's rowids
  // (inner and left joins keep that table's rows apart).
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    double rows = s_.first_rows;
    if (max_parallelism > 1 && s_.splittable && !s_.rowid_name.empty() && s_.limit < 0 &&
        s_.order.empty() && rows >= kMinRowsToSplit) {
      sqlite3* db = OpenSqliteDatabase(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, where_);
      int64_t lo = 0, hi = 0;
      bool ok = false;
      try {
        SqliteStatement st(
            db,
            "SELECT min(" + s_.rowid_name + "), max(" + s_.rowid_name + ") FROM " + s_.tables[0],
            where_);
        if (st.Step(where_) == SQLITE_ROW && sqlite3_column_type(st.get(), 0) == SQLITE_INTEGER) {
          lo = sqlite3_column_int64(st.get(), 0);
          hi = sqlite3_column_int64(st.get(), 1);
          ok = true;
        }
      } catch (...) {
        sqlite3_close(db);
        throw;
      }
      sqlite3_close(db);
      if (ok && hi > lo) {
        int parts = max_parallelism * 2;
        __int128 span = static_cast<__int128>(hi) - lo + 1;
        for (int i = 0; i < parts; i++) {
          auto split = std::make_shared<SqliteSplit>();
          split->ranged = true;
          split->low = i == 0 ? INT64_MIN : static_cast<int64_t>(lo + span * i / parts);
          if (i + 1 < parts) split->high = static_cast<int64_t>(lo + span * (i + 1) / parts);
          splits.push_back(split);
        }
        return splits;
      }
    }
    splits.push_back(std::make_shared<SqliteSplit>());
    return splits;
  }

  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    auto range = std::dynamic_pointer_cast<SqliteSplit>(split);
    std::string cond;
    std::vector<Value> extra;
    if (range && range->ranged) {
      std::string rowid = (s_.joined ? "t0." : "") + s_.rowid_name;
      cond = rowid + " >= ?";
      extra.push_back(Value::BigInt(range->low));
      if (range->high) {
        cond += " AND " + rowid + " < ?";
        extra.push_back(Value::BigInt(*range->high));
      }
    }
    SqliteQuery q = BuildQuery(cond, extra);
    return CreateSqliteDataSource(where_, path_, s_.table, s_.projection,
                                  std::vector<SqliteQuery>{q}, &counters_);
  }

  static constexpr double kMinRowsToSplit = 100000;

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    if (key_columns.empty() || s_.limit >= 0 || !s_.order.empty()) return false;
    for (int c : key_columns) {
      if (c < 0 || c >= static_cast<int>(s_.columns.size()) ||
          !SqliteComparableColumn(s_.columns[c]))
        return false;
    }
    return true;
  }

  // SQLite's parameter limit (999): 900 keys' worth of parameters per query.
  size_t MaxKeysPerRequest(const std::vector<int>& key_columns) const override {
    return std::max<size_t>(1, 900 / std::max<size_t>(1, key_columns.size()));
  }

  // Batched lookups: WHERE <pushed filters> AND "k" IN (?, ...) (or a row-value IN for composite
  // keys), in chunks that stay under SQLite's parameter limit. Keys with a NULL never match and are
  // skipped.
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
    RemoteScanState::CheckLookupKeys(key_columns, keys, where_);
    const size_t width = key_columns.size();
    const size_t per_query = MaxKeysPerRequest(key_columns);
    std::string key_sql;
    if (width == 1) {
      key_sql = ColumnSql(key_columns[0]) + " IN (";
    } else {
      key_sql = "(";
      for (size_t k = 0; k < width; k++) key_sql += (k ? ", " : "") + ColumnSql(key_columns[k]);
      key_sql += ") IN (VALUES ";
    }
    std::vector<SqliteQuery> queries;
    std::string list;
    std::vector<Value> list_params;
    size_t in_current = 0;
    std::unordered_set<std::string> seen;
    auto flush = [&] {
      if (in_current == 0) return;
      queries.push_back(BuildQuery(key_sql + list + ")", list_params));
      list.clear();
      list_params.clear();
      in_current = 0;
    };
    for (size_t r = 0; r < keys.count; r++) {
      std::vector<Value> row;
      bool has_null = false;
      for (size_t k = 0; k < width; k++) {
        row.push_back(keys.columns[k].GetValue(r));
        has_null = has_null || row.back().is_null();
      }
      if (has_null) continue;
      // Each key once, so that a row is never returned twice across chunks.
      std::string signature;
      for (const auto& v : row) signature += v.ToSqlLiteral() + '\x1f';
      if (!seen.insert(std::move(signature)).second) continue;
      if (in_current > 0) list += ", ";
      if (width == 1) {
        list += "?";
      } else {
        list += "(";
        for (size_t k = 0; k < width; k++) list += k ? ", ?" : "?";
        list += ")";
      }
      for (auto& v : row) list_params.push_back(std::move(v));
      if (++in_current == per_query) flush();
    }
    flush();
    return CreateSqliteDataSource(where_, path_, s_.table, s_.projection, std::move(queries),
                                  &counters_);
  }

 private:
  std::string ColumnSql(int c) const { return s_.ColumnSql(c); }

  // `extra`: one more conjunct after the pushed ones, with its parameters.
  SqliteQuery BuildQuery(const std::string& extra = {},
                         const std::vector<Value>& extra_params = {}) const {
    SqliteQuery q;
    std::string cols;
    for (int c : s_.projection) cols += (cols.empty() ? "" : ", ") + ColumnSql(c);
    if (cols.empty()) cols = "1";
    bool like = false;
    q.sql =
        "SELECT " + cols + " FROM " + s_.FromSql(SqliteDialect::Get(), &q.params, &like, where_);
    size_t n = s_.AppendFilters(SqliteDialect::Get(), &q.sql, &q.params, &like, where_);
    if (!extra.empty()) {
      q.sql += (n++ ? " AND " : " WHERE ") + extra;
      q.params.insert(q.params.end(), extra_params.begin(), extra_params.end());
    }
    if (!s_.order.empty()) q.sql += " ORDER BY " + s_.order;
    if (s_.limit >= 0) q.sql += " LIMIT " + std::to_string(s_.limit);
    q.case_sensitive_like = like;
    return q;
  }

  const void* source_;
  std::string where_;
  std::string path_;
  SqliteScanState s_;
};

}  // namespace

std::unique_ptr<TableScan> CreateSqliteScan(const void* source, std::string where, std::string path,
                                            std::shared_ptr<const TableInfo> table,
                                            std::string remote_name, std::string rowid_name) {
  return std::make_unique<SqliteScan>(source, std::move(where), std::move(path), std::move(table),
                                      std::move(remote_name), std::move(rowid_name));
}

}  // namespace aishell
