// NessieCatalog: Iceberg tables in a Nessie repository through Nessie's native API (v1 or v2),
// as Trino's `iceberg.catalog.type=nessie` and Spark's NessieCatalog use it. Nessie stores
// pointers; the metadata files live in the warehouse and are read and written here.
//
//   aishell connect http://host:19120/api/v2 --type nessie --property ref=main
//     --property warehouse=s3a://bucket/warehouse/ [--property s3.endpoint=... ...]
//
// Trino's property names are aliases: iceberg.nessie-catalog.uri (the URL),
// iceberg.nessie-catalog.ref, iceberg.nessie-catalog.default-warehouse-dir, s3.aws-access-key,
// s3.aws-secret-key; Spark's `uri` too.
//
// Reads: the ref's entries (NAMESPACE and ICEBERG_TABLE contents), a table's content gives its
// metadataLocation, read with the catalog's storage settings. Commits: the new metadata file is
// written (WriteIfAbsent), then a Nessie commit PUTs the ICEBERG_TABLE content (same content id,
// the new location and ids) on the branch with the expected hash; a 409 deletes the metadata
// file again and is kConflict (the writer reloads and retries). A ref `name@hash` (a commit) is
// read-only: writes are refused. New tables go to <warehouse>/<ns>/<table>_<uuid>, as Nessie's
// Iceberg clients lay them out.
#include <simdjson.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/url.h"
#include "connectors/iceberg/iceberg_catalog.h"
#include "storage/http_request.h"

namespace aishell::iceberg {

namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

std::string Uuid4() {
  static std::mutex mu;
  static std::mt19937_64 rng(std::random_device{}());
  std::lock_guard<std::mutex> lock(mu);
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

struct NessieContent {
  std::string type;  // ICEBERG_TABLE, NAMESPACE, ...
  std::string id;
  std::string metadata_location;
};

class NessieCatalog : public IcebergCatalog {
 public:
  explicit NessieCatalog(const ConnectionConfig& config) {
    auto prop = [&](std::initializer_list<const char*> names) -> std::string {
      for (const char* n : names) {
        auto it = config.properties.find(n);
        if (it != config.properties.end() && !it->second.empty()) return it->second;
      }
      return "";
    };
    std::string url = config.url;
    if (url.empty()) url = prop({"iceberg.nessie-catalog.uri", "uri"});
    for (const char* p : {"nessie+", "iceberg+"}) {
      if (StartsWith(url, p)) url = url.substr(std::string(p).size());
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (!StartsWith(url, "http://") && !StartsWith(url, "https://")) {
      throw Error(ErrorKind::kConnector, "nessie catalog '" + config.name +
                                             "': the URL must be http(s)://host:port/api/v1 or "
                                             "/api/v2, got '" +
                                             RedactUrl(url) + "'");
    }
    if (StartsWith(url.substr(url.size() >= 7 ? url.size() - 7 : 0), "/api/v1")) {
      v1_ = true;
      root_ = url.substr(0, url.size() - 7);
    } else if (StartsWith(url.substr(url.size() >= 7 ? url.size() - 7 : 0), "/api/v2")) {
      root_ = url.substr(0, url.size() - 7);
    } else if (url.size() >= 4 && url.substr(url.size() - 4) == "/api") {
      root_ = url.substr(0, url.size() - 4);
    } else {
      root_ = url;
    }
    display_ = "Nessie catalog " + RedactUrl(url);
    ref_ = prop({"ref", "iceberg.nessie-catalog.ref"});
    if (ref_.empty()) ref_ = "main";
    auto at = ref_.find('@');
    if (at != std::string::npos) {
      ref_hash_ = ref_.substr(at + 1);
      ref_ = ref_.substr(0, at);
      if (ref_.empty()) {
        throw Error(ErrorKind::kConnector, display_ + ": ref '@" + ref_hash_ +
                                               "' needs a name (spell it <branch>@<hash>)");
      }
    }
    warehouse_ = prop({"warehouse", "iceberg.nessie-catalog.default-warehouse-dir"});
    while (warehouse_.size() > 1 && warehouse_.back() == '/') warehouse_.pop_back();
    for (const auto& [k, v] : config.properties) {
      if (StartsWith(k, "s3.") || StartsWith(k, "client.")) storage_[k] = v;
    }
    // Trino's S3 property names.
    if (storage_.count("s3.aws-access-key")) {
      storage_["s3.access-key-id"] = storage_.at("s3.aws-access-key");
    }
    if (storage_.count("s3.aws-secret-key")) {
      storage_["s3.secret-access-key"] = storage_.at("s3.aws-secret-key");
    }
    for (const char* k : {"s3.aws-access-key", "s3.aws-secret-key"}) storage_.erase(k);
    // Reach the server and the ref now: a wrong URL or ref is an error at connect.
    Head();
  }

  std::string Describe() const override { return display_ + " (ref " + RefSpelling() + ")"; }

  std::vector<Namespace> ListNamespaces() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<Namespace> seen;
    for (const auto& e : Entries()) {
      if (e.first == "NAMESPACE") {
        seen.insert(e.second);
      } else if (e.second.size() > 1) {
        // Tables whose namespace has no NAMESPACE content (older writers) still show.
        seen.insert(Namespace(e.second.begin(), e.second.end() - 1));
      }
    }
    return {seen.begin(), seen.end()};
  }

  std::vector<TableIdentifier> ListTables(const Namespace& ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<TableIdentifier> out;
    for (const auto& e : Entries()) {
      if (e.first != "ICEBERG_TABLE" || e.second.size() != ns.size() + 1) continue;
      if (!std::equal(ns.begin(), ns.end(), e.second.begin())) continue;
      out.push_back(TableIdentifier{ns, e.second.back()});
    }
    return out;
  }

  std::optional<LoadedTable> LoadTable(const TableIdentifier& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return LoadAt(id, RefSpelling());
  }

  std::optional<LoadedTable> LoadTableAtRef(const TableIdentifier& id,
                                            const std::string& ref) override {
    std::lock_guard<std::mutex> lock(mu_);
    return LoadAt(id, ref);
  }

  void CreateNamespace(const Namespace& ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    RefuseDetached("namespace " + JoinNamespace(ns));
    // Each level, as Nessie requires the parents to exist.
    for (size_t n = 1; n <= ns.size(); n++) {
      Namespace part(ns.begin(), ns.begin() + static_cast<long>(n));
      for (int attempt = 0; attempt < 5; attempt++) {
        std::string hash = Head();
        auto existing = Content(part, hash);
        if (existing) break;
        std::string op = "{\"type\":\"PUT\",\"key\":" + KeyJson(part) +
                         ",\"content\":{\"type\":\"NAMESPACE\",\"elements\":" + ElementsJson(part) +
                         ",\"properties\":{}}}";
        long status = Commit(hash, op, "create namespace " + JoinNamespace(part));
        if (status != 409) break;
      }
    }
  }

  std::string DefaultTableLocation(const TableIdentifier& id) override {
    if (warehouse_.empty()) {
      throw Error(ErrorKind::kConnector,
                  Describe() + ": cannot create table " + id.ToString() +
                      ": no warehouse (set --property warehouse=s3://bucket/warehouse/ or "
                      "iceberg.nessie-catalog.default-warehouse-dir)");
    }
    std::string loc = warehouse_;
    for (const auto& part : id.ns) loc = JoinPath(loc, part);
    std::string uuid = Uuid4();
    uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
    return JoinPath(loc, id.name + "_" + uuid);
  }

  CommitResult CommitTable(const TableCommit& commit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string what = "table " + commit.id.ToString();
    RefuseDetached(what);
    Namespace key = commit.id.ns;
    key.push_back(commit.id.name);
    std::string hash = Head();
    auto current = Content(key, hash);
    if (commit.base_metadata_location.empty()
            ? current.has_value()
            : (!current || current->metadata_location != commit.base_metadata_location)) {
      return CommitResult::kConflict;
    }
    // The metadata file first (never over an existing one), then the pointer.
    auto fs = FileSystemForPath(commit.new_metadata_location, storage_);
    if (!fs->WriteIfAbsent(commit.new_metadata_location, commit.new_metadata_json)) {
      return CommitResult::kConflict;
    }
    std::string content = "{\"type\":\"ICEBERG_TABLE\"";
    if (current && !current->id.empty()) content += ",\"id\":" + JsonString(current->id);
    content += ",\"metadataLocation\":" + JsonString(commit.new_metadata_location);
    content += IdsFromMetadata(commit.new_metadata_json) + "}";
    std::string op = "{\"type\":\"PUT\",\"key\":" + KeyJson(key) + ",\"content\":" + content + "}";
    long status;
    try {
      status =
          Commit(hash, op, (commit.base_metadata_location.empty() ? "create " : "update ") + what);
    } catch (...) {
      DeleteQuietly(*fs, commit.new_metadata_location);
      throw;
    }
    if (status == 409) {
      DeleteQuietly(*fs, commit.new_metadata_location);
      return CommitResult::kConflict;
    }
    return CommitResult::kCommitted;
  }

  const StorageOptions& storage() const override { return storage_; }

 private:
  static std::string ElementsJson(const Namespace& parts) {
    std::string j = "[";
    for (size_t i = 0; i < parts.size(); i++) j += (i ? "," : "") + JsonString(parts[i]);
    return j + "]";
  }
  static std::string KeyJson(const Namespace& parts) {
    return "{\"elements\":" + ElementsJson(parts) + "}";
  }
  // A content key in a URL path: elements joined by '.', each percent-encoded (a '.' inside an
  // element is Nessie's \u001D escape).
  static std::string KeyPath(const Namespace& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); i++) {
      std::string e = parts[i];
      for (auto& c : e) {
        if (c == '.') c = '\x1d';
      }
      out += (i ? "." : "") + PercentEncode(e);
    }
    return out;
  }

  std::string RefSpelling() const { return ref_hash_.empty() ? ref_ : ref_ + "@" + ref_hash_; }

  void RefuseDetached(const std::string& what) const {
    if (ref_hash_.empty()) return;
    throw Error(ErrorKind::kConnector,
                Describe() + ": cannot write " + what + ": ref " + RefSpelling() +
                    " names a commit (a detached hash), which is read-only; connect with a "
                    "branch (--property ref=<branch>) to write");
  }

  static void DeleteQuietly(FileSystem& fs, const std::string& path) {
    try {
      fs.Delete(path);
    } catch (...) {
    }
  }

  // The content ids Nessie keeps beside the location (Trino and Spark send them).
  static std::string IdsFromMetadata(const std::string& json) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root)) return ",\"snapshotId\":-1";
    auto num = [&](const char* key, int64_t fallback) {
      int64_t v;
      if (root[key].get_int64().get(v) == simdjson::SUCCESS) return v;
      return fallback;
    };
    return ",\"snapshotId\":" + std::to_string(num("current-snapshot-id", -1)) +
           ",\"schemaId\":" + std::to_string(num("current-schema-id", 0)) +
           ",\"specId\":" + std::to_string(num("default-spec-id", 0)) +
           ",\"sortOrderId\":" + std::to_string(num("default-sort-order-id", 0));
  }

  // The current hash of the ref (or the pinned hash of name@hash).
  std::string Head() {
    if (!ref_hash_.empty()) return ref_hash_;
    std::string url = v1_ ? root_ + "/api/v1/trees/tree/" + PercentEncode(ref_)
                          : root_ + "/api/v2/trees/" + PercentEncode(ref_);
    HttpResponse r = Send("GET", url, "");
    std::string what = "ref " + ref_;
    if (r.status == 404) {
      throw Error(ErrorKind::kConnector, display_ + ": no such ref '" + ref_ +
                                             "' (create the branch first, or check "
                                             "--property ref=)");
    }
    Check(r, "GET", url, what);
    simdjson::dom::parser parser;
    simdjson::dom::element root = Parse(parser, r.body, what);
    simdjson::dom::element ref = v1_ ? root : root["reference"].value_unsafe();
    std::string_view hash;
    if (ref["hash"].get_string().get(hash)) {
      throw Error(ErrorKind::kConnector, display_ + ": the answer for " + what + " has no hash");
    }
    std::string_view type;
    if (!ref["type"].get_string().get(type)) ref_type_ = std::string(type);
    return std::string(hash);
  }

  // (type, key elements) of every entry of the ref.
  std::vector<std::pair<std::string, Namespace>> Entries() {
    std::vector<std::pair<std::string, Namespace>> out;
    std::string token;
    std::string hash = Head();
    for (int page = 0; page < 10000; page++) {
      std::string url =
          v1_ ? root_ + "/api/v1/trees/tree/" + PercentEncode(ref_) +
                    "/entries?hashOnRef=" + PercentEncode(hash)
              : root_ + "/api/v2/trees/" + PercentEncode(ref_ + "@" + hash) + "/entries?";
      if (!token.empty()) url += std::string(v1_ ? "&" : "") + "pageToken=" + PercentEncode(token);
      HttpResponse r = Send("GET", url, "");
      Check(r, "GET", url, "the entries of ref " + RefSpelling());
      simdjson::dom::parser parser;
      simdjson::dom::element root = Parse(parser, r.body, "the entries of ref " + RefSpelling());
      simdjson::dom::array entries;
      if (!root["entries"].get_array().get(entries)) {
        for (auto e : entries) {
          std::string_view type;
          if (e["type"].get_string().get(type)) continue;
          simdjson::dom::array elements;
          if (e["name"]["elements"].get_array().get(elements)) continue;
          Namespace parts;
          for (auto p : elements) parts.emplace_back(std::string(p.get_string().value_unsafe()));
          out.emplace_back(std::string(type), std::move(parts));
        }
      }
      bool more = false;
      if (root["hasMore"].get_bool().get(more) != simdjson::SUCCESS) more = false;
      std::string_view next;
      if (!more || root["token"].get_string().get(next) || next.empty()) break;
      token = std::string(next);
    }
    return out;
  }

  // The content of `key` at `hash` of the ref; nullopt when absent.
  std::optional<NessieContent> Content(const Namespace& key, const std::string& hash,
                                       const std::string& ref_name = "") {
    std::string name = ref_name.empty() ? ref_ : ref_name;
    std::string url =
        v1_ ? root_ + "/api/v1/contents/" + KeyPath(key) + "?ref=" + PercentEncode(name) +
                  (hash.empty() ? "" : "&hashOnRef=" + PercentEncode(hash))
            : root_ + "/api/v2/trees/" + PercentEncode(hash.empty() ? name : name + "@" + hash) +
                  "/contents/" + KeyPath(key);
    std::string what = "table " + JoinNamespace(key);
    HttpResponse r = Send("GET", url, "");
    if (r.status == 404) {
      // A missing key, or a missing ref: tell them apart by the message.
      if (r.body.find("eference") != std::string::npos &&
          r.body.find("not found") != std::string::npos &&
          r.body.find("ontent") == std::string::npos) {
        Check(r, "GET", url, what);
      }
      return std::nullopt;
    }
    Check(r, "GET", url, what);
    simdjson::dom::parser parser;
    simdjson::dom::element root = Parse(parser, r.body, what);
    simdjson::dom::element content = root;
    if (!v1_) {
      if (root["content"].get(content)) return std::nullopt;
    }
    NessieContent c;
    std::string_view sv;
    if (!content["type"].get_string().get(sv)) c.type = std::string(sv);
    if (!content["id"].get_string().get(sv)) c.id = std::string(sv);
    if (!content["metadataLocation"].get_string().get(sv)) c.metadata_location = std::string(sv);
    return c;
  }

  std::optional<LoadedTable> LoadAt(const TableIdentifier& id, const std::string& ref) {
    Namespace key = id.ns;
    key.push_back(id.name);
    std::string name = ref, hash;
    auto at = ref.find('@');
    if (at != std::string::npos) {
      name = ref.substr(0, at);
      hash = ref.substr(at + 1);
    } else if (ref.size() >= 16 && ref.find_first_not_of("0123456789abcdef") == std::string::npos) {
      // A bare commit hash: resolve it on the connection's ref.
      name = ref_;
      hash = ref;
    }
    if (name.empty()) name = ref_;
    auto content = Content(key, hash, name);
    if (!content) return std::nullopt;
    if (content->type != "ICEBERG_TABLE") {
      throw Error(ErrorKind::kCatalog, Describe() + ": " + id.ToString() + " is a " +
                                           content->type + ", not an Iceberg table");
    }
    LoadedTable t;
    t.metadata_location = content->metadata_location;
    t.storage = storage_;
    try {
      t.metadata_json = FileSystemForPath(t.metadata_location, storage_)
                            ->OpenForRead(t.metadata_location)
                            ->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kConnector, Describe() + ": table " + id.ToString() +
                                             ": cannot read metadata " + t.metadata_location +
                                             ": " + e.what());
    }
    return t;
  }

  // A Nessie commit of one operation on the branch at `hash`; returns the HTTP status (409 is a
  // conflict; other errors throw).
  long Commit(const std::string& hash, const std::string& operation, const std::string& message) {
    if (!ref_type_.empty() && ref_type_ != "BRANCH") {
      throw Error(ErrorKind::kConnector, Describe() + ": cannot " + message + ": ref " + ref_ +
                                             " is a " + ref_type_ +
                                             ", not a branch (only branches take commits)");
    }
    std::string body = "{\"commitMeta\":{\"message\":" + JsonString("aishell: " + message) +
                       ",\"author\":\"aishell\"},\"operations\":[" + operation + "]}";
    std::string url =
        v1_ ? root_ + "/api/v1/trees/branch/" + PercentEncode(ref_) +
                  "/commit?expectedHash=" + PercentEncode(hash)
            : root_ + "/api/v2/trees/" + PercentEncode(ref_ + "@" + hash) + "/history/commit";
    HttpResponse r = Send("POST", url, body);
    if (r.status == 409) return 409;
    Check(r, "POST", url, message);
    return r.status;
  }

  HttpResponse Send(const std::string& method, const std::string& url, const std::string& body) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.headers.push_back("Accept: application/json");
    if (!body.empty()) request.headers.push_back("Content-Type: application/json");
    return SendHttpRequest(request);
  }

  void Check(const HttpResponse& r, const std::string& method, const std::string& url,
             const std::string& what) const {
    std::string path = StartsWith(url, root_) ? url.substr(root_.size()) : RedactUrl(url);
    if (!r.transport_error.empty()) {
      throw Error(ErrorKind::kConnector, "cannot reach " + display_ + " (" + method + " " + path +
                                             " for " + what + "): " + r.transport_error);
    }
    if (r.status >= 200 && r.status < 300) return;
    std::string detail;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (!parser.parse(r.body).get(root)) {
      std::string_view sv;
      if (!root["message"].get_string().get(sv)) detail = std::string(sv);
    }
    if (detail.empty()) detail = r.body.substr(0, 200);
    if (detail.size() > 300) detail = detail.substr(0, 300) + "...";
    std::string hint;
    if (r.status == 404 && path.find("/api/") == std::string::npos) hint = "";
    if (r.status == 404 && (r.body.find("HTTP 404 Not Found") != std::string::npos ||
                            r.body.find("RESTEASY") != std::string::npos)) {
      hint = " (is this a Nessie server? the URL should end in /api/v1 or /api/v2)";
    }
    throw Error(ErrorKind::kConnector, display_ + ": " + method + " " + path + " for " + what +
                                           " failed with HTTP " + std::to_string(r.status) +
                                           (detail.empty() ? "" : ": " + detail) + hint);
  }

  simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& body,
                               const std::string& what) const {
    simdjson::dom::element root;
    auto error = parser.parse(body).get(root);
    if (error) {
      throw Error(ErrorKind::kConnector, display_ + ": the answer for " + what +
                                             " is not valid JSON (not a Nessie server?)");
    }
    return root;
  }

  bool v1_ = false;
  std::string root_, display_, ref_, ref_hash_, ref_type_, warehouse_;
  StorageOptions storage_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<IcebergCatalog> CreateNessieCatalog(const ConnectionConfig& config) {
  return std::make_unique<NessieCatalog>(config);
}

}  // namespace aishell::iceberg
