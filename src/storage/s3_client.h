// The request layer of S3FileSystem: one signed HTTP request to an S3-compatible endpoint, with
// bounded retries (5xx, SlowDown, connection errors) and error messages that name the s3:// path,
// the S3 error code and the endpoint, never a secret key. Also used by tests.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/file_system.h"
#include "storage/s3_signer.h"

typedef void CURL;

namespace aishell::s3 {

struct S3Location {
  std::string scheme;  // s3, s3a, s3n
  std::string bucket;
  std::string key;  // without a leading '/'
};
// "s3a://bucket/a/b" -> {s3a, bucket, a/b}. Throws Error(kIo) for other paths.
S3Location ParseS3Path(const std::string& path);

struct S3Config {
  std::string endpoint;  // scheme://host[:port][/path], no trailing '/'
  std::string region = "us-east-1";
  SigV4Credentials credentials;  // empty access key: anonymous requests
  bool path_style = true;
  int max_attempts = 4;       // s3.max-attempts (aishell's own)
  int list_page_size = 1000;  // s3.list-page-size (aishell's own; tests page with small ones)
  // pyiceberg's property names (s3.endpoint, s3.access-key-id, s3.secret-access-key,
  // s3.session-token, s3.region, s3.path-style-access), else AWS_* environment variables.
  static S3Config FromOptions(const StorageOptions& options);
};

struct S3Request {
  std::string method;
  std::string bucket;  // empty: the service root
  std::string key;
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> headers;  // lower-case names; signed
  const uint8_t* body = nullptr;
  size_t body_size = 0;
  // When set, the response body is written here (at most out_capacity bytes).
  uint8_t* out_buffer = nullptr;
  size_t out_capacity = 0;
};

struct S3Response {
  int status = 0;
  std::string transport_error;                 // non-empty when no HTTP response arrived
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // unless written to out_buffer
  size_t body_size = 0;
  bool overflow = false;                  // the body did not fit out_buffer
  std::string error_code, error_message;  // from an S3 <Error> document
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }
  // Sends with retries; never throws for HTTP errors (see Check).
  S3Response Send(const S3Request& request);
  // Throws Error(kIo) unless the response is a 2xx: "no such file: s3://...",
  // "wrong S3 credentials for s3://... (endpoint ..., access key ...; SignatureDoesNotMatch...)".
  void Check(const S3Response& response, const std::string& what) const;
  std::string ErrorText(const S3Response& response, const std::string& what) const;
  std::string Describe(const std::string& bucket, const std::string& key) const;

 private:
  S3Response SendOnce(const S3Request& request);
  CURL* AcquireHandle();
  void ReleaseHandle(CURL* handle);

  S3Config config_;
  std::string endpoint_scheme_, endpoint_host_, endpoint_path_;
  std::mutex mu_;
  std::vector<CURL*> handles_;  // idle handles (keep-alive connections), reused
};

// Minimal XML helpers for S3's small response documents.
std::string XmlUnescape(const std::string& s);
// The raw inner text of every <tag>...</tag> (not unescaped).
std::vector<std::string> XmlElements(const std::string& xml, const std::string& tag);
// The unescaped inner text of the first <tag>, or "".
std::string XmlElement(const std::string& xml, const std::string& tag);
// "2024-05-01T12:34:56.789Z" -> nanoseconds since the epoch (0 if unparsable).
int64_t ParseIsoTimestampNs(const std::string& s);

}  // namespace aishell::s3
