#include "connectors/postgres/copy_out_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace aishell {
namespace {

constexpr size_t kInitialBuffer = size_t{256} << 10;  // grows for a larger row
constexpr size_t kMinFree = size_t{64} << 10;         // compact when less is free at the end
constexpr uint32_t kMaxMessage =
    0x7fffffff;  // the protocol's int32 length (a row may hold several 1 GB fields)

uint32_t Be32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

}  // namespace

bool PgCopyOutStream::Usable(PGconn* conn) {
  return conn && PQstatus(conn) == CONNECTION_OK && PQsocket(conn) >= 0 && !PQsslInUse(conn) &&
         !PQgssEncInUse(conn) && !PQisBusy(conn) &&
         (PQtransactionStatus(conn) == PQTRANS_IDLE ||
          PQtransactionStatus(conn) == PQTRANS_INTRANS);
}

PgCopyOutStream::PgCopyOutStream(int socket)
    : fd_(socket), buf_(new char[kInitialBuffer]), cap_(kInitialBuffer) {}

bool PgCopyOutStream::Send(const std::string& sql) {
  // Query: 'Q', int32 length (itself included), the statement, NUL.
  std::string msg;
  msg.reserve(sql.size() + 6);
  msg.push_back('Q');
  uint32_t len = __builtin_bswap32(static_cast<uint32_t>(sql.size() + 5));
  msg.append(reinterpret_cast<const char*>(&len), 4);
  msg += sql;
  msg.push_back('\0');
  size_t sent = 0;
  while (sent < msg.size()) {
    ssize_t n = ::send(fd_, msg.data() + sent, msg.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 1000);  // libpq's sockets are non-blocking
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      Fail(std::string("could not send the query: ") + std::strerror(errno));
      return false;
    }
  }
  return true;
}

PgCopyOutStream::Status PgCopyOutStream::Fail(std::string message) {
  if (!failed_ || error_.empty()) error_ = std::move(message);
  failed_ = true;
  return Status::kFailed;
}

// ErrorResponse: (code byte, NUL-terminated text)*, then NUL.
void PgCopyOutStream::ParseError(const char* body, size_t len) {
  std::string severity = "ERROR", primary, detail, hint;
  size_t i = 0;
  while (i < len && body[i] != '\0') {
    char code = body[i++];
    const void* nul = std::memchr(body + i, '\0', len - i);
    size_t n = nul ? static_cast<size_t>(static_cast<const char*>(nul) - (body + i)) : len - i;
    std::string text(body + i, n);
    i += n + 1;
    if (code == 'S') severity = text;
    if (code == 'M') primary = text;
    if (code == 'D') detail = text;
    if (code == 'H') hint = text;
  }
  std::string msg = severity + ": " + primary;
  std::string extra;
  if (!detail.empty()) extra += "DETAIL: " + detail;
  if (!hint.empty()) extra += (extra.empty() ? "" : "; ") + std::string("HINT: ") + hint;
  if (!extra.empty()) msg += " (" + extra + ")";
  if (error_.empty()) error_ = std::move(msg);  // the first error is the cause
  server_error_ = true;
}

PgCopyOutStream::Status PgCopyOutStream::Next(const char** row, size_t* len) {
  if (failed_ && !server_error_) return Status::kFailed;
  while (true) {
    size_t avail = tail_ - head_;
    if (avail < 5) {
      need_ = 5;
      return Status::kWouldBlock;
    }
    const char* msg = buf_.get() + head_;
    char type = msg[0];
    uint32_t length = Be32(msg + 1);
    if (length < 4 || length > kMaxMessage) {
      return Fail("protocol error: message '" + std::string(1, type) + "' of length " +
                  std::to_string(length));
    }
    size_t total = size_t{1} + length;
    if (avail < total) {
      need_ = total;
      return Status::kWouldBlock;
    }
    const char* body = msg + 5;
    size_t body_len = length - 4;
    head_ += total;
    switch (type) {
      case 'd':  // CopyData: one row
        if (failed_) continue;
        *row = body;
        *len = body_len;
        return Status::kRow;
      case 'H':  // CopyOutResponse
        started_ = true;
        continue;
      case 'c':  // CopyDone
      case 'C':  // CommandComplete
      case 'N':  // NoticeResponse
      case 'S':  // ParameterStatus
      case 'A':  // NotificationResponse
        continue;
      case 'E':  // ErrorResponse; ReadyForQuery follows
        ParseError(body, body_len);
        failed_ = true;
        continue;
      case 'Z':  // ReadyForQuery: the statement is over
        return failed_ ? Status::kFailed : Status::kEnd;
      default:
        return Fail("protocol error: unexpected message '" + std::string(1, type) +
                    "' during COPY");
    }
  }
}

bool PgCopyOutStream::Receive() {
  if (failed_ && !server_error_) return false;
  if (head_ == tail_) {
    head_ = tail_ = 0;
  } else if (cap_ - tail_ < kMinFree || head_ + need_ > cap_) {
    std::memmove(buf_.get(), buf_.get() + head_, tail_ - head_);
    tail_ -= head_;
    head_ = 0;
  }
  if (need_ > cap_ && cap_ - tail_ < kMinFree) {
    // One message larger than the buffer: grow as its bytes arrive (at most doubling), not to the
    // length its header claims, which a broken stream may set to 2 GB.
    size_t cap = std::min(need_, cap_ * 2);
    std::unique_ptr<char[]> bigger(new char[cap]);
    std::memcpy(bigger.get(), buf_.get(), tail_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  while (true) {
    ssize_t n = ::recv(fd_, buf_.get() + tail_, cap_ - tail_, 0);
    if (n > 0) {
      tail_ += static_cast<size_t>(n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    std::string why =
        n == 0 ? "server closed the connection unexpectedly"
               : std::string("could not receive data from server: ") + std::strerror(errno);
    // A FATAL ErrorResponse sent before the close (a terminated backend) says more.
    if (server_error_) why = error_ + " (" + why + ")";
    server_error_ = false;
    error_.clear();
    Fail(why);
    return false;
  }
}

void PgCopyOutStream::Wait(int timeout_ms) const {
  pollfd p{fd_, POLLIN, 0};
  ::poll(&p, 1, timeout_ms);
}

}  // namespace aishell
