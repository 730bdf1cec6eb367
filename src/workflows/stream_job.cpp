#include "workflows/stream_job.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "engine/result_format.h"

namespace aishell {

namespace fs = std::filesystem;

namespace {

struct StreamPosition {
  std::optional<std::string> value;
  std::string type;
  int64_t output_bytes = 0;
};

std::string PositionPath(const std::string& home, const std::string& name) {
  return home + "/streams/" + name + ".yaml";
}

StreamPosition LoadPosition(const std::string& path) {
  StreamPosition p;
  std::error_code ec;
  if (!fs::exists(path, ec)) return p;
  YAML::Node n = YAML::LoadFile(path);
  if (n["position"] && !n["position"].IsNull()) p.value = n["position"].as<std::string>();
  p.type = n["type"].as<std::string>("");
  p.output_bytes = n["output_bytes"].as<int64_t>(0);
  return p;
}

void SavePosition(const std::string& path, const StreamOptions& o, const StreamPosition& p) {
  fs::create_directories(fs::path(path).parent_path());
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "sql" << YAML::Value << YAML::Literal << o.sql;
  out << YAML::Key << "key" << YAML::Value << o.key;
  out << YAML::Key << "output" << YAML::Value << o.output;
  if (p.value) {
    out << YAML::Key << "position" << YAML::Value << YAML::DoubleQuoted << *p.value;
    out << YAML::Key << "type" << YAML::Value << p.type;
  }
  out << YAML::Key << "output_bytes" << YAML::Value << p.output_bytes;
  out << YAML::EndMap;
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw Error(ErrorKind::kIo, "cannot write " + tmp);
  std::string text = std::string(out.c_str()) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorKind::kIo, "cannot write " + path);
}

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// One row as a JSON object; "a.b" columns nest under "a".
std::string RowJson(const std::vector<OutputColumn>& cols, const Batch& b, size_t r,
                    bool* enriched) {
  std::string out = "{";
  std::map<std::string, std::string> groups;  // prefix -> "\"b\":v,..."
  std::map<std::string, bool> group_has_value;
  std::vector<std::string> order;
  bool first = true;
  for (size_t c = 0; c < cols.size(); c++) {
    const std::string& name = cols[c].name;
    std::string value = JsonCell(b.columns[c], r);
    auto dot = name.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
      out += (first ? "" : ",") + JsonString(name) + ":" + value;
      first = false;
      continue;
    }
    std::string prefix = name.substr(0, dot);
    if (!groups.count(prefix)) order.push_back(prefix);
    std::string& g = groups[prefix];
    g += (g.empty() ? "" : ",") + JsonString(name.substr(dot + 1)) + ":" + value;
    group_has_value[prefix] = group_has_value[prefix] || value != "null";
  }
  *enriched = true;
  for (const auto& prefix : order) {
    out += (first ? "" : ",") + JsonString(prefix) + ":{" + groups[prefix] + "}";
    first = false;
    if (!group_has_value[prefix]) *enriched = false;
  }
  return out + "}";
}

}  // namespace

namespace {

bool IsIntegerType(TypeId id) {
  return id == TypeId::kTinyInt || id == TypeId::kSmallInt || id == TypeId::kInteger ||
         id == TypeId::kBigInt;
}

// The last name part of the query's first FROM table ("orders" of `FROM db.main."orders" o`),
// lower case; "" when there is none.
std::string FirstFromTable(const std::string& sql) {
  std::string lower = AsciiLower(sql);
  size_t at = 0;
  while ((at = lower.find("from", at)) != std::string::npos) {
    bool left = at == 0 ||
                !(std::isalnum(static_cast<unsigned char>(lower[at - 1])) || lower[at - 1] == '_');
    size_t end = at + 4;
    bool right = end < lower.size() && std::isspace(static_cast<unsigned char>(lower[end]));
    if (left && right) break;
    at = end;
  }
  if (at == std::string::npos) return "";
  size_t i = at + 4;
  while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) i++;
  if (i >= lower.size() || lower[i] == '(') return "";
  std::string name, part;
  bool quoted = false;
  for (; i < lower.size(); i++) {
    char c = lower[i];
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ')' ||
                    c == '(' || c == ';'))
      break;
    if (!quoted && c == '.') {
      part.clear();
      continue;
    }
    part += c;
  }
  return part;
}

}  // namespace

StreamKeyChoice ChooseStreamKey(Engine& engine, const std::string& sql) {
  auto probe = engine.Query("SELECT * FROM (" + sql + ") s LIMIT 0");
  std::vector<OutputColumn> columns = probe->columns();
  std::string table = FirstFromTable(sql);
  std::vector<std::string> id_names = {"id"};
  if (!table.empty()) {
    id_names.push_back(table + "_id");
    if (table.size() > 1 && table.back() == 's')
      id_names.push_back(table.substr(0, table.size() - 1) + "_id");
  }
  for (const auto& want : id_names)
    for (const auto& c : columns)
      if (IsIntegerType(c.type.id) && AsciiLower(c.name) == want)
        return {c.name, c.name + " (an integer named as " +
                            (table.empty() ? std::string("a table's") : table + "'s") +
                            " key: new rows are those above the last one seen; a key given out "
                            "by a sequence can commit out of order under concurrent inserts)"};
  static const char* const kMade[] = {"created_at",    "created",    "inserted_at", "created_on",
                                      "creation_time", "event_time", "timestamp",   "ts",
                                      "order_date",    "placed_at"};
  auto is_time = [](TypeId id) {
    return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kDate;
  };
  for (const char* want : kMade)
    for (const auto& c : columns)
      if (is_time(c.type.id) && AsciiLower(c.name) == want)
        return {c.name, c.name +
                            " (when each row was made: new rows are those after the last "
                            "one seen; a row arriving later with the very same time as it "
                            "is missed)"};
  for (const auto& c : columns)
    if (is_time(c.type.id) && AsciiLower(c.name).find("created") != std::string::npos)
      return {c.name, c.name + " (when each row was made)"};
  for (const auto& c : columns)
    if (c.name == "_id")
      return {c.name,
              "_id (MongoDB's ObjectId: it starts with the insert time in seconds, so new "
              "documents come after the last one seen; two clients inserting in the same second "
              "can arrive out of order, and one of them may be missed: give --key a field your "
              "application makes monotonic when that matters)"};
  std::string names;
  for (const auto& c : columns)
    names += (names.empty() ? "" : ", ") + c.name + " " + c.type.ToString();
  throw Error(ErrorKind::kBinder,
              "stream cannot choose a key: no column of the query only grows (an integer id, a "
              "created_at timestamp or MongoDB's _id); columns: " +
                  names +
                  ". Name one with --key <column>. (PostgreSQL's ctid and xmin are not used: an "
                  "UPDATE moves a row's ctid and VACUUM reuses it; xmin is not in commit order "
                  "and wraps around)");
}

StreamStats RunStream(Engine& engine, const std::string& home, const StreamOptions& o,
                      const std::atomic<bool>& stop,
                      const std::function<void(const std::string&, const std::string&,
                                               const StreamStats&)>& on_event) {
  std::string pos_path = PositionPath(home, o.name);
  StreamPosition pos = LoadPosition(pos_path);
  // The key must be an output column of the query.
  {
    auto probe = engine.Query("SELECT * FROM (" + o.sql + ") s LIMIT 0");
    bool found = false;
    std::string names;
    for (const auto& c : probe->columns()) {
      names += (names.empty() ? "" : ", ") + c.name;
      if (EqualsIgnoreCase(c.name, o.key)) found = true;
    }
    if (!found) {
      throw Error(ErrorKind::kBinder, "stream --key: the query has no column '" + o.key +
                                          "' (columns: " + names +
                                          "); name a column whose values only grow");
    }
  }
  int fd = -1;
  if (!o.output.empty()) {
    fd = ::open(o.output.c_str(), O_WRONLY | O_CREAT, 0644);
    if (fd < 0) throw Error(ErrorKind::kIo, "cannot write " + o.output);
    struct stat st = {};
    ::fstat(fd, &st);
    if (st.st_size > pos.output_bytes && pos.value) {
      // Lines written after the last stored position (a crash in between): written again below.
      if (::ftruncate(fd, pos.output_bytes) != 0) {
        ::close(fd);
        throw Error(ErrorKind::kIo, "cannot cut " + o.output + " back to its stored length");
      }
    } else if (st.st_size < pos.output_bytes) {
      pos.output_bytes = st.st_size;  // the file was replaced: go on from its end
    }
    if (!pos.value) pos.output_bytes = st.st_size;
    ::lseek(fd, pos.output_bytes, SEEK_SET);
  }
  StreamStats stats;
  stats.position = pos.value.value_or("");
  try {
    while (!stop && (o.max_polls < 0 || stats.polls < o.max_polls)) {
      auto started = std::chrono::steady_clock::now();
      std::string sql = "SELECT * FROM (" + o.sql + ") s";
      if (pos.value) {
        sql += " WHERE " + QuoteIdent(o.key) + " > CAST(" + QuoteLiteral(*pos.value) + " AS " +
               pos.type + ")";
      }
      sql += " ORDER BY " + QuoteIdent(o.key);
      QueryResult r = engine.Execute(sql);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      stats.polls++;
      int key_index = 0;
      for (size_t c = 0; c < r.columns.size(); c++)
        if (EqualsIgnoreCase(r.columns[c].name, o.key)) key_index = static_cast<int>(c);
      std::string text;
      std::vector<std::pair<std::string, std::string>> events;  // line, key
      Value max_key;
      for (const auto& b : r.batches) {
        for (size_t row = 0; row < b.count; row++) {
          bool enriched = true;
          std::string line = RowJson(r.columns, b, row, &enriched);
          Value k = b.columns[key_index].GetValue(row);
          if (k.is_null()) continue;  // no position to keep for it
          if (max_key.is_null() || k.Compare(max_key) > 0) max_key = k;
          text += line + "\n";
          events.push_back({line, k.ToString()});
          stats.enriched += enriched ? 1 : 0;
        }
      }
      if (!events.empty()) {
        if (fd >= 0) {
          size_t off = 0;
          while (off < text.size()) {
            ssize_t n = ::write(fd, text.data() + off, text.size() - off);
            if (n <= 0) throw Error(ErrorKind::kIo, "cannot write " + o.output);
            off += static_cast<size_t>(n);
          }
          ::fsync(fd);
          pos.output_bytes += static_cast<int64_t>(text.size());
        }
        pos.value = max_key.ToString();
        pos.type = r.columns[key_index].type.ToString();
        stats.events += static_cast<int64_t>(events.size());
        stats.enrich_seconds += seconds;
        stats.position = *pos.value;
      }
      // Stored after the lines are on disk: a crash before this line repeats nothing (the
      // output is cut back to output_bytes on restart).
      SavePosition(pos_path, o, pos);
      for (const auto& [line, key] : events) on_event(line, key, stats);
      if (o.max_polls >= 0 && stats.polls >= o.max_polls) break;
      for (double waited = 0; waited < o.interval_seconds && !stop; waited += 0.05)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } catch (const Error& e) {
    if (fd >= 0) ::close(fd);
    if (e.kind() == ErrorKind::kInterrupted && stop) return stats;  // Ctrl-C during a poll
    throw;
  }
  if (fd >= 0) ::close(fd);
  return stats;
}

}  // namespace aishell
