#include "connectors/iceberg/iceberg_transforms.h"

#include <cstring>

#include "common/date_time.h"

namespace aishell::iceberg {

namespace {

uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr int64_t kMicrosPerHour = 3600LL * 1000000;

// Days since the epoch and micros since the epoch of a date or timestamp value.
std::optional<int64_t> Micros(const Value& v) {
  switch (v.type().id) {
    case TypeId::kDate:
      return v.GetInt64() * kMicrosPerDay;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return v.GetInt64();
    default:
      return std::nullopt;
  }
}

}  // namespace

int32_t Murmur3Hash32(const uint8_t* data, size_t size) {
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  uint32_t h = 0;
  size_t blocks = size / 4;
  for (size_t i = 0; i < blocks; i++) {
    uint32_t k;
    std::memcpy(&k, data + i * 4, 4);
    k *= c1;
    k = Rotl(k, 15);
    k *= c2;
    h ^= k;
    h = Rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const uint8_t* tail = data + blocks * 4;
  uint32_t k = 0;
  switch (size & 3) {
    case 3:
      k ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      k ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = Rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(size);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

std::optional<int32_t> BucketHash(const IcebergType& type, const Value& value) {
  auto hash_long = [](int64_t v) {
    uint8_t b[8];
    std::memcpy(b, &v, 8);  // little-endian hosts
    return Murmur3Hash32(b, 8);
  };
  switch (type.id) {
    case IcebergTypeId::kInt:
    case IcebergTypeId::kLong:
    case IcebergTypeId::kDate:
    case IcebergTypeId::kTime:
      if (!value.type().IsIntegral() && value.type().id != TypeId::kDate &&
          value.type().id != TypeId::kTime) {
        return std::nullopt;
      }
      return hash_long(value.GetInt64());
    case IcebergTypeId::kUuid: {
      if (value.type().id != TypeId::kUuid) return std::nullopt;
      Uuid u = value.GetUuid();
      return Murmur3Hash32(u.bytes, 16);
    }
    case IcebergTypeId::kFixed:
    case IcebergTypeId::kBinary: {
      if (value.type().id != TypeId::kVarbinary) return std::nullopt;
      const std::string& b = value.GetString();
      return Murmur3Hash32(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    }
    case IcebergTypeId::kTimestamp:
    case IcebergTypeId::kTimestampTz: {
      auto m = Micros(value);
      if (!m) return std::nullopt;
      return hash_long(*m);
    }
    case IcebergTypeId::kString: {
      if (value.type().id != TypeId::kVarchar) return std::nullopt;
      const std::string& s = value.GetString();
      return Murmur3Hash32(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    }
    case IcebergTypeId::kDecimal: {
      if (value.type().id != TypeId::kDecimal || value.type().scale != type.scale) {
        return std::nullopt;
      }
      // Minimal big-endian two's complement bytes of the unscaled value.
      auto v = static_cast<unsigned __int128>(value.GetInt128());
      uint8_t be[16];
      for (int i = 0; i < 16; i++) be[i] = static_cast<uint8_t>(v >> (120 - 8 * i));
      int start = 0;
      while (start < 15) {
        bool redundant = (be[start] == 0x00 && !(be[start + 1] & 0x80)) ||
                         (be[start] == 0xff && (be[start + 1] & 0x80));
        if (!redundant) break;
        start++;
      }
      return Murmur3Hash32(be + start, static_cast<size_t>(16 - start));
    }
    default:
      return std::nullopt;
  }
}

bool IsMonotonic(TransformKind kind) {
  switch (kind) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour:
      return true;
    default:
      return false;
  }
}

std::optional<Value> ApplyTransform(const Transform& t, const IcebergType& source,
                                    const Value& value) {
  if (value.is_null()) return std::nullopt;
  switch (t.kind) {
    case TransformKind::kIdentity:
      return value;
    case TransformKind::kBucket: {
      if (t.param <= 0) return std::nullopt;
      auto h = BucketHash(source, value);
      if (!h) return std::nullopt;
      return Value::Integer(static_cast<int32_t>((*h & 0x7fffffff) % t.param));
    }
    case TransformKind::kTruncate: {
      if (t.param <= 0) return std::nullopt;
      switch (value.type().id) {
        case TypeId::kInteger:
          return Value::Integer(
              static_cast<int32_t>(value.GetInt64() - FloorMod(value.GetInt64(), t.param)));
        case TypeId::kBigInt:
          return Value::BigInt(value.GetInt64() - FloorMod(value.GetInt64(), t.param));
        case TypeId::kDecimal: {
          Int128 v = value.GetInt128();
          Int128 mod = ((v % t.param) + t.param) % t.param;
          return Value::Decimal(v - mod, value.type().precision, value.type().scale);
        }
        case TypeId::kVarbinary: {
          const std::string& b = value.GetString();
          return Value::Varbinary(b.substr(0, std::min<size_t>(b.size(), t.param)));
        }
        case TypeId::kVarchar: {
          if (source.id != IcebergTypeId::kString) return std::nullopt;
          const std::string& s = value.GetString();
          size_t pos = 0;
          int chars = 0;
          while (pos < s.size() && chars < t.param) {
            unsigned char c = static_cast<unsigned char>(s[pos]);
            pos += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
            chars++;
          }
          return Value::Varchar(s.substr(0, std::min(pos, s.size())));
        }
        default:
          return std::nullopt;
      }
    }
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour: {
      auto m = Micros(value);
      if (!m) return std::nullopt;
      if (t.kind == TransformKind::kHour) {
        return Value::Integer(static_cast<int32_t>(FloorDiv(*m, kMicrosPerHour)));
      }
      int64_t days = FloorDiv(*m, kMicrosPerDay);
      if (t.kind == TransformKind::kDay) return Value::Integer(static_cast<int32_t>(days));
      CivilDate c = CivilFromDays(static_cast<int32_t>(days));
      if (t.kind == TransformKind::kYear) return Value::Integer(c.year - 1970);
      return Value::Integer((c.year - 1970) * 12 + (c.month - 1));
    }
    default:
      return std::nullopt;
  }
}

}  // namespace aishell::iceberg
