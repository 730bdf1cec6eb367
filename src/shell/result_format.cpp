#include "shell/result_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include "common/exception.h"

#include "common/date_time.h"
#include "common/json_text.h"
#include "common/utf8.h"
#include "formats/parquet/parquet_writer.h"

namespace aishell {

namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
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

int CodePointWidth(uint32_t cp) {
  if (cp == 0) return 0;
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFE0F) return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

// Makes text safe for one table cell: control characters become visible escapes.
std::string SanitizeCell(std::string text) {
  bool clean = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      clean = false;
      break;
    }
  }
  if (clean) return text;
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    else
      out += c;
  }
  return out;
}

// Cuts text to at most `width` display columns, ending in "…" when cut.
std::string Truncate(const std::string& text, size_t width) {
  if (DisplayWidth(text) <= width) return text;
  if (width == 0) return "";
  size_t used = 0, i = 0, keep = 0;
  while (i < text.size()) {
    int w = CodePointWidth(NextCodePoint(text, i));
    if (used + w > width - 1) break;
    used += w;
    keep = i;
  }
  return text.substr(0, keep) + "…";
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; i++) out += s;
  return out;
}

std::string Pad(const std::string& text, size_t width, bool right) {
  size_t w = DisplayWidth(text);
  if (w >= width) return text;
  return right ? std::string(width - w, ' ') + text : text + std::string(width - w, ' ');
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  std::string n = Lower(name);
  if (n == "table") return OutputFormat::kTable;
  if (n == "csv") return OutputFormat::kCsv;
  if (n == "json") return OutputFormat::kJson;
  if (n == "jsonl" || n == "ndjson") return OutputFormat::kJsonl;
  return std::nullopt;
}

bool IsParquetFormatName(std::string_view name) { return Lower(name) == "parquet"; }

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

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      width++;
      i++;
      continue;
    }
    width += CodePointWidth(NextCodePoint(text, i));
  }
  return width;
}

bool IsRightAligned(const LogicalType& type) { return type.IsNumeric(); }

namespace {

// Appends the display text of a valid (non-null) row.
void AppendValidCell(std::string& out, const UnifiedView& view, const LogicalType& type,
                     size_t row) {
  switch (type.id) {
    case TypeId::kNull:
      out += "NULL";
      return;
    case TypeId::kBoolean:
      out += view.Get<uint8_t>(row) ? "true" : "false";
      return;
    case TypeId::kInteger:
      AppendInt(out, view.Get<int32_t>(row));
      return;
    case TypeId::kBigInt:
      AppendInt(out, view.Get<int64_t>(row));
      return;
    case TypeId::kDouble:
      AppendDouble(out, view.Get<double>(row));
      return;
    case TypeId::kDecimal: {
      int64_t v = view.Get<int64_t>(row);
      if (type.scale == 0)
        AppendInt(out, v);
      else
        out += FormatDecimal(v, type.scale);
      return;
    }
    case TypeId::kVarchar:
      out += view.Get<std::string_view>(row);
      return;
    case TypeId::kDate:
      out += FormatDate(view.Get<int32_t>(row));
      return;
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

void AppendJsonCell(std::string& out, const UnifiedView& view, const LogicalType& type,
                    size_t row) {
  if (!view.IsValid(row)) {
    out += "null";
    return;
  }
  switch (type.id) {
    case TypeId::kNull:
      out += "null";
      return;
    case TypeId::kBoolean:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDecimal:
      AppendValidCell(out, view, type, row);
      return;
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
  AppendValidCell(out, view, vector.type(), row);
  return out;
}

std::string CsvField(std::string_view text) {
  std::string out;
  AppendCsvQuoted(out, text);
  return out;
}

std::string JsonCell(const Vector& vector, size_t row) {
  std::string out;
  AppendJsonCell(out, vector.View(), vector.type(), row);
  return out;
}

std::string FormatBoxTable(const std::vector<OutputColumn>& columns,
                           const std::vector<Batch>& batches, const TableFormatOptions& options) {
  int64_t total_rows = 0;
  for (const auto& b : batches) total_rows += static_cast<int64_t>(b.count);
  int64_t shown = options.max_rows >= 0 ? std::min(total_rows, options.max_rows) : total_rows;
  size_t visible = 0;
  std::string out = FormatBoxTableBody(columns, batches, options, &visible);
  return out + FormatBoxTableFooter(columns.size(), visible, shown, total_rows);
}

std::string FormatBoxTableFooter(size_t columns, size_t visible_columns, int64_t shown_rows,
                                 int64_t total_rows) {
  std::string out;
  if (shown_rows < total_rows)
    out += fmt::format("(showing the first {} of {} rows)\n", shown_rows, total_rows);
  if (visible_columns < columns)
    out += fmt::format("({} of {} columns shown; use --format csv or json for all)\n",
                       visible_columns, columns);
  return out;
}

std::string FormatBoxTableBody(const std::vector<OutputColumn>& columns,
                               const std::vector<Batch>& batches, const TableFormatOptions& options,
                               size_t* visible_columns) {
  size_t ncols = columns.size();
  int64_t total_rows = 0;
  for (const auto& b : batches) total_rows += static_cast<int64_t>(b.count);
  int64_t shown = options.max_rows >= 0 ? std::min(total_rows, options.max_rows) : total_rows;

  // Collect the shown cells as text.
  std::vector<std::vector<std::string>> cells;
  cells.reserve(static_cast<size_t>(shown));
  for (const auto& b : batches) {
    for (size_t r = 0; r < b.count && static_cast<int64_t>(cells.size()) < shown; r++) {
      std::vector<std::string> row;
      row.reserve(ncols);
      for (size_t c = 0; c < ncols && c < b.columns.size(); c++)
        row.push_back(SanitizeCell(CellText(b.columns[c], r)));
      row.resize(ncols);
      cells.push_back(std::move(row));
    }
    if (static_cast<int64_t>(cells.size()) >= shown) break;
  }

  std::vector<std::string> headers;
  std::vector<size_t> widths(ncols, 1);
  for (size_t c = 0; c < ncols; c++) {
    headers.push_back(SanitizeCell(columns[c].name));
    widths[c] = std::max<size_t>(1, DisplayWidth(headers[c]));
  }
  for (const auto& row : cells)
    for (size_t c = 0; c < ncols; c++) widths[c] = std::max(widths[c], DisplayWidth(row[c]));

  // Fit into the terminal: shrink the widest columns, then drop trailing columns.
  size_t visible = ncols;
  bool dropped = false;
  if (options.max_width > 0 && ncols > 0) {
    auto total = [&](size_t n, bool with_more) {
      size_t t = 1;
      for (size_t c = 0; c < n; c++) t += widths[c] + 3;
      if (with_more) t += 4;  // " … │"
      return t;
    };
    constexpr size_t kMinWidth = 6;
    while (total(visible, dropped) > options.max_width) {
      size_t widest = 0;
      for (size_t c = 1; c < visible; c++)
        if (widths[c] > widths[widest]) widest = c;
      if (widths[widest] > kMinWidth) {
        size_t excess = total(visible, dropped) - options.max_width;
        size_t second = kMinWidth;
        for (size_t c = 0; c < visible; c++)
          if (c != widest) second = std::max(second, widths[c]);
        size_t target = std::max(
            {kMinWidth, second, widths[widest] > excess ? widths[widest] - excess : kMinWidth});
        if (target >= widths[widest]) target = widths[widest] - 1;
        widths[widest] = target;
      } else if (visible > 1) {
        visible--;
        dropped = true;
      } else {
        break;
      }
    }
  }

  std::vector<bool> right(ncols);
  for (size_t c = 0; c < ncols; c++) right[c] = IsRightAligned(columns[c].type);

  auto border = [&](const char* left, const char* mid, const char* rgt) {
    std::string line = left;
    for (size_t c = 0; c < visible; c++) {
      if (c) line += mid;
      line += Repeat("─", widths[c] + 2);
    }
    if (dropped) line += std::string(mid) + "───";
    line += rgt;
    line += '\n';
    return line;
  };
  auto row_line = [&](const std::vector<std::string>& values, bool header) {
    std::string line = "│";
    for (size_t c = 0; c < visible; c++) {
      line += ' ';
      bool is_null_cell = !header && values[c] == "NULL";
      line += Pad(Truncate(values[c], widths[c]), widths[c], !header && right[c] && !is_null_cell);
      line += " │";
    }
    if (dropped) line += " … │";
    line += '\n';
    return line;
  };

  std::string out = border("┌", "┬", "┐");
  out += row_line(headers, true);
  out += border("├", "┼", "┤");
  for (const auto& row : cells) out += row_line(row, false);
  out += border("└", "┴", "┘");
  if (visible_columns) *visible_columns = visible;
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
        AppendJsonCell(buf, views[c], types[c], r);
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

void WriteResult(std::ostream& out, OutputFormat format, const std::vector<OutputColumn>& columns,
                 const std::vector<Batch>& batches, const TableFormatOptions& options) {
  switch (format) {
    case OutputFormat::kTable:
      out << FormatBoxTable(columns, batches, options);
      break;
    case OutputFormat::kCsv:
      WriteCsv(out, columns, batches);
      break;
    case OutputFormat::kJson:
      WriteJson(out, columns, batches);
      break;
    case OutputFormat::kJsonl:
      WriteJsonl(out, columns, batches);
      break;
  }
}

}  // namespace aishell
