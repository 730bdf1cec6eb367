// Grammar-aware SQL fuzzing: a libFuzzer custom mutator that edits the input's token stream, not
// its bytes, so that mutants stay close to SQL the parser accepts and reach the binder, the
// planner and the executor. Each input is checked as sql_fuzzer does (lexer, parser, round trip,
// binder, planner, optimizer) and its queries run as sql_exec_fuzzer does (views over VALUES, a
// 2 s cancel). Seeded from every statement of test/sql/**/*.test.
//
// Mutations (1 to 3 per mutant, chosen at random; the seed libFuzzer passes makes them
// reproducible):
//   - a token replaced by another of its class: identifier (a column or table of the fuzz views,
//     or one the input has), literal, operator, type name, function name, or a keyword of a class
//     (join kind, set operation, ASC/DESC, AND/OR, frame unit, CAST/TRY_CAST, ...);
//   - a primary (identifier or literal) replaced by an expression around it from a template:
//     casts to scalar and nested types, CASE, IN, BETWEEN, LIKE, scalar and EXISTS subqueries,
//     window functions, array/row/map access and constructors;
//   - parenthesized subtrees swapped, copied over one another or deleted (and, in the cross-over,
//     taken from another input);
//   - a list item appended after a comma;
//   - the statement wrapped: in a derived table, a CTE, a set operation with itself, a join with
//     itself, ORDER BY/LIMIT/OFFSET, EXPLAIN;
//   - a parenthesized subtree or a whole statement replaced by a query the grammar below
//     generates (joins, subqueries, aggregates with GROUP BY/HAVING, window functions, casts,
//     nested types, set operations), over the fuzz views' real columns;
//   - libFuzzer's own byte mutation (one mutant in eight).
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sql_fuzz_checks.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using namespace aishell;
using Rng = std::mt19937;

struct Table {
  const char* name;
  std::vector<const char*> columns;
};

// The fuzz engine's views (sql_fuzz_engine.h).
const std::vector<Table>& Tables() {
  static const std::vector<Table> tables = {
      {"people", {"id", "name", "age", "city", "signup_date"}},
      {"orders", {"order_id", "person_id", "amount", "status"}},
      {"a", {"k", "v"}},
      {"b", {"k", "w"}},
      {"t", {"i", "d", "s", "bo", "arr", "r", "m"}},
  };
  return tables;
}

const std::vector<std::string> kLiterals = {"NULL",
                                            "0",
                                            "1",
                                            "-1",
                                            "2",
                                            "42",
                                            "2147483647",
                                            "-2147483648",
                                            "9223372036854775807",
                                            "-9223372036854775808",
                                            "99999999999999999999",
                                            "1.5",
                                            "0.0",
                                            "-0.5",
                                            "1e308",
                                            "-1e-308",
                                            "1e309",
                                            "'x'",
                                            "''",
                                            "'Paris'",
                                            "'a%'",
                                            "'2024-01-01'",
                                            "'{\"a\": [1, 2]}'",
                                            "TRUE",
                                            "FALSE",
                                            "DATE '2024-02-29'",
                                            "DATE '0001-01-01'",
                                            "TIMESTAMP '2024-01-01 12:34:56.789'",
                                            "INTERVAL '1' DAY",
                                            "INTERVAL '2' MONTH",
                                            "ARRAY[1, NULL, 3]",
                                            "ARRAY[]",
                                            "ARRAY['a', 'b']",
                                            "ARRAY[ARRAY[1], NULL]",
                                            "MAP(ARRAY['k'], ARRAY[1])",
                                            "ROW(1, 'a')",
                                            "CAST(NULL AS INTEGER)",
                                            "X'00ff'",
                                            "DECIMAL '12345678901234567890.123456789'",
                                            "12345678901234567890123456789012345678",
                                            "JSON '{\"k\": null}'",
                                            "-0.0",
                                            "1e-320"};

const std::vector<std::string> kTypes = {"INTEGER",
                                         "BIGINT",
                                         "SMALLINT",
                                         "TINYINT",
                                         "DOUBLE",
                                         "REAL",
                                         "DECIMAL(10, 2)",
                                         "DECIMAL(38, 0)",
                                         "DECIMAL(38, 37)",
                                         "DECIMAL(1, 1)",
                                         "VARCHAR",
                                         "VARCHAR(1)",
                                         "BOOLEAN",
                                         "DATE",
                                         "TIMESTAMP",
                                         "TIME",
                                         "JSON",
                                         "VARBINARY",
                                         "ARRAY(INTEGER)",
                                         "ARRAY(VARCHAR)",
                                         "ARRAY(ARRAY(BIGINT))",
                                         "MAP(VARCHAR, INTEGER)",
                                         "MAP(INTEGER, ARRAY(DOUBLE))",
                                         "ROW(f INTEGER, g VARCHAR)",
                                         "ROW(x ROW(y BIGINT))"};

const std::vector<std::string> kScalarFunctions = {"abs",
                                                   "ceil",
                                                   "floor",
                                                   "round",
                                                   "sqrt",
                                                   "ln",
                                                   "power",
                                                   "mod",
                                                   "sign",
                                                   "length",
                                                   "lower",
                                                   "upper",
                                                   "trim",
                                                   "substr",
                                                   "concat",
                                                   "replace",
                                                   "reverse",
                                                   "strpos",
                                                   "lpad",
                                                   "rpad",
                                                   "split",
                                                   "coalesce",
                                                   "nullif",
                                                   "greatest",
                                                   "least",
                                                   "cardinality",
                                                   "element_at",
                                                   "contains",
                                                   "array_join",
                                                   "array_sort",
                                                   "array_distinct",
                                                   "map_keys",
                                                   "map_values",
                                                   "date_trunc",
                                                   "date_add",
                                                   "date_diff",
                                                   "year",
                                                   "month",
                                                   "day_of_week",
                                                   "to_hex",
                                                   "from_hex",
                                                   "json_extract",
                                                   "json_extract_scalar",
                                                   "json_array_length",
                                                   "json_format",
                                                   "json_parse",
                                                   "typeof",
                                                   "regexp_like",
                                                   "regexp_extract",
                                                   "format",
                                                   "md5",
                                                   "sequence",
                                                   "if",
                                                   "try",
                                                   "hash",
                                                   "from_unixtime",
                                                   "to_unixtime",
                                                   "width_bucket",
                                                   "transform",
                                                   "filter"};

const std::vector<std::string> kAggregates = {"count",
                                              "sum",
                                              "avg",
                                              "min",
                                              "max",
                                              "array_agg",
                                              "string_agg",
                                              "bool_and",
                                              "bool_or",
                                              "stddev",
                                              "variance",
                                              "approx_distinct",
                                              "count_if",
                                              "arbitrary",
                                              "max_by",
                                              "min_by",
                                              "map_agg",
                                              "listagg",
                                              "approx_percentile",
                                              "any_value"};

const std::vector<std::string> kWindowFunctions = {
    "row_number()",    "rank()", "dense_rank()",     "percent_rank()", "cume_dist()",
    "ntile(2)",        "lag(X)", "lead(X, 2, NULL)", "first_value(X)", "last_value(X)",
    "nth_value(X, 2)", "sum(X)", "count(X)",         "min(X)",         "avg(X)"};

const std::vector<std::string> kFrames = {
    "",
    " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW",
    " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
    " RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
    " ROWS 2 PRECEDING",
    " ROWS BETWEEN CURRENT ROW AND 9223372036854775807 FOLLOWING",
    " GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING",
    " RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING"};

const std::vector<std::string> kOperators = {"+", "-",  "*",  "/",  "%",  "=", "<",
                                             ">", "<=", ">=", "<>", "!=", "||"};

// Keywords that can stand for one another (one token each).
const std::vector<std::vector<std::string>> kKeywordClasses = {
    {"LEFT", "RIGHT", "FULL", "INNER", "CROSS"},
    {"UNION", "INTERSECT", "EXCEPT"},
    {"ALL", "DISTINCT"},
    {"ASC", "DESC"},
    {"FIRST", "LAST"},
    {"AND", "OR"},
    {"ROWS", "RANGE", "GROUPS"},
    {"PRECEDING", "FOLLOWING"},
    {"CAST", "TRY_CAST"},
    {"ROLLUP", "CUBE"},
    {"LIKE", "ILIKE"},
    {"ANY", "SOME", "ALL"},
    {"WHERE", "HAVING"},
    {"TRUE", "FALSE", "NULL"},
    {"LIMIT", "OFFSET"},
    {"EXISTS", "NOT EXISTS"},
    {"IS", "IS NOT"},
};

// Templates around a primary X; {type}, {lit}, {col}, {table}, {func}, {agg}, {win}, {frame} are
// filled in at random.
const std::vector<std::string> kExpressionTemplates = {
    "(X)",
    "-X",
    "NOT X",
    "CAST(X AS {type})",
    "TRY_CAST(X AS {type})",
    "X::{type}",
    "X IS NULL",
    "X IS NOT DISTINCT FROM {lit}",
    "COALESCE(X, {lit})",
    "NULLIF(X, {lit})",
    "X + {lit}",
    "X || {lit}",
    "X * X",
    "X / {lit}",
    "X % {lit}",
    "CASE WHEN X IS NULL THEN {lit} ELSE X END",
    "CASE X WHEN {lit} THEN {lit} END",
    "X IN ({lit}, {lit}, NULL)",
    "X NOT IN (SELECT {col} FROM {table})",
    "X BETWEEN {lit} AND {lit}",
    "X LIKE {lit}",
    "{func}(X)",
    "{func}(X, {lit})",
    "{agg}(X)",
    "{agg}(DISTINCT X)",
    "{agg}(X) FILTER (WHERE X IS NOT NULL)",
    "{win} OVER (PARTITION BY X ORDER BY {col}{frame})",
    "{win} OVER (ORDER BY X DESC NULLS FIRST{frame})",
    "(SELECT {agg}({col}) FROM {table})",
    "(SELECT X FROM {table} LIMIT 1)",
    "EXISTS (SELECT 1 FROM {table} WHERE {col} = X)",
    "X = ANY (SELECT {col} FROM {table})",
    "X[1]",
    "X[0]",
    "X['k']",
    "X.f",
    "ARRAY[X, {lit}]",
    "ROW(X, {lit})",
    "CAST(ROW(X, {lit}) AS ROW(f {type}, g {type}))",
    "MAP(ARRAY[X], ARRAY[{lit}])",
    "element_at(X, -1)",
    "cardinality(X)",
    "transform(X, e -> e + 1)",
    "filter(X, e -> e IS NULL)",
    "json_extract(X, '$[0].a')",
    "date_add('day', {lit}, X)",
    "CAST(X AS {type})[1]",
    "X {op} {lit}",
    "{lit} {op} X"};

// Whole-statement wrappers around S (the input's text without its last ';').
const std::vector<std::string> kStatementTemplates = {
    "SELECT * FROM (S) AS q",
    "SELECT count(*) FROM (S) AS q",
    "WITH q AS (S) SELECT * FROM q ORDER BY 1",
    "WITH q AS (S), q2 AS (SELECT * FROM q) SELECT * FROM q2 UNION ALL SELECT * FROM q",
    "S UNION S",
    "S UNION ALL S",
    "S INTERSECT S",
    "S EXCEPT S",
    "SELECT * FROM (S) AS q1 CROSS JOIN (S) AS q2",
    "SELECT * FROM (S) AS q1 FULL JOIN (S) AS q2 ON true",
    "SELECT * FROM (S) AS q ORDER BY 1 DESC NULLS LAST LIMIT 3 OFFSET 1",
    "SELECT DISTINCT * FROM (S) AS q",
    "EXPLAIN S",
    "S ORDER BY 1",
    "S LIMIT 0",
    "SELECT * FROM {table} WHERE EXISTS (S)",
    "SELECT (S)",
    "SELECT * FROM {table} WHERE {col} IN (S)",
    "S; S"};

template <typename T>
const T& Pick(Rng& rng, const std::vector<T>& from) {
  return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
}

bool Chance(Rng& rng, int one_in) {
  return std::uniform_int_distribution<int>(0, one_in - 1)(rng) == 0;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string RandomColumn(Rng& rng) {
  const Table& table = Pick(rng, Tables());
  return Pick(rng, table.columns);
}

// Fills the {...} holes of a template and puts `x` for X.
std::string Fill(Rng& rng, const std::string& tmpl, const std::string& x) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); i++) {
    if (tmpl[i] == 'X' && (i == 0 || !std::isalnum(static_cast<unsigned char>(tmpl[i - 1]))) &&
        (i + 1 == tmpl.size() || !std::isalnum(static_cast<unsigned char>(tmpl[i + 1])))) {
      out += x;
      continue;
    }
    if (tmpl[i] == '{') {
      size_t close = tmpl.find('}', i);
      if (close == std::string::npos) {
        out += tmpl.substr(i);
        break;
      }
      std::string hole = tmpl.substr(i + 1, close - i - 1);
      if (hole == "type") out += Pick(rng, kTypes);
      if (hole == "lit") out += Pick(rng, kLiterals);
      if (hole == "col") out += RandomColumn(rng);
      if (hole == "table") out += Pick(rng, Tables()).name;
      if (hole == "func") out += Pick(rng, kScalarFunctions);
      if (hole == "agg") out += Pick(rng, kAggregates);
      if (hole == "op") out += Pick(rng, kOperators);
      if (hole == "frame") out += Pick(rng, kFrames);
      if (hole == "win") out += Fill(rng, Pick(rng, kWindowFunctions), x);
      i = close;
      continue;
    }
    out += tmpl[i];
  }
  return out;
}

// The grammar: queries over the fuzz views' columns.
class Generator {
 public:
  explicit Generator(Rng& rng) : rng_(rng) {}

  std::string Query(int depth, int width = 0) {
    std::string sql;
    if (Chance(rng_, 6)) sql += "WITH c AS (" + SimpleQuery(depth + 1, 0) + ") ";
    sql += SimpleQuery(depth, width);
    if (depth < 2 && Chance(rng_, 4)) {
      // A set operation: both sides one column wide.
      static const std::vector<std::string> kSetOps = {"UNION",  "UNION ALL",     "INTERSECT",
                                                       "EXCEPT", "INTERSECT ALL", "EXCEPT ALL"};
      sql = SimpleQuery(depth + 1, 1) + " " + Pick(rng_, kSetOps) + " " + SimpleQuery(depth + 1, 1);
      if (Chance(rng_, 2)) sql += " ORDER BY 1 LIMIT 5";
    }
    return sql;
  }

 private:
  // SELECT [DISTINCT] items FROM from [WHERE p] [GROUP BY ... [HAVING p]] [ORDER BY] [LIMIT].
  std::string SimpleQuery(int depth, int width) {
    columns_.clear();
    std::string from = From(depth);
    std::vector<std::string> scope = columns_;
    int items = width ? width : std::uniform_int_distribution<int>(1, 4)(rng_);
    bool grouped = Chance(rng_, 3);
    std::string group_key = Pick(rng_, scope);
    std::string sql = Chance(rng_, 6) ? "SELECT DISTINCT " : "SELECT ";
    for (int i = 0; i < items; i++) {
      if (i) sql += ", ";
      if (grouped) {
        sql += Chance(rng_, 2)
                   ? group_key
                   : Pick(rng_, kAggregates) + "(" + Expr(scope, depth + 1, false) + ")";
      } else if (Chance(rng_, 5)) {
        sql += Fill(rng_, Pick(rng_, kWindowFunctions), Pick(rng_, scope)) +
               " OVER (PARTITION BY " + Pick(rng_, scope) + " ORDER BY " + Pick(rng_, scope) +
               Pick(rng_, kFrames) + ")";
      } else {
        sql += Expr(scope, depth + 1, true);
      }
      if (Chance(rng_, 3)) sql += " AS c" + std::to_string(i);
    }
    sql += " FROM " + from;
    if (Chance(rng_, 2)) sql += " WHERE " + Predicate(scope, depth + 1);
    if (grouped) {
      sql += " GROUP BY " + group_key;
      if (Chance(rng_, 3)) sql += " HAVING count(*) > " + Pick(rng_, kLiterals);
    }
    if (Chance(rng_, 3)) sql += " ORDER BY 1" + std::string(Chance(rng_, 2) ? " DESC" : "");
    if (Chance(rng_, 4))
      sql += " LIMIT " + std::to_string(std::uniform_int_distribution<int>(0, 5)(rng_));
    return sql;
  }

  // One view, a join of two, or a derived table; sets columns_ to what is in scope.
  std::string From(int depth) {
    const Table& left = Pick(rng_, Tables());
    std::string sql = Relation(left, "l", depth);
    if (Chance(rng_, 2)) {
      const Table& right = Pick(rng_, Tables());
      static const std::vector<std::string> kJoins = {"JOIN",      "LEFT JOIN",  "RIGHT JOIN",
                                                      "FULL JOIN", "CROSS JOIN", "INNER JOIN"};
      std::string kind = Pick(rng_, kJoins);
      size_t before = columns_.size();
      std::string rel = Relation(right, "r", depth);
      sql += " " + kind + " " + rel;
      if (kind != "CROSS JOIN") {
        std::string l = columns_[std::uniform_int_distribution<size_t>(0, before - 1)(rng_)];
        std::string r =
            columns_[std::uniform_int_distribution<size_t>(before, columns_.size() - 1)(rng_)];
        sql += " ON " + l + " " + (Chance(rng_, 4) ? Pick(rng_, kOperators) : "=") + " " + r;
      }
    }
    return sql;
  }

  std::string Relation(const Table& table, const std::string& alias, int depth) {
    for (const char* c : table.columns) columns_.push_back(alias + "." + c);
    if (depth < 2 && Chance(rng_, 4)) {
      std::string list;
      for (const char* c : table.columns) list += std::string(list.empty() ? "" : ", ") + c;
      return "(SELECT " + list + " FROM " + table.name +
             (Chance(rng_, 2) ? " ORDER BY 1 LIMIT 3" : "") + ") AS " + alias;
    }
    return std::string(table.name) + " AS " + alias;
  }

  std::string Expr(const std::vector<std::string>& scope, int depth, bool allow_subquery) {
    int choice = std::uniform_int_distribution<int>(0, depth > 3 ? 1 : 7)(rng_);
    switch (choice) {
      case 0:
        return Pick(rng_, scope);
      case 1:
        return Pick(rng_, kLiterals);
      case 2:
        return Expr(scope, depth + 1, allow_subquery) + " " + Pick(rng_, kOperators) + " " +
               Expr(scope, depth + 1, allow_subquery);
      case 3:
        return "CAST(" + Expr(scope, depth + 1, allow_subquery) + " AS " + Pick(rng_, kTypes) + ")";
      case 4:
        return "CASE WHEN " + Predicate(scope, depth + 1) + " THEN " +
               Expr(scope, depth + 1, allow_subquery) + " ELSE " +
               Expr(scope, depth + 1, allow_subquery) + " END";
      case 5:
        return Pick(rng_, kScalarFunctions) + "(" + Expr(scope, depth + 1, allow_subquery) + ")";
      case 6:
        if (allow_subquery && depth < 3) {
          std::vector<std::string> saved = columns_;
          std::string sub = "(" + SimpleQuery(depth + 1, 1) + ")";
          columns_ = saved;
          return sub;
        }
        return Pick(rng_, scope);
      default:
        return Fill(rng_, Pick(rng_, kExpressionTemplates), Pick(rng_, scope));
    }
  }

  std::string Predicate(const std::vector<std::string>& scope, int depth) {
    int choice = std::uniform_int_distribution<int>(0, depth > 3 ? 1 : 5)(rng_);
    switch (choice) {
      case 0:
        return Pick(rng_, scope) + " IS NULL";
      case 1:
        return Pick(rng_, scope) + " " + Pick(rng_, kOperators) + " " + Pick(rng_, kLiterals);
      case 2:
        return Predicate(scope, depth + 1) + (Chance(rng_, 2) ? " AND " : " OR ") +
               Predicate(scope, depth + 1);
      case 3:
        return "NOT (" + Predicate(scope, depth + 1) + ")";
      case 4: {
        std::vector<std::string> saved = columns_;
        std::string sub = (Chance(rng_, 2) ? "EXISTS (" : Pick(rng_, scope) + " IN (") +
                          SimpleQuery(depth + 1, 1) + ")";
        columns_ = saved;
        return sub;
      }
      default:
        return Pick(rng_, scope) + " BETWEEN " + Pick(rng_, kLiterals) + " AND " +
               Pick(rng_, kLiterals);
    }
  }

  Rng& rng_;
  std::vector<std::string> columns_;
};

struct Span {
  int begin, end;  // byte offsets
};

class Mutator {
 public:
  Mutator(std::string text, Rng& rng) : text_(std::move(text)), rng_(rng) {}

  const std::string& text() const { return text_; }

  // One mutation; false when none applied.
  bool MutateOnce(const std::string& other) {
    Lex();
    switch (std::uniform_int_distribution<int>(0, 9)(rng_)) {
      case 0:
      case 1:
      case 2:
        return ReplaceToken();
      case 3:
      case 4:
        return WrapPrimary();
      case 5:
        return SwapSpans(other);
      case 6:
        return AppendListItem();
      case 7:
        return WrapStatement();
      case 8:
        return ReplaceWithGenerated();
      default:
        return DeleteTokens();
    }
  }

 private:
  void Lex() {
    std::string error;
    int position = -1;
    tokens_ = TokenizeLenient(text_, &error, &position);
    if (!tokens_.empty() && tokens_.back().type == TokenType::kEnd) tokens_.pop_back();
    spans_.clear();
    std::vector<size_t> open;
    for (size_t i = 0; i < tokens_.size(); i++) {
      if (tokens_[i].type != TokenType::kOperator) continue;
      if (tokens_[i].text == "(") open.push_back(i);
      if (tokens_[i].text == ")" && !open.empty()) {
        spans_.push_back({tokens_[open.back()].position, tokens_[i].end});
        open.pop_back();
      }
    }
  }

  void Replace(int begin, int end, const std::string& with) {
    text_ =
        text_.substr(0, static_cast<size_t>(begin)) + with + text_.substr(static_cast<size_t>(end));
  }

  bool IsPrimary(size_t i) const {
    const Token& token = tokens_[i];
    switch (token.type) {
      case TokenType::kString:
      case TokenType::kInteger:
      case TokenType::kDecimal:
      case TokenType::kDouble:
      case TokenType::kQuotedIdentifier:
        return true;
      case TokenType::kWord: {
        bool call = i + 1 < tokens_.size() && tokens_[i + 1].text == "(";
        return !call && !IsReservedWord(Upper(token.text));
      }
      default:
        return false;
    }
  }

  std::vector<size_t> Indexes(bool (Mutator::*keep)(size_t) const) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < tokens_.size(); i++)
      if ((this->*keep)(i)) out.push_back(i);
    return out;
  }

  bool ReplaceToken() {
    if (tokens_.empty()) return false;
    const Token& token = Pick(rng_, tokens_);
    std::string upper = Upper(token.text);
    size_t i = static_cast<size_t>(&token - tokens_.data());
    std::string with;
    bool call = i + 1 < tokens_.size() && tokens_[i + 1].text == "(";
    bool after_type_position =
        i > 0 && (Upper(tokens_[i - 1].text) == "AS" || tokens_[i - 1].text == "::");
    switch (token.type) {
      case TokenType::kString:
      case TokenType::kInteger:
      case TokenType::kDecimal:
      case TokenType::kDouble:
        with = Pick(rng_, kLiterals);
        break;
      case TokenType::kOperator:
        if (std::find(kOperators.begin(), kOperators.end(), token.text) == kOperators.end())
          return false;
        with = Pick(rng_, kOperators);
        break;
      case TokenType::kQuotedIdentifier:
        with = RandomColumn(rng_);
        break;
      case TokenType::kWord: {
        for (const auto& cls : kKeywordClasses) {
          if (std::find(cls.begin(), cls.end(), upper) != cls.end()) {
            with = Pick(rng_, cls);
            break;
          }
        }
        if (!with.empty()) break;
        if (call) {
          with = Chance(rng_, 2) ? Pick(rng_, kScalarFunctions) : Pick(rng_, kAggregates);
        } else if (after_type_position && !IsPrimary(i)) {
          with = Pick(rng_, kTypes);
        } else if (IsReservedWord(upper)) {
          return false;
        } else if (Chance(rng_, 4)) {
          with = Pick(rng_, Tables()).name;
        } else if (Chance(rng_, 3)) {
          // Another identifier of the input.
          const Token& word = tokens_[Pick(rng_, Indexes(&Mutator::IsPrimary))];
          with = word.type == TokenType::kWord ? word.text : RandomColumn(rng_);
        } else {
          with = RandomColumn(rng_);
        }
        break;
      }
      default:
        return false;
    }
    Replace(token.position, token.end, with);
    return true;
  }

  bool WrapPrimary() {
    auto primaries = Indexes(&Mutator::IsPrimary);
    if (primaries.empty()) return false;
    const Token& token = tokens_[Pick(rng_, primaries)];
    std::string x = text_.substr(static_cast<size_t>(token.position),
                                 static_cast<size_t>(token.end - token.position));
    Replace(token.position, token.end, Fill(rng_, Pick(rng_, kExpressionTemplates), x));
    return true;
  }

 public:
  // Replaces a parenthesized subtree by one of `other`'s.
  bool SpliceFrom(const std::string& other) {
    Lex();
    return SwapSpans(other, true);
  }

 private:
  // Swaps two parenthesized subtrees, copies one over another, or puts one of `other`'s there
  // (always when `from_other`).
  bool SwapSpans(const std::string& other, bool from_other = false) {
    if (spans_.empty()) return false;
    Span a = Pick(rng_, spans_);
    std::string a_text =
        text_.substr(static_cast<size_t>(a.begin), static_cast<size_t>(a.end - a.begin));
    if (!other.empty() && (from_other || Chance(rng_, 2))) {
      Mutator donor(other, rng_);
      donor.Lex();
      if (donor.spans_.empty()) return false;
      Span d = Pick(rng_, donor.spans_);
      Replace(a.begin, a.end,
              other.substr(static_cast<size_t>(d.begin), static_cast<size_t>(d.end - d.begin)));
      return true;
    }
    Span b = Pick(rng_, spans_);
    std::string b_text =
        text_.substr(static_cast<size_t>(b.begin), static_cast<size_t>(b.end - b.begin));
    bool disjoint = a.end <= b.begin || b.end <= a.begin;
    if (disjoint && Chance(rng_, 2)) {
      if (a.begin > b.begin) std::swap(a, b), std::swap(a_text, b_text);
      Replace(b.begin, b.end, a_text);
      Replace(a.begin, a.end, b_text);
    } else {
      Replace(a.begin, a.end, b_text);  // nested: a subtree replaced by its own part or parent
    }
    return true;
  }

  bool AppendListItem() {
    std::vector<size_t> commas;
    for (size_t i = 0; i < tokens_.size(); i++)
      if (tokens_[i].text == "," && tokens_[i].type == TokenType::kOperator) commas.push_back(i);
    if (commas.empty()) return false;
    const Token& comma = tokens_[Pick(rng_, commas)];
    Replace(comma.end, comma.end,
            " " + Fill(rng_, Pick(rng_, kExpressionTemplates), RandomColumn(rng_)) + ",");
    return true;
  }

  bool WrapStatement() {
    std::string s = text_;
    while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back()))))
      s.pop_back();
    if (s.empty()) return false;
    // The holes first: the input's text is never read as a template.
    std::string tmpl = Fill(rng_, Pick(rng_, kStatementTemplates), "");
    std::string out;
    for (size_t i = 0; i < tmpl.size(); i++) {
      if (tmpl[i] == 'S' && (i == 0 || !std::isalnum(static_cast<unsigned char>(tmpl[i - 1]))) &&
          (i + 1 == tmpl.size() || !std::isalnum(static_cast<unsigned char>(tmpl[i + 1]))))
        out += s;
      else
        out += tmpl[i];
    }
    text_ = out;
    return true;
  }

  bool ReplaceWithGenerated() {
    Generator generator(rng_);
    std::vector<Span> subqueries;
    for (const Span& span : spans_) {
      size_t inner = text_.find_first_not_of(" \t\n(", static_cast<size_t>(span.begin));
      if (inner != std::string::npos && Upper(text_.substr(inner, 6)) == "SELECT")
        subqueries.push_back(span);
    }
    if (!subqueries.empty() && Chance(rng_, 2)) {
      Span s = Pick(rng_, subqueries);
      Replace(s.begin, s.end, "(" + generator.Query(1, 1) + ")");
    } else {
      text_ = generator.Query(0);
    }
    return true;
  }

  bool DeleteTokens() {
    if (tokens_.empty()) return false;
    if (!spans_.empty() && Chance(rng_, 2)) {
      Span s = Pick(rng_, spans_);
      Replace(s.begin, s.end, "");
      return true;
    }
    size_t first = std::uniform_int_distribution<size_t>(0, tokens_.size() - 1)(rng_);
    size_t last =
        std::min(tokens_.size() - 1, first + std::uniform_int_distribution<size_t>(0, 3)(rng_));
    Replace(tokens_[first].position, tokens_[last].end, "");
    return true;
  }

  std::string text_;
  Rng& rng_;
  std::vector<Token> tokens_;
  std::vector<Span> spans_;
};

size_t Emit(const std::string& text, uint8_t* data, size_t max_size) {
  size_t n = std::min(text.size(), max_size);
  std::memcpy(data, text.data(), n);
  return n;
}

std::string Mutate(const std::string& input, const std::string& other, unsigned int seed) {
  Rng rng(seed);
  Mutator mutator(input, rng);
  int steps = std::uniform_int_distribution<int>(1, 3)(rng);
  // Inputs past 4096 bytes are not run: stop growing there.
  for (int i = 0, tries = 0; i < steps && tries < 10 && mutator.text().size() <= 4096; tries++)
    if (mutator.MutateOnce(other)) i++;
  std::string out = mutator.text();
  if (out == input || out.empty()) {
    Generator generator(rng);
    out = generator.Query(0);
  }
  return out;
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  if (seed % 8 == 0) return LLVMFuzzerMutate(data, size, max_size);
  std::string input(reinterpret_cast<const char*>(data), size);
  return Emit(Mutate(input, "", seed), data, max_size);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  std::string a(reinterpret_cast<const char*>(data1), size1);
  std::string b(reinterpret_cast<const char*>(data2), size2);
  Rng rng(seed);
  Mutator mutator(a, rng);
  if (!mutator.SpliceFrom(b)) (void)mutator.MutateOnce(b);
  return Emit(mutator.text(), out, max_out_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string sql(aishell::fuzz::AsText(data, size));
  aishell::fuzz::CheckFrontEnd(sql);
  aishell::fuzz::RunQueries(sql);
  return 0;
}
