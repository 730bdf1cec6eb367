// The connector's SQLite client: a database opened without creating it, prepared statements that
// finalize themselves, and values bound as parameters. Errors are Error(kConnector) naming the
// source (`where`).
#pragma once

#include <string>

#include "common/value.h"

struct sqlite3;
struct sqlite3_stmt;

namespace aishell {

// "a\"b" -> "\"a\"\"b\"".
std::string QuoteSqliteIdentifier(const std::string& name);

// A prepared statement, finalized on destruction.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql, const std::string& where);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  sqlite3_stmt* get() { return stmt_; }
  // SQLITE_ROW or SQLITE_DONE; throws otherwise.
  int Step(const std::string& where);

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Opens `path` with sqlite3_open_v2 `flags` (a 5 s busy timeout, extended result codes).
sqlite3* OpenSqliteDatabase(const std::string& path, int flags, const std::string& where);
// Runs statements; throws on the first failure.
void SqliteExec(sqlite3* db, const std::string& sql, const std::string& where);
// Binds `value` to parameter `index` (1-based): numbers as numbers, the rest as their text.
void BindSqliteValue(sqlite3_stmt* stmt, int index, const Value& value);

}  // namespace aishell
