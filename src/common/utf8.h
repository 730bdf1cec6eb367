// UTF-8 decoding shared by the result printers and JSON writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aishell {

// Decodes the code point starting at s[i] and advances i past it. An invalid or truncated
// sequence decodes as U+FFFD and advances i by one byte.
uint32_t NextCodePoint(std::string_view s, size_t& i);

// Whether `s` is well-formed UTF-8 (no invalid, truncated or overlong sequences, no surrogates).
bool IsValidUtf8(std::string_view s);

}  // namespace aishell
