// JSON string literals: the one escaper every JSON writer uses (result output, JSON Lines files,
// Iceberg metadata and REST requests, nested Parquet values, Redis JSON values).
#pragma once

#include <string>
#include <string_view>

namespace aishell {

// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped,
// valid UTF-8 passed through, each invalid byte replaced by \ufffd so the output stays valid JSON.
void AppendJsonString(std::string_view text, std::string* out);
// The same, as a new string.
std::string JsonString(std::string_view text);

}  // namespace aishell
