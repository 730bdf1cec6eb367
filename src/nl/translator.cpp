#include "nl/translator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "common/strings.h"

namespace aishell {

// ---------------------------------------------------------------- dates

namespace {

int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int yy = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

int32_t AddMonths(int32_t days, int months) {
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int total = y * 12 + static_cast<int>(m) - 1 + months;
  int ny = total >= 0 ? total / 12 : (total - 11) / 12;
  return DaysFromCivil(ny, static_cast<unsigned>(total - ny * 12 + 1), 1);
}

int32_t MonthStart(int32_t days) { return AddMonths(days, 0); }

}  // namespace

std::string FormatDays(int32_t days) {
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

bool ParseIsoDate(const std::string& text, int32_t* days) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  y = std::stoi(text.substr(0, 4));
  m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  *days = DaysFromCivil(y, m, d);
  int y2;
  unsigned m2, d2;
  CivilFromDays(*days, &y2, &m2, &d2);
  return m2 == m && d2 == d;
}

int32_t LocalToday() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return DaysFromCivil(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
                       static_cast<unsigned>(local.tm_mday));
}

int NlTable::FindColumn(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); i++)
    if (EqualsIgnoreCase(columns[i].name, column)) return static_cast<int>(i);
  return -1;
}

namespace {

bool IsPlainIdent(const std::string& s) {
  static const std::set<std::string> kReserved = {"all",
                                                  "and",
                                                  "as",
                                                  "by",
                                                  "case",
                                                  "cast",
                                                  "create",
                                                  "cross",
                                                  "date",
                                                  "desc",
                                                  "distinct",
                                                  "else",
                                                  "end",
                                                  "exists",
                                                  "false",
                                                  "from",
                                                  "full",
                                                  "group",
                                                  "having",
                                                  "in",
                                                  "inner",
                                                  "interval",
                                                  "is",
                                                  "join",
                                                  "left",
                                                  "like",
                                                  "limit",
                                                  "not",
                                                  "null",
                                                  "on",
                                                  "or",
                                                  "order",
                                                  "right",
                                                  "select",
                                                  "table",
                                                  "then",
                                                  "time",
                                                  "timestamp",
                                                  "true",
                                                  "union",
                                                  "user",
                                                  "using",
                                                  "values",
                                                  "when",
                                                  "where",
                                                  "with",
                                                  "current_date",
                                                  "current_time",
                                                  "current_timestamp",
                                                  "localtime",
                                                  "normalize",
                                                  "extract",
                                                  "escape",
                                                  "except",
                                                  "intersect",
                                                  "natural",
                                                  "outer",
                                                  "uescape",
                                                  "unnest"};
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return !kReserved.count(s);
}

std::string QuoteIdent(const std::string& s) {
  if (IsPlainIdent(s)) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string NlTable::QualifiedName() const {
  return QuoteIdent(catalog) + "." + QuoteIdent(schema) + "." + QuoteIdent(name);
}

namespace {

// ---------------------------------------------------------------- words

std::string Singular(const std::string& w) {
  if (w.size() > 4 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 4 && (w.ends_with("sses") || w.ends_with("shes") || w.ends_with("ches") ||
                       w.ends_with("xes") || w.ends_with("sses")))
    return w.substr(0, w.size() - 2);
  if (w.size() > 3 && w.ends_with("s") && !w.ends_with("ss") && !w.ends_with("us") &&
      !w.ends_with("is"))
    return w.substr(0, w.size() - 1);
  return w;
}

std::vector<std::string> SplitName(const std::string& name) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : AsciiLower(name)) {
    if (c == '_' || c == '-' || c == ' ' || c == '.') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

// The singular form of every part, joined by '_': "page_views" -> "page_view".
std::string NameKey(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "_") + Singular(p);
  return out;
}

// Whether the table name ends with the words of `key` ("page_view" ends web_page_view).
bool NameEndsWith(const std::vector<std::string>& table_parts, const std::string& key) {
  auto kparts = SplitName(key);
  if (kparts.empty() || kparts.size() > table_parts.size()) return false;
  for (size_t i = 0; i < kparts.size(); i++)
    if (Singular(table_parts[table_parts.size() - kparts.size() + i]) != Singular(kparts[i]))
      return false;
  return true;
}

bool WithinOneEdit(const std::string& a, const std::string& b) {
  if (a == b) return true;
  size_t n = a.size(), m = b.size();
  if (n + 1 < m || m + 1 < n) return false;
  if (n == m) {
    std::vector<size_t> diff;
    for (size_t i = 0; i < n; i++)
      if (a[i] != b[i]) diff.push_back(i);
    if (diff.size() == 1) return true;
    return diff.size() == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] &&
           a[diff[1]] == b[diff[0]];
  }
  const std::string& s = n < m ? a : b;
  const std::string& l = n < m ? b : a;
  size_t i = 0, j = 0;
  bool skipped = false;
  while (i < s.size() && j < l.size()) {
    if (s[i] == l[j]) {
      i++;
      j++;
    } else {
      if (skipped) return false;
      skipped = true;
      j++;
    }
  }
  return true;
}

enum class TokKind { kWord, kNumber, kQuoted, kEmail, kDate };

struct Tok {
  TokKind kind = TokKind::kWord;
  std::string text;  // lower case for words
  std::string raw;   // as written
  double number = 0;
  bool money = false;
  int32_t date = 0;
  bool used = false;
};

const std::map<std::string, int>& NumberWords() {
  static const std::map<std::string, int> m = {
      {"one", 1},     {"two", 2},      {"three", 3},    {"four", 4},    {"five", 5},
      {"six", 6},     {"seven", 7},    {"eight", 8},    {"nine", 9},    {"ten", 10},
      {"eleven", 11}, {"twelve", 12},  {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},
      {"fifty", 50},  {"hundred", 100}};
  return m;
}

std::vector<Tok> Tokenize(const std::string& text) {
  std::vector<Tok> out;
  size_t i = 0;
  auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '.' ||
           c == '-' || c == '+' || c == '\'' || c == '/' || static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' || c == '\'' || c == '`') {
      size_t end = text.find(c, i + 1);
      if (end != std::string::npos) {
        Tok t;
        t.kind = TokKind::kQuoted;
        t.raw = text.substr(i + 1, end - i - 1);
        t.text = AsciiLower(t.raw);
        out.push_back(t);
        i = end + 1;
        continue;
      }
      i++;
      continue;
    }
    if (c == '$' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      size_t j = i + 1;
      std::string digits;
      while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                                 text[j] == ',' || text[j] == '.')) {
        if (text[j] != ',') digits += text[j];
        j++;
      }
      if (!digits.empty() && digits.back() == '.') digits.pop_back();
      Tok t;
      t.kind = TokKind::kNumber;
      t.raw = text.substr(i, j - i);
      t.text = digits;
      t.number = std::stod(digits);
      t.money = true;
      out.push_back(t);
      i = j;
      continue;
    }
    if (c == '>' || c == '<' || c == '=' || c == '!') {
      // Comparison signs: ">", ">=", "<", "<=", "=", "!=" / "<>" (refused: negation).
      std::string op(1, c);
      if (i + 1 < text.size() && (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>')))
        op += text[i + 1];
      if (op == "!") {
        i++;
        continue;
      }
      Tok t;
      t.raw = op;
      t.text = op;
      out.push_back(t);
      i += op.size();
      continue;
    }
    if (c == '&' || c == '|' || c == '*' || c == '%' || c == '^' || c == '~' || c == '#') {
      // Symbols with a meaning it does not read: kept, so that they are reported.
      Tok t;
      t.raw = std::string(1, c);
      t.text = t.raw;
      out.push_back(t);
      i++;
      continue;
    }
    if (!is_word(c)) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < text.size() && is_word(text[j])) j++;
    std::string raw = text.substr(i, j - i);
    i = j;
    while (!raw.empty() && (raw.back() == '.' || raw.back() == '-' || raw.back() == '\''))
      raw.pop_back();
    while (!raw.empty() && (raw.front() == '.' || raw.front() == '-' || raw.front() == '\''))
      raw.erase(raw.begin());
    if (raw.empty()) continue;
    if (raw.ends_with("'s")) raw.resize(raw.size() - 2);
    Tok t;
    t.raw = raw;
    t.text = AsciiLower(raw);
    int32_t days;
    if (raw.find('@') != std::string::npos) {
      t.kind = TokKind::kEmail;
    } else if (ParseIsoDate(raw, &days)) {
      t.kind = TokKind::kDate;
      t.date = days;
    } else {
      bool numeric = true, dot = false;
      std::string digits;
      for (char ch : raw) {
        if (std::isdigit(static_cast<unsigned char>(ch))) {
          digits += ch;
        } else if (ch == '.' && !dot) {
          dot = true;
          digits += ch;
        } else if (ch == ',') {
        } else {
          numeric = false;
        }
      }
      if (numeric && !digits.empty() && digits != ".") {
        t.kind = TokKind::kNumber;
        t.number = std::stod(digits);
        t.text = digits;
      } else if (auto it = NumberWords().find(t.text); it != NumberWords().end()) {
        t.kind = TokKind::kNumber;
        t.number = it->second;
        t.text = std::to_string(it->second);
      } else if (t.text.find('.') != std::string::npos) {
        // "e.g", "i.e": split at dots into words.
        size_t start = 0;
        std::string s = t.text;
        while (start <= s.size()) {
          size_t dotpos = s.find('.', start);
          std::string part =
              s.substr(start, dotpos == std::string::npos ? std::string::npos : dotpos - start);
          if (!part.empty()) {
            Tok p;
            p.raw = part;
            p.text = part;
            out.push_back(p);
          }
          if (dotpos == std::string::npos) break;
          start = dotpos + 1;
        }
        continue;
      }
    }
    out.push_back(t);
  }
  // "250 dollars" / "250 USD": money, as "$250". "older than 65" / "younger than 30": the column
  // age (refused where no table in reach has one), over / under.
  std::vector<Tok> merged;
  for (size_t k = 0; k < out.size(); k++) {
    const std::string& w = out[k].text;
    if (out[k].kind == TokKind::kWord && !merged.empty() &&
        merged.back().kind == TokKind::kNumber &&
        (w == "dollars" || w == "dollar" || w == "usd" || w == "bucks")) {
      merged.back().money = true;
      merged.back().raw += " " + out[k].raw;
      continue;
    }
    if (out[k].kind == TokKind::kWord && (w == "older" || w == "younger") && k + 2 < out.size() &&
        out[k + 1].text == "than" && out[k + 2].kind == TokKind::kNumber) {
      Tok age = out[k];
      age.text = "age";
      Tok op = out[k + 1];
      op.text = w == "older" ? "over" : "under";
      merged.push_back(age);
      merged.push_back(op);
      k++;
      continue;
    }
    merged.push_back(out[k]);
  }
  return merged;
}

// Words that carry no meaning of their own here.
const std::set<std::string>& Fillers() {
  static const std::set<std::string> s = {
      "show",      "me",          "list",       "give",       "get",      "find",     "display",
      "return",    "fetch",       "what",       "which",      "who",      "whose",    "that",
      "those",     "these",       "this",       "the",        "a",        "an",       "of",
      "from",      "in",          "on",         "at",         "to",       "for",      "with",
      "and",       "all",         "any",        "every",      "are",      "is",       "was",
      "were",      "be",          "been",       "have",       "has",      "had",      "having",
      "do",        "does",        "did",        "made",       "make",     "making",   "please",
      "i",         "want",        "need",       "see",        "tell",     "about",    "their",
      "its",       "his",         "her",        "there",      "here",     "some",     "data",
      "info",      "information", "records",    "record",     "rows",     "row",      "entries",
      "details",   "us",          "our",        "my",         "can",      "you",      "could",
      "would",     "just",        "also",       "including",  "along",    "together", "whole",
      "entire",    "placed",      "done",       "across",     "database", "table",    "collection",
      "index",     "stored",      "recorded",   "exist",      "existing", "so",       "far",
      "ever",      "happened",    "them",       "it",         "they",     "how",      "much",
      "many",      "history",     "items",      "everything", "where",    "within",   "during",
      "up",        "as",          "into",       "by",         "per",      "each",     "now",
      "currently", "current",     "been",       "got",        "given",    "let",      "know",
      "s",         "like",        "number",     "count",      "were",     "via",      "using",
      "dataset",   "values",      "value",      "value's",    "kindly",   "hey",      "hi",
      "quick",     "quickly",     "overall",    "whole",      "full",     "complete", "one",
      "come",      "came",        "recorded",   "logged",     "being",    "people",   "basic",
      "analytics", "summary",     "including:", "live",       "lives",    "living",   "started",
      "sold",      "we",          "happen",     "occurred",   "occur",    "done",     "takes",
      "take",      "worth"};
  return s;
}

// Words that change a query's meaning in ways this translator does not handle: never skipped.
const std::set<std::string>& Blockers() {
  static const std::set<std::string> s = {"not", "no",        "never", "without", "except",
                                          "or",  "excluding", "nor",   "neither", "none",
                                          "but", "unless",    "than"};
  return s;
}

// The built-in synonym table: word -> table names to try, in order.
const std::map<std::string, std::vector<std::string>>& BuiltinSynonyms() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"purchase", {"orders", "transactions", "purchases", "sales"}},
      {"purchased", {"orders", "transactions", "purchases", "sales"}},
      {"bought", {"orders", "transactions", "purchases", "sales"}},
      {"buy", {"orders", "transactions", "purchases", "sales"}},
      {"sale", {"orders", "transactions", "sales", "purchases"}},
      {"ordered", {"orders", "purchases", "transactions"}},
      {"order", {"orders", "purchases", "transactions"}},
      {"transaction", {"transactions", "orders", "payments"}},
      {"customer", {"customers", "users", "clients"}},
      {"client", {"clients", "customers", "users"}},
      {"buyer", {"customers", "users", "buyers"}},
      {"shopper", {"customers", "users"}},
      {"user", {"users", "customers", "accounts", "members"}},
      {"member", {"members", "users", "customers"}},
      {"account", {"accounts", "users", "customers"}},
      {"person", {"users", "customers", "people"}},
      {"product", {"products", "items"}},
      {"good", {"products"}},
      {"article", {"products", "articles"}},
      {"review", {"reviews"}},
      {"reviewed", {"reviews"}},
      {"payment", {"payments"}},
      {"paid", {"payments"}},
      {"pageview", {"page_views", "pageviews"}},
      {"viewed", {"page_views", "pageviews", "views"}},
      {"visit", {"page_views", "visits"}},
      {"visited", {"page_views", "visits"}},
      {"search", {"search_history", "searches", "search_logs"}},
      {"searched", {"search_history", "searches", "search_logs"}},
      {"session", {"sessions"}},
      {"event", {"events"}},
      {"address", {"addresses"}},
      {"profile", {"profiles"}},
      {"cart", {"cart_items", "carts"}},
  };
  return m;
}

// Words naming a kind of column: word -> column names to try, in order.
const std::map<std::string, std::vector<std::string>>& ColumnSynonyms() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"revenue", {"total_amount", "total", "amount", "revenue", "price"}},
      {"spent", {"total_amount", "total", "amount"}},
      {"spend", {"total_amount", "total", "amount"}},
      {"spending", {"total_amount", "total", "amount"}},
      {"sales", {"total_amount", "total", "amount"}},
      {"money", {"total_amount", "total", "amount"}},
      {"stars", {"rating"}},
      {"star", {"rating"}},
      {"rated", {"rating"}},
      {"cost", {"price", "unit_price", "amount"}},
      {"price", {"price", "unit_price"}},
      {"priced", {"price", "unit_price"}},
      {"duration", {"duration", "duration_seconds", "duration_ms"}},
      {"named", {"name", "customer_name", "product_name", "full_name"}},
      {"called", {"name", "customer_name", "product_name", "full_name"}},
      {"name", {"name", "customer_name", "product_name", "full_name"}},
      {"names", {"name", "customer_name", "product_name", "full_name"}},
      {"lives", {"city", "region", "country"}},
      {"quantity", {"quantity", "qty"}},
      {"amount", {"total_amount", "amount", "total"}},
  };
  return m;
}

const std::map<std::string, std::string>& SourceTypeWords() {
  static const std::map<std::string, std::string> m = {{"postgresql", "postgres"},
                                                       {"postgres", "postgres"},
                                                       {"pg", "postgres"},
                                                       {"mongodb", "mongodb"},
                                                       {"mongo", "mongodb"},
                                                       {"elasticsearch", "elasticsearch"},
                                                       {"elastic", "elasticsearch"},
                                                       {"es", "elasticsearch"},
                                                       {"redis", "redis"},
                                                       {"sqlite", "sqlite"},
                                                       {"iceberg", "iceberg"},
                                                       {"lakehouse", "iceberg"},
                                                       {"csv", "file"},
                                                       {"files", "file"},
                                                       {"parquet", "file"}};
  return m;
}

bool IsNumeric(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}
bool IsTemporal(const LogicalType& t) {
  return t.id == TypeId::kDate || t.id == TypeId::kTimestamp || t.id == TypeId::kTimestampTz;
}
bool IsText(const LogicalType& t) { return t.id == TypeId::kVarchar; }

// ---------------------------------------------------------------- the question's items

enum class ItemKind {
  kEntity,
  kColumn,
  kValue,  // a column equal to a value
  kNumber,
  kDate,
  kQuoted,
  kEmail,
  kCount,  // how many, count, number of
  kSum,
  kAvg,
  kMin,
  kMax,
  kGroupBy,  // by, per, for each
  kTop,      // top N (number in `number`)
  kCompare,  // op in `op`
  kDistinct,
  kTime,       // range [from, to)
  kOrderDesc,  // newest, latest, most recent, highest (as order)
  kOrderAsc,
  kSortBy,  // sorted by, ordered by
  kFirstN,  // latest N / first N (number)
  kSourceHint,
  kActive,  // "active" over a table with a TTL column (Redis keys: _ttl)
};

struct Item {
  ItemKind kind;
  size_t pos = 0;  // token index
  int table = -1;  // NlSchema table
  int column = -1;
  std::string text;  // value / literal / source hint / op / time phrase
  double number = 0;
  bool money = false;
  std::optional<int32_t> from, to;  // kTime
  bool consumed = false;
};

struct JoinEdge {
  int a, b;  // tables
  int a_col, b_col;
  bool a_is_many;         // a holds the reference (x_id) to b's key
  bool declared = false;  // a declared FOREIGN KEY (not a naming convention)
};

class Translator {
 public:
  Translator(const std::string& text, const NlSchema& schema, const NlOptions& options)
      : text_(text), schema_(schema), options_(options) {}

  NlTranslation Run();
  NlStreamRequest RunStream();  // `aishell stream` in English

 private:
  // Returns false (and sets error_) to refuse.
  bool Refuse(const std::string& message) {
    if (error_.empty()) error_ = message;
    return false;
  }
  bool MatchPhrases();
  bool MatchEntities();
  bool MatchColumns(bool everywhere);
  bool MatchValues();
  bool CheckLeftovers();
  bool Interpret();
  bool Profile();
  bool Stream(NlStreamRequest* out);
  bool AntiJoin();  // "users who never left a review"
  bool anti_join_ = false;
  bool profile_ = false;
  std::vector<int> TablesNamed(const std::string& word, std::string* how) const;
  bool ResolveEntity(const std::vector<int>& candidates, size_t pos, const std::string& word,
                     int* table);
  const std::vector<JoinEdge>& EdgesOf(int table) const;
  void BuildIndex() const;
  // Built once per question, on first use.
  mutable bool indexed_ = false;
  mutable std::vector<std::set<std::string>> own_keys_;            // per table: its x_id key names
  mutable std::map<std::string, std::vector<int>> tables_by_key_;  // "user_id" -> users
  mutable std::map<std::string, std::vector<std::pair<int, int>>> columns_by_name_;  // *_id
  mutable std::set<std::string> column_keys_;                  // every column's NameKey
  mutable std::vector<std::vector<std::string>> table_parts_;  // words of each table's name
  mutable std::vector<std::string> table_keys_;                // NameKey of each table's name
  mutable std::map<int, std::vector<JoinEdge>> edge_cache_;
  // Whether the word at i and a word next to it name a column of some table together.
  bool PartOfColumnName(size_t i) const {
    auto key_of = [&](size_t from, size_t to) {
      std::string joined;
      for (size_t k = from; k < to; k++) {
        if (toks_[k].kind != TokKind::kWord) return std::string();
        joined += (joined.empty() ? "" : "_") + toks_[k].text;
      }
      return NameKey(SplitName(joined));
    };
    std::vector<std::string> keys;
    if (i + 1 < toks_.size()) keys.push_back(key_of(i, i + 2));
    if (i > 0) keys.push_back(key_of(i - 1, i + 1));
    BuildIndex();
    for (const auto& k : keys)
      if (!k.empty() && column_keys_.count(k)) return true;
    return false;
  }
  int CollectPaths(const std::set<int>& from, int target, int extra,
                   std::vector<std::vector<JoinEdge>>* out) const;
  std::string JoinText(const JoinEdge& e) const;
  bool JoinTree(std::vector<int> tables, int root, std::vector<JoinEdge>* tree,
                std::vector<int>* order);
  int KeyColumn(int table) const;
  int LabelColumn(int table) const;
  int DateColumn(int table, std::string* why) const;
  std::string Alias(int table);
  std::string Col(int table, int column) {
    return Alias(table) + "." + QuoteIdent(ColName(table, column));
  }
  const std::string& ColName(int table, int column) const {
    return schema_.tables[table].columns[column].name;
  }
  std::string Word(size_t pos) const { return pos < toks_.size() ? toks_[pos].text : ""; }
  bool UsedWord(size_t pos, const char* w) const {
    return pos < toks_.size() && toks_[pos].text == w;
  }
  std::vector<std::string>& Samples(int table, int column);
  std::string TimeLiteral(int table, int column, int32_t days);

  const std::string& text_;
  const NlSchema& schema_;
  const NlOptions& options_;
  std::vector<Tok> toks_;
  std::vector<Item> items_;
  std::vector<int> mentioned_;  // tables, in mention order
  std::map<int, std::string> aliases_;
  std::set<std::string> used_aliases_;
  std::map<std::pair<int, int>, std::vector<std::string>> samples_;
  std::vector<std::pair<size_t, std::string>> source_hints_;  // token pos, catalog or type
  NlTranslation out_;
  std::string error_;
};

std::vector<std::string>& Translator::Samples(int table, int column) {
  auto key = std::make_pair(table, column);
  auto it = samples_.find(key);
  if (it != samples_.end()) return it->second;
  std::vector<std::string> values;
  if (schema_.sample_values) {
    try {
      values = schema_.sample_values(schema_.tables[table], schema_.tables[table].columns[column]);
    } catch (...) {
      values.clear();
    }
  }
  return samples_[key] = values;
}

// ---------------------------------------------------------------- phrases

const std::map<std::string, int>& MonthNames() {
  static const std::map<std::string, int> m = {
      {"january", 1},   {"jan", 1},   {"february", 2},  {"feb", 2},      {"march", 3},
      {"mar", 3},       {"april", 4}, {"apr", 4},       {"may", 5},      {"june", 6},
      {"jun", 6},       {"july", 7},  {"jul", 7},       {"august", 8},   {"aug", 8},
      {"september", 9}, {"sep", 9},   {"sept", 9},      {"october", 10}, {"oct", 10},
      {"november", 11}, {"nov", 11},  {"december", 12}, {"dec", 12}};
  return m;
}

bool Translator::MatchPhrases() {
  const int32_t today = options_.today;
  auto word = [&](size_t i) -> std::string {
    return i < toks_.size() && toks_[i].kind == TokKind::kWord ? toks_[i].text : "";
  };
  auto add = [&](ItemKind kind, size_t pos, size_t len, const std::string& text = {},
                 double number = 0) -> Item& {
    for (size_t k = pos; k < pos + len && k < toks_.size(); k++) toks_[k].used = true;
    Item it;
    it.kind = kind;
    it.pos = pos;
    it.text = text;
    it.number = number;
    items_.push_back(it);
    return items_.back();
  };
  auto add_time = [&](size_t pos, size_t len, int32_t from, std::optional<int32_t> to,
                      const std::string& phrase) {
    Item& it = add(ItemKind::kTime, pos, len, phrase);
    it.from = from;
    it.to = to;
  };
  // The week that holds `day` starts on options_.week_start (1970-01-01 was a Thursday: ISO 4).
  auto week_start = [&](int32_t day) {
    int iso = static_cast<int>(((day % 7) + 7 + 3) % 7) + 1;  // 1 = Monday
    int back = (iso - options_.week_start + 7) % 7;
    return day - back;
  };
  auto quarter_start = [&](int32_t day) {
    int y;
    unsigned m, d;
    CivilFromDays(day, &y, &m, &d);
    return DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1);
  };
  auto year_start = [&](int32_t day) {
    int y;
    unsigned m, d;
    CivilFromDays(day, &y, &m, &d);
    return DaysFromCivil(y, 1, 1);
  };
  auto is_num = [&](size_t i) { return i < toks_.size() && toks_[i].kind == TokKind::kNumber; };
  auto unit_days = [&](const std::string& u) -> int {
    std::string s = Singular(u);
    if (s == "day") return 1;
    if (s == "week") return 7;
    return 0;
  };
  auto month_units = [&](const std::string& u) -> int {
    std::string s = Singular(u);
    if (s == "month") return 1;
    if (s == "quarter") return 3;
    if (s == "year") return 12;
    return 0;
  };

  for (size_t i = 0; i < toks_.size(); i++) {
    if (toks_[i].used) continue;
    std::string w = word(i), w1 = word(i + 1), w2 = word(i + 2);
    // ---- time
    if (w == "today") {
      add_time(i, 1, today, today + 1, "today");
      continue;
    }
    if (w == "yesterday") {
      add_time(i, 1, today - 1, today, "yesterday");
      continue;
    }
    if ((w == "last" || w == "past" || w == "previous" || w == "this" || w == "current") &&
        (w1 == "week" || w1 == "month" || w1 == "quarter" || w1 == "year")) {
      bool last = w != "this" && w != "current";
      int32_t from = 0, to = 0;
      if (w1 == "week") {
        from = week_start(today) - (last ? 7 : 0);
        to = from + 7;
      } else if (w1 == "month") {
        from = AddMonths(MonthStart(today), last ? -1 : 0);
        to = AddMonths(from, 1);
      } else if (w1 == "quarter") {
        from = AddMonths(quarter_start(today), last ? -3 : 0);
        to = AddMonths(from, 3);
      } else {
        from = AddMonths(year_start(today), last ? -12 : 0);
        to = AddMonths(from, 12);
      }
      add_time(i, 2, from, to, w + " " + w1);
      continue;
    }
    if ((w == "last" || w == "past" || w == "previous") && is_num(i + 1) &&
        (unit_days(w2) || month_units(w2))) {
      int n = static_cast<int>(toks_[i + 1].number);
      int32_t from =
          unit_days(w2) ? today - n * unit_days(w2) : AddMonths(today, -n * month_units(w2));
      add_time(i, 3, from, today + 1, w + " " + toks_[i + 1].text + " " + w2);
      continue;
    }
    if ((w == "since" || w == "after") && i + 1 < toks_.size() &&
        toks_[i + 1].kind == TokKind::kDate) {
      add_time(i, 2, toks_[i + 1].date + (w == "after" ? 1 : 0), std::nullopt,
               w + " " + toks_[i + 1].raw);
      continue;
    }
    if (w == "before" && i + 1 < toks_.size() && toks_[i + 1].kind == TokKind::kDate) {
      Item& it = add(ItemKind::kTime, i, 2, "before " + toks_[i + 1].raw);
      it.to = toks_[i + 1].date;
      continue;
    }
    if ((w == "on") && i + 1 < toks_.size() && toks_[i + 1].kind == TokKind::kDate) {
      add_time(i, 2, toks_[i + 1].date, toks_[i + 1].date + 1, "on " + toks_[i + 1].raw);
      continue;
    }
    if ((w == "between" || w == "from") && i + 3 < toks_.size() &&
        toks_[i + 1].kind == TokKind::kDate && (word(i + 2) == "and" || word(i + 2) == "to") &&
        toks_[i + 3].kind == TokKind::kDate) {
      add_time(i, 4, toks_[i + 1].date, toks_[i + 3].date + 1,
               w + " " + toks_[i + 1].raw + " and " + toks_[i + 3].raw);
      continue;
    }
    if ((w == "in" || w == "during") && MonthNames().count(w1) && is_num(i + 2) &&
        toks_[i + 2].number >= 1900 && toks_[i + 2].number < 3000) {
      int32_t from = DaysFromCivil(static_cast<int>(toks_[i + 2].number),
                                   static_cast<unsigned>(MonthNames().at(w1)), 1);
      add_time(i, 3, from, AddMonths(from, 1), "in " + w1 + " " + toks_[i + 2].text);
      continue;
    }
    if ((w == "in" || w == "during") && is_num(i + 1) && toks_[i + 1].number >= 1900 &&
        toks_[i + 1].number < 3000 && toks_[i + 1].text.find('.') == std::string::npos) {
      int32_t from = DaysFromCivil(static_cast<int>(toks_[i + 1].number), 1, 1);
      add_time(i, 2, from, AddMonths(from, 12), "in " + toks_[i + 1].text);
      continue;
    }
    // ---- aggregates and shape
    if (w == "how" && w1 == "many") {
      add(ItemKind::kCount, i, 2, "how many");
      continue;
    }
    if ((w == "number" || w == "count" || w == "counts") && w1 == "of") {
      add(ItemKind::kCount, i, 2, "number of");
      continue;
    }
    if (w == "count" || w == "counts") {
      add(ItemKind::kCount, i, 1, "count");
      continue;
    }
    if ((w == "total" || w == "sum") && w1 == "number" && w2 == "of") {
      add(ItemKind::kCount, i, 3, "total number of");
      continue;
    }
    if (w == "sum" || w == "total" || w == "summed") {
      add(ItemKind::kSum, i, 1, w);
      continue;
    }
    if (w == "average" || w == "avg" || w == "mean") {
      add(ItemKind::kAvg, i, 1, w);
      continue;
    }
    // "products with the lowest price", "the customer that has the highest total amount": the rows
    // holding an extreme value, not the value itself; refused with the phrasing that works.
    if ((w == "maximum" || w == "max" || w == "highest" || w == "largest" || w == "biggest" ||
         w == "minimum" || w == "min" || w == "lowest" || w == "smallest") &&
        i >= 1 &&
        (word(i - 1) == "with" || word(i - 1) == "has" || word(i - 1) == "have" ||
         (word(i - 1) == "the" && i >= 2 &&
          (word(i - 2) == "with" || word(i - 2) == "has" || word(i - 2) == "have" ||
           word(i - 2) == "had"))))
      return Refuse("\"" + toks_[i].raw +
                    "\" after \"with\" asks for the rows holding that value, which this "
                    "translator does not write; ask \"top 1 <table> by <column>\" (add "
                    "\"ascending\" for the lowest)");
    if (w == "maximum" || w == "max" || w == "highest" || w == "largest" || w == "biggest") {
      add(ItemKind::kMax, i, 1, w);
      continue;
    }
    if (w == "minimum" || w == "min" || w == "lowest" || w == "smallest") {
      add(ItemKind::kMin, i, 1, w);
      continue;
    }
    if ((w == "group" || w == "grouped" || w == "broken" || w == "split" || w == "break") &&
        (w1 == "by" || (w1 == "down" && w2 == "by"))) {
      add(ItemKind::kGroupBy, i, w1 == "by" ? 2 : 3, "by");
      continue;
    }
    if ((w == "for" || w == "in") && w1 == "each") {
      add(ItemKind::kGroupBy, i, 2, "for each");
      continue;
    }
    static const std::set<std::string> kAgentVerbs = {"placed",    "made",   "written", "created",
                                                      "submitted", "bought", "left",    "done"};
    if (w == "by" && i > 0 && kAgentVerbs.count(word(i - 1))) continue;  // "placed by users"
    if (w == "by" || w == "per" || w == "each") {
      add(ItemKind::kGroupBy, i, 1, w);
      continue;
    }
    if ((w == "sorted" || w == "ordered" || w == "sort" || w == "order") && w1 == "by") {
      add(ItemKind::kSortBy, i, 2, "sorted by");
      continue;
    }
    if ((w == "top" || w == "best") && is_num(i + 1)) {
      add(ItemKind::kTop, i, 2, "top", toks_[i + 1].number);
      continue;
    }
    if ((w == "latest" || w == "newest" || w == "last" || w == "recent") && is_num(i + 1)) {
      add(ItemKind::kFirstN, i, 2, "latest", toks_[i + 1].number);
      continue;
    }
    if ((w == "most" && w1 == "recent") && is_num(i + 2)) {
      add(ItemKind::kFirstN, i, 3, "latest", toks_[i + 2].number);
      continue;
    }
    if (is_num(i) && (w1 == "most" && w2 == "recent")) {
      add(ItemKind::kFirstN, i, 3, "latest", toks_[i].number);
      continue;
    }
    if (is_num(i) && (w1 == "latest" || w1 == "newest" || w1 == "recent")) {
      add(ItemKind::kFirstN, i, 2, "latest", toks_[i].number);
      continue;
    }
    if ((w == "first" || w == "oldest" || w == "earliest") && is_num(i + 1)) {
      add(ItemKind::kFirstN, i, 2, "first", toks_[i + 1].number);
      continue;
    }
    if (is_num(i) && (w1 == "oldest" || w1 == "earliest")) {
      add(ItemKind::kFirstN, i, 2, "first", toks_[i].number);
      continue;
    }
    if (w == "top" && !is_num(i + 1)) {
      add(ItemKind::kTop, i, 1, "top", 1);
      continue;
    }
    if (w == "distinct" || w == "unique" || w == "different") {
      add(ItemKind::kDistinct, i, 1, w);
      continue;
    }
    // comparisons
    struct Cmp {
      std::vector<std::string> words;
      const char* op;
    };
    static const std::vector<Cmp> kCmps = {
        {{"more", "than"}, ">"},
        {{"greater", "than"}, ">"},
        {{"bigger", "than"}, ">"},
        {{"larger", "than"}, ">"},
        {{"higher", "than"}, ">"},
        {{"over"}, ">"},
        {{"above"}, ">"},
        {{"exceeding"}, ">"},
        {{"at", "least"}, ">="},
        {{"no", "less", "than"}, ">="},
        {{"minimum", "of"}, ">="},
        {{"less", "than"}, "<"},
        {{"fewer", "than"}, "<"},
        {{"lower", "than"}, "<"},
        {{"smaller", "than"}, "<"},
        {{"under"}, "<"},
        {{"below"}, "<"},
        {{"at", "most"}, "<="},
        {{"no", "more", "than"}, "<="},
        {{"maximum", "of"}, "<="},
        {{"up", "to"}, "<="},
        {{"exactly"}, "="},
        {{"equal", "to"}, "="},
        {{"equals"}, "="},
        {{">"}, ">"},
        {{">="}, ">="},
        {{"<"}, "<"},
        {{"<="}, "<="},
        {{"="}, "="},
    };
    bool matched = false;
    for (const auto& cmp : kCmps) {
      bool ok = true;
      for (size_t k = 0; k < cmp.words.size() && ok; k++) ok = word(i + k) == cmp.words[k];
      if (ok && is_num(i + cmp.words.size())) {
        add(ItemKind::kCompare, i, cmp.words.size(), cmp.op);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (w == "most" && w1 == "recent") {
      add(ItemKind::kOrderDesc, i, 2, "most recent");
      continue;
    }
    if (w == "latest" || w == "newest" || w == "recent" || w == "recently") {
      add(ItemKind::kOrderDesc, i, 1, w);
      continue;
    }
    if (w == "oldest" || w == "earliest") {
      add(ItemKind::kOrderAsc, i, 1, w);
      continue;
    }
    if (w == "descending" || w == "desc") {
      add(ItemKind::kOrderDesc, i, 1, "descending");
      continue;
    }
    if (w == "ascending" || w == "asc") {
      add(ItemKind::kOrderAsc, i, 1, "ascending");
      continue;
    }
    if (w == "active") {
      bool ttl = false;
      for (const auto& t : schema_.tables) ttl = ttl || t.FindColumn("_ttl") >= 0;
      if (ttl) {
        add(ItemKind::kActive, i, 1, "active");
        continue;
      }
    }
    // ---- source hints: a source type or a connection name
    if (!w.empty()) {
      std::set<std::string> catalogs;
      for (const auto& t : schema_.tables) catalogs.insert(AsciiLower(t.catalog));
      if (catalogs.count(w)) {
        add(ItemKind::kSourceHint, i, 1, "catalog:" + w);
        continue;
      }
      if (auto it = SourceTypeWords().find(w); it != SourceTypeWords().end()) {
        add(ItemKind::kSourceHint, i, 1, "type:" + it->second);
        continue;
      }
      // A schema name ("orders in sales"), unless the word names a table too.
      BuildIndex();
      std::string wkey = NameKey(SplitName(w));
      if (!Fillers().count(w) &&
          std::find(table_keys_.begin(), table_keys_.end(), wkey) == table_keys_.end()) {
        bool schema = false;
        for (const auto& t : schema_.tables) schema = schema || AsciiLower(t.schema) == w;
        if (schema) {
          add(ItemKind::kSourceHint, i, 1, "schema:" + w);
          continue;
        }
      }
    }
  }
  // Numbers, dates, quoted text and emails not taken by a phrase.
  for (size_t i = 0; i < toks_.size(); i++) {
    if (toks_[i].used) continue;
    Item it;
    it.pos = i;
    it.text = toks_[i].raw;
    it.number = toks_[i].number;
    it.money = toks_[i].money;
    switch (toks_[i].kind) {
      case TokKind::kNumber:
        it.kind = ItemKind::kNumber;
        break;
      case TokKind::kDate:
        it.kind = ItemKind::kDate;
        break;
      case TokKind::kQuoted:
        it.kind = ItemKind::kQuoted;
        break;
      case TokKind::kEmail:
        it.kind = ItemKind::kEmail;
        break;
      default:
        continue;
    }
    toks_[i].used = true;
    items_.push_back(it);
  }
  return true;
}

// ---------------------------------------------------------------- entities

// Tables whose name (or its last word, or a synonym) is `word` (already joined n-grams with '_').
std::vector<int> Translator::TablesNamed(const std::string& word, std::string* how) const {
  BuildIndex();
  std::vector<int> out;
  std::string key = NameKey(SplitName(word));
  for (size_t t = 0; t < schema_.tables.size(); t++)
    if (table_keys_[t] == key) out.push_back(static_cast<int>(t));
  if (!out.empty()) {
    *how = "table name";
    return out;
  }
  // Configured synonyms: word -> a table name.
  for (const auto& [syn, table] : schema_.synonyms) {
    if (Singular(AsciiLower(syn)) != key && AsciiLower(syn) != word) continue;
    std::string target = NameKey(SplitName(table));
    for (size_t t = 0; t < schema_.tables.size(); t++)
      if (table_keys_[t] == target) out.push_back(static_cast<int>(t));
    if (!out.empty()) {
      *how = "synonym nl.synonyms." + syn;
      return out;
    }
  }
  // The last words of a longer table name: "user" -> app_user, "page views" -> web_page_view.
  for (size_t t = 0; t < schema_.tables.size(); t++) {
    const auto& parts = table_parts_[t];
    if (parts.size() > SplitName(key).size() && NameEndsWith(parts, key))
      out.push_back(static_cast<int>(t));
  }
  if (!out.empty()) {
    *how = "last word of the table name";
    return out;
  }
  if (word.find('_') != std::string::npos) return out;
  auto syn = BuiltinSynonyms().find(key);
  if (syn == BuiltinSynonyms().end()) syn = BuiltinSynonyms().find(word);
  if (syn != BuiltinSynonyms().end()) {
    for (const auto& candidate : syn->second) {
      std::string ckey = NameKey(SplitName(candidate));
      for (size_t t = 0; t < schema_.tables.size(); t++) {
        const auto& parts = table_parts_[t];
        if (NameKey(parts) == ckey || NameEndsWith(parts, candidate))
          out.push_back(static_cast<int>(t));
      }
      if (!out.empty()) {
        *how = "synonym of " + candidate;
        return out;
      }
    }
  }
  return out;
}

bool Translator::MatchEntities() {
  // Longest first: three words, two, one ("page views", "cart items", "search history").
  for (size_t len = 3; len >= 1; len--) {
    for (size_t i = 0; i + len <= toks_.size(); i++) {
      bool free = true;
      std::string joined;
      for (size_t k = i; k < i + len; k++) {
        if (toks_[k].used || toks_[k].kind != TokKind::kWord) free = false;
        joined += (joined.empty() ? "" : "_") + toks_[k].text;
      }
      if (!free) continue;
      if (len == 1 && PartOfColumnName(i)) continue;  // "event type" is a column of events
      std::string how;
      auto candidates = TablesNamed(joined, &how);
      bool letters = std::all_of(joined.begin(), joined.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c));
      });
      if (candidates.empty() && len == 1 && letters && joined.size() >= 5 &&
          !Fillers().count(joined) && !Blockers().count(joined)) {
        // One typo away from a table name or a synonym.
        std::set<std::string> keys;
        for (const auto& t : schema_.tables) {
          keys.insert(AsciiLower(t.name));
          keys.insert(Singular(AsciiLower(t.name)));
        }
        for (const auto& [k, v] : BuiltinSynonyms()) {
          keys.insert(k);
          keys.insert(k + "s");
        }
        std::vector<std::string> near;
        for (const auto& k : keys)
          if (k.size() >= 4 && WithinOneEdit(joined, k)) near.push_back(k);
        std::set<int> targets;
        std::string fixed;
        for (const auto& k : near) {
          std::string h;
          auto c = TablesNamed(k, &h);
          if (!c.empty()) {
            fixed = k;
            for (int t : c) targets.insert(t);
          }
        }
        if (!targets.empty()) {
          std::set<std::string> names;
          for (int t : targets) names.insert(AsciiLower(schema_.tables[t].name));
          if (names.size() == 1) {
            candidates.assign(targets.begin(), targets.end());
            how = "spelling of \"" + fixed + "\"";
          }
        }
      }
      if (candidates.empty()) continue;
      for (size_t k = i; k < i + len; k++) toks_[k].used = true;
      Item it;
      it.kind = ItemKind::kEntity;
      it.pos = i;
      it.text = joined;
      it.number = static_cast<double>(len);
      int table = -1;
      if (!ResolveEntity(candidates, i, joined, &table)) return false;
      it.table = table;
      items_.push_back(it);
      if (how != "table name")
        out_.readings.push_back(
            fmt::format("\"{}\" read as {} ({})", joined, schema_.tables[table].name, how));
    }
    if (len == 1) break;
  }
  return true;
}

bool Translator::ResolveEntity(const std::vector<int>& candidates, size_t pos,
                               const std::string& word, int* table) {
  // A source hint right before or after the entity ("users from PostgreSQL", "MongoDB orders").
  std::vector<int> filtered = candidates;
  for (auto& hint : items_) {
    if (hint.kind != ItemKind::kSourceHint) continue;
    bool near = (hint.pos < pos && pos - hint.pos <= 3) || (hint.pos > pos && hint.pos - pos <= 3);
    if (!near) continue;
    std::vector<int> keep;
    for (int t : candidates) {
      const auto& tab = schema_.tables[t];
      if (hint.text == "catalog:" + AsciiLower(tab.catalog) ||
          hint.text == "type:" + tab.source_type || hint.text == "schema:" + AsciiLower(tab.schema))
        keep.push_back(t);
    }
    if (!keep.empty()) {
      filtered = keep;
      hint.consumed = true;
      break;
    }
  }
  std::set<int> distinct(filtered.begin(), filtered.end());
  if (distinct.size() > 1) {
    // A hint elsewhere in the question that settles this entity too ("nl_smoke users who made
    // purchases": the schema of both; "active users (Redis sessions) with their profile data
    // (PostgreSQL crm)": the schema crm for users): the hints that leave exactly one table must
    // all leave the same one.
    std::set<int> settled;
    const Item* by = nullptr;
    for (auto& hint : items_) {
      if (hint.kind != ItemKind::kSourceHint) continue;
      std::set<int> keep;
      for (int t : distinct) {
        const auto& tab = schema_.tables[t];
        if (hint.text == "catalog:" + AsciiLower(tab.catalog) ||
            hint.text == "type:" + tab.source_type ||
            hint.text == "schema:" + AsciiLower(tab.schema))
          keep.insert(t);
      }
      if (keep.size() == 1) {
        settled.insert(*keep.begin());
        by = &hint;
      }
    }
    if (settled.size() == 1) {
      distinct = settled;
      out_.readings.push_back(fmt::format("\"{}\": the one in {} (a source hint of the question)",
                                          word, toks_[by->pos].raw));
    }
  }
  if (distinct.size() > 1) {
    // Several schemas of one source: the one in the connection's default schema (the database
    // its URL names), as SQL resolves an unqualified name.
    std::set<std::string> catalogs;
    std::set<int> in_default;
    for (int t : distinct) {
      catalogs.insert(schema_.tables[t].catalog);
      if (schema_.tables[t].in_default_schema) in_default.insert(t);
    }
    if (catalogs.size() == 1 && in_default.size() == 1) {
      distinct = in_default;
      const auto& tab = schema_.tables[*in_default.begin()];
      out_.readings.push_back(fmt::format("\"{}\": {}.{}.{} (the default schema of {})", word,
                                          tab.catalog, tab.schema, tab.name, tab.catalog));
    }
  }
  if (distinct.size() == 1) {
    *table = *distinct.begin();
    return true;
  }
  std::string list;
  for (int t : distinct) {
    list += (list.empty() ? "" : ", ") + schema_.tables[t].catalog + "." +
            schema_.tables[t].schema + "." + schema_.tables[t].name;
  }
  std::set<std::string> catalogs;
  for (int t : distinct) catalogs.insert(schema_.tables[t].catalog);
  const auto& first = schema_.tables[*distinct.begin()];
  return Refuse(fmt::format("\"{}\" could mean several tables: {}. Say which {}, e.g. \"{} in {}\"",
                            word, list, catalogs.size() > 1 ? "source" : "schema", word,
                            catalogs.size() > 1 ? first.catalog : first.schema));
}

// ---------------------------------------------------------------- columns and values

// Joins of `table` with every other table, from column naming conventions: x_id <-> x(s).id,
// customer_id <-> customers.customer_id.
void Translator::BuildIndex() const {
  if (indexed_) return;
  indexed_ = true;
  own_keys_.resize(schema_.tables.size());
  for (size_t t = 0; t < schema_.tables.size(); t++) {
    const auto& tab = schema_.tables[t];
    auto parts = SplitName(tab.name);
    table_parts_.push_back(parts);
    table_keys_.push_back(NameKey(parts));
    if (!parts.empty()) {
      own_keys_[t].insert(NameKey(parts) + "_id");
      own_keys_[t].insert(Singular(parts.back()) + "_id");
    }
    for (const auto& k : own_keys_[t]) tables_by_key_[k].push_back(static_cast<int>(t));
    for (size_t c = 0; c < tab.columns.size(); c++) {
      std::string name = AsciiLower(tab.columns[c].name);
      column_keys_.insert(NameKey(SplitName(name)));
      if (name.ends_with("_id"))
        columns_by_name_[name].push_back({static_cast<int>(t), static_cast<int>(c)});
    }
  }
}

// Joins of `table` with every other table, from column naming conventions: x_id <-> x(s).id,
// customer_id <-> customers.customer_id.
const std::vector<JoinEdge>& Translator::EdgesOf(int table) const {
  auto cached = edge_cache_.find(table);
  if (cached != edge_cache_.end()) return cached->second;
  BuildIndex();
  std::vector<JoinEdge> edges;
  const auto& a = schema_.tables[table];
  // Declared references first (PostgreSQL FOREIGN KEYs), both ways, within one connection.
  auto same_table = [](const NlTable& t, const std::string& catalog, const std::string& schema,
                       const std::string& name) {
    return AsciiLower(t.catalog) == AsciiLower(catalog) &&
           AsciiLower(t.schema) == AsciiLower(schema) && AsciiLower(t.name) == AsciiLower(name);
  };
  for (size_t b = 0; b < schema_.tables.size(); b++) {
    const auto& tb = schema_.tables[b];
    if (static_cast<int>(b) == table) continue;
    for (const auto& r : a.references) {  // a refers to b
      if (!same_table(tb, a.catalog, r.schema, r.table)) continue;
      int ca = a.FindColumn(r.column), cb = tb.FindColumn(r.referenced_column);
      if (ca >= 0 && cb >= 0) edges.push_back({table, static_cast<int>(b), ca, cb, true, true});
    }
    for (const auto& r : tb.references) {  // b refers to a
      if (!same_table(a, tb.catalog, r.schema, r.table)) continue;
      int ca = a.FindColumn(r.referenced_column), cb = tb.FindColumn(r.column);
      if (ca >= 0 && cb >= 0) edges.push_back({table, static_cast<int>(b), ca, cb, false, true});
    }
  }
  const size_t declared = edges.size();
  auto known = [&](int b, int ca, int cb) {
    for (size_t i = 0; i < declared; i++)
      if (edges[i].b == b && edges[i].a_col == ca && edges[i].b_col == cb) return true;
    return false;
  };
  // a.x_id -> b.id or b.x_id (a holds the reference).
  for (size_t ca = 0; ca < a.columns.size(); ca++) {
    std::string c = AsciiLower(a.columns[ca].name);
    if (own_keys_[table].count(c)) continue;  // a's own key
    auto refs = tables_by_key_.find(c);
    if (refs == tables_by_key_.end()) continue;
    for (int b : refs->second) {
      if (b == table) continue;
      int cb = schema_.tables[b].FindColumn(c);
      if (cb < 0) cb = schema_.tables[b].FindColumn("id");
      if (cb < 0 || known(b, static_cast<int>(ca), cb)) continue;
      edges.push_back({table, b, static_cast<int>(ca), cb, true});
    }
  }
  // b.x_id -> a.id or a.x_id (b holds the reference).
  for (const auto& key : own_keys_[table]) {
    auto cols = columns_by_name_.find(key);
    if (cols == columns_by_name_.end()) continue;
    for (const auto& [b, cb] : cols->second) {
      if (b == table || own_keys_[b].count(key)) continue;  // b's own key
      int ca = a.FindColumn(key);
      if (ca < 0) ca = a.FindColumn("id");
      if (ca < 0 || known(b, ca, cb)) continue;
      edges.push_back({table, b, ca, cb, false});
    }
  }
  std::stable_sort(edges.begin(), edges.end(), [](const JoinEdge& x, const JoinEdge& y) {
    return x.b != y.b ? x.b < y.b : x.a_is_many > y.a_is_many;
  });
  return edge_cache_[table] = std::move(edges);
}

bool Translator::MatchColumns(bool everywhere) {
  // Tables to look in: the entities, then (everywhere) the tables one join away from them.
  std::vector<int> scope;
  for (const auto& it : items_)
    if (it.kind == ItemKind::kEntity &&
        std::find(scope.begin(), scope.end(), it.table) == scope.end())
      scope.push_back(it.table);
  bool all_tables = scope.empty();
  if (all_tables)  // no table named: every table
    for (size_t t = 0; t < schema_.tables.size(); t++) scope.push_back(static_cast<int>(t));
  size_t direct = scope.size();
  if (everywhere && !all_tables) {
    // Tables up to two joins away.
    for (int hop = 0; hop < 2; hop++) {
      size_t end = scope.size();
      for (size_t k = 0; k < end; k++)
        for (const auto& e : EdgesOf(scope[k]))
          if (std::find(scope.begin(), scope.end(), e.b) == scope.end()) scope.push_back(e.b);
    }
  }
  for (size_t len = 3; len >= 1; len--) {
    for (size_t i = 0; i + len <= toks_.size(); i++) {
      bool free = true;
      std::string joined;
      for (size_t k = i; k < i + len; k++) {
        if (toks_[k].used || toks_[k].kind != TokKind::kWord) free = false;
        joined += (joined.empty() ? "" : "_") + toks_[k].text;
      }
      if (!free) continue;
      // Candidates: (table, column), in the nearest scope that has any.
      std::vector<std::pair<int, int>> found;
      std::string how;
      auto search = [&](size_t from, size_t to) {
        for (size_t s = from; s < to; s++) {
          const auto& t = schema_.tables[scope[s]];
          auto tparts = SplitName(t.name);
          std::string tsing = tparts.empty() ? "" : Singular(tparts.back());
          for (size_t c = 0; c < t.columns.size(); c++) {
            auto cparts = SplitName(t.columns[c].name);
            std::string ckey = NameKey(cparts);
            std::string jkey = NameKey(SplitName(joined));
            bool hit = ckey == jkey;
            // customer_name in customers: "name".
            if (!hit && cparts.size() == 2 && Singular(cparts[0]) == tsing &&
                Singular(cparts[1]) == jkey)
              hit = true;
            if (hit) found.push_back({scope[s], static_cast<int>(c)});
          }
        }
      };
      search(0, direct);
      if (found.empty() && len == 1) {
        // Column synonyms ("revenue" -> total_amount).
        auto syn = ColumnSynonyms().find(joined);
        if (syn != ColumnSynonyms().end()) {
          for (size_t to : {direct, everywhere ? scope.size() : direct}) {
            for (const auto& name : syn->second) {
              for (size_t s = 0; s < to; s++) {
                int c = schema_.tables[scope[s]].FindColumn(name);
                if (c >= 0) found.push_back({scope[s], c});
              }
              if (!found.empty()) {
                how = "\"" + joined + "\" read as the column " + name;
                break;
              }
            }
            if (!found.empty()) break;
          }
        }
      }
      if (found.empty() && everywhere) search(direct, scope.size());
      if (found.empty() && everywhere && !all_tables && len == 1 && !Fillers().count(joined) &&
          !Blockers().count(joined)) {
        // The last word of a longer column name of a named table: "tier" -> loyalty_tier.
        for (size_t s = 0; s < direct; s++) {
          const auto& t = schema_.tables[scope[s]];
          for (size_t c = 0; c < t.columns.size(); c++) {
            auto cparts = SplitName(t.columns[c].name);
            if (cparts.size() > 1 && Singular(cparts.back()) == Singular(joined))
              found.push_back({scope[s], static_cast<int>(c)});
          }
        }
        if (found.size() == 1)
          how = "\"" + joined + "\" read as the column " + ColName(found[0].first, found[0].second);
        else
          found.clear();
      }
      if (found.empty()) continue;
      if (found.size() > 1) {
        // The same column in several tables: the first mentioned entity's, if it has it.
        std::vector<std::pair<int, int>> first;
        for (const auto& f : found)
          if (!scope.empty() && f.first == scope[0]) first.push_back(f);
        if (first.size() == 1) {
          found = first;
        } else {
          std::string list;
          for (const auto& f : found)
            list += (list.empty() ? "" : ", ") + schema_.tables[f.first].name + "." +
                    ColName(f.first, f.second);
          return Refuse(
              fmt::format("\"{}\" could be several columns: {}; name the table, e.g. "
                          "\"{} of {}\"",
                          joined, list, joined, schema_.tables[found[0].first].name));
        }
      }
      for (size_t k = i; k < i + len; k++) toks_[k].used = true;
      Item it;
      it.kind = ItemKind::kColumn;
      it.pos = i;
      it.table = found[0].first;
      it.column = found[0].second;
      it.text = joined;
      items_.push_back(it);
      if (!how.empty()) out_.readings.push_back(how);
    }
    if (len == 1) break;
  }
  return true;
}

bool Translator::MatchValues() {
  // Scope: entities and their neighbours.
  std::vector<int> scope;
  for (const auto& it : items_)
    if ((it.kind == ItemKind::kEntity || it.kind == ItemKind::kColumn) &&
        std::find(scope.begin(), scope.end(), it.table) == scope.end())
      scope.push_back(it.table);
  size_t direct = scope.size();
  for (size_t k = 0; k < direct; k++)
    for (const auto& e : EdgesOf(scope[k]))
      if (std::find(scope.begin(), scope.end(), e.b) == scope.end()) scope.push_back(e.b);

  auto find_value = [&](const std::string& lower, std::vector<std::pair<int, int>>* hits,
                        std::string* exact) {
    for (int t : scope) {
      const auto& tab = schema_.tables[t];
      for (size_t c = 0; c < tab.columns.size(); c++) {
        if (!IsText(tab.columns[c].type)) continue;
        for (const auto& v : Samples(t, static_cast<int>(c))) {
          if (AsciiLower(v) == lower) {
            hits->push_back({t, static_cast<int>(c)});
            *exact = v;
            break;
          }
        }
      }
    }
  };
  // Multi-word values first ("in transit", "home & garden" is not handled).
  for (size_t len = 3; len >= 1; len--) {
    for (size_t i = 0; i + len <= toks_.size(); i++) {
      bool free = true;
      std::string joined;
      for (size_t k = i; k < i + len; k++) {
        if (toks_[k].used || toks_[k].kind != TokKind::kWord) free = false;
        joined += (joined.empty() ? "" : " ") + toks_[k].text;
      }
      if (!free) continue;
      if (len == 1 && (Fillers().count(joined) || Blockers().count(joined))) continue;
      std::vector<std::pair<int, int>> hits;
      std::string exact;
      find_value(joined, &hits, &exact);
      if (hits.empty() && len > 1) {
        std::string underscored = joined;
        std::replace(underscored.begin(), underscored.end(), ' ', '_');
        find_value(underscored, &hits, &exact);
      }
      if (hits.empty()) continue;
      if (hits.size() > 1) {
        std::string list;
        for (const auto& h : hits)
          list += (list.empty() ? "" : ", ") + schema_.tables[h.first].name + "." +
                  ColName(h.first, h.second);
        return Refuse(
            fmt::format("\"{}\" is a value of several columns: {}; say which, e.g. "
                        "\"{} {}\"",
                        joined, list, ColName(hits[0].first, hits[0].second), joined));
      }
      for (size_t k = i; k < i + len; k++) toks_[k].used = true;
      Item it;
      it.kind = ItemKind::kValue;
      it.pos = i;
      it.table = hits[0].first;
      it.column = hits[0].second;
      it.text = exact;
      items_.push_back(it);
    }
    if (len == 1) break;
  }
  // Quoted text not after a column: a value seen in some column.
  std::sort(items_.begin(), items_.end(),
            [](const Item& a, const Item& b) { return a.pos < b.pos; });
  for (size_t k = 0; k < items_.size(); k++) {
    Item& it = items_[k];
    if (it.kind != ItemKind::kQuoted) continue;
    if (k > 0 && items_[k - 1].kind == ItemKind::kColumn) continue;
    std::vector<std::pair<int, int>> hits;
    std::string exact;
    find_value(AsciiLower(it.text), &hits, &exact);
    if (hits.size() != 1)
      return Refuse(fmt::format(
          "did not understand '{}': {}; put the column before it, e.g. "
          "\"status '{}'\"",
          it.text, hits.empty() ? "no column's sampled values hold it" : "several columns hold it",
          it.text));
    it.kind = ItemKind::kValue;
    it.table = hits[0].first;
    it.column = hits[0].second;
    it.text = exact;
  }
  return true;
}

bool Translator::CheckLeftovers() {
  std::vector<std::string> unknown;
  for (const auto& t : toks_) {
    if (t.used) continue;
    if (t.kind == TokKind::kWord && Fillers().count(t.text) && !Blockers().count(t.text)) continue;
    // Verbs of the relation between entities ("users who made purchases").
    static const std::set<std::string> kRelation = {
        "wrote",   "write",      "written", "left",      "gave",     "signed",
        "joined",  "registered", "created", "active",    "activity", "ones",
        "their",   "own",        "owned",   "belonging", "belong",   "belongs",
        "related", "associated", "linked",  "submitted", "posted"};
    if (t.kind == TokKind::kWord && kRelation.count(t.text) && t.text != "active") continue;
    unknown.push_back(t.raw);
  }
  for (const auto& it : items_)
    if (it.kind == ItemKind::kSourceHint && !it.consumed) {
      // A hint that no entity took: fine if it names the source of an entity anyway.
      bool fits = false;
      for (const auto& e : items_)
        if (e.kind == ItemKind::kEntity) {
          const auto& tab = schema_.tables[e.table];
          if (it.text == "catalog:" + AsciiLower(tab.catalog) ||
              it.text == "type:" + tab.source_type || it.text == "schema:" + AsciiLower(tab.schema))
            fits = true;
        }
      if (!fits) unknown.push_back(toks_[it.pos].raw);
    }
  if (unknown.empty()) return true;
  out_.not_understood = unknown;
  std::string words;
  for (const auto& w : unknown) words += (words.empty() ? "\"" : ", \"") + w + "\"";
  return Refuse("did not understand " + words +
                ": no table, column, value or phrase it knows (name a table or a column, or add "
                "a synonym: aishell config set nl.synonyms.<word> <table>)");
}

// "users who never left a review", "users without orders", "customers with no transactions":
// the rows of the first entity that no row of the second refers to (NOT EXISTS), only in this
// plain form: two entities, one negation word between them, a direct reference from the second to
// the first, nothing else but fillers, relation verbs and source hints. Anything more (another
// filter, a second negation, "not", "or") is left to the usual refusal.
bool Translator::AntiJoin() {
  static const std::set<std::string> kNegation = {"never", "without", "no"};
  int neg = -1;
  for (size_t i = 0; i < toks_.size(); i++) {
    if (toks_[i].used || toks_[i].kind != TokKind::kWord) continue;
    if (kNegation.count(toks_[i].text)) {
      if (neg >= 0) return false;
      neg = static_cast<int>(i);
    } else if (Blockers().count(toks_[i].text)) {
      return false;
    }
  }
  if (neg < 0) return false;
  const Item* subject = nullptr;
  const Item* other = nullptr;
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kSourceHint) continue;
    if (it.kind != ItemKind::kEntity) return false;
    if (static_cast<int>(it.pos) < neg && !subject) {
      subject = &it;
    } else if (static_cast<int>(it.pos) > neg && !other) {
      other = &it;
    } else {
      return false;
    }
  }
  if (!subject || !other || subject->table == other->table) return false;
  static const std::set<std::string> kVerbs = {
      "wrote",  "write",  "written", "left",     "gave",      "placed", "made",   "ordered",
      "bought", "bought", "viewed",  "visited",  "submitted", "posted", "paid",   "purchased",
      "had",    "have",   "has",     "received", "got",       "any",    "single", "yet",
      "leave",  "place",  "make",    "purchase", "buy",       "view",   "visit",  "order"};
  for (size_t i = 0; i < toks_.size(); i++) {
    const Tok& t = toks_[i];
    if (t.used || static_cast<int>(i) == neg) continue;
    if (t.kind == TokKind::kWord && (Fillers().count(t.text) || kVerbs.count(t.text))) continue;
    return false;
  }
  int s = subject->table, e = other->table;
  const JoinEdge* edge = nullptr;
  for (const auto& ed : EdgesOf(s))
    if (ed.b == e && !ed.a_is_many) {
      edge = &ed;
      break;
    }
  if (!edge) return false;
  out_.sql = "SELECT " + Alias(s) + ".*\nFROM " + schema_.tables[s].QualifiedName() + " " +
             Alias(s) + "\nWHERE NOT EXISTS (SELECT 1 FROM " + schema_.tables[e].QualifiedName() +
             " " + Alias(e) + " WHERE " + Col(e, edge->b_col) + " = " + Col(s, edge->a_col) + ")";
  out_.joins.push_back(fmt::format("{}.{} = {}.{} (none may match)", schema_.tables[s].name,
                                   ColName(s, edge->a_col), schema_.tables[e].name,
                                   ColName(e, edge->b_col)));
  out_.readings.push_back(fmt::format("\"{}\": {} that no row of {} refers to (NOT EXISTS)",
                                      toks_[neg].raw, schema_.tables[s].name,
                                      schema_.tables[e].name));
  std::vector<std::string> srcs;
  for (int t : {s, e}) {
    const auto& tab = schema_.tables[t];
    std::string k = tab.catalog + " (" + tab.source_type + "): " + tab.name;
    srcs.push_back(k);
  }
  out_.sources = srcs;
  out_.source_count = schema_.tables[s].catalog == schema_.tables[e].catalog ? 1 : 2;
  anti_join_ = true;
  return true;
}

// ---------------------------------------------------------------- keys, labels, dates

int Translator::KeyColumn(int table) const {
  const auto& t = schema_.tables[table];
  int id = t.FindColumn("id");
  if (id >= 0) return id;
  auto parts = SplitName(t.name);
  if (parts.empty()) return -1;
  int c = t.FindColumn(NameKey(parts) + "_id");
  if (c >= 0) return c;
  c = t.FindColumn(Singular(parts.back()) + "_id");
  if (c >= 0) return c;
  if (t.FindColumn("_id") >= 0) return t.FindColumn("_id");
  return -1;
}

int Translator::LabelColumn(int table) const {
  const auto& t = schema_.tables[table];
  for (const char* n : {"name", "full_name", "title"}) {
    int c = t.FindColumn(n);
    if (c >= 0) return c;
  }
  for (size_t c = 0; c < t.columns.size(); c++)
    if (AsciiLower(t.columns[c].name).ends_with("_name") && IsText(t.columns[c].type))
      return static_cast<int>(c);
  for (const char* n : {"email", "username"}) {
    int c = t.FindColumn(n);
    if (c >= 0) return c;
  }
  return -1;
}

int Translator::DateColumn(int table, std::string* why) const {
  const auto& t = schema_.tables[table];
  std::vector<int> temporal;
  for (size_t c = 0; c < t.columns.size(); c++)
    if (IsTemporal(t.columns[c].type)) temporal.push_back(static_cast<int>(c));
  if (temporal.size() == 1) {
    *why = "its only date column";
    return temporal[0];
  }
  // Several: the event time by name.
  auto parts = SplitName(t.name);
  std::string head = parts.empty() ? "" : Singular(parts.back());
  std::vector<std::string> prefs = {head + "_date", head + "_at", head + "_time", "created_at",
                                    "timestamp",    "date",       "event_time",   "occurred_at"};
  for (const auto& p : prefs)
    for (int c : temporal)
      if (AsciiLower(t.columns[c].name) == p) {
        *why = "the event time by name (of " + std::to_string(temporal.size()) + " date columns)";
        return c;
      }
  return -1;
}

std::string Translator::Alias(int table) {
  auto it = aliases_.find(table);
  if (it != aliases_.end()) return it->second;
  auto parts = SplitName(schema_.tables[table].name);
  std::string base;
  for (const auto& p : parts) base += p[0];
  if (base.empty() || !std::isalpha(static_cast<unsigned char>(base[0]))) base = "t";
  std::string alias = base;
  for (int n = 2; used_aliases_.count(alias) || !IsPlainIdent(alias); n++)
    alias = base + std::to_string(n);
  used_aliases_.insert(alias);
  return aliases_[table] = alias;
}

std::string Translator::TimeLiteral(int table, int column, int32_t days) {
  const auto& type = schema_.tables[table].columns[column].type;
  if (type.id == TypeId::kDate) return "DATE '" + FormatDays(days) + "'";
  if (type.id == TypeId::kTimestamp || type.id == TypeId::kTimestampTz)
    return "TIMESTAMP '" + FormatDays(days) + " 00:00:00'";
  return QuoteString(FormatDays(days));
}

// ---------------------------------------------------------------- joins

// Simple paths (edge lists) from any table of `from` to `target` of at most (shortest + extra)
// hops that pass through no other table of `from`; at most 64 of them. Returns the shortest
// number of hops (-1: no path). A breadth-first pass from the target bounds the walk: a step is
// taken only if the target stays within reach, so the work stays near the shortest paths.
int Translator::CollectPaths(const std::set<int>& from, int target, int extra,
                             std::vector<std::vector<JoinEdge>>* out) const {
  std::map<int, int> dist = {{target, 0}};
  std::deque<int> queue = {target};
  while (!queue.empty()) {
    int cur = queue.front();
    queue.pop_front();
    if (from.count(cur)) continue;  // a path ends at the first table of the tree it meets
    for (const auto& e : EdgesOf(cur))
      if (!dist.count(e.b)) {
        dist[e.b] = dist[cur] + 1;
        queue.push_back(e.b);
      }
  }
  int shortest = -1;
  for (int f : from)
    if (auto d = dist.find(f); d != dist.end() && (shortest < 0 || d->second < shortest))
      shortest = d->second;
  if (shortest < 0) return -1;
  const int limit = shortest + extra;
  std::vector<JoinEdge> path;
  std::set<int> on_path;
  size_t steps = 0;
  std::function<void(int)> walk = [&](int cur) {
    if (out->size() >= 64 || ++steps > 20000) return;
    if (cur == target) {
      out->push_back(path);
      return;
    }
    for (const auto& e : EdgesOf(cur)) {
      if (on_path.count(e.b) || from.count(e.b)) continue;
      auto d = dist.find(e.b);
      if (d == dist.end() || static_cast<int>(path.size()) + 1 + d->second > limit) continue;
      path.push_back(e);
      on_path.insert(e.b);
      walk(e.b);
      on_path.erase(e.b);
      path.pop_back();
    }
  };
  for (int f : from) {
    if (auto d = dist.find(f); d == dist.end() || d->second > limit) continue;
    on_path = {f};
    walk(f);
  }
  return shortest;
}

std::string Translator::JoinText(const JoinEdge& e) const {
  return fmt::format("{}.{} = {}.{}", schema_.tables[e.a].name, ColName(e.a, e.a_col),
                     schema_.tables[e.b].name, ColName(e.b, e.b_col));
}

bool Translator::JoinTree(std::vector<int> tables, int root, std::vector<JoinEdge>* tree,
                          std::vector<int>* order) {
  order->push_back(root);
  std::set<int> in_tree = {root};
  for (int target : tables) {
    if (in_tree.count(target)) continue;
    // Every simple path from the tree to target of at most (shortest + 1) hops, ranked by the
    // documented rule: declared foreign keys first, then exact naming (customer_id =
    // customer_id before user_id = users.id), then fewest hops, then the tables' names.
    std::vector<std::vector<JoinEdge>> found;
    int shortest = CollectPaths(in_tree, target, 1, &found);
    if (shortest < 0)
      return Refuse(
          fmt::format("found no way to join {} with {}: no column such as {}_id links them",
                      schema_.tables[target].name, schema_.tables[root].name,
                      Singular(SplitName(schema_.tables[target].name).back())));
    struct Ranked {
      int undeclared = 0, inexact = 0, hops = 0;
      std::string names;
      std::vector<JoinEdge> path;
    };
    std::vector<Ranked> ranked;
    for (auto& p : found) {
      Ranked r;
      r.hops = static_cast<int>(p.size());
      for (const auto& e : p) {
        if (!e.declared) r.undeclared++;
        if (AsciiLower(ColName(e.a, e.a_col)) != AsciiLower(ColName(e.b, e.b_col))) r.inexact++;
        r.names += JoinText(e) + ";";
      }
      r.path = std::move(p);
      ranked.push_back(std::move(r));
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& x, const Ranked& y) {
      return std::tie(x.undeclared, x.inexact, x.hops, x.names) <
             std::tie(y.undeclared, y.inexact, y.hops, y.names);
    });
    // A notice when the choice was not the only shortest path, or a longer path won.
    int at_shortest = 0;
    for (const auto& r : ranked) at_shortest += r.hops == shortest;
    std::vector<JoinEdge> path = ranked[0].path;
    if (at_shortest > 1 || ranked[0].hops > shortest) {
      const auto& best = ranked[0];
      std::string why = best.undeclared < ranked[1].undeclared ? "declared foreign keys"
                        : best.inexact < ranked[1].inexact     ? "exact column-name match"
                        : best.hops < ranked[1].hops           ? "fewest hops"
                                                               : "name order (a tie)";
      std::string chosen;
      for (const auto& e : best.path) chosen += (chosen.empty() ? "" : ", ") + JoinText(e);
      out_.notices.push_back(fmt::format(
          "{} join paths lead to {}; chose {} (by {}; rule: declared foreign keys, exact "
          "naming, fewest hops, name order)",
          ranked.size(), schema_.tables[target].name, chosen, why));
      for (size_t i = 1; i < ranked.size() && i < 4; i++) {
        std::string alt;
        for (const auto& e : ranked[i].path) alt += (alt.empty() ? "" : ", ") + JoinText(e);
        out_.notices.push_back("    alternative: " + alt);
      }
      if (ranked.size() > 4)
        out_.notices.push_back(fmt::format("    ... and {} more", ranked.size() - 4));
    }
    for (const auto& e : path) {
      tree->push_back(e);
      in_tree.insert(e.b);
      order->push_back(e.b);
    }
  }
  return true;
}

// ---------------------------------------------------------------- interpretation

struct Agg {
  std::string func;  // count, sum, avg, min, max
  int table = -1;
  int column = -1;  // -1: count(*) of the table's rows
  bool distinct = false;
  std::string phrase;
};

bool Translator::Interpret() {
  std::sort(items_.begin(), items_.end(),
            [](const Item& a, const Item& b) { return a.pos < b.pos; });
  auto& items = items_;
  auto next = [&](size_t k) -> Item* { return k + 1 < items.size() ? &items[k + 1] : nullptr; };

  std::vector<Agg> aggs;
  std::vector<std::pair<int, int>> group_cols;
  std::vector<int> group_entities;
  std::vector<std::string> where;
  std::vector<std::string> having;
  std::vector<std::pair<std::string, bool>> order;  // expr, desc
  int64_t limit = -1;
  bool distinct_select = false;
  std::vector<std::pair<int, int>> select_cols;
  std::set<int> needed;
  int subject = -1;

  for (const auto& it : items)
    if (it.kind == ItemKind::kEntity) {
      subject = it.table;
      break;
    }
  if (subject < 0) {
    for (const auto& it : items)
      if (it.kind == ItemKind::kColumn || it.kind == ItemKind::kValue) {
        subject = it.table;
        break;
      }
  }
  if (subject < 0)
    return Refuse("did not find what to query: name a table (e.g. \"orders\") or a column");
  needed.insert(subject);

  auto money_column = [&](int table) -> int {
    for (const char* n : {"total_amount", "total", "amount", "price", "unit_price"}) {
      int c = schema_.tables[table].FindColumn(n);
      if (c >= 0 && IsNumeric(schema_.tables[table].columns[c].type)) return c;
    }
    return -1;
  };

  // The one column named "total" of the subject, else of its neighbours.
  auto total_column = [&](int table, Item* item) {
    std::vector<std::pair<int, int>> found;
    if (int c = schema_.tables[table].FindColumn("total"); c >= 0) found.push_back({table, c});
    if (found.empty())
      for (const auto& e : EdgesOf(table))
        if (int c = schema_.tables[e.b].FindColumn("total"); c >= 0) found.push_back({e.b, c});
    if (found.size() != 1) return false;
    item->kind = ItemKind::kColumn;
    item->table = found[0].first;
    item->column = found[0].second;
    return true;
  };

  // Pass 1: aggregates, groups, top, distinct, comparisons, times, values.
  for (size_t k = 0; k < items.size(); k++) {
    Item& it = items[k];
    if (it.consumed) continue;
    Item* n = next(k);
    switch (it.kind) {
      case ItemKind::kCount: {
        it.consumed = true;
        if (n && n->kind == ItemKind::kDistinct) {
          Item* m = next(k + 1);
          if (m && m->kind == ItemKind::kColumn) {
            n->consumed = m->consumed = true;
            aggs.push_back({"count", m->table, m->column, true, "distinct"});
            needed.insert(m->table);
            break;
          }
          if (m && m->kind == ItemKind::kEntity) {
            int key = KeyColumn(m->table);
            if (key < 0) return Refuse("found no key column of " + schema_.tables[m->table].name);
            n->consumed = m->consumed = true;
            aggs.push_back({"count", m->table, key, true, "distinct"});
            needed.insert(m->table);
            break;
          }
          return Refuse("count distinct what? name a column after \"distinct\"");
        }
        // "how many Books products", "how many active sessions": the filter words before the
        // entity.
        for (size_t j = k + 1; n && (n->kind == ItemKind::kValue || n->kind == ItemKind::kActive) &&
                               j + 1 < items.size();
             j++) {
          Item* m = &items[j + 1];
          if (m->kind == ItemKind::kEntity) {
            n = m;
            break;
          }
          if (m->kind != ItemKind::kValue && m->kind != ItemKind::kActive) break;
        }
        if (n && n->kind == ItemKind::kEntity) {
          n->consumed = true;
          aggs.push_back({"count", n->table, -1, false, it.text});
          needed.insert(n->table);
        } else if (n && n->kind == ItemKind::kColumn) {
          n->consumed = true;
          aggs.push_back({"count", n->table, n->column, false, it.text});
          needed.insert(n->table);
        } else {
          return Refuse("count what? name a table after \"" + it.text + "\"");
        }
        break;
      }
      case ItemKind::kSum:
      case ItemKind::kAvg:
      case ItemKind::kMin:
      case ItemKind::kMax: {
        std::string func = it.kind == ItemKind::kSum   ? "sum"
                           : it.kind == ItemKind::kAvg ? "avg"
                           : it.kind == ItemKind::kMin ? "min"
                                                       : "max";
        // "average total amount": the total names the column.
        if (it.kind != ItemKind::kSum && n && n->kind == ItemKind::kSum && n->text == "total" &&
            next(k + 1) && next(k + 1)->kind == ItemKind::kColumn) {
          n->consumed = true;
          n = next(k + 1);
        }
        // "average order total": the total is the entity's column named total.
        if (n && n->kind == ItemKind::kEntity && next(k + 1) &&
            next(k + 1)->kind == ItemKind::kSum && next(k + 1)->text == "total" &&
            schema_.tables[n->table].FindColumn("total") >= 0) {
          Item* t = next(k + 1);
          t->kind = ItemKind::kColumn;
          t->table = n->table;
          t->column = schema_.tables[n->table].FindColumn("total");
        }
        // "average order total", "highest payment amount": a column of the entity named first.
        if (n && n->kind == ItemKind::kEntity && next(k + 1) &&
            next(k + 1)->kind == ItemKind::kColumn && next(k + 1)->table == n->table) {
          n = next(k + 1);
        }
        // "total sales": a word that names both a table and an amount.
        if (n && n->kind == ItemKind::kEntity && (func == "sum" || func == "avg") &&
            ColumnSynonyms().count(n->text) && money_column(n->table) >= 0) {
          n->kind = ItemKind::kColumn;
          n->column = money_column(n->table);
          out_.readings.push_back(fmt::format("\"{}\" read as {}.{}", n->text,
                                              schema_.tables[n->table].name,
                                              ColName(n->table, n->column)));
        }
        if (n && n->kind == ItemKind::kColumn) {
          const auto& type = schema_.tables[n->table].columns[n->column].type;
          if ((func == "sum" || func == "avg") && !IsNumeric(type))
            return Refuse(fmt::format("cannot take the {} of {}: it is not a number", it.text,
                                      ColName(n->table, n->column)));
          it.consumed = n->consumed = true;
          aggs.push_back({func, n->table, n->column, false, it.text});
          needed.insert(n->table);
        } else if (n && n->kind == ItemKind::kEntity && money_column(n->table) >= 0 &&
                   (func == "sum" || func == "avg")) {
          // "total orders" is ambiguous (a count or a sum): refuse.
          return Refuse(fmt::format(
              "\"{} {}\" could be a count or a sum of {}; say \"number of {}\" or \"{} {}\"",
              it.text, n->text, ColName(n->table, money_column(n->table)), n->text, it.text,
              ColName(n->table, money_column(n->table))));
        } else if (it.kind == ItemKind::kSum && it.text == "total" &&
                   (!n || n->kind == ItemKind::kCompare || n->kind == ItemKind::kNumber) &&
                   total_column(subject, &it)) {
          // "orders with total above 450": the column named total.
        } else if (it.kind == ItemKind::kSum && (!n || n->kind != ItemKind::kColumn)) {
          // "total" as a filler ("the total of ...") only when nothing could be summed.
          it.consumed = true;
          return Refuse("total of what? name the column to add up, e.g. \"total amount\"");
        } else {
          return Refuse(fmt::format("{} of what? name a column after \"{}\"", it.text, it.text));
        }
        break;
      }
      case ItemKind::kDistinct: {
        if (n && n->kind == ItemKind::kEntity && next(k + 1) &&
            next(k + 1)->kind == ItemKind::kColumn && next(k + 1)->table == n->table) {
          n->consumed = true;  // "unique order status"
          n = next(k + 1);
        }
        if (n && n->kind == ItemKind::kColumn) {
          it.consumed = n->consumed = true;
          distinct_select = true;
          select_cols.push_back({n->table, n->column});
          needed.insert(n->table);
        } else {
          return Refuse("distinct what? name a column after \"" + it.text + "\"");
        }
        break;
      }
      case ItemKind::kGroupBy: {
        if (n && n->kind == ItemKind::kValue && it.text == "by") {
          it.consumed = true;  // "payments by paypal": the value is a filter
          break;
        }
        if (n && n->kind == ItemKind::kColumn) {
          it.consumed = n->consumed = true;
          group_cols.push_back({n->table, n->column});
          needed.insert(n->table);
        } else if (n && n->kind == ItemKind::kEntity) {
          // "reviews by users in the Midwest": the reviews those users wrote, or a count per
          // user? "by" before a plural table name with no aggregate anywhere is refused.
          bool aggregate = std::any_of(items.begin(), items.end(), [](const Item& x) {
            return x.kind == ItemKind::kCount || x.kind == ItemKind::kSum ||
                   x.kind == ItemKind::kAvg || x.kind == ItemKind::kMin ||
                   x.kind == ItemKind::kMax || x.kind == ItemKind::kTop;
          });
          const std::string& written = toks_[n->pos].text;
          if (toks_[it.pos].text == "by" && !aggregate && Singular(written) != written)
            return Refuse(fmt::format(
                "\"by {}\" could mean one row per {} (say \"per {}\") or the rows the {} made "
                "(say \"of {}\")",
                toks_[n->pos].raw, Singular(written), Singular(written), written, written));
          it.consumed = n->consumed = true;
          group_entities.push_back(n->table);
          needed.insert(n->table);
        } else if (n &&
                   (n->kind == ItemKind::kSum || n->kind == ItemKind::kAvg ||
                    n->kind == ItemKind::kMin || n->kind == ItemKind::kMax ||
                    n->kind == ItemKind::kCount) &&
                   std::any_of(items.begin(), items.begin() + k,
                               [](const Item& x) { return x.kind == ItemKind::kTop; })) {
          it.consumed = true;  // "top 5 customers by total amount": the metric of the top
        } else {
          return Refuse("grouped by what? which column holds the groups (\"" + it.text +
                        " <column>\")?");
        }
        break;
      }
      default:
        break;
    }
  }

  // Comparisons, entity keys, emails, values.
  std::string time_phrase;
  for (size_t k = 0; k < items.size(); k++) {
    Item& it = items[k];
    if (it.consumed) continue;
    Item* n = next(k);
    Item* p = k > 0 ? &items[k - 1] : nullptr;
    if (it.kind == ItemKind::kCompare) {
      if (!n || n->kind != ItemKind::kNumber)
        return Refuse("compare with what? a number after \"" + toks_[it.pos].raw + "\"");
      Item* after = next(k + 1);
      std::string num = n->text;
      if (n->money) num = toks_[n->pos].text;
      if (after && after->kind == ItemKind::kEntity && !after->consumed) {
        // "users with more than 3 orders": a count per subject.
        it.consumed = n->consumed = after->consumed = true;
        int key = KeyColumn(after->table);
        having.push_back(fmt::format("count({}) {} {}",
                                     key >= 0 ? "DISTINCT " + Col(after->table, key) : "*", it.text,
                                     num));
        needed.insert(after->table);
        if (after->table == subject)
          return Refuse("more than N of what? the count needs another table than " +
                        schema_.tables[subject].name);
        continue;
      }
      int table = -1, column = -1;
      if (p && p->kind == ItemKind::kColumn && !p->consumed) {
        table = p->table;
        column = p->column;
        p->consumed = true;
      } else if (after && after->kind == ItemKind::kColumn && !after->consumed) {
        table = after->table;
        column = after->column;
        after->consumed = true;
      } else if (p && p->kind == ItemKind::kEntity && money_column(p->table) >= 0 && n->money) {
        table = p->table;
        column = money_column(p->table);
        out_.readings.push_back(fmt::format("\"{} {}\" read as {}.{} {} {}", toks_[it.pos].raw,
                                            n->text, schema_.tables[table].name,
                                            ColName(table, column), it.text, num));
      } else {
        return Refuse(fmt::format("which column is \"{} {}\" about? name it, e.g. \"price {} {}\"",
                                  toks_[it.pos].raw, n->text, toks_[it.pos].raw, n->text));
      }
      if (!IsNumeric(schema_.tables[table].columns[column].type))
        return Refuse(fmt::format("{} is not a number: cannot compare it with {}",
                                  ColName(table, column), n->text));
      it.consumed = n->consumed = true;
      where.push_back(fmt::format("{} {} {}", Col(table, column), it.text, num));
      out_.filters.push_back(fmt::format("{}.{} {} {}", schema_.tables[table].name,
                                         ColName(table, column), it.text, num));
      needed.insert(table);
      continue;
    }
    if (it.kind == ItemKind::kNumber) {
      // "user 42", "order id 17", "rating 5".
      if (p && !p->consumed && p->kind == ItemKind::kEntity) {
        int key = KeyColumn(p->table);
        if (key < 0) return Refuse("found no key column of " + schema_.tables[p->table].name);
        it.consumed = true;
        std::string lit = IsNumeric(schema_.tables[p->table].columns[key].type)
                              ? it.text
                              : QuoteString(toks_[it.pos].raw);
        where.push_back(fmt::format("{} = {}", Col(p->table, key), lit));
        out_.filters.push_back(
            fmt::format("{}.{} = {}", schema_.tables[p->table].name, ColName(p->table, key), lit));
        continue;
      }
      if (p && !p->consumed && p->kind == ItemKind::kColumn) {
        it.consumed = p->consumed = true;
        bool numeric = IsNumeric(schema_.tables[p->table].columns[p->column].type);
        std::string lit = numeric ? it.text : QuoteString(toks_[it.pos].raw);
        where.push_back(fmt::format("{} = {}", Col(p->table, p->column), lit));
        out_.filters.push_back(fmt::format("{}.{} = {}", schema_.tables[p->table].name,
                                           ColName(p->table, p->column), lit));
        needed.insert(p->table);
        continue;
      }
      return Refuse("did not understand the number " + toks_[it.pos].raw +
                    ": which column is it compared with?");
    }
    if (it.kind == ItemKind::kQuoted) {
      if (p && !p->consumed && p->kind == ItemKind::kColumn) {
        it.consumed = p->consumed = true;
        where.push_back(fmt::format("{} = {}", Col(p->table, p->column), QuoteString(it.text)));
        out_.filters.push_back(fmt::format("{}.{} = {}", schema_.tables[p->table].name,
                                           ColName(p->table, p->column), QuoteString(it.text)));
        needed.insert(p->table);
        continue;
      }
    }
    if (it.kind == ItemKind::kEmail) {
      // The email column of the subject, else of a mentioned table.
      std::vector<std::pair<int, int>> cands;
      auto look = [&](int t) {
        for (size_t c = 0; c < schema_.tables[t].columns.size(); c++)
          if (AsciiLower(schema_.tables[t].columns[c].name).find("email") != std::string::npos &&
              IsText(schema_.tables[t].columns[c].type))
            cands.push_back({t, static_cast<int>(c)});
      };
      if (p && p->kind == ItemKind::kColumn && !p->consumed &&
          AsciiLower(ColName(p->table, p->column)).find("mail") != std::string::npos) {
        cands.push_back({p->table, p->column});
        p->consumed = true;
      }
      if (cands.empty()) look(subject);
      if (cands.empty())
        for (const auto& e : items)
          if (e.kind == ItemKind::kEntity && cands.empty()) look(e.table);
      if (cands.empty())
        for (const auto& e : EdgesOf(subject)) look(e.b);
      if (cands.empty()) {
        // Two joins away ("products bought by c5@example.com": customers, through
        // transactions): used only when exactly one table there has an email column.
        std::set<int> near = {subject};
        for (const auto& e : EdgesOf(subject)) near.insert(e.b);
        std::set<int> far;
        for (const auto& e : EdgesOf(subject))
          for (const auto& f : EdgesOf(e.b))
            if (!near.count(f.b)) far.insert(f.b);
        for (int t : far) look(t);
        if (cands.size() == 1)
          out_.readings.push_back(
              fmt::format("the email {}: {}.{} (two joins away, the only email "
                          "column there)",
                          it.text, schema_.tables[cands[0].first].name,
                          ColName(cands[0].first, cands[0].second)));
      }
      if (cands.size() != 1) return Refuse("which column holds the email " + it.text + "?");
      it.consumed = true;
      where.push_back(
          fmt::format("{} = {}", Col(cands[0].first, cands[0].second), QuoteString(it.text)));
      out_.filters.push_back(fmt::format("{}.{} = {}", schema_.tables[cands[0].first].name,
                                         ColName(cands[0].first, cands[0].second),
                                         QuoteString(it.text)));
      needed.insert(cands[0].first);
      continue;
    }
    if (it.kind == ItemKind::kValue) {
      it.consumed = true;
      // "status delivered": the column word before its own value is part of it.
      if (p && p->kind == ItemKind::kColumn && !p->consumed && p->table == it.table &&
          p->column == it.column)
        p->consumed = true;
      // "Silver loyalty tier", "the Garden category": the column word after it too.
      if (Item* n = next(k); n && n->kind == ItemKind::kColumn && !n->consumed &&
                             n->table == it.table && n->column == it.column)
        n->consumed = true;
      where.push_back(fmt::format("{} = {}", Col(it.table, it.column), QuoteString(it.text)));
      out_.filters.push_back(fmt::format("{}.{} = {} (a value seen in that column)",
                                         schema_.tables[it.table].name,
                                         ColName(it.table, it.column), QuoteString(it.text)));
      needed.insert(it.table);
      continue;
    }
    if (it.kind == ItemKind::kActive) {
      // The nearest entity after it (else before it) whose rows expire: "active sessions",
      // "active users (Redis sessions)".
      int table = -1;
      for (size_t j = k + 1; j < items.size() && table < 0; j++)
        if (items[j].kind == ItemKind::kEntity &&
            schema_.tables[items[j].table].FindColumn("_ttl") >= 0)
          table = items[j].table;
      for (size_t j = k; j-- > 0 && table < 0;)
        if (items[j].kind == ItemKind::kEntity &&
            schema_.tables[items[j].table].FindColumn("_ttl") >= 0)
          table = items[j].table;
      if (table < 0)
        return Refuse("\"active\": which table's rows expire? name it, e.g. \"active sessions\"");
      it.consumed = true;
      int ttl = schema_.tables[table].FindColumn("_ttl");
      where.push_back(Col(table, ttl) + " > 0");
      out_.filters.push_back(schema_.tables[table].name +
                             "._ttl > 0 (active: keys whose time to live is running; Redis drops "
                             "a key when it expires)");
      needed.insert(table);
      continue;
    }
    if (it.kind == ItemKind::kTime) {
      it.consumed = true;
      // The date column: a date column named right before, else the nearest entity before the
      // phrase that has one, else after it.
      int table = -1, column = -1;
      std::string why;
      if (p && p->kind == ItemKind::kColumn && !p->consumed &&
          IsTemporal(schema_.tables[p->table].columns[p->column].type)) {
        table = p->table;
        column = p->column;
        p->consumed = true;
        why = "named";
      } else {
        std::vector<int> order_tables;
        for (size_t j = k; j-- > 0;)
          if (items[j].kind == ItemKind::kEntity) order_tables.push_back(items[j].table);
        for (size_t j = k + 1; j < items.size(); j++)
          if (items[j].kind == ItemKind::kEntity) order_tables.push_back(items[j].table);
        for (const auto& a : aggs) order_tables.push_back(a.table);
        for (int t : order_tables) {
          int c = DateColumn(t, &why);
          if (c >= 0) {
            table = t;
            column = c;
            break;
          }
          bool any = false;
          for (const auto& col : schema_.tables[t].columns) any = any || IsTemporal(col.type);
          if (any)
            return Refuse(fmt::format("\"{}\": which date column of {} holds the time? name it",
                                      it.text, schema_.tables[t].name));
        }
      }
      if (table < 0)
        return Refuse(
            fmt::format("\"{}\": found no date or timestamp column to filter on; "
                        "which column holds the time?",
                        it.text));
      std::string c = Col(table, column);
      std::string range;
      if (it.from) {
        where.push_back(fmt::format("{} >= {}", c, TimeLiteral(table, column, *it.from)));
        range = "from " + FormatDays(*it.from);
      }
      if (it.to) {
        where.push_back(fmt::format("{} < {}", c, TimeLiteral(table, column, *it.to)));
        range += (range.empty() ? "" : " ") + std::string("before ") + FormatDays(*it.to);
      }
      out_.filters.push_back(fmt::format("{}.{} {} ({}; {})", schema_.tables[table].name,
                                         ColName(table, column), range, it.text,
                                         why == "named" ? "the column named" : why));
      time_phrase = it.text;
      needed.insert(table);
      continue;
    }
  }

  // Top N, latest N, ordering.
  for (size_t k = 0; k < items.size(); k++) {
    Item& it = items[k];
    if (it.consumed) continue;
    if (it.kind == ItemKind::kTop) {
      it.consumed = true;
      limit = static_cast<int64_t>(it.number);
      // "top 5 X by <column>" or "top 5 X by total <column>" (the metric came as a group by).
      // Reinterpret: a group by after top is the ordering metric.
      if (!group_cols.empty() && aggs.empty()) {
        auto gc = group_cols.back();
        group_cols.pop_back();
        const auto& type = schema_.tables[gc.first].columns[gc.second].type;
        if (!IsNumeric(type) && !IsTemporal(type))
          return Refuse("top N by " + ColName(gc.first, gc.second) + ": it is not a number");
        // The entity after "top N" is the grain.
        int grain = -1;
        for (size_t j = k + 1; j < items.size(); j++)
          if (items[j].kind == ItemKind::kEntity) {
            grain = items[j].table;
            break;
          }
        if (grain < 0) grain = subject;
        if (grain == gc.first) {
          order.push_back({Col(gc.first, gc.second), true});
        } else {
          aggs.push_back({"sum", gc.first, gc.second, false, "top"});
          group_entities.push_back(grain);
          needed.insert(gc.first);
          order.push_back({"#agg0", true});
        }
      } else if (!aggs.empty()) {
        int grain = -1;
        for (size_t j = k + 1; j < items.size(); j++)
          if (items[j].kind == ItemKind::kEntity) {
            grain = items[j].table;
            break;
          }
        if (grain >= 0 && grain != aggs[0].table && group_cols.empty() &&
            std::find(group_entities.begin(), group_entities.end(), grain) ==
                group_entities.end()) {
          group_entities.push_back(grain);
          for (auto& x : items)
            if (x.kind == ItemKind::kEntity && x.table == grain) x.consumed = true;
        }
        order.push_back({"#agg0", true});
      } else if (auto metric = std::find_if(
                     items.begin() + k + 1, items.end(),
                     [&](const Item& x) {
                       return x.kind == ItemKind::kColumn && !x.consumed &&
                              IsNumeric(schema_.tables[x.table].columns[x.column].type);
                     });
                 metric != items.end()) {
        int grain = -1;
        for (size_t j = k + 1; j < items.size(); j++)
          if (items[j].kind == ItemKind::kEntity) {
            grain = items[j].table;
            break;
          }
        if (grain < 0) grain = subject;
        metric->consumed = true;
        needed.insert(metric->table);
        if (grain == metric->table) {
          order.push_back({Col(metric->table, metric->column), true});
        } else {
          aggs.push_back({"sum", metric->table, metric->column, false, "top"});
          group_entities.push_back(grain);
          for (auto& x : items)
            if (x.kind == ItemKind::kEntity && x.table == grain) x.consumed = true;
          order.push_back({"#agg0", true});
        }
      } else {
        return Refuse("top " + std::to_string(limit) + " by what? say \"top " +
                      std::to_string(limit) + " <things> by <column>\"");
      }
      continue;
    }
    if (it.kind == ItemKind::kFirstN || it.kind == ItemKind::kOrderDesc ||
        it.kind == ItemKind::kOrderAsc) {
      it.consumed = true;
      bool desc = it.kind != ItemKind::kOrderAsc && it.text != "first";
      if (it.kind == ItemKind::kFirstN) limit = static_cast<int64_t>(it.number);
      if (it.text == "descending" || it.text == "ascending") {
        if (order.empty()) return Refuse("sorted how? say \"sorted by <column>\"");
        order.back().second = desc;
        continue;
      }
      int table = subject;
      for (size_t j = k + 1; j < items.size(); j++)
        if (items[j].kind == ItemKind::kEntity) {
          table = items[j].table;
          break;
        }
      // "the latest transaction" (one, written in the singular, right after): the first row.
      // The entity's last word ("page views": views) tells the number.
      auto last_word = [&](size_t pos) {
        size_t end = pos;
        while (end + 1 < toks_.size() && toks_[end + 1].used &&
               toks_[end + 1].kind == TokKind::kWord &&
               std::none_of(items.begin(), items.end(),
                            [&](const Item& x) { return x.pos == end + 1; }))
          end++;
        return toks_[end].text;
      };
      if (it.kind != ItemKind::kFirstN && limit < 0 && k + 1 < items.size() &&
          items[k + 1].kind == ItemKind::kEntity &&
          Singular(last_word(items[k + 1].pos)) == last_word(items[k + 1].pos) &&
          std::none_of(items.begin(), items.end(),
                       [](const Item& x) { return x.kind == ItemKind::kGroupBy; })) {
        limit = 1;
        out_.readings.push_back(
            fmt::format("\"{} {}\": one row (the singular)", it.text, toks_[items[k + 1].pos].raw));
      }
      std::string why;
      int c = DateColumn(table, &why);
      if (c < 0)
        return Refuse(fmt::format("\"{}\": which date column of {} orders them?", it.text,
                                  schema_.tables[table].name));
      order.push_back({Col(table, c), desc});
      needed.insert(table);
      continue;
    }
    if (it.kind == ItemKind::kSortBy) {
      Item* n = next(k);
      if (!n || n->kind != ItemKind::kColumn)
        return Refuse("sorted by what? name a column after \"sorted by\"");
      it.consumed = n->consumed = true;
      order.push_back({Col(n->table, n->column), false});
      needed.insert(n->table);
      continue;
    }
  }

  // What is left: entities (joined in), columns (selected), hints.
  std::vector<int> entities;
  for (auto& it : items) {
    if (it.consumed) continue;
    switch (it.kind) {
      case ItemKind::kEntity:
        it.consumed = true;
        needed.insert(it.table);
        entities.push_back(it.table);
        break;
      case ItemKind::kColumn:
        it.consumed = true;
        select_cols.push_back({it.table, it.column});
        needed.insert(it.table);
        break;
      case ItemKind::kSourceHint:
        it.consumed = true;
        break;
      default:
        return Refuse("did not understand \"" + toks_[it.pos].raw + "\" here");
    }
  }

  // Joins: a tree over every needed table, rooted at the subject.
  std::vector<JoinEdge> tree;
  std::vector<int> join_order;
  std::vector<int> need_list;
  for (const auto& it : items)
    if (it.table >= 0 && needed.count(it.table) &&
        std::find(need_list.begin(), need_list.end(), it.table) == need_list.end())
      need_list.push_back(it.table);
  for (int t : needed)
    if (std::find(need_list.begin(), need_list.end(), t) == need_list.end()) need_list.push_back(t);
  if (!JoinTree(need_list, subject, &tree, &join_order)) return false;

  // A sum or average over a table that the joins fan out (one row of it met by several rows of
  // another) would count its rows more than once: refuse.
  for (const auto& a : aggs) {
    if (a.func == "count" || a.func == "min" || a.func == "max") continue;
    // Walk the tree from the measured table; every step must go from the referencing table to
    // the referenced one.
    std::map<int, std::vector<std::pair<int, bool>>> adj;  // table -> (other, step is many->one)
    for (const auto& e : tree) {
      adj[e.a].push_back({e.b, e.a_is_many});
      adj[e.b].push_back({e.a, !e.a_is_many});
    }
    std::set<int> seen = {a.table};
    std::deque<int> q = {a.table};
    while (!q.empty()) {
      int cur = q.front();
      q.pop_front();
      for (const auto& [other, many_to_one] : adj[cur]) {
        if (seen.count(other)) continue;
        if (!many_to_one)
          return Refuse(fmt::format(
              "the {} of {}.{} with {} joined would count rows of {} more than once; ask about "
              "{} alone or per {}",
              a.func, schema_.tables[a.table].name, ColName(a.table, a.column),
              schema_.tables[other].name, schema_.tables[a.table].name,
              schema_.tables[a.table].name, schema_.tables[other].name));
        seen.insert(other);
        q.push_back(other);
      }
    }
  }

  // "average quantity per transaction" over transactions: one group per row of the measured
  // table says nothing; refuse rather than pick a reading.
  for (int g : group_entities)
    for (const auto& a : aggs)
      if (a.table == g && a.func != "count")
        return Refuse(fmt::format(
            "\"{} ... per {}\": each {} is one row of {}, so there is nothing to {} per {}; say "
            "\"{} of {}\" for all of them",
            a.phrase, schema_.tables[g].name, schema_.tables[g].name, schema_.tables[g].name,
            a.func, schema_.tables[g].name, a.phrase, schema_.tables[g].name));

  // ---------------------------------------------------------------- SQL
  std::vector<std::string> select;
  std::vector<std::string> group_by;
  bool aggregated =
      !aggs.empty() || !group_cols.empty() || !group_entities.empty() || !having.empty();
  if (!having.empty() && group_entities.empty() && group_cols.empty())
    group_entities.push_back(subject);
  for (const auto& gc : group_cols) {
    select.push_back(Col(gc.first, gc.second));
    group_by.push_back(Col(gc.first, gc.second));
  }
  for (int g : group_entities) {
    int key = KeyColumn(g);
    if (key < 0) return Refuse("found no key column of " + schema_.tables[g].name + " to group by");
    select.push_back(Col(g, key));
    group_by.push_back(Col(g, key));
    int label = LabelColumn(g);
    if (label >= 0 && label != key) {
      select.push_back(Col(g, label));
      group_by.push_back(Col(g, label));
    }
  }
  if (aggregated && aggs.empty() && having.empty() && select_cols.size() == 1 &&
      IsNumeric(schema_.tables[select_cols[0].first].columns[select_cols[0].second].type)) {
    // "revenue by region": the amount named with the groups is added up.
    aggs.push_back({"sum", select_cols[0].first, select_cols[0].second, false, "amount by group"});
    select_cols.clear();
  }
  if (aggregated) {
    for (const auto& sc : select_cols) {
      // Columns named next to an aggregate become groups ("region and total revenue").
      select.push_back(Col(sc.first, sc.second));
      group_by.push_back(Col(sc.first, sc.second));
    }
    if (aggs.empty() && having.empty()) {
      // "orders by status": a count per group.
      aggs.push_back({"count", subject, -1, false, "by"});
    }
  }
  std::vector<std::string> agg_exprs;
  bool joined = join_order.size() > 1;
  for (const auto& a : aggs) {
    std::string e;
    if (a.func == "count") {
      if (a.column < 0) {
        int key = KeyColumn(a.table);
        if (joined && key < 0)
          return Refuse("found no key column of " + schema_.tables[a.table].name +
                        " to count its rows once each");
        e = joined ? "count(DISTINCT " + Col(a.table, key) + ")" : "count(*)";
      } else {
        e = "count(" + std::string(a.distinct ? "DISTINCT " : "") + Col(a.table, a.column) + ")";
      }
    } else {
      e = a.func + "(" + Col(a.table, a.column) + ")";
    }
    std::string name = a.func == "count"
                           ? (a.column < 0 ? "count_" + AsciiLower(schema_.tables[a.table].name)
                                           : "count_" + AsciiLower(ColName(a.table, a.column)))
                           : a.func + "_" + AsciiLower(ColName(a.table, a.column));
    agg_exprs.push_back(e);
    select.push_back(e + " AS " + QuoteIdent(name));
  }
  // "users with their profile data and page views": the entities after "with their" (up to a
  // "who"/"that"/"which"/"where") are shown beside the subject: their columns are selected, but
  // for their join columns (a name the subject has too is prefixed with the table's).
  std::vector<int> attached;
  for (size_t i = 0; i + 1 < toks_.size(); i++) {
    if (toks_[i].text != "with" || toks_[i + 1].text != "their") continue;
    size_t end = toks_.size();
    for (size_t j = i + 2; j < toks_.size(); j++)
      if (toks_[j].kind == TokKind::kWord &&
          (toks_[j].text == "who" || toks_[j].text == "that" || toks_[j].text == "which" ||
           toks_[j].text == "where" || toks_[j].text == "whose")) {
        end = j;
        break;
      }
    for (const auto& it : items_)
      if (it.kind == ItemKind::kEntity && it.pos > i && it.pos < end && it.table != subject &&
          needed.count(it.table) &&
          std::find(attached.begin(), attached.end(), it.table) == attached.end())
        attached.push_back(it.table);
    break;
  }
  if (!aggregated && select_cols.empty() && !attached.empty()) {
    select.push_back(Alias(subject) + ".*");
    std::set<std::string> names;
    for (const auto& c : schema_.tables[subject].columns) names.insert(AsciiLower(c.name));
    std::string shown;
    for (int a : attached) {
      std::set<int> skip;  // its join columns (the subject's key again)
      for (const auto& e : tree) {
        if (e.a == a) skip.insert(e.a_col);
        if (e.b == a) skip.insert(e.b_col);
      }
      for (size_t c = 0; c < schema_.tables[a].columns.size(); c++) {
        if (skip.count(static_cast<int>(c))) continue;
        std::string name = ColName(a, static_cast<int>(c));
        std::string lower = AsciiLower(name);
        if (lower == "_key" || lower == "_ttl") continue;
        if (names.insert(lower).second) {
          select.push_back(Col(a, static_cast<int>(c)));
        } else {
          std::string alias = AsciiLower(schema_.tables[a].name) + "_" + lower;
          names.insert(alias);
          select.push_back(Col(a, static_cast<int>(c)) + " AS " + QuoteIdent(alias));
        }
      }
      shown += (shown.empty() ? "" : ", ") + schema_.tables[a].name;
    }
    if (joined) distinct_select = true;  // one row each, however many rows the joins meet
    out_.readings.push_back("\"with their\": the columns of " + shown + " beside " +
                            schema_.tables[subject].name + " (one row per combination)");
  } else if (!aggregated) {
    if (select_cols.empty()) {
      select.push_back(Alias(subject) + ".*");
      if (joined) distinct_select = true;  // the subject's rows, once each
    } else {
      bool only_subject = true;
      for (const auto& sc : select_cols) {
        select.push_back(Col(sc.first, sc.second));
        only_subject = only_subject && sc.first == subject;
      }
      if (joined && only_subject) distinct_select = true;
    }
  }
  for (auto& o : order)
    if (o.first == "#agg0") o.first = agg_exprs.empty() ? "1" : agg_exprs[0];
  // SELECT DISTINCT t.* ... ORDER BY t.col: the binder wants the ordered columns in the select
  // list by name, so t.* is written out.
  if (distinct_select && !order.empty()) {
    std::vector<std::string> expanded;
    for (const auto& sel : select) {
      int star = -1;
      for (int t : join_order)
        if (sel == Alias(t) + ".*") star = t;
      if (star < 0) {
        expanded.push_back(sel);
        continue;
      }
      for (size_t c = 0; c < schema_.tables[star].columns.size(); c++)
        expanded.push_back(Col(star, static_cast<int>(c)));
    }
    select = std::move(expanded);
  }
  // Ties in a top N are broken by the groups (or the key), so that the answer is one.
  if (limit >= 0 && !order.empty()) {
    if (aggregated) {
      for (const auto& g : group_by) order.push_back({g, false});
    } else if (int key = KeyColumn(subject);
               key >= 0 && (!distinct_select || std::find(select.begin(), select.end(),
                                                          Col(subject, key)) != select.end())) {
      order.push_back({Col(subject, key), false});
    }
  }

  std::string sql = "SELECT " + std::string(distinct_select ? "DISTINCT " : "");
  for (size_t i = 0; i < select.size(); i++) sql += (i ? ", " : "") + select[i];
  sql += "\nFROM " + schema_.tables[subject].QualifiedName() + " " + Alias(subject);
  for (const auto& e : tree) {
    sql += "\nJOIN " + schema_.tables[e.b].QualifiedName() + " " + Alias(e.b) + " ON " +
           Col(e.a, e.a_col) + " = " + Col(e.b, e.b_col);
    out_.joins.push_back(fmt::format("{}.{} = {}.{} ({})", schema_.tables[e.a].name,
                                     ColName(e.a, e.a_col), schema_.tables[e.b].name,
                                     ColName(e.b, e.b_col),
                                     e.a_is_many ? ColName(e.a, e.a_col) : ColName(e.b, e.b_col)));
  }
  if (!where.empty()) {
    sql += "\nWHERE ";
    for (size_t i = 0; i < where.size(); i++) sql += (i ? " AND " : "") + where[i];
  }
  if (!group_by.empty()) {
    sql += "\nGROUP BY ";
    for (size_t i = 0; i < group_by.size(); i++) sql += (i ? ", " : "") + group_by[i];
  }
  if (!having.empty()) {
    sql += "\nHAVING ";
    for (size_t i = 0; i < having.size(); i++) sql += (i ? " AND " : "") + having[i];
  }
  if (!order.empty()) {
    sql += "\nORDER BY ";
    for (size_t i = 0; i < order.size(); i++)
      sql += (i ? ", " : "") + order[i].first + (order[i].second ? " DESC" : "");
  }
  if (limit >= 0) sql += "\nLIMIT " + std::to_string(limit);
  out_.sql = sql;

  std::map<std::string, std::vector<std::string>> by_source;
  std::vector<std::string> source_order;
  for (int t : join_order) {
    const auto& tab = schema_.tables[t];
    std::string key = tab.catalog + " (" + tab.source_type + ")";
    if (!by_source.count(key)) source_order.push_back(key);
    by_source[key].push_back(tab.name);
  }
  for (const auto& s : source_order) {
    std::string tables;
    for (const auto& t : by_source[s]) tables += (tables.empty() ? "" : ", ") + t;
    out_.sources.push_back(s + ": " + tables);
  }
  out_.source_count = static_cast<int>(source_order.size());
  for (const auto& a : aggs)
    out_.readings.push_back(fmt::format(
        "{}: {}", a.phrase,
        a.func + "(" +
            (a.column < 0 ? schema_.tables[a.table].name + " rows"
                          : schema_.tables[a.table].name + "." + ColName(a.table, a.column)) +
            ")"));
  for (const auto& g : group_cols)
    out_.readings.push_back("grouped by " + schema_.tables[g.first].name + "." +
                            ColName(g.first, g.second));
  for (int g : group_entities) out_.readings.push_back("one row per " + schema_.tables[g].name);
  return true;
}

// "a complete profile for user john@example.com (including ...)": one section per table that
// refers to the subject, each its own query: the subject's row, then per table its row count,
// amounts and latest rows.
bool Translator::Profile() {
  std::sort(items_.begin(), items_.end(),
            [](const Item& a, const Item& b) { return a.pos < b.pos; });
  int subject = -1;
  std::string filter, filter_text;
  std::vector<int> wanted;
  for (size_t k = 0; k < items_.size(); k++) {
    Item& it = items_[k];
    if (it.kind == ItemKind::kEntity) {
      if (subject < 0) {
        subject = it.table;
      } else if (it.table != subject) {
        wanted.push_back(it.table);
      }
    } else if (it.kind == ItemKind::kEmail && subject >= 0 && filter.empty()) {
      for (size_t c = 0; c < schema_.tables[subject].columns.size(); c++)
        if (AsciiLower(ColName(subject, static_cast<int>(c))).find("mail") != std::string::npos) {
          filter = Col(subject, static_cast<int>(c)) + " = " + QuoteString(it.text);
          filter_text = schema_.tables[subject].name + "." + ColName(subject, static_cast<int>(c)) +
                        " = " + QuoteString(it.text);
          break;
        }
    } else if (it.kind == ItemKind::kNumber && subject >= 0 && filter.empty() && k > 0 &&
               items_[k - 1].kind == ItemKind::kEntity) {
      int key = KeyColumn(subject);
      if (key >= 0) {
        filter = Col(subject, key) + " = " + it.text;
        filter_text = schema_.tables[subject].name + "." + ColName(subject, key) + " = " + it.text;
      }
    } else if (it.kind != ItemKind::kSourceHint) {
      return Refuse(
          "a profile needs one person or thing, e.g. \"a complete profile for user "
          "john@example.com\"; did not understand \"" +
          toks_[it.pos].raw + "\" in it");
    }
  }
  if (subject < 0 || filter.empty())
    return Refuse(
        "a profile of whom? name the table and an email or id, e.g. \"a complete profile "
        "for user john@example.com\"");
  out_.filters.push_back(filter_text);
  auto table_sql = [&](int t) { return schema_.tables[t].QualifiedName() + " " + Alias(t); };
  std::string basic =
      "SELECT " + Alias(subject) + ".*\nFROM " + table_sql(subject) + "\nWHERE " + filter;
  out_.sections.push_back({"Basic information (" + schema_.tables[subject].name + ", " +
                               schema_.tables[subject].catalog + ")",
                           basic});
  std::set<int> seen;
  std::vector<int> order;
  out_.sources.push_back(schema_.tables[subject].catalog + " (" +
                         schema_.tables[subject].source_type +
                         "): " + schema_.tables[subject].name);
  for (const auto& e : EdgesOf(subject)) {
    if (e.a_is_many || seen.count(e.b)) continue;  // tables that refer to the subject
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), e.b) == wanted.end()) continue;
    seen.insert(e.b);
    const auto& tb = schema_.tables[e.b];
    std::string from = table_sql(e.b) + "\nJOIN " + table_sql(subject) + " ON " +
                       Col(e.b, e.b_col) + " = " + Col(subject, e.a_col) + "\nWHERE " + filter;
    out_.joins.push_back(fmt::format("{}.{} = {}.{}", tb.name, ColName(e.b, e.b_col),
                                     schema_.tables[subject].name, ColName(subject, e.a_col)));
    out_.sources.push_back(tb.catalog + " (" + tb.source_type + "): " + tb.name);
    std::string summary = "SELECT count(*) AS " + QuoteIdent(AsciiLower(tb.name));
    for (size_t c = 0; c < tb.columns.size(); c++) {
      std::string n = AsciiLower(tb.columns[c].name);
      if (IsNumeric(tb.columns[c].type) &&
          (n == "total" || n == "amount" || n == "total_amount" || n == "price")) {
        summary += ", sum(" + Col(e.b, static_cast<int>(c)) + ") AS " + QuoteIdent("total_" + n);
        summary += ", avg(" + Col(e.b, static_cast<int>(c)) + ") AS " + QuoteIdent("average_" + n);
      }
      if (n == "rating" && IsNumeric(tb.columns[c].type))
        summary += ", avg(" + Col(e.b, static_cast<int>(c)) + ") AS average_rating";
    }
    std::string why;
    int date = DateColumn(e.b, &why);
    if (date >= 0)
      summary += ", max(" + Col(e.b, date) + ") AS " +
                 QuoteIdent("last_" + AsciiLower(ColName(e.b, date)));
    out_.sections.push_back(
        {tb.name + " (" + tb.catalog + "): summary", summary + "\nFROM " + from});
    std::string recent = "SELECT " + Alias(e.b) + ".*\nFROM " + from;
    if (date >= 0) {
      recent += "\nORDER BY " + Col(e.b, date) + " DESC";
      if (int key = KeyColumn(e.b); key >= 0) recent += ", " + Col(e.b, key);
    }
    recent += "\nLIMIT 5";
    out_.sections.push_back(
        {tb.name + " (" + tb.catalog + "): " + (date >= 0 ? "the latest 5" : "5 rows"), recent});
  }
  std::set<std::string> catalogs;
  for (int t : seen) catalogs.insert(schema_.tables[t].catalog);
  catalogs.insert(schema_.tables[subject].catalog);
  out_.source_count = static_cast<int>(catalogs.size());
  out_.sql = basic;
  out_.readings.push_back(
      fmt::format("a profile: {} sections, each its own query", out_.sections.size()));
  return true;
}

NlTranslation Translator::Run() {
  toks_ = Tokenize(text_);
  // "a complete profile for ...", "full profile of ...", "everything about ...".
  for (size_t i = 0; i + 1 < toks_.size(); i++) {
    const std::string& w = toks_[i].text;
    const std::string& n = toks_[i + 1].text;
    if (((w == "complete" || w == "full" || w == "360" || w == "whole") &&
         (n == "profile" ||
          (n == "customer" && i + 2 < toks_.size() && toks_[i + 2].text == "profile"))) ||
        (w == "everything" && n == "about")) {
      profile_ = true;
      for (size_t k = i; k < toks_.size() && k < i + 3; k++)
        if (toks_[k].text == "profile" || toks_[k].text == "everything" ||
            toks_[k].text == "about" || toks_[k].text == w)
          toks_[k].used = true;
      break;
    }
  }
  bool ok = MatchPhrases() && MatchEntities() && MatchColumns(false) && MatchValues() &&
            MatchColumns(true) && (!profile_ && AntiJoin() ? true : CheckLeftovers()) &&
            (anti_join_ || (profile_ ? Profile() : Interpret()));
  out_.ok = ok;
  if (!ok) {
    out_.error = error_;
    out_.sql.clear();
  }
  return out_;
}

// "Watch for new orders in MongoDB and enrich with user data from PostgreSQL and product analytics
// from Elasticsearch": the new rows of one table (the stream's key: its event time, else its key),
// each joined with the entities named after "enrich with" (their columns, prefixed with the
// entity's name), and, for a part that names only a source ("analytics from Elasticsearch"), the
// tables of that source that share a reference column with it, as a count and the latest time per
// reference.
bool Translator::Stream(NlStreamRequest* req) {
  size_t start = 0;
  static const std::set<std::string> kVerbs = {"watch", "stream", "follow", "tail", "monitor"};
  if (toks_.empty() || !kVerbs.count(toks_[0].text))
    return Refuse("a stream request starts with \"Watch for new <table> ...\"");
  start = 1;
  if (start < toks_.size() && toks_[start].text == "for") start++;
  if (start >= toks_.size() || toks_[start].text != "new")
    return Refuse("a stream request starts with \"Watch for new <table> ...\"");
  for (size_t i = 0; i <= start; i++) toks_[i].used = true;
  // Parts: the watched one, then one per "and" after "enrich(ed) with".
  size_t enrich = toks_.size();
  for (size_t i = start; i + 1 < toks_.size(); i++)
    if ((toks_[i].text == "enrich" || toks_[i].text == "enriched") && toks_[i + 1].text == "with") {
      enrich = i;
      break;
    }
  std::vector<std::pair<size_t, size_t>> parts;  // token ranges [from, to)
  size_t main_end = enrich;
  if (main_end > start && main_end < toks_.size() && toks_[main_end - 1].text == "and") main_end--;
  for (size_t i = enrich + 2, from = enrich + 2; i <= toks_.size() && enrich < toks_.size(); i++) {
    if (i == toks_.size() || toks_[i].text == "and") {
      if (i > from) parts.push_back({from, i});
      from = i + 1;
    }
  }
  if (!MatchPhrases() || !MatchEntities()) return false;
  std::sort(items_.begin(), items_.end(),
            [](const Item& a, const Item& b) { return a.pos < b.pos; });
  int main = -1;
  for (const auto& it : items_)
    if (it.kind == ItemKind::kEntity && it.pos > start && it.pos < main_end) {
      main = it.table;
      break;
    }
  if (main < 0) return Refuse("which table to watch? name it after \"Watch for new\"");
  std::string why;
  int key = DateColumn(main, &why);
  if (key < 0) key = KeyColumn(main);
  if (key < 0)
    return Refuse("found no column of " + schema_.tables[main].name +
                  " whose values only grow (an id or a time) to follow new rows by");
  req->key = ColName(main, key);
  out_.readings.push_back("new rows of " + schema_.tables[main].name + " by " + req->key +
                          (why.empty() ? " (its key)" : " (" + why + ")"));
  std::vector<std::string> select = {Alias(main) + ".*"};
  std::string from = schema_.tables[main].QualifiedName() + " " + Alias(main);
  std::set<int> used = {main};
  std::vector<int> order = {main};
  for (const auto& [p0, p1] : parts) {
    std::vector<int> named;
    std::vector<const Item*> hints;
    for (const auto& it : items_) {
      if (it.pos < p0 || it.pos >= p1) continue;
      if (it.kind == ItemKind::kEntity && !used.count(it.table)) named.push_back(it.table);
      if (it.kind == ItemKind::kSourceHint) hints.push_back(&it);
    }
    std::string part_text;
    for (size_t i = p0; i < p1; i++) part_text += (part_text.empty() ? "" : " ") + toks_[i].raw;
    if (!named.empty()) {
      for (int t : named) {
        const JoinEdge* edge = nullptr;
        for (const auto& e : EdgesOf(main))
          if (e.b == t && e.a_is_many) {
            edge = &e;
            break;
          }
        if (!edge)
          return Refuse("found no column of " + schema_.tables[main].name + " that refers to " +
                        schema_.tables[t].name + " (\"" + part_text + "\")");
        used.insert(t);
        order.push_back(t);
        from += "\nLEFT JOIN " + schema_.tables[t].QualifiedName() + " " + Alias(t) + " ON " +
                Col(main, edge->a_col) + " = " + Col(t, edge->b_col);
        std::string prefix = Singular(SplitName(schema_.tables[t].name).back());
        for (size_t c = 0; c < schema_.tables[t].columns.size(); c++) {
          if (static_cast<int>(c) == edge->b_col) continue;
          std::string lower = AsciiLower(ColName(t, static_cast<int>(c)));
          if (lower == "_key" || lower == "_ttl") continue;
          select.push_back(Col(t, static_cast<int>(c)) + " AS " + QuoteIdent(prefix + "_" + lower));
        }
        out_.joins.push_back(fmt::format("{}.{} = {}.{} (\"{}\")", schema_.tables[main].name,
                                         ColName(main, edge->a_col), schema_.tables[t].name,
                                         ColName(t, edge->b_col), part_text));
      }
      continue;
    }
    if (hints.size() != 1)
      return Refuse("\"" + part_text + "\": name a table, or the source to summarize (\"... from " +
                    "Elasticsearch\")");
    // Only a source: its tables that share a reference column (user_id) with the watched table,
    // summarized per reference.
    int added = 0;
    for (size_t t = 0; t < schema_.tables.size(); t++) {
      const auto& tab = schema_.tables[t];
      if (used.count(static_cast<int>(t))) continue;
      const std::string& h = hints[0]->text;
      if (h != "catalog:" + AsciiLower(tab.catalog) && h != "type:" + tab.source_type &&
          h != "schema:" + AsciiLower(tab.schema))
        continue;
      int shared_main = -1, shared_t = -1;
      for (const auto& e : EdgesOf(main)) {
        if (!e.a_is_many) continue;
        int c = tab.FindColumn(ColName(main, e.a_col));
        if (c >= 0) {
          shared_main = e.a_col;
          shared_t = c;
          break;
        }
      }
      if (shared_main < 0) continue;
      std::string unused;
      int when = DateColumn(static_cast<int>(t), &unused);
      std::string name = AsciiLower(tab.name);
      std::string alias = Alias(static_cast<int>(t));
      std::string sub = "SELECT " + QuoteIdent(ColName(static_cast<int>(t), shared_t)) +
                        ", count(*) AS " + QuoteIdent(name + "_count");
      if (when >= 0)
        sub += ", max(" + QuoteIdent(ColName(static_cast<int>(t), when)) + ") AS " +
               QuoteIdent(name + "_last_at");
      sub += " FROM " + tab.QualifiedName() + " GROUP BY " +
             QuoteIdent(ColName(static_cast<int>(t), shared_t));
      from += "\nLEFT JOIN (" + sub + ") " + alias + " ON " + Col(main, shared_main) + " = " +
              alias + "." + QuoteIdent(ColName(static_cast<int>(t), shared_t));
      select.push_back(alias + "." + QuoteIdent(name + "_count"));
      if (when >= 0) select.push_back(alias + "." + QuoteIdent(name + "_last_at"));
      out_.joins.push_back(
          fmt::format("{}.{} = {}.{} (\"{}\": count{} per {})", schema_.tables[main].name,
                      ColName(main, shared_main), tab.name, ColName(static_cast<int>(t), shared_t),
                      part_text, when >= 0 ? " and latest time" : "", ColName(main, shared_main)));
      used.insert(static_cast<int>(t));
      order.push_back(static_cast<int>(t));
      added++;
    }
    if (!added)
      return Refuse("\"" + part_text + "\": no table of " + toks_[hints[0]->pos].raw +
                    " shares a reference column with " + schema_.tables[main].name);
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); i++) sql += (i ? ", " : "") + select[i];
  sql += "\nFROM " + from;
  out_.sql = sql;
  std::map<std::string, std::vector<std::string>> by_source;
  std::vector<std::string> source_order;
  for (int t : order) {
    const auto& tab = schema_.tables[t];
    std::string k = tab.catalog + " (" + tab.source_type + ")";
    if (!by_source.count(k)) source_order.push_back(k);
    by_source[k].push_back(tab.name);
  }
  for (const auto& k : source_order) {
    std::string tables;
    for (const auto& t : by_source[k]) tables += (tables.empty() ? "" : ", ") + t;
    out_.sources.push_back(k + ": " + tables);
  }
  out_.source_count = static_cast<int>(source_order.size());
  return true;
}

NlStreamRequest Translator::RunStream() {
  toks_ = Tokenize(text_);
  NlStreamRequest req;
  bool ok = Stream(&req);
  out_.ok = ok;
  if (!ok) {
    out_.error = error_;
    out_.sql.clear();
    req.key.clear();
  }
  req.translation = out_;
  return req;
}

}  // namespace

NlStreamRequest TranslateStreamRequest(const std::string& text, const NlSchema& schema,
                                       const NlOptions& options) {
  Translator t(text, schema, options);
  return t.RunStream();
}

NlTranslation TranslateToSql(const std::string& text, const NlSchema& schema,
                             const NlOptions& options) {
  Translator t(text, schema, options);
  return t.Run();
}

}  // namespace aishell
