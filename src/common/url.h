// Connection URLs: scheme://[user[:password]@]host[:port][/path][?key=value&...]. One parser for
// the connectors that take a URL of their own (Redis today; Elasticsearch and HTTP sources next);
// PostgreSQL and MongoDB hand theirs to their client libraries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aishell {

struct UrlParts {
  std::string scheme;         // lower case, without "://"
  bool has_userinfo = false;  // an "@" was there
  bool has_password = false;  // a ":" in the userinfo
  std::string user;           // percent-decoded
  std::string password;       // percent-decoded; never print it (common/secrets.h)
  std::string host;           // without the brackets of an IPv6 address; may be empty
  std::optional<int> port;    // 1-65535 when given
  std::string path;           // after the authority, without the leading "/"
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded, in order
};

// Splits `url`. Errors are Error(kConnector) starting with `where` and naming the URL with its
// password masked: no "://", an unclosed "[" of an IPv6 host, text after it, a port that is not
// 1-65535.
UrlParts ParseUrl(const std::string& url, const std::string& where);

// Every byte but RFC 3986's unreserved characters (letters, digits, "-", ".", "_", "~") as %XX:
// a path segment, a query value or a URL's userinfo.
std::string PercentEncode(std::string_view text);

// %XX sequences decoded (a "%" not followed by two hex digits is kept as it is).
std::string PercentDecode(std::string_view text);

}  // namespace aishell
