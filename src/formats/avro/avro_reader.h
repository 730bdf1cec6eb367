// Avro object container files (the format of Iceberg manifests and manifest lists): the header
// (magic, metadata map with avro.schema and avro.codec, sync marker), then blocks of records,
// each block compressed with the null, deflate, snappy or zstandard codec.
//
//   AvroFileReader reader(bytes, "s3://b/t/metadata/snap-1.avro");
//   AvroValue record;
//   while (reader.Next(&record)) { const AvroValue* v = record.Find("data_file"); ... }
//
// Records decode generically into a small value tree (AvroValue); unions resolve to the branch
// that was written. Errors are Error(kIo) starting with "<path>: ".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aishell::avro {

enum class AvroKind : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

const char* AvroKindName(AvroKind kind);

struct AvroSchema;

struct AvroField {
  std::string name;
  std::shared_ptr<AvroSchema> schema;
  int field_id = -1;  // Iceberg's "field-id" attribute, -1 when absent
};

struct AvroSchema {
  AvroKind kind = AvroKind::kNull;
  std::string name;          // records, enums, fixed
  std::string logical_type;  // "date", "decimal", "timestamp-micros", "map", ...
  int precision = 0, scale = 0;
  int fixed_size = 0;
  std::vector<AvroField> fields;                      // records
  std::vector<std::string> symbols;                   // enums
  std::shared_ptr<AvroSchema> items;                  // arrays; map values
  std::vector<std::shared_ptr<AvroSchema>> branches;  // unions
  int element_id = -1, key_id = -1, value_id = -1;    // Iceberg attributes

  // Index of a record field by name, or -1.
  int FieldIndex(const std::string& field_name) const;
};

// Parses an Avro schema (JSON). Throws Error(kIo, "<context>: ...") on a malformed schema.
std::shared_ptr<AvroSchema> ParseAvroSchema(const std::string& json, const std::string& context);

// One decoded datum. Unions are resolved: `kind` is the kind of the written branch (kNull for a
// null branch) and `schema` its schema.
struct AvroValue {
  AvroKind kind = AvroKind::kNull;
  const AvroSchema* schema = nullptr;
  bool boolean = false;
  int64_t integer = 0;            // int, long, enum index
  double real = 0;                // float, double
  std::string bytes;              // bytes, string, fixed, enum symbol
  std::vector<AvroValue> items;   // record fields (schema order), array items, map values
  std::vector<std::string> keys;  // map keys

  bool is_null() const { return kind == AvroKind::kNull; }
  // A record field by name, or nullptr (also when this is not a record).
  const AvroValue* Find(const std::string& field_name) const;
  // The value as an integer (int/long), or `fallback` when null or absent.
  int64_t AsInt(int64_t fallback = 0) const;
  std::string ToString() const;  // for debugging and messages
};

class AvroFileReader {
 public:
  // `data` is the whole file; `path` names it in errors.
  AvroFileReader(std::string data, std::string path);

  const AvroSchema& schema() const { return *schema_; }
  std::shared_ptr<AvroSchema> schema_ptr() const { return schema_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::string codec() const { return codec_; }
  const std::string& path() const { return path_; }

  // Decodes the next record into `out`; false at the end of the file.
  bool Next(AvroValue* out);
  std::vector<AvroValue> ReadAll();

 private:
  bool LoadBlock();
  [[noreturn]] void Fail(const std::string& message) const;

  std::string data_;
  std::string path_;
  size_t pos_ = 0;
  std::map<std::string, std::string> metadata_;
  std::shared_ptr<AvroSchema> schema_;
  std::string codec_;
  std::string sync_;
  std::string block_;  // the current block's decompressed records
  size_t block_pos_ = 0;
  int64_t block_remaining_ = 0;
};

}  // namespace aishell::avro
