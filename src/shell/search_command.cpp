// `aishell search "<terms>" [--all-databases | --in <source>...] [--limit N] [--timeout SECONDS]
// [--explain] [--format table|json]`: workflows/federated_search.h over the connected sources.
// `--in a b` (names after the terms, up to the next option), `--in a,b` and `--in a --in b`.
#include <cstdio>
#include <cstdlib>

#include "common/exception.h"
#include "engine/settings.h"
#include "shell/cli.h"
#include "workflows/federated_search.h"

namespace aishell {

int Cli::Search(const ParsedArgs& args) {
  SearchOptions options;
  for (const auto& p : args.positional) options.terms += (options.terms.empty() ? "" : " ") + p;
  if (options.terms.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError{"search needs the words to look for: aishell search \"wireless mouse\"",
                     "search"};
  if (args.Has("--all-databases") && args.Has("--in"))
    throw UsageError{"--all-databases and --in exclude each other", "search"};
  if (auto it = args.options.find("--in"); it != args.options.end()) {
    for (const auto& v : it->second) {
      // --in a,b as well as --in a --in b.
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string name =
            v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) options.sources.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    if (options.sources.empty()) throw UsageError{"--in needs a source name", "search"};
  }
  if (auto l = args.Get("--limit")) {
    char* end = nullptr;
    long long n = std::strtoll(l->c_str(), &end, 10);
    if (l->empty() || *end || n < 1 || n > 1000)
      throw UsageError{"--limit needs a number from 1 to 1000, not '" + *l + "'", "search"};
    options.limit = n;
  }
  if (auto t = args.Get("--timeout")) {
    try {
      options.budget_ms = ParseDurationSetting("--timeout", *t);
    } catch (const Error& e) {
      throw UsageError{e.what(), "search"};
    }
    if (options.budget_ms <= 0) throw UsageError{"--timeout must be above 0", "search"};
  }
  options.all_schemas = args.Has("--all-schemas");
  {
    // search.redis_max_keys (aishell config set), validated when it was set.
    auto settings = store().LoadSettings();
    if (auto it = settings.find("search.redis_max_keys"); it != settings.end())
      options.redis_max_keys = std::strtoll(it->second.c_str(), nullptr, 10);
    if (options.redis_max_keys < 1) options.redis_max_keys = 100000;
  }
  bool json = false;
  if (auto f = args.Get("--format")) {
    if (*f == "json")
      json = true;
    else if (*f != "table")
      throw UsageError{"unknown format '" + *f + "'; use table or json", "search"};
  }
  Engine& e = engine();
  SearchResult result;
  try {
    SearchWords(options.terms);
  } catch (const Error& err) {
    throw UsageError{err.what(), "search"};
  }
  result = RunFederatedSearch(connection_engine().ListConnections(), e.options(), options);
  std::string text =
      json ? SearchJson(result) : RenderSearch(result, TerminalWidth(), args.Has("--explain"));
  std::fputs(text.c_str(), stdout);
  bool all_failed = true;
  for (const auto& s : result.sources) all_failed = all_failed && !s.error.empty();
  return all_failed ? 1 : 0;
}

}  // namespace aishell
