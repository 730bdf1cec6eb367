// Kept apart from sql_script.cpp so that the lexical helpers do not depend on the parser.
#include "shell/sql_script.h"
#include "sql/parser.h"

namespace aishell {

std::vector<std::string> SplitSqlScript(const std::string& script) {
  return SplitStatements(script);
}

bool EndsWithCompleteStatement(const std::string& text) { return IsCompleteStatement(text); }

}  // namespace aishell
