#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <memory>
#include <string>

namespace aishell {

// The rows of one `COPY ... TO STDOUT`, read straight off the socket of a libpq connection.
// libpq connects, authenticates and runs every other statement; for the COPY itself this class
// sends the Query message and parses the CopyData messages in place, in one large buffer, with
// no allocation or copy per row (PQgetCopyData allocates and copies every row, and reads the
// socket through a 16 KB buffer).
//
// Only for connections without TLS or GSS encryption (Usable()); the others keep PQgetCopyData.
// Once the COPY has ended cleanly (ReadyForQuery), the connection is libpq's again: idle, in the
// transaction state it had. After a failure it must be closed, never reused.
class PgCopyOutStream {
 public:
  // Whether `conn` can be read this way: a plain socket, no query in progress.
  static bool Usable(PGconn* conn);

  // Reads and writes `socket` (a libpq connection's PQsocket(), non-blocking); never closes it.
  explicit PgCopyOutStream(int socket);

  // Sends `sql` (one statement) as a simple Query; false if the connection failed (error()).
  bool Send(const std::string& sql);

  enum class Status {
    kRow,         // *row / *len hold one CopyData payload, valid until the next Receive()
    kWouldBlock,  // no complete message is buffered: Receive() (after Wait() when blocking)
    kEnd,         // ReadyForQuery after a clean end
    kFailed,      // the server's error (ErrorResponse), or a broken connection: error()
  };
  Status Next(const char** row, size_t* len);

  // Reads what the socket holds, without blocking; false if the connection failed or closed.
  bool Receive();
  // Waits up to `timeout_ms` for the socket to be readable.
  void Wait(int timeout_ms) const;

  int socket() const { return fd_; }
  // Whether the server accepted the statement (CopyOutResponse seen).
  bool started() const { return started_; }
  // True when error() is the server's own message (an ErrorResponse), false for a broken
  // connection or a protocol error.
  bool server_error() const { return server_error_; }
  // "ERROR: primary (DETAIL: ...; HINT: ...)" as PostgreSQL sent it, or what broke.
  const std::string& error() const { return error_; }
  // The receive buffer's size in bytes (it grows for a message larger than it).
  size_t buffer_capacity() const { return cap_; }

 private:
  Status Fail(std::string message);
  void ParseError(const char* body, size_t len);

  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t head_ = 0;  // first unparsed byte
  size_t tail_ = 0;  // end of the received bytes
  size_t need_ = 0;  // bytes the next message needs from head_
  bool started_ = false;
  bool failed_ = false;
  bool server_error_ = false;
  std::string error_;
};

}  // namespace aishell
