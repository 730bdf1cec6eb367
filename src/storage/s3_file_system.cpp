// S3FileSystem: S3-compatible object storage (AWS S3, MinIO) over libcurl, signed with SigV4
// (s3_signer.h). See file_system.h for the interface and s3_client.h for the request layer.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

#include "common/exception.h"
#include "common/strings.h"
#include "storage/file_system.h"
#include "storage/s3_client.h"
#include "storage/s3_signer.h"

namespace aishell {

namespace s3 {

namespace {

std::once_flag curl_init_once;

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string Option(const StorageOptions& options, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = options.find(n);
    if (it != options.end() && !it->second.empty()) return it->second;
  }
  return "";
}

std::string Env(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const char* v = std::getenv(n);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

bool Truthy(const std::string& v) {
  std::string l = AsciiLower(v);
  return l == "true" || l == "1" || l == "yes" || l == "on";
}

struct CurlBody {
  // Response body sink: either a string or a fixed buffer (ranged reads write in place).
  std::string* text = nullptr;
  uint8_t* buffer = nullptr;
  size_t capacity = 0;
  size_t written = 0;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<CurlBody*>(user);
  size_t len = size * n;
  if (body->buffer != nullptr) {
    if (body->written + len > body->capacity) {
      body->overflow = true;
      return 0;
    }
    std::memcpy(body->buffer + body->written, data, len);
  } else if (body->text != nullptr) {
    body->text->append(data, len);
  }
  body->written += len;
  return len;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  size_t len = size * n;
  std::string line(data, len);
  auto colon = line.find(':');
  if (StartsWith(line, "HTTP/")) {
    headers->clear();  // a new response (after 100-continue or a redirect)
  } else if (colon != std::string::npos) {
    std::string name = AsciiLower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    (*headers)[name] = value;
  }
  return len;
}

struct UploadSource {
  const char* data;
  size_t size;
  size_t pos = 0;
};

size_t ReadUpload(char* out, size_t size, size_t n, void* user) {
  auto* src = static_cast<UploadSource*>(user);
  size_t len = std::min(size * n, src->size - src->pos);
  std::memcpy(out, src->data + src->pos, len);
  src->pos += len;
  return len;
}

}  // namespace

std::string XmlUnescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string::npos) {
      out.push_back(s[i]);
      continue;
    }
    std::string ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (!ent.empty() && ent[0] == '#') {
      unsigned long cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                             ? std::strtoul(ent.c_str() + 2, nullptr, 16)
                             : std::strtoul(ent.c_str() + 1, nullptr, 10);
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
    } else {
      out += "&" + ent + ";";
    }
    i = semi;
  }
  return out;
}

std::vector<std::string> XmlElements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string::npos) {
    size_t start = pos + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

std::string XmlElement(const std::string& xml, const std::string& tag) {
  auto all = XmlElements(xml, tag);
  return all.empty() ? "" : XmlUnescape(all[0]);
}

int64_t ParseIsoTimestampNs(const std::string& s) {
  int y, mo, d, h, mi;
  double sec;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6) return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  time_t t = timegm(&tm);
  return static_cast<int64_t>(t) * 1000000000 + static_cast<int64_t>(sec * 1e9);
}

S3Location ParseS3Path(const std::string& path) {
  S3Location loc;
  auto scheme_end = path.find("://");
  if (scheme_end == std::string::npos || !IsObjectStorePath(path)) {
    throw Error(ErrorKind::kIo, "not an S3 path: " + path + " (expected s3://bucket/key)");
  }
  loc.scheme = path.substr(0, scheme_end);
  std::string rest = path.substr(scheme_end + 3);
  auto slash = rest.find('/');
  loc.bucket = rest.substr(0, slash);
  loc.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (loc.bucket.empty()) {
    throw Error(ErrorKind::kIo,
                "S3 path without a bucket: " + path + " (expected s3://bucket/key)");
  }
  return loc;
}

S3Config S3Config::FromOptions(const StorageOptions& options) {
  S3Config c;
  c.endpoint = Option(options, {"s3.endpoint"});
  if (c.endpoint.empty()) c.endpoint = Env({"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  c.region = Option(options, {"s3.region", "client.region"});
  if (c.region.empty()) c.region = Env({"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (c.region.empty()) c.region = "us-east-1";
  c.credentials.access_key_id = Option(options, {"s3.access-key-id", "client.access-key-id"});
  c.credentials.secret_access_key =
      Option(options, {"s3.secret-access-key", "client.secret-access-key"});
  c.credentials.session_token = Option(options, {"s3.session-token", "client.session-token"});
  if (c.credentials.access_key_id.empty() && c.credentials.secret_access_key.empty()) {
    c.credentials.access_key_id = Env({"AWS_ACCESS_KEY_ID"});
    c.credentials.secret_access_key = Env({"AWS_SECRET_ACCESS_KEY"});
    c.credentials.session_token = Env({"AWS_SESSION_TOKEN"});
  }
  std::string path_style = Option(options, {"s3.path-style-access"});
  // A custom endpoint (MinIO, a local gateway) is addressed path-style unless told otherwise;
  // AWS itself virtual-host style.
  c.path_style = path_style.empty() ? !c.endpoint.empty() : Truthy(path_style);
  if (c.endpoint.empty()) {
    c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  } else if (c.endpoint.find("://") == std::string::npos) {
    c.endpoint = "https://" + c.endpoint;
  }
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  std::string retries = Option(options, {"s3.max-attempts"});
  if (!retries.empty()) c.max_attempts = std::max(1, std::atoi(retries.c_str()));
  std::string page = Option(options, {"s3.list-page-size"});
  if (!page.empty()) c.list_page_size = std::clamp(std::atoi(page.c_str()), 1, 1000);
  return c;
}

S3Client::S3Client(S3Config config) : config_(std::move(config)) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto scheme_end = config_.endpoint.find("://");
  endpoint_scheme_ = config_.endpoint.substr(0, scheme_end);
  std::string rest = config_.endpoint.substr(scheme_end + 3);
  auto slash = rest.find('/');
  endpoint_host_ = rest.substr(0, slash);
  endpoint_path_ = slash == std::string::npos ? "" : rest.substr(slash);
}

S3Client::~S3Client() {
  for (CURL* h : handles_) curl_easy_cleanup(h);
}

CURL* S3Client::AcquireHandle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!handles_.empty()) {
      CURL* h = handles_.back();
      handles_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (h == nullptr) throw Error(ErrorKind::kIo, "S3: cannot initialize libcurl");
  return h;
}

void S3Client::ReleaseHandle(CURL* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (handles_.size() < 16) {
    handles_.push_back(handle);
  } else {
    curl_easy_cleanup(handle);
  }
}

std::string S3Client::Describe(const std::string& bucket, const std::string& key) const {
  return "s3://" + bucket + (key.empty() ? "" : "/" + key);
}

S3Response S3Client::Send(const S3Request& request) {
  S3Response last;
  for (int attempt = 0; attempt < config_.max_attempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt - 1, 5)));
    }
    last = SendOnce(request);
    bool retry = !last.transport_error.empty() || last.status >= 500 ||
                 last.error_code == "SlowDown" || last.error_code == "RequestTimeout";
    if (!retry) return last;
  }
  return last;
}

S3Response S3Client::SendOnce(const S3Request& request) {
  S3Response response;
  // Host and path, path-style (endpoint/bucket/key) or virtual-host style (bucket.endpoint/key).
  std::string host = endpoint_host_;
  std::string path = endpoint_path_;
  if (!request.bucket.empty()) {
    if (config_.path_style) {
      path += "/" + request.bucket;
    } else {
      host = request.bucket + "." + host;
    }
  }
  path += "/" + UriEncode(request.key, true);
  SigV4Request sig;
  sig.method = request.method;
  sig.canonical_uri = path;
  sig.query = request.query;
  for (const auto& [name, value] : request.headers) sig.headers[AsciiLower(name)] = value;
  sig.headers["host"] = host;
  sig.payload_hash = request.body_size > 0 || request.method == "PUT" || request.method == "POST"
                         ? Sha256Hex(request.body, request.body_size)
                         : Sha256Hex("", 0);
  std::string amz_date = AmzDateNow();
  sig.headers["x-amz-content-sha256"] = sig.payload_hash;
  sig.headers["x-amz-date"] = amz_date;
  bool anonymous = config_.credentials.access_key_id.empty();
  if (!anonymous && !config_.credentials.session_token.empty()) {
    sig.headers["x-amz-security-token"] = config_.credentials.session_token;
  }

  std::string url = endpoint_scheme_ + "://" + host + path;
  std::string query = CanonicalQueryString(request.query);
  if (!query.empty()) url += "?" + query;

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : sig.headers) {
    if (name == "host") continue;
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  if (!anonymous) {
    std::string auth =
        AuthorizationHeader(sig, config_.credentials, amz_date, config_.region, "s3");
    header_list = curl_slist_append(header_list, ("Authorization: " + auth).c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");
  if (request.method == "PUT" || request.method == "POST") {
    header_list = curl_slist_append(header_list, "Content-Type: application/octet-stream");
  }

  CURL* h = AcquireHandle();
  curl_easy_reset(h);
  CurlBody body;
  std::string text;
  if (request.out_buffer != nullptr) {
    body.buffer = request.out_buffer;
    body.capacity = request.out_capacity;
  } else {
    body.text = &text;
  }
  UploadSource upload{reinterpret_cast<const char*>(request.body), request.body_size};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size));
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(request.body));
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body_size));
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(header_list);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && body.overflow)) {
    response.transport_error = curl_easy_strerror(rc);
    curl_easy_cleanup(h);  // the connection may be in a bad state
    return response;
  }
  ReleaseHandle(h);
  response.status = static_cast<int>(status);
  response.body_size = body.written;
  response.overflow = body.overflow;
  if (response.status >= 300) {
    // Error bodies are small XML documents; when the body went to a caller's buffer, decode
    // what landed there.
    std::string xml = request.out_buffer != nullptr
                          ? std::string(reinterpret_cast<char*>(request.out_buffer),
                                        std::min(body.written, request.out_capacity))
                          : text;
    response.error_code = XmlElement(xml, "Code");
    response.error_message = XmlElement(xml, "Message");
  }
  response.body = std::move(text);
  return response;
}

std::string S3Client::ErrorText(const S3Response& response, const std::string& what) const {
  if (!response.transport_error.empty()) {
    return "cannot reach S3 endpoint " + config_.endpoint + " for " + what + ": " +
           response.transport_error + " (after " + std::to_string(config_.max_attempts) +
           " attempts)";
  }
  const std::string& code = response.error_code;
  std::string detail = code.empty() ? "HTTP " + std::to_string(response.status) : code;
  if (!response.error_message.empty()) detail += ": " + response.error_message;
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" ||
      code == "InvalidClientTokenId" || code == "ExpiredToken" ||
      (code.empty() && response.status == 403)) {
    return "wrong S3 credentials for " + what + " (endpoint " + config_.endpoint + ", access key " +
           (config_.credentials.access_key_id.empty() ? std::string("none")
                                                      : config_.credentials.access_key_id) +
           "; " + detail + ")";
  }
  if (code == "AccessDenied") {
    return "access denied to " + what + " (" + detail + ")";
  }
  if (code == "NoSuchKey" || (code.empty() && response.status == 404)) {
    return "no such file: " + what + " (" + detail + ")";
  }
  if (code == "NoSuchBucket") return "no such S3 bucket for " + what + " (" + detail + ")";
  return "S3 request for " + what + " failed (" + detail + ", endpoint " + config_.endpoint + ")";
}

void S3Client::Check(const S3Response& response, const std::string& what) const {
  if (response.transport_error.empty() && response.status >= 200 && response.status < 300) return;
  throw Error(ErrorKind::kIo, ErrorText(response, what));
}

}  // namespace s3

namespace {

using s3::S3Client;
using s3::S3Location;
using s3::S3Request;
using s3::S3Response;

constexpr int64_t kTailCacheBytes = 64 * 1024;
constexpr int64_t kParallelChunk = 8 * 1024 * 1024;
constexpr int kParallelStreams = 4;
constexpr size_t kMultipartThreshold = 16 * 1024 * 1024;
constexpr size_t kPartSize = 16 * 1024 * 1024;

std::string PathOf(const S3Location& loc, const std::string& key) {
  return loc.scheme + "://" + loc.bucket + "/" + key;
}

class S3ReadFile : public RandomAccessFile {
 public:
  S3ReadFile(std::shared_ptr<S3Client> client, std::string path, S3Location loc, int64_t size)
      : client_(std::move(client)), path_(std::move(path)), loc_(std::move(loc)), size_(size) {}
  const std::string& path() const override { return path_; }
  int64_t Size() override { return size_; }

  void ReadAt(int64_t offset, int64_t length, uint8_t* out) override {
    if (offset < 0 || length < 0 || offset + length > size_) {
      throw Error(ErrorKind::kIo, "cannot read " + std::to_string(length) + " bytes at offset " +
                                      std::to_string(offset) + " of " + path_ + " (" +
                                      std::to_string(size_) + " bytes)");
    }
    if (length == 0) return;
    // Footers (Parquet, and the metadata at the end of other formats) are read in several small
    // pieces from the end: fetch the tail once and serve them from memory.
    int64_t tail_start = std::max<int64_t>(0, size_ - kTailCacheBytes);
    if (offset >= tail_start) {
      const std::string& tail = Tail(tail_start);
      std::memcpy(out, tail.data() + (offset - tail_start), static_cast<size_t>(length));
      return;
    }
    if (length >= 2 * kParallelChunk) {
      FetchParallel(offset, length, out);
      return;
    }
    Fetch(offset, length, out);
  }

 private:
  // Large reads (whole objects, big column chunks) as concurrent ranged GETs of kParallelChunk.
  void FetchParallel(int64_t offset, int64_t length, uint8_t* out) {
    int64_t chunks = (length + kParallelChunk - 1) / kParallelChunk;
    std::atomic<int64_t> next{0};
    std::mutex error_mu;
    std::exception_ptr error;
    auto work = [&] {
      for (;;) {
        int64_t i = next.fetch_add(1);
        if (i >= chunks) return;
        {
          std::lock_guard<std::mutex> lock(error_mu);
          if (error) return;
        }
        int64_t start = i * kParallelChunk;
        int64_t len = std::min<int64_t>(kParallelChunk, length - start);
        try {
          Fetch(offset + start, len, out + start);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (!error) error = std::current_exception();
          return;
        }
      }
    };
    int threads = static_cast<int>(std::min<int64_t>(kParallelStreams, chunks));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }

  void Fetch(int64_t offset, int64_t length, uint8_t* out) {
    S3Request req;
    req.method = "GET";
    req.bucket = loc_.bucket;
    req.key = loc_.key;
    req.headers["range"] =
        "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
    req.out_buffer = out;
    req.out_capacity = static_cast<size_t>(length);
    S3Response resp = client_->Send(req);
    client_->Check(resp, path_);
    if (resp.overflow || resp.body_size != static_cast<size_t>(length)) {
      throw Error(ErrorKind::kIo,
                  "short read of " + path_ + ": asked for " + std::to_string(length) +
                      " bytes at offset " + std::to_string(offset) + ", got " +
                      (resp.overflow ? std::string("more") : std::to_string(resp.body_size)) +
                      " (did the object change while it was read?)");
    }
  }

  const std::string& Tail(int64_t tail_start) {
    std::lock_guard<std::mutex> lock(tail_mu_);
    if (!tail_loaded_) {
      std::string tail(static_cast<size_t>(size_ - tail_start), '\0');
      Fetch(tail_start, size_ - tail_start, reinterpret_cast<uint8_t*>(tail.data()));
      tail_ = std::move(tail);
      tail_loaded_ = true;
    }
    return tail_;
  }

  std::shared_ptr<S3Client> client_;
  std::string path_;
  S3Location loc_;
  int64_t size_;
  std::mutex tail_mu_;
  bool tail_loaded_ = false;
  std::string tail_;
};

class S3WriteFile : public WritableFile {
 public:
  S3WriteFile(std::shared_ptr<S3Client> client, std::string path, S3Location loc)
      : client_(std::move(client)), path_(std::move(path)), loc_(std::move(loc)) {}
  ~S3WriteFile() override {
    if (!upload_id_.empty() && !closed_) {
      try {
        S3Request req;
        req.method = "DELETE";
        req.bucket = loc_.bucket;
        req.key = loc_.key;
        req.query = {{"uploadId", upload_id_}};
        client_->Send(req);
      } catch (...) {
      }
    }
  }
  using WritableFile::Append;
  void Append(const void* data, size_t size) override {
    if (closed_) throw Error(ErrorKind::kIo, "cannot write " + path_ + ": already closed");
    buffer_.append(static_cast<const char*>(data), size);
    if (buffer_.size() >= kMultipartThreshold) {
      if (upload_id_.empty()) StartMultipart();
      while (buffer_.size() >= kPartSize) {
        UploadPart(buffer_.data(), kPartSize);
        buffer_.erase(0, kPartSize);
      }
    }
  }
  void Close() override {
    if (closed_) return;
    if (upload_id_.empty()) {
      S3Request req;
      req.method = "PUT";
      req.bucket = loc_.bucket;
      req.key = loc_.key;
      req.body = reinterpret_cast<const uint8_t*>(buffer_.data());
      req.body_size = buffer_.size();
      client_->Check(client_->Send(req), path_);
    } else {
      if (!buffer_.empty() || parts_.empty()) UploadPart(buffer_.data(), buffer_.size());
      std::string xml = "<CompleteMultipartUpload>";
      for (size_t i = 0; i < parts_.size(); ++i) {
        xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + parts_[i] +
               "</ETag></Part>";
      }
      xml += "</CompleteMultipartUpload>";
      S3Request req;
      req.method = "POST";
      req.bucket = loc_.bucket;
      req.key = loc_.key;
      req.query = {{"uploadId", upload_id_}};
      req.body = reinterpret_cast<const uint8_t*>(xml.data());
      req.body_size = xml.size();
      S3Response resp = client_->Send(req);
      client_->Check(resp, path_);
      // CompleteMultipartUpload can fail with 200 and an <Error> body.
      if (resp.body.find("<Error>") != std::string::npos) {
        resp.status = 500;
        resp.error_code = s3::XmlElement(resp.body, "Code");
        resp.error_message = s3::XmlElement(resp.body, "Message");
        client_->Check(resp, path_);
      }
    }
    closed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
  }

 private:
  void StartMultipart() {
    S3Request req;
    req.method = "POST";
    req.bucket = loc_.bucket;
    req.key = loc_.key;
    req.query = {{"uploads", ""}};
    S3Response resp = client_->Send(req);
    client_->Check(resp, path_);
    upload_id_ = s3::XmlElement(resp.body, "UploadId");
    if (upload_id_.empty()) {
      throw Error(ErrorKind::kIo, "cannot write " + path_ + ": no UploadId in the S3 response");
    }
  }
  void UploadPart(const char* data, size_t size) {
    S3Request req;
    req.method = "PUT";
    req.bucket = loc_.bucket;
    req.key = loc_.key;
    req.query = {{"partNumber", std::to_string(parts_.size() + 1)}, {"uploadId", upload_id_}};
    req.body = reinterpret_cast<const uint8_t*>(data);
    req.body_size = size;
    S3Response resp = client_->Send(req);
    client_->Check(resp, path_);
    auto it = resp.headers.find("etag");
    if (it == resp.headers.end()) {
      throw Error(ErrorKind::kIo, "cannot write " + path_ + ": no ETag for an uploaded part");
    }
    parts_.push_back(it->second);
  }

  std::shared_ptr<S3Client> client_;
  std::string path_;
  S3Location loc_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> parts_;
  bool closed_ = false;
};

class S3FileSystem : public FileSystem {
 public:
  explicit S3FileSystem(const StorageOptions& options)
      : client_(std::make_shared<S3Client>(s3::S3Config::FromOptions(options))) {}
  std::string Scheme() const override { return "s3"; }

  std::shared_ptr<RandomAccessFile> OpenForRead(const std::string& path) override {
    S3Location loc = s3::ParseS3Path(path);
    FileInfo info = Stat(path);
    if (info.size < 0 || info.is_directory) {
      throw Error(ErrorKind::kIo, info.is_directory ? "cannot read " + path + ": it is a directory"
                                                    : "no such file: " + path);
    }
    return std::make_shared<S3ReadFile>(client_, path, loc, info.size);
  }
  std::unique_ptr<WritableFile> OpenForWrite(const std::string& path) override {
    S3Location loc = s3::ParseS3Path(path);
    if (loc.key.empty() || loc.key.back() == '/') {
      throw Error(ErrorKind::kIo, "cannot write " + path + ": not an object key");
    }
    return std::make_unique<S3WriteFile>(client_, path, loc);
  }
  bool WriteIfAbsent(const std::string& path, const std::string& data) override {
    S3Location loc = s3::ParseS3Path(path);
    S3Request req;
    req.method = "PUT";
    req.bucket = loc.bucket;
    req.key = loc.key;
    req.headers["if-none-match"] = "*";
    req.body = reinterpret_cast<const uint8_t*>(data.data());
    req.body_size = data.size();
    S3Response resp = client_->Send(req);
    // 412: the object exists. 409 (ConditionalRequestConflict): a concurrent conditional write
    // to the same key is in flight; one of them wins, and it is not us.
    if (resp.transport_error.empty() && (resp.status == 412 || resp.status == 409)) return false;
    client_->Check(resp, path);
    return true;
  }
  FileInfo Stat(const std::string& path) override {
    S3Location loc = s3::ParseS3Path(path);
    FileInfo info;
    info.path = path;
    if (!loc.key.empty() && loc.key.back() != '/') {
      S3Request req;
      req.method = "HEAD";
      req.bucket = loc.bucket;
      req.key = loc.key;
      S3Response resp = client_->Send(req);
      if (resp.transport_error.empty() && resp.status == 200) {
        auto it = resp.headers.find("content-length");
        info.size = it == resp.headers.end() ? 0 : std::stoll(it->second);
        auto lm = resp.headers.find("last-modified");
        if (lm != resp.headers.end()) {
          time_t t = curl_getdate(lm->second.c_str(), nullptr);
          if (t > 0) info.mtime_ns = static_cast<int64_t>(t) * 1000000000;
        }
        return info;
      }
      if (!(resp.transport_error.empty() && resp.status == 404)) client_->Check(resp, path);
    }
    // A "directory": some key starts with key/.
    std::string prefix = loc.key;
    if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
    auto page = ListPage(loc, prefix, "/", "", 1, path);
    if (!page.keys.empty() || !page.prefixes.empty() || prefix.empty()) {
      info.size = 0;
      info.is_directory = true;
    }
    return info;
  }
  std::vector<FileInfo> List(const std::string& path, bool recursive) override {
    S3Location loc = s3::ParseS3Path(path);
    std::string prefix = loc.key;
    if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
    std::vector<FileInfo> out;
    std::string token;
    for (;;) {
      auto page = ListPage(loc, prefix, recursive ? "" : "/", token,
                           client_->config().list_page_size, path);
      for (auto& f : page.keys) {
        if (!f.path.empty() && f.path.back() == '/') continue;  // directory markers
        f.path = PathOf(loc, f.path);
        out.push_back(std::move(f));
      }
      for (const auto& p : page.prefixes) {
        FileInfo d;
        std::string key = p;
        if (!key.empty() && key.back() == '/') key.pop_back();
        d.path = PathOf(loc, key);
        d.size = 0;
        d.is_directory = true;
        out.push_back(std::move(d));
      }
      if (page.next_token.empty()) break;
      token = page.next_token;
    }
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }
  void Delete(const std::string& path) override {
    S3Location loc = s3::ParseS3Path(path);
    S3Request req;
    req.method = "DELETE";
    req.bucket = loc.bucket;
    req.key = loc.key;
    S3Response resp = client_->Send(req);
    if (resp.transport_error.empty() && resp.status == 404) return;
    client_->Check(resp, path);
  }

 private:
  struct Page {
    std::vector<FileInfo> keys;  // path holds the key
    std::vector<std::string> prefixes;
    std::string next_token;
  };
  Page ListPage(const S3Location& loc, const std::string& prefix, const std::string& delimiter,
                const std::string& token, int max_keys, const std::string& what) {
    S3Request req;
    req.method = "GET";
    req.bucket = loc.bucket;
    req.key = "";
    req.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
    if (!prefix.empty()) req.query.emplace_back("prefix", prefix);
    if (!delimiter.empty()) req.query.emplace_back("delimiter", delimiter);
    if (!token.empty()) req.query.emplace_back("continuation-token", token);
    S3Response resp = client_->Send(req);
    client_->Check(resp, what);
    Page page;
    for (const auto& c : s3::XmlElements(resp.body, "Contents")) {
      FileInfo f;
      f.path = s3::XmlElement(c, "Key");
      std::string size = s3::XmlElement(c, "Size");
      f.size = size.empty() ? 0 : std::stoll(size);
      f.mtime_ns = s3::ParseIsoTimestampNs(s3::XmlElement(c, "LastModified"));
      page.keys.push_back(std::move(f));
    }
    for (const auto& c : s3::XmlElements(resp.body, "CommonPrefixes")) {
      page.prefixes.push_back(s3::XmlElement(c, "Prefix"));
    }
    if (s3::XmlElement(resp.body, "IsTruncated") == "true") {
      page.next_token = s3::XmlElement(resp.body, "NextContinuationToken");
    }
    return page;
  }

  std::shared_ptr<S3Client> client_;
};

}  // namespace

std::shared_ptr<FileSystem> CreateS3FileSystem(const StorageOptions& options) {
  // One file system (and connection pool) per distinct set of options in this process.
  static std::mutex mu;
  static std::map<StorageOptions, std::weak_ptr<FileSystem>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[options];
  if (auto fs = slot.lock()) return fs;
  auto fs = std::make_shared<S3FileSystem>(options);
  slot = fs;
  return fs;
}

}  // namespace aishell
