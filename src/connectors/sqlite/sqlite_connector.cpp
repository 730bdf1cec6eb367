#include "connectors/sqlite/sqlite_connector.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_set>

#include "catalog/catalog_registry.h"
#include "catalog/emit_batch.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/remote_sql/sql_dialect.h"
#include "expr/expression.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// RAII statement.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& where) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db);
      throw Error(ErrorKind::kConnector, where + ": " + msg + " (in: " + sql + ")");
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return stmt_; }
  // SQLITE_ROW or SQLITE_DONE; throws otherwise.
  int Step(const std::string& where) {
    int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      throw Error(ErrorKind::kConnector, where + ": " + sqlite3_errmsg(db_));
    }
    return rc;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

sqlite3* OpenDatabase(const std::string& path, int flags, const std::string& where) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw Error(ErrorKind::kConnector, where + ": cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  return db;
}

void Exec(sqlite3* db, const std::string& sql, const std::string& where) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
}

// Whether comparisons in SQLite agree with the engine's for this column (see PushFilter). A VARCHAR
// read from a column without TEXT affinity (no declared type, BLOB, ...) may hold numbers that
// SQLite compares as numbers: such columns carry a comment and are not compared remotely.
bool ComparableColumn(const ColumnInfo& c) {
  const LogicalType& t = c.type;
  if (t.id == TypeId::kVarchar) return c.comment.empty();
  return t.id == TypeId::kBigInt || t.id == TypeId::kInteger || t.id == TypeId::kDouble ||
         t.id == TypeId::kDate;
}

void BindValue(sqlite3_stmt* stmt, int index, const Value& v) {
  if (v.is_null()) {
    sqlite3_bind_null(stmt, index);
    return;
  }
  switch (v.type().id) {
    case TypeId::kBoolean:
      sqlite3_bind_int64(stmt, index, v.GetBool() ? 1 : 0);
      break;
    case TypeId::kInteger:
    case TypeId::kBigInt:
      sqlite3_bind_int64(stmt, index, v.GetInt64());
      break;
    case TypeId::kDouble:
      sqlite3_bind_double(stmt, index, v.GetDouble());
      break;
    case TypeId::kDecimal: {
      std::string s = FormatDecimal(v.GetInt64(), v.type().scale);
      sqlite3_bind_text(stmt, index, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
    case TypeId::kVarchar:
      sqlite3_bind_text(stmt, index, v.GetString().data(), static_cast<int>(v.GetString().size()),
                        SQLITE_TRANSIENT);
      break;
    case TypeId::kDate: {
      std::string s = FormatDate(static_cast<int32_t>(v.GetInt64()));
      sqlite3_bind_text(stmt, index, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
    case TypeId::kTimestamp: {
      std::string s = FormatTimestamp(v.GetInt64());
      sqlite3_bind_text(stmt, index, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
    default: {
      std::string s = v.ToString();
      sqlite3_bind_text(stmt, index, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
  }
}

std::string SqliteTypeFor(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return "INTEGER";
    case TypeId::kDouble:
      return "REAL";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    default:
      return "TEXT";
  }
}

// ---------------------------------------------------------------------------------------------
// Scan

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

struct SqliteQuery {
  std::string sql;
  std::vector<Value> params;
  bool case_sensitive_like = false;
};

// Runs one or more queries (several for batched key lookups) and streams their rows.
class SqliteDataSource : public DataSource {
 public:
  SqliteDataSource(std::string where, std::string path, std::shared_ptr<const TableInfo> table,
                   std::vector<int> projection, std::vector<SqliteQuery> queries,
                   ScanCounters* counters)
      : where_(std::move(where)),
        table_(std::move(table)),
        projection_(std::move(projection)),
        queries_(std::move(queries)),
        counters_(counters) {
    step_where_ = where_ + " table '" + table_->name + "'";
    db_ = OpenDatabase(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, where_);
    try {
      bool like = false;
      for (const auto& q : queries_) like = like || q.case_sensitive_like;
      if (like) Exec(db_, "PRAGMA case_sensitive_like = ON", where_);
      PrepareNext();
    } catch (...) {
      stmt_.reset();
      sqlite3_close(db_);
      throw;
    }
    for (int c : projection_) types_.push_back(table_->columns[c].type);
  }
  ~SqliteDataSource() override {
    stmt_.reset();
    sqlite3_close(db_);
  }

  bool Next(Batch& out) override {
    if (done_) return false;
    Batch batch(types_, kBatchSize);
    size_t rows = 0;
    while (rows < kBatchSize && stmt_) {
      sqlite3_stmt* st = stmt_->get();
      int rc = stmt_->Step(step_where_);
      if (rc == SQLITE_DONE) {
        PrepareNext();
        continue;
      }
      for (size_t j = 0; j < types_.size(); j++) Store(st, j, batch.columns[j], rows);
      rows++;
      row_number_++;
    }
    if (!stmt_) done_ = true;
    return EmitBatch(batch, rows, *counters_, out);
  }

 private:
  void PrepareNext() {
    stmt_.reset();
    if (next_query_ >= queries_.size()) return;
    const SqliteQuery& q = queries_[next_query_++];
    stmt_ = std::make_unique<Statement>(db_, q.sql, where_);
    for (size_t i = 0; i < q.params.size(); i++)
      BindValue(stmt_->get(), static_cast<int>(i + 1), q.params[i]);
  }

  [[noreturn]] void Bad(size_t j, sqlite3_stmt* st) const {
    int col = static_cast<int>(j);
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    std::string shown = text ? std::string(text).substr(0, 60) : "";
    static const char* kClass[] = {"", "INTEGER", "REAL", "TEXT", "BLOB", "NULL"};
    int cls = sqlite3_column_type(st, col);
    const ColumnInfo& info = table_->columns[projection_[j]];
    throw Error(ErrorKind::kConversion, where_ + ": table '" + table_->name + "' column '" +
                                            info.name + "' row " + std::to_string(row_number_ + 1) +
                                            ": the " + kClass[cls] + " value '" + shown +
                                            "' is not a valid " + info.type.ToString() +
                                            " (SQLite does not enforce declared types)");
  }

  void Store(sqlite3_stmt* st, size_t j, Vector& v, size_t r) {
    int col = static_cast<int>(j);
    int cls = sqlite3_column_type(st, col);
    if (cls == SQLITE_NULL) {
      v.SetNull(r);
      return;
    }
    const LogicalType& type = types_[j];
    auto text = [&]() {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      return std::string_view(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, col)));
    };
    switch (type.id) {
      case TypeId::kBigInt:
      case TypeId::kInteger: {
        int64_t x;
        if (cls == SQLITE_INTEGER) {
          x = sqlite3_column_int64(st, col);
        } else if (cls == SQLITE_FLOAT) {
          double d = sqlite3_column_double(st, col);
          if (!(d >= -9.2e18 && d <= 9.2e18) || d != std::floor(d)) Bad(j, st);
          x = static_cast<int64_t>(d);
        } else if (cls == SQLITE_TEXT) {
          if (!ParseBigIntText(text(), &x)) Bad(j, st);
        } else {
          Bad(j, st);
        }
        if (type.id == TypeId::kInteger) {
          if (x < INT32_MIN || x > INT32_MAX) Bad(j, st);
          v.Data<int32_t>()[r] = static_cast<int32_t>(x);
        } else {
          v.Data<int64_t>()[r] = x;
        }
        return;
      }
      case TypeId::kDouble: {
        double d;
        if (cls == SQLITE_INTEGER || cls == SQLITE_FLOAT) {
          d = sqlite3_column_double(st, col);
        } else if (cls == SQLITE_TEXT) {
          if (!ParseDoubleText(text(), &d)) Bad(j, st);
        } else {
          Bad(j, st);
        }
        v.Data<double>()[r] = d;
        return;
      }
      case TypeId::kBoolean: {
        if (cls == SQLITE_INTEGER) {
          int64_t x = sqlite3_column_int64(st, col);
          if (x != 0 && x != 1) Bad(j, st);
          v.Data<uint8_t>()[r] = static_cast<uint8_t>(x);
        } else if (cls == SQLITE_TEXT) {
          bool b;
          if (!ParseBooleanText(text(), true, &b)) Bad(j, st);
          v.Data<uint8_t>()[r] = b;
        } else {
          Bad(j, st);
        }
        return;
      }
      case TypeId::kVarchar:
        v.SetString(r, text());
        return;
      case TypeId::kDecimal: {
        int64_t x;
        if (cls == SQLITE_BLOB || !ParseDecimalText(text(), type.precision, type.scale, &x))
          Bad(j, st);
        v.Data<int64_t>()[r] = x;
        return;
      }
      case TypeId::kDate: {
        int32_t d;
        if (cls != SQLITE_TEXT || !ParseDateText(text(), &d)) Bad(j, st);
        v.Data<int32_t>()[r] = d;
        return;
      }
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz: {
        int64_t t;
        if (cls != SQLITE_TEXT || !ParseTimestampText(text(), &t)) Bad(j, st);
        v.Data<int64_t>()[r] = t;
        return;
      }
      default:
        Bad(j, st);
    }
  }

  std::string where_;
  std::string step_where_;
  std::shared_ptr<const TableInfo> table_;
  std::vector<int> projection_;
  std::vector<LogicalType> types_;
  std::vector<SqliteQuery> queries_;
  size_t next_query_ = 0;
  ScanCounters* counters_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> stmt_;
  bool done_ = false;
  int64_t row_number_ = 0;
};

// SQLite's side of the shared SQL translator: every literal a bound parameter; only columns whose
// stored values compare like the engine's (ComparableColumn); IS / IS NOT for IS [NOT] DISTINCT
// FROM; no ILIKE (LIKE runs with case_sensitive_like on).
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
    return ComparableColumn(column);
  }
  bool CompatibleColumns(const ColumnInfo& a, const ColumnInfo& b) const override {
    return a.type == b.type || (a.type.IsNumeric() && b.type.IsNumeric());
  }
  const char* IsDistinctFrom() const override { return " IS NOT "; }
  const char* IsNotDistinctFrom() const override { return " IS "; }
};

// Where a column of a scan comes from: table `leaf` (t<leaf> once joined) and its name.
struct SqliteColumnRef {
  size_t leaf = 0;
  std::string name;
};

// The FROM clause: one table, or a join of two relations; ON conditions index this node's columns.
struct SqliteRelation {
  std::shared_ptr<const SqliteRelation> left, right;  // both null for a table
  PushedJoinType type = PushedJoinType::kInner;
  std::vector<ExprPtr> on;
  size_t leaves = 1;
  size_t columns = 0;
};

// Everything a scan was asked; copied when two scans become one joined scan.
struct SqliteScanState {
  std::shared_ptr<const TableInfo> table;  // the table, or the joined columns
  std::vector<SqliteColumnRef> refs;       // one per column
  std::vector<std::string> tables;         // leaf i: the remote table name
  std::shared_ptr<const SqliteRelation> relation;
  bool joined = false;
  std::string rowid_name;  // of leaf 0, "" if it cannot be split
  bool splittable = false;
  double first_rows = 0;  // rows of leaf 0
  std::vector<int> projection;
  std::vector<ExprPtr> filters;  // over the table's columns
  std::string order;
  int64_t limit = -1;

  bool Joinable() const { return limit < 0 && order.empty(); }
};

ExprPtr ShiftSqliteColumns(const ExprPtr& e, int shift, size_t ncols) {
  std::vector<int> mapping(ncols);
  for (size_t i = 0; i < ncols; i++) mapping[i] = static_cast<int>(i) + shift;
  return RemapColumns(e, mapping);
}

class SqliteScan : public TableScan {
 public:
  // `rowid_name`: a name that reaches the rowid of this table ("" for views and WITHOUT ROWID
  // tables).
  SqliteScan(const void* source, std::string where, std::string path,
             std::shared_ptr<const TableInfo> table, std::string remote_name,
             std::string rowid_name)
      : source_(source), where_(std::move(where)), path_(std::move(path)) {
    s_.table = std::move(table);
    for (size_t i = 0; i < s_.table->columns.size(); i++) {
      s_.refs.push_back({0, s_.table->columns[i].name});
      s_.projection.push_back(static_cast<int>(i));
    }
    s_.tables.push_back(std::move(remote_name));
    auto rel = std::make_shared<SqliteRelation>();
    rel->columns = s_.table->columns.size();
    s_.relation = rel;
    s_.rowid_name = std::move(rowid_name);
    s_.splittable = true;
    s_.first_rows = s_.table->stats.row_count.value_or(0);
  }
  SqliteScan(const void* source, std::string where, std::string path, SqliteScanState state)
      : source_(source), where_(std::move(where)), path_(std::move(path)), s_(std::move(state)) {}

  void SetProjection(const std::vector<int>& column_ids) override {
    for (int c : column_ids) {
      if (c < 0 || c >= static_cast<int>(s_.table->columns.size())) {
        throw Error(ErrorKind::kInternal,
                    where_ + ": projection column " + std::to_string(c) + " out of range");
      }
    }
    s_.projection = column_ids;
  }

  bool PushFilter(const Expr& conjunct) override {
    if (s_.limit >= 0) return false;  // a limit already applies before this filter
    std::string sql;
    std::vector<Value> params;
    if (!Translator().Translate(conjunct, &sql, &params)) return false;
    s_.filters.push_back(conjunct.Copy());
    return true;
  }

  bool PushLimit(int64_t limit) override {
    if (limit < 0) return false;
    if (s_.limit < 0 || limit < s_.limit) s_.limit = limit;
    return true;
  }

  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override {
    if (keys.empty() || s_.limit >= 0) return false;
    std::string order;
    for (const auto& k : keys) {
      if (!k.expr || k.expr->kind != ExprKind::kColumnRef) return false;
      int c = k.expr->column_index;
      if (c < 0 || c >= static_cast<int>(s_.table->columns.size()) ||
          !ComparableColumn(s_.table->columns[c]))
        return false;
      order += (order.empty() ? "" : ", ") + ColumnSql(c) + (k.ascending ? " ASC" : " DESC") +
               (k.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    s_.order = order;
    if (limit >= 0) s_.limit = limit;
    return true;
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
    j.joined = true;
    auto table = std::make_shared<TableInfo>();
    table->schema = l.table->schema;
    table->name = l.table->name + " JOIN " + r.table->name;
    table->columns = l.table->columns;
    table->columns.insert(table->columns.end(), r.table->columns.begin(), r.table->columns.end());
    j.table = table;
    j.refs = l.refs;
    for (SqliteColumnRef ref : r.refs) {
      ref.leaf += l.tables.size();
      j.refs.push_back(std::move(ref));
    }
    j.tables = l.tables;
    j.tables.insert(j.tables.end(), r.tables.begin(), r.tables.end());
    const int shift = static_cast<int>(l.table->columns.size());
    std::vector<ExprPtr> right_filters;
    for (const auto& f : r.filters)
      right_filters.push_back(ShiftSqliteColumns(f, shift, r.table->columns.size()));
    auto rel = std::make_shared<SqliteRelation>();
    rel->left = l.relation;
    rel->right = r.relation;
    rel->type = type;
    rel->leaves = j.tables.size();
    rel->columns = table->columns.size();
    for (const auto& c : conditions) {
      if (!c) return nullptr;
      rel->on.push_back(c->Copy());
    }
    switch (type) {
      case PushedJoinType::kInner:
        j.filters = l.filters;
        j.filters.insert(j.filters.end(), right_filters.begin(), right_filters.end());
        break;
      case PushedJoinType::kLeft:
        j.filters = l.filters;
        rel->on.insert(rel->on.end(), right_filters.begin(), right_filters.end());
        break;
      case PushedJoinType::kRight:  // SQLite runs RIGHT JOIN since 3.39
        if (sqlite3_libversion_number() < 3039000) return nullptr;
        j.filters = right_filters;
        rel->on.insert(rel->on.end(), l.filters.begin(), l.filters.end());
        break;
    }
    j.relation = rel;
    j.rowid_name = l.rowid_name;
    j.splittable = l.splittable;
    j.first_rows = l.first_rows;
    for (size_t i = 0; i < table->columns.size(); i++) j.projection.push_back(static_cast<int>(i));
    auto joined = std::make_unique<SqliteScan>(source_, where_, path_, std::move(j));
    std::string sql;
    std::vector<Value> params;
    SqlTranslator t = joined->Translator();
    for (const auto& c : rel->on) {
      if (!t.Translate(*c, &sql, &params)) return nullptr;
    }
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
    double rows = s_.table->stats.row_count.value_or(-1);
    if (rows >= 0 && !s_.filters.empty())
      rows = std::max(1.0, rows * std::pow(0.25, s_.filters.size()));
    if (s_.limit >= 0 && (rows < 0 || rows > s_.limit)) rows = static_cast<double>(s_.limit);
    return rows;
  }

  // Large rowid tables split into rowid ranges (cheap: min/max use the b-tree ends), so that both
  // cores read; ordered or limited scans stay whole. A join splits by its first table's rowids
  // (inner and left joins keep that table's rows apart).
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    double rows = s_.first_rows;
    if (max_parallelism > 1 && s_.splittable && !s_.rowid_name.empty() && s_.limit < 0 &&
        s_.order.empty() && rows >= kMinRowsToSplit) {
      sqlite3* db = OpenDatabase(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, where_);
      int64_t lo = 0, hi = 0;
      bool ok = false;
      try {
        Statement st(db,
                     "SELECT min(" + s_.rowid_name + "), max(" + s_.rowid_name + ") FROM " +
                         QuoteSqliteIdentifier(s_.tables[0]),
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
    return std::make_unique<SqliteDataSource>(where_, path_, s_.table, s_.projection,
                                              std::vector<SqliteQuery>{q}, &counters_);
  }

  static constexpr double kMinRowsToSplit = 100000;

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    if (key_columns.empty() || s_.limit >= 0 || !s_.order.empty()) return false;
    for (int c : key_columns) {
      if (c < 0 || c >= static_cast<int>(s_.table->columns.size()) ||
          !ComparableColumn(s_.table->columns[c]))
        return false;
    }
    return true;
  }

  // Batched lookups: WHERE <pushed filters> AND "k" IN (?, ...) (or a row-value IN for composite
  // keys), in chunks that stay under SQLite's parameter limit. Keys with a NULL never match and are
  // skipped.
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
    if (keys.ColumnCount() != key_columns.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": lookup keys have " + std::to_string(keys.ColumnCount()) +
                      " columns, expected " + std::to_string(key_columns.size()));
    }
    const size_t width = key_columns.size();
    const size_t per_query = std::max<size_t>(1, 900 / width);
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
    return std::make_unique<SqliteDataSource>(where_, path_, s_.table, s_.projection,
                                              std::move(queries), &counters_);
  }

 private:
  SqlTranslator Translator() const {
    return SqlTranslator(SqliteDialect::Get(), s_.table->columns,
                         [this](int c) { return ColumnSql(c); });
  }

  std::string ColumnSql(int c) const {
    const SqliteColumnRef& ref = s_.refs[c];
    return (s_.joined ? "t" + std::to_string(ref.leaf) + "." : std::string()) +
           QuoteSqliteIdentifier(ref.name);
  }

  // The FROM clause of `rel` (first table: leaf `leaf`, first column: `column`); ON parameters are
  // appended to `params` in the order they appear.
  std::string FromSql(const SqliteRelation& rel, size_t leaf, size_t column,
                      std::vector<Value>* params, bool* like) const {
    if (!rel.left) {
      std::string s = QuoteSqliteIdentifier(s_.tables[leaf]);
      if (s_.joined) s += " t" + std::to_string(leaf);
      return s;
    }
    std::string left = FromSql(*rel.left, leaf, column, params, like);
    std::string right =
        FromSql(*rel.right, leaf + rel.left->leaves, column + rel.left->columns, params, like);
    if (rel.right->left) right = "(" + right + ")";
    std::vector<ColumnInfo> cols(
        s_.table->columns.begin() + static_cast<long>(column),
        s_.table->columns.begin() + static_cast<long>(column + rel.columns));
    SqlTranslator t(SqliteDialect::Get(), cols,
                    [this, column](int c) { return ColumnSql(static_cast<int>(column) + c); });
    std::string on;
    for (const auto& c : rel.on) {
      if (!on.empty()) on += " AND ";
      if (!t.Translate(*c, &on, params))
        throw Error(ErrorKind::kInternal, where_ + ": a join condition no longer translates");
      *like = *like || ContainsLike(*c);
    }
    const char* kw = rel.type == PushedJoinType::kInner  ? " JOIN "
                     : rel.type == PushedJoinType::kLeft ? " LEFT JOIN "
                                                         : " RIGHT JOIN ";
    return left + kw + right + " ON " + (on.empty() ? "1" : on);
  }

  // `extra`: one more conjunct after the pushed ones, with its parameters.
  SqliteQuery BuildQuery(const std::string& extra = {},
                         const std::vector<Value>& extra_params = {}) const {
    SqliteQuery q;
    std::string cols;
    for (int c : s_.projection) cols += (cols.empty() ? "" : ", ") + ColumnSql(c);
    if (cols.empty()) cols = "1";
    bool like = false;
    q.sql = "SELECT " + cols + " FROM " + FromSql(*s_.relation, 0, 0, &q.params, &like);
    SqlTranslator t = Translator();
    size_t n = 0;
    for (const auto& f : s_.filters) {
      q.sql += n++ ? " AND " : " WHERE ";
      if (!t.Translate(*f, &q.sql, &q.params))
        throw Error(ErrorKind::kInternal, where_ + ": a pushed filter no longer translates");
      like = like || ContainsLike(*f);
    }
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

// ---------------------------------------------------------------------------------------------
// Writer

class SqliteTableWriter : public TableWriter {
 public:
  SqliteTableWriter(std::string where, const std::string& path, std::string table,
                    std::vector<ColumnInfo> columns, bool create)
      : where_(std::move(where)), table_(std::move(table)), columns_(std::move(columns)) {
    db_ = OpenDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, where_);
    try {
      Exec(db_, "BEGIN IMMEDIATE", where_);
      in_transaction_ = true;
      if (create) {
        std::string ddl = "CREATE TABLE " + QuoteSqliteIdentifier(table_) + " (";
        for (size_t i = 0; i < columns_.size(); i++) {
          ddl += (i ? ", " : "") + QuoteSqliteIdentifier(columns_[i].name) + " " +
                 SqliteTypeFor(columns_[i].type);
        }
        ddl += ")";
        Exec(db_, ddl, where_ + " table '" + table_ + "'");
      }
      std::string sql = "INSERT INTO " + QuoteSqliteIdentifier(table_) + " (";
      std::string marks;
      for (size_t i = 0; i < columns_.size(); i++) {
        sql += (i ? ", " : "") + QuoteSqliteIdentifier(columns_[i].name);
        marks += i ? ", ?" : "?";
      }
      sql += ") VALUES (" + marks + ")";
      insert_ = std::make_unique<Statement>(db_, sql, where_);
    } catch (...) {
      Close(true);
      throw;
    }
  }

  ~SqliteTableWriter() override { Close(true); }

  void Append(const Batch& batch) override {
    if (!db_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    if (batch.ColumnCount() != columns_.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": insert batch has " + std::to_string(batch.ColumnCount()) +
                      " columns, table '" + table_ + "' has " + std::to_string(columns_.size()));
    }
    sqlite3_stmt* st = insert_->get();
    for (size_t r = 0; r < batch.count; r++) {
      for (size_t c = 0; c < columns_.size(); c++)
        BindValue(st, static_cast<int>(c + 1), batch.columns[c].GetValue(r));
      insert_->Step(where_ + " insert into '" + table_ + "'");
      sqlite3_reset(st);
    }
  }

  void Commit() override {
    if (!db_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    insert_.reset();
    Exec(db_, "COMMIT", where_);
    in_transaction_ = false;
    Close(false);
  }

  void Abort() override { Close(true); }

 private:
  void Close(bool rollback) {
    insert_.reset();
    if (db_) {
      if (rollback && in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      in_transaction_ = false;
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }

  std::string where_;
  std::string table_;
  std::vector<ColumnInfo> columns_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> insert_;
  bool in_transaction_ = false;
};

}  // namespace

std::string QuoteSqliteIdentifier(const std::string& name) { return QuoteSqlIdentifier(name); }

LogicalType SqliteDeclaredType(const std::string& declared, std::string* comment) {
  std::string t = Upper(declared);
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(' ');
    size_t e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  t = trim(t);
  std::string base = trim(t.substr(0, t.find('(')));
  if (base.empty()) {
    if (comment) *comment = "no declared type: read as text";
    return TypeId::kVarchar;
  }
  if (base == "BOOLEAN" || base == "BOOL") return TypeId::kBoolean;
  if (base == "DATE") return TypeId::kDate;
  if (base == "DATETIME" || base == "TIMESTAMP" || base.rfind("TIMESTAMP", 0) == 0)
    return TypeId::kTimestamp;
  if (base == "DECIMAL" || base == "NUMERIC") {
    int p = -1, s = 0;
    auto open = t.find('(');
    if (open != std::string::npos) {
      if (std::sscanf(t.c_str() + open, "(%d , %d)", &p, &s) < 1 &&
          std::sscanf(t.c_str() + open, "(%d,%d)", &p, &s) < 1)
        p = -1;
    }
    if (p >= 1 && p <= kMaxDecimalPrecision && s >= 0 && s <= p) return LogicalType::Decimal(p, s);
    if (comment) *comment = "declared '" + declared + "' read as DOUBLE";
    return TypeId::kDouble;
  }
  if (base.find("INT") != std::string::npos) return TypeId::kBigInt;
  if (base.find("CHAR") != std::string::npos || base.find("CLOB") != std::string::npos ||
      base.find("TEXT") != std::string::npos) {
    return TypeId::kVarchar;
  }
  if (base.find("REAL") != std::string::npos || base.find("FLOA") != std::string::npos ||
      base.find("DOUB") != std::string::npos) {
    return TypeId::kDouble;
  }
  if (comment) *comment = "declared '" + declared + "' read as text";
  return TypeId::kVarchar;
}

SqliteConnector::SqliteConnector(const ConnectionConfig& config) : name_(config.name) {
  std::string url = config.url;
  if (url.rfind("sqlite://", 0) == 0)
    url = url.substr(9);
  else if (url.rfind("sqlite:", 0) == 0)
    url = url.substr(7);
  auto it = config.properties.find("path");
  if (url.empty() && it != config.properties.end()) url = it->second;
  if (url.empty())
    throw Error(ErrorKind::kConnector,
                Where() + ": no database file given (use sqlite:///path/to/file.db)");
  path_ = url;
  auto schema = config.properties.find("schema");
  if (schema != config.properties.end() && !schema->second.empty()) schema_ = schema->second;
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    throw Error(ErrorKind::kConnector, Where() + ": cannot open " + path_ + ": no such file");
  }
  if (S_ISDIR(st.st_mode))
    throw Error(ErrorKind::kConnector, Where() + ": cannot open " + path_ + ": it is a folder");
  read_only_ = ::access(path_.c_str(), W_OK) != 0;
  db_ = OpenDatabase(
      path_, (read_only_ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX,
      Where());
  // Fail now, not at the first query, if this is not a SQLite database.
  try {
    Statement probe(db_, "SELECT count(*) FROM sqlite_master", Where());
    probe.Step(Where());
  } catch (const Error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorKind::kConnector, Where() + ": cannot open " + path_ + ": " +
                                           std::string(e.what()).substr(Where().size() + 2));
  }
}

SqliteConnector::~SqliteConnector() {
  if (db_) sqlite3_close(db_);
}

std::string SqliteConnector::Where() const { return "sqlite source '" + name_ + "'"; }

bool SqliteConnector::IsOurSchema(const std::string& schema) const {
  return schema.empty() || Lower(schema) == Lower(schema_) || Lower(schema) == "main";
}

std::vector<std::string> SqliteConnector::ListSchemas() { return {schema_}; }

std::vector<std::string> SqliteConnector::ListTables(const std::string& schema) {
  if (!IsOurSchema(schema))
    throw Error(ErrorKind::kCatalog,
                Where() + ": no schema '" + schema + "' (it has '" + schema_ + "')");
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE "
               "'sqlite\\_%' ESCAPE '\\' "
               "ORDER BY name",
               Where());
  std::vector<std::string> out;
  while (st.Step(Where()) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)));
  return out;
}

std::shared_ptr<const TableInfo> SqliteConnector::GetTable(const std::string& schema,
                                                           const std::string& table) {
  if (!IsOurSchema(schema)) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  std::string remote, kind;
  {
    Statement st(db_,
                 "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name = "
                 "? COLLATE NOCASE "
                 "ORDER BY name = ? DESC LIMIT 1",
                 Where());
    sqlite3_bind_text(st.get(), 1, table.c_str(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, table.c_str(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    if (st.Step(Where()) != SQLITE_ROW) return nullptr;
    remote = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
    kind = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1));
  }
  auto info = std::make_shared<TableInfo>();
  info->schema = schema_;
  info->name = remote;
  info->location = path_ + " " + kind + " " + remote;
  {
    Statement st(db_, "SELECT name, type, \"notnull\" FROM pragma_table_info(?)", Where());
    sqlite3_bind_text(st.get(), 1, remote.c_str(), static_cast<int>(remote.size()),
                      SQLITE_TRANSIENT);
    while (st.Step(Where() + " table '" + remote + "'") == SQLITE_ROW) {
      ColumnInfo col;
      col.name = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
      const unsigned char* decl = sqlite3_column_text(st.get(), 1);
      col.type = SqliteDeclaredType(decl ? reinterpret_cast<const char*>(decl) : "", &col.comment);
      col.nullable = sqlite3_column_int(st.get(), 2) == 0;
      info->columns.push_back(std::move(col));
    }
  }
  // A text column with a collation other than BINARY (e.g. COLLATE NOCASE) compares differently
  // from the engine: it is marked, and not compared remotely.
  if (kind == "table") {
    for (auto& col : info->columns) {
      if (col.type.id != TypeId::kVarchar || !col.comment.empty()) continue;
      const char* decl = nullptr;
      const char* coll = nullptr;
      int not_null = 0, pk = 0, autoinc = 0;
      if (sqlite3_table_column_metadata(db_, "main", remote.c_str(), col.name.c_str(), &decl, &coll,
                                        &not_null, &pk, &autoinc) == SQLITE_OK &&
          coll && Upper(coll) != "BINARY") {
        col.comment = std::string("collation ") + coll + ": compared in the engine";
      }
    }
  }
  // Row count: sqlite_stat1 if ANALYZE ran, else count(*) on tables of modest databases.
  bool have_stat = false;
  {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", -1, &raw,
                           nullptr) == SQLITE_OK) {
      sqlite3_bind_text(raw, 1, remote.c_str(), static_cast<int>(remote.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(raw) == SQLITE_ROW) {
        const char* stat = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        if (stat) {
          info->stats.row_count = std::strtod(stat, nullptr);
          have_stat = true;
        }
      }
    }
    sqlite3_finalize(raw);
  }
  if (!have_stat && kind == "table") {
    // count(*), remembered until the database file (or its WAL) changes.
    struct stat st, wal;
    if (::stat(path_.c_str(), &st) == 0 && st.st_size <= (512LL << 20)) {
      std::string stamp = std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
                          "." + std::to_string(st.st_mtim.tv_nsec);
      if (::stat((path_ + "-wal").c_str(), &wal) == 0) {
        stamp += "/" + std::to_string(wal.st_size) + ":" + std::to_string(wal.st_mtim.tv_sec) +
                 "." + std::to_string(wal.st_mtim.tv_nsec);
      }
      auto cached = row_counts_.find(remote);
      if (cached != row_counts_.end() && cached->second.first == stamp) {
        info->stats.row_count = cached->second.second;
      } else {
        Statement count(db_, "SELECT count(*) FROM " + QuoteSqliteIdentifier(remote), Where());
        if (count.Step(Where()) == SQLITE_ROW) {
          double n = static_cast<double>(sqlite3_column_int64(count.get(), 0));
          info->stats.row_count = n;
          row_counts_[remote] = {stamp, n};
        }
      }
    }
  }
  return info;
}

std::unique_ptr<TableScan> SqliteConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": CreateScan without a table");
  // A rowid table (not a view, not WITHOUT ROWID) can be split by rowid ranges; find a name for the
  // rowid that no column shadows.
  std::string rowid_name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT type, sql FROM sqlite_master WHERE name = ?", Where());
    sqlite3_bind_text(st.get(), 1, table->name.c_str(), static_cast<int>(table->name.size()),
                      SQLITE_TRANSIENT);
    if (st.Step(Where()) == SQLITE_ROW) {
      std::string type = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
      const unsigned char* sql = sqlite3_column_text(st.get(), 1);
      std::string ddl = Upper(sql ? reinterpret_cast<const char*>(sql) : "");
      if (type == "table" && ddl.find("WITHOUT ROWID") == std::string::npos) {
        for (const char* candidate : {"rowid", "_rowid_", "oid"}) {
          bool shadowed = false;
          for (const auto& col : table->columns)
            shadowed = shadowed || Lower(col.name) == candidate;
          if (!shadowed) {
            rowid_name = candidate;
            break;
          }
        }
      }
    }
  }
  return std::make_unique<SqliteScan>(this, Where(), path_, table, table->name, rowid_name);
}

std::unique_ptr<TableWriter> SqliteConnector::CreateTable(const std::string& schema,
                                                          const std::string& table,
                                                          const std::vector<ColumnInfo>& columns) {
  if (!IsOurSchema(schema))
    throw Error(ErrorKind::kCatalog,
                Where() + ": no schema '" + schema + "' (it has '" + schema_ + "')");
  if (read_only_) throw Error(ErrorKind::kConnector, Where() + ": " + path_ + " is read-only");
  if (columns.empty())
    throw Error(ErrorKind::kCatalog, Where() + ": a table needs at least one column");
  if (GetTable(schema, table))
    throw Error(ErrorKind::kCatalog, Where() + ": table '" + table + "' already exists");
  return std::make_unique<SqliteTableWriter>(Where(), path_, table, columns, true);
}

std::unique_ptr<TableWriter> SqliteConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  if (read_only_) throw Error(ErrorKind::kConnector, Where() + ": " + path_ + " is read-only");
  return std::make_unique<SqliteTableWriter>(Where(), path_, table->name, table->columns, false);
}

std::string SqliteConnector::Summary() {
  size_t n = ListTables(schema_).size();
  return std::string("SQLite ") + sqlite3_libversion() + ", " + path_ + ", " + std::to_string(n) +
         " table(s)";
}

void RegisterSqliteConnector() {
  ConnectorFactory::Register("sqlite", {"sqlite", "sqlite3"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<SqliteConnector>(config);
                             });
}

}  // namespace aishell
