// Parquet value and level encodings (decoding side), bounds-checked: every decoder throws
// Error(kIo) instead of reading past its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aishell::parquet {

// Reads `bit_width` bits (0..64) at `bit_offset` of an LSB-first bit-packed buffer of `size` bytes.
uint64_t ReadBits(const uint8_t* data, size_t size, uint64_t bit_offset, int bit_width);

// Unpacks `count` values of `bit_width` bits (0..32) from the start of an LSB-first bit-packed
// buffer of `size` bytes (which must hold at least ceil(count * bit_width / 8) bytes): groups of
// eight values at a time with the width a compile-time constant, the tail bounds-checked.
void UnpackBits(const uint8_t* data, size_t size, int bit_width, size_t count, uint32_t* out);

// The RLE / bit-packed hybrid encoding (levels, dictionary indices, RLE booleans).
// Decodes exactly `count` values into out[0..count); throws if the data ends early.
void DecodeRleHybrid(const uint8_t* data, size_t size, int bit_width, size_t count, uint32_t* out);

// DELTA_BINARY_PACKED: decodes `count` values (as 64-bit two's complement) and returns the bytes
// used. Throws if the encoded count is smaller than `count`.
size_t DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t count,
                               std::vector<int64_t>* out);

// Varint (ULEB128) with bounds; advances *pos.
uint64_t ReadUleb(const uint8_t* data, size_t size, size_t* pos);

// The number of bits needed for values 0..max_value.
int BitWidthOf(uint64_t max_value);

}  // namespace aishell::parquet
