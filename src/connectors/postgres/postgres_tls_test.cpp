// TLS connections to the test server (scripts/services/postgres.sh: AISHELL_TEST_PG_TLS_URL, a
// user refused without TLS, and AISHELL_TEST_PG_TLS_CA): aishell's own COPY reader declines them
// (PgCopyOutStream::Usable), and libpq's PQgetCopyData over TLS gives the very bytes that reader
// gets on a plain connection. Without the variables the tests skip, except with CI=true.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/testing/live_server.h"
#include "connectors/postgres/copy_out_stream.h"

namespace aishell {
namespace {

using Status = PgCopyOutStream::Status;

std::string WithParams(const std::string& url, const std::string& params) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + params;
}

class PostgresTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string plain, tls, ca;
    AISHELL_LIVE_SERVER_ENV(plain, "AISHELL_TEST_PG_URL", "scripts/services/postgres.sh start");
    AISHELL_LIVE_SERVER_ENV(tls, "AISHELL_TEST_PG_TLS_URL", "scripts/services/postgres.sh start");
    AISHELL_LIVE_SERVER_ENV(ca, "AISHELL_TEST_PG_TLS_CA", "scripts/services/postgres.sh start");
    plain_url_ = WithParams(plain, "sslmode=disable");
    // The TLS URL says sslmode=require; a later sslmode wins in libpq's URI parsing.
    tls_url_ = WithParams(tls, std::string("sslmode=verify-full&sslrootcert=") + ca);
  }
  static PGconn* Connect(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }
  std::string plain_url_;
  std::string tls_url_;
};

constexpr const char* kCopySql =
    "COPY (SELECT n, k, label, n * 1.5 AS d, CASE WHEN n % 7 = 0 THEN NULL ELSE label END AS s "
    "FROM public.big_numbers WHERE n <= 120000 ORDER BY n) TO STDOUT (FORMAT binary)";

TEST_F(PostgresTlsTest, OwnReaderDeclinesTlsAndLibpqReadsTheSameBytes) {
  PGconn* tls = Connect(tls_url_);
  ASSERT_EQ(PQstatus(tls), CONNECTION_OK);
  EXPECT_EQ(PQsslInUse(tls), 1);
  EXPECT_FALSE(PgCopyOutStream::Usable(tls));  // so the scan keeps PQgetCopyData
  PGresult* r = PQexec(tls, kCopySql);
  ASSERT_EQ(PQresultStatus(r), PGRES_COPY_OUT) << PQerrorMessage(tls);
  PQclear(r);
  std::vector<std::string> via_tls;
  char* buf = nullptr;
  int n;
  while ((n = PQgetCopyData(tls, &buf, 0)) >= 0) {
    via_tls.emplace_back(buf, static_cast<size_t>(n));
    PQfreemem(buf);
  }
  EXPECT_EQ(n, -1) << PQerrorMessage(tls);
  while ((r = PQgetResult(tls)) != nullptr) {
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(tls);
  ASSERT_GT(via_tls.size(), 120000u);  // header + rows + trailer

  PGconn* plain = Connect(plain_url_);
  ASSERT_EQ(PQstatus(plain), CONNECTION_OK);
  EXPECT_EQ(PQsslInUse(plain), 0);
  ASSERT_TRUE(PgCopyOutStream::Usable(plain));
  std::vector<std::string> via_socket;
  {
    PgCopyOutStream s(PQsocket(plain));
    ASSERT_TRUE(s.Send(kCopySql));
    Status st;
    while (true) {
      const char* row = nullptr;
      size_t len = 0;
      st = s.Next(&row, &len);
      if (st == Status::kRow) {
        via_socket.emplace_back(row, len);
      } else if (st == Status::kWouldBlock) {
        s.Wait(1000);
        if (!s.Receive()) {
          st = Status::kFailed;
          break;
        }
      } else {
        break;
      }
    }
    ASSERT_EQ(st, Status::kEnd) << s.error();
  }
  PQfinish(plain);
  EXPECT_TRUE(via_tls == via_socket);
}

TEST_F(PostgresTlsTest, TlsOnlyUserIsRefusedWithoutTls) {
  PGconn* c = PQconnectdb(WithParams(tls_url_, "sslmode=disable").c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(c)).find("no encryption"), std::string::npos)
      << PQerrorMessage(c);
  PQfinish(c);
}

}  // namespace
}  // namespace aishell
