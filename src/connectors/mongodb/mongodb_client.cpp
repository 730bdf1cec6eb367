#include "connectors/mongodb/mongodb_client.h"

#include <cstdlib>
#include <mutex>
#include <optional>

#include "common/exception.h"
#include "common/secrets.h"

namespace aishell {

namespace {

void InitDriver() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The driver logs to stderr by default (for example a harmless "Couldn't send endSessions"
    // when a client is destroyed). Errors reach the user through bson_error_t instead.
    // Debian's driver has already initialized itself when it was loaded (its /dev/shm counters
    // file: see driver_preinit.h); mongoc_init is then a no-op, kept for a driver built without
    // automatic initialization.
    mongoc_log_set_handler(nullptr, nullptr);
    mongoc_init();
  });
}

}  // namespace

BsonPtr NewBson() { return BsonPtr(bson_new()); }

MongoPool::MongoPool(const std::string& url, const std::map<std::string, std::string>& properties,
                     std::string where)
    : url_(url), where_(std::move(where)) {
  InitDriver();
  bson_error_t error;
  // mongodb+srv:// names a DNS SRV record (_mongodb._tcp.<host>) that lists the servers: the
  // driver looks it up here, before any server is reached.
  bool srv = url.rfind("mongodb+srv://", 0) == 0;
  const char* srv_hint =
      "; a mongodb+srv:// URL names one host of at least three parts (cluster0.example.com), "
      "without a port, whose DNS SRV record _mongodb._tcp.<host> lists the servers: check the "
      "host name and that DNS answers here, or list the servers in a mongodb://host1:port,"
      "host2:port/ URL instead";
  uri_ = mongoc_uri_new_with_error(url.c_str(), &error);
  if (!uri_) {
    std::string message = ScrubPassword(error.message, url);
    if (srv && !message.empty() && message.back() == '.') message.pop_back();
    throw Error(ErrorKind::kConnector, where_ + ": invalid MongoDB URL " + RedactUrl(url) + ": " +
                                           message + (srv ? srv_hint : ""));
  }
  if (const char* db = mongoc_uri_get_database(uri_)) url_database_ = db;
  // A server that is down fails in seconds, not the driver's default 30.
  auto int_option = [&](const char* option, const char* property, int32_t fallback) {
    auto it = properties.find(property);
    int32_t value = fallback;
    if (it != properties.end()) {
      try {
        value = std::stoi(it->second);
      } catch (const std::exception&) {
        throw Error(ErrorKind::kConnector, where_ + ": property " + property + "='" + it->second +
                                               "' is not a number of milliseconds");
      }
    } else if (mongoc_uri_has_option(uri_, option)) {
      return;
    }
    mongoc_uri_set_option_as_int32(uri_, option, value);
  };
  int_option(MONGOC_URI_SERVERSELECTIONTIMEOUTMS, "server_selection_timeout_ms", 5000);
  int_option(MONGOC_URI_CONNECTTIMEOUTMS, "connect_timeout_ms", 5000);
  auto ca = properties.find("tls.ca-file");
  if (ca != properties.end()) {
    mongoc_uri_set_option_as_bool(uri_, MONGOC_URI_TLS, true);
    mongoc_uri_set_option_as_utf8(uri_, MONGOC_URI_TLSCAFILE, ca->second.c_str());
  }
  pool_ = mongoc_client_pool_new_with_error(uri_, &error);
  if (!pool_) {
    std::string text = MongoErrorText(where_, "cannot create a client", error, url_);
    if (srv) {
      if (!text.empty() && text.back() == '.') text.pop_back();
      text += srv_hint;
    }
    throw Error(ErrorKind::kConnector, text);
  }
  mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_set_appname(pool_, "aishell");
}

MongoPool::~MongoPool() {
  if (pool_) mongoc_client_pool_destroy(pool_);
  if (uri_) mongoc_uri_destroy(uri_);
}

MongoPool::Lease::~Lease() {
  if (client_) mongoc_client_pool_push(pool_->pool_, client_);
}

MongoPool::Lease MongoPool::Acquire() { return Lease(this, mongoc_client_pool_pop(pool_)); }

BsonPtr MongoPool::Command(const std::string& db, const bson_t& command, const std::string& what,
                           mongoc_client_t* client) {
  std::optional<Lease> lease;
  if (!client) client = lease.emplace(Acquire()).get();
  bson_t reply;  // initialized by the driver, also on failure
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, db.c_str(), &command, nullptr, &reply, &error);
  BsonPtr owned(bson_copy(&reply));
  bson_destroy(&reply);
  if (!ok) ThrowMongoError(where_, what, error, url_);
  return owned;
}

std::string MongoErrorText(const std::string& where, const std::string& what,
                           const bson_error_t& error, const std::string& url) {
  std::string message = ScrubPassword(error.message, url);
  std::string text = where + ": " + what + ": " + message;
  if (error.domain == MONGOC_ERROR_SERVER || error.domain == MONGOC_ERROR_WRITE_CONCERN) {
    text += " (server error code " + std::to_string(error.code) + ")";
    // The server ended a cursor while it was being read.
    switch (error.code) {
      case 43:     // CursorNotFound
      case 237:    // CursorKilled
      case 175:    // QueryPlanKilled
      case 11601:  // Interrupted
        text +=
            ": the server closed the cursor before it was read to the end (killed by an operator "
            "or another client, or timed out: MongoDB closes a cursor left idle for 10 minutes); "
            "the query stopped, run it again";
        break;
      case 50:  // MaxTimeMSExpired
        text += ": the server's time limit for the operation (maxTimeMS) ran out";
        break;
      default:
        break;
    }
  }
  return text;
}

void ThrowMongoError(const std::string& where, const std::string& what, const bson_error_t& error,
                     const std::string& url) {
  throw Error(ErrorKind::kConnector, MongoErrorText(where, what, error, url));
}

std::string BsonToJson(const bson_t& doc) {
  size_t length = 0;
  char* text = bson_as_relaxed_extended_json(&doc, &length);
  if (!text) return "{}";
  std::string out(text, length);
  bson_free(text);
  return out;
}

}  // namespace aishell
