#include "common/arrow_export.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

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

// ---- nested columns: list, map, struct ----

std::vector<int32_t> Offsets(const ArrowArray* a) {
  const auto* off = static_cast<const int32_t*>(a->buffers[1]);
  return std::vector<int32_t>(off + a->offset, off + a->offset + a->length + 1);
}

int32_t IntAt(const ArrowArray* a, int64_t i) {
  return static_cast<const int32_t*>(a->buffers[1])[a->offset + i];
}

std::string StringAt(const ArrowArray* a, int64_t i) {
  const auto* off = static_cast<const int32_t*>(a->buffers[1]);
  const auto* data = static_cast<const char*>(a->buffers[2]);
  return std::string(data + off[a->offset + i], off[a->offset + i + 1] - off[a->offset + i]);
}

bool ValidAt(const ArrowArray* a, int64_t i) {
  return a->buffers[0] == nullptr || BitSet(a->buffers[0], static_cast<size_t>(a->offset + i));
}

void ExportOne(const Vector& column, size_t count, ArrowArray* array, ArrowSchema* schema) {
  Batch b;
  b.columns.push_back(column);
  b.count = count;
  ExportBatch(b, {"c"}, array, schema);
}

Value IntArray(std::vector<Value> elements) {
  return Value::Array(LogicalType::Array(TypeId::kInteger), std::move(elements));
}

TEST(ArrowExportTest, ArrayColumnIsAListWithOffsets) {
  LogicalType t = LogicalType::Array(TypeId::kInteger);
  Vector v = MakeVector(
      t, {IntArray({Int(1), Int(2)}), Value(), IntArray({}), IntArray({Int(3), Value()})});
  ArrowArray array;
  ArrowSchema schema;
  ExportOne(v, 4, &array, &schema);
  ASSERT_EQ(schema.n_children, 1);
  EXPECT_STREQ(schema.children[0]->format, "+l");
  ASSERT_EQ(schema.children[0]->n_children, 1);
  EXPECT_STREQ(schema.children[0]->children[0]->format, "i");
  EXPECT_STREQ(schema.children[0]->children[0]->name, "item");

  ArrowArray* list = array.children[0];
  EXPECT_EQ(list->length, 4);
  EXPECT_EQ(list->null_count, 1);
  ASSERT_EQ(list->n_buffers, 2);
  EXPECT_TRUE(ValidAt(list, 0));
  EXPECT_FALSE(ValidAt(list, 1));
  EXPECT_TRUE(ValidAt(list, 2));
  EXPECT_EQ(Offsets(list), (std::vector<int32_t>{0, 2, 2, 2, 4}));
  ASSERT_EQ(list->n_children, 1);
  ArrowArray* items = list->children[0];
  EXPECT_EQ(items->length, 4);
  EXPECT_EQ(items->null_count, 1);
  EXPECT_EQ(IntAt(items, 0), 1);
  EXPECT_EQ(IntAt(items, 1), 2);
  EXPECT_EQ(IntAt(items, 2), 3);
  EXPECT_FALSE(ValidAt(items, 3));
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowExportTest, GatheredArrayRowsExportOnlyTheirElements) {
  // Rows picked out of a vector share its child; the export holds only the picked elements.
  LogicalType t = LogicalType::Array(TypeId::kInteger);
  Vector all = MakeVector(
      t, {IntArray({Int(1), Int(2)}), IntArray({Int(7)}), IntArray({Int(3), Int(4), Int(5)})});
  uint32_t sel[] = {2, 0};
  Vector picked = all.Gather(sel, 2);
  ArrowArray array;
  ArrowSchema schema;
  ExportOne(picked, 2, &array, &schema);
  ArrowArray* list = array.children[0];
  EXPECT_EQ(Offsets(list), (std::vector<int32_t>{0, 3, 5}));
  ArrowArray* items = list->children[0];
  ASSERT_EQ(items->length, 5);
  std::vector<int32_t> values;
  for (int64_t i = 0; i < items->length; i++) values.push_back(IntAt(items, i));
  EXPECT_EQ(values, (std::vector<int32_t>{3, 4, 5, 1, 2}));
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowExportTest, MapColumnIsAMapOfKeyValueEntries) {
  LogicalType t = LogicalType::Map(TypeId::kVarchar, TypeId::kInteger);
  Vector v = MakeVector(t, {Value::Map(t, {Str("a"), Str("b")}, {Int(1), Value()}), Value(),
                            Value::Map(t, {Str("c")}, {Int(3)})});
  ArrowArray array;
  ArrowSchema schema;
  ExportOne(v, 3, &array, &schema);
  ArrowSchema* ms = schema.children[0];
  EXPECT_STREQ(ms->format, "+m");
  ASSERT_EQ(ms->n_children, 1);
  EXPECT_STREQ(ms->children[0]->format, "+s");
  EXPECT_STREQ(ms->children[0]->name, "entries");
  EXPECT_EQ(ms->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
  ASSERT_EQ(ms->children[0]->n_children, 2);
  EXPECT_STREQ(ms->children[0]->children[0]->name, "key");
  EXPECT_STREQ(ms->children[0]->children[0]->format, "u");
  EXPECT_EQ(ms->children[0]->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
  EXPECT_STREQ(ms->children[0]->children[1]->name, "value");
  EXPECT_STREQ(ms->children[0]->children[1]->format, "i");

  ArrowArray* map = array.children[0];
  EXPECT_EQ(map->null_count, 1);
  EXPECT_FALSE(ValidAt(map, 1));
  EXPECT_EQ(Offsets(map), (std::vector<int32_t>{0, 2, 2, 3}));
  ASSERT_EQ(map->n_children, 1);
  ArrowArray* entries = map->children[0];
  EXPECT_EQ(entries->length, 3);
  EXPECT_EQ(entries->null_count, 0);
  ASSERT_EQ(entries->n_children, 2);
  ArrowArray* keys = entries->children[0];
  ArrowArray* values = entries->children[1];
  EXPECT_EQ(keys->length, 3);
  EXPECT_EQ(keys->null_count, 0);
  EXPECT_EQ(StringAt(keys, 0), "a");
  EXPECT_EQ(StringAt(keys, 1), "b");
  EXPECT_EQ(StringAt(keys, 2), "c");
  EXPECT_EQ(values->length, 3);
  EXPECT_EQ(IntAt(values, 0), 1);
  EXPECT_FALSE(ValidAt(values, 1));
  EXPECT_EQ(IntAt(values, 2), 3);
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowExportTest, ArrayOfRowsIsAListOfStructs) {
  // Seed 002's shape: items: [{product_id, quantity}].
  LogicalType item =
      LogicalType::Row({"product_id", "quantity"}, {TypeId::kVarchar, TypeId::kInteger});
  LogicalType t = LogicalType::Array(item);
  Vector v =
      MakeVector(t, {Value::Array(t, {Value::Row(item, {Str("p1"), Int(2)}), Value::Null(item),
                                      Value::Row(item, {Str("p2"), Value()})}),
                     Value::Array(t, {Value::Row(item, {Str("p3"), Int(5)})})});
  ArrowArray array;
  ArrowSchema schema;
  ExportOne(v, 2, &array, &schema);
  ArrowSchema* ls = schema.children[0];
  EXPECT_STREQ(ls->format, "+l");
  ArrowSchema* ss = ls->children[0];
  EXPECT_STREQ(ss->format, "+s");
  ASSERT_EQ(ss->n_children, 2);
  EXPECT_STREQ(ss->children[0]->name, "product_id");
  EXPECT_STREQ(ss->children[0]->format, "u");
  EXPECT_STREQ(ss->children[1]->name, "quantity");
  EXPECT_STREQ(ss->children[1]->format, "i");

  ArrowArray* list = array.children[0];
  EXPECT_EQ(list->null_count, 0);
  EXPECT_EQ(Offsets(list), (std::vector<int32_t>{0, 3, 4}));
  ArrowArray* rows = list->children[0];
  EXPECT_EQ(rows->length, 4);
  EXPECT_EQ(rows->null_count, 1);
  EXPECT_FALSE(ValidAt(rows, 1));
  ASSERT_EQ(rows->n_children, 2);
  ArrowArray* ids = rows->children[0];
  ArrowArray* quantities = rows->children[1];
  EXPECT_EQ(ids->length, 4);
  EXPECT_EQ(quantities->length, 4);
  EXPECT_EQ(StringAt(ids, 0), "p1");
  EXPECT_EQ(StringAt(ids, 2), "p2");
  EXPECT_EQ(StringAt(ids, 3), "p3");
  EXPECT_EQ(IntAt(quantities, 0), 2);
  EXPECT_FALSE(ValidAt(quantities, 2));
  EXPECT_EQ(IntAt(quantities, 3), 5);
  array.release(&array);
  schema.release(&schema);
}

TEST(ArrowExportTest, ConstantRowColumnIsAStructOfRepeatedFields) {
  LogicalType t = LogicalType::Row({"a", ""}, {TypeId::kBigInt, TypeId::kVarchar});
  Vector v = Vector::Constant(Value::Row(t, {Big(9), Str("x")}), 3);
  ArrowArray array;
  ArrowSchema schema;
  ExportOne(v, 3, &array, &schema);
  ArrowSchema* ss = schema.children[0];
  EXPECT_STREQ(ss->format, "+s");
  ASSERT_EQ(ss->n_children, 2);
  EXPECT_STREQ(ss->children[0]->name, "a");
  EXPECT_STREQ(ss->children[1]->name, "field1");  // anonymous fields are named by position
  ArrowArray* row = array.children[0];
  EXPECT_EQ(row->length, 3);
  EXPECT_EQ(row->null_count, 0);
  ASSERT_EQ(row->n_children, 2);
  for (int64_t i = 0; i < 3; i++) {
    EXPECT_EQ(static_cast<const int64_t*>(row->children[0]->buffers[1])[i], 9);
    EXPECT_EQ(StringAt(row->children[1], i), "x");
  }
  array.release(&array);
  schema.release(&schema);
}

}  // namespace
}  // namespace aishell
