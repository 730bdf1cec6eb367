// `aishell monitor federation`: per-source queries, rows, bytes, time, cache hits and errors, the
// slowest steps and the budgets, from the query history of $AISHELL_HOME
// (engine/query_history.h) or, with --server, of a running `aishell serve`
// (server/monitor_client.h); --watch refreshes, --dashboard prints the /ui URL.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "engine/config_store.h"
#include "engine/query_history.h"
#include "server/monitor_client.h"
#include "shell/cli.h"

namespace aishell {

const char* const kMonitorDetails =
    "Reads the recent queries (the last 1000) that `aishell query`, the shell and `aishell serve`\n"
    "ran with this $AISHELL_HOME (its query_history.jsonl), or with --server URL those a running\n"
    "`aishell serve` keeps in memory: for every source the queries that read it, rows and bytes\n"
    "read, average and slowest time, result-cache hits, errors; the slowest steps; the budgets\n"
    "(federation.max_memory, federation.max_query_time) and how close the queries came to them.\n"
    "--watch refreshes every 2 s (Ctrl-C ends); --dashboard prints the address of the server's\n"
    "/ui page (--server, default http://127.0.0.1:8080).\n";

int Cli::Monitor(const ParsedArgs& args) {
  if (args.positional.size() != 1 || args.positional[0] != "federation")
    throw UsageError{"monitor takes `federation`", "monitor"};
  auto server_arg = args.Get("--server");
  std::string server = server_arg.value_or("http://127.0.0.1:8080");
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (args.Has("--dashboard")) {
    std::printf("%s/ui\n", server.c_str());
    return 0;
  }
  const char* user = std::getenv("USER");
  bool watch = args.Has("--watch");
  while (true) {
    std::string text = server_arg ? FetchFederationSummary(server, user && *user ? user : "aishell")
                                  : QueryHistorySummary(ReadQueryHistory(store().home()));
    if (watch && isatty(STDOUT_FILENO)) std::printf("\033[H\033[2J");
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    if (!watch) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

}  // namespace aishell
