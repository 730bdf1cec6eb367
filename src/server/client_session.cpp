#include "server/client_session.h"

#include <cctype>

#include "common/exception.h"
#include "common/strings.h"
#include "common/url.h"

namespace aishell {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A cursor over SQL text that knows words, quoted strings and comments.
struct Scanner {
  const std::string& sql;
  size_t pos = 0;

  void SkipSpace() {
    while (pos < sql.size()) {
      if (std::isspace(static_cast<unsigned char>(sql[pos]))) {
        pos++;
      } else if (sql.compare(pos, 2, "--") == 0) {
        while (pos < sql.size() && sql[pos] != '\n') pos++;
      } else if (sql.compare(pos, 2, "/*") == 0) {
        auto end = sql.find("*/", pos + 2);
        pos = end == std::string::npos ? sql.size() : end + 2;
      } else {
        break;
      }
    }
  }
  // The next word (letters, digits, '_'), upper-cased, without consuming it.
  std::string PeekWord() {
    SkipSpace();
    size_t e = pos;
    while (e < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[e])) || sql[e] == '_'))
      e++;
    return AsciiUpper(std::string_view(sql).substr(pos, e - pos));
  }
  bool Keyword(const char* word) {
    if (PeekWord() != word) return false;
    pos += std::string_view(word).size();
    return true;
  }
  // An identifier: a word or a "quoted" name (unquoted ones are lower-cased, as Trino does).
  std::string Identifier() {
    SkipSpace();
    if (pos < sql.size() && sql[pos] == '"') {
      std::string out;
      pos++;
      while (pos < sql.size()) {
        if (sql[pos] == '"') {
          if (pos + 1 < sql.size() && sql[pos + 1] == '"') {
            out += '"';
            pos += 2;
            continue;
          }
          pos++;
          return out;
        }
        out += sql[pos++];
      }
      throw Error(ErrorKind::kSyntax, "unterminated quoted identifier", static_cast<int>(pos));
    }
    size_t s = pos;
    while (pos < sql.size() &&
           (std::isalnum(static_cast<unsigned char>(sql[pos])) || sql[pos] == '_'))
      pos++;
    if (s == pos) throw Error(ErrorKind::kSyntax, "expected a name", static_cast<int>(s));
    return AsciiLower(std::string_view(sql).substr(s, pos - s));
  }
  std::string Rest() {
    std::string r = TrimSpace(std::string_view(sql).substr(std::min(pos, sql.size())));
    while (!r.empty() && (r.back() == ';' || std::isspace(static_cast<unsigned char>(r.back()))))
      r.pop_back();
    return r;
  }
};

// Skips a quoted run starting at sql[i] (quote char q); returns the index after it.
size_t SkipQuoted(const std::string& sql, size_t i, char q) {
  i++;
  while (i < sql.size()) {
    if (sql[i] == q) {
      if (i + 1 < sql.size() && sql[i + 1] == q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return i;
}

std::vector<std::string> UsingValues(Scanner& s) {
  if (!s.Keyword("USING")) {
    if (!s.Rest().empty())
      throw Error(ErrorKind::kSyntax, "expected USING or the end of the statement",
                  static_cast<int>(s.pos));
    return {};
  }
  return SplitTopLevel(s.Rest());
}

}  // namespace

std::string UrlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseHeaderPairs(const std::string& header,
                                                                  const char* header_name) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string item = TrimSpace(std::string_view(header).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) {
      auto eq = item.find('=');
      if (eq == std::string::npos)
        throw Error(ErrorKind::kSyntax, std::string("malformed ") + header_name + " header: '" +
                                            item + "' is not name=value");
      out.emplace_back(TrimSpace(UrlDecode(item.substr(0, eq))), UrlDecode(item.substr(eq + 1)));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> SplitTopLevel(const std::string& list) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < list.size();) {
    char c = list[i];
    if (c == '\'' || c == '"') {
      i = SkipQuoted(list, i, c);
      continue;
    }
    if (c == '(' || c == '[') depth++;
    if (c == ')' || c == ']') depth--;
    if (c == ',' && depth == 0) {
      out.push_back(TrimSpace(std::string_view(list).substr(start, i - start)));
      start = i + 1;
    }
    i++;
  }
  std::string last = TrimSpace(std::string_view(list).substr(start));
  if (!last.empty() || !out.empty()) out.push_back(last);
  return out;
}

size_t ParameterCount(const std::string& sql) {
  size_t count = 0;
  for (size_t i = 0; i < sql.size(); i++) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      i = SkipQuoted(sql, i, c) - 1;
    } else if (sql.compare(i, 2, "--") == 0) {
      size_t e = sql.find('\n', i);
      i = (e == std::string::npos ? sql.size() : e) - 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t e = sql.find("*/", i + 2);
      i = (e == std::string::npos ? sql.size() : e + 2) - 1;
    } else if (c == '?') {
      count++;
    }
  }
  return count;
}

std::string SubstituteParameters(const std::string& sql, const std::vector<std::string>& values) {
  std::string out;
  size_t used = 0;
  size_t count = 0;
  for (size_t i = 0; i < sql.size(); i++) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      size_t e = SkipQuoted(sql, i, c);
      out.append(sql, i, e - i);
      i = e - 1;
    } else if (sql.compare(i, 2, "--") == 0) {
      size_t e = sql.find('\n', i);
      if (e == std::string::npos) e = sql.size();
      out.append(sql, i, e - i);
      i = e - 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t e = sql.find("*/", i + 2);
      e = e == std::string::npos ? sql.size() : e + 2;
      out.append(sql, i, e - i);
      i = e - 1;
    } else if (c == '?') {
      count++;
      if (used < values.size()) out += "(" + values[used++] + ")";
    } else {
      out += c;
    }
  }
  if (count != values.size())
    throw Error(ErrorKind::kBinder, "Incorrect number of parameters: expected " +
                                        std::to_string(count) + " but found " +
                                        std::to_string(values.size()));
  return out;
}

ServerStatement AnalyzeStatement(const std::string& sql, const ClientSession& session) {
  Scanner s{sql};
  ServerStatement out;
  std::string first = s.PeekWord();
  if (first == "PREPARE") {
    s.Keyword("PREPARE");
    out.action = StatementAction::kPrepare;
    out.name = s.Identifier();
    if (!s.Keyword("FROM"))
      throw Error(ErrorKind::kSyntax, "expected FROM after PREPARE " + out.name,
                  static_cast<int>(s.pos));
    out.prepared_sql = s.Rest();
    if (out.prepared_sql.empty())
      throw Error(ErrorKind::kSyntax, "PREPARE " + out.name + " has no statement",
                  static_cast<int>(s.pos));
    return out;
  }
  if (first == "DEALLOCATE") {
    s.Keyword("DEALLOCATE");
    if (!s.Keyword("PREPARE"))
      throw Error(ErrorKind::kSyntax, "expected PREPARE after DEALLOCATE", static_cast<int>(s.pos));
    out.action = StatementAction::kDeallocate;
    out.name = s.Identifier();
    if (!session.prepared.count(out.name))
      throw Error(ErrorKind::kCatalog, "Prepared statement not found: " + out.name);
    return out;
  }
  if (first == "EXECUTE") {
    s.Keyword("EXECUTE");
    if (s.Keyword("IMMEDIATE")) {
      s.SkipSpace();
      if (s.pos >= sql.size() || sql[s.pos] != '\'')
        throw Error(ErrorKind::kSyntax, "expected a string literal after EXECUTE IMMEDIATE",
                    static_cast<int>(s.pos));
      size_t end = SkipQuoted(sql, s.pos, '\'');
      std::string text;
      for (size_t i = s.pos + 1; i + 1 < end; i++) {
        text += sql[i];
        if (sql[i] == '\'') i++;  // '' -> '
      }
      s.pos = end;
      out.sql = SubstituteParameters(text, UsingValues(s));
      return out;
    }
    size_t name_pos = s.pos;
    std::string name = s.Identifier();
    auto it = session.prepared.find(name);
    if (it == session.prepared.end())
      throw Error(ErrorKind::kCatalog, "Prepared statement not found: " + name,
                  static_cast<int>(name_pos));
    out.sql = SubstituteParameters(it->second, UsingValues(s));
    return out;
  }
  if (first == "DESCRIBE") {
    Scanner t = s;
    t.Keyword("DESCRIBE");
    bool output = t.PeekWord() == "OUTPUT";
    if (output || t.PeekWord() == "INPUT") {
      t.Keyword(output ? "OUTPUT" : "INPUT");
      size_t name_pos = t.pos;
      out.name = t.Identifier();
      auto it = session.prepared.find(out.name);
      if (it == session.prepared.end())
        throw Error(ErrorKind::kCatalog, "Prepared statement not found: " + out.name,
                    static_cast<int>(name_pos));
      out.action = output ? StatementAction::kDescribeOutput : StatementAction::kDescribeInput;
      out.prepared_sql = it->second;
      // Parameters become NULL: the statement plans, and its columns are what it returns.
      out.sql = SubstituteParameters(it->second,
                                     std::vector<std::string>(ParameterCount(it->second), "NULL"));
      return out;
    }
  }
  if (first == "START") {
    Scanner t = s;
    t.Keyword("START");
    if (t.Keyword("TRANSACTION")) {
      out.action = StatementAction::kStartTransaction;
      return out;
    }
  }
  if (first == "COMMIT" || first == "ROLLBACK") {
    s.Keyword(first.c_str());
    s.Keyword("WORK");
    if (s.Rest().empty()) {
      out.action = first == "COMMIT" ? StatementAction::kCommit : StatementAction::kRollback;
      return out;
    }
  }
  out.sql = sql;
  return out;
}

}  // namespace aishell
