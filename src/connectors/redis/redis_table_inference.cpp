#include "connectors/redis/redis_table_inference.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <vector>

#include <simdjson.h>

#include "common/exception.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "connectors/redis/redis_json.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

// One page of a SCAN used to sample keys: checks the reply, moves `cursor` on and returns the
// array of keys.
RespView ScanPage(const RespView& r, std::string* cursor, const std::string& where) {
  if (!r.is_array() || r.size() != 2 || !r[1].is_array()) {
    throw Error(ErrorKind::kConnector,
                where + ": SCAN failed" + (r.is_error() ? ": " + std::string(r.str()) : ""));
  }
  *cursor = std::string(r[0].str());
  return r[1];
}

// The replies to `command key args...` for each key, pipelined.
std::vector<RespView> PipelinePerKey(RespConnection& conn, const std::vector<std::string>& keys,
                                     const std::string& command,
                                     const std::vector<std::string>& args = {}) {
  std::vector<std::vector<std::string>> cmds;
  for (const auto& k : keys) {
    cmds.push_back({command, k});
    cmds.back().insert(cmds.back().end(), args.begin(), args.end());
  }
  return conn.Pipeline(cmds);
}

// --- inferred tables ---

bool IsVariableSegment(std::string_view s) {
  if (s.empty()) return false;
  bool all_digits = true, all_hex = true, has_digit = false;
  for (char c : s) {
    bool d = std::isdigit(static_cast<unsigned char>(c));
    has_digit = has_digit || d;
    all_digits = all_digits && d;
    all_hex = all_hex && (d || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-');
  }
  if (all_digits) return true;
  if (all_hex && has_digit && s.size() >= 8) return true;  // hex ids, UUIDs
  return false;
}

std::string SanitizeName(std::string s) {
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
    else
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s.empty() ? std::string("keys") : s;
}

// The pattern of one key (variable segments as {id}, {id2}, ...) and its literal segments; false
// if the key has an empty segment or braces.
bool KeyPatternOf(const std::string& key, std::string* pattern,
                  std::vector<std::string>* literal_segments) {
  int vars = 0;
  size_t start = 0;
  bool ok = true;
  while (true) {
    size_t end = key.find(':', start);
    std::string seg = key.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty()) ok = false;
    if (seg.find_first_of("{}") != std::string::npos) ok = false;
    bool digit = std::any_of(seg.begin(), seg.end(),
                             [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (IsVariableSegment(seg) || (start > 0 && digit)) {
      vars++;
      *pattern += vars == 1 ? "{id}" : "{id" + std::to_string(vars) + "}";
    } else {
      *pattern += seg;
      literal_segments->push_back(seg);
    }
    if (end == std::string::npos) break;
    *pattern += ":";
    start = end + 1;
  }
  return ok;
}

// --- describing a table ---

bool CanonicalInt(std::string_view s) {
  size_t i = s.size() && s[0] == '-' ? 1 : 0;
  if (i >= s.size() || s.size() > 18) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;
  for (; i < s.size(); i++) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return !(s.size() == 2 && s == "-0");
}

// Per-column type inference from sampled text values.
struct TypeGuess {
  bool any = false, can_int = true, can_double = true, can_bool = true, saw_text = false;
  bool saw_binary = false;  // a value that is not UTF-8: the column is VARBINARY
  void Add(std::string_view v, bool json_string) {
    any = true;
    if (json_string) saw_text = true;
    if (!IsValidUtf8(v)) saw_binary = true;
    int64_t i;
    double d;
    bool b;
    if (!ParseBigIntText(v, &i)) can_int = false;
    if (!ParseDoubleText(v, &d)) can_double = false;
    if (!ParseBooleanText(v, false, &b)) can_bool = false;
  }
  LogicalType Type() const {
    if (saw_binary) return TypeId::kVarbinary;
    if (!any || saw_text) return TypeId::kVarchar;
    if (can_int) return TypeId::kBigInt;
    if (can_double) return TypeId::kDouble;
    if (can_bool) return TypeId::kBoolean;
    return TypeId::kVarchar;
  }
};

// Value columns in first-seen order with their type guesses.
struct ValueColumns {
  std::vector<std::string> names;
  std::map<std::string, TypeGuess> guesses;
  void Add(const std::string& name, std::optional<std::string_view> v, bool json_string) {
    if (!guesses.count(name)) names.push_back(name);
    TypeGuess& g = guesses[name];
    if (v) g.Add(*v, json_string);
  }
};

// The keys of a table's sample, and how many keys matched while sampling.
struct KeySample {
  std::vector<std::string> keys;
  int64_t seen = 0;       // matching keys SCANned
  bool complete = false;  // the SCAN went through every key
};

KeySample SampleKeys(RespConnection& conn, const RedisTableDef& def, int sample_size,
                     int scan_count, const std::string& where) {
  KeySample sample;
  std::string cursor = "0";
  std::string glob = def.pattern.Glob();
  std::vector<std::string_view> parts;
  for (int round = 0; round < 1000 && static_cast<int>(sample.keys.size()) < sample_size; round++) {
    std::string count = std::to_string(scan_count);
    RespView page =
        ScanPage(conn.Command({"SCAN", cursor, "MATCH", glob, "COUNT", count}), &cursor, where);
    RespView element = page.first();
    for (size_t i = 0; i < page.size(); i++, element = element.next()) {
      std::string key(element.str());
      if (!def.pattern.Match(key, &parts)) continue;
      sample.seen++;
      if (static_cast<int>(sample.keys.size()) < sample_size) sample.keys.push_back(std::move(key));
    }
    if (cursor == "0") {
      sample.complete = true;
      break;
    }
  }
  return sample;
}

// The TYPE of each key ("" for an unexpected reply).
std::vector<std::string> KeyTypes(RespConnection& conn, const std::vector<std::string>& keys) {
  std::vector<std::string> types;
  for (const auto& t : PipelinePerKey(conn, keys, "TYPE"))
    types.emplace_back(t.type() == RespType::kStatus || t.type() == RespType::kString ? t.str()
                                                                                      : "");
  return types;
}

// The most frequent type ("none", for keys gone since the SCAN, never counts); "" if none.
std::string MajorityType(const std::vector<std::string>& types) {
  std::map<std::string, int> votes;
  for (const auto& t : types) {
    if (!t.empty()) votes[t]++;
  }
  votes.erase("none");
  std::string majority;
  int best = 0;
  for (const auto& [t, n] : votes) {
    if (n > best) {
      best = n;
      majority = t;
    }
  }
  return majority;
}

// Sets def.shape from the majority type (a string may become JSON later), unless it is forced.
void ShapeFromType(const std::string& majority, RedisTableDef& def, const std::string& where) {
  if (def.shape_forced) return;
  if (majority == "hash")
    def.shape = RedisShape::kHash;
  else if (majority == "zset")
    def.shape = RedisShape::kZset;
  else if (majority == "list")
    def.shape = RedisShape::kList;
  else if (majority == "set")
    def.shape = RedisShape::kSet;
  else if (majority == "stream")
    def.shape = RedisShape::kStream;
  else if (majority == "string")
    def.shape = RedisShape::kString;  // JSON decided below
  else if (!majority.empty()) {
    throw Error(ErrorKind::kUnsupported, where + ": table '" + def.name + "': keys of type '" +
                                             majority + "' are not supported (pattern '" +
                                             def.pattern_text + "')");
  }
}

// Hash fields as columns (kHash), or only their values (kHashEntries: the `value` column).
void AddHashColumns(RespConnection& conn, const std::vector<std::string>& keys, bool field_names,
                    ValueColumns* columns) {
  for (const auto& r : PipelinePerKey(conn, keys, "HGETALL")) {
    if (!r.is_array()) continue;
    RespView e = r.first();
    for (size_t i = 0; i + 1 < r.size(); i += 2, e = e.next().next()) {
      if (field_names)
        columns->Add(std::string(e.str()), e.next().str(), false);
      else
        columns->Add("value", e.next().str(), false);
    }
  }
}

// Strings: JSON (members as columns) when most sampled strings are JSON objects (the others then
// fail loudly at read time), else one `value` column. Sets def.shape unless it is forced.
void AddStringColumns(RespConnection& conn, const std::vector<std::string>& keys,
                      RedisTableDef& def, const std::string& where, ValueColumns* columns) {
  std::vector<RespView> values = PipelinePerKey(conn, keys, "GET");
  int json_count = 0, string_count = 0;
  simdjson::dom::parser parser;
  std::vector<std::pair<std::string, std::optional<std::string>>> members;
  std::vector<bool> is_string;
  std::string error;
  for (const auto& r : values) {
    if (r.type() != RespType::kString) continue;
    string_count++;
    std::string_view text = r.str();
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{' &&
        RedisJsonMembers(parser, text, &members, &is_string, &error)) {
      json_count++;
    }
  }
  bool mostly_json = string_count > 0 && json_count * 2 > string_count;
  if (!def.shape_forced) def.shape = mostly_json ? RedisShape::kJson : RedisShape::kString;
  if (def.shape != RedisShape::kJson) {
    for (const auto& r : values) {
      if (r.type() == RespType::kString) columns->Add("value", r.str(), false);
    }
    return;
  }
  for (const auto& r : values) {
    if (r.type() != RespType::kString) continue;
    if (!RedisJsonMembers(parser, r.str(), &members, &is_string, &error)) {
      if (def.shape_forced) {
        throw Error(ErrorKind::kConversion, where + ": table '" + def.name +
                                                "': a sampled value is not a JSON object (" +
                                                error + "): '" + RedisShown(r.str()) + "'");
      }
      continue;
    }
    for (size_t i = 0; i < members.size(); i++) {
      columns->Add(
          members[i].first,
          members[i].second ? std::optional<std::string_view>(*members[i].second) : std::nullopt,
          is_string[i]);
    }
  }
}

// Stream entries: the fields of the first 20 entries of each key as columns.
void AddStreamColumns(RespConnection& conn, const std::vector<std::string>& keys,
                      ValueColumns* columns) {
  for (const auto& r : PipelinePerKey(conn, keys, "XRANGE", {"-", "+", "COUNT", "20"})) {
    if (!r.is_array()) continue;
    RespView entry = r.first();
    for (size_t e = 0; e < r.size(); e++, entry = entry.next()) {
      if (!entry.is_array() || entry.size() != 2 || !entry[1].is_array()) continue;
      RespView kv = entry[1];
      RespView f = kv.first();
      for (size_t i = 0; i + 1 < kv.size(); i += 2, f = f.next().next())
        columns->Add(std::string(f.str()), f.next().str(), false);
    }
  }
}

// The value columns of the table's shape, from the sampled keys of the majority type.
ValueColumns SampleValueColumns(RespConnection& conn, const std::string& majority,
                                const std::vector<std::string>& of_type, RedisTableDef& def,
                                const std::string& where) {
  ValueColumns columns;
  if (majority == "hash" && def.shape == RedisShape::kHash) {
    AddHashColumns(conn, of_type, true, &columns);
  } else if (majority == "string" &&
             (def.shape == RedisShape::kString || def.shape == RedisShape::kJson)) {
    AddStringColumns(conn, of_type, def, where, &columns);
  } else if (majority == "hash" && def.shape == RedisShape::kHashEntries) {
    columns.names = {"field", "value"};
    columns.guesses["field"].saw_text = true;
    AddHashColumns(conn, of_type, false, &columns);
  } else if (def.shape == RedisShape::kHashEntries) {
    columns.names = {"field", "value"};
  } else if (def.shape == RedisShape::kZset) {
    columns.names = {"member", "score"};
  } else if (def.shape == RedisShape::kList) {
    columns.names = {"index", "value"};
  } else if (def.shape == RedisShape::kSet) {
    columns.names = {"member"};
  } else if (def.shape == RedisShape::kStream) {
    columns.names = {"id"};
    columns.guesses["id"].saw_text = true;
    AddStreamColumns(conn, of_type, &columns);
  } else if (def.shape == RedisShape::kString) {
    columns.names = {"value"};
  }
  return columns;
}

LogicalType ColumnType(const RedisTableDef& def, const std::string& name, LogicalType inferred) {
  auto it = def.column_types.find(AsciiLower(name));
  return it == def.column_types.end() ? inferred : it->second;
}

// The table's columns: placeholders, value columns, declared-only columns, _key and _ttl.
void AddColumns(const RedisTableDef& def, const std::vector<std::string>& sample,
                ValueColumns& values, TableInfo* info) {
  std::set<std::string> used = {"_key", "_ttl"};
  std::vector<std::string_view> parts;
  // Placeholder columns: BIGINT when every sampled value is a canonical integer.
  for (size_t i = 0; i < def.pattern.placeholders.size(); i++) {
    bool ints = !sample.empty();
    for (const auto& k : sample) {
      if (def.pattern.Match(k, &parts) && !CanonicalInt(parts[i])) ints = false;
    }
    ColumnInfo c;
    c.name = def.pattern.placeholders[i];
    c.type = ColumnType(def, c.name,
                        ints ? LogicalType(TypeId::kBigInt) : LogicalType(TypeId::kVarchar));
    c.nullable = false;
    c.comment = "from the key pattern '" + def.pattern_text + "'";
    used.insert(AsciiLower(c.name));
    info->columns.push_back(std::move(c));
  }
  for (const auto& n : values.names) {
    if (used.count(AsciiLower(n))) continue;
    used.insert(AsciiLower(n));
    ColumnInfo c;
    c.name = n;
    LogicalType t = TypeId::kVarchar;
    if (def.shape == RedisShape::kZset && n == "score")
      t = TypeId::kDouble;
    else if (def.shape == RedisShape::kList && n == "index")
      t = TypeId::kBigInt;
    else if (values.guesses.count(n))
      t = values.guesses[n].Type();
    c.type = ColumnType(def, n, t);
    info->columns.push_back(std::move(c));
  }
  // Declared-only columns (column.<table>.<col> for fields the sample did not show).
  for (const auto& [n, t] : def.column_types) {
    if (used.count(n)) continue;
    used.insert(n);
    ColumnInfo c;
    c.name = n;
    c.type = t;
    info->columns.push_back(std::move(c));
  }
  ColumnInfo key;
  key.name = "_key";
  key.type = TypeId::kVarchar;
  key.nullable = false;
  key.comment = "the full Redis key";
  info->columns.push_back(key);
  ColumnInfo ttl;
  ttl.name = "_ttl";
  ttl.type = TypeId::kBigInt;
  ttl.comment = "seconds left before the key expires, or NULL";
  info->columns.push_back(ttl);
}

}  // namespace

std::map<std::string, RedisTableDef> InferRedisTables(RespConnection& conn,
                                                      const std::string& where) {
  std::string cursor = "0";
  std::map<std::string, std::vector<std::string>> groups;  // pattern -> literal segments
  int keys = 0;
  for (int round = 0; round < 200 && keys < 10000; round++) {
    RespView page = ScanPage(conn.Command({"SCAN", cursor, "COUNT", "1000"}), &cursor, where);
    RespView element = page.first();
    for (size_t i = 0; i < page.size(); i++, element = element.next()) {
      std::string key(element.str());
      keys++;
      std::string pattern;
      std::vector<std::string> literal_segments;
      if (KeyPatternOf(key, &pattern, &literal_segments)) groups.emplace(pattern, literal_segments);
    }
    if (cursor == "0") break;
  }
  std::map<std::string, RedisTableDef> defs;
  for (const auto& [pattern, literals] : groups) {
    std::string name;
    for (const auto& l : literals) name += (name.empty() ? "" : "_") + l;
    name = SanitizeName(name);
    std::string unique = name;
    for (int n = 2; defs.count(unique); n++) unique = name + "_" + std::to_string(n);
    RedisTableDef d;
    d.name = unique;
    d.pattern_text = pattern;
    d.pattern = RedisKeyPattern::Parse(pattern, where);
    defs[unique] = std::move(d);
  }
  return defs;
}

std::shared_ptr<TableInfo> DescribeRedisTable(RespConnection& conn, RedisTableDef& def,
                                              int sample_size, int scan_count,
                                              const std::string& where) {
  KeySample sample = SampleKeys(conn, def, sample_size, scan_count, where);
  std::vector<std::string> types = KeyTypes(conn, sample.keys);
  std::string majority = MajorityType(types);
  std::vector<std::string> of_type;
  for (size_t i = 0; i < sample.keys.size(); i++) {
    if (types[i] == majority) of_type.push_back(sample.keys[i]);
  }
  ShapeFromType(majority, def, where);
  if (sample.keys.empty() && def.column_types.empty() && !def.shape_forced) {
    throw Error(ErrorKind::kConnector, where + ": table '" + def.name +
                                           "': no key matches the pattern '" + def.pattern_text +
                                           "' (declare its columns with --property column." +
                                           def.name + ".<column>=<type> to use it while empty)");
  }
  ValueColumns values = SampleValueColumns(conn, majority, of_type, def, where);

  auto info = std::make_shared<TableInfo>();
  info->schema = "default";
  info->name = def.name;
  info->location = "redis keys '" + def.pattern_text + "' (" + RedisShapeName(def.shape) + ")";
  AddColumns(def, sample.keys, values, info.get());
  if (sample.complete) {
    info->stats.row_count = static_cast<double>(sample.seen);
  } else {
    RespView r = conn.Command({"DBSIZE"});
    if (r.type() == RespType::kInteger) info->stats.row_count = static_cast<double>(r.integer());
  }
  return info;
}

}  // namespace aishell
