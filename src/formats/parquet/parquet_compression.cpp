#include "formats/parquet/parquet_compression.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "common/exception.h"

namespace aishell::parquet {

namespace {

[[noreturn]] void Corrupt(Codec codec, const std::string& what) {
  throw Error(ErrorKind::kIo, std::string("corrupt ") + CodecName(codec) + " page: " + what);
}

uint32_t LoadBigEndian32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

void Gunzip(const uint8_t* data, size_t size, uint8_t* out, size_t out_size) {
  size_t in_pos = 0, out_pos = 0;
  // Loops over concatenated gzip members.
  while (in_pos < size && out_pos < out_size) {
    z_stream zs;
    std::memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 32) != Z_OK) Corrupt(Codec::kGzip, "inflateInit failed");
    zs.next_in = const_cast<Bytef*>(data + in_pos);
    zs.avail_in = static_cast<uInt>(size - in_pos);
    zs.next_out = out + out_pos;
    zs.avail_out = static_cast<uInt>(out_size - out_pos);
    int rc = inflate(&zs, Z_FINISH);
    size_t used_in = (size - in_pos) - zs.avail_in;
    size_t produced = (out_size - out_pos) - zs.avail_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
      if (rc == Z_BUF_ERROR && zs.avail_out == 0)
        Corrupt(Codec::kGzip, "more data than the page size");
      Corrupt(Codec::kGzip, zs.msg ? zs.msg : "inflate failed");
    }
    if (used_in == 0) break;
    in_pos += used_in;
    out_pos += produced;
  }
  if (out_pos != out_size)
    Corrupt(Codec::kGzip, "decompressed to " + std::to_string(out_pos) + " bytes, expected " +
                              std::to_string(out_size));
}

bool TryHadoopLz4(const uint8_t* data, size_t size, uint8_t* out, size_t out_size) {
  size_t in_pos = 0, out_pos = 0;
  while (in_pos < size) {
    if (size - in_pos < 8) return false;
    uint32_t raw = LoadBigEndian32(data + in_pos);
    uint32_t comp = LoadBigEndian32(data + in_pos + 4);
    in_pos += 8;
    if (comp > size - in_pos || raw > out_size - out_pos) return false;
    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data + in_pos),
                                reinterpret_cast<char*>(out + out_pos), static_cast<int>(comp),
                                static_cast<int>(out_size - out_pos));
    if (n < 0 || static_cast<uint32_t>(n) != raw) return false;
    in_pos += comp;
    out_pos += raw;
  }
  return out_pos == out_size;
}

}  // namespace

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "unknown codec";
}

void Decompress(Codec codec, const uint8_t* data, size_t size, uint8_t* out, size_t out_size) {
  switch (codec) {
    case Codec::kUncompressed:
      if (size != out_size) Corrupt(codec, "size mismatch");
      if (size) std::memcpy(out, data, size);
      return;
    case Codec::kSnappy: {
      size_t n = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(data), size, &n) != SNAPPY_OK ||
          n != out_size) {
        Corrupt(codec, "bad length header");
      }
      // snappy_uncompress bounds-checks its input and output itself (corrupt data gives an error,
      // never an out-of-bounds access), so no separate validation pass.
      if (snappy_uncompress(reinterpret_cast<const char*>(data), size, reinterpret_cast<char*>(out),
                            &n) != SNAPPY_OK ||
          n != out_size) {
        Corrupt(codec, "invalid data");
      }
      return;
    }
    case Codec::kGzip:
      Gunzip(data, size, out, out_size);
      return;
    case Codec::kZstd: {
      size_t n = ZSTD_decompress(out, out_size, data, size);
      if (ZSTD_isError(n)) Corrupt(codec, ZSTD_getErrorName(n));
      if (n != out_size) Corrupt(codec, "size mismatch");
      return;
    }
    case Codec::kBrotli: {
      size_t n = out_size;
      if (BrotliDecoderDecompress(size, data, &n, out) != BROTLI_DECODER_RESULT_SUCCESS ||
          n != out_size) {
        Corrupt(codec, "invalid data");
      }
      return;
    }
    case Codec::kLz4Raw: {
      if (size > INT32_MAX || out_size > INT32_MAX) Corrupt(codec, "page too large");
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out),
                                  static_cast<int>(size), static_cast<int>(out_size));
      if (n < 0 || static_cast<size_t>(n) != out_size) Corrupt(codec, "invalid data");
      return;
    }
    case Codec::kLz4: {
      if (size > INT32_MAX || out_size > INT32_MAX) Corrupt(codec, "page too large");
      // Hadoop's framing first, then a raw LZ4 block (older writers).
      if (TryHadoopLz4(data, size, out, out_size)) return;
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(data), reinterpret_cast<char*>(out),
                                  static_cast<int>(size), static_cast<int>(out_size));
      if (n < 0 || static_cast<size_t>(n) != out_size) Corrupt(codec, "invalid data");
      return;
    }
    case Codec::kLzo:
      throw Error(ErrorKind::kUnsupported, "unsupported: LZO compression");
  }
  throw Error(ErrorKind::kUnsupported,
              "unsupported: compression codec " + std::to_string(static_cast<int>(codec)));
}

std::string Compress(Codec codec, const uint8_t* data, size_t size) {
  std::string out;
  switch (codec) {
    case Codec::kUncompressed:
      out.assign(reinterpret_cast<const char*>(data), size);
      return out;
    case Codec::kSnappy: {
      size_t n = snappy_max_compressed_length(size);
      out.resize(n);
      if (snappy_compress(reinterpret_cast<const char*>(data), size, out.data(), &n) != SNAPPY_OK) {
        throw Error(ErrorKind::kInternal, "snappy compression failed");
      }
      out.resize(n);
      return out;
    }
    case Codec::kZstd: {
      out.resize(ZSTD_compressBound(size));
      size_t n = ZSTD_compress(out.data(), out.size(), data, size, 3);
      if (ZSTD_isError(n))
        throw Error(ErrorKind::kInternal,
                    std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
    case Codec::kGzip: {
      z_stream zs;
      std::memset(&zs, 0, sizeof(zs));
      if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
          Z_OK) {
        throw Error(ErrorKind::kInternal, "gzip compression failed");
      }
      out.resize(deflateBound(&zs, size) + 32);
      zs.next_in = const_cast<Bytef*>(data);
      zs.avail_in = static_cast<uInt>(size);
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int rc = deflate(&zs, Z_FINISH);
      size_t n = out.size() - zs.avail_out;
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) throw Error(ErrorKind::kInternal, "gzip compression failed");
      out.resize(n);
      return out;
    }
    default:
      throw Error(ErrorKind::kUnsupported,
                  std::string("unsupported: writing ") + CodecName(codec) + " compression");
  }
}

}  // namespace aishell::parquet
