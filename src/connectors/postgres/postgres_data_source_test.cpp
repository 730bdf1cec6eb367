// The binary COPY decoder (DecodePgCopyRows) on hand-made CopyData payloads: no server needed.
#include "connectors/postgres/postgres_data_source.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/exception.h"
#include "common/testing/expect_error.h"

namespace aishell {
namespace {

std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; i--) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// The file header, then one row of `fields` (each int32 length + bytes).
std::string HeaderAndRow(const std::vector<std::string>& fields) {
  std::string p("PGCOPY\n\xff\r\n\0", 11);
  p += Be(0, 4) + Be(0, 4);
  p += Be(fields.size(), 2);
  for (const auto& f : fields) p += Be(f.size(), 4) + f;
  return p;
}

TEST(PgCopyDecodeTest, DecodesARow) {
  std::string payload = HeaderAndRow({Be(42, 8), "h\xc3\xa9", Be(8000, 4)});
  Batch b = DecodePgCopyRows(
      {LogicalType(TypeId::kBigInt), LogicalType(TypeId::kVarchar), LogicalType(TypeId::kDate)},
      {payload, std::string("\xff\xff", 2)});
  ASSERT_EQ(b.count, 1u);
  EXPECT_EQ(b.columns[0].GetValue(0), Value::BigInt(42));
  EXPECT_EQ(b.columns[1].GetValue(0), Value::Varchar("h\xc3\xa9"));
  EXPECT_EQ(b.columns[2].GetValue(0), Value::Date(8000 + 10957));
}

// Found by test/fuzz/pg_copy_fuzzer.cpp: a date or timestamp near the end of PostgreSQL's range
// overflowed when moved from the 2000 epoch to 1970 (undefined behaviour; a wrong value).
TEST(PgCopyDecodeTest, DatesAndTimestampsPastTheSupportedRangeAreConversionErrors) {
  testing::ExpectError(
      [] { DecodePgCopyRows({LogicalType(TypeId::kDate)}, {HeaderAndRow({Be(2147483645, 4)})}); },
      ErrorKind::kConversion, "column 'c0' row 1: a date past the year 292277 is not supported");
  // 294276-12-31 23:59:59.999999, PostgreSQL's last timestamp.
  testing::ExpectError(
      [] {
        DecodePgCopyRows({LogicalType(TypeId::kTimestamp)},
                         {HeaderAndRow({Be(9223371331199999999ULL, 8)})});
      },
      ErrorKind::kConversion, "a timestamp past the year 292277 is not supported");
}

}  // namespace
}  // namespace aishell
