#include "shell/sql_script.h"

#include <cctype>
#include <vector>

namespace aishell {

namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || (c & 0x80);
}

// Skips a quoted section or comment starting at s[i]; returns the index after it, or npos if
// unterminated. Returns i if s[i] starts none.
size_t SkipQuotedOrComment(std::string_view s, size_t i) {
  char c = s[i];
  if (c == '\'' || c == '"' || c == '`' || c == '[') {
    char close = c == '[' ? ']' : c;
    size_t j = i + 1;
    while (j < s.size()) {
      if (s[j] == close) {
        if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return std::string_view::npos;
  }
  if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
    size_t j = s.find('\n', i);
    return j == std::string_view::npos ? s.size() : j + 1;
  }
  if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
    size_t j = s.find("*/", i + 2);
    return j == std::string_view::npos ? std::string_view::npos : j + 2;
  }
  return i;
}

}  // namespace

std::string FirstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
      i++;
      continue;
    }
    if ((c == '-' || c == '/') && i + 1 < sql.size() && (sql[i + 1] == '-' || sql[i + 1] == '*')) {
      size_t j = SkipQuotedOrComment(sql, i);
      if (j == std::string_view::npos) return "";
      i = j;
      continue;
    }
    break;
  }
  std::string word;
  while (i < sql.size() && IsWordChar(sql[i])) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
    i++;
  }
  return word;
}

namespace {
const char* const kStatementKeywords[] = {
    "SELECT", "WITH",     "VALUES", "TABLE",   "INSERT",  "CREATE",     "DROP",   "EXPLAIN",
    "SHOW",   "DESCRIBE", "DESC",   "SET",     "RESET",   "USE",        "DELETE", "UPDATE",
    "MERGE",  "ALTER",    "CALL",   "PREPARE", "EXECUTE", "DEALLOCATE", "COMMIT", "ROLLBACK",
    "START",  "GRANT",    "REVOKE", "ANALYZE", "REFRESH", "TRUNCATE",   "COMMENT"};
}  // namespace

bool IsSqlStatementKeyword(std::string_view word) {
  std::string w;
  for (char c : word) w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* k : kStatementKeywords)
    if (w == k) return true;
  return false;
}

std::string NearStatementKeyword(std::string_view word) {
  std::string w;
  for (char c : word) w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (w.size() < 4 || IsSqlStatementKeyword(w)) return "";
  for (const char* k : kStatementKeywords) {
    std::string key = k;
    if (key.size() < 4) continue;
    // Edit distance <= 1, or one transposition.
    size_t n = w.size(), m = key.size();
    if (n + 1 < m || m + 1 < n) continue;
    size_t i = 0;
    while (i < n && i < m && w[i] == key[i]) i++;
    std::string_view a(w), b(key);
    bool close = a.substr(i + (n >= m ? 1 : 0)) == b.substr(i + (m >= n ? 1 : 0)) ||
                 (n == m && i + 1 < n && w[i] == key[i + 1] && w[i + 1] == key[i] &&
                  a.substr(i + 2) == b.substr(i + 2));
    if (close) return key;
  }
  return "";
}

bool LooksLikeNaturalLanguage(std::string_view text) {
  std::string first = FirstKeyword(text);
  if (first.empty()) return false;  // starts with a symbol or a quote: let the parser judge
  if (!IsSqlStatementKeyword(first)) return NearStatementKeyword(first).empty();
  // The upper-cased words (letters, digits, '_', '-', '.') after the first one.
  std::vector<std::string> words;
  size_t i = text.find_first_not_of(" \t\r\n(");
  std::string current;
  bool in_first = true;
  for (; i < text.size(); i++) {
    char c = text[i];
    if (IsWordChar(c) || c == '-' || c == '.') {
      current += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      if (!current.empty()) {
        if (!in_first) words.push_back(current);
        in_first = false;
        current.clear();
      }
      if (!std::isspace(static_cast<unsigned char>(c))) {
        words.push_back(std::string(1, c));
      }
    }
  }
  if (!current.empty() && !in_first) words.push_back(current);
  auto next_is = [&](std::initializer_list<const char*> allowed) {
    if (words.empty()) return true;
    for (const char* a : allowed)
      if (words[0] == a) return true;
    return false;
  };
  if (first == "SHOW")
    return !next_is({"CATALOGS", "SCHEMAS", "TABLES", "COLUMNS", "FUNCTIONS", "SESSION", "CREATE",
                     "STATS", "VIEWS"});
  if (first == "EXPLAIN")
    return !next_is({"SELECT", "WITH", "VALUES", "TABLE", "ANALYZE", "VERBOSE", "INSERT", "CREATE",
                     "(", "FORMAT"});
  if (first == "CREATE") return !next_is({"TABLE", "VIEW", "OR", "SCHEMA", "MATERIALIZED"});
  if (first == "DESCRIBE" || first == "DESC" || first == "USE") {
    // One (possibly qualified) name, maybe quoted.
    size_t bare = 0;
    for (const auto& w : words)
      if (w.size() > 1 || std::isalnum(static_cast<unsigned char>(w[0]))) bare++;
    return bare > 1 && words.size() == bare;
  }
  return false;
}

}  // namespace aishell
