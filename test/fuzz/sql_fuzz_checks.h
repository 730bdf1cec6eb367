// What the SQL fuzz targets do with one input (sql_fuzzer, sql_exec_fuzzer, sql_grammar_fuzzer):
// CheckFrontEnd lexes, splits, parses, round-trips and plans it; RunQueries runs its queries.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fuzz_util.h"
#include "planner/logical_plan.h"
#include "planner/planner.h"
#include "sql/ast.h"
#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql_fuzz_engine.h"

namespace aishell::fuzz {

// A parsed statement's SQL text parses back to the same text, and a copied query prints the same.
inline void CheckRoundTrip(const Statement& statement) {
  std::string once = statement.ToString();
  std::unique_ptr<Statement> again;
  try {
    again = ParseStatement(once);
  } catch (const Error& e) {
    Fail("the SQL text of a parsed statement does not parse (" + std::string(e.what()) +
         "): " + once + "\n  from: " + statement.text);
  }
  std::string twice = again->ToString();
  if (twice != once)
    Fail("SQL text does not round-trip:\n  " + once + "\n  " + twice +
         "\n  from: " + statement.text);
  if (statement.kind == StatementKind::kSelect) {
    std::string copied = statement.As<SelectStatement>().query->Copy()->ToString();
    if (copied != statement.As<SelectStatement>().query->ToString())
      Fail("a copied query prints differently: " + copied);
  }
}

// The lexer (strict and lenient), statement splitting, the parser, the AST's SQL text, and the
// binder, planner and optimizer for every query statement (nothing runs).
inline void CheckFrontEnd(const std::string& sql) {
  Engine& engine = FuzzEngine();
  std::string error;
  int error_position = -1;
  (void)TokenizeLenient(sql, &error, &error_position);
  try {
    (void)Tokenize(sql);
  } catch (const Error& e) {
    CheckError(e);
  }
  (void)IsCompleteStatement(sql);
  try {
    (void)SplitStatements(sql);
  } catch (const Error& e) {
    CheckError(e);
  }
  std::vector<std::unique_ptr<Statement>> statements;
  try {
    statements = ParseStatements(sql);
  } catch (const Error& e) {
    CheckError(e);
    return;
  }
  for (const auto& statement : statements) {
    CheckRoundTrip(*statement);
    if (statement->kind != StatementKind::kSelect) continue;
    try {
      PlannedQuery planned = PlanStatement(*statement, engine.catalogs(), PlannerOptions{});
      (void)PlanToString(*planned.plan);
    } catch (const Error& e) {
      CheckError(e);
    }
  }
}

namespace detail {
using Clock = std::chrono::steady_clock;
// When the running query is cancelled (nanoseconds since the epoch of Clock; 0: none).
inline std::atomic<int64_t> deadline{0};

inline void StartWatchdog(Engine* engine) {
  static std::once_flag once;
  std::call_once(once, [engine] {
    std::thread([engine] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        int64_t d = deadline.load();
        if (d != 0 && Clock::now().time_since_epoch().count() > d) engine->Cancel();
      }
    }).detach();
  });
}
}  // namespace detail

// Runs every query statement of `sql` on the fuzz engine (one thread, 256 MB per query), reads
// at most 10000 rows and renders them. A statement still running after 2 seconds is cancelled
// (Engine::Cancel), so that the fuzzer's own timeout only fires for a query that ignores it.
inline void RunQueries(const std::string& sql) {
  constexpr size_t kMaxRows = 10000;
  Engine& engine = FuzzEngine(int64_t{256} << 20);
  detail::StartWatchdog(&engine);
  std::vector<std::unique_ptr<Statement>> statements;
  try {
    statements = ParseStatements(sql);
  } catch (const Error& e) {
    CheckError(e);
    return;
  }
  for (const auto& statement : statements) {
    if (statement->kind != StatementKind::kSelect) continue;
    detail::deadline = (detail::Clock::now() + std::chrono::seconds(2)).time_since_epoch().count();
    try {
      auto stream = engine.Query(statement->text);
      Batch batch;
      size_t rows = 0;
      while (rows < kMaxRows && stream->Next(batch)) {
        for (size_t r = 0; r < batch.count && rows < kMaxRows; r++, rows++) {
          for (const auto& column : batch.columns) (void)column.GetValue(r).ToString();
        }
      }
    } catch (const Error& e) {
      CheckError(e);
    }
    detail::deadline = 0;
  }
}

}  // namespace aishell::fuzz
