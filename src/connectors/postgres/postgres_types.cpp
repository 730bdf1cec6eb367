#include "connectors/postgres/postgres_types.h"

#include "connectors/postgres/postgres_client.h"

namespace aishell {

PgTypeMapping MapPgType(uint32_t oid, int32_t typmod, const std::string& type_name) {
  PgTypeMapping m;
  switch (oid) {
    case 16:
      m.type = TypeId::kBoolean;
      return m;
    case 21:
      m.type = TypeId::kSmallInt;
      return m;
    case 23:
      m.type = TypeId::kInteger;
      return m;
    case 20:
      m.type = TypeId::kBigInt;
      return m;
    case 700:
      m.type = TypeId::kReal;
      return m;
    case 701:
      m.type = TypeId::kDouble;
      return m;
    case 1700: {
      if (typmod >= 4) {
        int p = ((typmod - 4) >> 16) & 0xffff;
        int s = (typmod - 4) & 0xffff;
        if (p >= 1 && p <= kMaxDecimalPrecision && s <= p) {
          m.type = LogicalType::Decimal(p, s);
          return m;
        }
      }
      m.type = TypeId::kDouble;
      m.cast = "::float8";
      m.comment = "pg type '" + type_name +
                  "' read as DOUBLE (a numeric without precision, or above 38 digits)";
      return m;
    }
    case 25:
    case 1043:
    case 19:
      m.type = TypeId::kVarchar;
      return m;
    case 1042:
      m.type = TypeId::kVarchar;
      m.cast = "::text";
      return m;  // char(n): without the padding
    case 1082:
      m.type = TypeId::kDate;
      return m;
    case 1083:  // time (without time zone), microseconds
      m.type = TypeId::kTime;
      return m;
    case 17:
      m.type = TypeId::kVarbinary;
      return m;
    case 2950:
      m.type = TypeId::kUuid;
      return m;
    case 114:   // json
    case 3802:  // jsonb
      m.type = TypeId::kJson;
      m.cast = "::text";
      return m;
    case 1114:
      m.type = TypeId::kTimestamp;
      return m;
    case 1184:
      m.type = TypeId::kTimestampTz;
      return m;
    default:
      m.type = TypeId::kVarchar;
      m.cast = "::text";
      m.comment = "pg type '" + type_name + "' read as text";
      return m;
  }
}

std::string PgTypeFor(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
      return "smallint";
    case TypeId::kReal:
      return "real";
    case TypeId::kVarbinary:
      return "bytea";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kTime:
      return "time";
    case TypeId::kJson:
      return "json";
    case TypeId::kInteger:
      return "integer";
    case TypeId::kBigInt:
      return "bigint";
    case TypeId::kDouble:
      return "double precision";
    case TypeId::kDecimal:
      return "numeric(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kInterval:
      return "interval";
    default:
      return "text";
  }
}

std::string PgQualified(const PgTableMeta& t) {
  return QuotePgIdentifier(t.remote_schema) + "." + QuotePgIdentifier(t.remote_name);
}

}  // namespace aishell
