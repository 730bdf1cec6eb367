// `aishell cache enable [--ttl 300] | disable | clear | status`: the result cache
// (engine/result_cache.h), switched by the settings cache.ttl and cache.max_size.
#include <fmt/format.h>

#include <cstdio>

#include "common/exception.h"
#include "engine/result_cache.h"
#include "engine/settings.h"
#include "shell/cli.h"

namespace aishell {

int Cli::Cache(const ParsedArgs& args) {
  if (args.positional.size() != 1)
    throw UsageError{"cache needs one of enable, disable, clear, status", "cache"};
  const std::string& action = args.positional[0];
  ResultCache cache(home_ + "/cache/results");
  if (action != "enable" && (args.Has("--ttl") || args.Has("--max-size")))
    throw UsageError{"--ttl and --max-size go with `cache enable`", "cache"};
  if (action == "enable") {
    std::string ttl = args.Get("--ttl").value_or("300");
    int64_t ttl_ms = 0;
    try {
      ttl_ms = ParseDurationSetting("cache.ttl", ttl);
    } catch (const Error& e) {
      throw UsageError{std::string("--ttl: ") + e.what(), "cache"};
    }
    if (ttl_ms <= 0)
      throw UsageError{"--ttl must be above 0 (use `cache disable` to stop)", "cache"};
    store().SetSetting("cache.ttl", FormatDurationSetting(ttl_ms));
    if (auto size = args.Get("--max-size")) {
      try {
        if (ParseByteSize(*size) <= 0) throw Error(ErrorKind::kConversion, "must be above 0");
      } catch (const Error& e) {
        throw UsageError{"--max-size '" + *size + "': " + e.what(), "cache"};
      }
      store().SetSetting("cache.max_size", *size);
    }
    auto size = store().GetSetting("cache.max_size");
    std::printf("✅ Result cache enabled: results are reused for %s (cache.ttl), up to %s\n",
                FormatDurationSetting(ttl_ms).c_str(), size ? size->c_str() : "256MB");
    std::printf("   in %s/cache/results; `aishell query ... --fresh-data` runs a query again\n",
                home_.c_str());
    return 0;
  }
  if (action == "disable") {
    store().UnsetSetting("cache.ttl");
    int removed = cache.Clear();
    std::printf("Result cache disabled (%d cached result%s removed)\n", removed,
                removed == 1 ? "" : "s");
    return 0;
  }
  if (action == "clear") {
    int removed = cache.Clear();
    std::printf("Cleared %d cached result%s\n", removed, removed == 1 ? "" : "s");
    return 0;
  }
  if (action == "status") {
    auto ttl = store().GetSetting("cache.ttl");
    auto size = store().GetSetting("cache.max_size");
    ResultCacheStatus s = cache.Status();
    bool on = ttl && *ttl != "none" && *ttl != "0";
    std::printf("Result cache: %s\n", on ? ("enabled, ttl " + *ttl).c_str() : "disabled");
    std::printf("Entries: %lld (%s of %s)\n", static_cast<long long>(s.entries),
                FormatByteSize(s.bytes).c_str(), size ? size->c_str() : "256MB");
    if (s.oldest_age_seconds)
      std::printf("Oldest: %.0f s old, newest: %.0f s old\n", *s.oldest_age_seconds,
                  *s.newest_age_seconds);
    std::printf("Folder: %s/cache/results\n", home_.c_str());
    return 0;
  }
  std::string hint = SuggestName(action, {"enable", "disable", "clear", "status"});
  throw UsageError{"unknown cache action '" + action + "'" +
                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                   "cache"};
}

}  // namespace aishell
