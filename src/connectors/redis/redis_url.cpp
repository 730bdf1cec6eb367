#include "connectors/redis/redis_url.h"

#include <algorithm>

#include "catalog/connector.h"
#include "common/exception.h"
#include "formats/value_parser.h"

namespace aishell {

namespace {

int PercentHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() && PercentHex(s[i + 1]) >= 0 && PercentHex(s[i + 2]) >= 0) {
      out += static_cast<char>(PercentHex(s[i + 1]) * 16 + PercentHex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The port of `url` (1-65535).
int ParsePort(const std::string& port, const std::string& url, const std::string& where) {
  int64_t n;
  if (!ParseBigIntText(port, &n) || n <= 0 || n > 65535) {
    throw Error(ErrorKind::kConnector,
                where + ": port '" + port + "' in " + RedactUrl(url) + " is not valid");
  }
  return static_cast<int>(n);
}

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
  std::string rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("rediss://", 0) == 0) {
    rest = url.substr(9);
    a.tls = true;
  } else {
    throw Error(ErrorKind::kConnector, where + ": not a redis:// URL: " + RedactUrl(url));
  }
  size_t q = rest.find('?');
  if (q != std::string::npos) rest = rest.substr(0, q);
  size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    if (colon == std::string::npos) {
      a.password = PercentDecode(userinfo);  // redis://password@host, as redis-cli -u accepts
    } else {
      a.user = PercentDecode(userinfo.substr(0, colon));
      a.password = PercentDecode(userinfo.substr(colon + 1));
    }
  }
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      int64_t n;
      if (!ParseBigIntText(db, &n) || n < 0 || n > 100000) {
        throw Error(ErrorKind::kConnector,
                    where + ": database '" + db + "' in " + RedactUrl(url) + " is not a number");
      }
      a.db = static_cast<int>(n);
    }
  }
  if (!hostport.empty() && hostport[0] == '[') {  // [IPv6]:port
    size_t close = hostport.find(']');
    if (close == std::string::npos) {
      throw Error(ErrorKind::kConnector, where + ": unclosed '[' in the host of " + RedactUrl(url));
    }
    a.host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport[0] != ':') {
      throw Error(ErrorKind::kConnector,
                  where + ": unexpected text after the host in " + RedactUrl(url));
    }
    if (!hostport.empty()) a.port = ParsePort(hostport.substr(1), url, where);
  } else if (!hostport.empty()) {
    size_t colon = hostport.rfind(':');
    if (colon != std::string::npos) {
      a.port = ParsePort(hostport.substr(colon + 1), url, where);
      hostport = hostport.substr(0, colon);
    }
    if (!hostport.empty()) a.host = hostport;
  }
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
