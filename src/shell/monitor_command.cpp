// `aishell monitor federation`: per-source queries, rows, bytes, time and errors of a running
// `aishell serve` (server/monitor_client.h); --watch refreshes, --dashboard prints the /ui URL.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "server/monitor_client.h"
#include "shell/cli.h"

namespace aishell {

const char* const kMonitorDetails =
    "Reads a running `aishell serve` (--server, default http://127.0.0.1:8080): for every source\n"
    "the queries that read it since the server started, rows and bytes read, average and slowest\n"
    "time, errors. --watch refreshes every 2 s (Ctrl-C ends); --dashboard prints the address of\n"
    "the server's /ui page.\n";

int Cli::Monitor(const ParsedArgs& args) {
  if (args.positional.size() != 1 || args.positional[0] != "federation")
    throw UsageError{"monitor takes `federation`", "monitor"};
  std::string server = args.Get("--server").value_or("http://127.0.0.1:8080");
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (args.Has("--dashboard")) {
    std::printf("%s/ui\n", server.c_str());
    return 0;
  }
  const char* user = std::getenv("USER");
  bool watch = args.Has("--watch");
  while (true) {
    std::string text = FetchFederationSummary(server, user && *user ? user : "aishell");
    if (watch && isatty(STDOUT_FILENO)) std::printf("\033[H\033[2J");
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (!watch) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

}  // namespace aishell
