#include "functions/cast.h"

#include <simdjson.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/pow10.h"
#include "common/utf8.h"
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

std::string FormatDoubleText(double d) { return FormatDouble(d); }

int64_t DoubleToInt(double d, const LogicalType& target, int64_t lo, int64_t hi) {
  if (std::isnan(d)) RangeError("NaN", target);
  double r = std::round(d);
  if (!(r >= static_cast<double>(lo) && r <= static_cast<double>(hi)) || r == 9223372036854775808.0)
    RangeError(FormatDoubleText(d), target);
  return static_cast<int64_t>(r);
}

// Divides by 10^k rounding half away from zero.
Int128 DivRound(Int128 v, int k) {
  if (k <= 0) return v;
  if (k > kMaxDecimalPrecision) return 0;
  Int128 p = Pow10Wide(k);
  Int128 q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r * 2 >= p) q += v < 0 ? -1 : 1;
  return q;
}

int64_t DivRound64(int64_t v, int k) {
  if (k <= 0) return v;
  if (k > kMaxPow10Exponent) return static_cast<int64_t>(DivRound(v, k));
  int64_t p = kPow10[k];
  int64_t q = v / p, r = v % p;
  if (r < 0) r = -r;
  if (r >= p - r) q += v < 0 ? -1 : 1;
  return q;
}

// v * 10^k, or false on overflow of Int128.
bool MulPow10(Int128 v, int k, Int128* out) {
  if (k <= 0) {
    *out = v;
    return true;
  }
  if (k > kMaxDecimalPrecision) {
    *out = 0;
    return v == 0;
  }
  return !__builtin_mul_overflow(v, Pow10Wide(k), out);
}

template <class T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

// The value of row x of a numeric source as an integer scaled by 10^scale (integral types and
// decimals) or as a double (REAL, DOUBLE).
template <class A>
std::string NumberText(A x, int scale) {
  if constexpr (std::is_same_v<A, float>) {
    return FormatReal(x);
  } else if constexpr (std::is_same_v<A, double>) {
    return FormatDouble(x);
  } else {
    return FormatDecimal(static_cast<Int128>(x), scale);
  }
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

// Casts a numeric (or BOOLEAN) vector whose rows are C type A, scaled by 10^fs (integral types
// and decimals; 0 for the others), to any numeric type, BOOLEAN or VARCHAR.
template <class A>
Vector NumericCast(const Vector& input, const LogicalType& from, int fs, const LogicalType& target,
                   bool try_cast, size_t n, Vector& result) {
  auto text = [fs](A x) { return NumberText<A>(x, fs); };
  // To an integral type of C type R.
  auto to_int = [&](auto zero) {
    using R = decltype(zero);
    constexpr auto kLo = std::numeric_limits<R>::min();
    constexpr auto kHi = std::numeric_limits<R>::max();
    CastLoop<A, R>(input, n, result, try_cast, [&](A x) -> R {
      if constexpr (kIsFloat<A>) {
        return static_cast<R>(DoubleToInt(static_cast<double>(x), target, kLo, kHi));
      } else {
        if constexpr (std::is_same_v<A, Int128>) {
          Int128 r = DivRound(x, fs);
          if (r < kLo || r > kHi) RangeError(text(x), target);
          return static_cast<R>(r);
        } else {
          int64_t r = fs ? DivRound64(static_cast<int64_t>(x), fs) : static_cast<int64_t>(x);
          if (r < kLo || r > kHi) RangeError(text(x), target);
          return static_cast<R>(r);
        }
      }
    });
  };
  // To a floating type R.
  auto to_float = [&](auto zero) {
    using R = decltype(zero);
    if constexpr (kIsFloat<A>) {
      CastLoop<A, R>(input, n, result, try_cast, [](A x) -> R { return static_cast<R>(x); });
    } else if (fs == 0) {
      CastLoop<A, R>(input, n, result, try_cast, [](A x) -> R { return static_cast<R>(x); });
    } else {
      // Divide in long double so that the one rounding is to R's precision.
      long double div = static_cast<long double>(Pow10Wide(fs));
      CastLoop<A, R>(input, n, result, try_cast,
                     [div](A x) -> R { return static_cast<R>(static_cast<long double>(x) / div); });
    }
  };
  switch (target.id) {
    case TypeId::kBoolean:
      CastLoop<A, uint8_t>(input, n, result, try_cast, [](A x) -> uint8_t { return x != 0; });
      break;
    case TypeId::kTinyInt:
      to_int(int8_t{});
      break;
    case TypeId::kSmallInt:
      to_int(int16_t{});
      break;
    case TypeId::kInteger:
      to_int(int32_t{});
      break;
    case TypeId::kBigInt:
      to_int(int64_t{});
      break;
    case TypeId::kReal:
      to_float(float{});
      break;
    case TypeId::kDouble:
      to_float(double{});
      break;
    case TypeId::kDecimal: {
      int ts = target.scale;
      Int128 limit = Pow10Wide(target.precision);
      auto convert = [&](A x) -> Int128 {
        Int128 r;
        if constexpr (kIsFloat<A>) {
          if (std::isnan(x)) RangeError(text(x), target);
          long double scaled =
              std::round(static_cast<long double>(x) * static_cast<long double>(Pow10Wide(ts)));
          if (!(std::fabs(scaled) < static_cast<long double>(limit))) RangeError(text(x), target);
          r = static_cast<Int128>(scaled);
        } else {
          if (ts >= fs) {
            if (!MulPow10(static_cast<Int128>(x), ts - fs, &r)) RangeError(text(x), target);
          } else {
            r = DivRound(static_cast<Int128>(x), fs - ts);
          }
        }
        if (r >= limit || r <= -limit) RangeError(text(x), target);
        return r;
      };
      if (target.IsLongDecimal()) {
        CastLoop<A, Int128>(input, n, result, try_cast, convert);
      } else if constexpr (!kIsFloat<A> && !std::is_same_v<A, Int128>) {
        // The fast path: 64-bit rescaling.
        int64_t limit64 = kPow10[target.precision];
        if (ts >= fs) {
          int64_t mul = kPow10[ts - fs];
          CastLoop<A, int64_t>(input, n, result, try_cast, [&](A x) -> int64_t {
            int64_t r;
            if (__builtin_mul_overflow(static_cast<int64_t>(x), mul, &r) || r >= limit64 ||
                r <= -limit64)
              RangeError(text(x), target);
            return r;
          });
        } else {
          CastLoop<A, int64_t>(input, n, result, try_cast, [&](A x) -> int64_t {
            int64_t r = DivRound64(static_cast<int64_t>(x), fs - ts);
            if (r >= limit64 || r <= -limit64) RangeError(text(x), target);
            return r;
          });
        }
      } else {
        CastLoop<A, int64_t>(input, n, result, try_cast,
                             [&](A x) -> int64_t { return static_cast<int64_t>(convert(x)); });
      }
      break;
    }
    case TypeId::kVarchar:
      if (from.id == TypeId::kBoolean) {
        ToVarchar<A>(input, n, result, [](A b) { return std::string(b ? "true" : "false"); });
      } else {
        ToVarchar<A>(input, n, result, text);
      }
      break;
    case TypeId::kJson:
      if (from.id == TypeId::kBoolean) {
        ToVarchar<A>(input, n, result, [](A b) { return std::string(b ? "true" : "false"); });
      } else {
        ToVarchar<A>(input, n, result, [&](A x) {
          if constexpr (kIsFloat<A>) {
            if (!std::isfinite(x)) return JsonString(text(x));  // not a JSON number
          }
          return text(x);
        });
      }
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
  *out = DivRound64(value, from_scale - to_scale);
  return true;
}

bool RescaleDecimal128(Int128 value, int from_scale, int to_scale, Int128* out) {
  if (to_scale >= from_scale) return MulPow10(value, to_scale - from_scale, out);
  *out = DivRound(value, from_scale - to_scale);
  return true;
}

bool DecimalFits(int64_t value, int precision) {
  if (precision > kMaxPow10Exponent) return true;
  int64_t limit = Pow10(precision);
  return value < limit && value > -limit;
}

bool DecimalFits128(Int128 value, int precision) {
  Int128 limit = Pow10Wide(precision);
  return value < limit && value > -limit;
}

bool ParseDecimal(std::string_view text, int precision, int scale, int64_t* out) {
  Int128 v;
  if (precision > kMaxShortDecimalPrecision || !ParseDecimal128(text, precision, scale, &v))
    return false;
  *out = static_cast<int64_t>(v);
  return true;
}

bool ParseDecimal128(std::string_view text, int precision, int scale, Int128* out) {
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
      if (digits <= (std::numeric_limits<Int128>::max() - 9) / 10) {
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
    if (!ParseInteger<int>(s.substr(i + 1), &e) || e > 80 || e < -80) return false;
    exponent = e;
  }
  int shift = scale - frac_digits + exponent;  // value = digits * 10^(shift - scale)
  Int128 v = digits;
  if (shift >= 0) {
    for (int k = 0; k < shift && v != 0; k++) {
      if (__builtin_mul_overflow(v, 10, &v)) return false;
    }
  } else {
    v = DivRound(digits, -shift);
  }
  if (neg) v = -v;
  if (!DecimalFits128(v, precision)) return false;
  *out = v;
  return true;
}

namespace {

// A value as JSON text (CAST(x AS JSON)): arrays as arrays, maps and rows as objects.
void AppendJsonOf(const Value& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  const LogicalType& t = v.type();
  switch (t.id) {
    case TypeId::kArray:
      *out += '[';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendJsonOf(v.Children()[i], out);
      }
      *out += ']';
      return;
    case TypeId::kMap:
    case TypeId::kRow:
      *out += '{';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        if (t.id == TypeId::kMap) {
          AppendJsonString(v.Children()[i].ToString(), out);
          *out += ':';
          AppendJsonOf(v.MapValues()[i], out);
        } else {
          const auto& names = t.FieldNames();
          AppendJsonString(
              i < names.size() && !names[i].empty() ? names[i] : "field" + std::to_string(i), out);
          *out += ':';
          AppendJsonOf(v.Children()[i], out);
        }
      }
      *out += '}';
      return;
    case TypeId::kJson:
      *out += v.GetString();
      return;
    case TypeId::kVarchar:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kUuid:
    case TypeId::kVarbinary:
    case TypeId::kInterval:
      AppendJsonString(v.ToString(), out);
      return;
    case TypeId::kReal:
    case TypeId::kDouble:
      if (!std::isfinite(v.GetDouble())) {
        AppendJsonString(v.ToString(), out);
        return;
      }
      *out += v.ToString();
      return;
    default:
      *out += v.ToString();
      return;
  }
}

// A JSON element as a value of `target` (CAST(json AS ARRAY(...)/MAP(...)/ROW(...)/scalar)).
Value JsonToValue(simdjson::dom::element e, const LogicalType& target, bool try_cast) {
  using T = simdjson::dom::element_type;
  if (e.type() == T::NULL_VALUE) return Value::Null(target);
  auto mismatch = [&]() -> Value {
    if (try_cast) return Value::Null(target);
    throw Error(ErrorKind::kConversion, "cannot cast JSON '" +
                                            std::string(simdjson::minify(e)).substr(0, 60) +
                                            "' to " + target.ToString());
  };
  if (target.id == TypeId::kArray) {
    simdjson::dom::array arr;
    if (e.get(arr) != simdjson::SUCCESS) return mismatch();
    std::vector<Value> out;
    for (simdjson::dom::element item : arr)
      out.push_back(JsonToValue(item, target.ElementType(), try_cast));
    return Value::Array(target, std::move(out));
  }
  if (target.id == TypeId::kMap) {
    simdjson::dom::object obj;
    if (e.get(obj) != simdjson::SUCCESS) return mismatch();
    std::vector<Value> keys, values;
    for (simdjson::dom::key_value_pair field : obj) {
      keys.push_back(
          CastValue(Value::Varchar(std::string(field.key)), target.Children()[0], try_cast));
      values.push_back(JsonToValue(field.value, target.Children()[1], try_cast));
    }
    return Value::Map(target, std::move(keys), std::move(values));
  }
  if (target.id == TypeId::kRow) {
    std::vector<Value> fields;
    const auto& names = target.FieldNames();
    simdjson::dom::array arr;
    simdjson::dom::object obj;
    if (e.get(arr) == simdjson::SUCCESS) {
      if (arr.size() != target.Children().size()) return mismatch();
      size_t i = 0;
      for (auto item : arr) {
        fields.push_back(JsonToValue(item, target.Children()[i], try_cast));
        i++;
      }
    } else if (e.get(obj) == simdjson::SUCCESS) {
      for (size_t i = 0; i < target.Children().size(); i++) {
        simdjson::dom::element f;
        if (obj.at_key(names[i]).get(f) != simdjson::SUCCESS) {
          fields.push_back(Value::Null(target.Children()[i]));
        } else {
          fields.push_back(JsonToValue(f, target.Children()[i], try_cast));
        }
      }
    } else {
      return mismatch();
    }
    return Value::Row(target, std::move(fields));
  }
  if (target.id == TypeId::kJson) return Value::Json(std::string(simdjson::minify(e)));
  if (e.type() == T::ARRAY || e.type() == T::OBJECT) return mismatch();
  Value text = e.type() == T::STRING ? Value::Varchar(std::string(e.get_string().value_unsafe()))
                                     : Value::Varchar(std::string(simdjson::minify(e)));
  return CastValue(text, target, try_cast);
}

// CAST between nested types (element by element), to and from JSON.
Value CastNested(const Value& v, const LogicalType& target, bool try_cast) {
  if (v.is_null()) return Value::Null(target);
  const LogicalType& from = v.type();
  if (target.id == TypeId::kJson) {
    std::string out;
    AppendJsonOf(v, &out);
    return Value::Json(std::move(out));
  }
  if (from.id == TypeId::kJson) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(v.GetString());
    simdjson::dom::element root;
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
      if (try_cast) return Value::Null(target);
      throw Error(ErrorKind::kConversion, "cannot cast malformed JSON to " + target.ToString());
    }
    return JsonToValue(root, target, try_cast);
  }
  if (from.id != target.id)
    throw Error(ErrorKind::kConversion,
                "cannot cast " + from.ToString() + " to " + target.ToString());
  if (target.id == TypeId::kArray) {
    std::vector<Value> out;
    for (const auto& e : v.Children()) out.push_back(CastValue(e, target.ElementType(), try_cast));
    return Value::Array(target, std::move(out));
  }
  if (target.id == TypeId::kMap) {
    std::vector<Value> keys, values;
    for (size_t i = 0; i < v.Children().size(); i++) {
      keys.push_back(CastValue(v.Children()[i], target.Children()[0], try_cast));
      values.push_back(CastValue(v.MapValues()[i], target.Children()[1], try_cast));
    }
    return Value::Map(target, std::move(keys), std::move(values));
  }
  if (v.Children().size() != target.Children().size())
    throw Error(ErrorKind::kConversion, "cannot cast " + from.ToString() + " to " +
                                            target.ToString() + ": the field counts differ");
  std::vector<Value> fields;
  for (size_t i = 0; i < v.Children().size(); i++)
    fields.push_back(CastValue(v.Children()[i], target.Children()[i], try_cast));
  return Value::Row(target, std::move(fields));
}

}  // namespace

bool CanCast(const LogicalType& from, const LogicalType& to) {
  if (from == to || from.id == TypeId::kNull) return true;
  if (from.IsNested() || to.IsNested()) {
    if (to.id == TypeId::kJson || from.id == TypeId::kJson) return true;
    if (from.id != to.id || from.Children().size() != to.Children().size()) return false;
    for (size_t i = 0; i < from.Children().size(); i++) {
      if (!CanCast(from.Children()[i], to.Children()[i])) return false;
    }
    return true;
  }
  auto scalar_text = [](const LogicalType& t) {  // types with a VARCHAR form both ways
    return t.id != TypeId::kInterval;
  };
  if (to.id == TypeId::kVarchar) return true;
  if (from.id == TypeId::kVarchar) return scalar_text(to);
  bool from_num = from.IsNumeric() || from.id == TypeId::kBoolean;
  bool to_num = to.IsNumeric() || to.id == TypeId::kBoolean;
  if (from_num && to_num) return true;
  if (to.id == TypeId::kJson) return from_num || from.IsTemporal() || from.id == TypeId::kTime;
  if (from.id == TypeId::kJson) return to_num || to.id == TypeId::kVarchar;
  if (from.IsTemporal() && to.IsTemporal()) return true;
  if ((from.id == TypeId::kTimestamp || from.id == TypeId::kTimestampTz) && to.id == TypeId::kTime)
    return true;
  if (from.id == TypeId::kUuid && to.id == TypeId::kVarbinary) return true;
  if (from.id == TypeId::kVarbinary && to.id == TypeId::kUuid) return true;
  return false;
}

namespace {

[[noreturn]] void Unsupported(const LogicalType& from, const LogicalType& target) {
  throw Error(ErrorKind::kConversion,
              "cannot cast " + from.ToString() + " to " + target.ToString());
}

// Casts from VARCHAR.
Vector CastFromVarchar(const Vector& input, const LogicalType& target, bool try_cast, size_t n,
                       Vector& result) {
  using SV = std::string_view;
  auto parse_int = [&](auto zero) {
    using R = decltype(zero);
    CastLoop<SV, R>(input, n, result, try_cast, [&](SV s) -> R {
      R v;
      if (!ParseInteger(s, &v)) CastError(s, target);
      return v;
    });
  };
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
    case TypeId::kTinyInt:
      parse_int(int8_t{});
      return result;
    case TypeId::kSmallInt:
      parse_int(int16_t{});
      return result;
    case TypeId::kInteger:
      parse_int(int32_t{});
      return result;
    case TypeId::kBigInt:
      parse_int(int64_t{});
      return result;
    case TypeId::kReal:
      CastLoop<SV, float>(input, n, result, try_cast, [&](SV s) -> float {
        double v;
        if (!ParseDouble(s, &v)) CastError(s, target);
        return static_cast<float>(v);
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
      if (target.IsLongDecimal()) {
        CastLoop<SV, Int128>(input, n, result, try_cast, [&](SV s) -> Int128 {
          Int128 v;
          if (!ParseDecimal128(s, target.precision, target.scale, &v)) CastError(s, target);
          return v;
        });
      } else {
        CastLoop<SV, int64_t>(input, n, result, try_cast, [&](SV s) -> int64_t {
          int64_t v;
          if (!ParseDecimal(s, target.precision, target.scale, &v)) CastError(s, target);
          return v;
        });
      }
      return result;
    case TypeId::kVarbinary: {  // the UTF-8 bytes, as Trino's to_utf8
      UnifiedView v = input.View();
      for (size_t i = 0; i < n; i++) {
        if (!v.IsValid(i))
          result.SetNull(i);
        else
          result.SetString(i, v.Get<SV>(i));
      }
      return result;
    }
    case TypeId::kJson:  // a JSON string holding the text, as Trino's CAST(varchar AS JSON)
      ToVarchar<SV>(input, n, result, [](SV s) { return JsonString(s); });
      return result;
    case TypeId::kUuid:
      CastLoop<SV, Uuid>(input, n, result, try_cast, [&](SV s) -> Uuid {
        auto u = ParseUuid(s);
        if (!u) CastError(s, target, "not a UUID");
        return *u;
      });
      return result;
    case TypeId::kDate:
      CastLoop<SV, int32_t>(input, n, result, try_cast, [&](SV s) -> int32_t {
        auto d = ParseDate(Trim(s));
        if (!d) CastError(s, target);
        return *d;
      });
      return result;
    case TypeId::kTime:
      CastLoop<SV, int64_t>(input, n, result, try_cast, [&](SV s) -> int64_t {
        auto t = ParseTime(s);
        if (!t) CastError(s, target);
        return *t;
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
      Unsupported(input.type(), target);
  }
}

}  // namespace

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
  if (from.IsNested() || target.IsNested()) {  // value by value (a cold path)
    for (size_t i = 0; i < n; i++) {
      // TRY_CAST of a nested value is NULL as a whole when any part fails (Trino), not a value
      // with NULL parts: the parts are cast strictly and the failure caught here.
      Value v;
      try {
        v = CastNested(input.GetValue(i), target, false);
      } catch (const Error&) {
        if (!try_cast) throw;
        v = Value::Null(target);
      }
      if (v.is_null())
        result.SetNull(i);
      else
        result.SetValue(i, v);
    }
    return result;
  }
  switch (from.id) {
    case TypeId::kBoolean:
      return NumericCast<uint8_t>(input, from, 0, target, try_cast, n, result);
    case TypeId::kTinyInt:
      return NumericCast<int8_t>(input, from, 0, target, try_cast, n, result);
    case TypeId::kSmallInt:
      return NumericCast<int16_t>(input, from, 0, target, try_cast, n, result);
    case TypeId::kInteger:
      return NumericCast<int32_t>(input, from, 0, target, try_cast, n, result);
    case TypeId::kBigInt:
      return NumericCast<int64_t>(input, from, 0, target, try_cast, n, result);
    case TypeId::kReal:
      return NumericCast<float>(input, from, 0, target, try_cast, n, result);
    case TypeId::kDouble:
      return NumericCast<double>(input, from, 0, target, try_cast, n, result);
    case TypeId::kDecimal:
      if (from.IsLongDecimal())
        return NumericCast<Int128>(input, from, from.scale, target, try_cast, n, result);
      return NumericCast<int64_t>(input, from, from.scale, target, try_cast, n, result);
    case TypeId::kVarchar:
      return CastFromVarchar(input, target, try_cast, n, result);
    case TypeId::kVarbinary:
      if (target.id == TypeId::kVarchar) {  // as Trino's from_utf8 would, but strict
        UnifiedView v = input.View();
        for (size_t i = 0; i < n; i++) {
          if (!v.IsValid(i)) {
            result.SetNull(i);
            continue;
          }
          auto bytes = v.Get<std::string_view>(i);
          if (!IsValidUtf8(bytes)) {
            if (try_cast) {
              result.SetNull(i);
              continue;
            }
            throw Error(ErrorKind::kConversion,
                        "cannot cast VARBINARY to VARCHAR: the bytes are not valid UTF-8 (" +
                            FormatVarbinary(bytes.substr(0, 16)) +
                            (bytes.size() > 16 ? " ..." : "") + ")");
          }
          result.SetString(i, bytes);
        }
        return result;
      }
      if (target.id == TypeId::kUuid) {
        CastLoop<std::string_view, Uuid>(
            input, n, result, try_cast, [&](std::string_view b) -> Uuid {
              if (b.size() != 16)
                throw Error(ErrorKind::kConversion, "cannot cast VARBINARY of " +
                                                        std::to_string(b.size()) +
                                                        " bytes to UUID: needs 16");
              Uuid u;
              std::memcpy(u.bytes, b.data(), 16);
              return u;
            });
        return result;
      }
      Unsupported(from, target);
    case TypeId::kJson: {
      // Trino: a JSON scalar casts to VARCHAR, numbers and BOOLEAN (a string by its value, JSON
      // null to NULL); arrays and objects do not (json_format gives their text).
      bool to_text = target.id == TypeId::kVarchar;
      if (!to_text && !target.IsNumeric() && target.id != TypeId::kBoolean)
        Unsupported(from, target);
      Vector text(LogicalType(TypeId::kVarchar), std::max<size_t>(n, 1));
      text.Resize(n);
      UnifiedView v = input.View();
      simdjson::dom::parser parser;
      for (size_t i = 0; i < n; i++) {
        if (!v.IsValid(i)) {
          text.SetNull(i);
          continue;
        }
        std::string_view json = v.Get<std::string_view>(i);
        simdjson::padded_string padded(json);
        simdjson::dom::element e;
        using T = simdjson::dom::element_type;
        if (parser.parse(padded).get(e) != simdjson::SUCCESS || e.type() == T::ARRAY ||
            e.type() == T::OBJECT) {
          if (try_cast) {
            text.SetNull(i);
            continue;
          }
          throw Error(ErrorKind::kConversion,
                      "cannot cast JSON '" + std::string(json.substr(0, 60)) + "' to " +
                          target.ToString() + ": not a JSON scalar (json_format gives the text)");
        }
        if (e.type() == T::NULL_VALUE) {
          text.SetNull(i);
        } else if (e.type() == T::STRING) {
          text.SetString(i, e.get_string().value_unsafe());
        } else {
          text.SetString(i, simdjson::minify(e));
        }
      }
      return CastVector(text, target, try_cast);
    }
    case TypeId::kUuid:
      if (target.id == TypeId::kVarchar) {
        ToVarchar<Uuid>(input, n, result, [](const Uuid& u) { return FormatUuid(u); });
        return result;
      }
      if (target.id == TypeId::kVarbinary) {
        UnifiedView v = input.View();
        for (size_t i = 0; i < n; i++) {
          if (!v.IsValid(i)) {
            result.SetNull(i);
            continue;
          }
          const Uuid& u = v.Get<Uuid>(i);
          result.SetString(i, std::string_view(reinterpret_cast<const char*>(u.bytes), 16));
        }
        return result;
      }
      Unsupported(from, target);
    case TypeId::kTime:
      if (target.id == TypeId::kVarchar) {
        ToVarchar<int64_t>(input, n, result, [](int64_t t) { return FormatTime(t); });
        return result;
      }
      Unsupported(from, target);
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
        case TypeId::kJson:
          ToVarchar<int32_t>(input, n, result, [](int32_t d) { return JsonString(FormatDate(d)); });
          return result;
        default:
          Unsupported(from, target);
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
        case TypeId::kTime:
          CastLoop<int64_t, int64_t>(input, n, result, try_cast, [](int64_t t) -> int64_t {
            return t - static_cast<int64_t>(TimestampDays(t)) * kMicrosPerDay;
          });
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
        case TypeId::kJson:
          ToVarchar<int64_t>(input, n, result, [tz](int64_t t) {
            return JsonString(tz ? FormatTimestampTz(t) : FormatTimestamp(t));
          });
          return result;
        default:
          Unsupported(from, target);
      }
    }
    case TypeId::kInterval:
      if (target.id == TypeId::kVarchar) {
        ToVarchar<Interval>(input, n, result,
                            [](const Interval& iv) { return FormatInterval(iv); });
        return result;
      }
      Unsupported(from, target);
    case TypeId::kNull:
    case TypeId::kArray:  // handled above
    case TypeId::kMap:
    case TypeId::kRow:
      break;
  }
  Unsupported(from, target);
}

Value CastValue(const Value& value, const LogicalType& target, bool try_cast) {
  if (value.is_null()) return Value::Null(target);
  if (value.type() == target) return value;
  Vector in = Vector::Constant(value, 1);
  Vector out = CastVector(in, target, try_cast);
  return out.GetValue(0);
}

}  // namespace aishell
