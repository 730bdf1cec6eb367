#include "workflows/federated_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "engine/result_format.h"
#include "sql/ast.h"

namespace aishell {

namespace {

using Clock = std::chrono::steady_clock;

std::string EngineName(const ConnectionConfig& c) {
  std::string t = AsciiLower(c.type);
  if (t == "postgres") return "PostgreSQL";
  if (t == "mongodb") return "MongoDB";
  if (t == "elasticsearch")
    return AsciiLower(c.url).rfind("opensearch", 0) == 0 ? "OpenSearch" : "Elasticsearch";
  if (t == "redis") return "Redis";
  if (t == "sqlite") return "SQLite";
  if (t == "iceberg") return "Iceberg";
  if (t == "file") return "Files";
  return c.type;
}

bool IsSearchLog(const std::string& table) {
  std::string t = AsciiLower(table);
  return t.find("search_log") != std::string::npos || t.find("searches") != std::string::npos ||
         t.find("search-log") != std::string::npos;
}

std::string SqlString(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Every word in some text column: AND over words of OR over columns.
std::string MatchPredicate(const std::vector<std::string>& columns,
                           const std::vector<std::string>& words) {
  std::string pred;
  for (const auto& w : words) {
    std::string any;
    for (const auto& c : columns)
      any += (any.empty() ? "" : " OR ") + std::string("lower(") + QuoteIdentifier(c) + ") LIKE " +
             SqlString("%" + w + "%");
    pred += (pred.empty() ? "(" : " AND (") + any + ")";
  }
  return pred;
}

int PreferredTitle(const std::vector<std::string>& names) {
  static const char* const kTitles[] = {"name", "title", "product", "item", "query", "subject"};
  for (const char* t : kTitles)
    for (size_t i = 0; i < names.size(); i++)
      if (AsciiLower(names[i]) == t) return static_cast<int>(i);
  for (const char* t : kTitles)
    for (size_t i = 0; i < names.size(); i++)
      if (AsciiLower(names[i]).find(t) != std::string::npos) return static_cast<int>(i);
  return -1;
}

void SearchSource(const ConnectionConfig& config, const EngineOptions& base,
                  const SearchOptions& options, const std::vector<std::string>& words,
                  SearchSourceResult* out) {
  auto start = Clock::now();
  auto deadline = start + std::chrono::milliseconds(options.budget_ms);
  out->source = config.name;
  out->type = config.type;
  out->engine = EngineName(config);
  auto remaining_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  };
  try {
    EngineOptions eo = base;
    eo.home_dir.clear();  // no views, no result cache, no schema cache writes
    eo.result_cache_ttl_ms = 0;
    eo.timeout_ms = options.budget_ms;
    Engine engine(eo);
    engine.catalogs().AddCatalog(config);
    auto connector = engine.catalogs().GetCatalog(config.name);
    std::vector<std::pair<std::string, std::string>> tables;
    // The source's default schema first (the database of a MongoDB URL, PostgreSQL's public).
    std::vector<std::string> schemas = connector->ListSchemas();
    std::stable_partition(schemas.begin(), schemas.end(),
                          [&](const std::string& s) { return s == connector->DefaultSchema(); });
    if (!options.all_schemas && !schemas.empty() && schemas[0] == connector->DefaultSchema() &&
        !connector->ListTables(schemas[0]).empty())
      schemas.resize(1);
    for (const auto& schema : schemas) {
      for (const auto& t : connector->ListTables(schema)) {
        if (tables.size() >= options.max_tables) {
          out->skipped.push_back(
              fmt::format("more than {} tables: the rest were not searched", options.max_tables));
          break;
        }
        tables.emplace_back(schema, t);
      }
    }
    for (const auto& [schema, table] : tables) {
      int64_t left = remaining_ms();
      if (left <= 0) {
        out->skipped.push_back(schema + "." + table + ": the time budget (" +
                               std::to_string(options.budget_ms / 1000) + " s) was spent");
        continue;
      }
      engine.options().timeout_ms = std::max<int64_t>(left, 1);
      std::string qualified = QuoteIdentifier(config.name) + "." + QuoteIdentifier(schema) + "." +
                              QuoteIdentifier(table);
      try {
        auto info = connector->GetTable(schema, table);
        if (!info) continue;
        std::vector<std::string> text;
        for (const auto& c : info->columns)
          if (c.type.id == TypeId::kVarchar) text.push_back(c.name);
        if (text.empty()) continue;
        if (IsSearchLog(table) && out->related.empty()) {
          // Related searches: the log's texts holding the terms, most frequent first.
          std::vector<std::string> names = text;
          int title = PreferredTitle(names);
          std::string col = QuoteIdentifier(names[title >= 0 ? title : 0]);
          std::string sql = "SELECT " + col + " AS text, count(*) AS n FROM " + qualified +
                            " WHERE " + MatchPredicate({names[title >= 0 ? title : 0]}, words) +
                            " GROUP BY " + col + " ORDER BY n DESC, text LIMIT " +
                            std::to_string(std::max<int64_t>(options.limit, 1));
          QueryResult r = engine.Execute(sql);
          for (const auto& b : r.batches)
            for (size_t i = 0; i < b.count; i++)
              out->related.push_back(
                  {CellText(b.columns[0], i),
                   b.columns[1].GetValue(i).is_null() ? 0 : b.columns[1].GetValue(i).GetInt64()});
          out->related_index = table;
          continue;
        }
        std::string where = MatchPredicate(text, words);
        std::string from = qualified + " WHERE " + where;
        std::string order;
        if (AsciiLower(config.type) == "elasticsearch") {
          // The server's own full text: every word (AND) in any field, ranked by relevance.
          std::string q;
          for (const auto& w : words) q += (q.empty() ? "" : " AND ") + ("\"" + w + "\"");
          std::string fn = "TABLE(" + QuoteIdentifier(config.name) +
                           ".system.query_string(schema => " + SqlString(schema) + ", index => " +
                           SqlString(table) + ", query => " + SqlString(q) + "))";
          try {
            engine.Execute("SELECT count(*) FROM " + fn + " LIMIT 1");
            from = fn;
            order = " ORDER BY _score DESC";
          } catch (const Error&) {
            // No query_string here (an older server): the LIKE predicates above.
          }
        }
        QueryResult count = engine.Execute("SELECT count(*) FROM " + from);
        int64_t found = 0;
        if (!count.batches.empty() && count.batches[0].count > 0)
          found = count.batches[0].columns[0].GetValue(0).GetInt64();
        if (found == 0) continue;
        SearchTableResult t;
        t.schema = schema;
        t.table = table;
        t.found = found;
        t.text_columns = text;
        QueryResult rows = engine.Execute("SELECT * FROM " + from + order + " LIMIT " +
                                          std::to_string(options.limit));
        t.columns = rows.columns;
        for (const auto& b : rows.batches) {
          for (size_t i = 0; i < b.count; i++) {
            std::vector<std::string> row;
            for (const auto& v : b.columns) {
              if (v.type().IsNested()) {
                row.push_back(v.GetValue(i).ToString());
                continue;
              }
              std::string cell = CellText(v, i);
              row.push_back(cell == "NULL" && !v.View().IsValid(i) ? "" : cell);
            }
            t.rows.push_back(std::move(row));
          }
        }
        out->tables.push_back(std::move(t));
      } catch (const Error& e) {
        std::string why = ScrubPassword(e.what(), config.url, 3);
        if (e.kind() == ErrorKind::kInterrupted || remaining_ms() <= 0)
          why = "the time budget (" + std::to_string(options.budget_ms / 1000) + " s) was spent";
        out->skipped.push_back(schema + "." + table + ": " + why);
      }
    }
  } catch (const std::exception& e) {
    out->error = ScrubPassword(e.what(), config.url, 3);
  }
  std::stable_sort(out->tables.begin(), out->tables.end(),
                   [](const auto& a, const auto& b) { return a.found > b.found; });
  out->seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Fit(const std::string& text, size_t width) {
  // Cut by bytes, never inside a UTF-8 sequence.
  if (text.size() <= width) return text;
  size_t cut = width > 1 ? width - 1 : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) cut--;
  return text.substr(0, cut) + "…";
}

size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n++;
  return n;
}

std::string BoxLine(const std::string& text, size_t inner) {
  std::string t = Fit(text, inner);
  return "│ " + t + std::string(inner > Columns(t) ? inner - Columns(t) : 0, ' ') + " │\n";
}

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Plural(const std::string& table) {
  return table;  // table names are usually plural already ("products", "orders")
}

}  // namespace

std::vector<std::string> SearchWords(const std::string& terms) {
  std::vector<std::string> words;
  std::string current;
  for (char c : terms) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '%' ||
        c == '_' || c == '\\') {
      if (!current.empty()) words.push_back(AsciiLower(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) words.push_back(AsciiLower(current));
  if (words.empty())
    throw Error(ErrorKind::kBinder, "search needs words to look for, not '" + terms + "'");
  return words;
}

SearchResult RunFederatedSearch(const std::vector<ConnectionConfig>& configs,
                                const EngineOptions& base, const SearchOptions& options) {
  std::vector<std::string> words = SearchWords(options.terms);
  std::vector<ConnectionConfig> chosen;
  if (options.sources.empty()) {
    chosen = configs;
  } else {
    std::vector<std::string> names;
    for (const auto& c : configs) names.push_back(c.name);
    for (const auto& s : options.sources) {
      auto it = std::find_if(configs.begin(), configs.end(),
                             [&](const ConnectionConfig& c) { return c.name == s; });
      if (it == configs.end()) {
        std::string hint = SuggestName(s, names);
        throw Error(
            ErrorKind::kCatalog,
            "no source named '" + s + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      chosen.push_back(*it);
    }
  }
  if (chosen.empty())
    throw Error(ErrorKind::kCatalog,
                "no source is connected: add one with aishell connect <url> --name <name>");
  auto start = Clock::now();
  SearchResult result;
  result.terms = options.terms;
  result.sources.resize(chosen.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < chosen.size(); i++)
    threads.emplace_back(
        [&, i] { SearchSource(chosen[i], base, options, words, &result.sources[i]); });
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

std::string RenderSearch(const SearchResult& result, size_t width) {
  size_t inner = std::max<size_t>(40, std::min<size_t>(width ? width - 4 : 60, 80));
  std::string rule(inner + 4, ' ');
  std::string out = "🔍 Federated Search: \"" + result.terms + "\"\n";
  for (size_t i = 0; i < 50; i++) out += "━";
  out += "\n";
  std::string top = "┌", bottom = "└";
  for (size_t i = 0; i < inner + 2; i++) {
    top += "─";
    bottom += "─";
  }
  top += "┐\n";
  bottom += "┘\n";
  int64_t total = 0;
  size_t answered = 0;
  for (const auto& s : result.sources) {
    if (s.error.empty()) answered++;
    if (!s.error.empty()) {
      out += "\n⚠️  " + s.engine + " (" + s.source + "): " + s.error + "\n";
      continue;
    }
    for (const auto& t : s.tables) {
      total += t.found;
      std::string where = t.schema.empty() ? t.table : t.table;
      out += "\nResults from " + s.engine + " (" + s.source + ": " + where + "):\n" + top;
      std::vector<std::string> names;
      for (const auto& c : t.columns) names.push_back(c.name);
      int title = PreferredTitle(names);
      if (title < 0) {
        for (size_t c = 0; c < names.size(); c++)
          if (std::find(t.text_columns.begin(), t.text_columns.end(), names[c]) !=
              t.text_columns.end()) {
            title = static_cast<int>(c);
            break;
          }
      }
      for (size_t r = 0; r < t.rows.size(); r++) {
        const auto& row = t.rows[r];
        if (r) out += BoxLine("", inner);
        out += BoxLine(fmt::format("{}. {}", r + 1, title >= 0 ? row[title] : row[0]), inner);
        std::string details;
        for (size_t c = 0; c < row.size(); c++) {
          if (static_cast<int>(c) == title || row[c].empty()) continue;
          details += (details.empty() ? "" : " | ") + names[c] + ": " + row[c];
        }
        if (!details.empty()) out += BoxLine("   " + details, inner);
      }
      out += bottom;
      out += "Found: " + Thousands(t.found) + " " + Plural(t.table) + "\n";
    }
    if (!s.related.empty()) {
      out += "\nResults from " + s.engine + " (" + s.source + ": " + s.related_index + "):\n" +
             top + BoxLine("Related searches:", inner);
      for (const auto& r : s.related)
        out += BoxLine(fmt::format("- \"{}\" ({} search{})", r.text, Thousands(r.count),
                                   r.count == 1 ? "" : "es"),
                       inner);
      out += bottom;
    }
    if (s.tables.empty() && s.related.empty())
      out += "\nNo matches in " + s.engine + " (" + s.source + ")\n";
    for (const auto& k : s.skipped) out += "   (not searched: " + k + ")\n";
  }
  out += fmt::format(
      "\nTotal: {} matching rows; search time: {:.1f} seconds across {} of {} "
      "database{}\n",
      Thousands(total), result.seconds, answered, result.sources.size(),
      result.sources.size() == 1 ? "" : "s");
  (void)rule;
  return out;
}

std::string SearchJson(const SearchResult& result) {
  std::string out = "{\"terms\":" + JsonString(result.terms) +
                    fmt::format(",\"seconds\":{:.3f}", result.seconds) + ",\"sources\":[";
  for (size_t i = 0; i < result.sources.size(); i++) {
    const auto& s = result.sources[i];
    out += (i ? "," : "") + std::string("{\"source\":") + JsonString(s.source) +
           ",\"type\":" + JsonString(s.type) + ",\"engine\":" + JsonString(s.engine);
    out += ",\"error\":" + (s.error.empty() ? std::string("null") : JsonString(s.error));
    out += ",\"tables\":[";
    for (size_t j = 0; j < s.tables.size(); j++) {
      const auto& t = s.tables[j];
      out += (j ? "," : "") + std::string("{\"schema\":") + JsonString(t.schema) +
             ",\"table\":" + JsonString(t.table) + ",\"found\":" + std::to_string(t.found) +
             ",\"matches\":[";
      for (size_t r = 0; r < t.rows.size(); r++) {
        out += r ? ",{" : "{";
        for (size_t c = 0; c < t.columns.size() && c < t.rows[r].size(); c++)
          out += (c ? "," : "") + JsonString(t.columns[c].name) + ":" + JsonString(t.rows[r][c]);
        out += "}";
      }
      out += "]}";
    }
    out += "],\"related\":[";
    for (size_t j = 0; j < s.related.size(); j++)
      out += (j ? "," : "") + std::string("{\"text\":") + JsonString(s.related[j].text) +
             ",\"count\":" + std::to_string(s.related[j].count) + "}";
    out += "],\"skipped\":[";
    for (size_t j = 0; j < s.skipped.size(); j++) out += (j ? "," : "") + JsonString(s.skipped[j]);
    out += fmt::format("],\"seconds\":{:.3f}}}", s.seconds);
  }
  out += "]}\n";
  return out;
}

}  // namespace aishell
