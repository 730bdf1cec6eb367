#include "server/trino_types.h"

#include <fmt/format.h>

#include <cmath>

#include "common/date_time.h"
#include "common/json_text.h"
#include "common/time_zone.h"
#include "common/value.h"

namespace aishell {

namespace {

std::string FieldNameText(const std::string& name) {
  // Quoted only when it would not read back as a plain identifier.
  bool plain = !name.empty();
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ".ffffff": six fractional digits, as timestamp(6) and time(6) print.
std::string WithMicros(std::string text) {
  auto dot = text.rfind('.');
  auto colon = text.rfind(':');
  if (dot == std::string::npos || (colon != std::string::npos && dot < colon)) {
    text += ".000000";
    return text;
  }
  size_t digits = text.size() - dot - 1;
  if (digits < 6) text.append(6 - digits, '0');
  return text;
}

void AppendLongArg(int64_t v, bool first, std::string* out) {
  if (!first) *out += ',';
  *out += R"({"kind":"LONG","value":)" + std::to_string(v) + "}";
}

void AppendValue(const Value& v, std::string* out);

void AppendScalarText(const std::string& text, std::string* out) { AppendJsonString(text, out); }

void AppendValue(const Value& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
    return;
  }
  const LogicalType& t = v.type();
  switch (t.id) {
    case TypeId::kArray: {
      *out += '[';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendValue(v.Children()[i], out);
      }
      *out += ']';
      return;
    }
    case TypeId::kRow: {
      *out += '[';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        AppendValue(v.Children()[i], out);
      }
      *out += ']';
      return;
    }
    case TypeId::kMap: {
      *out += '{';
      for (size_t i = 0; i < v.Children().size(); i++) {
        if (i) *out += ',';
        const Value& key = v.Children()[i];
        std::string key_text;
        if (key.type().id == TypeId::kVarchar)
          key_text = key.GetString();
        else if (key.type().id == TypeId::kTimestamp)
          key_text = WithMicros(FormatTimestamp(key.GetInt64()));
        else
          key_text = key.ToString();
        AppendJsonString(key_text, out);
        *out += ':';
        AppendValue(v.MapValues()[i], out);
      }
      *out += '}';
      return;
    }
    default: {
      Vector one = Vector::Constant(v, 1);
      AppendTrinoValue(one, 0, out);
      return;
    }
  }
}

}  // namespace

std::string TrinoProtocolTypeName(const LogicalType& type) {
  switch (type.id) {
    case TypeId::kNull:
      return "unknown";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kTinyInt:
      return "tinyint";
    case TypeId::kSmallInt:
      return "smallint";
    case TypeId::kInteger:
      return "integer";
    case TypeId::kBigInt:
      return "bigint";
    case TypeId::kReal:
      return "real";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeId::kVarchar:
      return "varchar";
    case TypeId::kVarbinary:
      return "varbinary";
    case TypeId::kJson:
      return "json";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time(6)";
    case TypeId::kTimestamp:
      return "timestamp(6)";
    case TypeId::kTimestampTz:
      return "timestamp(6) with time zone";
    case TypeId::kInterval:
      return "interval day to second";
    case TypeId::kArray:
      if (!type.nested) return "array(unknown)";
      return "array(" + TrinoProtocolTypeName(type.Children()[0]) + ")";
    case TypeId::kMap:
      if (!type.nested) return "map(unknown, unknown)";
      return "map(" + TrinoProtocolTypeName(type.Children()[0]) + ", " +
             TrinoProtocolTypeName(type.Children()[1]) + ")";
    case TypeId::kRow: {
      std::string out = "row(";
      if (type.nested) {
        const auto& children = type.Children();
        for (size_t i = 0; i < children.size(); i++) {
          if (i) out += ", ";
          const std::string& name = type.FieldNames()[i];
          if (!name.empty()) out += FieldNameText(name) + " ";
          out += TrinoProtocolTypeName(children[i]);
        }
      }
      return out + ")";
    }
  }
  return "unknown";
}

std::string TrinoTypeSignatureJson(const LogicalType& type) {
  std::string raw;
  std::string args;
  switch (type.id) {
    case TypeId::kVarchar:
      raw = "varchar";
      AppendLongArg(2147483647, true, &args);
      break;
    case TypeId::kDecimal:
      raw = "decimal";
      AppendLongArg(type.precision, true, &args);
      AppendLongArg(type.scale, false, &args);
      break;
    case TypeId::kTime:
      raw = "time";
      AppendLongArg(6, true, &args);
      break;
    case TypeId::kTimestamp:
      raw = "timestamp";
      AppendLongArg(6, true, &args);
      break;
    case TypeId::kTimestampTz:
      raw = "timestamp with time zone";
      AppendLongArg(6, true, &args);
      break;
    case TypeId::kArray:
    case TypeId::kMap: {
      raw = type.id == TypeId::kArray ? "array" : "map";
      if (type.nested) {
        const auto& children = type.Children();
        for (size_t i = 0; i < children.size(); i++) {
          if (i) args += ',';
          args += R"({"kind":"TYPE","value":)" + TrinoTypeSignatureJson(children[i]) + "}";
        }
      }
      break;
    }
    case TypeId::kRow: {
      raw = "row";
      if (type.nested) {
        const auto& children = type.Children();
        for (size_t i = 0; i < children.size(); i++) {
          if (i) args += ',';
          args += R"({"kind":"NAMED_TYPE","value":{)";
          const std::string& name = type.FieldNames()[i];
          if (!name.empty()) {
            args += R"("fieldName":{"name":)";
            AppendJsonString(name, &args);
            args += "},";
          }
          args += R"("typeSignature":)" + TrinoTypeSignatureJson(children[i]) + "}}";
        }
      }
      break;
    }
    default:
      raw = TrinoProtocolTypeName(type);
      break;
  }
  std::string out = R"({"rawType":)";
  AppendJsonString(raw, &out);
  out += R"(,"arguments":[)" + args + "]}";
  return out;
}

std::string TrinoColumnsJson(const std::vector<OutputColumn>& columns) {
  std::string out = "[";
  for (size_t i = 0; i < columns.size(); i++) {
    if (i) out += ',';
    out += R"({"name":)";
    AppendJsonString(columns[i].name, &out);
    out += R"(,"type":)";
    AppendJsonString(TrinoProtocolTypeName(columns[i].type), &out);
    out += R"(,"typeSignature":)" + TrinoTypeSignatureJson(columns[i].type) + "}";
  }
  return out + "]";
}

void AppendTrinoValue(const Vector& vector, size_t row, std::string* out) {
  AppendTrinoCell(vector.View(), vector, row, out);
}

void AppendTrinoCell(const UnifiedView& view, const Vector& vector, size_t row, std::string* out) {
  if (!view.IsValid(row)) {
    *out += "null";
    return;
  }
  const LogicalType& type = vector.type();
  if (type.IsNested()) {
    AppendValue(vector.GetValue(row), out);
    return;
  }
  switch (type.id) {
    case TypeId::kNull:
      *out += "null";
      return;
    case TypeId::kBoolean:
      *out += view.Get<uint8_t>(row) ? "true" : "false";
      return;
    case TypeId::kTinyInt:
      *out += std::to_string(view.Get<int8_t>(row));
      return;
    case TypeId::kSmallInt:
      *out += std::to_string(view.Get<int16_t>(row));
      return;
    case TypeId::kInteger:
      *out += std::to_string(view.Get<int32_t>(row));
      return;
    case TypeId::kBigInt:
      *out += std::to_string(view.Get<int64_t>(row));
      return;
    case TypeId::kReal:
    case TypeId::kDouble: {
      double d = type.id == TypeId::kReal ? view.Get<float>(row) : view.Get<double>(row);
      if (std::isnan(d))
        *out += "\"NaN\"";
      else if (std::isinf(d))
        *out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      else if (type.id == TypeId::kReal)
        fmt::format_to(std::back_inserter(*out), "{}", view.Get<float>(row));
      else
        fmt::format_to(std::back_inserter(*out), "{}", d);
      return;
    }
    case TypeId::kDecimal: {
      Int128 unscaled = type.IsLongDecimal() ? view.Get<Int128>(row)
                                             : static_cast<Int128>(view.Get<int64_t>(row));
      AppendScalarText(FormatDecimal(unscaled, type.scale), out);
      return;
    }
    case TypeId::kVarchar:
    case TypeId::kJson:  // Trino sends a JSON value as its text
      AppendJsonString(view.Get<std::string_view>(row), out);
      return;
    case TypeId::kVarbinary:
      AppendJsonString(Base64(view.Get<std::string_view>(row)), out);
      return;
    case TypeId::kUuid:
      AppendScalarText(FormatUuid(view.Get<Uuid>(row)), out);
      return;
    case TypeId::kDate:
      AppendScalarText(FormatDate(view.Get<int32_t>(row)), out);
      return;
    case TypeId::kTime:
      AppendScalarText(WithMicros(FormatTime(view.Get<int64_t>(row))), out);
      return;
    case TypeId::kTimestamp:
      AppendScalarText(WithMicros(FormatTimestamp(view.Get<int64_t>(row))), out);
      return;
    case TypeId::kTimestampTz: {
      // In the session time zone, as Trino renders it (common/time_zone.h).
      const TimeZone& zone = SessionTimeZone();
      int64_t instant = view.Get<int64_t>(row);
      AppendScalarText(WithMicros(FormatTimestamp(zone.ToLocal(instant))) + " " + zone.name(), out);
    }
      return;
    case TypeId::kInterval: {
      const Interval& iv = view.Get<Interval>(row);
      int64_t micros = iv.micros + static_cast<int64_t>(iv.days) * 86400000000LL +
                       static_cast<int64_t>(iv.months) * 30 * 86400000000LL;
      bool negative = micros < 0;
      if (negative) micros = -micros;
      int64_t days = micros / 86400000000LL;
      int64_t rest = micros % 86400000000LL;
      AppendScalarText(fmt::format("{}{} {:02d}:{:02d}:{:02d}.{:03d}", negative ? "-" : "", days,
                                   rest / 3600000000LL, rest / 60000000LL % 60, rest / 1000000 % 60,
                                   rest / 1000 % 1000),
                       out);
      return;
    }
    default:
      *out += "null";
      return;
  }
}

void AppendTrinoRows(const Batch& batch, size_t begin, size_t end, std::string* out) {
  std::vector<UnifiedView> views;
  for (const auto& c : batch.columns) views.push_back(c.View());
  for (size_t r = begin; r < end; r++) {
    if (r != begin) *out += ',';
    *out += '[';
    for (size_t c = 0; c < batch.columns.size(); c++) {
      if (c) *out += ',';
      AppendTrinoCell(views[c], batch.columns[c], r, out);
    }
    *out += ']';
  }
}

}  // namespace aishell
