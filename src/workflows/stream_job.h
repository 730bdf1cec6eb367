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

// The key `aishell stream` uses when none is given: the first usable output column of the query,
// in this order:
//  1. an integer column named id, or <table>_id / <singular table>_id after the query's first
//     FROM table (order_id for orders): a table's own key, usually from a sequence;
//  2. a TIMESTAMP, TIMESTAMP WITH TIME ZONE or DATE column named for when a row was made
//     (created_at, created, inserted_at, created_on, creation_time, event_time, timestamp, ts,
//     order_date, placed_at, or any name holding "created");
//  3. `_id`, as MongoDB's ObjectId (its hex text orders like the id: the insert time to the
//     second first; two clients inserting in the same second can arrive out of order).
// Never PostgreSQL's ctid (an UPDATE moves a row, VACUUM reuses slots) or xmin (not ordered by
// commit, and it wraps around). `why` says what was chosen and its caveat. Throws Error(kBinder)
// listing the columns when none is usable.
struct StreamKeyChoice {
  std::string column;
  std::string why;
};
StreamKeyChoice ChooseStreamKey(Engine& engine, const std::string& sql);

// Runs until `stop` (set by a signal handler, which also cancels the engine) or max_polls.
// on_event(line, key, stats) is called for every event after it was written.
StreamStats RunStream(Engine& engine, const std::string& home, const StreamOptions& options,
                      const std::atomic<bool>& stop,
                      const std::function<void(const std::string& line, const std::string& key,
                                               const StreamStats&)>& on_event);

}  // namespace aishell
