// AWS Signature Version 4 for S3 requests (the canonical request, the string to sign and the
// Authorization header), signed with OpenSSL's HMAC-SHA256. Kept apart from the HTTP code so that
// gtests can check it against AWS's published example vectors.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aishell::s3 {

struct SigV4Request {
  std::string method;         // GET, PUT, HEAD, POST, DELETE
  std::string canonical_uri;  // the URI-encoded path, e.g. "/bucket/my%20key"
  // Query parameters, not encoded (the signer encodes and sorts them).
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign: lower-case names, values as sent (trimmed by the signer). Must include host.
  std::map<std::string, std::string> headers;
  std::string payload_hash;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // sent as x-amz-security-token when set
};

// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is %XX
// (upper-case hex); '/' stays when `keep_slash`.
std::string UriEncode(const std::string& s, bool keep_slash);
std::string Sha256Hex(const void* data, size_t size);
inline std::string Sha256Hex(const std::string& s) { return Sha256Hex(s.data(), s.size()); }
// "k1=v1&k2=v2", encoded and sorted by key then value.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);
std::string CanonicalRequest(const SigV4Request& request);
std::string SignedHeaders(const SigV4Request& request);
// amz_date is "YYYYMMDDTHHMMSSZ".
std::string StringToSign(const SigV4Request& request, const std::string& amz_date,
                         const std::string& region, const std::string& service);
std::string Signature(const SigV4Request& request, const SigV4Credentials& credentials,
                      const std::string& amz_date, const std::string& region,
                      const std::string& service);
// The value of the Authorization header.
std::string AuthorizationHeader(const SigV4Request& request, const SigV4Credentials& credentials,
                                const std::string& amz_date, const std::string& region,
                                const std::string& service);
// The current UTC time as "YYYYMMDDTHHMMSSZ".
std::string AmzDateNow();

}  // namespace aishell::s3
