// Parquet file metadata (the footer and page headers), decoded from the Thrift compact protocol
// by a hand-written, bounds-checked decoder. Only the fields the reader uses are kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aishell::parquet {

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7
};

// ConvertedType values of parquet.thrift.
enum class ConvertedType : int32_t {
  kNone = -1,
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21
};

// The LogicalType union of parquet.thrift (field id of the set member).
enum class LogicalKind : int32_t {
  kNone = 0,
  kString = 1,
  kMap = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTime = 7,
  kTimestamp = 8,
  kInteger = 10,
  kUnknown = 11,
  kJson = 12,
  kBson = 13,
  kUuid = 14,
  kFloat16 = 15,
  kVariant = 16,
  kGeometry = 17,
  kGeography = 18,
  kOther = 99
};

enum class TimeUnit : int32_t { kMillis = 1, kMicros = 2, kNanos = 3 };

struct LogicalTypeInfo {
  LogicalKind kind = LogicalKind::kNone;
  int32_t scale = 0, precision = 0;   // DECIMAL
  bool adjusted_to_utc = false;       // TIME, TIMESTAMP
  TimeUnit unit = TimeUnit::kMicros;  // TIME, TIMESTAMP
  int32_t bit_width = 0;              // INTEGER
  bool is_signed = true;              // INTEGER
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

struct SchemaElement {
  std::optional<PhysicalType> type;  // unset for groups
  int32_t type_length = 0;
  Repetition repetition = Repetition::kRequired;
  bool has_repetition = false;
  std::string name;
  int32_t num_children = 0;
  ConvertedType converted_type = ConvertedType::kNone;
  int32_t scale = 0, precision = 0;
  int32_t field_id = -1;  // -1 when absent
  LogicalTypeInfo logical;
};

struct Statistics {
  std::optional<std::string> max, min;              // legacy (signed order only)
  std::optional<std::string> max_value, min_value;  // current
  std::optional<int64_t> null_count;
};

enum class Codec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kInt32;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  std::string file_path;
  bool has_meta = false;
  bool encrypted = false;
  ColumnMetaData meta;
  // The page index (ColumnIndex / OffsetIndex), when the writer wrote one.
  std::optional<int64_t> offset_index_offset, column_index_offset;
  int32_t offset_index_length = 0, column_index_length = 0;
};

// OffsetIndex: where each data page of a column chunk is and its first row.
struct PageLocation {
  int64_t offset = 0;                // of the page header, in the file
  int32_t compressed_page_size = 0;  // header included
  int64_t first_row_index = 0;       // within the row group
};

// ColumnIndex: per data page, whether it holds only NULLs and its min/max (plain-encoded).
struct ColumnIndex {
  std::vector<bool> null_pages;
  std::vector<std::string> min_values, max_values;
  std::vector<int64_t> null_counts;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;
  bool encrypted = false;  // has an encryption_algorithm
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  // DATA_PAGE / DATA_PAGE_V2 / DICTIONARY_PAGE
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  // DATA_PAGE_V2
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
  bool has_data_header = false;
  bool has_dictionary_header = false;
};

// Decoders. They throw Error(kIo, "<what>: <problem>") on malformed input and never read outside
// [data, data+size). `consumed` receives the bytes used.
FileMetaData DecodeFileMetaData(const uint8_t* data, size_t size);
PageHeader DecodePageHeader(const uint8_t* data, size_t size, size_t* consumed);
std::vector<PageLocation> DecodeOffsetIndex(const uint8_t* data, size_t size);
ColumnIndex DecodeColumnIndex(const uint8_t* data, size_t size);

}  // namespace aishell::parquet
