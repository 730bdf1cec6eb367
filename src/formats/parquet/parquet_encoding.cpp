#include "formats/parquet/parquet_encoding.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "common/exception.h"

namespace aishell::parquet {

namespace {

[[noreturn]] void Truncated(const char* what) {
  throw Error(ErrorKind::kIo, std::string("corrupt page: truncated ") + what);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Eight values of W bits from p (W bytes), reading at most p[W - 1 + 8).
template <int W>
inline void Unpack8(const uint8_t* p, uint32_t* out) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
#define AISHELL_UNPACK(k) \
  out[k] = static_cast<uint32_t>((Load64(p + ((k)*W) / 8) >> (((k)*W) % 8)) & kMask)
  AISHELL_UNPACK(0);
  AISHELL_UNPACK(1);
  AISHELL_UNPACK(2);
  AISHELL_UNPACK(3);
  AISHELL_UNPACK(4);
  AISHELL_UNPACK(5);
  AISHELL_UNPACK(6);
  AISHELL_UNPACK(7);
#undef AISHELL_UNPACK
}

template <int W>
void UnpackWidth(const uint8_t* data, size_t size, size_t count, uint32_t* out) {
  size_t i = 0;
  // Whole groups while an 8-byte load at the group's last value stays inside the buffer.
  if (size >= W + 8) {
    size_t groups = std::min(count / 8, (size - 8) / W);
    for (size_t g = 0; g < groups; g++) Unpack8<W>(data + g * W, out + g * 8);
    i = groups * 8;
  }
  for (; i < count; i++)
    out[i] = static_cast<uint32_t>(ReadBits(data, size, static_cast<uint64_t>(i) * W, W));
}

using UnpackFn = void (*)(const uint8_t*, size_t, size_t, uint32_t*);

template <size_t... Ws>
constexpr std::array<UnpackFn, sizeof...(Ws)> MakeUnpackTable(std::index_sequence<Ws...>) {
  return {&UnpackWidth<static_cast<int>(Ws) + 1>...};
}

constexpr auto kUnpack = MakeUnpackTable(std::make_index_sequence<32>());

}  // namespace

void UnpackBits(const uint8_t* data, size_t size, int bit_width, size_t count, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) {
    throw Error(ErrorKind::kIo, "corrupt page: bit width " + std::to_string(bit_width));
  }
  if (bit_width == 0) {
    std::fill(out, out + count, 0u);
    return;
  }
  if ((static_cast<uint64_t>(count) * bit_width + 7) / 8 > size) Truncated("bit-packed data");
  kUnpack[bit_width - 1](data, size, count, out);
}

int BitWidthOf(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    w++;
    max_value >>= 1;
  }
  return w;
}

uint64_t ReadUleb(const uint8_t* data, size_t size, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= size) Truncated("varint");
    uint8_t b = data[(*pos)++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw Error(ErrorKind::kIo, "corrupt page: varint too long");
}

uint64_t ReadBits(const uint8_t* data, size_t size, uint64_t bit_offset, int bit_width) {
  if (bit_width == 0) return 0;
  size_t byte = static_cast<size_t>(bit_offset >> 3);
  int shift = static_cast<int>(bit_offset & 7);
  if (bit_width <= 56 && byte + 8 <= size) {
    uint64_t word;
    std::memcpy(&word, data + byte, 8);
    return (word >> shift) & ((uint64_t{1} << bit_width) - 1);
  }
  // Slow path near the end of the buffer, and for widths above 56.
  uint64_t v = 0;
  int got = 0;
  while (got < bit_width) {
    if (byte >= size) Truncated("bit-packed data");
    uint64_t b = data[byte] >> shift;
    int avail = 8 - shift;
    v |= b << got;
    got += avail;
    byte++;
    shift = 0;
  }
  return bit_width == 64 ? v : v & ((uint64_t{1} << bit_width) - 1);
}

void DecodeRleHybrid(const uint8_t* data, size_t size, int bit_width, size_t count, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) {
    throw Error(ErrorKind::kIo, "corrupt page: RLE bit width " + std::to_string(bit_width));
  }
  size_t pos = 0, n = 0;
  while (n < count) {
    uint64_t header = ReadUleb(data, size, &pos);
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0 || groups > (uint64_t{1} << 32))
        throw Error(ErrorKind::kIo, "corrupt page: bad bit-packed run");
      uint64_t values = groups * 8;
      uint64_t bytes = groups * static_cast<uint64_t>(bit_width);
      // The last run may be cut short: only the values still needed must be present.
      size_t take = static_cast<size_t>(std::min<uint64_t>(values, count - n));
      uint64_t need_bits = static_cast<uint64_t>(take) * bit_width;
      if ((need_bits + 7) / 8 > size - pos) Truncated("bit-packed run");
      size_t avail = static_cast<size_t>(std::min<uint64_t>(bytes, size - pos));
      UnpackBits(data + pos, avail, bit_width, take, out + n);
      n += take;
      pos += avail;
    } else {
      uint64_t run = header >> 1;
      if (run == 0) throw Error(ErrorKind::kIo, "corrupt page: empty RLE run");
      size_t bytes = static_cast<size_t>((bit_width + 7) / 8);
      if (bytes > size - pos) Truncated("RLE run");
      uint32_t v = 0;
      for (size_t b = 0; b < bytes; b++) v |= static_cast<uint32_t>(data[pos + b]) << (8 * b);
      pos += bytes;
      if (bit_width < 32 && (v >> bit_width))
        throw Error(ErrorKind::kIo, "corrupt page: RLE value wider than its bit width");
      size_t take = static_cast<size_t>(std::min<uint64_t>(run, count - n));
      for (size_t i = 0; i < take; i++) out[n + i] = v;
      n += take;
    }
  }
}

size_t DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t count,
                               std::vector<int64_t>* out) {
  size_t pos = 0;
  uint64_t block_size = ReadUleb(data, size, &pos);
  uint64_t miniblocks = ReadUleb(data, size, &pos);
  uint64_t total = ReadUleb(data, size, &pos);
  uint64_t first_raw = ReadUleb(data, size, &pos);
  int64_t first = static_cast<int64_t>(first_raw >> 1) ^ -static_cast<int64_t>(first_raw & 1);
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    throw Error(ErrorKind::kIo, "corrupt DELTA_BINARY_PACKED header (block size " +
                                    std::to_string(block_size) + ", miniblocks " +
                                    std::to_string(miniblocks) + ")");
  }
  if (total < count || total > count + (uint64_t{1} << 20)) {
    throw Error(ErrorKind::kIo, "corrupt DELTA_BINARY_PACKED data: " + std::to_string(total) +
                                    " values where " + std::to_string(count) + " were expected");
  }
  uint64_t per_mini = block_size / miniblocks;
  out->resize(count);
  if (total == 0) return pos;
  uint64_t value = static_cast<uint64_t>(first);
  size_t n = 0;
  if (count) (*out)[n++] = first;
  uint64_t remaining = total - 1;  // values still encoded in blocks
  std::vector<uint8_t> widths(miniblocks);
  while (remaining > 0) {
    uint64_t min_raw = ReadUleb(data, size, &pos);
    uint64_t min_delta = static_cast<uint64_t>(static_cast<int64_t>(min_raw >> 1) ^
                                               -static_cast<int64_t>(min_raw & 1));
    if (miniblocks > size - pos) Truncated("DELTA_BINARY_PACKED bit widths");
    std::memcpy(widths.data(), data + pos, miniblocks);
    pos += miniblocks;
    for (uint64_t m = 0; m < miniblocks && remaining > 0; m++) {
      int w = widths[m];
      if (w > 64)
        throw Error(ErrorKind::kIo, "corrupt DELTA_BINARY_PACKED bit width " + std::to_string(w));
      uint64_t bytes = per_mini * w / 8;
      uint64_t take = std::min(per_mini, remaining);
      uint64_t need = (take * w + 7) / 8;
      if (need > size - pos) Truncated("DELTA_BINARY_PACKED miniblock");
      size_t avail = static_cast<size_t>(std::min<uint64_t>(bytes, size - pos));
      for (uint64_t i = 0; i < take; i++) {
        uint64_t delta = ReadBits(data + pos, avail, i * w, w);
        value += min_delta + delta;
        if (n < count) (*out)[n++] = static_cast<int64_t>(value);
      }
      remaining -= take;
      pos += avail;
    }
  }
  return pos;
}

}  // namespace aishell::parquet
