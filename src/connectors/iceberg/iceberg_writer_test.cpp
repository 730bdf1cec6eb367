#include "connectors/iceberg/iceberg_writer.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/iceberg/iceberg_metadata.h"
#include "formats/avro/avro_writer.h"
#include "formats/testing/file_test_util.h"
#include "storage/file_system.h"

namespace aishell::iceberg {
namespace {

using testing::TempDir;

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// A Hadoop-style catalog over a local warehouse directory, as the filesystem catalog lays it
// out (<warehouse>/<ns>/<table>/metadata/vN.metadata.json + version-hint.text); commits with
// FileSystem::WriteIfAbsent. `conflicts` makes the next commits lose the race.
class DirCatalog : public IcebergCatalog {
 public:
  explicit DirCatalog(std::string warehouse)
      : warehouse_(std::move(warehouse)), fs_(FileSystemForPath(warehouse_)) {}
  std::string Describe() const override { return "filesystem " + warehouse_; }
  std::vector<Namespace> ListNamespaces() override { return {}; }
  std::vector<TableIdentifier> ListTables(const Namespace&) override { return {}; }
  std::optional<LoadedTable> LoadTable(const TableIdentifier& id) override {
    std::string hint = TableDir(id) + "/metadata/version-hint.text";
    if (!fs_->Exists(hint)) return std::nullopt;
    std::string v = fs_->OpenForRead(hint)->ReadAll();
    LoadedTable t;
    t.metadata_location = TableDir(id) + "/metadata/v" + v + ".metadata.json";
    t.metadata_json = fs_->OpenForRead(t.metadata_location)->ReadAll();
    return t;
  }
  void CreateNamespace(const Namespace&) override {}
  std::string DefaultTableLocation(const TableIdentifier& id) override { return TableDir(id); }
  CommitResult CommitTable(const TableCommit& commit) override {
    commits++;
    last = commit;
    if (conflicts > 0) {
      conflicts--;
      return CommitResult::kConflict;
    }
    if (!fs_->WriteIfAbsent(commit.new_metadata_location, commit.new_metadata_json)) {
      return CommitResult::kConflict;
    }
    std::string name =
        commit.new_metadata_location.substr(commit.new_metadata_location.find_last_of('/') + 2);
    auto hint = fs_->OpenForWrite(TableDir(commit.id) + "/metadata/version-hint.text");
    hint->Append(name.substr(0, name.find('.')));
    hint->Close();
    return CommitResult::kCommitted;
  }
  const StorageOptions& storage() const override { return storage_; }

  int conflicts = 0;
  int commits = 0;
  TableCommit last;

 private:
  std::string TableDir(const TableIdentifier& id) const {
    std::string d = warehouse_;
    for (const auto& n : id.ns) d += "/" + n;
    return d + "/" + id.name;
  }
  std::string warehouse_;
  std::shared_ptr<FileSystem> fs_;
  StorageOptions storage_;
};

std::vector<ColumnInfo> TestColumns() {
  return {{"id", TypeId::kBigInt},        {"name", TypeId::kVarchar},
          {"category", TypeId::kVarchar}, {"qty", TypeId::kInteger},
          {"price", TypeId::kDouble},     {"amount", LogicalType(TypeId::kDecimal, 9, 2)},
          {"day", TypeId::kDate},         {"ts", TypeId::kTimestamp},
          {"flag", TypeId::kBoolean}};
}

// Deterministic rows [lo, hi): nulls every 7th row (not in id).
Batch TestBatch(int lo, int hi) {
  auto columns = TestColumns();
  std::vector<LogicalType> types;
  for (const auto& c : columns) types.push_back(c.type);
  Batch b(types, static_cast<size_t>(hi - lo));
  b.SetCount(static_cast<size_t>(hi - lo));
  const char* cats[] = {"alpha", "beta", "gamma", "delta"};
  for (int k = lo; k < hi; k++) {
    size_t r = static_cast<size_t>(k - lo);
    bool null = k % 7 == 3;
    b.columns[0].SetValue(r, Value::BigInt(k));
    b.columns[1].SetValue(
        r, null ? Value::Null(TypeId::kVarchar) : Value::Varchar("name-" + std::to_string(k % 13)));
    b.columns[2].SetValue(
        r, k % 11 == 5 ? Value::Null(TypeId::kVarchar) : Value::Varchar(cats[k % 4]));
    b.columns[3].SetValue(r, null ? Value::Null(TypeId::kInteger) : Value::Integer(k % 5 - 2));
    b.columns[4].SetValue(r, null ? Value::Null(TypeId::kDouble) : Value::Double(k * 0.5 - 3));
    b.columns[5].SetValue(r, null ? Value::Null(LogicalType(TypeId::kDecimal, 9, 2))
                                  : Value::Decimal(k * 1234 - 50000, 9, 2));
    int32_t day = DaysFromCivil(2024, 1, 1) + k % 45;
    b.columns[6].SetValue(r, k % 17 == 9 ? Value::Null(TypeId::kDate) : Value::Date(day));
    b.columns[7].SetValue(r, Value::Timestamp(static_cast<int64_t>(day) * 86400000000LL +
                                              static_cast<int64_t>(k % 24) * 3600000000LL));
    b.columns[8].SetValue(r, Value::Boolean(k % 3 == 0));
  }
  return b;
}

void WriteTable(const std::shared_ptr<IcebergCatalog>& catalog, const std::string& name,
                std::vector<PartitionRequest> partition_by, int rows,
                avro::AvroCodec codec = avro::AvroCodec::kDeflate) {
  IcebergWriteOptions options;
  options.partition_by = std::move(partition_by);
  options.manifest_codec = codec;
  auto w = CreateIcebergTableWriter(catalog, TableIdentifier{{"db"}, name}, TestColumns(), options);
  for (int lo = 0; lo < rows; lo += 100) w->Append(TestBatch(lo, std::min(rows, lo + 100)));
  w->Commit();
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().string().substr(dir.size() + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A decoder for manifest lists in the v2 layout (this writer's and pyiceberg's field order),
// null or deflate codec: stands in for the read path's ReadManifestList in these tests.
struct AvroCursor {
  const std::string& s;
  size_t pos = 0;
  int64_t Long() {
    uint64_t z = 0;
    int shift = 0;
    for (;;) {
      uint8_t b = static_cast<uint8_t>(s.at(pos++));
      z |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  std::string Bytes() {
    int64_t n = Long();
    std::string out = s.substr(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return out;
  }
};

std::vector<ManifestListEntry> TestReadManifestList(const std::string& path,
                                                    const StorageOptions&) {
  std::string file = FileSystemForPath(path)->OpenForRead(path)->ReadAll();
  AvroCursor c{file, 4};
  std::string codec = "null";
  for (int64_t n = c.Long(); n != 0; n = c.Long()) {
    if (n < 0) {
      n = -n;
      c.Long();
    }
    for (int64_t i = 0; i < n; i++) {
      std::string k = c.Bytes(), v = c.Bytes();
      if (k == "avro.codec") codec = v;
    }
  }
  c.pos += 16;
  std::vector<ManifestListEntry> out;
  while (c.pos < file.size()) {
    int64_t count = c.Long();
    std::string data = c.Bytes();
    c.pos += 16;
    if (codec == "deflate") {
      std::string raw(data.size() * 20 + 1024, '\0');
      z_stream zs{};
      inflateInit2(&zs, -15);
      zs.next_in = reinterpret_cast<Bytef*>(data.data());
      zs.avail_in = static_cast<uInt>(data.size());
      zs.next_out = reinterpret_cast<Bytef*>(raw.data());
      zs.avail_out = static_cast<uInt>(raw.size());
      EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
      raw.resize(zs.total_out);
      inflateEnd(&zs);
      data = raw;
    }
    AvroCursor r{data};
    for (int64_t i = 0; i < count; i++) {
      ManifestListEntry m;
      m.path = r.Bytes();
      m.length = r.Long();
      m.spec_id = static_cast<int>(r.Long());
      m.content = static_cast<int>(r.Long());
      m.sequence_number = r.Long();
      m.min_sequence_number = r.Long();
      m.added_snapshot_id = r.Long();
      m.added_files = static_cast<int>(r.Long());
      m.existing_files = static_cast<int>(r.Long());
      m.deleted_files = static_cast<int>(r.Long());
      m.added_rows = r.Long();
      m.existing_rows = r.Long();
      m.deleted_rows = r.Long();
      if (r.Long() == 1) {
        for (int64_t n = r.Long(); n != 0; n = r.Long()) {
          if (n < 0) {
            n = -n;
            r.Long();
          }
          for (int64_t k = 0; k < n; k++) {
            ManifestListEntry::Summary sum;
            sum.contains_null = r.s.at(r.pos++) != 0;
            if (r.Long() == 1) r.pos++;  // contains_nan
            if (r.Long() == 1) sum.lower = r.Bytes();
            if (r.Long() == 1) sum.upper = r.Bytes();
            m.partitions.push_back(sum);
          }
        }
      }
      if (r.Long() == 1) r.Bytes();  // key_metadata
      out.push_back(std::move(m));
    }
  }
  return out;
}

void AppendRows(const std::shared_ptr<IcebergCatalog>& catalog, const std::string& name, int lo,
                int hi) {
  auto w = CreateIcebergAppendWriter(catalog, TableIdentifier{{"db"}, name}, TestColumns(),
                                     TestReadManifestList);
  for (int k = lo; k < hi; k += 100) w->Append(TestBatch(k, std::min(hi, k + 100)));
  w->Commit();
}

TEST(AvroWriter, EncodesZigZagVarints) {
  avro::AvroEncoder e;
  for (int64_t v : {0LL, -1LL, 1LL, -64LL, 64LL}) e.WriteLong(v);
  EXPECT_EQ(Hex(e.buffer()), "0001027f8001");
  e.clear();
  e.WriteLong(INT64_MIN);
  EXPECT_EQ(Hex(e.buffer()), "ffffffffffffffffff01");
  e.clear();
  e.WriteString("ab");
  e.WriteBoolean(true);
  e.WriteDouble(1.0);
  EXPECT_EQ(Hex(e.buffer()), "04616201000000000000f03f");
}

TEST(AvroWriter, ContainerFileHasHeaderBlocksAndSyncMarkers) {
  for (auto codec : {avro::AvroCodec::kNull, avro::AvroCodec::kDeflate}) {
    avro::AvroFileWriter w(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"x\","
        "\"type\":\"long\"}]}",
        {{"k", "v"}}, codec, 16);
    for (int i = 0; i < 50; i++) {
      w.encoder().WriteLong(i);
      w.EndRecord();
    }
    std::string f = w.Finish();
    ASSERT_EQ(f.substr(0, 4), std::string("Obj\x01", 4));
    EXPECT_NE(f.find("avro.schema"), std::string::npos);
    EXPECT_NE(f.find(avro::AvroCodecName(codec)), std::string::npos);
    // The sync marker closes the header and every block.
    std::string sync = f.substr(f.size() - 16);  // every block ends with it
    size_t count = 0;
    for (size_t pos = f.find(sync); pos != std::string::npos; pos = f.find(sync, pos + 1)) count++;
    EXPECT_GE(count, 3u);
  }
  // Deflate blocks are raw RFC 1951 streams.
  std::string data(1000, 'a');
  std::string z = avro::CompressAvroBlock(avro::AvroCodec::kDeflate, data);
  std::string back(2000, '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, -15), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(z.data());
  zs.avail_in = static_cast<uInt>(z.size());
  zs.next_out = reinterpret_cast<Bytef*>(back.data());
  zs.avail_out = static_cast<uInt>(back.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(zs.total_out, 1000u);
  inflateEnd(&zs);
  // Snappy blocks end with the big-endian CRC32 of the uncompressed bytes.
  std::string s = avro::CompressAvroBlock(avro::AvroCodec::kSnappy, "hello");
  uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>("hello"), 5));
  EXPECT_EQ(static_cast<unsigned char>(s[s.size() - 1]), crc & 0xff);
  EXPECT_EQ(static_cast<unsigned char>(s[s.size() - 4]), crc >> 24);
}

TEST(IcebergWriter, SerializesBoundsAsTheSpecSays) {
  EXPECT_EQ(Hex(SerializeBound(Value::Integer(1))), "01000000");
  EXPECT_EQ(Hex(SerializeBound(Value::BigInt(-2))), "feffffffffffffff");
  EXPECT_EQ(Hex(SerializeBound(Value::Date(19723))), "0b4d0000");
  EXPECT_EQ(Hex(SerializeBound(Value::Varchar("ab"))), "6162");
  EXPECT_EQ(Hex(SerializeBound(Value::Boolean(true))), "01");
  EXPECT_EQ(Hex(SerializeBound(Value::Decimal(12345, 9, 2))), "3039");
  EXPECT_EQ(Hex(SerializeBound(Value::Decimal(-1, 9, 2))), "ff");
  EXPECT_EQ(Hex(SerializeBound(Value::Decimal(128, 9, 2))), "0080");
  EXPECT_EQ(Hex(SerializeBound(Value::Double(1.0))), "000000000000f03f");
}

TEST(IcebergWriter, NamesMetadataFilesAfterTheirBase) {
  EXPECT_EQ(NextMetadataFileName(""), "v1.metadata.json");
  EXPECT_EQ(NextMetadataFileName("file:///w/t/metadata/v9.metadata.json"), "v10.metadata.json");
  std::string next = NextMetadataFileName(
      "s3://b/t/metadata/00003-0a1b2c3d-aaaa-bbbb-cccc-0123456789ab.metadata.json");
  EXPECT_EQ(next.substr(0, 6), "00004-");
  EXPECT_EQ(next.substr(next.size() - 14), ".metadata.json");
}

TEST(IcebergWriter, ResolvesPartitionSpecsAndRejectsBadOnes) {
  auto cols = TestColumns();
  auto spec = ResolvePartitionSpec(
      cols, {{"category", "identity"}, {"DAY", "day"}, {"ts", "month"}, {"ts", "hours"}});
  ASSERT_EQ(spec.size(), 4u);
  EXPECT_EQ(spec[0].name, "category");
  EXPECT_EQ(spec[0].source_id, 3);
  EXPECT_EQ(spec[1].name, "day_day");
  EXPECT_EQ(spec[1].result_type.id, TypeId::kDate);
  EXPECT_EQ(spec[2].result_type.id, TypeId::kInteger);
  EXPECT_EQ(spec[3].transform, "hour");
  EXPECT_EQ(spec[3].field_id, 1003);
  try {
    ResolvePartitionSpec(cols, {{"nope", "identity"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBinder);
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  }
  EXPECT_THROW(ResolvePartitionSpec(cols, {{"day", "hour"}}), Error);
  EXPECT_THROW(ResolvePartitionSpec(cols, {{"name", "day"}}), Error);
  EXPECT_THROW(ResolvePartitionSpec(cols, {{"id", "bucket[4]"}}), Error);
  EXPECT_THROW(IcebergTypeName(TypeId::kInterval), Error);
}

TEST(IcebergWriter, WritesPartitionedTablesAndCommitsThroughTheCatalog) {
  TempDir dir;
  auto catalog = std::make_shared<DirCatalog>(dir.path());
  WriteTable(catalog, "by_day", {{"day", "day"}, {"category", "identity"}}, 500);
  std::string table = dir.path() + "/db/by_day";
  auto files = FilesUnder(table);
  EXPECT_NE(std::find(files.begin(), files.end(), "metadata/v1.metadata.json"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), "metadata/version-hint.text"), files.end());
  size_t parquet = 0, avro = 0;
  for (const auto& f : files) {
    if (f.ends_with(".parquet")) {
      parquet++;
      EXPECT_TRUE(f.starts_with("data/day_day=2024-") || f.starts_with("data/day_day=null/")) << f;
      EXPECT_NE(f.find("/category="), std::string::npos) << f;
    }
    if (f.ends_with(".avro")) avro++;
  }
  EXPECT_GT(parquet, 45u);  // 45 days (and a null day) x categories
  EXPECT_EQ(avro, 2u);      // one manifest, one manifest list
  auto loaded = catalog->LoadTable({{"db"}, "by_day"});
  ASSERT_TRUE(loaded);
  EXPECT_NE(loaded->metadata_json.find("\"transform\":\"day\""), std::string::npos);
  EXPECT_NE(loaded->metadata_json.find("\"total-records\":\"500\""), std::string::npos);
  EXPECT_NE(loaded->metadata_json.find("schema.name-mapping.default"), std::string::npos);
  // The metadata and the REST form of the commit are well-formed JSON.
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  ASSERT_EQ(parser.parse(loaded->metadata_json).get(meta), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(meta["format-version"]), 2);
  EXPECT_EQ(int64_t(meta["current-snapshot-id"]), int64_t(meta["refs"]["main"]["snapshot-id"]));
  EXPECT_EQ(std::string_view(meta["partition-specs"].at(0)["fields"].at(1)["name"]), "category");
  simdjson::dom::parser parser2;
  simdjson::dom::element rest;
  ASSERT_EQ(parser2.parse(catalog->last.rest_request_json).get(rest), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(rest["requirements"].at(0)["type"]), "assert-create");
  EXPECT_EQ(std::string_view(rest["identifier"]["name"]), "by_day");
  // A second CREATE of the same table fails cleanly.
  try {
    WriteTable(catalog, "by_day", {}, 10);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCatalog);
    EXPECT_NE(std::string(e.what()).find("db.by_day"), std::string::npos);
  }
}

TEST(IcebergWriter, RetriesLostCommitsAndCleansUpWhenItGivesUp) {
  TempDir dir;
  auto catalog = std::make_shared<DirCatalog>(dir.path());
  catalog->conflicts = 2;
  WriteTable(catalog, "retried", {}, 50);
  EXPECT_EQ(catalog->commits, 3);
  EXPECT_TRUE(catalog->LoadTable({{"db"}, "retried"}));

  catalog->conflicts = 100;
  try {
    WriteTable(catalog, "lost", {{"category", "identity"}}, 50);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(std::string(e.what()).find("db.lost"), std::string::npos);
  }
  EXPECT_TRUE(FilesUnder(dir.path() + "/db/lost").empty())
      << FilesUnder(dir.path() + "/db/lost")[0];
  EXPECT_FALSE(catalog->LoadTable({{"db"}, "lost"}));
}

TEST(IcebergWriter, ConcurrentCreatesOfOneTableLeaveOneWinnerAndNoOrphans) {
  TempDir dir;
  auto catalog = std::make_shared<DirCatalog>(dir.path());
  for (int round = 0; round < 5; round++) {
    std::string name = "race" + std::to_string(round);
    auto a = CreateIcebergTableWriter(catalog, {{"db"}, name}, TestColumns());
    auto b = CreateIcebergTableWriter(catalog, {{"db"}, name}, TestColumns());
    a->Append(TestBatch(0, 10));
    b->Append(TestBatch(10, 30));
    std::atomic<int> ok{0}, lost{0};
    auto run = [&](TableWriter* w) {
      try {
        w->Commit();
        ok++;
      } catch (const Error& e) {
        EXPECT_TRUE(e.kind() == ErrorKind::kCatalog || e.kind() == ErrorKind::kConnector)
            << e.what();
        lost++;
      }
    };
    std::thread ta(run, a.get()), tb(run, b.get());
    ta.join();
    tb.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(lost.load(), 1);
    auto loaded = catalog->LoadTable({{"db"}, name});
    ASSERT_TRUE(loaded);
    // Only the winner's files remain: one data file, one manifest, one list, the metadata.
    size_t parquet = 0, avro = 0;
    for (const auto& f : FilesUnder(dir.path() + "/db/" + name)) {
      parquet += f.ends_with(".parquet");
      avro += f.ends_with(".avro");
    }
    EXPECT_EQ(parquet, 1u);
    EXPECT_EQ(avro, 2u);
  }
}

TEST(IcebergWriter, InsertAppendsSnapshotsKeepingEarlierManifests) {
  TempDir dir;
  auto catalog = std::make_shared<DirCatalog>(dir.path());
  WriteTable(catalog, "appended", {{"day", "month"}}, 100);
  AppendRows(catalog, "appended", 100, 250);
  catalog->conflicts = 1;  // the second INSERT loses one race and retries on the new base
  AppendRows(catalog, "appended", 250, 300);
  auto loaded = catalog->LoadTable({{"db"}, "appended"});
  ASSERT_TRUE(loaded);
  EXPECT_NE(loaded->metadata_location.find("v3.metadata.json"), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element meta;
  ASSERT_EQ(parser.parse(loaded->metadata_json).get(meta), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(meta["last-sequence-number"]), 3);
  EXPECT_EQ(simdjson::dom::array(meta["snapshots"]).size(), 3u);
  EXPECT_EQ(simdjson::dom::array(meta["metadata-log"]).size(), 2u);
  auto snaps = simdjson::dom::array(meta["snapshots"]);
  EXPECT_EQ(std::string_view(snaps.at(2)["summary"]["total-records"]), "300");
  EXPECT_EQ(int64_t(snaps.at(2)["parent-snapshot-id"]), int64_t(snaps.at(1)["snapshot-id"]));
  auto list = TestReadManifestList(std::string(std::string_view(snaps.at(2)["manifest-list"])), {});
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].sequence_number, 3);
  EXPECT_EQ(list[0].added_rows, 50);
  EXPECT_EQ(list[2].added_rows, 100);
  // The retry's stale manifest list was deleted: one list per snapshot remains.
  size_t lists = 0;
  for (const auto& f : FilesUnder(dir.path() + "/db/appended"))
    lists += f.find("/snap-") != std::string::npos;
  EXPECT_EQ(lists, 3u);
  // Bad INSERTs fail cleanly, naming the table and column.
  try {
    CreateIcebergAppendWriter(catalog, {{"db"}, "appended"}, {{"id", TypeId::kBigInt}},
                              TestReadManifestList);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBinder);
    EXPECT_NE(std::string(e.what()).find("db.appended"), std::string::npos);
  }
  auto wrong = TestColumns();
  wrong[3].type = TypeId::kBigInt;
  try {
    CreateIcebergAppendWriter(catalog, {{"db"}, "appended"}, wrong, TestReadManifestList);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("qty"), std::string::npos);
  }
  EXPECT_THROW(
      CreateIcebergAppendWriter(catalog, {{"db"}, "missing"}, TestColumns(), TestReadManifestList),
      Error);
}

TEST(IcebergWriter, AbortLeavesNothing) {
  TempDir dir;
  auto catalog = std::make_shared<DirCatalog>(dir.path());
  {
    auto w = CreateIcebergTableWriter(catalog, {{"db"}, "aborted"}, TestColumns(),
                                      {.partition_by = {{"day", "month"}}});
    w->Append(TestBatch(0, 100));
    w->Abort();
  }
  {
    auto w = CreateIcebergTableWriter(catalog, {{"db"}, "dropped"}, TestColumns());
    w->Append(TestBatch(0, 100));
  }
  EXPECT_TRUE(FilesUnder(dir.path() + "/db/aborted").empty());
  EXPECT_TRUE(FilesUnder(dir.path() + "/db/dropped").empty());
  EXPECT_THROW(CreateIcebergTableWriter(catalog, {{"db"}, "iv"}, {{"iv", TypeId::kInterval}}),
               Error);
}

// Writes tables for external readers (pyiceberg, DuckDB): run by
// test/iceberg/writers/test_iceberg_writes.py with AISHELL_ICEBERG_WRITE_DIR set.
TEST(IcebergWriter, WritesTablesForExternalReaders) {
  const char* dir = std::getenv("AISHELL_ICEBERG_WRITE_DIR");
  if (!dir) GTEST_SKIP() << "AISHELL_ICEBERG_WRITE_DIR is not set (run by test_iceberg_writes.py)";
  auto catalog = std::make_shared<DirCatalog>(dir);
  WriteTable(catalog, "unpartitioned", {}, 1000);
  WriteTable(catalog, "by_identity", {{"category", "identity"}}, 1000);
  WriteTable(catalog, "by_day", {{"day", "day"}}, 1000);
  WriteTable(catalog, "by_month", {{"ts", "month"}}, 1000);
  WriteTable(catalog, "by_year_hour", {{"day", "year"}, {"ts", "hour"}}, 300);
  WriteTable(catalog, "empty", {{"day", "day"}}, 0);
  WriteTable(catalog, "inserted", {{"day", "day"}}, 400);
  AppendRows(catalog, "inserted", 400, 700);
  AppendRows(catalog, "inserted", 700, 1000);
  // Tables another writer (pyiceberg) created, in the same layout: INSERT appends to them.
  if (const char* others = std::getenv("AISHELL_ICEBERG_APPEND_TO")) {
    std::string list = others;
    for (size_t start = 0; start < list.size();) {
      size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      AppendRows(catalog, list.substr(start, end - start), 1000, 1300);
      start = end + 1;
    }
  }
  WriteTable(catalog, "avro_null", {{"category", "identity"}}, 200, avro::AvroCodec::kNull);
  WriteTable(catalog, "avro_snappy", {{"category", "identity"}}, 200, avro::AvroCodec::kSnappy);
  WriteTable(catalog, "avro_zstd", {{"category", "identity"}}, 200, avro::AvroCodec::kZstd);
}

TEST(IcebergWriter, ManifestListKeepsPartitionSummariesIncludingContainsNan) {
  ManifestListEntry m;
  m.path = "file:///t/metadata/m0.avro";
  m.length = 42;
  m.added_snapshot_id = 7;
  for (std::optional<bool> nan :
       {std::optional<bool>(), std::optional<bool>(true), std::optional<bool>(false)}) {
    ManifestListEntry::Summary s;
    s.contains_null = !nan.has_value();
    s.contains_nan = nan;
    s.lower = std::string("\x01\x00\x00\x00", 4);
    m.partitions.push_back(s);
  }
  for (auto codec : {avro::AvroCodec::kNull, avro::AvroCodec::kDeflate}) {
    std::string bytes = EncodeManifestList(7, std::nullopt, 1, {m}, codec);
    auto files = ReadManifestList(bytes, "snap.avro");
    ASSERT_EQ(files.size(), 1u);
    ASSERT_EQ(files[0].partitions.size(), 3u);
    EXPECT_FALSE(files[0].partitions[0].contains_nan.has_value());
    EXPECT_TRUE(files[0].partitions[0].contains_null);
    EXPECT_EQ(files[0].partitions[1].contains_nan, std::optional<bool>(true));
    EXPECT_EQ(files[0].partitions[2].contains_nan, std::optional<bool>(false));
    EXPECT_FALSE(files[0].partitions[2].contains_null);
    EXPECT_EQ(files[0].partitions[1].lower_bound, m.partitions[1].lower);
    EXPECT_FALSE(files[0].partitions[1].upper_bound.has_value());
  }
}

}  // namespace
}  // namespace aishell::iceberg

namespace aishell::iceberg {
namespace {

// A REST-like catalog: it writes metadata itself and stages creates with a location (maybe
// none) and a uuid.
class StagingCatalog : public DirCatalog {
 public:
  StagingCatalog(std::string warehouse, std::string staged_location)
      : DirCatalog(std::move(warehouse)), staged_location_(std::move(staged_location)) {}
  bool ServerWritesMetadata() const override { return true; }
  std::optional<StagedTable> StageCreate(const TableIdentifier&, const std::string&) override {
    stages++;
    return StagedTable{staged_location_, "5e1f0c1e-0000-4000-8000-00000000abcd", {}};
  }
  std::string DefaultTableLocation(const TableIdentifier&) override { return ""; }
  int stages = 0;

 private:
  std::string staged_location_;
};

TEST(IcebergWriter, RestCreateIsStagedAndCarriesAssignUuid) {
  TempDir dir;
  auto catalog = std::make_shared<StagingCatalog>(dir.path(), dir.path() + "/staged/t");
  WriteTable(catalog, "staged", {}, 20);
  EXPECT_EQ(catalog->stages, 1);
  simdjson::dom::parser parser;
  simdjson::dom::element rest;
  ASSERT_EQ(parser.parse(catalog->last.rest_request_json).get(rest), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(rest["requirements"].at(0)["type"]), "assert-create");
  EXPECT_EQ(std::string_view(rest["updates"].at(0)["action"]), "assign-uuid");
  EXPECT_EQ(std::string_view(rest["updates"].at(0)["uuid"]),
            "5e1f0c1e-0000-4000-8000-00000000abcd");
  // The files went to the staged location.
  bool set_location = false;
  for (auto u : rest["updates"].get_array()) {
    if (std::string_view(u["action"]) == "set-location") {
      EXPECT_EQ(std::string_view(u["location"]), dir.path() + "/staged/t");
      set_location = true;
    }
  }
  EXPECT_TRUE(set_location);
  EXPECT_FALSE(FilesUnder(dir.path() + "/staged/t").empty());
}

TEST(IcebergWriter, RefusesEmptyOrRelativeLocationsBeforeWritingAnything) {
  for (std::string location : {std::string(), std::string("relative/dir"), std::string("/"),
                               std::string("s3://bucket"), std::string("file:///")}) {
    TempDir dir;
    auto catalog = std::make_shared<StagingCatalog>(dir.path(), location);
    try {
      WriteTable(catalog, "nowhere", {}, 20);
      FAIL() << "expected a refusal for '" << location << "'";
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kConnector);
      EXPECT_NE(msg.find("db.nowhere"), std::string::npos) << msg;
      EXPECT_NE(msg.find("nothing was written"), std::string::npos) << msg;
    }
    EXPECT_TRUE(FilesUnder(dir.path()).empty());
    EXPECT_FALSE(std::filesystem::exists("relative"));
  }
  EXPECT_NO_THROW(CheckWritableLocation("s3://bucket/w/t", "t", "c"));
  EXPECT_NO_THROW(CheckWritableLocation("/tmp/w/t", "t", "c"));
  EXPECT_NO_THROW(CheckWritableLocation("file:///tmp/w/t", "t", "c"));
}

}  // namespace
}  // namespace aishell::iceberg
