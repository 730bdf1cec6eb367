// Page (de)compression for Parquet codecs, with Debian's libraries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "formats/parquet/parquet_metadata.h"

namespace aishell::parquet {

// Decompresses `size` bytes into exactly `out_size` bytes at `out`. Throws Error(kIo) on corrupt
// data and Error(kUnsupported, "unsupported: <codec> compression") for LZO.
void Decompress(Codec codec, const uint8_t* data, size_t size, uint8_t* out, size_t out_size);

// Compresses with SNAPPY, ZSTD or GZIP (UNCOMPRESSED copies).
std::string Compress(Codec codec, const uint8_t* data, size_t size);

const char* CodecName(Codec codec);

}  // namespace aishell::parquet
