// Light lexical helpers over SQL text for the shell: is this input SQL at all (or a
// natural-language request)? Splitting and parsing live in sql/parser.h.
#pragma once

#include <string>
#include <string_view>

namespace aishell {

// The first word of the statement, upper-cased, after comments and '('; "" if none.
std::string FirstKeyword(std::string_view sql);
// Whether `word` (any case) starts a SQL statement aishell understands or reports on.
bool IsSqlStatementKeyword(std::string_view word);

}  // namespace aishell
