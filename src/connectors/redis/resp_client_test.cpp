// The RESP2 reader (no server): replies split at every byte boundary, nesting, nil, errors, huge
// bulk strings, malformed input (a clean error, never a crash or a hang); and the connection's
// timeouts and protocol errors against local sockets that misbehave.
#include "connectors/redis/resp_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "common/exception.h"

namespace aishell {
namespace {

std::string Render(const RespView& v) {
  switch (v.type()) {
    case RespType::kString:
      return "$" + std::string(v.str());
    case RespType::kStatus:
      return "+" + std::string(v.str());
    case RespType::kError:
      return "-" + std::string(v.str());
    case RespType::kInteger:
      return ":" + std::to_string(v.integer());
    case RespType::kNil:
      return "nil";
    case RespType::kArray: {
      std::string s = "[";
      RespView e = v.first();
      for (size_t i = 0; i < v.size(); i++, e = e.next()) s += (i ? "," : "") + Render(e);
      return s + "]";
    }
  }
  return "?";
}

// Parses every complete reply, rendered.
void Drain(RespReader& reader, std::vector<std::string>* out) {
  RespView v;
  while (reader.Next(&v)) out->push_back(Render(v));
}

const std::string kStream =
    "+OK\r\n-ERR bad thing\r\n:-42\r\n:0\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n"
    "$4\r\nb\r\nc\r\n"                                         // CRLF inside a bulk string
    "*3\r\n*2\r\n$1\r\na\r\n:1\r\n*0\r\n*1\r\n*1\r\n$-1\r\n"   // nesting
    "*2\r\n$1\r\n0\r\n*2\r\n$6\r\nbench1\r\n$6\r\nbench2\r\n"  // a SCAN reply
    ":9223372036854775807\r\n:-9223372036854775808\r\n";
const std::vector<std::string> kExpected = {"+OK",
                                            "-ERR bad thing",
                                            ":-42",
                                            ":0",
                                            "$hello",
                                            "nil",
                                            "nil",
                                            "[]",
                                            "$",
                                            "$b\r\nc",
                                            "[[$a,:1],[],[[nil]]]",
                                            "[$0,[$bench1,$bench2]]",
                                            ":9223372036854775807",
                                            ":-9223372036854775808"};

TEST(RespReaderTest, SplitAtEveryByteBoundary) {
  for (size_t cut = 0; cut <= kStream.size(); cut++) {
    RespReader reader;
    std::vector<std::string> got;
    reader.Feed(std::string_view(kStream).substr(0, cut));
    Drain(reader, &got);
    reader.Feed(std::string_view(kStream).substr(cut));
    Drain(reader, &got);
    EXPECT_EQ(got, kExpected) << "split at byte " << cut;
    EXPECT_TRUE(reader.empty());
  }
  // Two cuts, and one byte at a time.
  for (size_t a = 0; a <= kStream.size(); a += 3) {
    for (size_t b = a; b <= kStream.size(); b += 7) {
      RespReader reader;
      std::vector<std::string> got;
      reader.Feed(std::string_view(kStream).substr(0, a));
      Drain(reader, &got);
      reader.Feed(std::string_view(kStream).substr(a, b - a));
      Drain(reader, &got);
      reader.Feed(std::string_view(kStream).substr(b));
      Drain(reader, &got);
      ASSERT_EQ(got, kExpected) << "split at " << a << " and " << b;
    }
  }
  RespReader reader;
  std::vector<std::string> got;
  for (char c : kStream) {
    reader.Feed(std::string_view(&c, 1));
    Drain(reader, &got);
  }
  EXPECT_EQ(got, kExpected);
}

TEST(RespReaderTest, DiscardKeepsUnparsedBytesAndViewsSurviveGrowth) {
  RespReader reader;
  reader.Feed("+A\r\n$3\r\nxyz\r\n+B");
  RespView a, x, b;
  ASSERT_TRUE(reader.Next(&a));
  ASSERT_TRUE(reader.Next(&x));
  EXPECT_FALSE(reader.Next(&b));
  // The buffer grows (reallocates); earlier views still read the right bytes.
  reader.Feed(std::string(1 << 20, 'z'));
  EXPECT_EQ(a.str(), "A");
  EXPECT_EQ(x.str(), "xyz");
  RespReader r2;
  r2.Feed("+A\r\n+B");
  ASSERT_TRUE(r2.Next(&a));
  r2.Discard();  // forgets A, keeps "+B"
  r2.Feed("\r\n");
  ASSERT_TRUE(r2.Next(&b));
  EXPECT_EQ(b.str(), "B");
  EXPECT_TRUE(r2.empty());
  // Discard in the middle of an array keeps the partial reply.
  RespReader r3;
  r3.Feed("*2\r\n:1\r\n");
  EXPECT_FALSE(r3.Next(&a));
  r3.Discard();
  r3.Feed(":2\r\n");
  ASSERT_TRUE(r3.Next(&a));
  EXPECT_EQ(Render(a), "[:1,:2]");
}

TEST(RespReaderTest, HugeBulkStringAndHugeArrayCounts) {
  const size_t n = 24u << 20;  // 24 MiB
  std::string body(n, 'x');
  for (size_t i = 0; i < n; i += 4096) body[i] = static_cast<char>('a' + (i / 4096) % 26);
  std::string msg = "$" + std::to_string(n) + "\r\n" + body + "\r\n:7\r\n";
  RespReader reader;
  RespView v;
  size_t fed = 0;
  bool done = false;
  while (!done) {
    size_t chunk = std::min<size_t>(65536, msg.size() - fed);
    ASSERT_GT(chunk, 0u) << "reply not complete after all bytes";
    reader.Feed(std::string_view(msg).substr(fed, chunk));
    fed += chunk;
    done = reader.Next(&v);
    if (!done && fed > 100) {
      EXPECT_GT(reader.needed(), 0u);
    }
  }
  ASSERT_EQ(v.type(), RespType::kString);
  EXPECT_EQ(v.str().size(), n);
  EXPECT_TRUE(v.str() == body);
  ASSERT_TRUE(reader.Next(&v));
  EXPECT_EQ(v.integer(), 7);
  // An array announcing a billion elements is only data it waits for: no allocation up front.
  RespReader big;
  big.Feed("*1000000000\r\n:1\r\n:2\r\n");
  EXPECT_FALSE(big.Next(&v));
  // 1M elements in one reply.
  std::string many = "*1000000\r\n";
  for (int i = 0; i < 1000000; i++) many += ":1\r\n";
  RespReader r;
  r.Feed(many);
  ASSERT_TRUE(r.Next(&v));
  EXPECT_EQ(v.size(), 1000000u);
}

TEST(RespReaderTest, DeepNesting) {
  std::string ok;
  for (int i = 0; i < 500; i++) ok += "*1\r\n";
  ok += ":5\r\n";
  RespReader reader;
  reader.Feed(ok);
  RespView v;
  ASSERT_TRUE(reader.Next(&v));
  for (int i = 0; i < 500; i++) v = v.first();
  EXPECT_EQ(v.integer(), 5);
  std::string deep;
  for (int i = 0; i < 100000; i++) deep += "*1\r\n";
  RespReader r2;
  r2.Feed(deep);
  try {
    r2.Next(&v);
    FAIL() << "no error for 100000 nested arrays";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos) << e.what();
  }
}

TEST(RespReaderTest, MalformedInputIsACleanError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"?x\r\n", "unexpected byte '?'"},
      {"HTTP/1.1 400 Bad Request\r\n", "unexpected byte 'H'"},
      {"$abc\r\n", "bulk string length 'abc'"},
      {"$-2\r\n", "bulk string length '-2'"},
      {"$\r\n", "bulk string length ''"},
      {"$3\r\nabcd\r\n", "not followed by CRLF"},
      {":12a\r\n", "integer '12a'"},
      {":99999999999999999999\r\n", "integer"},
      {":9223372036854775808\r\n", "integer"},
      {"*-5\r\n", "array length '-5'"},
      {"*2147483648\r\n", "array length"},
      {"$600000000\r\n", "bulk string length"},
      {"+OK\n", "not ended by CRLF"},
      {"\r\n", "unexpected byte"},
      {"*2\r\n:1\r\n!\r\n", "unexpected byte '!'"},
      {std::string(70000, 'a'), "longer than 64 KiB"},
      {"+" + std::string(70000, 'a'), "longer than 64 KiB"},
  };
  for (const auto& [input, needle] : cases) {
    // Whole, and fed in two parts at every boundary: the same error or "need more", never a
    // crash.
    for (size_t cut = 0; cut <= input.size(); cut += input.size() > 100 ? 997 : 1) {
      RespReader reader;
      RespView v;
      try {
        reader.Feed(std::string_view(input).substr(0, cut));
        while (reader.Next(&v)) {
        }
        reader.Feed(std::string_view(input).substr(cut));
        while (reader.Next(&v)) {
        }
        ADD_FAILURE() << "no error for '" << input.substr(0, 40) << "' (cut " << cut << ")";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kConnector);
        std::string msg = e.what();
        EXPECT_EQ(msg.rfind("malformed reply: ", 0), 0u) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos)
            << "input '" << input.substr(0, 40) << "': " << msg;
      }
    }
  }
}

TEST(RespReaderTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  const std::string alphabet = "+-:$*\r\n0123456789-abc";
  int errors = 0;
  for (int round = 0; round < 20000; round++) {
    std::string input;
    if (round % 2) {
      // A mutated valid stream.
      input = kStream;
      for (int k = 0; k < 3; k++) input[rng() % input.size()] = alphabet[rng() % alphabet.size()];
    } else {
      size_t len = rng() % 40;
      for (size_t i = 0; i < len; i++) input += alphabet[rng() % alphabet.size()];
    }
    RespReader reader;
    RespView v;
    try {
      size_t cut = rng() % (input.size() + 1);
      reader.Feed(std::string_view(input).substr(0, cut));
      while (reader.Next(&v)) Render(v);
      reader.Feed(std::string_view(input).substr(cut));
      while (reader.Next(&v)) Render(v);
    } catch (const Error& e) {
      errors++;
      ASSERT_EQ(std::string(e.what()).rfind("malformed reply: ", 0), 0u) << e.what();
    }
  }
  EXPECT_GT(errors, 0);
}

// A loopback listener on a free port.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd); }
};

TEST(RespConnectionTest, ASilentServerTimesOutAndThePasswordStaysOut) {
  Listener silent;  // accepts (backlog) but never answers
  RedisAddress address;
  address.port = silent.port;
  address.password = "hunter2-secret";
  address.read_timeout_ms = 300;
  auto start = std::chrono::steady_clock::now();
  try {
    RespConnection c(address, "redis source 'slow'");
    FAIL() << "connected to a server that never answers";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_EQ(msg.rfind("redis source 'slow': connection to 127.0.0.1:", 0), 0u) << msg;
    EXPECT_NE(msg.find("no reply within 0.3 s"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // TLS to a server that never answers the handshake: the same bound.
  address.tls = true;
  try {
    RespConnection c(address, "redis source 'slow'");
    FAIL() << "a TLS handshake with a silent server succeeded";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("TLS handshake with 127.0.0.1:"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
}

TEST(RespConnectionTest, NotARedisServer) {
  Listener http;
  std::thread server([&] {
    int c = ::accept(http.fd, nullptr, nullptr);
    char buf[256];
    (void)::recv(c, buf, sizeof buf, 0);
    std::string reply = "HTTP/1.1 400 Bad Request\r\n\r\n";
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::usleep(200000);
    ::close(c);
  });
  RedisAddress address;
  address.port = http.port;
  address.password = "hunter2-secret";
  try {
    RespConnection c(address, "redis source 'web'");
    ADD_FAILURE() << "an HTTP server passed for Redis";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("redis source 'web': 127.0.0.1:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sent a malformed reply: unexpected byte 'H'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  }
  server.join();
  // Nothing listening: a clean refusal.
  int port = 0;
  {
    Listener gone;
    port = gone.port;
  }
  address.port = port;
  try {
    RespConnection c(address, "redis source 'gone'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("redis source 'gone': cannot connect to 127.0.0.1:"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace aishell
