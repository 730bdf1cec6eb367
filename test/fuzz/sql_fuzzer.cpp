// The SQL front end and binder: the lexer (strict and lenient), statement splitting, the parser,
// the AST's SQL text (which must round-trip: parsing ToString() gives the same text, and a copied
// query prints the same), and planning of every query statement against views over VALUES
// (binder, logical plan, optimizer; nothing runs). Bad SQL must throw Error with a position, never
// crash or recurse without bound. Seeded from every statement of test/sql/**/*.test; libFuzzer
// mutates bytes (sql_grammar_fuzzer mutates the token stream).
#include <string>

#include "sql_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  aishell::fuzz::CheckFrontEnd(std::string(aishell::fuzz::AsText(data, size)));
  return 0;
}
