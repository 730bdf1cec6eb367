// CreateIcebergCatalog dispatch, the filesystem (Hadoop-style) catalog and the SQL (JDBC layout)
// catalog on SQLite and PostgreSQL. The REST catalog lives in rest_catalog.cpp.
#include "connectors/iceberg/iceberg_catalog.h"

#ifdef AISHELL_WITH_POSTGRES
#include <libpq-fe.h>
#endif
#include <sqlite3.h>

#include <algorithm>
#include <mutex>

#include "common/exception.h"
#include "common/secrets.h"
#include "common/url.h"
#include "connectors/iceberg/iceberg_connector.h"

namespace aishell::iceberg {

std::string JoinNamespace(const Namespace& ns, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < ns.size(); i++) {
    if (i > 0) out += separator;
    out += ns[i];
  }
  return out;
}

Namespace SplitNamespace(std::string_view dotted) {
  Namespace ns;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    if (dot > start) ns.emplace_back(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  return ns;
}

std::string TableIdentifier::ToString() const {
  std::string s;
  for (const auto& n : ns) s += n + ".";
  return s + name;
}

void CheckWritableLocation(const std::string& location, const std::string& table,
                           const std::string& catalog) {
  std::string why;
  if (location.empty()) {
    why = "the catalog gave no table location";
  } else {
    auto scheme = location.find("://");
    std::string path = location;
    if (scheme != std::string::npos) {
      path = location.substr(scheme + 3);
      // file:///x -> /x; s3://bucket/x -> bucket/x (a bucket alone is no table location)
      if (location.rfind("file://", 0) != 0) {
        auto slash = path.find('/');
        path = slash == std::string::npos ? "" : path.substr(slash);
      }
    } else if (location[0] != '/') {
      why = "the table location '" + location + "' is relative";
    }
    if (why.empty()) {
      size_t i = 0;
      while (i < path.size() && path[i] == '/') i++;
      if (i == path.size()) why = "the table location '" + location + "' is a root";
    }
  }
  if (why.empty()) return;
  throw Error(ErrorKind::kConnector,
              "iceberg: cannot write table " + table + " (" + catalog + "): " + why +
                  "; nothing was written (set the catalog's `warehouse` to an absolute URI such as "
                  "s3://bucket/warehouse, or create the table with a location)");
}

namespace {

std::string StripSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

StorageOptions StorageFrom(const ConnectionConfig& config) {
  StorageOptions options;
  for (const auto& [k, v] : config.properties) {
    if (k.rfind("s3.", 0) == 0 || k.rfind("client.", 0) == 0) options[k] = v;
  }
  return options;
}

// "00012-<uuid>.metadata.json" or "v12.metadata.json" -> 12; -1 otherwise.
int64_t MetadataVersion(const std::string& name) {
  if (name.size() < 15 || name.substr(name.size() - 14) != ".metadata.json") return -1;
  size_t i = name[0] == 'v' ? 1 : 0;
  size_t start = i;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) i++;
  if (i == start || i - start > 15) return -1;
  return std::stoll(name.substr(start, i - start));
}

std::string BaseName(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---------------------------------------------------------------------------------------------

class FileSystemCatalog : public IcebergCatalog {
 public:
  explicit FileSystemCatalog(const ConnectionConfig& config)
      : warehouse_(StripSlash(config.url)), storage_(StorageFrom(config)) {
    fs_ = FileSystemForPath(warehouse_, storage_);
    auto info = fs_->Stat(warehouse_);
    if (info.size < 0 && !IsObjectStorePath(warehouse_)) {
      throw Error(ErrorKind::kConnector, "iceberg catalog '" + config.name + "': warehouse " +
                                             warehouse_ + " does not exist");
    }
  }

  std::string Describe() const override { return "filesystem catalog " + RedactUrl(warehouse_); }

  std::vector<Namespace> ListNamespaces() override {
    std::vector<Namespace> out;
    Walk(warehouse_, {}, 0, &out, nullptr);
    return out;
  }

  std::vector<TableIdentifier> ListTables(const Namespace& ns) override {
    std::vector<TableIdentifier> out;
    for (const auto& entry : fs_->List(Dir(ns), false)) {
      if (!entry.is_directory) continue;
      std::string name = BaseName(StripSlash(entry.path));
      if (IsTable(JoinPath(Dir(ns), name))) out.push_back({ns, name});
    }
    return out;
  }

  std::optional<LoadedTable> LoadTable(const TableIdentifier& id) override {
    std::string dir = TableDir(id);
    std::string meta_dir = JoinPath(dir, "metadata");
    std::string location = CurrentMetadata(meta_dir);
    if (location.empty()) return std::nullopt;
    LoadedTable t;
    t.metadata_location = location;
    try {
      t.metadata_json = fs_->OpenForRead(location)->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo, "iceberg table " + id.ToString() + ": cannot read metadata " +
                                      location + ": " + e.what());
    }
    t.storage = storage_;
    return t;
  }

  void CreateNamespace(const Namespace& ns) override {
    // Directories appear with their files; an empty marker keeps an empty namespace visible.
    fs_->OpenForWrite(JoinPath(Dir(ns), ".namespace"))->Close();
  }

  std::string DefaultTableLocation(const TableIdentifier& id) override { return TableDir(id); }

  CommitResult CommitTable(const TableCommit& commit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string meta_dir = JoinPath(TableDir(commit.id), "metadata");
    std::string current = CurrentMetadata(meta_dir);
    if (current != commit.base_metadata_location) return CommitResult::kConflict;
    if (!fs_->WriteIfAbsent(commit.new_metadata_location, commit.new_metadata_json)) {
      return CommitResult::kConflict;
    }
    int64_t version = MetadataVersion(BaseName(commit.new_metadata_location));
    if (version >= 0) {
      auto hint = fs_->OpenForWrite(JoinPath(meta_dir, "version-hint.text"));
      hint->Append(std::to_string(version));
      hint->Close();
    }
    return CommitResult::kCommitted;
  }

  const StorageOptions& storage() const override { return storage_; }

 private:
  std::string Dir(const Namespace& ns) const {
    std::string d = warehouse_;
    for (const auto& n : ns) d = JoinPath(d, n);
    return d;
  }
  std::string TableDir(const TableIdentifier& id) const { return JoinPath(Dir(id.ns), id.name); }

  bool IsTable(const std::string& dir) {
    std::string meta = JoinPath(dir, "metadata");
    for (const auto& f : fs_->List(meta, false)) {
      if (MetadataVersion(BaseName(f.path)) >= 0) return true;
    }
    return false;
  }

  void Walk(const std::string& dir, const Namespace& ns, int depth, std::vector<Namespace>* out,
            std::vector<TableIdentifier>* tables) {
    if (depth > 4) return;
    for (const auto& entry : fs_->List(dir, false)) {
      if (!entry.is_directory) continue;
      std::string name = BaseName(StripSlash(entry.path));
      if (name.empty() || name[0] == '.' || name == "metadata" || name == "data") continue;
      std::string child = JoinPath(dir, name);
      if (IsTable(child)) continue;
      Namespace sub = ns;
      sub.push_back(name);
      out->push_back(sub);
      Walk(child, sub, depth + 1, out, tables);
    }
  }

  // The current metadata file of a table directory's metadata/ folder, or "" if none.
  std::string CurrentMetadata(const std::string& meta_dir) {
    return FindCurrentMetadataFile(*fs_, meta_dir);
  }

  std::string warehouse_;
  StorageOptions storage_;
  std::shared_ptr<FileSystem> fs_;
  std::mutex mutex_;
};

// ---------------------------------------------------------------------------------------------
// SQL catalog: a tiny driver interface over SQLite and libpq.

class SqlDriver {
 public:
  virtual ~SqlDriver() = default;
  // Rows of text (NULL as nullopt). Parameters bind as text.
  virtual std::vector<std::vector<std::optional<std::string>>> Query(
      const std::string& sql, const std::vector<std::string>& params) = 0;
  // Returns the number of affected rows; -1 on a unique-constraint violation.
  virtual int64_t Exec(const std::string& sql, const std::vector<std::string>& params) = 0;
  // "?" placeholders -> the driver's.
  virtual std::string Placeholders(const std::string& sql) const { return sql; }
};

class SqliteDriver : public SqlDriver {
 public:
  SqliteDriver(const std::string& path, std::string endpoint) : endpoint_(std::move(endpoint)) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      if (db_) sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ErrorKind::kConnector, "iceberg SQL catalog " + endpoint_ + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~SqliteDriver() override {
    if (db_) sqlite3_close(db_);
  }

  std::vector<std::vector<std::optional<std::string>>> Query(
      const std::string& sql, const std::vector<std::string>& params) override {
    std::vector<std::vector<std::optional<std::string>>> rows;
    sqlite3_stmt* stmt = Prepare(sql, params);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int i = 0; i < sqlite3_column_count(stmt); i++) {
        if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* t = sqlite3_column_text(stmt, i);
          row.emplace_back(std::string(reinterpret_cast<const char*>(t),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
        }
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) Fail(stmt);
    sqlite3_finalize(stmt);
    return rows;
  }

  int64_t Exec(const std::string& sql, const std::vector<std::string>& params) override {
    sqlite3_stmt* stmt = Prepare(sql, params);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_CONSTRAINT) {
      sqlite3_finalize(stmt);
      return -1;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) Fail(stmt);
    sqlite3_finalize(stmt);
    return sqlite3_changes(db_);
  }

 private:
  sqlite3_stmt* Prepare(const std::string& sql, const std::vector<std::string>& params) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw Error(ErrorKind::kConnector,
                  "iceberg SQL catalog " + endpoint_ + ": " + sqlite3_errmsg(db_));
    }
    for (size_t i = 0; i < params.size(); i++) {
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(),
                        static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
    }
    return stmt;
  }
  [[noreturn]] void Fail(sqlite3_stmt* stmt) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    throw Error(ErrorKind::kConnector, "iceberg SQL catalog " + endpoint_ + ": " + msg);
  }

  sqlite3* db_ = nullptr;
  std::string endpoint_;
};

#ifdef AISHELL_WITH_POSTGRES
// postgres:// catalogs need libpq: built only with the PostgreSQL connector
// (AISHELL_WITH_POSTGRES).
class PostgresDriver : public SqlDriver {
 public:
  PostgresDriver(const std::string& url, std::string endpoint)
      : url_(url), endpoint_(std::move(endpoint)) {
    std::string conninfo = url;
    if (conninfo.rfind("postgresql+psycopg2://", 0) == 0) {
      conninfo = "postgresql://" + conninfo.substr(22);
    }
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn_);
      PQfinish(conn_);
      conn_ = nullptr;
      while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
      throw Error(ErrorKind::kConnector,
                  "iceberg SQL catalog " + endpoint_ + ": " + ScrubPassword(msg, url_));
    }
  }
  ~PostgresDriver() override {
    if (conn_) PQfinish(conn_);
  }

  std::string Placeholders(const std::string& sql) const override {
    std::string out;
    int n = 0;
    for (char c : sql) {
      if (c == '?')
        out += "$" + std::to_string(++n);
      else
        out += c;
    }
    return out;
  }

  std::vector<std::vector<std::optional<std::string>>> Query(
      const std::string& sql, const std::vector<std::string>& params) override {
    std::lock_guard<std::mutex> lock(mutex_);
    PGresult* res = Run(sql, params);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) Fail(res);
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (int r = 0; r < PQntuples(res); r++) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < PQnfields(res); c++) {
        if (PQgetisnull(res, r, c))
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  int64_t Exec(const std::string& sql, const std::vector<std::string>& params) override {
    std::lock_guard<std::mutex> lock(mutex_);
    PGresult* res = Run(sql, params);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      if (state && std::string(state) == "23505") {
        PQclear(res);
        return -1;
      }
      Fail(res);
    }
    std::string n = PQcmdTuples(res);
    PQclear(res);
    return n.empty() ? 0 : std::stoll(n);
  }

 private:
  PGresult* Run(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    return PQexecParams(conn_, Placeholders(sql).c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), nullptr, nullptr, 0);
  }
  [[noreturn]] void Fail(PGresult* res) {
    std::string msg = PQresultErrorMessage(res);
    PQclear(res);
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
    throw Error(ErrorKind::kConnector,
                "iceberg SQL catalog " + endpoint_ + ": " + ScrubPassword(msg, url_));
  }

  PGconn* conn_ = nullptr;
  std::string url_;  // holds the password: only for ScrubPassword
  std::string endpoint_;
  std::mutex mutex_;
};
#endif

class SqlCatalog : public IcebergCatalog {
 public:
  explicit SqlCatalog(const ConnectionConfig& config) : storage_(StorageFrom(config)) {
    endpoint_ = RedactUrl(config.url);
    const std::string& url = config.url;
    if (url.rfind("sqlite:///", 0) == 0 || url.rfind("sqlite://", 0) == 0) {
      std::string path = url.substr(url.rfind("sqlite:///", 0) == 0 ? 9 : 9);
      if (path.rfind("//", 0) == 0) path = path.substr(1);
      auto q = path.find('?');
      if (q != std::string::npos) path = path.substr(0, q);
      driver_ = std::make_unique<SqliteDriver>(path, endpoint_);
    } else {
#ifdef AISHELL_WITH_POSTGRES
      driver_ = std::make_unique<PostgresDriver>(url, endpoint_);
#else
      throw Error(ErrorKind::kUnsupported,
                  "iceberg SQL catalog " + endpoint_ +
                      ": this aishell was built without PostgreSQL support "
                      "(cmake -DAISHELL_WITH_POSTGRES=ON); use a sqlite:// catalog");
#endif
    }
    auto wh = config.properties.find("warehouse");
    if (wh != config.properties.end()) warehouse_ = StripSlash(wh->second);
    driver_->Exec(
        "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
        "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
        "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
        "PRIMARY KEY (catalog_name, table_namespace, table_name))",
        {});
    driver_->Exec(
        "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT "
        "NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL, "
        "property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))",
        {});
    // The catalog name inside the tables: a property, else the only one present, else ours.
    auto cn = config.properties.find("catalog-name");
    if (cn != config.properties.end()) {
      catalog_name_ = cn->second;
    } else {
      auto rows = driver_->Query(
          "SELECT DISTINCT catalog_name FROM iceberg_tables UNION SELECT DISTINCT catalog_name "
          "FROM iceberg_namespace_properties",
          {});
      if (rows.size() == 1 && rows[0][0])
        catalog_name_ = *rows[0][0];
      else
        catalog_name_ = config.name;
      for (const auto& r : rows) {
        if (r[0] && *r[0] == config.name) catalog_name_ = config.name;
      }
    }
  }

  std::string Describe() const override { return "SQL catalog " + endpoint_; }

  std::vector<Namespace> ListNamespaces() override {
    auto rows = driver_->Query(
        "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ? UNION SELECT namespace "
        "FROM iceberg_namespace_properties WHERE catalog_name = ?",
        {catalog_name_, catalog_name_});
    std::vector<Namespace> out;
    for (const auto& r : rows) {
      if (r[0]) out.push_back(SplitNamespace(*r[0]));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  std::vector<TableIdentifier> ListTables(const Namespace& ns) override {
    auto rows = driver_->Query(
        "SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? "
        "ORDER BY table_name",
        {catalog_name_, JoinNamespace(ns)});
    std::vector<TableIdentifier> out;
    for (const auto& r : rows) {
      if (r[0]) out.push_back({ns, *r[0]});
    }
    return out;
  }

  std::optional<LoadedTable> LoadTable(const TableIdentifier& id) override {
    auto rows = driver_->Query(
        "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND "
        "table_namespace = ? AND table_name = ?",
        {catalog_name_, JoinNamespace(id.ns), id.name});
    if (rows.empty() || !rows[0][0]) return std::nullopt;
    LoadedTable t;
    t.metadata_location = *rows[0][0];
    try {
      t.metadata_json = FileSystemForPath(t.metadata_location, storage_)
                            ->OpenForRead(t.metadata_location)
                            ->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo, "iceberg table " + id.ToString() + ": cannot read metadata " +
                                      t.metadata_location + ": " + e.what());
    }
    t.storage = storage_;
    return t;
  }

  void CreateNamespace(const Namespace& ns) override {
    driver_->Exec(
        "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
        "property_value) VALUES (?, ?, 'exists', 'true')",
        {catalog_name_, JoinNamespace(ns)});
  }

  std::string DefaultTableLocation(const TableIdentifier& id) override {
    if (warehouse_.empty()) {
      throw Error(ErrorKind::kConnector, "iceberg SQL catalog " + endpoint_ +
                                             ": set --property warehouse=<uri> to create tables");
    }
    std::string d = warehouse_;
    for (const auto& n : id.ns) d = JoinPath(d, n + ".db");
    return JoinPath(d, id.name);
  }

  CommitResult CommitTable(const TableCommit& commit) override {
    auto fs = FileSystemForPath(commit.new_metadata_location, storage_);
    if (!fs->WriteIfAbsent(commit.new_metadata_location, commit.new_metadata_json)) {
      return CommitResult::kConflict;
    }
    int64_t n;
    if (commit.base_metadata_location.empty()) {
      n = driver_->Exec(
          "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
          "metadata_location, previous_metadata_location) VALUES (?, ?, ?, ?, NULL)",
          {catalog_name_, JoinNamespace(commit.id.ns), commit.id.name,
           commit.new_metadata_location});
    } else {
      n = driver_->Exec(
          "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
          "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND "
          "metadata_location = ?",
          {commit.new_metadata_location, commit.base_metadata_location, catalog_name_,
           JoinNamespace(commit.id.ns), commit.id.name, commit.base_metadata_location});
    }
    if (n != 1) {
      fs->Delete(commit.new_metadata_location);
      return CommitResult::kConflict;
    }
    return CommitResult::kCommitted;
  }

  const StorageOptions& storage() const override { return storage_; }

 private:
  StorageOptions storage_;
  std::string endpoint_;
  std::string warehouse_;
  std::string catalog_name_;
  std::unique_ptr<SqlDriver> driver_;
};

}  // namespace

std::unique_ptr<IcebergCatalog> CreateIcebergCatalog(const ConnectionConfig& config) {
  const std::string& url = config.url;
  auto starts = [&](const char* p) { return url.rfind(p, 0) == 0; };
  if (config.type == "nessie") return CreateNessieCatalog(config);
  if (starts("http://") || starts("https://") || starts("iceberg+http://") ||
      starts("iceberg+https://") || starts("rest+http://") || starts("rest+https://")) {
    return CreateRestCatalog(config);
  }
  if (starts("sqlite:") || starts("postgres://") || starts("postgresql://") ||
      starts("postgresql+psycopg2://")) {
    return std::make_unique<SqlCatalog>(config);
  }
  if (starts("file://") || starts("/") || IsObjectStorePath(url) ||
      url.find("://") == std::string::npos) {
    return std::make_unique<FileSystemCatalog>(config);
  }
  throw Error(ErrorKind::kConnector,
              "iceberg catalog '" + config.name + "': unsupported URL " + RedactUrl(url) +
                  " (use file://, s3://, sqlite://, postgres://, http:// or iceberg+http://)");
}

}  // namespace aishell::iceberg
