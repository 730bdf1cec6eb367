// Streaming enrichment (aishell stream): polls a query for rows whose monotonic key is above the
// stored position, writes each as a JSON line (columns named "user.email" nest as
// {"user": {"email": ...}}), and stores the position with the output's length after the lines
// are synced, so that a restart after Ctrl-C or a crash resumes without loss or duplicates (a
// longer output is cut back to the stored length first). The query's joins do the enrichment:
// the engine fetches the looked-up rows in batches per poll.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/engine.h"

namespace aishell {

struct StreamOptions {
  std::string name;    // the stored position's name
  std::string sql;     // one SELECT
  std::string key;     // an output column that only grows
  std::string output;  // JSON Lines file; empty: the lines go to on_line
  double interval_seconds = 1;
  int64_t max_polls = -1;  // stop after this many polls (-1: until stopped)
};

struct StreamStats {
  int64_t events = 0;
  int64_t enriched = 0;  // events whose every enrichment group (a "x." prefix) has a value
  double enrich_seconds = 0;
  int64_t polls = 0;
  std::string position;
};

// Runs until `stop` (set by a signal handler, which also cancels the engine) or max_polls.
// on_event(line, key, stats) is called for every event after it was written.
StreamStats RunStream(Engine& engine, const std::string& home, const StreamOptions& options,
                      const std::atomic<bool>& stop,
                      const std::function<void(const std::string& line, const std::string& key,
                                               const StreamStats&)>& on_event);

}  // namespace aishell
