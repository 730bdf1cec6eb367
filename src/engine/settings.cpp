#include "engine/settings.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "common/time_zone.h"
#include "engine/engine.h"
#include "planner/plan_steps.h"
#include "planner/planner.h"

namespace aishell {

namespace {

std::string BoolText(bool b) { return b ? "true" : "false"; }

// A session setting read from EngineOptions: canonical name "federation.<session name>", the bare
// session name accepted too (as SET SESSION spells it).
SettingDef Session(const std::string& name, SettingType type, const std::string& doc,
                   const std::string& reader,
                   std::function<void(EngineOptions&, const std::string&)> apply,
                   std::function<std::string(const EngineOptions&)> current, int64_t min = 0,
                   int64_t max = std::numeric_limits<int64_t>::max()) {
  SettingDef def;
  def.name = "federation." + name;
  def.aliases = {name};
  def.type = type;
  def.doc = doc;
  def.reader = reader;
  def.min = min;
  def.max = max;
  def.session_name = name;
  def.apply = std::move(apply);
  def.current = std::move(current);
  def.default_value = def.current(EngineOptions{});
  return def;
}

std::vector<SettingDef> BuiltinSettings() {
  using T = SettingType;
  std::vector<SettingDef> out;
  out.push_back(Session(
      "max_memory", T::kByteSize, "memory limit per query (e.g. 512MB, 4GB)", "executor",
      [](EngineOptions& o, const std::string& v) { o.max_memory = ParseByteSize(v); },
      [](const EngineOptions& o) { return FormatByteSize(o.max_memory); }));
  out.push_back(Session(
      "spill", T::kBool,
      "beyond max_memory, hash aggregation, sort and hash join spill to disk instead of failing",
      "executor",
      [](EngineOptions& o, const std::string& v) { o.spill = ParseBoolSetting("spill", v); },
      [](const EngineOptions& o) { return BoolText(o.spill); }));
  out.push_back(Session(
      "spill_path", T::kText,
      "directory for spill files (a directory per query inside it, removed when the query ends); "
      "empty = $TMPDIR",
      "executor",
      [](EngineOptions& o, const std::string& v) {
        o.spill_path = TrimSpace(v) == "$TMPDIR" ? "" : TrimSpace(v);
      },
      [](const EngineOptions& o) { return o.spill_path.empty() ? "$TMPDIR" : o.spill_path; }));
  out.push_back(Session(
      "spill_max_size", T::kByteSize, "most bytes one query may spill to disk; 0 = no cap",
      "executor",
      [](EngineOptions& o, const std::string& v) { o.spill_max_bytes = ParseByteSize(v); },
      [](const EngineOptions& o) { return FormatByteSize(o.spill_max_bytes); }));
  out.push_back(Session(
      "threads", T::kCount, "worker threads; 0 = one per core", "executor",
      [](EngineOptions& o, const std::string& v) {
        o.threads = static_cast<int>(ParseCountSetting("threads", v, 0, 1024));
      },
      [](const EngineOptions& o) { return std::to_string(o.threads); }, 0, 1024));
  out.push_back(Session(
      "pushdown", T::kBool, "offer filters, limits, order and aggregation to sources", "planner",
      [](EngineOptions& o, const std::string& v) { o.pushdown = ParseBoolSetting("pushdown", v); },
      [](const EngineOptions& o) { return BoolText(o.pushdown); }));
  out.push_back(Session(
      "lookup_join", T::kBool, "join by batched key lookups where a source supports them",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        o.lookup_join = ParseBoolSetting("lookup_join", v);
      },
      [](const EngineOptions& o) { return BoolText(o.lookup_join); }));
  out.push_back(Session(
      "lookup_join_max_rows", T::kCount,
      "lookup join only when the other side has at most this many estimated rows", "planner",
      [](EngineOptions& o, const std::string& v) {
        o.lookup_join_max_rows = ParseCountSetting("lookup_join_max_rows", v, 0, int64_t{1} << 40);
      },
      [](const EngineOptions& o) { return std::to_string(o.lookup_join_max_rows); }, 0,
      int64_t{1} << 40));
  SettingDef batch = Session(
      "lookup_batch_size", T::kCount, "distinct keys per key lookup batch", "planner",
      [](EngineOptions& o, const std::string& v) {
        o.lookup_batch_size = ParseCountSetting("lookup_batch_size", v, 1, 1000000);
      },
      [](const EngineOptions& o) { return std::to_string(o.lookup_batch_size); }, 1, 1000000);
  batch.aliases.push_back("federation.batch_size");
  batch.aliases.push_back("batch_size");
  out.push_back(std::move(batch));
  out.push_back(Session(
      "dynamic_filtering", T::kBool,
      "offer a hash join's build keys to the probe scan (IN list / min-max)", "planner",
      [](EngineOptions& o, const std::string& v) {
        o.dynamic_filtering = ParseBoolSetting("dynamic_filtering", v);
      },
      [](const EngineOptions& o) { return BoolText(o.dynamic_filtering); }));
  out.push_back(Session(
      "dynamic_filter_max_keys", T::kCount, "most build keys offered as a dynamic filter",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        o.dynamic_filter_max_keys = ParseCountSetting("dynamic_filter_max_keys", v, 0, 1000000);
      },
      [](const EngineOptions& o) { return std::to_string(o.dynamic_filter_max_keys); }, 0,
      1000000));
  out.push_back(Session(
      "max_cartesian_rows", T::kCount,
      "refuse a join without an equality condition estimated above this many rows (0: never; "
      "query --allow-cartesian runs it, --auto-fix adds the suggested condition)",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        o.max_cartesian_rows = ParseCountSetting("max_cartesian_rows", v, 0, int64_t{1} << 62);
      },
      [](const EngineOptions& o) { return std::to_string(o.max_cartesian_rows); }, 0,
      int64_t{1} << 62));
  out.push_back(Session(
      "preserve_insertion_order", T::kBool,
      "rows of a scan without ORDER BY in the table's order, also when parallel", "planner",
      [](EngineOptions& o, const std::string& v) {
        o.preserve_insertion_order = ParseBoolSetting("preserve_insertion_order", v);
      },
      [](const EngineOptions& o) { return BoolText(o.preserve_insertion_order); }));

  SettingDef time_zone = Session(
      "time_zone", T::kText,
      "the session time zone (an IANA name such as America/New_York, UTC, or an offset such as "
      "+05:30): current_date, localtimestamp and AT TIME ZONE use it; SET TIME ZONE sets it",
      "engine",
      [](EngineOptions& o, const std::string& v) {
        o.time_zone = TimeZone::Get(v, "federation.time_zone").name();
      },
      [](const EngineOptions& o) { return o.time_zone; });
  time_zone.aliases.push_back("session.time_zone");
  time_zone.aliases.push_back("time_zone_id");  // Trino's session property (SET TIME ZONE)
  out.push_back(std::move(time_zone));

  SettingDef timeout = Session(
      "timeout", T::kDuration,
      "time limit per query (e.g. 60s, 5m; none: no limit): the query is cancelled when it "
      "runs longer",
      "engine",
      [](EngineOptions& o, const std::string& v) {
        std::string t = AsciiLower(TrimSpace(v));
        o.timeout_ms = t == "none" || t == "0" ? 0 : ParseDurationSetting("federation.timeout", v);
      },
      [](const EngineOptions& o) { return FormatDurationSetting(o.timeout_ms); });
  timeout.aliases.push_back("federation.max_query_time");
  timeout.aliases.push_back("query_max_run_time");  // Trino's session property
  out.push_back(std::move(timeout));

  out.push_back(Session(
      "eager_aggregation", T::kBool,
      "pre-aggregate a join input by its join keys in its source before a cross-source join "
      "(seed 002's $group before the join)",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        o.eager_aggregation = ParseBoolSetting("eager_aggregation", v);
      },
      [](const EngineOptions& o) { return BoolText(o.eager_aggregation); }));
  out.push_back(Session(
      "join_reordering", T::kBool,
      "choose the order of inner joins by cost from the sources' statistics (false: as written)",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        o.join_reordering = ParseBoolSetting("join_reordering", v);
      },
      [](const EngineOptions& o) { return BoolText(o.join_reordering); }));
  out.push_back(Session(
      "parallel", T::kBool,
      "read independent sources at the same time (the build sides of a chain of joins)", "executor",
      [](EngineOptions& o, const std::string& v) {
        o.parallel_fetch = ParseBoolSetting("parallel", v);
      },
      [](const EngineOptions& o) { return BoolText(o.parallel_fetch); }));
  SettingDef on_failure = Session(
      "on_source_failure", T::kText,
      "fail: a query fails when a source fails; continue: an outer join's inner side or a UNION "
      "branch whose source fails reads as empty, with a warning (partial results)",
      "executor",
      [](EngineOptions& o, const std::string& v) {
        o.continue_on_source_failure = ParseChoiceSetting("federation.on_source_failure", v,
                                                          {"fail", "continue"}) == "continue";
      },
      [](const EngineOptions& o) {
        return std::string(o.continue_on_source_failure ? "continue" : "fail");
      });
  on_failure.choices = {"fail", "continue"};
  out.push_back(std::move(on_failure));

  SettingDef cache_ttl;
  cache_ttl.name = "cache.ttl";
  cache_ttl.type = T::kDuration;
  cache_ttl.default_value = "none";
  cache_ttl.doc =
      "how long a query result is reused (none: the result cache is off; `aishell cache enable "
      "--ttl 300` sets it)";
  cache_ttl.reader = "engine";
  cache_ttl.apply = [](EngineOptions& o, const std::string& v) {
    std::string t = AsciiLower(TrimSpace(v));
    o.result_cache_ttl_ms =
        t == "none" || t == "0" || t == "off" ? 0 : ParseDurationSetting("cache.ttl", v);
  };
  out.push_back(std::move(cache_ttl));
  SettingDef cache_size;
  cache_size.name = "cache.max_size";
  cache_size.type = T::kByteSize;
  cache_size.default_value = "256MB";
  cache_size.doc = "the result cache's size cap; the least recently used results go first";
  cache_size.reader = "engine";
  cache_size.apply = [](EngineOptions& o, const std::string& v) {
    o.result_cache_max_bytes = ParseByteSize(v);
  };
  out.push_back(std::move(cache_size));
  SettingDef throughput = Session(
      "source_throughput", T::kText,
      "explain's time model per source type: type=ROWS_PER_SECOND/LATENCY/ROWS_PER_ROUND_TRIP, "
      "comma-separated, over the defaults (docs/federation.md)",
      "explain",
      [](EngineOptions& o, const std::string& v) {
        ParseThroughputModel(v);  // refuses a bad entry, naming it
        o.source_throughput = TrimSpace(v);
      },
      [](const EngineOptions& o) {
        return o.source_throughput.empty() ? DefaultThroughputModel() : o.source_throughput;
      });
  out.push_back(std::move(throughput));

  out.push_back(Session(
      "type_mappings", T::kText,
      "source columns read as another type in every query: 'catalog.schema.table.column: type', "
      "comma-separated (e.g. users-db.public.users.id: varchar); none: no mappings",
      "planner",
      [](EngineOptions& o, const std::string& v) {
        std::string t = TrimSpace(v);
        if (AsciiLower(t) == "none") t.clear();
        ParseTypeMappings(t);  // refuses a bad entry, naming it
        o.type_mappings = t;
      },
      [](const EngineOptions& o) {
        return o.type_mappings.empty() ? std::string("none") : o.type_mappings;
      }));

  SettingDef max_rows;
  max_rows.name = "display.max_rows";
  max_rows.type = T::kCount;
  max_rows.default_value = "1000";
  max_rows.doc = "rows shown by table output (query --max-rows overrides it)";
  max_rows.reader = "shell";
  out.push_back(std::move(max_rows));
  return out;
}

}  // namespace

const char* SettingTypeName(SettingType type) {
  switch (type) {
    case SettingType::kBool:
      return "boolean";
    case SettingType::kCount:
      return "number";
    case SettingType::kByteSize:
      return "size";
    case SettingType::kDuration:
      return "duration";
    case SettingType::kText:
      return "text";
  }
  return "text";
}

SettingsRegistry::SettingsRegistry() {
  for (auto& def : BuiltinSettings()) settings_[def.name] = std::move(def);
}

SettingsRegistry& SettingsRegistry::Global() {
  static SettingsRegistry registry;
  return registry;
}

void SettingsRegistry::Register(SettingDef def) {
  def.name = AsciiLower(def.name);
  for (auto& a : def.aliases) a = AsciiLower(a);
  std::lock_guard<std::mutex> lock(mutex_);
  settings_[def.name] = std::move(def);
}

const SettingDef* SettingsRegistry::Find(const std::string& name) const {
  std::string key = AsciiLower(name);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = settings_.find(key); it != settings_.end()) return &it->second;
  for (const auto& [n, def] : settings_)
    if (std::find(def.aliases.begin(), def.aliases.end(), key) != def.aliases.end()) return &def;
  return nullptr;
}

std::string SettingsRegistry::Suggest(const std::string& name) const {
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [n, def] : settings_) {
      names.push_back(n);
      names.insert(names.end(), def.aliases.begin(), def.aliases.end());
    }
  }
  return SuggestName(name, names);
}

void SettingsRegistry::Validate(const SettingDef& def, const std::string& given,
                                const std::string& value) {
  switch (def.type) {
    case SettingType::kBool:
      ParseBoolSetting(given, value);
      return;
    case SettingType::kCount:
      ParseCountSetting(given, value, def.min, def.max);
      return;
    case SettingType::kByteSize:
      try {
        ParseByteSize(value);
      } catch (const Error& e) {
        throw Error(ErrorKind::kConversion,
                    "invalid value '" + value + "' for " + given + ": " + e.what());
      }
      return;
    case SettingType::kDuration:
      if (AsciiLower(TrimSpace(value)) != "none") ParseDurationSetting(given, value);
      return;
    case SettingType::kText:
      if (!def.choices.empty()) ParseChoiceSetting(given, value, def.choices);
      // A session text setting with its own syntax refuses a bad value when applied.
      if (def.choices.empty() && def.apply) {
        EngineOptions scratch;
        def.apply(scratch, value);
      }
      return;
  }
}

std::vector<SettingDef> SettingsRegistry::All() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SettingDef> out;
  for (const auto& [n, def] : settings_) out.push_back(def);
  return out;
}

std::vector<SettingDef> SettingsRegistry::SessionSettings() const {
  std::vector<SettingDef> out;
  for (auto& def : All())
    if (!def.session_name.empty() && def.apply) out.push_back(std::move(def));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.session_name < b.session_name; });
  return out;
}

int64_t ParseByteSize(const std::string& text) {
  std::string t = AsciiLower(TrimSpace(text));
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) i++;
  std::string number = t.substr(0, i);
  std::string unit = TrimSpace(t.substr(i));
  if (number.empty() || number == ".") {
    throw Error(
        ErrorKind::kConversion,
        "invalid size '" + text + "': expected a number with an optional unit (e.g. 512MB, 4GB)");
  }
  double value = std::strtod(number.c_str(), nullptr);
  double mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    mult = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    mult = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "t" || unit == "tb" || unit == "tib")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else
    throw Error(ErrorKind::kConversion,
                "invalid size unit '" + unit + "' in '" + text + "' (use B, KB, MB, GB or TB)");
  double bytes = value * mult;
  if (bytes < 1 || bytes > 9.0e18)
    throw Error(ErrorKind::kConversion, "size '" + text + "' is out of range");
  return static_cast<int64_t>(bytes);
}

std::string FormatByteSize(int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  int64_t v = bytes;
  while (u < 4 && v >= 1024 && v % 1024 == 0) {
    v /= 1024;
    u++;
  }
  return std::to_string(v) + units[u];
}

std::string ParseChoiceSetting(const std::string& name, const std::string& text,
                               const std::vector<std::string>& choices) {
  std::string t = AsciiLower(TrimSpace(text));
  std::string list;
  for (const auto& c : choices) {
    if (t == c) return c;
    list += (list.empty() ? "" : " or ") + c;
  }
  throw Error(ErrorKind::kConversion,
              "invalid value '" + text + "' for " + name + ": expected " + list);
}

bool ParseBoolSetting(const std::string& name, const std::string& text) {
  std::string t = AsciiLower(TrimSpace(text));
  if (t == "true" || t == "on" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "off" || t == "0" || t == "no") return false;
  throw Error(ErrorKind::kConversion,
              "invalid value '" + text + "' for " + name + ": expected true or false");
}

int64_t ParseCountSetting(const std::string& name, const std::string& value, int64_t low,
                          int64_t high) {
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || errno == ERANGE || n < low || n > high) {
    std::string expected =
        high == std::numeric_limits<int64_t>::max()
            ? "a whole number of at least " + std::to_string(low)
            : "a number from " + std::to_string(low) + " to " + std::to_string(high);
    throw Error(ErrorKind::kConversion,
                "invalid value '" + value + "' for " + name + ": expected " + expected);
  }
  return n;
}

std::string FormatDurationSetting(int64_t ms) {
  if (ms <= 0) return "none";
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

int64_t ParseDurationSetting(const std::string& name, const std::string& value) {
  std::string t = AsciiLower(TrimSpace(value));
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) i++;
  std::string unit = TrimSpace(t.substr(i));
  int64_t mult = unit.empty() || unit == "s"    ? 1000
                 : unit == "ms"                 ? 1
                 : unit == "m" || unit == "min" ? 60000
                                                : (unit == "h" ? 3600000 : -1);
  errno = 0;
  long long n = i == 0 ? -1 : std::strtoll(t.substr(0, i).c_str(), nullptr, 10);
  if (n < 0 || mult < 0 || errno == ERANGE || n > (int64_t{1} << 40)) {
    throw Error(ErrorKind::kConversion, "invalid value '" + value + "' for " + name +
                                            ": expected a duration such as 60s, 5m or 250ms");
  }
  return n * mult;
}

}  // namespace aishell
