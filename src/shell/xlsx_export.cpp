// `aishell export last --format xlsx`: an Office Open XML workbook written by hand. An .xlsx file
// is a zip archive of XML parts; the parts here are the smallest set Excel, LibreOffice and
// openpyxl open: the content types, the package and workbook relationships, the workbook, a
// stylesheet (bold header), the "Result" sheet (numbers and booleans as typed cells, text as
// inline strings, NULL as an empty cell, the header row frozen) and a "Query" sheet (the query
// and when it ran). The zip is deflated with zlib (already linked for Parquet).
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/exception.h"
#include "engine/result_format.h"
#include "shell/report_export.h"

namespace aishell {

namespace {

void Put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}

std::string Deflate(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorKind::kIo, "xlsx: zlib's deflate would not start");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error(ErrorKind::kIo, "xlsx: zlib's deflate failed");
  return out;
}

// A zip archive (PKWARE APPNOTE: local headers, the central directory, its end record), every
// entry deflated, sizes known up front (no data descriptors), no zip64: at most 4 GB.
class ZipWriter {
 public:
  void Add(const std::string& name, const std::string& data) {
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    std::string packed = Deflate(data);
    if (out_.size() + packed.size() + name.size() + 30 > 0xfffffff0ull ||
        data.size() > 0xfffffff0ull)
      throw Error(ErrorKind::kIo, "xlsx: the workbook would pass 4 GB; export csv or parquet");
    uint32_t offset = static_cast<uint32_t>(out_.size());
    // 2026-01-01 00:00 in MS-DOS date/time: reproducible bytes for the same result.
    const uint32_t dos_time = 0, dos_date = ((2026 - 1980) << 9) | (1 << 5) | 1;
    Put32(out_, 0x04034b50);
    Put16(out_, 20);
    Put16(out_, 0x0800);  // names in UTF-8
    Put16(out_, 8);       // deflate
    Put16(out_, dos_time);
    Put16(out_, dos_date);
    Put32(out_, crc);
    Put32(out_, static_cast<uint32_t>(packed.size()));
    Put32(out_, static_cast<uint32_t>(data.size()));
    Put16(out_, static_cast<uint32_t>(name.size()));
    Put16(out_, 0);
    out_ += name;
    out_ += packed;
    Put32(central_, 0x02014b50);
    Put16(central_, 20);
    Put16(central_, 20);
    Put16(central_, 0x0800);
    Put16(central_, 8);
    Put16(central_, dos_time);
    Put16(central_, dos_date);
    Put32(central_, crc);
    Put32(central_, static_cast<uint32_t>(packed.size()));
    Put32(central_, static_cast<uint32_t>(data.size()));
    Put16(central_, static_cast<uint32_t>(name.size()));
    Put16(central_, 0);  // extra
    Put16(central_, 0);  // comment
    Put16(central_, 0);  // disk
    Put16(central_, 0);  // internal attributes
    Put32(central_, 0);  // external attributes
    Put32(central_, offset);
    central_ += name;
    entries_++;
  }
  std::string Finish() {
    uint32_t offset = static_cast<uint32_t>(out_.size());
    std::string out = out_ + central_;
    Put32(out, 0x06054b50);
    Put16(out, 0);
    Put16(out, 0);
    Put16(out, entries_);
    Put16(out, entries_);
    Put32(out, static_cast<uint32_t>(central_.size()));
    Put32(out, offset);
    Put16(out, 0);
    return out;
  }

 private:
  std::string out_, central_;
  uint32_t entries_ = 0;
};

// Text for an XML element or attribute; characters XML 1.0 forbids (controls other than tab,
// newline, carriage return) are dropped.
std::string Xml(const std::string& s) {
  std::string kept;
  kept.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 || c == '\t' || c == '\n' || c == '\r') kept += c;
  }
  return HtmlEscape(kept);
}

std::string ColumnName(size_t index) {
  std::string name;
  size_t n = index + 1;
  while (n > 0) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
    n = (n - 1) / 26;
  }
  return name;
}

bool IsNumber(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

std::string InlineString(const std::string& ref, const std::string& text, int style) {
  return "<c r=\"" + ref + "\" t=\"inlineStr\"" +
         (style ? " s=\"" + std::to_string(style) + "\"" : std::string()) + "><is><t" +
         (text.empty() || text.front() == ' ' || text.back() == ' ' ? " xml:space=\"preserve\""
                                                                    : "") +
         ">" + Xml(text) + "</t></is></c>";
}

std::string Sheet(const std::string& rows, const std::string& cols, bool freeze_header) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" +
         std::string(freeze_header
                         ? "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" "
                           "topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
                           "</sheetView></sheetViews>"
                         : "") +
         (cols.empty() ? "" : "<cols>" + cols + "</cols>") + "<sheetData>" + rows +
         "</sheetData></worksheet>";
}

}  // namespace

std::string ResultToXlsx(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                         const std::vector<Batch>& batches) {
  constexpr int64_t kMaxRows = 1048576;  // Excel's sheet limit, the header included
  constexpr size_t kMaxColumns = 16384;
  int64_t total = 0;
  for (const auto& b : batches) total += static_cast<int64_t>(b.count);
  if (total + 1 > kMaxRows)
    throw Error(ErrorKind::kIo,
                "xlsx: a sheet holds at most 1,048,575 rows under its header; "
                "the result has " +
                    std::to_string(total) + " (export csv or parquet instead)");
  if (columns.size() > kMaxColumns)
    throw Error(ErrorKind::kIo, "xlsx: a sheet holds at most 16,384 columns; the result has " +
                                    std::to_string(columns.size()));
  std::vector<size_t> widths(columns.size(), 8);
  std::string rows = "<row r=\"1\">";
  for (size_t c = 0; c < columns.size(); c++) {
    rows += InlineString(ColumnName(c) + "1", columns[c].name, 1);
    widths[c] = std::max(widths[c], columns[c].name.size() + 2);
  }
  rows += "</row>";
  int64_t r = 1;
  for (const auto& b : batches) {
    for (size_t i = 0; i < b.count; i++) {
      r++;
      std::string row = "<row r=\"" + std::to_string(r) + "\">";
      for (size_t c = 0; c < b.columns.size() && c < columns.size(); c++) {
        const Vector& v = b.columns[c];
        if (!v.View().IsValid(i)) continue;  // NULL: no cell
        std::string ref = ColumnName(c) + std::to_string(r);
        std::string text = CellText(v, i);
        TypeId id = v.type().id;
        if (IsNumber(id)) {
          double d = std::strtod(text.c_str(), nullptr);
          if (std::isfinite(d) && text.find_first_not_of("0123456789+-.eE") == std::string::npos) {
            row += "<c r=\"" + ref + "\"><v>" + text + "</v></c>";
            widths[c] = std::max(widths[c], text.size() + 2);
            continue;
          }
        } else if (id == TypeId::kBoolean) {
          row += "<c r=\"" + ref + "\" t=\"b\"><v>" + (text == "true" ? "1" : "0") + "</v></c>";
          continue;
        }
        row += InlineString(ref, text, 0);
        widths[c] = std::max(widths[c], std::min<size_t>(text.size() + 2, 60));
      }
      rows += row + "</row>";
    }
  }
  std::string cols;
  for (size_t c = 0; c < widths.size(); c++)
    cols += "<col min=\"" + std::to_string(c + 1) + "\" max=\"" + std::to_string(c + 1) +
            "\" width=\"" + std::to_string(std::min<size_t>(widths[c], 60)) +
            "\" customWidth=\"1\"/>";
  std::string about = "<row r=\"1\">" + InlineString("A1", "Query", 1) +
                      InlineString("B1", info.query, 0) + "</row><row r=\"2\">" +
                      InlineString("A2", "Rows", 1) + "<c r=\"B2\"><v>" + std::to_string(total) +
                      "</v></c></row><row r=\"3\">" + InlineString("A3", "Generated", 1) +
                      InlineString("B3", info.generated, 0) + "</row>";

  const std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  ZipWriter zip;
  zip.Add("[Content_Types].xml",
          xml +
              "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
              "<Default Extension=\"rels\" "
              "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
              "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
              "<Override PartName=\"/xl/workbook.xml\" "
              "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
              "main+xml\"/>"
              "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
              "ContentType=\"application/"
              "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
              "<Override PartName=\"/xl/worksheets/sheet2.xml\" "
              "ContentType=\"application/"
              "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
              "<Override PartName=\"/xl/styles.xml\" "
              "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+"
              "xml\"/></Types>");
  zip.Add("_rels/.rels", xml +
                             "<Relationships "
                             "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                             "relationships\"><Relationship Id=\"rId1\" Type=\"" +
                             rel +
                             "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  zip.Add("xl/workbook.xml",
          xml +
              "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
              "xmlns:r=\"" +
              rel +
              "\"><sheets><sheet name=\"Result\" sheetId=\"1\" r:id=\"rId1\"/>"
              "<sheet name=\"Query\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>");
  zip.Add(
      "xl/_rels/workbook.xml.rels",
      xml +
          "<Relationships "
          "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
          "<Relationship Id=\"rId1\" Type=\"" +
          rel + "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" +
          rel + "/worksheet\" Target=\"worksheets/sheet2.xml\"/><Relationship Id=\"rId3\" Type=\"" +
          rel + "/styles\" Target=\"styles.xml\"/></Relationships>");
  zip.Add("xl/styles.xml",
          xml +
              "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
              "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font>"
              "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
              "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
              "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
              "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border>"
              "</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
              "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" "
              "fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" "
              "fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
              "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
              "</cellStyles></styleSheet>");
  zip.Add("xl/worksheets/sheet1.xml", Sheet(rows, cols, true));
  zip.Add("xl/worksheets/sheet2.xml",
          Sheet(about, "<col min=\"1\" max=\"1\" width=\"12\" customWidth=\"1\"/>", false));
  return zip.Finish();
}

}  // namespace aishell
