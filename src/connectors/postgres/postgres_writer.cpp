#include <algorithm>

#include "connectors/postgres/postgres_writer.h"

#include <libpq-fe.h>

#include <string_view>
#include <utility>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/postgres/postgres_client.h"

namespace aishell {

namespace {

void AppendCopyText(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
}

class PgTableWriter : public TableWriter {
 public:
  // Upserts: `check_sql` (rows: keys that conflict) runs after the COPY, then `merge_sql`.
  struct Upsert {
    std::string check_sql;
    std::vector<std::string> merge_sql;
  };

  PgTableWriter(std::string where, std::string url, std::string qualified,
                std::vector<ColumnInfo> columns, std::string create_ddl, Upsert upsert = {})
      : where_(std::move(where)),
        url_(std::move(url)),
        qualified_(std::move(qualified)),
        columns_(std::move(columns)),
        upsert_(std::move(upsert)) {
    conn_.conn = PgConnect(url_, where_);
    PgExec(conn_.conn, "BEGIN", url_, where_);
    in_transaction_ = true;
    if (!create_ddl.empty()) PgExec(conn_.conn, create_ddl, url_, where_);
    std::string copy = "COPY " + qualified_ + " (";
    for (size_t i = 0; i < columns_.size(); i++)
      copy += (i ? ", " : "") + QuotePgIdentifier(columns_[i].name);
    copy += ") FROM STDIN";
    PGresult* r = PQexec(conn_.conn, copy.c_str());
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    std::string msg = ok ? "" : PgResultMessage(r, conn_.conn, url_);
    PQclear(r);
    if (!ok) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
    in_copy_ = true;
  }

  ~PgTableWriter() override {
    if (conn_.conn && in_transaction_) {
      if (in_copy_) PQputCopyEnd(conn_.conn, "aborted");
      while (PGresult* r = PQgetResult(conn_.conn)) PQclear(r);
      PGresult* r = PQexec(conn_.conn, "ROLLBACK");
      PQclear(r);
    }
  }

  void Append(const Batch& batch) override {
    if (!in_copy_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    if (batch.ColumnCount() != columns_.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": insert batch has " + std::to_string(batch.ColumnCount()) +
                      " columns, table has " + std::to_string(columns_.size()));
    }
    std::string buf;
    for (size_t r = 0; r < batch.count; r++) {
      for (size_t c = 0; c < columns_.size(); c++) {
        if (c) buf += '\t';
        Value v = batch.columns[c].GetValue(r);
        if (v.is_null()) {
          buf += "\\N";
          continue;
        }
        switch (v.type().id) {
          case TypeId::kBoolean:
            buf += v.GetBool() ? "t" : "f";
            break;
          case TypeId::kTinyInt:
          case TypeId::kSmallInt:
          case TypeId::kInteger:
          case TypeId::kBigInt:
            buf += std::to_string(v.GetInt64());
            break;
          case TypeId::kDouble: {
            char tmp[64];
            std::snprintf(tmp, sizeof(tmp), "%.17g", v.GetDouble());
            buf += tmp;
            break;
          }
          case TypeId::kReal:  // the shortest text that reads back as the same float
            buf += FormatReal(static_cast<float>(v.GetDouble()));
            break;
          case TypeId::kDecimal:
            buf += FormatDecimal(v.GetInt128(), v.type().scale);
            break;
          case TypeId::kVarbinary: {  // bytea hex input: \x..., its backslash escaped for COPY
            std::string hex = FormatVarbinary(v.GetString());
            hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
            buf += "\\\\x" + hex;
            break;
          }
          case TypeId::kDate:
            buf += FormatDate(static_cast<int32_t>(v.GetInt64()));
            break;
          case TypeId::kTimestamp:
            buf += FormatTimestamp(v.GetInt64());
            break;
          case TypeId::kTimestampTz:
            buf += FormatTimestamp(v.GetInt64()) + "+00";
            break;
          case TypeId::kVarchar: {
            if (v.GetString().find('\0') != std::string::npos) {
              throw Error(ErrorKind::kConversion,
                          where_ + ": column '" + columns_[c].name +
                              "': PostgreSQL text cannot hold a NUL character");
            }
            AppendCopyText(buf, v.GetString());
            break;
          }
          default:
            AppendCopyText(buf, v.ToString());
        }
      }
      buf += '\n';
      if (buf.size() >= (1 << 20)) Send(buf);
    }
    Send(buf);
  }

  void Commit() override {
    if (!in_copy_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    in_copy_ = false;
    if (PQputCopyEnd(conn_.conn, nullptr) != 1) Fail();
    while (PGresult* r = PQgetResult(conn_.conn)) {
      auto st = PQresultStatus(r);
      std::string msg = st == PGRES_COMMAND_OK ? "" : PgResultMessage(r, conn_.conn, url_);
      PQclear(r);
      // The destructor rolls back.
      if (st != PGRES_COMMAND_OK) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
    }
    if (!upsert_.check_sql.empty()) {
      PGresult* r = PQexec(conn_.conn, upsert_.check_sql.c_str());
      bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
      std::string msg = ok ? "" : PgResultMessage(r, conn_.conn, url_);
      std::string keys;
      for (int i = 0; ok && i < PQntuples(r); i++) {
        keys += i ? "; " : "";
        for (int c = 0; c < PQnfields(r); c++) {
          keys += std::string(c ? ", " : "") + PQfname(r, c) + "=" +
                  (PQgetisnull(r, i, c) ? "NULL" : PQgetvalue(r, i, c));
        }
      }
      PQclear(r);
      if (!ok) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
      if (!keys.empty()) {
        throw Error(ErrorKind::kExecution, where_ + ": already has rows with key " + keys +
                                               " (conflict: error); nothing was written");
      }
    }
    for (const auto& sql : upsert_.merge_sql) PgExec(conn_.conn, sql, url_, where_);
    PgExec(conn_.conn, "COMMIT", url_, where_);
    in_transaction_ = false;
  }

  void Abort() override {
    if (!in_transaction_) return;
    if (in_copy_) PQputCopyEnd(conn_.conn, "aborted");
    in_copy_ = false;
    while (PGresult* r = PQgetResult(conn_.conn)) PQclear(r);
    PGresult* r = PQexec(conn_.conn, "ROLLBACK");
    PQclear(r);
    in_transaction_ = false;
  }

 private:
  void Send(std::string& buf) {
    if (buf.empty()) return;
    if (PQputCopyData(conn_.conn, buf.data(), static_cast<int>(buf.size())) != 1) Fail();
    buf.clear();
  }
  [[noreturn]] void Fail() {
    throw Error(ErrorKind::kConnector, where_ + ": writing to " + qualified_ +
                                           " failed: " + PgConnMessage(conn_.conn, url_));
  }

  std::string where_;
  std::string url_;
  std::string qualified_;
  std::vector<ColumnInfo> columns_;
  Upsert upsert_;
  PgConnection conn_;
  bool in_transaction_ = false;
  bool in_copy_ = false;
};

}  // namespace

std::unique_ptr<TableWriter> CreatePgTableWriter(std::string where, std::string url,
                                                 std::string qualified,
                                                 std::vector<ColumnInfo> columns,
                                                 std::string create_ddl) {
  return std::make_unique<PgTableWriter>(std::move(where), std::move(url), std::move(qualified),
                                         std::move(columns), std::move(create_ddl));
}

std::unique_ptr<TableWriter> CreatePgUpsertWriter(std::string where, std::string url,
                                                  std::string qualified,
                                                  std::vector<ColumnInfo> columns,
                                                  const std::vector<int>& key_columns,
                                                  UpsertConflict conflict) {
  const std::string stage = "aishell_upsert_stage";
  std::string cols, match, keys;
  for (size_t i = 0; i < columns.size(); i++)
    cols += (i ? ", " : "") + QuotePgIdentifier(columns[i].name);
  for (size_t k = 0; k < key_columns.size(); k++) {
    std::string c = QuotePgIdentifier(columns[key_columns[k]].name);
    match += (k ? " AND " : "") + std::string("t.") + c + " IS NOT DISTINCT FROM s." + c;
    keys += (k ? ", " : "") + std::string("s.") + c;
  }
  PgTableWriter::Upsert upsert;
  if (conflict == UpsertConflict::kError) {
    upsert.check_sql = "SELECT " + keys + " FROM " + stage + " s WHERE EXISTS (SELECT 1 FROM " +
                       qualified + " t WHERE " + match + ") LIMIT 10";
  }
  if (conflict == UpsertConflict::kSourceWins) {
    upsert.merge_sql.push_back("DELETE FROM " + qualified + " t USING " + stage + " s WHERE " +
                               match);
  }
  upsert.merge_sql.push_back("INSERT INTO " + qualified + " (" + cols + ") SELECT " + cols +
                             " FROM " + stage + " s WHERE NOT EXISTS (SELECT 1 FROM " + qualified +
                             " t WHERE " + match + ")");
  std::string ddl =
      "CREATE TEMP TABLE " + stage + " (LIKE " + qualified + " INCLUDING DEFAULTS) ON COMMIT DROP";
  return std::make_unique<PgTableWriter>(std::move(where), std::move(url), stage,
                                         std::move(columns), std::move(ddl), std::move(upsert));
}

}  // namespace aishell
