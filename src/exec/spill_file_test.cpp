#include "exec/spill_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/exception.h"

namespace aishell {
namespace {

// A batch with every vector form and the interesting types: integers, doubles, strings, wide
// and short decimals, dates, intervals, UUIDs, ARRAY, MAP and ROW (nested in each other),
// NULLs everywhere, a dictionary and a constant vector.
Batch SampleBatch(size_t n) {
  LogicalType arr = LogicalType::Array(LogicalType(TypeId::kInteger));
  LogicalType map = LogicalType::Map(LogicalType(TypeId::kVarchar), LogicalType(TypeId::kBigInt));
  LogicalType row = LogicalType::Row({"a", "b"}, {LogicalType(TypeId::kVarchar), arr});
  std::vector<LogicalType> types = {LogicalType(TypeId::kInteger),
                                    LogicalType(TypeId::kBigInt),
                                    LogicalType(TypeId::kDouble),
                                    LogicalType(TypeId::kVarchar),
                                    LogicalType::Decimal(30, 2),
                                    LogicalType::Decimal(12, 3),
                                    LogicalType(TypeId::kDate),
                                    LogicalType(TypeId::kInterval),
                                    LogicalType(TypeId::kBoolean),
                                    arr,
                                    map,
                                    row};
  Batch b(types, n);
  b.SetCount(n);
  for (size_t i = 0; i < n; i++) {
    bool null = i % 7 == 3;
    auto v = [&](Value x, const LogicalType& t) { return null ? Value::Null(t) : x; };
    int32_t k = static_cast<int32_t>(i);
    b.columns[0].SetValue(i, v(Value::Integer(k - 50), types[0]));
    b.columns[1].SetValue(i, v(Value::BigInt(int64_t{k} * 1000000007LL), types[1]));
    b.columns[2].SetValue(i, v(Value::Double(k / 3.0), types[2]));
    b.columns[3].SetValue(
        i, v(Value::Varchar(std::string(i % 40, 'x') + std::to_string(i)), types[3]));
    b.columns[4].SetValue(
        i, v(Value::Decimal(Int128(k) * Int128(1000000000000000000LL), 30, 2), types[4]));
    b.columns[5].SetValue(i, v(Value::Decimal(k * 1234, 12, 3), types[5]));
    b.columns[6].SetValue(i, v(Value::Date(k), types[6]));
    b.columns[7].SetValue(i, v(Value::IntervalValue(Interval{k, -k, int64_t{k} * 10}), types[7]));
    b.columns[8].SetValue(i, v(Value::Boolean(i % 2 == 0), types[8]));
    std::vector<Value> elems;
    for (size_t e = 0; e < i % 4; e++)
      elems.push_back(e == 1 ? Value::Null(LogicalType(TypeId::kInteger))
                             : Value::Integer(static_cast<int32_t>(e + i)));
    b.columns[9].SetValue(i, v(Value::Array(arr, elems), arr));
    b.columns[10].SetValue(
        i, v(Value::Map(map, {Value::Varchar("k" + std::to_string(i))}, {Value::BigInt(k)}), map));
    b.columns[11].SetValue(
        i, v(Value::Row(row, {Value::Varchar("r" + std::to_string(i)), Value::Array(arr, elems)}),
             row));
  }
  return b;
}

void ExpectSameRows(const Batch& expected, const Batch& actual) {
  ASSERT_EQ(expected.count, actual.count);
  ASSERT_EQ(expected.columns.size(), actual.columns.size());
  for (size_t c = 0; c < expected.columns.size(); c++) {
    for (size_t i = 0; i < expected.count; i++) {
      EXPECT_EQ(expected.columns[c].GetValue(i).ToString(),
                actual.columns[c].GetValue(i).ToString())
          << "column " << c << " row " << i;
    }
  }
}

TEST(SpillFile, SerializerRoundTripsEveryTypeAndForm) {
  Batch b = SampleBatch(300);
  std::string bytes;
  SerializeBatch(b, bytes);
  size_t pos = 0;
  Batch back = DeserializeBatch(b.Types(), reinterpret_cast<const uint8_t*>(bytes.data()),
                                bytes.size(), pos);
  EXPECT_EQ(pos, bytes.size());
  ExpectSameRows(b, back);

  // A slice, a gathered selection, a dictionary and a constant vector.
  Batch slice = b.Slice(17, 100);
  std::vector<uint32_t> sel = {5, 5, 299, 0, 42, 3};
  Batch gathered = b.Select(sel.data(), sel.size());
  Batch forms;
  forms.count = 4;
  auto dict = std::make_shared<Vector>(b.columns[3].CopySlice(0, 10));
  auto idx = std::make_shared<Buffer>(4 * sizeof(uint32_t));
  uint32_t* ip = reinterpret_cast<uint32_t*>(idx->data());
  ip[0] = 9, ip[1] = 3, ip[2] = 3, ip[3] = 0;
  forms.columns.push_back(Vector::Dictionary(dict, idx, 4));
  forms.columns.push_back(Vector::Constant(Value::Varchar("same"), 4));
  forms.columns.push_back(Vector::Constant(Value::Null(LogicalType(TypeId::kBigInt)), 4));
  for (const Batch* in : {&slice, &gathered, &forms}) {
    bytes.clear();
    SerializeBatch(*in, bytes);
    pos = 0;
    Batch out = DeserializeBatch(in->Types(), reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size(), pos);
    ExpectSameRows(*in, out);
  }
}

TEST(SpillFile, TruncatedBytesAreAClearError) {
  Batch b = SampleBatch(50);
  std::string bytes;
  SerializeBatch(b, bytes);
  for (size_t cut : {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    size_t pos = 0;
    EXPECT_THROW(
        DeserializeBatch(b.Types(), reinterpret_cast<const uint8_t*>(bytes.data()), cut, pos),
        Error);
  }
}

TEST(SpillFile, FilesRoundTripAndTheDirectoryGoesAway) {
  std::string parent =
      std::filesystem::temp_directory_path() / ("aishell_spill_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(parent);
  std::string dir;
  {
    SpillManager manager(SpillOptions{true, parent, 0});
    auto file = manager.CreateFile();
    dir = manager.directory();
    EXPECT_TRUE(std::filesystem::exists(dir));
    // The file is unlinked at once: nothing to leave behind even on a crash.
    EXPECT_TRUE(std::filesystem::is_empty(dir));
    Batch b = SampleBatch(100);
    file->Write(b);
    file->Write(b.Slice(10, 20));
    EXPECT_GT(manager.bytes_written(), 0);
    for (int pass = 0; pass < 2; pass++) {
      file->Rewind();
      Batch out;
      ASSERT_TRUE(file->Read(b.Types(), out));
      ExpectSameRows(b, out);
      ASSERT_TRUE(file->Read(b.Types(), out));
      ExpectSameRows(b.Slice(10, 20), out);
      EXPECT_FALSE(file->Read(b.Types(), out));
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  std::filesystem::remove_all(parent);
}

TEST(SpillFile, SizeCapNamesTheSetting) {
  SpillManager manager(SpillOptions{true, "", 1000});
  auto file = manager.CreateFile();
  try {
    file->Write(SampleBatch(200));
    FAIL() << "expected the spill cap to stop the write";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("federation.spill_max_size"), std::string::npos);
  }
}

TEST(SpillFile, StaleDirectoriesOfDeadProcessesAreSwept) {
  std::string parent = std::filesystem::temp_directory_path() /
                       ("aishell_spill_sweep_" + std::to_string(::getpid()));
  std::filesystem::create_directories(parent + "/aishell-spill-999999999-0");
  std::filesystem::create_directories(parent + "/aishell-spill-" + std::to_string(::getpid()) +
                                      "-7");
  SweepStaleSpillDirectories(parent);
  EXPECT_FALSE(std::filesystem::exists(parent + "/aishell-spill-999999999-0"));
  EXPECT_TRUE(
      std::filesystem::exists(parent + "/aishell-spill-" + std::to_string(::getpid()) + "-7"));
  std::filesystem::remove_all(parent);
}

}  // namespace
}  // namespace aishell
