// JSON string literals: the one escaper every JSON writer uses (result output, JSON Lines files,
// Iceberg metadata and REST requests, nested Parquet values, Redis JSON values).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aishell {

// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped,
// valid UTF-8 passed through, each invalid byte replaced by \ufffd so the output stays valid JSON.
void AppendJsonString(std::string_view text, std::string* out);
// The same, as a new string.
std::string JsonString(std::string_view text);

// Standard base64 (RFC 4648, with padding): how JSON outputs carry VARBINARY, as Trino's.
std::string Base64(std::string_view bytes);

// `text` parsed as JSON and written back in canonical form (no insignificant whitespace), or
// nullopt when it is not one valid JSON value. The JSON type's values are kept in this form.
std::optional<std::string> CanonicalJson(std::string_view text);

}  // namespace aishell
