// Key patterns such as "session:{session_id}" (literal text around named placeholders) and the
// SCAN MATCH globs made from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aishell {

// A key pattern such as "session:{session_id}": literal text around named placeholders.
struct RedisKeyPattern {
  std::vector<std::string> literals;      // placeholders.size() + 1 pieces
  std::vector<std::string> placeholders;  // names, in order

  // Throws Error(kConnector) naming `where` if the pattern is malformed.
  static RedisKeyPattern Parse(const std::string& pattern, const std::string& where);
  std::string ToString() const;
  // The SCAN MATCH glob: literals escaped, placeholder i replaced by parts[i] (a glob), or "*".
  std::string Glob(const std::vector<std::string>& parts = {}) const;
  // Splits a key into placeholder values; false if the key does not fit. A placeholder value is
  // non-empty and holds no ':'.
  bool Match(std::string_view key, std::vector<std::string_view>* values) const;
  std::string Compose(const std::vector<std::string>& values) const;
};

// Escapes the glob specials (*?[]\) of a literal for SCAN MATCH.
std::string RedisGlobEscape(std::string_view literal);
// A LIKE pattern as a glob (% -> *, _ -> ?), or "" if it cannot be expressed.
std::string RedisLikeToGlob(const std::string& like, char escape);

}  // namespace aishell
