// Avro writing: the binary encoding of values and the object container file format (header
// with schema and metadata, blocks of records, sync markers), as the Avro 1.11 specification
// lays them out. Used for Iceberg manifests and manifest lists.
//
// Records are encoded by the caller, field by field in schema order, through AvroEncoder:
//   AvroFileWriter w(schema_json, {{"format-version", "2"}}, AvroCodec::kDeflate);
//   w.encoder().WriteLong(42); w.encoder().WriteString("x"); w.EndRecord();
//   std::string bytes = w.Finish();
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace aishell::avro {

// Appends Avro binary encodings to a byte string.
class AvroEncoder {
 public:
  void WriteNull() {}
  void WriteBoolean(bool v) { out_.push_back(v ? '\1' : '\0'); }
  void WriteInt(int32_t v) { WriteLong(v); }
  // zig-zag varint
  void WriteLong(int64_t v);
  void WriteFloat(float v);
  void WriteDouble(double v);
  // length-prefixed
  void WriteBytes(std::string_view v);
  void WriteString(std::string_view v) { WriteBytes(v); }
  // exactly the schema's size, no length
  void WriteFixed(std::string_view v) { out_.append(v.data(), v.size()); }
  // the branch of a union, then its value
  void WriteUnionIndex(int index) { WriteLong(index); }
  // Arrays and maps: one block of `count` items (written by the caller), then EndBlocks().
  // An empty array or map is just EndBlocks().
  void StartBlock(int64_t count) {
    if (count > 0) WriteLong(count);
  }
  void EndBlocks() { WriteLong(0); }
  // Convenience: an optional value as the union ["null", T] (null first, as Iceberg writes).
  void WriteNullBranch() { WriteUnionIndex(0); }

  std::string& buffer() { return out_; }
  const std::string& buffer() const { return out_; }
  size_t size() const { return out_.size(); }
  void clear() { out_.clear(); }

 private:
  std::string out_;
};

enum class AvroCodec { kNull, kDeflate, kSnappy, kZstd };
// "null", "deflate", "snappy", "zstandard" (the avro.codec metadata values).
const char* AvroCodecName(AvroCodec codec);

// One Avro object container file, built in memory.
class AvroFileWriter {
 public:
  // `schema_json` is the writer schema (stored as avro.schema); `metadata` adds key/values to
  // the header (Iceberg: schema, partition-spec, format-version, content, ...).
  AvroFileWriter(std::string schema_json, std::map<std::string, std::string> metadata = {},
                 AvroCodec codec = AvroCodec::kDeflate, size_t block_bytes = 1 << 20);

  // The encoder for the record being written.
  AvroEncoder& encoder() { return block_; }
  // Ends one record (its fields were written through encoder()).
  void EndRecord();
  // Flushes the last block; returns the whole file. The writer is done after this.
  std::string Finish();

  int64_t records() const { return total_records_; }

 private:
  void FlushBlock();

  std::string file_;
  std::string sync_;  // 16 bytes
  AvroEncoder block_;
  int64_t block_records_ = 0;
  int64_t total_records_ = 0;
  AvroCodec codec_;
  size_t block_bytes_;
  bool finished_ = false;
};

// Compresses one block's bytes with `codec` (deflate is raw RFC 1951, snappy carries the
// big-endian CRC32 of the uncompressed bytes after it, as the specification requires).
std::string CompressAvroBlock(AvroCodec codec, std::string_view data);

}  // namespace aishell::avro
