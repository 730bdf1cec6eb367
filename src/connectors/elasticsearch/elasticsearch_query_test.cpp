// Query translation (SQL conjuncts -> query DSL), mapping inference, date formats and hit decoding
// over mappings and responses written here: no server needed.
#include "connectors/elasticsearch/elasticsearch_query.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "connectors/elasticsearch/elasticsearch_decoder.h"
#include "connectors/elasticsearch/elasticsearch_writer.h"
#include "functions/function.h"

namespace aishell {
namespace {

const char* kMapping = R"({"logs-1": {"mappings": {"properties": {
  "name": {"type": "keyword"},
  "short": {"type": "keyword", "ignore_above": 5},
  "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
  "body": {"type": "text"},
  "n": {"type": "long"}, "i": {"type": "integer"}, "f": {"type": "float"},
  "ok": {"type": "boolean"},
  "ts": {"type": "date", "format": "yyyy/MM/dd HH:mm:ss||epoch_millis"},
  "addr": {"properties": {"city": {"type": "keyword"}}},
  "items": {"type": "nested", "properties": {"sku": {"type": "keyword"}}},
  "tags": {"type": "keyword"}
}}}})";

class EsQueryTest : public ::testing::Test {
 protected:
  void SetUp() override { table_ = BuildEsTable("logs", kMapping, {"tags"}, "test"); }

  ExprPtr Col(const std::string& name) {
    int c = table_->info->FindColumn(name);
    EXPECT_GE(c, 0) << name;
    return MakeColumnRef(c, table_->info->columns[c].type, name);
  }
  std::string Sql(const ExprPtr& e) {
    EsQueryBuilder b(*table_);
    auto out = b.Translate(*e);
    return out ? *out : "<refused>";
  }
  static ExprPtr In(ExprPtr column, std::vector<Value> values, bool negated = false) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kIn;
    e->type = LogicalType(TypeId::kBoolean);
    e->negated = negated;
    e->children.push_back(std::move(column));
    for (auto& v : values) e->children.push_back(MakeConstant(v));
    return e;
  }
  static ExprPtr Like(ExprPtr column, const std::string& pattern, bool negated = false) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kLike;
    e->type = LogicalType(TypeId::kBoolean);
    e->negated = negated;
    e->children = {std::move(column), MakeConstant(Value::Varchar(pattern))};
    return e;
  }
  static ExprPtr IsNull(ExprPtr column, bool not_null) {
    auto e = std::make_shared<Expr>();
    e->kind = not_null ? ExprKind::kIsNotNull : ExprKind::kIsNull;
    e->type = LogicalType(TypeId::kBoolean);
    e->children = {std::move(column)};
    return e;
  }

  std::shared_ptr<EsTable> table_;
};

TEST_F(EsQueryTest, MappingTypes) {
  const auto& cols = table_->info->columns;
  auto type_of = [&](const char* name) { return cols[table_->info->FindColumn(name)].type; };
  EXPECT_EQ(type_of("name"), LogicalType(TypeId::kVarchar));
  EXPECT_EQ(type_of("n"), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(type_of("i"), LogicalType(TypeId::kInteger));
  EXPECT_EQ(type_of("f"), LogicalType(TypeId::kReal));
  EXPECT_EQ(type_of("ts"), LogicalType(TypeId::kTimestampTz));
  EXPECT_EQ(type_of("addr"), LogicalType::Row({"city"}, {LogicalType(TypeId::kVarchar)}));
  EXPECT_EQ(type_of("items"),
            LogicalType::Array(LogicalType::Row({"sku"}, {LogicalType(TypeId::kVarchar)})));
  EXPECT_EQ(type_of("tags"), LogicalType::Array(LogicalType(TypeId::kVarchar)));
  int id = table_->info->FindColumn("_id");
  ASSERT_GE(id, 0);
  EXPECT_TRUE(cols[id].hidden);
  EXPECT_EQ(FindEsField(*table_, "title")->keyword_subfield, "title.raw");
}

TEST_F(EsQueryTest, MappingConflictAcrossIndicesNamesBoth) {
  const char* two = R"({"a": {"mappings": {"properties": {"x": {"type": "keyword"}}}},
                        "b": {"mappings": {"properties": {"x": {"type": "long"}}}}})";
  try {
    BuildEsTable("a*", two, {}, "elasticsearch source 'es'");
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("field 'x'"), std::string::npos) << m;
    EXPECT_NE(m.find("index a"), std::string::npos) << m;
    EXPECT_NE(m.find("index b"), std::string::npos) << m;
  }
}

TEST_F(EsQueryTest, Comparisons) {
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kEq, Col("name"), MakeConstant(Value::Varchar("a")))),
            R"({"term":{"name":{"value":"a"}}})");
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kGt, MakeConstant(Value::BigInt(5)), Col("n"))),
            R"({"range":{"n":{"lt":5}}})");
  // <> never matches a missing field in SQL.
  EXPECT_EQ(
      Sql(MakeComparison(CompareOp::kNe, Col("n"), MakeConstant(Value::BigInt(5)))),
      R"({"bool":{"filter":[{"exists":{"field":"n"}}],"must_not":[{"term":{"n":{"value":5}}}]}})");
  // A text field through its keyword sub-field; a text field without one is refused.
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kEq, Col("title"), MakeConstant(Value::Varchar("Hi")))),
            R"({"term":{"title.raw":{"value":"Hi"}}})");
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kEq, Col("body"), MakeConstant(Value::Varchar("x")))),
            "<refused>");
  // ignore_above: a literal longer than it never matches an indexed value, so it is refused.
  EXPECT_EQ(
      Sql(MakeComparison(CompareOp::kEq, Col("short"), MakeConstant(Value::Varchar("abcdefg")))),
      "<refused>");
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kLt, Col("short"), MakeConstant(Value::Varchar("b")))),
            "<refused>");
  // Floats are indexed as float32: not pushed.
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kGt, Col("f"), MakeConstant(Value::Real(1.5f)))),
            "<refused>");
  // Dates as epoch milliseconds with the format named.
  EXPECT_EQ(
      Sql(MakeComparison(CompareOp::kGe, Col("ts"), MakeConstant(Value::TimestampTz(1000000)))),
      R"({"range":{"ts":{"gte":1000,"format":"epoch_millis"}}})");
  EXPECT_EQ(
      Sql(MakeComparison(CompareOp::kGe, Col("ts"), MakeConstant(Value::TimestampTz(1000001)))),
      "<refused>");
  // Arrays and nested fields stay in the engine.
  EXPECT_EQ(Sql(IsNull(Col("tags"), false)), "<refused>");
}

TEST_F(EsQueryTest, LiteralsAreJsonValues) {
  EXPECT_EQ(Sql(MakeComparison(CompareOp::kEq, Col("name"),
                               MakeConstant(Value::Varchar("x\"}},{\"match_all\":{}")))),
            R"({"term":{"name":{"value":"x\"}},{\"match_all\":{}"}}})");
}

TEST_F(EsQueryTest, InNullsLikeAndBoolean) {
  EXPECT_EQ(Sql(In(Col("n"), {Value::BigInt(1), Value::BigInt(2),
                              Value::Null(LogicalType(TypeId::kBigInt))})),
            R"({"terms":{"n":[1,2]}})");
  EXPECT_EQ(Sql(In(Col("n"), {Value::BigInt(1), Value::Null(LogicalType(TypeId::kBigInt))}, true)),
            "<refused>");
  EXPECT_EQ(
      Sql(In(Col("name"), {Value::Varchar("a")}, true)),
      R"({"bool":{"filter":[{"exists":{"field":"name"}}],"must_not":[{"terms":{"name":["a"]}}]}})");
  EXPECT_EQ(Sql(IsNull(Col("n"), false)), R"({"bool":{"must_not":[{"exists":{"field":"n"}}]}})");
  EXPECT_EQ(Sql(IsNull(Col("n"), true)), R"({"exists":{"field":"n"}})");
  EXPECT_EQ(Sql(Like(Col("name"), "ab%")), R"({"prefix":{"name":{"value":"ab"}}})");
  EXPECT_EQ(Sql(Like(Col("name"), "a*b_%")), R"({"wildcard":{"name":{"value":"a\\*b?*"}}})");
  EXPECT_EQ(Sql(Like(Col("title"), "ab%")), "<refused>");
  EXPECT_EQ(Sql(Col("ok")), R"({"term":{"ok":true}})");
  EXPECT_EQ(Sql(MakeNot(Col("ok"))), R"({"term":{"ok":false}})");
}

TEST_F(EsQueryTest, NotMovesToTheLeaves) {
  auto e = MakeNot(
      MakeOr({MakeComparison(CompareOp::kEq, Col("name"), MakeConstant(Value::Varchar("a"))),
              MakeComparison(CompareOp::kLt, Col("n"), MakeConstant(Value::BigInt(3)))}));
  EXPECT_EQ(
      Sql(e),
      R"({"bool":{"filter":[{"bool":{"filter":[{"exists":{"field":"name"}}],"must_not":[{"term":{"name":{"value":"a"}}}]}},{"range":{"n":{"gte":3}}}]}})");
  // One refused leaf refuses the whole conjunct.
  auto mixed =
      MakeOr({MakeComparison(CompareOp::kEq, Col("name"), MakeConstant(Value::Varchar("a"))),
              MakeComparison(CompareOp::kEq, Col("body"), MakeConstant(Value::Varchar("b")))});
  EXPECT_EQ(Sql(mixed), "<refused>");
}

TEST_F(EsQueryTest, FullTextMatch) {
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar(
      "match", {LogicalType(TypeId::kVarchar), LogicalType(TypeId::kVarchar)}, &coerced);
  ASSERT_NE(fn, nullptr);
  auto call = MakeFunction(fn, {Col("body"), MakeConstant(Value::Varchar("quick fox"))});
  EXPECT_TRUE(EsQueryBuilder::IsMatch(*call));
  EXPECT_EQ(Sql(call), R"({"match":{"body":{"query":"quick fox"}}})");
  EXPECT_EQ(
      Sql(MakeNot(call)),
      R"({"bool":{"filter":[{"exists":{"field":"body"}}],"must_not":[{"match":{"body":{"query":"quick fox"}}}]}})");
  EXPECT_EQ(Sql(MakeFunction(fn, {Col("n"), MakeConstant(Value::Varchar("x"))})), "<refused>");
}

TEST_F(EsQueryTest, ContainsOnArrayFields) {
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar(
      "contains",
      {LogicalType::Array(LogicalType(TypeId::kVarchar)), LogicalType(TypeId::kVarchar)}, &coerced);
  ASSERT_NE(fn, nullptr);
  auto call = MakeFunction(fn, {Col("tags"), MakeConstant(Value::Varchar("red"))});
  EXPECT_EQ(Sql(call), R"({"term":{"tags":{"value":"red"}}})");
  EXPECT_EQ(Sql(MakeNot(call)), "<refused>");
}

// any_match(items, x -> <body>) as the binder makes it: the array, no captures, the lambda body
// over [x] (column 0 is one element, a ROW).
ExprPtr AnyMatch(ExprPtr array, ExprPtr body, std::vector<ExprPtr> captures = {}) {
  auto fn = std::make_shared<ScalarFunction>();
  fn->name = "any_match";
  fn->return_type = LogicalType(TypeId::kBoolean);
  std::vector<ExprPtr> args = {std::move(array)};
  for (auto& c : captures) args.push_back(std::move(c));
  auto call = MakeFunction(fn, args);
  call->lambda_body = std::move(body);
  return call;
}

ExprPtr Field(ExprPtr row, int index) {
  auto fn = std::make_shared<ScalarFunction>();
  fn->name = "$field";
  fn->field_index = index;
  fn->return_type = row->type.Children()[index];
  return MakeFunction(fn, {std::move(row)});
}

TEST_F(EsQueryTest, NestedFieldsAsNestedQueries) {
  ExprPtr items = Col("items");
  ExprPtr x = MakeColumnRef(0, items->type.ElementType(), "x");
  ExprPtr sku_is_a = MakeComparison(CompareOp::kEq, Field(x, 0), MakeConstant(Value::Varchar("a")));
  EXPECT_EQ(Sql(AnyMatch(items, sku_is_a)),
            R"({"nested":{"path":"items","query":{"term":{"items.sku":{"value":"a"}}}}})");
  // Conditions inside the lambda stay on one element: one nested query around the bool.
  ExprPtr both = MakeAnd({sku_is_a, MakeNot(MakeComparison(CompareOp::kEq, Field(x, 0),
                                                           MakeConstant(Value::Varchar("b"))))});
  EXPECT_EQ(
      Sql(AnyMatch(items, both)),
      R"({"nested":{"path":"items","query":{"bool":{"filter":[{"term":{"items.sku":{"value":"a"}}},)"
      R"({"bool":{"filter":[{"exists":{"field":"items.sku"}}],"must_not":[{"term":{"items.sku":{"value":"b"}}}]}}]}}}})");
  // Refused: under NOT (NULL elements), with a captured outer column, on a field that is not
  // nested, and comparing the whole element.
  EXPECT_EQ(Sql(MakeNot(AnyMatch(items, sku_is_a))), "<refused>");
  EXPECT_EQ(Sql(AnyMatch(items, sku_is_a, {Col("name")})), "<refused>");
  ExprPtr tag = MakeColumnRef(0, LogicalType(TypeId::kVarchar), "x");
  EXPECT_EQ(Sql(AnyMatch(Col("tags"),
                         MakeComparison(CompareOp::kEq, tag, MakeConstant(Value::Varchar("a"))))),
            "<refused>");
  EXPECT_EQ(Sql(AnyMatch(items, MakeComparison(CompareOp::kEq, x, x))), "<refused>");
}

TEST(EsDates, Formats) {
  EXPECT_EQ(ParseEsDate("2024/01/02 03:04:05", false, {"yyyy/MM/dd HH:mm:ss"}), 1704164645000);
  EXPECT_EQ(ParseEsDate("1704164645000", true, {"yyyy/MM/dd HH:mm:ss", "epoch_millis"}),
            1704164645000);
  EXPECT_EQ(ParseEsDate("2024-01-02T03:04:05.5+01:00", false, {}), 1704161045500);
  EXPECT_EQ(ParseEsDate("2024-01-02", false, {"strict_date"}), 1704153600000);
  EXPECT_EQ(ParseEsDate("1704164645", true, {"epoch_second"}), 1704164645000);
  EXPECT_FALSE(ParseEsDate("02.01.2024", false, {"yyyy-MM-dd"}).has_value());
  // Past what a TIMESTAMP holds: no date, not an overflow (found by es_search_fuzzer).
  EXPECT_FALSE(ParseEsDate("1.70416e+29", true, {"epoch_millis"}).has_value());
  EXPECT_FALSE(ParseEsDate("9223372036854775807", true, {"epoch_second"}).has_value());
  EXPECT_FALSE(ParseEsDate("-9223372036854775808", true, {}).has_value());
  EXPECT_FALSE(ParseEsDate("nan", true, {"epoch_millis"}).has_value());
}

TEST_F(EsQueryTest, DecodesHits) {
  std::string body = R"({"pit_id":"p1","hits":{"hits":[
    {"_id":"1","_score":1.5,"_source":{"name":"a","n":"7","ts":"2024/01/02 03:04:05","addr":{"city":"x"},
      "items":[{"sku":"s1"},{"sku":"s2"}],"tags":"one"},"sort":[3,4]},
    {"_id":"2","_score":null,"_source":{"name":["b"],"n":5.0,"tags":["t1","t2"],"ts":1000}}]}})";
  body.reserve(body.size() + 64);
  std::vector<int> projection;
  for (const char* c : {"_id", "name", "n", "ts", "addr", "items", "tags", "_score"})
    projection.push_back(table_->info->FindColumn(c));
  EsDecoder decoder(table_, projection, "test");
  std::vector<Batch> batches;
  EsPage page = decoder.DecodeSearch(body, &batches);
  EXPECT_EQ(page.hits, 2u);
  EXPECT_EQ(page.pit_id, "p1");
  EXPECT_EQ(page.last_sort, "[3,4]");
  ASSERT_EQ(batches.size(), 1u);
  const Batch& b = batches[0];
  ASSERT_EQ(b.count, 2u);
  EXPECT_EQ(b.columns[0].GetValue(1).ToString(), "2");
  EXPECT_EQ(b.columns[1].GetValue(1).ToString(), "b");  // an array of one in a scalar column
  EXPECT_EQ(b.columns[2].GetValue(0).GetInt64(), 7);    // a number as text
  EXPECT_EQ(b.columns[2].GetValue(1).GetInt64(), 5);
  EXPECT_EQ(b.columns[3].GetValue(0).GetInt64(), 1704164645000000);
  EXPECT_EQ(b.columns[3].GetValue(1).GetInt64(), 1000000);
  EXPECT_EQ(b.columns[4].GetValue(0).Children()[0].GetString(), "x");
  EXPECT_TRUE(b.columns[4].GetValue(1).is_null());
  EXPECT_EQ(b.columns[5].GetValue(0).Children().size(), 2u);
  EXPECT_EQ(b.columns[6].GetValue(0).Children().size(), 1u);  // one value in an array column
  EXPECT_EQ(b.columns[6].GetValue(1).Children().size(), 2u);
  EXPECT_TRUE(b.columns[7].GetValue(1).is_null());
}

TEST_F(EsQueryTest, MismatchNamesIndexDocumentAndField) {
  std::string body = R"({"hits":{"hits":[{"_id":"doc9","_source":{"n":"seven"}}]}})";
  body.reserve(body.size() + 64);
  EsDecoder decoder(table_, {table_->info->FindColumn("n")}, "elasticsearch source 'es'");
  std::vector<Batch> batches;
  try {
    decoder.DecodeSearch(body, &batches);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("index 'logs'"), std::string::npos) << m;
    EXPECT_NE(m.find("_id doc9"), std::string::npos) << m;
    EXPECT_NE(m.find("field 'n'"), std::string::npos) << m;
  }
}

TEST(EsWriterMapping, FromColumns) {
  std::vector<ColumnInfo> cols(4);
  cols[0].name = "_id";
  cols[0].type = LogicalType(TypeId::kVarchar);
  cols[1].name = "n";
  cols[1].type = LogicalType(TypeId::kBigInt);
  cols[2].name = "tags";
  cols[2].type = LogicalType::Array(LogicalType(TypeId::kVarchar));
  cols[3].name = "r";
  cols[3].type = LogicalType::Row({"a"}, {LogicalType(TypeId::kTimestampTz)});
  EXPECT_EQ(
      EsMappingFor(cols),
      R"({"mappings":{"dynamic":false,"_meta":{"aishell":{"arrays":["tags"]}},"properties":{"n":{"type":"long"},"tags":{"type":"keyword"},"r":{"properties":{"a":{"type":"date","format":"strict_date_optional_time||epoch_millis"}}}}}})");
}

}  // namespace
}  // namespace aishell
