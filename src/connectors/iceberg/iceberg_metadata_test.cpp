#include <gtest/gtest.h>

#include <cstring>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/iceberg/iceberg_metadata.h"
#include "connectors/iceberg/iceberg_transforms.h"

namespace aishell::iceberg {
namespace {

const char* kV2 = R"json({
  "format-version": 2, "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location": "s3://bucket/test/location", "last-sequence-number": 34,
  "last-updated-ms": 1602638573590, "last-column-id": 3, "current-schema-id": 1,
  "schemas": [
    {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "x", "required": true, "type": "long"}]},
    {"type": "struct", "schema-id": 1, "identifier-field-ids": [1, 2], "fields": [
      {"id": 1, "name": "x", "required": true, "type": "long"},
      {"id": 2, "name": "y", "required": true, "type": "decimal(9, 2)",
           "doc" : "comment"
},
      {"id": 3, "name": "z", "required": false, "type": "timestamptz", "initial-default": "2024-01-02T03:04:05.000006+00:00"},
      {"id": 4, "name": "s", "required": false, "type": {"type": "struct", "fields": [
        {"id": 5, "name": "inner", "required": false, "type": "string"}]}},
      {"id": 6, "name": "l", "required": false, "type": {"type": "list", "element-id": 7, "element": "int", "element-required": false}}
    ]
}],
  "default-spec-id": 0,
  "partition-specs": [{"spec-id": 0, "fields": [
    {"name": "x", "transform": "identity", "source-id": 1, "field-id": 1000},
    {"name": "y_bucket", "transform": "bucket[16]", "source-id": 2, "field-id": 1001},
    {"name": "z_day", "transform": "day", "source-id": 3, "field-id": 1002}]}],
  "last-partition-id": 1002, "default-sort-order-id": 0, "sort-orders": [{"order-id": 0, "fields": []}],
  "properties": {"write.format.default": "parquet"},
  "current-snapshot-id": 3055729675574597004,
  "snapshots": [
    {"snapshot-id": 3051729675574597004, "timestamp-ms": 1515100955770, "sequence-number": 0,
     "summary": {"operation": "append"}, "manifest-list": "s3://a/b/1.avro"},
    {"snapshot-id": 3055729675574597004, "parent-snapshot-id": 3051729675574597004,
     "timestamp-ms": 1555100955770, "sequence-number": 1,
     "summary": {"operation": "append", "total-records": "10"}, "manifest-list": "s3://a/b/2.avro", "schema-id": 1}],
  "snapshot-log": [{"snapshot-id": 3051729675574597004, "timestamp-ms": 1515100955770},
                   {"snapshot-id": 3055729675574597004, "timestamp-ms": 1555100955770}],
  "metadata-log": [],
  "refs": {
  "main" : { "snapshot-id" : 3055729675574597004, "type" : "branch" }
}
})json";

TEST(IcebergMetadataTest, ParsesV2) {
  TableMetadata m = ParseTableMetadata(kV2, "t");
  EXPECT_EQ(m.format_version, 2);
  EXPECT_EQ(m.location, "s3://bucket/test/location");
  const IcebergSchema& s = m.CurrentSchema();
  ASSERT_EQ(s.fields.size(), 5u);
  EXPECT_EQ(s.fields[1].type.id, IcebergTypeId::kDecimal);
  EXPECT_EQ(s.fields[1].type.precision, 9);
  EXPECT_EQ(s.fields[1].type.scale, 2);
  EXPECT_EQ(s.fields[1].doc, "comment");
  ASSERT_TRUE(s.fields[2].initial_default.has_value());
  EXPECT_EQ(s.fields[2].initial_default->type().id, TypeId::kTimestampTz);
  EXPECT_EQ(s.fields[3].type.id, IcebergTypeId::kStruct);
  EXPECT_EQ(s.all_types.at(5).id, IcebergTypeId::kString);
  EXPECT_EQ(s.all_types.at(7).id, IcebergTypeId::kInt);
  // Nested types read as ROW and ARRAY, with their fields' ids.
  EXPECT_EQ(EngineType(s.fields[3].type), LogicalType::Row({"inner"}, {TypeId::kVarchar}));
  ASSERT_EQ(s.fields[3].type.fields.size(), 1u);
  EXPECT_EQ(s.fields[3].type.fields[0].id, 5);
  EXPECT_EQ(EngineType(s.fields[4].type), LogicalType::Array(TypeId::kInteger));
  ASSERT_EQ(s.fields[4].type.fields.size(), 1u);
  EXPECT_EQ(s.fields[4].type.fields[0].id, 7);
  EXPECT_FALSE(s.fields[4].type.fields[0].required);
  EXPECT_EQ(s.identifier_field_ids, (std::vector<int>{1, 2}));
  ASSERT_EQ(m.specs.size(), 1u);
  EXPECT_EQ(m.specs[0].fields[1].transform.kind, TransformKind::kBucket);
  EXPECT_EQ(m.specs[0].fields[1].transform.param, 16);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("total-records"), "10");
  EXPECT_EQ(m.SnapshotAsOf(1515100955771)->snapshot_id, 3051729675574597004);
  EXPECT_EQ(m.SnapshotAsOf(1515100955769), nullptr);
  EXPECT_EQ(m.refs.at("main").type, "branch");
}

TEST(IcebergMetadataTest, ParsesV1) {
  const char* v1 = R"json({"format-version": 1, "location": "/w/t", "last-updated-ms": 1,
    "last-column-id": 2, "schema": {"type": "struct", "fields": [
      {"id": 1, "name": "a", "required": false, "type": "int"},
      {"id": 2, "name": "b", "required": false, "type": "string"}]},
    "partition-spec": [{"name": "b", "transform": "truncate[4]", "source-id": 2}],
    "snapshots": [{"snapshot-id": 5, "timestamp-ms": 10, "manifests": ["/w/t/m1.avro"]}],
    "current-snapshot-id": 5})json";
  TableMetadata m = ParseTableMetadata(v1, "t");
  EXPECT_EQ(m.CurrentSchema().fields.size(), 2u);
  ASSERT_EQ(m.specs.size(), 1u);
  EXPECT_EQ(m.specs[0].fields[0].field_id, 1000);
  EXPECT_EQ(m.specs[0].fields[0].transform.kind, TransformKind::kTruncate);
  EXPECT_EQ(m.CurrentSnapshot()->manifests.size(), 1u);
}

TEST(IcebergMetadataTest, ErrorsNameTheFile) {
  for (const char* bad :
       {"{", "[]", R"json({"format-version": 9})json",
        R"json({"format-version": 2, "schemas": [], "current-schema-id": 3})json"}) {
    try {
      ParseTableMetadata(bad, "iceberg table db.t: /w/v1.metadata.json");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/w/v1.metadata.json"), std::string::npos) << e.what();
    }
  }
}

TEST(IcebergMetadataTest, DecodesBounds) {
  IcebergType t;
  t.id = IcebergTypeId::kLong;
  std::string eight("\x22\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(DecodeBound(t, eight)->GetInt64(), 34);
  EXPECT_EQ(DecodeBound(t, eight.substr(0, 4))->GetInt64(), 34);  // promoted from int
  t.id = IcebergTypeId::kDecimal;
  t.precision = 9;
  t.scale = 2;
  EXPECT_EQ(DecodeBound(t, std::string("\x05\x8c", 2))->GetInt64(), 1420);
  EXPECT_EQ(DecodeBound(t, std::string("\xfa\x74", 2))->GetInt64(), -1420);
  t.id = IcebergTypeId::kString;
  EXPECT_EQ(DecodeBound(t, "abc")->GetString(), "abc");
  t.id = IcebergTypeId::kBinary;
  EXPECT_EQ(DecodeBound(t, "abc")->type(), LogicalType(TypeId::kVarbinary));
  EXPECT_EQ(DecodeBound(t, "abc")->GetString(), "abc");
  t.id = IcebergTypeId::kFloat;  // REAL, compared as Trino compares REAL
  std::string three_one(4, '\0');
  float f = 3.1f;
  std::memcpy(three_one.data(), &f, 4);
  EXPECT_EQ(DecodeBound(t, three_one)->type(), LogicalType(TypeId::kReal));
  EXPECT_EQ(DecodeBound(t, three_one)->Compare(Value::Real(3.1f)), 0);
  t.id = IcebergTypeId::kDecimal;  // 38 digits: 16 big-endian bytes
  t.precision = 38;
  t.scale = 2;
  std::string wide(16, '\xff');
  wide[15] = '\x9c';  // -100
  EXPECT_EQ(DecodeBound(t, wide)->ToString(), "-1.00");
  EXPECT_EQ(DecodeBound(t, wide)->type(), LogicalType::Decimal(38, 2));
}

// The hash values of the Iceberg spec's appendix B.
TEST(IcebergTransformTest, BucketHashMatchesSpec) {
  IcebergType t;
  t.id = IcebergTypeId::kInt;
  EXPECT_EQ(*BucketHash(t, Value::Integer(34)), 2017239379);
  t.id = IcebergTypeId::kLong;
  EXPECT_EQ(*BucketHash(t, Value::BigInt(34)), 2017239379);
  t.id = IcebergTypeId::kDecimal;
  t.precision = 4;
  t.scale = 2;
  EXPECT_EQ(*BucketHash(t, Value::Decimal(1420, 4, 2)), -500754589);
  t.id = IcebergTypeId::kDate;
  EXPECT_EQ(*BucketHash(t, Value::Date(DaysFromCivil(2017, 11, 16))), -653330422);
  t.id = IcebergTypeId::kTimestamp;
  int64_t ts = (int64_t{DaysFromCivil(2017, 11, 16)} * 86400 + 22 * 3600 + 31 * 60 + 8) * 1000000;
  EXPECT_EQ(*BucketHash(t, Value::Timestamp(ts)), -2047944441);
  t.id = IcebergTypeId::kString;
  EXPECT_EQ(*BucketHash(t, Value::Varchar("iceberg")), 1210000089);
}

TEST(IcebergTransformTest, Transforms) {
  IcebergType ts;
  ts.id = IcebergTypeId::kTimestamp;
  int64_t micros = (int64_t{DaysFromCivil(2017, 11, 16)} * 86400 + 22 * 3600) * 1000000;
  Value v = Value::Timestamp(micros);
  EXPECT_EQ(ApplyTransform(ParseTransform("year"), ts, v)->GetInt64(), 47);
  EXPECT_EQ(ApplyTransform(ParseTransform("month"), ts, v)->GetInt64(), 47 * 12 + 10);
  EXPECT_EQ(ApplyTransform(ParseTransform("day"), ts, v)->GetInt64(), DaysFromCivil(2017, 11, 16));
  EXPECT_EQ(ApplyTransform(ParseTransform("hour"), ts, v)->GetInt64(), micros / 3600000000LL);
  // Before the epoch, time transforms round down.
  EXPECT_EQ(ApplyTransform(ParseTransform("day"), ts, Value::Timestamp(-1))->GetInt64(), -1);
  IcebergType i;
  i.id = IcebergTypeId::kInt;
  EXPECT_EQ(ApplyTransform(ParseTransform("truncate[10]"), i, Value::Integer(-1))->GetInt64(), -10);
  EXPECT_EQ(ApplyTransform(ParseTransform("truncate[10]"), i, Value::Integer(19))->GetInt64(), 10);
  IcebergType s;
  s.id = IcebergTypeId::kString;
  EXPECT_EQ(
      ApplyTransform(ParseTransform("truncate[3]"), s, Value::Varchar("iceberg"))->GetString(),
      "ice");
  EXPECT_EQ(ApplyTransform(ParseTransform("bucket[16]"), i, Value::Integer(34))->GetInt64(),
            2017239379 % 16);
}

}  // namespace
}  // namespace aishell::iceberg
