#include "connectors/redis/redis_url.h"

#include <algorithm>

#include "catalog/connector.h"
#include "common/exception.h"
#include "common/url.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

// The property `key` as milliseconds, from seconds (0 < s <= 86400); unchanged when not set.
void ApplySeconds(const std::map<std::string, std::string>& properties, const char* key,
                  const std::string& where, int* out_ms) {
  auto it = properties.find(key);
  if (it == properties.end()) return;
  double d;
  if (!ParseDoubleText(it->second, &d) || !(d > 0) || d > 86400) {
    throw Error(ErrorKind::kConnector, where + ": property " + key + "='" + it->second +
                                           "' is not a number of seconds (0 < s <= 86400)");
  }
  *out_ms = std::max(1, static_cast<int>(d * 1000));
}

}  // namespace

RedisAddress ParseRedisUrl(const std::string& url, const std::string& where) {
  RedisAddress a;
  if (url.rfind("redis://", 0) != 0 && url.rfind("rediss://", 0) != 0) {
    throw Error(ErrorKind::kConnector, where + ": not a redis:// URL: " + RedactUrl(url));
  }
  UrlParts parts = ParseUrl(url, where);
  a.tls = parts.scheme == "rediss";
  if (parts.has_password) {
    a.user = parts.user;
    a.password = parts.password;
  } else if (parts.has_userinfo) {
    a.password = parts.user;  // redis://password@host, as redis-cli -u accepts
  }
  if (!parts.path.empty()) {
    int64_t n;
    if (!ParseBigIntText(parts.path, &n) || n < 0 || n > 100000) {
      throw Error(ErrorKind::kConnector, where + ": database '" + parts.path + "' in " +
                                             RedactUrl(url) + " is not a number");
    }
    a.db = static_cast<int>(n);
  }
  if (!parts.host.empty()) a.host = parts.host;
  if (parts.port) a.port = *parts.port;
  return a;
}

void ApplyRedisConnectionProperties(const std::map<std::string, std::string>& properties,
                                    const std::string& where, RedisAddress* address) {
  ApplySeconds(properties, "connect_timeout", where, &address->connect_timeout_ms);
  ApplySeconds(properties, "read_timeout", where, &address->read_timeout_ms);
  for (const auto& [key, value] : properties) {
    if (key.rfind("tls.", 0) != 0) continue;
    if (!address->tls) {
      throw Error(ErrorKind::kConnector,
                  where + ": property '" + key + "' needs a TLS connection: use a rediss:// URL");
    }
    if (key == "tls.verify") {
      bool b;
      if (!ParseBooleanText(value, false, &b)) {
        throw Error(ErrorKind::kConnector,
                    where + ": property tls.verify='" + value + "' is not true or false");
      }
      address->tls_verify = b;
    } else if (key == "tls.ca-file") {
      address->tls_ca_file = value;
    } else if (key == "tls.cert-file") {
      address->tls_cert_file = value;
    } else if (key == "tls.key-file") {
      address->tls_key_file = value;
    } else {
      throw Error(ErrorKind::kConnector,
                  where + ": unknown property '" + key +
                      "' (tls.ca-file, tls.verify, tls.cert-file, tls.key-file)");
    }
  }
}

}  // namespace aishell
