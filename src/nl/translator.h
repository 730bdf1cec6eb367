// The offline English -> Trino SQL translator: deterministic, schema-aware, no model. It reads
// entities (tables), columns, values, time phrases, aggregates and shape words from the question,
// joins the tables it needs along key-naming conventions (shortest paths), and lists every
// interpretation it made. Any word it cannot place makes it refuse: nothing is guessed silently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nl/nl_schema.h"

namespace aishell {

struct NlOptions {
  int32_t today = 0;   // days since 1970-01-01 in the session's time zone
  int week_start = 1;  // 1 = Monday ... 7 = Sunday (ISO)
};

struct NlTranslation {
  bool ok = false;
  std::string sql;  // ordinary Trino SQL, when ok
  // What it understood, for the panel: one line each.
  std::vector<std::string> sources;   // "postgresql (postgres): users"
  std::vector<std::string> joins;     // "u.id = o.user_id (user_id)"
  std::vector<std::string> filters;   // "o.created_at in [2026-11-30, 2026-12-07) (last week)"
  std::vector<std::string> readings;  // "\"purchases\" read as the table orders (synonym)"
  std::vector<std::string> notices;   // ties between join paths, assumptions
  std::vector<std::string> not_understood;  // the words it could not place
  // A profile ("a complete profile for user x@y.com"): one titled query per section, run each
  // on its own (sql holds the first).
  std::vector<std::pair<std::string, std::string>> sections;
  std::string error;  // why it refused (when !ok): "did not understand ..." and what it needs
  int source_count = 0;
};

// Translates one English question over `schema`.
NlTranslation TranslateToSql(const std::string& text, const NlSchema& schema,
                             const NlOptions& options);

// `aishell stream` in English: "Watch for new orders in MongoDB and enrich with user data from
// PostgreSQL and product analytics from Elasticsearch". The SQL that reads the watched table's
// rows with their enrichments (LEFT JOINs, so a row without a match still streams) and the key
// the stream follows (an output column whose values only grow: the table's event time, else its
// key). translation.ok is false (with translation.error) when it is not understood.
struct NlStreamRequest {
  NlTranslation translation;  // sql, sources, joins, readings for the panel
  std::string key;
};
NlStreamRequest TranslateStreamRequest(const std::string& text, const NlSchema& schema,
                                       const NlOptions& options);

// Today in the local time zone (TZ), as days since 1970-01-01.
int32_t LocalToday();

// "2026-12-07" from days since 1970-01-01, and back (false if not a date).
std::string FormatDays(int32_t days);
bool ParseIsoDate(const std::string& text, int32_t* days);

}  // namespace aishell
