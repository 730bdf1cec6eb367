// The MongoDB BSON decoding (src/connectors/mongodb/mongodb_decoder.h, mongodb_schema.h): the input
// is a sequence of BSON documents (the first byte chooses the options). Their schema is inferred
// as a sample would infer it (FieldObservation, BuildColumns), then every document is decoded into
// a batch under both mismatch policies, field by field, and each top-level value is rendered as
// text and as JSON. Structurally invalid documents (bson_validate) are skipped, as libbson's reader
// would refuse them. Mismatches must throw Error(kConversion), never crash; the JSON rendering must
// be valid JSON.
#include <bson/bson.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/json_text.h"
#include "connectors/mongodb/mongodb_client.h"
#include "connectors/mongodb/mongodb_decoder.h"
#include "connectors/mongodb/mongodb_schema.h"
#include "fuzz_util.h"

namespace {

using namespace aishell;

constexpr size_t kMaxDocuments = 64;

void DecodeAll(const std::shared_ptr<MongoTable>& table, const std::vector<const bson_t*>& docs,
               MismatchPolicy policy) {
  std::vector<int> columns;
  std::vector<LogicalType> types;
  for (size_t i = 0; i < table->columns.size(); i++) {
    columns.push_back(static_cast<int>(i));
    types.push_back(table->info->columns[i].type);
  }
  std::atomic<int64_t> mismatches{0};
  MongoDecoder decoder(table, columns, policy, "mongodb source 'fuzz'", &mismatches);
  Batch out(types, docs.size());
  for (auto& c : out.columns) c.Resize(docs.size());
  for (size_t r = 0; r < docs.size(); r++) {
    try {
      decoder.Decode(*docs[r], out, r);
    } catch (const Error& e) {
      fuzz::CheckError(e);
      if (policy == MismatchPolicy::kNull)
        fuzz::Fail(std::string("a mismatch under the NULL policy threw: ") + e.what());
      for (size_t c = 0; c < out.columns.size(); c++) out.columns[c].SetNull(r);
    }
  }
  out.SetCount(docs.size());
  for (size_t c = 0; c < out.columns.size(); c++) {
    for (size_t r = 0; r < docs.size(); r++) (void)out.columns[c].GetValue(r).ToString();
  }
  for (size_t c = 0; c < table->columns.size(); c++) {
    for (const bson_t* doc : docs) {
      try {
        (void)decoder.DecodeField(*doc, table->columns[c], types[c]).ToString();
      } catch (const Error& e) {
        fuzz::CheckError(e);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  bson_reader_t* reader = bson_reader_new_from_data(data + 1, size - 1);
  std::vector<BsonPtr> owned;
  std::vector<const bson_t*> docs;
  bool eof = false;
  while (docs.size() < kMaxDocuments) {
    const bson_t* doc = bson_reader_read(reader, &eof);
    if (!doc) break;
    size_t offset = 0;
    if (!bson_validate(doc, BSON_VALIDATE_NONE, &offset)) continue;
    owned.emplace_back(bson_copy(doc));
    docs.push_back(owned.back().get());
  }
  bson_reader_destroy(reader);
  if (docs.empty()) return 0;

  FieldObservation root;
  for (const bson_t* doc : docs) root.ObserveDocument(*doc);
  auto table = std::make_shared<MongoTable>();
  table->database = "db";
  table->collection = "c";
  table->info = std::make_shared<TableInfo>();
  MongoSchemaOptions options;
  options.flatten = mode & 1;
  try {
    BuildColumns(root, static_cast<int64_t>(docs.size()), options, table.get());
  } catch (const Error& e) {
    fuzz::CheckError(e);
    return 0;
  }
  for (const auto& [name, field] : root.children)
    (void)DescribeObservation(*field, static_cast<int64_t>(docs.size()));
  DecodeAll(table, docs, MismatchPolicy::kNull);
  DecodeAll(table, docs, MismatchPolicy::kError);

  for (const bson_t* doc : docs) {
    bson_iter_t it;
    if (!bson_iter_init(&it, doc)) continue;
    while (bson_iter_next(&it)) {
      (void)BsonText(it);
      std::string json;
      AppendBsonJson(it, &json);
      if (!CanonicalJson(json)) fuzz::Fail("AppendBsonJson made invalid JSON: " + json);
    }
  }
  return 0;
}
