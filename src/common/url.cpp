#include "common/url.h"

#include "common/exception.h"
#include "common/secrets.h"
#include "common/strings.h"

namespace aishell {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int ParsePort(const std::string& port, const std::string& url, const std::string& where) {
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  int n = digits ? std::stoi(port) : 0;
  if (n <= 0 || n > 65535) {
    throw Error(ErrorKind::kConnector,
                where + ": port '" + port + "' in " + RedactUrl(url) + " is not valid");
  }
  return n;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); i++) {
    int hi, lo;
    if (text[i] == '%' && i + 2 < text.size() && (hi = HexDigit(text[i + 1])) >= 0 &&
        (lo = HexDigit(text[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

UrlParts ParseUrl(const std::string& url, const std::string& where) {
  UrlParts parts;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) {
    throw Error(ErrorKind::kConnector, where + ": not a URL (scheme://host...): " + RedactUrl(url));
  }
  parts.scheme = AsciiLower(std::string_view(url).substr(0, scheme_end));
  std::string rest = url.substr(scheme_end + 3);
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    size_t pos = 0;
    while (pos <= query.size()) {
      size_t amp = query.find('&', pos);
      if (amp == std::string::npos) amp = query.size();
      std::string item = query.substr(pos, amp - pos);
      if (!item.empty()) {
        size_t eq = item.find('=');
        parts.query.emplace_back(PercentDecode(item.substr(0, eq)),
                                 eq == std::string::npos ? "" : PercentDecode(item.substr(eq + 1)));
      }
      pos = amp + 1;
    }
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) parts.path = rest.substr(slash + 1);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    parts.has_userinfo = true;
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    parts.has_password = colon != std::string::npos;
    parts.user = PercentDecode(userinfo.substr(0, colon));
    if (parts.has_password) parts.password = PercentDecode(userinfo.substr(colon + 1));
  }
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) {
      throw Error(ErrorKind::kConnector, where + ": unclosed '[' in the host of " + RedactUrl(url));
    }
    parts.host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority[0] != ':') {
      throw Error(ErrorKind::kConnector,
                  where + ": unexpected text after the host in " + RedactUrl(url));
    }
    if (!authority.empty()) parts.port = ParsePort(authority.substr(1), url, where);
  } else if (!authority.empty()) {
    size_t colon = authority.rfind(':');
    if (colon != std::string::npos) {
      parts.port = ParsePort(authority.substr(colon + 1), url, where);
      authority = authority.substr(0, colon);
    }
    parts.host = authority;
  }
  return parts;
}

}  // namespace aishell
