// `aishell serve`: Trino's client REST protocol over HTTP (or HTTPS) on loopback by default, so
// the trino CLI, the JDBC driver, trino-python-client, SQLAlchemy and pandas reach the federated
// sources unchanged. Each query runs on an Engine of its own (its own memory budget,
// federation.max_memory) on a thread of its own; server.max_concurrent_queries run at once and up
// to server.max_queued_queries wait, past which a query fails with QUERY_QUEUE_FULL.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace aishell {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;       // 0: any free port (port() tells which)
  std::string home_dir;  // $AISHELL_HOME: connections, views, settings
  int max_concurrent_queries = 8;
  int max_queued_queries = 100;
  // --auth password: HTTP Basic credentials checked against this users file (TLS required).
  std::string password_file;
  std::string tls_cert;  // PEM files; both set: HTTPS
  std::string tls_key;
  std::string acl_file;  // --acl: which users see which connections
  // A query whose client has not asked for its next page for this long is cancelled.
  int64_t abandoned_after_ms = 5 * 60 * 1000;
  // One line per event (start, each query's end), never a secret or query text.
  std::function<void(const std::string&)> log;
};

class TrinoServer {
 public:
  // Reads the users and ACL files; throws Error naming the file when they are bad.
  explicit TrinoServer(ServerOptions options);
  ~TrinoServer();

  // Binds (throws Error(kIo) when the address cannot be bound), then serves until Stop().
  void Start();  // returns once listening; serves on a thread of its own
  void Wait();   // until Stop()
  void Stop();   // safe from another thread or a signal-watching thread
  int port() const;
  std::string base_url() const;  // http(s)://bind:port

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aishell
