// `aishell serve`: runs the Trino protocol server (server/trino_server.h) until SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "engine/config_store.h"
#include "engine/settings.h"
#include "server/server_security.h"
#include "server/trino_server.h"
#include "shell/cli.h"

namespace aishell {

const char* const kServeDetails =
    "Speaks Trino's client REST protocol (POST /v1/statement, nextUri pages, DELETE to cancel):\n"
    "the trino CLI, the JDBC driver, trino-python-client, SQLAlchemy (trino://) and pandas\n"
    "connect to http://127.0.0.1:8080 with any user name. --port 0 picks a free port (printed).\n"
    "Each query has its own memory budget (federation.max_memory); server.max_concurrent_queries\n"
    "run at once (default 8), server.max_queued_queries wait (default 100), more fail with\n"
    "QUERY_QUEUE_FULL. --bind 0.0.0.0 listens on every interface.\n"
    "--auth password checks HTTP Basic credentials against --users FILE (lines\n"
    "user:iterations:salt_hex:hash_hex, PBKDF2-HMAC-SHA256; `aishell serve --hash-password USER`\n"
    "prints one for a password read from stdin) and needs --tls-cert/--tls-key (PEM).\n"
    "--acl acl.yaml: which users see which connections (users: {alice: [crm, lake]}, default: "
    "[]).\n";

int Cli::Serve(const ParsedArgs& args) {
  if (auto user = args.Get("--hash-password")) {
    std::string password;
    std::getline(std::cin, password);
    std::printf("%s\n", PasswordFile::HashLine(*user, password).c_str());
    return 0;
  }
  if (!args.positional.empty()) throw UsageError{"serve takes no arguments", "serve"};
  ServerOptions options;
  options.home_dir = home_;
  options.bind = args.Get("--bind").value_or("127.0.0.1");
  if (auto port = args.Get("--port")) {
    char* end = nullptr;
    long p = std::strtol(port->c_str(), &end, 10);
    if (port->empty() || *end || p < 0 || p > 65535)
      throw UsageError{"--port needs a port number (0-65535), not '" + *port + "'", "serve"};
    options.port = static_cast<int>(p);
  }
  if (auto auth = args.Get("--auth")) {
    if (*auth != "password")
      throw UsageError{"--auth takes `password`, not '" + *auth + "'", "serve"};
    auto users = args.Get("--users");
    if (!users) throw UsageError{"--auth password needs --users FILE", "serve"};
    options.password_file = *users;
  } else if (args.Get("--users")) {
    throw UsageError{"--users goes with --auth password", "serve"};
  }
  options.tls_cert = args.Get("--tls-cert").value_or("");
  options.tls_key = args.Get("--tls-key").value_or("");
  options.acl_file = args.Get("--acl").value_or("");
  auto settings = store().LoadSettings();
  for (const auto& [key, value] : settings) {
    if (key == "server.max_concurrent_queries")
      options.max_concurrent_queries = static_cast<int>(ParseCountSetting(key, value, 1, 10000));
    if (key == "server.max_queued_queries")
      options.max_queued_queries = static_cast<int>(ParseCountSetting(key, value, 0, 100000));
  }
  options.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };

  // SIGINT/SIGTERM are taken by this thread (sigwait), so every server thread blocks them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  TrinoServer server(options);
  server.Start();
  size_t connections = store().LoadConnections().size();
  std::printf("aishell serve: listening on %s (Trino client protocol; %zu connection%s)\n",
              server.base_url().c_str(), connections, connections == 1 ? "" : "s");
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "aishell serve: stopping\n");
  server.Stop();
  return 0;
}

}  // namespace aishell
