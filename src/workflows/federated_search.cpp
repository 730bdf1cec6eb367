#include "workflows/federated_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "catalog/catalog_registry.h"
#include "catalog/full_text.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "engine/result_format.h"
#include "engine/settings.h"
#include "sql/ast.h"

namespace aishell {

namespace {

using Clock = std::chrono::steady_clock;

SettingRegistration kRedisMaxKeys({"search.redis_max_keys",
                                   {},
                                   SettingType::kCount,
                                   "100000",
                                   "aishell search: keys scanned per Redis table at most (a notice "
                                   "says when a table has more)",
                                   "shell",
                                   1,
                                   int64_t{1} << 40});

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

void Notice(SearchSourceResult* out, const std::string& text) {
  if (std::find(out->notices.begin(), out->notices.end(), text) == out->notices.end())
    out->notices.push_back(text);
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

// Scores every shown row (federated_search.h), and the sources' relevance relative to the best.
void ScoreTable(SearchTableResult* t, const std::vector<std::string>& words) {
  std::vector<int> text_at;
  for (size_t c = 0; c < t->columns.size(); c++)
    if (std::find(t->text_columns.begin(), t->text_columns.end(), t->columns[c].name) !=
        t->text_columns.end())
      text_at.push_back(static_cast<int>(c));
  t->scores.clear();
  for (const auto& row : t->rows) {
    std::vector<std::string> texts;
    for (int c : text_at)
      if (c < static_cast<int>(row.size())) texts.push_back(row[c]);
    t->scores.push_back(SearchScore(texts, words));
  }
  double best = 0;
  for (double r : t->relevance) best = std::max(best, r);
  for (double& r : t->relevance) r = best > 0 ? r / best : 0;
  t->relevance.resize(t->rows.size(), 0);
}

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
        SearchTableResult t;
        t.schema = schema;
        t.table = table;
        t.text_columns = text;
        std::string type = AsciiLower(config.type);
        // The source's own full text (catalog/full_text.h), where its type registered one.
        if (FullTextSearchFn native = FindFullTextSearch(type)) {
          FullTextRequest request;
          request.columns = text;
          request.terms = options.terms;
          request.words = words;
          request.limit = options.limit;
          request.timeout_ms = std::max<int64_t>(remaining_ms(), 1);
          FullTextMatches m = native(*connector, *info, request);
          t.method = m.method;
          if (m.native) {
            t.native = true;
            if (m.found == 0) continue;
            t.found = m.found;
            for (size_t c = 0; c < info->columns.size(); c++)
              t.columns.push_back({info->columns[c].name, info->columns[c].type});
            t.rows = std::move(m.rows);
            t.relevance = m.scores;
            out->tables.push_back(std::move(t));
            continue;
          }
          if (!m.method.empty()) Notice(out, m.method);
        }
        std::string where = MatchPredicate(text, words);
        std::string from = qualified + " WHERE " + where;
        std::string order;
        int score_column = -1;
        if (type == "elasticsearch") {
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
            t.native = true;
            t.method = "Elasticsearch query_string (" + q + "), ranked by _score";
          } catch (const Error&) {
            // No query_string here (an older server): the LIKE predicates above.
            t.method = "no query_string here, so wildcard predicates";
          }
        }
        if (t.method.empty())
          t.method =
              "case-insensitive substring predicates per word, pushed down as the "
              "connector can";
        if (type == "redis") {
          // A SCAN of every key can take long: at most search.redis_max_keys keys per table.
          std::string capped = "(SELECT * FROM " + qualified + " LIMIT " +
                               std::to_string(options.redis_max_keys) + ") AS capped";
          QueryResult scanned = engine.Execute("SELECT count(*) FROM " + capped);
          int64_t keys = 0;
          if (!scanned.batches.empty() && scanned.batches[0].count > 0)
            keys = scanned.batches[0].columns[0].GetValue(0).GetInt64();
          if (keys >= options.redis_max_keys) {
            std::string note =
                fmt::format("{}: only the first {} keys were searched (search.redis_max_keys)",
                            table, Thousands(options.redis_max_keys));
            out->notices.push_back(note);
            t.method += "; " + note;
          }
          from = capped + " WHERE " + where;
        }
        QueryResult count = engine.Execute("SELECT count(*) FROM " + from);
        int64_t found = 0;
        if (!count.batches.empty() && count.batches[0].count > 0)
          found = count.batches[0].columns[0].GetValue(0).GetInt64();
        if (found == 0) continue;
        t.found = found;
        QueryResult rows = engine.Execute("SELECT * FROM " + from + order + " LIMIT " +
                                          std::to_string(options.limit));
        t.columns = rows.columns;
        if (!order.empty())
          for (size_t c = 0; c < rows.columns.size(); c++)
            if (rows.columns[c].name == "_score") score_column = static_cast<int>(c);
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
            if (score_column >= 0) t.relevance.push_back(std::atof(row[score_column].c_str()));
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
  for (auto& t : out->tables) ScoreTable(&t, words);
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

std::string Plural(const std::string& table) {
  return table;  // table names are usually plural already ("products", "orders")
}

}  // namespace

double SearchScore(const std::vector<std::string>& texts, const std::vector<std::string>& words) {
  if (words.empty()) return 0;
  std::string all;
  for (const auto& t : texts) all += AsciiLower(t) + "\n";
  auto whole_word = [&](const std::string& w) {
    for (size_t at = all.find(w); at != std::string::npos; at = all.find(w, at + 1)) {
      bool left = at == 0 || !IsWordChar(all[at - 1]);
      bool right = at + w.size() >= all.size() || !IsWordChar(all[at + w.size()]);
      if (left && right) return true;
    }
    return false;
  };
  double sum = 0;
  std::string phrase;
  for (const auto& w : words) {
    sum += whole_word(w) ? 1.0 : all.find(w) != std::string::npos ? 0.5 : 0.0;
    phrase += (phrase.empty() ? "" : " ") + w;
  }
  double score = 0.8 * sum / static_cast<double>(words.size());
  if (words.size() > 1 && all.find(phrase) != std::string::npos) score += 0.2;
  if (words.size() == 1 && whole_word(words[0])) score += 0.2;
  return std::min(1.0, score);
}

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

namespace {

struct RankedMatch {
  double score;
  double relevance;
  size_t source, table, row;
};

// Every shown row of every source, best first (federated_search.h).
std::vector<RankedMatch> RankAcrossSources(const SearchResult& result) {
  std::vector<RankedMatch> all;
  for (size_t s = 0; s < result.sources.size(); s++)
    for (size_t t = 0; t < result.sources[s].tables.size(); t++) {
      const auto& table = result.sources[s].tables[t];
      for (size_t r = 0; r < table.rows.size() && r < table.scores.size(); r++)
        all.push_back(
            {table.scores[r], r < table.relevance.size() ? table.relevance[r] : 0, s, t, r});
    }
  std::stable_sort(all.begin(), all.end(), [](const RankedMatch& a, const RankedMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.relevance > b.relevance;
  });
  return all;
}

std::string TitleOf(const SearchTableResult& t, size_t row) {
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  int title = PreferredTitle(names);
  if (title < 0)
    for (size_t c = 0; c < names.size(); c++)
      if (std::find(t.text_columns.begin(), t.text_columns.end(), names[c]) !=
          t.text_columns.end()) {
        title = static_cast<int>(c);
        break;
      }
  const auto& cells = t.rows[row];
  return cells.empty() ? ""
                       : cells[title >= 0 && title < static_cast<int>(cells.size()) ? title : 0];
}

}  // namespace

std::string RenderSearch(const SearchResult& result, size_t width, bool explain) {
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
        out +=
            BoxLine(fmt::format("{}. {}{}", r + 1, title >= 0 ? row[title] : row[0],
                                r < t.scores.size() ? fmt::format("  (score {:.2f})", t.scores[r])
                                                    : std::string()),
                    inner);
        std::string details;
        for (size_t c = 0; c < row.size(); c++) {
          if (static_cast<int>(c) == title || row[c].empty()) continue;
          details += (details.empty() ? "" : " | ") + names[c] + ": " + row[c];
        }
        if (!details.empty()) out += BoxLine("   " + details, inner);
      }
      out += bottom;
      out += "Found: " + Thousands(t.found) + " " + Plural(t.table) + "\n";
      if (explain) out += "   (searched by " + t.method + ")\n";
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
    for (const auto& n : s.notices) out += "   (" + s.engine + ", " + s.source + ": " + n + ")\n";
  }
  std::vector<RankedMatch> ranked = RankAcrossSources(result);
  if (result.sources.size() > 1 && !ranked.empty()) {
    out += "\nBest matches across sources (aishell's score, the same for every source):\n";
    for (size_t i = 0; i < ranked.size() && i < 5; i++) {
      const auto& m = ranked[i];
      const auto& src = result.sources[m.source];
      const auto& t = src.tables[m.table];
      out += fmt::format("  {}. {:.2f}  {}  ({}: {})\n", i + 1, m.score,
                         Fit(TitleOf(t, m.row), inner > 30 ? inner - 30 : 10), src.source, t.table);
    }
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
             ",\"native\":" + (t.native ? "true" : "false") +
             ",\"method\":" + JsonString(t.method) + ",\"matches\":[";
      for (size_t r = 0; r < t.rows.size(); r++) {
        out += r ? ",{" : "{";
        out += fmt::format("\"_aishell_score\":{:.4f},\"_relevance\":{:.4f},",
                           r < t.scores.size() ? t.scores[r] : 0.0,
                           r < t.relevance.size() ? t.relevance[r] : 0.0);
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
    out += "],\"notices\":[";
    for (size_t j = 0; j < s.notices.size(); j++) out += (j ? "," : "") + JsonString(s.notices[j]);
    out += fmt::format("],\"seconds\":{:.3f}}}", s.seconds);
  }
  out += "],\"best\":[";
  std::vector<RankedMatch> ranked = RankAcrossSources(result);
  for (size_t i = 0; i < ranked.size(); i++) {
    const auto& m = ranked[i];
    out += fmt::format("{}{{\"source\":{},\"table\":{},\"row\":{},\"score\":{:.4f}}}", i ? "," : "",
                       JsonString(result.sources[m.source].source),
                       JsonString(result.sources[m.source].tables[m.table].table), m.row, m.score);
  }
  out += "]}\n";
  return out;
}

}  // namespace aishell
