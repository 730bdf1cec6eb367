// SQL execution: every query statement of the input runs on the fuzz engine (views over VALUES, no
// file or server; one thread; 256 MB per query), its rows read (at most 10000) and rendered. A
// statement still running after 2 seconds is cancelled (Engine::Cancel), so that the fuzzer's own
// timeout only fires for a query that ignores cancellation. Bad SQL and failing expressions must
// throw Error, never crash. Seeded from every statement of test/sql/**/*.test.
#include <string>

#include "sql_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  aishell::fuzz::RunQueries(std::string(aishell::fuzz::AsText(data, size)));
  return 0;
}
