#include "formats/parquet/parquet_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "common/exception.h"
#include "formats/file_scan.h"
#include "formats/parquet/parquet_file_reader.h"
#include "formats/parquet/parquet_stats.h"
#include "storage/file_system.h"

namespace aishell {

using namespace parquet;  // NOLINT

namespace {

struct ParquetTableState {
  std::string fn;
  std::vector<std::shared_ptr<ParquetFileReader>> files;
  std::vector<std::string> paths;  // of `files`, as their readers name them
  std::vector<ColumnInfo> columns;
  std::shared_ptr<TableInfo> info;
};

// A range of a filter's domain over native values.
template <class T>
struct NativeRange {
  bool has_low = false, low_inclusive = false, has_high = false, high_inclusive = false;
  T low{}, high{};
};

template <class T, class Native>
std::vector<NativeRange<T>> NativeRanges(const Domain& d, Native native) {
  std::vector<NativeRange<T>> out;
  for (const auto& r : d.ranges()) {
    NativeRange<T> n;
    if (r.low.value) {
      n.has_low = true;
      n.low_inclusive = r.low.inclusive;
      n.low = native(*r.low.value);
    }
    if (r.high.value) {
      n.has_high = true;
      n.high_inclusive = r.high.inclusive;
      n.high = native(*r.high.value);
    }
    out.push_back(n);
  }
  return out;
}

// Larger domains (long NOT IN lists) are left to the engine.
constexpr size_t kMaxEvaluatedRanges = 16;

// match[i] = whether row i of a flat vector is in the domain of `f`, for i < v.size(). Domains
// not evaluated exactly here (string ranges, NaN) keep the row: the engine still filters every
// row the scan returns, so the scan only has to keep a superset.
void EvalFlat(const RowGroupFilter& f, const Vector& v, uint8_t* match) {
  size_t n = v.size();
  const Domain& d = f.domain;
  auto eval = [&](auto get, auto native) {
    using T = decltype(get(size_t{0}));
    std::memset(match, 0, n);
    for (const auto& r : NativeRanges<T>(d, native)) {
      for (size_t i = 0; i < n; i++) {
        T x = get(i);
        bool in = (!r.has_low || (r.low_inclusive ? x >= r.low : x > r.low)) &&
                  (!r.has_high || (r.high_inclusive ? x <= r.high : x < r.high));
        match[i] |= in;
      }
    }
  };
  bool exact = d.ranges().size() <= kMaxEvaluatedRanges;
  switch (v.type().id) {
    case TypeId::kInteger:
    case TypeId::kDate: {
      if (!exact) break;
      const int32_t* p = v.Data<int32_t>();
      eval([p](size_t i) { return static_cast<int64_t>(p[i]); },
           [](const Value& c) { return c.GetInt64(); });
      break;
    }
    case TypeId::kTinyInt: {
      if (!exact) break;
      const int8_t* p = v.Data<int8_t>();
      eval([p](size_t i) { return static_cast<int64_t>(p[i]); },
           [](const Value& c) { return c.GetInt64(); });
      break;
    }
    case TypeId::kSmallInt: {
      if (!exact) break;
      const int16_t* p = v.Data<int16_t>();
      eval([p](size_t i) { return static_cast<int64_t>(p[i]); },
           [](const Value& c) { return c.GetInt64(); });
      break;
    }
    case TypeId::kReal: {
      if (!exact) break;
      const float* p = v.Data<float>();
      eval([p](size_t i) { return static_cast<double>(p[i]); },
           [](const Value& c) { return c.GetDouble(); });
      for (size_t i = 0; i < n; i++) match[i] |= p[i] != p[i];  // NaN: left to the engine
      break;
    }
    case TypeId::kBigInt:
    case TypeId::kDecimal: {
      if (!exact || v.type().IsLongDecimal()) {
        exact = false;
        break;
      }
      const int64_t* p = v.Data<int64_t>();
      eval([p](size_t i) { return p[i]; }, [](const Value& c) { return c.GetInt64(); });
      break;
    }
    case TypeId::kDouble: {
      if (!exact) break;
      const double* p = v.Data<double>();
      eval([p](size_t i) { return p[i]; }, [](const Value& c) { return c.GetDouble(); });
      for (size_t i = 0; i < n; i++) match[i] |= p[i] != p[i];  // NaN: left to the engine
      break;
    }
    case TypeId::kVarchar: {
      auto points = d.PointValues();
      if (!points || points->size() > kMaxEvaluatedRanges) {
        exact = false;
        break;
      }
      const std::string_view* p = v.Data<std::string_view>();
      std::memset(match, 0, n);
      for (const auto& c : *points) {
        std::string_view s = c.GetString();
        for (size_t i = 0; i < n; i++) match[i] |= p[i] == s;
      }
      break;
    }
    default:
      exact = false;
      break;
  }
  if (!exact) {
    std::memset(match, 1, n);
    return;
  }
  if (const uint64_t* valid = v.validity()) {
    bool null_allowed = d.null_allowed();
    for (size_t i = 0; i < n; i++) {
      if (!((valid[i >> 6] >> (i & 63)) & 1)) match[i] = null_allowed;
    }
  }
}

// Clears keep[i] for the rows of `v` (any form) that do not satisfy `f`.
void ApplyFilter(const RowGroupFilter& f, const Vector& v, uint8_t* keep) {
  size_t n = v.size();
  if (n == 0) return;
  std::vector<uint8_t> match;
  switch (v.kind()) {
    case VectorKind::kFlat:
      match.resize(n);
      EvalFlat(f, v, match.data());
      for (size_t i = 0; i < n; i++) keep[i] &= match[i];
      return;
    case VectorKind::kDictionary: {
      // Once per dictionary entry, then through the indices.
      const Vector& dict = *v.dictionary();
      match.resize(dict.size());
      EvalFlat(f, dict, match.data());
      const uint32_t* ix = v.indices();
      for (size_t i = 0; i < n; i++) keep[i] &= match[ix[i]];
      return;
    }
    case VectorKind::kConstant: {
      Vector one = v;
      one.Flatten();
      one.Resize(1);
      uint8_t m = 1;
      EvalFlat(f, one, &m);
      if (!m) std::memset(keep, 0, n);
      return;
    }
  }
}

struct ParquetSplit : Split {
  size_t file = 0;
  size_t row_group = 0;
  std::string path;
  std::string Describe() const override { return path + " row group " + std::to_string(row_group); }
};

class ParquetDataSource : public DataSource {
 public:
  ParquetDataSource(std::shared_ptr<const ParquetTableState> state,
                    std::shared_ptr<ParquetSplit> split, std::vector<int> projection,
                    FieldSelection fields, std::vector<RowGroupFilter> filters,
                    std::shared_ptr<std::atomic<int64_t>> remaining, ScanCounters* counters)
      : state_(std::move(state)),
        split_(std::move(split)),
        projection_(std::move(projection)),
        fields_(std::move(fields)),
        filters_(std::move(filters)),
        remaining_(std::move(remaining)),
        counters_(counters) {}

  bool Next(Batch& out) override {
    if (done_) return false;
    if (remaining_ && remaining_->load() <= 0) {
      done_ = true;  // the pushed LIMIT is reached: do not decode this row group
      return false;
    }
    if (!loaded_) Load();
    if (offset_ >= rows_) {
      done_ = true;
      return false;
    }
    size_t n = std::min(kBatchSize, rows_ - offset_);
    if (remaining_ && !TakeFromRowBudget(*remaining_, n, done_)) return false;
    Batch batch;
    batch.columns.reserve(columns_.size());
    for (auto& v : columns_) {
      if (offset_ == 0 && n == rows_) {
        batch.columns.push_back(v);
      } else if (v.kind() == VectorKind::kDictionary) {
        auto indices = std::make_shared<Buffer>(n * sizeof(uint32_t));
        std::memcpy(indices->data(), v.indices() + offset_, n * sizeof(uint32_t));
        batch.columns.push_back(Vector::Dictionary(v.dictionary(), indices, n));
      } else {
        batch.columns.push_back(v.Slice(offset_, n));
      }
    }
    batch.count = n;
    offset_ += n;
    if (!counted_) counters_->rows_read += static_cast<int64_t>(n);
    out = std::move(batch);
    return true;
  }

 private:
  void Load() {
    loaded_ = true;
    const ParquetFileReader& file = *state_->files[split_->file];
    int rg = static_cast<int>(split_->row_group);
    rows_ = static_cast<size_t>(file.row_group(rg).num_rows);
    if (filters_.empty() || projection_.empty()) {
      columns_ = file.ReadRowGroup(rg, projection_, counters_, &fields_);
    } else {
      LoadFiltered(file, rg);
    }
  }

  // The filter columns first (pages that cannot match skipped with the page index), the filters
  // evaluated on their values, then the other columns only for the matching rows (pages without
  // any left undecoded). The engine still applies the filters to the rows returned.
  void LoadFiltered(const ParquetFileReader& file, int rg) {
    std::vector<int> filter_columns;
    for (const auto& f : filters_) {
      if (std::find(filter_columns.begin(), filter_columns.end(), f.column) == filter_columns.end())
        filter_columns.push_back(f.column);
    }
    ParquetFileReader::RowRanges kept;
    std::vector<Vector> fv =
        file.ReadRowGroupFiltered(rg, filter_columns, filters_, counters_, &kept);
    size_t m = fv.empty() ? 0 : fv[0].size();
    counters_->rows_read += static_cast<int64_t>(m);
    counted_ = true;
    std::vector<uint8_t> keep(m, 1);
    for (const auto& f : filters_) {
      size_t k = std::find(filter_columns.begin(), filter_columns.end(), f.column) -
                 filter_columns.begin();
      ApplyFilter(f, fv[k], keep.data());
    }
    // Positions in fv of the matching rows, and their row ranges in the row group.
    std::vector<uint32_t> sel;
    ParquetFileReader::RowRanges match;
    size_t pos = 0;
    for (const auto& [b, e] : kept) {
      for (int64_t r = b; r < e; r++, pos++) {
        if (!keep[pos]) continue;
        sel.push_back(static_cast<uint32_t>(pos));
        if (!match.empty() && match.back().second == r)
          match.back().second = r + 1;
        else
          match.push_back({r, r + 1});
      }
    }
    if (pos != m) throw Error(ErrorKind::kInternal, state_->fn + ": filtered rows out of step");
    rows_ = sel.size();
    if (sel.empty()) return;
    std::vector<int> others;
    for (int c : projection_) {
      if (std::find(filter_columns.begin(), filter_columns.end(), c) == filter_columns.end() &&
          std::find(others.begin(), others.end(), c) == others.end())
        others.push_back(c);
    }
    std::vector<Vector> ov;
    if (!others.empty()) ov = file.ReadRowGroupRows(rg, others, match, counters_, &fields_);
    if (sel.size() != m) {
      for (auto& v : fv) v = v.Gather(sel.data(), sel.size());
    }
    for (int c : projection_) {
      auto fi = std::find(filter_columns.begin(), filter_columns.end(), c);
      if (fi != filter_columns.end()) {
        columns_.push_back(fv[fi - filter_columns.begin()]);
      } else {
        columns_.push_back(ov[std::find(others.begin(), others.end(), c) - others.begin()]);
      }
    }
  }

  std::shared_ptr<const ParquetTableState> state_;
  std::shared_ptr<ParquetSplit> split_;
  std::vector<int> projection_;
  FieldSelection fields_;  // nested columns read only in part
  std::vector<RowGroupFilter> filters_;
  std::shared_ptr<std::atomic<int64_t>> remaining_;
  ScanCounters* counters_;
  std::vector<Vector> columns_;
  size_t rows_ = 0, offset_ = 0;
  bool loaded_ = false, done_ = false;
  bool counted_ = false;  // rows_read already counted (the rows decoded before filtering)
};

class ParquetScan : public FileScan {
 public:
  explicit ParquetScan(std::shared_ptr<const ParquetTableState> state)
      : FileScan(state->fn, state->paths, state->info), state_(std::move(state)) {}
  bool PushFilter(const Expr& conjunct) override {
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    for (const auto& c : state_->columns) {
      types.push_back(c.type);
      names.push_back(c.name);
    }
    TupleDomain d = ExtractConjunctDomain(conjunct, types).domain;
    if (d.IsAll()) return false;
    domain_ = domain_.Intersect(d);
    filters_ = RowGroupFilter::FromDomain(domain_, state_->columns);
    if (d.IsNone() || !RowGroupFilter::FromDomain(d, state_->columns).empty())
      pushed_.push_back(conjunct.ToString(&names));
    return false;  // used to skip row groups only; the engine still filters rows
  }
  void SetProjection(const std::vector<int>& column_ids) override {
    FileScan::SetProjection(column_ids);
    fields_.clear();
  }
  // Only the leaf chunks under the used fields of a STRUCT column are read.
  bool PushFieldProjection(int column, const std::vector<std::vector<int>>& fields) override {
    if (column < 0 || static_cast<size_t>(column) >= state_->columns.size() ||
        state_->columns[column].type.id != TypeId::kRow || fields.empty())
      return false;
    fields_[column] = fields;
    return true;
  }
  std::string Describe() const override {
    std::string s =
        DescribeFiles() + DescribeFieldProjection(state_->columns, projection(), fields_);
    for (const auto& p : pushed_) s += " skip-row-groups-unless " + p;
    return s + DescribeLimit();
  }
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override {
    std::vector<std::shared_ptr<Split>> splits;
    if (domain_.IsNone()) return splits;  // the filters contradict: no row passes
    for (size_t f = 0; f < state_->files.size(); f++) {
      const ParquetFileReader& file = *state_->files[f];
      for (int g = 0; g < file.row_group_count(); g++) {
        if (file.row_group(g).num_rows <= 0) continue;
        if (!file.RowGroupMayMatch(g, filters_)) {
          skipped_row_groups_++;
          continue;
        }
        auto s = std::make_shared<ParquetSplit>();
        s->file = f;
        s->row_group = g;
        s->path = file.path();
        splits.push_back(s);
      }
    }
    return splits;
  }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    return std::make_unique<ParquetDataSource>(state_, SplitAs<ParquetSplit>(split), projection(),
                                               fields_, filters_, RowBudget(), &counters_);
  }

 private:
  std::shared_ptr<const ParquetTableState> state_;
  TupleDomain domain_;                   // of the pushed filters
  std::vector<RowGroupFilter> filters_;  // its columns with statistics
  std::vector<std::string> pushed_;      // the conjuncts that constrain it
  FieldSelection fields_;                // ROW columns read only in part (PushFieldProjection)
  std::atomic<int64_t> skipped_row_groups_{0};
};

}  // namespace

std::shared_ptr<FileTable> ParquetFormat::Open(const std::string& fn,
                                               const std::vector<std::string>& files,
                                               const FileOptions& options,
                                               const std::string& schema_name,
                                               const std::string& table_name) {
  RequireFiles(files, fn);
  CheckKnownOptions(options, {"format"}, fn);
  auto state = std::make_shared<ParquetTableState>();
  state->fn = fn;
  double rows = 0;
  for (const auto& path : files) {
    std::shared_ptr<RandomAccessFile> file;
    try {
      file = FileSystemForPath(path)->OpenForRead(path);
    } catch (const Error& e) {
      std::string msg = e.what();
      if (msg.rfind("storage: ", 0) == 0) msg = msg.substr(9);
      throw Error(e.kind(), fn + ": " + msg);
    }
    state->files.push_back(ParquetFileReader::Open(std::move(file), fn));
    const ParquetFileReader& f = *state->files.back();
    state->paths.push_back(f.path());
    rows += static_cast<double>(f.num_rows());
    if (state->files.size() == 1) {
      for (const auto& c : f.columns()) {
        std::string comment = !c.unsupported.empty() ? c.unsupported : c.note;
        ColumnInfo info{c.name, c.type, c.nullable, comment};
        state->columns.push_back(info);
      }
    } else {
      const auto& first = state->files[0]->columns();
      const auto& cols = f.columns();
      bool same = first.size() == cols.size();
      for (size_t i = 0; same && i < first.size(); i++) {
        same = first[i].name == cols[i].name && first[i].type == cols[i].type;
      }
      if (!same) {
        throw Error(ErrorKind::kIo,
                    fn + ": " + path + " has different columns than " + files[0] +
                        " (all files of a glob must share the first file's columns)");
      }
    }
  }
  state->info = MakeFileTableInfo(files, schema_name, table_name, state->columns, rows);
  // Min/max of numeric columns over every row group's footer statistics, for the planner's
  // cardinality model (range selectivities, distinct-count bounds of integer keys).
  for (size_t c = 0; c < state->columns.size(); c++) {
    ColumnStatistics cs;
    bool known = state->columns[c].type.IsNumeric();
    for (const auto& f : state->files) {
      for (int g = 0; known && g < f->row_group_count(); g++) {
        auto range = f->ColumnRange(g, static_cast<int>(c));
        if (!range) {
          known = false;
        } else if (!range->all_null && !range->min.is_null() && !range->max.is_null()) {
          if (!cs.min || range->min.Compare(*cs.min) < 0) cs.min = range->min;
          if (!cs.max || range->max.Compare(*cs.max) > 0) cs.max = range->max;
        }
      }
    }
    if (!known) cs = ColumnStatistics{};
    state->info->stats.columns.push_back(std::move(cs));
  }
  return std::make_shared<SharedStateFileTable<ParquetScan, ParquetTableState>>(state);
}

}  // namespace aishell
