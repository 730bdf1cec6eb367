// Math functions: abs, round, ceil, floor, sqrt, power, exp, ln, log*, sign, greatest, least,
// random, truncate, pi, e.
#include <cmath>
#include <limits>
#include <random>

#include "common/exception.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;

const LogicalType kInt(TypeId::kInteger);
const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kDouble(TypeId::kDouble);
const LogicalType kReal(TypeId::kReal);
const LogicalType kTinyInt(TypeId::kTinyInt);
const LogicalType kSmallInt(TypeId::kSmallInt);

template <class T>
T CheckedAbs(T x, const LogicalType& t) {
  if (x == std::numeric_limits<T>::min())
    throw Error(ErrorKind::kExecution, "abs overflow: result does not fit in " + t.ToString());
  return x < 0 ? -x : x;
}

// Trino: abs, sign, round, ceil, floor and truncate of a REAL are REAL.
template <class Op>
void RealUnary(FunctionRegistryImpl& r, const char* name, Op op) {
  r.AddScalar(name, {{kReal}, false, [name, op](Args) {
                       return MakeScalar(name, {kReal}, kReal,
                                         [op](VecArgs a, size_t n, Vector& out) {
                                           UnaryExecute<float, float>(a[0], n, out, op);
                                         });
                     }});
}

// Trino: abs and sign of a TINYINT or SMALLINT keep its type (abs of the minimum overflows).
template <class T>
void SmallIntAbsSign(FunctionRegistryImpl& r, const LogicalType& t) {
  r.AddScalar("abs", {{t}, false, [t](Args) {
                        return MakeScalar("abs", {t}, t, [t](VecArgs a, size_t n, Vector& out) {
                          UnaryExecute<T, T>(a[0], n, out, [&t](T x) { return CheckedAbs(x, t); });
                        });
                      }});
  r.AddScalar("sign", {{t}, false, [t](Args) {
                         return MakeScalar("sign", {t}, t, [](VecArgs a, size_t n, Vector& out) {
                           UnaryExecute<T, T>(
                               a[0], n, out, [](T x) { return static_cast<T>((x > 0) - (x < 0)); });
                         });
                       }});
}

template <class Op>
void DoubleUnary(FunctionRegistryImpl& r, const char* name, Op op) {
  r.AddScalar(name, {{kDouble}, false, [name, op](Args) {
                       return MakeScalar(name, {kDouble}, kDouble,
                                         [op](VecArgs a, size_t n, Vector& out) {
                                           UnaryExecute<double, double>(a[0], n, out, op);
                                         });
                     }});
}

// Rounds half away from zero at `digits` decimal places.
double RoundDouble(double x, int64_t digits) {
  if (std::isnan(x) || std::isinf(x)) return x;
  if (digits > 300) return x;
  if (digits < -300) return 0.0;
  double f = std::pow(10.0, static_cast<double>(digits));
  double y = std::round(x * f) / f;
  if (std::isinf(y) || std::isnan(y)) return x;
  return y;
}

// Runs op(Int128) -> Int128 over a decimal vector of any precision into a decimal result of
// any precision (int64 storage at 18 digits or fewer).
template <class Op>
void DecimalUnary(const Vector& in, size_t n, Vector& out, Op op) {
  bool li = in.type().IsLongDecimal(), lo = out.type().IsLongDecimal();
  if (!li && !lo) {
    UnaryExecute<int64_t, int64_t>(in, n, out,
                                   [&](int64_t x) { return static_cast<int64_t>(op(x)); });
  } else if (li && lo) {
    UnaryExecute<Int128, Int128>(in, n, out, op);
  } else if (li) {
    UnaryExecute<Int128, int64_t>(in, n, out,
                                  [&](Int128 x) { return static_cast<int64_t>(op(x)); });
  } else {
    UnaryExecute<int64_t, Int128>(in, n, out, [&](int64_t x) { return op(x); });
  }
}

// Divides by a power of ten rounding half away from zero.
Int128 RoundDivWide(Int128 x, Int128 div) {
  Int128 q = x / div, rem = x % div;
  if (rem < 0) rem = -rem;
  if (rem * 2 >= div) q += x < 0 ? -1 : 1;
  return q;
}

}  // namespace

void RegisterMathFunctions(FunctionRegistryImpl& r) {
  // abs / sign
  r.AddScalar("abs", {{kInt}, false, [](Args) {
                        return MakeScalar(
                            "abs", {kInt}, kInt, [](VecArgs a, size_t n, Vector& out) {
                              UnaryExecute<int32_t, int32_t>(
                                  a[0], n, out, [](int32_t x) { return CheckedAbs(x, kInt); });
                            });
                      }});
  r.AddScalar("abs", {{kBigInt}, false, [](Args) {
                        return MakeScalar(
                            "abs", {kBigInt}, kBigInt, [](VecArgs a, size_t n, Vector& out) {
                              UnaryExecute<int64_t, int64_t>(
                                  a[0], n, out, [](int64_t x) { return CheckedAbs(x, kBigInt); });
                            });
                      }});
  r.AddScalar("abs", {{kAnyDecimal}, false, [](Args args) {
                        return MakeScalar(
                            "abs", args, args[0], [](VecArgs a, size_t n, Vector& out) {
                              DecimalUnary(a[0], n, out, [](Int128 x) { return x < 0 ? -x : x; });
                            });
                      }});
  DoubleUnary(r, "abs", [](double x) { return std::fabs(x); });
  RealUnary(r, "abs", [](float x) { return std::fabs(x); });
  SmallIntAbsSign<int8_t>(r, kTinyInt);
  SmallIntAbsSign<int16_t>(r, kSmallInt);
  r.AddScalar("sign", {{kInt}, false, [](Args) {
                         return MakeScalar(
                             "sign", {kInt}, kInt, [](VecArgs a, size_t n, Vector& out) {
                               UnaryExecute<int32_t, int32_t>(
                                   a[0], n, out, [](int32_t x) { return (x > 0) - (x < 0); });
                             });
                       }});
  r.AddScalar("sign", {{kBigInt}, false, [](Args) {
                         return MakeScalar(
                             "sign", {kBigInt}, kBigInt, [](VecArgs a, size_t n, Vector& out) {
                               UnaryExecute<int64_t, int64_t>(
                                   a[0], n, out,
                                   [](int64_t x) -> int64_t { return (x > 0) - (x < 0); });
                             });
                       }});
  r.AddScalar("sign", {{kAnyDecimal}, false, [](Args args) {
                         LogicalType rt = LogicalType::Decimal(1, 0);
                         return MakeScalar("sign", args, rt, [](VecArgs a, size_t n, Vector& out) {
                           DecimalUnary(a[0], n, out,
                                        [](Int128 x) -> Int128 { return (x > 0) - (x < 0); });
                         });
                       }});
  DoubleUnary(r, "sign", [](double x) {
    if (std::isnan(x)) return x;
    return static_cast<double>((x > 0) - (x < 0));
  });
  RealUnary(r, "sign", [](float x) {
    if (std::isnan(x)) return x;
    return static_cast<float>((x > 0) - (x < 0));
  });

  // round
  for (LogicalType t : {kTinyInt, kSmallInt, kInt, kBigInt}) {
    r.AddScalar("round", {{t}, false, [t](Args) {
                            return MakeScalar("round", {t}, t,
                                              [](VecArgs a, size_t n, Vector& out) {
                                                out = a[0].CopySlice(0, n);
                                              });
                          }});
  }
  DoubleUnary(r, "round", [](double x) { return std::round(x); });
  RealUnary(r, "round", [](float x) { return std::round(x); });
  r.AddScalar("round", {{kReal, kInt}, false, [](Args) {
                          return MakeScalar("round", {kReal, kInt}, kReal,
                                            [](VecArgs a, size_t n, Vector& out) {
                                              BinaryExecute<float, int32_t, float>(
                                                  a[0], a[1], n, out, [](float x, int32_t d) {
                                                    return static_cast<float>(RoundDouble(x, d));
                                                  });
                                            });
                        }});
  r.AddScalar("round", {{kDouble, kInt}, false, [](Args) {
                          return MakeScalar("round", {kDouble, kInt}, kDouble,
                                            [](VecArgs a, size_t n, Vector& out) {
                                              BinaryExecute<double, int32_t, double>(
                                                  a[0], a[1], n, out, RoundDouble);
                                            });
                        }});
  r.AddScalar("round",
              {{kAnyDecimal}, false, [](Args args) {
                 int p = args[0].precision, s = args[0].scale;
                 LogicalType rt = LogicalType::Decimal(
                     std::min(kMaxDecimalPrecision, std::max(1, p - s + (s > 0 ? 1 : 0))), 0);
                 Int128 div = Pow10Wide(s);
                 return MakeScalar("round", args, rt, [div](VecArgs a, size_t n, Vector& out) {
                   DecimalUnary(a[0], n, out, [div](Int128 x) { return RoundDivWide(x, div); });
                 });
               }});
  r.AddScalar(
      "round",
      {{kAnyDecimal, kInt}, false, [](Args args) {
         int p = args[0].precision, s = args[0].scale;
         LogicalType rt = LogicalType::Decimal(std::min(kMaxDecimalPrecision, p + 1), s);
         Int128 limit = Pow10Wide(rt.precision);
         return MakeScalar(
             "round", {args[0], kInt}, rt, [s, limit, rt](VecArgs a, size_t n, Vector& out) {
               auto round = [&](Int128 x, int32_t d) -> Int128 {
                 if (d >= s) return x;
                 int drop = s - d;
                 if (drop > kMaxDecimalPrecision) return 0;
                 Int128 p10 = Pow10Wide(drop);
                 Int128 v = RoundDivWide(x, p10) * p10;
                 if (v >= limit || v <= -limit)
                   throw Error(ErrorKind::kExecution,
                               "round overflow: result does not fit in " + rt.ToString());
                 return v;
               };
               bool li = a[0].type().IsLongDecimal(), lo = rt.IsLongDecimal();
               if (!li && !lo) {
                 BinaryExecute<int64_t, int32_t, int64_t>(
                     a[0], a[1], n, out,
                     [&](int64_t x, int32_t d) { return static_cast<int64_t>(round(x, d)); });
               } else if (li) {
                 BinaryExecute<Int128, int32_t, Int128>(a[0], a[1], n, out, round);
               } else {
                 BinaryExecute<int64_t, int32_t, Int128>(
                     a[0], a[1], n, out, [&](int64_t x, int32_t d) { return round(x, d); });
               }
             });
       }});
  // ceil / floor / truncate
  struct RoundSpec {
    const char* name;
    int mode;  // 0 ceil, 1 floor, 2 truncate
  };
  for (RoundSpec spec : {RoundSpec{"ceil", 0}, RoundSpec{"ceiling", 0}, RoundSpec{"floor", 1},
                         RoundSpec{"truncate", 2}}) {
    int mode = spec.mode;
    DoubleUnary(r, spec.name, [mode](double x) {
      return mode == 0 ? std::ceil(x) : (mode == 1 ? std::floor(x) : std::trunc(x));
    });
    RealUnary(r, spec.name, [mode](float x) {
      return mode == 0 ? std::ceil(x) : (mode == 1 ? std::floor(x) : std::trunc(x));
    });
    for (LogicalType t : {kTinyInt, kSmallInt, kInt, kBigInt}) {
      const char* name = spec.name;
      r.AddScalar(name, {{t}, false, [t, name](Args) {
                           return MakeScalar(name, {t}, t, [](VecArgs a, size_t n, Vector& out) {
                             out = a[0].CopySlice(0, n);
                           });
                         }});
    }
    const char* name = spec.name;
    r.AddScalar(name,
                {{kAnyDecimal}, false, [name, mode](Args args) {
                   int p = args[0].precision, s = args[0].scale;
                   LogicalType rt = LogicalType::Decimal(
                       std::min(kMaxDecimalPrecision, std::max(1, p - s + (s > 0 ? 1 : 0))), 0);
                   Int128 div = Pow10Wide(s);
                   return MakeScalar(name, args, rt, [div, mode](VecArgs a, size_t n, Vector& out) {
                     DecimalUnary(a[0], n, out, [div, mode](Int128 x) {
                       Int128 q = x / div, rem = x % div;
                       if (mode == 0 && rem > 0) q++;
                       if (mode == 1 && rem < 0) q--;
                       return q;
                     });
                   });
                 }});
  }
  // Transcendental (Trino: NaN for invalid domains, no error).
  DoubleUnary(r, "sqrt", [](double x) { return std::sqrt(x); });
  DoubleUnary(r, "cbrt", [](double x) { return std::cbrt(x); });
  DoubleUnary(r, "exp", [](double x) { return std::exp(x); });
  DoubleUnary(r, "ln", [](double x) { return std::log(x); });
  DoubleUnary(r, "log10", [](double x) { return std::log10(x); });
  DoubleUnary(r, "log2", [](double x) { return std::log2(x); });
  DoubleUnary(r, "degrees", [](double x) { return x * 180.0 / M_PI; });
  DoubleUnary(r, "radians", [](double x) { return x * M_PI / 180.0; });
  DoubleUnary(r, "sin", [](double x) { return std::sin(x); });
  DoubleUnary(r, "cos", [](double x) { return std::cos(x); });
  DoubleUnary(r, "tan", [](double x) { return std::tan(x); });
  for (const char* name : {"power", "pow"}) {
    r.AddScalar(name, {{kDouble, kDouble}, false, [name](Args) {
                         return MakeScalar(name, {kDouble, kDouble}, kDouble,
                                           [](VecArgs a, size_t n, Vector& out) {
                                             BinaryExecute<double, double, double>(
                                                 a[0], a[1], n, out,
                                                 [](double x, double y) { return std::pow(x, y); });
                                           });
                       }});
  }
  r.AddScalar("log", {{kDouble, kDouble}, false, [](Args) {
                        return MakeScalar("log", {kDouble, kDouble}, kDouble,
                                          [](VecArgs a, size_t n, Vector& out) {
                                            BinaryExecute<double, double, double>(
                                                a[0], a[1], n, out, [](double b, double x) {
                                                  return std::log(x) / std::log(b);
                                                });
                                          });
                      }});
  r.AddScalar("pi", {{}, false, [](Args) {
                       return MakeScalar("pi", {}, kDouble, [](VecArgs, size_t n, Vector& out) {
                         for (size_t i = 0; i < n; i++) out.Data<double>()[i] = M_PI;
                       });
                     }});
  r.AddScalar("e", {{}, false, [](Args) {
                      return MakeScalar("e", {}, kDouble, [](VecArgs, size_t n, Vector& out) {
                        for (size_t i = 0; i < n; i++) out.Data<double>()[i] = M_E;
                      });
                    }});
  // random / rand: non-deterministic.
  for (const char* name : {"random", "rand"}) {
    r.AddScalar(name, {{}, false, [name](Args) {
                         return MakeScalar(
                             name, {}, kDouble,
                             [](VecArgs, size_t n, Vector& out) {
                               thread_local std::mt19937_64 gen(std::random_device{}());
                               std::uniform_real_distribution<double> dist(0.0, 1.0);
                               for (size_t i = 0; i < n; i++) out.Data<double>()[i] = dist(gen);
                             },
                             true, false);
                       }});
    r.AddScalar(name,
                {{kBigInt}, false, [name](Args) {
                   return MakeScalar(
                       name, {kBigInt}, kBigInt,
                       [](VecArgs a, size_t n, Vector& out) {
                         thread_local std::mt19937_64 gen(std::random_device{}());
                         UnaryExecute<int64_t, int64_t>(a[0], n, out, [](int64_t bound) -> int64_t {
                           if (bound <= 0)
                             throw Error(
                                 ErrorKind::kExecution,
                                 "random bound must be positive, got " + std::to_string(bound));
                           return static_cast<int64_t>(gen() % static_cast<uint64_t>(bound));
                         });
                       },
                       true, false);
                 }});
  }
  // greatest / least over any comparable type; NULL if any argument is NULL (Trino).
  for (bool greatest : {true, false}) {
    const char* name = greatest ? "greatest" : "least";
    r.AddScalar(name,
                {{kAnyType}, true, [name, greatest](Args args) {
                   // greatest(*) binds no argument: an error, not a read of argument 0.
                   if (args.empty())
                     throw Error(ErrorKind::kBinder,
                                 std::string(name) + " needs at least one argument");
                   LogicalType t = args[0];
                   return MakeScalar(name, args, t, [greatest](VecArgs a, size_t n, Vector& out) {
                     // Row-wise via Value comparisons is slow; use typed paths for common types.
                     auto run = [&](auto tag) {
                       using T = decltype(tag);
                       T* res = out.Data<T>();
                       RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                         T best = v[0].Get<T>(i);
                         for (size_t k = 1; k < v.size(); k++) {
                           T x = v[k].Get<T>(i);
                           if constexpr (std::is_same_v<T, double>) {
                             if (std::isnan(x) || std::isnan(best)) {
                               best = std::numeric_limits<double>::quiet_NaN();
                               continue;
                             }
                           }
                           if (greatest ? x > best : x < best) best = x;
                         }
                         res[i] = best;
                       });
                     };
                     switch (out.type().Physical()) {
                       case PhysicalKind::kBool:
                         run(uint8_t{});
                         break;
                       case PhysicalKind::kInt8:
                         run(int8_t{});
                         break;
                       case PhysicalKind::kInt16:
                         run(int16_t{});
                         break;
                       case PhysicalKind::kInt32:
                         run(int32_t{});
                         break;
                       case PhysicalKind::kInt64:
                         run(int64_t{});
                         break;
                       case PhysicalKind::kInt128:
                         run(Int128{});
                         break;
                       case PhysicalKind::kFloat:
                         run(float{});
                         break;
                       case PhysicalKind::kDouble:
                         run(double{});
                         break;
                       case PhysicalKind::kString:
                         for (const auto& x : a) KeepStringsAlive(out, x);
                         run(std::string_view{});
                         break;
                       default:
                         throw Error(ErrorKind::kExecution,
                                     "greatest/least: unsupported type " + out.type().ToString());
                     }
                   });
                 }});
  }
}

}  // namespace aishell
