// JSON Lines writing for the file catalog: one object per row, NULL as null.
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "formats/json/json_reader.h"

namespace aishell {

void JsonFormat::AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                            std::string* out) const {
  if (batch.ColumnCount() != columns.size()) {
    throw Error(ErrorKind::kInternal, "json writer: batch has " +
                                          std::to_string(batch.ColumnCount()) +
                                          " columns, table has " + std::to_string(columns.size()));
  }
  std::vector<std::string> keys;
  for (const auto& col : columns) {
    std::string k;
    AppendJsonString(col.name, &k);
    keys.push_back(k + ":");
  }
  std::vector<UnifiedView> views;
  for (const auto& col : batch.columns) views.push_back(col.View());
  auto it = std::back_inserter(*out);
  for (size_t r = 0; r < batch.count; r++) {
    out->push_back('{');
    for (size_t c = 0; c < columns.size(); c++) {
      if (c) out->push_back(',');
      out->append(keys[c]);
      const UnifiedView& v = views[c];
      if (!v.IsValid(r)) {
        out->append("null");
        continue;
      }
      const LogicalType& type = batch.columns[c].type();
      switch (type.id) {
        case TypeId::kBoolean:
          out->append(v.Get<uint8_t>(r) ? "true" : "false");
          break;
        case TypeId::kInteger:
          fmt::format_to(it, "{}", v.Get<int32_t>(r));
          break;
        case TypeId::kBigInt:
          fmt::format_to(it, "{}", v.Get<int64_t>(r));
          break;
        case TypeId::kDouble: {
          double d = v.Get<double>(r);
          if (std::isfinite(d)) {
            std::string s = fmt::format("{}", d);
            // Keep it a double on re-read: 1 -> 1.0.
            if (s.find_first_of(".eE") == std::string::npos) s += ".0";
            out->append(s);
          } else {
            AppendJsonString(fmt::format("{}", d), out);
          }
          break;
        }
        case TypeId::kDecimal:
          out->append(FormatDecimal(v.Get<int64_t>(r), type.scale));
          break;
        case TypeId::kVarchar:
          AppendJsonString(v.Get<std::string_view>(r), out);
          break;
        case TypeId::kDate:
          AppendJsonString(FormatDate(v.Get<int32_t>(r)), out);
          break;
        case TypeId::kTimestamp:
          AppendJsonString(FormatTimestamp(v.Get<int64_t>(r)), out);
          break;
        default:
          AppendJsonString(batch.columns[c].GetValue(r).ToString(), out);
          break;
      }
    }
    out->append("}\n");
  }
}

}  // namespace aishell
