#include "connectors/sqlite/sqlite_writer.h"

#include <sqlite3.h>

#include <utility>

#include "common/exception.h"
#include "connectors/sqlite/sqlite_client.h"
#include "connectors/sqlite/sqlite_types.h"

namespace aishell {

namespace {

class SqliteTableWriter : public TableWriter {
 public:
  SqliteTableWriter(std::string where, const std::string& path, std::string table,
                    std::vector<ColumnInfo> columns, bool create)
      : where_(std::move(where)), table_(std::move(table)), columns_(std::move(columns)) {
    db_ = OpenSqliteDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, where_);
    try {
      SqliteExec(db_, "BEGIN IMMEDIATE", where_);
      in_transaction_ = true;
      if (create) {
        std::string ddl = "CREATE TABLE " + QuoteSqliteIdentifier(table_) + " (";
        for (size_t i = 0; i < columns_.size(); i++) {
          ddl += (i ? ", " : "") + QuoteSqliteIdentifier(columns_[i].name) + " " +
                 SqliteTypeFor(columns_[i].type);
        }
        ddl += ")";
        SqliteExec(db_, ddl, where_ + " table '" + table_ + "'");
      }
      std::string sql = "INSERT INTO " + QuoteSqliteIdentifier(table_) + " (";
      std::string marks;
      for (size_t i = 0; i < columns_.size(); i++) {
        sql += (i ? ", " : "") + QuoteSqliteIdentifier(columns_[i].name);
        marks += i ? ", ?" : "?";
      }
      sql += ") VALUES (" + marks + ")";
      insert_ = std::make_unique<SqliteStatement>(db_, sql, where_);
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
        BindSqliteValue(st, static_cast<int>(c + 1), batch.columns[c].GetValue(r));
      insert_->Step(where_ + " insert into '" + table_ + "'");
      sqlite3_reset(st);
    }
  }

  void Commit() override {
    if (!db_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    insert_.reset();
    SqliteExec(db_, "COMMIT", where_);
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
  std::unique_ptr<SqliteStatement> insert_;
  bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<TableWriter> CreateSqliteTableWriter(std::string where, const std::string& path,
                                                     std::string table,
                                                     std::vector<ColumnInfo> columns, bool create) {
  return std::make_unique<SqliteTableWriter>(std::move(where), path, std::move(table),
                                             std::move(columns), create);
}

}  // namespace aishell
