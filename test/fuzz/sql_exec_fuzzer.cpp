// SQL execution: every query statement of the input runs on the fuzz engine (views over VALUES, no
// file or server; one thread; 256 MB per query), its rows read (at most 10000) and rendered. A
// statement still running after 2 seconds is cancelled (Engine::Cancel), so that the fuzzer's own
// timeout only fires for a query that ignores cancellation. Bad SQL and failing expressions must
// throw Error, never crash. Seeded from every statement of test/sql/**/*.test.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "fuzz_util.h"
#include "sql/ast.h"
#include "sql/parser.h"
#include "sql_fuzz_engine.h"

namespace {

using namespace aishell;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxRows = 10000;

// Cancels the engine's query when the deadline (nanoseconds since the epoch of Clock; 0: none)
// passes.
std::atomic<int64_t> deadline{0};

void StartWatchdog(Engine* engine) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string sql(fuzz::AsText(data, size));
  Engine& engine = fuzz::FuzzEngine(int64_t{256} << 20);
  StartWatchdog(&engine);
  std::vector<std::unique_ptr<Statement>> statements;
  try {
    statements = ParseStatements(sql);
  } catch (const Error& e) {
    fuzz::CheckError(e);
    return 0;
  }
  for (const auto& statement : statements) {
    if (statement->kind != StatementKind::kSelect) continue;
    deadline = (Clock::now() + std::chrono::seconds(2)).time_since_epoch().count();
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
      fuzz::CheckError(e);
    }
    deadline = 0;
  }
  return 0;
}
