// One Parquet file, opened through the storage layer: the public, lower-level API that table
// formats (Iceberg) build on. read_parquet() and the file catalog use it too.
//
//   auto file = FileSystemForPath(path, options)->OpenForRead(path);
//   auto reader = ParquetFileReader::Open(file, "iceberg demo.transactions");
//   for (int rg = 0; rg < reader->row_group_count(); rg++)
//     if (reader->RowGroupMayMatch(rg, filters))
//       auto columns = reader->ReadRowGroup(rg, {0, 3}, &counters);
//
// Only the byte ranges of the footer and of the projected column chunks are read, so a remote
// (S3) file costs a footer GET plus one ranged GET per chunk (issued in parallel).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/connector.h"
#include "common/types.h"
#include "common/vector.h"
#include "formats/parquet/parquet_stats.h"
#include "storage/file_system.h"

namespace aishell::parquet {

// One level of a nested column as read: one node per vector of the column's type (ARRAY: the
// element; MAP: key, value; ROW: the fields), with the Parquet field ids (Iceberg's column ids)
// of the schema elements they come from.
struct ParquetField {
  std::string name;
  int field_id = -1;
  LogicalType type;
  std::vector<ParquetField> children;
};

// A top-level column of the file, as the engine reads it.
struct ParquetColumn {
  std::string name;
  LogicalType type;
  int field_id = -1;                   // the Parquet field_id (Iceberg's column id), -1 when absent
  std::string unsupported;             // non-empty: reading this column fails with this message
  bool nullable = true;                // false for REQUIRED flat columns
  bool nested = false;                 // a LIST/MAP/STRUCT or repeated column (ARRAY, MAP or ROW)
  std::vector<ParquetField> children;  // nested: the element, key and value, or fields
  std::string note;  // how the column is read when not the obvious way (e.g. DECIMAL(38,2)
                     // as exact text), for DESCRIBE
};

struct ParquetRowGroupInfo {
  int64_t num_rows = 0;
  int64_t first_row = 0;  // file position of the row group's first row (for position deletes)
  int64_t compressed_bytes = 0;
};

// The ROW fields to read of some nested columns (ReadRowGroup's `fields`): column index (into
// columns()) -> the used fields, each a path of field indices through nested ROW types (r.addr.zip:
// {index of addr in r, index of zip in addr}; a path stops at an ARRAY or MAP, which is read
// whole). A listed column reads only the leaf chunks under those fields and keeps its type; its
// other fields come back NULL. Columns not listed are read whole.
using FieldSelection = std::map<int, std::vector<std::vector<int>>>;

// A field path as written in SQL: `r.addr.zip` for column r of `type` and path {addr, zip}.
std::string FieldPathName(const std::string& column, const LogicalType& type,
                          const std::vector<int>& path);
// " columns=[id, r.city]" for EXPLAIN: the projected columns, those of `fields` as their fields.
std::string DescribeFieldProjection(const std::vector<ColumnInfo>& columns,
                                    const std::vector<int>& projection,
                                    const FieldSelection& fields);

class ParquetFileReader {
 public:
  virtual ~ParquetFileReader() = default;

  // Reads and checks the footer. Errors are Error(kIo or kUnsupported) prefixed with
  // "<context>: <path>: ".
  static std::shared_ptr<ParquetFileReader> Open(std::shared_ptr<RandomAccessFile> file,
                                                 const std::string& context);

  virtual const std::string& path() const = 0;
  virtual const std::vector<ParquetColumn>& columns() const = 0;
  virtual int64_t num_rows() const = 0;
  virtual int row_group_count() const = 0;
  virtual const ParquetRowGroupInfo& row_group(int index) const = 0;

  // The usable [min, max] statistics of a top-level column in a row group, or nullopt.
  virtual std::optional<StatsRange> ColumnRange(int row_group, int column) const = 0;
  // False only when no row of the row group can satisfy every filter (filter columns index
  // columns()).
  virtual bool RowGroupMayMatch(int row_group, const std::vector<RowGroupFilter>& filters) const;

  // Decodes the given columns (indices into columns()) of one row group: one vector per column,
  // each with row_group(index).num_rows rows in file order (any vector form; dictionary-encoded
  // strings stay dictionary vectors). Adds to counters->bytes_read when counters is not null.
  // `fields` (when not null) narrows nested columns to some of their fields.
  virtual std::vector<Vector> ReadRowGroup(int row_group, const std::vector<int>& columns,
                                           ScanCounters* counters,
                                           const FieldSelection* fields = nullptr) const = 0;

  // Row ranges [begin, end) within a row group, sorted and disjoint.
  using RowRanges = std::vector<std::pair<int64_t, int64_t>>;
  // Like ReadRowGroup, but rows that cannot satisfy every filter may be left out: with the page
  // index (ColumnIndex/OffsetIndex) pages whose min/max exclude a filter are not decoded. Returns
  // vectors of equal length holding the kept rows in file order; `kept` (when not null) receives
  // the kept rows' ranges (row-group relative; add row_group(i).first_row for file positions).
  // The caller must still apply the filters to the rows returned.
  virtual std::vector<Vector> ReadRowGroupFiltered(int row_group, const std::vector<int>& columns,
                                                   const std::vector<RowGroupFilter>& filters,
                                                   ScanCounters* counters,
                                                   RowRanges* kept = nullptr,
                                                   const FieldSelection* fields = nullptr) const;

  // Decodes only the rows `rows` (row-group relative, sorted, disjoint) of the given columns:
  // vectors of equal length holding those rows in order. Data pages holding none of them are
  // not decoded (pages are located with the offset index, else by their headers).
  virtual std::vector<Vector> ReadRowGroupRows(int row_group, const std::vector<int>& columns,
                                               const RowRanges& rows, ScanCounters* counters,
                                               const FieldSelection* fields = nullptr) const;
};

// Data pages decoded by all readers of the process (tests compare it before and after a read).
int64_t DecodedPageCount();

}  // namespace aishell::parquet
