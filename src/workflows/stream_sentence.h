// Seed 002's stream sentence: "Watch for new orders in MongoDB and enrich with user data from
// PostgreSQL and product analytics from Elasticsearch". The watched table and each enrichment
// table are found by name among the connected sources (a source hint, "in MongoDB" / "from
// users-db", narrows them by connector type or connection name; the connection's default schema
// first); each enrichment joins on <thing>_id (order.user_id = users.id, or product_id on both
// sides) and becomes a nested group of the output ("user": {...}, "analytics": {...}).
#pragma once

#include <optional>
#include <string>

#include "engine/engine.h"

namespace aishell {

struct StreamSentence {
  std::string sql;      // SELECT m.*, e.col AS "group.col", ... FROM m LEFT JOIN e ON ...
  std::string reading;  // what was understood, one line per table, for stderr
};

// nullopt when `text` is not a "watch for new ..." sentence. Throws Error(kBinder) naming the
// words when it is one but a table or a join cannot be found.
std::optional<StreamSentence> ReadStreamSentence(Engine& engine, const std::string& text);

}  // namespace aishell
