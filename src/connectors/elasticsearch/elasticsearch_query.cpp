#include "connectors/elasticsearch/elasticsearch_query.h"

#include <charconv>
#include <cmath>

#include "common/json_text.h"

namespace aishell {

namespace {

bool IsNumericField(const std::string& t) {
  return t == "long" || t == "integer" || t == "short" || t == "byte" || t == "double";
}

bool IsDateField(const EsField& f) { return f.es_type == "date" || f.es_type == "date_nanos"; }

const char* RangeOp(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return "lt";
    case CompareOp::kLe:
      return "lte";
    case CompareOp::kGt:
      return "gt";
    case CompareOp::kGe:
      return "gte";
    default:
      return nullptr;
  }
}

std::string Exists(const EsField& f) {
  return "{\"exists\":{\"field\":" + JsonString(f.path) + "}}";
}

// NOT clause in SQL's sense: the field has a value and the clause does not hold.
std::string NotClause(const EsField& f, const std::string& clause) {
  return "{\"bool\":{\"filter\":[" + Exists(f) + "],\"must_not\":[" + clause + "]}}";
}

}  // namespace

bool AppendJsonValue(const Value& value, std::string* out) {
  if (value.is_null()) {
    out->append("null");
    return true;
  }
  const LogicalType& t = value.type();
  switch (t.id) {
    case TypeId::kBoolean:
      out->append(value.GetBool() ? "true" : "false");
      return true;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      out->append(std::to_string(value.GetInt64()));
      return true;
    case TypeId::kReal:
    case TypeId::kDouble: {
      double d = value.GetDouble();
      if (!std::isfinite(d)) return false;
      char buf[40];
      auto r = std::to_chars(buf, buf + sizeof(buf), d);
      out->append(buf, r.ptr);
      return true;
    }
    case TypeId::kVarchar:
      AppendJsonString(value.GetString(), out);
      return true;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t micros = value.GetInt64();
      if (micros % 1000 != 0) return false;
      out->append(std::to_string(micros / 1000));
      return true;
    }
    case TypeId::kDate:
      out->append(std::to_string(static_cast<int64_t>(value.GetInt64()) * 86400000LL));
      return true;
    default:
      return false;
  }
}

bool EsQueryBuilder::Exact(const EsField& f) {
  if (f.is_array) return false;
  if (f.es_type == "keyword") return !f.normalized && f.ignore_above < 0;
  return IsNumericField(f.es_type) || f.es_type == "boolean" || IsDateField(f);
}

bool EsQueryBuilder::KeyLookupField(const EsField& f) {
  if (f.is_array) return false;
  if (f.es_type == "keyword") return !f.normalized;
  if (f.es_type == "text" || f.es_type == "match_only_text") return !f.keyword_subfield.empty();
  return IsNumericField(f.es_type) || f.es_type == "boolean";
}

bool EsQueryBuilder::Sortable(const EsField& f) { return Exact(f); }

const std::string* EsQueryBuilder::TermField(const EsField& f, const Value& literal, bool element) {
  if (f.is_array != element) return nullptr;
  auto short_enough = [&](int limit) {
    if (limit < 0) return true;
    // ignore_above counts characters: values longer than it are not indexed, and never equal a
    // literal at most that long.
    size_t chars = 0;
    for (unsigned char c : literal.GetString()) chars += (c & 0xC0) != 0x80;
    return chars <= static_cast<size_t>(limit);
  };
  if (f.es_type == "keyword") {
    if (f.normalized || literal.type().id != TypeId::kVarchar) return nullptr;
    return short_enough(f.ignore_above) ? &f.path : nullptr;
  }
  if (f.es_type == "text" || f.es_type == "match_only_text") {
    if (f.keyword_subfield.empty() || literal.type().id != TypeId::kVarchar) return nullptr;
    return short_enough(f.subfield_ignore_above) ? &f.keyword_subfield : nullptr;
  }
  if (IsNumericField(f.es_type) || f.es_type == "boolean") return &f.path;
  return nullptr;
}

const EsField* EsQueryBuilder::FieldOf(const Expr& e) const {
  if (e.kind == ExprKind::kCast && !e.try_cast && e.type.IsNumeric() &&
      e.children[0]->type.IsIntegral() && (e.type.IsIntegral() || e.type.id == TypeId::kDouble)) {
    // A widened integer (CAST(int_col AS BIGINT) = 5): Elasticsearch compares numbers by value.
    const EsField* f = FieldOf(*e.children[0]);
    return f && IsNumericField(f->es_type) && f->es_type != "double" ? f : nullptr;
  }
  if (e.kind == ExprKind::kColumnRef) {
    if (element_) return e.column_index == 0 ? element_ : nullptr;  // the lambda's parameter
    if (e.column_index < 0 || e.column_index >= static_cast<int>(table_.columns.size()))
      return nullptr;
    const EsColumn& c = table_.columns[e.column_index];
    return c.kind == EsColumnKind::kField ? c.field : nullptr;
  }
  if (e.kind == ExprKind::kFunction && e.function && e.function->field_index >= 0 &&
      e.children.size() == 1 && e.children[0]->type.id == TypeId::kRow) {
    const EsField* parent = FieldOf(*e.children[0]);
    if (!parent) return nullptr;
    // An element of the nested field the lambda iterates is one ROW (x.sku).
    bool element = element_ && parent == element_;
    if (!element && (parent->es_type != "object" || parent->is_array)) return nullptr;
    size_t index = static_cast<size_t>(e.function->field_index);
    return index < parent->children.size() ? &parent->children[index] : nullptr;
  }
  return nullptr;
}

std::optional<std::string> EsQueryBuilder::Translate(const Expr& conjunct) const {
  return Build(conjunct, false);
}

std::optional<std::string> EsQueryBuilder::Build(const Expr& e, bool negate) const {
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      // NOT (a AND b) = NOT a OR NOT b: the negation moves down to the leaves.
      bool is_and = (e.kind == ExprKind::kAnd) != negate;
      std::string out = is_and ? "{\"bool\":{\"filter\":[" : "{\"bool\":{\"should\":[";
      for (size_t i = 0; i < e.children.size(); i++) {
        auto child = Build(*e.children[i], negate);
        if (!child) return std::nullopt;
        if (i) out += ',';
        out += *child;
      }
      out += is_and ? "]}}" : "],\"minimum_should_match\":1}}";
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
      const EsField* f = FieldOf(*e.children[0]);
      if (!f || !Exact(*f)) return std::nullopt;
      bool is_null = (e.kind == ExprKind::kIsNull) != negate;
      return is_null ? "{\"bool\":{\"must_not\":[" + Exists(*f) + "]}}" : Exists(*f);
    }
    case ExprKind::kFunction:
      if (e.function && e.function->name == "match") return Match(e, negate);
      if (e.function && e.function->name == "contains") return Contains(e, negate);
      if (e.function && e.function->name == "any_match") return AnyMatch(e, negate);
      [[fallthrough]];
    case ExprKind::kColumnRef: {
      // A boolean column on its own: WHERE active.
      const EsField* f = FieldOf(e);
      if (e.type.id != TypeId::kBoolean || !f || f->es_type != "boolean" || f->is_array)
        return std::nullopt;
      return "{\"term\":{" + JsonString(f->path) + ":" + (negate ? "false" : "true") + "}}";
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::string> EsQueryBuilder::Comparison(const Expr& e, bool negate) const {
  const Expr* field = e.children[0].get();
  const Expr* constant = e.children[1].get();
  CompareOp op = e.op;
  if (field->kind == ExprKind::kConstant) {
    std::swap(field, constant);
    op = FlipCompareOp(op);
  }
  if (constant->kind != ExprKind::kConstant || constant->value.is_null()) return std::nullopt;
  if (op == CompareOp::kIsDistinctFrom || op == CompareOp::kIsNotDistinctFrom) return std::nullopt;
  const EsField* f = FieldOf(*field);
  if (!f || f->is_array || constant->value.type() != field->type) return std::nullopt;
  const Value& v = constant->value;
  std::string literal;
  if (!AppendJsonValue(v, &literal)) return std::nullopt;
  bool ne = (op == CompareOp::kNe) != negate;
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    std::string clause;
    if (IsDateField(*f)) {
      clause = "{\"range\":{" + JsonString(f->path) + ":{\"gte\":" + literal +
               ",\"lte\":" + literal + ",\"format\":\"epoch_millis\"}}}";
    } else {
      const std::string* target = TermField(*f, v);
      if (!target) return std::nullopt;
      clause = "{\"term\":{" + JsonString(*target) + ":{\"value\":" + literal + "}}}";
      if (ne && target != &f->path) {
        // The keyword sub-field may miss long values: NOT needs the text field's own existence,
        // which the sub-field cannot tell. Refused.
        if (f->subfield_ignore_above >= 0) return std::nullopt;
        return "{\"bool\":{\"filter\":[{\"exists\":{\"field\":" + JsonString(*target) +
               "}}],\"must_not\":[" + clause + "]}}";
      }
    }
    return ne ? NotClause(*f, clause) : clause;
  }
  if (!Exact(*f) || f->es_type == "boolean") return std::nullopt;
  if (negate) op = NegateCompareOp(op);
  std::string clause =
      "{\"range\":{" + JsonString(f->path) + ":{\"" + RangeOp(op) + "\":" + literal;
  if (IsDateField(*f)) clause += ",\"format\":\"epoch_millis\"";
  clause += "}}}";
  // A negated range still needs a value: NOT (x < 5) is x >= 5, which range already requires.
  return clause;
}

std::optional<std::string> EsQueryBuilder::In(const Expr& e, bool negate) const {
  const EsField* f = FieldOf(*e.children[0]);
  // Dates would need one range per value: left to the engine.
  if (!f || f->is_array || IsDateField(*f)) return std::nullopt;
  bool is_not = e.negated != negate;
  std::string values;
  const std::string* target = nullptr;
  size_t n = 0;
  for (size_t i = 1; i < e.children.size(); i++) {
    const Expr& c = *e.children[i];
    if (c.kind != ExprKind::kConstant) return std::nullopt;
    if (c.value.is_null()) {
      if (is_not) return std::nullopt;  // x NOT IN (.., NULL) is never true
      continue;
    }
    if (c.value.type() != e.children[0]->type) return std::nullopt;
    const std::string* t = TermField(*f, c.value);
    if (!t || (target && t != target)) return std::nullopt;
    target = t;
    if (n++) values += ',';
    if (!AppendJsonValue(c.value, &values)) return std::nullopt;
  }
  if (!target)
    return n == 0 && !is_not ? std::optional<std::string>("{\"match_none\":{}}") : std::nullopt;
  std::string clause = "{\"terms\":{" + JsonString(*target) + ":[" + values + "]}}";
  if (!is_not) return clause;
  if (target != &f->path) return std::nullopt;
  return NotClause(*f, clause);
}

bool LikeToEsPattern(const std::string& pattern, int escape, bool* is_prefix, std::string* out) {
  std::string literal, wildcard;
  bool prefix = true, has_wild = false;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    bool escaped = false;
    if (escape >= 0 && static_cast<unsigned char>(c) == escape) {
      if (i + 1 >= pattern.size()) return false;
      c = pattern[++i];
      if (c != '%' && c != '_' && static_cast<unsigned char>(c) != escape) return false;
      escaped = true;
    }
    if (!escaped && c == '%') {
      wildcard += '*';
      if (i + 1 != pattern.size()) prefix = false;
      has_wild = true;
      continue;
    }
    if (!escaped && c == '_') {
      wildcard += '?';
      prefix = false;
      has_wild = true;
      continue;
    }
    if (has_wild) prefix = false;
    if (c == '*' || c == '?' || c == '\\') wildcard += '\\';
    wildcard += c;
    literal += c;
  }
  *is_prefix = prefix && has_wild && !pattern.empty() && pattern.back() == '%';
  *out = *is_prefix ? literal : wildcard;
  return true;
}

std::optional<std::string> EsQueryBuilder::Like(const Expr& e, bool negate) const {
  if (e.case_insensitive) return std::nullopt;
  const EsField* f = FieldOf(*e.children[0]);
  if (!f || f->es_type != "keyword" || !Exact(*f)) return std::nullopt;
  if (e.children[1]->kind != ExprKind::kConstant || e.children[1]->value.is_null() ||
      e.children[1]->value.type().id != TypeId::kVarchar)
    return std::nullopt;
  int escape = -1;
  if (e.children.size() > 2) {
    const Expr& esc = *e.children[2];
    if (esc.kind != ExprKind::kConstant || esc.value.is_null() || esc.value.GetString().size() != 1)
      return std::nullopt;
    escape = static_cast<unsigned char>(esc.value.GetString()[0]);
  }
  bool is_prefix = false;
  std::string pattern;
  if (!LikeToEsPattern(e.children[1]->value.GetString(), escape, &is_prefix, &pattern))
    return std::nullopt;
  std::string clause;
  if (is_prefix) {
    clause = "{\"prefix\":{" + JsonString(f->path) + ":{\"value\":" + JsonString(pattern) + "}}}";
  } else {
    clause = "{\"wildcard\":{" + JsonString(f->path) + ":{\"value\":" + JsonString(pattern) + "}}}";
  }
  bool is_not = e.negated != negate;
  return is_not ? NotClause(*f, clause) : clause;
}

bool EsQueryBuilder::IsMatch(const Expr& e) {
  return e.kind == ExprKind::kFunction && e.function && e.function->name == "match";
}

std::optional<std::string> EsQueryBuilder::Match(const Expr& e, bool negate) const {
  if (e.children.size() != 2) return std::nullopt;
  const EsField* f = FieldOf(*e.children[0]);
  const Expr& text = *e.children[1];
  bool is_text = f && (f->type.id == TypeId::kVarchar ||
                       (f->is_array && f->type.ElementType().id == TypeId::kVarchar));
  if (!is_text) return std::nullopt;
  if (text.kind != ExprKind::kConstant || text.value.is_null()) return std::nullopt;
  std::string clause = "{\"match\":{" + JsonString(f->path) +
                       ":{\"query\":" + JsonString(text.value.GetString()) + "}}}";
  return negate ? NotClause(*f, clause) : clause;
}

const EsField* EsQueryBuilder::NestedOf(const Expr& call) const {
  if (call.kind != ExprKind::kFunction || !call.lambda_body || call.children.size() != 1)
    return nullptr;  // captured outer columns (x -> x.a = t.b) are not a query of their own
  const EsField* f = FieldOf(*call.children[0]);
  return f && f->es_type == "nested" ? f : nullptr;
}

std::optional<std::string> EsQueryBuilder::AnyMatch(const Expr& e, bool negate) const {
  // any_match(nested, x -> p(x)) holds when one element satisfies p: a `nested` query, where each
  // element is a document of its own, so every condition of p is on the same element. NOT
  // any_match is NULL where p is NULL for an element: refused (as all_match and none_match, which
  // would also need a missing field told from an empty array).
  if (negate) return std::nullopt;
  const EsField* f = NestedOf(e);
  if (!f) return std::nullopt;
  EsQueryBuilder inner(table_, f);
  auto clause = inner.Build(*e.lambda_body, false);
  if (!clause) return std::nullopt;
  return "{\"nested\":{\"path\":" + JsonString(f->path) + ",\"query\":" + *clause + "}}";
}

std::optional<std::string> EsQueryBuilder::Contains(const Expr& e, bool negate) const {
  // NOT contains() is NULL for an array holding a NULL, which Elasticsearch does not index:
  // refused.
  if (negate || e.children.size() != 2) return std::nullopt;
  const Expr& value = *e.children[1];
  if (const EsField* nested = NestedOf(*e.children[0])) {
    // contains(transform(items, x -> x.sku), 'a'): one element's field equals the value.
    const Expr& array = *e.children[0];
    if (!array.function || array.function->name != "transform" ||
        value.kind != ExprKind::kConstant || value.value.is_null() ||
        value.value.type() != array.lambda_body->type)
      return std::nullopt;
    EsQueryBuilder inner(table_, nested);
    auto clause = inner.Comparison(
        *MakeComparison(CompareOp::kEq, array.lambda_body, MakeConstant(value.value)), false);
    if (!clause) return std::nullopt;
    return "{\"nested\":{\"path\":" + JsonString(nested->path) + ",\"query\":" + *clause + "}}";
  }
  const EsField* f = FieldOf(*e.children[0]);
  if (!f || !f->is_array || f->es_type == "nested" || f->es_type == "object") return std::nullopt;
  if (value.kind != ExprKind::kConstant || value.value.is_null() ||
      value.value.type() != f->type.ElementType())
    return std::nullopt;
  const std::string* target = TermField(*f, value.value, true);
  std::string literal;
  if (!target || !AppendJsonValue(value.value, &literal)) return std::nullopt;
  return "{\"term\":{" + JsonString(*target) + ":{\"value\":" + literal + "}}}";
}

std::optional<std::string> EsQueryBuilder::Terms(const EsField& f, const Vector& values,
                                                 size_t count) const {
  if (!KeyLookupField(f)) return std::nullopt;
  std::string list;
  const std::string* target = nullptr;
  size_t n = 0;
  for (size_t i = 0; i < count; i++) {
    Value v = values.GetValue(i);
    if (v.is_null()) continue;
    if (v.type() != f.type) return std::nullopt;
    const std::string* t = TermField(f, v);
    if (!t) {
      if (f.es_type == "keyword" || f.es_type == "text") continue;  // longer than ignore_above
      return std::nullopt;
    }
    if (target && t != target) return std::nullopt;
    target = t;
    std::string one;
    if (!AppendJsonValue(v, &one)) continue;  // no exact form: matches nothing
    if (n++) list += ',';
    list += one;
  }
  if (!target) return std::string("{\"match_none\":{}}");
  return "{\"terms\":{" + JsonString(*target) + ":[" + list + "]}}";
}

std::string EsBoolFilter(const std::vector<std::string>& clauses) {
  if (clauses.empty()) return "{\"match_all\":{}}";
  std::string out = "{\"bool\":{\"filter\":[";
  for (size_t i = 0; i < clauses.size(); i++) {
    if (i) out += ',';
    out += clauses[i];
  }
  return out + "]}}";
}

}  // namespace aishell
