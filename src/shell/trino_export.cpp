// Scale-out to Trino: each saved source becomes an etc/catalog/<name>.properties file for the
// Trino connector that reads the same server —
//   postgres      -> postgresql (JDBC URL, user, password)
//   mongodb       -> mongodb (the connection URL; Trino keeps its schemas in a _schema collection)
//   elasticsearch -> elasticsearch, or opensearch for opensearch:// (host, port, TLS with the CA
//                    file, PASSWORD auth)
//   redis         -> redis, with a table-description file per hash table (etc/redis/<name>/)
//   iceberg       -> iceberg with its catalog type: rest, or jdbc for a SQL catalog on PostgreSQL
//   file          -> hive on the local file system, a table per folder that holds one data file
//                    (tables.sql registers them)
// and the views become CREATE VIEW statements (views.sql) in a memory catalog. Passwords and keys
// are ${ENV:VAR} references unless include_secrets; NOTES.md says what did not carry over.
#include "shell/trino_export.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "common/type_names.h"
#include "common/url.h"
#include "sql/lexer.h"

namespace aishell {

namespace {

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string EnvName(const std::string& catalog, const std::string& what) {
  std::string name = "AISHELL_" + Upper(catalog) + "_" + what;
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// A properties-file value: backslashes, and leading spaces, escaped.
std::string PropertyValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Property(const std::string& key, const std::string& value) {
  return key + "=" + PropertyValue(value) + "\n";
}

std::string Prop(const ConnectionConfig& c, const std::string& key,
                 const std::string& fallback = "") {
  auto it = c.properties.find(key);
  return it == c.properties.end() ? fallback : it->second;
}

std::string QueryParam(const UrlParts& url, const std::string& key) {
  for (const auto& [k, v] : url.query) {
    if (Lower(k) == key) return v;
  }
  return "";
}

// Builds one catalog file, and collects the secrets it references.
class CatalogWriter {
 public:
  CatalogWriter(TrinoExport* out, const TrinoExportOptions& options, std::string catalog)
      : out_(out), options_(options), catalog_(std::move(catalog)) {}

  void Add(const std::string& key, const std::string& value) { text_ += Property(key, value); }

  // A secret: its value with include_secrets, else ${ENV:AISHELL_<CATALOG>_<WHAT>}.
  std::string Secret(const std::string& value, const std::string& what,
                     const std::string& description) {
    if (options_.include_secrets) return value;
    std::string env = EnvName(catalog_, what);
    out_->env_vars.emplace_back(env, description);
    return "${ENV:" + env + "}";
  }

  void AddSecret(const std::string& key, const std::string& value, const std::string& what,
                 const std::string& description) {
    Add(key, Secret(value, what, description));
  }

  void Note(const std::string& text) { out_->notes.push_back(catalog_ + ": " + text); }

  void Write() { out_->files["etc/catalog/" + catalog_ + ".properties"] = text_; }

  const std::string& catalog() const { return catalog_; }

 private:
  TrinoExport* out_;
  const TrinoExportOptions& options_;
  std::string catalog_;
  std::string text_;
};

// host:port/db?params -> jdbc:postgresql://host:port/db?sslmode=...
std::string JdbcPostgresUrl(const UrlParts& url) {
  std::string jdbc = "jdbc:postgresql://" + (url.host.empty() ? "localhost" : url.host);
  if (url.port) jdbc += ":" + std::to_string(*url.port);
  jdbc += "/" + url.path;
  std::string params;
  for (const auto& key : {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}) {
    std::string value = QueryParam(url, key);
    if (value.empty()) continue;
    std::string name = std::string(key) == "connect_timeout" ? "connectTimeout" : key;
    params += (params.empty() ? "?" : "&") + name + "=" + value;
  }
  return jdbc + params;
}

void ExportPostgres(const ConnectionConfig& c, CatalogWriter& w) {
  UrlParts url = ParseUrl(c.url, "postgres source '" + c.name + "'");
  w.Add("connector.name", "postgresql");
  w.Add("connection-url", JdbcPostgresUrl(url));
  if (!url.user.empty()) w.Add("connection-user", url.user);
  if (url.has_password) {
    w.AddSecret("connection-password", url.password, "PASSWORD",
                "the password of PostgreSQL user '" + url.user + "'");
  }
  for (const auto& [k, v] : url.query) {
    std::string key = Lower(k);
    if (key != "sslmode" && key != "sslrootcert" && key != "sslcert" && key != "sslkey" &&
        key != "connect_timeout") {
      w.Note("the libpq parameter '" + k + "' has no JDBC counterpart here and was left out");
    }
  }
  w.Write();
}

void ExportMongo(const ConnectionConfig& c, CatalogWriter& w) {
  UrlParts url = ParseUrl(c.url, "mongodb source '" + c.name + "'");
  std::string text = c.url;
  if (url.has_password) {
    // The URL with its password as a reference (or as is): Trino substitutes ${ENV:...} anywhere
    // in a value.
    std::string secret = w.Secret(PercentEncode(url.password), "PASSWORD",
                                  "the password of MongoDB user '" + url.user + "' (URL-encoded)");
    std::string redacted = RedactUrl(c.url);
    auto star = redacted.find(":***@");
    text = star == std::string::npos
               ? redacted
               : redacted.substr(0, star + 1) + secret + redacted.substr(star + 4);
  }
  w.Add("connector.name", "mongodb");
  w.Add("mongodb.connection-url", text);
  w.Note(
      "Trino's mongodb connector infers each collection's columns itself and keeps them in a "
      "_schema collection of each database (it needs write access there); aishell's schema.* "
      "properties and its ROW/JSON unification do not carry over");
  w.Write();
}

void ExportElasticsearch(const ConnectionConfig& c, CatalogWriter& w) {
  UrlParts url = ParseUrl(c.url, "elasticsearch source '" + c.name + "'");
  bool tls = url.scheme == "elasticsearchs" || url.scheme == "opensearchs" ||
             url.scheme == "https" || Lower(QueryParam(url, "tls")) == "true";
  // OpenSearch has a Trino connector of its own, with the same properties under opensearch.*.
  std::string p = url.scheme.rfind("opensearch", 0) == 0 ? "opensearch" : "elasticsearch";
  w.Add("connector.name", p);
  w.Add(p + ".host", url.host.empty() ? "localhost" : url.host);
  w.Add(p + ".port", std::to_string(url.port.value_or(9200)));
  w.Add(p + ".default-schema-name", "default");
  std::string ca = Prop(c, "tls.ca-file", QueryParam(url, "tls.ca-file"));
  if (tls) {
    w.Add(p + ".tls.enabled", "true");
    if (!ca.empty()) w.Add(p + ".tls.truststore-path", ca);
    if (Prop(c, "tls.verify", QueryParam(url, "tls.verify")) == "false")
      w.Add(p + ".tls.verify-hostnames", "false");
  }
  if (url.has_password || !url.user.empty()) {
    w.Add(p + ".security", "PASSWORD");
    w.Add(p + ".auth.user", url.user);
    w.AddSecret(p + ".auth.password", url.password, "PASSWORD",
                "the password of " + p + " user '" + url.user + "'");
  }
  if (!Prop(c, "api_key").empty()) {
    w.Note("API key authentication does not carry over (Trino's " + p +
           " connector has PASSWORD and AWS security only)");
  }
  if (!url.path.empty() && url.path != "*")
    w.Note("the index pattern '" + url.path + "' does not carry over: Trino lists every index");
  w.Note(
      "fields that hold arrays must be declared in the index mapping's _meta.trino for Trino "
      "(aishell's array.* properties and sampled arrays do not carry over)");
  w.Write();
}

// A Redis hash table as a Trino table-description file: the hash fields as columns (the key is
// Trino's internal _key column).
std::string RedisTableDescription(const TableInfo& table, std::vector<std::string>* placeholders) {
  std::string fields;
  for (const auto& col : table.columns) {
    if (col.name == "_key" || col.name == "_ttl") continue;
    if (col.comment.rfind("from the key pattern", 0) == 0) {
      placeholders->push_back(col.name);
      continue;
    }
    std::string type = Upper(TrinoTypeName(col.type));
    if (type != "BIGINT" && type != "INTEGER" && type != "SMALLINT" && type != "TINYINT" &&
        type != "DOUBLE" && type != "BOOLEAN" && type != "VARCHAR") {
      type = "VARCHAR";
    }
    fields += fields.empty() ? "\n" : ",\n";
    fields += "      {\"name\": " + JsonString(Lower(col.name)) +
              ", \"mapping\": " + JsonString(col.name) + ", \"type\": " + JsonString(type) + "}";
  }
  return "{\n  \"tableName\": " + JsonString(Lower(table.name)) +
         ",\n  \"schemaName\": \"default\",\n  \"value\": {\n    \"dataFormat\": \"hash\",\n"
         "    \"fields\": [" +
         fields + "\n    ]\n  }\n}\n";
}

void ExportRedis(const ConnectionConfig& c, CatalogWriter& w, CatalogRegistry& catalogs,
                 TrinoExport* out, const TrinoExportOptions& options) {
  UrlParts url = ParseUrl(c.url, "redis source '" + c.name + "'");
  w.Add("connector.name", "redis");
  w.Add("redis.nodes", (url.host.empty() ? "localhost" : url.host) + ":" +
                           std::to_string(url.port.value_or(6379)));
  int db = url.path.empty() ? 0 : std::atoi(url.path.c_str());
  w.Add("redis.database-index", std::to_string(db));
  if (!url.user.empty() && url.user != "default") w.Add("redis.user", url.user);
  if (url.has_password) {
    w.AddSecret("redis.password", url.password, "PASSWORD", "the Redis password");
  }
  if (url.scheme == "rediss")
    w.Note("TLS (rediss://) does not carry over: Trino's redis connector connects without TLS");
  w.Add("redis.default-schema", "default");
  w.Add("redis.key-prefix-schema-table", "false");
  w.Add("redis.hide-internal-columns", "true");
  std::string dir = "etc/redis/" + w.catalog();
  w.Add("redis.table-description-dir", options.out_dir + "/" + dir);
  std::vector<std::string> names;
  try {
    auto connector = catalogs.GetCatalog(c.name);
    for (const auto& table : connector->ListTables(connector->DefaultSchema())) {
      std::string format = Lower(Prop(c, "format." + table, "hash"));
      if (format != "hash") {
        w.Note("table " + table + " (" + format +
               " values) does not carry over: Trino reads Redis hashes and strings per key only");
        continue;
      }
      auto info = connector->GetTable(connector->DefaultSchema(), table);
      if (!info) continue;
      std::vector<std::string> placeholders;
      out->files[dir + "/" + Lower(table) + ".json"] = RedisTableDescription(*info, &placeholders);
      names.push_back("default." + Lower(table));
      std::string pattern = Prop(c, "table." + table);
      if (!placeholders.empty()) {
        std::string list;
        for (const auto& p : placeholders) list += (list.empty() ? "" : ", ") + p;
        w.Note("table " + table + ": the key-pattern columns (" + list +
               ") are not columns in Trino; read them from _key (split_part(_key, ':', n))");
      }
      w.Note("table " + table + (pattern.empty() ? "" : " (keys " + pattern + ")") +
             ": Trino reads every key of database " + std::to_string(db) +
             " as this table (it has no key patterns): give each table a database of its own");
    }
  } catch (const Error& e) {
    w.Note("its tables could not be listed (" + RedactText(e.what()) +
           "): write the table-description files by hand");
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
  if (!list.empty()) w.Add("redis.table-names", list);
  w.Write();
}

void AddS3(const ConnectionConfig& c, CatalogWriter& w) {
  std::string endpoint = Prop(c, "s3.endpoint");
  std::string key = Prop(c, "s3.access-key-id");
  std::string secret = Prop(c, "s3.secret-access-key");
  w.Add("fs.native-s3.enabled", "true");
  if (!endpoint.empty()) w.Add("s3.endpoint", endpoint);
  w.Add("s3.region", Prop(c, "s3.region", "us-east-1"));
  if (Prop(c, "s3.path-style-access") == "true" || !endpoint.empty())
    w.Add("s3.path-style-access", "true");
  if (!key.empty()) w.Add("s3.aws-access-key", key);
  if (!secret.empty())
    w.AddSecret("s3.aws-secret-key", secret, "S3_SECRET_KEY", "the S3 secret access key");
}

void ExportIceberg(const ConnectionConfig& c, CatalogWriter& w) {
  std::string scheme = Lower(c.url.substr(0, c.url.find("://")));
  std::string warehouse = Prop(c, "warehouse");
  w.Add("connector.name", "iceberg");
  if (scheme == "http" || scheme == "https") {
    w.Add("iceberg.catalog.type", "rest");
    w.Add("iceberg.rest-catalog.uri", c.url);
    if (!warehouse.empty()) w.Add("iceberg.rest-catalog.warehouse", warehouse);
    if (!Prop(c, "token").empty()) {
      w.Add("iceberg.rest-catalog.security", "OAUTH2");
      w.AddSecret("iceberg.rest-catalog.oauth2.token", Prop(c, "token"), "TOKEN",
                  "the REST catalog's bearer token");
    }
    if (Prop(c, "s3.access-key-id").empty())
      w.Add("iceberg.rest-catalog.vended-credentials-enabled", "true");
  } else if (scheme == "postgres" || scheme == "postgresql") {
    UrlParts url = ParseUrl(c.url, "iceberg source '" + c.name + "'");
    w.Add("iceberg.catalog.type", "jdbc");
    w.Add("iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver");
    w.Add("iceberg.jdbc-catalog.connection-url", JdbcPostgresUrl(url));
    if (!url.user.empty()) w.Add("iceberg.jdbc-catalog.connection-user", url.user);
    if (url.has_password) {
      w.AddSecret("iceberg.jdbc-catalog.connection-password", url.password, "PASSWORD",
                  "the password of the catalog database's user '" + url.user + "'");
    }
    w.Add("iceberg.jdbc-catalog.catalog-name", Prop(c, "catalog-name", c.name));
    w.Note(
        "Trino's jdbc catalog (schema version V1) adds an iceberg_type column to the catalog's "
        "iceberg_tables table when it first opens it (its user needs ALTER rights there); aishell "
        "reads and writes the table as before");
    if (!warehouse.empty()) w.Add("iceberg.jdbc-catalog.default-warehouse-dir", warehouse);
  } else {
    w.Note("its catalog (" +
           (scheme == "sqlite" ? std::string("a SQL catalog in SQLite")
                               : std::string("a file-system catalog")) +
           ") has no Trino counterpart: register the tables in a REST or JDBC (PostgreSQL) "
           "catalog, or with the iceberg.register_table procedure");
    return;
  }
  std::string where = warehouse.empty() ? c.url : warehouse;
  if (where.rfind("s3://", 0) == 0 || where.rfind("s3a://", 0) == 0 ||
      !Prop(c, "s3.endpoint").empty()) {
    AddS3(c, w);
  } else if (where.rfind("file://", 0) == 0 || where.rfind("/", 0) == 0) {
    w.Add("fs.native-local.enabled", "true");
    w.Add("local.location", "/");
  }
  w.Write();
}

// Single-quoted SQL string literal.
std::string SqlString(const std::string& text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  return out + "'";
}

std::string QuoteIfNeeded(const std::string& name);

// The Trino table format of a data file, by its name; "" when Trino's hive connector has none.
std::string HiveFormat(const std::string& path) {
  std::string p = Lower(path);
  for (const auto& ext : {".gz", ".zst", ".bz2", ".lz4", ".snappy"}) {
    if (p.size() > std::strlen(ext) &&
        p.compare(p.size() - std::strlen(ext), std::string::npos, ext) == 0)
      p.resize(p.size() - std::strlen(ext));
  }
  auto ends = [&](const char* ext) {
    size_t n = std::strlen(ext);
    return p.size() > n && p.compare(p.size() - n, n, ext) == 0;
  };
  if (ends(".parquet")) return "PARQUET";
  if (ends(".csv")) return "CSV";
  if (ends(".json") || ends(".jsonl") || ends(".ndjson")) return "JSON";
  if (ends(".avro")) return "AVRO";
  return "";
}

// A folder of files: Trino's hive connector on the local file system, with a file metastore in
// the export folder. Trino reads a table from a folder, so a schema folder that holds exactly one
// data file becomes a table (tables.sql registers it); other folders are notes.
void ExportFile(const ConnectionConfig& c, CatalogWriter& w, CatalogRegistry& catalogs,
                TrinoExport* out, const TrinoExportOptions& options) {
  w.Add("connector.name", "hive");
  w.Add("hive.metastore", "file");
  w.Add("hive.metastore.catalog.dir",
        "local://" + options.out_dir + "/hive-metastore/" + w.catalog());
  w.Add("fs.native-local.enabled", "true");
  w.Add("local.location", "/");
  w.Add("hive.timestamp-precision", "MICROSECONDS");
  std::string sql = out->files["tables.sql"];
  if (sql.empty()) {
    sql =
        "-- aishell's file tables for Trino's hive connector: run once against the coordinator "
        "(the definitions persist in hive-metastore/).\n";
  }
  try {
    auto connector = catalogs.GetCatalog(c.name);
    for (const auto& schema : connector->ListSchemas()) {
      auto tables = connector->ListTables(schema);
      if (tables.empty()) continue;
      std::string location;
      std::shared_ptr<const TableInfo> info;
      if (tables.size() == 1) {
        info = connector->GetTable(schema, tables[0]);
        if (info) location = info->location;
      }
      size_t files = 0;
      std::string dir = location.substr(0, location.find_last_of('/'));
      if (!location.empty()) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
          std::string name = entry.path().filename().string();
          if (entry.is_regular_file() && !name.empty() && name[0] != '.' && name[0] != '_') files++;
        }
      }
      std::string format = HiveFormat(location);
      if (tables.size() != 1 || files != 1 || format.empty()) {
        w.Note("schema " + schema + " (" + std::to_string(tables.size()) +
               " tables in one folder) does not carry over: Trino's hive connector reads a "
               "folder as one table, so give each file a folder of its own");
        continue;
      }
      std::string qualified =
          w.catalog() + "." + QuoteIfNeeded(Lower(schema)) + "." + QuoteIfNeeded(Lower(info->name));
      std::string columns;
      for (const auto& col : info->columns) {
        if (col.hidden) continue;
        std::string type = format == "CSV" ? "varchar" : TrinoTypeName(col.type);
        // The catalog's hive.timestamp-precision: timestamps keep their microseconds.
        if (format != "CSV" &&
            (col.type.id == TypeId::kTimestamp || col.type.id == TypeId::kTimestampTz))
          type = "timestamp(6)";
        columns +=
            (columns.empty() ? "\n  " : ",\n  ") + QuoteIfNeeded(Lower(col.name)) + " " + type;
      }
      sql += "\nCREATE SCHEMA IF NOT EXISTS " + w.catalog() + "." + QuoteIfNeeded(Lower(schema)) +
             ";\nCREATE TABLE IF NOT EXISTS " + qualified + " (" + columns +
             "\n) WITH (external_location = " + SqlString("local://" + dir) +
             ", format = " + SqlString(format) +
             (format == "CSV" ? ", skip_header_line_count = 1" : "") + ");\n";
      if (format == "CSV") {
        w.Note("table " + schema + "." + info->name +
               ": Trino reads CSV columns as varchar (cast them in queries or a view)");
      }
    }
  } catch (const Error& e) {
    w.Note("its tables could not be listed (" + RedactText(e.what()) + ")");
  }
  out->files["tables.sql"] = sql;
  w.Write();
}

bool IsName(const Token& t) {
  return t.type == TokenType::kWord || t.type == TokenType::kQuotedIdentifier;
}

bool IsDot(const Token& t) { return t.type == TokenType::kOperator && t.text == "."; }

std::string QuoteIfNeeded(const std::string& name) {
  bool plain =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') plain = false;
  }
  if (plain && !IsReservedWord(Upper(name))) return name;
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::string TrinoCatalogName(const std::string& connection) {
  std::string out = Lower(connection);
  for (auto& c : out) {
    if (c == '-') c = '_';
  }
  return out;
}

std::string TrinoViewSql(const std::string& sql,
                         const std::map<std::string, std::string>& default_schemas,
                         const std::vector<std::string>& view_names,
                         const std::string& views_catalog) {
  std::vector<Token> tokens = Tokenize(sql);
  std::set<std::string> views;
  for (const auto& v : view_names) views.insert(Lower(v));
  std::string out;
  size_t copied = 0;
  auto replace = [&](int begin, int end, const std::string& text) {
    out += sql.substr(copied, static_cast<size_t>(begin) - copied) + text;
    copied = static_cast<size_t>(end);
  };
  for (size_t i = 0; i < tokens.size(); i++) {
    if (!IsName(tokens[i]) || (i > 0 && IsDot(tokens[i - 1]))) continue;
    // The dotted name starting here.
    size_t j = i;
    std::vector<size_t> parts = {i};
    while (j + 2 < tokens.size() && IsDot(tokens[j + 1]) && IsName(tokens[j + 2])) {
      j += 2;
      parts.push_back(j);
    }
    const Token& first = tokens[i];
    std::string key = Lower(first.text);
    bool after_from = i > 0 && tokens[i - 1].type == TokenType::kWord &&
                      (Upper(tokens[i - 1].text) == "FROM" || Upper(tokens[i - 1].text) == "JOIN");
    auto schema = default_schemas.find(key);
    if (parts.size() >= 2 && parts.size() <= 3 && schema != default_schemas.end()) {
      std::string text = QuoteIfNeeded(TrinoCatalogName(first.text));
      if (parts.size() == 2) text += "." + QuoteIfNeeded(schema->second);
      replace(first.position, first.end, text);
    } else if (parts.size() == 1 && after_from && views.count(key) &&
               !(i + 1 < tokens.size() && tokens[i + 1].text == "(")) {
      replace(first.position, first.end,
              views_catalog + ".default." + QuoteIfNeeded(Lower(first.text)));
    }
    i = j;
  }
  out += sql.substr(copied);
  return out;
}

TrinoExport ExportTrinoCatalogs(CatalogRegistry& catalogs,
                                const std::vector<ConnectionConfig>& connections,
                                const std::vector<ViewDefinition>& views,
                                const TrinoExportOptions& options) {
  TrinoExport out;
  std::map<std::string, std::string> default_schemas;
  std::set<std::string> used;
  std::string views_catalog = options.views_catalog;
  for (const auto& c : connections) used.insert(TrinoCatalogName(c.name));
  while (used.count(views_catalog)) views_catalog += "_";
  for (const auto& c : connections) {
    std::string catalog = TrinoCatalogName(c.name);
    out.catalog_names[c.name] = catalog;
    if (catalog != c.name)
      out.notes.push_back(c.name + ": is catalog " + catalog +
                          " in Trino (lower case, '_' for '-')");
    CatalogWriter w(&out, options, catalog);
    std::string type = Lower(c.type);
    // `catalog.table` in a view means the connector's default schema (known without reaching
    // the source where it is fixed).
    std::string& schema = default_schemas[Lower(c.name)];
    if (type == "postgres") {
      schema = "public";
    } else if (type == "elasticsearch" || type == "opensearch" || type == "redis") {
      schema = "default";
    } else {
      schema = "default";
      try {
        schema = catalogs.GetCatalog(c.name)->DefaultSchema();
      } catch (const Error&) {
        if (type == "mongodb") {
          try {
            std::string db = ParseUrl(c.url, c.name).path;
            if (!db.empty()) schema = db;
          } catch (const Error&) {
          }
        }
      }
    }
    try {
      if (type == "postgres") {
        ExportPostgres(c, w);
      } else if (type == "mongodb") {
        ExportMongo(c, w);
      } else if (type == "elasticsearch" || type == "opensearch") {
        ExportElasticsearch(c, w);
      } else if (type == "redis") {
        ExportRedis(c, w, catalogs, &out, options);
      } else if (type == "iceberg") {
        ExportIceberg(c, w);
      } else if (type == "file") {
        ExportFile(c, w, catalogs, &out, options);
      } else {
        w.Note("a " + c.type + " source has no Trino connector: it does not carry over");
      }
    } catch (const Error& e) {
      w.Note("not exported: " + RedactText(e.what()));
    }
  }

  std::vector<std::string> view_names;
  for (const auto& v : views) view_names.push_back(v.name);
  std::string sql = "-- aishell's views for Trino: run once against the coordinator (the " +
                    views_catalog +
                    " catalog is Trino's memory connector, so run it again after a restart).\n"
                    "CREATE SCHEMA IF NOT EXISTS " +
                    views_catalog + ".default;\n";
  for (const auto& v : views) {
    std::string body = TrinoViewSql(v.sql, default_schemas, view_names, views_catalog);
    while (!body.empty() &&
           (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';'))
      body.pop_back();
    sql += "\nCREATE OR REPLACE VIEW " + views_catalog + ".default." +
           QuoteIfNeeded(Lower(v.name)) + " AS\n" + body + ";\n";
  }
  out.files["etc/catalog/" + views_catalog + ".properties"] = "connector.name=memory\n";
  out.files["views.sql"] = sql;

  std::string notes = "# What does not carry over to Trino\n\n";
  notes +=
      "Written by `aishell export-catalogs --to trino`. Copy etc/catalog/ (and etc/redis/) into "
      "the Trino installation's etc/, set the environment variables below for the coordinator and "
      "workers, start Trino, then run tables.sql (file tables, if any) and views.sql (`trino -f "
      "views.sql`).\n\n";
  if (!out.env_vars.empty()) {
    notes += "## Environment variables\n\n";
    for (const auto& [name, what] : out.env_vars) notes += "- `" + name + "`: " + what + "\n";
    notes += "\n";
  }
  notes += "## Notes\n\n";
  for (const auto& n : out.notes) notes += "- " + n + "\n";
  out.files["NOTES.md"] = notes;
  return out;
}

}  // namespace aishell
