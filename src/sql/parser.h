// The SQL front end's entry points: a hand-written recursive-descent parser for the Trino
// dialect. Every syntax error throws Error(ErrorKind::kSyntax, message, byte offset of the
// offending token); no input crashes the parser (nesting depth is capped at kMaxParseDepth).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sql/ast.h"

namespace aishell {

// Syntax the parser rewrites into plain AST nodes (so the binder needs nothing special):
//   position(a IN b)              -> strpos(b, a)
//   substring(s FROM a [FOR b])   -> substr(s, a[, b])
//   trim([BOTH|LEADING|TRAILING] [c] FROM s) -> trim / ltrim / rtrim(s[, c])
//   x AT TIME ZONE z              -> at_timezone(x, z)
//   x = ANY|SOME (q) / x <> ALL (q) -> x IN (q) / x NOT IN (q)
//   x op ANY|SOME|ALL (q), other ops -> a CASE over count(*), count(c), min(c)/max(c) of q
//   (SELECT ..) LIMIT n (a query that already has ORDER BY/LIMIT, limited again) -> SELECT * FROM
//   (..) TABLE t                       -> SELECT * FROM t 0x1F                          -> the
//   integer literal 31
// Nesting (parentheses, subqueries, operator chains) is capped: a statement deeper than
// kMaxParseDepth levels is a syntax error, so that no input overflows the stack (about 2 MB of
// stack suffice in a Debug build; the engine parses on the calling thread).
inline constexpr int kMaxParseDepth = 1000;

// Statements separated by ';' (empty statements are skipped; a trailing ';' is fine).
// Each statement's `text` holds its exact source text and `position` its offset in `sql`.
std::vector<std::unique_ptr<Statement>> ParseStatements(const std::string& sql);

// Exactly one statement (a trailing ';' is fine); more than one is a syntax error.
std::unique_ptr<Statement> ParseStatement(const std::string& sql);

// One query (SELECT / WITH / VALUES / set operation), e.g. a stored view's SQL text.
std::unique_ptr<QueryNode> ParseQuery(const std::string& sql);

// One expression, for tests and tools.
std::unique_ptr<ParsedExpression> ParseExpression(const std::string& text);

// Splits a script into statement texts at ';' outside strings, quoted identifiers and comments,
// without parsing them (empty statements dropped). Used by the shell to find complete statements.
std::vector<std::string> SplitStatements(const std::string& sql);

// Whether `sql` ends with a ';' outside any string, quoted identifier or comment (the shell reads
// more lines until this holds).
bool IsCompleteStatement(const std::string& sql);

// The SQL keywords the parser knows (upper case), e.g. for shell completion and highlighting.
const std::vector<std::string>& SqlKeywords();

}  // namespace aishell
