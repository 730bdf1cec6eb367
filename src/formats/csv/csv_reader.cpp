#include "formats/csv/csv_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "catalog/emit_batch.h"
#include "common/exception.h"
#include "common/strings.h"
#include "formats/file_scan.h"
#include "formats/value_parser.h"
#include "storage/mapped_file.h"

namespace aishell {

// ---------------------------------------------------------------------------------------------
// Options

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Splits on commas outside parentheses: "a BIGINT, b DECIMAL(10,2)".
std::vector<std::string> SplitTopLevel(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') depth++;
    if (c == ')') depth--;
    if (c == ',' && depth == 0) {
      out.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!Trim(cur).empty() || !out.empty()) out.push_back(Trim(cur));
  return out;
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

LogicalType ParseTypeOrThrow(const std::string& text, const std::string& fn,
                             const std::string& option) {
  auto t = ParseTypeName(text);
  if (!t)
    throw Error(ErrorKind::kBinder, fn + ": option '" + option + "': unknown type '" + text + "'");
  if (t->id == TypeId::kInterval || t->id == TypeId::kNull) {
    throw Error(ErrorKind::kBinder, fn + ": option '" + option + "': type " + t->ToString() +
                                        " cannot be read from text");
  }
  return *t;
}

char DelimiterFromOption(const std::string& d, const std::string& fn) {
  if (d == "\\t" || AsciiLower(d) == "tab") return '\t';
  if (d.size() != 1) {
    throw Error(ErrorKind::kBinder,
                fn + ": option 'delim' must be a single character, got '" + d + "'");
  }
  if (d[0] == '\n' || d[0] == '\r')
    throw Error(ErrorKind::kBinder, fn + ": option 'delim' cannot be a line break");
  return d[0];
}

}  // namespace

void CsvReadOptions::ApplyTypes(
    std::vector<ColumnInfo>& columns, const std::string& fn,
    const std::function<std::string()>& count_mismatch,
    const std::function<std::string(const std::string&)>& unknown_name) const {
  if (!positional_types.empty()) {
    if (positional_types.size() != columns.size()) {
      throw Error(ErrorKind::kBinder, fn + ": option 'types' lists " +
                                          std::to_string(positional_types.size()) + " types but " +
                                          count_mismatch());
    }
    for (size_t c = 0; c < columns.size(); c++) columns[c].type = positional_types[c];
  }
  for (const auto& [name, type] : named_types) {
    bool found = false;
    for (auto& col : columns) {
      if (AsciiLower(col.name) == AsciiLower(name)) {
        col.type = type;
        found = true;
      }
    }
    if (!found) throw Error(ErrorKind::kBinder, fn + ": option 'types' " + unknown_name(name));
  }
}

CsvReadOptions CsvReadOptions::Parse(const FileOptions& options, const std::string& fn) {
  CheckKnownOptions(options,
                    {"header", "delim", "delimiter", "sep", "quote", "nullstr", "null", "columns",
                     "types", "column_types", "sample_size", "format"},
                    fn);
  CsvReadOptions out;
  if (options.count("header") && !options.at("header").is_null())
    out.header = OptionBool(options, "header", true, fn);
  for (const char* key : {"delim", "delimiter", "sep"}) {
    std::string d = OptionString(options, key, "", fn);
    if (!d.empty()) out.delimiter = DelimiterFromOption(d, fn);
  }
  std::string q = OptionString(options, "quote", "\"", fn);
  if (q.size() != 1)
    throw Error(ErrorKind::kBinder, fn + ": option 'quote' must be a single character");
  out.quote = q[0];
  if (out.quote == out.delimiter)
    throw Error(ErrorKind::kBinder, fn + ": 'quote' and 'delim' must differ");
  out.null_string = OptionString(options, "nullstr", OptionString(options, "null", "", fn), fn);
  out.sample_rows = OptionInt(options, "sample_size", 20480, fn);
  if (out.sample_rows <= 0) out.sample_rows = 20480;

  std::string columns = OptionString(options, "columns", "", fn);
  for (const auto& item : SplitTopLevel(columns)) {
    if (item.empty())
      throw Error(ErrorKind::kBinder, fn + ": option 'columns' has an empty column name");
    // "name" or "name TYPE".
    size_t sp = item.find_first_of(" \t");
    if (sp == std::string::npos) {
      out.names.push_back(Unquote(item));
    } else {
      std::string name = Unquote(Trim(item.substr(0, sp)));
      out.names.push_back(name);
      out.named_types.emplace_back(name,
                                   ParseTypeOrThrow(Trim(item.substr(sp + 1)), fn, "columns"));
    }
  }
  std::string types =
      OptionString(options, "types", OptionString(options, "column_types", "", fn), fn);
  for (const auto& item : SplitTopLevel(types)) {
    if (item.empty()) throw Error(ErrorKind::kBinder, fn + ": option 'types' has an empty entry");
    if (auto t = ParseTypeName(item)) {
      out.positional_types.push_back(ParseTypeOrThrow(item, fn, "types"));
      continue;
    }
    size_t sp = item.find_first_of(" \t");
    if (sp == std::string::npos)
      throw Error(ErrorKind::kBinder, fn + ": option 'types': unknown type '" + item + "'");
    out.named_types.emplace_back(Unquote(Trim(item.substr(0, sp))),
                                 ParseTypeOrThrow(Trim(item.substr(sp + 1)), fn, "types"));
  }
  if (!out.positional_types.empty() && !out.named_types.empty()) {
    throw Error(ErrorKind::kBinder,
                fn + ": option 'types' mixes 'name TYPE' entries and bare types");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

CsvTokenizer::CsvTokenizer(const char* data, size_t size, char delimiter, char quote)
    : data_(data), size_(size), delimiter_(delimiter), quote_(quote) {
  std::memset(special_, 0, sizeof(special_));
  special_[static_cast<uint8_t>(delimiter)] = true;
  special_['\n'] = true;
  special_['\r'] = true;
  fields_.reserve(64);
}

uint64_t CsvTokenizer::BlockMask(size_t base) const {
  const char* p = data_ + base;
  if (base + 64 <= size_) {
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8(delimiter_);
    const __m128i n = _mm_set1_epi8('\n');
    const __m128i r = _mm_set1_epi8('\r');
    uint64_t mask = 0;
    for (int k = 0; k < 4; k++) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, n)),
                                 _mm_cmpeq_epi8(v, r));
      mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (16 * k);
    }
    return mask;
#endif
  }
  uint64_t mask = 0;
  size_t n = std::min<size_t>(64, size_ - base);
  for (size_t i = 0; i < n; i++) {
    if (special_[static_cast<uint8_t>(p[i])]) mask |= uint64_t{1} << i;
  }
  return mask;
}

__attribute__((always_inline)) inline size_t CsvTokenizer::NextSpecial(size_t p) {
  while (p < size_) {
    size_t base = p & ~size_t{63};
    if (base != block_base_) {
      block_mask_ = BlockMask(base);
      block_base_ = base;
    }
    uint64_t m = block_mask_ >> (p & 63);
    if (m) return p + static_cast<size_t>(__builtin_ctzll(m));
    p = base + 64;
  }
  return size_;
}

CsvStatus CsvTokenizer::Next(size_t& pos, size_t& row_start) {
  const char* data = data_;
  const size_t size = size_;
  while (pos < size && (data[pos] == '\n' || data[pos] == '\r')) pos++;
  if (pos >= size) return CsvStatus::kEnd;
  row_start = pos;
  fields_.clear();
  for (;;) {
    if (pos >= size) {  // a trailing delimiter at the end of the data
      fields_.push_back(CsvField{data + size, 0, false, false});
      break;
    }
    if (data[pos] == quote_) {
      size_t p = pos + 1;
      bool escaped = false;
      for (;;) {
        const void* q = p < size ? std::memchr(data + p, quote_, size - p) : nullptr;
        if (!q) {
          pos = row_start;
          return CsvStatus::kUnterminatedQuote;
        }
        size_t qi = static_cast<const char*>(q) - data;
        if (qi + 1 < size && data[qi + 1] == quote_) {
          escaped = true;
          p = qi + 2;
          continue;
        }
        fields_.push_back(
            CsvField{data + pos + 1, static_cast<uint32_t>(qi - pos - 1), true, escaped});
        pos = qi + 1;
        break;
      }
      if (pos < size && data[pos] != delimiter_ && data[pos] != '\n' && data[pos] != '\r') {
        return CsvStatus::kBadQuote;
      }
    } else {
      size_t p = NextSpecial(pos);
      fields_.push_back(CsvField{data + pos, static_cast<uint32_t>(p - pos), false, false});
      pos = p;
    }
    if (pos >= size) break;
    char c = data[pos];
    if (c == delimiter_) {
      pos++;
      continue;
    }
    if (c == '\r') {
      pos++;
      if (pos < size && data[pos] == '\n') pos++;
    } else {
      pos++;
    }
    break;
  }
  return CsvStatus::kRow;
}

size_t CsvUnescape(const CsvField& field, char quote, char* out) {
  size_t n = 0;
  for (uint32_t i = 0; i < field.size; i++) {
    char c = field.data[i];
    out[n++] = c;
    if (c == quote && i + 1 < field.size && field.data[i + 1] == quote) i++;
  }
  return n;
}

int64_t CsvLineAt(const char* data, size_t offset) {
  return 1 + std::count(data, data + offset, '\n');
}

// ---------------------------------------------------------------------------------------------
// Sniffing

namespace {

[[noreturn]] void ThrowTokenError(CsvStatus status, const char* data, size_t pos,
                                  const std::string& path, const std::string& fn) {
  int64_t line = CsvLineAt(data, pos);
  if (status == CsvStatus::kUnterminatedQuote) {
    throw Error(ErrorKind::kIo,
                fn + ": " + path + " line " + std::to_string(line) +
                    ": unterminated quoted field (a quote opens here and never closes)");
  }
  throw Error(ErrorKind::kIo,
              fn + ": " + path + " line " + std::to_string(line) +
                  ": unexpected character after a closing quote (quotes inside a quoted field "
                  "must be doubled)");
}

std::string FieldText(const CsvField& f, char quote) {
  if (!f.escaped) return std::string(f.data, f.size);
  std::string s(f.size, '\0');
  s.resize(CsvUnescape(f, quote, s.data()));
  return s;
}

char DetectDelimiter(const char* data, size_t size, char quote) {
  static const char kCandidates[] = {',', ';', '\t', '|'};
  char best = ',';
  double best_score = 0;
  for (char d : kCandidates) {
    CsvTokenizer tok(data, size, d, quote);
    size_t pos = 0, start = 0;
    std::map<size_t, int> counts;
    int rows = 0;
    bool bad = false;
    while (rows < 50) {
      CsvStatus st = tok.Next(pos, start);
      if (st == CsvStatus::kEnd) break;
      if (st != CsvStatus::kRow) {
        bad = true;
        break;
      }
      counts[tok.fields().size()]++;
      rows++;
    }
    if (bad || rows == 0) continue;
    size_t mode = 0;
    int mode_count = 0;
    for (auto [n, c] : counts) {
      if (c > mode_count || (c == mode_count && n > mode)) {
        mode = n;
        mode_count = c;
      }
    }
    if (mode <= 1) continue;
    // Consistency first, then more columns.
    double score = static_cast<double>(mode_count) / rows * 1000 + static_cast<double>(mode);
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

struct TypeCandidates {
  bool boolean = true, bigint = true, dbl = true, date = true, timestamp = true;
  int64_t non_null = 0;

  void Observe(std::string_view v) {
    non_null++;
    int64_t i;
    double d;
    bool b;
    int32_t days;
    int64_t micros;
    if (boolean && !ParseBooleanText(v, false, &b)) boolean = false;
    if (bigint && !ParseBigIntText(v, &i)) bigint = false;
    if (dbl && !bigint && !ParseDoubleText(v, &d)) dbl = false;
    if (date && !ParseDateText(v, &days)) date = false;
    if (timestamp && !ParseTimestampText(v, &micros)) timestamp = false;
  }
  LogicalType Result() const {
    if (non_null == 0) return TypeId::kVarchar;
    if (boolean) return TypeId::kBoolean;
    if (bigint) return TypeId::kBigInt;
    if (dbl) return TypeId::kDouble;
    if (date) return TypeId::kDate;
    if (timestamp) return TypeId::kTimestamp;
    return TypeId::kVarchar;
  }
};

bool IsNullField(const CsvField& f, const std::string& null_string) {
  if (f.quoted) return false;
  if (f.size == 0) return true;
  return !null_string.empty() && f.size == null_string.size() &&
         std::memcmp(f.data, null_string.data(), f.size) == 0;
}

}  // namespace

CsvSchema SniffCsv(const char* data, size_t size, const std::string& path,
                   const CsvReadOptions& options, const std::string& fn) {
  CsvSchema schema;
  schema.quote = options.quote;
  schema.null_string = options.null_string;
  size_t begin = 0;
  if (size >= 3 && static_cast<uint8_t>(data[0]) == 0xEF && static_cast<uint8_t>(data[1]) == 0xBB &&
      static_cast<uint8_t>(data[2]) == 0xBF) {
    begin = 3;  // UTF-8 byte order mark
  }
  schema.delimiter = options.delimiter ? options.delimiter
                                       : DetectDelimiter(data + begin, size - begin, options.quote);

  // Sample rows.
  CsvTokenizer tok(data, size, schema.delimiter, schema.quote);
  size_t pos = begin, start = 0;
  std::vector<std::vector<std::string>> rows;  // sample (strings: cold path)
  std::vector<std::vector<bool>> row_nulls;
  std::vector<size_t> row_offsets;
  size_t sample_end = begin;
  const int64_t limit = options.sample_rows + 1;  // + a possible header
  bool reached_end = false;
  while (static_cast<int64_t>(rows.size()) < limit) {
    CsvStatus st = tok.Next(pos, start);
    if (st == CsvStatus::kEnd) {
      reached_end = true;
      break;
    }
    if (st != CsvStatus::kRow) ThrowTokenError(st, data, pos, path, fn);
    std::vector<std::string> row;
    std::vector<bool> nulls;
    for (const auto& f : tok.fields()) {
      if (!f.quoted && !schema.stray_quotes && std::memchr(f.data, schema.quote, f.size))
        schema.stray_quotes = true;
      if (f.quoted && !schema.quoted_newlines &&
          (std::memchr(f.data, '\n', f.size) || std::memchr(f.data, '\r', f.size))) {
        schema.quoted_newlines = true;
      }
      row.push_back(FieldText(f, schema.quote));
      nulls.push_back(IsNullField(f, schema.null_string));
    }
    rows.push_back(std::move(row));
    row_nulls.push_back(std::move(nulls));
    row_offsets.push_back(start);
    sample_end = pos;
  }
  if (!reached_end) {
    size_t p2 = pos, s2 = 0;
    reached_end = tok.Next(p2, s2) == CsvStatus::kEnd;
  }
  schema.sample_was_whole_file = reached_end;
  schema.has_newline =
      std::memchr(data + begin, '\n', std::min(size - begin, sample_end - begin + 1)) != nullptr;
  schema.sample_rows_limit = options.sample_rows;

  if (rows.empty()) {
    if (options.names.empty()) {
      throw Error(
          ErrorKind::kIo,
          fn + ": " + path +
              " is empty: cannot infer its columns (pass columns => 'a BIGINT, b VARCHAR')");
    }
    for (size_t i = 0; i < options.names.size(); i++) {
      schema.columns.push_back(ColumnInfo{options.names[i], TypeId::kVarchar, true, {}});
    }
  } else {
    size_t ncols = rows[0].size();
    // Field count consistency inside the sample.
    for (size_t r = 1; r < rows.size(); r++) {
      if (rows[r].size() != ncols) {
        throw Error(ErrorKind::kIo, fn + ": " + path + " line " +
                                        std::to_string(CsvLineAt(data, row_offsets[r])) +
                                        ": expected " + std::to_string(ncols) +
                                        " fields but found " + std::to_string(rows[r].size()));
      }
    }
    auto infer = [&](size_t first_row) {
      std::vector<TypeCandidates> cands(ncols);
      for (size_t r = first_row; r < rows.size(); r++) {
        for (size_t c = 0; c < ncols; c++) {
          if (!row_nulls[r][c] && !rows[r][c].empty()) cands[c].Observe(rows[r][c]);
        }
      }
      std::vector<LogicalType> types;
      for (auto& c : cands) types.push_back(c.Result());
      return types;
    };
    bool header;
    std::vector<LogicalType> types;
    if (options.header) {
      header = *options.header;
      types = infer(header ? 1 : 0);
    } else {
      types = infer(1);
      // The first row is data if it fits every typed column and at least one column is typed.
      bool any_typed = false, fits = true;
      for (size_t c = 0; c < ncols; c++) {
        if (types[c].id == TypeId::kVarchar) continue;
        any_typed = true;
        if (row_nulls[0][c]) continue;
        alignas(8) char slot[16];
        if (types[c].id == TypeId::kBoolean) {
          bool b;
          if (!ParseBooleanText(rows[0][c], false, &b)) fits = false;
        } else if (!ParseTypedText(rows[0][c], types[c], slot)) {
          fits = false;
        }
      }
      header = !(any_typed && fits && rows.size() > 1);
      if (!header) types = infer(0);
    }
    schema.header = header;
    for (size_t c = 0; c < ncols; c++) {
      std::string name;
      if (header) name = Trim(rows[0][c]);
      if (name.empty()) name = "column" + std::to_string(c);
      schema.columns.push_back(ColumnInfo{name, types[c], true, {}});
    }
    // Duplicate names get a suffix.
    for (size_t c = 0; c < ncols; c++) {
      int k = 1;
      std::string base = schema.columns[c].name;
      for (;;) {
        bool dup = false;
        for (size_t o = 0; o < c; o++) {
          if (AsciiLower(schema.columns[o].name) == AsciiLower(schema.columns[c].name)) dup = true;
        }
        if (!dup) break;
        schema.columns[c].name = base + "_" + std::to_string(k++);
      }
    }
    if (!options.names.empty()) {
      if (options.names.size() != ncols) {
        throw Error(ErrorKind::kBinder, fn + ": option 'columns' names " +
                                            std::to_string(options.names.size()) + " columns but " +
                                            path + " has " + std::to_string(ncols));
      }
      for (size_t c = 0; c < ncols; c++) schema.columns[c].name = options.names[c];
    }
    size_t data_rows = rows.size() - (header ? 1 : 0);
    size_t data_bytes =
        sample_end -
        (header && rows.size() > 1 ? row_offsets[1] : (header ? sample_end : row_offsets[0]));
    schema.avg_row_bytes = data_rows ? static_cast<double>(data_bytes) / data_rows : 0;
    schema.sampled_data_rows = static_cast<int64_t>(data_rows);
  }
  // Type overrides.
  options.ApplyTypes(
      schema.columns, fn,
      [&] { return path + " has " + std::to_string(schema.columns.size()) + " columns"; },
      [&](const std::string& name) {
        std::string list;
        for (auto& col : schema.columns) list += (list.empty() ? "" : ", ") + col.name;
        return "names column '" + name + "' but " + path + " has columns: " + list;
      });
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Scan

namespace {

struct CsvTableState {
  std::string fn;
  std::vector<std::string> files;
  CsvSchema schema;
  std::shared_ptr<TableInfo> info;
};

// Whether [from, to) holds an odd number of quote characters (memchr jumps: fast when quotes are
// rare).
bool OddQuotes(const char* data, size_t from, size_t to, char quote) {
  bool odd = false;
  while (from < to) {
    const void* q = std::memchr(data + from, quote, to - from);
    if (!q) break;
    odd = !odd;
    from = static_cast<size_t>(static_cast<const char*>(q) - data) + 1;
  }
  return odd;
}

// A byte range of row starts; the first split of a file starts at 0.
struct CsvSplit : ByteRangeSplit {
  size_t file_index = 0;
  bool exact = false;  // `begin` is a row start (found by quote parity), not a guess to adjust
};

class CsvDataSource : public DataSource {
 public:
  CsvDataSource(std::shared_ptr<const CsvTableState> state, std::shared_ptr<CsvSplit> split,
                std::vector<int> projection, std::shared_ptr<std::atomic<int64_t>> remaining,
                ScanCounters* counters)
      : state_(std::move(state)),
        split_(std::move(split)),
        projection_(std::move(projection)),
        remaining_(std::move(remaining)),
        counters_(counters) {
    for (int c : projection_) types_.push_back(state_->schema.columns[c].type);
    spans_.resize(std::max<size_t>(projection_.size(), 1) * kBatchSize);
    row_offsets_.resize(kBatchSize);
  }

  bool Next(Batch& out) override {
    if (done_) return false;
    if (!file_) Open();
    if (done_) return false;
    const CsvSchema& schema = state_->schema;
    const size_t ncols = schema.columns.size();
    const size_t nproj = projection_.size();
    const int* proj = projection_.data();
    size_t rows = 0;
    size_t start_pos = pos_;
    while (rows < kBatchSize) {
      size_t row_start = 0;
      CsvStatus st = tokenizer_->Next(pos_, row_start);
      if (st == CsvStatus::kEnd || (st == CsvStatus::kRow && row_start >= end_)) {
        done_ = true;
        break;
      }
      if (st != CsvStatus::kRow)
        ThrowTokenError(st, file_->data(), pos_, file_->path(), state_->fn);
      const auto& fields = tokenizer_->fields();
      if (fields.size() != ncols) {
        throw Error(ErrorKind::kIo, state_->fn + ": " + file_->path() + " line " +
                                        std::to_string(CsvLineAt(file_->data(), row_start)) +
                                        ": expected " + std::to_string(ncols) +
                                        " fields but found " + std::to_string(fields.size()));
      }
      const CsvField* f = fields.data();
      for (size_t j = 0; j < nproj; j++) spans_[j * kBatchSize + rows] = f[proj[j]];
      row_offsets_[rows] = row_start;
      rows++;
    }
    if (remaining_ && !TakeFromRowBudget(*remaining_, rows, done_)) return false;
    counters_->bytes_read += static_cast<int64_t>(pos_ - start_pos);
    if (rows == 0) return false;
    Batch batch(types_, kBatchSize);
    for (size_t j = 0; j < nproj; j++) Convert(j, rows, batch.columns[j]);
    return EmitBatch(batch, rows, *counters_, out);
  }

 private:
  void Open() {
    file_ = std::make_unique<MappedFile>(split_->path, state_->fn);
    const CsvSchema& schema = state_->schema;
    tokenizer_ = std::make_unique<CsvTokenizer>(file_->data(), file_->size(), schema.delimiter,
                                                schema.quote);
    end_ = std::min(split_->end, file_->size());
    const char* data = file_->data();
    size_t size = file_->size();
    if (split_->begin == 0) {
      pos_ = 0;
      if (size >= 3 && static_cast<uint8_t>(data[0]) == 0xEF &&
          static_cast<uint8_t>(data[1]) == 0xBB && static_cast<uint8_t>(data[2]) == 0xBF) {
        pos_ = 3;
      }
      if (schema.header) {
        size_t start = 0;
        CsvStatus st = tokenizer_->Next(pos_, start);
        if (st == CsvStatus::kEnd) {
          done_ = true;
          return;
        }
        if (st != CsvStatus::kRow) ThrowTokenError(st, data, pos_, file_->path(), state_->fn);
      }
    } else if (split_->exact) {
      pos_ = split_->begin;
    } else {
      // The first row boundary at or after `begin`: after a '\n' or, as the tokenizer ends rows
      // at a lone '\r' too, after a '\r' (the previous split reads every row starting before
      // `begin`, whichever line end precedes it).
      size_t from = split_->begin - 1;
      const char* end = data + size;
      const char* nl = from < size ? std::find_if(data + from, end,
                                                  [](char c) { return c == '\n' || c == '\r'; })
                                   : end;
      if (nl == end) {
        done_ = true;
        return;
      }
      pos_ = static_cast<size_t>(nl - data) + 1;
    }
  }

  [[noreturn]] void ThrowConversion(size_t j, size_t r, std::string_view text) const {
    const auto& col = state_->schema.columns[projection_[j]];
    int64_t line = CsvLineAt(file_->data(), row_offsets_[r]);
    std::string shown(text.substr(0, 60));
    throw Error(ErrorKind::kConversion,
                state_->fn + ": " + file_->path() + " line " + std::to_string(line) + ", column '" +
                    col.name + "': cannot parse '" + shown + "' as " + col.type.ToString() +
                    " (the type was inferred from the first " +
                    std::to_string(state_->schema.sample_rows_limit) + " rows; pass types => '" +
                    col.name + " VARCHAR' to read it as text)");
  }

  bool IsNull(const CsvField& f) const {
    if (f.quoted) return false;
    if (f.size == 0) return true;
    const std::string& ns = state_->schema.null_string;
    return !ns.empty() && f.size == ns.size() && std::memcmp(f.data, ns.data(), f.size) == 0;
  }

  std::string_view Text(const CsvField& f) {
    if (!f.escaped) return std::string_view(f.data, f.size);
    scratch_.resize(f.size);
    scratch_.resize(CsvUnescape(f, state_->schema.quote, scratch_.data()));
    return scratch_;
  }

  template <class T, class ParseFn>
  void ConvertFixed(size_t j, size_t rows, Vector& v, ParseFn parse) {
    T* out = v.Data<T>();
    const CsvField* spans = &spans_[j * kBatchSize];
    for (size_t r = 0; r < rows; r++) {
      const CsvField& f = spans[r];
      if (f.size == 0 || IsNull(f)) {
        out[r] = T{};
        v.SetNull(r);
        continue;
      }
      std::string_view text = Text(f);
      if (!parse(text, &out[r])) ThrowConversion(j, r, text);
    }
  }

  void Convert(size_t j, size_t rows, Vector& v) {
    const LogicalType& type = types_[j];
    switch (type.id) {
      case TypeId::kBigInt:
        ConvertFixed<int64_t>(j, rows, v,
                              [](std::string_view t, int64_t* o) { return ParseBigIntText(t, o); });
        break;
      case TypeId::kDouble:
        ConvertFixed<double>(j, rows, v,
                             [](std::string_view t, double* o) { return ParseDoubleText(t, o); });
        break;
      case TypeId::kDate:
        ConvertFixed<int32_t>(j, rows, v,
                              [](std::string_view t, int32_t* o) { return ParseDateText(t, o); });
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        ConvertFixed<int64_t>(
            j, rows, v, [](std::string_view t, int64_t* o) { return ParseTimestampText(t, o); });
        break;
      case TypeId::kBoolean:
        ConvertFixed<uint8_t>(j, rows, v, [](std::string_view t, uint8_t* o) {
          bool b;
          if (!ParseBooleanText(t, true, &b)) return false;
          *o = b;
          return true;
        });
        break;
      case TypeId::kInteger:
        ConvertFixed<int32_t>(j, rows, v, [](std::string_view t, int32_t* o) {
          return ParseTypedText(t, LogicalType(TypeId::kInteger), o);
        });
        break;
      case TypeId::kDecimal:
        if (type.IsLongDecimal()) {
          ConvertFixed<Int128>(j, rows, v, [&type](std::string_view t, Int128* o) {
            return ParseTypedText(t, type, o);
          });
          break;
        }
        ConvertFixed<int64_t>(j, rows, v, [&type](std::string_view t, int64_t* o) {
          return ParseDecimalText(t, type.precision, type.scale, o);
        });
        break;
      case TypeId::kTinyInt:
        ConvertFixed<int8_t>(j, rows, v, [&type](std::string_view t, int8_t* o) {
          return ParseTypedText(t, type, o);
        });
        break;
      case TypeId::kSmallInt:
        ConvertFixed<int16_t>(j, rows, v, [&type](std::string_view t, int16_t* o) {
          return ParseTypedText(t, type, o);
        });
        break;
      case TypeId::kReal:
        ConvertFixed<float>(j, rows, v, [&type](std::string_view t, float* o) {
          return ParseTypedText(t, type, o);
        });
        break;
      case TypeId::kTime:
        ConvertFixed<int64_t>(j, rows, v, [&type](std::string_view t, int64_t* o) {
          return ParseTypedText(t, type, o);
        });
        break;
      case TypeId::kUuid:
        ConvertFixed<Uuid>(j, rows, v, [&type](std::string_view t, Uuid* o) {
          return ParseTypedText(t, type, o);
        });
        break;
      case TypeId::kVarchar: {
        const CsvField* spans = &spans_[j * kBatchSize];
        size_t total = 0;
        for (size_t r = 0; r < rows; r++) total += spans[r].size;
        char* buf = total ? v.heap()->Allocate(total) : nullptr;
        auto* out = v.Data<std::string_view>();
        for (size_t r = 0; r < rows; r++) {
          const CsvField& f = spans[r];
          if (IsNull(f)) {
            out[r] = std::string_view();
            v.SetNull(r);
            continue;
          }
          size_t n;
          if (f.escaped) {
            n = CsvUnescape(f, state_->schema.quote, buf);
          } else {
            n = f.size;
            if (n) std::memcpy(buf, f.data, n);
          }
          out[r] = std::string_view(buf, n);
          buf += n;
        }
        break;
      }
      default:
        throw Error(ErrorKind::kUnsupported, state_->fn + ": cannot read column '" +
                                                 state_->schema.columns[projection_[j]].name +
                                                 "' as " + type.ToString());
    }
  }

  std::shared_ptr<const CsvTableState> state_;
  std::shared_ptr<CsvSplit> split_;
  std::vector<int> projection_;
  std::vector<LogicalType> types_;
  std::shared_ptr<std::atomic<int64_t>> remaining_;
  ScanCounters* counters_;
  std::unique_ptr<MappedFile> file_;
  std::unique_ptr<CsvTokenizer> tokenizer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool done_ = false;
  std::vector<CsvField> spans_;
  std::vector<size_t> row_offsets_;
  std::string scratch_;
};

class CsvScan : public FileScan {
 public:
  explicit CsvScan(std::shared_ptr<const CsvTableState> state)
      : FileScan(state->fn, state->files, state->info), state_(std::move(state)) {}

  std::string Describe() const override {
    std::string delim =
        state_->schema.delimiter == '\t' ? "\\t" : std::string(1, state_->schema.delimiter);
    return DescribeFiles() + " delim='" + delim +
           "' header=" + (state_->schema.header ? "true" : "false") + DescribeProjectionAndLimit();
  }

  // Large files split into byte ranges. Without stray quotes (quotes only around fields), rows
  // are found by quote parity: a line break is a row end iff an even number of quotes precede it,
  // which holds even with quoted line breaks. With stray quotes, split only if the sample saw no
  // quoted line break (each split then starts after the first line break past its start).
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    const CsvSchema& schema = state_->schema;
    const bool parity = !schema.stray_quotes;
    const bool can_split = schema.has_newline && max_parallelism > 1 && limit() < 0 &&
                           (parity || !schema.quoted_newlines);
    for (size_t i = 0; i < state_->files.size(); i++) {
      size_t size = FileSizeOf(state_->files[i]);
      size_t chunk = ByteRangeSize(size, max_parallelism);
      auto add = [&](size_t begin, size_t end, bool exact) {
        auto s = std::make_shared<CsvSplit>();
        s->file_index = i;
        s->path = state_->files[i];
        s->begin = begin;
        s->end = end;
        s->exact = exact;
        splits.push_back(s);
      };
      if (!can_split || size < 2 * MinByteRange()) {
        add(0, SIZE_MAX, false);
        continue;
      }
      if (!parity) {
        for (size_t b = 0; b < size; b += chunk)
          add(b, b + chunk >= size ? SIZE_MAX : b + chunk, false);
        continue;
      }
      // Row starts near each multiple of `chunk`, by quote parity, in one pass over the file.
      MappedFile file(state_->files[i], state_->fn);
      const char* data = file.data();
      size = file.size();
      const char quote = schema.quote;
      std::vector<size_t> starts{0};
      size_t pos = 0;
      bool odd = false;  // quotes in [0, pos) are odd
      for (size_t target = chunk; target < size; target += chunk) {
        if (target <= pos) continue;
        odd ^= OddQuotes(data, pos, target, quote);
        pos = target;
        // The first line break at or after target - 1 outside quotes.
        size_t p = target - 1;
        odd ^= data[p] == quote;  // count [target-1, ...) from here: undo the last byte
        size_t found = SIZE_MAX;
        while (p < size) {
          const void* nl = std::memchr(data + p, '\n', size - p);
          size_t q = nl ? static_cast<const char*>(nl) - data : size;
          odd ^= OddQuotes(data, p, q, quote);
          if (!nl) {
            p = size;
            break;
          }
          p = q + 1;
          if (!odd) {
            found = p;
            break;
          }
        }
        pos = p;
        if (found == SIZE_MAX || found >= size) break;
        if (found > starts.back()) starts.push_back(found);
      }
      for (size_t k = 0; k < starts.size(); k++) {
        add(starts[k], k + 1 < starts.size() ? starts[k + 1] : SIZE_MAX, k > 0);
      }
    }
    return splits;
  }

  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    return std::make_unique<CsvDataSource>(state_, SplitAs<CsvSplit>(split), projection(),
                                           RowBudget(), &counters_);
  }

 private:
  std::shared_ptr<const CsvTableState> state_;
};

}  // namespace

std::shared_ptr<FileTable> CsvFormat::Open(const std::string& function_name,
                                           const std::vector<std::string>& files,
                                           const FileOptions& options,
                                           const std::string& schema_name,
                                           const std::string& table_name) {
  RequireFiles(files, function_name);
  CsvReadOptions opts = CsvReadOptions::Parse(options, function_name);
  auto state = std::make_shared<CsvTableState>();
  state->fn = function_name;
  state->files = files;
  {
    MappedFile first(files[0], function_name);
    state->schema = SniffCsv(first.data(), first.size(), files[0], opts, function_name);
  }
  // Every file of a glob must have the same columns as the first.
  for (size_t i = 1; i < files.size(); i++) {
    MappedFile other(files[i], function_name);
    size_t begin = 0;
    if (other.size() >= 3 && static_cast<uint8_t>(other.data()[0]) == 0xEF &&
        static_cast<uint8_t>(other.data()[1]) == 0xBB &&
        static_cast<uint8_t>(other.data()[2]) == 0xBF) {
      begin = 3;
    }
    CsvTokenizer tok(other.data(), other.size(), state->schema.delimiter, state->schema.quote);
    size_t pos = begin, start = 0;
    CsvStatus st = tok.Next(pos, start);
    if (st == CsvStatus::kEnd) continue;  // an empty file adds no rows
    if (st != CsvStatus::kRow) ThrowTokenError(st, other.data(), pos, files[i], function_name);
    const auto& fields = tok.fields();
    bool same = fields.size() == state->schema.columns.size();
    if (same && state->schema.header && opts.names.empty()) {
      for (size_t c = 0; c < fields.size() && same; c++) {
        std::string name = Trim(FieldText(fields[c], state->schema.quote));
        const std::string& expected = state->schema.columns[c].name;
        same = name.empty() || AsciiLower(name) == AsciiLower(expected) ||
               expected.rfind(name + "_", 0) == 0;
      }
    }
    if (!same) {
      std::string first_cols, other_cols;
      for (const auto& col : state->schema.columns)
        first_cols += (first_cols.empty() ? "" : ", ") + col.name;
      for (const auto& f : fields)
        other_cols += (other_cols.empty() ? "" : ", ") + FieldText(f, state->schema.quote);
      throw Error(ErrorKind::kIo, function_name + ": " + files[i] +
                                      " does not have the columns of " + files[0] + " (" +
                                      first_cols + "); its first line is: " + other_cols +
                                      ". All files of one glob must share their columns");
    }
  }
  state->info = MakeFileTableInfo(
      files, schema_name, table_name, state->schema.columns,
      EstimateFileRows(files, state->schema.sample_was_whole_file, state->schema.sampled_data_rows,
                       state->schema.avg_row_bytes));
  return std::make_shared<SharedStateFileTable<CsvScan, CsvTableState>>(state);
}

}  // namespace aishell
