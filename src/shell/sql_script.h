// Light lexical helpers over SQL text for the shell: is this input SQL at all (or a
// natural-language request)? Splitting and parsing live in sql/parser.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aishell {

// The first word of the statement, upper-cased, after comments and '('; "" if none.
std::string FirstKeyword(std::string_view sql);
// Whether `word` (any case) starts a SQL statement aishell understands or reports on.
bool IsSqlStatementKeyword(std::string_view word);

// The statement keyword `word` is a typo of (one edit or transposition away, 4+ letters), or "".
std::string NearStatementKeyword(std::string_view word);
// Whether the text reads as a natural-language request rather than SQL: its first word is no
// SQL keyword, or a statement keyword is followed by words SQL does not allow there
// ("Show me users ...", "Explain why ...", "Describe the sales trend").
bool LooksLikeNaturalLanguage(std::string_view text);

// The statements of a script, split at ';' outside quotes and comments (sql/parser.h's
// SplitStatements, reachable without including the AST next to the plan headers).
std::vector<std::string> SplitSqlScript(const std::string& script);
// Whether the text ends a statement with ';' (sql/parser.h's IsCompleteStatement).
bool EndsWithCompleteStatement(const std::string& text);

}  // namespace aishell
