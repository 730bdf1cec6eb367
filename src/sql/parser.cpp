// A hand-written recursive-descent parser for the Trino SQL dialect.
#include "sql/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <unordered_set>

#include "common/exception.h"
#include "common/strings.h"
#include "sql/lexer.h"

namespace aishell {

namespace {

// Words that may be identifiers but never an alias written without AS (they start a clause).
const std::unordered_set<std::string>& NonAliasWords() {
  static const std::unordered_set<std::string> kWords = {
      "LIMIT", "OFFSET", "FETCH", "WINDOW", "ORDER", "GROUP", "HAVING", "WHERE", "QUALIFY",
  };
  return kWords;
}

bool IsReserved(const std::string& upper) { return IsReservedWord(upper); }

IntervalField IntervalFieldFromWord(const std::string& upper) {
  if (upper == "YEAR" || upper == "YEARS") return IntervalField::kYear;
  if (upper == "MONTH" || upper == "MONTHS") return IntervalField::kMonth;
  if (upper == "WEEK" || upper == "WEEKS") return IntervalField::kWeek;
  if (upper == "DAY" || upper == "DAYS") return IntervalField::kDay;
  if (upper == "HOUR" || upper == "HOURS") return IntervalField::kHour;
  if (upper == "MINUTE" || upper == "MINUTES") return IntervalField::kMinute;
  if (upper == "SECOND" || upper == "SECONDS") return IntervalField::kSecond;
  return IntervalField::kNone;
}

class Parser {
 public:
  explicit Parser(const std::string& sql) : sql_(sql), tokens_(Tokenize(sql)) {}

  std::vector<StatementPtr> ParseStatementList() {
    std::vector<StatementPtr> result;
    while (true) {
      while (IsOp(";")) Advance();
      if (AtEnd()) break;
      int start = Peek().position;
      auto statement = ParseOneStatement();
      int end = tokens_[pos_ - 1].end;
      statement->position = start;
      statement->text = sql_.substr(start, end - start);
      result.push_back(std::move(statement));
      if (AtEnd()) break;
      if (!IsOp(";")) ErrorAtCurrent("expected ';' or end of input");
    }
    return result;
  }

  QueryNodePtr ParseStandaloneQuery() {
    while (IsOp(";")) Advance();
    if (AtEnd()) ErrorAtCurrent("expected a query");
    auto query = ParseQuery();
    while (IsOp(";")) Advance();
    if (!AtEnd()) ErrorAtCurrent("expected end of query");
    return query;
  }

  ParsedExpressionPtr ParseStandaloneExpression() {
    auto expr = ParseExpr();
    if (!AtEnd()) ErrorAtCurrent("expected end of expression");
    return expr;
  }

 private:
  // ----- token helpers -------------------------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  bool AtEnd() const { return Peek().type == TokenType::kEnd; }
  const Token& Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) pos_++;
    return t;
  }

  bool IsOp(const char* op, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.type == TokenType::kOperator && t.text == op;
  }
  bool IsWord(const char* upper_word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    if (t.type != TokenType::kWord || t.text.size() != std::char_traits<char>::length(upper_word)) {
      return false;
    }
    for (size_t i = 0; i < t.text.size(); i++) {
      if (std::toupper(static_cast<unsigned char>(t.text[i])) != upper_word[i]) return false;
    }
    return true;
  }
  bool AcceptOp(const char* op) {
    if (!IsOp(op)) return false;
    Advance();
    return true;
  }
  bool AcceptWord(const char* word) {
    if (!IsWord(word)) return false;
    Advance();
    return true;
  }
  void ExpectOp(const char* op) {
    if (!AcceptOp(op)) ErrorAtCurrent(fmt::format("expected '{}'", op));
  }
  void ExpectWord(const char* word) {
    if (!AcceptWord(word)) ErrorAtCurrent(fmt::format("expected {}", word));
  }

  std::string TokenDisplay(const Token& t) const {
    switch (t.type) {
      case TokenType::kString:
        return "'" + t.text + "'";
      case TokenType::kQuotedIdentifier:
        return sql_.substr(t.position, t.end - t.position);
      default:
        return t.text;
    }
  }

  // A clause keyword that `word` is a likely misspelling of (one edit or one transposition away),
  // or "".
  static std::string ClosestClauseKeyword(const std::string& word) {
    static const char* const kKeywords[] = {"SELECT", "FROM",  "WHERE", "GROUP",  "ORDER", "HAVING",
                                            "LIMIT",  "JOIN",  "UNION", "OFFSET", "INNER", "OUTER",
                                            "LEFT",   "RIGHT", "CROSS", "USING"};
    std::string upper = AsciiUpper(word);
    for (const char* kw : kKeywords) {
      std::string k = kw;
      if (upper == k) continue;
      if (EditDistanceAtMostOne(upper, k)) return k;
    }
    return "";
  }

  static bool EditDistanceAtMostOne(const std::string& a, const std::string& b) {
    if (a.size() < 3 || b.size() < 3) return false;
    if (a.size() == b.size()) {
      std::vector<size_t> diff;
      for (size_t i = 0; i < a.size(); i++) {
        if (a[i] != b[i]) diff.push_back(i);
      }
      if (diff.size() <= 1) return true;
      // one transposition: FORM / FROM
      return diff.size() == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] &&
             a[diff[1]] == b[diff[0]];
    }
    const std::string& longer = a.size() > b.size() ? a : b;
    const std::string& shorter = a.size() > b.size() ? b : a;
    if (longer.size() != shorter.size() + 1) return false;
    size_t i = 0;
    while (i < shorter.size() && shorter[i] == longer[i]) i++;
    return shorter.compare(i, std::string::npos, longer, i + 1, std::string::npos) == 0;
  }

  [[noreturn]] void ErrorAt(const Token& t, const std::string& expected) const {
    if (suspicious_alias_ >= 0 && static_cast<size_t>(suspicious_alias_ + 1) < tokens_.size() &&
        tokens_[suspicious_alias_ + 1].position == t.position) {
      const Token& alias = tokens_[suspicious_alias_];
      throw Error(ErrorKind::kSyntax,
                  fmt::format("syntax error at or near \"{}\": did you mean {}?", alias.text,
                              ClosestClauseKeyword(alias.text)),
                  alias.position);
    }
    if (t.type == TokenType::kEnd) {
      throw Error(
          ErrorKind::kSyntax,
          expected.empty() ? "unexpected end of input" : "unexpected end of input: " + expected,
          t.position);
    }
    if (t.type == TokenType::kOperator && t.text == "-" && pos_ > 0) {
      // users-db.users: a name with '-' must be quoted.
      size_t index = static_cast<size_t>(&t - tokens_.data());
      if (index > 0 && index + 1 < tokens_.size()) {
        const Token& before = tokens_[index - 1];
        const Token& after = tokens_[index + 1];
        if (before.type == TokenType::kWord && after.type == TokenType::kWord &&
            before.end == t.position && after.position == t.end) {
          std::string name = sql_.substr(before.position, after.end - before.position);
          throw Error(
              ErrorKind::kSyntax,
              fmt::format(
                  "syntax error at or near \"-\": a name containing '-' must be quoted: \"{}\" "
                  "or [{}]",
                  name, name),
              t.position);
        }
      }
    }
    if (t.type == TokenType::kOperator && t.text == "[") {
      throw Error(ErrorKind::kUnsupported, "subscripts (a[i]) are not supported", t.position);
    }
    std::string shown = TokenDisplay(t);
    if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
    std::string message = fmt::format("syntax error at or near \"{}\"", shown);
    std::string suggestion = t.type == TokenType::kWord ? ClosestClauseKeyword(t.text) : "";
    if (!suggestion.empty() && expected.find("did you mean") == std::string::npos) {
      message += fmt::format(": did you mean {}?", suggestion);
    } else if (!expected.empty()) {
      message += ": " + expected;
    }
    throw Error(ErrorKind::kSyntax, message, t.position);
  }
  [[noreturn]] void ErrorAtCurrent(const std::string& expected) const { ErrorAt(Peek(), expected); }

  // RAII nesting counter: caps recursion so that no input overflows the stack.
  class DepthGuard {
   public:
    DepthGuard(Parser& parser, int weight = 1) : parser_(parser), weight_(weight) {
      parser_.depth_ += weight_;
      if (parser_.depth_ > kMaxParseDepth) {
        throw Error(
            ErrorKind::kSyntax,
            fmt::format("statement is nested too deeply (more than {} levels)", kMaxParseDepth),
            parser_.Peek().position);
      }
    }
    ~DepthGuard() { parser_.depth_ -= weight_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& parser_;
    int weight_;
  };

  // ----- identifiers -----------------------------------------------------------------------------

  // Whether the current token can be an identifier (unquoted non-reserved word or quoted).
  bool IsIdentifier(size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    if (t.type == TokenType::kQuotedIdentifier) return true;
    return t.type == TokenType::kWord && !IsReserved(AsciiUpper(t.text));
  }

  // Reads an identifier; returns (name, quoted).
  std::pair<std::string, bool> ParseIdentifier(const char* what = "an identifier") {
    const Token& t = Peek();
    if (t.type == TokenType::kQuotedIdentifier) {
      Advance();
      return {t.text, true};
    }
    if (t.type == TokenType::kWord && !IsReserved(AsciiUpper(t.text))) {
      Advance();
      return {AsciiLower(t.text), false};
    }
    if (t.type == TokenType::kWord && ClosestClauseKeyword(t.text).empty()) {
      // A reserved word where a name belongs: FROM order
      ErrorAtCurrent(fmt::format(
          "expected {} (\"{}\" is a reserved word; quote it to use it as a name: \"{}\")", what,
          AsciiUpper(t.text), AsciiLower(t.text)));
    }
    ErrorAtCurrent(fmt::format("expected {}", what));
  }

  QualifiedName ParseQualifiedName(const char* what = "a name") {
    QualifiedName name;
    name.position = Peek().position;
    auto [part, quoted] = ParseIdentifier(what);
    name.parts.push_back(part);
    name.quoted.push_back(quoted);
    while (IsOp(".") &&
           (Peek(1).type == TokenType::kWord || Peek(1).type == TokenType::kQuotedIdentifier)) {
      Advance();
      auto [p, q] = ParseIdentifier(what);
      name.parts.push_back(p);
      name.quoted.push_back(q);
      if (name.parts.size() > 4) ErrorAtCurrent("a name has at most 4 parts");
    }
    return name;
  }

  std::vector<std::string> ParseIdentifierList() {
    std::vector<std::string> names;
    ExpectOp("(");
    do {
      names.push_back(ParseIdentifier("a column name").first);
    } while (AcceptOp(","));
    ExpectOp(")");
    return names;
  }

  // An alias: AS name, or a bare identifier that does not start a clause.
  bool ParseOptionalAlias(std::string& alias, bool& quoted) {
    if (AcceptWord("AS")) {
      auto [name, q] = ParseIdentifier("an alias after AS");
      alias = name;
      quoted = q;
      return true;
    }
    const Token& t = Peek();
    if (t.type == TokenType::kQuotedIdentifier || (t.type == TokenType::kWord && IsIdentifier() &&
                                                   !NonAliasWords().count(AsciiUpper(t.text)))) {
      if (t.type == TokenType::kWord && suspicious_alias_ < 0 &&
          !ClosestClauseKeyword(t.text).empty()) {
        // "SELECT a FORM t": FORM reads as an alias; if the statement then fails, blame FORM.
        suspicious_alias_ = static_cast<int>(pos_);
      }
      auto [name, q] = ParseIdentifier();
      alias = name;
      quoted = q;
      return true;
    }
    return false;
  }

  // A function argument: a lambda (x -> body, (x, y) -> body) or an expression.
  ParsedExpressionPtr ParseLambdaOrExpr() {
    size_t arrow = 0;  // tokens ahead of the "->", 0 when this is not a lambda
    if (IsIdentifier() && IsOp("->", 1)) {
      arrow = 1;
    } else if (IsOp("(")) {
      size_t k = 1;
      while (IsIdentifier(k) && (IsOp(",", k + 1) || IsOp(")", k + 1))) {
        k += 2;
        if (IsOp(")", k - 1)) {
          if (IsOp("->", k)) arrow = k;
          break;
        }
      }
    }
    if (!arrow) return ParseExpr();
    auto lambda = std::make_unique<LambdaExpression>();
    lambda->position = Peek().position;
    bool parenthesized = AcceptOp("(");
    do {
      lambda->params.push_back(ParseIdentifier("a lambda parameter").first);
    } while (parenthesized && AcceptOp(","));
    if (parenthesized) ExpectOp(")");
    ExpectOp("->");
    lambda->body = ParseExpr();
    return lambda;
  }

  int64_t ParseNonNegativeInteger(const char* what) {
    const Token& t = Peek();
    if (t.type != TokenType::kInteger) ErrorAtCurrent(fmt::format("expected {}", what));
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(t.text.c_str(), &end, 10);
    if (errno == ERANGE) {
      throw Error(ErrorKind::kSyntax, fmt::format("{} {} is out of range", what, t.text),
                  t.position);
    }
    Advance();
    return v;
  }

  std::string ParseStringLiteral(const char* what) {
    if (Peek().type != TokenType::kString) ErrorAtCurrent(fmt::format("expected {}", what));
    return Advance().text;
  }

  // One property value: a string, number or boolean literal (text as written).
  std::string ParsePropertyLiteral() {
    const Token& t = Peek();
    if (t.type == TokenType::kString || t.type == TokenType::kInteger ||
        t.type == TokenType::kDecimal) {
      return Advance().text;
    }
    if (IsWord("TRUE") || IsWord("FALSE")) return AsciiLower(Advance().text);
    ErrorAtCurrent("expected a table property value (a string, number, boolean or ARRAY[...])");
  }

  // WITH (name = value, ...) of CREATE TABLE; value: a literal or ARRAY[literal, ...].
  void ParseTableProperties(CreateTableAsStatement& s) {
    ExpectOp("(");
    do {
      TablePropertyClause p;
      p.position = Peek().position;
      p.name = ParseIdentifier("a table property name").first;
      for (const auto& other : s.properties) {
        if (other.name == p.name) {
          throw Error(ErrorKind::kSyntax, "table property '" + p.name + "' is given twice",
                      p.position);
        }
      }
      ExpectOp("=");
      if (IsWord("ARRAY") && IsOp("[", 1)) {
        Advance();
        Advance();
        p.is_array = true;
        if (!IsOp("]")) {
          do {
            p.value_positions.push_back(Peek().position);
            p.values.push_back(ParsePropertyLiteral());
          } while (AcceptOp(","));
        }
        ExpectOp("]");
      } else {
        p.value_positions.push_back(Peek().position);
        p.values.push_back(ParsePropertyLiteral());
      }
      s.properties.push_back(std::move(p));
    } while (AcceptOp(","));
    ExpectOp(")");
  }

  // ----- statements ----------------------------------------------------------------------------

  StatementPtr ParseOneStatement() {
    const Token& t = Peek();
    if (IsWord("SELECT") || IsWord("WITH") || IsWord("VALUES") || IsOp("(") || IsWord("TABLE")) {
      auto s = std::make_unique<SelectStatement>();
      s->query = ParseQuery();
      return s;
    }
    if (IsWord("EXPLAIN")) return ParseExplain();
    if (IsWord("SHOW")) return ParseShow();
    if (IsWord("DESCRIBE") || IsWord("DESC")) {
      Advance();
      auto s = std::make_unique<ShowColumnsStatement>(StatementKind::kDescribe);
      s->table = ParseQualifiedName("a table name");
      return s;
    }
    if (IsWord("CREATE")) return ParseCreate();
    if (IsWord("DROP")) return ParseDrop();
    if (IsWord("INSERT")) return ParseInsert();
    if (IsWord("SET")) return ParseSet();
    if (IsWord("RESET")) {
      Advance();
      ExpectWord("SESSION");
      auto s = std::make_unique<ResetSessionStatement>();
      s->name = ParseQualifiedName("a session property name").Joined();
      return s;
    }
    if (IsWord("USE")) {
      Advance();
      auto s = std::make_unique<UseStatement>();
      QualifiedName name = ParseQualifiedName("a catalog name");
      if (name.parts.size() > 2) {
        throw Error(ErrorKind::kSyntax, "USE takes catalog or catalog.schema", name.position);
      }
      s->catalog = name.parts[0];
      if (name.parts.size() == 2) s->schema = name.parts[1];
      return s;
    }
    std::string expected =
        "expected a statement (SELECT, WITH, VALUES, EXPLAIN, SHOW, DESCRIBE, CREATE, DROP, "
        "INSERT, SET, USE)";
    if (t.type == TokenType::kWord) {
      for (const char* kw : {"SELECT", "WITH", "VALUES", "EXPLAIN", "SHOW", "DESCRIBE", "CREATE",
                             "DROP", "INSERT", "USE", "RESET"}) {
        if (EditDistanceAtMostOne(AsciiUpper(t.text), kw)) {
          expected = fmt::format("did you mean {}?", kw);
          break;
        }
      }
    }
    ErrorAt(t, expected);
  }

  StatementPtr ParseExplain() {
    ExpectWord("EXPLAIN");
    auto s = std::make_unique<ExplainStatement>();
    if (AcceptWord("ANALYZE")) s->analyze = true;
    if (AcceptWord("VERBOSE")) s->verbose = true;
    if (IsOp("(") && !IsWord("SELECT", 1) && !IsWord("WITH", 1) && !IsWord("VALUES", 1) &&
        !IsOp("(", 1)) {
      // EXPLAIN (TYPE LOGICAL, FORMAT TEXT): options are accepted and ignored.
      Advance();
      do {
        if (Peek().type != TokenType::kWord) ErrorAtCurrent("expected an EXPLAIN option");
        Advance();
        if (Peek().type != TokenType::kWord) ErrorAtCurrent("expected an EXPLAIN option value");
        Advance();
      } while (AcceptOp(","));
      ExpectOp(")");
    }
    if (IsWord("EXPLAIN")) ErrorAtCurrent("EXPLAIN cannot be nested");
    DepthGuard guard(*this);
    int start = Peek().position;
    s->statement = ParseOneStatement();
    s->statement->position = start;
    s->statement->text = SourceSince(start);
    return s;
  }

  std::optional<std::string> ParseOptionalLike() {
    if (!AcceptWord("LIKE")) return std::nullopt;
    std::string pattern = ParseStringLiteral("a LIKE pattern string");
    return pattern;
  }

  StatementPtr ParseShow() {
    ExpectWord("SHOW");
    if (AcceptWord("CATALOGS")) {
      auto s = std::make_unique<ShowCatalogsStatement>();
      s->like_pattern = ParseOptionalLike();
      return s;
    }
    if (AcceptWord("SCHEMAS")) {
      auto s = std::make_unique<ShowSchemasStatement>();
      if (AcceptWord("FROM") || AcceptWord("IN"))
        s->catalog = ParseIdentifier("a catalog name").first;
      s->like_pattern = ParseOptionalLike();
      return s;
    }
    if (AcceptWord("TABLES")) {
      auto s = std::make_unique<ShowTablesStatement>();
      if (AcceptWord("FROM") || AcceptWord("IN")) {
        s->schema = ParseQualifiedName("a schema name");
        if (s->schema.parts.size() > 2) {
          throw Error(ErrorKind::kSyntax, "SHOW TABLES FROM takes schema or catalog.schema",
                      s->schema.position);
        }
      }
      s->like_pattern = ParseOptionalLike();
      return s;
    }
    if (AcceptWord("COLUMNS")) {
      if (!AcceptWord("FROM") && !AcceptWord("IN")) ErrorAtCurrent("expected FROM or IN");
      auto s = std::make_unique<ShowColumnsStatement>(StatementKind::kShowColumns);
      s->table = ParseQualifiedName("a table name");
      return s;
    }
    if (AcceptWord("FUNCTIONS")) {
      auto s = std::make_unique<ShowFunctionsStatement>();
      s->like_pattern = ParseOptionalLike();
      return s;
    }
    if (AcceptWord("SESSION")) {
      auto s = std::make_unique<ShowSessionStatement>();
      s->like_pattern = ParseOptionalLike();
      return s;
    }
    ErrorAtCurrent("expected CATALOGS, SCHEMAS, TABLES, COLUMNS, FUNCTIONS or SESSION after SHOW");
  }

  // The exact source text from `start` to the end of the last consumed token.
  std::string SourceSince(int start) const {
    int end = tokens_[pos_ - 1].end;
    if (end < start) return "";
    return sql_.substr(start, end - start);
  }

  StatementPtr ParseCreate() {
    ExpectWord("CREATE");
    bool or_replace = false;
    if (AcceptWord("OR")) {
      ExpectWord("REPLACE");
      or_replace = true;
    }
    if (AcceptWord("VIEW")) {
      auto s = std::make_unique<CreateViewStatement>();
      s->or_replace = or_replace;
      s->name = ParseQualifiedName("a view name");
      ExpectWord("AS");
      int start = Peek().position;
      s->query = ParseQuery();
      s->sql = SourceSince(start);
      return s;
    }
    if (AcceptWord("TABLE")) {
      auto s = std::make_unique<CreateTableAsStatement>();
      s->or_replace = or_replace;
      if (AcceptWord("IF")) {
        ExpectWord("NOT");
        ExpectWord("EXISTS");
        s->if_not_exists = true;
      }
      s->name = ParseQualifiedName("a table name");
      if (IsOp("(")) {
        // Column names (CREATE TABLE t (a, b) AS ...) or definitions (not supported).
        if (IsIdentifier(1) && !IsOp(",", 2) && !IsOp(")", 2)) {
          throw Error(
              ErrorKind::kUnsupported,
              "CREATE TABLE with column definitions is not supported; use CREATE TABLE name AS "
              "query",
              Peek().position);
        }
        s->column_names = ParseIdentifierList();
      }
      if (AcceptWord("WITH")) ParseTableProperties(*s);
      if (!IsWord("AS")) {
        ErrorAtCurrent("expected AS (only CREATE TABLE name AS query is supported)");
      }
      Advance();
      int start = Peek().position;
      s->query = ParseQuery();
      s->sql = SourceSince(start);
      if (AcceptWord("WITH")) {
        if (AcceptWord("NO")) s->with_data = false;
        ExpectWord("DATA");
      }
      return s;
    }
    if (or_replace) ErrorAtCurrent("expected VIEW or TABLE after CREATE OR REPLACE");
    ErrorAtCurrent("expected VIEW or TABLE after CREATE");
  }

  StatementPtr ParseDrop() {
    ExpectWord("DROP");
    bool view = AcceptWord("VIEW");
    if (!view && !AcceptWord("TABLE")) ErrorAtCurrent("expected VIEW or TABLE after DROP");
    bool if_exists = false;
    if (AcceptWord("IF")) {
      ExpectWord("EXISTS");
      if_exists = true;
    }
    QualifiedName name = ParseQualifiedName(view ? "a view name" : "a table name");
    if (view) {
      auto s = std::make_unique<DropViewStatement>();
      s->name = std::move(name);
      s->if_exists = if_exists;
      return s;
    }
    auto s = std::make_unique<DropTableStatement>();
    s->name = std::move(name);
    s->if_exists = if_exists;
    return s;
  }

  StatementPtr ParseInsert() {
    ExpectWord("INSERT");
    ExpectWord("INTO");
    auto s = std::make_unique<InsertStatement>();
    s->table = ParseQualifiedName("a table name");
    if (IsOp("(") && !IsWord("SELECT", 1) && !IsWord("WITH", 1) && !IsWord("VALUES", 1) &&
        !IsOp("(", 1)) {
      s->columns = ParseIdentifierList();
    }
    if (!IsWord("SELECT") && !IsWord("WITH") && !IsWord("VALUES") && !IsOp("(") &&
        !IsWord("TABLE")) {
      ErrorAtCurrent("expected a query or VALUES");
    }
    s->query = ParseQuery();
    return s;
  }

  StatementPtr ParseSet() {
    ExpectWord("SET");
    AcceptWord("SESSION");
    auto s = std::make_unique<SetSessionStatement>();
    s->name = ParseQualifiedName("a session property name").Joined();
    if (!AcceptOp("=")) {
      if (!AcceptWord("TO")) ErrorAtCurrent("expected '='");
    }
    if (AtEnd() || IsOp(";")) ErrorAtCurrent("expected a value");
    int start = Peek().position;
    size_t first = pos_;
    // The value runs to the end of the statement.
    while (!AtEnd() && !IsOp(";")) Advance();
    size_t last = pos_;  // one past the last value token
    s->value = SourceSince(start);
    if (last - first == 1 && tokens_[first].type == TokenType::kString) {
      s->value = tokens_[first].text;
    } else if (last - first == 1 && tokens_[first].type == TokenType::kQuotedIdentifier) {
      s->value = tokens_[first].text;
    }
    // Also parse the value as an expression when it is one (1GB, say, is not).
    size_t saved = pos_;
    pos_ = first;
    try {
      auto expr = ParseExpr();
      if (pos_ == last) s->value_expr = std::move(expr);
    } catch (const Error&) {
    }
    pos_ = saved;
    return s;
  }

  // ----- queries ---------------------------------------------------------------------------------

  static bool HasModifiers(const QueryNode& node) {
    return !node.order_by.empty() || node.limit.has_value() || node.offset.has_value() ||
           !node.ctes.empty();
  }

  // Wraps a query as SELECT * FROM (query), to attach clauses it already has.
  static QueryNodePtr WrapQuery(QueryNodePtr inner) {
    auto select = std::make_unique<SelectNode>();
    select->position = inner->position;
    SelectItem item;
    auto star = std::make_unique<StarExpression>();
    star->position = inner->position;
    item.expr = std::move(star);
    item.position = inner->position;
    select->select_list.push_back(std::move(item));
    auto ref = std::make_unique<SubqueryRef>();
    ref->position = inner->position;
    ref->query = std::move(inner);
    select->from = std::move(ref);
    return select;
  }

  QueryNodePtr ParseQuery() {
    DepthGuard guard(*this, 2);
    int position = Peek().position;
    std::vector<CommonTableExpression> ctes;
    bool recursive = false;
    if (AcceptWord("WITH")) {
      if (AcceptWord("RECURSIVE")) recursive = true;
      do {
        CommonTableExpression cte;
        cte.position = Peek().position;
        cte.name = ParseIdentifier("a WITH query name").first;
        for (const auto& other : ctes) {
          if (other.name == cte.name) {
            throw Error(ErrorKind::kSyntax,
                        fmt::format("WITH query name \"{}\" specified more than once", cte.name),
                        cte.position);
          }
        }
        if (IsOp("(")) cte.column_names = ParseIdentifierList();
        ExpectWord("AS");
        ExpectOp("(");
        cte.query = ParseQuery();
        ExpectOp(")");
        ctes.push_back(std::move(cte));
      } while (AcceptOp(","));
    }
    QueryNodePtr body = ParseSetExpression();

    std::vector<OrderByItem> order_by;
    std::optional<int64_t> limit;
    std::optional<int64_t> offset;
    if (IsWord("ORDER")) {
      Advance();
      ExpectWord("BY");
      order_by = ParseOrderByList();
    }
    bool have_limit = false;
    for (int round = 0; round < 2; round++) {
      if (!offset && IsWord("OFFSET")) {
        Advance();
        offset = ParseNonNegativeInteger("an OFFSET row count");
        if (!AcceptWord("ROWS")) AcceptWord("ROW");
      }
      if (!have_limit && IsWord("LIMIT")) {
        Advance();
        have_limit = true;
        if (!AcceptWord("ALL")) limit = ParseNonNegativeInteger("a LIMIT row count");
      } else if (!have_limit && IsWord("FETCH")) {
        Advance();
        have_limit = true;
        if (!AcceptWord("FIRST") && !AcceptWord("NEXT")) ErrorAtCurrent("expected FIRST or NEXT");
        limit =
            Peek().type == TokenType::kInteger ? ParseNonNegativeInteger("a FETCH row count") : 1;
        if (!AcceptWord("ROWS") && !AcceptWord("ROW")) ErrorAtCurrent("expected ROWS");
        if (IsWord("WITH")) {
          throw Error(ErrorKind::kUnsupported, "FETCH ... WITH TIES is not supported",
                      Peek().position);
        }
        ExpectWord("ONLY");
      }
    }

    bool attach = !ctes.empty() || !order_by.empty() || limit || offset;
    if (!attach) {
      // A parenthesized query keeps its own WITH, ORDER BY, LIMIT and OFFSET.
      body->position = position;
      return body;
    }
    if (HasModifiers(*body)) body = WrapQuery(std::move(body));
    body->position = position;
    body->ctes = std::move(ctes);
    body->recursive = recursive;
    body->order_by = std::move(order_by);
    body->limit = limit;
    body->offset = offset;
    return body;
  }

  QueryNodePtr ParseSetExpression() {
    QueryNodePtr left = ParseIntersectExpression();
    int chain = 0;
    while (IsWord("UNION") || IsWord("EXCEPT")) {
      int position = Peek().position;
      auto node = std::make_unique<SetOperationNode>();
      node->op = IsWord("UNION") ? SetOperationType::kUnion : SetOperationType::kExcept;
      Advance();
      if (AcceptWord("ALL")) {
        node->all = true;
      } else {
        AcceptWord("DISTINCT");
      }
      depth_++;
      chain++;
      if (depth_ > kMaxParseDepth) {
        depth_ -= chain;
        throw Error(ErrorKind::kSyntax, "query has too many set operations", position);
      }
      QueryNodePtr right;
      try {
        right = ParseIntersectExpression();
      } catch (...) {
        depth_ -= chain;
        throw;
      }
      node->position = left->position;
      node->left = std::move(left);
      node->right = std::move(right);
      left = std::move(node);
    }
    depth_ -= chain;
    return left;
  }

  QueryNodePtr ParseIntersectExpression() {
    QueryNodePtr left = ParseQueryPrimary();
    int chain = 0;
    while (IsWord("INTERSECT")) {
      int position = Peek().position;
      Advance();
      auto node = std::make_unique<SetOperationNode>();
      node->op = SetOperationType::kIntersect;
      if (AcceptWord("ALL")) {
        node->all = true;
      } else {
        AcceptWord("DISTINCT");
      }
      depth_++;
      chain++;
      if (depth_ > kMaxParseDepth) {
        depth_ -= chain;
        throw Error(ErrorKind::kSyntax, "query has too many set operations", position);
      }
      QueryNodePtr right;
      try {
        right = ParseQueryPrimary();
      } catch (...) {
        depth_ -= chain;
        throw;
      }
      node->position = left->position;
      node->left = std::move(left);
      node->right = std::move(right);
      left = std::move(node);
    }
    depth_ -= chain;
    return left;
  }

  QueryNodePtr ParseQueryPrimary() {
    if (IsWord("SELECT")) return ParseSelect();
    if (IsWord("VALUES")) return ParseValues();
    if (IsWord("TABLE")) {
      // TABLE name = SELECT * FROM name
      int position = Advance().position;
      auto select = std::make_unique<SelectNode>();
      select->position = position;
      SelectItem item;
      auto star = std::make_unique<StarExpression>();
      star->position = position;
      item.expr = std::move(star);
      item.position = position;
      select->select_list.push_back(std::move(item));
      auto ref = std::make_unique<BaseTableRef>();
      ref->position = Peek().position;
      ref->name = ParseQualifiedName("a table name");
      select->from = std::move(ref);
      return select;
    }
    if (IsOp("(")) {
      Advance();
      DepthGuard guard(*this);
      auto query = ParseQuery();
      ExpectOp(")");
      return query;
    }
    ErrorAtCurrent("expected SELECT, VALUES or '('");
  }

  QueryNodePtr ParseValues() {
    auto node = std::make_unique<ValuesNode>();
    node->position = Advance().position;  // VALUES
    do {
      std::vector<ParsedExpressionPtr> row;
      if (IsOp("(")) {
        Advance();
        do {
          row.push_back(ParseExpr());
        } while (AcceptOp(","));
        ExpectOp(")");
      } else {
        row.push_back(ParseExpr());
      }
      if (!node->rows.empty() && node->rows[0].size() != row.size()) {
        throw Error(ErrorKind::kSyntax,
                    fmt::format("VALUES rows have different numbers of values ({} and {})",
                                node->rows[0].size(), row.size()),
                    row.empty() ? node->position : row[0]->position);
      }
      node->rows.push_back(std::move(row));
    } while (AcceptOp(","));
    return node;
  }

  // Whether the tokens at the cursor are `*` or `name(.name)*.*`.
  bool AtStar() const {
    if (IsOp("*")) return true;
    size_t i = 0;
    while (true) {
      const Token& t = Peek(i);
      if (t.type != TokenType::kWord && t.type != TokenType::kQuotedIdentifier) return false;
      if (!IsOp(".", i + 1)) return false;
      if (IsOp("*", i + 2)) return true;
      i += 2;
      if (i > 8) return false;
    }
  }

  QueryNodePtr ParseSelect() {
    auto node = std::make_unique<SelectNode>();
    node->position = Advance().position;  // SELECT
    if (AcceptWord("DISTINCT")) {
      node->distinct = true;
    } else {
      AcceptWord("ALL");
    }
    do {
      SelectItem item;
      item.position = Peek().position;
      if (AtStar()) {
        auto star = std::make_unique<StarExpression>();
        star->position = Peek().position;
        if (!IsOp("*")) {
          star->qualifier = ParseQualifiedName();
          ExpectOp(".");
        }
        ExpectOp("*");
        item.expr = std::move(star);
      } else {
        if (IsWord("FROM") || AtEnd()) ErrorAtCurrent("expected a select item");
        item.expr = ParseExpr();
        ParseOptionalAlias(item.alias, item.alias_quoted);
      }
      node->select_list.push_back(std::move(item));
    } while (AcceptOp(","));

    if (AcceptWord("FROM")) node->from = ParseFromList();
    if (AcceptWord("WHERE")) node->where = ParseExpr();
    if (IsWord("GROUP")) {
      Advance();
      ExpectWord("BY");
      if (AcceptWord("DISTINCT")) {
        node->group_by_distinct = true;
      } else {
        AcceptWord("ALL");
      }
      ParseGroupBy(*node);
    }
    if (AcceptWord("HAVING")) node->having = ParseExpr();
    if (AcceptWord("WINDOW")) ParseWindowClause(*node);
    return node;
  }

  // ----- GROUP BY grouping elements, the WINDOW clause ------------------------------------------

  // One grouping set: `()`, `(a, b, ...)` or an expression. A parenthesized list is a set only
  // when what follows cannot continue an expression (`(a + b) * 2` is one expression).
  std::vector<ParsedExpressionPtr> ParseGroupingSet() {
    std::vector<ParsedExpressionPtr> items;
    if (IsOp("(") && IsOp(")", 1)) {
      Advance();
      Advance();
      return items;
    }
    if (IsOp("(") && !IsWord("SELECT", 1) && !IsWord("WITH", 1) && !IsWord("VALUES", 1)) {
      size_t saved = pos_;
      try {
        Advance();
        do {
          items.push_back(ParseExpr());
        } while (AcceptOp(","));
        ExpectOp(")");
        static const char* const kContinuations[] = {"AND", "OR",   "IS", "NOT",     "BETWEEN",
                                                     "IN",  "LIKE", "AT", "COLLATE", "ILIKE"};
        bool continues =
            !(IsOp(",") || IsOp(")") || IsOp(";") || AtEnd() || Peek().type == TokenType::kWord);
        if (items.size() == 1 && !continues) {
          for (const char* w : kContinuations) continues = continues || IsWord(w);
        }
        if (!continues || items.size() > 1) return items;
      } catch (const Error&) {
      }
      items.clear();
      pos_ = saved;
    }
    items.push_back(ParseExpr());
    return items;
  }

  // GROUP BY elements: expressions, (), (a, b), ROLLUP (...), CUBE (...), GROUPING SETS (...).
  // Plain elements only: SelectNode::group_by lists them as written. Otherwise group_by holds
  // each distinct expression once and grouping_elements refer to it.
  void ParseGroupBy(SelectNode& node) {
    struct RawElement {
      GroupingElementKind kind;
      std::vector<std::vector<ParsedExpressionPtr>> lists;
      int position;
    };
    std::vector<RawElement> raw;
    bool complex = false;
    do {
      RawElement el{GroupingElementKind::kPlain, {}, Peek().position};
      bool rollup = IsWord("ROLLUP") && IsOp("(", 1);
      bool cube = IsWord("CUBE") && IsOp("(", 1);
      bool sets = IsWord("GROUPING") && IsWord("SETS", 1);
      if (rollup || cube || sets) {
        complex = true;
        el.kind = rollup ? GroupingElementKind::kRollup
                  : cube ? GroupingElementKind::kCube
                         : GroupingElementKind::kGroupingSets;
        Advance();
        if (sets) Advance();
        ExpectOp("(");
        if (!(IsOp(")") && !sets)) {
          do {
            el.lists.push_back(ParseGroupingSet());
          } while (AcceptOp(","));
        }
        ExpectOp(")");
      } else {
        el.lists.push_back(ParseGroupingSet());
      }
      raw.push_back(std::move(el));
    } while (AcceptOp(","));
    if (!complex) {
      for (auto& el : raw) {
        for (auto& e : el.lists[0]) node.group_by.push_back(std::move(e));
      }
      return;
    }
    std::vector<std::string> texts;
    for (auto& el : raw) {
      GroupingElement out;
      out.kind = el.kind;
      out.position = el.position;
      for (auto& list : el.lists) {
        std::vector<size_t> indices;
        for (auto& e : list) {
          std::string text = e->ToString();
          size_t k = 0;
          while (k < texts.size() && texts[k] != text) k++;
          if (k == texts.size()) {
            texts.push_back(text);
            node.group_by.push_back(std::move(e));
          }
          indices.push_back(k);
        }
        out.lists.push_back(std::move(indices));
      }
      node.grouping_elements.push_back(std::move(out));
    }
  }

  // WINDOW w AS (...), w2 AS (w ...)
  void ParseWindowClause(SelectNode& node) {
    do {
      NamedWindow w;
      w.position = Peek().position;
      w.name = ParseIdentifier("a window name").first;
      for (const auto& other : node.windows) {
        if (other.name == w.name) {
          throw Error(ErrorKind::kSyntax,
                      fmt::format("window '{}' is defined more than once", w.name), w.position);
        }
      }
      ExpectWord("AS");
      w.definition = ParseWindow();
      node.windows.push_back(std::move(w));
    } while (AcceptOp(","));
  }

  // ----- FROM clause ---------------------------------------------------------------------------

  TableRefPtr ParseFromList() {
    TableRefPtr left = ParseRelation();
    int chain = 0;
    while (IsOp(",")) {
      int position = Advance().position;
      chain++;
      depth_++;
      if (depth_ > kMaxParseDepth) {
        depth_ -= chain;
        throw Error(ErrorKind::kSyntax, "FROM clause has too many tables", position);
      }
      auto join = std::make_unique<JoinRef>();
      join->type = AstJoinType::kCross;
      join->implicit = true;
      join->position = left->position;
      join->left = std::move(left);
      try {
        join->right = ParseRelation();
      } catch (...) {
        depth_ -= chain;
        throw;
      }
      left = std::move(join);
    }
    depth_ -= chain;
    return left;
  }

  // A relation: a primary relation followed by joins.
  TableRefPtr ParseRelation() {
    TableRefPtr left = ParseRelationPrimary();
    int chain = 0;
    try {
      while (true) {
        AstJoinType type = AstJoinType::kInner;
        bool natural = false;
        int position = Peek().position;
        if (IsWord("CROSS")) {
          Advance();
          ExpectWord("JOIN");
          type = AstJoinType::kCross;
        } else {
          size_t save = pos_;
          if (AcceptWord("NATURAL")) natural = true;
          if (AcceptWord("INNER")) {
            type = AstJoinType::kInner;
          } else if (AcceptWord("LEFT")) {
            type = AstJoinType::kLeft;
            AcceptWord("OUTER");
          } else if (AcceptWord("RIGHT")) {
            type = AstJoinType::kRight;
            AcceptWord("OUTER");
          } else if (AcceptWord("FULL")) {
            type = AstJoinType::kFull;
            AcceptWord("OUTER");
          }
          if (!IsWord("JOIN")) {
            if (pos_ != save) ErrorAtCurrent("expected JOIN");
            break;
          }
          Advance();
        }
        chain++;
        depth_++;
        if (depth_ > kMaxParseDepth) {
          throw Error(ErrorKind::kSyntax, "FROM clause has too many joins", position);
        }
        auto join = std::make_unique<JoinRef>();
        join->type = type;
        join->natural = natural;
        join->position = left->position;
        join->left = std::move(left);
        join->right = ParseRelationPrimary();
        if (type != AstJoinType::kCross && !natural) {
          if (AcceptWord("ON")) {
            join->condition = ParseExpr();
          } else if (AcceptWord("USING")) {
            join->using_columns = ParseIdentifierList();
          } else {
            ErrorAtCurrent("expected ON or USING after the joined table");
          }
        }
        left = std::move(join);
      }
    } catch (...) {
      depth_ -= chain;
      throw;
    }
    depth_ -= chain;
    return left;
  }

  // Whether '(' at the cursor opens a query (rather than a parenthesized relation).
  bool ParenOpensQuery() const {
    size_t i = 0;
    while (IsOp("(", i)) i++;
    if (!(IsWord("SELECT", i) || IsWord("WITH", i) || IsWord("VALUES", i) || IsWord("TABLE", i)))
      return false;
    if (i <= 1) return true;
    // "((SELECT ..) X": a query when X continues a query (')' or a set operation or ORDER/LIMIT);
    // otherwise the outer '(' groups a relation or expression that starts with a subquery:
    // ((SELECT 1) AS a JOIN b ON ..), ((SELECT 1) + 1).
    size_t j = pos_ + 1;
    int depth = 0;
    for (; j < tokens_.size(); j++) {
      const Token& t = tokens_[j];
      if (t.type == TokenType::kEnd) return true;
      if (t.type != TokenType::kOperator) continue;
      if (t.text == "(") {
        depth++;
      } else if (t.text == ")") {
        if (--depth == 0) break;
      }
    }
    size_t after = j + 1 - pos_;
    return IsOp(")", after) || IsWord("UNION", after) || IsWord("INTERSECT", after) ||
           IsWord("EXCEPT", after) || IsWord("ORDER", after) || IsWord("LIMIT", after) ||
           IsWord("OFFSET", after) || IsWord("FETCH", after);
  }

  void ParseTableAlias(TableRef& ref) {
    if (ParseOptionalAlias(ref.alias, ref.alias_quoted)) {
      if (IsOp("(")) ref.column_aliases = ParseIdentifierList();
    }
  }

  TableRefPtr ParseRelationPrimary() {
    DepthGuard guard(*this);
    int position = Peek().position;
    if (IsOp("(")) {
      if (ParenOpensQuery()) {
        auto ref = std::make_unique<SubqueryRef>();
        ref->position = position;
        Advance();
        ref->query = ParseQuery();
        ExpectOp(")");
        ParseTableAlias(*ref);
        return ref;
      }
      Advance();
      TableRefPtr inner = ParseFromList();
      ExpectOp(")");
      if (inner->alias.empty()) {
        ParseTableAlias(*inner);
      } else if (IsWord("AS") || IsIdentifier()) {
        ErrorAtCurrent("a parenthesized relation that has an alias cannot take another");
      }
      return inner;
    }
    if (IsWord("VALUES")) {
      auto ref = std::make_unique<SubqueryRef>();
      ref->position = position;
      ref->query = ParseValues();
      ParseTableAlias(*ref);
      return ref;
    }
    if (IsWord("LATERAL") && IsOp("(", 1)) {  // LATERAL (query) [AS] t[(a, b)]
      Advance();
      if (!ParenOpensQuery()) ErrorAtCurrent("expected a subquery after LATERAL");
      auto ref = std::make_unique<SubqueryRef>();
      ref->position = position;
      ref->lateral = true;
      Advance();
      ref->query = ParseQuery();
      ExpectOp(")");
      ParseTableAlias(*ref);
      return ref;
    }
    if (IsWord("UNNEST")) {  // UNNEST(array, ...) [WITH ORDINALITY] [AS t(a, ...)]
      Advance();
      auto ref = ParseTableFunction(MakeName("unnest", position));
      ref->position = position;
      ParseTableAlias(*ref);
      return ref;
    }
    if (IsWord("TABLE") && IsOp("(", 1)) {
      // TABLE(function(args))
      Advance();
      Advance();
      auto ref = ParseTableFunction(ParseQualifiedName("a table function name"));
      ExpectOp(")");
      ref->position = position;
      ParseTableAlias(*ref);
      return ref;
    }
    QualifiedName name = ParseQualifiedName("a table name");
    if (IsOp("(")) {
      auto ref = ParseTableFunction(std::move(name));
      ref->position = position;
      ParseTableAlias(*ref);
      return ref;
    }
    auto ref = std::make_unique<BaseTableRef>();
    ref->position = position;
    ref->name = std::move(name);
    if (IsWord("FOR") && (IsWord("VERSION", 1) || IsWord("TIMESTAMP", 1) ||
                          IsWord("SYSTEM_TIME", 1) || IsWord("SYSTEM_VERSION", 1))) {
      Advance();
      bool version = IsWord("VERSION") || IsWord("SYSTEM_VERSION");
      Advance();
      ExpectWord("AS");
      ExpectWord("OF");
      ref->version_kind = version ? TableVersionKind::kVersion : TableVersionKind::kTimestamp;
      ref->version = ParseAdditive();
    }
    ParseTableAlias(*ref);
    return ref;
  }

  std::unique_ptr<TableFunctionRef> ParseTableFunction(QualifiedName name) {
    auto ref = std::make_unique<TableFunctionRef>();
    ref->name = std::move(name);
    ExpectOp("(");
    if (!IsOp(")")) {
      do {
        TableFunctionArgument arg;
        if ((Peek().type == TokenType::kWord || Peek().type == TokenType::kQuotedIdentifier) &&
            IsOp("=>", 1)) {
          arg.name = Peek().type == TokenType::kWord ? AsciiLower(Peek().text) : Peek().text;
          Advance();
          Advance();
          for (const auto& other : ref->args) {
            if (other.name == arg.name) {
              ErrorAt(tokens_[pos_ - 2], fmt::format("argument \"{}\" is given twice", arg.name));
            }
          }
        } else if (!ref->args.empty() && !ref->args.back().name.empty()) {
          ErrorAtCurrent("positional arguments must come before named arguments (name => value)");
        }
        arg.value = ParseExpr();
        ref->args.push_back(std::move(arg));
      } while (AcceptOp(","));
    }
    ExpectOp(")");
    if (IsWord("WITH") && IsWord("ORDINALITY", 1)) {
      Advance();
      Advance();
      ref->with_ordinality = true;
    }
    return ref;
  }

  // ----- ORDER BY, windows -------------------------------------------------------------------

  std::vector<OrderByItem> ParseOrderByList() {
    std::vector<OrderByItem> items;
    do {
      OrderByItem item;
      item.position = Peek().position;
      item.expr = ParseExpr();
      if (AcceptWord("ASC")) {
        item.ascending = true;
      } else if (AcceptWord("DESC")) {
        item.ascending = false;
      }
      if (AcceptWord("NULLS")) {
        if (AcceptWord("FIRST")) {
          item.nulls_first = true;
        } else if (AcceptWord("LAST")) {
          item.nulls_first = false;
        } else {
          ErrorAtCurrent("expected FIRST or LAST after NULLS");
        }
      }
      items.push_back(std::move(item));
    } while (AcceptOp(","));
    return items;
  }

  WindowFrameBound ParseFrameBound() {
    WindowFrameBound bound;
    if (AcceptWord("UNBOUNDED")) {
      if (AcceptWord("PRECEDING")) {
        bound.kind = WindowFrameBoundKind::kUnboundedPreceding;
      } else if (AcceptWord("FOLLOWING")) {
        bound.kind = WindowFrameBoundKind::kUnboundedFollowing;
      } else {
        ErrorAtCurrent("expected PRECEDING or FOLLOWING");
      }
      return bound;
    }
    if (AcceptWord("CURRENT")) {
      ExpectWord("ROW");
      bound.kind = WindowFrameBoundKind::kCurrentRow;
      return bound;
    }
    bound.offset = ParseAdditive();
    if (AcceptWord("PRECEDING")) {
      bound.kind = WindowFrameBoundKind::kPreceding;
    } else if (AcceptWord("FOLLOWING")) {
      bound.kind = WindowFrameBoundKind::kFollowing;
    } else {
      ErrorAtCurrent("expected PRECEDING or FOLLOWING");
    }
    return bound;
  }

  std::unique_ptr<WindowDefinition> ParseWindow() {
    auto window = std::make_unique<WindowDefinition>();
    window->position = Peek().position;
    ExpectOp("(");
    // OVER (w ...): a named window refined.
    if (IsIdentifier() && !IsWord("PARTITION") && !IsWord("ORDER") && !IsWord("ROWS") &&
        !IsWord("RANGE") && !IsWord("GROUPS")) {
      window->existing_name = ParseIdentifier("a window name").first;
    }
    if (IsWord("PARTITION")) {
      Advance();
      ExpectWord("BY");
      do {
        window->partition_by.push_back(ParseExpr());
      } while (AcceptOp(","));
    }
    if (IsWord("ORDER")) {
      Advance();
      ExpectWord("BY");
      window->order_by = ParseOrderByList();
    }
    if (IsWord("ROWS") || IsWord("RANGE") || IsWord("GROUPS")) {
      auto frame = std::make_unique<WindowFrame>();
      frame->type = IsWord("ROWS")    ? WindowFrameType::kRows
                    : IsWord("RANGE") ? WindowFrameType::kRange
                                      : WindowFrameType::kGroups;
      Advance();
      int position = Peek().position;
      if (AcceptWord("BETWEEN")) {
        frame->start = ParseFrameBound();
        ExpectWord("AND");
        frame->end = ParseFrameBound();
      } else {
        frame->start = ParseFrameBound();
        frame->end.kind = WindowFrameBoundKind::kCurrentRow;
      }
      if (frame->start.kind == WindowFrameBoundKind::kUnboundedFollowing) {
        throw Error(ErrorKind::kSyntax, "a window frame cannot start with UNBOUNDED FOLLOWING",
                    position);
      }
      if (frame->end.kind == WindowFrameBoundKind::kUnboundedPreceding) {
        throw Error(ErrorKind::kSyntax, "a window frame cannot end with UNBOUNDED PRECEDING",
                    position);
      }
      window->frame = std::move(frame);
    }
    ExpectOp(")");
    return window;
  }

  // ----- expressions ---------------------------------------------------------------------------

  ParsedExpressionPtr ParseExpr() {
    DepthGuard guard(*this);
    return ParseOr();
  }

  template <class Next>
  ParsedExpressionPtr ParseBinaryChain(Next next, const char* word, BinaryOp op) {
    ParsedExpressionPtr left = (this->*next)();
    int chain = 0;
    try {
      while (IsWord(word)) {
        int position = Advance().position;
        chain++;
        depth_++;
        if (depth_ > kMaxParseDepth) {
          throw Error(
              ErrorKind::kSyntax,
              fmt::format("expression is nested too deeply (more than {} levels)", kMaxParseDepth),
              position);
        }
        auto node = std::make_unique<BinaryExpression>();
        node->op = op;
        node->position = left->position;
        node->left = std::move(left);
        node->right = (this->*next)();
        left = std::move(node);
      }
    } catch (...) {
      depth_ -= chain;
      throw;
    }
    depth_ -= chain;
    return left;
  }

  ParsedExpressionPtr ParseOr() { return ParseBinaryChain(&Parser::ParseAnd, "OR", BinaryOp::kOr); }
  ParsedExpressionPtr ParseAnd() {
    return ParseBinaryChain(&Parser::ParseNot, "AND", BinaryOp::kAnd);
  }

  ParsedExpressionPtr ParseNot() {
    if (IsWord("NOT")) {
      int position = Advance().position;
      DepthGuard guard(*this);
      auto child = ParseNot();
      if (child->kind == ExpressionKind::kExists && !child->As<ExistsExpression>().negated) {
        child->As<ExistsExpression>().negated = true;
        child->position = position;
        return child;
      }
      auto node = std::make_unique<UnaryExpression>();
      node->op = UnaryOp::kNot;
      node->position = position;
      node->child = std::move(child);
      return node;
    }
    return ParsePredicate();
  }

  std::optional<BinaryOp> PeekComparison() const {
    const Token& t = Peek();
    if (t.type != TokenType::kOperator) return std::nullopt;
    if (t.text == "=") return BinaryOp::kEqual;
    if (t.text == "<>" || t.text == "!=") return BinaryOp::kNotEqual;
    if (t.text == "<") return BinaryOp::kLess;
    if (t.text == "<=") return BinaryOp::kLessEqual;
    if (t.text == ">") return BinaryOp::kGreater;
    if (t.text == ">=") return BinaryOp::kGreaterEqual;
    return std::nullopt;
  }

  // ----- quantified comparisons ----------------------------------------------------------------
  //
  // x op ANY|SOME|ALL (subquery) is rewritten into constructs the binder already knows:
  //   x = ANY (q)   =>  x IN (q)          x <> ALL (q)  =>  x NOT IN (q)
  // and otherwise into a CASE over uncorrelated aggregates of the subquery's single column, with
  // SQL's three-valued semantics (an empty subquery makes ALL true and ANY false; NULLs among
  // the values make an otherwise undecided result NULL). For x > ALL (q):
  //   CASE WHEN (SELECT count(*) ..) = 0 THEN TRUE WHEN x IS NULL THEN NULL
  //        WHEN NOT (x > (SELECT max(c) ..)) THEN FALSE
  //        WHEN (SELECT count(*) ..) > (SELECT count(c) ..) THEN NULL ELSE TRUE END

  static ParsedExpressionPtr MakeBool(bool v, int position) {
    auto lit = std::make_unique<LiteralExpression>();
    lit->position = position;
    lit->literal_kind = LiteralKind::kBoolean;
    lit->bool_value = v;
    return lit;
  }

  static ParsedExpressionPtr MakeNull(int position) {
    auto lit = std::make_unique<LiteralExpression>();
    lit->position = position;
    lit->literal_kind = LiteralKind::kNull;
    return lit;
  }

  static ParsedExpressionPtr MakeBinary(BinaryOp op, ParsedExpressionPtr l, ParsedExpressionPtr r,
                                        int position) {
    auto node = std::make_unique<BinaryExpression>();
    node->position = position;
    node->op = op;
    node->left = std::move(l);
    node->right = std::move(r);
    return node;
  }

  // (SELECT fn(c) FROM (query) AS "$quantified"("$value")), fn "" for count(*).
  static ParsedExpressionPtr MakeAggregateOf(const QueryNode& query, const std::string& fn,
                                             int position) {
    auto select = std::make_unique<SelectNode>();
    select->position = position;
    auto call = std::make_unique<FunctionCallExpression>();
    call->position = position;
    call->name = MakeName(fn.empty() ? "count" : fn, position);
    if (fn.empty()) {
      call->is_star = true;
    } else {
      auto col = std::make_unique<ColumnRefExpression>();
      col->position = position;
      col->name.parts = {"$quantified", "$value"};
      col->name.quoted = {true, true};
      col->name.position = position;
      call->args.push_back(std::move(col));
    }
    SelectItem item;
    item.expr = std::move(call);
    item.position = position;
    select->select_list.push_back(std::move(item));
    auto ref = std::make_unique<SubqueryRef>();
    ref->position = position;
    ref->query = query.Copy();
    ref->alias = "$quantified";
    ref->alias_quoted = true;
    ref->column_aliases = {"$value"};
    select->from = std::move(ref);
    auto sub = std::make_unique<SubqueryExpression>();
    sub->position = position;
    sub->query = std::move(select);
    return sub;
  }

  ParsedExpressionPtr BuildQuantifiedComparison(ParsedExpressionPtr left, BinaryOp op, bool all,
                                                QueryNodePtr query, int position) {
    const int pos = left->position;
    if ((op == BinaryOp::kEqual && !all) || (op == BinaryOp::kNotEqual && all)) {
      auto in = std::make_unique<InSubqueryExpression>();
      in->position = pos;
      in->negated = all;
      in->value = std::move(left);
      in->query = std::move(query);
      return in;
    }
    // The condition that decides the result (TRUE for ANY, FALSE for ALL) when the values are
    // known.
    ParsedExpressionPtr decisive;
    if (op == BinaryOp::kEqual || op == BinaryOp::kNotEqual) {
      // = ALL is false, <> ANY is true, when some value differs from x: x <> min OR x <> max.
      decisive = MakeBinary(BinaryOp::kOr,
                            MakeBinary(BinaryOp::kNotEqual, left->Copy(),
                                       MakeAggregateOf(*query, "min", position), pos),
                            MakeBinary(BinaryOp::kNotEqual, left->Copy(),
                                       MakeAggregateOf(*query, "max", position), pos),
                            pos);
    } else {
      bool greater = op == BinaryOp::kGreater || op == BinaryOp::kGreaterEqual;
      // ALL compares with the extreme on the far side (x > ALL: max), ANY with the near side (min).
      const char* extreme = (greater == all) ? "max" : "min";
      decisive = MakeBinary(op, left->Copy(), MakeAggregateOf(*query, extreme, position), pos);
      if (all) {
        auto negate = std::make_unique<UnaryExpression>();
        negate->position = pos;
        negate->op = UnaryOp::kNot;
        negate->child = std::move(decisive);
        decisive = std::move(negate);
      }
    }
    auto node = std::make_unique<CaseExpression>();
    node->position = pos;
    auto add = [&](ParsedExpressionPtr when, ParsedExpressionPtr then) {
      node->whens.push_back(CaseWhen{std::move(when), std::move(then)});
    };
    auto zero = std::make_unique<LiteralExpression>();
    zero->position = position;
    zero->literal_kind = LiteralKind::kInteger;
    zero->text = "0";
    add(MakeBinary(BinaryOp::kEqual, MakeAggregateOf(*query, "", position), std::move(zero), pos),
        MakeBool(all, position));
    auto is_null = std::make_unique<IsNullExpression>();
    is_null->position = pos;
    is_null->child = left->Copy();
    add(std::move(is_null), MakeNull(position));
    add(std::move(decisive), MakeBool(!all, position));
    add(MakeBinary(BinaryOp::kGreater, MakeAggregateOf(*query, "", position),
                   MakeAggregateOf(*query, "count", position), pos),
        MakeNull(position));
    node->else_expr = MakeBool(all, position);
    return node;
  }

  ParsedExpressionPtr ParsePredicate() {
    ParsedExpressionPtr left = ParseConcat();
    int chain = 0;
    auto bump = [&](int position) {
      chain++;
      depth_++;
      if (depth_ > kMaxParseDepth) {
        throw Error(
            ErrorKind::kSyntax,
            fmt::format("expression is nested too deeply (more than {} levels)", kMaxParseDepth),
            position);
      }
    };
    try {
      while (true) {
        int position = Peek().position;
        if (auto op = PeekComparison()) {
          Advance();
          bump(position);
          if ((IsWord("ANY") || IsWord("SOME") || IsWord("ALL")) && IsOp("(", 1)) {
            bool all = IsWord("ALL");
            int quantifier_position = Advance().position;
            if (!ParenOpensQuery()) ErrorAtCurrent("expected a subquery after ANY, SOME or ALL");
            Advance();
            auto query = ParseQuery();
            ExpectOp(")");
            left = BuildQuantifiedComparison(std::move(left), *op, all, std::move(query),
                                             quantifier_position);
            continue;
          }
          auto node = std::make_unique<BinaryExpression>();
          node->op = *op;
          node->position = left->position;
          node->left = std::move(left);
          node->right = ParseConcat();
          left = std::move(node);
          continue;
        }
        if (IsWord("IS")) {
          Advance();
          bump(position);
          bool negated = AcceptWord("NOT");
          if (AcceptWord("NULL")) {
            auto node = std::make_unique<IsNullExpression>();
            node->position = left->position;
            node->negated = negated;
            node->child = std::move(left);
            left = std::move(node);
          } else if (AcceptWord("DISTINCT")) {
            ExpectWord("FROM");
            auto node = std::make_unique<BinaryExpression>();
            node->op = negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom;
            node->position = left->position;
            node->left = std::move(left);
            node->right = ParseConcat();
            left = std::move(node);
          } else if (IsWord("TRUE") || IsWord("FALSE")) {
            // x IS [NOT] TRUE  =>  x IS [NOT] DISTINCT FROM ... is not Trino's meaning for NULL;
            // Trino does not have IS TRUE either.
            ErrorAtCurrent("expected NULL or DISTINCT FROM after IS");
          } else {
            ErrorAtCurrent("expected NULL or DISTINCT FROM after IS");
          }
          continue;
        }
        bool negated = false;
        size_t save = pos_;
        if (IsWord("NOT") &&
            (IsWord("BETWEEN", 1) || IsWord("IN", 1) || IsWord("LIKE", 1) || IsWord("ILIKE", 1))) {
          Advance();
          negated = true;
        }
        if (AcceptWord("BETWEEN")) {
          bump(position);
          auto node = std::make_unique<BetweenExpression>();
          node->position = left->position;
          node->negated = negated;
          node->value = std::move(left);
          node->low = ParseConcat();
          ExpectWord("AND");
          node->high = ParseConcat();
          left = std::move(node);
          continue;
        }
        if (AcceptWord("IN")) {
          bump(position);
          if (!IsOp("(")) ErrorAtCurrent("expected '(' after IN");
          if (ParenOpensQuery()) {
            Advance();
            auto node = std::make_unique<InSubqueryExpression>();
            node->position = left->position;
            node->negated = negated;
            node->value = std::move(left);
            node->query = ParseQuery();
            ExpectOp(")");
            left = std::move(node);
          } else {
            Advance();
            auto node = std::make_unique<InListExpression>();
            node->position = left->position;
            node->negated = negated;
            node->value = std::move(left);
            do {
              node->list.push_back(ParseExpr());
            } while (AcceptOp(","));
            ExpectOp(")");
            left = std::move(node);
          }
          continue;
        }
        if (IsWord("LIKE") || IsWord("ILIKE")) {
          bool ilike = IsWord("ILIKE");
          Advance();
          bump(position);
          auto node = std::make_unique<LikeExpression>();
          node->position = left->position;
          node->negated = negated;
          node->case_insensitive = ilike;
          node->value = std::move(left);
          node->pattern = ParseConcat();
          if (AcceptWord("ESCAPE")) node->escape = ParseConcat();
          left = std::move(node);
          continue;
        }
        pos_ = save;
        break;
      }
    } catch (...) {
      depth_ -= chain;
      throw;
    }
    depth_ -= chain;
    return left;
  }

  template <class Next, class Match>
  ParsedExpressionPtr ParseOperatorChain(Next next, Match match) {
    ParsedExpressionPtr left = (this->*next)();
    int chain = 0;
    try {
      while (auto op = match()) {
        int position = Advance().position;
        chain++;
        depth_++;
        if (depth_ > kMaxParseDepth) {
          throw Error(
              ErrorKind::kSyntax,
              fmt::format("expression is nested too deeply (more than {} levels)", kMaxParseDepth),
              position);
        }
        auto node = std::make_unique<BinaryExpression>();
        node->op = *op;
        node->position = left->position;
        node->left = std::move(left);
        node->right = (this->*next)();
        left = std::move(node);
      }
    } catch (...) {
      depth_ -= chain;
      throw;
    }
    depth_ -= chain;
    return left;
  }

  ParsedExpressionPtr ParseConcat() {
    return ParseOperatorChain(&Parser::ParseAdditive, [this]() -> std::optional<BinaryOp> {
      if (IsOp("||")) return BinaryOp::kConcat;
      return std::nullopt;
    });
  }

  ParsedExpressionPtr ParseAdditive() {
    return ParseOperatorChain(&Parser::ParseMultiplicative, [this]() -> std::optional<BinaryOp> {
      if (IsOp("+")) return BinaryOp::kAdd;
      if (IsOp("-")) return BinaryOp::kSubtract;
      return std::nullopt;
    });
  }

  ParsedExpressionPtr ParseMultiplicative() {
    return ParseOperatorChain(&Parser::ParseUnary, [this]() -> std::optional<BinaryOp> {
      if (IsOp("*")) return BinaryOp::kMultiply;
      if (IsOp("/")) return BinaryOp::kDivide;
      if (IsOp("%")) return BinaryOp::kModulo;
      return std::nullopt;
    });
  }

  ParsedExpressionPtr ParseUnary() {
    if (IsOp("-") || IsOp("+")) {
      bool negate = IsOp("-");
      int position = Advance().position;
      DepthGuard guard(*this);
      auto child = ParseUnary();
      // Fold a sign into a numeric literal: -5 is the literal -5 (so that -9223372036854775808
      // fits).
      if (negate && child->kind == ExpressionKind::kLiteral) {
        auto& lit = child->As<LiteralExpression>();
        bool numeric = lit.literal_kind == LiteralKind::kInteger ||
                       lit.literal_kind == LiteralKind::kDecimal ||
                       lit.literal_kind == LiteralKind::kDouble;
        if (numeric && !lit.text.empty() && lit.text[0] != '-') {
          lit.text = "-" + lit.text;
          lit.position = position;
          bool all_digits = lit.text.find_first_not_of("0123456789", 1) == std::string::npos;
          if (lit.literal_kind == LiteralKind::kInteger ||
              (lit.literal_kind == LiteralKind::kDecimal && all_digits)) {
            SetIntegerLiteral(lit);
          } else if (lit.literal_kind == LiteralKind::kDouble) {
            lit.double_value = -lit.double_value;
          }
          return child;
        }
      }
      auto node = std::make_unique<UnaryExpression>();
      node->op = negate ? UnaryOp::kNegate : UnaryOp::kPlus;
      node->position = position;
      node->child = std::move(child);
      return node;
    }
    return ParsePostfix();
  }

  ParsedExpressionPtr ParsePostfix() {
    ParsedExpressionPtr expr = ParsePrimary();
    int chain = 0;
    try {
      while (true) {
        if (IsOp("::")) {
          int position = Advance().position;
          chain++;
          depth_++;
          if (depth_ > kMaxParseDepth) {
            throw Error(ErrorKind::kSyntax, "expression is nested too deeply", position);
          }
          auto cast = std::make_unique<CastExpression>();
          cast->position = expr->position;
          cast->child = std::move(expr);
          cast->type_name = ParseTypeNameText();
          expr = std::move(cast);
          continue;
        }
        if (IsOp("[")) {  // a[i], m[key]
          int position = Advance().position;
          chain++;
          depth_++;
          if (depth_ > kMaxParseDepth) {
            throw Error(ErrorKind::kSyntax, "expression is nested too deeply", position);
          }
          auto call = std::make_unique<FunctionCallExpression>();
          call->position = position;
          call->name = MakeName("subscript", position);
          call->args.push_back(std::move(expr));
          call->args.push_back(ParseExpr());
          ExpectOp("]");
          expr = std::move(call);
          continue;
        }
        if (IsOp(".") && IsIdentifier(1) && expr->kind != ExpressionKind::kColumnRef) {
          // (expr).field, CAST(...).field, a[1].field: a ROW field of any expression, as the
          // call "$dereference"(expr, field) (a dotted name is a column reference already).
          int position = Advance().position;
          chain++;
          depth_++;
          if (depth_ > kMaxParseDepth) {
            throw Error(ErrorKind::kSyntax, "expression is nested too deeply", position);
          }
          auto field = std::make_unique<ColumnRefExpression>();
          field->position = Peek().position;
          field->name.parts.push_back(ParseIdentifier("a field name").first);
          auto call = std::make_unique<FunctionCallExpression>();
          call->position = position;
          call->name = MakeName("$dereference", position);
          call->args.push_back(std::move(expr));
          call->args.push_back(std::move(field));
          expr = std::move(call);
          continue;
        }
        if (IsWord("AT") && IsWord("TIME", 1) && IsWord("ZONE", 2)) {
          int position = Advance().position;
          Advance();
          Advance();
          chain++;
          depth_++;
          if (depth_ > kMaxParseDepth) {
            throw Error(ErrorKind::kSyntax, "expression is nested too deeply", position);
          }
          auto call = std::make_unique<FunctionCallExpression>();
          call->position = expr->position;
          call->name = MakeName("at_timezone", position);
          call->args.push_back(std::move(expr));
          call->args.push_back(ParsePrimary());
          expr = std::move(call);
          continue;
        }
        break;
      }
    } catch (...) {
      depth_ -= chain;
      throw;
    }
    depth_ -= chain;
    return expr;
  }

  static QualifiedName MakeName(const std::string& name, int position) {
    QualifiedName q;
    q.parts.push_back(name);
    q.quoted.push_back(false);
    q.position = position;
    return q;
  }

  // A type name as written, normalized: "decimal(10,2)", "timestamp(3) with time zone".
  std::string ParseTypeNameText() {
    const Token& t = Peek();
    if (t.type != TokenType::kWord || IsReserved(AsciiUpper(t.text)))
      ErrorAtCurrent("expected a type name");
    std::string result = AsciiLower(t.text);
    Advance();
    const bool nested_types = result == "row" || result == "array" || result == "map";
    auto parse_params = [&]() {
      if (!IsOp("(")) return;
      Advance();
      result += "(";
      bool first = true;
      do {
        if (!first) result += ",";
        first = false;
        const Token& p = Peek();
        if (p.type == TokenType::kInteger) {
          result += p.text;
          Advance();
        } else if (nested_types && p.type == TokenType::kWord) {
          // row(a int, b varchar) / array(varchar): nested type names
          DepthGuard guard(*this);
          std::string part = ParseTypeNameText();
          if (Peek().type == TokenType::kWord) part += " " + ParseTypeNameText();
          result += part;
        } else {
          ErrorAtCurrent("expected a type parameter");
        }
      } while (AcceptOp(","));
      ExpectOp(")");
      result += ")";
    };
    if (result == "double" && IsWord("PRECISION")) {
      Advance();
      result += " precision";
    } else if (result == "character" && IsWord("VARYING")) {
      Advance();
      result += " varying";
    }
    parse_params();
    if ((IsWord("WITH") || IsWord("WITHOUT")) && (IsWord("TIME", 1) || IsWord("LOCAL", 1))) {
      result += IsWord("WITH") ? " with" : " without";
      Advance();
      if (AcceptWord("LOCAL")) result += " local";
      ExpectWord("TIME");
      ExpectWord("ZONE");
      result += " time zone";
    }
    if (result == "interval") {
      if (IntervalFieldFromWord(AsciiUpper(Peek().text)) != IntervalField::kNone &&
          Peek().type == TokenType::kWord) {
        result += " " + AsciiLower(Advance().text);
        if (AcceptWord("TO")) {
          if (Peek().type != TokenType::kWord ||
              IntervalFieldFromWord(AsciiUpper(Peek().text)) == IntervalField::kNone) {
            ErrorAtCurrent("expected an interval field");
          }
          result += " to " + AsciiLower(Advance().text);
        }
      }
    }
    return result;
  }

  static void SetIntegerLiteral(LiteralExpression& lit) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(lit.text.c_str(), &end, 10);
    if (errno == ERANGE) {
      // Too large for BIGINT: a DECIMAL literal (the binder decides whether it fits).
      lit.literal_kind = LiteralKind::kDecimal;
      lit.integer_value = 0;
    } else {
      lit.literal_kind = LiteralKind::kInteger;
      lit.integer_value = v;
    }
  }

  // A number directly followed by letters ("2024_sales", "1abc") is a malformed name, not a
  // number with an alias.
  void CheckNumberEnd(const Token& t) const {
    const Token& next = Peek(1);
    if (next.type == TokenType::kWord && next.position == t.end) {
      std::string word = sql_.substr(t.position, next.end - t.position);
      throw Error(
          ErrorKind::kSyntax,
          fmt::format("syntax error at or near \"{}\": identifiers must not start with a digit; "
                      "quote the name: \"{}\"",
                      word, word),
          t.position);
    }
  }

  ParsedExpressionPtr ParsePrimary() {
    DepthGuard guard(*this);
    const Token& t = Peek();
    int position = t.position;
    if (IsWord("ARRAY") && IsOp("[", 1)) {  // ARRAY[a, b, ...]
      Advance();
      Advance();
      auto call = std::make_unique<FunctionCallExpression>();
      call->position = position;
      call->name = MakeName("array_constructor", position);
      if (!IsOp("]")) {
        do {
          call->args.push_back(ParseExpr());
        } while (AcceptOp(","));
      }
      ExpectOp("]");
      return call;
    }
    switch (t.type) {
      case TokenType::kInteger: {
        CheckNumberEnd(t);
        auto lit = std::make_unique<LiteralExpression>();
        lit->position = position;
        lit->text = t.text;
        SetIntegerLiteral(*lit);
        Advance();
        return lit;
      }
      case TokenType::kDecimal: {
        CheckNumberEnd(t);
        auto lit = std::make_unique<LiteralExpression>();
        lit->position = position;
        lit->literal_kind = LiteralKind::kDecimal;
        lit->text = t.text;
        Advance();
        return lit;
      }
      case TokenType::kDouble: {
        CheckNumberEnd(t);
        auto lit = std::make_unique<LiteralExpression>();
        lit->position = position;
        lit->literal_kind = LiteralKind::kDouble;
        lit->text = t.text;
        lit->double_value = std::strtod(t.text.c_str(), nullptr);
        Advance();
        return lit;
      }
      case TokenType::kString: {
        auto lit = std::make_unique<LiteralExpression>();
        lit->position = position;
        lit->literal_kind = LiteralKind::kString;
        lit->text = t.text;
        Advance();
        return lit;
      }
      case TokenType::kQuotedIdentifier:
        return ParseNameOrCall();
      case TokenType::kOperator:
        if (t.text == "(") {
          if (ParenOpensQuery()) {
            Advance();
            auto node = std::make_unique<SubqueryExpression>();
            node->position = position;
            node->query = ParseQuery();
            ExpectOp(")");
            return node;
          }
          Advance();
          auto expr = ParseExpr();
          if (IsOp(",")) {
            throw Error(ErrorKind::kUnsupported, "row constructors (a, b) are not supported",
                        Peek().position);
          }
          ExpectOp(")");
          return expr;
        }
        if (t.text == "?") {
          throw Error(ErrorKind::kUnsupported, "query parameters (?) are not supported", position);
        }
        ErrorAt(t, "expected an expression");
      case TokenType::kEnd:
        ErrorAt(t, "expected an expression");
      case TokenType::kWord:
        break;
    }

    std::string upper = AsciiUpper(t.text);
    if (upper == "NULL") {
      Advance();
      auto lit = std::make_unique<LiteralExpression>();
      lit->position = position;
      lit->literal_kind = LiteralKind::kNull;
      return lit;
    }
    if (upper == "TRUE" || upper == "FALSE") {
      Advance();
      auto lit = std::make_unique<LiteralExpression>();
      lit->position = position;
      lit->literal_kind = LiteralKind::kBoolean;
      lit->bool_value = upper == "TRUE";
      return lit;
    }
    if (upper == "INTERVAL" &&
        (Peek(1).type == TokenType::kString || Peek(1).type == TokenType::kInteger ||
         ((IsOp("-", 1) || IsOp("+", 1)) && Peek(2).type == TokenType::kString))) {
      return ParseInterval();
    }
    if (upper == "CASE") return ParseCase();
    if (upper == "CAST" || upper == "TRY_CAST") {
      Advance();
      auto cast = std::make_unique<CastExpression>();
      cast->position = position;
      cast->try_cast = upper == "TRY_CAST";
      ExpectOp("(");
      cast->child = ParseExpr();
      ExpectWord("AS");
      cast->type_name = ParseTypeNameText();
      ExpectOp(")");
      return cast;
    }
    if (upper == "EXISTS") {
      Advance();
      if (!IsOp("(") || !ParenOpensQuery()) ErrorAtCurrent("expected a subquery after EXISTS");
      Advance();
      auto node = std::make_unique<ExistsExpression>();
      node->position = position;
      node->query = ParseQuery();
      ExpectOp(")");
      return node;
    }
    if (upper == "EXTRACT") {
      Advance();
      ExpectOp("(");
      auto node = std::make_unique<ExtractExpression>();
      node->position = position;
      if (Peek().type != TokenType::kWord)
        ErrorAtCurrent("expected a field name (YEAR, MONTH, DAY, ...)");
      node->field = AsciiLower(Advance().text);
      ExpectWord("FROM");
      node->child = ParseExpr();
      ExpectOp(")");
      return node;
    }
    if (upper == "CURRENT_USER" || upper == "CURRENT_CATALOG" || upper == "CURRENT_SCHEMA") {
      Advance();
      auto call = std::make_unique<FunctionCallExpression>();
      call->position = position;
      call->name = MakeName(AsciiLower(upper), position);
      call->special_form = true;
      return call;
    }
    if (upper == "CURRENT_DATE" || upper == "CURRENT_TIMESTAMP" || upper == "CURRENT_TIME" ||
        upper == "LOCALTIMESTAMP" || upper == "LOCALTIME") {
      Advance();
      auto call = std::make_unique<FunctionCallExpression>();
      call->position = position;
      call->name = MakeName(AsciiLower(upper), position);
      if (upper != "CURRENT_DATE" && IsOp("(") && Peek(1).type == TokenType::kInteger &&
          IsOp(")", 2)) {
        Advance();
        call->args.push_back(ParsePrimary());
        ExpectOp(")");
      } else {
        call->special_form = true;
      }
      return call;
    }
    if (IsReserved(upper) &&
        !((upper == "LEFT" || upper == "RIGHT" || upper == "GROUPING") && IsOp("(", 1))) {
      if (upper == "NOT")
        ErrorAt(t, "NOT is not allowed here; put the NOT expression in parentheses");
      ErrorAt(t, "expected an expression");
    }
    // Typed literal: DATE '2024-01-01', TIMESTAMP '...', DECIMAL '1.5', ...
    if (Peek(1).type == TokenType::kString) {
      Advance();
      auto lit = std::make_unique<LiteralExpression>();
      lit->position = position;
      lit->literal_kind = LiteralKind::kTyped;
      lit->type_name = upper;
      lit->text = Advance().text;
      return lit;
    }
    return ParseNameOrCall();
  }

  ParsedExpressionPtr ParseInterval() {
    int position = Advance().position;  // INTERVAL
    auto lit = std::make_unique<LiteralExpression>();
    lit->position = position;
    lit->literal_kind = LiteralKind::kInterval;
    if (AcceptOp("-")) {
      lit->interval_negative = true;
    } else {
      AcceptOp("+");
    }
    if (Peek().type == TokenType::kString || Peek().type == TokenType::kInteger) {
      lit->text = Advance().text;
    } else {
      ErrorAtCurrent("expected the interval value as a string, e.g. INTERVAL '30' DAY");
    }
    if (Peek().type == TokenType::kWord) {
      IntervalField field = IntervalFieldFromWord(AsciiUpper(Peek().text));
      if (field != IntervalField::kNone) {
        Advance();
        lit->interval_start = field;
        if (IsWord("TO")) {
          Advance();
          if (Peek().type != TokenType::kWord ||
              IntervalFieldFromWord(AsciiUpper(Peek().text)) == IntervalField::kNone) {
            ErrorAtCurrent("expected an interval field (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)");
          }
          lit->interval_end = IntervalFieldFromWord(AsciiUpper(Advance().text));
        }
      }
    }
    return lit;
  }

  ParsedExpressionPtr ParseCase() {
    auto node = std::make_unique<CaseExpression>();
    node->position = Advance().position;  // CASE
    if (!IsWord("WHEN")) node->operand = ParseExpr();
    if (!IsWord("WHEN")) ErrorAtCurrent("expected WHEN");
    while (AcceptWord("WHEN")) {
      CaseWhen when;
      when.when = ParseExpr();
      ExpectWord("THEN");
      when.then = ParseExpr();
      node->whens.push_back(std::move(when));
    }
    if (AcceptWord("ELSE")) node->else_expr = ParseExpr();
    ExpectWord("END");
    return node;
  }

  // A column reference (1-4 parts) or a function call.
  ParsedExpressionPtr ParseNameOrCall() {
    int position = Peek().position;
    QualifiedName name;
    name.position = position;
    {
      const Token& t = Peek();
      if (t.type == TokenType::kQuotedIdentifier) {
        name.parts.push_back(t.text);
        name.quoted.push_back(true);
      } else {
        name.parts.push_back(AsciiLower(t.text));
        name.quoted.push_back(false);
      }
      Advance();
    }
    while (IsOp(".")) {
      if (Peek(1).type == TokenType::kQuotedIdentifier || (Peek(1).type == TokenType::kWord)) {
        Advance();
        const Token& t = Advance();
        if (t.type == TokenType::kQuotedIdentifier) {
          name.parts.push_back(t.text);
          name.quoted.push_back(true);
        } else {
          name.parts.push_back(AsciiLower(t.text));
          name.quoted.push_back(false);
        }
        if (name.parts.size() > 4) ErrorAt(t, "a name has at most 4 parts");
        continue;
      }
      if (IsOp("*", 1)) ErrorAt(Peek(1), "t.* is only allowed in the select list");
      ErrorAt(Peek(1), "expected a name after '.'");
    }
    if (IsOp("(")) return ParseFunctionCall(std::move(name));
    auto ref = std::make_unique<ColumnRefExpression>();
    ref->position = position;
    ref->name = std::move(name);
    return ref;
  }

  ParsedExpressionPtr ParseFunctionCall(QualifiedName name) {
    auto call = std::make_unique<FunctionCallExpression>();
    call->position = name.position;
    call->name = std::move(name);
    ExpectOp("(");
    const std::string fname =
        call->name.parts.size() == 1 && !call->name.quoted[0] ? call->name.parts[0] : "";
    if (fname == "position" && !IsOp(")")) {
      // position(substring IN string) => strpos(string, substring)
      auto needle = ParseConcat();
      if (AcceptWord("IN")) {
        auto haystack = ParseConcat();
        ExpectOp(")");
        call->name.parts[0] = "strpos";
        call->args.push_back(std::move(haystack));
        call->args.push_back(std::move(needle));
        return call;
      }
      call->args.push_back(std::move(needle));
      while (AcceptOp(",")) call->args.push_back(ParseExpr());
      ExpectOp(")");
      return FinishCall(std::move(call));
    }
    if ((fname == "substring" || fname == "substr") && !IsOp(")")) {
      auto value = ParseExpr();
      if (AcceptWord("FROM")) {
        call->name.parts[0] = "substr";
        call->args.push_back(std::move(value));
        call->args.push_back(ParseExpr());
        if (AcceptWord("FOR")) call->args.push_back(ParseExpr());
        ExpectOp(")");
        return call;
      }
      call->args.push_back(std::move(value));
      while (AcceptOp(",")) call->args.push_back(ParseExpr());
      ExpectOp(")");
      return FinishCall(std::move(call));
    }
    if (fname == "trim" && !IsOp(")")) {
      // TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) / TRIM(s)
      std::string func = "trim";
      bool has_spec = false;
      if (AcceptWord("BOTH")) {
        has_spec = true;
      } else if (AcceptWord("LEADING")) {
        func = "ltrim";
        has_spec = true;
      } else if (AcceptWord("TRAILING")) {
        func = "rtrim";
        has_spec = true;
      }
      ParsedExpressionPtr chars;
      if (!(has_spec && IsWord("FROM"))) chars = ParseExpr();
      if (AcceptWord("FROM")) {
        auto value = ParseExpr();
        ExpectOp(")");
        call->name.parts[0] = func;
        call->args.push_back(std::move(value));
        if (chars) call->args.push_back(std::move(chars));
        return call;
      }
      if (has_spec) ErrorAtCurrent("expected FROM");
      call->args.push_back(std::move(chars));
      while (AcceptOp(",")) call->args.push_back(ParseExpr());
      ExpectOp(")");
      return FinishCall(std::move(call));
    }
    if (IsOp("*")) {
      Advance();
      call->is_star = true;
      ExpectOp(")");
      return FinishCall(std::move(call));
    }
    if (AcceptWord("DISTINCT")) {
      call->distinct = true;
    } else {
      AcceptWord("ALL");
    }
    if (!IsOp(")")) {
      do {
        call->args.push_back(ParseLambdaOrExpr());
      } while (AcceptOp(","));
      if (IsWord("ORDER")) {
        Advance();
        ExpectWord("BY");
        call->order_by = ParseOrderByList();
      }
    } else if (call->distinct) {
      ErrorAtCurrent("expected an argument after DISTINCT");
    }
    ExpectOp(")");
    return FinishCall(std::move(call));
  }

  ParsedExpressionPtr FinishCall(std::unique_ptr<FunctionCallExpression> call) {
    if (IsWord("FILTER") && IsOp("(", 1)) {
      Advance();
      Advance();
      ExpectWord("WHERE");
      call->filter = ParseExpr();
      ExpectOp(")");
    }
    if (IsWord("IGNORE") || IsWord("RESPECT")) {
      throw Error(ErrorKind::kUnsupported, "IGNORE NULLS / RESPECT NULLS is not supported",
                  Peek().position);
    }
    if (IsWord("OVER")) {
      Advance();
      if (IsOp("(")) {
        call->over = ParseWindow();
      } else {
        auto window = std::make_unique<WindowDefinition>();
        window->position = Peek().position;
        window->name_only = true;
        window->existing_name = ParseIdentifier("'(' or a window name after OVER").first;
        call->over = std::move(window);
      }
    }
    return call;
  }

  const std::string& sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int suspicious_alias_ =
      -1;  // token index of an implicit alias that looks like a misspelled keyword
};

}  // namespace

std::vector<std::unique_ptr<Statement>> ParseStatements(const std::string& sql) {
  Parser parser(sql);
  return parser.ParseStatementList();
}

std::unique_ptr<Statement> ParseStatement(const std::string& sql) {
  auto statements = ParseStatements(sql);
  if (statements.empty()) {
    throw Error(ErrorKind::kSyntax, "empty statement: expected a statement",
                static_cast<int>(sql.size()));
  }
  if (statements.size() > 1) {
    throw Error(ErrorKind::kSyntax, "expected one statement, found more after ';'",
                statements[1]->position);
  }
  return std::move(statements[0]);
}

std::unique_ptr<QueryNode> ParseQuery(const std::string& sql) {
  Parser parser(sql);
  return parser.ParseStandaloneQuery();
}

std::unique_ptr<ParsedExpression> ParseExpression(const std::string& text) {
  Parser parser(text);
  return parser.ParseStandaloneExpression();
}

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::string error;
  int error_position = -1;
  std::vector<Token> tokens = TokenizeLenient(sql, &error, &error_position);
  std::vector<std::string> result;
  int start = -1;
  int end = -1;
  for (const Token& t : tokens) {
    if (t.type == TokenType::kEnd) break;
    if (t.type == TokenType::kOperator && t.text == ";") {
      if (start >= 0) result.push_back(sql.substr(start, end - start));
      start = -1;
      continue;
    }
    if (start < 0) start = t.position;
    end = t.end;
  }
  if (!error.empty()) {
    // Keep the unlexable rest as one statement, so the parser reports the error.
    if (start < 0) start = error_position;
    std::string rest = sql.substr(start);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.pop_back();
    if (!rest.empty()) result.push_back(rest);
  } else if (start >= 0) {
    result.push_back(sql.substr(start, end - start));
  }
  return result;
}

bool IsCompleteStatement(const std::string& sql) {
  std::string error;
  int error_position = -1;
  std::vector<Token> tokens = TokenizeLenient(sql, &error, &error_position);
  if (!error.empty()) return false;  // an open string, quoted name or comment
  if (tokens.size() < 2) return false;
  const Token& last = tokens[tokens.size() - 2];
  return last.type == TokenType::kOperator && last.text == ";";
}

const std::vector<std::string>& SqlKeywords() {
  static const std::vector<std::string> kKeywords = [] {
    std::vector<std::string> words(ReservedWordList().begin(), ReservedWordList().end());
    for (const char* w :
         {"ALL",     "ANALYZE", "ASC",      "CATALOGS",  "COLUMNS",   "DATE",      "DAY",
          "DESC",    "EXPLAIN", "FETCH",    "FILTER",    "FIRST",     "FOLLOWING", "FUNCTIONS",
          "HOUR",    "IF",      "INTERVAL", "LAST",      "LIMIT",     "MINUTE",    "MONTH",
          "NULLS",   "OFFSET",  "ONLY",     "OVER",      "PARTITION", "PRECEDING", "RANGE",
          "REPLACE", "RESET",   "ROW",      "ROWS",      "SCHEMAS",   "SECOND",    "SESSION",
          "SET",     "SHOW",    "TABLES",   "TIMESTAMP", "TO",        "TRY_CAST",  "UNBOUNDED",
          "USE",     "VIEW",    "YEAR",     "CURRENT",   "OF",        "VERSION",   "NO",
          "DATA",    "EXISTS",  "TIME",     "ZONE"}) {
      if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
    }
    std::sort(words.begin(), words.end());
    return words;
  }();
  return kKeywords;
}

}  // namespace aishell
