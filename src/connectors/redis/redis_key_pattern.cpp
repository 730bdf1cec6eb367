#include "connectors/redis/redis_key_pattern.h"

#include "common/exception.h"
#include "common/strings.h"
#include "connectors/redis/redis_types.h"

namespace aishell {

std::string RedisGlobEscape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string RedisLikeToGlob(const std::string& like, char escape) {
  std::string out;
  for (size_t i = 0; i < like.size(); i++) {
    char c = like[i];
    if (escape && c == escape) {
      if (i + 1 >= like.size()) return "";
      out += RedisGlobEscape(std::string_view(&like[i + 1], 1));
      i++;
    } else if (c == '%') {
      out += '*';
    } else if (c == '_') {
      out += '?';
    } else {
      out += RedisGlobEscape(std::string_view(&c, 1));
    }
  }
  return out;
}

RedisKeyPattern RedisKeyPattern::Parse(const std::string& pattern, const std::string& where) {
  RedisKeyPattern p;
  std::string literal;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (c == '{') {
      size_t close = pattern.find('}', i);
      if (close == std::string::npos) {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "' has an unclosed '{'");
      }
      std::string name = pattern.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "' has an empty or nested placeholder");
      }
      if (!p.placeholders.empty() && literal.empty()) {
        throw Error(ErrorKind::kConnector, where + ": key pattern '" + pattern +
                                               "': placeholders need literal text between them");
      }
      if (AsciiLower(name) == "_key" || AsciiLower(name) == "_ttl") {
        throw Error(ErrorKind::kConnector,
                    where + ": key pattern '" + pattern + "': '{" + name +
                        "}' is reserved (every table has _key and _ttl columns)");
      }
      for (const auto& other : p.placeholders) {
        if (AsciiLower(other) == AsciiLower(name)) {
          throw Error(ErrorKind::kConnector,
                      where + ": key pattern '" + pattern + "' repeats '{" + name + "}'");
        }
      }
      p.literals.push_back(literal);
      literal.clear();
      p.placeholders.push_back(name);
      i = close;
    } else if (c == '}') {
      throw Error(ErrorKind::kConnector,
                  where + ": key pattern '" + pattern + "' has a '}' without '{'");
    } else {
      literal += c;
    }
  }
  p.literals.push_back(literal);
  return p;
}

std::string RedisKeyPattern::ToString() const {
  std::string s = literals[0];
  for (size_t i = 0; i < placeholders.size(); i++)
    s += "{" + placeholders[i] + "}" + literals[i + 1];
  return s;
}

std::string RedisKeyPattern::Glob(const std::vector<std::string>& parts) const {
  std::string s = RedisGlobEscape(literals[0]);
  for (size_t i = 0; i < placeholders.size(); i++) {
    s += (i < parts.size() && !parts[i].empty()) ? parts[i] : "*";
    s += RedisGlobEscape(literals[i + 1]);
  }
  return s;
}

bool RedisKeyPattern::Match(std::string_view key, std::vector<std::string_view>* values) const {
  values->clear();
  if (key.substr(0, literals[0].size()) != literals[0]) return false;
  size_t pos = literals[0].size();
  for (size_t i = 0; i < placeholders.size(); i++) {
    const std::string& next = literals[i + 1];
    size_t end;
    if (i + 1 == placeholders.size() && next.empty()) {
      end = key.size();
    } else {
      end = key.find(next, pos);
      if (i + 1 == placeholders.size()) {
        // The last literal ends the key.
        if (key.size() < next.size() || key.substr(key.size() - next.size()) != next) return false;
        end = key.size() - next.size();
        if (end < pos) return false;
      }
      if (end == std::string_view::npos) return false;
    }
    std::string_view v = key.substr(pos, end - pos);
    if (v.empty() || v.find(':') != std::string_view::npos) return false;
    values->push_back(v);
    pos = end + next.size();
  }
  return pos == key.size();
}

std::string RedisKeyPattern::Compose(const std::vector<std::string>& values) const {
  std::string s = literals[0];
  for (size_t i = 0; i < placeholders.size(); i++) s += values[i] + literals[i + 1];
  return s;
}

}  // namespace aishell
