#include "connectors/elasticsearch/elasticsearch_connector.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/url.h"
#include "connectors/elasticsearch/elasticsearch_writer.h"

namespace aishell {

namespace {

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool IsTrue(const std::string& v) {
  std::string s = AsciiLower(v);
  return s == "true" || s == "1" || s == "yes";
}

// Percent-encodes an index name for a URL path (names may hold *, comma and unicode).
std::string PathSegment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*' || c == ',') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

EsConnector::EsConnector(const ConnectionConfig& config)
    : name_(config.name), properties_(config.properties) {
  UrlParts url = ParseUrl(config.url, Where());
  bool tls = url.scheme == "elasticsearchs" || url.scheme == "https" || url.scheme == "opensearchs";
  for (const auto& [key, value] : url.query) {
    if (key == "tls" || key == "ssl") tls = IsTrue(value);
    if (key.rfind("tls.", 0) == 0 || key == "api_key") properties_[key] = value;
  }
  if (url.host.empty()) throw Error(ErrorKind::kConnector, Where() + ": the URL names no host");
  EsClientOptions options;
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  options.base_url =
      (tls ? "https://" : "http://") + host + ":" + std::to_string(url.port.value_or(9200));
  options.user = url.user;
  options.password = url.password;
  auto prop = [&](const char* key) {
    auto it = properties_.find(key);
    return it == properties_.end() ? std::string() : it->second;
  };
  options.api_key = prop("api_key");
  options.ca_file = prop("tls.ca-file");
  if (!prop("tls.verify").empty()) options.verify_tls = IsTrue(prop("tls.verify"));
  options.compression = !(url.host == "127.0.0.1" || url.host == "localhost" || url.host == "::1");
  if (!prop("http.compression").empty()) options.compression = IsTrue(prop("http.compression"));
  if (!url.path.empty()) pattern_ = url.path;
  while (!pattern_.empty() && pattern_.back() == '/') pattern_.pop_back();
  if (pattern_.empty()) pattern_ = "*";
  batch_size_ = PropertyNumber("federation.batch_size", 10000, 1000000);
  page_size_ = PropertyNumber("scan.page_size", 10000, 10000);
  sample_size_ = PropertyNumber("schema.sample_size", 100, 10000);
  slice_min_documents_ = PropertyNumber("scan.slice_min_documents", 50000, 2000000000);
  std::string mode = AsciiLower(prop("scan.mode"));
  if (!mode.empty() && mode != "pit" && mode != "scroll")
    throw Error(ErrorKind::kConnector,
                Where() + ": property scan.mode='" + mode + "' is not pit or scroll");
  force_scroll_ = mode == "scroll";
  client_ = std::make_shared<EsClient>(options, Where());

  // Who is there: GET / (the integration-test distribution answers 405: then _nodes/_local).
  EsResponse root = client_->Send("GET", "/");
  if (root.status == 401 || root.status == 403)
    throw Error(ErrorKind::kConnector, client_->DescribeFailure(root, "GET", "/", "connecting"));
  simdjson::dom::parser parser;
  if (root.status == 200) {
    simdjson::dom::element doc;
    if (!parser.parse(root.body).get(doc)) {
      std::string_view number, distribution;
      if (!doc.at_pointer("/version/number").get(number)) server_.version = std::string(number);
      if (!doc.at_pointer("/version/distribution").get(distribution) &&
          distribution == "opensearch")
        server_.product = "OpenSearch";
    }
  }
  if (server_.version.empty()) {
    EsResponse nodes = client_->Request("GET", "/_nodes/_local?filter_path=nodes.*.version",
                                        "connecting (reading the server version)");
    simdjson::dom::element doc;
    simdjson::dom::object all;
    if (!parser.parse(nodes.body).get(doc) && !doc["nodes"].get(all)) {
      for (auto [id, node] : all) {
        std::string_view v;
        if (!node["version"].get(v)) server_.version = std::string(v);
      }
    }
    if (!nodes.product.empty()) server_.product = nodes.product;
  }
  if (!root.product.empty()) server_.product = root.product;
  int major = std::atoi(server_.version.c_str());
  size_t dot = server_.version.find('.');
  int minor = dot == std::string::npos ? 0 : std::atoi(server_.version.c_str() + dot + 1);
  server_.has_pit =
      server_.product == "Elasticsearch" && (major > 7 || (major == 7 && minor >= 10));
}

int EsConnector::PropertyNumber(const char* key, int fallback, int max) const {
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

std::vector<std::string> EsConnector::ListTables(const std::string&) {
  EsResponse r =
      client_->Request("GET", "/_resolve/index/" + PathSegment(pattern_) + "?expand_wildcards=open",
                       "listing the indices matching '" + pattern_ + "'");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> out;
  if (parser.parse(r.body).get(doc)) return out;
  for (const char* kind : {"indices", "aliases", "data_streams"}) {
    simdjson::dom::array list;
    if (doc[kind].get(list)) continue;
    for (simdjson::dom::element e : list) {
      std::string_view name;
      if (e["name"].get(name) || name.empty() || name[0] == '.') continue;
      out.emplace_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string EsConnector::Resolve(const std::string& table) {
  std::vector<std::string> names = ListTables("default");
  for (const auto& n : names) {
    if (n == table) return n;
  }
  std::vector<std::string> matches;
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, table)) matches.push_back(n);
  }
  if (matches.size() > 1)
    throw Error(ErrorKind::kCatalog, Where() + ": '" + table +
                                         "' matches several indices that differ only in case: "
                                         "quote the name");
  return matches.empty() ? std::string() : matches[0];
}

std::shared_ptr<EsTable> EsConnector::Load(const std::string& index) {
  std::string path = "/" + PathSegment(index);
  EsResponse mapping =
      client_->Request("GET", path + "/_mapping", "reading the mapping of index '" + index + "'");
  // Arrays: declared by property, or seen in a sample of documents.
  std::set<std::string> arrays;
  std::string prefix = "array." + index + ".";
  for (const auto& [key, value] : properties_) {
    if (key.rfind(prefix, 0) == 0 && IsTrue(value)) arrays.insert(key.substr(prefix.size()));
  }
  EsResponse sample = client_->Request(
      "POST", path + "/_search", "sampling index '" + index + "'",
      "{\"size\":" + std::to_string(sample_size_) + ",\"track_total_hits\":false}");
  for (const auto& p : ArrayPathsInSample(sample.body)) arrays.insert(p);
  auto table = BuildEsTable(index, mapping.body, arrays, Where());
  // Statistics: the document count (top-level documents, unlike _cat/indices).
  EsResponse count = client_->Request("GET", path + "/_count", "counting index '" + index + "'");
  simdjson::dom::parser parser;
  int64_t n;
  if (!parser.parse(count.body)["count"].get(n))
    table->info->stats.row_count = static_cast<double>(n);
  EsResponse settings =
      client_->Send("GET", path + "/_settings/index.max_terms_count?include_defaults=true");
  if (settings.status == 200) {
    simdjson::dom::element doc;
    simdjson::dom::object all;
    if (!parser.parse(settings.body).get(doc) && !doc.get(all)) {
      for (auto [name, body] : all) {
        for (const char* where :
             {"/settings/index/max_terms_count", "/defaults/index/max_terms_count"}) {
          std::string_view v;
          if (!body.at_pointer(where).get(v)) {
            table->max_terms_count =
                std::min<int64_t>(table->max_terms_count, std::atoll(std::string(v).c_str()));
            break;
          }
        }
      }
    }
  }
  return table;
}

std::shared_ptr<const TableInfo> EsConnector::GetTable(const std::string& schema,
                                                       const std::string& table) {
  if (!schema.empty() && !EqualsIgnoreCase(schema, "default")) return nullptr;
  std::string index = Resolve(table);
  if (index.empty()) return nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(index);
    if (it != tables_.end()) return it->second->info;
  }
  auto loaded = Load(index);
  std::lock_guard<std::mutex> lock(mutex_);
  tables_[index] = loaded;
  return loaded->info;
}

std::shared_ptr<const EsTable> EsConnector::TableOf(const TableInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(info.name);
    if (it != tables_.end()) return it->second;
  }
  if (!GetTable("default", info.name))
    throw Error(ErrorKind::kCatalog, Where() + ": index '" + info.name + "' does not exist");
  std::lock_guard<std::mutex> lock(mutex_);
  return tables_.at(info.name);
}

std::unique_ptr<TableScan> EsConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  return std::make_unique<EsScan>(SpecFor(TableOf(*table)));
}

EsScanSpec EsConnector::SpecFor(std::shared_ptr<const EsTable> table) const {
  EsScanSpec spec;
  spec.client = client_;
  spec.table = std::move(table);
  spec.server = server_;
  spec.where = Where();
  spec.page_size = page_size_;
  spec.batch_size = batch_size_;
  spec.slice_min_documents = slice_min_documents_;
  spec.force_scroll = force_scroll_;
  return spec;
}

SourceTableFunction EsConnector::CallTableFunction(const std::string& name,
                                                   const std::vector<Value>& args,
                                                   const std::map<std::string, Value>& named) {
  static const std::vector<std::string> kRawQuery = {"schema", "index", "query"};
  static const std::vector<std::string> kQueryString = {"index", "query", "schema"};
  if (name != "raw_query" && name != "query_string") return {};
  const auto& order = name == "raw_query" ? kRawQuery : kQueryString;
  std::string call = Where() + ": " + name + "()";
  if (args.size() > order.size())
    throw Error(ErrorKind::kBinder, call + " takes at most " + std::to_string(order.size()) +
                                        " arguments (" + JoinNames(order) + ")");
  std::map<std::string, std::string> given;
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i].is_null() || args[i].type().id != TypeId::kVarchar)
      throw Error(ErrorKind::kBinder, call + ": argument " + order[i] + " must be a string");
    given[order[i]] = args[i].GetString();
  }
  for (const auto& [key, value] : named) {
    if (std::find(order.begin(), order.end(), key) == order.end())
      throw Error(ErrorKind::kBinder,
                  call + " has no argument '" + key + "' (it takes " + JoinNames(order) + ")");
    if (value.is_null() || value.type().id != TypeId::kVarchar)
      throw Error(ErrorKind::kBinder, call + ": argument " + key + " must be a string");
    given[key] = value.GetString();
  }
  for (const char* required : {"index", "query"}) {
    if (!given.count(required))
      throw Error(ErrorKind::kBinder, call + " needs the argument " + required);
  }
  if (given.count("schema") && !EqualsIgnoreCase(given["schema"], "default"))
    throw Error(ErrorKind::kCatalog, call + ": schema '" + given["schema"] +
                                         "' does not exist (indices are in schema 'default')");
  std::string index = Resolve(given["index"]);
  if (index.empty())
    throw Error(ErrorKind::kCatalog,
                call + ": index '" + given["index"] + "' does not exist (or is not listed)");
  SourceTableFunction out;
  if (name == "raw_query") {
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    if (parser.parse(given["query"]).get(body) || !body.is_object())
      throw Error(ErrorKind::kBinder, call +
                                          ": argument query is not a JSON object (a search "
                                          "request body such as {\"query\":{...}})");
    auto info = std::make_shared<TableInfo>();
    info->schema = "default";
    info->name = index;
    info->location = index;
    ColumnInfo result;
    result.name = "result";
    result.type = LogicalType(TypeId::kVarchar);
    result.comment = "the search answer, as JSON text";
    info->columns.push_back(std::move(result));
    info->stats.row_count = 1;
    out.table = info;
    out.scan = std::make_unique<EsRawQueryScan>(client_, index, PathSegment(index), given["query"],
                                                Where());
    return out;
  }
  // query_string: the index's columns, _score visible, the query in the scoring (must) context.
  if (!GetTable("default", index)) throw Error(ErrorKind::kCatalog, call + ": no index " + index);
  auto table = TableOf(*GetTable("default", index));
  auto info = std::make_shared<TableInfo>(*table->info);
  for (auto& c : info->columns) {
    if (c.name == "_score") c.hidden = false;
  }
  EsScanSpec spec = SpecFor(table);
  spec.must.push_back("{\"query_string\":{\"query\":" + JsonString(given["query"]) + "}}");
  spec.filter_texts.push_back("query_string(" + Value::Varchar(given["query"]).ToSqlLiteral() +
                              ")");
  out.table = info;
  out.scan = std::make_unique<EsScan>(std::move(spec));
  return out;
}

std::unique_ptr<TableWriter> EsConnector::CreateTable(const std::string& schema,
                                                      const std::string& table,
                                                      const std::vector<ColumnInfo>& columns) {
  std::string index = AsciiLower(table);  // index names are lower case
  std::string path = "/" + PathSegment(index);
  EsWriterSpec spec;
  spec.client = client_;
  spec.where = Where();
  spec.index = index;
  spec.columns = columns;
  spec.create = true;
  // The planner lets an existing table through only for CREATE OR REPLACE TABLE. What is the
  // name now: an alias (over the indices listed), a concrete index, a data stream, or nothing?
  std::vector<std::string> alias_of;
  bool concrete = false;
  EsResponse resolved =
      client_->Send("GET", "/_resolve/index/" + path.substr(1) + "?expand_wildcards=all");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (resolved.status == 200 && !parser.parse(resolved.body).get(doc)) {
    auto named = [&](const char* kind, simdjson::dom::element* out) {
      simdjson::dom::array list;
      if (doc[kind].get(list)) return false;
      for (simdjson::dom::element e : list) {
        std::string_view n;
        if (!e["name"].get(n) && n == index) {
          *out = e;
          return true;
        }
      }
      return false;
    };
    simdjson::dom::element e;
    if (named("data_streams", &e))
      throw Error(ErrorKind::kUnsupported, Where() + ": '" + index +
                                               "' is a data stream: CREATE OR REPLACE TABLE writes "
                                               "indices only");
    if (named("aliases", &e)) {
      simdjson::dom::array list;
      if (!e["indices"].get(list)) {
        for (simdjson::dom::element i : list) {
          std::string_view n;
          if (!i.get(n)) alias_of.emplace_back(n);
        }
      }
    } else if (named("indices", &e)) {
      concrete = true;
    }
  }
  if (!concrete && alias_of.empty()) {
    client_->Request("PUT", path, "creating index '" + index + "'", EsMappingFor(columns));
  } else {
    // CREATE OR REPLACE, atomically as Elasticsearch users do it: the rows go into a fresh hidden
    // index; Commit points the name at it in one _aliases call (removing the old concrete index
    // in that same call the first time, or the alias from the indices it named), then deletes
    // the indices aishell made before for this name. A failed write deletes only the fresh one.
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::string prefix = index + "-aishell-";
    spec.index = prefix + std::to_string(millis);
    std::string mapping = EsMappingFor(columns);
    client_->Request("PUT", "/" + PathSegment(spec.index),
                     "creating index '" + spec.index + "' (to replace '" + index + "')",
                     "{\"settings\":{\"index.hidden\":true}," + mapping.substr(1));
    std::string actions = "[";
    if (concrete) {
      actions += "{\"remove_index\":{\"index\":" + JsonString(index) + "}},";
    } else {
      for (const auto& old : alias_of) {
        actions +=
            "{\"remove\":{\"index\":" + JsonString(old) + ",\"alias\":" + JsonString(index) + "}},";
        // Indices that someone else put behind the alias are only taken out of it.
        if (old.rfind(prefix, 0) == 0) spec.delete_after.push_back(old);
      }
    }
    actions += "{\"add\":{\"index\":" + JsonString(spec.index) + ",\"alias\":" + JsonString(index) +
               ",\"is_write_index\":true}}]";
    spec.alias = index;
    spec.swap_actions = std::move(actions);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tables_.erase(index);
  }
  return std::make_unique<EsWriter>(std::move(spec));
}

namespace {

// Passes on the columns a writer takes out of batches that hold every table column.
class ProjectingWriter : public TableWriter {
 public:
  ProjectingWriter(std::unique_ptr<TableWriter> inner, std::vector<int> columns)
      : inner_(std::move(inner)), columns_(std::move(columns)) {}
  void Append(const Batch& batch) override {
    Batch out;
    for (int c : columns_) out.columns.push_back(batch.columns[c]);
    out.count = batch.count;
    inner_->Append(out);
  }
  void Commit() override { inner_->Commit(); }
  void Abort() override { inner_->Abort(); }

 private:
  std::unique_ptr<TableWriter> inner_;
  std::vector<int> columns_;
};

}  // namespace

std::unique_ptr<TableWriter> EsConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                     const std::vector<int>& key_columns,
                                                     UpsertConflict conflict) {
  auto es = TableOf(*table);
  if (key_columns.size() != 1) {
    throw Error(ErrorKind::kUnsupported, Where() + ": index '" + es->index +
                                             "': an upsert takes one key column (the document id)");
  }
  if (conflict == UpsertConflict::kError) {
    throw Error(ErrorKind::kUnsupported,
                Where() + ": index '" + es->index +
                    "': Elasticsearch cannot refuse a whole write when a key is already there "
                    "(conflict: error); use source_wins or target_wins");
  }
  EsWriterSpec spec;
  spec.client = client_;
  spec.where = Where();
  spec.index = es->index;
  std::vector<int> picked;
  for (size_t i = 0; i < table->columns.size(); i++) {
    const auto& c = table->columns[i];
    if (c.hidden && c.name != "_id") continue;
    if (static_cast<int>(i) == key_columns[0]) spec.key_column = static_cast<int>(picked.size());
    picked.push_back(static_cast<int>(i));
    spec.columns.push_back(c);
  }
  if (spec.key_column < 0) {
    throw Error(ErrorKind::kUnsupported, Where() + ": index '" + es->index + "': key column '" +
                                             table->columns[key_columns[0]].name +
                                             "' is not a field that can be written");
  }
  spec.keep_existing = conflict == UpsertConflict::kTargetWins;
  std::unique_lock<std::mutex> lock(mutex_);
  tables_.erase(es->index);
  lock.unlock();
  return std::make_unique<ProjectingWriter>(std::make_unique<EsWriter>(std::move(spec)),
                                            std::move(picked));
}

std::unique_ptr<TableWriter> EsConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  auto es = TableOf(*table);
  EsWriterSpec spec;
  spec.client = client_;
  spec.where = Where();
  spec.index = es->index;
  for (const auto& c : table->columns) {
    if (!c.hidden || c.name == "_id") spec.columns.push_back(c);
  }
  spec.create = false;
  std::lock_guard<std::mutex> lock(mutex_);
  tables_.erase(es->index);
  return std::make_unique<EsWriter>(std::move(spec));
}

std::string EsConnector::Summary() {
  std::string s = server_.product + " " + server_.version;
  std::vector<std::string> tables = ListTables("default");
  s += ", " + std::to_string(tables.size()) + " index(es)";
  std::string counts;
  simdjson::dom::parser parser;
  for (size_t i = 0; i < tables.size() && i < 8; i++) {
    EsResponse r = client_->Send("GET", "/" + PathSegment(tables[i]) + "/_count");
    int64_t n = -1;
    if (r.status == 200 && parser.parse(r.body)["count"].get(n)) n = -1;
    counts += (counts.empty() ? "" : ", ") + tables[i] + " " +
              (n >= 0 ? FormatCount(n) : std::string("?")) + " documents";
  }
  if (tables.size() > 8) counts += ", ...";
  if (!counts.empty()) s += ": " + counts;
  return s;
}

SourceOverview EsConnector::Overview(size_t max_objects) {
  SourceOverview o;
  o.engine = server_.product;
  o.version = server_.version;
  o.object_kind = "Indices";
  o.row_word = "documents";
  std::vector<std::string> tables = ListTables("default");
  simdjson::dom::parser parser;
  for (size_t i = 0; i < tables.size() && i < max_objects; i++) {
    SourceObject obj;
    obj.schema = "default";
    obj.name = tables[i];
    EsResponse r = client_->Send("GET", "/" + PathSegment(tables[i]) + "/_count");
    int64_t n = -1;
    if (r.status == 200 && parser.parse(r.body)["count"].get(n)) n = -1;
    if (n >= 0) obj.rows = n;  // _count is exact
    o.objects.push_back(std::move(obj));
  }
  return o;
}

void RegisterElasticsearchConnector() {
  ConnectorFactory::Register("elasticsearch",
                             {"elasticsearch", "elasticsearchs", "opensearch", "opensearchs"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<EsConnector>(config);
                             });
}

}  // namespace aishell
