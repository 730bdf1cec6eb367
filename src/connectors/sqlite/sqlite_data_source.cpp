#include "connectors/sqlite/sqlite_data_source.h"

#include <sqlite3.h>

#include <cmath>
#include <cstdint>

#include "catalog/emit_batch.h"
#include "common/exception.h"
#include "connectors/sqlite/sqlite_client.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

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
    db_ = OpenSqliteDatabase(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, where_);
    try {
      bool like = false;
      for (const auto& q : queries_) like = like || q.case_sensitive_like;
      if (like) SqliteExec(db_, "PRAGMA case_sensitive_like = ON", where_);
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
    stmt_ = std::make_unique<SqliteStatement>(db_, q.sql, where_);
    for (size_t i = 0; i < q.params.size(); i++)
      BindSqliteValue(stmt_->get(), static_cast<int>(i + 1), q.params[i]);
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
  std::unique_ptr<SqliteStatement> stmt_;
  bool done_ = false;
  int64_t row_number_ = 0;
};

}  // namespace

std::unique_ptr<DataSource> CreateSqliteDataSource(std::string where, const std::string& path,
                                                   std::shared_ptr<const TableInfo> table,
                                                   std::vector<int> projection,
                                                   std::vector<SqliteQuery> queries,
                                                   ScanCounters* counters) {
  return std::make_unique<SqliteDataSource>(std::move(where), path, std::move(table),
                                            std::move(projection), std::move(queries), counters);
}

}  // namespace aishell
