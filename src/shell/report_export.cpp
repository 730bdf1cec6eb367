#include "shell/report_export.h"

#include <hpdf.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "common/exception.h"
#include "engine/result_format.h"
#include "shell/box_table.h"

namespace aishell {

namespace {

// The result's cells as text for people (DOUBLE as tables show it).
std::vector<std::vector<std::string>> Cells(const std::vector<OutputColumn>& columns,
                                            const std::vector<Batch>& batches) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : batches) {
    for (size_t r = 0; r < b.count; r++) {
      std::vector<std::string> row;
      for (size_t c = 0; c < columns.size() && c < b.columns.size(); c++) {
        const Vector& v = b.columns[c];
        if (v.type().id == TypeId::kDouble && v.View().IsValid(r))
          row.push_back(ReadableDouble(v.View().Get<double>(r)));
        else
          row.push_back(CellText(v, r));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string MarkdownCell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else if (c != '\r')
      out += c;
  }
  return out;
}

// UTF-8 to the PDF's WinAnsi (Latin-1 subset): other characters become '?'.
std::string ToLatin1(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) {
      len = 4;
    } else if (c >= 0xE0) {
      len = 3;
    } else if (c >= 0xC0) {
      len = 2;
      if (i + 1 < s.size()) cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    }
    if (len == 1)
      out += static_cast<char>(c < 0x20 ? ' ' : c);
    else if (len == 2 && cp >= 0xA0 && cp <= 0xFF)
      out += static_cast<char>(cp);
    else
      out += '?';
    i += len;
  }
  return out;
}

// Splits text into lines of at most `width` characters, at spaces where it can.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string rest = text;
  while (rest.size() > width) {
    size_t cut = rest.rfind(' ', width);
    if (cut == std::string::npos || cut < width / 2) cut = width;
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut);
    while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  }
  lines.push_back(rest);
  return lines;
}

// libharu is C: its error handler records the first error instead of throwing through it.
struct HpdfStatus {
  HPDF_STATUS error = 0;
  HPDF_STATUS detail = 0;
};

void OnHpdfError(HPDF_STATUS error, HPDF_STATUS detail, void* data) {
  auto* status = static_cast<HpdfStatus*>(data);
  if (status->error == 0) {
    status->error = error;
    status->detail = detail;
  }
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ResultToMarkdown(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                             const std::vector<Batch>& batches) {
  auto rows = Cells(columns, batches);
  std::string out = "# " + info.title + "\n\n";
  if (!info.query.empty()) out += "```sql\n" + info.query + "\n```\n\n";
  out += "|";
  for (const auto& c : columns) out += " " + MarkdownCell(c.name) + " |";
  out += "\n|";
  for (const auto& c : columns) out += IsRightAligned(c.type) ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& cell : row) out += " " + MarkdownCell(cell) + " |";
    out += "\n";
  }
  out += fmt::format("\n{} row{}{}\n", rows.size(), rows.size() == 1 ? "" : "s",
                     info.generated.empty() ? "" : " · " + info.generated);
  return out;
}

std::string ResultToHtml(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                         const std::vector<Batch>& batches) {
  auto rows = Cells(columns, batches);
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(info.title) +
      "</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}"
      "th,td{border:1px solid #999;padding:2px 6px}th{background:#eee}td.n{text-align:right}"
      "pre{background:#f6f6f6;padding:6px}</style></head><body>\n<h1>" +
      HtmlEscape(info.title) + "</h1>\n";
  if (!info.query.empty()) out += "<pre>" + HtmlEscape(info.query) + "</pre>\n";
  out += "<table>\n<tr>";
  for (const auto& c : columns) out += "<th>" + HtmlEscape(c.name) + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (size_t c = 0; c < row.size(); c++)
      out += std::string(IsRightAligned(columns[c].type) ? "<td class=\"n\">" : "<td>") +
             HtmlEscape(row[c]) + "</td>";
    out += "</tr>\n";
  }
  out += fmt::format("</table>\n<p>{} row{}{}</p>\n</body></html>\n", rows.size(),
                     rows.size() == 1 ? "" : "s",
                     info.generated.empty() ? "" : " · " + HtmlEscape(info.generated));
  return out;
}

std::string ResultToPdf(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                        const std::vector<Batch>& batches) {
  auto rows = Cells(columns, batches);
  HpdfStatus status;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> pdf(
      HPDF_New(OnHpdfError, &status), &HPDF_Free);
  if (!pdf) throw Error(ErrorKind::kIo, "cannot write the PDF: libharu did not start");
  HPDF_Doc doc = pdf.get();
  HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
  HPDF_Font bold = HPDF_GetFont(doc, "Helvetica-Bold", "WinAnsiEncoding");
  HPDF_Font mono = HPDF_GetFont(doc, "Courier", "WinAnsiEncoding");
  HPDF_Font mono_bold = HPDF_GetFont(doc, "Courier-Bold", "WinAnsiEncoding");
  HPDF_Font plain = HPDF_GetFont(doc, "Helvetica", "WinAnsiEncoding");
  const float kMargin = 40, kFont = 8, kLine = 10.5f;
  const float kChar = kFont * 0.6f;  // Courier's advance
  HPDF_Page page = nullptr;
  float width = 0, height = 0, y = 0;
  int page_number = 0;
  auto text = [&](HPDF_Font font, float size, float x, float at, const std::string& s) {
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_TextOut(page, x, at, ToLatin1(s).c_str());
    HPDF_Page_EndText(page);
  };
  auto new_page = [&] {
    page = HPDF_AddPage(doc);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    width = HPDF_Page_GetWidth(page);
    height = HPDF_Page_GetHeight(page);
    y = height - kMargin;
    page_number++;
    text(plain, 8, width - kMargin - 40, kMargin / 2, fmt::format("Page {}", page_number));
  };
  new_page();
  text(bold, 16, kMargin, y - 16, info.title);
  y -= 26;
  if (!info.generated.empty()) {
    text(plain, 9, kMargin, y - 9, info.generated);
    y -= 14;
  }
  size_t line_chars = static_cast<size_t>((width - 2 * kMargin) / kChar);
  if (!info.query.empty()) {
    text(bold, 10, kMargin, y - 10, "Query");
    y -= 14;
    std::string q = info.query;
    std::string line;
    for (char& c : q)
      if (c == '\t') c = ' ';
    size_t start = 0;
    while (start <= q.size()) {
      size_t nl = q.find('\n', start);
      std::string part = q.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      for (const auto& l : Wrap(part, line_chars)) {
        if (y < kMargin + kLine) new_page();
        text(mono, kFont, kMargin, y - kFont, l);
        y -= kLine;
      }
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    y -= 8;
  }
  // Column widths in characters: the content's, shrunk to fit the page, at least 6 each.
  size_t ncols = columns.size();
  std::vector<size_t> chars(ncols, 1);
  for (size_t c = 0; c < ncols; c++) {
    chars[c] = std::max<size_t>(chars[c], ToLatin1(columns[c].name).size());
    for (const auto& row : rows) chars[c] = std::max(chars[c], ToLatin1(row[c]).size());
    chars[c] = std::min<size_t>(chars[c], 60);
  }
  auto total = [&] {
    size_t t = 0;
    for (size_t w : chars) t += w + 2;
    return t;
  };
  while (total() > line_chars) {
    size_t widest =
        static_cast<size_t>(std::max_element(chars.begin(), chars.end()) - chars.begin());
    if (chars[widest] <= 6) break;
    chars[widest]--;
  }
  auto draw_row = [&](const std::vector<std::string>& cells, bool header) {
    std::vector<std::vector<std::string>> wrapped(ncols);
    size_t lines = 1;
    for (size_t c = 0; c < ncols; c++) {
      wrapped[c] = Wrap(ToLatin1(cells[c]), chars[c]);
      lines = std::max(lines, wrapped[c].size());
    }
    float h = static_cast<float>(lines) * kLine + 3;
    if (y - h < kMargin) return false;
    float x = kMargin;
    for (size_t c = 0; c < ncols; c++) {
      bool right = !header && IsRightAligned(columns[c].type);
      for (size_t k = 0; k < wrapped[c].size(); k++) {
        const std::string& s = wrapped[c][k];
        float tx = x + kChar;
        if (right) tx = x + kChar * static_cast<float>(chars[c] + 1 - s.size());
        text(header ? mono_bold : mono, kFont, tx, y - kFont - static_cast<float>(k) * kLine, s);
      }
      x += kChar * static_cast<float>(chars[c] + 2);
    }
    y -= h;
    HPDF_Page_SetLineWidth(page, header ? 0.8f : 0.2f);
    HPDF_Page_MoveTo(page, kMargin, y + 1);
    HPDF_Page_LineTo(page, x, y + 1);
    HPDF_Page_Stroke(page);
    return true;
  };
  std::vector<std::string> header;
  for (const auto& c : columns) header.push_back(c.name);
  if (!draw_row(header, true)) {
    new_page();
    draw_row(header, true);
  }
  for (const auto& row : rows) {
    if (!draw_row(row, false)) {
      new_page();
      draw_row(header, true);
      draw_row(row, false);
    }
  }
  if (y < kMargin + 20) new_page();
  text(plain, 9, kMargin, y - 14,
       fmt::format("Results: {} row{}", rows.size(), rows.size() == 1 ? "" : "s"));
  HPDF_SaveToStream(doc);
  if (status.error != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot write the PDF: libharu error 0x{:04X} (detail {})",
                            static_cast<unsigned>(status.error), status.detail));
  }
  HPDF_UINT32 size = HPDF_GetStreamSize(doc);
  std::string out(size, '\0');
  HPDF_UINT32 read = size;
  HPDF_ReadFromStream(doc, reinterpret_cast<HPDF_BYTE*>(out.data()), &read);
  out.resize(read);
  return out;
}

}  // namespace aishell
