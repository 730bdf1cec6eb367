#include "connectors/postgres/copy_out_stream.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/live_server.h"

namespace aishell {
namespace {

using Status = PgCopyOutStream::Status;

// One protocol message: type, int32 length (itself included), body.
std::string Message(char type, const std::string& body) {
  std::string m(1, type);
  uint32_t len = __builtin_bswap32(static_cast<uint32_t>(body.size() + 4));
  m.append(reinterpret_cast<const char*>(&len), 4);
  return m + body;
}

std::string ErrorBody(const std::string& severity, const std::string& message,
                      const std::string& detail = "") {
  std::string b = "S" + severity + std::string(1, '\0') + "C22012" + std::string(1, '\0') + "M" +
                  message + std::string(1, '\0');
  if (!detail.empty()) b += "D" + detail + std::string(1, '\0');
  return b + std::string(1, '\0');
}

// A fake server on one end of a socket pair; the stream reads the other (non-blocking) end.
class FakeServer {
 public:
  FakeServer() {
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    ::fcntl(fds_[0], F_SETFL, ::fcntl(fds_[0], F_GETFL) | O_NONBLOCK);
  }
  ~FakeServer() {
    if (writer_.joinable()) writer_.join();
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  int client() const { return fds_[0]; }
  void Write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fds_[1], bytes.data() + done, bytes.size() - done);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  }
  // Writes from a thread (for more than the socket buffer holds).
  void WriteAsync(std::string bytes) {
    writer_ = std::thread([this, b = std::move(bytes)] { Write(b); });
  }
  void Close() {
    if (writer_.joinable()) writer_.join();
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  std::string Read() {
    char buf[4096];
    ssize_t n = ::read(fds_[1], buf, sizeof(buf));
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fds_[2] = {-1, -1};
  std::thread writer_;
};

// Reads until the end or a failure: the rows, and the final status.
Status Drain(PgCopyOutStream& s, std::vector<std::string>* rows) {
  while (true) {
    const char* row = nullptr;
    size_t len = 0;
    Status st = s.Next(&row, &len);
    if (st == Status::kRow) {
      rows->emplace_back(row, len);
    } else if (st == Status::kWouldBlock) {
      s.Wait(1000);
      if (!s.Receive()) return Status::kFailed;
    } else {
      return st;
    }
  }
}

TEST(PgCopyOutStreamTest, SendWritesOneQueryMessage) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  ASSERT_TRUE(s.Send("COPY (SELECT 1) TO STDOUT"));
  EXPECT_EQ(server.Read(), Message('Q', std::string("COPY (SELECT 1) TO STDOUT") + '\0'));
}

TEST(PgCopyOutStreamTest, ParsesMessagesSplitAtEveryByte) {
  std::string stream =
      Message('H', std::string("\1\0\2\0\1\0\1", 7)) + Message('N', "x") + Message('d', "row one") +
      Message('d', "") + Message('S', std::string("a\0b\0", 4)) + Message('d', "row three") +
      Message('c', "") + Message('C', std::string("COPY 3\0", 7)) + Message('Z', "I");
  for (size_t cut = 0; cut <= stream.size(); cut++) {
    FakeServer server;
    PgCopyOutStream s(server.client());
    std::vector<std::string> rows;
    server.Write(stream.substr(0, cut));
    ASSERT_TRUE(s.Receive());
    while (true) {  // what the first part holds
      const char* row = nullptr;
      size_t len = 0;
      Status st = s.Next(&row, &len);
      if (st != Status::kRow) {
        ASSERT_EQ(st, cut == stream.size() ? Status::kEnd : Status::kWouldBlock) << cut;
        break;
      }
      rows.emplace_back(row, len);
    }
    if (cut < stream.size()) {
      server.Write(stream.substr(cut));
      ASSERT_EQ(Drain(s, &rows), Status::kEnd) << cut << ": " << s.error();
    }
    EXPECT_EQ(rows, (std::vector<std::string>{"row one", "", "row three"})) << cut;
    EXPECT_TRUE(s.started());
  }
}

TEST(PgCopyOutStreamTest, GrowsForARowLargerThanItsBuffer) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  server.WriteAsync(Message('H', std::string("\1\0\0", 3)) + Message('d', "small") +
                    Message('d', big) + Message('d', "after") + Message('c', "") +
                    Message('Z', "T"));
  std::vector<std::string> rows;
  ASSERT_EQ(Drain(s, &rows), Status::kEnd) << s.error();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "small");
  EXPECT_TRUE(rows[1] == big);
  EXPECT_EQ(rows[2], "after");
}

// Found by test/fuzz/pg_copy_fuzzer.cpp: a message header claiming 2 GB made Receive allocate
// 2 GB at once, before a byte of the message had arrived.
TEST(PgCopyOutStreamTest, BufferGrowsWithTheBytesReceivedNotTheClaimedLength) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  std::string header("d\x7f\xff\xff\xf0", 5);  // CopyData of 2 GB - 16 bytes
  server.Write(header + std::string(1000, 'x'));
  server.Close();
  std::vector<std::string> rows;
  EXPECT_EQ(Drain(s, &rows), Status::kFailed);
  EXPECT_TRUE(rows.empty());
  EXPECT_NE(s.error().find("closed the connection"), std::string::npos) << s.error();
  EXPECT_LE(s.buffer_capacity(), size_t{1} << 20);
}

TEST(PgCopyOutStreamTest, ServerErrorMidStreamEndsAtReadyForQuery) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  server.Write(Message('H', std::string("\1\0\0", 3)) + Message('d', "r1") +
               Message('E', ErrorBody("ERROR", "division by zero", "at row 2")) +
               Message('Z', "E"));
  std::vector<std::string> rows;
  EXPECT_EQ(Drain(s, &rows), Status::kFailed);
  EXPECT_EQ(rows, std::vector<std::string>{"r1"});
  EXPECT_TRUE(s.server_error());
  EXPECT_TRUE(s.started());
  EXPECT_EQ(s.error(), "ERROR: division by zero (DETAIL: at row 2)");
}

TEST(PgCopyOutStreamTest, ServerErrorBeforeTheCopyStarts) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  server.Write(Message('E', ErrorBody("ERROR", "relation \"nope\" does not exist")) +
               Message('Z', "I"));
  std::vector<std::string> rows;
  EXPECT_EQ(Drain(s, &rows), Status::kFailed);
  EXPECT_TRUE(rows.empty());
  EXPECT_FALSE(s.started());
  EXPECT_EQ(s.error(), "ERROR: relation \"nope\" does not exist");
}

TEST(PgCopyOutStreamTest, ConnectionClosedMidRow) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  std::string row = Message('d', "a row cut short");
  server.Write(Message('H', std::string("\1\0\0", 3)) + row.substr(0, 7));
  server.Close();
  std::vector<std::string> rows;
  EXPECT_EQ(Drain(s, &rows), Status::kFailed);
  EXPECT_FALSE(s.server_error());
  EXPECT_NE(s.error().find("server closed the connection unexpectedly"), std::string::npos)
      << s.error();
}

TEST(PgCopyOutStreamTest, FatalErrorBeforeTheCloseIsKept) {
  FakeServer server;
  PgCopyOutStream s(server.client());
  server.Write(Message('H', std::string("\1\0\0", 3)) +
               Message('E', ErrorBody("FATAL",
                                      "terminating connection due to administrator "
                                      "command")));
  server.Close();
  std::vector<std::string> rows;
  EXPECT_EQ(Drain(s, &rows), Status::kFailed);
  EXPECT_FALSE(s.server_error());
  EXPECT_EQ(s.error(),
            "FATAL: terminating connection due to administrator command (server closed the "
            "connection unexpectedly)");
}

TEST(PgCopyOutStreamTest, ProtocolErrorsFail) {
  for (const std::string& bad : {std::string("d\0\0\0\2", 5),              // length below 4
                                 std::string("d\x80\0\0\0", 5),            // over the int32 range
                                 Message('T', std::string("\0\0", 2))}) {  // not a COPY reply
    FakeServer server;
    PgCopyOutStream s(server.client());
    server.Write(Message('H', std::string("\1\0\0", 3)) + bad);
    std::vector<std::string> rows;
    EXPECT_EQ(Drain(s, &rows), Status::kFailed);
    EXPECT_FALSE(s.server_error());
    EXPECT_NE(s.error().find("protocol error"), std::string::npos) << s.error();
  }
}

// ---------------------------------------------------------------------------------------------
// Against the test server: the same bytes as libpq's PQgetCopyData, and libpq's state intact.

class PgCopyOutStreamServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url;
    AISHELL_LIVE_SERVER_ENV(url, "AISHELL_TEST_PG_URL", "scripts/services/postgres.sh start");
    // Plain TCP even where PGSSLMODE is unset (the test server also speaks TLS, which libpq's
    // default sslmode=prefer would pick, and the socket reader refuses).
    url_ = url + (url.find('?') == std::string::npos ? "?" : "&") + "sslmode=disable";
  }
  PGconn* Connect() {
    PGconn* c = PQconnectdb(url_.c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }
  std::string url_;
};

constexpr const char* kRowsSql =
    "COPY (SELECT i, repeat(chr(65 + i % 26), i % 300) AS s, i * 1.5 AS d, "
    "CASE WHEN i % 7 = 0 THEN NULL ELSE i END AS n FROM generate_series(1, 30000) i) "
    "TO STDOUT (FORMAT binary)";

TEST_F(PgCopyOutStreamServerTest, SameRowsAsLibpqAndTheConnectionStaysUsable) {
  PGconn* a = Connect();
  PGresult* r = PQexec(a, kRowsSql);
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_OUT);
  PQclear(r);
  std::vector<std::string> expected;
  char* buf = nullptr;
  int n;
  while ((n = PQgetCopyData(a, &buf, 0)) >= 0) {
    expected.emplace_back(buf, static_cast<size_t>(n));
    PQfreemem(buf);
  }
  while ((r = PQgetResult(a)) != nullptr) PQclear(r);
  PQfinish(a);
  ASSERT_GT(expected.size(), 30000u);  // header row + rows + trailer

  PGconn* b = Connect();
  r = PQexec(b, "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  ASSERT_TRUE(PgCopyOutStream::Usable(b));
  std::vector<std::string> got;
  {
    PgCopyOutStream s(PQsocket(b));
    ASSERT_TRUE(s.Send(kRowsSql));
    ASSERT_EQ(Drain(s, &got), Status::kEnd) << s.error();
  }
  EXPECT_TRUE(got == expected);
  // libpq takes the connection back as it was: inside the transaction, ready for a statement.
  EXPECT_EQ(PQtransactionStatus(b), PQTRANS_INTRANS);
  r = PQexec(b, "SELECT 41 + 1");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(b);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "42");
  PQclear(r);
  r = PQexec(b, "COMMIT");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  PQfinish(b);
}

TEST_F(PgCopyOutStreamServerTest, ServerErrorsArriveWithTheirMessage) {
  PGconn* c = Connect();
  {
    PgCopyOutStream s(PQsocket(c));
    ASSERT_TRUE(s.Send("COPY (SELECT * FROM no_such_table_here) TO STDOUT (FORMAT binary)"));
    std::vector<std::string> rows;
    EXPECT_EQ(Drain(s, &rows), Status::kFailed);
    EXPECT_FALSE(s.started());
    EXPECT_TRUE(s.server_error());
    EXPECT_NE(s.error().find("no_such_table_here\" does not exist"), std::string::npos)
        << s.error();
  }
  PQfinish(c);
  c = Connect();
  {
    PgCopyOutStream s(PQsocket(c));
    ASSERT_TRUE(
        s.Send("COPY (SELECT 10 / (20000 - i) FROM generate_series(1, 30000) i) TO STDOUT "
               "(FORMAT binary)"));
    std::vector<std::string> rows;
    EXPECT_EQ(Drain(s, &rows), Status::kFailed);
    EXPECT_TRUE(s.started());
    EXPECT_NE(s.error().find("division by zero"), std::string::npos) << s.error();
    EXPECT_LE(rows.size(), 20000u);  // the rows before the error, at most
  }
  PQfinish(c);
}

}  // namespace
}  // namespace aishell
