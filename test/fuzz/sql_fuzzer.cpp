// The SQL front end and binder: the lexer (strict and lenient), statement splitting, the parser,
// the AST's SQL text (which must round-trip: parsing ToString() gives the same text, and a copied
// query prints the same), and planning of every query statement against views over VALUES
// (binder, logical plan, optimizer; nothing runs). Bad SQL must throw Error with a position, never
// crash or recurse without bound. Seeded from every statement of test/sql/**/*.test.
#include <string>

#include "fuzz_util.h"
#include "planner/logical_plan.h"
#include "planner/planner.h"
#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql_fuzz_engine.h"

namespace {

using namespace aishell;

void CheckRoundTrip(const Statement& statement) {
  std::string once = statement.ToString();
  std::unique_ptr<Statement> again;
  try {
    again = ParseStatement(once);
  } catch (const Error& e) {
    fuzz::Fail("the SQL text of a parsed statement does not parse (" + std::string(e.what()) +
               "): " + once + "\n  from: " + statement.text);
  }
  std::string twice = again->ToString();
  if (twice != once)
    fuzz::Fail("SQL text does not round-trip:\n  " + once + "\n  " + twice +
               "\n  from: " + statement.text);
  if (statement.kind == StatementKind::kSelect) {
    std::string copied = statement.As<SelectStatement>().query->Copy()->ToString();
    if (copied != statement.As<SelectStatement>().query->ToString())
      fuzz::Fail("a copied query prints differently: " + copied);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string sql(fuzz::AsText(data, size));
  Engine& engine = fuzz::FuzzEngine();
  std::string error;
  int error_position = -1;
  (void)TokenizeLenient(sql, &error, &error_position);
  try {
    (void)Tokenize(sql);
  } catch (const Error& e) {
    fuzz::CheckError(e);
  }
  (void)IsCompleteStatement(sql);
  try {
    (void)SplitStatements(sql);
  } catch (const Error& e) {
    fuzz::CheckError(e);
  }
  std::vector<std::unique_ptr<Statement>> statements;
  try {
    statements = ParseStatements(sql);
  } catch (const Error& e) {
    fuzz::CheckError(e);
    return 0;
  }
  for (const auto& statement : statements) {
    CheckRoundTrip(*statement);
    if (statement->kind != StatementKind::kSelect) continue;
    try {
      PlannedQuery planned = PlanStatement(*statement, engine.catalogs(), PlannerOptions{});
      (void)PlanToString(*planned.plan);
    } catch (const Error& e) {
      fuzz::CheckError(e);
    }
  }
  return 0;
}
