#include "planner/bind_lambda.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/exception.h"
#include "common/strings.h"
#include "expr/expression_executor.h"
#include "functions/function_registry.h"

namespace aishell {

namespace {

// A lambda body bound over [captures..., parameters...].
struct BoundLambda {
  ExprPtr body;
  std::vector<ExprPtr> captures;  // the outer columns the body reads, over the outer scope
};

void CollectOuterRefs(const Expr& e, size_t outer_width, std::vector<int>& refs) {
  if (e.kind == ExprKind::kColumnRef && e.column_index >= 0 &&
      static_cast<size_t>(e.column_index) < outer_width &&
      std::find(refs.begin(), refs.end(), e.column_index) == refs.end())
    refs.push_back(e.column_index);
  for (const auto& c : e.children) {
    if (c) CollectOuterRefs(*c, outer_width, refs);
  }
}

void RemapRefs(Expr& e, size_t outer_width, const std::vector<int>& refs) {
  if (e.kind == ExprKind::kColumnRef && e.column_index >= 0) {
    auto index = static_cast<size_t>(e.column_index);
    if (index < outer_width) {
      e.column_index =
          static_cast<int>(std::find(refs.begin(), refs.end(), e.column_index) - refs.begin());
    } else {
      e.column_index = static_cast<int>(refs.size() + index - outer_width);
    }
  }
  for (auto& c : e.children) {
    if (c) RemapRefs(*c, outer_width, refs);
  }
}

const LambdaExpression& LambdaArg(const FunctionCallExpression& fn, size_t i, size_t params,
                                  const std::string& name) {
  if (i >= fn.args.size() || fn.args[i]->kind != ExpressionKind::kLambda)
    throw Error(ErrorKind::kBinder,
                name + ": argument " + std::to_string(i + 1) + " must be a lambda expression",
                i < fn.args.size() ? fn.args[i]->position : fn.position);
  const auto& l = fn.args[i]->As<LambdaExpression>();
  if (l.params.size() != params)
    throw Error(ErrorKind::kBinder,
                name + ": the lambda must take " + std::to_string(params) + " parameter" +
                    (params == 1 ? "" : "s") + ", not " + std::to_string(l.params.size()),
                l.position);
  return l;
}

BoundLambda BindLambda(Binder& binder, const LambdaExpression& l,
                       const std::vector<LogicalType>& param_types, BindContext& ctx) {
  // In an aggregated query's select list the body reads the FROM columns that are GROUP BY keys.
  Scope scope;
  if (ctx.aggregate)
    scope = *ctx.aggregate->input;
  else if (ctx.scope)
    scope = *ctx.scope;
  size_t outer = scope.columns.size();
  for (auto& c : scope.columns) {  // parameters shadow outer columns of the same name
    for (const auto& p : l.params) {
      if (AsciiLower(c.name) == AsciiLower(p)) c.qualified_only = true;
    }
  }
  for (size_t i = 0; i < l.params.size(); i++) {
    ScopeColumn c;
    c.name = l.params[i];
    c.type = param_types[i];
    scope.columns.push_back(std::move(c));
  }
  BindContext inner;
  inner.scope = &scope;
  inner.clause = "a lambda expression";
  BoundLambda out;
  out.body = binder.BindExpr(*l.body, inner);
  std::vector<int> refs;
  CollectOuterRefs(*out.body, outer, refs);
  out.body = out.body->Copy();
  RemapRefs(*out.body, outer, refs);
  for (int r : refs) {
    const ScopeColumn& c = scope.columns[r];
    if (!ctx.aggregate) {
      out.captures.push_back(MakeColumnRef(r, c.type, c.name));
      continue;
    }
    const auto& groups = ctx.aggregate->groups;
    size_t g = 0;
    while (g < groups.size() &&
           !(groups[g]->kind == ExprKind::kColumnRef && groups[g]->column_index == r))
      g++;
    if (g == groups.size())
      throw Error(ErrorKind::kBinder,
                  "column '" + c.name +
                      "' must appear in the GROUP BY clause to be used in a lambda expression",
                  l.body->position);
    out.captures.push_back(MakeColumnRef(static_cast<int>(g), c.type, c.name));
  }
  return out;
}

// The elements of each row's array, flattened: element k of the batch is row[k]'s element
// child[k] of the array's child vector.
struct Elements {
  std::vector<uint32_t> child;  // index into the array's child vector
  std::vector<uint32_t> row;    // the row it belongs to
  std::vector<uint8_t> valid;   // per row: the array is not NULL
  std::vector<uint32_t> length;
  std::vector<uint32_t> offset;  // per row: its first element in the child vector
};

Elements Explode(const Vector& array, size_t n) {
  Elements e;
  UnifiedView v = array.View();
  e.valid.resize(n);
  e.length.resize(n);
  e.offset.resize(n);
  for (size_t i = 0; i < n; i++) {
    if (!v.IsValid(i)) continue;
    const ArrayEntry& entry = v.Get<ArrayEntry>(i);
    e.valid[i] = 1;
    e.length[i] = entry.length;
    e.offset[i] = entry.offset;
    for (uint32_t k = 0; k < entry.length; k++) {
      e.child.push_back(entry.offset + k);
      e.row.push_back(static_cast<uint32_t>(i));
    }
  }
  return e;
}

// The lambda's input: the captured columns at `rows`, then the parameter columns.
Batch LambdaBatch(const std::vector<Vector>& args, size_t first_capture,
                  const std::vector<uint32_t>& rows, std::vector<Vector> params) {
  Batch b;
  b.count = rows.size();
  for (size_t c = first_capture; c < args.size(); c++)
    b.columns.push_back(args[c].Select(rows.data(), rows.size()));
  for (auto& p : params) b.columns.push_back(std::move(p));
  return b;
}

std::vector<LogicalType> ArgTypes(const std::vector<ExprPtr>& args) {
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a->type);
  return types;
}

// transform(a, x -> f(x)): ARRAY of f over the elements.
std::shared_ptr<ScalarFunction> Transform(const std::vector<ExprPtr>& args, ExprPtr body) {
  LogicalType ret = LogicalType::Array(body->type);
  return MakeScalar(
      "transform", ArgTypes(args), ret,
      [body](const std::vector<Vector>& a, size_t n, Vector& out) {
        Elements e = Explode(a[0], n);
        size_t base = 0;
        if (!e.child.empty()) {
          Batch b =
              LambdaBatch(a, 1, e.row, {a[0].child(0).Select(e.child.data(), e.child.size())});
          Vector r = ExpressionExecutor::Evaluate(*body, b);
          base = out.AppendToChild(0, r, 0, e.child.size());
        }
        size_t pos = base;
        for (size_t i = 0; i < n; i++) {
          if (!e.valid[i]) {
            out.SetNull(i);
            continue;
          }
          out.SetNull(i, false);
          out.Data<ArrayEntry>()[i] =
              ArrayEntry{static_cast<uint32_t>(pos), static_cast<uint32_t>(e.length[i])};
          pos += e.length[i];
        }
      },
      /*null_propagating=*/false);
}

// filter(a, x -> p(x)): the elements where p is TRUE, in order.
std::shared_ptr<ScalarFunction> Filter(const std::vector<ExprPtr>& args, ExprPtr predicate) {
  LogicalType ret = args[0]->type;
  return MakeScalar(
      "filter", ArgTypes(args), ret,
      [predicate](const std::vector<Vector>& a, size_t n, Vector& out) {
        Elements e = Explode(a[0], n);
        std::vector<uint32_t> kept_count(n, 0);
        size_t base = 0;
        if (!e.child.empty()) {
          Vector elements = a[0].child(0).Select(e.child.data(), e.child.size());
          Batch b = LambdaBatch(a, 1, e.row, {elements});
          Vector r = ExpressionExecutor::Evaluate(*predicate, b);
          UnifiedView rv = r.View();
          std::vector<uint32_t> kept;
          for (size_t k = 0; k < e.child.size(); k++) {
            if (rv.IsValid(k) && rv.Get<uint8_t>(k)) {
              kept.push_back(static_cast<uint32_t>(k));
              kept_count[e.row[k]]++;
            }
          }
          if (!kept.empty())
            base = out.AppendToChild(0, elements.Select(kept.data(), kept.size()), 0, kept.size());
        }
        size_t pos = base;
        for (size_t i = 0; i < n; i++) {
          if (!e.valid[i]) {
            out.SetNull(i);
            continue;
          }
          out.SetNull(i, false);
          out.Data<ArrayEntry>()[i] = ArrayEntry{static_cast<uint32_t>(pos), kept_count[i]};
          pos += kept_count[i];
        }
      },
      /*null_propagating=*/false);
}

// any_match / all_match / none_match(a, x -> p(x)): Trino's three-valued results (a NULL
// predicate makes the answer NULL unless a TRUE (any, none) or a FALSE (all) decides it).
enum class MatchKind : uint8_t { kAny, kAll, kNone };

std::shared_ptr<ScalarFunction> Match(const char* name, MatchKind kind,
                                      const std::vector<ExprPtr>& args, ExprPtr predicate) {
  return MakeScalar(
      name, ArgTypes(args), LogicalType(TypeId::kBoolean),
      [kind, predicate](const std::vector<Vector>& a, size_t n, Vector& out) {
        Elements e = Explode(a[0], n);
        // Per row: saw a TRUE, a FALSE, a NULL.
        std::vector<uint8_t> saw_true(n, 0), saw_false(n, 0), saw_null(n, 0);
        if (!e.child.empty()) {
          Batch b =
              LambdaBatch(a, 1, e.row, {a[0].child(0).Select(e.child.data(), e.child.size())});
          Vector r = ExpressionExecutor::Evaluate(*predicate, b);
          UnifiedView rv = r.View();
          for (size_t k = 0; k < e.child.size(); k++) {
            uint32_t row = e.row[k];
            if (!rv.IsValid(k))
              saw_null[row] = 1;
            else if (rv.Get<uint8_t>(k))
              saw_true[row] = 1;
            else
              saw_false[row] = 1;
          }
        }
        for (size_t i = 0; i < n; i++) {
          bool decided = kind == MatchKind::kAll ? saw_false[i] : saw_true[i];
          if (!e.valid[i] || (!decided && saw_null[i])) {
            out.SetNull(i);
            continue;
          }
          out.SetNull(i, false);
          bool value = kind == MatchKind::kAny ? decided : !decided;
          out.Data<uint8_t>()[i] = value ? 1 : 0;
        }
      },
      /*null_propagating=*/false);
}

// reduce(a, init, (s, x) -> combine, s -> output): folds the elements in order from init.
std::shared_ptr<ScalarFunction> Reduce(const std::vector<ExprPtr>& args, ExprPtr combine,
                                       size_t combine_captures, ExprPtr output) {
  LogicalType state_type = args[1]->type;
  return MakeScalar(
      "reduce", ArgTypes(args), output->type,
      [combine, combine_captures, output, state_type](const std::vector<Vector>& a, size_t n,
                                                      Vector& out) {
        Elements e = Explode(a[0], n);
        // args: array, init, the combine lambda's captures, the output lambda's captures.
        std::vector<Vector> combine_args(a.begin(), a.begin() + 2 + combine_captures);
        std::vector<Vector> output_args = {a[0], a[1]};
        output_args.insert(output_args.end(), a.begin() + 2 + combine_captures, a.end());
        Vector state(state_type, std::max<size_t>(n, 1));
        state.Resize(n);
        for (size_t i = 0; i < n; i++) state.SetRowFrom(a[1], i, i);
        uint32_t longest = 0;
        for (size_t i = 0; i < n; i++) longest = std::max(longest, e.length[i]);
        for (uint32_t k = 0; k < longest; k++) {
          std::vector<uint32_t> rows, child;
          for (size_t i = 0; i < n; i++) {
            if (e.valid[i] && e.length[i] > k) {
              rows.push_back(static_cast<uint32_t>(i));
              child.push_back(e.offset[i] + k);
            }
          }
          Batch b = LambdaBatch(combine_args, 2, rows,
                                {state.Select(rows.data(), rows.size()),
                                 a[0].child(0).Select(child.data(), child.size())});
          Vector r = ExpressionExecutor::Evaluate(*combine, b);
          Vector next(state_type, std::max<size_t>(n, 1));
          next.Resize(n);
          size_t j = 0;
          for (size_t i = 0; i < n; i++) {
            if (j < rows.size() && rows[j] == i)
              next.SetRowFrom(r, j++, i);
            else
              next.SetRowFrom(state, i, i);
          }
          state = std::move(next);
        }
        std::vector<uint32_t> all(n);
        for (size_t i = 0; i < n; i++) all[i] = static_cast<uint32_t>(i);
        Batch b = LambdaBatch(output_args, 2, all, {state});
        Vector r = n ? ExpressionExecutor::Evaluate(*output, b) : Vector(output->type, 1);
        for (size_t i = 0; i < n; i++) {
          if (!e.valid[i])
            out.SetNull(i);
          else
            out.SetRowFrom(r, i, i);
        }
      },
      /*null_propagating=*/false);
}

}  // namespace

bool HasLambdaArgument(const FunctionCallExpression& fn) {
  for (const auto& a : fn.args) {
    if (a->kind == ExpressionKind::kLambda) return true;
  }
  return false;
}

ExprPtr BindLambdaCall(Binder& binder, const FunctionCallExpression& fn, BindContext& ctx) {
  std::string name = AsciiLower(fn.function_name());
  auto need_array = [&](const ExprPtr& a) {
    if (a->type.id == TypeId::kNull) return CastTo(a, LogicalType::Array(TypeId::kBoolean));
    if (a->type.id != TypeId::kArray)
      throw Error(ErrorKind::kBinder,
                  name + ": the first argument must be an ARRAY, not " + a->type.ToString(),
                  fn.args[0]->position);
    return a;
  };
  if (name == "transform" || name == "filter" || name == "any_match" || name == "all_match" ||
      name == "none_match") {
    if (fn.args.size() != 2)
      throw Error(ErrorKind::kBinder, name + " takes 2 arguments: an array and a lambda",
                  fn.position);
    if (fn.args[0]->kind == ExpressionKind::kLambda)
      throw Error(ErrorKind::kBinder, name + ": the first argument must be an ARRAY",
                  fn.args[0]->position);
    ExprPtr array = need_array(binder.BindExpr(*fn.args[0], ctx));
    const LambdaExpression& l = LambdaArg(fn, 1, 1, name);
    BoundLambda lambda = BindLambda(binder, l, {array->type.ElementType()}, ctx);
    std::vector<ExprPtr> args = {array};
    for (auto& c : lambda.captures) args.push_back(c);
    auto with_body = [](ExprPtr call, ExprPtr body) {
      call->lambda_body = std::move(body);
      return call;
    };
    if (name == "transform")
      return with_body(MakeFunction(Transform(args, lambda.body), args), lambda.body);
    ExprPtr predicate = EnsureBoolean(lambda.body, "a predicate lambda", l.body->position);
    if (name == "filter") return with_body(MakeFunction(Filter(args, predicate), args), predicate);
    MatchKind kind = name == "any_match"   ? MatchKind::kAny
                     : name == "all_match" ? MatchKind::kAll
                                           : MatchKind::kNone;
    return with_body(MakeFunction(Match(name.c_str(), kind, args, predicate), args), predicate);
  }
  if (name == "reduce") {
    if (fn.args.size() != 4)
      throw Error(ErrorKind::kBinder,
                  "reduce takes 4 arguments: an array, an initial state, (s, x) -> ... and "
                  "s -> ...",
                  fn.position);
    for (size_t i : {0, 1}) {
      if (fn.args[i]->kind == ExpressionKind::kLambda)
        throw Error(ErrorKind::kBinder,
                    "reduce: argument " + std::to_string(i + 1) + " must not be a lambda",
                    fn.args[i]->position);
    }
    ExprPtr array = need_array(binder.BindExpr(*fn.args[0], ctx));
    ExprPtr init = binder.BindExpr(*fn.args[1], ctx);
    const LambdaExpression& combine_l = LambdaArg(fn, 2, 2, name);
    const LambdaExpression& output_l = LambdaArg(fn, 3, 1, name);
    LogicalType element = array->type.ElementType();
    BoundLambda combine = BindLambda(binder, combine_l, {init->type, element}, ctx);
    if (combine.body->type != init->type) {  // the state takes the wider of the two types
      auto common = CommonSuperType(init->type, combine.body->type);
      if (!common)
        throw Error(ErrorKind::kBinder,
                    "reduce: the lambda returns " + combine.body->type.ToString() +
                        " but the state is " + init->type.ToString(),
                    combine_l.body->position);
      init = CastTo(init, *common);
      combine = BindLambda(binder, combine_l, {*common, element}, ctx);
      combine.body = CastTo(combine.body, *common);
    }
    BoundLambda output = BindLambda(binder, output_l, {init->type}, ctx);
    std::vector<ExprPtr> args = {array, init};
    for (auto& c : combine.captures) args.push_back(c);
    for (auto& c : output.captures) args.push_back(c);
    return MakeFunction(Reduce(args, combine.body, combine.captures.size(), output.body), args);
  }
  throw Error(
      ErrorKind::kBinder,
      "function '" + name + "' does not take a lambda argument (transform, filter and reduce do)",
      fn.position);
}

}  // namespace aishell
