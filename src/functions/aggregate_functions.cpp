// Aggregate functions: count, count_if, sum, avg, min, max, arbitrary, bool_and/bool_or,
// stddev/variance families, approx_distinct, array_agg, map_agg, histogram, and the DISTINCT and
// ORDER BY wrappers.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>

#include "common/exception.h"
#include "functions/function_registry.h"
#include "functions/nested_functions.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;

const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kDouble(TypeId::kDouble);
const LogicalType kBool(TypeId::kBoolean);

template <class S>
S* As(uint8_t* p) {
  return reinterpret_cast<S*>(p);
}
template <class S>
const S* As(const uint8_t* p) {
  return reinterpret_cast<const S*>(p);
}

template <class S>
std::shared_ptr<AggregateFunction> NewAggregate(const std::string& name,
                                                std::vector<LogicalType> args, LogicalType ret) {
  auto fn = std::make_shared<AggregateFunction>();
  fn->name = name;
  fn->arg_types = std::move(args);
  fn->return_type = ret;
  fn->state_size = sizeof(S);
  fn->state_align = alignof(S);
  fn->init = [](uint8_t* s) { new (s) S(); };
  fn->destroy = [](uint8_t*) {};
  return fn;
}

// Calls op(state, value) for every non-null row.
template <class T, class S, class Op>
void ForEachValid(const Vector& v, uint8_t** states, size_t count, Op op) {
  if (IsFlatNoNulls(v)) {
    const T* data = v.Data<T>();
    for (size_t i = 0; i < count; i++) op(*As<S>(states[i]), data[i]);
    return;
  }
  UnifiedView view = v.View();
  for (size_t i = 0; i < count; i++) {
    if (view.IsValid(i)) op(*As<S>(states[i]), view.Get<T>(i));
  }
}

// The same over one state, kept in a local (register) while the rows are folded.
template <class T, class S, class Op>
void ForEachValidOne(const Vector& v, uint8_t* state, size_t count, Op op) {
  S s;
  std::memcpy(&s, state, sizeof(S));
  if (IsFlatNoNulls(v)) {
    const T* data = v.Data<T>();
    for (size_t i = 0; i < count; i++) op(s, data[i]);
  } else {
    UnifiedView view = v.View();
    if (view.is_constant) {
      if (view.IsValid(0)) {
        T x = view.Get<T>(0);
        for (size_t i = 0; i < count; i++) op(s, x);
      }
    } else if (!view.validity) {
      for (size_t i = 0; i < count; i++) op(s, view.Get<T>(i));
    } else {
      for (size_t i = 0; i < count; i++) {
        if (view.IsValid(i)) op(s, view.Get<T>(i));
      }
    }
  }
  std::memcpy(state, &s, sizeof(S));
}

// Sets `update` and `update_single` from one fold op(S&, T) over the non-null rows of arg 0.
template <class T, class S, class Op>
void SetFold(AggregateFunction& fn, Op op) {
  fn.update = [op](VecArgs a, uint8_t** states, size_t count) {
    ForEachValid<T, S>(a[0], states, count, op);
  };
  fn.update_single = [op](VecArgs a, uint8_t* state, size_t count) {
    ForEachValidOne<T, S>(a[0], state, count, op);
  };
}

[[noreturn]] void SumOverflow(const LogicalType& t) {
  throw Error(ErrorKind::kExecution, "sum overflow: result does not fit in " + t.ToString());
}

// ---- count ----
struct CountState {
  int64_t n;
};

std::shared_ptr<AggregateFunction> CountStar() {
  auto fn = NewAggregate<CountState>("count_star", {}, kBigInt);
  fn->update = [](VecArgs, uint8_t** states, size_t count) {
    for (size_t i = 0; i < count; i++) As<CountState>(states[i])->n++;
  };
  fn->update_single = [](VecArgs, uint8_t* state, size_t count) {
    As<CountState>(state)->n += static_cast<int64_t>(count);
  };
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    As<CountState>(dst)->n += As<CountState>(src)->n;
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) out.Data<int64_t>()[i] = As<CountState>(states[i])->n;
  };
  return fn;
}

std::shared_ptr<AggregateFunction> Count(const LogicalType& t) {
  auto fn = CountStar();
  fn->name = "count";
  fn->arg_types = {t};
  fn->update = [](VecArgs a, uint8_t** states, size_t count) {
    const Vector& v = a[0];
    if (!v.MayHaveNulls() && v.kind() != VectorKind::kDictionary) {
      for (size_t i = 0; i < count; i++) As<CountState>(states[i])->n++;
      return;
    }
    UnifiedView view = v.View();
    for (size_t i = 0; i < count; i++) As<CountState>(states[i])->n += view.IsValid(i);
  };
  fn->update_single = [](VecArgs a, uint8_t* state, size_t count) {
    UnifiedView view = a[0].View();
    if (!view.validity) {
      As<CountState>(state)->n += static_cast<int64_t>(count);
      return;
    }
    int64_t n = 0;
    for (size_t i = 0; i < count; i++) n += view.IsValid(i);
    As<CountState>(state)->n += n;
  };
  return fn;
}

std::shared_ptr<AggregateFunction> CountIf() {
  auto fn = CountStar();
  fn->name = "count_if";
  fn->arg_types = {kBool};
  SetFold<uint8_t, CountState>(*fn, [](CountState& s, uint8_t b) { s.n += b != 0; });
  return fn;
}

// ---- sum ----
template <class T>
struct SumState {
  T sum;
  bool has;
};

std::shared_ptr<AggregateFunction> SumInteger(const LogicalType& arg, const LogicalType& ret,
                                              int64_t limit) {
  using S = SumState<int64_t>;
  auto fn = NewAggregate<S>("sum", {arg}, ret);
  auto add = [ret, limit](S& s, int64_t x) {
    if (__builtin_add_overflow(s.sum, x, &s.sum) || (limit && (s.sum >= limit || s.sum <= -limit)))
      SumOverflow(ret);
    s.has = true;
  };
  if (arg.id == TypeId::kTinyInt) {
    SetFold<int8_t, S>(*fn, [add](S& s, int8_t x) { add(s, x); });
  } else if (arg.id == TypeId::kSmallInt) {
    SetFold<int16_t, S>(*fn, [add](S& s, int16_t x) { add(s, x); });
  } else if (arg.id == TypeId::kInteger) {
    SetFold<int32_t, S>(*fn, [add](S& s, int32_t x) { add(s, x); });
  } else {
    SetFold<int64_t, S>(*fn, [add](S& s, int64_t x) { add(s, x); });
  }
  fn->combine = [add](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (s.has) add(*As<S>(dst), s.sum);
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.has)
        out.Data<int64_t>()[i] = s.sum;
      else
        out.SetNull(i);
    }
  };
  return fn;
}

// sum(DOUBLE) -> DOUBLE, sum(REAL) -> REAL (accumulated in double, as Trino does).
template <class T>
std::shared_ptr<AggregateFunction> SumFloating(const LogicalType& t) {
  using S = SumState<double>;
  auto fn = NewAggregate<S>("sum", {t}, t);
  SetFold<T, S>(*fn, [](S& s, T x) {
    s.sum += x;
    s.has = true;
  });
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (!s.has) return;
    As<S>(dst)->sum += s.sum;
    As<S>(dst)->has = true;
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.has)
        out.Data<T>()[i] = static_cast<T>(s.sum);
      else
        out.SetNull(i);
    }
  };
  return fn;
}

// 128-bit sum kept as two words so the state needs only 8-byte alignment.
struct WideSumState {
  uint64_t words[2];
  int64_t n;
  Int128 Sum() const {
    Int128 v;
    std::memcpy(&v, words, sizeof(v));
    return v;
  }
  void SetSum(Int128 v) { std::memcpy(words, &v, sizeof(v)); }
};

// sum(DECIMAL(p, s)) -> DECIMAL(38, s), as Trino. Short inputs cannot overflow the 128-bit
// accumulator (|x| < 10^18, fewer than 2^63 rows), so only the result is range-checked.
std::shared_ptr<AggregateFunction> SumDecimal(const LogicalType& arg) {
  using S = WideSumState;
  LogicalType ret = LogicalType::Decimal(kMaxDecimalPrecision, arg.scale);
  auto fn = NewAggregate<S>("sum", {arg}, ret);
  auto add_checked = [ret](S& s, Int128 x) {
    Int128 sum;
    if (__builtin_add_overflow(s.Sum(), x, &sum)) SumOverflow(ret);
    s.SetSum(sum);
  };
  if (arg.IsLongDecimal()) {
    SetFold<Int128, S>(*fn, [add_checked](S& s, Int128 x) {
      add_checked(s, x);
      s.n++;
    });
  } else {
    SetFold<int64_t, S>(*fn, [](S& s, int64_t x) {
      s.SetSum(s.Sum() + x);
      s.n++;
    });
  }
  fn->combine = [add_checked](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (s.n == 0) return;
    add_checked(*As<S>(dst), s.Sum());
    As<S>(dst)->n += s.n;
  };
  Int128 limit = Pow10Wide(kMaxDecimalPrecision);
  fn->finalize = [ret, limit](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.n == 0) {
        out.SetNull(i);
        continue;
      }
      Int128 v = s.Sum();
      if (v >= limit || v <= -limit) SumOverflow(ret);
      out.Data<Int128>()[i] = v;
    }
  };
  return fn;
}

// ---- avg ----
// 128-bit sum kept as two words so the state needs only 8-byte alignment.
struct AvgIntState {
  uint64_t words[2];
  int64_t n;
  __int128 Sum() const {
    __int128 v;
    std::memcpy(&v, words, sizeof(v));
    return v;
  }
  void SetSum(__int128 v) { std::memcpy(words, &v, sizeof(v)); }
  void Add(__int128 x) { SetSum(Sum() + x); }
};
struct AvgDoubleState {
  double sum;
  int64_t n;
};

std::shared_ptr<AggregateFunction> AvgExact(const LogicalType& arg, const LogicalType& ret) {
  using S = AvgIntState;
  auto fn = NewAggregate<S>("avg", {arg}, ret);
  if (arg.id == TypeId::kTinyInt) {
    SetFold<int8_t, S>(*fn, [](S& s, int8_t x) {
      s.Add(x);
      s.n++;
    });
  } else if (arg.id == TypeId::kSmallInt) {
    SetFold<int16_t, S>(*fn, [](S& s, int16_t x) {
      s.Add(x);
      s.n++;
    });
  } else if (arg.id == TypeId::kInteger) {
    SetFold<int32_t, S>(*fn, [](S& s, int32_t x) {
      s.Add(x);
      s.n++;
    });
  } else if (arg.IsLongDecimal()) {
    SetFold<Int128, S>(*fn, [ret](S& s, Int128 x) {
      Int128 sum;
      if (__builtin_add_overflow(s.Sum(), x, &sum)) SumOverflow(ret);
      s.SetSum(sum);
      s.n++;
    });
  } else {
    SetFold<int64_t, S>(*fn, [](S& s, int64_t x) {
      s.Add(x);
      s.n++;
    });
  }
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    As<S>(dst)->Add(As<S>(src)->Sum());
    As<S>(dst)->n += As<S>(src)->n;
  };
  bool decimal = ret.id == TypeId::kDecimal;
  fn->finalize = [decimal, ret](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.n == 0) {
        out.SetNull(i);
        continue;
      }
      if (!decimal) {
        out.Data<double>()[i] = static_cast<double>(s.Sum()) / static_cast<double>(s.n);
        continue;
      }
      __int128 sum = s.Sum();
      __int128 q = sum / s.n, rem = sum % s.n;
      if (rem < 0) rem = -rem;
      if (rem * 2 >= s.n) q += sum < 0 ? -1 : 1;
      if (ret.IsLongDecimal())
        out.Data<Int128>()[i] = q;
      else
        out.Data<int64_t>()[i] = static_cast<int64_t>(q);
    }
  };
  return fn;
}

// avg(DOUBLE) -> DOUBLE, avg(REAL) -> REAL.
template <class T>
std::shared_ptr<AggregateFunction> AvgFloating(const LogicalType& t) {
  using S = AvgDoubleState;
  auto fn = NewAggregate<S>("avg", {t}, t);
  SetFold<T, S>(*fn, [](S& s, T x) {
    s.sum += x;
    s.n++;
  });
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    As<S>(dst)->sum += As<S>(src)->sum;
    As<S>(dst)->n += As<S>(src)->n;
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.n == 0)
        out.SetNull(i);
      else
        out.Data<T>()[i] = static_cast<T>(s.sum / static_cast<double>(s.n));
    }
  };
  return fn;
}

// ---- min / max / arbitrary over fixed-width types ----
enum class PickMode { kMin, kMax, kFirst };

template <class T>
struct PickState {
  T v;
  bool has;
};

template <class T>
inline bool Better(PickMode mode, T x, T cur) {
  if constexpr (std::is_same_v<T, double>) {
    // NaN is larger than every other value (Trino ordering).
    if (mode == PickMode::kMax) return std::isnan(x) ? !std::isnan(cur) : x > cur;
    if (mode == PickMode::kMin) return std::isnan(cur) ? !std::isnan(x) : x < cur;
  } else if constexpr (!std::is_same_v<T, Interval>) {
    if (mode == PickMode::kMax) return x > cur;
    if (mode == PickMode::kMin) return x < cur;
  }
  return false;
}

template <class T>
std::shared_ptr<AggregateFunction> PickFixed(const char* name, const LogicalType& t,
                                             PickMode mode) {
  using S = PickState<T>;
  auto fn = NewAggregate<S>(name, {t}, t);
  auto fold = [mode](S& s, T x) {
    if (!s.has) {
      s.v = x;
      s.has = true;
    } else if (Better(mode, x, s.v)) {
      s.v = x;
    }
  };
  SetFold<T, S>(*fn, fold);
  fn->combine = [fold](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (s.has) fold(*As<S>(dst), s.v);
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.has)
        out.Data<T>()[i] = s.v;
      else
        out.SetNull(i);
    }
  };
  return fn;
}

// A min/max/arbitrary state owning a heap copy of the current value (strings, nested values).
template <class T>
struct OwnedPickState {
  T* v;
};

// combine, finalize and destroy of an owned-value pick: fold(state, value) keeps the better one,
// write(out, row, value) stores the result.
template <class T, class Fold, class Write>
void SetOwnedPickCallbacks(AggregateFunction& fn, Fold fold, Write write) {
  using S = OwnedPickState<T>;
  fn.combine = [fold](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (s.v) fold(*As<S>(dst), *s.v);
  };
  fn.finalize = [write](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.v)
        write(out, i, *s.v);
      else
        out.SetNull(i);
    }
  };
  fn.destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<T> owned(s->v);
    s->v = nullptr;
  };
}

// VARCHAR, VARBINARY, JSON: the state owns a copy of the current bytes.

std::shared_ptr<AggregateFunction> PickString(const char* name, const LogicalType& t,
                                              PickMode mode) {
  using S = OwnedPickState<std::string>;
  auto fn = NewAggregate<S>(name, {t}, t);
  auto fold = [mode](S& s, std::string_view x) {
    if (!s.v) {
      s.v = std::make_unique<std::string>(x).release();
    } else if ((mode == PickMode::kMin && x < std::string_view(*s.v)) ||
               (mode == PickMode::kMax && x > std::string_view(*s.v))) {
      s.v->assign(x);
    }
  };
  fn->update = [fold](VecArgs a, uint8_t** states, size_t count) {
    ForEachValid<std::string_view, S>(a[0], states, count, fold);
  };
  SetOwnedPickCallbacks<std::string>(
      *fn, fold, [](Vector& out, size_t i, const std::string& v) { out.SetString(i, v); });
  return fn;
}

// ARRAY, ROW: the state owns a copy of the current value (compared element by element, as
// Trino orders arrays and rows).
std::shared_ptr<AggregateFunction> PickValue(const char* name, const LogicalType& t,
                                             PickMode mode) {
  using S = OwnedPickState<Value>;
  auto fn = NewAggregate<S>(name, {t}, t);
  auto fold = [mode](S& s, const Value& x) {
    if (!s.v) {
      s.v = std::make_unique<Value>(x).release();
      return;
    }
    if (mode == PickMode::kFirst) return;
    int c = x.Compare(*s.v);
    if ((mode == PickMode::kMin && c < 0) || (mode == PickMode::kMax && c > 0)) *s.v = x;
  };
  fn->update = [fold](VecArgs a, uint8_t** states, size_t count) {
    for (size_t i = 0; i < count; i++) {
      Value x = a[0].GetValue(i);
      if (!x.is_null()) fold(*As<S>(states[i]), x);
    }
  };
  SetOwnedPickCallbacks<Value>(*fn, fold,
                               [](Vector& out, size_t i, const Value& v) { out.SetValue(i, v); });
  return fn;
}

std::shared_ptr<AggregateFunction> Pick(const char* name, const LogicalType& t, PickMode mode) {
  switch (t.Physical()) {
    case PhysicalKind::kBool:
      return PickFixed<uint8_t>(name, t, mode);
    case PhysicalKind::kInt8:
      return PickFixed<int8_t>(name, t, mode);
    case PhysicalKind::kInt16:
      return PickFixed<int16_t>(name, t, mode);
    case PhysicalKind::kInt32:
      return PickFixed<int32_t>(name, t, mode);
    case PhysicalKind::kInt64:
      return PickFixed<int64_t>(name, t, mode);
    case PhysicalKind::kInt128:
      return PickFixed<Int128>(name, t, mode);
    case PhysicalKind::kFloat:
      return PickFixed<float>(name, t, mode);
    case PhysicalKind::kDouble:
      return PickFixed<double>(name, t, mode);
    case PhysicalKind::kUuid:
      return PickFixed<Uuid>(name, t, mode);
    case PhysicalKind::kString:
      if (t.id == TypeId::kJson && mode != PickMode::kFirst) break;  // JSON is not orderable
      return PickString(name, t, mode);
    case PhysicalKind::kInterval:
      if (mode == PickMode::kFirst) return PickFixed<Interval>(name, t, mode);
      break;
    case PhysicalKind::kList:
    case PhysicalKind::kStruct:
      if (t.id == TypeId::kMap && mode != PickMode::kFirst) break;  // maps are not orderable
      return PickValue(name, t, mode);
    case PhysicalKind::kNone:
      break;
  }
  throw Error(ErrorKind::kBinder,
              std::string("function ") + name + "(" + t.ToString() + ") is not supported");
}

// ---- bool_and / bool_or ----
std::shared_ptr<AggregateFunction> BoolAgg(const char* name, bool is_and) {
  using S = PickState<uint8_t>;
  auto fn = NewAggregate<S>(name, {kBool}, kBool);
  auto fold = [is_and](S& s, uint8_t x) {
    if (!s.has) {
      s.v = x != 0;
      s.has = true;
    } else {
      s.v = is_and ? (s.v && x) : (s.v || x);
    }
  };
  fn->update = [fold](VecArgs a, uint8_t** states, size_t count) {
    ForEachValid<uint8_t, S>(a[0], states, count, fold);
  };
  fn->combine = [fold](const uint8_t* src, uint8_t* dst) {
    const S& s = *As<S>(src);
    if (s.has) fold(*As<S>(dst), s.v);
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      if (s.has)
        out.Data<uint8_t>()[i] = s.v;
      else
        out.SetNull(i);
    }
  };
  return fn;
}

// ---- variance family (Welford, Chan's parallel combine) ----
struct VarState {
  int64_t n;
  double mean;
  double m2;
};

enum class VarKind { kVarSamp, kVarPop, kStddevSamp, kStddevPop };

std::shared_ptr<AggregateFunction> Variance(const char* name, VarKind kind) {
  using S = VarState;
  auto fn = NewAggregate<S>(name, {kDouble}, kDouble);
  fn->update = [](VecArgs a, uint8_t** states, size_t count) {
    ForEachValid<double, S>(a[0], states, count, [](S& s, double x) {
      s.n++;
      double d = x - s.mean;
      s.mean += d / static_cast<double>(s.n);
      s.m2 += d * (x - s.mean);
    });
  };
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    const S& a = *As<S>(src);
    S& b = *As<S>(dst);
    if (a.n == 0) return;
    if (b.n == 0) {
      b = a;
      return;
    }
    int64_t n = a.n + b.n;
    double d = a.mean - b.mean;
    b.mean += d * static_cast<double>(a.n) / static_cast<double>(n);
    b.m2 +=
        a.m2 + d * d * static_cast<double>(a.n) * static_cast<double>(b.n) / static_cast<double>(n);
    b.n = n;
  };
  fn->finalize = [kind](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S& s = *As<S>(states[i]);
      bool samp = kind == VarKind::kVarSamp || kind == VarKind::kStddevSamp;
      if (s.n == 0 || (samp && s.n < 2)) {
        out.SetNull(i);
        continue;
      }
      double var = s.m2 / static_cast<double>(samp ? s.n - 1 : s.n);
      if (var < 0) var = 0;
      bool sd = kind == VarKind::kStddevSamp || kind == VarKind::kStddevPop;
      out.Data<double>()[i] = sd ? std::sqrt(var) : var;
    }
  };
  return fn;
}

// ---- array_agg, map_agg, histogram: the state owns the collected values ----
// Not hot paths: values are kept as Values, like the nested scalar functions.

// A total order over values with NULLs last (map keys, ORDER BY keys).
int CompareNullsLast(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null() ? 0 : (a.is_null() ? 1 : -1);
  return a.Compare(b);
}

struct ValueLess {
  bool operator()(const Value& a, const Value& b) const { return CompareNullsLast(a, b) < 0; }
};

// array_agg(x): every value in input order, NULLs kept (as Trino); no rows give NULL.
struct ArrayAggState {
  std::vector<Value>* values;
};

// Scalar element types: the state owns a flat vector of the values (strings copied into its own
// heap), a few bytes a value instead of a Value's hundred and more.
struct ArrayAggVectorState {
  Vector* values;
};

// Appends row i of `view` (a vector of scalar type t) to `dst`.
void AppendScalar(Vector& dst, const UnifiedView& view, size_t i, const LogicalType& t) {
  size_t k = dst.size();
  dst.Resize(k + 1);
  if (!view.IsValid(i)) {
    dst.SetNull(k);
    return;
  }
  dst.SetNull(k, false);
  if (t.IsStringLike()) {
    dst.SetString(k, view.Get<std::string_view>(i));
  } else {
    size_t w = t.PhysicalSize();
    std::memcpy(dst.RawData() + k * w, view.data + view.Index(i) * w, w);
  }
}

std::shared_ptr<AggregateFunction> ArrayAggScalar(const LogicalType& t) {
  using S = ArrayAggVectorState;
  LogicalType ret = LogicalType::Array(t);
  auto fn = NewAggregate<S>("array_agg", {t}, ret);
  auto values_of = [t](S* s) -> Vector& {
    if (!s->values) {
      s->values = std::make_unique<Vector>(t, 4).release();
      s->values->Resize(0);
    }
    return *s->values;
  };
  fn->update = [t, values_of](VecArgs a, uint8_t** states, size_t count) {
    UnifiedView view = a[0].View();
    for (size_t i = 0; i < count; i++) AppendScalar(values_of(As<S>(states[i])), view, i, t);
  };
  fn->update_single = [t, values_of](VecArgs a, uint8_t* state, size_t count) {
    UnifiedView view = a[0].View();
    Vector& values = values_of(As<S>(state));
    for (size_t i = 0; i < count; i++) AppendScalar(values, view, i, t);
  };
  fn->combine = [t, values_of](const uint8_t* src, uint8_t* dst) {
    const S* a = As<S>(src);
    if (!a->values) return;
    Vector& values = values_of(As<S>(dst));
    UnifiedView view = a->values->View();
    for (size_t i = 0; i < a->values->size(); i++) AppendScalar(values, view, i, t);
  };
  fn->finalize = [](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S* s = As<S>(states[i]);
      if (!s->values) {
        out.SetNull(i);
        continue;
      }
      size_t n = s->values->size();
      size_t base = n ? out.AppendToChild(0, *s->values, 0, n) : 0;
      out.SetNull(i, false);
      out.Data<ArrayEntry>()[i] = ArrayEntry{static_cast<uint32_t>(base), static_cast<uint32_t>(n)};
    }
  };
  fn->destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<Vector> owned(s->values);
    s->values = nullptr;
  };
  return fn;
}

std::shared_ptr<AggregateFunction> ArrayAgg(const LogicalType& t) {
  if (!t.IsNested() && t.id != TypeId::kNull) return ArrayAggScalar(t);
  using S = ArrayAggState;
  LogicalType ret = LogicalType::Array(t);
  auto fn = NewAggregate<S>("array_agg", {t}, ret);
  fn->update = [](VecArgs a, uint8_t** states, size_t count) {
    for (size_t i = 0; i < count; i++) {
      S* s = As<S>(states[i]);
      if (!s->values) s->values = std::make_unique<std::vector<Value>>().release();
      s->values->push_back(a[0].GetValue(i));
    }
  };
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    const S* a = As<S>(src);
    S* b = As<S>(dst);
    if (!a->values) return;
    if (!b->values) b->values = std::make_unique<std::vector<Value>>().release();
    b->values->insert(b->values->end(), a->values->begin(), a->values->end());
  };
  fn->finalize = [ret](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S* s = As<S>(states[i]);
      if (s->values)
        out.SetValue(i, Value::Array(ret, *s->values));
      else
        out.SetNull(i);
    }
  };
  fn->destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<std::vector<Value>> owned(s->values);
    s->values = nullptr;
  };
  return fn;
}

// map_agg(k, v) and histogram(x): a map kept ordered by key. Rows with a NULL key are skipped;
// map_agg keeps the first value of a repeated key.
struct MapAggState {
  std::map<Value, Value, ValueLess>* entries;
};

std::shared_ptr<AggregateFunction> MapAgg(const char* name, const LogicalType& key,
                                          const LogicalType& value, bool count_keys) {
  using S = MapAggState;
  using Entries = std::map<Value, Value, ValueLess>;
  LogicalType ret = LogicalType::Map(key, value);
  std::vector<LogicalType> args = {key};
  if (!count_keys) args.push_back(value);
  auto fn = NewAggregate<S>(name, args, ret);
  auto add = [count_keys](S* s, Value k, const Value& v) {
    if (!s->entries) s->entries = std::make_unique<Entries>().release();
    if (count_keys) {
      auto [it, inserted] = s->entries->try_emplace(std::move(k), v);
      if (!inserted) it->second = Value::BigInt(it->second.GetInt64() + v.GetInt64());
    } else {
      s->entries->try_emplace(std::move(k), v);
    }
  };
  fn->update = [add, count_keys](VecArgs a, uint8_t** states, size_t count) {
    const Value one = Value::BigInt(1);
    for (size_t i = 0; i < count; i++) {
      Value k = a[0].GetValue(i);
      if (k.is_null()) continue;
      add(As<S>(states[i]), std::move(k), count_keys ? one : a[1].GetValue(i));
    }
  };
  fn->combine = [add](const uint8_t* src, uint8_t* dst) {
    const S* a = As<S>(src);
    if (!a->entries) return;
    for (const auto& [k, v] : *a->entries) add(As<S>(dst), k, v);
  };
  fn->finalize = [ret](uint8_t** states, size_t count, Vector& out) {
    for (size_t i = 0; i < count; i++) {
      const S* s = As<S>(states[i]);
      if (!s->entries) {
        out.SetNull(i);
        continue;
      }
      std::vector<Value> keys, values;
      for (const auto& [k, v] : *s->entries) {
        keys.push_back(k);
        values.push_back(v);
      }
      out.SetValue(i, Value::Map(ret, std::move(keys), std::move(values)));
    }
  };
  fn->destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<Entries> owned(s->entries);
    s->entries = nullptr;
  };
  return fn;
}

// ---- DISTINCT wrapper ----
// Fixed-width values up to 8 bytes are kept as 64-bit keys; VARCHAR and INTERVAL as bytes.
// ARRAY, MAP and ROW values (whose vector entries point into child vectors) as Values.
struct DistinctSet {
  std::unordered_set<uint64_t> fixed;
  std::unordered_set<std::string> keys;
  std::set<Value, ValueLess> nested;
  size_t size() const { return fixed.size() + keys.size() + nested.size(); }
};

bool UsesFixedKeys(const LogicalType& t) {
  return !t.IsStringLike() && !t.IsNested() && t.PhysicalSize() <= 8;
}

uint64_t FixedKey(const UnifiedView& v, size_t i, const LogicalType& t) {
  switch (t.PhysicalSize()) {
    case 1:
      return v.Get<uint8_t>(i);
    case 2:
      return v.Get<uint16_t>(i);
    case 4: {
      if (t.id == TypeId::kReal) {
        float f = v.Get<float>(i);
        if (f == 0) f = 0;  // -0.0 == 0.0
        if (std::isnan(f)) f = std::numeric_limits<float>::quiet_NaN();
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof(bits));
        return bits;
      }
      return static_cast<uint32_t>(v.Get<int32_t>(i));
    }
    default: {
      if (t.id == TypeId::kDouble) {
        double d = v.Get<double>(i);
        if (d == 0) d = 0;  // -0.0 == 0.0
        if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof(bits));
        return bits;
      }
      return static_cast<uint64_t>(v.Get<int64_t>(i));
    }
  }
}
struct DistinctState {
  DistinctSet* set;
};

std::string EncodeKey(const UnifiedView& v, size_t i, const LogicalType& t) {
  if (t.IsStringLike()) return std::string(v.Get<std::string_view>(i));
  if (t.id == TypeId::kDouble) {
    double d = v.Get<double>(i);
    if (d == 0) d = 0;  // -0.0 == 0.0
    if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
    return std::string(reinterpret_cast<const char*>(&d), sizeof(d));
  }
  size_t w = t.PhysicalSize();
  return std::string(reinterpret_cast<const char*>(v.data + v.Index(i) * w), w);
}

}  // namespace

std::shared_ptr<AggregateFunction> MakeDistinctAggregate(std::shared_ptr<AggregateFunction> inner) {
  using S = DistinctState;
  LogicalType t = inner->arg_types.at(0);
  auto fn = NewAggregate<S>(inner->name, inner->arg_types, inner->return_type);
  fn->init = [](uint8_t* p) { As<S>(p)->set = nullptr; };
  bool fixed = UsesFixedKeys(t);
  fn->update = [t, fixed](VecArgs a, uint8_t** states, size_t count) {
    UnifiedView v = a[0].View();
    for (size_t i = 0; i < count; i++) {
      if (!v.IsValid(i)) continue;
      S* s = As<S>(states[i]);
      if (!s->set) s->set = std::make_unique<DistinctSet>().release();
      if (t.IsNested())
        s->set->nested.insert(a[0].GetValue(i));
      else if (fixed)
        s->set->fixed.insert(FixedKey(v, i, t));
      else
        s->set->keys.insert(EncodeKey(v, i, t));
    }
  };
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    const S* a = As<S>(src);
    S* b = As<S>(dst);
    if (!a->set) return;
    if (!b->set) b->set = std::make_unique<DistinctSet>().release();
    b->set->fixed.insert(a->set->fixed.begin(), a->set->fixed.end());
    b->set->keys.insert(a->set->keys.begin(), a->set->keys.end());
    b->set->nested.insert(a->set->nested.begin(), a->set->nested.end());
  };
  bool is_count = inner->name == "count";
  fn->finalize = [inner, t, is_count](uint8_t** states, size_t count, Vector& out) {
    std::vector<uint64_t> inner_state((inner->state_size + 7) / 8 + 2);
    auto* st = reinterpret_cast<uint8_t*>(inner_state.data());
    for (size_t i = 0; i < count; i++) {
      const S* s = As<S>(states[i]);
      size_t n = s->set ? s->set->size() : 0;
      if (is_count) {
        out.Data<int64_t>()[i] = static_cast<int64_t>(n);
        continue;
      }
      Vector values(t, std::max<size_t>(n, 1));
      values.Resize(n);
      size_t k = 0;
      size_t w = t.PhysicalSize();
      if (s->set) {
        for (const auto& key : s->set->keys) {
          if (t.IsStringLike())
            values.SetString(k, key);
          else
            std::memcpy(values.RawData() + k * w, key.data(), w);
          k++;
        }
        for (uint64_t key : s->set->fixed) {
          std::memcpy(values.RawData() + k * w, &key, w);  // little-endian: the low bytes
          k++;
        }
        for (const Value& value : s->set->nested) values.SetValue(k++, value);
      }
      inner->init(st);
      std::vector<uint8_t*> ptrs(n, st);
      if (n) inner->update({values}, ptrs.data(), n);
      Vector one(inner->return_type, 1);
      one.Resize(1);
      uint8_t* sp = st;
      inner->finalize(&sp, 1, one);
      if (inner->destroy) inner->destroy(st);
      out.SetValue(i, one.GetValue(0));
    }
  };
  fn->destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<DistinctSet> owned(s->set);
    s->set = nullptr;
  };
  return fn;
}

struct OrderedState {
  std::vector<std::vector<Value>>* rows;  // inner's arguments, then the keys
};

std::shared_ptr<AggregateFunction> MakeOrderedAggregate(
    std::shared_ptr<const AggregateFunction> inner, const std::vector<LogicalType>& key_types,
    const std::vector<bool>& descending, const std::vector<bool>& nulls_first, bool filtered,
    bool distinct) {
  using S = OrderedState;
  using Rows = std::vector<std::vector<Value>>;
  std::vector<LogicalType> args = inner->arg_types;
  size_t n_args = args.size();
  args.insert(args.end(), key_types.begin(), key_types.end());
  size_t n_columns = args.size();
  if (filtered) args.push_back(kBool);
  auto fn = NewAggregate<S>(inner->name, args, inner->return_type);
  fn->update = [filtered, n_columns](VecArgs a, uint8_t** states, size_t count) {
    std::optional<UnifiedView> condition;
    if (filtered) condition = a[n_columns].View();
    for (size_t i = 0; i < count; i++) {
      if (condition && (!condition->IsValid(i) || !condition->Get<uint8_t>(i))) continue;
      S* s = As<S>(states[i]);
      if (!s->rows) s->rows = std::make_unique<Rows>().release();
      std::vector<Value> row;
      row.reserve(n_columns);
      for (size_t c = 0; c < n_columns; c++) row.push_back(a[c].GetValue(i));
      s->rows->push_back(std::move(row));
    }
  };
  fn->combine = [](const uint8_t* src, uint8_t* dst) {
    const S* a = As<S>(src);
    S* b = As<S>(dst);
    if (!a->rows) return;
    if (!b->rows) b->rows = std::make_unique<Rows>().release();
    b->rows->insert(b->rows->end(), a->rows->begin(), a->rows->end());
  };
  fn->finalize = [inner, n_args, descending, nulls_first, distinct](uint8_t** states, size_t count,
                                                                    Vector& out) {
    auto less = [&](const std::vector<Value>& x, const std::vector<Value>& y) {
      for (size_t k = 0; k < descending.size(); k++) {
        const Value& a = x[n_args + k];
        const Value& b = y[n_args + k];
        int c;
        if (a.is_null() || b.is_null()) {
          if (a.is_null() == b.is_null()) continue;
          c = a.is_null() == nulls_first[k] ? -1 : 1;  // NULLs placed regardless of direction
        } else {
          c = a.Compare(b);
          if (descending[k]) c = -c;
        }
        if (c) return c < 0;
      }
      return false;
    };
    size_t words = (inner->state_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
    auto buffer = std::make_unique<std::max_align_t[]>(std::max<size_t>(words, 1));
    auto* st = reinterpret_cast<uint8_t*>(buffer.get());
    for (size_t i = 0; i < count; i++) {
      S* s = As<S>(states[i]);
      size_t n = s->rows ? s->rows->size() : 0;
      if (n) std::stable_sort(s->rows->begin(), s->rows->end(), less);
      if (distinct && n) {
        auto args_less = [n_args](const std::vector<Value>& x, const std::vector<Value>& y) {
          for (size_t a = 0; a < n_args; a++) {
            int c = CompareNullsLast(x[a], y[a]);
            if (c) return c < 0;
          }
          return false;
        };
        std::set<std::vector<Value>, decltype(args_less)> seen(args_less);
        Rows kept;
        for (auto& row : *s->rows) {
          if (seen.insert(row).second) kept.push_back(std::move(row));
        }
        *s->rows = std::move(kept);
        n = s->rows->size();
      }
      std::vector<Vector> values;
      for (size_t a = 0; a < n_args; a++) {
        values.emplace_back(inner->arg_types[a], std::max<size_t>(n, 1));
        values.back().Resize(n);
        for (size_t r = 0; r < n; r++) values.back().SetValue(r, (*s->rows)[r][a]);
      }
      inner->init(st);
      std::vector<uint8_t*> ptrs(n, st);
      if (n) inner->update(values, ptrs.data(), n);
      Vector one(inner->return_type, 1);
      one.Resize(1);
      uint8_t* sp = st;
      inner->finalize(&sp, 1, one);
      if (inner->destroy) inner->destroy(st);
      out.SetValue(i, one.GetValue(0));
    }
  };
  fn->destroy = [](uint8_t* p) {
    S* s = As<S>(p);
    std::unique_ptr<Rows> owned(s->rows);
    s->rows = nullptr;
  };
  return fn;
}

void RegisterAggregateFunctions(FunctionRegistryImpl& r) {
  r.AddAggregate("count_star", {{}, [](Args) { return CountStar(); }});
  r.AddAggregate("count", {{}, [](Args) { return CountStar(); }});
  r.AddAggregate("count", {{kAnyType}, [](Args a) { return Count(a[0]); }});
  r.AddAggregate("count_if", {{kBool}, [](Args) { return CountIf(); }});
  r.AddAggregate("approx_distinct", {{kAnyType}, [](Args a) {
                                       auto fn = MakeDistinctAggregate(Count(a[0]));
                                       fn->name = "approx_distinct";
                                       return fn;
                                     }});

  // Trino: sum of any integer type is BIGINT, of DECIMAL(p, s) DECIMAL(38, s); avg of an integer
  // type is DOUBLE, of DECIMAL(p, s) DECIMAL(p, s); REAL and DOUBLE keep their type.
  for (TypeId id : {TypeId::kTinyInt, TypeId::kSmallInt, TypeId::kInteger, TypeId::kBigInt}) {
    LogicalType t(id);
    r.AddAggregate("sum", {{t}, [t](Args) { return SumInteger(t, kBigInt, 0); }});
    r.AddAggregate("avg", {{t}, [t](Args) { return AvgExact(t, kDouble); }});
  }
  LogicalType real(TypeId::kReal);
  r.AddAggregate("sum", {{kAnyDecimal}, [](Args a) { return SumDecimal(a[0]); }});
  r.AddAggregate("sum", {{real}, [real](Args) { return SumFloating<float>(real); }});
  r.AddAggregate("sum", {{kDouble}, [](Args) { return SumFloating<double>(kDouble); }});

  r.AddAggregate("avg", {{kAnyDecimal}, [](Args a) { return AvgExact(a[0], a[0]); }});
  r.AddAggregate("avg", {{real}, [real](Args) { return AvgFloating<float>(real); }});
  r.AddAggregate("avg", {{kDouble}, [](Args) { return AvgFloating<double>(kDouble); }});

  r.AddAggregate("min", {{kAnyType}, [](Args a) { return Pick("min", a[0], PickMode::kMin); }});
  r.AddAggregate("max", {{kAnyType}, [](Args a) { return Pick("max", a[0], PickMode::kMax); }});
  r.AddAggregate("arbitrary",
                 {{kAnyType}, [](Args a) { return Pick("arbitrary", a[0], PickMode::kFirst); }});
  r.AddAggregate("any_value",
                 {{kAnyType}, [](Args a) { return Pick("any_value", a[0], PickMode::kFirst); }});

  r.AddAggregate("bool_and", {{kBool}, [](Args) { return BoolAgg("bool_and", true); }});
  r.AddAggregate("every", {{kBool}, [](Args) { return BoolAgg("every", true); }});
  r.AddAggregate("bool_or", {{kBool}, [](Args) { return BoolAgg("bool_or", false); }});

  struct VarSpec {
    const char* name;
    VarKind kind;
  };
  r.AddAggregate("array_agg", {{kAnyType}, [](Args a) { return ArrayAgg(a[0]); }});
  r.AddAggregate("map_agg", {{kAnyType, kAnyValueType},
                             [](Args a) { return MapAgg("map_agg", a[0], a[1], false); }});
  r.AddAggregate("histogram",
                 {{kAnyType}, [](Args a) { return MapAgg("histogram", a[0], kBigInt, true); }});

  for (VarSpec v :
       {VarSpec{"stddev", VarKind::kStddevSamp}, VarSpec{"stddev_samp", VarKind::kStddevSamp},
        VarSpec{"stddev_pop", VarKind::kStddevPop}, VarSpec{"variance", VarKind::kVarSamp},
        VarSpec{"var_samp", VarKind::kVarSamp}, VarSpec{"var_pop", VarKind::kVarPop}}) {
    r.AddAggregate(v.name, {{kDouble}, [v](Args) { return Variance(v.name, v.kind); }});
  }
}

}  // namespace aishell
