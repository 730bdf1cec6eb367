#include "formats/avro/avro_reader.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "common/exception.h"

namespace aishell::avro {
namespace {

// A minimal Avro encoder for the tests (the decoder's oracle is the Avro spec; pyiceberg-written
// files are covered by test/iceberg/read).
struct Encoder {
  std::string out;
  void Long(int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z & ~uint64_t{0x7f}) {
      out += static_cast<char>((z & 0x7f) | 0x80);
      z >>= 7;
    }
    out += static_cast<char>(z);
  }
  void Bytes(const std::string& s) {
    Long(static_cast<int64_t>(s.size()));
    out += s;
  }
  void Double(double d) { out.append(reinterpret_cast<const char*>(&d), 8); }
};

const char* kSchema = R"({
  "type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "path", "type": "string"},
    {"name": "score", "type": ["null", "double"]},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "counts", "type": {"type": "map", "values": "long"}},
    {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
    {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 4}},
    {"name": "nested", "type": ["null", {"type": "record", "name": "Inner",
        "fields": [{"name": "x", "type": "long"}]}]},
    {"name": "again", "type": ["null", "Inner"]}
  ]})";

std::string Records(int n) {
  Encoder e;
  for (int i = 0; i < n; i++) {
    e.Long(i);                             // status
    e.Bytes("file-" + std::to_string(i));  // path
    if (i % 2) {                           // score
      e.Long(0);
    } else {
      e.Long(1);
      e.Double(i * 0.5);
    }
    e.Long(2);  // tags: one block of 2
    e.Bytes("a");
    e.Bytes("b");
    e.Long(0);
    e.Long(-1);  // counts: a block with a byte size
    e.Long(3);
    e.Bytes("k");
    e.Long(i * 100);
    e.Long(0);
    e.Long(i % 2);    // kind
    e.out += "ABCD";  // id
    e.Long(1);        // nested: Inner
    e.Long(-i);
    e.Long(0);  // again: null
  }
  return e.out;
}

std::string Deflate(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Compress(const std::string& codec, const std::string& raw) {
  if (codec == "deflate") return Deflate(raw);
  if (codec == "snappy") {
    std::string out;
    snappy::Compress(raw.data(), raw.size(), &out);
    uint32_t crc = static_cast<uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uInt>(raw.size())));
    for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((crc >> s) & 0xff);
    return out;
  }
  if (codec == "zstandard") {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
  }
  return raw;
}

// A container file with the records split into two blocks.
std::string File(const std::string& codec, int n = 10) {
  Encoder e;
  e.out = std::string("Obj\x01", 4);
  e.Long(2);
  e.Bytes("avro.schema");
  e.Bytes(kSchema);
  e.Bytes("avro.codec");
  e.Bytes(codec);
  e.Long(0);
  std::string sync = "0123456789abcdef";
  e.out += sync;
  int first = n / 2;
  for (auto [from, count] : {std::pair{0, first}, std::pair{first, n - first}}) {
    std::string raw = Records(from + count).substr(Records(from).size());
    std::string block = Compress(codec, raw);
    e.Long(count);
    e.Long(static_cast<int64_t>(block.size()));
    e.out += block;
    e.out += sync;
  }
  return e.out;
}

class AvroCodecTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AvroCodecTest, DecodesEveryKind) {
  AvroFileReader reader(File(GetParam()), "test.avro");
  EXPECT_EQ(reader.codec(), GetParam());
  EXPECT_EQ(reader.schema().fields[0].field_id, 0);
  auto rows = reader.ReadAll();
  ASSERT_EQ(rows.size(), 10u);
  for (int i = 0; i < 10; i++) {
    const AvroValue& r = rows[static_cast<size_t>(i)];
    EXPECT_EQ(r.Find("status")->integer, i);
    EXPECT_EQ(r.Find("path")->bytes, "file-" + std::to_string(i));
    if (i % 2) {
      EXPECT_TRUE(r.Find("score")->is_null());
    } else {
      EXPECT_EQ(r.Find("score")->real, i * 0.5);
    }
    ASSERT_EQ(r.Find("tags")->items.size(), 2u);
    EXPECT_EQ(r.Find("tags")->items[1].bytes, "b");
    ASSERT_EQ(r.Find("counts")->keys.size(), 1u);
    EXPECT_EQ(r.Find("counts")->items[0].integer, i * 100);
    EXPECT_EQ(r.Find("kind")->bytes, i % 2 ? "B" : "A");
    EXPECT_EQ(r.Find("id")->bytes, "ABCD");
    EXPECT_EQ(r.Find("nested")->Find("x")->integer, -i);
    EXPECT_TRUE(r.Find("again")->is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvroCodecTest,
                         ::testing::Values("null", "deflate", "snappy", "zstandard"));

TEST(AvroReaderTest, ErrorsNameTheFile) {
  try {
    AvroFileReader reader("not avro at all", "s3://b/m.avro");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("s3://b/m.avro"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bad magic"), std::string::npos);
  }
  std::string file = File("deflate");
  std::string truncated = file.substr(0, file.size() - 30);
  AvroFileReader reader(truncated, "/w/m.avro");
  AvroValue v;
  try {
    while (reader.Next(&v)) {
    }
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/w/m.avro"), std::string::npos);
  }
  std::string bad_sync = File("null");
  bad_sync[bad_sync.size() - 1] ^= 1;
  AvroFileReader r2(bad_sync, "x.avro");
  EXPECT_THROW(r2.ReadAll(), Error);
  std::string bad_crc = File("snappy");
  // Flip the CRC of the last block (the 4 bytes before the final sync marker).
  bad_crc[bad_crc.size() - 17] ^= 1;
  AvroFileReader r3(bad_crc, "y.avro");
  EXPECT_THROW(r3.ReadAll(), Error);
}

TEST(AvroReaderTest, UnknownCodecIsUnsupported) {
  std::string f = File("null");
  auto pos = f.find("null", f.find("avro.codec"));
  f.replace(pos, 4, "lzma");
  try {
    AvroFileReader reader(f, "z.avro");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("lzma"), std::string::npos);
  }
}

// Found by test/fuzz/avro_fuzzer.cpp: a block count of INT64_MIN (in the header's metadata map or
// in an array) was negated (undefined behaviour) instead of refused.
TEST(AvroReaderTest, BlockCountOfInt64MinIsRefused) {
  Encoder header;
  header.out = std::string("Obj\x01", 4);
  header.Long(INT64_MIN);
  try {
    AvroFileReader reader(header.out, "m.avro");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("m.avro: corrupt Avro data: metadata block count"),
              std::string::npos)
        << e.what();
  }
  // An array<long> record field whose block count is INT64_MIN.
  Encoder f;
  f.out = std::string("Obj\x01", 4);
  f.Long(1);
  f.Bytes("avro.schema");
  f.Bytes(R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": {"type": "array",
      "items": "long"}}]})");
  f.Long(0);
  std::string sync(16, 'S');
  f.out += sync;
  Encoder records;
  records.Long(INT64_MIN);
  f.Long(1);
  f.Bytes(records.out);
  f.out += sync;
  AvroFileReader reader(f.out, "a.avro");
  try {
    reader.ReadAll();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.avro: corrupt Avro data: block count out of range"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace aishell::avro
