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
                    std::vector<ColumnInfo> columns, bool create, std::vector<int> key_columns = {},
                    UpsertConflict conflict = UpsertConflict::kSourceWins)
      : where_(std::move(where)),
        table_(std::move(table)),
        columns_(std::move(columns)),
        key_columns_(std::move(key_columns)),
        conflict_(conflict) {
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
      if (!key_columns_.empty()) {
        std::string cond;
        for (size_t k = 0; k < key_columns_.size(); k++) {
          cond += (k ? " AND " : "") + QuoteSqliteIdentifier(columns_[key_columns_[k]].name) +
                  " IS ?" + std::to_string(k + 1);
        }
        find_ = std::make_unique<SqliteStatement>(
            db_, "SELECT 1 FROM " + QuoteSqliteIdentifier(table_) + " WHERE " + cond + " LIMIT 1",
            where_);
        delete_ = std::make_unique<SqliteStatement>(
            db_, "DELETE FROM " + QuoteSqliteIdentifier(table_) + " WHERE " + cond, where_);
      }
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
      if (!key_columns_.empty() && !KeepRow(batch, r)) continue;
      for (size_t c = 0; c < columns_.size(); c++)
        BindSqliteValue(st, static_cast<int>(c + 1), batch.columns[c].GetValue(r));
      insert_->Step(where_ + " insert into '" + table_ + "'");
      sqlite3_reset(st);
    }
  }

  void Commit() override {
    if (!db_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    insert_.reset();
    find_.reset();
    delete_.reset();
    SqliteExec(db_, "COMMIT", where_);
    in_transaction_ = false;
    Close(false);
  }

  void Abort() override { Close(true); }

 private:
  // Upserts: whether row r is to be inserted (after deleting the row it replaces).
  bool KeepRow(const Batch& batch, size_t r) {
    sqlite3_stmt* find = find_->get();
    for (size_t k = 0; k < key_columns_.size(); k++)
      BindSqliteValue(find, static_cast<int>(k + 1), batch.columns[key_columns_[k]].GetValue(r));
    bool exists = sqlite3_step(find) == SQLITE_ROW;
    sqlite3_reset(find);
    if (!exists) return true;
    if (conflict_ == UpsertConflict::kTargetWins) return false;
    if (conflict_ == UpsertConflict::kError) {
      std::string key;
      for (size_t k = 0; k < key_columns_.size(); k++) {
        key += (k ? ", " : "") + columns_[key_columns_[k]].name + "=" +
               batch.columns[key_columns_[k]].GetValue(r).ToString();
      }
      throw Error(ErrorKind::kExecution, where_ + ": table '" + table_ +
                                             "' already has a row with key " + key +
                                             " (conflict: error); nothing was written");
    }
    sqlite3_stmt* del = delete_->get();
    for (size_t k = 0; k < key_columns_.size(); k++)
      BindSqliteValue(del, static_cast<int>(k + 1), batch.columns[key_columns_[k]].GetValue(r));
    delete_->Step(where_ + " delete from '" + table_ + "'");
    sqlite3_reset(del);
    return true;
  }

  void Close(bool rollback) {
    insert_.reset();
    find_.reset();
    delete_.reset();
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
  std::vector<int> key_columns_;  // upserts only
  UpsertConflict conflict_;
  std::unique_ptr<SqliteStatement> find_;
  std::unique_ptr<SqliteStatement> delete_;
  bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<TableWriter> CreateSqliteTableWriter(std::string where, const std::string& path,
                                                     std::string table,
                                                     std::vector<ColumnInfo> columns, bool create) {
  return std::make_unique<SqliteTableWriter>(std::move(where), path, std::move(table),
                                             std::move(columns), create);
}

std::unique_ptr<TableWriter> CreateSqliteUpsertWriter(std::string where, const std::string& path,
                                                      std::string table,
                                                      std::vector<ColumnInfo> columns,
                                                      std::vector<int> key_columns,
                                                      UpsertConflict conflict) {
  return std::make_unique<SqliteTableWriter>(std::move(where), path, std::move(table),
                                             std::move(columns), false, std::move(key_columns),
                                             conflict);
}

}  // namespace aishell
