#include "connectors/elasticsearch/elasticsearch_decoder.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/type_names.h"
#include "functions/cast.h"

namespace aishell {

namespace {

using simdjson::ondemand::json_type;

bool ParseInt64(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

// A Java DateTimeFormatter pattern of y, M, d, H, m, s, S and literals ('T' quoted or not).
std::optional<int64_t> ParsePattern(std::string_view text, std::string_view pattern) {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t frac_micros = 0;
  size_t t = 0;
  for (size_t p = 0; p < pattern.size();) {
    char c = pattern[p];
    if (c == '\'') {
      size_t close = pattern.find('\'', p + 1);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view lit = pattern.substr(p + 1, close - p - 1);
      if (text.substr(t, lit.size()) != lit) return std::nullopt;
      t += lit.size();
      p = close + 1;
      continue;
    }
    size_t run = 1;
    while (p + run < pattern.size() && pattern[p + run] == c) run++;
    if (std::string_view("yuMdHmsS").find(c) == std::string_view::npos) {
      for (size_t k = 0; k < run; k++) {
        if (t >= text.size() || text[t] != c) return std::nullopt;
        t++;
      }
      p += run;
      continue;
    }
    size_t digits = 0;
    int64_t value = 0;
    size_t max_digits = (c == 'y' || c == 'u') ? 9 : (c == 'S' ? run : std::max<size_t>(run, 2));
    while (t < text.size() && digits < max_digits && text[t] >= '0' && text[t] <= '9') {
      value = value * 10 + (text[t] - '0');
      t++;
      digits++;
    }
    if (digits == 0 || digits < (c == 'S' ? run : std::min<size_t>(run, 2))) return std::nullopt;
    switch (c) {
      case 'y':
      case 'u':
        year = static_cast<int>(value);
        break;
      case 'M':
        month = static_cast<int>(value);
        break;
      case 'd':
        day = static_cast<int>(value);
        break;
      case 'H':
        hour = static_cast<int>(value);
        break;
      case 'm':
        minute = static_cast<int>(value);
        break;
      case 's':
        second = static_cast<int>(value);
        break;
      case 'S': {
        int64_t micros = value;
        for (size_t k = digits; k < 6; k++) micros *= 10;
        for (size_t k = 6; k < digits; k++) micros /= 10;
        frac_micros = micros;
        break;
      }
    }
    p += run;
  }
  if (t != text.size() || !IsValidCivil(year, month, day) || hour > 23 || minute > 59 ||
      second > 59)
    return std::nullopt;
  int64_t days = DaysFromCivil(year, month, day);
  return (days * 86400 + hour * 3600 + minute * 60 + second) * 1000 + frac_micros / 1000;
}

}  // namespace

std::optional<int64_t> ParseEsDate(std::string_view text, bool is_number,
                                   const std::vector<std::string>& formats) {
  static const std::vector<std::string> kDefault = {"strict_date_optional_time", "epoch_millis"};
  const auto& list = formats.empty() ? kDefault : formats;
  for (const auto& f : list) {
    if (f == "epoch_millis" || f == "epoch_second") {
      int64_t n;
      double d;
      int64_t scale = f == "epoch_second" ? 1000 : 1;
      // Milliseconds a TIMESTAMP's microseconds can hold; past that the value is no date (and
      // the conversions below would overflow: found by es_search_fuzzer).
      constexpr int64_t kMaxMillis = std::numeric_limits<int64_t>::max() / 1000;
      if (ParseInt64(text, &n)) {
        if (n > kMaxMillis / scale || n < -kMaxMillis / scale) continue;
        return n * scale;
      }
      auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec == std::errc() && r.ptr == text.data() + text.size()) {
        double ms = std::floor(d * static_cast<double>(scale));
        if (!(ms >= static_cast<double>(-kMaxMillis) && ms <= static_cast<double>(kMaxMillis)))
          continue;  // out of range, or NaN
        return static_cast<int64_t>(ms);
      }
      continue;
    }
    if (is_number) continue;
    bool named =
        f.find_first_of("yMdHmsS") == std::string::npos || f.find('_') != std::string::npos;
    if (named) {
      // strict_date_optional_time, date_time, date, strict_date_hour_minute_second, ...: ISO.
      if (auto micros = ParseTimestamp(text, true)) return *micros / 1000 - (*micros % 1000 < 0);
      if (auto days = ParseDate(text)) return static_cast<int64_t>(*days) * 86400000;
      continue;
    }
    if (auto ms = ParsePattern(text, f)) return ms;
  }
  // A number where the formats name none: Elasticsearch reads it as epoch milliseconds.
  int64_t n;
  constexpr int64_t kMaxMillis = std::numeric_limits<int64_t>::max() / 1000;
  if (is_number && ParseInt64(text, &n) && n <= kMaxMillis && n >= -kMaxMillis) return n;
  return std::nullopt;
}

struct EsDecoder::Impl {
  std::shared_ptr<const EsTable> table;
  std::vector<int> projection;
  std::vector<LogicalType> types;
  std::string where;
  simdjson::ondemand::parser parser;
  // Output column of each top-level field name (-1: not projected), and of _id, _score, _source.
  std::vector<std::pair<std::string, int>> top;
  int id_out = -1, score_out = -1, source_out = -1;
  bool need_source = false;
  std::string current_id;  // for messages

  [[noreturn]] void Mismatch(const std::string& path, const LogicalType& type,
                             std::string_view value, const std::string& detail = {}) {
    std::string shown(value.substr(0, 60));
    throw Error(ErrorKind::kConversion, where + ": index '" + table->index + "', document _id " +
                                            current_id + ", field '" + path + "': value " + shown +
                                            " does not fit the column type " + TrinoTypeName(type) +
                                            (detail.empty() ? "" : " (" + detail + ")"));
  }

  void DecodeValue(simdjson::ondemand::value value, const EsField& f, const LogicalType& type,
                   Vector& v, size_t row) {
    json_type jt;
    if (value.type().get(jt)) Mismatch(f.path, type, "?", "malformed JSON");
    if (jt == json_type::null) {
      v.SetNull(row);
      return;
    }
    if (type.id == TypeId::kArray) {
      Vector& elements = v.Child(0);
      size_t base = elements.size();
      uint32_t count = 0;
      if (jt == json_type::array) {
        simdjson::ondemand::array arr = value.get_array();
        for (auto item : arr) {
          elements.Resize(base + count + 1);
          DecodeValue(item.value(), f, type.ElementType(), elements, base + count);
          count++;
        }
      } else {
        // One value where the column is an array: an array of one.
        elements.Resize(base + 1);
        DecodeValue(value, f, type.ElementType(), elements, base);
        count = 1;
      }
      v.Data<ArrayEntry>()[row] = ArrayEntry{static_cast<uint32_t>(base), count};
      v.SetNull(row, false);
      return;
    }
    if (jt == json_type::array) {
      // An array in a scalar column: empty is NULL, one element is that element.
      simdjson::ondemand::array arr = value.get_array();
      std::string_view raw;
      if (arr.raw_json().get(raw)) raw = "[...]";
      arr.reset();
      size_t n = 0;
      for (auto item : arr) {
        if (n++ == 0) {
          DecodeValue(item.value(), f, type, v, row);
        } else {
          Mismatch(f.path, type, raw,
                   "the field holds an array: connect with --property array." + table->index + "." +
                       f.path + "=true to read it as ARRAY");
        }
      }
      if (n == 0) v.SetNull(row);
      return;
    }
    switch (type.id) {
      case TypeId::kRow: {
        if (jt != json_type::object)
          Mismatch(f.path, type, value.raw_json_token(), "not an object");
        size_t index = v.Child(0).size();
        for (size_t c = 0; c < f.children.size(); c++) {
          v.Child(c).Resize(index + 1);
          v.Child(c).SetNull(index);
        }
        simdjson::ondemand::object obj = value.get_object();
        for (auto field : obj) {
          std::string_view key = field.unescaped_key();
          for (size_t c = 0; c < f.children.size(); c++) {
            if (f.children[c].name == key) {
              DecodeValue(field.value(), f.children[c], type.Children()[c], v.Child(c), index);
              break;
            }
          }
        }
        v.Data<uint32_t>()[row] = static_cast<uint32_t>(index);
        v.SetNull(row, false);
        return;
      }
      case TypeId::kJson: {
        std::string_view raw;
        if (jt == json_type::object) {
          simdjson::ondemand::object obj = value.get_object();
          raw = obj.raw_json();
        } else {
          raw = value.raw_json_token();
        }
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r'))
          raw.remove_suffix(1);
        v.SetString(row, raw);
        v.SetNull(row, false);
        return;
      }
      case TypeId::kVarchar: {
        if (jt == json_type::string) {
          v.SetString(row, std::string_view(value.get_string()));
        } else if (jt == json_type::object) {
          Mismatch(f.path, type, "{...}", "an object");
        } else {
          std::string_view raw = value.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n')) raw.remove_suffix(1);
          v.SetString(row, raw);  // a number or boolean in a keyword field: its text
        }
        v.SetNull(row, false);
        return;
      }
      case TypeId::kBoolean: {
        bool b;
        if (jt == json_type::boolean) {
          b = value.get_bool();
        } else if (jt == json_type::string) {
          std::string_view s = value.get_string();
          if (s == "true") {
            b = true;
          } else if (s == "false" || s.empty()) {
            b = false;
          } else {
            Mismatch(f.path, type, s);
          }
        } else {
          Mismatch(f.path, type, value.raw_json_token());
        }
        v.Data<uint8_t>()[row] = b ? 1 : 0;
        v.SetNull(row, false);
        return;
      }
      case TypeId::kTinyInt:
      case TypeId::kSmallInt:
      case TypeId::kInteger:
      case TypeId::kBigInt: {
        int64_t n = 0;
        bool ok = false;
        if (jt == json_type::number) {
          if (!value.get_int64().get(n)) {
            ok = true;
          } else {
            double d;
            // 5.0 in a long field: Elasticsearch keeps it; it is the integer 5.
            if (!value.get_double().get(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
              n = static_cast<int64_t>(d);
              ok = true;
            }
          }
        } else if (jt == json_type::string) {
          ok = ParseInt64(value.get_string().value(), &n);
        }
        int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
        if (type.id == TypeId::kTinyInt) lo = -128, hi = 127;
        if (type.id == TypeId::kSmallInt) lo = -32768, hi = 32767;
        if (type.id == TypeId::kInteger) lo = INT32_MIN, hi = INT32_MAX;
        if (!ok || n < lo || n > hi) Mismatch(f.path, type, value.raw_json_token());
        if (type.id == TypeId::kTinyInt) v.Data<int8_t>()[row] = static_cast<int8_t>(n);
        if (type.id == TypeId::kSmallInt) v.Data<int16_t>()[row] = static_cast<int16_t>(n);
        if (type.id == TypeId::kInteger) v.Data<int32_t>()[row] = static_cast<int32_t>(n);
        if (type.id == TypeId::kBigInt) v.Data<int64_t>()[row] = n;
        v.SetNull(row, false);
        return;
      }
      case TypeId::kReal:
      case TypeId::kDouble: {
        double d = 0;
        bool ok = false;
        if (jt == json_type::number) {
          ok = !value.get_double().get(d);
        } else if (jt == json_type::string) {
          std::string_view s = value.get_string();
          auto r = std::from_chars(s.data(), s.data() + s.size(), d);
          ok = r.ec == std::errc() && r.ptr == s.data() + s.size();
        }
        if (!ok) Mismatch(f.path, type, value.raw_json_token());
        if (type.id == TypeId::kReal) {
          v.Data<float>()[row] = static_cast<float>(d);
        } else {
          v.Data<double>()[row] = d;
        }
        v.SetNull(row, false);
        return;
      }
      case TypeId::kDecimal: {
        std::string_view text;
        if (jt == json_type::string) {
          text = value.get_string();
        } else {
          text = value.raw_json_token();
        }
        while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
        Int128 unscaled;
        if (!ParseDecimal128(text, type.precision, type.scale, &unscaled))
          Mismatch(f.path, type, text);
        if (type.IsLongDecimal()) {
          v.Data<Int128>()[row] = unscaled;
        } else {
          v.Data<int64_t>()[row] = static_cast<int64_t>(unscaled);
        }
        v.SetNull(row, false);
        return;
      }
      case TypeId::kTimestampTz:
      case TypeId::kTimestamp: {
        std::string_view text;
        bool is_number = jt == json_type::number;
        if (jt == json_type::string) {
          text = value.get_string();
        } else if (is_number) {
          text = value.raw_json_token();
          while (!text.empty() && (text.back() == ' ' || text.back() == '\n'))
            text.remove_suffix(1);
        } else {
          Mismatch(f.path, type, value.raw_json_token());
        }
        auto ms = ParseEsDate(text, is_number, f.formats);
        if (!ms) {
          std::string formats;
          for (const auto& fmt : f.formats) formats += (formats.empty() ? "" : "||") + fmt;
          Mismatch(f.path, type, text,
                   "not a date in the mapping's format " +
                       (formats.empty() ? std::string("strict_date_optional_time||epoch_millis")
                                        : formats));
        }
        v.Data<int64_t>()[row] = *ms * 1000;
        v.SetNull(row, false);
        return;
      }
      default:
        Mismatch(f.path, type, value.raw_json_token(), "no mapping for this type");
    }
  }
};

EsDecoder::EsDecoder(std::shared_ptr<const EsTable> table, std::vector<int> projection,
                     std::string where)
    : impl_(std::make_shared<Impl>()) {
  impl_->table = std::move(table);
  impl_->projection = std::move(projection);
  impl_->where = std::move(where);
  for (size_t out = 0; out < impl_->projection.size(); out++) {
    int c = impl_->projection[out];
    const EsColumn& col = impl_->table->columns.at(c);
    impl_->types.push_back(impl_->table->info->columns.at(c).type);
    switch (col.kind) {
      case EsColumnKind::kField:
        impl_->top.emplace_back(col.field->name, static_cast<int>(out));
        impl_->need_source = true;
        break;
      case EsColumnKind::kId:
        impl_->id_out = static_cast<int>(out);
        break;
      case EsColumnKind::kScore:
        impl_->score_out = static_cast<int>(out);
        break;
      case EsColumnKind::kSource:
        impl_->source_out = static_cast<int>(out);
        impl_->need_source = true;
        break;
    }
  }
}

EsPage EsDecoder::DecodeSearch(std::string& body, std::vector<Batch>* out) {
  Impl& m = *impl_;
  EsPage page;
  simdjson::padded_string_view json(body.data(), body.size(), body.capacity());
  simdjson::ondemand::document doc;
  auto malformed = [&](simdjson::error_code e) {
    throw Error(ErrorKind::kConnector, m.where + ": index '" + m.table->index +
                                           "': the search response is not valid JSON (" +
                                           simdjson::error_message(e) + ")");
  };
  if (auto e = m.parser.iterate(json).get(doc)) malformed(e);
  Batch* batch = nullptr;
  size_t row = 0;
  try {
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      if (key == "pit_id") {
        page.pit_id = std::string(field.value().get_string().value());
      } else if (key == "_scroll_id") {
        page.scroll_id = std::string(field.value().get_string().value());
      } else if (key == "hits") {
        simdjson::ondemand::object hits_obj = field.value().get_object();
        for (auto hf : hits_obj) {
          std::string_view hk = hf.unescaped_key();
          if (hk != "hits") continue;
          for (auto hit_value : hf.value().get_array()) {
            simdjson::ondemand::object hit = hit_value.get_object();
            if (!batch || row == kBatchSize) {
              if (batch) batch->SetCount(row);
              out->emplace_back(m.types, kBatchSize);
              batch = &out->back();
              row = 0;
            }
            for (auto& column : batch->columns) {
              column.Resize(row + 1);
              column.SetNull(row);
            }
            m.current_id = "?";
            for (auto hfield : hit) {
              std::string_view name = hfield.unescaped_key();
              if (name == "_id") {
                std::string_view id = hfield.value().get_string();
                m.current_id = std::string(id);
                if (m.id_out >= 0) {
                  batch->columns[m.id_out].SetString(row, id);
                  batch->columns[m.id_out].SetNull(row, false);
                }
              } else if (name == "_score") {
                if (m.score_out >= 0) {
                  double score;
                  if (!hfield.value().get_double().get(score)) {
                    batch->columns[m.score_out].Data<float>()[row] = static_cast<float>(score);
                    batch->columns[m.score_out].SetNull(row, false);
                  }
                }
              } else if (name == "_source") {
                simdjson::ondemand::object source = hfield.value().get_object();
                if (m.source_out >= 0) {
                  std::string_view raw = source.raw_json();
                  batch->columns[m.source_out].SetString(row, raw);
                  batch->columns[m.source_out].SetNull(row, false);
                  source.reset();
                }
                for (auto sf : source) {
                  std::string_view sk = sf.unescaped_key();
                  for (const auto& [top_name, output] : m.top) {
                    if (top_name != sk) continue;
                    const EsField& f = *m.table->columns[m.projection[output]].field;
                    m.DecodeValue(sf.value(), f, m.types[output], batch->columns[output], row);
                    break;
                  }
                }
              } else if (name == "sort") {
                simdjson::ondemand::array sort = hfield.value().get_array();
                page.last_sort = std::string(std::string_view(sort.raw_json()));
              }
            }
            row++;
            page.hits++;
          }
        }
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    malformed(e.error());
  }
  if (batch) batch->SetCount(row);
  return page;
}

}  // namespace aishell
