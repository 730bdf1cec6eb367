#include "sql/lexer.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <unordered_set>

#include "common/exception.h"

namespace aishell {

namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool IsIdentChar(unsigned char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$' || c == '@';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct LexError {
  std::string message;
  int position;
};

// Returns false (with `error`) on a lexical error.
bool Lex(const std::string& sql, std::vector<Token>& tokens, LexError& error) {
  const size_t n = sql.size();
  size_t i = 0;
  auto fail = [&](std::string message, size_t pos) {
    error = LexError{std::move(message), static_cast<int>(pos)};
    return false;
  };
  while (i < n) {
    char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      i++;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') i++;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t close = sql.find("*/", i + 2);
      if (close == std::string::npos) return fail("unterminated comment", i);
      i = close + 2;
      continue;
    }
    Token token;
    token.position = static_cast<int>(i);
    if (IsIdentStart(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < n && IsIdentChar(static_cast<unsigned char>(sql[i]))) i++;
      token.type = TokenType::kWord;
      token.text = sql.substr(start, i - start);
    } else if (c == '0' && i + 2 < n && (sql[i + 1] == 'x' || sql[i + 1] == 'X') &&
               std::isxdigit(static_cast<unsigned char>(sql[i + 2]))) {
      // 0x1F: a hexadecimal integer, rendered in decimal.
      size_t start = i;
      i += 2;
      uint64_t value = 0;
      bool overflow = false;
      while (i < n && std::isxdigit(static_cast<unsigned char>(sql[i]))) {
        char h = sql[i++];
        int digit = IsDigit(h) ? h - '0' : (std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
        if (value > (UINT64_MAX >> 4)) overflow = true;
        value = (value << 4) | static_cast<uint64_t>(digit);
      }
      if (overflow || value > static_cast<uint64_t>(INT64_MAX)) {
        return fail(
            fmt::format("hexadecimal literal {} is out of range", sql.substr(start, i - start)),
            start);
      }
      token.type = TokenType::kInteger;
      token.text = std::to_string(value);
    } else if (IsDigit(c) || (c == '.' && i + 1 < n && IsDigit(sql[i + 1]))) {
      size_t start = i;
      bool has_dot = false;
      bool has_exp = false;
      while (i < n && IsDigit(sql[i])) i++;
      if (i < n && sql[i] == '.') {
        has_dot = true;
        i++;
        while (i < n && IsDigit(sql[i])) i++;
      }
      if (i < n && (sql[i] == 'e' || sql[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (sql[j] == '+' || sql[j] == '-')) j++;
        if (j < n && IsDigit(sql[j])) {
          has_exp = true;
          i = j;
          while (i < n && IsDigit(sql[i])) i++;
        }
      }
      token.type =
          has_exp ? TokenType::kDouble : (has_dot ? TokenType::kDecimal : TokenType::kInteger);
      token.text = sql.substr(start, i - start);
    } else if (c == '\'') {
      size_t start = i;
      i++;
      std::string text;
      bool closed = false;
      while (i < n) {
        if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            text += '\'';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        text += sql[i++];
      }
      if (!closed) return fail("unterminated string literal", start);
      token.type = TokenType::kString;
      token.text = std::move(text);
    } else if (c == '"' || c == '`') {
      char quote = c;
      size_t start = i;
      i++;
      std::string text;
      bool closed = false;
      while (i < n) {
        if (sql[i] == quote) {
          if (i + 1 < n && sql[i + 1] == quote) {
            text += quote;
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        text += sql[i++];
      }
      if (!closed) return fail("unterminated quoted identifier", start);
      if (text.empty()) return fail("zero-length quoted identifier", start);
      token.type = TokenType::kQuotedIdentifier;
      token.text = std::move(text);
    } else if (c == '[' && !tokens.empty() &&
               ((tokens.back().end == static_cast<int>(i) &&
                 (tokens.back().type == TokenType::kWord ||
                  tokens.back().type == TokenType::kQuotedIdentifier ||
                  (tokens.back().type == TokenType::kOperator &&
                   (tokens.back().text == ")" || tokens.back().text == "]")))) ||
                (tokens.back().type == TokenType::kWord &&
                 (tokens.back().text == "ARRAY" || tokens.back().text == "array" ||
                  tokens.back().text == "Array")))) {
      // a[1], f(x)[1], a[1][2]: a subscript; ARRAY[...]: an array constructor. Otherwise '['
      // opens a bracketed name ([users-db]).
      token.type = TokenType::kOperator;
      token.text = "[";
      i++;
    } else if (c == '[') {
      size_t start = i;
      size_t close = sql.find(']', i + 1);
      if (close == std::string::npos) return fail("unterminated bracketed identifier", start);
      token.type = TokenType::kQuotedIdentifier;
      token.text = sql.substr(i + 1, close - i - 1);
      if (token.text.empty()) return fail("zero-length bracketed identifier", start);
      if (token.text.find('\n') != std::string::npos) {
        return fail("bracketed identifier spans lines (missing ']'?)", start);
      }
      i = close + 1;
    } else {
      static const char* const kTwoChar[] = {"<=", ">=", "<>", "!=", "||", "::", "=>", "->"};
      bool matched = false;
      if (i + 1 < n) {
        for (const char* op : kTwoChar) {
          if (sql[i] == op[0] && sql[i + 1] == op[1]) {
            token.text = op;
            i += 2;
            matched = true;
            break;
          }
        }
      }
      if (!matched) {
        switch (c) {
          case '(':
          case ')':
          case ',':
          case '.':
          case ';':
          case '+':
          case '-':
          case '*':
          case '/':
          case '%':
          case '=':
          case '<':
          case '>':
          case '?':
          case ':':
          case ']':
            token.text = std::string(1, c);
            i++;
            break;
          default: {
            unsigned char uc = static_cast<unsigned char>(c);
            std::string shown =
                uc >= 0x20 && uc < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", uc);
            return fail(fmt::format("syntax error at or near \"{}\": unexpected character", shown),
                        i);
          }
        }
      }
      token.type = TokenType::kOperator;
    }
    token.end = static_cast<int>(i);
    tokens.push_back(std::move(token));
  }
  Token end;
  end.type = TokenType::kEnd;
  end.position = static_cast<int>(n);
  end.end = static_cast<int>(n);
  tokens.push_back(std::move(end));
  return true;
}

// Trino's reserved words: never an unquoted identifier.
const std::unordered_set<std::string>& ReservedWordSet() {
  static const std::unordered_set<std::string> kWords = {
      "ALTER",
      "AND",
      "AS",
      "BETWEEN",
      "BY",
      "CASE",
      "CAST",
      "CONSTRAINT",
      "CREATE",
      "CROSS",
      "CUBE",
      "CURRENT_DATE",
      "CURRENT_TIME",
      "CURRENT_TIMESTAMP",
      "DEALLOCATE",
      "DELETE",
      "DESCRIBE",
      "DISTINCT",
      "DROP",
      "ELSE",
      "END",
      "ESCAPE",
      "EXCEPT",
      "EXECUTE",
      "EXISTS",
      "EXTRACT",
      "FALSE",
      "FOR",
      "FROM",
      "FULL",
      "GROUP",
      "GROUPING",
      "HAVING",
      "IN",
      "INNER",
      "INSERT",
      "INTERSECT",
      "INTO",
      "IS",
      "JOIN",
      "LEFT",
      "LIKE",
      "LOCALTIME",
      "LOCALTIMESTAMP",
      "NATURAL",
      "NOT",
      "NULL",
      "ON",
      "OR",
      "ORDER",
      "OUTER",
      "PREPARE",
      "RECURSIVE",
      "RIGHT",
      "ROLLUP",
      "SELECT",
      "TABLE",
      "THEN",
      "TRUE",
      "UNION",
      "UNNEST",
      "USING",
      "VALUES",
      "WHEN",
      "WHERE",
      "WITH",
      "ILIKE",
      "TRY_CAST",
      "CURRENT_USER",
      "CURRENT_CATALOG",
      "CURRENT_SCHEMA",
  };
  return kWords;
}

}  // namespace

bool IsReservedWord(const std::string& upper) { return ReservedWordSet().count(upper) > 0; }

const std::unordered_set<std::string>& ReservedWordList() { return ReservedWordSet(); }

std::vector<Token> Tokenize(const std::string& sql) {
  std::vector<Token> tokens;
  LexError error;
  if (!Lex(sql, tokens, error)) throw Error(ErrorKind::kSyntax, error.message, error.position);
  return tokens;
}

std::vector<Token> TokenizeLenient(const std::string& sql, std::string* error,
                                   int* error_position) {
  std::vector<Token> tokens;
  LexError lex_error;
  if (Lex(sql, tokens, lex_error)) {
    if (error) error->clear();
    if (error_position) *error_position = -1;
  } else {
    if (error) *error = lex_error.message;
    if (error_position) *error_position = lex_error.position;
  }
  return tokens;
}

}  // namespace aishell
