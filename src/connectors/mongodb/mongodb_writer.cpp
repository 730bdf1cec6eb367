#include "connectors/mongodb/mongodb_writer.h"

#include <algorithm>

#include "common/exception.h"
#include "common/strings.h"
#include "connectors/mongodb/mongodb_decoder.h"

namespace aishell {

namespace {

constexpr size_t kDocumentsPerBulk = 1000;

bool HasDecimal(const LogicalType& t) {
  if (t.id == TypeId::kDecimal) return true;
  for (const auto& c : t.Children()) {
    if (HasDecimal(c)) return true;
  }
  return false;
}

// The first write error of a bulk reply: "document 3: E11000 duplicate key ...".
std::string FirstWriteError(const bson_t& reply) {
  bson_iter_t it, errors;
  if (!bson_iter_init_find(&it, &reply, "writeErrors") || !bson_iter_recurse(&it, &errors))
    return {};
  if (!bson_iter_next(&errors)) return {};
  bson_iter_t e;
  if (!bson_iter_recurse(&errors, &e)) return {};
  std::string index, message;
  while (bson_iter_next(&e)) {
    std::string key = bson_iter_key(&e);
    if (key == "index") index = std::to_string(bson_iter_as_int64(&e));
    if (key == "errmsg" && BSON_ITER_HOLDS_UTF8(&e)) message = bson_iter_utf8(&e, nullptr);
  }
  return "document " + index + " of the batch: " + message;
}

}  // namespace

MongoWriter::MongoWriter(MongoWriterSpec spec) : spec_(std::move(spec)) {
  for (size_t i = 0; i < spec_.columns.size(); i++) {
    if (spec_.columns[i].name == "_id") id_index_ = static_cast<int>(i);
    if (!spec_.key_column.empty() && EqualsIgnoreCase(spec_.columns[i].name, spec_.key_column))
      key_index_ = static_cast<int>(i);
  }
  if (spec_.ferretdb) {
    for (const auto& c : spec_.columns) {
      if (HasDecimal(c.type))
        throw Error(ErrorKind::kUnsupported,
                    spec_.where + ": column " + c.name + " is " + c.type.ToString() +
                        ", stored as Decimal128, which this server (FerretDB) cannot store: CAST "
                        "it to DOUBLE or VARCHAR");
    }
  }
  if (!spec_.key_column.empty() && key_index_ < 0)
    throw Error(ErrorKind::kConnector, spec_.where + ": property key." + spec_.collection + "='" +
                                           spec_.key_column + "' names no column written");
  if (spec_.replace) {
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    char hex[25];
    bson_oid_to_string(&oid, hex);
    // No dot in the name: FerretDB refuses to rename a collection whose name has one.
    staging_ = "aishell_staging_" + std::string(hex) + "_" + spec_.collection;
  }
  if (spec_.create || spec_.replace) {
    MongoPool::Lease client = spec_.pool->Acquire();
    mongoc_database_t* db = mongoc_client_get_database(client.get(), spec_.database.c_str());
    bson_error_t error;
    mongoc_collection_t* created =
        mongoc_database_create_collection(db, written_collection().c_str(), nullptr, &error);
    mongoc_database_destroy(db);
    if (!created)
      ThrowMongoError(spec_.where,
                      "creating collection " + spec_.database + "." + written_collection(), error,
                      spec_.pool->url());
    mongoc_collection_destroy(created);
    created_ = true;
  }
}

MongoWriter::~MongoWriter() {
  if (!finished_) {
    try {
      Abort();
    } catch (...) {
    }
  }
}

void MongoWriter::Append(const Batch& batch) {
  for (size_t r = 0; r < batch.count; r++) {
    BsonPtr doc = NewBson();
    bool id_given = id_index_ >= 0 && !batch.columns[id_index_].GetValue(r).is_null();
    if (!id_given && key_index_ < 0) {
      // The writer names each new document, so Abort can delete exactly what it added.
      bson_oid_t oid;
      bson_oid_init(&oid, nullptr);
      bson_append_oid(doc.get(), "_id", -1, &oid);
      inserted_.push_back(oid);
    }
    for (size_t c = 0; c < spec_.columns.size(); c++) {
      if (static_cast<int>(c) == id_index_ && !id_given) continue;
      Value v = batch.columns[c].GetValue(r);
      const std::string& name = spec_.columns[c].name;
      if (name.empty() || name[0] == '$' || name.find('\0') != std::string::npos)
        throw Error(ErrorKind::kConversion,
                    spec_.where + ": column name '" + name + "' is not a MongoDB field name");
      if (!AppendBsonValue(doc.get(), name.c_str(), v))
        throw Error(ErrorKind::kConversion,
                    spec_.where + ": row " + std::to_string(written_ + pending_.size() + 1) +
                        ", column " + name + ": the value " + v.ToString() + " of type " +
                        v.type().ToString() + " has no BSON form");
    }
    pending_.push_back(std::move(doc));
    bool hold = key_index_ >= 0 && spec_.conflict == UpsertConflict::kError;
    if (pending_.size() >= kDocumentsPerBulk && !hold) Flush();
  }
}

void MongoWriter::Flush() {
  if (pending_.empty()) return;
  MongoPool::Lease client = spec_.pool->Acquire();
  CollectionPtr coll(mongoc_client_get_collection(client.get(), spec_.database.c_str(),
                                                  written_collection().c_str()));
  bson_t* opts = BCON_NEW("ordered", BCON_BOOL(false));
  mongoc_bulk_operation_t* bulk =
      mongoc_collection_create_bulk_operation_with_opts(coll.get(), opts);
  bson_destroy(opts);
  bson_error_t error;
  bool ok = true;
  for (const auto& doc : pending_) {
    if (key_index_ >= 0) {
      bson_iter_t key;
      bson_t selector;
      bson_init(&selector);
      if (bson_iter_init_find(&key, doc.get(), spec_.columns[key_index_].name.c_str()))
        bson_append_iter(&selector, spec_.columns[key_index_].name.c_str(), -1, &key);
      bson_t* upsert = BCON_NEW("upsert", BCON_BOOL(true));
      if (spec_.conflict == UpsertConflict::kTargetWins) {
        // Only a new key inserts; a document already there is left as it is.
        bson_t update;
        bson_init(&update);
        BSON_APPEND_DOCUMENT(&update, "$setOnInsert", doc.get());
        ok = mongoc_bulk_operation_update_one_with_opts(bulk, &selector, &update, upsert, &error);
        bson_destroy(&update);
      } else {
        ok =
            mongoc_bulk_operation_replace_one_with_opts(bulk, &selector, doc.get(), upsert, &error);
      }
      bson_destroy(upsert);
      bson_destroy(&selector);
    } else {
      ok = mongoc_bulk_operation_insert_with_opts(bulk, doc.get(), nullptr, &error);
    }
    if (!ok) break;
  }
  bson_t reply;
  if (ok) {
    ok = mongoc_bulk_operation_execute(bulk, &reply, &error) != 0;
    std::string detail = ok ? std::string() : FirstWriteError(reply);
    bson_destroy(&reply);
    if (!ok) {
      mongoc_bulk_operation_destroy(bulk);
      std::string what = "writing into " + spec_.database + "." + spec_.collection;
      if (!detail.empty()) what += " (" + detail + ")";
      ThrowMongoError(spec_.where, what, error, spec_.pool->url());
    }
  }
  mongoc_bulk_operation_destroy(bulk);
  if (!ok)
    ThrowMongoError(spec_.where, "writing into " + spec_.database + "." + spec_.collection, error,
                    spec_.pool->url());
  written_ += static_cast<int64_t>(pending_.size());
  pending_.clear();
}

void MongoWriter::CheckNoKeyExists() {
  const std::string& key = spec_.columns[key_index_].name;
  MongoPool::Lease client = spec_.pool->Acquire();
  CollectionPtr coll(mongoc_client_get_collection(client.get(), spec_.database.c_str(),
                                                  written_collection().c_str()));
  for (size_t start = 0; start < pending_.size(); start += kDocumentsPerBulk) {
    bson_t filter, in, values;
    bson_init(&filter);
    bson_append_document_begin(&filter, key.c_str(), -1, &in);
    bson_append_array_begin(&in, "$in", -1, &values);
    size_t end = std::min(pending_.size(), start + kDocumentsPerBulk);
    for (size_t i = start; i < end; i++) {
      bson_iter_t it;
      if (bson_iter_init_find(&it, pending_[i].get(), key.c_str())) {
        std::string index = std::to_string(i - start);
        bson_append_iter(&values, index.c_str(), -1, &it);
      }
    }
    bson_append_array_end(&in, &values);
    bson_append_document_end(&filter, &in);
    bson_t* opts = BCON_NEW("limit", BCON_INT64(5));
    mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(coll.get(), &filter, opts, nullptr);
    bson_destroy(opts);
    bson_destroy(&filter);
    std::string found;
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor, &doc)) {
      bson_iter_t it;
      if (!bson_iter_init_find(&it, doc, key.c_str())) continue;
      bson_t one;
      bson_init(&one);
      bson_append_iter(&one, key.c_str(), -1, &it);
      char* text = bson_as_relaxed_extended_json(&one, nullptr);
      found += (found.empty() ? "" : ", ") + std::string(text);
      bson_free(text);
      bson_destroy(&one);
    }
    bson_error_t error;
    bool failed = mongoc_cursor_error(cursor, &error);
    mongoc_cursor_destroy(cursor);
    if (failed)
      ThrowMongoError(spec_.where, "reading keys of " + spec_.database + "." + spec_.collection,
                      error, spec_.pool->url());
    if (!found.empty()) {
      pending_.clear();
      throw Error(ErrorKind::kExecution, spec_.where + ": " + spec_.database + "." +
                                             spec_.collection + " already has documents with " +
                                             found + " (conflict: error); nothing was written");
    }
  }
}

void MongoWriter::Commit() {
  if (key_index_ >= 0 && spec_.conflict == UpsertConflict::kError) CheckNoKeyExists();
  Flush();
  if (!staging_.empty()) {
    // The staging collection replaces the old one: renameCollection with dropTarget, or (where
    // the server refuses dropTarget, as FerretDB does) a drop and a rename.
    MongoPool::Lease client = spec_.pool->Acquire();
    CollectionPtr coll(
        mongoc_client_get_collection(client.get(), spec_.database.c_str(), staging_.c_str()));
    bson_error_t error;
    bool ok = mongoc_collection_rename(coll.get(), spec_.database.c_str(), spec_.collection.c_str(),
                                       true, &error);
    if (!ok && IsNotImplemented(error)) {
      CollectionPtr old(mongoc_client_get_collection(client.get(), spec_.database.c_str(),
                                                     spec_.collection.c_str()));
      mongoc_collection_drop(old.get(), &error);
      ok = mongoc_collection_rename(coll.get(), spec_.database.c_str(), spec_.collection.c_str(),
                                    false, &error);
    }
    if (!ok) {
      bson_error_t ignored;
      mongoc_collection_drop(coll.get(), &ignored);  // the staging collection
      finished_ = true;
      ThrowMongoError(spec_.where, "replacing " + spec_.database + "." + spec_.collection, error,
                      spec_.pool->url());
    }
  }
  finished_ = true;
}

void MongoWriter::Abort() {
  finished_ = true;
  pending_.clear();
  MongoPool::Lease client = spec_.pool->Acquire();
  CollectionPtr coll(mongoc_client_get_collection(client.get(), spec_.database.c_str(),
                                                  written_collection().c_str()));
  bson_error_t error;
  if (created_) {
    mongoc_collection_drop(coll.get(), &error);
    return;
  }
  // Delete what this writer inserted, by the _ids it gave, 1,000 at a time.
  for (size_t offset = 0; offset < inserted_.size(); offset += kDocumentsPerBulk) {
    bson_t selector, cond, list;
    bson_init(&selector);
    bson_append_document_begin(&selector, "_id", -1, &cond);
    bson_append_array_begin(&cond, "$in", -1, &list);
    for (size_t i = offset; i < inserted_.size() && i < offset + kDocumentsPerBulk; i++) {
      std::string index = std::to_string(i - offset);
      bson_append_oid(&list, index.c_str(), -1, &inserted_[i]);
    }
    bson_append_array_end(&cond, &list);
    bson_append_document_end(&selector, &cond);
    mongoc_collection_delete_many(coll.get(), &selector, nullptr, nullptr, &error);
    bson_destroy(&selector);
  }
}

}  // namespace aishell
