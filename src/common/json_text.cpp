#include "common/json_text.h"

#include <simdjson.h>

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
      NextCodePoint(text, j);
      // NextCodePoint decodes overlong forms, surrogates and code points past U+10FFFF too:
      // they are not UTF-8, and JSON parsers refuse them.
      if (!IsValidUtf8(text.substr(i, j - i))) {
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

std::string Base64(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

namespace {

// Whether the digit at `i` starts a number's integer part (not a fraction, an exponent or the
// rest of a digit run): it follows the start, whitespace, '[', ',', ':' or a minus sign after one.
bool StartsNumber(std::string_view text, size_t i) {
  if (i > 0 && text[i - 1] == '-') i--;
  if (i == 0) return true;
  char p = text[i - 1];
  return p == ' ' || p == '\t' || p == '\n' || p == '\r' || p == '[' || p == ',' || p == ':';
}

// `text` with ".0" after every integer of more than 19 digits outside strings: what simdjson's DOM
// parser can validate (it refuses integers past 64 bits, which JSON allows).
std::string WidenBigIntegers(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c >= '0' && c <= '9' && StartsNumber(text, i)) {
      size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') j++;
      out.append(text.substr(i, j - i));
      bool plain = j == text.size() || (text[j] != '.' && text[j] != 'e' && text[j] != 'E');
      if (plain && j - i > 19) out.append(".0");
      i = j - 1;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<std::string> CanonicalJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error == simdjson::SUCCESS) return simdjson::minify(root);
  if (error != simdjson::NUMBER_ERROR) return std::nullopt;
  // Valid JSON with an integer past 64 bits: validate it with the integers widened, and keep
  // their digits as they are (minified as text).
  simdjson::padded_string widened(WidenBigIntegers(text));
  if (parser.parse(widened).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), length) != simdjson::SUCCESS)
    return std::nullopt;
  out.resize(length);
  return out;
}

}  // namespace aishell
