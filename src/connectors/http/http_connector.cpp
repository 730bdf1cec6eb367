#include "connectors/http/http_connector.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/secrets.h"
#include "common/strings.h"

namespace aishell {

namespace {

size_t WriteBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string UrlEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// GET base + path; retries 429 and 5xx answers and failed connections with backoff. Throws naming
// the source, the table and the path (never a header value).
std::string HttpGet(const HttpSettings& s, const std::string& where, const std::string& path) {
  std::string url = s.base_url + path;
  std::string last_error;
  for (int attempt = 0; attempt <= s.retries; attempt++) {
    if (attempt > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 100 << attempt)));
    CURL* curl = curl_easy_init();
    if (!curl) throw Error(ErrorKind::kConnector, where + ": cannot start an HTTP request");
    std::string body;
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    for (const auto& [name, value] : s.headers) {
      std::string v = value;
      if (v.rfind("env:", 0) == 0) {
        const char* env = std::getenv(v.substr(4).c_str());
        if (!env) {
          curl_slist_free_all(headers);
          curl_easy_cleanup(curl);
          throw Error(ErrorKind::kConnector, where + ": header " + name + " reads the variable " +
                                                 v.substr(4) + ", which is not set");
        }
        v = env;
      }
      headers = curl_slist_append(headers, (name + ": " + v).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout_seconds * 1000));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      last_error = std::string(curl_easy_strerror(rc));
      if (rc == CURLE_OPERATION_TIMEDOUT)
        last_error = "no answer within " + std::to_string(s.timeout_seconds).substr(0, 4) + " s";
      continue;
    }
    if (status == 429 || status >= 500) {
      last_error = "HTTP " + std::to_string(status);
      continue;
    }
    if (status >= 400) {
      std::string shown = body.substr(0, 200);
      throw Error(ErrorKind::kConnector, where + ": GET " + path + " answered HTTP " +
                                             std::to_string(status) + ": " + shown);
    }
    return body;
  }
  throw Error(ErrorKind::kConnector, where + ": GET " + path + " failed after " +
                                         std::to_string(s.retries + 1) +
                                         " attempt(s): " + last_error);
}

// The objects of a response: the array at `json_path` ($.a.b), or the object itself.
std::vector<simdjson::dom::element> Objects(simdjson::dom::element root, const std::string& path,
                                            const std::string& where) {
  simdjson::dom::element e = root;
  if (!path.empty() && path != "$") {
    std::string p = path.rfind("$.", 0) == 0 ? path.substr(2) : path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t dot = p.find('.', start);
      std::string part =
          p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (e[part].get(e)) {
        throw Error(ErrorKind::kConnector,
                    where + ": the response has no '" + part + "' (path " + path + ")");
      }
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  std::vector<simdjson::dom::element> out;
  simdjson::dom::array array;
  if (!e.get(array)) {
    for (auto item : array) out.push_back(item);
  } else if (e.is_object()) {
    out.push_back(e);
  } else {
    throw Error(ErrorKind::kConnector, where + ": the response (at " + (path.empty() ? "$" : path) +
                                           ") is neither a JSON array nor an object");
  }
  return out;
}

LogicalType InferType(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return LogicalType(TypeId::kBigInt);
    case simdjson::dom::element_type::DOUBLE:
      return LogicalType(TypeId::kDouble);
    case simdjson::dom::element_type::BOOL:
      return LogicalType(TypeId::kBoolean);
    default:
      return LogicalType(TypeId::kVarchar);
  }
}

Value ToValue(simdjson::dom::element e, const LogicalType& type) {
  if (e.is_null()) return Value::Null(type);
  switch (type.id) {
    case TypeId::kBigInt:
      if (e.is_int64()) return Value::BigInt(int64_t(e));
      if (e.is_double()) return Value::BigInt(static_cast<int64_t>(double(e)));
      return Value::Null(type);
    case TypeId::kDouble:
      if (e.is_number()) return Value::Double(e.get_double().value_unsafe());
      return Value::Null(type);
    case TypeId::kBoolean:
      if (e.is_bool()) return Value::Boolean(bool(e));
      return Value::Null(type);
    default:
      if (e.is_string()) return Value::Varchar(std::string(std::string_view(e)));
      return Value::Varchar(simdjson::minify(e));
  }
}

Value ParamValue(const std::string& text, const LogicalType& type) {
  if (type.id == TypeId::kBigInt) return Value::BigInt(std::stoll(text));
  return Value::Varchar(text);
}

struct HttpTable {
  HttpEndpoint endpoint;
  std::vector<int> param_columns;  // table columns of the path parameters
};

class HttpSource : public DataSource {
 public:
  explicit HttpSource(std::vector<Batch> batches) : batches_(std::move(batches)) {}
  bool Next(Batch& out) override {
    while (next_ < batches_.size()) {
      Batch& b = batches_[next_++];
      if (b.count == 0) continue;
      out = std::move(b);
      return true;
    }
    return false;
  }

 private:
  std::vector<Batch> batches_;
  size_t next_ = 0;
};

class HttpScan : public TableScan {
 public:
  HttpScan(std::string where, HttpSettings settings, std::shared_ptr<const TableInfo> table,
           HttpTable spec)
      : where_(std::move(where)),
        settings_(std::move(settings)),
        table_(std::move(table)),
        spec_(std::move(spec)) {
    for (size_t i = 0; i < table_->columns.size(); i++) projection_.push_back(static_cast<int>(i));
  }

  void SetProjection(const std::vector<int>& ids) override { projection_ = ids; }

  bool PushFilter(const Expr& e) override {
    auto param_of = [&](const Expr& c) -> int {
      if (c.kind != ExprKind::kColumnRef) return -1;
      for (size_t p = 0; p < spec_.param_columns.size(); p++)
        if (spec_.param_columns[p] == c.column_index) return static_cast<int>(p);
      return -1;
    };
    if (e.kind == ExprKind::kComparison && e.op == CompareOp::kEq && e.children.size() == 2) {
      for (int side = 0; side < 2; side++) {
        int p = param_of(*e.children[side]);
        const Expr& other = *e.children[1 - side];
        if (p >= 0 && other.kind == ExprKind::kConstant && !other.value.is_null()) {
          Restrict(p, {other.value.ToString()});
          return true;
        }
      }
    }
    if (e.kind == ExprKind::kIn && !e.negated && !e.children.empty()) {
      int p = param_of(*e.children[0]);
      if (p < 0) return false;
      std::vector<std::string> values;
      for (size_t i = 1; i < e.children.size(); i++) {
        if (e.children[i]->kind != ExprKind::kConstant) return false;
        if (!e.children[i]->value.is_null()) values.push_back(e.children[i]->value.ToString());
      }
      Restrict(p, values);
      return true;
    }
    return false;
  }

  bool PushDynamicFilter(int column, const Batch& values) override {
    for (size_t p = 0; p < spec_.param_columns.size(); p++) {
      if (spec_.param_columns[p] != column) continue;
      std::vector<std::string> list;
      for (size_t r = 0; r < values.count; r++) {
        Value v = values.columns[0].GetValue(r);
        if (!v.is_null()) list.push_back(v.ToString());
      }
      Restrict(static_cast<int>(p), list);
      return true;
    }
    return false;
  }

  std::string Describe() const override {
    std::string s = spec_.endpoint.method + " " + spec_.endpoint.path;
    for (size_t p = 0; p < spec_.endpoint.parameters.size(); p++) {
      auto it = values_.find(static_cast<int>(p));
      if (it == values_.end()) continue;
      s += " " + spec_.endpoint.parameters[p] + "=[";
      for (size_t i = 0; i < it->second.size() && i < 10; i++) s += (i ? ", " : "") + it->second[i];
      s += it->second.size() > 10 ? ", ...]" : "]";
    }
    return s;
  }

  std::vector<std::shared_ptr<Split>> CreateSplits(int) override {
    for (size_t p = 0; p < spec_.endpoint.parameters.size(); p++) {
      if (!values_.count(static_cast<int>(p))) {
        throw Error(ErrorKind::kUnsupported, where_ + ": table '" + table_->name + "' needs " +
                                                 spec_.endpoint.parameters[p] +
                                                 " = <value> (a path parameter of " +
                                                 spec_.endpoint.method + " " + spec_.endpoint.path +
                                                 ") in WHERE, or a join that supplies it");
      }
    }
    return {std::make_shared<Split>()};
  }

  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override {
    // Every combination of the given parameter values.
    std::vector<std::vector<std::string>> combos = {{}};
    for (size_t p = 0; p < spec_.endpoint.parameters.size(); p++) {
      std::vector<std::vector<std::string>> next;
      for (const auto& c : combos) {
        for (const auto& v : values_.at(static_cast<int>(p))) {
          auto n = c;
          n.push_back(v);
          next.push_back(n);
        }
      }
      combos = std::move(next);
    }
    return std::make_unique<HttpSource>(Fetch(combos));
  }

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    std::set<int> keys(key_columns.begin(), key_columns.end());
    std::set<int> params(spec_.param_columns.begin(), spec_.param_columns.end());
    return !params.empty() && keys == params;
  }

  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    std::set<std::vector<std::string>> seen;
    std::vector<std::vector<std::string>> combos;
    for (size_t r = 0; r < keys.count; r++) {
      std::vector<std::string> combo(spec_.param_columns.size());
      bool null = false;
      for (size_t k = 0; k < key_columns.size(); k++) {
        Value v = keys.columns[k].GetValue(r);
        if (v.is_null()) null = true;
        for (size_t p = 0; p < spec_.param_columns.size(); p++)
          if (spec_.param_columns[p] == key_columns[k]) combo[p] = v.ToString();
      }
      if (!null && seen.insert(combo).second) combos.push_back(combo);
    }
    return std::make_unique<HttpSource>(Fetch(combos));
  }

  std::string DescribeLookup(const std::vector<int>&, size_t batch_size) const override {
    return spec_.endpoint.method + " " + spec_.endpoint.path + " per key, up to " +
           std::to_string(batch_size) + " keys a batch, " + std::to_string(settings_.concurrency) +
           " requests at a time";
  }

 private:
  void Restrict(int p, std::vector<std::string> values) {
    auto it = values_.find(p);
    if (it == values_.end()) {
      values_[p] = std::move(values);
      return;
    }
    std::vector<std::string> both;
    for (const auto& v : it->second)
      if (std::find(values.begin(), values.end(), v) != values.end()) both.push_back(v);
    it->second = both;
  }

  // One request per combination, `concurrency` at a time; one batch per response.
  std::vector<Batch> Fetch(const std::vector<std::vector<std::string>>& combos) {
    std::vector<Batch> out(combos.size());
    std::atomic<size_t> next{0};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    auto worker = [&] {
      for (size_t i = next++; i < combos.size(); i = next++) {
        try {
          out[i] = FetchOne(combos[i]);
        } catch (const Error& e) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!first_error) first_error = e;
        }
      }
    };
    std::vector<std::thread> threads;
    int n = std::max(1, std::min<int>(settings_.concurrency, static_cast<int>(combos.size())));
    for (int t = 0; t < n; t++) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (first_error) throw *first_error;
    return out;
  }

  Batch FetchOne(const std::vector<std::string>& combo) {
    std::string path = spec_.endpoint.path;
    for (size_t p = 0; p < combo.size(); p++) {
      std::string ph = "{" + spec_.endpoint.parameters[p] + "}";
      if (auto pos = path.find(ph); pos != std::string::npos)
        path.replace(pos, ph.size(), UrlEscape(combo[p]));
    }
    std::string body = HttpGet(settings_, where_ + " table '" + table_->name + "'", path);
    counters_.bytes_read += static_cast<int64_t>(body.size());
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(body).get(root)) {
      throw Error(ErrorKind::kConnector,
                  where_ + " table '" + table_->name + "': GET " + path + " did not answer JSON");
    }
    auto objects =
        Objects(root, spec_.endpoint.json_path, where_ + " table '" + table_->name + "'");
    std::vector<LogicalType> types;
    for (int c : projection_) types.push_back(table_->columns[c].type);
    Batch batch(types, std::max<size_t>(objects.size(), 1));
    batch.SetCount(objects.size());
    for (size_t r = 0; r < objects.size(); r++) {
      for (size_t i = 0; i < projection_.size(); i++) {
        int c = projection_[i];
        const ColumnInfo& col = table_->columns[c];
        auto param = std::find(spec_.param_columns.begin(), spec_.param_columns.end(), c);
        if (param != spec_.param_columns.end()) {
          batch.columns[i].SetValue(
              r, ParamValue(combo[param - spec_.param_columns.begin()], col.type));
          continue;
        }
        simdjson::dom::element field;
        if (!objects[r].is_object() || objects[r][col.name].get(field)) {
          batch.columns[i].SetValue(r, Value::Null(col.type));
        } else {
          batch.columns[i].SetValue(r, ToValue(field, col.type));
        }
      }
    }
    counters_.rows_read += static_cast<int64_t>(objects.size());
    return batch;
  }

  std::string where_;
  HttpSettings settings_;
  std::shared_ptr<const TableInfo> table_;
  HttpTable spec_;
  std::vector<int> projection_;
  std::map<int, std::vector<std::string>> values_;  // parameter -> the values asked
};

}  // namespace

HttpConnector::HttpConnector(const ConnectionConfig& config) : name_(config.name) {
  std::string where = "http source '" + name_ + "'";
  settings_.base_url = config.url;
  while (!settings_.base_url.empty() && settings_.base_url.back() == '/')
    settings_.base_url.pop_back();
  for (const auto& property : config.properties) {
    const std::string& key = property.first;
    const std::string& value = property.second;
    auto number = [&](double lo, double hi) {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end || v < lo || v > hi) {
        throw Error(ErrorKind::kConnector, where + ": property " + key + " needs a number from " +
                                               std::to_string(static_cast<int>(lo)) + " to " +
                                               std::to_string(static_cast<int>(hi)));
      }
      return v;
    };
    if (key.rfind("table.", 0) == 0) {
      HttpEndpoint ep;
      ep.table = key.substr(6);
      std::string spec = TrimSpace(value);
      auto space = spec.find(' ');
      ep.method = space == std::string::npos ? "GET" : AsciiUpper(spec.substr(0, space));
      ep.path = space == std::string::npos ? spec : TrimSpace(spec.substr(space + 1));
      if (ep.method != "GET" || ep.path.empty() || ep.path[0] != '/') {
        throw Error(ErrorKind::kConnector, where + ": property " + key +
                                               " needs 'GET /path/{param}', not '" + value + "'");
      }
      for (size_t pos = ep.path.find('{'); pos != std::string::npos;
           pos = ep.path.find('{', pos + 1)) {
        auto end = ep.path.find('}', pos);
        if (end == std::string::npos)
          throw Error(ErrorKind::kConnector, where + ": property " + key + ": '{' without '}'");
        ep.parameters.push_back(ep.path.substr(pos + 1, end - pos - 1));
      }
      endpoints_[AsciiLower(ep.table)] = ep;
    } else if (key.rfind("path.", 0) == 0 || key.rfind("sample.", 0) == 0 ||
               key.rfind("header.", 0) == 0) {
      // handled below
    } else if (key == "timeout") {
      settings_.timeout_seconds = number(0.1, 600);
    } else if (key == "retries") {
      settings_.retries = static_cast<int>(number(0, 10));
    } else if (key == "concurrency") {
      settings_.concurrency = static_cast<int>(number(1, 64));
    } else {
      throw Error(ErrorKind::kConnector,
                  where + ": unknown property '" + key +
                      "' (table.<name>, path.<name>, sample.<name>.<param>, header.<name>, "
                      "timeout, retries, concurrency)");
    }
  }
  for (const auto& [key, value] : config.properties) {
    if (key.rfind("header.", 0) == 0) settings_.headers[key.substr(7)] = value;
    if (key.rfind("path.", 0) == 0) {
      auto it = endpoints_.find(AsciiLower(key.substr(5)));
      if (it == endpoints_.end())
        throw Error(ErrorKind::kConnector, where + ": " + key + " names no declared table");
      it->second.json_path = value;
    }
    if (key.rfind("sample.", 0) == 0) {
      std::string rest = key.substr(7);
      auto dot = rest.find('.');
      if (dot == std::string::npos || !endpoints_.count(AsciiLower(rest.substr(0, dot))))
        throw Error(ErrorKind::kConnector,
                    where + ": " + key + " needs sample.<declared table>.<parameter>");
      samples_[AsciiLower(rest.substr(0, dot))][rest.substr(dot + 1)] = value;
    }
  }
  if (endpoints_.empty()) {
    throw Error(
        ErrorKind::kConnector,
        where + ": declare at least one endpoint: --property table.<name>='GET /path/{param}'");
  }
}

std::vector<std::string> HttpConnector::ListTables(const std::string&) {
  std::vector<std::string> out;
  for (const auto& [_, ep] : endpoints_) out.push_back(ep.table);
  return out;
}

std::shared_ptr<const TableInfo> HttpConnector::GetTable(const std::string& schema,
                                                         const std::string& table) {
  if (AsciiLower(schema) != "default") return nullptr;
  std::string key = AsciiLower(table);
  auto ep = endpoints_.find(key);
  if (ep == endpoints_.end()) return nullptr;
  if (auto it = tables_.find(key); it != tables_.end()) return it->second;
  std::string where = "http source '" + name_ + "' table '" + ep->second.table + "'";
  auto info = std::make_shared<TableInfo>();
  info->schema = "default";
  info->name = ep->second.table;
  info->location = ep->second.method + " " + ep->second.path;
  std::string path = ep->second.path;
  const auto& sample = samples_[key];
  for (const auto& p : ep->second.parameters) {
    auto s = sample.find(p);
    if (s == sample.end()) {
      throw Error(ErrorKind::kConnector,
                  where + ": give a sample value of the path parameter " + p +
                      " (--property sample." + ep->second.table + "." + p +
                      "=<value>) so that aishell can read one answer and infer the columns");
    }
    bool integer =
        !s->second.empty() && s->second.find_first_not_of("0123456789-") == std::string::npos;
    info->columns.push_back(
        ColumnInfo{p, LogicalType(integer ? TypeId::kBigInt : TypeId::kVarchar)});
    path.replace(path.find("{" + p + "}"), p.size() + 2, UrlEscape(s->second));
  }
  std::string body = HttpGet(settings_, where, path);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root))
    throw Error(ErrorKind::kConnector, where + ": GET " + path + " did not answer JSON");
  std::set<std::string> seen;
  for (const auto& p : ep->second.parameters) seen.insert(AsciiLower(p));
  for (auto obj : Objects(root, ep->second.json_path, where)) {
    simdjson::dom::object o;
    if (obj.get(o)) continue;
    for (auto field : o) {
      std::string name(field.key);
      if (seen.count(AsciiLower(name))) {
        // A wider type when objects disagree (an integer, then a double).
        for (auto& c : info->columns) {
          if (EqualsIgnoreCase(c.name, name) && c.type.id == TypeId::kBigInt &&
              InferType(field.value).id == TypeId::kDouble)
            c.type = LogicalType(TypeId::kDouble);
        }
        continue;
      }
      if (field.value.is_null()) continue;
      seen.insert(AsciiLower(name));
      info->columns.push_back(ColumnInfo{name, InferType(field.value)});
    }
  }
  tables_[key] = info;
  return info;
}

std::unique_ptr<TableScan> HttpConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  const HttpEndpoint& ep = endpoints_.at(AsciiLower(table->name));
  HttpTable spec;
  spec.endpoint = ep;
  for (const auto& p : ep.parameters) spec.param_columns.push_back(table->FindColumn(p));
  return std::make_unique<HttpScan>("http source '" + name_ + "'", settings_, table,
                                    std::move(spec));
}

std::string HttpConnector::Summary() {
  return "HTTP API " + settings_.base_url + ", " + std::to_string(endpoints_.size()) +
         " endpoint(s)";
}

void RegisterHttpConnector() {
  ConnectorFactory::Register("http", {}, [](const ConnectionConfig& config) {
    return std::shared_ptr<Connector>(std::make_shared<HttpConnector>(config));
  });
}

}  // namespace aishell
