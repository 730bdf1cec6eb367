#include "connectors/postgres/postgres_connector.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <utility>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "connectors/postgres/connection_cache.h"
#include "connectors/postgres/postgres_client.h"
#include "connectors/postgres/postgres_scan.h"
#include "connectors/postgres/postgres_types.h"
#include "connectors/postgres/postgres_writer.h"

namespace aishell {

namespace {

std::string MetaKey(const std::string& schema, const std::string& name) {
  return schema + '\x1f' + name;
}

}  // namespace

PostgresConnector::PostgresConnector(const ConnectionConfig& config)
    : name_(config.name), url_(config.url) {
  if (url_.rfind("postgres://", 0) != 0 && url_.rfind("postgresql://", 0) != 0) {
    throw Error(ErrorKind::kConnector, Where() + ": not a postgres URL: " + RedactUrl(url_) +
                                           " (use postgres://user:password@host:5432/database)");
  }
  conn_ = PgConnect(url_, Where());
  cache_ = std::make_shared<PgConnectionCache>();
}

PostgresConnector::~PostgresConnector() {
  if (conn_) PQfinish(conn_);
}

std::string PostgresConnector::Where() const { return "postgres source '" + name_ + "'"; }

std::vector<std::string> PostgresConnector::ListSchemas() {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult r =
      PgCatalogQuery(conn_,
                     "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
                     "'information_schema', 'pg_toast') "
                     "AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE "
                     "'pg\\_toast\\_temp\\_%' ORDER BY nspname",
                     {}, url_, Where());
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.res); i++) out.emplace_back(PQgetvalue(r.res, i, 0));
  return out;
}

std::vector<std::string> PostgresConnector::ListTables(const std::string& schema) {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult ns = PgCatalogQuery(
      conn_,
      "SELECT nspname FROM pg_namespace WHERE nspname = $1 OR lower(nspname) = lower($1) "
      "ORDER BY nspname = $1 DESC LIMIT 1",
      {schema}, url_, Where());
  if (PQntuples(ns.res) == 0)
    throw Error(ErrorKind::kCatalog, Where() + ": no schema '" + schema + "'");
  PgResult r = PgCatalogQuery(
      conn_,
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY c.relname",
      {PQgetvalue(ns.res, 0, 0)}, url_, Where());
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.res); i++) out.emplace_back(PQgetvalue(r.res, i, 0));
  return out;
}

std::shared_ptr<const TableInfo> PostgresConnector::GetTable(const std::string& schema,
                                                             const std::string& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string s = schema.empty() ? "public" : schema;
  // An exact match first, then a case-insensitive one (unquoted names are folded differently).
  PgResult r = PgCatalogQuery(
      conn_,
      "SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples, c.relpages, "
      // Declared foreign keys, one per line: columns, referenced schema, table and columns.
      "(SELECT string_agg(array_to_string(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH "
      "ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n "
      "ORDER BY u.o), chr(31)) || chr(30) || rn.nspname || chr(30) || rc.relname || chr(30) || "
      "array_to_string(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o) "
      "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o), "
      "chr(31)), chr(29)) FROM pg_constraint k JOIN pg_class rc ON rc.oid = k.confrelid "
      "JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE k.conrelid = c.oid AND "
      "k.contype = 'f') FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE (n.nspname = $1 OR lower(n.nspname) = lower($1)) AND (c.relname = $2 OR "
      "lower(c.relname) = lower($2)) "
      "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
      "ORDER BY (n.nspname = $1 AND c.relname = $2) DESC, c.relname = $2 DESC, n.nspname = $1 DESC "
      "LIMIT 1",
      {s, table}, url_, Where());
  if (PQntuples(r.res) == 0) return nullptr;
  auto info = std::make_shared<TableInfo>();
  auto meta = std::make_shared<PgTableMeta>();
  std::string oid = PQgetvalue(r.res, 0, 0);
  meta->remote_schema = PQgetvalue(r.res, 0, 1);
  meta->remote_name = PQgetvalue(r.res, 0, 2);
  meta->relkind = PQgetvalue(r.res, 0, 3)[0];
  double reltuples = std::strtod(PQgetvalue(r.res, 0, 4), nullptr);
  meta->relpages = std::strtod(PQgetvalue(r.res, 0, 5), nullptr);
  info->schema = meta->remote_schema;
  info->name = meta->remote_name;
  info->location = "postgres " + meta->remote_schema + "." + meta->remote_name;
  if (!PQgetisnull(r.res, 0, 6)) {
    auto split = [](const std::string& text, char sep) {
      std::vector<std::string> parts;
      size_t start = 0;
      while (true) {
        size_t end = text.find(sep, start);
        parts.push_back(text.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
      }
    };
    for (const auto& fk : split(PQgetvalue(r.res, 0, 6), '\x1d')) {
      auto f = split(fk, '\x1e');
      if (f.size() != 4) continue;
      ForeignKey key;
      key.columns = split(f[0], '\x1f');
      key.referenced_schema = f[1];
      key.referenced_table = f[2];
      key.referenced_columns = split(f[3], '\x1f');
      if (key.columns.size() == key.referenced_columns.size())
        info->foreign_keys.push_back(std::move(key));
    }
  }
  PgResult cols = PgCatalogQuery(
      conn_,
      "SELECT a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod), "
      "a.attnotnull, "
      "s.null_frac, s.n_distinct FROM pg_attribute a "
      "LEFT JOIN pg_stats s ON s.schemaname = $2 AND s.tablename = $3 AND s.attname = a.attname "
      "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {oid, meta->remote_schema, meta->remote_name}, url_, Where());
  bool have_rows =
      reltuples >= 0 && !(reltuples == 0 && meta->relpages == 0 && meta->relkind != 'r');
  if (reltuples >= 0) info->stats.row_count = reltuples;
  for (int i = 0; i < PQntuples(cols.res); i++) {
    ColumnInfo col;
    col.name = PQgetvalue(cols.res, i, 0);
    uint32_t type_oid =
        static_cast<uint32_t>(std::strtoul(PQgetvalue(cols.res, i, 1), nullptr, 10));
    int32_t typmod = static_cast<int32_t>(std::strtol(PQgetvalue(cols.res, i, 2), nullptr, 10));
    PgTypeMapping m = MapPgType(type_oid, typmod, PQgetvalue(cols.res, i, 3));
    col.type = m.type;
    col.comment = m.comment;
    col.nullable = std::string(PQgetvalue(cols.res, i, 4)) != "t";
    ColumnStatistics cs;
    if (!PQgetisnull(cols.res, i, 5))
      cs.null_fraction = std::strtod(PQgetvalue(cols.res, i, 5), nullptr);
    if (!PQgetisnull(cols.res, i, 6)) {
      double nd = std::strtod(PQgetvalue(cols.res, i, 6), nullptr);
      if (nd < 0 && have_rows)
        cs.distinct_count = -nd * reltuples;
      else if (nd > 0)
        cs.distinct_count = nd;
    }
    info->stats.columns.push_back(cs);
    meta->casts.push_back(m.cast);
    info->columns.push_back(std::move(col));
  }
  metas_[MetaKey(info->schema, info->name)] = meta;
  return info;
}

std::shared_ptr<const PgTableMeta> PostgresConnector::Meta(const TableInfo& table) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = metas_.find(MetaKey(table.schema, table.name));
    if (it != metas_.end()) return it->second;
  }
  if (!GetTable(table.schema, table.name)) {
    throw Error(ErrorKind::kCatalog,
                Where() + ": table '" + table.schema + "." + table.name + "' does not exist");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return metas_.at(MetaKey(table.schema, table.name));
}

std::unique_ptr<TableScan> PostgresConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": CreateScan without a table");
  auto meta = Meta(*table);
  if (meta->casts.size() != table->columns.size()) {
    throw Error(ErrorKind::kCatalog, Where() + ": table '" + table->schema + "." + table->name +
                                         "' changed its columns; reconnect");
  }
  return CreatePgScan(this, Where(), url_, cache_, *table, *meta);
}

std::unique_ptr<TableWriter> PostgresConnector::CreateTable(
    const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns) {
  if (columns.empty())
    throw Error(ErrorKind::kCatalog, Where() + ": a table needs at least one column");
  if (GetTable(schema, table))
    throw Error(ErrorKind::kCatalog, Where() + ": table '" + table + "' already exists");
  std::string qualified =
      QuotePgIdentifier(schema.empty() ? "public" : schema) + "." + QuotePgIdentifier(table);
  std::string ddl = "CREATE TABLE " + qualified + " (";
  for (size_t i = 0; i < columns.size(); i++) {
    ddl += (i ? ", " : "") + QuotePgIdentifier(columns[i].name) + " " + PgTypeFor(columns[i].type);
  }
  ddl += ")";
  return CreatePgTableWriter(Where() + " table '" + table + "'", url_, qualified, columns, ddl);
}

std::unique_ptr<TableWriter> PostgresConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  std::string qualified = PgQualified(*Meta(*table));
  return CreatePgTableWriter(Where() + " table '" + table->name + "'", url_, qualified,
                             table->columns, "");
}

std::unique_ptr<TableWriter> PostgresConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                           const std::vector<int>& key_columns,
                                                           UpsertConflict conflict) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": UpsertInto without a table");
  if (key_columns.empty())
    throw Error(ErrorKind::kInternal, Where() + ": UpsertInto without key columns");
  std::string qualified = PgQualified(*Meta(*table));
  return CreatePgUpsertWriter(Where() + " table '" + table->name + "'", url_, qualified,
                              table->columns, key_columns, conflict);
}

void PostgresConnector::DropTable(std::shared_ptr<const TableInfo> table) {
  std::string qualified = PgQualified(*Meta(*table));
  std::lock_guard<std::mutex> lock(mutex_);
  PgCatalogQuery(conn_, "SELECT 1", {}, url_, Where());  // reconnects if the session dropped
  PgExecScript(conn_, "DROP TABLE " + qualified, url_, Where());
  metas_.erase(MetaKey(table->schema, table->name));
}

std::string PostgresConnector::Summary() {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult r = PgCatalogQuery(
      conn_,
      "SELECT current_setting('server_version'), current_database(), (SELECT count(*) FROM "
      "pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','p','f') "
      "AND n.nspname NOT IN ('pg_catalog','information_schema','pg_toast'))",
      {}, url_, Where());
  return std::string("PostgreSQL ") + PQgetvalue(r.res, 0, 0) + ", database " +
         PQgetvalue(r.res, 0, 1) + ", " + PQgetvalue(r.res, 0, 2) + " table(s)";
}

SourceOverview PostgresConnector::Overview(size_t max_objects) {
  SourceOverview o;
  o.engine = "PostgreSQL";
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult v = PgCatalogQuery(conn_, "SELECT current_setting('server_version')", {}, url_, Where());
  o.version = PQgetvalue(v.res, 0, 0);
  if (auto sp = o.version.find(' '); sp != std::string::npos) o.version.resize(sp);
  // reltuples is the planner's estimate (-1 before the first ANALYZE); a table that small by its
  // pages is counted instead.
  PgResult r = PgCatalogQuery(
      conn_,
      "SELECT n.nspname, c.relname, c.reltuples::bigint, c.relpages, c.relkind FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','p','f') "
      "AND n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND NOT "
      "c.relispartition ORDER BY n.nspname <> 'public', n.nspname, c.relname LIMIT " +
          std::to_string(max_objects),
      {}, url_, Where());
  for (int i = 0; i < PQntuples(r.res); i++) {
    SourceObject obj;
    obj.schema = PQgetvalue(r.res, i, 0);
    obj.name = PQgetvalue(r.res, i, 1);
    int64_t tuples = std::atoll(PQgetvalue(r.res, i, 2));
    int64_t pages = std::atoll(PQgetvalue(r.res, i, 3));
    char kind = PQgetvalue(r.res, i, 4)[0];
    if (kind == 'r' && (tuples < 0 || pages <= 1000)) {
      try {
        PgResult c = PgCatalogQuery(conn_,
                                    "SELECT count(*) FROM " + QuotePgIdentifier(obj.schema) + "." +
                                        QuotePgIdentifier(obj.name),
                                    {}, url_, Where());
        obj.rows = std::atoll(PQgetvalue(c.res, 0, 0));
      } catch (const Error&) {
      }
    } else if (tuples >= 0 && kind != 'v') {
      obj.rows = tuples;
      obj.rows_estimated = true;
    }
    o.objects.push_back(std::move(obj));
  }
  return o;
}

void RegisterPostgresConnector() {
  ConnectorFactory::Register("postgres", {"postgres", "postgresql"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<PostgresConnector>(config);
                             });
  RegisterPostgresFullText();
}

std::optional<bool> PostgresConnector::HasIndex(const TableInfo& table,
                                                const std::vector<std::string>& columns) {
  if (columns.empty()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  // The index's leading columns, by name, in key order (pg_index.indkey).
  PgResult r = PgCatalogQuery(
      conn_,
      "SELECT array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY "
      "u(n, o) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n ORDER BY u.o), "
      "chr(31)) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND i.indisvalid",
      {table.schema.empty() ? std::string("public") : table.schema, table.name}, url_, Where());
  for (int i = 0; i < PQntuples(r.res); i++) {
    std::string keys = PQgetvalue(r.res, i, 0);
    std::vector<std::string> names;
    size_t pos = 0;
    while (pos <= keys.size()) {
      size_t sep = keys.find('\x1f', pos);
      if (sep == std::string::npos) sep = keys.size();
      names.push_back(keys.substr(pos, sep - pos));
      pos = sep + 1;
    }
    if (names.size() < columns.size()) continue;
    bool leading = true;
    for (size_t k = 0; k < columns.size() && leading; k++) leading = names[k] == columns[k];
    if (leading) return true;
  }
  // No such relation (a pushed-down join's combined table): nothing to say.
  PgResult exists = PgCatalogQuery(
      conn_,
      "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm')",
      {table.schema.empty() ? std::string("public") : table.schema, table.name}, url_, Where());
  if (PQntuples(exists.res) == 0) return std::nullopt;
  return false;
}

std::string PostgresConnector::CreateIndexStatement(const TableInfo& table,
                                                    const std::vector<std::string>& columns) const {
  auto quote = [](const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string index = "idx_" + table.name;
  std::string list;
  for (const auto& c : columns) {
    index += "_" + c;
    list += (list.empty() ? "" : ", ") + quote(c);
  }
  std::string target =
      (table.schema.empty() ? std::string() : quote(table.schema) + ".") + quote(table.name);
  return "CREATE INDEX " + quote(index) + " ON " + target + " (" + list + ");";
}

}  // namespace aishell
