#include "common/vector.h"

#include <gtest/gtest.h>

#include "common/date_time.h"

namespace aishell {

TEST(VectorTest, FlatStringsAndNulls) {
  Vector v(LogicalType(TypeId::kVarchar), 4);
  v.Resize(3);
  v.SetString(0, "hello");
  v.SetNull(1);
  v.SetString(2, "a longer string that needs the heap");
  EXPECT_EQ(v.GetValue(0), Value::Varchar("hello"));
  EXPECT_TRUE(v.GetValue(1).is_null());
  EXPECT_EQ(v.GetValue(2).GetString(), "a longer string that needs the heap");
}

TEST(VectorTest, GatherFromDictionaryAndConstant) {
  auto dict = std::make_shared<Vector>(LogicalType(TypeId::kBigInt), 2);
  dict->Resize(2);
  dict->Data<int64_t>()[0] = 10;
  dict->Data<int64_t>()[1] = 20;
  auto idx = std::make_shared<Buffer>(4 * sizeof(uint32_t));
  uint32_t* ix = reinterpret_cast<uint32_t*>(idx->data());
  ix[0] = 1;
  ix[1] = 0;
  ix[2] = 1;
  ix[3] = 1;
  Vector d = Vector::Dictionary(dict, idx, 4);
  uint32_t sel[] = {0, 1, 3};
  Vector g = d.Gather(sel, 3);
  EXPECT_EQ(g.kind(), VectorKind::kFlat);
  EXPECT_EQ(g.Data<int64_t>()[0], 20);
  EXPECT_EQ(g.Data<int64_t>()[1], 10);
  Vector c = Vector::Constant(Value::Integer(7), 100);
  EXPECT_EQ(c.GetValue(99), Value::Integer(7));
  c.Flatten();
  EXPECT_EQ(c.size(), 100u);
  EXPECT_EQ(c.Data<int32_t>()[57], 7);
}

TEST(DateTimeTest, RoundTrip) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(FormatDate(*d), "2024-02-29");
  EXPECT_FALSE(ParseDate("2023-02-29").has_value());
  EXPECT_EQ(FormatDate(AddIntervalToDate(*d, Interval{12, 0, 0})), "2025-02-28");
  auto ts = ParseTimestamp("2024-01-01T10:00:00+02:00");
  ASSERT_TRUE(ts.has_value());
  EXPECT_EQ(FormatTimestamp(*ts), "2024-01-01 08:00:00");
}

}  // namespace aishell

namespace aishell {

TEST(VectorTest, AppendPastCapacityKeepsNewRowsValid) {
  Vector target(LogicalType(TypeId::kBigInt), 4);
  target.Resize(1);
  target.SetNull(0);
  Vector source(LogicalType(TypeId::kBigInt), 5000);
  source.Resize(5000);
  for (size_t i = 0; i < 5000; i++) source.Data<int64_t>()[i] = static_cast<int64_t>(i);
  target.Append(source, 0, 5000);
  ASSERT_EQ(target.size(), 5001u);
  EXPECT_FALSE(target.IsValid(0));
  for (size_t i = 1; i < 5001; i++) {
    ASSERT_TRUE(target.IsValid(i)) << "row " << i;
    ASSERT_EQ(target.Data<int64_t>()[i], static_cast<int64_t>(i - 1));
  }
}

}  // namespace aishell
