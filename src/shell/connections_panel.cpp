#include "shell/connections_panel.h"

#include <fmt/format.h>

#include <cmath>

#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "shell/cli.h"

namespace aishell {

namespace {

constexpr const char* kRule = "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━";

bool IsSecretProperty(const std::string& key) {
  std::string k = AsciiLower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k.find("token") != std::string::npos || k.find("key") != std::string::npos ||
         k.find("authorization") != std::string::npos;
}

std::string ObjectName(const SourceOverview& o, const SourceObject& obj) {
  if (obj.schema.empty() || obj.schema == o.default_schema) return obj.name;
  return obj.schema + "." + obj.name;
}

}  // namespace

std::string FormatRowCount(int64_t rows, bool estimated) {
  if (!estimated) return FormatCount(rows);
  double v = static_cast<double>(rows);
  if (v < 10000) return "~" + FormatCount(rows);
  const char* suffix = "K";
  double scaled = v / 1e3;
  if (v >= 1e9) {
    suffix = "B";
    scaled = v / 1e9;
  } else if (v >= 1e6) {
    suffix = "M";
    scaled = v / 1e6;
  }
  std::string text = scaled >= 100 ? fmt::format("{:.0f}", scaled) : fmt::format("{:.1f}", scaled);
  if (text.size() > 2 && text.substr(text.size() - 2) == ".0") text.resize(text.size() - 2);
  return "~" + text + suffix;
}

std::string RenderConnectionsPanel(const std::vector<ConnectionConfig>& configs,
                                   const std::vector<ConnectionStatus>& statuses) {
  std::string out = "✅ Connected Databases\n";
  out += kRule;
  out += "\n";
  size_t reachable = 0;
  bool any_estimate = false;
  std::vector<std::string> down;
  for (size_t i = 0; i < configs.size(); i++) {
    const ConnectionConfig& c = configs[i];
    const ConnectionStatus& s = statuses[i];
    const SourceOverview& o = s.overview;
    out += "\n";
    if (!s.reachable) {
      down.push_back(c.name);
      out += fmt::format("{}. {} ({}) ❌ unreachable\n", i + 1, c.name, c.type);
      out += "   URL: " + RedactUrl(c.url) + "\n";
      out += "   Error: " + s.error + "\n";
      continue;
    }
    reachable++;
    std::string engine = o.engine.empty() ? c.type : o.engine;
    out += fmt::format("{}. {} ({}{}{})\n", i + 1, c.name, engine, o.version.empty() ? "" : " ",
                       o.version);
    out += "   URL: " + RedactUrl(c.url) + "\n";
    std::string props;
    for (const auto& [k, v] : c.properties)
      props += (props.empty() ? "" : ", ") + k + "=" + (IsSecretProperty(k) ? "***" : v);
    if (!props.empty()) out += "   Properties: " + props + "\n";
    std::string names, counts;
    int64_t total = 0;
    bool total_estimated = false, total_known = false;
    for (const auto& obj : o.objects) {
      std::string name = ObjectName(o, obj);
      names += (names.empty() ? "" : ", ") + name;
      if (obj.rows) {
        counts += (counts.empty() ? "" : ", ") + FormatRowCount(*obj.rows, obj.rows_estimated) +
                  " " + name;
        total += *obj.rows;
        total_known = true;
        total_estimated = total_estimated || obj.rows_estimated;
        any_estimate = any_estimate || obj.rows_estimated;
      }
    }
    out += "   - " + o.object_kind + ": " + (names.empty() ? "(none)" : names) + "\n";
    std::string row_title = o.row_word;
    if (!row_title.empty()) row_title[0] = static_cast<char>(std::toupper(row_title[0]));
    if (o.total_keys) {
      out += fmt::format("   - {}: {} in the database{}\n", row_title, FormatCount(*o.total_keys),
                         counts.empty() ? "" : "; " + counts);
    } else if (!counts.empty()) {
      out += "   - " + row_title + ": " + counts +
             (o.objects.size() > 1 && total_known
                  ? " (" + FormatRowCount(total, total_estimated) + " in all)"
                  : "") +
             "\n";
    }
    for (const auto& f : o.facts) out += "   - " + f + "\n";
  }
  out += "\n";
  if (configs.size() == 1 && reachable == 1) {
    out += "🔗 Federation Mode: SINGLE SOURCE\n   Connect another source to query across them\n";
  } else if (reachable == configs.size()) {
    out += "🔗 Federation Mode: ACTIVE\n   All " + std::to_string(reachable) +
           " databases available for cross-database queries\n";
  } else if (reachable >= 2) {
    std::string list;
    for (const auto& d : down) list += (list.empty() ? "" : ", ") + d;
    out += fmt::format(
        "🔗 Federation Mode: PARTIAL\n   {} of {} databases available; unreachable: {}\n", reachable,
        configs.size(), list);
  } else {
    std::string list;
    for (const auto& d : down) list += (list.empty() ? "" : ", ") + d;
    out += fmt::format(
        "🔗 Federation Mode: INACTIVE\n   {} of {} databases available; "
        "unreachable: {}\n",
        reachable, configs.size(), list);
  }
  if (any_estimate) out += "   (~: estimated from the source's statistics, not counted)\n";
  return out;
}

std::string ConnectionsJson(const std::vector<ConnectionConfig>& configs,
                            const std::vector<ConnectionStatus>* statuses) {
  std::string out = "[";
  for (size_t i = 0; i < configs.size(); i++) {
    const ConnectionConfig& c = configs[i];
    std::string props;
    for (const auto& [k, v] : c.properties)
      props += (props.empty() ? "" : ", ") + k + "=" + (IsSecretProperty(k) ? "***" : v);
    out += i ? ",\n" : "\n";
    out += "{\"name\":" + JsonString(c.name) + ",\"type\":" + JsonString(c.type) +
           ",\"url\":" + JsonString(RedactUrl(c.url)) + ",\"properties\":" + JsonString(props);
    if (statuses) {
      const ConnectionStatus& s = (*statuses)[i];
      const SourceOverview& o = s.overview;
      out += ",\"status\":" + JsonString(s.reachable ? "ok" : "unreachable");
      out += ",\"summary\":" + JsonString(s.reachable ? s.summary : s.error);
      if (s.reachable) {
        out += ",\"engine\":" + JsonString(o.engine) + ",\"version\":" + JsonString(o.version) +
               ",\"object_kind\":" + JsonString(o.object_kind) +
               ",\"row_word\":" + JsonString(o.row_word) + ",\"objects\":[";
        for (size_t j = 0; j < o.objects.size(); j++) {
          const SourceObject& obj = o.objects[j];
          out += (j ? "," : "") + std::string("{\"schema\":") + JsonString(obj.schema) +
                 ",\"name\":" + JsonString(obj.name) +
                 ",\"rows\":" + (obj.rows ? std::to_string(*obj.rows) : "null") +
                 ",\"estimated\":" + (obj.rows_estimated ? "true" : "false") + "}";
        }
        out += "]";
        if (o.total_keys) out += ",\"total_keys\":" + std::to_string(*o.total_keys);
        out += ",\"facts\":[";
        for (size_t j = 0; j < o.facts.size(); j++) out += (j ? "," : "") + JsonString(o.facts[j]);
        out += "]";
      }
    }
    out += "}";
  }
  out += configs.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace aishell
