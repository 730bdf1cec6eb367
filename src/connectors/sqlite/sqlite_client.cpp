#include "connectors/sqlite/sqlite_client.h"

#include <sqlite3.h>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/remote_sql/sql_dialect.h"

namespace aishell {

std::string QuoteSqliteIdentifier(const std::string& name) { return QuoteSqlIdentifier(name); }

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql, const std::string& where)
    : db_(db) {
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db);
    throw Error(ErrorKind::kConnector, where + ": " + msg + " (in: " + sql + ")");
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

int SqliteStatement::Step(const std::string& where) {
  int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    throw Error(ErrorKind::kConnector, where + ": " + sqlite3_errmsg(db_));
  }
  return rc;
}

sqlite3* OpenSqliteDatabase(const std::string& path, int flags, const std::string& where) {
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

void SqliteExec(sqlite3* db, const std::string& sql, const std::string& where) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
}

void BindSqliteValue(sqlite3_stmt* stmt, int index, const Value& v) {
  if (v.is_null()) {
    sqlite3_bind_null(stmt, index);
    return;
  }
  switch (v.type().id) {
    case TypeId::kBoolean:
      sqlite3_bind_int64(stmt, index, v.GetBool() ? 1 : 0);
      break;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      sqlite3_bind_int64(stmt, index, v.GetInt64());
      break;
    case TypeId::kReal:
    case TypeId::kDouble:
      sqlite3_bind_double(stmt, index, v.GetDouble());
      break;
    case TypeId::kVarbinary:
      sqlite3_bind_blob(stmt, index, v.GetString().data(), static_cast<int>(v.GetString().size()),
                        SQLITE_TRANSIENT);
      break;
    case TypeId::kDecimal: {
      std::string s = FormatDecimal(v.GetInt128(), v.type().scale);
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

}  // namespace aishell
