#include "nl/nl_catalog.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/secrets.h"
#include "common/strings.h"
#include "common/types.h"
#include "engine/settings.h"

namespace aishell {

namespace {

SettingRegistration kCatalogTtl({"nl.catalog_ttl",
                                 {},
                                 SettingType::kDuration,
                                 "10m",
                                 "how long the English translator reuses a source's cached "
                                 "catalog (tables, columns); 0 reads it every time",
                                 "shell"});

constexpr const char* kCacheMagic = "aishell-nl-catalog 1";

uint64_t Fnv1a(const std::string& text, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < line.size(); i++) {
    char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      fields.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// The connection, hashed: a changed URL or property makes the entry stale. The URL may hold a
// password: only its hash is written.
std::string ConnectionKey(const ConnectionConfig* config) {
  if (!config) return "none";
  uint64_t h = Fnv1a(config->type);
  h = Fnv1a(std::string(1, '\0') + config->url, h);
  for (const auto& [k, v] : config->properties) h = Fnv1a(std::string(1, '\0') + k + "=" + v, h);
  return Hex(h);
}

std::string CacheFile(const std::string& dir, const std::string& source) {
  std::string safe;
  for (char c : source)
    safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return dir + "/" + safe + "-" + Hex(Fnv1a(source)).substr(0, 8) + ".tsv";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The tables a source lists now, as one text (its hash validates an entry).
std::string ListingOf(Connector& connector, std::vector<std::pair<std::string, std::string>>* out) {
  std::string listing;
  for (const auto& s : connector.ListSchemas()) {
    std::string ls = AsciiLower(s);
    if (ls == "information_schema" || ls == "pg_catalog") continue;
    for (const auto& t : connector.ListTables(s)) {
      out->push_back({s, t});
      listing += s + "\t" + t + "\n";
    }
  }
  return listing;
}

// Reads an entry; false if missing, stale or unreadable.
bool ReadEntry(const std::string& file, const std::string& key, const std::string& listing_hash,
               int64_t ttl_ms, const std::string& catalog, const std::string& type,
               std::vector<NlTable>* tables) {
  std::ifstream in(file);
  if (!in) return false;
  std::string line;
  if (!std::getline(in, line) || line != kCacheMagic) return false;
  int64_t written = -1;
  bool key_ok = false, listing_ok = false;
  std::vector<NlTable> out;
  while (std::getline(in, line)) {
    auto f = SplitFields(line);
    const std::string& tag = f[0];
    if (tag == "key" && f.size() == 2) {
      key_ok = f[1] == key;
    } else if (tag == "listing" && f.size() == 2) {
      listing_ok = f[1] == listing_hash;
    } else if (tag == "written" && f.size() == 2) {
      written = std::atoll(f[1].c_str());
    } else if (tag == "T" && f.size() == 4) {
      NlTable t;
      t.catalog = catalog;
      t.source_type = type;
      t.schema = f[1];
      t.name = f[2];
      t.row_count = std::atof(f[3].c_str());
      out.push_back(std::move(t));
    } else if (tag == "C" && f.size() == 3 && !out.empty()) {
      auto parsed = ParseTypeName(f[2]);
      if (!parsed) return false;
      out.back().columns.push_back({f[1], *parsed});
    } else if (tag == "R" && f.size() == 5 && !out.empty()) {
      out.back().references.push_back({f[1], f[2], f[3], f[4]});
    } else {
      return false;
    }
  }
  if (!key_ok || !listing_ok || written < 0) return false;
  int64_t age = NowMs() - written;
  if (age < 0 || age >= ttl_ms) return false;
  *tables = std::move(out);
  return true;
}

void WriteEntry(const std::string& dir, const std::string& file, const std::string& key,
                const std::string& listing_hash, const std::vector<NlTable>& tables) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string tmp = file + ".tmp" + std::to_string(NowMs());
  {
    std::ofstream out(tmp);
    if (!out) return;  // best effort: a cache that cannot be written is not used
    out << kCacheMagic << "\nkey\t" << key << "\nlisting\t" << listing_hash << "\nwritten\t"
        << NowMs() << "\n";
    for (const auto& t : tables) {
      out << "T\t" << Escape(t.schema) << "\t" << Escape(t.name) << "\t"
          << (t.row_count < 0 ? std::string("-1") : std::to_string(std::llround(t.row_count)))
          << "\n";
      for (const auto& c : t.columns)
        out << "C\t" << Escape(c.name) << "\t" << Escape(c.type.ToString()) << "\n";
      for (const auto& r : t.references)
        out << "R\t" << Escape(r.column) << "\t" << Escape(r.schema) << "\t" << Escape(r.table)
            << "\t" << Escape(r.referenced_column) << "\n";
    }
    if (!out.good()) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace

void DropNlCatalogCache(const std::string& dir, const std::string& source) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove(CacheFile(dir, source), ec);
}

NlSchema LoadNlSchema(Engine& engine, const std::map<std::string, std::string>& settings,
                      std::vector<std::string>* warnings, const NlCatalogCache& cache) {
  NlSchema schema;
  for (const auto& name : engine.catalogs().CatalogNames()) {
    schema.sources++;
    try {
      auto connector = engine.catalogs().GetCatalog(name);
      const ConnectionConfig* config = engine.catalogs().GetConfig(name);
      std::string type = config ? config->type : "";
      std::vector<std::pair<std::string, std::string>> listed;
      std::string listing_hash = Hex(Fnv1a(ListingOf(*connector, &listed)));
      std::string file = cache.dir.empty() ? "" : CacheFile(cache.dir, name);
      std::string key = ConnectionKey(config);
      std::string default_schema = connector->DefaultSchema();
      if (!file.empty() && !cache.bypass && cache.ttl_ms > 0) {
        std::vector<NlTable> cached;
        if (ReadEntry(file, key, listing_hash, cache.ttl_ms, name, type, &cached)) {
          for (auto& t : cached) {
            t.in_default_schema = t.schema == default_schema;
            schema.tables.push_back(std::move(t));
          }
          schema.cached_sources++;
          continue;
        }
      }
      size_t first = schema.tables.size();
      for (const auto& [s, t] : listed) {
        {
          auto info = connector->GetTable(s, t);
          if (!info) continue;
          NlTable table;
          table.catalog = name;
          table.schema = s;
          table.name = t;
          table.source_type = type;
          table.in_default_schema = s == default_schema;
          table.row_count = info->stats.row_count.value_or(-1);
          for (const auto& c : info->columns)
            if (!c.hidden) table.columns.push_back({c.name, c.type});
          for (const auto& fk : info->foreign_keys) {
            if (fk.columns.size() != 1) continue;  // single-column references only
            table.references.push_back({fk.columns[0], fk.referenced_schema, fk.referenced_table,
                                        fk.referenced_columns[0]});
          }
          schema.tables.push_back(std::move(table));
        }
      }
      if (!file.empty() && cache.ttl_ms > 0)
        WriteEntry(cache.dir, file, key, listing_hash,
                   std::vector<NlTable>(schema.tables.begin() + first, schema.tables.end()));
    } catch (const Error& e) {
      if (warnings) warnings->push_back(name + ": " + RedactText(e.what()));
    }
  }
  for (const auto& [key, value] : settings) {
    std::string k = AsciiLower(key);
    const std::string prefix = "nl.synonyms.";
    if (k.starts_with(prefix) && k.size() > prefix.size())
      schema.synonyms[k.substr(prefix.size())] = value;
  }
  schema.sample_values = [&engine](const NlTable& table, const NlColumn& column) {
    std::vector<std::string> values;
    std::string sql = "SELECT DISTINCT " + std::string("\"");
    for (char c : column.name) {
      if (c == '"') sql += '"';
      sql += c;
    }
    sql += "\" FROM " + table.QualifiedName() + " LIMIT " + std::to_string(kNlMaxSampledValues + 1);
    QueryResult result = engine.Execute(sql);
    for (const auto& batch : result.batches)
      for (size_t i = 0; i < batch.count; i++) {
        Value v = batch.columns[0].GetValue(i);
        if (!v.is_null()) values.push_back(v.ToString());
      }
    if (static_cast<int>(values.size()) > kNlMaxSampledValues) values.clear();
    return values;
  };
  return schema;
}

}  // namespace aishell
