// One translator of engine expressions (pushed filters, join conditions) to the SQL sent to a
// remote database, shared by the PostgreSQL and SQLite connectors. What differs between them is a
// small dialect hook: how a literal is written (inline and escaped, or bound as a parameter),
// which columns compare like the engine, collations, ILIKE and LIKE's default escape.
//
// Everything the translator writes is either an identifier quoted by the dialect, a literal the
// dialect escaped or bound, or fixed SQL text: no data value or name can inject SQL. An expression
// it cannot translate exactly is refused (Translate returns false) and stays in the engine.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/connector.h"
#include "common/value.h"

namespace aishell {

struct Expr;

// "a\"b" -> "\"a\"\"b\"" (standard SQL; NUL bytes are dropped: no identifier can hold one).
std::string QuoteSqlIdentifier(std::string_view name);
// 'it''s' (standard SQL, quotes doubled, backslashes as is). False for text holding a NUL byte.
bool QuoteSqlString(std::string_view text, std::string* out);
// PostgreSQL: 'it''s', or E'back\\slash' when the text holds a backslash, which reads the same
// whatever standard_conforming_strings says. False for text holding a NUL byte.
bool QuotePgString(std::string_view text, std::string* out);

class SqlDialect {
 public:
  virtual ~SqlDialect() = default;

  virtual std::string QuoteIdentifier(std::string_view name) const {
    return QuoteSqlIdentifier(name);
  }
  // Appends a literal for `value` compared with a column of `column_type` (inline, or a
  // placeholder with the value added to `params`). False when it cannot be written exactly.
  virtual bool Literal(const Value& value, const LogicalType& column_type, std::string* sql,
                       std::vector<Value>* params) const = 0;
  // Whether comparisons, IN and LIKE on this column agree with the engine (`ordering`: <, <=, >,
  // >=, ORDER BY).
  virtual bool Comparable(const ColumnInfo& column, bool ordering) const = 0;
  // Whether two columns may be compared with each other.
  virtual bool CompatibleColumns(const ColumnInfo& a, const ColumnInfo& b) const {
    return a.type == b.type;
  }
  // Appended to a column compared for ordering (e.g. ` COLLATE "C"` for byte order).
  virtual std::string OrderingSuffix(const LogicalType& type) const { return {}; }
  virtual const char* IsDistinctFrom() const { return " IS DISTINCT FROM "; }
  virtual const char* IsNotDistinctFrom() const { return " IS NOT DISTINCT FROM "; }
  // Whether ILIKE with this pattern folds case like the engine.
  virtual bool SupportsILike(std::string_view pattern) const { return false; }
  // The ESCAPE clause written when a LIKE has none ("" for none). Trino's LIKE has no default
  // escape character; PostgreSQL's is '\'.
  virtual std::string DefaultLikeEscape() const { return {}; }
  // Whether every predicate is wrapped in parentheses: (a = 1) AND (b IS NULL).
  virtual bool ParenthesizePredicates() const { return false; }
  // A condition that always holds (an ON clause without conditions).
  virtual const char* TrueLiteral() const { return "TRUE"; }
};

// Translates expressions over a relation's columns; `column_sql(i)` renders column i (quoted,
// qualified or cast as the caller needs).
class SqlTranslator {
 public:
  SqlTranslator(const SqlDialect& dialect, const std::vector<ColumnInfo>& columns,
                std::function<std::string(int)> column_sql)
      : dialect_(dialect), columns_(columns), column_sql_(std::move(column_sql)) {}

  // Appends the SQL of a boolean expression; false (and nothing appended) if it cannot be
  // translated exactly.
  bool Translate(const Expr& expr, std::string* sql, std::vector<Value>* params) const;
  // Column i as it is compared (with the ordering suffix when `ordering`).
  std::string Column(int index, bool ordering = false) const;

 private:
  const ColumnInfo* ColumnOf(const Expr& e) const;
  bool Operand(const Expr& e, const ColumnInfo* other, const LogicalType& type, bool ordering,
               std::string* sql, std::vector<Value>* params) const;
  bool TranslateInto(const Expr& e, std::string* sql, std::vector<Value>* params) const;
  std::string Wrap(const std::string& s) const;

  const SqlDialect& dialect_;
  const std::vector<ColumnInfo>& columns_;
  std::function<std::string(int)> column_sql_;
};

// Whether `expr` holds a LIKE (SQLite switches case_sensitive_like on for those).
bool ContainsLike(const Expr& expr);

}  // namespace aishell
