#include "connectors/elasticsearch/elasticsearch_client.h"

#include <curl/curl.h>
#include <simdjson.h>
#include <zlib.h>

#include <chrono>
#include <thread>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"

namespace aishell {

namespace {

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "x-elastic-product:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; i++)
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) {
      std::string value(line.substr(kName.size()));
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.pop_back();
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      *static_cast<std::string*>(user) = value;
    }
  }
  return size * count;
}

// `body` gzip-compressed (a request body Elasticsearch inflates: Content-Encoding: gzip).
bool Gzip(const std::string& body, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  out->resize(deflateBound(&z, body.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&z, Z_FINISH);
  out->resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

bool Retryable(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

EsClient::EsClient(EsClientOptions options, std::string where)
    : options_(std::move(options)), where_(std::move(where)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!options_.api_key.empty()) auth_header_ = "Authorization: ApiKey " + options_.api_key;
}

EsClient::~EsClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* EsClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_++;
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw Error(ErrorKind::kConnector, where_ + ": cannot initialize libcurl");
  return h;
}

void EsClient::Release(void* handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < 16) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

std::string EsClient::Scrub(std::string text) const {
  auto mask = [&](const std::string& secret) {
    if (secret.size() < 3) return;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
      text.replace(at, secret.size(), "***");
  };
  mask(options_.password);
  mask(options_.api_key);
  return RedactText(text);
}

EsResponse EsClient::Send(const std::string& method, const std::string& path,
                          const std::string& body, const char* content_type) {
  std::string url = options_.base_url + path;
  // Large request bodies (bulk writes, long terms lists) go compressed where responses are.
  std::string compressed;
  bool gzipped = options_.compression && body.size() >= 4096 && Gzip(body, &compressed);
  const std::string& sent = gzipped ? compressed : body;
  bool idempotent = method == "GET" || method == "HEAD" ||
                    path.find("_search") != std::string::npos ||
                    path.find("_count") != std::string::npos || method == "DELETE";
  EsResponse r;
  for (int attempt = 0;; attempt++) {
    r = EsResponse();
    CURL* h = static_cast<CURL*>(Acquire());
    curl_easy_reset(h);
    curl_slist* headers = nullptr;
    if (!auth_header_.empty()) headers = curl_slist_append(headers, auth_header_.c_str());
    if (!body.empty())
      headers = curl_slist_append(headers, (std::string("Content-Type: ") + content_type).c_str());
    if (gzipped) headers = curl_slist_append(headers, "Content-Encoding: gzip");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    if (options_.compression) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, CollectBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, CollectHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.product);
    if (!options_.user.empty() || !options_.password.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(h, CURLOPT_USERNAME, options_.user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.verify_tls) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, sent.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sent.size()));
    }
    // libcurl silently sends a request again when a reused connection turns out dead: a _bulk
    // write of documents without _id would then be indexed twice. Writes take a fresh one.
    if (!idempotent) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    std::string transport_error;
    if (rc != CURLE_OK) {
      transport_error = curl_easy_strerror(rc);
      curl_easy_cleanup(h);  // the connection may be half-used: never reuse it
    } else {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
      answered_ = true;
      Release(h);
    }
    bool retry = attempt < options_.max_retries &&
                 ((transport_error.empty() && Retryable(r.status)) ||
                  (!transport_error.empty() && idempotent && rc != CURLE_COULDNT_CONNECT));
    if (retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
      continue;
    }
    if (!transport_error.empty()) {
      std::string hint;
      if (rc == CURLE_COULDNT_CONNECT) hint = " (is the server running?)";
      if ((rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR) && !answered_)
        hint = " (an HTTPS server? connect with elasticsearchs:// or ?tls=true)";
      if (answered_ && rc != CURLE_COULDNT_CONNECT)
        hint = " (the server answered before: did it stop or restart?)";
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
          rc == CURLE_SSL_CONNECT_ERROR)
        hint =
            " (the server's certificate was not verified: set --property tls.ca-file=<CA "
            "certificate>, or tls.verify=false)";
      throw Error(ErrorKind::kConnector, where_ + ": cannot reach Elasticsearch at " +
                                             options_.base_url + " (" + method + " " + path +
                                             "): " + Scrub(transport_error) + hint);
    }
    break;
  }
  r.body.reserve(r.body.size() + simdjson::SIMDJSON_PADDING);
  return r;
}

std::string EsClient::DescribeFailure(const EsResponse& r, const std::string& method,
                                      const std::string& path, const std::string& what) const {
  std::string detail;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (!parser.parse(r.body).get(root)) {
    simdjson::dom::element err;
    if (!root["error"].get(err)) {
      std::string_view s;
      if (err.is_string() && !err.get(s)) {
        detail = std::string(s);
      } else {
        // The root cause says more than the wrapper (search_phase_execution_exception).
        simdjson::dom::element cause = err;
        simdjson::dom::array causes;
        if (!err["root_cause"].get(causes) && causes.size() > 0) cause = causes.at(0);
        std::string_view type, reason;
        if (!cause["type"].get(type)) detail = std::string(type);
        if (!cause["reason"].get(reason))
          detail += (detail.empty() ? "" : ": ") + std::string(reason);
        std::string_view index;
        if (!cause["index"].get(index) && detail.find(std::string(index)) == std::string::npos)
          detail += " (index " + std::string(index) + ")";
      }
    }
  }
  if (detail.empty()) detail = r.body.substr(0, 300);
  std::string hint;
  if (r.status == 401) hint = " (authentication failed: check the user and password or API key)";
  if (r.status == 403) hint = " (the user lacks the privilege for this request)";
  if (r.status == 429)
    hint =
        " (the server is overloaded; retried " + std::to_string(options_.max_retries) + " times)";
  if (Retryable(r.status) && r.status != 429)
    hint =
        " (the server is unavailable; retried " + std::to_string(options_.max_retries) + " times)";
  return where_ + ": " + what + " failed: " + method + " " + path + " answered HTTP " +
         std::to_string(r.status) + ": " + Scrub(detail) + hint;
}

EsResponse EsClient::Request(const std::string& method, const std::string& path,
                             const std::string& what, const std::string& body,
                             const char* content_type) {
  EsResponse r;
  try {
    r = Send(method, path, body, content_type);
  } catch (const Error& e) {
    // A transport failure (the server stopped mid-scan): say what was being done, too.
    std::string message = e.what();
    std::string prefix = where_ + ": ";
    if (message.rfind(prefix, 0) == 0) message.insert(prefix.size(), Scrub(what) + " failed: ");
    throw Error(e.kind(), message);
  }
  if (r.status < 200 || r.status >= 300)
    throw Error(ErrorKind::kConnector, DescribeFailure(r, method, path, what));
  return r;
}

}  // namespace aishell
