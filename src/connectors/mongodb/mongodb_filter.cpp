#include "connectors/mongodb/mongodb_filter.h"

#include <cmath>

#include "connectors/mongodb/mongodb_decoder.h"

namespace aishell {

namespace {

constexpr BsonKindSet kNumberKinds = (1u << static_cast<unsigned>(BsonKind::kInt32)) |
                                     (1u << static_cast<unsigned>(BsonKind::kInt64)) |
                                     (1u << static_cast<unsigned>(BsonKind::kDouble)) |
                                     (1u << static_cast<unsigned>(BsonKind::kDecimal));

const char* OperatorOf(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "$eq";
    case CompareOp::kLt:
      return "$lt";
    case CompareOp::kLe:
      return "$lte";
    case CompareOp::kGt:
      return "$gt";
    case CompareOp::kGe:
      return "$gte";
    default:
      return nullptr;
  }
}

bool IsSubset(BsonKindSet kinds, BsonKindSet allowed) {
  return kinds != 0 && (kinds & ~allowed) == 0;
}

}  // namespace

bool LikeToRegex(const std::string& pattern, int escape, std::string* regex) {
  std::string r = "^";
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (escape >= 0 && static_cast<unsigned char>(c) == escape) {
      if (i + 1 >= pattern.size()) return false;
      c = pattern[++i];
      if (c != '%' && c != '_' && static_cast<unsigned char>(c) != escape) return false;
    } else if (c == '%') {
      r += ".*";
      continue;
    } else if (c == '_') {
      r += ".";
      continue;
    }
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) r += '\\';
    r += c;
  }
  *regex = r + "$";
  return true;
}

namespace {

// Whether CAST(x AS to) has x's value for every x of type `from`: a wider integer, or a DOUBLE
// from an integer that a double holds exactly (up to INTEGER). A narrowing cast (CAST(double_col
// AS INTEGER) rounds) or one to DECIMAL (it may fail) changes or refuses values that MongoDB
// would compare as they are.
bool IsWidening(const LogicalType& from, const LogicalType& to) {
  int from_rank = IntegerRank(from.id), to_rank = IntegerRank(to.id);
  if (from_rank > 0 && to_rank > 0) return to_rank >= from_rank;
  return from_rank > 0 && from_rank <= 3 && to.id == TypeId::kDouble;
}

}  // namespace

bool MongoFilterBuilder::FieldPath(const Expr& e, std::string* path, BsonKindSet* kinds) const {
  if (e.kind == ExprKind::kCast && !e.try_cast && IsWidening(e.children[0]->type, e.type)) {
    // A widened number (CAST(int_col AS BIGINT) = 5): MongoDB compares numbers by value.
    return FieldPath(*e.children[0], path, kinds) &&
           IsSubset(*kinds, KindBit(BsonKind::kInt32) | KindBit(BsonKind::kInt64));
  }
  if (e.kind == ExprKind::kColumnRef) {
    if (e.column_index < 0 || e.column_index >= static_cast<int>(table_.columns.size()))
      return false;
    const MongoColumn& c = table_.columns[e.column_index];
    *path = c.dotted;
    *kinds = c.kinds;
    return true;
  }
  if (e.kind == ExprKind::kFunction && e.function && e.function->field_index >= 0 &&
      e.children.size() == 1 && e.children[0]->type.id == TypeId::kRow) {
    // Field access into a ROW column: a dotted path, with the kinds seen at that path.
    const Expr* base = e.children[0].get();
    std::vector<std::string> parts;
    parts.push_back(base->type.FieldNames().at(e.function->field_index));
    while (base->kind == ExprKind::kFunction && base->function &&
           base->function->field_index >= 0 && base->children.size() == 1) {
      parts.insert(parts.begin(),
                   base->children[0]->type.FieldNames().at(base->function->field_index));
      base = base->children[0].get();
    }
    if (base->kind != ExprKind::kColumnRef || base->column_index < 0 ||
        base->column_index >= static_cast<int>(table_.columns.size()))
      return false;
    const MongoColumn& c = table_.columns[base->column_index];
    std::string below;
    for (const auto& p : parts) {
      if (p.empty() || p.find('.') != std::string::npos || p[0] == '$') return false;
      below += (below.empty() ? "" : ".") + p;
    }
    auto it = c.nested_kinds.find(below);
    if (it == c.nested_kinds.end()) return false;
    *path = c.dotted + "." + below;
    *kinds = it->second;
    return true;
  }
  return false;
}

bool MongoFilterBuilder::Comparable(const LogicalType& type, BsonKindSet kinds) const {
  switch (type.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kReal:
    case TypeId::kDecimal: {
      BsonKindSet allowed = kNumberKinds;
      if (ferretdb_) allowed &= ~KindBit(BsonKind::kDecimal);
      return IsSubset(kinds, allowed);
    }
    case TypeId::kVarchar:
      return kinds == KindBit(BsonKind::kString) || kinds == KindBit(BsonKind::kObjectId);
    case TypeId::kBoolean:
      return kinds == KindBit(BsonKind::kBool);
    case TypeId::kTimestampTz:
    case TypeId::kTimestamp:
      return kinds == KindBit(BsonKind::kDate);
    default:
      return false;
  }
}

bool MongoFilterBuilder::AppendLiteral(bson_t* doc, const char* key, const Value& value,
                                       BsonKindSet kinds) const {
  if (value.is_null()) return false;
  const LogicalType& t = value.type();
  if (t.IsFloating() && !std::isfinite(value.GetDouble())) return false;
  if (t.id == TypeId::kDecimal && ferretdb_) return false;
  if (t.id == TypeId::kTimestamp || t.id == TypeId::kTimestampTz) {
    if (value.GetInt64() % 1000 != 0) return false;  // dates hold milliseconds
  }
  if (t.id == TypeId::kVarchar && kinds == KindBit(BsonKind::kObjectId)) {
    // An ObjectId's text is lower-case hex; other text never equals one.
    for (char c : value.GetString()) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
  }
  return AppendBsonValue(doc, key, value, kinds);
}

BsonPtr MongoFilterBuilder::Translate(const Expr& conjunct) const { return Build(conjunct, false); }

BsonPtr MongoFilterBuilder::Build(const Expr& e, bool negate) const {
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      // NOT (a AND b) = NOT a OR NOT b: the negation moves down to the leaves.
      bool is_and = (e.kind == ExprKind::kAnd) != negate;
      BsonPtr out = NewBson();
      bson_t list;
      bson_append_array_begin(out.get(), is_and ? "$and" : "$or", -1, &list);
      for (size_t i = 0; i < e.children.size(); i++) {
        BsonPtr child = Build(*e.children[i], negate);
        if (!child) return nullptr;
        std::string index = std::to_string(i);
        bson_append_document(&list, index.c_str(), -1, child.get());
      }
      bson_append_array_end(out.get(), &list);
      return out;
    }
    case ExprKind::kNot:
      return Build(*e.children[0], !negate);
    case ExprKind::kComparison:
      return Comparison(e, negate);
    case ExprKind::kIn:
      return In(e, negate);
    case ExprKind::kLike:
      return Like(e, negate);
    case ExprKind::kIsNull:
    case ExprKind::kIsNotNull: {
      std::string path;
      BsonKindSet kinds;
      if (!FieldPath(*e.children[0], &path, &kinds)) return nullptr;
      // {f: null} matches null and missing fields, but also arrays holding a null: refused for
      // array fields.
      if (e.children[0]->type.id == TypeId::kArray || (kinds & KindBit(BsonKind::kArray)))
        return nullptr;
      bool is_null = (e.kind == ExprKind::kIsNull) != negate;
      BsonPtr out = NewBson();
      bson_t cond;
      bson_append_document_begin(out.get(), path.c_str(), -1, &cond);
      if (is_null) {
        bson_append_null(&cond, "$eq", -1);
      } else {
        bson_append_null(&cond, "$ne", -1);
      }
      bson_append_document_end(out.get(), &cond);
      return out;
    }
    case ExprKind::kColumnRef:
    case ExprKind::kFunction: {
      // A boolean column on its own: WHERE active.
      std::string path;
      BsonKindSet kinds;
      if (e.type.id != TypeId::kBoolean || !FieldPath(e, &path, &kinds) ||
          !Comparable(e.type, kinds))
        return nullptr;
      BsonPtr out = NewBson();
      bson_t cond;
      bson_append_document_begin(out.get(), path.c_str(), -1, &cond);
      bson_append_bool(&cond, "$eq", -1, !negate);
      bson_append_document_end(out.get(), &cond);
      return out;
    }
    default:
      return nullptr;
  }
}

BsonPtr MongoFilterBuilder::Comparison(const Expr& e, bool negate) const {
  const Expr* field = e.children[0].get();
  const Expr* constant = e.children[1].get();
  CompareOp op = e.op;
  if (field->kind == ExprKind::kConstant) {
    std::swap(field, constant);
    op = FlipCompareOp(op);
  }
  if (constant->kind != ExprKind::kConstant || constant->value.is_null()) return nullptr;
  if (op == CompareOp::kIsDistinctFrom || op == CompareOp::kIsNotDistinctFrom) return nullptr;
  if (negate) op = NegateCompareOp(op);
  std::string path;
  BsonKindSet kinds;
  if (!FieldPath(*field, &path, &kinds) || !Comparable(field->type, kinds)) return nullptr;
  if (constant->value.type() != field->type) return nullptr;
  BsonPtr out = NewBson();
  bson_t cond;
  bson_append_document_begin(out.get(), path.c_str(), -1, &cond);
  bool ok;
  if (op == CompareOp::kNe) {
    // SQL's <> never matches NULL; MongoDB's $ne matches null and missing fields.
    bson_t list;
    bson_append_array_begin(&cond, "$nin", -1, &list);
    ok = AppendLiteral(&list, "0", constant->value, kinds);
    bson_append_null(&list, "1", -1);
    bson_append_array_end(&cond, &list);
  } else {
    ok = AppendLiteral(&cond, OperatorOf(op), constant->value, kinds);
  }
  bson_append_document_end(out.get(), &cond);
  return ok ? std::move(out) : nullptr;
}

BsonPtr MongoFilterBuilder::In(const Expr& e, bool negate) const {
  bool negated = e.negated != negate;
  std::string path;
  BsonKindSet kinds;
  if (!FieldPath(*e.children[0], &path, &kinds) || !Comparable(e.children[0]->type, kinds))
    return nullptr;
  BsonPtr out = NewBson();
  bson_t cond, list;
  bson_append_document_begin(out.get(), path.c_str(), -1, &cond);
  bson_append_array_begin(&cond, negated ? "$nin" : "$in", -1, &list);
  size_t n = 0;
  for (size_t i = 1; i < e.children.size(); i++) {
    const Expr& c = *e.children[i];
    if (c.kind != ExprKind::kConstant) return nullptr;
    if (c.value.is_null()) {
      // x IN (.., NULL) is never true through the NULL; x NOT IN (.., NULL) is never true.
      if (negated) return nullptr;
      continue;
    }
    if (c.value.type() != e.children[0]->type) return nullptr;
    std::string index = std::to_string(n++);
    if (!AppendLiteral(&list, index.c_str(), c.value, kinds)) return nullptr;
  }
  if (negated) {
    std::string index = std::to_string(n);
    bson_append_null(&list, index.c_str(), -1);  // NOT IN never matches NULL
  }
  bson_append_array_end(&cond, &list);
  bson_append_document_end(out.get(), &cond);
  return out;
}

BsonPtr MongoFilterBuilder::Like(const Expr& e, bool negate) const {
  if (e.negated != negate || e.case_insensitive) return nullptr;
  std::string path;
  BsonKindSet kinds;
  if (!FieldPath(*e.children[0], &path, &kinds) || kinds != KindBit(BsonKind::kString))
    return nullptr;
  const Expr& pattern = *e.children[1];
  if (pattern.kind != ExprKind::kConstant || pattern.value.is_null()) return nullptr;
  int escape = -1;
  if (e.children.size() > 2) {
    const Expr& esc = *e.children[2];
    if (esc.kind != ExprKind::kConstant || esc.value.is_null() || esc.value.GetString().size() != 1)
      return nullptr;
    escape = static_cast<unsigned char>(esc.value.GetString()[0]);
  }
  std::string regex;
  if (!LikeToRegex(pattern.value.GetString(), escape, &regex)) return nullptr;
  BsonPtr out = NewBson();
  bson_t cond;
  bson_append_document_begin(out.get(), path.c_str(), -1, &cond);
  bson_append_utf8(&cond, "$regex", -1, regex.data(), static_cast<int>(regex.size()));
  bson_append_utf8(&cond, "$options", -1, "s", 1);  // '.' matches a newline too, as '_' does
  bson_append_document_end(out.get(), &cond);
  return out;
}

}  // namespace aishell
