#include "engine/sql_script.h"

#include <cctype>

#include "sql/parser.h"


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

bool IsSqlStatementKeyword(std::string_view word) {
  static const char* kKeywords[] = {
      "SELECT", "WITH",   "VALUES",  "TABLE",   "INSERT",  "CREATE",  "DROP",     "EXPLAIN", "SHOW",
      "DESCRIBE", "DESC", "SET",     "RESET",   "USE",     "DELETE",  "UPDATE",   "MERGE",   "ALTER",
      "CALL",   "PREPARE", "EXECUTE", "DEALLOCATE", "COMMIT", "ROLLBACK", "START", "GRANT", "REVOKE",
      "ANALYZE", "REFRESH", "TRUNCATE", "COMMENT"};
  std::string w;
  for (char c : word) w += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* k : kKeywords)
    if (w == k) return true;
  return false;
}

std::vector<std::string> SplitSqlScript(const std::string& script) { return SplitStatements(script); }

bool EndsWithCompleteStatement(const std::string& text) { return IsCompleteStatement(text); }

}  // namespace aishell
