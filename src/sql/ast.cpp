// SQL rendering (ToString) and deep copies (Copy) of the AST.
#include "sql/ast.h"
#include "common/strings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>

#include "sql/lexer.h"

namespace aishell {

namespace {

std::string QuoteString(const std::string& s) {
  std::string r = "'";
  for (char c : s) {
    if (c == '\'') r += '\'';
    r += c;
  }
  r += '\'';
  return r;
}

template <class T>
std::unique_ptr<T> CopyPtr(const std::unique_ptr<T>& p) {
  return p ? p->Copy() : nullptr;
}

std::unique_ptr<ParsedExpression> CopyExpr(const ParsedExpressionPtr& p) {
  return p ? p->Copy() : nullptr;
}

std::vector<ParsedExpressionPtr> CopyExprs(const std::vector<ParsedExpressionPtr>& v) {
  std::vector<ParsedExpressionPtr> r;
  r.reserve(v.size());
  for (const auto& e : v) r.push_back(CopyExpr(e));
  return r;
}

std::vector<OrderByItem> CopyOrderBy(const std::vector<OrderByItem>& v) {
  std::vector<OrderByItem> r;
  r.reserve(v.size());
  for (const auto& item : v) r.push_back(item.Copy());
  return r;
}

std::string JoinExprs(const std::vector<ParsedExpressionPtr>& v) {
  std::string r;
  for (size_t i = 0; i < v.size(); i++) {
    if (i) r += ", ";
    r += v[i]->ToString();
  }
  return r;
}

std::string JoinOrderBy(const std::vector<OrderByItem>& v) {
  std::string r;
  for (size_t i = 0; i < v.size(); i++) {
    if (i) r += ", ";
    r += v[i].ToString();
  }
  return r;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string r;
  for (size_t i = 0; i < names.size(); i++) {
    if (i) r += ", ";
    r += QuoteIdentifier(names[i]);
  }
  return r;
}

// Binding strength of an expression, for minimal parentheses when rendering.
enum Precedence : int {
  kPrecOr = 1,
  kPrecAnd = 2,
  kPrecNot = 3,
  kPrecPredicate = 4,  // comparisons, IS, BETWEEN, IN, LIKE
  kPrecConcat = 5,
  kPrecAdditive = 6,
  kPrecMultiplicative = 7,
  kPrecUnary = 8,
  kPrecPrimary = 9,
};

int BinaryPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return kPrecOr;
    case BinaryOp::kAnd:
      return kPrecAnd;
    case BinaryOp::kConcat:
      return kPrecConcat;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
      return kPrecAdditive;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
      return kPrecMultiplicative;
    default:
      return kPrecPredicate;
  }
}

int Prec(const ParsedExpression& e) {
  switch (e.kind) {
    case ExpressionKind::kBinary:
      return BinaryPrecedence(e.As<BinaryExpression>().op);
    case ExpressionKind::kUnary:
      return e.As<UnaryExpression>().op == UnaryOp::kNot ? kPrecNot : kPrecUnary;
    case ExpressionKind::kIsNull:
    case ExpressionKind::kBetween:
    case ExpressionKind::kInList:
    case ExpressionKind::kInSubquery:
    case ExpressionKind::kLike:
      return kPrecPredicate;
    case ExpressionKind::kExists:
      return e.As<ExistsExpression>().negated ? kPrecNot : kPrecPrimary;
    case ExpressionKind::kLiteral: {
      // A negative number renders as "-5": treat it like a unary minus.
      const auto& lit = e.As<LiteralExpression>();
      if (!lit.text.empty() && lit.text[0] == '-' &&
          (lit.literal_kind == LiteralKind::kInteger || lit.literal_kind == LiteralKind::kDecimal ||
           lit.literal_kind == LiteralKind::kDouble)) {
        return kPrecUnary;
      }
      return kPrecPrimary;
    }
    default:
      return kPrecPrimary;
  }
}

// Renders `e`, parenthesized unless it binds at least as tightly as `min_prec`.
std::string Operand(const ParsedExpressionPtr& e, int min_prec) {
  std::string s = e->ToString();
  if (Prec(*e) < min_prec) return "(" + s + ")";
  return s;
}

// Renders the base of a postfix operator (a[i], (expr).field): parenthesized unless it is a column,
// a call or a cast, which print as one primary. Anything else can bind differently ("(a + b)[1]")
// or lex differently ("(1).x" would print "1.x", a decimal literal followed by x).
std::string PostfixOperand(const ParsedExpressionPtr& e) {
  bool primary =
      e->kind == ExpressionKind::kColumnRef || e->kind == ExpressionKind::kCast ||
      (e->kind == ExpressionKind::kFunction && !e->As<FunctionCallExpression>().special_form);
  std::string s = e->ToString();
  return primary ? s : "(" + s + ")";
}

}  // namespace

// ----- names -------------------------------------------------------------------------------------

std::string QuoteIdentifier(const std::string& name, bool force_quotes) {
  bool plain = !name.empty() && !force_quotes;
  if (plain) {
    unsigned char c0 = static_cast<unsigned char>(name[0]);
    if (!((c0 >= 'a' && c0 <= 'z') || c0 == '_')) plain = false;
    for (char ch : name) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        plain = false;
        break;
      }
    }
    // Reserved words, and words the parser reads as keywords in some positions.
    static const char* const kContextual[] = {
        "ALL",    "ANY", "SOME", "INTERVAL", "FILTER", "OVER", "LIMIT",   "OFFSET",   "FETCH",
        "WINDOW", "ASC", "DESC", "NULLS",    "AT",     "BOTH", "LEADING", "TRAILING", "QUALIFY"};
    if (plain) {
      std::string upper = AsciiUpper(name);
      if (IsReservedWord(upper)) plain = false;
      for (const char* w : kContextual) {
        if (upper == w) plain = false;
      }
    }
  }
  if (plain) return name;
  std::string r = "\"";
  for (char c : name) {
    if (c == '"') r += '"';
    r += c;
  }
  r += '"';
  return r;
}

std::string QualifiedName::Joined() const {
  std::string r;
  for (size_t i = 0; i < parts.size(); i++) {
    if (i) r += '.';
    r += parts[i];
  }
  return r;
}

std::string QualifiedName::ToString() const {
  std::string r;
  for (size_t i = 0; i < parts.size(); i++) {
    if (i) r += '.';
    r += QuoteIdentifier(parts[i]);
  }
  return r;
}

// ----- expressions
// ---------------------------------------------------------------------------------

const char* IntervalFieldName(IntervalField field) {
  switch (field) {
    case IntervalField::kNone:
      return "";
    case IntervalField::kYear:
      return "YEAR";
    case IntervalField::kMonth:
      return "MONTH";
    case IntervalField::kWeek:
      return "WEEK";
    case IntervalField::kDay:
      return "DAY";
    case IntervalField::kHour:
      return "HOUR";
    case IntervalField::kMinute:
      return "MINUTE";
    case IntervalField::kSecond:
      return "SECOND";
  }
  return "";
}

std::string LiteralExpression::ToString() const {
  switch (literal_kind) {
    case LiteralKind::kNull:
      return "NULL";
    case LiteralKind::kBoolean:
      return bool_value ? "TRUE" : "FALSE";
    case LiteralKind::kInteger:
    case LiteralKind::kDecimal:
    case LiteralKind::kDouble:
      return text;
    case LiteralKind::kString:
      return QuoteString(text);
    case LiteralKind::kTyped:
      return type_name + " " + QuoteString(text);
    case LiteralKind::kInterval: {
      std::string r = "INTERVAL ";
      if (interval_negative) r += "-";
      r += QuoteString(text);
      if (interval_start != IntervalField::kNone) {
        r += " ";
        r += IntervalFieldName(interval_start);
        if (interval_end != IntervalField::kNone) {
          r += " TO ";
          r += IntervalFieldName(interval_end);
        }
      }
      return r;
    }
  }
  return "NULL";
}

std::unique_ptr<ParsedExpression> LiteralExpression::Copy() const {
  auto r = std::make_unique<LiteralExpression>();
  r->position = position;
  r->literal_kind = literal_kind;
  r->text = text;
  r->bool_value = bool_value;
  r->integer_value = integer_value;
  r->double_value = double_value;
  r->type_name = type_name;
  r->interval_start = interval_start;
  r->interval_end = interval_end;
  r->interval_negative = interval_negative;
  return r;
}

std::string ColumnRefExpression::ToString() const { return name.ToString(); }

std::unique_ptr<ParsedExpression> ColumnRefExpression::Copy() const {
  auto r = std::make_unique<ColumnRefExpression>();
  r->position = position;
  r->name = name;
  return r;
}

std::string StarExpression::ToString() const {
  return qualifier.empty() ? "*" : qualifier.ToString() + ".*";
}

std::unique_ptr<ParsedExpression> StarExpression::Copy() const {
  auto r = std::make_unique<StarExpression>();
  r->position = position;
  r->qualifier = qualifier;
  return r;
}

OrderByItem OrderByItem::Copy() const {
  OrderByItem r;
  r.expr = CopyExpr(expr);
  r.ascending = ascending;
  r.nulls_first = nulls_first;
  r.position = position;
  return r;
}

std::string OrderByItem::ToString() const {
  std::string r = expr->ToString();
  if (!ascending) r += " DESC";
  if (nulls_first.has_value()) r += *nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return r;
}

namespace {

std::string FrameBoundToString(const WindowFrameBound& b) {
  switch (b.kind) {
    case WindowFrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case WindowFrameBoundKind::kPreceding:
      return Operand(b.offset, kPrecAdditive) + " PRECEDING";
    case WindowFrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case WindowFrameBoundKind::kFollowing:
      return Operand(b.offset, kPrecAdditive) + " FOLLOWING";
    case WindowFrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "";
}

WindowFrameBound CopyBound(const WindowFrameBound& b) {
  WindowFrameBound r;
  r.kind = b.kind;
  r.offset = CopyExpr(b.offset);
  return r;
}

}  // namespace

std::unique_ptr<WindowDefinition> WindowDefinition::Copy() const {
  auto r = std::make_unique<WindowDefinition>();
  r->existing_name = existing_name;
  r->name_only = name_only;
  r->position = position;
  r->partition_by = CopyExprs(partition_by);
  r->order_by = CopyOrderBy(order_by);
  if (frame) {
    r->frame = std::make_unique<WindowFrame>();
    r->frame->type = frame->type;
    r->frame->start = CopyBound(frame->start);
    r->frame->end = CopyBound(frame->end);
  }
  return r;
}

std::string WindowDefinition::ToString() const {
  if (name_only) return QuoteIdentifier(existing_name);
  std::vector<std::string> parts;
  if (!existing_name.empty()) parts.push_back(QuoteIdentifier(existing_name));
  if (!partition_by.empty()) parts.push_back("PARTITION BY " + JoinExprs(partition_by));
  if (!order_by.empty()) parts.push_back("ORDER BY " + JoinOrderBy(order_by));
  if (frame) {
    const char* type = frame->type == WindowFrameType::kRows    ? "ROWS"
                       : frame->type == WindowFrameType::kRange ? "RANGE"
                                                                : "GROUPS";
    parts.push_back(fmt::format("{} BETWEEN {} AND {}", type, FrameBoundToString(frame->start),
                                FrameBoundToString(frame->end)));
  }
  return "(" + fmt::format("{}", fmt::join(parts, " ")) + ")";
}

std::string FunctionCallExpression::ToString() const {
  std::string fname;
  for (size_t i = 0; i < name.parts.size(); i++) {
    if (i) fname += '.';
    // Unquoted names print as written (left(...) is fine as a call).
    fname += name.quoted[i] ? QuoteIdentifier(name.parts[i], true) : name.parts[i];
  }
  if (special_form) return AsciiUpper(fname);
  // The parser's names for a[i] and ARRAY[...]: printed as written.
  if (fname == "subscript" && args.size() == 2 && !over)
    return PostfixOperand(args[0]) + "[" + args[1]->ToString() + "]";
  if (fname == "$dereference" && args.size() == 2 && !over)
    return PostfixOperand(args[0]) + "." + args[1]->ToString();
  if (fname == "array_constructor" && !over) {
    std::string r = "ARRAY[";
    for (size_t i = 0; i < args.size(); i++) r += (i ? ", " : "") + args[i]->ToString();
    return r + "]";
  }
  std::string r = fname + "(";
  if (distinct) r += "DISTINCT ";
  if (is_star) {
    r += "*";
  } else {
    r += JoinExprs(args);
  }
  if (!order_by.empty()) r += " ORDER BY " + JoinOrderBy(order_by);
  r += ")";
  if (filter) r += " FILTER (WHERE " + filter->ToString() + ")";
  if (over) r += " OVER " + over->ToString();
  return r;
}

std::unique_ptr<ParsedExpression> FunctionCallExpression::Copy() const {
  auto r = std::make_unique<FunctionCallExpression>();
  r->position = position;
  r->name = name;
  r->args = CopyExprs(args);
  r->distinct = distinct;
  r->is_star = is_star;
  r->order_by = CopyOrderBy(order_by);
  r->filter = CopyExpr(filter);
  r->over = over ? over->Copy() : nullptr;
  r->special_form = special_form;
  return r;
}

std::string CastExpression::ToString() const {
  return fmt::format("{}({} AS {})", try_cast ? "TRY_CAST" : "CAST", child->ToString(), type_name);
}

std::unique_ptr<ParsedExpression> CastExpression::Copy() const {
  auto r = std::make_unique<CastExpression>();
  r->position = position;
  r->child = CopyExpr(child);
  r->type_name = type_name;
  r->try_cast = try_cast;
  return r;
}

std::string CaseExpression::ToString() const {
  std::string r = "CASE";
  if (operand) r += " " + operand->ToString();
  for (const auto& w : whens) r += " WHEN " + w.when->ToString() + " THEN " + w.then->ToString();
  if (else_expr) r += " ELSE " + else_expr->ToString();
  r += " END";
  return r;
}

std::unique_ptr<ParsedExpression> CaseExpression::Copy() const {
  auto r = std::make_unique<CaseExpression>();
  r->position = position;
  r->operand = CopyExpr(operand);
  for (const auto& w : whens) r->whens.push_back(CaseWhen{CopyExpr(w.when), CopyExpr(w.then)});
  r->else_expr = CopyExpr(else_expr);
  return r;
}

std::string UnaryExpression::ToString() const {
  if (op == UnaryOp::kNot) return "NOT " + Operand(child, kPrecNot);
  std::string c = Operand(child, kPrecUnary);
  // Avoid "--" (a comment) and "+-" ambiguity: parenthesize a signed operand.
  if (!c.empty() && (c[0] == '-' || c[0] == '+')) c = "(" + c + ")";
  return (op == UnaryOp::kNegate ? "-" : "+") + c;
}

std::unique_ptr<ParsedExpression> UnaryExpression::Copy() const {
  auto r = std::make_unique<UnaryExpression>();
  r->position = position;
  r->op = op;
  r->child = CopyExpr(child);
  return r;
}

const char* BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kModulo:
      return "%";
    case BinaryOp::kConcat:
      return "||";
    case BinaryOp::kEqual:
      return "=";
    case BinaryOp::kNotEqual:
      return "<>";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kIsDistinctFrom:
      return "IS DISTINCT FROM";
    case BinaryOp::kIsNotDistinctFrom:
      return "IS NOT DISTINCT FROM";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kOr:
      return "OR";
  }
  return "?";
}

bool IsComparisonOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
    case BinaryOp::kIsDistinctFrom:
    case BinaryOp::kIsNotDistinctFrom:
      return true;
    default:
      return false;
  }
}

bool IsArithmeticOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract:
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
      return true;
    default:
      return false;
  }
}

std::string BinaryExpression::ToString() const {
  int prec = BinaryPrecedence(op);
  // Left-associative: the left operand may bind equally; the right must bind more tightly.
  // Predicates do not chain: both operands of a comparison bind more tightly.
  int left_min = prec == kPrecPredicate ? kPrecConcat : prec;
  int right_min = prec == kPrecPredicate ? kPrecConcat : prec + 1;
  std::string r = Operand(left, left_min) + " " + BinaryOpSymbol(op) + " ";
  std::string rhs = Operand(right, right_min);
  return r + rhs;
}

std::unique_ptr<ParsedExpression> BinaryExpression::Copy() const {
  auto r = std::make_unique<BinaryExpression>();
  r->position = position;
  r->op = op;
  r->left = CopyExpr(left);
  r->right = CopyExpr(right);
  return r;
}

std::string IsNullExpression::ToString() const {
  return Operand(child, kPrecConcat) + (negated ? " IS NOT NULL" : " IS NULL");
}

std::unique_ptr<ParsedExpression> IsNullExpression::Copy() const {
  auto r = std::make_unique<IsNullExpression>();
  r->position = position;
  r->child = CopyExpr(child);
  r->negated = negated;
  return r;
}

std::string BetweenExpression::ToString() const {
  return Operand(value, kPrecConcat) + (negated ? " NOT BETWEEN " : " BETWEEN ") +
         Operand(low, kPrecConcat) + " AND " + Operand(high, kPrecConcat);
}

std::unique_ptr<ParsedExpression> BetweenExpression::Copy() const {
  auto r = std::make_unique<BetweenExpression>();
  r->position = position;
  r->value = CopyExpr(value);
  r->low = CopyExpr(low);
  r->high = CopyExpr(high);
  r->negated = negated;
  return r;
}

std::string InListExpression::ToString() const {
  return Operand(value, kPrecConcat) + (negated ? " NOT IN (" : " IN (") + JoinExprs(list) + ")";
}

std::unique_ptr<ParsedExpression> InListExpression::Copy() const {
  auto r = std::make_unique<InListExpression>();
  r->position = position;
  r->value = CopyExpr(value);
  r->list = CopyExprs(list);
  r->negated = negated;
  return r;
}

std::string InSubqueryExpression::ToString() const {
  return Operand(value, kPrecConcat) + (negated ? " NOT IN (" : " IN (") + query->ToString() + ")";
}

std::unique_ptr<ParsedExpression> InSubqueryExpression::Copy() const {
  auto r = std::make_unique<InSubqueryExpression>();
  r->position = position;
  r->value = CopyExpr(value);
  r->query = CopyPtr(query);
  r->negated = negated;
  return r;
}

std::string ExistsExpression::ToString() const {
  return std::string(negated ? "NOT EXISTS (" : "EXISTS (") + query->ToString() + ")";
}

std::unique_ptr<ParsedExpression> ExistsExpression::Copy() const {
  auto r = std::make_unique<ExistsExpression>();
  r->position = position;
  r->query = CopyPtr(query);
  r->negated = negated;
  return r;
}

std::string SubqueryExpression::ToString() const { return "(" + query->ToString() + ")"; }

std::unique_ptr<ParsedExpression> SubqueryExpression::Copy() const {
  auto r = std::make_unique<SubqueryExpression>();
  r->position = position;
  r->query = CopyPtr(query);
  return r;
}

std::string LikeExpression::ToString() const {
  std::string r = Operand(value, kPrecConcat);
  r += negated ? " NOT" : "";
  r += case_insensitive ? " ILIKE " : " LIKE ";
  r += Operand(pattern, kPrecConcat);
  if (escape) r += " ESCAPE " + Operand(escape, kPrecConcat);
  return r;
}

std::unique_ptr<ParsedExpression> LikeExpression::Copy() const {
  auto r = std::make_unique<LikeExpression>();
  r->position = position;
  r->value = CopyExpr(value);
  r->pattern = CopyExpr(pattern);
  r->escape = CopyExpr(escape);
  r->negated = negated;
  r->case_insensitive = case_insensitive;
  return r;
}

std::string ExtractExpression::ToString() const {
  return "EXTRACT(" + AsciiUpper(field) + " FROM " + child->ToString() + ")";
}

std::unique_ptr<ParsedExpression> ExtractExpression::Copy() const {
  auto r = std::make_unique<ExtractExpression>();
  r->position = position;
  r->field = field;
  r->child = CopyExpr(child);
  return r;
}

std::string LambdaExpression::ToString() const {
  std::string r = params.size() == 1 ? params[0] : "(";
  if (params.size() != 1) {
    for (size_t i = 0; i < params.size(); i++) r += (i ? ", " : "") + params[i];
    r += ")";
  }
  return r + " -> " + body->ToString();
}

std::unique_ptr<ParsedExpression> LambdaExpression::Copy() const {
  auto r = std::make_unique<LambdaExpression>();
  r->position = position;
  r->params = params;
  r->body = CopyExpr(body);
  return r;
}

// ----- table references --------------------------------------------------------------------------

std::string TableRef::AliasToString() const {
  if (alias.empty()) return "";
  std::string r = " AS " + QuoteIdentifier(alias);
  if (!column_aliases.empty()) r += "(" + JoinNames(column_aliases) + ")";
  return r;
}

void TableRef::CopyAliasTo(TableRef& other) const {
  other.position = position;
  other.alias = alias;
  other.alias_quoted = alias_quoted;
  other.column_aliases = column_aliases;
}

std::string BaseTableRef::ToString() const {
  std::string r = name.ToString();
  if (version_kind != TableVersionKind::kNone && version) {
    r += version_kind == TableVersionKind::kVersion ? " FOR VERSION AS OF "
                                                    : " FOR TIMESTAMP AS OF ";
    r += Operand(version, kPrecAdditive);
  }
  return r + AliasToString();
}

std::unique_ptr<TableRef> BaseTableRef::Copy() const {
  auto r = std::make_unique<BaseTableRef>();
  CopyAliasTo(*r);
  r->name = name;
  r->version_kind = version_kind;
  r->version = CopyExpr(version);
  return r;
}

std::string SubqueryRef::ToString() const {
  return std::string(lateral ? "LATERAL " : "") + "(" + query->ToString() + ")" + AliasToString();
}

std::unique_ptr<TableRef> SubqueryRef::Copy() const {
  auto r = std::make_unique<SubqueryRef>();
  CopyAliasTo(*r);
  r->query = CopyPtr(query);
  r->lateral = lateral;
  return r;
}

const char* AstJoinTypeName(AstJoinType type) {
  switch (type) {
    case AstJoinType::kInner:
      return "INNER";
    case AstJoinType::kLeft:
      return "LEFT";
    case AstJoinType::kRight:
      return "RIGHT";
    case AstJoinType::kFull:
      return "FULL";
    case AstJoinType::kCross:
      return "CROSS";
  }
  return "";
}

std::string JoinRef::ToString() const {
  std::string l = left->ToString();
  // A comma join binds looser than JOIN: on the left of an explicit join it needs parentheses
  // ("(a, b) JOIN c ON ..." is not "a, b JOIN c ON ...").
  if (!implicit && left->kind == TableRefKind::kJoin && left->alias.empty() &&
      left->As<JoinRef>().implicit) {
    l = "(" + l + ")";
  }
  // A join with an alias renders itself in parentheses; a join on the right needs them too.
  std::string r = right->ToString();
  if (right->kind == TableRefKind::kJoin && right->alias.empty()) r = "(" + r + ")";
  std::string body;
  if (implicit) {
    body = l + ", " + r;
  } else {
    body = l + " ";
    if (natural) body += "NATURAL ";
    switch (type) {
      case AstJoinType::kInner:
        body += "JOIN ";
        break;
      case AstJoinType::kLeft:
        body += "LEFT JOIN ";
        break;
      case AstJoinType::kRight:
        body += "RIGHT JOIN ";
        break;
      case AstJoinType::kFull:
        body += "FULL JOIN ";
        break;
      case AstJoinType::kCross:
        body += "CROSS JOIN ";
        break;
    }
    body += r;
    if (condition) body += " ON " + condition->ToString();
    if (!using_columns.empty()) body += " USING (" + JoinNames(using_columns) + ")";
  }
  if (!alias.empty()) return "(" + body + ")" + AliasToString();
  return body;
}

std::unique_ptr<TableRef> JoinRef::Copy() const {
  auto r = std::make_unique<JoinRef>();
  CopyAliasTo(*r);
  r->type = type;
  r->left = CopyPtr(left);
  r->right = CopyPtr(right);
  r->condition = CopyExpr(condition);
  r->using_columns = using_columns;
  r->natural = natural;
  r->implicit = implicit;
  return r;
}

std::string TableFunctionRef::ToString() const {
  std::string r = name.ToString() + "(";
  for (size_t i = 0; i < args.size(); i++) {
    if (i) r += ", ";
    if (!args[i].name.empty()) r += QuoteIdentifier(args[i].name) + " => ";
    r += args[i].value->ToString();
  }
  return r + ")" + (with_ordinality ? " WITH ORDINALITY" : "") + AliasToString();
}

std::unique_ptr<TableRef> TableFunctionRef::Copy() const {
  auto r = std::make_unique<TableFunctionRef>();
  CopyAliasTo(*r);
  r->name = name;
  r->with_ordinality = with_ordinality;
  for (const auto& a : args) r->args.push_back(TableFunctionArgument{a.name, CopyExpr(a.value)});
  return r;
}

// ----- queries
// -------------------------------------------------------------------------------------

std::string QueryNode::WithToString() const {
  if (ctes.empty()) return "";
  std::string r = recursive ? "WITH RECURSIVE " : "WITH ";
  for (size_t i = 0; i < ctes.size(); i++) {
    if (i) r += ", ";
    r += QuoteIdentifier(ctes[i].name);
    if (!ctes[i].column_names.empty()) r += "(" + JoinNames(ctes[i].column_names) + ")";
    r += " AS (" + ctes[i].query->ToString() + ")";
  }
  return r + " ";
}

std::string QueryNode::ModifiersToString() const {
  std::string r;
  if (!order_by.empty()) r += " ORDER BY " + JoinOrderBy(order_by);
  if (offset) r += fmt::format(" OFFSET {}", *offset);
  if (limit) r += fmt::format(" LIMIT {}", *limit);
  return r;
}

void QueryNode::CopyModifiersTo(QueryNode& other) const {
  other.position = position;
  for (const auto& cte : ctes) {
    CommonTableExpression c;
    c.name = cte.name;
    c.column_names = cte.column_names;
    c.query = CopyPtr(cte.query);
    c.position = cte.position;
    other.ctes.push_back(std::move(c));
  }
  other.recursive = recursive;
  other.order_by = CopyOrderBy(order_by);
  other.limit = limit;
  other.offset = offset;
}

std::string SelectNode::ToString() const {
  std::string r = WithToString() + "SELECT ";
  if (distinct) r += "DISTINCT ";
  for (size_t i = 0; i < select_list.size(); i++) {
    if (i) r += ", ";
    r += select_list[i].expr->ToString();
    if (!select_list[i].alias.empty()) r += " AS " + QuoteIdentifier(select_list[i].alias);
  }
  if (from) r += " FROM " + from->ToString();
  if (where) r += " WHERE " + where->ToString();
  if (!grouping_elements.empty()) {
    r += " GROUP BY " + GroupingElementsToString();
  } else if (!group_by.empty()) {
    r += " GROUP BY " + JoinExprs(group_by);
  }
  if (having) r += " HAVING " + having->ToString();
  for (size_t i = 0; i < windows.size(); i++) {
    r += (i ? ", " : " WINDOW ") + QuoteIdentifier(windows[i].name) + " AS " +
         windows[i].definition->ToString();
  }
  return r + ModifiersToString();
}

std::unique_ptr<QueryNode> SelectNode::Copy() const {
  auto r = std::make_unique<SelectNode>();
  CopyModifiersTo(*r);
  r->distinct = distinct;
  for (const auto& item : select_list) {
    SelectItem c;
    c.expr = CopyExpr(item.expr);
    c.alias = item.alias;
    c.alias_quoted = item.alias_quoted;
    c.position = item.position;
    r->select_list.push_back(std::move(c));
  }
  r->from = CopyPtr(from);
  r->where = CopyExpr(where);
  r->group_by = CopyExprs(group_by);
  r->grouping_elements = grouping_elements;
  r->group_by_distinct = group_by_distinct;
  r->having = CopyExpr(having);
  for (const auto& w : windows) r->windows.push_back({w.name, w.definition->Copy(), w.position});
  return r;
}

std::string SelectNode::GroupingElementsToString() const {
  auto list = [&](const std::vector<size_t>& l, bool parens) {
    std::string r;
    for (size_t i = 0; i < l.size(); i++) r += (i ? ", " : "") + group_by[l[i]]->ToString();
    return parens || l.size() != 1 ? "(" + r + ")" : r;
  };
  std::string r = group_by_distinct ? "DISTINCT " : "";
  for (size_t e = 0; e < grouping_elements.size(); e++) {
    const auto& el = grouping_elements[e];
    if (e) r += ", ";
    switch (el.kind) {
      case GroupingElementKind::kPlain:
        r += list(el.lists[0], el.lists[0].size() != 1);
        continue;
      case GroupingElementKind::kRollup:
        r += "ROLLUP (";
        break;
      case GroupingElementKind::kCube:
        r += "CUBE (";
        break;
      case GroupingElementKind::kGroupingSets:
        r += "GROUPING SETS (";
        break;
    }
    for (size_t i = 0; i < el.lists.size(); i++)
      r += (i ? ", " : "") + list(el.lists[i], el.kind == GroupingElementKind::kGroupingSets);
    r += ")";
  }
  return r;
}

namespace {

int SetPrecedence(const QueryNode& node) {
  if (node.kind != QueryNodeKind::kSetOperation) return 3;
  return node.As<SetOperationNode>().op == SetOperationType::kIntersect ? 2 : 1;
}

bool HasQueryModifiers(const QueryNode& node) {
  return !node.ctes.empty() || !node.order_by.empty() || node.limit || node.offset;
}

}  // namespace

std::string SetOperationNode::ToString() const {
  int prec = SetPrecedence(*this);
  std::string l = left->ToString();
  if (HasQueryModifiers(*left) || SetPrecedence(*left) < prec) l = "(" + l + ")";
  std::string r = right->ToString();
  if (HasQueryModifiers(*right) || SetPrecedence(*right) <= prec) r = "(" + r + ")";
  const char* name = op == SetOperationType::kUnion       ? " UNION "
                     : op == SetOperationType::kIntersect ? " INTERSECT "
                                                          : " EXCEPT ";
  return WithToString() + l + name + (all ? "ALL " : "") + r + ModifiersToString();
}

std::unique_ptr<QueryNode> SetOperationNode::Copy() const {
  auto r = std::make_unique<SetOperationNode>();
  CopyModifiersTo(*r);
  r->op = op;
  r->all = all;
  r->left = CopyPtr(left);
  r->right = CopyPtr(right);
  return r;
}

std::string ValuesNode::ToString() const {
  std::string r = WithToString() + "VALUES ";
  for (size_t i = 0; i < rows.size(); i++) {
    if (i) r += ", ";
    r += "(" + JoinExprs(rows[i]) + ")";
  }
  return r + ModifiersToString();
}

std::unique_ptr<QueryNode> ValuesNode::Copy() const {
  auto r = std::make_unique<ValuesNode>();
  CopyModifiersTo(*r);
  for (const auto& row : rows) r->rows.push_back(CopyExprs(row));
  return r;
}

// ----- statements
// ----------------------------------------------------------------------------------

namespace {

std::string LikeSuffix(const std::optional<std::string>& pattern) {
  return pattern ? " LIKE " + QuoteString(*pattern) : "";
}

}  // namespace

std::string SelectStatement::ToString() const { return query->ToString(); }

std::string ExplainStatement::ToString() const {
  std::string r = "EXPLAIN ";
  if (analyze) r += "ANALYZE ";
  if (verbose) r += "VERBOSE ";
  return r + statement->ToString();
}

std::string ShowCatalogsStatement::ToString() const {
  return "SHOW CATALOGS" + LikeSuffix(like_pattern);
}

std::string ShowSchemasStatement::ToString() const {
  std::string r = "SHOW SCHEMAS";
  if (!catalog.empty()) r += " FROM " + QuoteIdentifier(catalog);
  return r + LikeSuffix(like_pattern);
}

std::string ShowTablesStatement::ToString() const {
  std::string r = "SHOW TABLES";
  if (!schema.empty()) r += " FROM " + schema.ToString();
  return r + LikeSuffix(like_pattern);
}

std::string ShowColumnsStatement::ToString() const {
  return (kind == StatementKind::kDescribe ? "DESCRIBE " : "SHOW COLUMNS FROM ") + table.ToString();
}

std::string ShowFunctionsStatement::ToString() const {
  return "SHOW FUNCTIONS" + LikeSuffix(like_pattern);
}

std::string ShowSessionStatement::ToString() const {
  return "SHOW SESSION" + LikeSuffix(like_pattern);
}

std::string CreateViewStatement::ToString() const {
  return std::string("CREATE ") + (or_replace ? "OR REPLACE " : "") + "VIEW " + name.ToString() +
         " AS " + query->ToString();
}

std::string DropViewStatement::ToString() const {
  return std::string("DROP VIEW ") + (if_exists ? "IF EXISTS " : "") + name.ToString();
}

std::string CreateTableAsStatement::ToString() const {
  std::string r = std::string("CREATE ") + (or_replace ? "OR REPLACE " : "") + "TABLE " +
                  (if_not_exists ? "IF NOT EXISTS " : "") + name.ToString();
  if (!column_names.empty()) r += " (" + JoinNames(column_names) + ")";
  if (!properties.empty()) {
    r += " WITH (";
    for (size_t i = 0; i < properties.size(); i++) {
      const auto& p = properties[i];
      if (i) r += ", ";
      r += p.name + " = ";
      std::string vals;
      for (size_t j = 0; j < p.values.size(); j++) {
        if (j) vals += ", ";
        std::string v;
        for (char c : p.values[j]) {
          v += c;
          if (c == '\'') v += c;
        }
        vals += "'" + v + "'";
      }
      r += p.is_array ? "ARRAY[" + vals + "]" : vals;
    }
    r += ")";
  }
  r += " AS " + query->ToString();
  if (!with_data) r += " WITH NO DATA";
  return r;
}

std::string DropTableStatement::ToString() const {
  return std::string("DROP TABLE ") + (if_exists ? "IF EXISTS " : "") + name.ToString();
}

std::string InsertStatement::ToString() const {
  std::string r = "INSERT INTO " + table.ToString();
  if (!columns.empty()) r += " (" + JoinNames(columns) + ")";
  return r + " " + query->ToString();
}

std::string SetSessionStatement::ToString() const {
  std::string quoted_name;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (start) quoted_name += '.';
    quoted_name += QuoteIdentifier(
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return "SET SESSION " + quoted_name + " = " +
         (value_expr ? value_expr->ToString() : QuoteString(value));
}

std::string ResetSessionStatement::ToString() const {
  std::string quoted_name;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (start) quoted_name += '.';
    quoted_name += QuoteIdentifier(
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return "RESET SESSION " + quoted_name;
}

std::string UseStatement::ToString() const {
  std::string r = "USE " + QuoteIdentifier(catalog);
  if (!schema.empty()) r += "." + QuoteIdentifier(schema);
  return r;
}

const char* StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
      return "SELECT";
    case StatementKind::kExplain:
      return "EXPLAIN";
    case StatementKind::kShowCatalogs:
      return "SHOW CATALOGS";
    case StatementKind::kShowSchemas:
      return "SHOW SCHEMAS";
    case StatementKind::kShowTables:
      return "SHOW TABLES";
    case StatementKind::kShowColumns:
      return "SHOW COLUMNS";
    case StatementKind::kDescribe:
      return "DESCRIBE";
    case StatementKind::kShowFunctions:
      return "SHOW FUNCTIONS";
    case StatementKind::kShowSession:
      return "SHOW SESSION";
    case StatementKind::kCreateView:
      return "CREATE VIEW";
    case StatementKind::kDropView:
      return "DROP VIEW";
    case StatementKind::kCreateTableAs:
      return "CREATE TABLE";
    case StatementKind::kDropTable:
      return "DROP TABLE";
    case StatementKind::kInsert:
      return "INSERT";
    case StatementKind::kSetSession:
      return "SET SESSION";
    case StatementKind::kResetSession:
      return "RESET SESSION";
    case StatementKind::kUse:
      return "USE";
  }
  return "STATEMENT";
}

}  // namespace aishell
