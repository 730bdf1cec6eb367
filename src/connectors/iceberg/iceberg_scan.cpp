// The Iceberg table scan: snapshot -> manifest list -> manifests -> data files, pruned by
// partition values (across spec evolution) and column statistics; splits per data file (or per
// row-group range of large files); Parquet row groups pruned by their statistics; columns
// mapped by field id; v2 position and equality deletes applied.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_set>

#include "catalog/predicate_domain.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/iceberg/iceberg_connector.h"
#include "connectors/iceberg/iceberg_transforms.h"
#include "expr/expression.h"
#include "formats/parquet/parquet_file_reader.h"

namespace aishell::iceberg {

namespace {

constexpr int kDeleteFilePathId = 2147483546;
constexpr int kDeletePosId = 2147483545;
constexpr int64_t kRowGroupSplitBytes = 64LL << 20;

struct PlannedDelete {
  ManifestEntry entry;
  const PartitionSpec* spec = nullptr;
};

struct PlannedFile {
  ManifestEntry entry;
  std::vector<std::shared_ptr<const PlannedDelete>> deletes;
};

struct ScanPlan {
  std::vector<PlannedFile> files;
  std::vector<std::shared_ptr<const PlannedDelete>> delete_files;
  int64_t manifests_total = 0, manifests_read = 0;
  int64_t files_total = 0;
  int64_t rows = 0;
};

struct IcebergSplit : Split {
  size_t file = 0;
  int rg_begin = 0, rg_end = -1;  // row-group range (-1: all)
  std::string path;
  std::string Describe() const override {
    return rg_end < 0 ? path
                      : path + " row groups " + std::to_string(rg_begin) + ".." +
                            std::to_string(rg_end - 1);
  }
};

// Caches of decoded delete files, shared by the splits of one scan.
struct DeleteCache {
  std::mutex mutex;
  // position deletes: delete file -> data file path -> sorted positions
  std::map<std::string, std::shared_ptr<std::map<std::string, std::vector<int64_t>>>> positions;
  struct Equality {
    std::vector<int> field_ids;
    std::unordered_set<std::string> keys;
  };
  std::map<std::string, std::shared_ptr<Equality>> equality;
};

std::string KeyPart(const Value& v) {
  if (v.is_null()) return std::string("\x01N", 2);
  if (v.type().IsNumeric() && v.type().id != TypeId::kDecimal) {
    if (v.type().id == TypeId::kDouble) return "d" + v.ToString();
    return "i" + std::to_string(v.GetInt64());
  }
  return "s" + v.ToString();
}

Value ConvertValue(const Value& v, const LogicalType& to) {
  if (v.is_null()) return Value::Null(to);
  if (v.type() == to) return v;
  switch (to.id) {
    case TypeId::kBigInt:
      if (v.type().IsIntegral()) return Value::BigInt(v.GetInt64());
      break;
    case TypeId::kInteger:
      if (v.type().IsIntegral()) return Value::Integer(static_cast<int32_t>(v.GetInt64()));
      break;
    case TypeId::kDouble:
      if (v.type().IsNumeric()) return Value::Double(v.AsDouble());
      break;
    case TypeId::kDecimal:
      if (v.type().id == TypeId::kDecimal) {
        int64_t u = v.GetInt64();
        for (int s = v.type().scale; s < to.scale; s++) u *= 10;
        return Value::Decimal(u, to.precision, to.scale);
      }
      if (v.type().IsIntegral()) {
        int64_t u = v.GetInt64();
        for (int s = 0; s < to.scale; s++) u *= 10;
        return Value::Decimal(u, to.precision, to.scale);
      }
      break;
    case TypeId::kTimestamp:
      if (v.type().id == TypeId::kTimestampTz) return Value::Timestamp(v.GetInt64());
      break;
    case TypeId::kTimestampTz:
      if (v.type().id == TypeId::kTimestamp) return Value::TimestampTz(v.GetInt64());
      break;
    case TypeId::kVarchar:
      return Value::Varchar(v.ToString());
    default:
      break;
  }
  throw Error(ErrorKind::kConversion,
              "cannot read a " + v.type().ToString() + " value as " + to.ToString());
}

Vector ConvertVector(const Vector& in, const LogicalType& to) {
  if (in.type() == to) return in;
  size_t n = in.size();
  Vector out(to, n);
  out.Resize(n);
  if (to.id == TypeId::kBigInt && in.type().id == TypeId::kInteger) {
    UnifiedView view = in.View();
    int64_t* dst = out.Data<int64_t>();
    for (size_t i = 0; i < n; i++) {
      if (!view.IsValid(i))
        out.SetNull(i);
      else
        dst[i] = view.Get<int32_t>(i);
    }
    return out;
  }
  for (size_t i = 0; i < n; i++) out.SetValue(i, ConvertValue(in.GetValue(i), to));
  return out;
}

// ---------------------------------------------------------------------------------------------

class IcebergScan;

class IcebergDataSource : public DataSource {
 public:
  IcebergDataSource(const IcebergScan* scan, std::shared_ptr<IcebergSplit> split)
      : scan_(scan), split_(std::move(split)) {}
  bool Next(Batch& out) override;

 private:
  void Open();
  bool LoadRowGroup();
  std::vector<int64_t> PositionDeletes();
  std::vector<std::shared_ptr<DeleteCache::Equality>> EqualityDeletes();

  const IcebergScan* scan_;
  std::shared_ptr<IcebergSplit> split_;
  bool opened_ = false;
  std::shared_ptr<parquet::ParquetFileReader> reader_;
  std::vector<int> file_columns_;       // unique file column indices to read
  std::vector<int> output_source_;      // per projected column: index into file_columns_, or -1
  std::vector<Value> output_constant_;  // per projected column when not in the file
  std::vector<int> eq_source_;          // per equality field id: index into file_columns_
  std::vector<parquet::RowGroupFilter> rg_filters_;
  std::vector<int64_t> deleted_positions_;  // sorted
  std::vector<std::shared_ptr<DeleteCache::Equality>> eq_deletes_;
  int next_rg_ = 0, end_rg_ = 0;
  Batch pending_;
  size_t pending_offset_ = 0;
};

class IcebergScan : public TableScan {
 public:
  explicit IcebergScan(std::shared_ptr<const IcebergTableState> state) : state_(std::move(state)) {
    for (size_t i = 0; i < state_->info->columns.size(); i++) {
      projection_.push_back(static_cast<int>(i));
    }
  }

  void SetProjection(const std::vector<int>& column_ids) override { projection_ = column_ids; }

  bool PushFilter(const Expr& conjunct) override {
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    for (const auto& c : state_->info->columns) {
      types.push_back(c.type);
      names.push_back(c.name);
    }
    TupleDomain d = ExtractConjunctDomain(conjunct, types).domain;
    if (!d.IsAll()) {
      std::lock_guard<std::mutex> lock(plan_mutex_);
      domain_ = domain_.Intersect(d);
      predicate_texts_.push_back(conjunct.ToString(&names));
      plan_.reset();  // an estimate may have planned without this predicate
    }
    return false;  // the engine re-applies every filter; pruning only skips whole files/groups
  }

  std::string Describe() const override {
    const ScanPlan& plan = Plan();
    std::string s = "iceberg " + state_->info->schema + (state_->info->schema.empty() ? "" : ".") +
                    state_->info->name;
    if (state_->snapshot_id)
      s += " snapshot " + std::to_string(*state_->snapshot_id);
    else
      s += " (no snapshot)";
    s += ": " + std::to_string(plan.files.size()) + " of " + std::to_string(plan.files_total) +
         " data files after pruning, " + std::to_string(plan.manifests_read) + " of " +
         std::to_string(plan.manifests_total) + " manifests read";
    if (!plan.delete_files.empty()) {
      int64_t pos = 0, eq = 0;
      for (const auto& d : plan.delete_files) {
        (d->entry.file.content == FileContent::kEqualityDeletes ? eq : pos)++;
      }
      s += ", delete files: " + std::to_string(pos) + " position, " + std::to_string(eq) +
           " equality";
    }
    if (!predicate_texts_.empty()) {
      s += "; pruning predicates: ";
      for (size_t i = 0; i < predicate_texts_.size(); i++) {
        s += (i ? " AND " : "") + predicate_texts_[i];
      }
    }
    return s;
  }

  double EstimatedRows() const override {
    const ScanPlan& plan = Plan();
    return static_cast<double>(plan.rows);
  }

  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    const ScanPlan& plan = Plan();
    std::vector<std::shared_ptr<Split>> splits;
    for (size_t i = 0; i < plan.files.size(); i++) {
      const DataFile& f = plan.files[i].entry.file;
      size_t groups = f.split_offsets.size();
      if (groups > 1 && f.file_size > kRowGroupSplitBytes) {
        // One split per range of row groups of about kRowGroupSplitBytes.
        int per = std::max<int>(1, static_cast<int>(groups * kRowGroupSplitBytes / f.file_size));
        for (int b = 0; b < static_cast<int>(groups); b += per) {
          auto s = std::make_shared<IcebergSplit>();
          s->file = i;
          s->path = f.path;
          s->rg_begin = b;
          s->rg_end = std::min(static_cast<int>(groups), b + per);
          splits.push_back(s);
        }
        continue;
      }
      auto s = std::make_shared<IcebergSplit>();
      s->file = i;
      s->path = f.path;
      splits.push_back(s);
    }
    (void)max_parallelism;
    return splits;
  }

  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    return std::make_unique<IcebergDataSource>(this, std::static_pointer_cast<IcebergSplit>(split));
  }

  // --- used by data sources ---
  const IcebergTableState& state() const { return *state_; }
  const std::vector<int>& projection() const { return projection_; }
  const TupleDomain& domain() const { return domain_; }
  const PlannedFile& file(size_t i) const { return Plan().files[i]; }
  DeleteCache& deletes() const { return delete_cache_; }
  ScanCounters& scan_counters() const { return const_cast<IcebergScan*>(this)->counters(); }

  std::string FileContext(const std::string& path) const {
    return state_->display_name + ": " + path;
  }

  std::shared_ptr<parquet::ParquetFileReader> OpenParquet(const std::string& path,
                                                          const std::string& format) const {
    if (!format.empty() && format != "PARQUET") {
      throw Error(ErrorKind::kUnsupported, state_->display_name + ": " + path + ": " + format +
                                               " data files are not supported (only Parquet)");
    }
    try {
      auto fs = FileSystemForPath(path, state_->storage);
      return parquet::ParquetFileReader::Open(fs->OpenForRead(path), state_->display_name);
    } catch (const Error& e) {
      std::string msg = e.what();
      if (msg.find(path) == std::string::npos)
        msg = state_->display_name + ": " + path + ": " + msg;
      else if (msg.find(state_->display_name) == std::string::npos) {
        msg = state_->display_name + ": " + msg;
      }
      throw Error(e.kind(), msg);
    }
  }

  // The file column holding field `field_id` (by Parquet field id, else by name mapping, else by
  // the column's name), or -1.
  int FindFileColumn(const parquet::ParquetFileReader& reader, int field_id,
                     const std::string& name) const {
    const auto& cols = reader.columns();
    bool has_ids = false;
    for (size_t i = 0; i < cols.size(); i++) {
      if (cols[i].field_id >= 0) has_ids = true;
      if (cols[i].field_id == field_id) return static_cast<int>(i);
    }
    if (has_ids) return -1;
    if (!state_->name_mapping.empty()) {
      for (size_t i = 0; i < cols.size(); i++) {
        auto it = state_->name_mapping.find(AsciiLower(cols[i].name));
        if (it != state_->name_mapping.end() && it->second == field_id) {
          return static_cast<int>(i);
        }
      }
      return -1;
    }
    // No ids and no mapping: the field's name, else a name it had in an older schema (renames).
    auto by_name = [&](const std::string& n) {
      for (size_t i = 0; i < cols.size(); i++) {
        if (AsciiLower(cols[i].name) == AsciiLower(n)) return static_cast<int>(i);
      }
      return -1;
    };
    int found = by_name(name);
    const auto& schemas = state_->metadata.schemas;
    for (size_t s = schemas.size(); found < 0 && s-- > 0;) {
      const IcebergField* f = schemas[s].FindById(field_id);
      if (f && f->name != name) {
        // Only if no current column owns that name.
        if (state_->schema.FindByName(f->name) == nullptr) found = by_name(f->name);
      }
    }
    return found;
  }

 private:
  // The field id of a TableInfo column.
  int FieldId(int column) const { return state_->schema.fields[static_cast<size_t>(column)].id; }

  // Whether a partition (or its summary range) may hold rows of the column domain `d`; lo/hi are
  // the partition field's value range (equal for one file), all_null says every value is null.
  bool PartitionMayMatch(const Domain& d, const PartitionField& pf, const IcebergType& source,
                         const std::optional<Value>& lo, const std::optional<Value>& hi,
                         bool may_have_null, bool all_null) const {
    TransformKind k = pf.transform.kind;
    if (k == TransformKind::kVoid || k == TransformKind::kUnknown) return true;
    if (may_have_null && d.null_allowed()) return true;  // every transform keeps NULL
    if (all_null) return false;
    if (k == TransformKind::kBucket) {
      // Only values can be hashed: x = c, x IN (...).
      auto points = d.PointValues();
      if (!points) return true;
      for (const auto& c : *points) {
        auto tc = ApplyTransform(pf.transform, source, c);
        if (!tc || Domain::Points({*tc}).Overlaps(lo, hi)) return true;
      }
      return false;
    }
    // Identity keeps the bounds; monotonic transforms weaken them: x < c implies T(x) <= T(c).
    bool identity = k == TransformKind::kIdentity;
    std::vector<ValueRange> ranges;
    for (const auto& r : d.ranges()) {
      ValueRange t;
      for (auto [from, to] : {std::pair{&r.low, &t.low}, std::pair{&r.high, &t.high}}) {
        if (!from->value) continue;
        auto tc = ApplyTransform(pf.transform, source, *from->value);
        if (!tc) return true;
        to->value = *tc;
        to->inclusive = identity ? from->inclusive : true;
      }
      ranges.push_back(std::move(t));
    }
    return Domain::Of(std::move(ranges), false).Overlaps(lo, hi);
  }

  bool ManifestMayMatch(const ManifestFile& mf) const {
    if (domain_.IsNone()) return false;
    const PartitionSpec* spec = state_->metadata.SpecById(mf.spec_id);
    if (!spec || mf.partitions.size() != spec->fields.size()) return true;
    for (const auto& [column, d] : domain_.domains()) {
      int field_id = FieldId(column);
      for (size_t i = 0; i < spec->fields.size(); i++) {
        const PartitionField& pf = spec->fields[i];
        if (pf.source_id != field_id) continue;
        auto st = state_->all_types.find(pf.source_id);
        if (st == state_->all_types.end()) continue;
        IcebergType rt = TransformResultType(pf.transform, st->second);
        const FieldSummary& fs = mf.partitions[i];
        std::optional<Value> lo, hi;
        if (fs.lower_bound) lo = DecodeBound(rt, *fs.lower_bound);
        if (fs.upper_bound) hi = DecodeBound(rt, *fs.upper_bound);
        if ((fs.lower_bound && !lo) || (fs.upper_bound && !hi)) continue;
        bool all_null = !fs.lower_bound && !fs.upper_bound && fs.contains_null;
        if (!fs.lower_bound && !fs.upper_bound && !fs.contains_null) continue;  // no info
        if (!PartitionMayMatch(d, pf, st->second, lo, hi, fs.contains_null, all_null)) {
          return false;
        }
      }
    }
    return true;
  }

  bool FileMayMatch(const DataFile& f) const {
    if (domain_.IsNone()) return false;
    const PartitionSpec* spec = state_->metadata.SpecById(f.spec_id);
    for (const auto& [column, d] : domain_.domains()) {
      int id = FieldId(column);
      // Partition values.
      if (spec && f.partition.size() == spec->fields.size()) {
        for (size_t i = 0; i < spec->fields.size(); i++) {
          const PartitionField& pf = spec->fields[i];
          if (pf.source_id != id) continue;
          auto st = state_->all_types.find(pf.source_id);
          if (st == state_->all_types.end()) continue;
          const Value& pv = f.partition[i];
          bool is_null = pv.is_null();
          std::optional<Value> v;
          if (!is_null) v = pv;
          if (!PartitionMayMatch(d, pf, st->second, v, v, is_null, is_null)) return false;
        }
      }
      // Column metrics.
      auto vc = f.value_counts.find(id);
      auto nc = f.null_value_counts.find(id);
      bool may_have_null = nc == f.null_value_counts.end() || nc->second != 0;
      if (d.null_allowed() && may_have_null) continue;
      if (d.ranges().empty()) return false;  // only NULL passes and the file has none
      bool all_null = vc != f.value_counts.end() && nc != f.null_value_counts.end() &&
                      vc->second == nc->second && vc->second > 0;
      // A column the file does not have reads as NULL (or its initial default).
      if (all_null) {
        const IcebergField* field = state_->schema.FindById(id);
        if (!field || !field->initial_default) return false;
      }
      auto tt = state_->all_types.find(id);
      if (tt == state_->all_types.end()) continue;
      const IcebergType& type = tt->second;
      if (type.id == IcebergTypeId::kFloat || type.id == IcebergTypeId::kDouble) {
        auto nan = f.nan_value_counts.find(id);
        if (nan == f.nan_value_counts.end() || nan->second != 0) continue;
      }
      std::optional<Value> lo, hi;
      if (auto it = f.lower_bounds.find(id); it != f.lower_bounds.end()) {
        lo = DecodeBound(type, it->second);
      }
      if (auto it = f.upper_bounds.find(id); it != f.upper_bounds.end()) {
        hi = DecodeBound(type, it->second);
      }
      if (!lo && !hi) continue;
      if (!d.Overlaps(lo, hi)) return false;
    }
    return true;
  }

  std::string ReadFile(const std::string& path, const char* what) const {
    try {
      return FileSystemForPath(path, state_->storage)->OpenForRead(path)->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo,
                  state_->display_name + ": cannot read " + what + " " + path + ": " + e.what());
    }
  }

  std::vector<ManifestFile> Manifests(const Snapshot& snap) const {
    if (!snap.manifest_list.empty()) {
      std::string bytes = ReadFile(snap.manifest_list, "manifest list");
      try {
        return ReadManifestList(bytes, snap.manifest_list);
      } catch (const Error& e) {
        throw Error(e.kind(), state_->display_name + ": " + e.what());
      }
    }
    std::vector<ManifestFile> out;
    for (const auto& m : snap.manifests) {
      ManifestFile mf;
      mf.path = m;
      mf.added_snapshot_id = snap.snapshot_id;
      out.push_back(mf);
    }
    return out;
  }

  const ScanPlan& Plan() const {
    std::lock_guard<std::mutex> lock(plan_mutex_);
    if (!plan_) plan_ = std::make_shared<ScanPlan>(BuildPlan());
    return *plan_;
  }

  // Manifest lists and manifests are read once per scan, however often it plans.
  const std::vector<ManifestFile>& CachedManifestList(const Snapshot& snap) const {
    if (!manifest_list_) manifest_list_ = Manifests(snap);
    return *manifest_list_;
  }
  const std::vector<ManifestEntry>& CachedManifest(const ManifestFile& mf,
                                                   const IcebergSchema& types) const {
    auto it = manifest_cache_.find(mf.path);
    if (it != manifest_cache_.end()) return it->second;
    std::string bytes = ReadFile(mf.path, "manifest");
    std::vector<ManifestEntry> entries;
    const PartitionSpec* spec = state_->metadata.SpecById(mf.spec_id);
    try {
      entries = ReadManifest(bytes, mf.path, mf, spec, &types);
    } catch (const Error& e) {
      throw Error(e.kind(), state_->display_name + ": " + e.what());
    }
    return manifest_cache_.emplace(mf.path, std::move(entries)).first->second;
  }

  ScanPlan BuildPlan() const {
    ScanPlan plan;
    if (!state_->snapshot_id) return plan;
    const Snapshot* snap = state_->metadata.SnapshotById(*state_->snapshot_id);
    if (!snap) return plan;
    // Partition values are typed by every schema's fields (a source column may be dropped).
    IcebergSchema types;
    types.all_types = state_->all_types;
    std::vector<PlannedFile> data;
    std::vector<std::shared_ptr<const PlannedDelete>> deletes;
    const auto& manifests = CachedManifestList(*snap);
    plan.manifests_total = static_cast<int64_t>(manifests.size());
    for (const auto& mf : manifests) {
      if (mf.content == 0) {
        plan.files_total += mf.added_files + mf.existing_files;
        if (!ManifestMayMatch(mf)) continue;
      }
      plan.manifests_read++;
      for (const auto& e : CachedManifest(mf, types)) {
        if (e.status == 2) continue;  // deleted
        if (e.file.content == FileContent::kData) {
          if (mf.added_files + mf.existing_files == 0 && mf.content == 0) plan.files_total++;
          if (!FileMayMatch(e.file)) continue;
          PlannedFile pf;
          pf.entry = e;
          data.push_back(std::move(pf));
        } else {
          auto d = std::make_shared<PlannedDelete>();
          d->spec = state_->metadata.SpecById(e.file.spec_id);
          d->entry = e;
          deletes.push_back(std::move(d));
        }
      }
    }
    // Attach delete files to the data files they apply to.
    for (auto& f : data) {
      const DataFile& df = f.entry.file;
      for (const auto& d : deletes) {
        const DataFile& del = d->entry.file;
        if (del.content == FileContent::kPositionDeletes) {
          if (d->entry.sequence_number < f.entry.sequence_number) continue;
          if (del.referenced_data_file && *del.referenced_data_file != df.path) continue;
          auto lo = del.lower_bounds.find(kDeleteFilePathId);
          auto hi = del.upper_bounds.find(kDeleteFilePathId);
          if (lo != del.lower_bounds.end() && df.path < lo->second) continue;
          if (hi != del.upper_bounds.end() && df.path > hi->second) continue;
        } else {
          if (d->entry.sequence_number <= f.entry.sequence_number) continue;
          bool global = !d->spec || d->spec->fields.empty();
          if (!global) {
            if (del.spec_id != df.spec_id || del.partition.size() != df.partition.size()) continue;
            bool same = true;
            for (size_t i = 0; i < del.partition.size() && same; i++) {
              same = del.partition[i] == df.partition[i];
            }
            if (!same) continue;
          }
        }
        f.deletes.push_back(d);
      }
      plan.rows += df.record_count;
    }
    if (plan.files_total < static_cast<int64_t>(data.size())) {
      plan.files_total = static_cast<int64_t>(data.size());
    }
    plan.files = std::move(data);
    plan.delete_files = std::move(deletes);
    return plan;
  }

  std::shared_ptr<const IcebergTableState> state_;
  std::vector<int> projection_;
  TupleDomain domain_;                        // of the pushed filters
  std::vector<std::string> predicate_texts_;  // the pushed filters that constrain it
  mutable std::mutex plan_mutex_;
  mutable std::shared_ptr<ScanPlan> plan_;
  mutable std::optional<std::vector<ManifestFile>> manifest_list_;
  mutable std::map<std::string, std::vector<ManifestEntry>> manifest_cache_;
  mutable DeleteCache delete_cache_;
};

// ---------------------------------------------------------------------------------------------

void IcebergDataSource::Open() {
  opened_ = true;
  const PlannedFile& pf = scan_->file(split_->file);
  const DataFile& df = pf.entry.file;
  reader_ = scan_->OpenParquet(df.path, df.format);
  const auto& fields = scan_->state().schema.fields;
  auto add_file_column = [&](int fc) {
    for (size_t i = 0; i < file_columns_.size(); i++) {
      if (file_columns_[i] == fc) return static_cast<int>(i);
    }
    file_columns_.push_back(fc);
    return static_cast<int>(file_columns_.size() - 1);
  };
  const PartitionSpec* spec = scan_->state().metadata.SpecById(df.spec_id);
  for (int col : scan_->projection()) {
    const IcebergField& field = fields[static_cast<size_t>(col)];
    int fc = scan_->FindFileColumn(*reader_, field.id, field.name);
    LogicalType type = EngineType(field.type);
    if (fc >= 0) {
      const auto& pc = reader_->columns()[static_cast<size_t>(fc)];
      if (!pc.unsupported.empty()) {
        throw Error(ErrorKind::kUnsupported, scan_->FileContext(df.path) + ": " + pc.unsupported);
      }
      output_source_.push_back(add_file_column(fc));
      output_constant_.emplace_back();
      continue;
    }
    // Not in the file: an identity partition value, the initial default, or NULL.
    Value v = Value::Null(type);
    bool found = false;
    if (spec && df.partition.size() == spec->fields.size()) {
      for (size_t i = 0; i < spec->fields.size(); i++) {
        if (spec->fields[i].source_id == field.id &&
            spec->fields[i].transform.kind == TransformKind::kIdentity) {
          v = ConvertValue(df.partition[i], type);
          found = true;
        }
      }
    }
    if (!found && field.initial_default) v = ConvertValue(*field.initial_default, type);
    output_source_.push_back(-1);
    output_constant_.push_back(v);
  }
  // Row-group filters over file columns.
  for (const auto& [column, d] : scan_->domain().domains()) {
    const IcebergField& field = fields[static_cast<size_t>(column)];
    int fc = scan_->FindFileColumn(*reader_, field.id, field.name);
    if (fc < 0) continue;
    if (auto f = parquet::RowGroupFilter::ForColumn(
            fc, reader_->columns()[static_cast<size_t>(fc)].type, d)) {
      rg_filters_.push_back(std::move(*f));
    }
  }
  // Deletes.
  deleted_positions_ = PositionDeletes();
  eq_deletes_ = EqualityDeletes();
  for (const auto& eq : eq_deletes_) {
    for (int id : eq->field_ids) {
      const IcebergField* field = nullptr;
      for (const auto& f : fields) {
        if (f.id == id) field = &f;
      }
      int fc = scan_->FindFileColumn(*reader_, id, field ? field->name : std::string());
      eq_source_.push_back(fc < 0 ? -1 : add_file_column(fc));
    }
  }
  next_rg_ = split_->rg_end < 0 ? 0 : split_->rg_begin;
  end_rg_ = split_->rg_end < 0 ? reader_->row_group_count()
                               : std::min(split_->rg_end, reader_->row_group_count());
}

std::vector<int64_t> IcebergDataSource::PositionDeletes() {
  const PlannedFile& pf = scan_->file(split_->file);
  std::vector<int64_t> out;
  for (const auto& d : pf.deletes) {
    const DataFile& del = d->entry.file;
    if (del.content != FileContent::kPositionDeletes) continue;
    DeleteCache& cache = scan_->deletes();
    std::shared_ptr<std::map<std::string, std::vector<int64_t>>> positions;
    {
      std::lock_guard<std::mutex> lock(cache.mutex);
      auto it = cache.positions.find(del.path);
      if (it != cache.positions.end()) positions = it->second;
    }
    if (!positions) {
      positions = std::make_shared<std::map<std::string, std::vector<int64_t>>>();
      auto reader = scan_->OpenParquet(del.path, del.format);
      int path_col = scan_->FindFileColumn(*reader, kDeleteFilePathId, "file_path");
      int pos_col = scan_->FindFileColumn(*reader, kDeletePosId, "pos");
      if (path_col < 0 || pos_col < 0) {
        throw Error(ErrorKind::kIo, scan_->FileContext(del.path) +
                                        ": position delete file without file_path and pos columns");
      }
      for (int rg = 0; rg < reader->row_group_count(); rg++) {
        auto cols = reader->ReadRowGroup(rg, {path_col, pos_col}, nullptr);
        for (size_t i = 0; i < cols[0].size(); i++) {
          Value p = cols[0].GetValue(i);
          Value pos = cols[1].GetValue(i);
          if (p.is_null() || pos.is_null()) continue;
          (*positions)[p.GetString()].push_back(pos.GetInt64());
        }
      }
      std::lock_guard<std::mutex> lock(cache.mutex);
      cache.positions[del.path] = positions;
    }
    auto it = positions->find(pf.entry.file.path);
    if (it != positions->end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::shared_ptr<DeleteCache::Equality>> IcebergDataSource::EqualityDeletes() {
  const PlannedFile& pf = scan_->file(split_->file);
  std::vector<std::shared_ptr<DeleteCache::Equality>> out;
  const auto& state = scan_->state();
  for (const auto& d : pf.deletes) {
    const DataFile& del = d->entry.file;
    if (del.content != FileContent::kEqualityDeletes) continue;
    DeleteCache& cache = scan_->deletes();
    std::shared_ptr<DeleteCache::Equality> eq;
    {
      std::lock_guard<std::mutex> lock(cache.mutex);
      auto it = cache.equality.find(del.path);
      if (it != cache.equality.end()) eq = it->second;
    }
    if (!eq) {
      eq = std::make_shared<DeleteCache::Equality>();
      eq->field_ids = del.equality_ids;
      if (eq->field_ids.empty()) {
        throw Error(ErrorKind::kIo,
                    scan_->FileContext(del.path) + ": equality delete file without equality_ids");
      }
      auto reader = scan_->OpenParquet(del.path, del.format);
      std::vector<int> cols;
      for (int id : eq->field_ids) {
        std::string name;
        for (const auto& s : state.metadata.schemas) {
          if (const IcebergField* f = s.FindById(id)) name = f->name;
        }
        int c = scan_->FindFileColumn(*reader, id, name);
        if (c < 0) {
          throw Error(ErrorKind::kIo, scan_->FileContext(del.path) +
                                          ": equality delete file lacks field id " +
                                          std::to_string(id));
        }
        cols.push_back(c);
      }
      for (int rg = 0; rg < reader->row_group_count(); rg++) {
        auto vecs = reader->ReadRowGroup(rg, cols, nullptr);
        size_t n = vecs.empty() ? 0 : vecs[0].size();
        for (size_t i = 0; i < n; i++) {
          std::string key;
          for (auto& v : vecs) key += KeyPart(v.GetValue(i)) + '\x1f';
          eq->keys.insert(std::move(key));
        }
      }
      std::lock_guard<std::mutex> lock(cache.mutex);
      cache.equality[del.path] = eq;
    }
    out.push_back(eq);
  }
  return out;
}

bool IcebergDataSource::LoadRowGroup() {
  const auto& fields = scan_->state().schema.fields;
  while (next_rg_ < end_rg_) {
    int rg = next_rg_++;
    const auto& info = reader_->row_group(rg);
    if (info.num_rows == 0) continue;
    if (!rg_filters_.empty() && !reader_->RowGroupMayMatch(rg, rg_filters_)) continue;
    size_t n = static_cast<size_t>(info.num_rows);
    std::vector<Vector> vecs;
    // With pushed filters, pages whose statistics exclude them are not decoded; `kept` says which
    // rows came back (for position deletes).
    parquet::ParquetFileReader::RowRanges kept;
    bool filtered = !rg_filters_.empty() && !file_columns_.empty();
    try {
      if (filtered) {
        vecs = reader_->ReadRowGroupFiltered(rg, file_columns_, rg_filters_,
                                             &scan_->scan_counters(), &kept);
        n = vecs.empty() ? 0 : vecs[0].size();
      } else {
        vecs = reader_->ReadRowGroup(rg, file_columns_, &scan_->scan_counters());
      }
    } catch (const Error& e) {
      std::string msg = e.what();
      if (msg.find(reader_->path()) == std::string::npos) {
        msg = scan_->FileContext(reader_->path()) + ": " + msg;
      }
      throw Error(e.kind(), msg);
    }
    if (n == 0) continue;
    Batch b;
    b.count = n;
    const auto& proj = scan_->projection();
    for (size_t i = 0; i < proj.size(); i++) {
      LogicalType type = EngineType(fields[static_cast<size_t>(proj[i])].type);
      if (output_source_[i] >= 0) {
        b.columns.push_back(ConvertVector(vecs[static_cast<size_t>(output_source_[i])], type));
      } else {
        b.columns.push_back(Vector::Constant(output_constant_[i], n));
      }
    }
    // Deletes.
    std::vector<uint32_t> keep;
    bool any_deleted = false;
    std::vector<uint8_t> deleted(n, 0);
    if (!deleted_positions_.empty()) {
      int64_t first = info.first_row;
      if (filtered && !kept.empty() &&
          !(kept.size() == 1 && kept[0].first == 0 && static_cast<size_t>(kept[0].second) == n)) {
        // Rows came back from the kept ranges only: map each to its file position.
        size_t r = 0;
        for (const auto& [begin, end] : kept) {
          for (int64_t p = begin; p < end && r < n; p++, r++) {
            if (std::binary_search(deleted_positions_.begin(), deleted_positions_.end(),
                                   first + p)) {
              deleted[r] = 1;
              any_deleted = true;
            }
          }
        }
      } else {
        auto it = std::lower_bound(deleted_positions_.begin(), deleted_positions_.end(), first);
        for (; it != deleted_positions_.end() && *it < first + static_cast<int64_t>(n); ++it) {
          deleted[static_cast<size_t>(*it - first)] = 1;
          any_deleted = true;
        }
      }
    }
    if (!eq_deletes_.empty()) {
      size_t k = 0;
      for (const auto& eq : eq_deletes_) {
        std::vector<const Vector*> cols;
        for (size_t j = 0; j < eq->field_ids.size(); j++) {
          int src = eq_source_[k + j];
          cols.push_back(src < 0 ? nullptr : &vecs[static_cast<size_t>(src)]);
        }
        k += eq->field_ids.size();
        for (size_t r = 0; r < n; r++) {
          if (deleted[r]) continue;
          std::string key;
          for (const Vector* c : cols) {
            key += (c ? KeyPart(c->GetValue(r)) : std::string("\x01N", 2)) + '\x1f';
          }
          if (eq->keys.count(key)) {
            deleted[r] = 1;
            any_deleted = true;
          }
        }
      }
    }
    if (any_deleted) {
      for (size_t r = 0; r < n; r++) {
        if (!deleted[r]) keep.push_back(static_cast<uint32_t>(r));
      }
      if (keep.empty()) continue;
      b = b.Gather(keep.data(), keep.size());
    }
    pending_ = std::move(b);
    pending_offset_ = 0;
    return true;
  }
  return false;
}

bool IcebergDataSource::Next(Batch& out) {
  if (!opened_) Open();
  while (pending_offset_ >= pending_.count) {
    if (!LoadRowGroup()) return false;
  }
  size_t n = std::min(kBatchSize, pending_.count - pending_offset_);
  if (pending_offset_ == 0 && n == pending_.count) {
    out = std::move(pending_);
    pending_ = Batch();
    pending_offset_ = 0;
  } else {
    out = pending_.Slice(pending_offset_, n);
    pending_offset_ += n;
  }
  scan_->scan_counters().rows_read += static_cast<int64_t>(out.count);
  return true;
}

}  // namespace

std::unique_ptr<TableScan> CreateIcebergScan(std::shared_ptr<const IcebergTableState> state) {
  return std::make_unique<IcebergScan>(std::move(state));
}

}  // namespace aishell::iceberg
