// BSON decoding and inference over documents built locally with libbson (the test server,
// FerretDB, cannot store Decimal128).
#include "connectors/mongodb/mongodb_decoder.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "connectors/mongodb/mongodb_filter.h"

namespace aishell {
namespace {

BsonPtr Doc(const char* json) {
  bson_error_t error;
  bson_t* doc = bson_new_from_json(reinterpret_cast<const uint8_t*>(json), -1, &error);
  EXPECT_NE(doc, nullptr) << error.message;
  return BsonPtr(doc);
}

std::shared_ptr<MongoTable> Infer(const std::vector<const char*>& docs,
                                  MongoSchemaOptions options = {}) {
  FieldObservation root;
  std::vector<BsonPtr> keep;
  for (const char* d : docs) {
    keep.push_back(Doc(d));
    root.ObserveDocument(*keep.back());
  }
  auto table = std::make_shared<MongoTable>();
  table->database = "db";
  table->collection = "c";
  table->info = std::make_shared<TableInfo>();
  BuildColumns(root, static_cast<int64_t>(docs.size()), options, table.get());
  return table;
}

Batch DecodeAll(const std::shared_ptr<MongoTable>& table, const std::vector<const char*>& docs,
                MismatchPolicy policy = MismatchPolicy::kError) {
  std::vector<int> columns;
  std::vector<LogicalType> types;
  for (size_t i = 0; i < table->columns.size(); i++) {
    columns.push_back(static_cast<int>(i));
    types.push_back(table->info->columns[i].type);
  }
  MongoDecoder decoder(table, columns, policy, "mongodb source 'm'", nullptr);
  Batch out(types, docs.size());
  for (auto& c : out.columns) c.Resize(docs.size());
  for (size_t r = 0; r < docs.size(); r++) decoder.Decode(*Doc(docs[r]), out, r);
  out.SetCount(docs.size());
  return out;
}

TEST(MongoDecoderTest, Decimal128IsExactDecimal34) {
  std::vector<const char*> docs = {
      R"({"_id": 1, "amount": {"$numberDecimal": "12.345"}})",
      R"({"_id": 2, "amount": {"$numberDecimal": "-0.5"}})",
      R"({"_id": 3, "amount": {"$numberDecimal": "1234567890123456789012345678.9"}})",
      R"({"_id": 4, "amount": 7})"};
  auto table = Infer(docs);
  ASSERT_EQ(table->info->columns[1].type, LogicalType::Decimal(34, 3));
  Batch b = DecodeAll(table, docs);
  EXPECT_EQ(b.columns[1].GetValue(0).ToString(), "12.345");
  EXPECT_EQ(b.columns[1].GetValue(1).ToString(), "-0.500");
  EXPECT_EQ(b.columns[1].GetValue(2).ToString(), "1234567890123456789012345678.900");
  EXPECT_EQ(b.columns[1].GetValue(3).ToString(), "7.000");
}

TEST(MongoDecoderTest, NestedDocumentsArraysAndKinds) {
  std::vector<const char*> docs = {
      R"({"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "items": [{"sku": "a", "qty": 1}],
          "at": {"$date": "2024-05-01T10:00:00.250Z"}, "u": {"$binary": {"base64":
          "AAECAwQFBgcICQoLDA0ODw==", "subType": "04"}}})",
      R"({"_id": {"$oid": "65a1b2c3d4e5f60718293a4c"}, "items": [], "extra": true})"};
  auto table = Infer(docs);
  EXPECT_EQ(table->info->columns[0].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(table->info->columns[1].type.ToString(), "ARRAY(ROW(sku VARCHAR, qty INTEGER))");
  EXPECT_EQ(table->info->columns[2].type, LogicalType(TypeId::kTimestampTz));
  EXPECT_EQ(table->info->columns[3].type, LogicalType(TypeId::kUuid));
  EXPECT_NE(table->info->columns[4].comment.find("missing in 50%"), std::string::npos);
  Batch b = DecodeAll(table, docs);
  EXPECT_EQ(b.columns[0].GetValue(0).ToString(), "65a1b2c3d4e5f60718293a4b");
  EXPECT_EQ(b.columns[1].GetValue(0).ToString(), "[{sku=a, qty=1}]");
  EXPECT_EQ(b.columns[1].GetValue(1).ToString(), "[]");
  EXPECT_EQ(b.columns[2].GetValue(0).GetInt64() % 1000000, 250000);
  EXPECT_TRUE(b.columns[4].GetValue(0).is_null());
}

TEST(MongoDecoderTest, MismatchNamesCollectionIdAndFieldOrReadsNull) {
  auto table = Infer({R"({"_id": 1, "n": 1})"});
  std::vector<const char*> docs = {R"({"_id": 1, "n": 1})", R"({"_id": 2, "n": "two"})"};
  try {
    DecodeAll(table, docs);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("db.c"), std::string::npos) << m;
    EXPECT_NE(m.find("_id 2"), std::string::npos) << m;
    EXPECT_NE(m.find("field 'n'"), std::string::npos) << m;
  }
  Batch b = DecodeAll(table, docs, MismatchPolicy::kNull);
  EXPECT_TRUE(b.columns[1].GetValue(1).is_null());
}

// A mismatch inside sub-documents, arrays and maps names the whole path; sub-document fields
// decode whatever their order in the document.
TEST(MongoDecoderTest, NestedMismatchNamesThePathAndFieldOrderDoesNotMatter) {
  auto table = Infer({R"({"_id": 1, "a": {"b": [{"c": 1, "d": "x"}], "e": 2}})"});
  std::vector<const char*> docs = {R"({"_id": 1, "a": {"e": 5, "b": [{"d": "y", "c": 3}]}})",
                                   R"({"_id": 2, "a": {"b": [{"c": 4}, {"d": "z", "c": 6}]}})"};
  Batch b = DecodeAll(table, docs);
  // A column every document has gets no validity bitmap (the engine's no-NULL paths).
  EXPECT_FALSE(b.columns[0].MayHaveNulls());
  EXPECT_EQ(b.columns[1].GetValue(0).ToString(), "{b=[{c=3, d=y}], e=5}");
  EXPECT_EQ(b.columns[1].GetValue(1).ToString(), "{b=[{c=4, d=NULL}, {c=6, d=z}], e=NULL}");
  for (const char* bad : {R"({"_id": 3, "a": {"b": [{"c": "three"}]}})",
                          R"({"_id": 3, "a": {"b": [{"c": 1}], "e": [1]}})"}) {
    try {
      DecodeAll(table, {bad});
      FAIL() << "no error for " << bad;
    } catch (const Error& e) {
      std::string m = e.what();
      std::string field = std::string(bad).find("three") != std::string::npos ? "a.b[].c" : "a.e";
      EXPECT_NE(m.find("_id 3, field '" + field + "'"), std::string::npos) << m;
    }
  }
  MongoSchemaOptions options;
  options.overrides["m"] =
      LogicalType::Map(LogicalType(TypeId::kVarchar), LogicalType(TypeId::kInteger));
  auto with_map = Infer({R"({"_id": 1, "m": {"k": 1}})"}, options);
  try {
    DecodeAll(with_map, {R"({"_id": 4, "m": {"k": 1, "j": "x"}})"});
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("_id 4, field 'm.j'"), std::string::npos) << m;
  }
}

// Found by test/fuzz/bson_fuzzer.cpp: a BSON date whose milliseconds overflow a TIMESTAMP's
// microseconds was multiplied anyway (undefined behaviour; a wrong timestamp in practice).
TEST(MongoDecoderTest, DateOutOfTimestampRangeIsAMismatch) {
  const char* far = R"({"_id": 2, "d": {"$date": {"$numberLong": "-8286622614427827200"}}})";
  auto table = Infer({R"({"_id": 1, "d": {"$date": "2024-03-01T00:00:00Z"}})", far});
  ASSERT_TRUE(table->info->columns[1].type.id == TypeId::kTimestampTz ||
              table->info->columns[1].type.id == TypeId::kTimestamp);
  try {
    DecodeAll(table, {far});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConversion);
    EXPECT_NE(std::string(e.what()).find("out of the TIMESTAMP range"), std::string::npos)
        << e.what();
  }
  Batch b = DecodeAll(table, {far}, MismatchPolicy::kNull);
  EXPECT_TRUE(b.columns[1].GetValue(0).is_null());
  BsonPtr doc = Doc(far);
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, doc.get(), "d"));
  EXPECT_EQ(BsonText(it), "-8286622614427827200");
}

TEST(MongoDecoderTest, ValuesToBson) {
  BsonPtr doc = NewBson();
  ASSERT_TRUE(AppendBsonValue(doc.get(), "d", Value::Decimal(12345, 10, 2)));
  ASSERT_TRUE(AppendBsonValue(doc.get(), "id", Value::Varchar("65a1b2c3d4e5f60718293a4b"),
                              KindBit(BsonKind::kObjectId)));
  EXPECT_FALSE(
      AppendBsonValue(doc.get(), "bad", Value::Varchar("not hex"), KindBit(BsonKind::kObjectId)));
  std::string json = BsonToJson(*doc);
  EXPECT_NE(json.find("\"$numberDecimal\" : \"123.45\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"$oid\" : \"65a1b2c3d4e5f60718293a4b\""), std::string::npos) << json;
}

TEST(MongoFilterTest, LikeToRegexEscapesAndAnchors) {
  std::string r;
  ASSERT_TRUE(LikeToRegex("a.b%_c", -1, &r));
  EXPECT_EQ(r, "^a\\.b.*.c$");
  ASSERT_TRUE(LikeToRegex("50!%", '!', &r));
  EXPECT_EQ(r, "^50%$");
  EXPECT_FALSE(LikeToRegex("bad!", '!', &r));
}

}  // namespace
}  // namespace aishell
