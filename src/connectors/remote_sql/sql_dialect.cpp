#include "connectors/remote_sql/sql_dialect.h"

#include "expr/expression.h"

namespace aishell {

std::string QuoteSqlIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"')
      out += "\"\"";
    else if (c != '\0')
      out += c;
  }
  return out + "\"";
}

bool QuoteSqlString(std::string_view text, std::string* out) {
  if (text.find('\0') != std::string_view::npos) return false;
  std::string s = "'";
  for (char c : text) {
    if (c == '\'')
      s += "''";
    else
      s += c;
  }
  *out += s + "'";
  return true;
}

bool QuotePgString(std::string_view text, std::string* out) {
  if (text.find('\0') != std::string_view::npos) return false;
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string s = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'')
      s += "''";
    else if (c == '\\')
      s += "\\\\";
    else
      s += c;
  }
  *out += s + "'";
  return true;
}

bool ContainsLike(const Expr& expr) {
  if (expr.kind == ExprKind::kLike) return true;
  for (const auto& c : expr.children) {
    if (c && ContainsLike(*c)) return true;
  }
  return false;
}

std::string SqlTranslator::Column(int index, bool ordering) const {
  std::string s = column_sql_(index);
  if (ordering) s += dialect_.OrderingSuffix(columns_[index].type);
  return s;
}

std::string SqlTranslator::Wrap(const std::string& s) const {
  return dialect_.ParenthesizePredicates() ? "(" + s + ")" : s;
}

namespace {
// Whether CAST(column AS to) keeps every value exactly (so the remote side may compare the
// column itself): integer -> BIGINT, DECIMAL(p,s) -> DECIMAL(p2,s) with p2 >= p, INTEGER ->
// DECIMAL with at least 10 integer digits.
bool ValuePreservingCast(const LogicalType& from, const LogicalType& to) {
  if (to.id == TypeId::kBigInt) return from.id == TypeId::kInteger || from.id == TypeId::kBigInt;
  if (to.id != TypeId::kDecimal) return false;
  if (from.id == TypeId::kDecimal) return from.scale == to.scale && to.precision >= from.precision;
  if (from.id == TypeId::kInteger) return to.precision - to.scale >= 10;
  return false;
}
}  // namespace

// A column ref, or a column under a value-preserving cast (both databases compare integers,
// numerics and mixes of them natively).
const ColumnInfo* SqlTranslator::ColumnOf(const Expr& e) const {
  const Expr* ref = &e;
  if (e.kind == ExprKind::kCast && !e.try_cast && e.children.size() == 1 &&
      e.children[0]->kind == ExprKind::kColumnRef &&
      ValuePreservingCast(e.children[0]->type, e.type)) {
    ref = e.children[0].get();
  }
  if (ref->kind != ExprKind::kColumnRef) return nullptr;
  if (ref->column_index < 0 || ref->column_index >= static_cast<int>(columns_.size()))
    return nullptr;
  return &columns_[ref->column_index];
}

namespace {
int ColumnIndexOf(const Expr& e) {
  return e.kind == ExprKind::kCast ? e.children[0]->column_index : e.column_index;
}
bool IsIntegerType(const LogicalType& t) {
  return t.id == TypeId::kInteger || t.id == TypeId::kBigInt;
}
bool IsExactNumber(const LogicalType& t) { return IsIntegerType(t) || t.id == TypeId::kDecimal; }
}  // namespace

bool SqlTranslator::Operand(const Expr& e, const ColumnInfo* other, const LogicalType& type,
                            bool ordering, std::string* sql, std::vector<Value>* params) const {
  if (const ColumnInfo* c = ColumnOf(e)) {
    if (!dialect_.Comparable(*c, ordering)) return false;
    if (other && !dialect_.CompatibleColumns(*c, *other) &&
        !(IsExactNumber(c->type) && IsExactNumber(other->type)))
      return false;
    *sql += Column(ColumnIndexOf(e), ordering);
    return true;
  }
  if (e.kind != ExprKind::kConstant) return false;
  return dialect_.Literal(e.value, type, sql, params);
}

bool SqlTranslator::Translate(const Expr& expr, std::string* sql,
                              std::vector<Value>* params) const {
  std::string s;
  std::vector<Value> p;
  if (!TranslateInto(expr, &s, &p)) return false;
  *sql += s;
  for (auto& v : p) params->push_back(std::move(v));
  return true;
}

bool SqlTranslator::TranslateInto(const Expr& e, std::string* sql,
                                  std::vector<Value>* params) const {
  switch (e.kind) {
    case ExprKind::kComparison: {
      if (e.children.size() != 2) return false;
      const Expr& l = *e.children[0];
      const Expr& r = *e.children[1];
      const ColumnInfo* lc = ColumnOf(l);
      const ColumnInfo* rc = ColumnOf(r);
      if (!lc && !rc) return false;
      const char* op = nullptr;
      bool ordering = false;
      switch (e.op) {
        case CompareOp::kEq:
          op = " = ";
          break;
        case CompareOp::kNe:
          op = " <> ";
          break;
        case CompareOp::kLt:
          op = " < ";
          ordering = true;
          break;
        case CompareOp::kLe:
          op = " <= ";
          ordering = true;
          break;
        case CompareOp::kGt:
          op = " > ";
          ordering = true;
          break;
        case CompareOp::kGe:
          op = " >= ";
          ordering = true;
          break;
        case CompareOp::kIsDistinctFrom:
          op = dialect_.IsDistinctFrom();
          break;
        case CompareOp::kIsNotDistinctFrom:
          op = dialect_.IsNotDistinctFrom();
          break;
      }
      if (!op) return false;
      // A literal is written for the type of the column it is compared with.
      const LogicalType& type = lc ? (l.kind == ExprKind::kCast ? l.type : lc->type)
                                   : (r.kind == ExprKind::kCast ? r.type : rc->type);
      std::string s;
      if (!Operand(l, rc, type, ordering, &s, params)) return false;
      s += op;
      if (!Operand(r, lc, type, ordering, &s, params)) return false;
      *sql += Wrap(s);
      return true;
    }
    case ExprKind::kIn: {
      if (e.children.size() < 2) return false;
      const ColumnInfo* c = ColumnOf(*e.children[0]);
      if (!c || !dialect_.Comparable(*c, false)) return false;
      std::string s = Column(ColumnIndexOf(*e.children[0])) + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.children.size(); i++) {
        const Expr& k = *e.children[i];
        if (k.kind != ExprKind::kConstant || k.value.is_null()) return false;
        if (i > 1) s += ", ";
        if (!dialect_.Literal(k.value, c->type, &s, params)) return false;
      }
      *sql += Wrap(s + ")");
      return true;
    }
    case ExprKind::kIsNull:
    case ExprKind::kIsNotNull: {
      if (e.children.size() != 1 || e.children[0]->kind != ExprKind::kColumnRef ||
          !ColumnOf(*e.children[0]))
        return false;
      *sql += Wrap(Column(e.children[0]->column_index) +
                   (e.kind == ExprKind::kIsNull ? " IS NULL" : " IS NOT NULL"));
      return true;
    }
    case ExprKind::kLike: {
      if (e.children.size() < 2 || e.children.size() > 3) return false;
      if (e.children[0]->kind != ExprKind::kColumnRef) return false;
      const ColumnInfo* c = ColumnOf(*e.children[0]);
      if (!c || c->type.id != TypeId::kVarchar || !dialect_.Comparable(*c, false)) return false;
      for (size_t i = 1; i < e.children.size(); i++) {
        const Expr& k = *e.children[i];
        if (k.kind != ExprKind::kConstant || k.value.is_null() ||
            k.value.type().id != TypeId::kVarchar)
          return false;
      }
      if (e.case_insensitive && !dialect_.SupportsILike(e.children[1]->value.GetString()))
        return false;
      if (e.children.size() == 3 && e.children[2]->value.GetString().size() != 1) return false;
      const char* op = e.case_insensitive ? (e.negated ? " NOT ILIKE " : " ILIKE ")
                                          : (e.negated ? " NOT LIKE " : " LIKE ");
      std::string s = Column(e.children[0]->column_index) + op;
      if (!dialect_.Literal(e.children[1]->value, c->type, &s, params)) return false;
      if (e.children.size() == 3) {
        s += " ESCAPE ";
        if (!dialect_.Literal(e.children[2]->value, c->type, &s, params)) return false;
      } else {
        s += dialect_.DefaultLikeEscape();
      }
      *sql += Wrap(s);
      return true;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      if (e.children.empty()) return false;
      std::string s = "(";
      for (size_t i = 0; i < e.children.size(); i++) {
        if (i) s += e.kind == ExprKind::kAnd ? " AND " : " OR ";
        if (!TranslateInto(*e.children[i], &s, params)) return false;
      }
      *sql += s + ")";
      return true;
    }
    case ExprKind::kNot: {
      if (e.children.size() != 1) return false;
      std::string s;
      if (!TranslateInto(*e.children[0], &s, params)) return false;
      *sql += dialect_.ParenthesizePredicates() ? "(NOT " + s + ")" : "NOT (" + s + ")";
      return true;
    }
    default:
      return false;
  }
}

}  // namespace aishell
