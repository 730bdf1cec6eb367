// RestCatalog: the Iceberg REST catalog protocol (Apache Iceberg's rest-catalog-open-api.yaml)
// over libcurl (storage/http_request.h). Tested against Apache Iceberg's REST fixture server
// (scripts/services/iceberg-rest.sh); Nessie serves the same protocol under /iceberg.
//
//   aishell connect http://host:port[/base-path] --type iceberg --property warehouse=<name-or-uri>
//     [--property token=<bearer>] [--property credential=<client-id>:<client-secret>]
//     [--property oauth2-server-uri=<url>] [--property scope=catalog] [--property prefix=<p>]
//     [--property s3.endpoint=... s3.access-key-id=... s3.secret-access-key=...]
//
// On connect: optional OAuth2 client-credentials token, then GET /v1/config (defaults and
// overrides, e.g. the prefix). Tables: GET .../namespaces/{ns}/tables/{t} returns the metadata,
// its location and the storage settings (config, storage-credentials) the reader uses.
// Commits: POST .../tables (create) or .../tables/{t} (requirements + updates); 409 -> kConflict.
// Errors name the catalog endpoint and the table; tokens and secrets are never printed.
#include <simdjson.h>

#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/url.h"
#include "connectors/iceberg/iceberg_catalog.h"
#include "storage/http_request.h"

namespace aishell::iceberg {

namespace {

// Percent-encodes a path segment, keeping existing %XX escapes and '/' (a prefix may span
// segments).
std::string EncodeSegment(const std::string& s) {
  std::string out;
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      out += s.substr(i, 3);
      i += 2;
    } else if (c == '/') {
      out.push_back(c);
    } else {
      out += PercentEncode(std::string(1, c));
    }
  }
  return out;
}

std::string TableName(const TableIdentifier& id) {
  std::string ns = JoinNamespace(id.ns, ".");
  return ns.empty() ? id.name : ns + "." + id.name;
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

class RestCatalog : public IcebergCatalog {
 public:
  explicit RestCatalog(const ConnectionConfig& config) : properties_(config.properties) {
    base_ = config.url;
    // "iceberg+http://..." or "rest+http://..." spellings are accepted too.
    for (const char* p : {"iceberg+", "rest+"}) {
      if (StartsWith(base_, p)) base_ = base_.substr(std::string(p).size());
    }
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    if (!StartsWith(base_, "http://") && !StartsWith(base_, "https://")) {
      throw Error(
          ErrorKind::kConnector,
          "Iceberg REST catalog URL must start with http:// or https://: " + RedactUrl(config.url));
    }
    display_ = RedactUrl(base_);
    Authenticate();
    LoadConfig();
  }

  std::string Describe() const override { return "Iceberg REST catalog " + display_; }

  std::vector<Namespace> ListNamespaces() override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    std::vector<Namespace> out;
    std::vector<Namespace> pending = {{}};
    // Breadth-first through nested namespaces (bounded: a catalog is not that deep).
    for (size_t depth = 0; depth < 8 && !pending.empty(); ++depth) {
      std::vector<Namespace> next;
      for (const auto& parent : pending) {
        std::string query;
        if (!parent.empty()) query = "parent=" + PercentEncode(JoinNamespace(parent, "\x1f"));
        for (auto& ns : PagedList("namespaces", query, "namespaces", "namespaces")) {
          Namespace n;
          for (auto part : ns.get_array()) n.emplace_back(std::string(part.get_string().value()));
          if (n.size() <= parent.size()) continue;  // servers that ignore `parent`
          out.push_back(n);
          next.push_back(n);
        }
      }
      if (!HasNestedNamespaces()) break;
      pending = std::move(next);
    }
    return out;
  }

  std::vector<TableIdentifier> ListTables(const Namespace& ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    std::vector<TableIdentifier> out;
    std::string path = "namespaces/" + NamespacePath(ns) + "/tables";
    for (auto& ident : PagedList(path, "", "identifiers", "tables of " + JoinNamespace(ns, "."))) {
      TableIdentifier id;
      for (auto part : ident["namespace"].get_array()) {
        id.ns.emplace_back(std::string(part.get_string().value()));
      }
      id.name = std::string(ident["name"].get_string().value());
      out.push_back(std::move(id));
    }
    return out;
  }

  std::optional<LoadedTable> LoadTable(const TableIdentifier& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    std::string what = "table " + TableName(id);
    HttpResponse r = Request("GET", TablePath(id), "", what, true);
    if (r.status == 404) return std::nullopt;
    CheckStatus(r, "GET", TablePath(id), what);
    simdjson::dom::element root = Parse(r.body, what);
    LoadedTable table;
    auto location = root["metadata-location"].get_string();
    if (!location.error()) table.metadata_location = std::string(location.value());
    auto metadata = root["metadata"];
    if (metadata.error()) {
      throw Error(ErrorKind::kConnector, Describe() + ": the response for " + what +
                                             " has no \"metadata\" (not an Iceberg REST server?)");
    }
    table.metadata_json = simdjson::minify(metadata.value());
    // Storage: the catalog's own settings, then the server's table config and vended
    // credentials (the longest matching prefix wins, as the spec says; here all s3 ones apply).
    table.storage = TableStorage(root, table.metadata_location);
    return table;
  }

  void CreateNamespace(const Namespace& ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    std::string body = "{\"namespace\":[";
    for (size_t i = 0; i < ns.size(); ++i) body += (i ? "," : "") + JsonString(ns[i]);
    body += "],\"properties\":{}}";
    std::string what = "namespace " + JoinNamespace(ns, ".");
    HttpResponse r = Request("POST", Prefixed("namespaces"), body, what, false);
    if (r.status == 409) return;  // already exists
    CheckStatus(r, "POST", Prefixed("namespaces"), what);
  }

  std::string DefaultTableLocation(const TableIdentifier& id) override {
    std::string wh = merged_.count("warehouse") ? merged_.at("warehouse") : "";
    if (wh.find("://") == std::string::npos && (wh.empty() || wh[0] != '/')) {
      // A warehouse *name*: the server decides the location (a staged create gives it).
      return "";
    }
    std::string loc = wh;
    for (const auto& part : id.ns) loc = JoinPath(loc, part);
    return JoinPath(loc, id.name);
  }

  bool ServerWritesMetadata() const override { return true; }

  // POST .../tables with stage-create: the server answers with the table's location, uuid and
  // any vended credentials, and records nothing until the commit (assert-create).
  std::optional<StagedTable> StageCreate(const TableIdentifier& id,
                                         const std::string& schema_json) override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    if (detached_) RefuseDetached(TableName(id));
    std::string what = "table " + TableName(id) + " (staged create)";
    std::string body = "{\"name\":" + JsonString(id.name) + ",\"schema\":" + schema_json +
                       ",\"stage-create\":true,\"properties\":{}}";
    std::string path = Prefixed("namespaces/" + NamespacePath(id.ns) + "/tables");
    HttpResponse r = Request("POST", path, body, what, false);
    if (r.status == 409) {
      throw Error(ErrorKind::kCatalog, "iceberg: table " + TableName(id) + " already exists");
    }
    CheckStatus(r, "POST", path, what);
    simdjson::dom::element root = Parse(r.body, what);
    StagedTable staged;
    auto metadata = root["metadata"];
    if (!metadata.error()) {
      auto loc = metadata["location"].get_string();
      if (!loc.error()) staged.location = std::string(loc.value());
      auto uuid = metadata["table-uuid"].get_string();
      if (!uuid.error()) staged.table_uuid = std::string(uuid.value());
    }
    staged.storage = TableStorage(root, staged.location);
    return staged;
  }

  CommitResult CommitTable(const TableCommit& commit) override {
    std::lock_guard<std::mutex> lock(mu_);
    parsers_.clear();
    std::string what = "table " + TableName(commit.id);
    if (commit.rest_request_json.empty()) {
      throw Error(ErrorKind::kInternal,
                  Describe() + ": commit of " + what + " without a REST request body");
    }
    // A body with "requirements" is a CommitTableRequest (also a staged create, with an
    // assert-create requirement); otherwise a CreateTableRequest.
    bool is_update = commit.rest_request_json.find("\"requirements\"") != std::string::npos;
    std::string path = is_update
                           ? TablePath(commit.id)
                           : Prefixed("namespaces/" + NamespacePath(commit.id.ns) + "/tables");
    if (detached_) RefuseDetached(TableName(commit.id));
    HttpResponse r = Request("POST", path, commit.rest_request_json, what, false);
    if (r.status == 409) {
      // Nessie answers 409 for a write to a ref that is not a branch head, too: that is no
      // lost race, retrying cannot help.
      if (r.body.find("not a branch") != std::string::npos ||
          r.body.find("detached") != std::string::npos) {
        CheckStatus(r, "POST", path, what);
      }
      return CommitResult::kConflict;
    }
    CheckStatus(r, "POST", path, what);
    return CommitResult::kCommitted;
  }

  const StorageOptions& storage() const override { return storage_; }

 private:
  // Storage: the catalog's own settings, then the server's table config and vended credentials
  // (the longest matching prefix wins, as the spec says).
  StorageOptions TableStorage(simdjson::dom::element root, const std::string& location) {
    StorageOptions storage = storage_;
    auto config = root["config"].get_object();
    if (!config.error()) {
      for (auto [k, v] : config.value()) {
        if (v.is_string()) storage[std::string(k)] = std::string(v.get_string().value());
      }
    }
    auto creds = root["storage-credentials"].get_array();
    if (!creds.error()) {
      std::string best_prefix;
      for (auto cred : creds.value()) {
        auto prefix_value = cred["prefix"].get_string();
        std::string prefix = prefix_value.error() ? "" : std::string(prefix_value.value());
        if (!StartsWith(location, prefix.c_str()) && !StartsWith(prefix, "s3")) continue;
        if (prefix.size() < best_prefix.size()) continue;
        best_prefix = prefix;
        auto cfg = cred["config"].get_object();
        if (cfg.error()) continue;
        for (auto [k, v] : cfg.value()) {
          if (v.is_string()) storage[std::string(k)] = std::string(v.get_string().value());
        }
      }
    }
    return storage;
  }

  [[noreturn]] void RefuseDetached(const std::string& table) const {
    std::string shown;  // the prefix, percent-decoded
    for (size_t i = 0; i < prefix_.size(); i++) {
      if (prefix_[i] == '%' && i + 2 < prefix_.size()) {
        shown.push_back(static_cast<char>(std::stoi(prefix_.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        shown.push_back(prefix_[i]);
      }
    }
    throw Error(ErrorKind::kConnector,
                Describe() + ": cannot write table " + table + ": the catalog's prefix '" + shown +
                    "' names a commit (a detached ref@hash), which is read-only; connect with a "
                    "branch (--property ref=<branch>) to write");
  }

  void Authenticate() {
    auto token = properties_.find("token");
    if (token != properties_.end() && !token->second.empty()) {
      token_ = token->second;
      return;
    }
    auto credential = properties_.find("credential");
    if (credential == properties_.end() || credential->second.empty()) return;
    // OAuth2 client credentials (pyiceberg's `credential` = "client_id:client_secret").
    std::string id = credential->second, secret;
    auto colon = id.find(':');
    if (colon != std::string::npos) {
      secret = id.substr(colon + 1);
      id = id.substr(0, colon);
    }
    std::string scope = properties_.count("scope") ? properties_.at("scope") : "catalog";
    std::string form = "grant_type=client_credentials&client_id=" + PercentEncode(id) +
                       "&client_secret=" + PercentEncode(secret) + "&scope=" + PercentEncode(scope);
    std::string url = properties_.count("oauth2-server-uri") ? properties_.at("oauth2-server-uri")
                                                             : base_ + "/v1/oauth/tokens";
    HttpResponse r = Send("POST", url, form, "application/x-www-form-urlencoded");
    std::string what = "an OAuth2 token (client " + id + ")";
    CheckStatus(r, "POST", url, what);
    simdjson::dom::element root = Parse(r.body, what);
    auto access = root["access_token"].get_string();
    if (access.error()) {
      throw Error(ErrorKind::kConnector,
                  Describe() + ": the OAuth2 token response has no access_token");
    }
    token_ = std::string(access.value());
  }

  void LoadConfig() {
    std::string url = base_ + "/v1/config";
    auto wh = properties_.find("warehouse");
    if (wh != properties_.end() && !wh->second.empty())
      url += "?warehouse=" + PercentEncode(wh->second);
    HttpResponse r = Send("GET", url, "", "");
    bool nessie_api = base_.size() >= 7 && (base_.substr(base_.size() - 7) == "/api/v1" ||
                                            base_.substr(base_.size() - 7) == "/api/v2");
    if (r.transport_error.empty() && (r.status < 200 || r.status >= 300) &&
        (nessie_api || r.body.find("default-warehouse") != std::string::npos)) {
      // Nessie: its native API is not the REST protocol, and a Nessie without catalog settings
      // (as seed 000 runs it) has no usable /iceberg endpoint.
      try {
        CheckStatus(r, "GET", url, "the catalog configuration");
      } catch (const Error& e) {
        throw Error(ErrorKind::kConnector,
                    std::string(e.what()) +
                        " (a Nessie server: connect its native API, http://host:19120/api/v2, "
                        "with --type nessie)");
      }
    }
    CheckStatus(r, "GET", url, "the catalog configuration");
    simdjson::dom::element root = Parse(r.body, "the catalog configuration");
    auto add = [&](const char* key) {
      auto obj = root[key].get_object();
      if (obj.error()) return;
      for (auto [k, v] : obj.value()) {
        if (v.is_string()) merged_[std::string(k)] = std::string(v.get_string().value());
      }
    };
    add("defaults");
    for (const auto& [k, v] : properties_) merged_[k] = v;
    add("overrides");
    auto endpoints = root["endpoints"].get_array();
    if (!endpoints.error()) {
      for (auto e : endpoints.value()) {
        if (e.is_string()) endpoints_.emplace_back(e.get_string().value());
      }
    }
    prefix_ = merged_.count("prefix") ? merged_.at("prefix") : "";
    // Nessie: `ref` (a branch, tag or `name@hash`) and the warehouse name build the prefix from
    // the advertised pattern ("{ref}|{warehouse}").
    auto pattern = merged_.find("nessie.prefix-pattern");
    auto ref = properties_.find("ref");
    if (ref != properties_.end() && !ref->second.empty()) {
      if (pattern == merged_.end()) {
        throw Error(ErrorKind::kConnector,
                    Describe() + ": --property ref=" + ref->second +
                        " needs a Nessie server (its /v1/config advertises no "
                        "nessie.prefix-pattern); use --property prefix=... instead");
      }
      std::string p = pattern->second;
      std::string wh_name = wh != properties_.end() ? wh->second : "";
      auto put = [&](const std::string& key, const std::string& value) {
        auto at = p.find(key);
        if (at != std::string::npos) p.replace(at, key.size(), value);
      };
      put("{ref}", ref->second);
      put("{warehouse}", wh_name);
      if (wh_name.empty() && !p.empty() && p.back() == '|') p.pop_back();
      prefix_ = p;
    }
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    // The prefix is one path segment: encode what is not already percent-encoded (a raw
    // `dev|warehouse` is HTTP 400; the server's own `main%7Cwarehouse` stays as it is).
    prefix_ = EncodeSegment(prefix_);
    detached_ = prefix_.find('@') != std::string::npos || prefix_.find("%40") != std::string::npos;
    for (const auto& [k, v] : merged_) {
      if (StartsWith(k, "s3.") || StartsWith(k, "client.")) storage_[k] = v;
    }
  }

  bool HasNestedNamespaces() const {
    // Servers that support `parent` say so only implicitly; asking costs one request per
    // namespace, so only do it when the user asked for nested namespaces.
    auto it = properties_.find("nested-namespaces");
    return it != properties_.end() && (it->second == "true" || it->second == "1");
  }

  std::string Prefixed(const std::string& rest) const {
    return base_ + "/v1/" + (prefix_.empty() ? "" : prefix_ + "/") + rest;
  }
  std::string NamespacePath(const Namespace& ns) const {
    return PercentEncode(JoinNamespace(ns, "\x1f"));
  }
  std::string TablePath(const TableIdentifier& id) const {
    return Prefixed("namespaces/" + NamespacePath(id.ns) + "/tables/" + PercentEncode(id.name));
  }

  // GET a listing, following next-page-token.
  std::vector<simdjson::dom::element> PagedList(const std::string& rest, const std::string& query,
                                                const char* key, const std::string& what) {
    std::vector<simdjson::dom::element> out;
    std::string token;
    for (int page = 0; page < 10000; ++page) {
      std::string url = Prefixed(rest);
      std::string q = query;
      if (!token.empty())
        q += (q.empty() ? "" : "&") + std::string("pageToken=") + PercentEncode(token);
      if (!q.empty()) url += "?" + q;
      HttpResponse r = Request("GET", url, "", what, true);
      CheckStatus(r, "GET", url, what);
      parsers_.emplace_back(std::make_unique<simdjson::dom::parser>());
      simdjson::dom::element root = Parse(r.body, what, parsers_.back().get());
      auto arr = root[key].get_array();
      if (!arr.error()) {
        for (auto e : arr.value()) out.push_back(e);
      }
      auto next = root["next-page-token"].get_string();
      if (next.error() || next.value().empty()) break;
      token = std::string(next.value());
    }
    return out;
  }

  HttpResponse Request(const std::string& method, const std::string& url, const std::string& body,
                       const std::string& what, bool idempotent) {
    // `url` is either absolute or a Prefixed() path.
    HttpResponse r;
    int attempts = idempotent ? 3 : 1;
    for (int i = 0; i < attempts; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << i));
      r = Send(method, url, body, body.empty() ? "" : "application/json");
      if (r.transport_error.empty() && r.status < 500) break;
    }
    return r;
  }

  HttpResponse Send(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& content_type) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.accept_compressed = true;
    if (!token_.empty()) request.headers.push_back("Authorization: Bearer " + token_);
    if (!content_type.empty()) request.headers.push_back("Content-Type: " + content_type);
    request.headers.push_back("Accept: application/json");
    request.headers.push_back("X-Iceberg-Access-Delegation: vended-credentials");
    return SendHttpRequest(request);
  }

  std::string PathForMessage(const std::string& url) const {
    return StartsWith(url, base_.c_str()) ? url.substr(base_.size()) : RedactUrl(url);
  }

  void CheckStatus(const HttpResponse& r, const std::string& method, const std::string& url,
                   const std::string& what) const {
    if (!r.transport_error.empty()) {
      throw Error(ErrorKind::kConnector, "cannot reach Iceberg REST catalog at " + display_ + " (" +
                                             method + " " + PathForMessage(url) + " for " + what +
                                             "): " + r.transport_error);
    }
    if (r.status >= 200 && r.status < 300) return;
    // ErrorModel: {"error": {"message": ..., "type": ..., "code": ...}}
    std::string detail;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (!parser.parse(r.body).get(root)) {
      auto err = root["error"];
      if (!err.error()) {
        auto type = err["type"].get_string();
        auto msg = err["message"].get_string();
        if (!type.error()) detail += std::string(type.value());
        if (!msg.error()) detail += (detail.empty() ? "" : ": ") + std::string(msg.value());
      }
    }
    if (detail.empty()) detail = r.body.substr(0, 200);
    std::string hint;
    if (r.status == 401 || r.status == 403) hint = " (check the catalog's token or credential)";
    throw Error(ErrorKind::kConnector, "Iceberg REST catalog " + display_ + ": " + method + " " +
                                           PathForMessage(url) + " for " + what +
                                           " failed with HTTP " + std::to_string(r.status) +
                                           (detail.empty() ? "" : ": " + detail) + hint);
  }

  simdjson::dom::element Parse(const std::string& body, const std::string& what,
                               simdjson::dom::parser* parser = nullptr) {
    if (parser == nullptr) {
      parsers_.emplace_back(std::make_unique<simdjson::dom::parser>());
      parser = parsers_.back().get();
    }
    simdjson::dom::element root;
    auto error = parser->parse(body).get(root);
    if (error) {
      throw Error(ErrorKind::kConnector, Describe() + ": the response for " + what +
                                             " is not valid JSON (" +
                                             simdjson::error_message(error) + ")");
    }
    return root;
  }

  std::map<std::string, std::string> properties_;
  std::string base_, display_, token_, prefix_;
  bool detached_ = false;  // the prefix names a commit (Nessie ref@hash): read-only
  std::map<std::string, std::string> merged_;
  std::vector<std::string> endpoints_;
  StorageOptions storage_;
  // Parsed documents live as long as the elements handed out; cleared per public call.
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<IcebergCatalog> CreateRestCatalog(const ConnectionConfig& config) {
  return std::make_unique<RestCatalog>(config);
}

}  // namespace aishell::iceberg
