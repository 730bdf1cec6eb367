#include "engine/result_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include "common/exception.h"

#include "common/date_time.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "formats/parquet/parquet_writer.h"

namespace aishell {

namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

// Appends a double as Value::ToString renders it: "2.0" for integral values, else the shortest
// round-trip form. Integral values take the integer path (fixed-precision float formatting is
// slow).
void AppendDouble(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
  } else if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
  } else if (d == std::floor(d) && std::fabs(d) < 1e15) {
    if (d == 0 && std::signbit(d)) out += '-';
    AppendInt(out, static_cast<int64_t>(d));
    out += ".0";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", d);
  }
}

std::string FormatDoubleText(double d) {
  std::string out;
  AppendDouble(out, d);
  return out;
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "table") return OutputFormat::kTable;
  if (n == "csv") return OutputFormat::kCsv;
  if (n == "json") return OutputFormat::kJson;
  if (n == "jsonl" || n == "ndjson") return OutputFormat::kJsonl;
  return std::nullopt;
}

bool IsParquetFormatName(std::string_view name) { return AsciiLower(name) == "parquet"; }

void WriteParquetFile(const std::string& path, const std::vector<OutputColumn>& columns,
                      const std::vector<Batch>& batches) {
  std::vector<ColumnInfo> infos;
  infos.reserve(columns.size());
  for (const auto& c : columns) infos.push_back(ColumnInfo{c.name, c.type, true, ""});
  // Destroying the writer without Commit (on any exception) removes its temporary file.
  auto writer = CreateParquetTableWriter(path, infos);
  for (const auto& b : batches) {
    if (b.count > 0) writer->Append(b);
  }
  writer->Commit();
}

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kJsonl:
      return "jsonl";
  }
  return "?";
}

namespace {

void AppendJsonCell(std::string& out, const UnifiedView& view, const LogicalType& type, size_t row,
                    const Vector* vector);

// Appends the display text of a valid (non-null) row; `vector` (the row's vector) is needed for
// nested types only.
void AppendValidCell(std::string& out, const UnifiedView& view, const LogicalType& type, size_t row,
                     const Vector* vector = nullptr) {
  if (type.IsNested()) {
    out += vector->GetValue(row).ToString();
    return;
  }
  switch (type.id) {
    case TypeId::kNull:
      out += "NULL";
      return;
    case TypeId::kBoolean:
      out += view.Get<uint8_t>(row) ? "true" : "false";
      return;
    case TypeId::kTinyInt:
      AppendInt(out, view.Get<int8_t>(row));
      return;
    case TypeId::kSmallInt:
      AppendInt(out, view.Get<int16_t>(row));
      return;
    case TypeId::kInteger:
      AppendInt(out, view.Get<int32_t>(row));
      return;
    case TypeId::kBigInt:
      AppendInt(out, view.Get<int64_t>(row));
      return;
    case TypeId::kReal:
      out += FormatReal(view.Get<float>(row));
      return;
    case TypeId::kDouble:
      AppendDouble(out, view.Get<double>(row));
      return;
    case TypeId::kDecimal: {
      if (type.IsLongDecimal()) {
        out += FormatDecimal(view.Get<Int128>(row), type.scale);
        return;
      }
      int64_t v = view.Get<int64_t>(row);
      if (type.scale == 0)
        AppendInt(out, v);
      else
        out += FormatDecimal(v, type.scale);
      return;
    }
    case TypeId::kVarchar:
    case TypeId::kJson:
      out += view.Get<std::string_view>(row);
      return;
    case TypeId::kVarbinary:
      out += FormatVarbinary(view.Get<std::string_view>(row));
      return;
    case TypeId::kUuid:
      out += FormatUuid(view.Get<Uuid>(row));
      return;
    case TypeId::kDate:
      out += FormatDate(view.Get<int32_t>(row));
      return;
    case TypeId::kTime:
      out += FormatTime(view.Get<int64_t>(row));
      return;
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kRow:
      return;  // written by the callers from the vector (AppendNestedText)
    case TypeId::kTimestamp:
      out += FormatTimestamp(view.Get<int64_t>(row));
      return;
    case TypeId::kTimestampTz:
      out += FormatTimestampTz(view.Get<int64_t>(row));
      return;
    case TypeId::kInterval:
      out += FormatInterval(view.Get<Interval>(row));
      return;
  }
}

void AppendCsvQuoted(std::string& out, std::string_view text) {
  if (text.empty()) {
    out += "\"\"";  // an empty string, unlike NULL (an empty field)
    return;
  }
  bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos || text.front() == ' ' ||
               text.back() == ' ';
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"')
      out += "\"\"";
    else
      out += c;
  }
  out += '"';
}

// A nested value as JSON: arrays as arrays, maps and rows as objects (Trino's JSON encoding).
void AppendJsonValue(std::string& out, const Value& v) {
  if (v.is_null()) {
    out += "null";
    return;
  }
  const LogicalType& t = v.type();
  if (t.id == TypeId::kArray) {
    out += '[';
    for (size_t i = 0; i < v.Children().size(); i++) {
      if (i) out += ',';
      AppendJsonValue(out, v.Children()[i]);
    }
    out += ']';
    return;
  }
  if (t.id == TypeId::kMap || t.id == TypeId::kRow) {
    out += '{';
    for (size_t i = 0; i < v.Children().size(); i++) {
      if (i) out += ',';
      if (t.id == TypeId::kMap) {
        AppendJsonString(v.Children()[i].ToString(), &out);
        out += ':';
        AppendJsonValue(out, v.MapValues()[i]);
      } else {
        const auto& names = t.FieldNames();
        AppendJsonString(
            i < names.size() && !names[i].empty() ? names[i] : "field" + std::to_string(i), &out);
        out += ':';
        AppendJsonValue(out, v.Children()[i]);
      }
    }
    out += '}';
    return;
  }
  Vector one = Vector::Constant(v, 1);
  AppendJsonCell(out, one.View(), t, 0, &one);
}

void AppendJsonCell(std::string& out, const UnifiedView& view, const LogicalType& type, size_t row,
                    const Vector* vector) {
  if (!view.IsValid(row)) {
    out += "null";
    return;
  }
  if (type.IsNested()) {
    AppendJsonValue(out, vector->GetValue(row));
    return;
  }
  switch (type.id) {
    case TypeId::kNull:
      out += "null";
      return;
    case TypeId::kBoolean:
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDecimal:
      AppendValidCell(out, view, type, row);
      return;
    case TypeId::kJson:  // the JSON value itself, not a string holding it
      out += view.Get<std::string_view>(row);
      return;
    case TypeId::kVarbinary:  // base64, as Trino's JSON encodes VARBINARY
      AppendJsonString(Base64(view.Get<std::string_view>(row)), &out);
      return;
    case TypeId::kReal: {
      float f = view.Get<float>(row);
      if (std::isnan(f) || std::isinf(f))
        AppendJsonString(FormatReal(f), &out);
      else
        fmt::format_to(std::back_inserter(out), "{}", f);
      return;
    }
    case TypeId::kDouble: {
      double d = view.Get<double>(row);
      if (std::isnan(d) || std::isinf(d))
        AppendJsonString(FormatDoubleText(d), &out);
      else
        fmt::format_to(std::back_inserter(out), "{}", d);
      return;
    }
    case TypeId::kVarchar:
      AppendJsonString(view.Get<std::string_view>(row), &out);
      return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      std::string s = FormatTimestamp(view.Get<int64_t>(row));
      auto sp = s.find(' ', 1);
      if (sp != std::string::npos) s[sp] = 'T';
      if (type.id == TypeId::kTimestampTz) s += 'Z';
      AppendJsonString(s, &out);
      return;
    }
    default: {
      std::string s;
      AppendValidCell(s, view, type, row);
      AppendJsonString(s, &out);
      return;
    }
  }
}

}  // namespace

std::string CellText(const Vector& vector, size_t row) {
  UnifiedView view = vector.View();
  if (!view.IsValid(row)) return "NULL";
  std::string out;
  AppendValidCell(out, view, vector.type(), row, &vector);
  return out;
}

std::string CsvField(std::string_view text) {
  std::string out;
  AppendCsvQuoted(out, text);
  return out;
}

std::string JsonCell(const Vector& vector, size_t row) {
  std::string out;
  AppendJsonCell(out, vector.View(), vector.type(), row, &vector);
  return out;
}

namespace {
constexpr size_t kFlushBytes = 1 << 20;
}  // namespace

void WriteCsv(std::ostream& out, const std::vector<OutputColumn>& columns,
              const std::vector<Batch>& batches) {
  std::string buf;
  for (size_t c = 0; c < columns.size(); c++) {
    if (c) buf += ',';
    AppendCsvQuoted(buf, columns[c].name);
  }
  buf += '\n';
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  WriteCsvRows(out, columns, batches);
}

void WriteCsvRows(std::ostream& out, const std::vector<OutputColumn>& columns,
                  const std::vector<Batch>& batches) {
  std::string buf;
  std::vector<UnifiedView> views;
  std::vector<LogicalType> types;
  for (const auto& b : batches) {
    size_t ncols = std::min(b.columns.size(), columns.size());
    views.clear();
    types.clear();
    for (size_t c = 0; c < ncols; c++) {
      views.push_back(b.columns[c].View());
      types.push_back(b.columns[c].type());
    }
    for (size_t r = 0; r < b.count; r++) {
      for (size_t c = 0; c < ncols; c++) {
        if (c) buf += ',';
        if (!views[c].IsValid(r)) continue;
        if (types[c].id == TypeId::kVarchar)
          AppendCsvQuoted(buf, views[c].Get<std::string_view>(r));
        else if (types[c].id == TypeId::kInterval)
          AppendCsvQuoted(buf, FormatInterval(views[c].Get<Interval>(r)));
        else if (types[c].IsNested())
          AppendCsvQuoted(buf, b.columns[c].GetValue(r).ToString());
        else
          AppendValidCell(buf, views[c], types[c], r);
      }
      buf += '\n';
      if (buf.size() >= kFlushBytes) {
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        buf.clear();
      }
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

// Writes rows as JSON objects: prefix before each object ("\n  " / ",\n  " for arrays), suffix
// after it ("\n" for lines).
void WriteJsonRows(std::ostream& out, const std::vector<OutputColumn>& columns,
                   const std::vector<Batch>& batches, bool array, size_t& rows_written) {
  std::vector<std::string> keys;
  for (const auto& c : columns) keys.push_back(JsonString(c.name) + ":");
  std::string buf;
  std::vector<UnifiedView> views;
  std::vector<LogicalType> types;
  for (const auto& b : batches) {
    size_t ncols = std::min(b.columns.size(), columns.size());
    views.clear();
    types.clear();
    for (size_t c = 0; c < ncols; c++) {
      views.push_back(b.columns[c].View());
      types.push_back(b.columns[c].type());
    }
    for (size_t r = 0; r < b.count; r++) {
      if (array) buf += rows_written ? ",\n  " : "\n  ";
      buf += '{';
      for (size_t c = 0; c < ncols; c++) {
        if (c) buf += ',';
        buf += keys[c];
        AppendJsonCell(buf, views[c], types[c], r, &b.columns[c]);
      }
      buf += '}';
      if (!array) buf += '\n';
      rows_written++;
      if (buf.size() >= kFlushBytes) {
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        buf.clear();
      }
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

void WriteJson(std::ostream& out, const std::vector<OutputColumn>& columns,
               const std::vector<Batch>& batches) {
  size_t rows = 0;
  out << '[';
  WriteJsonRows(out, columns, batches, true, rows);
  out << (rows == 0 ? "]\n" : "\n]\n");
}

void WriteJsonl(std::ostream& out, const std::vector<OutputColumn>& columns,
                const std::vector<Batch>& batches) {
  size_t rows = 0;
  WriteJsonRows(out, columns, batches, false, rows);
}

ResultWriter::ResultWriter(std::ostream& out, OutputFormat format,
                           std::vector<OutputColumn> columns)
    : out_(out), format_(format), columns_(std::move(columns)) {}

void ResultWriter::Write(const Batch& batch) {
  if (batch.count == 0) return;
  batch_.clear();
  batch_.push_back(batch);
  switch (format_) {
    case OutputFormat::kCsv:
      if (!started_) {
        WriteCsv(out_, columns_, {});
      }
      WriteCsvRows(out_, columns_, batch_);
      break;
    case OutputFormat::kJson:
      if (!started_) out_ << '[';
      WriteJsonRows(out_, columns_, batch_, true, rows_);
      break;
    case OutputFormat::kJsonl:
      WriteJsonRows(out_, columns_, batch_, false, rows_);
      break;
    case OutputFormat::kTable:
      throw Error(ErrorKind::kInternal, "ResultWriter does not write tables");
  }
  started_ = true;
  batch_.clear();
}

void ResultWriter::Finish() {
  switch (format_) {
    case OutputFormat::kCsv:
      if (!started_) WriteCsv(out_, columns_, {});
      break;
    case OutputFormat::kJson:
      if (!started_) out_ << '[';
      out_ << (rows_ == 0 ? "]\n" : "\n]\n");
      break;
    default:
      break;
  }
  started_ = true;
}

}  // namespace aishell
