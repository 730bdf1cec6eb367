// The reading side of an Iceberg scan: a data source streams one split (a data file, or a range
// of its row groups) through the Parquet reader, mapping columns by field id, converting promoted
// types, skipping row groups by the scan's predicate domain and applying v2 position and equality
// deletes. What it needs of the scan that planned it is the small IcebergScanAccess interface.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/connector.h"
#include "catalog/predicate_domain.h"
#include "connectors/iceberg/iceberg_connector.h"
#include "connectors/iceberg/iceberg_metadata.h"
#include "formats/parquet/parquet_file_reader.h"

namespace aishell::iceberg {

// Field ids of a position delete file's columns (Iceberg spec: reserved ids).
inline constexpr int kDeleteFilePathId = 2147483546;
inline constexpr int kDeletePosId = 2147483545;

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

// What a data source reads through: the scan that planned its split.
class IcebergScanAccess {
 public:
  virtual ~IcebergScanAccess() = default;
  virtual const IcebergTableState& state() const = 0;
  virtual const std::vector<int>& projection() const = 0;
  // Struct columns read only in part (TableScan::PushFieldProjection): table column -> the used
  // fields, as paths of field indices into the table's current struct types.
  virtual const std::map<int, std::vector<std::vector<int>>>& field_projection() const = 0;
  virtual const TupleDomain& domain() const = 0;
  virtual const PlannedFile& file(size_t i) const = 0;
  virtual DeleteCache& deletes() const = 0;
  virtual ScanCounters& scan_counters() const = 0;
  // "<table>: <path>", for messages.
  virtual std::string FileContext(const std::string& path) const = 0;
  // Opens a Parquet data or delete file (other formats are refused), errors naming the table.
  virtual std::shared_ptr<parquet::ParquetFileReader> OpenParquet(
      const std::string& path, const std::string& format) const = 0;
  // The file column holding field `field_id` (by Parquet field id, else by name mapping, else by
  // the column's name), or -1.
  virtual int FindFileColumn(const parquet::ParquetFileReader& reader, int field_id,
                             const std::string& name) const = 0;
};

// Streams the rows of `split` (the scan's projected columns).
std::unique_ptr<DataSource> CreateIcebergDataSource(const IcebergScanAccess* scan,
                                                    std::shared_ptr<IcebergSplit> split);

// A value of an older schema's type as the table's current (promoted) type.
Value ConvertValue(const Value& v, const LogicalType& to);

}  // namespace aishell::iceberg
