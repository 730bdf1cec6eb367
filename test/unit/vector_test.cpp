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

TEST(VectorTest, SliceSharesMemoryAndCopiesOnGrowth) {
  Vector v(LogicalType(TypeId::kBigInt), 5000);
  v.Resize(5000);
  for (size_t i = 0; i < 5000; i++) v.Data<int64_t>()[i] = static_cast<int64_t>(i);
  for (size_t i = 0; i < 5000; i += 7) v.SetNull(i);
  for (size_t offset : {size_t{0}, size_t{2048}, size_t{100}, size_t{4990}}) {
    size_t n = std::min<size_t>(2048, 5000 - offset);
    Vector s = v.Slice(offset, n);
    ASSERT_EQ(s.kind(), VectorKind::kFlat);
    ASSERT_EQ(s.size(), n);
    if (offset % 64 == 0) EXPECT_EQ(s.Data<int64_t>(), v.Data<int64_t>() + offset);  // no copy
    for (size_t i = 0; i < n; i++) {
      ASSERT_EQ(s.IsValid(i), (offset + i) % 7 != 0) << offset << " " << i;
      if (s.IsValid(i)) ASSERT_EQ(s.Data<int64_t>()[i], static_cast<int64_t>(offset + i));
    }
    // Growing the slice copies it: the parent's next rows are untouched.
    Vector more(LogicalType(TypeId::kBigInt), 3);
    more.Resize(3);
    for (int i = 0; i < 3; i++) more.Data<int64_t>()[i] = -1;
    s.Append(more, 0, 3);
    ASSERT_EQ(s.size(), n + 3);
    EXPECT_EQ(s.Data<int64_t>()[n], -1);
    EXPECT_TRUE(s.IsValid(n));
    if (offset + n < 5000)
      EXPECT_EQ(v.Data<int64_t>()[offset + n], static_cast<int64_t>(offset + n));
    for (size_t i = 0; i < n; i++) ASSERT_EQ(s.IsValid(i), (offset + i) % 7 != 0);
  }
  // Slices of slices, strings, and the parent outliving nothing.
  Vector strs(LogicalType(TypeId::kVarchar), 300);
  strs.Resize(300);
  for (size_t i = 0; i < 300; i++) strs.SetString(i, "value " + std::to_string(i));
  Vector inner;
  {
    Vector outer = Vector(strs).Slice(128, 150);
    strs = Vector();
    inner = outer.Slice(64, 10);
  }
  ASSERT_EQ(inner.size(), 10u);
  EXPECT_EQ(inner.GetValue(0).GetString(), "value 192");
  EXPECT_EQ(inner.GetValue(9).GetString(), "value 201");
  Vector copy = inner.CopySlice(1, 2);
  EXPECT_NE(copy.RawData(), inner.RawData() + sizeof(std::string_view));
  EXPECT_EQ(copy.GetValue(1).GetString(), "value 194");
}

TEST(VectorTest, SliceAndSelectKeepDictionaries) {
  auto dict = std::make_shared<Vector>(LogicalType(TypeId::kVarchar), 3);
  dict->Resize(3);
  dict->SetString(0, "a");
  dict->SetString(1, "b");
  dict->SetNull(2);
  auto idx = std::make_shared<Buffer>(5000 * sizeof(uint32_t));
  for (uint32_t i = 0; i < 5000; i++) reinterpret_cast<uint32_t*>(idx->data())[i] = i % 3;
  Vector d = Vector::Dictionary(dict, idx, 5000);
  Vector s = d.Slice(4096, 904);
  ASSERT_EQ(s.kind(), VectorKind::kDictionary);
  ASSERT_EQ(s.size(), 904u);
  for (size_t i = 0; i < 904; i++) {
    Value v = s.GetValue(i);
    switch ((4096 + i) % 3) {
      case 0:
        ASSERT_EQ(v.GetString(), "a");
        break;
      case 1:
        ASSERT_EQ(v.GetString(), "b");
        break;
      default:
        ASSERT_TRUE(v.is_null());
    }
  }
  uint32_t sel[] = {1, 2, 903};
  Vector picked = s.Select(sel, 3);
  ASSERT_EQ(picked.kind(), VectorKind::kDictionary);
  EXPECT_TRUE(picked.GetValue(0).is_null());       // row 4097 % 3 == 2
  EXPECT_EQ(picked.GetValue(1).GetString(), "a");  // row 4098 % 3 == 0
  EXPECT_EQ(picked.GetValue(2).GetString(), "b");  // row 4999 % 3 == 1
  Vector c = Vector::Constant(Value::Integer(7), 100).Select(sel, 2);
  EXPECT_EQ(c.kind(), VectorKind::kConstant);
  EXPECT_EQ(c.size(), 2u);
  Vector flat = s.CopySlice(0, 2);
  EXPECT_EQ(flat.kind(), VectorKind::kFlat);
  EXPECT_EQ(flat.GetValue(0).GetString(), "b");  // row 4096 % 3 == 1
}

TEST(VectorTest, FreshFixedWidthVectorsGrowWithValidRows) {
  Vector v(LogicalType(TypeId::kInteger), 1);
  v.SetNull(0);
  v.Resize(1000);  // grows past the bitmap: new rows read as valid
  EXPECT_FALSE(v.IsValid(0));
  for (size_t i = 1; i < 1000; i++) ASSERT_TRUE(v.IsValid(i));
  Vector s(LogicalType(TypeId::kVarchar), 1);
  s.Resize(5000);  // string views start empty, never dangling
  for (size_t i = 0; i < 5000; i++) ASSERT_TRUE(s.Data<std::string_view>()[i].empty());
}

}  // namespace aishell
