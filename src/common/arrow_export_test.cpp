#include "common/arrow_export.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/exception.h"
#include "common/testing/vector_builders.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

bool BitSet(const void* bitmap, size_t i) {
  return (static_cast<const uint8_t*>(bitmap)[i >> 3] >> (i & 7)) & 1;
}

TEST(ArrowExportTest, StructOfColumns) {
  Batch b;
  b.columns.push_back(MakeVector(TypeId::kBigInt, {Big(10), Value(), Big(-3)}));
  b.columns.push_back(MakeVector(TypeId::kVarchar, {Str("ab"), Str(""), Value()}));
  b.columns.push_back(MakeVector(
      TypeId::kBoolean, {Value::Boolean(true), Value::Boolean(false), Value::Boolean(true)}));
  b.columns.push_back(
      MakeVector(LogicalType::Decimal(10, 2), {Dec(-125, 10, 2), Dec(5, 10, 2), Value()}));
  b.columns.push_back(
      MakeVector(TypeId::kDate, {Value::Date(1), Value::Date(-1), Value::Date(19000)}));
  b.columns.push_back(MakeVector(TypeId::kTimestamp,
                                 {Value::Timestamp(1), Value::Timestamp(2), Value::Timestamp(3)}));
  b.columns.push_back(Vector::Constant(Value::TimestampTz(42), 3));
  b.columns.push_back(MakeDictionary(TypeId::kInteger, {Int(7), Int(8), Int(9)}));
  b.count = 3;
  std::vector<std::string> names = {"id", "name", "flag", "amount", "day", "ts", "tstz", "dict"};

  ArrowArray array;
  ArrowSchema schema;
  ExportBatch(b, names, &array, &schema);

  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 8);
  EXPECT_STREQ(schema.children[0]->format, "l");
  EXPECT_STREQ(schema.children[0]->name, "id");
  EXPECT_STREQ(schema.children[1]->format, "u");
  EXPECT_STREQ(schema.children[2]->format, "b");
  EXPECT_STREQ(schema.children[3]->format, "d:10,2");
  EXPECT_STREQ(schema.children[4]->format, "tdD");
  EXPECT_STREQ(schema.children[5]->format, "tsu:");
  EXPECT_STREQ(schema.children[6]->format, "tsu:UTC");
  EXPECT_STREQ(schema.children[7]->format, "i");
  EXPECT_EQ(schema.children[7]->flags & ARROW_FLAG_NULLABLE, ARROW_FLAG_NULLABLE);

  EXPECT_EQ(array.length, 3);
  ASSERT_EQ(array.n_children, 8);
  EXPECT_EQ(array.n_buffers, 1);

  // BIGINT: zero-copy data and validity.
  ArrowArray* id = array.children[0];
  EXPECT_EQ(id->null_count, 1);
  ASSERT_EQ(id->n_buffers, 2);
  EXPECT_EQ(id->buffers[1], static_cast<const void*>(b.columns[0].RawData()));
  EXPECT_EQ(id->buffers[0], static_cast<const void*>(b.columns[0].validity()));
  EXPECT_TRUE(BitSet(id->buffers[0], 0));
  EXPECT_FALSE(BitSet(id->buffers[0], 1));
  EXPECT_EQ(static_cast<const int64_t*>(id->buffers[1])[2], -3);

  // VARCHAR: offsets + data.
  ArrowArray* name = array.children[1];
  ASSERT_EQ(name->n_buffers, 3);
  EXPECT_EQ(name->null_count, 1);
  const auto* off = static_cast<const int32_t*>(name->buffers[1]);
  EXPECT_EQ(off[0], 0);
  EXPECT_EQ(off[1], 2);
  EXPECT_EQ(off[2], 2);
  EXPECT_EQ(off[3], 2);
  EXPECT_EQ(std::memcmp(name->buffers[2], "ab", 2), 0);
  EXPECT_FALSE(BitSet(name->buffers[0], 2));

  // BOOLEAN: bit-packed, no validity.
  ArrowArray* flag = array.children[2];
  EXPECT_EQ(flag->null_count, 0);
  EXPECT_EQ(flag->buffers[0], nullptr);
  EXPECT_TRUE(BitSet(flag->buffers[1], 0));
  EXPECT_FALSE(BitSet(flag->buffers[1], 1));
  EXPECT_TRUE(BitSet(flag->buffers[1], 2));

  // DECIMAL: 128-bit little-endian with sign extension.
  ArrowArray* amount = array.children[3];
  const auto* words = static_cast<const int64_t*>(amount->buffers[1]);
  EXPECT_EQ(words[0], -125);
  EXPECT_EQ(words[1], -1);
  EXPECT_EQ(words[2], 5);
  EXPECT_EQ(words[3], 0);
  EXPECT_EQ(amount->null_count, 1);

  EXPECT_EQ(static_cast<const int32_t*>(array.children[4]->buffers[1])[1], -1);
  EXPECT_EQ(static_cast<const int64_t*>(array.children[5]->buffers[1])[2], 3);
  // Constant flattened.
  EXPECT_EQ(static_cast<const int64_t*>(array.children[6]->buffers[1])[2], 42);
  // Dictionary flattened: row order preserved.
  const auto* dict = static_cast<const int32_t*>(array.children[7]->buffers[1]);
  EXPECT_EQ(dict[0], 7);
  EXPECT_EQ(dict[1], 8);
  EXPECT_EQ(dict[2], 9);

  // Buffers stay valid after the batch is gone, until release.
  b = Batch();
  EXPECT_EQ(static_cast<const int64_t*>(array.children[0]->buffers[1])[0], 10);

  array.release(&array);
  schema.release(&schema);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(schema.release, nullptr);
}

TEST(ArrowExportTest, ChildMovedOutCanBeReleasedSeparately) {
  Batch b;
  b.columns.push_back(MakeVector(TypeId::kDouble, {Dbl(1.5)}));
  b.count = 1;
  ArrowArray array;
  ArrowSchema schema;
  ExportBatch(b, {"x"}, &array, &schema);
  // A consumer may move a child out and release it on its own.
  ArrowArray child = *array.children[0];
  array.children[0]->release = nullptr;
  EXPECT_DOUBLE_EQ(static_cast<const double*>(child.buffers[1])[0], 1.5);
  child.release(&child);
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowExportTest, NameCountMismatchIsAnError) {
  Batch b;
  b.columns.push_back(MakeVector(TypeId::kInteger, {Int(1)}));
  b.count = 1;
  ArrowArray array;
  ArrowSchema schema;
  EXPECT_THROW(ExportBatch(b, {}, &array, &schema), Error);
  EXPECT_EQ(ArrowFormat(TypeId::kInterval), "tin");
}

}  // namespace
}  // namespace aishell
