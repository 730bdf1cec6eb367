// CSV writing for the file catalog (CREATE TABLE AS / INSERT): header plus rows, RFC 4180 quoting.
// An empty string is written quoted ("") so that it reads back as '' and not as NULL.
#include <fmt/format.h>

#include <iterator>

#include "common/date_time.h"
#include "formats/csv/csv_reader.h"

namespace aishell {

namespace {

void AppendQuoted(std::string_view s, char delimiter, std::string* out) {
  bool needs = s.empty();
  for (char c : s) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      needs = true;
      break;
    }
  }
  if (!needs && (s.front() == ' ' || s.back() == ' ')) needs = true;
  if (!needs) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

std::string CsvFormat::FileHeader(const std::vector<ColumnInfo>& columns) const {
  std::string out;
  for (size_t c = 0; c < columns.size(); c++) {
    if (c) out.push_back(write_delimiter_);
    AppendQuoted(columns[c].name, write_delimiter_, &out);
  }
  out.push_back('\n');
  return out;
}

void CsvFormat::AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                           std::string* out) const {
  CheckBatchColumns(batch, columns, "csv writer");
  std::vector<UnifiedView> views;
  for (const auto& col : batch.columns) views.push_back(col.View());
  auto it = std::back_inserter(*out);
  for (size_t r = 0; r < batch.count; r++) {
    for (size_t c = 0; c < columns.size(); c++) {
      if (c) out->push_back(write_delimiter_);
      const UnifiedView& v = views[c];
      if (!v.IsValid(r)) continue;  // NULL: empty unquoted field
      const LogicalType& type = batch.columns[c].type();
      if (AppendPlainScalar(v, r, type, out)) continue;
      switch (type.id) {
        case TypeId::kDouble:
          fmt::format_to(it, "{}", v.Get<double>(r));
          break;
        case TypeId::kVarchar:
          AppendQuoted(v.Get<std::string_view>(r), write_delimiter_, out);
          break;
        case TypeId::kDate:
          out->append(FormatDate(v.Get<int32_t>(r)));
          break;
        case TypeId::kTimestamp:
          out->append(FormatTimestamp(v.Get<int64_t>(r)));
          break;
        default:
          AppendQuoted(batch.columns[c].GetValue(r).ToString(), write_delimiter_, out);
          break;
      }
    }
    out->push_back('\n');
  }
}

}  // namespace aishell
