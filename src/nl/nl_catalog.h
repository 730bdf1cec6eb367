// The translator's view of the live catalog: every table of every connected source (names,
// column types, row estimates), with distinct values of text columns sampled on demand through
// the engine (SELECT DISTINCT ... LIMIT), and the nl.synonyms.<word> settings.
#pragma once

#include <map>
#include <string>

#include "engine/engine.h"
#include "nl/nl_schema.h"

namespace aishell {

// Sources that cannot be reached are left out (their names go to `warnings`).
NlSchema LoadNlSchema(Engine& engine, const std::map<std::string, std::string>& settings,
                      std::vector<std::string>* warnings);

// At most this many distinct values are kept per text column; a column with more holds no
// status-like values and is not matched.
constexpr int kNlMaxSampledValues = 64;

}  // namespace aishell
