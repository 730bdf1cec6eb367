#include "connectors/mongodb/mongodb_connector.h"
#include "common/json_text.h"

#include <algorithm>
#include <set>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/mongodb/mongodb_client.h"
#include "connectors/mongodb/mongodb_decoder.h"
#include "connectors/mongodb/mongodb_scan.h"
#include "connectors/mongodb/mongodb_schema.h"
#include "connectors/mongodb/mongodb_writer.h"

namespace aishell {

namespace {

// Databases MongoDB keeps for itself: not listed as schemas.
bool IsSystemDatabase(const std::string& name) {
  return name == "admin" || name == "config" || name == "local";
}

std::vector<std::string> StringList(char** names) {
  std::vector<std::string> out;
  if (!names) return out;
  for (char** p = names; *p; p++) out.emplace_back(*p);
  bson_strfreev(names);
  return out;
}

double NumberField(const bson_t& doc, const char* key, double fallback) {
  bson_iter_t it;
  if (bson_iter_init_find(&it, &doc, key) && BSON_ITER_HOLDS_NUMBER(&it))
    return static_cast<double>(bson_iter_as_int64(&it));
  return fallback;
}

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

MongoConnector::MongoConnector(const ConnectionConfig& config)
    : name_(config.name), properties_(config.properties) {
  sample_size_ = PropertyNumber("schema.sample_size", 1000, 1000000);
  batch_size_ = PropertyNumber("federation.batch_size", 10000, 1000000);
  auto flag = properties_.find("schema.flatten");
  if (flag != properties_.end()) {
    std::string v = AsciiLower(flag->second);
    if (v != "true" && v != "false")
      throw Error(ErrorKind::kConnector, Where() + ": property schema.flatten='" + flag->second +
                                             "' is not true or false");
    flatten_ = v == "true";
  }
  auto mismatch = properties_.find("schema.on_mismatch");
  if (mismatch != properties_.end()) {
    std::string v = AsciiLower(mismatch->second);
    if (v != "error" && v != "null")
      throw Error(ErrorKind::kConnector, Where() + ": property schema.on_mismatch='" +
                                             mismatch->second + "' is not error or null");
    mismatch_ = v == "null" ? MismatchPolicy::kNull : MismatchPolicy::kError;
  }
  // Overrides must name a known type now, not at the first query.
  for (const auto& [key, value] : properties_) {
    if (key.rfind("schema.", 0) != 0 || std::count(key.begin(), key.end(), '.') < 2) continue;
    if (!ParseTypeName(value))
      throw Error(ErrorKind::kConnector,
                  Where() + ": property '" + key + "': unknown type '" + value + "'");
  }
  pool_ = std::make_shared<MongoPool>(config.url, properties_, Where());
  // Connect now: a wrong password or a server that is down fails here.
  bson_t ping;
  bson_init(&ping);
  BSON_APPEND_INT32(&ping, "ping", 1);
  std::string auth_db = "admin";
  try {
    pool_->Command(auth_db, ping, "cannot connect");
  } catch (...) {
    bson_destroy(&ping);
    throw;
  }
  bson_destroy(&ping);
  bson_t build;
  bson_init(&build);
  BSON_APPEND_INT32(&build, "buildInfo", 1);
  BsonPtr info = pool_->Command(auth_db, build, "buildInfo");
  bson_destroy(&build);
  bson_iter_t it;
  if (bson_iter_init_find(&it, info.get(), "version") && BSON_ITER_HOLDS_UTF8(&it))
    server_.version = bson_iter_utf8(&it, nullptr);
  if (bson_iter_init_find(&it, info.get(), "ferretdbVersion") && BSON_ITER_HOLDS_UTF8(&it))
    server_.ferretdb_version = bson_iter_utf8(&it, nullptr);
  // FerretDB has no $sample: sample without it from the start. Each aggregation pipeline reads
  // the collection in Go there, as slowly as a scan: one pipeline at most, unless told otherwise.
  if (server_.IsFerretDb()) sample_supported_ = false;
  max_pipelines_ = PropertyNumber("aggregation.max_pipelines", server_.IsFerretDb() ? 1 : 8, 64);
  splits_ = PropertyNumber("scan.splits", 0, 64);
  cursor_batch_size_ = PropertyNumber("scan.batch_size", 0, 1000000);
  max_lookup_keys_ = PropertyNumber("lookup.max_keys", server_.IsFerretDb() ? 100 : -1, 100000000);
  split_min_documents_ = PropertyNumber("scan.split_min_documents", 100000, 1000000000);
}

MongoConnector::~MongoConnector() = default;

int MongoConnector::PropertyNumber(const char* key, int fallback, int max) const {
  auto it = properties_.find(key);
  if (it == properties_.end()) return fallback;
  try {
    size_t used = 0;
    long long n = std::stoll(it->second, &used);
    if (used == it->second.size() && n > 0 && n <= max) return static_cast<int>(n);
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::kConnector, Where() + ": property " + key + "='" + it->second +
                                         "' is not a number from 1 to " + std::to_string(max));
}

std::string MongoConnector::DefaultSchema() const {
  return pool_->url_database().empty() ? "test" : pool_->url_database();
}

std::vector<std::string> MongoConnector::ListSchemas() {
  MongoPool::Lease client = pool_->Acquire();
  bson_error_t error;
  char** names = mongoc_client_get_database_names_with_opts(client.get(), nullptr, &error);
  if (!names) ThrowMongoError(Where(), "listing databases", error, pool_->url());
  std::vector<std::string> out;
  for (auto& n : StringList(names)) {
    if (!IsSystemDatabase(n) || n == DefaultSchema()) out.push_back(n);
  }
  if (std::find(out.begin(), out.end(), DefaultSchema()) == out.end())
    out.push_back(DefaultSchema());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MongoConnector::ListTables(const std::string& schema) {
  std::string database = ResolveDatabase(schema);
  MongoPool::Lease client = pool_->Acquire();
  mongoc_database_t* db = mongoc_client_get_database(client.get(), database.c_str());
  bson_error_t error;
  char** names = mongoc_database_get_collection_names_with_opts(db, nullptr, &error);
  mongoc_database_destroy(db);
  if (!names)
    ThrowMongoError(Where(), "listing the collections of database " + database, error,
                    pool_->url());
  std::vector<std::string> out;
  for (auto& n : StringList(names)) {
    // System collections, and the staging collections of a CREATE OR REPLACE in progress.
    if (n.rfind("system.", 0) != 0 && n.rfind("aishell_staging_", 0) != 0) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string MongoConnector::ResolveDatabase(const std::string& schema) {
  if (schema.empty()) return DefaultSchema();
  if (schema == DefaultSchema()) return schema;
  std::vector<std::string> names = ListSchemas();
  for (const auto& n : names) {
    if (n == schema) return n;
  }
  std::vector<std::string> matches;
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, schema)) matches.push_back(n);
  }
  return matches.size() == 1 ? matches[0] : schema;
}

std::string MongoConnector::ResolveCollection(const std::string& database,
                                              const std::string& collection) {
  std::vector<std::string> names = ListTables(database);
  for (const auto& n : names) {
    if (n == collection) return n;
  }
  std::vector<std::string> matches;
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, collection)) matches.push_back(n);
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
    throw Error(ErrorKind::kCatalog, Where() + ": '" + collection +
                                         "' matches several collections of database " + database +
                                         " (" + list + "): quote the name");
  }
  return matches.empty() ? std::string() : matches[0];
}

std::shared_ptr<const TableInfo> MongoConnector::GetTable(const std::string& schema,
                                                          const std::string& table) {
  std::string database = ResolveDatabase(schema);
  std::string collection = ResolveCollection(database, table);
  if (collection.empty()) return nullptr;
  std::string key = database + '\0' + collection;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(key);
    if (it != tables_.end()) return it->second->info;
  }
  auto sampled = Sample(database, collection);
  std::lock_guard<std::mutex> lock(mutex_);
  tables_[key] = sampled;
  return sampled->info;
}

std::shared_ptr<MongoTable> MongoConnector::Sample(const std::string& database,
                                                   const std::string& collection) {
  FieldObservation root;
  int64_t documents = 0;
  std::string how;
  MongoPool::Lease client = pool_->Acquire();
  CollectionPtr coll(
      mongoc_client_get_collection(client.get(), database.c_str(), collection.c_str()));
  std::string what = "sampling " + database + "." + collection;
  bool sampled = false;
  if (sample_supported_) {
    bson_t* pipeline = BCON_NEW("pipeline", "[", "{", "$sample", "{", "size",
                                BCON_INT32(sample_size_), "}", "}", "]");
    CursorPtr cursor(
        mongoc_collection_aggregate(coll.get(), MONGOC_QUERY_NONE, pipeline, nullptr, nullptr));
    bson_destroy(pipeline);
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor.get(), &doc)) {
      root.ObserveDocument(*doc);
      documents++;
    }
    bson_error_t error;
    if (mongoc_cursor_error(cursor.get(), &error)) {
      if (!IsNotImplemented(error)) ThrowMongoError(Where(), what, error, pool_->url());
      sample_supported_ = false;
      root = FieldObservation();
      documents = 0;
    } else {
      sampled = true;
      how = "inferred from " + std::to_string(documents) + " document(s) read with $sample";
    }
  }
  // The first and the last documents by _id; on FerretDB, whose sort on _id reads the whole
  // collection (in Go), the first documents in natural order.
  bool natural = server_.IsFerretDb();
  if (!sampled) {
    std::set<std::string> seen_ids;
    int first = natural ? sample_size_ : (sample_size_ + 1) / 2;
    for (int direction : {1, -1}) {
      int limit = direction == 1 ? first : sample_size_ - first;
      if (limit <= 0) continue;
      bson_t* opts = natural ? BCON_NEW("limit", BCON_INT64(limit))
                             : BCON_NEW("sort", "{", "_id", BCON_INT32(direction), "}", "limit",
                                        BCON_INT64(limit));
      bson_t filter;
      bson_init(&filter);
      CursorPtr cursor(mongoc_collection_find_with_opts(coll.get(), &filter, opts, nullptr));
      bson_destroy(opts);
      bson_destroy(&filter);
      const bson_t* doc = nullptr;
      while (mongoc_cursor_next(cursor.get(), &doc)) {
        bson_iter_t id;
        std::string id_key;
        if (bson_iter_init_find(&id, doc, "_id")) {
          const bson_value_t* value = bson_iter_value(&id);
          bson_t wrapper;
          bson_init(&wrapper);
          bson_append_value(&wrapper, "v", 1, value);
          id_key.assign(reinterpret_cast<const char*>(bson_get_data(&wrapper)), wrapper.len);
          bson_destroy(&wrapper);
        }
        if (!id_key.empty() && !seen_ids.insert(id_key).second) continue;
        root.ObserveDocument(*doc);
        documents++;
      }
      bson_error_t error;
      if (mongoc_cursor_error(cursor.get(), &error))
        ThrowMongoError(Where(), what, error, pool_->url());
    }
    how = "inferred from " + std::to_string(documents) +
          (natural ? " document(s): the first in natural order (FerretDB has no $sample, and its "
                     "sort on _id reads the whole collection)"
                   : " document(s): the first and last by _id (the server has no $sample)");
  }
  auto table = std::make_shared<MongoTable>();
  table->database = database;
  table->collection = collection;
  table->sampling = how;
  table->info = std::make_shared<TableInfo>();
  table->info->schema = database;
  table->info->name = collection;
  table->info->location = "mongodb collection " + database + "." + collection;
  MongoSchemaOptions options;
  options.flatten = flatten_;
  std::string prefix = "schema." + collection + ".";
  for (const auto& [key, value] : properties_) {
    if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size())
      options.overrides[AsciiLower(key.substr(prefix.size()))] = *ParseTypeName(value);
  }
  BuildColumns(root, documents, options, table.get());
  if (table->columns.empty()) {
    // An empty collection: only _id is known.
    MongoColumn id;
    id.path = {"_id"};
    id.dotted = "_id";
    table->columns.push_back(id);
    ColumnInfo info;
    info.name = "_id";
    info.type = LogicalType(TypeId::kVarchar);
    info.nullable = false;
    info.comment = "empty collection";
    table->info->columns.push_back(info);
  }
  // Statistics for the planner: collStats' count (estimatedDocumentCount where it is refused).
  bson_t* stats_cmd = BCON_NEW("collStats", BCON_UTF8(collection.c_str()));
  try {
    BsonPtr stats = pool_->Command(database, *stats_cmd, "collStats", client.get());
    table->info->stats.row_count = NumberField(*stats, "count", 0);
  } catch (const Error&) {
    bson_error_t error;
    int64_t n =
        mongoc_collection_estimated_document_count(coll.get(), nullptr, nullptr, nullptr, &error);
    if (n >= 0) table->info->stats.row_count = static_cast<double>(n);
  }
  bson_destroy(stats_cmd);
  return table;
}

std::shared_ptr<const MongoTable> MongoConnector::TableOf(const TableInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(info.schema + '\0' + info.name);
    if (it != tables_.end()) return it->second;
  }
  if (!GetTable(info.schema, info.name))
    throw Error(ErrorKind::kCatalog,
                Where() + ": collection " + info.schema + "." + info.name + " does not exist");
  std::lock_guard<std::mutex> lock(mutex_);
  return tables_.at(info.schema + '\0' + info.name);
}

std::unique_ptr<TableScan> MongoConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  MongoScanSpec spec;
  spec.pool = pool_;
  spec.table = TableOf(*table);
  spec.server = server_;
  spec.where = Where();
  spec.mismatch = mismatch_;
  spec.batch_size = batch_size_;
  spec.cursor_batch_size = cursor_batch_size_;
  spec.max_pipelines = max_pipelines_;
  spec.splits = splits_;
  spec.max_lookup_keys = max_lookup_keys_;
  spec.split_min_documents = split_min_documents_;
  return std::make_unique<MongoScan>(std::move(spec));
}

std::unique_ptr<TableWriter> MongoConnector::CreateTable(const std::string& schema,
                                                         const std::string& table,
                                                         const std::vector<ColumnInfo>& columns) {
  std::string database = ResolveDatabase(schema);
  // The planner lets an existing table through only for CREATE OR REPLACE TABLE.
  std::string existing = ResolveCollection(database, table);
  MongoWriterSpec spec;
  spec.replace = !existing.empty();
  spec.pool = pool_;
  spec.where = Where();
  spec.database = database;
  spec.collection = existing.empty() ? table : existing;
  spec.columns = columns;
  spec.create = existing.empty();
  spec.ferretdb = server_.IsFerretDb();
  auto key = properties_.find("key." + table);
  if (key != properties_.end()) spec.key_column = key->second;
  auto writer = std::make_unique<MongoWriter>(std::move(spec));
  std::lock_guard<std::mutex> lock(mutex_);
  tables_.erase(database + '\0' + table);
  return writer;
}

std::unique_ptr<TableWriter> MongoConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                        const std::vector<int>& key_columns,
                                                        UpsertConflict conflict) {
  if (key_columns.size() != 1) {
    throw Error(ErrorKind::kUnsupported, Where() +
                                             ": an upsert into MongoDB takes one key column, not " +
                                             std::to_string(key_columns.size()));
  }
  auto mongo = TableOf(*table);
  MongoWriterSpec spec;
  spec.pool = pool_;
  spec.where = Where();
  spec.database = mongo->database;
  spec.collection = mongo->collection;
  spec.columns = table->columns;
  spec.ferretdb = server_.IsFerretDb();
  spec.key_column = table->columns[key_columns[0]].name;
  spec.conflict = conflict;
  auto upsert = std::make_unique<MongoWriter>(std::move(spec));
  std::lock_guard<std::mutex> lock(mutex_);
  tables_.erase(mongo->database + '\0' + mongo->collection);
  return upsert;
}

std::unique_ptr<TableWriter> MongoConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  auto mongo = TableOf(*table);
  for (const auto& c : mongo->columns) {
    if (c.path.size() > 1)
      throw Error(ErrorKind::kUnsupported,
                  Where() + ": INSERT into " + mongo->database + "." + mongo->collection +
                      " with flattened columns (" + c.dotted +
                      ") is not supported: connect without schema.flatten=true to write it");
  }
  MongoWriterSpec spec;
  spec.pool = pool_;
  spec.where = Where();
  spec.database = mongo->database;
  spec.collection = mongo->collection;
  spec.columns = table->columns;
  spec.create = false;
  spec.ferretdb = server_.IsFerretDb();
  auto key = properties_.find("key." + mongo->collection);
  if (key != properties_.end()) spec.key_column = key->second;
  auto writer = std::make_unique<MongoWriter>(std::move(spec));
  // The next query samples again (the documents written may widen the schema).
  std::lock_guard<std::mutex> lock(mutex_);
  tables_.erase(mongo->database + '\0' + mongo->collection);
  return writer;
}

void MongoConnector::DropTable(std::shared_ptr<const TableInfo> table) {
  std::shared_ptr<const MongoTable> mongo = TableOf(*table);
  MongoPool::Lease client = pool_->Acquire();
  CollectionPtr coll(mongoc_client_get_collection(client.get(), mongo->database.c_str(),
                                                  mongo->collection.c_str()));
  bson_error_t error;
  bool dropped = mongoc_collection_drop_with_opts(coll.get(), nullptr, &error);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tables_.erase(mongo->database + '\0' + mongo->collection);
  }
  // A collection dropped meanwhile by someone else is gone all the same.
  if (!dropped && error.code != 26)  // NamespaceNotFound
    ThrowMongoError(Where(), "dropping " + mongo->database + "." + mongo->collection, error,
                    pool_->url());
}

std::string MongoConnector::Summary() {
  std::string s = "MongoDB " + server_.version;
  if (server_.IsFerretDb()) s += " (FerretDB " + server_.ferretdb_version + ")";
  std::string database = DefaultSchema();
  std::vector<std::string> collections = ListTables(database);
  s += ", database " + database + ", " + std::to_string(collections.size()) + " collection(s)";
  std::string counts;
  MongoPool::Lease client = pool_->Acquire();
  for (size_t i = 0; i < collections.size() && i < 8; i++) {
    CollectionPtr coll(
        mongoc_client_get_collection(client.get(), database.c_str(), collections[i].c_str()));
    bson_error_t error;
    int64_t n =
        mongoc_collection_estimated_document_count(coll.get(), nullptr, nullptr, nullptr, &error);
    counts += (counts.empty() ? "" : ", ") + collections[i] + " " +
              (n >= 0 ? FormatCount(n) : std::string("?")) + " documents";
  }
  if (collections.size() > 8) counts += ", ...";
  if (!counts.empty()) s += ": " + counts;
  return s;
}

SourceOverview MongoConnector::Overview(size_t max_objects) {
  SourceOverview o;
  o.engine = "MongoDB";
  o.version = server_.version;
  if (server_.IsFerretDb()) o.version += " (FerretDB " + server_.ferretdb_version + ")";
  o.object_kind = "Collections";
  o.row_word = "documents";
  std::string database = DefaultSchema();
  std::vector<std::string> collections = ListTables(database);
  MongoPool::Lease client = pool_->Acquire();
  for (size_t i = 0; i < collections.size() && i < max_objects; i++) {
    SourceObject obj;
    obj.schema = database;
    obj.name = collections[i];
    CollectionPtr coll(
        mongoc_client_get_collection(client.get(), database.c_str(), collections[i].c_str()));
    bson_error_t error;
    // From the collection's metadata, not counted.
    int64_t n =
        mongoc_collection_estimated_document_count(coll.get(), nullptr, nullptr, nullptr, &error);
    if (n >= 0) {
      obj.rows = n;
      obj.rows_estimated = true;
    }
    o.objects.push_back(std::move(obj));
  }
  return o;
}

void RegisterMongoConnector() {
  ConnectorFactory::Register("mongodb", {"mongodb", "mongodb+srv"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<MongoConnector>(config);
                             });
  RegisterMongoFullText();
}

std::optional<bool> MongoConnector::HasIndex(const TableInfo& table,
                                             const std::vector<std::string>& columns) {
  if (columns.empty()) return std::nullopt;
  bson_t* cmd = BCON_NEW("listIndexes", BCON_UTF8(table.name.c_str()));
  BsonPtr reply;
  try {
    reply = pool_->Command(table.schema, *cmd, "listIndexes");
  } catch (const Error&) {
    bson_destroy(cmd);
    return std::nullopt;
  }
  bson_destroy(cmd);
  bson_iter_t it;
  bson_iter_t batch;
  if (!bson_iter_init(&it, reply.get()) ||
      !bson_iter_find_descendant(&it, "cursor.firstBatch", &batch) ||
      !BSON_ITER_HOLDS_ARRAY(&batch))
    return std::nullopt;
  bson_iter_t index;
  if (!bson_iter_recurse(&batch, &index)) return std::nullopt;
  while (bson_iter_next(&index)) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&index)) continue;
    bson_iter_t doc;
    bson_iter_t key;
    if (!bson_iter_recurse(&index, &doc) || !bson_iter_find(&doc, "key") ||
        !BSON_ITER_HOLDS_DOCUMENT(&doc) || !bson_iter_recurse(&doc, &key))
      continue;
    size_t matched = 0;
    while (matched < columns.size() && bson_iter_next(&key)) {
      if (columns[matched] != bson_iter_key(&key)) break;
      matched++;
    }
    if (matched == columns.size()) return true;
  }
  return false;
}

std::string MongoConnector::CreateIndexStatement(const TableInfo& table,
                                                 const std::vector<std::string>& columns) const {
  std::string keys;
  for (const auto& c : columns) keys += (keys.empty() ? "" : ", ") + JsonString(c) + ": 1";
  return "db.getSiblingDB(" + JsonString(table.schema) + ")." + "getCollection(" +
         JsonString(table.name) + ").createIndex({" + keys + "})";
}

}  // namespace aishell
