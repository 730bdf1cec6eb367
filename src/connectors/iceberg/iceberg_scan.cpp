// The Iceberg table scan: snapshot -> manifest list -> manifests -> data files, pruned by
// partition values (across spec evolution) and column statistics; splits per data file (or per
// row-group range of large files); Parquet row groups pruned by their statistics; columns
// mapped by field id; v2 position and equality deletes applied (iceberg_data_source.cpp reads).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_set>

#include "catalog/predicate_domain.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/iceberg/iceberg_connector.h"
#include "connectors/iceberg/iceberg_data_source.h"
#include "connectors/iceberg/iceberg_transforms.h"
#include "expr/expression.h"
#include "formats/parquet/parquet_file_reader.h"

namespace aishell::iceberg {

namespace {

constexpr int64_t kRowGroupSplitBytes = 64LL << 20;

class IcebergScan : public TableScan, public IcebergScanAccess {
 public:
  explicit IcebergScan(std::shared_ptr<const IcebergTableState> state) : state_(std::move(state)) {
    for (size_t i = 0; i < state_->info->columns.size(); i++) {
      projection_.push_back(static_cast<int>(i));
    }
  }

  void SetProjection(const std::vector<int>& column_ids) override {
    projection_ = column_ids;
    fields_.clear();
  }
  // The data files' Parquet readers read only the leaves under the used fields (matched by field
  // id in each file, as schema evolution matches them).
  bool PushFieldProjection(int column, const std::vector<std::vector<int>>& fields) override {
    if (column < 0 || static_cast<size_t>(column) >= state_->info->columns.size() ||
        state_->info->columns[static_cast<size_t>(column)].type.id != TypeId::kRow ||
        fields.empty())
      return false;
    fields_[column] = fields;
    return true;
  }
  const std::map<int, std::vector<std::vector<int>>>& field_projection() const override {
    return fields_;
  }

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
    if (!fields_.empty()) {
      s += "; struct fields read:";
      bool first = true;
      for (const auto& [c, paths] : fields_) {
        const ColumnInfo& info = state_->info->columns[static_cast<size_t>(c)];
        for (const auto& p : paths) {
          s += (first ? " " : ", ") + parquet::FieldPathName(info.name, info.type, p);
          first = false;
        }
      }
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
    return CreateIcebergDataSource(this, std::static_pointer_cast<IcebergSplit>(split));
  }

  // --- used by data sources ---
  const IcebergTableState& state() const override { return *state_; }
  const std::vector<int>& projection() const override { return projection_; }
  const TupleDomain& domain() const override { return domain_; }
  const PlannedFile& file(size_t i) const override { return Plan().files[i]; }
  DeleteCache& deletes() const override { return delete_cache_; }
  ScanCounters& scan_counters() const override {
    return const_cast<IcebergScan*>(this)->counters();
  }

  std::string FileContext(const std::string& path) const override {
    return state_->display_name + ": " + path;
  }

  std::shared_ptr<parquet::ParquetFileReader> OpenParquet(
      const std::string& path, const std::string& format) const override {
    if (!format.empty() && format != "PARQUET") {
      throw Error(ErrorKind::kUnsupported, state_->display_name + ": " + path + ": " + format +
                                               " data files are not supported (only Parquet)");
    }
    try {
      std::string at = state_->Resolve(path);
      auto fs = FileSystemForPath(at, state_->storage);
      return parquet::ParquetFileReader::Open(fs->OpenForRead(at), state_->display_name);
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
                     const std::string& name) const override {
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
      std::string at = state_->Resolve(path);
      return FileSystemForPath(at, state_->storage)->OpenForRead(at)->ReadAll();
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
  std::map<int, std::vector<std::vector<int>>> fields_;  // PushFieldProjection
  TupleDomain domain_;                                   // of the pushed filters
  std::vector<std::string> predicate_texts_;             // the pushed filters that constrain it
  mutable std::mutex plan_mutex_;
  mutable std::shared_ptr<ScanPlan> plan_;
  mutable std::optional<std::vector<ManifestFile>> manifest_list_;
  mutable std::map<std::string, std::vector<ManifestEntry>> manifest_cache_;
  mutable DeleteCache delete_cache_;
};

}  // namespace

std::unique_ptr<TableScan> CreateIcebergScan(std::shared_ptr<const IcebergTableState> state) {
  return std::make_unique<IcebergScan>(std::move(state));
}

}  // namespace aishell::iceberg
