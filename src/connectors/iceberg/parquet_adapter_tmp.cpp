// TEMPORARY: a stand-in for ParquetFileReader (formats/parquet/parquet_file_reader.h) until the
// `parquet` branch implements it; built on the existing read_parquet scan (local files only,
// no field ids, no statistics). Delete this file when merging `parquet`.
#include <cstring>

#include "common/exception.h"
#include "formats/parquet/parquet_file_reader.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"

namespace aishell::parquet {

namespace {

class AdapterReader : public ParquetFileReader {
 public:
  AdapterReader(std::shared_ptr<RandomAccessFile> file, const std::string& context)
      : path_(file->path()) {
    std::string local = StripFileScheme(path_);
    int64_t size = file->Size();
    if (size < 12) throw Error(ErrorKind::kIo, context + ": " + path_ + ": not a Parquet file");
    std::string tail = file->ReadRange(size - 8, 8);
    if (tail.substr(4) != "PAR1") {
      throw Error(ErrorKind::kIo, context + ": " + path_ + ": not a Parquet file (bad magic)");
    }
    uint32_t len;
    std::memcpy(&len, tail.data(), 4);
    if (len > size - 8) throw Error(ErrorKind::kIo, context + ": " + path_ + ": corrupt footer");
    std::string footer = file->ReadRange(size - 8 - len, len);
    FileMetaData meta =
        DecodeFileMetaData(reinterpret_cast<const uint8_t*>(footer.data()), footer.size());
    num_rows_ = meta.num_rows;
    int64_t first = 0;
    for (const auto& rg : meta.row_groups) {
      ParquetRowGroupInfo info;
      info.num_rows = rg.num_rows;
      info.first_row = first;
      info.compressed_bytes = rg.total_byte_size;
      first += rg.num_rows;
      groups_.push_back(info);
    }
    ParquetFormat format;
    try {
      table_ = format.Open(context, {local}, {}, "", "t");
    } catch (const Error& e) {
      throw Error(e.kind(), context + ": " + e.what());
    }
    for (const auto& c : table_->info()->columns) {
      ParquetColumn pc;
      pc.name = c.name;
      pc.type = c.type;
      columns_.push_back(pc);
    }
  }

  const std::string& path() const override { return path_; }
  const std::vector<ParquetColumn>& columns() const override { return columns_; }
  int64_t num_rows() const override { return num_rows_; }
  int row_group_count() const override { return static_cast<int>(groups_.size()); }
  const ParquetRowGroupInfo& row_group(int index) const override {
    return groups_[static_cast<size_t>(index)];
  }
  std::optional<StatsRange> ColumnRange(int, int) const override { return std::nullopt; }
  bool RowGroupMayMatch(int, const std::vector<RowGroupFilter>&) const override { return true; }

  std::vector<Vector> ReadRowGroup(int row_group, const std::vector<int>& cols,
                                   ScanCounters* counters) const override {
    std::vector<Vector> out;
    for (int c : cols) out.emplace_back(columns_[static_cast<size_t>(c)].type, 0);
    if (cols.empty()) return out;
    auto scan = table_->CreateScan();
    scan->SetProjection(cols);
    auto splits = scan->CreateSplits(1 << 20);
    if (static_cast<size_t>(row_group) >= splits.size()) return out;
    auto ds = scan->CreateDataSource(splits[static_cast<size_t>(row_group)]);
    Batch b;
    while (ds->Next(b)) {
      for (size_t i = 0; i < cols.size(); i++) out[i].Append(b.columns[i], 0, b.count);
    }
    if (counters) counters->bytes_read += groups_[static_cast<size_t>(row_group)].compressed_bytes;
    return out;
  }

 private:
  std::string path_;
  int64_t num_rows_ = 0;
  std::vector<ParquetRowGroupInfo> groups_;
  std::vector<ParquetColumn> columns_;
  std::shared_ptr<FileTable> table_;
};

}  // namespace

std::shared_ptr<ParquetFileReader> ParquetFileReader::Open(std::shared_ptr<RandomAccessFile> file,
                                                           const std::string& context) {
  return std::make_shared<AdapterReader>(std::move(file), context);
}

bool ParquetFileReader::RowGroupMayMatch(int, const std::vector<RowGroupFilter>&) const {
  return true;
}

}  // namespace aishell::parquet
