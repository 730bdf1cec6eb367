// The translator's panel (seed 002's "AI Query Translator" layout): the sources it detected,
// the join conditions, the filters, every other reading it made, the generated SQL and the plan
// from EXPLAIN with its estimated rows and time.
#pragma once

#include <string>

#include "nl/translator.h"

namespace aishell {

class Engine;

std::string RenderNlPanel(const std::string& question, const NlTranslation& translation,
                          const std::string& plan);

// The refusal: the words it did not understand and what it would need.
std::string RenderNlRefusal(const std::string& question, const NlTranslation& translation);

// The plan shown in the panel: the planner's numbered steps per source with estimated rows and
// an estimated time (EXPLAIN's steps, federation.source_throughput), without the operator tree.
// A profile shows each section's steps, then the longest section's time as the total (its
// sections run in parallel).
std::string NlPlanText(Engine& engine, const NlTranslation& t);
std::string NlPlanText(Engine& engine, const std::string& sql);

}  // namespace aishell
