#include "storage/s3_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

namespace aishell::s3 {

namespace {

const char kHex[] = "0123456789abcdef";

std::string ToHex(const unsigned char* data, size_t size) {
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Trim(const std::string& s) {
  // Trims and collapses runs of spaces, as the canonical header value wants.
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string UriEncode(const std::string& s, bool keep_slash) {
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char kUpper[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kUpper[c >> 4]);
      out.push_back(kUpper[c & 15]);
    }
  }
  return out;
}

std::string Sha256Hex(const void* data, size_t size) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(static_cast<const unsigned char*>(data), size, digest);
  return ToHex(digest, sizeof(digest));
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string SignedHeaders(const SigV4Request& request) {
  std::string out;
  for (const auto& [name, value] : request.headers) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request) {
  std::string out = request.method + "\n" +
                    (request.canonical_uri.empty() ? "/" : request.canonical_uri) + "\n" +
                    CanonicalQueryString(request.query) + "\n";
  for (const auto& [name, value] : request.headers) out += name + ":" + Trim(value) + "\n";
  out += "\n" + SignedHeaders(request) + "\n" + request.payload_hash;
  return out;
}

std::string StringToSign(const SigV4Request& request, const std::string& amz_date,
                         const std::string& region, const std::string& service) {
  std::string scope = amz_date.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
         Sha256Hex(CanonicalRequest(request));
}

std::string Signature(const SigV4Request& request, const SigV4Credentials& credentials,
                      const std::string& amz_date, const std::string& region,
                      const std::string& service) {
  std::string k = Hmac("AWS4" + credentials.secret_access_key, amz_date.substr(0, 8));
  k = Hmac(k, region);
  k = Hmac(k, service);
  k = Hmac(k, "aws4_request");
  std::string sig = Hmac(k, StringToSign(request, amz_date, region, service));
  return ToHex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string AuthorizationHeader(const SigV4Request& request, const SigV4Credentials& credentials,
                                const std::string& amz_date, const std::string& region,
                                const std::string& service) {
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + amz_date.substr(0, 8) +
         "/" + region + "/" + service + "/aws4_request,SignedHeaders=" + SignedHeaders(request) +
         ",Signature=" + Signature(request, credentials, amz_date, region, service);
}

std::string AmzDateNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace aishell::s3
