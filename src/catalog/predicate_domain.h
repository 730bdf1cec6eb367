// Predicate domains for pushdown (Trino's TupleDomain): a filter over a table's columns turned
// into, per column, the values it allows (sorted disjoint ranges, points being ranges [v, v])
// and whether NULL passes; plus the conjuncts that this cannot express exactly. Connectors use
// it to prune (Parquet row groups and pages, Iceberg manifests and data files) and to accept the
// conjuncts captured exactly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/value.h"
#include "expr/expression.h"

namespace aishell {

// One bound of a range; `value` unset means unbounded on that side.
struct RangeBound {
  std::optional<Value> value;
  bool inclusive = false;
};

// A non-empty interval of non-null values of one type.
struct ValueRange {
  RangeBound low, high;

  static ValueRange All();
  static ValueRange Point(const Value& v);
  bool IsPoint() const;
  bool Contains(const Value& v) const;
  std::string ToString() const;
};

// The values a column may take: a sorted list of disjoint ranges over non-null values, plus
// whether NULL is allowed. All values are of the column's type.
class Domain {
 public:
  Domain() = default;  // none: nothing passes
  static Domain All();
  static Domain None();
  static Domain OnlyNull();
  static Domain NotNull();
  static Domain Of(std::vector<ValueRange> ranges, bool null_allowed);
  static Domain Points(const std::vector<Value>& values, bool null_allowed = false);
  // `column <op> constant` for op = <> < <= > >= (NULL constants: none); IS [NOT] DISTINCT FROM
  // includes the NULL handling. nullopt for a NaN constant.
  static std::optional<Domain> FromComparison(CompareOp op, const Value& constant);

  const std::vector<ValueRange>& ranges() const { return ranges_; }
  bool null_allowed() const { return null_allowed_; }
  bool IsAll() const;
  bool IsNone() const { return ranges_.empty() && !null_allowed_; }
  bool IsOnlyNull() const { return ranges_.empty() && null_allowed_; }
  // Every range is a single value (an IN list): the values, else nullopt.
  std::optional<std::vector<Value>> PointValues() const;

  Domain Intersect(const Domain& other) const;
  Domain Union(const Domain& other) const;
  Domain Complement() const;  // of the values and of the null-ness

  bool Contains(const Value& v) const;  // NULL: null_allowed
  // Whether a set of non-null values spanning [lo, hi] (inclusive; unset = unknown) may hold a
  // value of the domain. Bounds of another type that do not compare with the domain's values
  // (after schema evolution) answer true.
  bool Overlaps(const std::optional<Value>& lo, const std::optional<Value>& hi) const;
  // Whether a chunk with those bounds, that may hold NULLs and may hold non-null values, may hold
  // a row of the domain.
  bool MayMatch(const std::optional<Value>& lo, const std::optional<Value>& hi, bool may_have_null,
                bool may_have_non_null = true) const;

  bool operator==(const Domain& other) const;
  std::string ToString() const;  // e.g. "[1, 5) OR {7} OR NULL"; "ALL"; "NONE"

 private:
  void Normalize();  // sort and merge overlapping or touching ranges
  std::vector<ValueRange> ranges_;
  bool null_allowed_ = false;
};

// Column index (TableInfo::columns) -> Domain; a column not listed is unconstrained. `none`
// means no row passes.
class TupleDomain {
 public:
  TupleDomain() = default;  // all
  static TupleDomain All() { return {}; }
  static TupleDomain None();
  static TupleDomain Of(int column, Domain domain);

  bool IsAll() const { return !none_ && domains_.empty(); }
  bool IsNone() const { return none_; }
  const std::map<int, Domain>& domains() const { return domains_; }
  // The domain of a column (All when unconstrained, None when the tuple domain is none).
  Domain Get(int column) const;

  TupleDomain Intersect(const TupleDomain& other) const;
  // Column-wise union: a column constrained on only one side becomes unconstrained, so the
  // result is a superset of the union unless both sides constrain the same single column.
  TupleDomain Union(const TupleDomain& other) const;
  std::string ToString(const std::vector<std::string>* names = nullptr) const;

 private:
  bool none_ = false;
  std::map<int, Domain> domains_;
};

// The result of reading a filter (a list of conjuncts) as a tuple domain.
struct DomainExtraction {
  // A superset of the rows passing the filter: rows outside it never pass.
  TupleDomain domain;
  // Per input conjunct: whether `domain` expresses it exactly (a connector applying `domain`
  // may accept it), rather than only a superset of it (prune with it, then re-apply it).
  std::vector<bool> exact;
  // The conjuncts not captured exactly, to be applied on the rows.
  std::vector<ExprPtr> remainder;
};

// What is captured: `col op const` and `const op col` (= <> < <= > >=, IS [NOT] DISTINCT FROM),
// IS [NOT] NULL, [NOT] IN lists of constants, AND, OR (a union; exact only over one column),
// NOT (pushed down to the leaves), casts of a column that keep order and equality (INTEGER ->
// BIGINT/DOUBLE/wide DECIMAL, BIGINT -> DOUBLE for constants below 2^53, DECIMAL -> wider DECIMAL,
// DATE -> TIMESTAMP; constants are turned into exact bounds of the column's type, e.g. INTEGER
// x < 2.5 is x <= 2), and LIKE 'prefix...' as a superset range. Column refs index a table of
// `column_count` columns with the given types.
DomainExtraction ExtractDomain(const std::vector<ExprPtr>& conjuncts,
                               const std::vector<LogicalType>& column_types);
DomainExtraction ExtractDomain(const ExprPtr& filter, const std::vector<LogicalType>& column_types);

// One conjunct (as offered to TableScan::PushFilter): the domain of the rows passing it (All when
// nothing is captured) and whether it is exact.
struct ConjunctDomain {
  TupleDomain domain;
  bool exact = false;
};
ConjunctDomain ExtractConjunctDomain(const Expr& conjunct,
                                     const std::vector<LogicalType>& column_types);

}  // namespace aishell
