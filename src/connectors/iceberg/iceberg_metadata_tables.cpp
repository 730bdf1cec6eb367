// Metadata tables, with Trino's columns: "t$snapshots", "t$history", "t$files", "t$manifests",
// "t$partitions". Maps and rows render as text ({key=value, ...}).
#include <algorithm>
#include <set>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/iceberg/iceberg_connector.h"

namespace aishell::iceberg {

namespace {

using Row = std::vector<Value>;

std::string ReadAllFile(const IcebergTableState& st, const std::string& path, const char* what) {
  try {
    return FileSystemForPath(path, st.storage)->OpenForRead(path)->ReadAll();
  } catch (const Error& e) {
    throw Error(ErrorKind::kIo,
                st.display_name + ": cannot read " + what + " " + path + ": " + e.what());
  }
}

std::vector<ManifestFile> SnapshotManifests(const IcebergTableState& st) {
  std::vector<ManifestFile> out;
  if (!st.snapshot_id) return out;
  const Snapshot* snap = st.metadata.SnapshotById(*st.snapshot_id);
  if (!snap) return out;
  if (!snap->manifest_list.empty()) {
    try {
      return ReadManifestList(ReadAllFile(st, snap->manifest_list, "manifest list"),
                              snap->manifest_list);
    } catch (const Error& e) {
      throw Error(e.kind(), st.display_name + ": " + e.what());
    }
  }
  for (const auto& m : snap->manifests) {
    ManifestFile mf;
    mf.path = m;
    mf.added_snapshot_id = snap->snapshot_id;
    out.push_back(mf);
  }
  return out;
}

std::vector<ManifestEntry> LiveEntries(const IcebergTableState& st) {
  IcebergSchema types;
  types.all_types = st.all_types;
  std::vector<ManifestEntry> out;
  for (const auto& mf : SnapshotManifests(st)) {
    std::vector<ManifestEntry> entries;
    try {
      entries = ReadManifest(ReadAllFile(st, mf.path, "manifest"), mf.path, mf,
                             st.metadata.SpecById(mf.spec_id), &types);
    } catch (const Error& e) {
      throw Error(e.kind(), st.display_name + ": " + e.what());
    }
    for (auto& e : entries) {
      if (e.status != 2) out.push_back(std::move(e));
    }
  }
  return out;
}

std::string PartitionText(const IcebergTableState& st, const DataFile& f) {
  const PartitionSpec* spec = st.metadata.SpecById(f.spec_id);
  std::string s = "{";
  if (spec) {
    for (size_t i = 0; i < spec->fields.size() && i < f.partition.size(); i++) {
      const Value& v = f.partition[i];
      std::string text = v.is_null() ? "NULL" : v.ToString();
      if (!v.is_null() && spec->fields[i].transform.kind == TransformKind::kDay) {
        text = FormatDate(static_cast<int32_t>(v.GetInt64()));
      }
      s += (i ? ", " : "") + spec->fields[i].name + "=" + text;
    }
  }
  return s + "}";
}

std::string CountsText(const std::map<int, int64_t>& m) {
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    s += (first ? "" : ", ") + std::to_string(k) + "=" + std::to_string(v);
    first = false;
  }
  return s + "}";
}

std::string BoundsText(const IcebergTableState& st, const std::map<int, std::string>& m) {
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    auto t = st.all_types.find(k);
    std::optional<Value> val;
    if (t != st.all_types.end()) val = DecodeBound(t->second, v);
    s += (first ? "" : ", ") + std::to_string(k) + "=" +
         (val ? val->ToString() : "<" + std::to_string(v.size()) + " bytes>");
    first = false;
  }
  return s + "}";
}

std::string SummaryText(const std::map<std::string, std::string>& m) {
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    s += (first ? "" : ", ") + k + "=" + v;
    first = false;
  }
  return s + "}";
}

Value OptBigInt(const std::optional<int64_t>& v) {
  return v ? Value::BigInt(*v) : Value::Null(TypeId::kBigInt);
}

std::vector<ColumnInfo> Columns(const std::vector<std::pair<std::string, LogicalType>>& cols) {
  std::vector<ColumnInfo> out;
  for (const auto& [n, t] : cols) {
    ColumnInfo c;
    c.name = n;
    c.type = t;
    out.push_back(c);
  }
  return out;
}

bool IsPartitioned(const IcebergTableState& st) {
  for (const auto& s : st.metadata.specs) {
    if (!s.fields.empty()) return true;
  }
  return false;
}

std::vector<Row> BuildRows(const IcebergTableState& st, const std::string& kind) {
  std::vector<Row> rows;
  const TableMetadata& m = st.metadata;
  if (kind == "snapshots") {
    for (const auto& s : m.snapshots) {
      rows.push_back(
          {Value::TimestampTz(s.timestamp_ms * 1000), Value::BigInt(s.snapshot_id),
           OptBigInt(s.parent_id),
           s.operation().empty() ? Value::Null(TypeId::kVarchar) : Value::Varchar(s.operation()),
           Value::Varchar(s.manifest_list), Value::Varchar(SummaryText(s.summary))});
    }
  } else if (kind == "history") {
    std::set<int64_t> ancestors;
    for (const Snapshot* s = m.CurrentSnapshot(); s;
         s = s->parent_id ? m.SnapshotById(*s->parent_id) : nullptr) {
      if (!ancestors.insert(s->snapshot_id).second) break;
    }
    std::vector<std::pair<int64_t, int64_t>> log = m.snapshot_log;
    if (log.empty()) {
      for (const auto& s : m.snapshots) log.emplace_back(s.timestamp_ms, s.snapshot_id);
    }
    for (const auto& [ts, id] : log) {
      const Snapshot* s = m.SnapshotById(id);
      rows.push_back({Value::TimestampTz(ts * 1000), Value::BigInt(id),
                      s ? OptBigInt(s->parent_id) : Value::Null(TypeId::kBigInt),
                      Value::Boolean(ancestors.count(id) > 0)});
    }
  } else if (kind == "manifests") {
    for (const auto& mf : SnapshotManifests(st)) {
      std::string summaries = "[";
      for (size_t i = 0; i < mf.partitions.size(); i++) {
        const auto& p = mf.partitions[i];
        summaries += std::string(i ? ", " : "") +
                     "{contains_null=" + (p.contains_null ? "true" : "false") + "}";
      }
      summaries += "]";
      rows.push_back(
          {Value::Varchar(mf.path), Value::BigInt(mf.length), Value::Integer(mf.spec_id),
           Value::BigInt(mf.added_snapshot_id),
           Value::Integer(static_cast<int32_t>(mf.added_files)), Value::BigInt(mf.added_rows),
           Value::Integer(static_cast<int32_t>(mf.existing_files)), Value::BigInt(mf.existing_rows),
           Value::Integer(static_cast<int32_t>(mf.deleted_files)), Value::BigInt(mf.deleted_rows),
           Value::Varchar(summaries)});
    }
  } else if (kind == "files") {
    for (const auto& e : LiveEntries(st)) {
      const DataFile& f = e.file;
      std::string offsets = "[", eq = "[";
      for (size_t i = 0; i < f.split_offsets.size(); i++) {
        offsets += (i ? ", " : "") + std::to_string(f.split_offsets[i]);
      }
      for (size_t i = 0; i < f.equality_ids.size(); i++) {
        eq += (i ? ", " : "") + std::to_string(f.equality_ids[i]);
      }
      rows.push_back({Value::Integer(static_cast<int32_t>(f.content)), Value::Varchar(f.path),
                      Value::Varchar(f.format), Value::Integer(f.spec_id),
                      Value::Varchar(PartitionText(st, f)), Value::BigInt(f.record_count),
                      Value::BigInt(f.file_size), Value::Varchar(CountsText(f.value_counts)),
                      Value::Varchar(CountsText(f.null_value_counts)),
                      Value::Varchar(CountsText(f.nan_value_counts)),
                      Value::Varchar(BoundsText(st, f.lower_bounds)),
                      Value::Varchar(BoundsText(st, f.upper_bounds)), Value::Varchar(offsets + "]"),
                      Value::Varchar(eq + "]")});
    }
  } else if (kind == "partitions") {
    struct Agg {
      int64_t records = 0, files = 0, size = 0;
    };
    std::map<std::string, Agg> groups;
    for (const auto& e : LiveEntries(st)) {
      if (e.file.content != FileContent::kData) continue;
      Agg& a = groups[PartitionText(st, e.file)];
      a.records += e.file.record_count;
      a.files++;
      a.size += e.file.file_size;
    }
    bool partitioned = IsPartitioned(st);
    for (const auto& [p, a] : groups) {
      Row r;
      if (partitioned) r.push_back(Value::Varchar(p));
      r.push_back(Value::BigInt(a.records));
      r.push_back(Value::BigInt(a.files));
      r.push_back(Value::BigInt(a.size));
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

struct RowsSplit : Split {};

class RowsSource : public DataSource {
 public:
  RowsSource(std::shared_ptr<const std::vector<Row>> rows, std::vector<int> projection,
             std::vector<LogicalType> types)
      : rows_(std::move(rows)), projection_(std::move(projection)), types_(std::move(types)) {}
  bool Next(Batch& out) override {
    if (pos_ >= rows_->size()) return false;
    size_t n = std::min(kBatchSize, rows_->size() - pos_);
    out = Batch(types_, n);
    out.SetCount(n);
    for (size_t i = 0; i < n; i++) {
      const Row& r = (*rows_)[pos_ + i];
      for (size_t c = 0; c < projection_.size(); c++) {
        out.columns[c].SetValue(i, r[static_cast<size_t>(projection_[c])]);
      }
    }
    pos_ += n;
    return true;
  }

 private:
  std::shared_ptr<const std::vector<Row>> rows_;
  std::vector<int> projection_;
  std::vector<LogicalType> types_;
  size_t pos_ = 0;
};

class MetadataScan : public TableScan {
 public:
  MetadataScan(std::shared_ptr<const IcebergTableState> state, std::string kind,
               std::shared_ptr<const TableInfo> info)
      : state_(std::move(state)), kind_(std::move(kind)), info_(std::move(info)) {
    for (size_t i = 0; i < info_->columns.size(); i++) projection_.push_back(static_cast<int>(i));
  }
  void SetProjection(const std::vector<int>& ids) override { projection_ = ids; }
  std::string Describe() const override {
    return "iceberg metadata table " + info_->name + " (" + state_->metadata_location + ")";
  }
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override {
    return {std::make_shared<RowsSplit>()};
  }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override {
    auto rows = std::make_shared<std::vector<Row>>(BuildRows(*state_, kind_));
    std::vector<LogicalType> types;
    for (int c : projection_) types.push_back(info_->columns[static_cast<size_t>(c)].type);
    return std::make_unique<RowsSource>(rows, projection_, types);
  }

 private:
  std::shared_ptr<const IcebergTableState> state_;
  std::string kind_;
  std::shared_ptr<const TableInfo> info_;
  std::vector<int> projection_;
};

}  // namespace

std::shared_ptr<TableInfo> MetadataTableInfo(const IcebergTableState& state,
                                             const std::string& kind,
                                             const std::string& table_name) {
  auto info = std::make_shared<TableInfo>();
  info->schema = state.info->schema;
  info->name = table_name;
  info->location = state.metadata_location;
  const LogicalType tstz = TypeId::kTimestampTz, big = TypeId::kBigInt, str = TypeId::kVarchar,
                    i32 = TypeId::kInteger, boolean = TypeId::kBoolean;
  if (kind == "snapshots") {
    info->columns = Columns({{"committed_at", tstz},
                             {"snapshot_id", big},
                             {"parent_id", big},
                             {"operation", str},
                             {"manifest_list", str},
                             {"summary", str}});
  } else if (kind == "history") {
    info->columns = Columns({{"made_current_at", tstz},
                             {"snapshot_id", big},
                             {"parent_id", big},
                             {"is_current_ancestor", boolean}});
  } else if (kind == "manifests") {
    info->columns = Columns({{"path", str},
                             {"length", big},
                             {"partition_spec_id", i32},
                             {"added_snapshot_id", big},
                             {"added_data_files_count", i32},
                             {"added_rows_count", big},
                             {"existing_data_files_count", i32},
                             {"existing_rows_count", big},
                             {"deleted_data_files_count", i32},
                             {"deleted_rows_count", big},
                             {"partition_summaries", str}});
  } else if (kind == "files") {
    info->columns = Columns({{"content", i32},
                             {"file_path", str},
                             {"file_format", str},
                             {"spec_id", i32},
                             {"partition", str},
                             {"record_count", big},
                             {"file_size_in_bytes", big},
                             {"value_counts", str},
                             {"null_value_counts", str},
                             {"nan_value_counts", str},
                             {"lower_bounds", str},
                             {"upper_bounds", str},
                             {"split_offsets", str},
                             {"equality_ids", str}});
  } else {
    std::vector<std::pair<std::string, LogicalType>> cols;
    if (IsPartitioned(state)) cols.emplace_back("partition", str);
    cols.emplace_back("record_count", big);
    cols.emplace_back("file_count", big);
    cols.emplace_back("total_size", big);
    info->columns = Columns(cols);
  }
  return info;
}

std::unique_ptr<TableScan> CreateMetadataTableScan(std::shared_ptr<const IcebergTableState> state,
                                                   const std::string& kind,
                                                   std::shared_ptr<const TableInfo> info) {
  return std::make_unique<MetadataScan>(std::move(state), kind, std::move(info));
}

}  // namespace aishell::iceberg
