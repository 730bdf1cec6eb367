#include "formats/value_parser.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/date_time.h"
#include "common/value.h"
#include "functions/cast.h"

namespace aishell {

std::string_view TrimSpaces(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) b++;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) e--;
  return text.substr(b, e - b);
}

bool ParseBigIntText(std::string_view text, int64_t* out) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end && *p == ' ') p++;
  while (end > p && end[-1] == ' ') end--;
  if (p == end) return false;
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    p++;
    if (p == end) return false;
  }
  uint64_t value = 0;
  const char* digits_start = p;
  // Up to 18 digits cannot overflow.
  const char* fast_end = end - p > 18 ? p + 18 : end;
  for (; p < fast_end; p++) {
    unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9) return false;
    value = value * 10 + d;
  }
  for (; p < end; p++) {
    unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9) return false;
    if (value > (UINT64_MAX - d) / 10) return false;
    value = value * 10 + d;
  }
  if (p == digits_start) return false;
  if (negative) {
    if (value > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - value);
  } else {
    if (value > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(value);
  }
  return true;
}

namespace {
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Plain decimals ("-123.45") with at most 15 significant digits: m / 10^k is exact-rounded
// because m and 10^k are exact doubles (Clinger's fast path). False means "use the slow path".
inline bool FastDecimalDouble(const char* p, const char* end, double* out) {
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    p++;
  }
  uint64_t m = 0;
  int digits = 0, frac = 0;
  bool point = false;
  const char* start = p;
  for (; p < end; p++) {
    unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d <= 9) {
      m = m * 10 + d;
      digits++;
      frac += point;
      continue;
    }
    if (*p == '.' && !point) {
      point = true;
      continue;
    }
    return false;
  }
  if (digits == 0 || digits > 15 || p == start) return false;
  double v = static_cast<double>(m) / kExactPow10[frac];
  *out = negative ? -v : v;
  return true;
}
}  // namespace

bool ParseDoubleText(std::string_view text, double* out) {
  if (!text.empty() && text.front() != ' ' && text.back() != ' ' &&
      FastDecimalDouble(text.data(), text.data() + text.size(), out)) {
    return true;
  }
  text = TrimSpaces(text);
  if (text.empty()) return false;
  const char* p = text.data();
  const char* end = p + text.size();
  if (*p == '+') {
    p++;
    if (p == end || *p == '-') return false;
  }
  auto [ptr, ec] = std::from_chars(p, end, *out);
  if (ec == std::errc::result_out_of_range) {
    // Denormal underflow or overflow: fall back to strtod semantics (inf / 0).
    std::string copy(p, end);
    char* stop = nullptr;
    *out = std::strtod(copy.c_str(), &stop);
    return stop == copy.c_str() + copy.size();
  }
  return ec == std::errc() && ptr == end;
}

namespace {
bool EqualsNoCase(std::string_view a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; i++) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}
}  // namespace

bool ParseBooleanText(std::string_view text, bool lenient, bool* out) {
  text = TrimSpaces(text);
  if (EqualsNoCase(text, "true")) {
    *out = true;
    return true;
  }
  if (EqualsNoCase(text, "false")) {
    *out = false;
    return true;
  }
  if (!lenient) return false;
  if (EqualsNoCase(text, "t") || EqualsNoCase(text, "yes") || EqualsNoCase(text, "y") ||
      text == "1") {
    *out = true;
    return true;
  }
  if (EqualsNoCase(text, "f") || EqualsNoCase(text, "no") || EqualsNoCase(text, "n") ||
      text == "0") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseDateText(std::string_view text, int32_t* out) {
  text = TrimSpaces(text);
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    const char* s = text.data();
    int v[8];
    static const int idx[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    bool ok = true;
    for (int i = 0; i < 8; i++) {
      unsigned d = static_cast<unsigned char>(s[idx[i]]) - '0';
      if (d > 9) {
        ok = false;
        break;
      }
      v[i] = static_cast<int>(d);
    }
    if (ok) {
      int year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
      int month = v[4] * 10 + v[5];
      int day = v[6] * 10 + v[7];
      if (!IsValidCivil(year, month, day)) return false;
      *out = DaysFromCivil(year, month, day);
      return true;
    }
  }
  if (text.empty() || text.size() > 32) return false;
  auto d = ParseDate(text);
  if (!d) return false;
  *out = *d;
  return true;
}

bool ParseTimestampText(std::string_view text, int64_t* out) {
  text = TrimSpaces(text);
  if (text.size() < 8 || text.size() > 40) return false;
  // Must look like a date first: avoid accepting bare numbers.
  if (text[4] != '-') return false;
  auto t = ParseTimestamp(text, true);
  if (!t) return false;
  *out = *t;
  return true;
}

bool ParseDecimalText(std::string_view text, int precision, int scale, int64_t* out) {
  text = TrimSpaces(text);
  if (text.empty()) return false;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  __int128 value = 0;
  int int_digits = 0, frac_digits = 0;
  bool any = false, round_up = false, seen_point = false;
  for (; i < text.size(); i++) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return false;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    any = true;
    if (!seen_point) {
      if (int_digits > 0 || c != '0') int_digits++;
      if (int_digits > 38) return false;
      value = value * 10 + (c - '0');
    } else if (frac_digits < scale) {
      frac_digits++;
      value = value * 10 + (c - '0');
    } else if (frac_digits == scale) {
      round_up = c >= '5';
      frac_digits++;  // only the first extra digit decides rounding
    }
  }
  if (!any) return false;
  for (int f = std::min(frac_digits, scale); f < scale; f++) value *= 10;
  if (round_up) value += 1;
  __int128 limit = 1;
  for (int k = 0; k < precision; k++) limit *= 10;
  if (value >= limit) return false;
  *out = static_cast<int64_t>(negative ? -value : value);
  return true;
}

bool ParseTypedText(std::string_view text, const LogicalType& type, void* out) {
  switch (type.id) {
    case TypeId::kBoolean: {
      bool b;
      if (!ParseBooleanText(text, true, &b)) return false;
      *static_cast<uint8_t*>(out) = b ? 1 : 0;
      return true;
    }
    case TypeId::kTinyInt: {
      int64_t v;
      if (!ParseBigIntText(text, &v) || v < INT8_MIN || v > INT8_MAX) return false;
      *static_cast<int8_t*>(out) = static_cast<int8_t>(v);
      return true;
    }
    case TypeId::kSmallInt: {
      int64_t v;
      if (!ParseBigIntText(text, &v) || v < INT16_MIN || v > INT16_MAX) return false;
      *static_cast<int16_t*>(out) = static_cast<int16_t>(v);
      return true;
    }
    case TypeId::kInteger: {
      int64_t v;
      if (!ParseBigIntText(text, &v) || v < INT32_MIN || v > INT32_MAX) return false;
      *static_cast<int32_t*>(out) = static_cast<int32_t>(v);
      return true;
    }
    case TypeId::kBigInt:
      return ParseBigIntText(text, static_cast<int64_t*>(out));
    case TypeId::kReal: {
      double d;
      if (!ParseDoubleText(text, &d)) return false;
      *static_cast<float*>(out) = static_cast<float>(d);
      return true;
    }
    case TypeId::kDouble:
      return ParseDoubleText(text, static_cast<double*>(out));
    case TypeId::kDecimal:
      if (type.IsLongDecimal())
        return ParseDecimal128(TrimSpaces(text), type.precision, type.scale,
                               static_cast<Int128*>(out));
      return ParseDecimalText(text, type.precision, type.scale, static_cast<int64_t*>(out));
    case TypeId::kUuid: {
      auto u = ParseUuid(text);
      if (!u) return false;
      *static_cast<Uuid*>(out) = *u;
      return true;
    }
    case TypeId::kTime: {
      auto t = ParseTime(text);
      if (!t) return false;
      *static_cast<int64_t*>(out) = *t;
      return true;
    }
    case TypeId::kDate:
      return ParseDateText(text, static_cast<int32_t*>(out));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return ParseTimestampText(text, static_cast<int64_t*>(out));
    default:
      return false;
  }
}

}  // namespace aishell
