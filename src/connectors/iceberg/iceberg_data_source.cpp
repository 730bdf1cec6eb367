#include "connectors/iceberg/iceberg_data_source.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/exception.h"
#include "common/strings.h"
#include "connectors/iceberg/iceberg_transforms.h"

namespace aishell::iceberg {

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
    case TypeId::kReal:
      if (v.type().IsNumeric()) return Value::Real(static_cast<float>(v.AsDouble()));
      break;
    case TypeId::kDecimal:
      if (v.type().id == TypeId::kDecimal || v.type().IsIntegral()) {
        Int128 u = v.GetInt128();
        int from_scale = v.type().id == TypeId::kDecimal ? v.type().scale : 0;
        for (int s = from_scale; s < to.scale; s++) u *= 10;
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

namespace {

std::string KeyPart(const Value& v) {
  if (v.is_null()) return std::string("\x01N", 2);
  if (v.type().IsNumeric() && v.type().id != TypeId::kDecimal) {
    if (v.type().IsFloating()) return "d" + Value::Double(v.AsDouble()).ToString();
    return "i" + std::to_string(v.GetInt64());
  }
  return "s" + v.ToString();
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

// A nested column read from a data file, in the table's current type: struct fields matched by
// field id (by name when the file has no ids), fields the file lacks read as NULL, leaves
// converted as ConvertVector does (int -> long, float -> double, wider decimals).
Vector AdaptNested(Vector in, const std::vector<parquet::ParquetField>& file,
                   const IcebergType& want) {
  LogicalType to = EngineType(want);
  if (!to.IsNested() || in.type().id != to.id) return ConvertVector(in, to);
  in.Flatten();
  size_t n = in.size();
  Vector out(to, std::max<size_t>(n, 1));
  out.Resize(n);
  if (n > 0) std::memcpy(out.RawData(), in.RawData(), n * to.PhysicalSize());
  for (size_t i = 0; i < n; i++) {
    if (!in.IsValid(i)) out.SetNull(i);
  }
  if (to.id != TypeId::kRow) {
    for (size_t k = 0; k < want.fields.size() && k < in.ChildCount(); k++) {
      static const std::vector<parquet::ParquetField> kNone;
      out.Child(k) =
          AdaptNested(in.child(k), k < file.size() ? file[k].children : kNone, want.fields[k].type);
    }
    return out;
  }
  bool has_ids = false;
  for (const auto& f : file) has_ids = has_ids || f.field_id >= 0;
  size_t child_rows = in.ChildCount() > 0 ? in.child(0).size() : 0;
  for (size_t k = 0; k < want.fields.size(); k++) {
    const IcebergField& field = want.fields[k];
    int found = -1;
    for (size_t j = 0; j < file.size() && j < in.ChildCount() && found < 0; j++) {
      if (has_ids ? file[j].field_id == field.id
                  : AsciiLower(file[j].name) == AsciiLower(field.name))
        found = static_cast<int>(j);
    }
    if (found >= 0) {
      out.Child(k) = AdaptNested(in.child(static_cast<size_t>(found)),
                                 file[static_cast<size_t>(found)].children, field.type);
      continue;
    }
    // A field the file does not have (added later): NULL in every row.
    Vector nulls(EngineType(field.type), std::max<size_t>(child_rows, 1));
    nulls.Resize(child_rows);
    for (size_t i = 0; i < child_rows; i++) nulls.SetNull(i);
    out.Child(k) = std::move(nulls);
  }
  return out;
}

// A path of field indices into the table's struct type `want`, as field indices into the data
// file's struct (`file`: its fields), matched as AdaptNested matches them. A field the file lacks
// ends the path (its parent is then read whole, which is always correct).
std::vector<int> FilePath(const std::vector<int>& path, const IcebergType& want,
                          const std::vector<parquet::ParquetField>& file) {
  std::vector<int> out;
  const IcebergType* w = &want;
  const std::vector<parquet::ParquetField>* f = &file;
  for (int k : path) {
    if (w->id != IcebergTypeId::kStruct || k < 0 || static_cast<size_t>(k) >= w->fields.size())
      break;
    const IcebergField& field = w->fields[static_cast<size_t>(k)];
    bool has_ids = false;
    for (const auto& x : *f) has_ids = has_ids || x.field_id >= 0;
    int found = -1;
    for (size_t j = 0; j < f->size() && found < 0; j++) {
      if (has_ids ? (*f)[j].field_id == field.id
                  : AsciiLower((*f)[j].name) == AsciiLower(field.name))
        found = static_cast<int>(j);
    }
    if (found < 0) break;
    out.push_back(found);
    w = &field.type;
    f = &(*f)[static_cast<size_t>(found)].children;
  }
  return out;
}

class IcebergDataSource : public DataSource {
 public:
  IcebergDataSource(const IcebergScanAccess* scan, std::shared_ptr<IcebergSplit> split)
      : scan_(scan), split_(std::move(split)) {}
  bool Next(Batch& out) override;

 private:
  void Open();
  bool LoadRowGroup();
  std::vector<int64_t> PositionDeletes();
  std::vector<std::shared_ptr<DeleteCache::Equality>> EqualityDeletes();

  const IcebergScanAccess* scan_;
  std::shared_ptr<IcebergSplit> split_;
  bool opened_ = false;
  std::shared_ptr<parquet::ParquetFileReader> reader_;
  std::vector<int> file_columns_;       // unique file column indices to read
  std::vector<int> output_source_;      // per projected column: index into file_columns_, or -1
  std::vector<Value> output_constant_;  // per projected column when not in the file
  std::vector<int> eq_source_;          // per equality field id: index into file_columns_
  std::vector<parquet::RowGroupFilter> rg_filters_;
  parquet::FieldSelection file_fields_;     // by file column: the struct fields read
  std::vector<int64_t> deleted_positions_;  // sorted
  std::vector<std::shared_ptr<DeleteCache::Equality>> eq_deletes_;
  int next_rg_ = 0, end_rg_ = 0;
  Batch pending_;
  size_t pending_offset_ = 0;
};

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
      auto used = scan_->field_projection().find(col);
      if (used != scan_->field_projection().end()) {
        for (const auto& path : used->second) {
          file_fields_[fc].push_back(FilePath(path, field.type, pc.children));
        }
      }
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
                                             &scan_->scan_counters(), &kept, &file_fields_);
        n = vecs.empty() ? 0 : vecs[0].size();
      } else {
        vecs = reader_->ReadRowGroup(rg, file_columns_, &scan_->scan_counters(), &file_fields_);
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
        const Vector& v = vecs[static_cast<size_t>(output_source_[i])];
        if (type.IsNested()) {
          int fc = file_columns_[static_cast<size_t>(output_source_[i])];
          b.columns.push_back(AdaptNested(v, reader_->columns()[static_cast<size_t>(fc)].children,
                                          fields[static_cast<size_t>(proj[i])].type));
        } else {
          b.columns.push_back(ConvertVector(v, type));
        }
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

std::unique_ptr<DataSource> CreateIcebergDataSource(const IcebergScanAccess* scan,
                                                    std::shared_ptr<IcebergSplit> split) {
  return std::make_unique<IcebergDataSource>(scan, std::move(split));
}

}  // namespace aishell::iceberg
