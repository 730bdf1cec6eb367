// ASCII text helpers: case folding for identifiers, keywords, option names and URL schemes (SQL
// folds unquoted names case-insensitively; none of these are locale-dependent). One copy for every
// layer.
#pragma once

#include <string>
#include <string_view>

namespace aishell {

inline char AsciiLowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline char AsciiUpperChar(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = AsciiLowerChar(c);
  return out;
}

inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = AsciiUpperChar(c);
  return out;
}

// `s` without leading and trailing whitespace (space, tab, CR, LF, FF, VT).
inline std::string TrimSpace(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) b++;
  while (e > b && space(s[e - 1])) e--;
  return std::string(s.substr(b, e - b));
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (AsciiLowerChar(a[i]) != AsciiLowerChar(b[i])) return false;
  }
  return true;
}

}  // namespace aishell
