#include "workflows/stream_sentence.h"

#include <re2/re2.h>

#include <algorithm>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "sql/ast.h"

namespace aishell {

namespace {

struct Found {
  std::string catalog, schema, table;
  std::shared_ptr<const TableInfo> info;
};

std::string Singular(const std::string& w) {
  if (w.size() > 3 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 1 && w.back() == 's' && !w.ends_with("ss")) return w.substr(0, w.size() - 1);
  return w;
}

std::vector<std::string> Words(const std::string& phrase) {
  static const char* const kFiller[] = {"data",        "details", "detail", "info",
                                        "information", "records", "record", "the",
                                        "their",       "its",     "new"};
  std::vector<std::string> out;
  std::string cur;
  for (char c : phrase + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
      cur += c;
      continue;
    }
    if (!cur.empty() && std::find(std::begin(kFiller), std::end(kFiller), cur) == std::end(kFiller))
      out.push_back(cur);
    cur.clear();
  }
  return out;
}

std::string SourceType(const std::string& hint) {
  if (hint == "mongodb" || hint == "mongo") return "mongodb";
  if (hint == "postgresql" || hint == "postgres" || hint == "pg") return "postgres";
  if (hint == "elasticsearch" || hint == "opensearch" || hint == "es") return "elasticsearch";
  if (hint == "redis" || hint == "sqlite" || hint == "iceberg") return hint;
  return "";
}

// A table named by the phrase's words ("product analytics" -> product_analytics, analytics;
// "orders" -> orders, order), in a source the hint allows; a name ending in "_<name>" counts
// too (prefixed tables). Throws when none or several.
Found FindTable(Engine& engine, const std::string& phrase, const std::string& hint) {
  std::vector<std::string> words = Words(phrase);
  if (words.empty()) throw Error(ErrorKind::kBinder, "stream: no table named in '" + phrase + "'");
  std::vector<std::string> names;
  std::string joined;
  for (const auto& w : words) joined += (joined.empty() ? "" : "_") + w;
  names.push_back(joined);
  names.push_back(Singular(joined));
  names.push_back(joined + "s");
  names.push_back(words.back());
  names.push_back(Singular(words.back()));
  names.push_back(Singular(words.back()) + "s");
  std::string type = SourceType(hint);
  for (int scope = 0; scope < 2; scope++) {  // default schemas, then all
    for (int pass = 0; pass < 2; pass++) {   // exact names, then "_<name>" suffixes
      std::vector<Found> found;
      for (const auto& catalog : engine.catalogs().CatalogNames()) {
        const ConnectionConfig* config = engine.catalogs().GetConfig(catalog);
        if (!hint.empty() && AsciiLower(catalog) != hint &&
            (!config || type.empty() || AsciiLower(config->type) != type))
          continue;
        auto connector = engine.catalogs().GetCatalog(catalog);
        std::vector<std::string> schemas;
        if (scope == 0)
          schemas = {connector->DefaultSchema()};
        else
          schemas = connector->ListSchemas();
        for (const auto& schema : schemas) {
          std::vector<std::string> tables;
          try {
            tables = connector->ListTables(schema);
          } catch (const Error&) {
            continue;
          }
          for (const auto& name : names) {
            bool any = false;
            for (const auto& t : tables) {
              std::string lt = AsciiLower(t);
              bool match = pass == 0 ? lt == name : lt.ends_with("_" + name);
              if (match) {
                found.push_back({catalog, schema, t, nullptr});
                any = true;
              }
            }
            if (any) break;  // the best name form in this schema
          }
        }
      }
      if (found.size() == 1) {
        Found f = found[0];
        f.info = engine.catalogs().GetCatalog(f.catalog)->GetTable(f.schema, f.table);
        if (!f.info) break;
        return f;
      }
      if (found.size() > 1) {
        std::string list;
        for (const auto& f : found)
          list += (list.empty() ? "" : ", ") + f.catalog + "." + f.schema + "." + f.table;
        throw Error(ErrorKind::kBinder, "stream: '" + phrase + "' could mean several tables: " +
                                            list + "; name the source (\"from <connection>\")");
      }
    }
  }
  throw Error(ErrorKind::kBinder,
              "stream: no table for '" + phrase + "'" + (hint.empty() ? "" : " in " + hint) +
                  " (looked for " + names[0] + ", " + names[3] + " and tables ending in _" +
                  names[3] + "); write the query in SQL: aishell stream \"SELECT ...\"");
}

int Column(const TableInfo& t, const std::string& name) {
  for (size_t i = 0; i < t.columns.size(); i++)
    if (AsciiLower(t.columns[i].name) == name) return static_cast<int>(i);
  return -1;
}

std::string Qualified(const Found& f) {
  return QuoteIdentifier(f.catalog) + "." + QuoteIdentifier(f.schema) + "." +
         QuoteIdentifier(f.table);
}

}  // namespace

std::optional<StreamSentence> ReadStreamSentence(Engine& engine, const std::string& text) {
  std::string t;
  for (char c : AsciiLower(text)) {
    char ch = std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
    if (ch == ' ' && (t.empty() || t.back() == ' ')) continue;
    t += ch;
  }
  while (!t.empty() && (t.back() == ' ' || t.back() == '.')) t.pop_back();
  static const RE2 kSentence(
      "^(?:watch|monitor|listen) (?:for )?(?:new |incoming )?(.+?)(?: (?:in|from) ([\\w-]+))? "
      "and enrich(?: them| each| it)? with (.+)$");
  std::string main_phrase, main_hint, rest;
  if (!RE2::FullMatch(t, kSentence, &main_phrase, &main_hint, &rest)) return std::nullopt;
  StreamSentence out;
  Found main = FindTable(engine, main_phrase, main_hint);
  out.reading = "watching " + main.catalog + "." + main.schema + "." + main.table;
  std::string select = "SELECT m.*", from = " FROM " + Qualified(main) + " m";
  // "user data from PostgreSQL and product analytics from Elasticsearch"
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    size_t at = rest.find(" and ", start);
    items.push_back(rest.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 5;
  }
  static const RE2 kItem("^(.+?)(?: (?:from|in) ([\\w-]+))?$");
  int n = 0;
  for (const auto& item : items) {
    std::string phrase, hint;
    if (!RE2::FullMatch(item, kItem, &phrase, &hint) || Words(phrase).empty())
      throw Error(ErrorKind::kBinder,
                  "stream: cannot read '" + item + "' as \"<thing> from <source>\"");
    Found e = FindTable(engine, phrase, hint);
    std::vector<std::string> words = Words(phrase);
    std::string group = words.back();  // as written: "user", "analytics"
    // The join: main.<x>_id = e.<x>_id, or = e.id / e._id, x from the phrase's words.
    std::string main_col, e_col;
    for (const auto& w : words) {
      std::string key = Singular(w) + "_id";
      if (Column(*main.info, key) < 0) continue;
      if (Column(*e.info, key) >= 0)
        e_col = key;
      else if (Column(*e.info, "id") >= 0)
        e_col = "id";
      else if (Column(*e.info, "_id") >= 0)
        e_col = "_id";
      if (!e_col.empty()) {
        main_col = key;
        break;
      }
    }
    if (main_col.empty())
      throw Error(ErrorKind::kBinder,
                  "stream: cannot join " + main.table + " to " + e.table + " ('" + phrase + "'): " +
                      main.table + " has no " + Singular(words.back()) + "_id column matching " +
                      e.table + "'s id; write the query in SQL: aishell stream \"SELECT ...\"");
    std::string alias = "e" + std::to_string(++n);
    for (const auto& c : e.info->columns) {
      if (c.hidden || AsciiLower(c.name) == e_col || c.name == "_id") continue;
      select += ", " + alias + "." + QuoteIdentifier(c.name) + " AS " +
                QuoteIdentifier(group + "." + c.name, true);
    }
    from += " LEFT JOIN " + Qualified(e) + " " + alias + " ON m." + QuoteIdentifier(main_col) +
            " = " + alias + "." + QuoteIdentifier(e.info->columns[Column(*e.info, e_col)].name);
    out.reading += "; enriching with " + e.catalog + "." + e.schema + "." + e.table + " as \"" +
                   group + "\" (" + main_col + " = " + e_col + ")";
  }
  out.sql = select + from;
  return out;
}

}  // namespace aishell
