#include "formats/avro/avro_writer.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <random>

#include "common/exception.h"

namespace aishell::avro {

void AvroEncoder::WriteLong(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out_.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out_.push_back(static_cast<char>(z));
}

void AvroEncoder::WriteFloat(float v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only (x86-64, aarch64)
  out_.append(b, 4);
}

void AvroEncoder::WriteDouble(double v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out_.append(b, 8);
}

void AvroEncoder::WriteBytes(std::string_view v) {
  WriteLong(static_cast<int64_t>(v.size()));
  out_.append(v.data(), v.size());
}

const char* AvroCodecName(AvroCodec codec) {
  switch (codec) {
    case AvroCodec::kNull:
      return "null";
    case AvroCodec::kDeflate:
      return "deflate";
    case AvroCodec::kSnappy:
      return "snappy";
    case AvroCodec::kZstd:
      return "zstandard";
  }
  return "null";
}

std::string CompressAvroBlock(AvroCodec codec, std::string_view data) {
  switch (codec) {
    case AvroCodec::kNull:
      return std::string(data);
    case AvroCodec::kDeflate: {
      z_stream zs{};
      // Raw deflate (negative window bits): Avro's deflate codec has no zlib header.
      if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
          Z_OK) {
        throw Error(ErrorKind::kIo, "avro: deflateInit2 failed");
      }
      std::string out(deflateBound(&zs, data.size()), '\0');
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      zs.avail_in = static_cast<uInt>(data.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int rc = deflate(&zs, Z_FINISH);
      size_t n = zs.total_out;
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) throw Error(ErrorKind::kIo, "avro: deflate failed");
      out.resize(n);
      return out;
    }
    case AvroCodec::kSnappy: {
      std::string out;
      snappy::Compress(data.data(), data.size(), &out);
      uint32_t crc = static_cast<uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
      for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((crc >> shift) & 0xff));
      }
      return out;
    }
    case AvroCodec::kZstd: {
      std::string out(ZSTD_compressBound(data.size()), '\0');
      size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
      if (ZSTD_isError(n)) {
        throw Error(ErrorKind::kIo,
                    std::string("avro: zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      out.resize(n);
      return out;
    }
  }
  return std::string(data);
}

AvroFileWriter::AvroFileWriter(std::string schema_json, std::map<std::string, std::string> metadata,
                               AvroCodec codec, size_t block_bytes)
    : codec_(codec), block_bytes_(block_bytes) {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  for (int i = 0; i < 2; i++) {
    uint64_t r = gen();
    sync_.append(reinterpret_cast<const char*>(&r), 8);
  }
  metadata["avro.schema"] = std::move(schema_json);
  metadata["avro.codec"] = AvroCodecName(codec);
  AvroEncoder header;
  header.buffer().append("Obj\x01", 4);
  header.StartBlock(static_cast<int64_t>(metadata.size()));
  for (const auto& [k, v] : metadata) {
    header.WriteString(k);
    header.WriteBytes(v);
  }
  header.EndBlocks();
  header.WriteFixed(sync_);
  file_ = std::move(header.buffer());
}

void AvroFileWriter::EndRecord() {
  if (finished_) throw Error(ErrorKind::kInternal, "avro: record after Finish");
  block_records_++;
  total_records_++;
  if (block_.size() >= block_bytes_) FlushBlock();
}

void AvroFileWriter::FlushBlock() {
  if (block_records_ == 0) return;
  std::string data = CompressAvroBlock(codec_, block_.buffer());
  AvroEncoder head;
  head.WriteLong(block_records_);
  head.WriteLong(static_cast<int64_t>(data.size()));
  file_ += head.buffer();
  file_ += data;
  file_ += sync_;
  block_.clear();
  block_records_ = 0;
}

std::string AvroFileWriter::Finish() {
  if (finished_) throw Error(ErrorKind::kInternal, "avro: Finish called twice");
  FlushBlock();
  finished_ = true;
  return std::move(file_);
}

}  // namespace aishell::avro
