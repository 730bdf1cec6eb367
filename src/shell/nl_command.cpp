// A translated profile ("a complete profile for user x@y.com"): its sections are independent
// queries; they run in parallel, at most federation.threads at a time, each worker on its own
// engine (an Engine runs one query at a time), and are printed in the panel's order.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/exception.h"
#include "engine/engine.h"
#include "nl/translator.h"
#include "shell/cli.h"

namespace aishell {

namespace {

struct SectionOutcome {
  QueryResult result;
  std::optional<Error> error;
};

void PrintSectionError(const Error& e, const std::string& sql) {
  std::string text = e.position() >= 0 ? FormatError(e, sql) : std::string(e.what());
  std::fprintf(stderr, "Error: %s\n", text.c_str());
}

}  // namespace

bool Cli::RunProfileSections(const NlTranslation& t) {
  const size_t n = t.sections.size();
  size_t workers = std::min<size_t>(n, std::max(1, engine().EffectiveThreads()));
  // The engines are made here, on this thread (reading the settings and connections); the
  // first is the session's own.
  std::vector<std::unique_ptr<Engine>> extra;
  std::vector<Engine*> engines = {&engine()};
  for (size_t w = 1; w < workers; w++) {
    extra.push_back(MakeEngine());
    engines.push_back(extra.back().get());
  }
  std::vector<SectionOutcome> outcomes(n);
  std::atomic<size_t> next{0};
  auto work = [&](Engine* e) {
    for (size_t i = next++; i < n; i = next++) {
      try {
        outcomes[i].result = e->Execute(t.sections[i].second);
      } catch (const Error& err) {
        outcomes[i].error = err;
      } catch (const std::exception& ex) {
        outcomes[i].error = Error(ErrorKind::kInternal, ex.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; w++) threads.emplace_back(work, engines[w]);
  work(engines[0]);
  for (auto& th : threads) th.join();
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    std::cout << (i ? "\n" : "") << "━━ " << t.sections[i].first << " ━━\n";
    std::cout.flush();
    if (outcomes[i].error) {
      PrintSectionError(*outcomes[i].error, t.sections[i].second);
      ok = false;
      continue;
    }
    PrintResult(outcomes[i].result, OutputFormat::kTable, nullptr, i == 0);
  }
  std::cout.flush();
  return ok;
}

}  // namespace aishell
