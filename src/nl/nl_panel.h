// The translator's panel (seed 002's "AI Query Translator" layout): the sources it detected,
// the join conditions, the filters, every other reading it made, the generated SQL and the plan
// from EXPLAIN with its estimated rows.
#pragma once

#include <string>

#include "nl/translator.h"

namespace aishell {

std::string RenderNlPanel(const std::string& question, const NlTranslation& translation,
                          const std::string& plan);

// The refusal: the words it did not understand and what it would need.
std::string RenderNlRefusal(const std::string& question, const NlTranslation& translation);

}  // namespace aishell
