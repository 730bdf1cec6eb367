#include "functions/cast.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "common/date_time.h"
#include "common/exception.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void CastError(std::string_view text, const LogicalType& target,
                            const char* why = nullptr) {
  std::string msg = "cannot cast '" + std::string(text) + "' to " + target.ToString();
  if (why) msg += std::string(": ") + why;
  throw Error(ErrorKind::kConversion, msg);
}

[[noreturn]] void RangeError(const std::string& value, const LogicalType& target) {
  throw Error(ErrorKind::kConversion,
              "cannot cast " + value + " to " + target.ToString() + ": out of range");
}

template <class T>
bool ParseInteger(std::string_view s, T* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  s = Trim(s);
  if (s.empty()) return false;
  std::string buf(s);
  std::string lower;
  for (char c : buf) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (lower == "infinity" || lower == "+infinity" || lower == "inf") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == "-infinity" || lower == "-inf") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size()) return false;
  *out = d;
  return true;
}

std::string FormatDoubleText(double d) { return Value::Double(d).ToString(); }

int64_t DoubleToInt(double d, const LogicalType& target, int64_t lo, int64_t hi) {
  if (std::isnan(d)) RangeError("NaN", target);
  double r = std::round(d);
  if (!(r >= static_cast<double>(lo) && r <= static_cast<double>(hi)) || r == 9223372036854775808.0)
    RangeError(FormatDoubleText(d), target);
  return static_cast<int64_t>(r);
}

int64_t CheckedDecimal(__int128 v, const LogicalType& target, const std::string& text) {
  __int128 limit = Pow10(target.precision);
  if (v >= limit || v <= -limit) RangeError(text, target);
  return static_cast<int64_t>(v);
}

// Divides by 10^k rounding half away from zero.
__int128 DivRound(__int128 v, int k) {
  if (k <= 0) return v;
  __int128 p = 1;
  for (int i = 0; i < k; i++) p *= 10;
  __int128 q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

__int128 MulPow10(__int128 v, int k) {
  for (int i = 0; i < k; i++) v *= 10;
  return v;
}

// Runs op per row; on Error with try_cast the row becomes NULL.
template <class A, class R, class Op>
void CastLoop(const Vector& input, size_t count, Vector& result, bool try_cast, Op op) {
  if (!try_cast) {
    UnaryExecute<A, R>(input, count, result, op);
    return;
  }
  UnifiedView v = input.View();
  R* out = result.Data<R>();
  for (size_t i = 0; i < count; i++) {
    if (!v.IsValid(i)) {
      result.SetNull(i);
      continue;
    }
    try {
      out[i] = op(v.Get<A>(i));
    } catch (const Error&) {
      result.SetNull(i);
    }
  }
}

// Writes strings produced by `op(value) -> std::string`.
template <class A, class Op>
void ToVarchar(const Vector& input, size_t count, Vector& result, Op op) {
  UnifiedView v = input.View();
  auto* out = result.Data<std::string_view>();
  auto& heap = *result.heap();
  for (size_t i = 0; i < count; i++) {
    if (!v.IsValid(i)) {
      result.SetNull(i);
      continue;
    }
    std::string s = op(v.Get<A>(i));
    out[i] = heap.Add(s);
  }
}

template <class A>
Vector IntegralCast(const Vector& input, const LogicalType& from, const LogicalType& target,
                    bool try_cast, size_t n, Vector& result) {
  switch (target.id) {
    case TypeId::kBoolean:
      CastLoop<A, uint8_t>(input, n, result, try_cast, [](A x) -> uint8_t { return x != 0; });
      break;
    case TypeId::kInteger:
      CastLoop<A, int32_t>(input, n, result, try_cast, [&](A x) -> int32_t {
        if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
          RangeError(std::to_string(x), target);
        return static_cast<int32_t>(x);
      });
      break;
    case TypeId::kBigInt:
      CastLoop<A, int64_t>(input, n, result, try_cast, [](A x) -> int64_t { return x; });
      break;
    case TypeId::kDouble:
      CastLoop<A, double>(input, n, result, try_cast,
                          [](A x) -> double { return static_cast<double>(x); });
      break;
    case TypeId::kDecimal: {
      __int128 limit = Pow10(target.precision) / Pow10(target.scale);
      int64_t mul = Pow10(target.scale);
      CastLoop<A, int64_t>(input, n, result, try_cast, [&](A x) -> int64_t {
        if (x >= limit || x <= -limit) RangeError(std::to_string(x), target);
        return static_cast<int64_t>(x) * mul;
      });
      break;
    }
    case TypeId::kVarchar:
      ToVarchar<A>(input, n, result, [](A x) { return std::to_string(x); });
      break;
    default:
      throw Error(ErrorKind::kConversion,
                  "cannot cast " + from.ToString() + " to " + target.ToString());
  }
  return result;
}

}  // namespace

bool RescaleDecimal(int64_t value, int from_scale, int to_scale, int64_t* out) {
  if (from_scale == to_scale) {
    *out = value;
    return true;
  }
  if (to_scale > from_scale) {
    return !__builtin_mul_overflow(value, Pow10(to_scale - from_scale), out);
  }
  *out = static_cast<int64_t>(DivRound(value, from_scale - to_scale));
  return true;
}

bool DecimalFits(int64_t value, int precision) {
  int64_t limit = Pow10(precision);
  return value < limit && value > -limit;
}

bool ParseDecimal(std::string_view text, int precision, int scale, int64_t* out) {
  std::string_view s = Trim(text);
  if (s.empty()) return false;
  bool neg = false;
  if (s.front() == '+' || s.front() == '-') {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  __int128 digits = 0;
  int frac_digits = 0;
  bool seen_dot = false, any = false;
  int exponent = 0;
  size_t i = 0;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits < (__int128(1) << 100)) {
        digits = digits * 10 + (c - '0');
        if (seen_dot) frac_digits++;
      } else if (!seen_dot) {
        return false;
      }
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any) return false;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return false;
    int e = 0;
    if (!ParseInteger<int>(s.substr(i + 1), &e) || e > 40 || e < -40) return false;
    exponent = e;
  }
  int shift = scale - frac_digits + exponent;  // value = digits * 10^(shift - scale)
  __int128 v = digits;
  if (shift >= 0) {
    for (int k = 0; k < shift && v != 0; k++) {
      if (__builtin_mul_overflow(v, 10, &v)) return false;
    }
  } else {
    v = -shift > 38 ? 0 : DivRound(digits, -shift);
  }
  if (neg) v = -v;
  __int128 limit = Pow10(precision);
  if (v >= limit || v <= -limit) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

bool CanCast(const LogicalType& from, const LogicalType& to) {
  if (from == to || from.id == TypeId::kNull || to.id == TypeId::kVarchar ||
      from.id == TypeId::kVarchar)
    return to.id != TypeId::kInterval || from.id == TypeId::kInterval || from.id == TypeId::kNull;
  bool from_num = from.IsNumeric() || from.id == TypeId::kBoolean;
  bool to_num = to.IsNumeric() || to.id == TypeId::kBoolean;
  if (from_num && to_num) return true;
  if (from.IsTemporal() && to.IsTemporal()) return true;
  return false;
}

Vector CastVector(const Vector& input, const LogicalType& target, bool try_cast) {
  const LogicalType& from = input.type();
  if (from == target) return input;
  size_t n = input.size();
  Vector result(target, std::max<size_t>(n, 1));
  result.Resize(n);
  if (from.id == TypeId::kNull) {
    for (size_t i = 0; i < n; i++) result.SetNull(i);
    return result;
  }
  auto unsupported = [&]() -> Vector {
    throw Error(ErrorKind::kConversion,
                "cannot cast " + from.ToString() + " to " + target.ToString());
  };
  switch (from.id) {
    case TypeId::kBoolean: {
      switch (target.id) {
        case TypeId::kVarchar:
          ToVarchar<uint8_t>(input, n, result,
                             [](uint8_t b) { return std::string(b ? "true" : "false"); });
          return result;
        case TypeId::kDecimal: {
          int64_t one = Pow10(target.scale);
          if (target.precision <= target.scale) {
            CastLoop<uint8_t, int64_t>(input, n, result, try_cast, [&](uint8_t b) -> int64_t {
              if (b) RangeError("true", target);
              return 0;
            });
          } else {
            CastLoop<uint8_t, int64_t>(input, n, result, try_cast,
                                       [&](uint8_t b) -> int64_t { return b ? one : 0; });
          }
          return result;
        }
        default:
          return IntegralCast<uint8_t>(input, from, target, try_cast, n, result);
      }
    }
    case TypeId::kInteger:
      return IntegralCast<int32_t>(input, from, target, try_cast, n, result);
    case TypeId::kBigInt:
      return IntegralCast<int64_t>(input, from, target, try_cast, n, result);
    case TypeId::kDouble: {
      switch (target.id) {
        case TypeId::kBoolean:
          CastLoop<double, uint8_t>(input, n, result, try_cast,
                                    [](double d) -> uint8_t { return d != 0; });
          return result;
        case TypeId::kInteger:
          CastLoop<double, int32_t>(input, n, result, try_cast, [&](double d) -> int32_t {
            return static_cast<int32_t>(DoubleToInt(d, target, INT32_MIN, INT32_MAX));
          });
          return result;
        case TypeId::kBigInt:
          CastLoop<double, int64_t>(input, n, result, try_cast, [&](double d) -> int64_t {
            return DoubleToInt(d, target, INT64_MIN, INT64_MAX);
          });
          return result;
        case TypeId::kDecimal: {
          double mul = static_cast<double>(Pow10(target.scale));
          double limit = static_cast<double>(Pow10(target.precision));
          CastLoop<double, int64_t>(input, n, result, try_cast, [&](double d) -> int64_t {
            double r = std::round(d * mul);
            if (std::isnan(r) || !(std::fabs(r) < limit)) RangeError(FormatDoubleText(d), target);
            return static_cast<int64_t>(r);
          });
          return result;
        }
        case TypeId::kVarchar:
          ToVarchar<double>(input, n, result, [](double d) { return FormatDoubleText(d); });
          return result;
        default:
          return unsupported();
      }
    }
    case TypeId::kDecimal: {
      int fs = from.scale;
      switch (target.id) {
        case TypeId::kBoolean:
          CastLoop<int64_t, uint8_t>(input, n, result, try_cast,
                                     [](int64_t v) -> uint8_t { return v != 0; });
          return result;
        case TypeId::kInteger:
        case TypeId::kBigInt: {
          bool is_int = target.id == TypeId::kInteger;
          auto conv = [&](int64_t v) -> int64_t {
            int64_t r = static_cast<int64_t>(DivRound(v, fs));
            if (is_int && (r < INT32_MIN || r > INT32_MAX))
              RangeError(FormatDecimal(v, fs), target);
            return r;
          };
          if (is_int) {
            CastLoop<int64_t, int32_t>(input, n, result, try_cast, [&](int64_t v) -> int32_t {
              return static_cast<int32_t>(conv(v));
            });
          } else {
            CastLoop<int64_t, int64_t>(input, n, result, try_cast, conv);
          }
          return result;
        }
        case TypeId::kDouble: {
          double div = static_cast<double>(Pow10(fs));
          CastLoop<int64_t, double>(input, n, result, try_cast, [div](int64_t v) -> double {
            return static_cast<double>(v) / div;
          });
          return result;
        }
        case TypeId::kDecimal: {
          int ts = target.scale;
          CastLoop<int64_t, int64_t>(input, n, result, try_cast, [&](int64_t v) -> int64_t {
            __int128 r = ts >= fs ? MulPow10(v, ts - fs) : DivRound(v, fs - ts);
            return CheckedDecimal(r, target, FormatDecimal(v, fs));
          });
          return result;
        }
        case TypeId::kVarchar:
          ToVarchar<int64_t>(input, n, result, [fs](int64_t v) { return FormatDecimal(v, fs); });
          return result;
        default:
          return unsupported();
      }
    }
    case TypeId::kVarchar: {
      using SV = std::string_view;
      switch (target.id) {
        case TypeId::kBoolean:
          CastLoop<SV, uint8_t>(input, n, result, try_cast, [&](SV s) -> uint8_t {
            SV t = Trim(s);
            std::string l;
            for (char c : t) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (l == "true" || l == "t" || l == "1" || l == "yes") return 1;
            if (l == "false" || l == "f" || l == "0" || l == "no") return 0;
            CastError(s, target);
          });
          return result;
        case TypeId::kInteger:
          CastLoop<SV, int32_t>(input, n, result, try_cast, [&](SV s) -> int32_t {
            int32_t v;
            if (!ParseInteger(s, &v)) CastError(s, target);
            return v;
          });
          return result;
        case TypeId::kBigInt:
          CastLoop<SV, int64_t>(input, n, result, try_cast, [&](SV s) -> int64_t {
            int64_t v;
            if (!ParseInteger(s, &v)) CastError(s, target);
            return v;
          });
          return result;
        case TypeId::kDouble:
          CastLoop<SV, double>(input, n, result, try_cast, [&](SV s) -> double {
            double v;
            if (!ParseDouble(s, &v)) CastError(s, target);
            return v;
          });
          return result;
        case TypeId::kDecimal:
          CastLoop<SV, int64_t>(input, n, result, try_cast, [&](SV s) -> int64_t {
            int64_t v;
            if (!ParseDecimal(s, target.precision, target.scale, &v)) CastError(s, target);
            return v;
          });
          return result;
        case TypeId::kDate:
          CastLoop<SV, int32_t>(input, n, result, try_cast, [&](SV s) -> int32_t {
            auto d = ParseDate(Trim(s));
            if (!d) CastError(s, target);
            return *d;
          });
          return result;
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz: {
          bool tz = target.id == TypeId::kTimestampTz;
          CastLoop<SV, int64_t>(input, n, result, try_cast, [&](SV s) -> int64_t {
            auto t = ParseTimestamp(Trim(s), tz);
            if (!t) CastError(s, target);
            return *t;
          });
          return result;
        }
        default:
          return unsupported();
      }
    }
    case TypeId::kDate: {
      switch (target.id) {
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
          CastLoop<int32_t, int64_t>(input, n, result, try_cast, [](int32_t d) -> int64_t {
            return static_cast<int64_t>(d) * kMicrosPerDay;
          });
          return result;
        case TypeId::kVarchar:
          ToVarchar<int32_t>(input, n, result, [](int32_t d) { return FormatDate(d); });
          return result;
        default:
          return unsupported();
      }
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      bool tz = from.id == TypeId::kTimestampTz;
      switch (target.id) {
        case TypeId::kDate:
          CastLoop<int64_t, int32_t>(input, n, result, try_cast,
                                     [](int64_t t) -> int32_t { return TimestampDays(t); });
          return result;
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
          CastLoop<int64_t, int64_t>(input, n, result, try_cast,
                                     [](int64_t t) -> int64_t { return t; });
          return result;
        case TypeId::kVarchar:
          ToVarchar<int64_t>(input, n, result, [tz](int64_t t) {
            return tz ? FormatTimestampTz(t) : FormatTimestamp(t);
          });
          return result;
        default:
          return unsupported();
      }
    }
    case TypeId::kInterval:
      if (target.id == TypeId::kVarchar) {
        ToVarchar<Interval>(input, n, result,
                            [](const Interval& iv) { return FormatInterval(iv); });
        return result;
      }
      return unsupported();
    default:
      return unsupported();
  }
}

Value CastValue(const Value& value, const LogicalType& target, bool try_cast) {
  if (value.is_null()) return Value::Null(target);
  if (value.type() == target) return value;
  Vector in = Vector::Constant(value, 1);
  Vector out = CastVector(in, target, try_cast);
  return out.GetValue(0);
}

}  // namespace aishell
