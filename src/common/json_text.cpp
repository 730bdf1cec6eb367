#include "common/json_text.h"

#include <fmt/format.h>

#include <iterator>

#include "common/utf8.h"

namespace aishell {

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      size_t j = i;
      uint32_t cp = NextCodePoint(text, j);
      if (cp == 0xFFFD && !(j - i == 3 && text.substr(i, 3) == "\xEF\xBF\xBD")) {
        out->append("\\ufffd");
      } else {
        out->append(text.substr(i, j - i));
      }
      i = j - 1;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<unsigned>(u));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonString(text, &out);
  return out;
}

}  // namespace aishell
