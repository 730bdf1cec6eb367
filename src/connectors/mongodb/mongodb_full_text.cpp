// aishell search on MongoDB: `$text` with every word as a quoted phrase (so every word must
// appear, as the other sources require), ranked by {$meta: "textScore"}. Only where the
// collection has a text index (listIndexes: a key with "_fts": "text"); FerretDB has neither
// $text nor text indexes (../shared/design/servers.md), so there, and on a collection without a
// text index, the search falls back to aishell's substring predicates ($regex) and says why.
#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "catalog/full_text.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "connectors/mongodb/mongodb_client.h"
#include "connectors/mongodb/mongodb_connector.h"
#include "connectors/mongodb/mongodb_schema.h"

namespace aishell {

namespace {

// The text of a top-level field's value: strings as they are, numbers and the rest as relaxed
// extended JSON; "" when absent or null.
std::string FieldText(const bson_t& doc, const std::string& name) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, &doc, name.c_str())) return "";
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_UTF8: {
      uint32_t len = 0;
      const char* s = bson_iter_utf8(&it, &len);
      return std::string(s, len);
    }
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED:
      return "";
    case BSON_TYPE_INT32:
      return std::to_string(bson_iter_int32(&it));
    case BSON_TYPE_INT64:
      return std::to_string(bson_iter_int64(&it));
    case BSON_TYPE_BOOL:
      return bson_iter_bool(&it) ? "true" : "false";
    case BSON_TYPE_OID: {
      char hex[25];
      bson_oid_to_string(bson_iter_oid(&it), hex);
      return hex;
    }
    default: {
      // {"v": value} as JSON, the value's part only.
      BsonPtr wrap = NewBson();
      bson_append_iter(wrap.get(), "v", 1, &it);
      std::string json = BsonToJson(*wrap);
      size_t colon = json.find(':');
      size_t end = json.rfind('}');
      if (colon == std::string::npos || end == std::string::npos || end <= colon) return json;
      std::string v = json.substr(colon + 1, end - colon - 1);
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      while (!v.empty() && v.back() == ' ') v.pop_back();
      return v;
    }
  }
}

bool HasTextIndex(const bson_t& reply) {
  bson_iter_t it, batch, index;
  if (!bson_iter_init(&it, &reply) ||
      !bson_iter_find_descendant(&it, "cursor.firstBatch", &batch) ||
      !BSON_ITER_HOLDS_ARRAY(&batch) || !bson_iter_recurse(&batch, &index))
    return false;
  while (bson_iter_next(&index)) {
    bson_iter_t doc, key;
    if (!BSON_ITER_HOLDS_DOCUMENT(&index) || !bson_iter_recurse(&index, &doc) ||
        !bson_iter_find(&doc, "key") || !BSON_ITER_HOLDS_DOCUMENT(&doc) ||
        !bson_iter_recurse(&doc, &key))
      continue;
    while (bson_iter_next(&key))
      if (BSON_ITER_HOLDS_UTF8(&key) && std::string(bson_iter_utf8(&key, nullptr)) == "text")
        return true;
  }
  return false;
}

FullTextMatches MongoFullText(Connector& connector, const TableInfo& table,
                              const FullTextRequest& request) {
  auto* mongo = dynamic_cast<MongoConnector*>(&connector);
  if (!mongo) return {};
  return mongo->FullTextSearch(table, request);
}

}  // namespace

void RegisterMongoFullText() { RegisterFullTextSearch("mongodb", MongoFullText); }

FullTextMatches MongoConnector::FullTextSearch(const TableInfo& table,
                                               const FullTextRequest& request) {
  FullTextMatches out;
  if (server_.IsFerretDb()) {
    out.method = "FerretDB " + server_.ferretdb_version +
                 " has no $text or text indexes, so a case-insensitive $regex per word";
    return out;
  }
  std::shared_ptr<const MongoTable> mongo = TableOf(table);
  const std::string& db = mongo->database;
  const std::string& collection = mongo->collection;
  {
    bson_t* cmd = BCON_NEW("listIndexes", BCON_UTF8(collection.c_str()));
    BsonPtr reply;
    try {
      reply = pool_->Command(db, *cmd, "listIndexes");
    } catch (...) {
      bson_destroy(cmd);
      throw;
    }
    bson_destroy(cmd);
    if (!HasTextIndex(*reply)) {
      out.method = "no text index on " + collection + " (db." + collection +
                   ".createIndex({<field>: \"text\"}) would allow $text), so a case-insensitive "
                   "$regex per word";
      return out;
    }
  }
  std::string search;
  for (const auto& w : request.words) search += (search.empty() ? "\"" : " \"") + w + "\"";
  BsonPtr filter = NewBson();
  bson_t text;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "$text", &text);
  BSON_APPEND_UTF8(&text, "$search", search.c_str());
  bson_append_document_end(filter.get(), &text);
  MongoPool::Lease client = pool_->Acquire();
  CollectionPtr coll(mongoc_client_get_collection(client.get(), db.c_str(), collection.c_str()));
  bson_error_t error;
  BsonPtr count_opts = NewBson();
  if (request.timeout_ms > 0) BSON_APPEND_INT64(count_opts.get(), "maxTimeMS", request.timeout_ms);
  int64_t found = mongoc_collection_count_documents(coll.get(), filter.get(), count_opts.get(),
                                                    nullptr, nullptr, &error);
  if (found < 0) ThrowMongoError(Where(), "$text count on " + collection, error, pool_->url());
  out.native = true;
  out.method =
      "MongoDB $text (" + search + ") over the collection's text index, ranked by textScore";
  out.found = found;
  if (found == 0) return out;
  BsonPtr opts = NewBson();
  bson_t projection, sort, meta1, meta2;
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "projection", &projection);
  BSON_APPEND_DOCUMENT_BEGIN(&projection, "aishell_score", &meta1);
  BSON_APPEND_UTF8(&meta1, "$meta", "textScore");
  bson_append_document_end(&projection, &meta1);
  bson_append_document_end(opts.get(), &projection);
  BSON_APPEND_DOCUMENT_BEGIN(opts.get(), "sort", &sort);
  BSON_APPEND_DOCUMENT_BEGIN(&sort, "aishell_score", &meta2);
  BSON_APPEND_UTF8(&meta2, "$meta", "textScore");
  bson_append_document_end(&sort, &meta2);
  bson_append_document_end(opts.get(), &sort);
  BSON_APPEND_INT64(opts.get(), "limit", request.limit);
  if (request.timeout_ms > 0) BSON_APPEND_INT64(opts.get(), "maxTimeMS", request.timeout_ms);
  CursorPtr cursor(mongoc_collection_find_with_opts(coll.get(), filter.get(), opts.get(), nullptr));
  for (const auto& c : table.columns) out.column_names.push_back(c.name);
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) {
    std::vector<std::string> row;
    for (const auto& c : table.columns) row.push_back(FieldText(*doc, c.name));
    out.rows.push_back(std::move(row));
    bson_iter_t it;
    out.scores.push_back(bson_iter_init_find(&it, doc, "aishell_score") &&
                                 BSON_ITER_HOLDS_NUMBER(&it)
                             ? bson_iter_as_double(&it)
                             : 0.0);
  }
  if (mongoc_cursor_error(cursor.get(), &error))
    ThrowMongoError(Where(), "$text find on " + collection, error, pool_->url());
  return out;
}

}  // namespace aishell
