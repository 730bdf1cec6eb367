// The MongoDB C driver (libmongoc/libbson, Debian's libmongoc-dev) behind small RAII types: a
// client pool per connection, BSON documents, and errors that name the source and never carry the
// password.
#pragma once

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include <map>
#include <memory>
#include <string>

#include "connectors/mongodb/mongodb_options.h"

namespace aishell {

struct BsonDeleter {
  void operator()(bson_t* b) const { bson_destroy(b); }
};
// An owned BSON document (bson_new / bson_copy).
using BsonPtr = std::unique_ptr<bson_t, BsonDeleter>;
BsonPtr NewBson();

struct CursorDeleter {
  void operator()(mongoc_cursor_t* c) const { mongoc_cursor_destroy(c); }
};
using CursorPtr = std::unique_ptr<mongoc_cursor_t, CursorDeleter>;

struct CollectionDeleter {
  void operator()(mongoc_collection_t* c) const { mongoc_collection_destroy(c); }
};
using CollectionPtr = std::unique_ptr<mongoc_collection_t, CollectionDeleter>;

// The connection: a parsed URL (libmongoc's own parser) and a pool of clients, thread safe.
class MongoPool {
 public:
  // `url`: mongodb:// or mongodb+srv://. Properties: tls.ca-file, connect_timeout_ms,
  // server_selection_timeout_ms. Throws Error(kConnector) naming `where` on a bad URL.
  MongoPool(const std::string& url, const std::map<std::string, std::string>& properties,
            std::string where);
  ~MongoPool();
  MongoPool(const MongoPool&) = delete;
  MongoPool& operator=(const MongoPool&) = delete;

  // A client borrowed from the pool for as long as the lease lives.
  class Lease {
   public:
    Lease(MongoPool* pool, mongoc_client_t* client) : pool_(pool), client_(client) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), client_(o.client_) { o.client_ = nullptr; }
    Lease(const Lease&) = delete;
    ~Lease();
    mongoc_client_t* get() const { return client_; }

   private:
    MongoPool* pool_;
    mongoc_client_t* client_;
  };
  Lease Acquire();

  // The database named in the URL ("" when none).
  const std::string& url_database() const { return url_database_; }
  const std::string& where() const { return where_; }
  const std::string& url() const { return url_; }

  // Runs `command` on `db`; returns the reply. Throws Error(kConnector) with the server's message.
  // `client`: a client this thread already holds (no second connection, and no second
  // authentication handshake); null to borrow one from the pool.
  BsonPtr Command(const std::string& db, const bson_t& command, const std::string& what,
                  mongoc_client_t* client = nullptr);

 private:
  std::string url_;
  std::string where_;
  std::string url_database_;
  mongoc_uri_t* uri_ = nullptr;
  mongoc_client_pool_t* pool_ = nullptr;
};

// The text of a driver error for users: the operation, the server's message and code, with the
// URL's password scrubbed. `where` names the source ("mongodb source 'orders-db'").
std::string MongoErrorText(const std::string& where, const std::string& what,
                           const bson_error_t& error, const std::string& url);
[[noreturn]] void ThrowMongoError(const std::string& where, const std::string& what,
                                  const bson_error_t& error, const std::string& url);

// The server's error code of a failed command (bson_error_t.code for server errors).
inline bool IsNotImplemented(const bson_error_t& error) { return error.code == 238; }

// A BSON document as relaxed extended JSON (for EXPLAIN and messages).
std::string BsonToJson(const bson_t& doc);

}  // namespace aishell
