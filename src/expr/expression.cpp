#include "expr/expression.h"

#include "common/exception.h"

namespace aishell {

const char* CompareOpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kIsDistinctFrom:
      return "IS DISTINCT FROM";
    case CompareOp::kIsNotDistinctFrom:
      return "IS NOT DISTINCT FROM";
  }
  return "?";
}

CompareOp FlipCompareOp(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLe:
      return CompareOp::kGe;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGe:
      return CompareOp::kLe;
    default:
      return op;
  }
}

CompareOp NegateCompareOp(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return CompareOp::kNe;
    case CompareOp::kNe:
      return CompareOp::kEq;
    case CompareOp::kLt:
      return CompareOp::kGe;
    case CompareOp::kLe:
      return CompareOp::kGt;
    case CompareOp::kGt:
      return CompareOp::kLe;
    case CompareOp::kGe:
      return CompareOp::kLt;
    case CompareOp::kIsDistinctFrom:
      return CompareOp::kIsNotDistinctFrom;
    case CompareOp::kIsNotDistinctFrom:
      return CompareOp::kIsDistinctFrom;
  }
  return op;
}

namespace {

std::string Join(const std::vector<ExprPtr>& children, const std::vector<std::string>* names,
                 const char* sep, size_t start = 0) {
  std::string out;
  for (size_t i = start; i < children.size(); i++) {
    if (i > start) out += sep;
    out += children[i] ? children[i]->ToString(names) : "NULL";
  }
  return out;
}

// Parenthesizes compound children so that the rendering stays unambiguous.
std::string Child(const ExprPtr& e, const std::vector<std::string>* names) {
  if (!e) return "NULL";
  std::string s = e->ToString(names);
  if (e->kind == ExprKind::kAnd || e->kind == ExprKind::kOr) return "(" + s + ")";
  return s;
}

const char* FrameBoundName(const FrameBound& b, std::string* buf) {
  switch (b.kind) {
    case FrameBoundKind::kUnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBoundKind::kPreceding:
      *buf = (b.range_value ? b.offset_text : std::to_string(b.offset)) + " PRECEDING";
      return buf->c_str();
    case FrameBoundKind::kCurrentRow:
      return "CURRENT ROW";
    case FrameBoundKind::kFollowing:
      *buf = (b.range_value ? b.offset_text : std::to_string(b.offset)) + " FOLLOWING";
      return buf->c_str();
    case FrameBoundKind::kUnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

const char* WindowFunctionName(WindowFunctionKind k) {
  switch (k) {
    case WindowFunctionKind::kRowNumber:
      return "row_number";
    case WindowFunctionKind::kRank:
      return "rank";
    case WindowFunctionKind::kDenseRank:
      return "dense_rank";
    case WindowFunctionKind::kAggregate:
      return "aggregate";
    case WindowFunctionKind::kLag:
      return "lag";
    case WindowFunctionKind::kLead:
      return "lead";
    case WindowFunctionKind::kFirstValue:
      return "first_value";
    case WindowFunctionKind::kLastValue:
      return "last_value";
    case WindowFunctionKind::kNtile:
      return "ntile";
  }
  return "?";
}

}  // namespace

std::string Expr::ToString(const std::vector<std::string>* input_names) const {
  switch (kind) {
    case ExprKind::kColumnRef: {
      if (input_names && column_index >= 0 &&
          static_cast<size_t>(column_index) < input_names->size() &&
          !(*input_names)[column_index].empty()) {
        return (*input_names)[column_index];
      }
      if (!name.empty()) return name;
      return "#" + std::to_string(column_index);
    }
    case ExprKind::kConstant:
      if (value.is_null()) return "NULL";
      // Doubles read better as 50.0 than as the exact literal 50E0 (EXPLAIN is for people).
      if (value.type().id == TypeId::kDouble) return value.ToString();
      return value.ToSqlLiteral();
    case ExprKind::kCast:
      return std::string(try_cast ? "TRY_CAST(" : "CAST(") +
             (children.empty() ? "?" : children[0]->ToString(input_names)) + " AS " +
             type.ToString() + ")";
    case ExprKind::kFunction: {
      std::string fname = function ? function->name : name;
      if (function && function->field_index >= 0 && children.size() == 1 && children[0]) {
        // ROW field access: base.field
        const auto& names = children[0]->type.FieldNames();
        size_t f = static_cast<size_t>(function->field_index);
        std::string field =
            f < names.size() && !names[f].empty() ? names[f] : "field" + std::to_string(f + 1);
        return Child(children[0], input_names) + "." + field;
      }
      static const struct {
        const char* fn;
        const char* op;
      } kInfix[] = {{"add", "+"},    {"subtract", "-"}, {"multiply", "*"},
                    {"divide", "/"}, {"modulus", "%"},  {"concat", "||"}};
      if (children.size() == 2) {
        for (const auto& ix : kInfix) {
          if (fname == ix.fn)
            return "(" + Child(children[0], input_names) + " " + ix.op + " " +
                   Child(children[1], input_names) + ")";
        }
      }
      if (fname == "negate" && children.size() == 1) return "-" + Child(children[0], input_names);
      if (lambda_body && !children.empty() && children[0]) {
        // f(array, x -> body): the body's refs are the captures (children[1..]), then x.
        std::vector<std::string> names;
        for (size_t i = 1; i < children.size(); i++)
          names.push_back(children[i] ? children[i]->ToString(input_names) : "?");
        names.push_back("x");
        return fname + "(" + children[0]->ToString(input_names) + ", x -> " +
               lambda_body->ToString(&names) + ")";
      }
      return fname + "(" + Join(children, input_names, ", ") + ")";
    }
    case ExprKind::kComparison:
      return Child(children[0], input_names) + " " + CompareOpSymbol(op) + " " +
             Child(children[1], input_names);
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const char* sep = kind == ExprKind::kAnd ? " AND " : " OR ";
      std::string out;
      for (size_t i = 0; i < children.size(); i++) {
        if (i) out += sep;
        out += Child(children[i], input_names);
      }
      return out;
    }
    case ExprKind::kNot:
      return "NOT (" + (children.empty() ? std::string("?") : children[0]->ToString(input_names)) +
             ")";
    case ExprKind::kIsNull:
      return Child(children[0], input_names) + " IS NULL";
    case ExprKind::kIsNotNull:
      return Child(children[0], input_names) + " IS NOT NULL";
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (children.size() - (has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; i++) {
        out += " WHEN " + children[2 * i]->ToString(input_names) + " THEN " +
               children[2 * i + 1]->ToString(input_names);
      }
      if (has_else && !children.empty()) out += " ELSE " + children.back()->ToString(input_names);
      return out + " END";
    }
    case ExprKind::kIn:
      return Child(children[0], input_names) + (negated ? " NOT IN (" : " IN (") +
             Join(children, input_names, ", ", 1) + ")";
    case ExprKind::kLike: {
      std::string out = Child(children[0], input_names) + (negated ? " NOT" : "") +
                        (case_insensitive ? " ILIKE " : " LIKE ") + Child(children[1], input_names);
      if (children.size() > 2) out += " ESCAPE " + children[2]->ToString(input_names);
      return out;
    }
    case ExprKind::kCoalesce:
      return "coalesce(" + Join(children, input_names, ", ") + ")";
    case ExprKind::kAggregate: {
      std::string fname = aggregate ? aggregate->name : name;
      if (fname == "count_star") return "count(*)";
      return fname + "(" + (distinct ? "DISTINCT " : "") + Join(children, input_names, ", ") + ")";
    }
    case ExprKind::kWindow: {
      std::string fname;
      if (window && window->function == WindowFunctionKind::kAggregate) {
        fname = aggregate ? aggregate->name : name;
        if (fname == "count_star") fname = "count";
      } else {
        fname = window ? WindowFunctionName(window->function) : name;
      }
      std::string out = fname + "(" +
                        (children.empty() && fname == "count" ? std::string("*")
                                                              : Join(children, input_names, ", ")) +
                        ") OVER (";
      if (window) {
        std::string sep;
        if (!window->partition_by.empty()) {
          out += "PARTITION BY " + Join(window->partition_by, input_names, ", ");
          sep = " ";
        }
        if (!window->order_by.empty()) {
          out += sep + "ORDER BY ";
          for (size_t i = 0; i < window->order_by.size(); i++) {
            if (i) out += ", ";
            out += window->order_by[i].expr->ToString(input_names) +
                   (window->order_by[i].ascending ? "" : " DESC");
          }
          sep = " ";
        }
        if (window->has_frame) {
          std::string b1, b2;
          out += sep +
                 (window->rows_frame     ? "ROWS"
                  : window->groups_frame ? "GROUPS"
                                         : "RANGE") +
                 " BETWEEN " + FrameBoundName(window->frame_start, &b1) + " AND " +
                 FrameBoundName(window->frame_end, &b2);
        }
      }
      return out + ")";
    }
  }
  return "?";
}

ExprPtr Expr::Copy() const {
  auto e = std::make_shared<Expr>(*this);
  for (auto& c : e->children) {
    if (c) c = c->Copy();
  }
  if (window) {
    auto w = std::make_shared<WindowSpec>(*window);
    for (auto& p : w->partition_by) p = p->Copy();
    for (auto& k : w->order_by) k.expr = k.expr->Copy();
    e->window = std::move(w);
  }
  return e;
}

ExprPtr MakeColumnRef(int index, LogicalType type, std::string name) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kColumnRef;
  e->column_index = index;
  e->type = type;
  e->name = std::move(name);
  return e;
}

ExprPtr MakeConstant(Value value) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kConstant;
  e->type = value.type();
  e->value = std::move(value);
  return e;
}

ExprPtr MakeCast(ExprPtr child, LogicalType type, bool try_cast) {
  if (child->type == type && !try_cast) return child;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCast;
  e->type = type;
  e->try_cast = try_cast;
  e->children.push_back(std::move(child));
  return e;
}

ExprPtr MakeComparison(CompareOp op, ExprPtr left, ExprPtr right) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kComparison;
  e->type = LogicalType(TypeId::kBoolean);
  e->op = op;
  e->children.push_back(std::move(left));
  e->children.push_back(std::move(right));
  return e;
}

namespace {
ExprPtr MakeJunction(ExprKind kind, std::vector<ExprPtr> children) {
  std::vector<ExprPtr> flat;
  for (auto& c : children) {
    if (!c) continue;
    if (c->kind == kind) {
      for (auto& g : c->children) flat.push_back(g);
    } else {
      flat.push_back(std::move(c));
    }
  }
  if (flat.empty()) return MakeConstant(Value::Boolean(kind == ExprKind::kAnd));
  if (flat.size() == 1) return flat[0];
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->type = LogicalType(TypeId::kBoolean);
  e->children = std::move(flat);
  return e;
}
}  // namespace

ExprPtr MakeAnd(std::vector<ExprPtr> children) {
  return MakeJunction(ExprKind::kAnd, std::move(children));
}
ExprPtr MakeOr(std::vector<ExprPtr> children) {
  return MakeJunction(ExprKind::kOr, std::move(children));
}

ExprPtr MakeNot(ExprPtr child) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kNot;
  e->type = LogicalType(TypeId::kBoolean);
  e->children.push_back(std::move(child));
  return e;
}

ExprPtr MakeFunction(std::shared_ptr<const ScalarFunction> fn, std::vector<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFunction;
  e->type = fn ? fn->return_type : LogicalType();
  e->name = fn ? fn->name : std::string();
  e->function = std::move(fn);
  e->children = std::move(args);
  return e;
}

void CollectColumnRefs(const Expr& expr, std::vector<int>* indices) {
  if (expr.kind == ExprKind::kColumnRef) indices->push_back(expr.column_index);
  for (const auto& c : expr.children) {
    if (c) CollectColumnRefs(*c, indices);
  }
  if (expr.window) {
    for (const auto& p : expr.window->partition_by) CollectColumnRefs(*p, indices);
    for (const auto& k : expr.window->order_by) CollectColumnRefs(*k.expr, indices);
  }
}

bool IsConstant(const Expr& expr) {
  if (expr.kind == ExprKind::kColumnRef || expr.kind == ExprKind::kAggregate ||
      expr.kind == ExprKind::kWindow) {
    return false;
  }
  for (const auto& c : expr.children) {
    if (c && !IsConstant(*c)) return false;
  }
  return true;
}

bool IsDeterministic(const Expr& expr) {
  if (expr.kind == ExprKind::kFunction && expr.function && !expr.function->deterministic)
    return false;
  for (const auto& c : expr.children) {
    if (c && !IsDeterministic(*c)) return false;
  }
  return true;
}

std::vector<ExprPtr> SplitConjunction(const ExprPtr& expr) {
  std::vector<ExprPtr> out;
  if (!expr) return out;
  if (expr->kind == ExprKind::kAnd) {
    for (const auto& c : expr->children) {
      auto sub = SplitConjunction(c);
      out.insert(out.end(), sub.begin(), sub.end());
    }
  } else {
    out.push_back(expr);
  }
  return out;
}

namespace {
template <class F>
ExprPtr Rewrite(const ExprPtr& expr, const F& leaf) {
  if (!expr) return expr;
  if (expr->kind == ExprKind::kColumnRef) return leaf(*expr);
  auto e = std::make_shared<Expr>(*expr);
  for (auto& c : e->children) c = Rewrite(c, leaf);
  if (e->window) {
    auto w = std::make_shared<WindowSpec>(*e->window);
    for (auto& p : w->partition_by) p = Rewrite(p, leaf);
    for (auto& k : w->order_by) k.expr = Rewrite(k.expr, leaf);
    e->window = std::move(w);
  }
  return e;
}
}  // namespace

ExprPtr RemapColumns(const ExprPtr& expr, const std::vector<int>& mapping) {
  return Rewrite(expr, [&](const Expr& ref) -> ExprPtr {
    if (ref.column_index < 0 || static_cast<size_t>(ref.column_index) >= mapping.size() ||
        mapping[ref.column_index] < 0) {
      throw Error(ErrorKind::kInternal, "column #" + std::to_string(ref.column_index) + " (" +
                                            ref.name + ") is not available after a plan rewrite");
    }
    auto e = std::make_shared<Expr>(ref);
    e->column_index = mapping[ref.column_index];
    return e;
  });
}

ExprPtr SubstituteColumns(const ExprPtr& expr, const std::vector<ExprPtr>& replacements) {
  return Rewrite(expr, [&](const Expr& ref) -> ExprPtr {
    if (ref.column_index < 0 || static_cast<size_t>(ref.column_index) >= replacements.size() ||
        !replacements[ref.column_index]) {
      throw Error(ErrorKind::kInternal,
                  "column #" + std::to_string(ref.column_index) + " has no replacement");
    }
    return replacements[ref.column_index]->Copy();
  });
}

}  // namespace aishell
