// The Elasticsearch HTTP client: libcurl handles kept alive per thread of use (a small pool),
// basic auth or an API key (`Authorization: ApiKey ...`), HTTPS with a CA file, gzip responses,
// and bounded retries with backoff on 429 and 5xx. Errors name the source and the request and
// never carry the password or the API key.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace aishell {

struct EsClientOptions {
  std::string base_url;  // http(s)://host:port, no credentials
  std::string user;
  std::string password;  // never printed
  std::string api_key;   // never printed; sent as "Authorization: ApiKey <api_key>"
  std::string ca_file;   // tls.ca-file
  bool verify_tls = true;
  // gzip responses and request bodies of 4 KB or more: on by default for remote hosts, off on
  // loopback (where compressing costs more than it saves); property http.compression=true|false.
  bool compression = true;
  int max_retries = 3;  // on 429 / 502 / 503 / 504, with backoff
  long timeout_ms = 120000;
};

struct EsResponse {
  long status = 0;
  std::string body;     // the decoded body, with simdjson's padding reserved past its end
  std::string product;  // the X-elastic-product header, if any
};

class EsClient {
 public:
  EsClient(EsClientOptions options, std::string where);
  ~EsClient();
  EsClient(const EsClient&) = delete;
  EsClient& operator=(const EsClient&) = delete;

  // Sends one request (`path` starts with "/"); retries 429 and 502-504 up to max_retries.
  // Throws Error(kConnector) naming the source for a transport failure; returns every HTTP
  // status to the caller.
  EsResponse Send(const std::string& method, const std::string& path, const std::string& body = {},
                  const char* content_type = "application/json");
  // Send, and throw a clear error unless the status is 2xx. `what` says what was being done
  // ("reading the mapping of index logs").
  EsResponse Request(const std::string& method, const std::string& path, const std::string& what,
                     const std::string& body = {}, const char* content_type = "application/json");

  // An error message for a failed response: the status, the server's error type and reason
  // (with the password scrubbed), and a hint for 401/403/404/429.
  std::string DescribeFailure(const EsResponse& r, const std::string& method,
                              const std::string& path, const std::string& what) const;

  const std::string& where() const { return where_; }
  const std::string& display_url() const { return options_.base_url; }
  // Requests sent, for tests and EXPLAIN ANALYZE-like counters.
  int64_t requests_sent() const { return requests_; }

 private:
  void* Acquire();
  void Release(void* handle);
  std::string Scrub(std::string text) const;

  EsClientOptions options_;
  std::string where_;
  std::string auth_header_;
  std::mutex mutex_;
  std::vector<void*> idle_;
  int64_t requests_ = 0;
  std::atomic<bool> answered_{false};  // some request got an HTTP answer (for error hints)
};

}  // namespace aishell
