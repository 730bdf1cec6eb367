#include "catalog/predicate_domain.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/date_time.h"
#include "common/pow10.h"

namespace aishell {

namespace {

// Whether two non-null values can be ordered against each other by Value::Compare.
bool Comparable(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return false;
  if (a.type().IsNumeric() && b.type().IsNumeric()) return true;
  return a.type().id == b.type().id;
}

// Orders two low bounds: unbounded first; at one value an inclusive bound starts earlier.
int CompareLow(const RangeBound& a, const RangeBound& b) {
  if (!a.value || !b.value) return a.value ? 1 : (b.value ? -1 : 0);
  int c = a.value->Compare(*b.value);
  if (c != 0) return c;
  if (a.inclusive == b.inclusive) return 0;
  return a.inclusive ? -1 : 1;
}

// Orders two high bounds: unbounded last; at one value an inclusive bound ends later.
int CompareHigh(const RangeBound& a, const RangeBound& b) {
  if (!a.value || !b.value) return a.value ? -1 : (b.value ? 1 : 0);
  int c = a.value->Compare(*b.value);
  if (c != 0) return c;
  if (a.inclusive == b.inclusive) return 0;
  return a.inclusive ? 1 : -1;
}

bool Empty(const ValueRange& r) {
  if (!r.low.value || !r.high.value) return false;
  int c = r.low.value->Compare(*r.high.value);
  return c > 0 || (c == 0 && !(r.low.inclusive && r.high.inclusive));
}

// Whether a range ending at `high` overlaps or touches one starting at `low` (low >= start).
bool Touches(const RangeBound& high, const RangeBound& low) {
  if (!high.value || !low.value) return true;
  int c = high.value->Compare(*low.value);
  return c > 0 || (c == 0 && (high.inclusive || low.inclusive));
}

std::string BoundText(const RangeBound& b) { return b.value ? b.value->ToSqlLiteral() : ""; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// ValueRange

ValueRange ValueRange::All() { return {}; }

ValueRange ValueRange::Point(const Value& v) {
  ValueRange r;
  r.low = {v, true};
  r.high = {v, true};
  return r;
}

bool ValueRange::IsPoint() const {
  return low.value && high.value && low.inclusive && high.inclusive &&
         low.value->Compare(*high.value) == 0;
}

bool ValueRange::Contains(const Value& v) const {
  if (v.is_null()) return false;
  if (low.value) {
    int c = v.Compare(*low.value);
    if (c < 0 || (c == 0 && !low.inclusive)) return false;
  }
  if (high.value) {
    int c = v.Compare(*high.value);
    if (c > 0 || (c == 0 && !high.inclusive)) return false;
  }
  return true;
}

std::string ValueRange::ToString() const {
  if (IsPoint()) return "{" + low.value->ToSqlLiteral() + "}";
  return std::string(low.value && low.inclusive ? "[" : "(") + BoundText(low) + ", " +
         BoundText(high) + (high.value && high.inclusive ? "]" : ")");
}

// ---------------------------------------------------------------------------------------------
// Domain

Domain Domain::All() { return Of({ValueRange::All()}, true); }
Domain Domain::None() { return {}; }
Domain Domain::OnlyNull() { return Of({}, true); }
Domain Domain::NotNull() { return Of({ValueRange::All()}, false); }

Domain Domain::Of(std::vector<ValueRange> ranges, bool null_allowed) {
  Domain d;
  d.ranges_ = std::move(ranges);
  d.null_allowed_ = null_allowed;
  d.Normalize();
  return d;
}

Domain Domain::Points(const std::vector<Value>& values, bool null_allowed) {
  std::vector<ValueRange> ranges;
  for (const auto& v : values) {
    if (!v.is_null()) ranges.push_back(ValueRange::Point(v));
  }
  return Of(std::move(ranges), null_allowed);
}

std::optional<Domain> Domain::FromComparison(CompareOp op, const Value& c) {
  if (c.is_null()) {
    if (op == CompareOp::kIsNotDistinctFrom) return OnlyNull();
    if (op == CompareOp::kIsDistinctFrom) return NotNull();
    return None();
  }
  if (c.type().id == TypeId::kDouble && std::isnan(c.GetDouble())) return std::nullopt;
  ValueRange r;
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIsNotDistinctFrom:
      return Points({c});
    case CompareOp::kNe:
      return Points({c}).Complement().Intersect(NotNull());
    case CompareOp::kIsDistinctFrom:
      return Points({c}).Complement();
    case CompareOp::kLt:
    case CompareOp::kLe:
      r.high = {c, op == CompareOp::kLe};
      break;
    case CompareOp::kGt:
    case CompareOp::kGe:
      r.low = {c, op == CompareOp::kGe};
      break;
  }
  return Of({r}, false);
}

bool Domain::IsAll() const {
  return null_allowed_ && ranges_.size() == 1 && !ranges_[0].low.value && !ranges_[0].high.value;
}

std::optional<std::vector<Value>> Domain::PointValues() const {
  std::vector<Value> out;
  for (const auto& r : ranges_) {
    if (!r.IsPoint()) return std::nullopt;
    out.push_back(*r.low.value);
  }
  return out;
}

void Domain::Normalize() {
  ranges_.erase(std::remove_if(ranges_.begin(), ranges_.end(), Empty), ranges_.end());
  std::sort(ranges_.begin(), ranges_.end(),
            [](const ValueRange& a, const ValueRange& b) { return CompareLow(a.low, b.low) < 0; });
  std::vector<ValueRange> merged;
  for (auto& r : ranges_) {
    if (!merged.empty() && Touches(merged.back().high, r.low)) {
      if (CompareHigh(r.high, merged.back().high) > 0) merged.back().high = r.high;
    } else {
      merged.push_back(std::move(r));
    }
  }
  ranges_ = std::move(merged);
}

Domain Domain::Intersect(const Domain& other) const {
  std::vector<ValueRange> out;
  for (const auto& a : ranges_) {
    for (const auto& b : other.ranges_) {
      ValueRange r;
      r.low = CompareLow(a.low, b.low) >= 0 ? a.low : b.low;
      r.high = CompareHigh(a.high, b.high) <= 0 ? a.high : b.high;
      if (!Empty(r)) out.push_back(std::move(r));
    }
  }
  return Of(std::move(out), null_allowed_ && other.null_allowed_);
}

Domain Domain::Union(const Domain& other) const {
  std::vector<ValueRange> all = ranges_;
  all.insert(all.end(), other.ranges_.begin(), other.ranges_.end());
  return Of(std::move(all), null_allowed_ || other.null_allowed_);
}

Domain Domain::Complement() const {
  std::vector<ValueRange> out;
  RangeBound from;  // unbounded
  bool open = true;
  for (const auto& r : ranges_) {
    if (r.low.value) {
      ValueRange gap;
      gap.low = from;
      gap.high = {r.low.value, !r.low.inclusive};
      if (open) out.push_back(gap);
    }
    if (!r.high.value) {
      open = false;
      break;
    }
    from = {r.high.value, !r.high.inclusive};
  }
  if (open) {
    ValueRange tail;
    tail.low = from;
    out.push_back(tail);
  }
  return Of(std::move(out), !null_allowed_);
}

bool Domain::Contains(const Value& v) const {
  if (v.is_null()) return null_allowed_;
  for (const auto& r : ranges_) {
    if (r.Contains(v)) return true;
  }
  return false;
}

bool Domain::Overlaps(const std::optional<Value>& lo, const std::optional<Value>& hi) const {
  for (const auto& r : ranges_) {
    if (lo && r.high.value) {
      if (!Comparable(*lo, *r.high.value)) return true;
      int c = r.high.value->Compare(*lo);
      if (c < 0 || (c == 0 && !r.high.inclusive)) continue;
    }
    if (hi && r.low.value) {
      if (!Comparable(*hi, *r.low.value)) return true;
      int c = r.low.value->Compare(*hi);
      if (c > 0 || (c == 0 && !r.low.inclusive)) continue;
    }
    return true;
  }
  return false;
}

bool Domain::MayMatch(const std::optional<Value>& lo, const std::optional<Value>& hi,
                      bool may_have_null, bool may_have_non_null) const {
  if (may_have_null && null_allowed_) return true;
  return may_have_non_null && Overlaps(lo, hi);
}

bool Domain::operator==(const Domain& other) const {
  if (null_allowed_ != other.null_allowed_ || ranges_.size() != other.ranges_.size()) return false;
  auto same = [](const RangeBound& a, const RangeBound& b) {
    if (a.value.has_value() != b.value.has_value()) return false;
    return !a.value || (a.inclusive == b.inclusive && *a.value == *b.value);
  };
  for (size_t i = 0; i < ranges_.size(); i++) {
    if (!same(ranges_[i].low, other.ranges_[i].low) ||
        !same(ranges_[i].high, other.ranges_[i].high))
      return false;
  }
  return true;
}

std::string Domain::ToString() const {
  if (IsAll()) return "ALL";
  if (IsNone()) return "NONE";
  std::string s;
  for (const auto& r : ranges_) s += (s.empty() ? "" : " OR ") + r.ToString();
  if (null_allowed_) s += s.empty() ? "NULL" : " OR NULL";
  return s;
}

// ---------------------------------------------------------------------------------------------
// TupleDomain

TupleDomain TupleDomain::None() {
  TupleDomain t;
  t.none_ = true;
  return t;
}

TupleDomain TupleDomain::Of(int column, Domain domain) {
  TupleDomain t;
  if (domain.IsNone()) return None();
  if (!domain.IsAll()) t.domains_[column] = std::move(domain);
  return t;
}

Domain TupleDomain::Get(int column) const {
  if (none_) return Domain::None();
  auto it = domains_.find(column);
  return it == domains_.end() ? Domain::All() : it->second;
}

TupleDomain TupleDomain::Intersect(const TupleDomain& other) const {
  if (none_ || other.none_) return None();
  TupleDomain t = *this;
  for (const auto& [column, d] : other.domains_) {
    auto it = t.domains_.find(column);
    if (it == t.domains_.end()) {
      t.domains_[column] = d;
      continue;
    }
    it->second = it->second.Intersect(d);
    if (it->second.IsNone()) return None();
  }
  return t;
}

TupleDomain TupleDomain::Union(const TupleDomain& other) const {
  if (none_) return other;
  if (other.none_) return *this;
  TupleDomain t;
  for (const auto& [column, d] : domains_) {
    auto it = other.domains_.find(column);
    if (it == other.domains_.end()) continue;
    Domain u = d.Union(it->second);
    if (!u.IsAll()) t.domains_[column] = std::move(u);
  }
  return t;
}

std::string TupleDomain::ToString(const std::vector<std::string>* names) const {
  if (none_) return "NONE";
  if (domains_.empty()) return "ALL";
  std::string s;
  for (const auto& [column, d] : domains_) {
    std::string name = names && column < static_cast<int>(names->size())
                           ? (*names)[column]
                           : "#" + std::to_string(column);
    s += (s.empty() ? "" : " AND ") + name + " IN " + d.ToString();
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Extraction

namespace {

// A column, possibly under a cast that keeps order and equality: `type` is the column's type,
// `as` the type the expression compares in.
struct ColumnTerm {
  int column = -1;
  LogicalType type, as;
};

bool OrderPreservingCast(const LogicalType& from, const LogicalType& to) {
  switch (from.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger: {
      int digits = DecimalForIntegral(from).precision;
      return (to.IsIntegral() && to.PhysicalSize() > from.PhysicalSize()) ||
             to.id == TypeId::kDouble ||
             (to.id == TypeId::kDecimal && to.precision - to.scale >= digits);
    }
    case TypeId::kBigInt:
      return to.id == TypeId::kDouble;  // only for constants below 2^53 (see FloorOf)
    case TypeId::kDecimal:
      return to.id == TypeId::kDecimal && to.scale >= from.scale &&
             to.precision - to.scale >= from.precision - from.scale;
    case TypeId::kDate:
      return to.id == TypeId::kTimestamp;
    default:
      return false;
  }
}

std::optional<ColumnTerm> AsColumn(const Expr& e, const std::vector<LogicalType>& types) {
  const Expr* x = &e;
  if (x->kind == ExprKind::kCast && x->children.size() == 1) x = x->children[0].get();
  if (x->kind != ExprKind::kColumnRef || x->column_index < 0 ||
      static_cast<size_t>(x->column_index) >= types.size() || x->type != types[x->column_index])
    return std::nullopt;
  // Types whose order Value::Compare gives as the engine compares them.
  switch (x->type.id) {
    case TypeId::kBoolean:
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kDecimal:
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kUuid:
    case TypeId::kTime:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      break;
    default:
      return std::nullopt;
  }
  ColumnTerm t{x->column_index, x->type, e.type};
  if (x != &e && t.type != t.as && !OrderPreservingCast(t.type, t.as)) return std::nullopt;
  return t;
}

// The largest value of `type` at most `c` (of a wider type), and whether it equals `c`.
struct Floor {
  enum class Where { kBelow, kIn, kAbove } where = Where::kIn;  // below/above every value
  Value value;
  bool exact = false;
};

int64_t FloorDiv(int64_t u, int64_t d, bool* exact) {
  int64_t q = u / d, r = u % d;
  if (r < 0) q--;
  *exact = r == 0;
  return q;
}

std::optional<Floor> FloorOf(const Value& c, const LogicalType& type) {
  Floor f;
  int64_t v = 0;
  int64_t min = 0, max = 0;
  if (type.IsLongDecimal() || c.type().IsLongDecimal()) return std::nullopt;
  switch (type.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      if (type.id == TypeId::kTinyInt) {
        min = std::numeric_limits<int8_t>::min();
        max = std::numeric_limits<int8_t>::max();
      } else if (type.id == TypeId::kSmallInt) {
        min = std::numeric_limits<int16_t>::min();
        max = std::numeric_limits<int16_t>::max();
      } else if (type.id == TypeId::kInteger) {
        min = std::numeric_limits<int32_t>::min();
        max = std::numeric_limits<int32_t>::max();
      } else {
        min = std::numeric_limits<int64_t>::min();
        max = std::numeric_limits<int64_t>::max();
      }
      if (c.type().IsIntegral()) {
        v = c.GetInt64();
        f.exact = true;
      } else if (c.type().id == TypeId::kDouble) {
        double d = c.GetDouble();
        constexpr double k2To53 = 9007199254740992.0;
        if (std::isnan(d) || std::fabs(d) >= k2To53) return std::nullopt;
        double fl = std::floor(d);
        v = static_cast<int64_t>(fl);
        f.exact = fl == d;
      } else if (c.type().id == TypeId::kDecimal) {
        v = FloorDiv(c.GetInt64(), Pow10(c.type().scale), &f.exact);
      } else {
        return std::nullopt;
      }
      break;
    case TypeId::kDecimal: {
      if (c.type().id != TypeId::kDecimal || c.type().scale < type.scale) return std::nullopt;
      v = FloorDiv(c.GetInt64(), Pow10(c.type().scale - type.scale), &f.exact);
      max = Pow10(type.precision) - 1;
      min = -max;
      break;
    }
    case TypeId::kDate:
      if (c.type().id != TypeId::kTimestamp) return std::nullopt;
      v = FloorDiv(c.GetInt64(), kMicrosPerDay, &f.exact);
      min = std::numeric_limits<int32_t>::min();
      max = std::numeric_limits<int32_t>::max();
      break;
    default:
      return std::nullopt;
  }
  if (v < min) {
    f.where = Floor::Where::kBelow;
    return f;
  }
  if (v > max) {
    f.where = Floor::Where::kAbove;
    return f;
  }
  switch (type.id) {
    case TypeId::kTinyInt:
      f.value = Value::TinyInt(static_cast<int8_t>(v));
      break;
    case TypeId::kSmallInt:
      f.value = Value::SmallInt(static_cast<int16_t>(v));
      break;
    case TypeId::kInteger:
      f.value = Value::Integer(static_cast<int32_t>(v));
      break;
    case TypeId::kBigInt:
      f.value = Value::BigInt(v);
      break;
    case TypeId::kDecimal:
      f.value = Value::Decimal(v, type.precision, type.scale);
      break;
    default:
      f.value = Value::Date(static_cast<int32_t>(v));
      break;
  }
  return f;
}

// `term <op> c`, with c of the term's comparison type, as a domain of the column's type.
std::optional<Domain> ComparisonDomain(CompareOp op, const ColumnTerm& term, const Value& c) {
  if (c.is_null()) return Domain::FromComparison(op, c);
  if (c.type() != term.as) return std::nullopt;
  if (term.type == term.as) return Domain::FromComparison(op, c);
  auto f = FloorOf(c, term.type);
  if (!f) return std::nullopt;
  if (f->where != Floor::Where::kIn) {
    bool below = f->where == Floor::Where::kBelow;
    // Every value of the column is above (below) c.
    bool all = false;
    switch (op) {
      case CompareOp::kEq:
      case CompareOp::kIsNotDistinctFrom:
        all = false;
        break;
      case CompareOp::kNe:
      case CompareOp::kIsDistinctFrom:
        all = true;
        break;
      case CompareOp::kLt:
      case CompareOp::kLe:
        all = !below;
        break;
      case CompareOp::kGt:
      case CompareOp::kGe:
        all = below;
        break;
    }
    if (op == CompareOp::kIsDistinctFrom) return Domain::All();
    return all ? Domain::NotNull() : Domain::None();
  }
  if (f->exact) return Domain::FromComparison(op, f->value);
  // c lies strictly between f and the next value of the column's type.
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIsNotDistinctFrom:
      return Domain::None();
    case CompareOp::kNe:
      return Domain::NotNull();
    case CompareOp::kIsDistinctFrom:
      return Domain::All();
    case CompareOp::kLt:
    case CompareOp::kLe:
      return Domain::FromComparison(CompareOp::kLe, f->value);
    case CompareOp::kGt:
    case CompareOp::kGe:
      return Domain::FromComparison(CompareOp::kGt, f->value);
  }
  return std::nullopt;
}

CompareOp Negate(CompareOp op) {
  switch (op) {
    case CompareOp::kIsDistinctFrom:
      return CompareOp::kIsNotDistinctFrom;
    case CompareOp::kIsNotDistinctFrom:
      return CompareOp::kIsDistinctFrom;
    default:
      return NegateCompareOp(op);
  }
}

// The smallest string above every string starting with `prefix`, or nullopt (none is).
std::optional<std::string> PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

struct Extracted {
  TupleDomain domain;
  bool exact = true;
};

class Extractor {
 public:
  explicit Extractor(const std::vector<LogicalType>& types) : types_(types) {}

  // The rows where `e` (negated: NOT e) is TRUE, or nullopt when not captured at all.
  std::optional<Extracted> Extract(const Expr& e, bool negate) const {
    switch (e.kind) {
      case ExprKind::kAnd:
      case ExprKind::kOr:
        return (e.kind == ExprKind::kAnd) != negate ? All(e, negate) : Any(e, negate);
      case ExprKind::kNot:
        if (e.children.size() != 1) return std::nullopt;
        return Extract(*e.children[0], !negate);
      case ExprKind::kConstant:
        if (e.type.id != TypeId::kBoolean) return std::nullopt;
        if (!e.value.is_null() && e.value.GetBool() != negate) return Extracted{};
        return Extracted{TupleDomain::None(), true};
      case ExprKind::kComparison:
        return Comparison(e, negate);
      case ExprKind::kIsNull:
      case ExprKind::kIsNotNull: {
        if (e.children.size() != 1) return std::nullopt;
        auto t = AsColumn(*e.children[0], types_);
        if (!t) return std::nullopt;
        bool is_null = (e.kind == ExprKind::kIsNull) != negate;
        return Extracted{
            TupleDomain::Of(t->column, is_null ? Domain::OnlyNull() : Domain::NotNull()), true};
      }
      case ExprKind::kIn:
        return In(e, negate);
      case ExprKind::kLike:
        return Like(e, negate);
      default:
        return std::nullopt;
    }
  }

 private:
  // A conjunction: the intersection of what its parts capture.
  std::optional<Extracted> All(const Expr& e, bool negate) const {
    std::optional<Extracted> out;
    bool exact = true;
    for (const auto& c : e.children) {
      auto x = Extract(*c, negate);
      if (!x) {
        exact = false;
        continue;
      }
      exact = exact && x->exact;
      if (!out)
        out = std::move(x);
      else
        out->domain = out->domain.Intersect(x->domain);
    }
    if (out) out->exact = exact;
    return out;
  }

  // A disjunction: the union; exact when every part is exact and over one same column.
  std::optional<Extracted> Any(const Expr& e, bool negate) const {
    std::optional<Extracted> out;
    bool exact = true;
    int column = -1;
    for (const auto& c : e.children) {
      auto x = Extract(*c, negate);
      if (!x) return std::nullopt;
      exact = exact && x->exact;
      if (!x->domain.IsNone()) {
        if (x->domain.domains().size() != 1) {
          exact = false;
        } else {
          int k = x->domain.domains().begin()->first;
          if (column >= 0 && k != column) exact = false;
          column = k;
        }
      }
      if (!out)
        out = std::move(x);
      else
        out->domain = out->domain.Union(x->domain);
    }
    if (out) out->exact = exact;
    return out;
  }

  std::optional<Extracted> Comparison(const Expr& e, bool negate) const {
    if (e.children.size() != 2) return std::nullopt;
    const Expr* l = e.children[0].get();
    const Expr* r = e.children[1].get();
    CompareOp op = e.op;
    if (l->kind == ExprKind::kConstant && r->kind != ExprKind::kConstant) {
      std::swap(l, r);
      op = FlipCompareOp(op);
    }
    if (r->kind != ExprKind::kConstant) return std::nullopt;
    auto t = AsColumn(*l, types_);
    if (!t) return std::nullopt;
    if (negate) op = Negate(op);
    auto d = ComparisonDomain(op, *t, r->value);
    if (!d) return std::nullopt;
    return Make(*t, std::move(*d), true);
  }

  std::optional<Extracted> In(const Expr& e, bool negate) const {
    if (e.children.size() < 2) return std::nullopt;
    auto t = AsColumn(*e.children[0], types_);
    if (!t) return std::nullopt;
    bool in = e.negated == negate;
    Domain points = Domain::None();
    bool has_null = false;
    for (size_t i = 1; i < e.children.size(); i++) {
      const Expr& item = *e.children[i];
      if (item.kind != ExprKind::kConstant) return std::nullopt;
      if (item.value.is_null()) {
        has_null = true;
        continue;
      }
      auto d = ComparisonDomain(CompareOp::kEq, *t, item.value);
      if (!d) return std::nullopt;
      points = points.Union(*d);
    }
    // x NOT IN (..., NULL) is never TRUE.
    if (!in) points = has_null ? Domain::None() : points.Complement().Intersect(Domain::NotNull());
    return Make(*t, std::move(points), true);
  }

  // x LIKE 'abc%...' lies in ['abc', 'abd'): a superset, never exact.
  std::optional<Extracted> Like(const Expr& e, bool negate) const {
    if (negate || e.negated || e.case_insensitive || e.children.size() != 2) return std::nullopt;
    const Expr& pattern = *e.children[1];
    if (pattern.kind != ExprKind::kConstant || pattern.value.is_null() ||
        pattern.value.type().id != TypeId::kVarchar)
      return std::nullopt;
    auto t = AsColumn(*e.children[0], types_);
    if (!t || t->type != t->as || t->type.id != TypeId::kVarchar) return std::nullopt;
    const std::string& p = pattern.value.GetString();
    std::string prefix = p.substr(0, p.find_first_of("%_\\"));
    if (prefix.empty()) return std::nullopt;
    ValueRange r;
    r.low = {Value::Varchar(prefix), true};
    if (prefix.size() == p.size()) {
      r.high = r.low;  // no wildcard: one value
    } else if (auto next = PrefixSuccessor(prefix)) {
      r.high = {Value::Varchar(*next), false};
    }
    return Make(*t, Domain::Of({r}, false), false);
  }

  static Extracted Make(const ColumnTerm& t, Domain d, bool exact) {
    // NaN is outside every range of a DOUBLE domain; its comparisons are left to the engine.
    if (t.type.id == TypeId::kDouble) exact = false;
    return Extracted{TupleDomain::Of(t.column, std::move(d)), exact};
  }

  const std::vector<LogicalType>& types_;
};

}  // namespace

ConjunctDomain ExtractConjunctDomain(const Expr& conjunct,
                                     const std::vector<LogicalType>& column_types) {
  ConjunctDomain out;
  if (auto x = Extractor(column_types).Extract(conjunct, false)) {
    out.domain = std::move(x->domain);
    out.exact = x->exact;
  }
  return out;
}

DomainExtraction ExtractDomain(const std::vector<ExprPtr>& conjuncts,
                               const std::vector<LogicalType>& column_types) {
  DomainExtraction out;
  for (const auto& c : conjuncts) {
    ConjunctDomain x;
    if (c) x = ExtractConjunctDomain(*c, column_types);
    out.domain = out.domain.Intersect(x.domain);
    out.exact.push_back(x.exact);
    if (!x.exact) out.remainder.push_back(c);
  }
  return out;
}

DomainExtraction ExtractDomain(const ExprPtr& filter,
                               const std::vector<LogicalType>& column_types) {
  return ExtractDomain(SplitConjunction(filter), column_types);
}

}  // namespace aishell
