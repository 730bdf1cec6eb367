// The SQL lexer: turns SQL text into tokens. Skips whitespace, -- line comments and
// /* block comments */. Unterminated strings, quoted identifiers and comments throw
// Error(kSyntax, message, position).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace aishell {

enum class TokenType : uint8_t {
  kWord,              // an unquoted identifier or keyword; text as written
  kQuotedIdentifier,  // "name", [name] or `name`; text = the name without quotes, unescaped
  kString,            // 'text'; text = contents with '' unescaped
  kInteger,           // 42
  kDecimal,           // 1.5, .5, 1.
  kDouble,            // 1e3, 1.5E-2
  kOperator,          // punctuation and operators: ( ) , . ; + - * / % = < > <= >= <> != || :: => ?
  kEnd,               // end of input
};

struct Token {
  TokenType type = TokenType::kEnd;
  std::string text;
  int position = 0;  // byte offset of the first character
  int end = 0;       // byte offset one past the last character
};

// Tokenizes the whole text; the last token is always kEnd (at the text's length).
std::vector<Token> Tokenize(const std::string& sql);

// Tokenizes without throwing: stops at the first error, and reports it in `error` (empty when
// the text lexed completely) with its position. Used to split statements leniently.
std::vector<Token> TokenizeLenient(const std::string& sql, std::string* error, int* error_position);

// Trino's reserved words (upper case): never an unquoted identifier.
bool IsReservedWord(const std::string& upper);
const std::unordered_set<std::string>& ReservedWordList();

}  // namespace aishell
