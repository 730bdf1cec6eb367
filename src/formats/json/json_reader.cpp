#include "formats/json/json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "catalog/emit_batch.h"
#include "common/exception.h"
#include "common/strings.h"
#include "formats/csv/csv_reader.h"
#include "formats/file_scan.h"
#include "formats/value_parser.h"
#include "storage/mapped_file.h"

namespace aishell {

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeyMap = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

bool IsBlank(const char* p, const char* e) {
  for (; p < e; p++) {
    if (*p != ' ' && *p != '\t' && *p != '\r') return false;
  }
  return true;
}

// Iterates the lines of [data+begin, data+size): calls fn(line_start, line_end) for non-blank lines
// whose start is < end; stops when fn returns false.
template <class Fn>
size_t ForEachLine(const char* data, size_t size, size_t begin, size_t end, Fn fn) {
  size_t pos = begin;
  if (pos == 0 && size >= 3 && static_cast<uint8_t>(data[0]) == 0xEF &&
      static_cast<uint8_t>(data[1]) == 0xBB && static_cast<uint8_t>(data[2]) == 0xBF) {
    pos = 3;  // UTF-8 byte order mark
  }
  while (pos < size && pos < end) {
    const void* nl = std::memchr(data + pos, '\n', size - pos);
    size_t line_end = nl ? static_cast<const char*>(nl) - data : size;
    if (!IsBlank(data + pos, data + line_end)) {
      if (!fn(pos, line_end)) return line_end + 1;
    }
    pos = line_end + 1;
  }
  return pos;
}

[[noreturn]] void ThrowMalformed(const std::string& fn, const std::string& path, const char* data,
                                 size_t offset, const std::string& what) {
  throw Error(ErrorKind::kIo, fn + ": " + path + " line " +
                                  std::to_string(CsvLineAt(data, offset)) +
                                  ": malformed JSON: " + what);
}

struct KeyTypes {
  bool boolean = false, integer = false, dbl = false, string = false, nested = false;
  bool all_dates = true, all_timestamps = true;
  LogicalType Result() const {
    int kinds = boolean + (integer || dbl) + string + nested;
    if (kinds == 0) return TypeId::kVarchar;
    if (kinds > 1 || nested) return TypeId::kVarchar;
    if (boolean) return TypeId::kBoolean;
    if (dbl) return TypeId::kDouble;
    if (integer) return TypeId::kBigInt;
    if (all_dates) return TypeId::kDate;
    if (all_timestamps) return TypeId::kTimestamp;
    return TypeId::kVarchar;
  }
};

struct JsonTableState {
  std::string fn;
  std::vector<std::string> files;
  std::vector<ColumnInfo> columns;
  std::shared_ptr<TableInfo> info;
  int64_t sample_rows = 0;
};

using JsonSplit = ByteRangeSplit;

class JsonDataSource : public DataSource {
 public:
  JsonDataSource(std::shared_ptr<const JsonTableState> state, std::shared_ptr<JsonSplit> split,
                 std::vector<int> projection, std::shared_ptr<std::atomic<int64_t>> remaining,
                 ScanCounters* counters)
      : state_(std::move(state)),
        split_(std::move(split)),
        projection_(std::move(projection)),
        remaining_(std::move(remaining)),
        counters_(counters) {
    for (size_t j = 0; j < projection_.size(); j++) {
      types_.push_back(state_->columns[projection_[j]].type);
      keys_[state_->columns[projection_[j]].name] = static_cast<int>(j);
    }
    seen_.resize(projection_.size());
  }

  bool Next(Batch& out) override {
    if (done_) return false;
    if (!file_) {
      file_ = std::make_unique<MappedFile>(split_->path, state_->fn);
      const char* data = file_->data();
      size_t size = file_->size();
      if (split_->begin > 0) {
        size_t from = split_->begin - 1;
        const void* nl = from < size ? std::memchr(data + from, '\n', size - from) : nullptr;
        pos_ = nl ? static_cast<const char*>(nl) - data + 1 : size;
      } else {
        pos_ = 0;
      }
      end_ = std::min(split_->end, size);
    }
    Batch batch(types_, kBatchSize);
    size_t rows = 0;
    size_t start = pos_;
    const char* data = file_->data();
    pos_ = ForEachLine(data, file_->size(), pos_, end_, [&](size_t b, size_t e) {
      ParseRow(batch, rows, b, e);
      rows++;
      return rows < kBatchSize;
    });
    if (pos_ >= end_ || pos_ >= file_->size()) done_ = true;
    counters_->bytes_read += static_cast<int64_t>(std::min(pos_, file_->size()) - start);
    if (remaining_ && !TakeFromRowBudget(*remaining_, rows, done_)) return false;
    return EmitBatch(batch, rows, *counters_, out);
  }

 private:
  void ParseRow(Batch& batch, size_t r, size_t b, size_t e) {
    const char* data = file_->data();
    simdjson::dom::element doc;
    auto err = parser_.parse(data + b, e - b, true).get(doc);
    if (err) ThrowMalformed(state_->fn, file_->path(), data, b, simdjson::error_message(err));
    simdjson::dom::object obj;
    if (doc.get_object().get(obj))
      ThrowMalformed(state_->fn, file_->path(), data, b, "the line is not a JSON object");
    std::fill(seen_.begin(), seen_.end(), false);
    for (auto field : obj) {
      auto it = keys_.find(field.key);
      if (it == keys_.end()) continue;
      int j = it->second;
      seen_[j] = true;
      Store(batch.columns[j], j, r, field.value, b);
    }
    for (size_t j = 0; j < seen_.size(); j++) {
      if (!seen_[j]) batch.columns[j].SetNull(r);
    }
  }

  [[noreturn]] void ThrowConversion(size_t j, size_t offset, simdjson::dom::element value) const {
    const auto& col = state_->columns[projection_[j]];
    std::string text = simdjson::minify(value);
    if (text.size() > 60) text = text.substr(0, 60) + "...";
    throw Error(ErrorKind::kConversion,
                state_->fn + ": " + file_->path() + " line " +
                    std::to_string(CsvLineAt(file_->data(), offset)) + ", key '" + col.name +
                    "': cannot read " + text + " as " + col.type.ToString() +
                    " (the type was inferred from the first " +
                    std::to_string(state_->sample_rows) + " lines; pass types => '" + col.name +
                    " VARCHAR' to read it as text)");
  }

  void Store(Vector& v, size_t j, size_t r, simdjson::dom::element value, size_t offset) {
    using simdjson::dom::element_type;
    element_type t = value.type();
    if (t == element_type::NULL_VALUE) {
      v.SetNull(r);
      return;
    }
    const LogicalType& type = types_[j];
    switch (type.id) {
      case TypeId::kBigInt: {
        int64_t x;
        if (t == element_type::INT64) {
          x = value.get_int64().value_unsafe();
        } else if (t == element_type::DOUBLE) {
          double d = value.get_double().value_unsafe();
          // The range first: converting a double past int64 is undefined behaviour.
          if (!(d >= -9.2e18 && d <= 9.2e18) || d != static_cast<double>(static_cast<int64_t>(d)))
            ThrowConversion(j, offset, value);
          x = static_cast<int64_t>(d);
        } else {
          ThrowConversion(j, offset, value);
        }
        v.Data<int64_t>()[r] = x;
        return;
      }
      case TypeId::kInteger: {
        if (t != element_type::INT64) ThrowConversion(j, offset, value);
        int64_t x = value.get_int64().value_unsafe();
        if (x < INT32_MIN || x > INT32_MAX) ThrowConversion(j, offset, value);
        v.Data<int32_t>()[r] = static_cast<int32_t>(x);
        return;
      }
      case TypeId::kDouble: {
        double d;
        if (t == element_type::INT64)
          d = static_cast<double>(value.get_int64().value_unsafe());
        else if (t == element_type::UINT64)
          d = static_cast<double>(value.get_uint64().value_unsafe());
        else if (t == element_type::DOUBLE)
          d = value.get_double().value_unsafe();
        else
          ThrowConversion(j, offset, value);
        v.Data<double>()[r] = d;
        return;
      }
      case TypeId::kBoolean: {
        if (t != element_type::BOOL) ThrowConversion(j, offset, value);
        v.Data<uint8_t>()[r] = value.get_bool().value_unsafe() ? 1 : 0;
        return;
      }
      case TypeId::kVarchar: {
        if (t == element_type::STRING) {
          v.SetString(r, value.get_string().value_unsafe());
        } else {
          v.SetString(r, simdjson::minify(value));
        }
        return;
      }
      case TypeId::kJson:
        v.SetString(r, simdjson::minify(value));
        return;
      default: {
        // DATE, TIMESTAMP, DECIMAL: from a string, or from a number's text.
        std::string text;
        std::string_view sv;
        if (t == element_type::STRING) {
          sv = value.get_string().value_unsafe();
        } else if (t == element_type::INT64 || t == element_type::UINT64 ||
                   t == element_type::DOUBLE) {
          if (type.id != TypeId::kDecimal && !type.IsIntegral() && !type.IsFloating())
            ThrowConversion(j, offset, value);
          text = simdjson::minify(value);
          sv = text;
        } else {
          ThrowConversion(j, offset, value);
        }
        alignas(16) char slot[16];
        if (!ParseTypedText(sv, type, slot)) ThrowConversion(j, offset, value);
        std::memcpy(v.RawData() + r * type.PhysicalSize(), slot, type.PhysicalSize());
        return;
      }
    }
  }

  std::shared_ptr<const JsonTableState> state_;
  std::shared_ptr<JsonSplit> split_;
  std::vector<int> projection_;
  std::vector<LogicalType> types_;
  KeyMap keys_;
  std::vector<bool> seen_;
  std::shared_ptr<std::atomic<int64_t>> remaining_;
  ScanCounters* counters_;
  std::unique_ptr<MappedFile> file_;
  simdjson::dom::parser parser_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool done_ = false;
};

class JsonScan : public FileScan {
 public:
  explicit JsonScan(std::shared_ptr<const JsonTableState> state)
      : FileScan(state->fn, state->files, state->info), state_(std::move(state)) {}
  std::string Describe() const override { return DescribeFiles() + DescribeProjectionAndLimit(); }
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    for (const auto& path : state_->files) {
      size_t size = FileSizeOf(path);
      size_t chunk = ByteRangeSize(size, max_parallelism);
      if (max_parallelism <= 1 || limit() >= 0 || size < 2 * MinByteRange()) {
        auto s = std::make_shared<JsonSplit>();
        s->path = path;
        splits.push_back(s);
        continue;
      }
      for (size_t b = 0; b < size; b += chunk) {
        auto s = std::make_shared<JsonSplit>();
        s->path = path;
        s->begin = b;
        s->end = b + chunk >= size ? SIZE_MAX : b + chunk;
        splits.push_back(s);
      }
    }
    return splits;
  }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    return std::make_unique<JsonDataSource>(state_, SplitAs<JsonSplit>(split), projection(),
                                            RowBudget(), &counters_);
  }

 private:
  std::shared_ptr<const JsonTableState> state_;
};

}  // namespace

std::shared_ptr<FileTable> JsonFormat::Open(const std::string& fn,
                                            const std::vector<std::string>& files,
                                            const FileOptions& options,
                                            const std::string& schema_name,
                                            const std::string& table_name) {
  RequireFiles(files, fn);
  CheckKnownOptions(options, {"columns", "types", "sample_size", "format"}, fn);
  // Reuse the CSV option grammar for columns/types.
  FileOptions csv_like;
  for (const char* k : {"columns", "types", "sample_size"}) {
    if (options.count(k)) csv_like[k] = options.at(k);
  }
  CsvReadOptions opts = CsvReadOptions::Parse(csv_like, fn);

  auto state = std::make_shared<JsonTableState>();
  state->fn = fn;
  state->files = files;
  state->sample_rows = opts.sample_rows;

  std::vector<std::string> keys;
  std::vector<KeyTypes> key_types;
  KeyMap index;
  double sampled_bytes = 0;
  int64_t sampled = 0;
  {
    MappedFile file(files[0], fn);
    simdjson::dom::parser parser;
    const char* data = file.data();
    ForEachLine(data, file.size(), 0, SIZE_MAX, [&](size_t b, size_t e) {
      simdjson::dom::element doc;
      auto err = parser.parse(data + b, e - b, true).get(doc);
      if (err) ThrowMalformed(fn, files[0], data, b, simdjson::error_message(err));
      simdjson::dom::object obj;
      if (doc.get_object().get(obj))
        ThrowMalformed(fn, files[0], data, b, "the line is not a JSON object");
      for (auto field : obj) {
        auto it = index.find(field.key);
        int k;
        if (it == index.end()) {
          k = static_cast<int>(keys.size());
          keys.emplace_back(field.key);
          key_types.emplace_back();
          index.emplace(std::string(field.key), k);
        } else {
          k = it->second;
        }
        KeyTypes& kt = key_types[k];
        using simdjson::dom::element_type;
        switch (field.value.type()) {
          case element_type::NULL_VALUE:
            break;
          case element_type::BOOL:
            kt.boolean = true;
            break;
          case element_type::INT64:
            kt.integer = true;
            break;
          case element_type::UINT64:
          case element_type::DOUBLE:
            kt.dbl = true;
            break;
          case element_type::STRING: {
            kt.string = true;
            std::string_view s = field.value.get_string().value_unsafe();
            int32_t d;
            int64_t ts;
            if (kt.all_dates && !ParseDateText(s, &d)) kt.all_dates = false;
            if (kt.all_timestamps && !ParseTimestampText(s, &ts)) kt.all_timestamps = false;
            break;
          }
          default:
            kt.nested = true;
            break;
        }
      }
      sampled++;
      sampled_bytes += static_cast<double>(e - b + 1);
      return sampled < opts.sample_rows;
    });
  }
  if (keys.empty() && opts.names.empty()) {
    throw Error(ErrorKind::kIo, fn + ": " + files[0] +
                                    " has no JSON objects with keys: cannot infer its columns "
                                    "(pass columns => 'a BIGINT, b VARCHAR')");
  }
  if (!opts.names.empty()) {
    // Explicit columns: exactly these keys.
    for (const auto& name : opts.names) {
      LogicalType type = TypeId::kVarchar;
      auto it = index.find(name);
      if (it != index.end()) type = key_types[it->second].Result();
      state->columns.push_back(ColumnInfo{name, type, true, {}});
    }
  } else {
    for (size_t k = 0; k < keys.size(); k++)
      state->columns.push_back(ColumnInfo{keys[k], key_types[k].Result(), true, {}});
  }
  opts.ApplyTypes(
      state->columns, fn,
      [&] { return "there are " + std::to_string(state->columns.size()) + " columns"; },
      [&](const std::string& name) {
        return "names key '" + name + "' that is not in " + files[0];
      });
  double avg_row_bytes = sampled ? sampled_bytes / static_cast<double>(sampled) : 0.0;
  state->info = MakeFileTableInfo(
      files, schema_name, table_name, state->columns,
      EstimateFileRows(files, sampled < opts.sample_rows, sampled, avg_row_bytes));
  return std::make_shared<SharedStateFileTable<JsonScan, JsonTableState>>(state);
}

}  // namespace aishell
