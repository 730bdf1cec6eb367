#include "shell/box_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/utf8.h"
#include "common/value.h"

namespace aishell {

namespace {

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

std::string ReadableDouble(double value) {
  if (!std::isfinite(value) || value == 0) return FormatDouble(value);
  // The fewest significant digits (up to 15) whose text reads back within 1e-13 of the value:
  // the noise a sum of many decimal amounts leaves in the last digits is not shown.
  constexpr double kRelativeTolerance = 1e-13;
  std::string text;
  for (int digits = 1; digits <= 15; digits++) {
    text = fmt::format("{:.{}g}", value, digits);
    double back = std::strtod(text.c_str(), nullptr);
    if (std::fabs(back - value) <= kRelativeTolerance * std::fabs(value)) break;
  }
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

namespace {

// Splits text into lines of at most `width` display columns, at spaces where it can.
std::vector<std::string> WrapCell(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  if (width == 0 || DisplayWidth(text) <= width) return {text};
  std::string rest = text;
  while (DisplayWidth(rest) > width) {
    // The longest prefix that fits.
    size_t used = 0, i = 0, fit = 0;
    while (i < rest.size()) {
      size_t before = i;
      int w = CodePointWidth(NextCodePoint(rest, i));
      if (used + w > width) {
        i = before;
        break;
      }
      used += w;
      fit = i;
    }
    if (fit == 0) fit = 1;
    size_t cut = fit;
    size_t space = rest.rfind(' ', fit);
    if (space != std::string::npos && space > 0 && space + 1 >= fit / 2) cut = space;
    lines.push_back(rest.substr(0, cut));
    size_t next = cut;
    while (next < rest.size() && rest[next] == ' ') next++;
    rest = rest.substr(next);
  }
  if (!rest.empty()) lines.push_back(rest);
  return lines;
}

}  // namespace

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
      for (size_t c = 0; c < ncols && c < b.columns.size(); c++) {
        const Vector& v = b.columns[c];
        if (v.type().id == TypeId::kDouble && v.View().IsValid(r))
          row.push_back(ReadableDouble(v.View().Get<double>(r)));
        else
          row.push_back(SanitizeCell(CellText(v, r)));
      }
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
    std::vector<std::vector<std::string>> parts(visible);
    size_t height = 1;
    for (size_t c = 0; c < visible; c++) {
      if (options.wrap)
        parts[c] = WrapCell(values[c], widths[c]);
      else
        parts[c] = {Truncate(values[c], widths[c])};
      height = std::max(height, parts[c].size());
    }
    std::string out_lines;
    for (size_t k = 0; k < height; k++) {
      std::string line = "│";
      for (size_t c = 0; c < visible; c++) {
        line += ' ';
        bool is_null_cell = !header && values[c] == "NULL";
        std::string piece = k < parts[c].size() ? parts[c][k] : "";
        line += Pad(piece, widths[c], !header && right[c] && !is_null_cell);
        line += " │";
      }
      if (dropped) line += k == 0 ? " … │" : "   │";
      line += '\n';
      out_lines += line;
    }
    return out_lines;
  };

  std::string out = border("┌", "┬", "┐");
  out += row_line(headers, true);
  out += border("├", "┼", "┤");
  for (const auto& row : cells) out += row_line(row, false);
  out += border("└", "┴", "┘");
  if (visible_columns) *visible_columns = visible;
  return out;
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
