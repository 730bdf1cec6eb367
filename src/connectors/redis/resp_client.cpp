#include "connectors/redis/resp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "common/exception.h"

namespace aishell {

// ---------------------------------------------------------------------------------------------
// RespReader

void RespReader::Malformed(const std::string& what) const {
  throw Error(ErrorKind::kConnector, "malformed reply: " + what);
}

char* RespReader::Space(size_t min, size_t* available) {
  if (cap_ - end_ < min) {
    size_t cap = std::max({cap_ * 2, end_ + min, size_t{64} << 10});
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (end_) std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  *available = cap_ - end_;
  return buf_.get() + end_;
}

void RespReader::Feed(std::string_view bytes) {
  size_t available;
  char* p = Space(bytes.size(), &available);
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  Commit(bytes.size());
}

void RespReader::Discard() {
  if (!stack_.empty()) return;
  nodes_.clear();
  root_ = 0;
  if (pos_ > 0) {
    if (end_ > pos_) std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
}

namespace {

// A RESP integer: optional '-', 1-19 digits, no overflow.
bool ParseRespInt(std::string_view s, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i >= s.size() || s.size() - i > 19) return false;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (v > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return false;
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
      out += c;
    else
      out += fmt::format("\\x{:02x}", u);
  }
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

bool RespReader::Next(RespView* reply) {
  needed_ = 0;
  while (true) {
    if (pos_ >= end_) return false;
    const char* p = buf_.get() + pos_;
    size_t avail = end_ - pos_;
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::min(avail, kMaxLine)));
    if (!nl) {
      if (avail >= kMaxLine) Malformed("a reply line longer than 64 KiB without CRLF");
      return false;
    }
    if (nl == p || nl[-1] != '\r')
      Malformed("a line not ended by CRLF: '" + Printable(std::string_view(p, nl - p)) + "'");
    // nl - p >= 1 and nl[-1] == '\r'; a line of just "\r\n" fails on its type byte below.
    std::string_view line(p + 1, nl - p >= 2 ? static_cast<size_t>(nl - p) - 2 : 0);
    size_t after = pos_ + static_cast<size_t>(nl - p) + 1;
    RespNode n;
    switch (p[0]) {
      case '+':
      case '-':
        n.type = p[0] == '+' ? RespType::kStatus : RespType::kError;
        n.offset = pos_ + 1;
        n.len = static_cast<uint32_t>(line.size());
        pos_ = after;
        break;
      case ':':
        if (!ParseRespInt(line, &n.integer)) Malformed("integer '" + Printable(line) + "'");
        n.type = RespType::kInteger;
        pos_ = after;
        break;
      case '$': {
        int64_t len;
        if (!ParseRespInt(line, &len) || len < -1 || len > static_cast<int64_t>(kMaxBulk))
          Malformed("bulk string length '" + Printable(line) + "'");
        if (len == -1) {
          n.type = RespType::kNil;
          pos_ = after;
          break;
        }
        size_t need = static_cast<size_t>(len) + 2;
        if (end_ - after < need) {
          needed_ = need - (end_ - after);
          return false;
        }
        const char* tail = buf_.get() + after + len;
        if (tail[0] != '\r' || tail[1] != '\n')
          Malformed("bulk string of " + std::to_string(len) + " bytes not followed by CRLF");
        n.type = RespType::kString;
        n.offset = after;
        n.len = static_cast<uint32_t>(len);
        pos_ = after + need;
        break;
      }
      case '*': {
        int64_t count;
        if (!ParseRespInt(line, &count) || count < -1 || count >= kMaxArray)
          Malformed("array length '" + Printable(line) + "'");
        pos_ = after;
        if (count == -1) {
          n.type = RespType::kNil;
          break;
        }
        n.type = RespType::kArray;
        n.integer = count;
        if (count > 0) {
          if (stack_.size() >= kMaxDepth)
            Malformed("arrays nested deeper than " + std::to_string(kMaxDepth));
          uint32_t idx = static_cast<uint32_t>(nodes_.size());
          if (stack_.empty()) root_ = idx;
          nodes_.push_back(n);
          stack_.push_back(Open{idx, count});
          continue;
        }
        break;
      }
      default:
        Malformed("unexpected byte '" + Printable(std::string_view(p, 1)) +
                  "' where a reply starts (is this a Redis server?)");
    }
    uint32_t idx = static_cast<uint32_t>(nodes_.size());
    if (stack_.empty()) root_ = idx;
    n.end = idx + 1;
    nodes_.push_back(n);
    while (!stack_.empty()) {
      if (--stack_.back().remaining > 0) break;
      nodes_[stack_.back().node].end = static_cast<uint32_t>(nodes_.size());
      stack_.pop_back();
    }
    if (stack_.empty()) {
      *reply = RespView(this, root_);
      return true;
    }
  }
}

RespView RespView::operator[](size_t i) const {
  RespView v = first();
  for (size_t k = 0; k < i; k++) v = v.next();
  return v;
}

// ---------------------------------------------------------------------------------------------
// RespConnection

namespace {

// Blocks SIGPIPE in this thread while OpenSSL writes to a socket the server may have closed
// (plain sends use MSG_NOSIGNAL), and swallows a SIGPIPE raised meanwhile.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE)) {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out += "; ";
    out += reason ? reason : buf;
  }
  return out;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void SetTimeout(int fd, int option, int ms) {
  struct timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

std::string Seconds(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : fmt::format("{:.1f} s", ms / 1000.0);
}

}  // namespace

RespConnection::RespConnection(const RedisAddress& address, std::string where)
    : where_(std::move(where)) {
  endpoint_ =
      (address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host) +
      ":" + std::to_string(address.port);
  read_timeout_ms_ = address.read_timeout_ms;
  try {
    Connect(address);
    if (address.tls) StartTls(address);
    Handshake(address);
  } catch (...) {
    Close();
    throw;
  }
}

RespConnection::~RespConnection() { Close(); }

void RespConnection::Close() {
  if (ssl_) {
    if (!broken_) {
      SigpipeGuard guard;
      SSL_shutdown(static_cast<SSL*>(ssl_));
    }
    SSL_free(static_cast<SSL*>(ssl_));
    ssl_ = nullptr;
  }
  if (ssl_ctx_) {
    SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
    ssl_ctx_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RespConnection::Connect(const RedisAddress& address) {
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* list = nullptr;
  std::string port = std::to_string(address.port);
  int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) {
    throw Error(ErrorKind::kConnector, where_ + ": cannot connect to " + endpoint_ +
                                           ": cannot resolve the host (" + gai_strerror(rc) + ")");
  }
  std::string last = "no address";
  for (struct addrinfo* ai = list; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int r = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      struct pollfd pfd = {fd, POLLOUT, 0};
      int p;
      do {
        p = poll(&pfd, 1, address.connect_timeout_ms);
      } while (p < 0 && errno == EINTR);
      if (p == 0) {
        last = "timed out after " + Seconds(address.connect_timeout_ms) +
               " (property connect_timeout)";
        ::close(fd);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      r = err == 0 ? 0 : -1;
      errno = err;
    }
    if (r != 0) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // Reads and writes wait at most the read timeout (the TLS handshake too).
    SetTimeout(fd, SO_RCVTIMEO, read_timeout_ms_);
    SetTimeout(fd, SO_SNDTIMEO, read_timeout_ms_);
    fd_ = fd;
    break;
  }
  freeaddrinfo(list);
  if (fd_ < 0)
    throw Error(ErrorKind::kConnector, where_ + ": cannot connect to " + endpoint_ + ": " + last);
}

void RespConnection::StartTls(const RedisAddress& address) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) throw Error(ErrorKind::kConnector, where_ + ": cannot set up TLS: " + OpenSslErrors());
  ssl_ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (address.tls_verify) {
    if (!address.tls_ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, address.tls_ca_file.c_str(), nullptr) != 1) {
        throw Error(ErrorKind::kConnector,
                    where_ + ": cannot load the CA certificates of tls.ca-file '" +
                        address.tls_ca_file + "': " + OpenSslErrors());
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      throw Error(ErrorKind::kConnector,
                  where_ + ": cannot load the system CA certificates: " + OpenSslErrors());
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!address.tls_cert_file.empty()) {
    const std::string& key =
        address.tls_key_file.empty() ? address.tls_cert_file : address.tls_key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx, address.tls_cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw Error(ErrorKind::kConnector,
                  where_ + ": cannot load the client certificate (tls.cert-file '" +
                      address.tls_cert_file + "', tls.key-file '" + key + "'): " + OpenSslErrors());
    }
  }
  SSL* ssl = SSL_new(ctx);
  if (!ssl) throw Error(ErrorKind::kConnector, where_ + ": cannot set up TLS: " + OpenSslErrors());
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  bool ip = IsIpAddress(address.host);
  if (!ip) SSL_set_tlsext_host_name(ssl, address.host.c_str());  // SNI
  if (address.tls_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, address.host.c_str());
    else
      SSL_set1_host(ssl, address.host.c_str());
  }
  int rc;
  {
    SigpipeGuard guard;
    rc = SSL_connect(ssl);
  }
  if (rc != 1) {
    int err = SSL_get_error(ssl, rc);
    std::string why;
    long verify = SSL_get_verify_result(ssl);
    if (address.tls_verify && verify != X509_V_OK) {
      why = std::string("the server certificate is not trusted: ") +
            X509_verify_cert_error_string(verify) +
            " (give its CA with --property tls.ca-file=<PEM file>, or skip the check with "
            "--property tls.verify=false)";
    } else if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      why = "no answer within " + Seconds(read_timeout_ms_);
    } else {
      why = OpenSslErrors();
      if (why.empty()) why = errno ? std::strerror(errno) : "the server closed the connection";
      why += " (is this a TLS port?)";
    }
    throw Error(ErrorKind::kConnector,
                where_ + ": TLS handshake with " + endpoint_ + " failed: " + why);
  }
}

void RespConnection::Handshake(const RedisAddress& address) {
  if (!address.password.empty()) {
    RespView r = address.user.empty() ? Command({"AUTH", address.password})
                                      : Command({"AUTH", address.user, address.password});
    if (r.is_error()) {
      throw Error(ErrorKind::kConnector, where_ + ": authentication failed at " + endpoint_ + " (" +
                                             std::string(r.str()) + ")");
    }
  }
  std::string db = std::to_string(address.db);
  RespView r = Command({"SELECT", db});
  if (r.is_error()) {
    std::string msg(r.str());
    if (msg.rfind("NOAUTH", 0) == 0) {
      throw Error(ErrorKind::kConnector,
                  where_ + ": " + endpoint_ + " requires a password (" + msg +
                      "); give it in the URL: redis://:password@host:port/db");
    }
    throw Error(ErrorKind::kConnector,
                where_ + ": cannot select database " + db + " at " + endpoint_ + ": " + msg);
  }
  Discard();
}

void RespConnection::Append(const std::string_view* args, size_t n) {
  char head[32];
  head[0] = '*';
  char* e = std::to_chars(head + 1, head + 24, n).ptr;
  *e++ = '\r';
  *e++ = '\n';
  out_.append(head, static_cast<size_t>(e - head));
  for (size_t i = 0; i < n; i++) {
    head[0] = '$';
    e = std::to_chars(head + 1, head + 24, args[i].size()).ptr;
    *e++ = '\r';
    *e++ = '\n';
    out_.append(head, static_cast<size_t>(e - head));
    out_.append(args[i].data(), args[i].size());
    out_.append("\r\n", 2);
  }
}

void RespConnection::Append(std::initializer_list<std::string_view> args) {
  Append(args.begin(), args.size());
}

void RespConnection::Append(const std::vector<std::string>& args) {
  std::string_view views[16];
  if (args.size() <= 16) {
    for (size_t i = 0; i < args.size(); i++) views[i] = args[i];
    Append(views, args.size());
    return;
  }
  std::vector<std::string_view> many(args.begin(), args.end());
  Append(many.data(), many.size());
}

void RespConnection::Flush() {
  if (broken_) Lost("an earlier error");
  size_t sent = 0;
  while (sent < out_.size()) {
    size_t chunk = out_.size() - sent;
    if (ssl_) {
      SigpipeGuard guard;
      ERR_clear_error();
      int n = SSL_write(static_cast<SSL*>(ssl_), out_.data() + sent,
                        static_cast<int>(std::min(chunk, size_t{1} << 30)));
      if (n <= 0) {
        int err = SSL_get_error(static_cast<SSL*>(ssl_), n);
        if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ)
          Lost("cannot send within " + Seconds(read_timeout_ms_) + " (property read_timeout)");
        std::string why = OpenSslErrors();
        Lost(why.empty() ? std::string(errno ? std::strerror(errno) : "TLS write failed") : why);
      }
      sent += static_cast<size_t>(n);
    } else {
      ssize_t n = ::send(fd_, out_.data() + sent, chunk, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          Lost("cannot send within " + Seconds(read_timeout_ms_) + " (property read_timeout)");
        Lost(std::strerror(errno));
      }
      sent += static_cast<size_t>(n);
    }
  }
  out_.clear();
  if (out_.capacity() > (size_t{4} << 20)) out_.shrink_to_fit();
}

void RespConnection::Receive() {
  size_t available;
  char* p = reader_.Space(std::max(size_t{64} << 10, reader_.needed()), &available);
  if (ssl_) {
    ERR_clear_error();
    int n = SSL_read(static_cast<SSL*>(ssl_), p,
                     static_cast<int>(std::min(available, size_t{1} << 30)));
    if (n <= 0) {
      int err = SSL_get_error(static_cast<SSL*>(ssl_), n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        Lost("no reply within " + Seconds(read_timeout_ms_) + " (property read_timeout)");
      if (err == SSL_ERROR_ZERO_RETURN) Lost("the server closed the connection");
      std::string why = OpenSslErrors();
      Lost(why.empty()
               ? std::string(errno ? std::strerror(errno) : "the server closed the connection")
               : why);
    }
    reader_.Commit(static_cast<size_t>(n));
    return;
  }
  while (true) {
    ssize_t n = ::recv(fd_, p, available, 0);
    if (n > 0) {
      reader_.Commit(static_cast<size_t>(n));
      return;
    }
    if (n == 0) Lost("the server closed the connection");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      Lost("no reply within " + Seconds(read_timeout_ms_) + " (property read_timeout)");
    Lost(std::strerror(errno));
  }
}

RespView RespConnection::Read() {
  if (broken_) Lost("an earlier error");
  if (!out_.empty()) Flush();
  RespView v;
  try {
    while (!reader_.Next(&v)) Receive();
  } catch (const Error& e) {
    if (broken_) throw;
    broken_ = true;
    throw Error(ErrorKind::kConnector, where_ + ": " + endpoint_ + " sent a " + e.what());
  }
  return v;
}

RespView RespConnection::Command(std::initializer_list<std::string_view> args) {
  Discard();
  Append(args);
  return Read();
}

RespView RespConnection::Command(const std::vector<std::string>& args) {
  Discard();
  Append(args);
  return Read();
}

std::vector<RespView> RespConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  Discard();
  for (const auto& c : commands) Append(c);
  Flush();
  std::vector<RespView> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); i++) replies.push_back(Read());
  return replies;
}

void RespConnection::Lost(const std::string& why) {
  broken_ = true;
  throw Error(ErrorKind::kConnector, where_ + ": connection to " + endpoint_ + " lost: " + why);
}

}  // namespace aishell
