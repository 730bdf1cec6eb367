// add, subtract, multiply, divide, modulus, negate over tinyint, smallint, integer, bigint,
// decimal (up to 38 digits), real, double,
// date/timestamp +/- interval, and concat.
#include <cmath>
#include <limits>

#include "common/date_time.h"
#include "common/exception.h"
#include "functions/cast.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using Args = const std::vector<LogicalType>&;

[[noreturn]] void Overflow(const char* op, const LogicalType& type) {
  throw Error(ErrorKind::kExecution,
              std::string(op) + " overflow: result does not fit in " + type.ToString());
}
[[noreturn]] void DivisionByZero() { throw Error(ErrorKind::kExecution, "division by zero"); }

template <class T>
void RegisterIntegral(FunctionRegistryImpl& r, LogicalType t) {
  r.AddScalar("add", {{t, t}, false, [t](Args) {
                        return MakeScalar("add", {t, t}, t,
                                          [t](const std::vector<Vector>& a, size_t n, Vector& out) {
                                            BinaryExecute<T, T, T>(
                                                a[0], a[1], n, out, [&](T x, T y) {
                                                  T z;
                                                  if (__builtin_add_overflow(x, y, &z))
                                                    Overflow("integer addition", t);
                                                  return z;
                                                });
                                          });
                      }});
  r.AddScalar("subtract", {{t, t}, false, [t](Args) {
                             return MakeScalar(
                                 "subtract", {t, t}, t,
                                 [t](const std::vector<Vector>& a, size_t n, Vector& out) {
                                   BinaryExecute<T, T, T>(a[0], a[1], n, out, [&](T x, T y) {
                                     T z;
                                     if (__builtin_sub_overflow(x, y, &z))
                                       Overflow("integer subtraction", t);
                                     return z;
                                   });
                                 });
                           }});
  r.AddScalar("multiply", {{t, t}, false, [t](Args) {
                             return MakeScalar(
                                 "multiply", {t, t}, t,
                                 [t](const std::vector<Vector>& a, size_t n, Vector& out) {
                                   BinaryExecute<T, T, T>(a[0], a[1], n, out, [&](T x, T y) {
                                     T z;
                                     if (__builtin_mul_overflow(x, y, &z))
                                       Overflow("integer multiplication", t);
                                     return z;
                                   });
                                 });
                           }});
  r.AddScalar("divide", {{t, t}, false, [t](Args) {
                           return MakeScalar(
                               "divide", {t, t}, t,
                               [t](const std::vector<Vector>& a, size_t n, Vector& out) {
                                 BinaryExecute<T, T, T>(a[0], a[1], n, out, [&](T x, T y) -> T {
                                   if (y == 0) DivisionByZero();
                                   if (y == -1) {
                                     if (x == std::numeric_limits<T>::min())
                                       Overflow("integer division", t);
                                     return -x;
                                   }
                                   return x / y;
                                 });
                               });
                         }});
  auto mod = [t](Args) {
    return MakeScalar("modulus", {t, t}, t,
                      [](const std::vector<Vector>& a, size_t n, Vector& out) {
                        BinaryExecute<T, T, T>(a[0], a[1], n, out, [&](T x, T y) -> T {
                          if (y == 0) DivisionByZero();
                          if (y == -1) return 0;
                          return x % y;
                        });
                      });
  };
  r.AddScalar("modulus", {{t, t}, false, mod});
  r.AddScalar("mod", {{t, t}, false, mod});
  r.AddScalar("negate", {{t}, false, [t](Args) {
                           return MakeScalar(
                               "negate", {t}, t,
                               [t](const std::vector<Vector>& a, size_t n, Vector& out) {
                                 UnaryExecute<T, T>(a[0], n, out, [&](T x) {
                                   if (x == std::numeric_limits<T>::min())
                                     Overflow("integer negation", t);
                                   return static_cast<T>(-x);
                                 });
                               });
                         }});
}

template <class T>
void RegisterFloating(FunctionRegistryImpl& r, LogicalType d) {
  auto bin = [&](const char* name, auto op) {
    r.AddScalar(name, {{d, d}, false, [name, op, d](Args) {
                         return MakeScalar(
                             name, {d, d}, d,
                             [op](const std::vector<Vector>& a, size_t n, Vector& out) {
                               BinaryExecute<T, T, T>(a[0], a[1], n, out, op);
                             });
                       }});
  };
  bin("add", [](T x, T y) { return x + y; });
  bin("subtract", [](T x, T y) { return x - y; });
  bin("multiply", [](T x, T y) { return x * y; });
  bin("divide", [](T x, T y) { return x / y; });
  bin("modulus", [](T x, T y) { return std::fmod(x, y); });
  bin("mod", [](T x, T y) { return std::fmod(x, y); });
  r.AddScalar("negate", {{d}, false, [d](Args) {
                           return MakeScalar(
                               "negate", {d}, d,
                               [](const std::vector<Vector>& a, size_t n, Vector& out) {
                                 UnaryExecute<T, T>(a[0], n, out, [](T x) { return -x; });
                               });
                         }});
}

// Runs a decimal kernel whose operands and result are each held as int64_t (precision <= 18)
// or Int128: op(Int128 x, Int128 y) -> Int128 computes one row (and checks it).
template <class Op>
void DecimalBinary(const Vector& a, const Vector& b, size_t n, Vector& out, Op op) {
  bool la = a.type().IsLongDecimal(), lb = b.type().IsLongDecimal();
  bool lr = out.type().IsLongDecimal();
  auto run = [&](auto ra) {
    using R = decltype(ra);
    auto wrap = [&op](auto x, auto y) -> R {
      return static_cast<R>(op(static_cast<Int128>(x), static_cast<Int128>(y)));
    };
    if (la && lb) {
      BinaryExecute<Int128, Int128, R>(a, b, n, out, wrap);
    } else if (la) {
      BinaryExecute<Int128, int64_t, R>(a, b, n, out, wrap);
    } else if (lb) {
      BinaryExecute<int64_t, Int128, R>(a, b, n, out, wrap);
    } else {
      BinaryExecute<int64_t, int64_t, R>(a, b, n, out, wrap);
    }
  };
  if (lr)
    run(Int128{});
  else
    run(int64_t{});
}

Int128 CheckedWide(Int128 v, Int128 limit, const char* op, const LogicalType& t) {
  if (v >= limit || v <= -limit) Overflow(op, t);
  return v;
}

// v * f for a rescaling factor f = 10^k, with overflow detection.
Int128 UpWide(Int128 v, Int128 f, const char* op, const LogicalType& t) {
  if (f == 1) return v;
  Int128 out;
  if (__builtin_mul_overflow(v, f, &out)) Overflow(op, t);
  return out;
}

__int128 DivRoundHalfUp(__int128 num, __int128 den) {
  __int128 q = num / den, rem = num % den;
  __int128 r2 = rem < 0 ? -rem : rem;
  __int128 d2 = den < 0 ? -den : den;
  if (r2 * 2 >= d2) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}

// Decimal arithmetic with Trino's result types (precision capped at 38). Short operands and
// results stay on the int64 path; the others compute in Int128.
void RegisterDecimal(FunctionRegistryImpl& r) {
  auto add_sub = [&](const char* name, bool subtract) {
    r.AddScalar(
        name, {{kAnyDecimal, kAnyDecimal}, false, [name, subtract](Args args) {
                 int s1 = args[0].scale, s2 = args[1].scale;
                 int s = std::max(s1, s2);
                 int p = std::min(kMaxDecimalPrecision,
                                  std::max(args[0].precision - s1, args[1].precision - s2) + s + 1);
                 LogicalType rt = LogicalType::Decimal(p, s);
                 Int128 f1 = Pow10Wide(s - s1), f2 = Pow10Wide(s - s2), limit = Pow10Wide(p);
                 bool all_short = !rt.IsLongDecimal();  // then both operands are short too
                 return MakeScalar(name, args, rt,
                                   [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                                     if (all_short && f1 == 1 && f2 == 1) {
                                       auto limit64 = static_cast<int64_t>(limit);
                                       BinaryExecute<int64_t, int64_t, int64_t>(
                                           a[0], a[1], n, out, [&](int64_t x, int64_t y) {
                                             int64_t z;
                                             bool o = subtract ? __builtin_sub_overflow(x, y, &z)
                                                               : __builtin_add_overflow(x, y, &z);
                                             if (o || z >= limit64 || z <= -limit64)
                                               Overflow("decimal arithmetic", rt);
                                             return z;
                                           });
                                       return;
                                     }
                                     if (!a[0].type().IsLongDecimal() &&
                                         !a[1].type().IsLongDecimal() && rt.IsLongDecimal()) {
                                       // 18-digit operands: the rescaled sum stays below
                                       // 10^(p-1) + 10^(p-1), so neither check can fail.
                                       BinaryExecute<int64_t, int64_t, Int128>(
                                           a[0], a[1], n, out, [&](int64_t x, int64_t y) {
                                             Int128 xs = static_cast<Int128>(x) * f1;
                                             Int128 ys = static_cast<Int128>(y) * f2;
                                             return subtract ? xs - ys : xs + ys;
                                           });
                                       return;
                                     }
                                     DecimalBinary(a[0], a[1], n, out, [&](Int128 x, Int128 y) {
                                       Int128 xs = UpWide(x, f1, "decimal arithmetic", rt);
                                       Int128 ys = UpWide(y, f2, "decimal arithmetic", rt);
                                       Int128 z;
                                       bool o = subtract ? __builtin_sub_overflow(xs, ys, &z)
                                                         : __builtin_add_overflow(xs, ys, &z);
                                       if (o) Overflow("decimal arithmetic", rt);
                                       return CheckedWide(z, limit, "decimal arithmetic", rt);
                                     });
                                   });
               }});
  };
  add_sub("add", false);
  add_sub("subtract", true);
  r.AddScalar(
      "multiply",
      {{kAnyDecimal, kAnyDecimal}, false, [](Args args) {
         int s = args[0].scale + args[1].scale;
         if (s > kMaxDecimalPrecision)
           throw Error(ErrorKind::kUnsupported, "decimal multiplication result scale " +
                                                    std::to_string(s) +
                                                    " exceeds the maximum precision " +
                                                    std::to_string(kMaxDecimalPrecision));
         int p = std::min(kMaxDecimalPrecision, args[0].precision + args[1].precision);
         LogicalType rt = LogicalType::Decimal(p, s);
         Int128 limit = Pow10Wide(p);
         return MakeScalar(
             "multiply", args, rt, [=](const std::vector<Vector>& a, size_t n, Vector& out) {
               if (!a[0].type().IsLongDecimal() && !a[1].type().IsLongDecimal() &&
                   rt.IsLongDecimal() && rt.precision == args[0].precision + args[1].precision) {
                 // |x| < 10^p1, |y| < 10^p2: the product has fewer than
                 // p1 + p2 <= 38 digits and cannot overflow.
                 BinaryExecute<int64_t, int64_t, Int128>(
                     a[0], a[1], n, out,
                     [](int64_t x, int64_t y) { return static_cast<Int128>(x) * y; });
                 return;
               }
               DecimalBinary(a[0], a[1], n, out, [&](Int128 x, Int128 y) {
                 Int128 z;
                 if (__builtin_mul_overflow(x, y, &z)) Overflow("decimal multiplication", rt);
                 return CheckedWide(z, limit, "decimal multiplication", rt);
               });
             });
       }});
  r.AddScalar("divide",
              {{kAnyDecimal, kAnyDecimal}, false, [](Args args) {
                 int p1 = args[0].precision, s1 = args[0].scale, s2 = args[1].scale;
                 int s = std::max(s1, s2);
                 int p = std::min(kMaxDecimalPrecision, p1 + s2 + std::max(0, s2 - s1));
                 if (p < s) p = s;
                 LogicalType rt = LogicalType::Decimal(std::max(p, 1), s);
                 int shift = s - s1 + s2;  // result = x * 10^shift / y
                 Int128 limit = Pow10Wide(rt.precision);
                 return MakeScalar(
                     "divide", args, rt, [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                       DecimalBinary(a[0], a[1], n, out, [&](Int128 x, Int128 y) {
                         if (y == 0) DivisionByZero();
                         Int128 num = x;
                         for (int i = 0; i < shift; i++) {
                           if (__builtin_mul_overflow(num, 10, &num))
                             Overflow("decimal division", rt);
                         }
                         return CheckedWide(DivRoundHalfUp(num, y), limit, "decimal division", rt);
                       });
                     });
               }});
  auto dmod = [](Args args) {
    int s1 = args[0].scale, s2 = args[1].scale;
    int s = std::max(s1, s2);
    int p = std::min(kMaxDecimalPrecision,
                     std::min(args[0].precision - s1, args[1].precision - s2) + s);
    LogicalType rt = LogicalType::Decimal(std::max(p, 1), s);
    Int128 f1 = Pow10Wide(s - s1), f2 = Pow10Wide(s - s2);
    return MakeScalar("modulus", args, rt,
                      [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                        DecimalBinary(a[0], a[1], n, out, [&](Int128 x, Int128 y) {
                          if (y == 0) DivisionByZero();
                          Int128 xx = UpWide(x, f1, "decimal modulus", rt);
                          Int128 yy = UpWide(y, f2, "decimal modulus", rt);
                          return xx % yy;
                        });
                      });
  };
  r.AddScalar("modulus", {{kAnyDecimal, kAnyDecimal}, false, dmod});
  r.AddScalar("mod", {{kAnyDecimal, kAnyDecimal}, false, dmod});
  r.AddScalar("negate",
              {{kAnyDecimal}, false, [](Args args) {
                 return MakeScalar(
                     "negate", args, args[0],
                     [](const std::vector<Vector>& a, size_t n, Vector& out) {
                       if (a[0].type().IsLongDecimal()) {
                         UnaryExecute<Int128, Int128>(a[0], n, out, [](Int128 x) { return -x; });
                         return;
                       }
                       UnaryExecute<int64_t, int64_t>(a[0], n, out, [](int64_t x) { return -x; });
                     });
               }});
}

void RegisterTemporal(FunctionRegistryImpl& r) {
  LogicalType date(TypeId::kDate), ts(TypeId::kTimestamp), tstz(TypeId::kTimestampTz),
      iv(TypeId::kInterval);
  // date +/- interval -> date
  auto date_iv = [&](const char* name, bool sub, bool swapped) {
    std::vector<LogicalType> params =
        swapped ? std::vector<LogicalType>{iv, date} : std::vector<LogicalType>{date, iv};
    r.AddScalar(name, {params, false, [=](Args) {
                         return MakeScalar(
                             name, params, date,
                             [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                               const Vector& dv = swapped ? a[1] : a[0];
                               const Vector& ivv = swapped ? a[0] : a[1];
                               BinaryExecute<int32_t, Interval, int32_t>(
                                   dv, ivv, n, out, [&](int32_t d, Interval i) {
                                     if (sub) i = Interval{-i.months, -i.days, -i.micros};
                                     return AddIntervalToDate(d, i);
                                   });
                             });
                       }});
  };
  date_iv("add", false, false);
  date_iv("add", false, true);
  date_iv("subtract", true, false);
  for (LogicalType t : {ts, tstz}) {
    auto ts_iv = [&, t](const char* name, bool sub, bool swapped) {
      std::vector<LogicalType> params =
          swapped ? std::vector<LogicalType>{iv, t} : std::vector<LogicalType>{t, iv};
      r.AddScalar(name, {params, false, [=](Args) {
                           return MakeScalar(
                               name, params, t,
                               [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                                 const Vector& tv = swapped ? a[1] : a[0];
                                 const Vector& ivv = swapped ? a[0] : a[1];
                                 BinaryExecute<int64_t, Interval, int64_t>(
                                     tv, ivv, n, out, [&](int64_t x, Interval i) {
                                       if (sub) i = Interval{-i.months, -i.days, -i.micros};
                                       return AddIntervalToTimestamp(x, i);
                                     });
                               });
                         }});
    };
    ts_iv("add", false, false);
    ts_iv("add", false, true);
    ts_iv("subtract", true, false);
    // timestamp - timestamp -> interval (day to second)
    r.AddScalar(
        "subtract",
        {{t, t}, false, [=](Args) {
           return MakeScalar(
               "subtract", {t, t}, iv, [](const std::vector<Vector>& a, size_t n, Vector& out) {
                 BinaryExecute<int64_t, int64_t,
                               Interval>(a[0], a[1], n, out, [](int64_t x, int64_t y) {
                   int64_t d = x - y;
                   return Interval{0, static_cast<int32_t>(d / kMicrosPerDay), d % kMicrosPerDay};
                 });
               });
         }});
  }
  // TIME +/- INTERVAL (day to second) wraps around midnight, as Trino's; TIME - TIME -> interval.
  LogicalType time(TypeId::kTime);
  auto time_iv = [&](const char* name, bool sub, bool swapped) {
    std::vector<LogicalType> params =
        swapped ? std::vector<LogicalType>{iv, time} : std::vector<LogicalType>{time, iv};
    r.AddScalar(name, {params, false, [=](Args) {
                         return MakeScalar(
                             name, params, time,
                             [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                               const Vector& tv = swapped ? a[1] : a[0];
                               const Vector& ivv = swapped ? a[0] : a[1];
                               BinaryExecute<int64_t, Interval, int64_t>(
                                   tv, ivv, n, out, [&](int64_t t, Interval i) {
                                     if (i.months != 0)
                                       throw Error(ErrorKind::kExecution,
                                                   "TIME plus or minus a year-month interval");
                                     // Whole days leave a time of day as it is.
                                     int64_t d = i.micros % kMicrosPerDay;
                                     if (sub) d = -d;
                                     int64_t r = (t + d) % kMicrosPerDay;
                                     return r < 0 ? r + kMicrosPerDay : r;
                                   });
                             });
                       }});
  };
  time_iv("add", false, false);
  time_iv("add", false, true);
  time_iv("subtract", true, false);
  r.AddScalar("subtract", {{time, time}, false, [=](Args) {
                             return MakeScalar(
                                 "subtract", {time, time}, iv,
                                 [](const std::vector<Vector>& a, size_t n, Vector& out) {
                                   BinaryExecute<int64_t, int64_t, Interval>(
                                       a[0], a[1], n, out, [](int64_t x, int64_t y) {
                                         return Interval{0, 0, x - y};
                                       });
                                 });
                           }});
  // date - date -> interval days
  r.AddScalar("subtract", {{date, date}, false, [=](Args) {
                             return MakeScalar(
                                 "subtract", {date, date}, iv,
                                 [](const std::vector<Vector>& a, size_t n, Vector& out) {
                                   BinaryExecute<int32_t, int32_t, Interval>(
                                       a[0], a[1], n, out, [](int32_t x, int32_t y) {
                                         return Interval{0, x - y, 0};
                                       });
                                 });
                           }});
  r.AddScalar(
      "add",
      {{iv, iv}, false, [=](Args) {
         return MakeScalar(
             "add", {iv, iv}, iv, [](const std::vector<Vector>& a, size_t n, Vector& out) {
               BinaryExecute<Interval, Interval, Interval>(
                   a[0], a[1], n, out, [](Interval x, Interval y) {
                     return Interval{x.months + y.months, x.days + y.days, x.micros + y.micros};
                   });
             });
       }});
  r.AddScalar(
      "subtract",
      {{iv, iv}, false, [=](Args) {
         return MakeScalar(
             "subtract", {iv, iv}, iv, [](const std::vector<Vector>& a, size_t n, Vector& out) {
               BinaryExecute<Interval, Interval, Interval>(
                   a[0], a[1], n, out, [](Interval x, Interval y) {
                     return Interval{x.months - y.months, x.days - y.days, x.micros - y.micros};
                   });
             });
       }});
  r.AddScalar("negate", {{iv}, false, [=](Args) {
                           return MakeScalar(
                               "negate", {iv}, iv,
                               [](const std::vector<Vector>& a, size_t n, Vector& out) {
                                 UnaryExecute<Interval, Interval>(a[0], n, out, [](Interval x) {
                                   return Interval{-x.months, -x.days, -x.micros};
                                 });
                               });
                         }});
  LogicalType bi(TypeId::kBigInt);
  auto iv_mul = [=](bool swapped) {
    std::vector<LogicalType> params =
        swapped ? std::vector<LogicalType>{bi, iv} : std::vector<LogicalType>{iv, bi};
    return ScalarOverload{
        params, false, [=](Args) {
          return MakeScalar("multiply", params, iv,
                            [=](const std::vector<Vector>& a, size_t n, Vector& out) {
                              BinaryExecute<Interval, int64_t, Interval>(
                                  swapped ? a[1] : a[0], swapped ? a[0] : a[1], n, out,
                                  [](Interval x, int64_t k) {
                                    return Interval{static_cast<int32_t>(x.months * k),
                                                    static_cast<int32_t>(x.days * k), x.micros * k};
                                  });
                            });
        }};
  };
  r.AddScalar("multiply", iv_mul(false));
  r.AddScalar("multiply", iv_mul(true));
}

void ConcatKernel(const std::vector<Vector>& args, size_t n, Vector& out) {
  auto* res = out.Data<std::string_view>();
  auto& heap = *out.heap();
  std::vector<UnifiedView> views;
  for (const auto& a : args) views.push_back(a.View());
  for (size_t i = 0; i < n; i++) {
    size_t len = 0;
    bool null = false;
    for (const auto& v : views) {
      if (!v.IsValid(i)) {
        null = true;
        break;
      }
      len += v.Get<std::string_view>(i).size();
    }
    if (null) {
      out.SetNull(i);
      continue;
    }
    char* p = len ? heap.Allocate(len) : nullptr;
    size_t off = 0;
    for (const auto& v : views) {
      auto s = v.Get<std::string_view>(i);
      if (!s.empty()) std::memcpy(p + off, s.data(), s.size());
      off += s.size();
    }
    res[i] = std::string_view(p, len);
  }
}

}  // namespace

void RegisterArithmeticFunctions(FunctionRegistryImpl& r) {
  RegisterIntegral<int8_t>(r, LogicalType(TypeId::kTinyInt));
  RegisterIntegral<int16_t>(r, LogicalType(TypeId::kSmallInt));
  RegisterIntegral<int32_t>(r, LogicalType(TypeId::kInteger));
  RegisterIntegral<int64_t>(r, LogicalType(TypeId::kBigInt));
  RegisterDecimal(r);
  RegisterFloating<float>(r, LogicalType(TypeId::kReal));
  RegisterFloating<double>(r, LogicalType(TypeId::kDouble));
  RegisterTemporal(r);
  LogicalType v(TypeId::kVarchar);
  r.AddScalar("concat",
              {{v}, true, [v](Args args) { return MakeScalar("concat", args, v, ConcatKernel); }});
}

}  // namespace aishell
