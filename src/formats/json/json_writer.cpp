// JSON Lines writing for the file catalog: one object per row, NULL as null.
#include <fmt/format.h>

#include <cmath>

#include "common/date_time.h"
#include "common/json_text.h"
#include "formats/json/json_reader.h"

namespace aishell {

void JsonFormat::AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                            std::string* out) const {
  CheckBatchColumns(batch, columns, "json writer");
  std::vector<std::string> keys;
  for (const auto& col : columns) {
    std::string k;
    AppendJsonString(col.name, &k);
    keys.push_back(k + ":");
  }
  std::vector<UnifiedView> views;
  for (const auto& col : batch.columns) views.push_back(col.View());
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
      if (AppendPlainScalar(v, r, type, out)) continue;
      switch (type.id) {
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
        case TypeId::kVarchar:
          AppendJsonString(v.Get<std::string_view>(r), out);
          break;
        case TypeId::kJson:  // the value itself
          out->append(v.Get<std::string_view>(r));
          break;
        case TypeId::kVarbinary:  // base64, as Trino's JSON encodes VARBINARY
          AppendJsonString(Base64(v.Get<std::string_view>(r)), out);
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
