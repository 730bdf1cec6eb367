#include "connectors/sqlite/sqlite_connector.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/sqlite/sqlite_client.h"
#include "connectors/sqlite/sqlite_scan.h"
#include "connectors/sqlite/sqlite_types.h"
#include "connectors/sqlite/sqlite_writer.h"

namespace aishell {

namespace {}  // namespace

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
  db_ = OpenSqliteDatabase(
      path_, (read_only_ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX,
      Where());
  // Fail now, not at the first query, if this is not a SQLite database.
  try {
    SqliteStatement probe(db_, "SELECT count(*) FROM sqlite_master", Where());
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
  return schema.empty() || AsciiLower(schema) == AsciiLower(schema_) ||
         AsciiLower(schema) == "main";
}

std::vector<std::string> SqliteConnector::ListSchemas() { return {schema_}; }

std::vector<std::string> SqliteConnector::ListTables(const std::string& schema) {
  if (!IsOurSchema(schema))
    throw Error(ErrorKind::kCatalog,
                Where() + ": no schema '" + schema + "' (it has '" + schema_ + "')");
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteStatement st(
      db_,
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
    SqliteStatement st(
        db_,
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
    SqliteStatement st(db_, "SELECT name, type, \"notnull\" FROM pragma_table_info(?)", Where());
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
          coll && AsciiUpper(coll) != "BINARY") {
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
        SqliteStatement count(db_, "SELECT count(*) FROM " + QuoteSqliteIdentifier(remote),
                              Where());
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
    SqliteStatement st(db_, "SELECT type, sql FROM sqlite_master WHERE name = ?", Where());
    sqlite3_bind_text(st.get(), 1, table->name.c_str(), static_cast<int>(table->name.size()),
                      SQLITE_TRANSIENT);
    if (st.Step(Where()) == SQLITE_ROW) {
      std::string type = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
      const unsigned char* sql = sqlite3_column_text(st.get(), 1);
      std::string ddl = AsciiUpper(sql ? reinterpret_cast<const char*>(sql) : "");
      if (type == "table" && ddl.find("WITHOUT ROWID") == std::string::npos) {
        for (const char* candidate : {"rowid", "_rowid_", "oid"}) {
          bool shadowed = false;
          for (const auto& col : table->columns)
            shadowed = shadowed || AsciiLower(col.name) == candidate;
          if (!shadowed) {
            rowid_name = candidate;
            break;
          }
        }
      }
    }
  }
  return CreateSqliteScan(this, Where(), path_, table, table->name, rowid_name);
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
  return CreateSqliteTableWriter(Where(), path_, table, columns, true);
}

std::unique_ptr<TableWriter> SqliteConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  if (read_only_) throw Error(ErrorKind::kConnector, Where() + ": " + path_ + " is read-only");
  return CreateSqliteTableWriter(Where(), path_, table->name, table->columns, false);
}

std::unique_ptr<TableWriter> SqliteConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                         const std::vector<int>& key_columns,
                                                         UpsertConflict conflict) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": UpsertInto without a table");
  if (read_only_) throw Error(ErrorKind::kConnector, Where() + ": " + path_ + " is read-only");
  if (key_columns.empty())
    throw Error(ErrorKind::kInternal, Where() + ": UpsertInto without key columns");
  return CreateSqliteUpsertWriter(Where(), path_, table->name, table->columns, key_columns,
                                  conflict);
}

void SqliteConnector::DropTable(std::shared_ptr<const TableInfo> table) {
  if (read_only_) throw Error(ErrorKind::kConnector, Where() + ": " + path_ + " is read-only");
  std::lock_guard<std::mutex> lock(mutex_);
  // A view is not dropped by DROP TABLE (SQLite says "use DROP VIEW").
  SqliteExec(db_, "DROP TABLE " + QuoteSqliteIdentifier(table->name),
             Where() + " table '" + table->name + "'");
  row_counts_.erase(table->name);
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
