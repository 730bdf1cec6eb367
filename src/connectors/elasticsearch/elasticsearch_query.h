// WHERE conjuncts as Elasticsearch query DSL, only where Elasticsearch's answer is SQL's: `=`
// and IN as term/terms on keyword, numeric, boolean and date fields (a text field through its
// keyword sub-field), ranges as range, IS [NOT] NULL as exists, LIKE as prefix or wildcard on
// keyword fields, match(column, 'text') as a full-text match query, contains(array, x) as a term
// on the array's field (a term matches any element), any_match(nested, x -> p(x.f)) and
// contains(transform(nested, x -> x.f), v) as `nested` queries on the nested field, AND/OR/NOT (a
// negated leaf also requires the field to exist, since SQL's NOT never matches NULL). Literals are
// written by a JSON writer (AppendJsonValue), never spliced text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/value.h"
#include "connectors/elasticsearch/elasticsearch_schema.h"
#include "expr/expression.h"

namespace aishell {

// `value` as a JSON value for a field of `field`'s type: numbers as numbers, booleans, text as
// strings, timestamps as epoch milliseconds. False when it has no exact form (a timestamp with
// sub-millisecond digits, NaN).
bool AppendJsonValue(const Value& value, std::string* out);

class EsQueryBuilder {
 public:
  explicit EsQueryBuilder(const EsTable& table) : table_(table) {}
  // Inside a lambda over the elements of a nested field (any_match(items, x -> ...)): column 0
  // is one element of `element` (a ROW), whose fields are queried inside a `nested` query.
  EsQueryBuilder(const EsTable& table, const EsField* element) : table_(table), element_(element) {}

  // The query clause for `conjunct` (one JSON object), or nullopt when it cannot be pushed exactly.
  std::optional<std::string> Translate(const Expr& conjunct) const;

  // The field a column or ROW field access names, or nullptr. Only plain (not ARRAY, not nested)
  // fields reached through objects.
  const EsField* FieldOf(const Expr& e) const;

  // What can be pushed on a field.
  // term/terms/range/exists on the field itself.
  static bool Exact(const EsField& f);
  // Sorts and composite terms: doc values, exact.
  static bool Sortable(const EsField& f);
  // Terms lookups by key.
  static bool KeyLookupField(const EsField& f);
  // The field a term on this literal goes to, or nullptr. `element`: the literal is compared with
  // the elements of an array field (contains()).
  static const std::string* TermField(const EsField& f, const Value& literal, bool element = false);

  // Whether `e` is a match(column, 'text') call (full text: pushed into a scoring context).
  static bool IsMatch(const Expr& e);

  // {"terms": {field: [values]}} for the non-null values of `values`; nullopt if one has no
  // exact form or the field is not exact.
  std::optional<std::string> Terms(const EsField& f, const Vector& values, size_t count) const;

 private:
  std::optional<std::string> Build(const Expr& e, bool negate) const;
  std::optional<std::string> Comparison(const Expr& e, bool negate) const;
  std::optional<std::string> In(const Expr& e, bool negate) const;
  std::optional<std::string> Like(const Expr& e, bool negate) const;
  std::optional<std::string> Match(const Expr& e, bool negate) const;
  std::optional<std::string> Contains(const Expr& e, bool negate) const;
  std::optional<std::string> AnyMatch(const Expr& e, bool negate) const;
  // The nested field a lambda call (any_match, transform) iterates, with no captured columns.
  const EsField* NestedOf(const Expr& call) const;

  const EsTable& table_;
  const EsField* element_ = nullptr;
};

// {"bool": {"filter": [clauses]}} (match_all when empty).
std::string EsBoolFilter(const std::vector<std::string>& clauses);

// A SQL LIKE pattern as a prefix (true with `prefix` set when the pattern is `text%` with no
// other wildcard) or an Elasticsearch wildcard pattern; false when the escape is invalid.
bool LikeToEsPattern(const std::string& pattern, int escape, bool* is_prefix, std::string* out);

}  // namespace aishell
