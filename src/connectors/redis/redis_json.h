// JSON objects stored in Redis strings (JSON tables): their members as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace aishell {

// A JSON object's members as text (strings unquoted, nested values as JSON; null as nullopt);
// false (and *error set) if `text` is not a JSON object. `is_string` (optional) tells which
// members were JSON strings or nested values.
bool RedisJsonMembers(simdjson::dom::parser& parser, std::string_view text,
                      std::vector<std::pair<std::string, std::optional<std::string>>>* out,
                      std::vector<bool>* is_string, std::string* error);

}  // namespace aishell
