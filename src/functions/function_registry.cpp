#include "functions/function_registry.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <optional>

#include "common/exception.h"
#include "common/strings.h"
#include "common/type_names.h"

namespace aishell {

namespace {

bool IsAnyDecimal(const LogicalType& t) { return t.id == TypeId::kDecimal && t.precision == 0; }
bool IsAnyType(const LogicalType& t) { return t.id == TypeId::kNull && t.precision == 0; }
bool IsAnyValueType(const LogicalType& t) { return t.id == TypeId::kNull && t.precision == 1; }
bool IsAnyNested(const LogicalType& t) { return t.IsNested() && !t.nested; }

std::string ParamName(const LogicalType& t) {
  if (IsAnyDecimal(t)) return "decimal";
  if (IsAnyType(t)) return "T";
  if (IsAnyValueType(t)) return "V";
  if (t.id == TypeId::kArray && !t.nested) return "array(T)";
  if (t.id == TypeId::kMap && !t.nested) return "map(K, V)";
  if (t.id == TypeId::kRow && !t.nested) return "row(...)";
  return TrinoTypeName(t);
}

std::string ArgName(const LogicalType& t) {
  if (t.id == TypeId::kNull) return "unknown";
  return TrinoTypeName(t);
}

// Cost of coercing `from` to `to`, or -1 when not allowed.
int CoercionCost(const LogicalType& from, const LogicalType& to) {
  if (from == to) return 0;
  if (from.id == TypeId::kNull) return 1;
  if (!CanImplicitlyCoerce(from, to)) return -1;
  if (from.IsNumeric() && to.IsNumeric()) {
    int d = NumericRank(to.id) - NumericRank(from.id);
    return d > 0 ? d : 1;
  }
  return 1;
}

LogicalType DecimalOf(const LogicalType& t) {
  if (t.id == TypeId::kNull) return LogicalType::Decimal(18, 0);
  return DecimalForIntegral(t);
}

// Tries to match `args` against `params`; fills `coerced` and returns the cost, or -1.
int MatchSignature(const std::vector<LogicalType>& params, bool variadic,
                   const std::vector<LogicalType>& args, std::vector<LogicalType>* coerced) {
  size_t n = args.size();
  if (variadic) {
    if (params.empty() || n + 1 < params.size()) return -1;
  } else if (n != params.size()) {
    return -1;
  }
  auto param_at = [&](size_t i) { return i < params.size() ? params[i] : params.back(); };
  // Bind the type variables T and V.
  auto bind_variable = [&](bool (*is_variable)(const LogicalType&),
                           std::optional<LogicalType>& var) {
    for (size_t i = 0; i < n; i++) {
      if (!is_variable(param_at(i))) continue;
      if (!var) {
        var = args[i];
      } else {
        auto c = CommonSuperType(*var, args[i]);
        if (!c) return false;
        var = *c;
      }
    }
    if (var && var->id == TypeId::kNull) var = LogicalType(TypeId::kBoolean);
    return true;
  };
  std::optional<LogicalType> any, any_value;
  if (!bind_variable(IsAnyType, any) || !bind_variable(IsAnyValueType, any_value)) return -1;
  coerced->assign(n, LogicalType());
  int cost = 0;
  for (size_t i = 0; i < n; i++) {
    LogicalType p = param_at(i);
    LogicalType target;
    if (IsAnyType(p)) {
      target = *any;
    } else if (IsAnyValueType(p)) {
      target = *any_value;
    } else if (IsAnyNested(p)) {
      if (args[i].id == TypeId::kNull) {
        LogicalType unknown(TypeId::kNull);
        target = p.id == TypeId::kArray ? LogicalType::Array(unknown)
                 : p.id == TypeId::kMap ? LogicalType::Map(unknown, unknown)
                                        : LogicalType::Row({}, {});
      } else if (args[i].id != p.id) {
        return -1;
      } else {
        target = args[i];
      }
    } else if (IsAnyDecimal(p)) {
      if (args[i].id != TypeId::kDecimal && !args[i].IsIntegral() && args[i].id != TypeId::kNull)
        return -1;
      target = DecimalOf(args[i]);
    } else {
      target = p;
    }
    int c = CoercionCost(args[i], target);
    if (IsAnyDecimal(p) && args[i].IsIntegral())
      c = NumericRank(TypeId::kDecimal) - NumericRank(args[i].id);
    if (c < 0) return -1;
    cost += c;
    (*coerced)[i] = target;
  }
  return cost;
}

std::string CandidateList(const std::string& name,
                          const std::vector<std::vector<LogicalType>>& sigs,
                          const std::vector<bool>& variadic) {
  std::string out;
  for (size_t k = 0; k < sigs.size(); k++) {
    if (k) out += ", ";
    out += name + "(";
    for (size_t i = 0; i < sigs[k].size(); i++) {
      if (i) out += ", ";
      out += ParamName(sigs[k][i]);
    }
    if (variadic[k]) out += ", ...";
    out += ")";
  }
  return out;
}

std::string CallText(const std::string& name, const std::vector<LogicalType>& args) {
  std::string out = name + "(";
  for (size_t i = 0; i < args.size(); i++) {
    if (i) out += ", ";
    out += ArgName(args[i]);
  }
  return out + ")";
}

}  // namespace

std::shared_ptr<ScalarFunction> MakeScalar(const std::string& name, std::vector<LogicalType> args,
                                           LogicalType ret, ScalarFunction::Kernel kernel,
                                           bool null_propagating, bool deterministic) {
  auto fn = std::make_shared<ScalarFunction>();
  fn->name = name;
  fn->arg_types = std::move(args);
  fn->return_type = ret;
  fn->kernel = std::move(kernel);
  fn->null_propagating = null_propagating;
  fn->deterministic = deterministic;
  return fn;
}

FunctionRegistryImpl::FunctionRegistryImpl() {
  RegisterArithmeticFunctions(*this);
  RegisterStringFunctions(*this);
  RegisterMathFunctions(*this);
  RegisterDateFunctions(*this);
  RegisterAggregateFunctions(*this);
  RegisterJsonFunctions(*this);
  RegisterNestedFunctions(*this);
}

void FunctionRegistryImpl::AddScalar(const std::string& name, ScalarOverload overload) {
  scalars_[AsciiLower(name)].push_back(std::move(overload));
}

void FunctionRegistryImpl::AddAggregate(const std::string& name, AggregateOverload overload) {
  aggregates_[AsciiLower(name)].push_back(std::move(overload));
}

std::shared_ptr<const ScalarFunction> FunctionRegistryImpl::BindScalar(
    const std::string& name, const std::vector<LogicalType>& arg_types,
    std::vector<LogicalType>* coerced_arg_types) const {
  std::string key = AsciiLower(name);
  auto it = scalars_.find(key);
  if (it == scalars_.end()) return nullptr;
  int best_cost = INT_MAX;
  const ScalarOverload* best = nullptr;
  std::vector<LogicalType> best_coerced, coerced;
  for (const auto& ov : it->second) {
    int cost = MatchSignature(ov.params, ov.variadic, arg_types, &coerced);
    if (cost >= 0 && cost < best_cost) {
      best_cost = cost;
      best = &ov;
      best_coerced = coerced;
    }
  }
  if (!best) {
    std::vector<std::vector<LogicalType>> sigs;
    std::vector<bool> variadic;
    for (const auto& ov : it->second) {
      sigs.push_back(ov.params);
      variadic.push_back(ov.variadic);
    }
    throw Error(ErrorKind::kBinder,
                "function " + CallText(key, arg_types) +
                    " does not exist; candidates: " + CandidateList(key, sigs, variadic));
  }
  auto fn = best->bind(best_coerced);
  if (fn->name.empty()) fn->name = key;
  if (coerced_arg_types) *coerced_arg_types = best_coerced;
  return fn;
}

std::shared_ptr<const AggregateFunction> FunctionRegistryImpl::BindAggregate(
    const std::string& name, const std::vector<LogicalType>& arg_types, bool distinct,
    std::vector<LogicalType>* coerced_arg_types) const {
  std::string key = AsciiLower(name);
  auto it = aggregates_.find(key);
  if (it == aggregates_.end()) return nullptr;
  int best_cost = INT_MAX;
  const AggregateOverload* best = nullptr;
  std::vector<LogicalType> best_coerced, coerced;
  for (const auto& ov : it->second) {
    int cost = MatchSignature(ov.params, false, arg_types, &coerced);
    if (cost >= 0 && cost < best_cost) {
      best_cost = cost;
      best = &ov;
      best_coerced = coerced;
    }
  }
  if (!best) {
    std::vector<std::vector<LogicalType>> sigs;
    std::vector<bool> variadic;
    for (const auto& ov : it->second) {
      sigs.push_back(ov.params);
      variadic.push_back(false);
    }
    throw Error(ErrorKind::kBinder,
                "function " + CallText(key, arg_types) +
                    " does not exist; candidates: " + CandidateList(key, sigs, variadic));
  }
  auto fn = best->bind(best_coerced);
  if (fn->name.empty()) fn->name = key;
  if (distinct && !fn->arg_types.empty() && key != "min" && key != "max" && key != "arbitrary" &&
      key != "any_value" && key != "bool_and" && key != "bool_or" && key != "every" &&
      key != "approx_distinct") {
    fn = MakeDistinctAggregate(fn);
  }
  if (coerced_arg_types) *coerced_arg_types = best_coerced;
  return fn;
}

bool FunctionRegistryImpl::IsAggregate(const std::string& name) const {
  return aggregates_.count(AsciiLower(name)) > 0;
}

bool FunctionRegistryImpl::IsScalar(const std::string& name) const {
  return scalars_.count(AsciiLower(name)) > 0;
}

std::vector<std::string> FunctionRegistryImpl::Names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : scalars_) out.push_back(k);
  for (const auto& [k, v] : aggregates_) out.push_back(k);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const FunctionRegistry& FunctionRegistry::Get() {
  static const FunctionRegistryImpl registry;
  return registry;
}

}  // namespace aishell
