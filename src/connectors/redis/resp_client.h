// A small RESP2 client for the Redis connector: TCP or TLS (OpenSSL), AUTH, SELECT, pipelined
// commands, and a reply parser that decodes every reply into a flat node array whose strings are
// views into one reused read buffer (no heap allocation per reply). Replaces hiredis, whose
// Debian 12 build (0.14.1) has no TLS and allocates an object per reply element.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aishell {

// Connection settings parsed from a redis:// or rediss:// URL and the source's properties.
struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;
  std::string password;
  int db = 0;
  bool tls = false;
  bool tls_verify = true;     // tls.verify=false: no certificate or host name check
  std::string tls_ca_file;    // tls.ca-file: CA certificates (PEM) instead of the system store
  std::string tls_cert_file;  // tls.cert-file / tls.key-file: a client certificate (optional)
  std::string tls_key_file;
  int connect_timeout_ms = 5000;  // connect_timeout (seconds)
  int read_timeout_ms = 30000;    // read_timeout (seconds): a reply that does not come in time
};

enum class RespType : uint8_t { kString, kStatus, kError, kInteger, kNil, kArray };

// One parsed value. Arrays are followed by their elements (pre-order); `end` is the index one
// past the node's subtree, so the next sibling of node i is node nodes[i].end.
struct RespNode {
  uint64_t offset = 0;  // string/status/error bytes in the reader's buffer
  int64_t integer = 0;  // kInteger: the value; kArray: the element count
  uint32_t len = 0;
  uint32_t end = 0;
  RespType type = RespType::kNil;
};

class RespReader;

// A reply or an element of one. Valid until the reader's Discard() (the connection discards
// before each Command / Pipeline and when the caller says so).
class RespView {
 public:
  RespView() = default;
  RespView(const RespReader* reader, uint32_t index) : reader_(reader), index_(index) {}
  RespType type() const;
  bool is_error() const { return type() == RespType::kError; }
  bool is_nil() const { return type() == RespType::kNil; }
  bool is_array() const { return type() == RespType::kArray; }
  // String, status and error text ("" for the other types).
  std::string_view str() const;
  int64_t integer() const;
  // Array elements (0 for the other types).
  size_t size() const;
  RespView first() const { return RespView(reader_, index_ + 1); }  // first element of an array
  RespView next() const;                // the following sibling (callers count elements themselves)
  RespView operator[](size_t i) const;  // walks the siblings: use first()/next() in loops
  uint32_t index() const { return index_; }

 private:
  const RespReader* reader_ = nullptr;
  uint32_t index_ = 0;
};

// An incremental RESP2 parser over a growable buffer. Bytes are appended at the end (Space +
// Commit, or Feed); Next() parses the next complete reply, resuming where a partial reply
// stopped. Malformed input throws Error(kConnector, "malformed reply: ...").
class RespReader {
 public:
  static constexpr size_t kMaxBulk = 512u << 20;  // Redis' proto-max-bulk-len default
  static constexpr size_t kMaxLine = 64u << 10;
  static constexpr size_t kMaxDepth = 512;
  static constexpr int64_t kMaxArray = int64_t{1} << 31;

  RespReader() = default;
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  // Room for at least `min` more bytes at the end of the buffer (grows it; offsets stay valid).
  char* Space(size_t min, size_t* available);
  void Commit(size_t n) { end_ += n; }
  void Feed(std::string_view bytes);
  // The next complete reply; false when more bytes are needed.
  bool Next(RespView* reply);
  // Bytes still missing for the bulk string being parsed (0 if unknown).
  size_t needed() const { return needed_; }
  // Forgets every parsed reply (their views become invalid) and moves the unparsed bytes to the
  // front of the buffer. A reply in the middle of parsing is kept (then nothing is moved).
  void Discard();
  // True when no reply is half-parsed and no unparsed byte is buffered.
  bool empty() const { return stack_.empty() && pos_ == end_; }

  const RespNode& node(uint32_t i) const { return nodes_[i]; }
  const char* data() const { return buf_.get(); }

 private:
  [[noreturn]] void Malformed(const std::string& what) const;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, end_ = 0, pos_ = 0;
  size_t needed_ = 0;
  std::vector<RespNode> nodes_;
  struct Open {
    uint32_t node;
    int64_t remaining;
  };
  std::vector<Open> stack_;
  uint32_t root_ = 0;
};

inline RespType RespView::type() const { return reader_->node(index_).type; }
inline std::string_view RespView::str() const {
  const RespNode& n = reader_->node(index_);
  return std::string_view(reader_->data() + n.offset, n.len);
}
inline int64_t RespView::integer() const { return reader_->node(index_).integer; }
inline size_t RespView::size() const {
  const RespNode& n = reader_->node(index_);
  return n.type == RespType::kArray ? static_cast<size_t>(n.integer) : 0;
}
inline RespView RespView::next() const { return RespView(reader_, reader_->node(index_).end); }

// One connection (not thread-safe: one per data source or writer). Connects, does the TLS
// handshake, AUTH and SELECT in the constructor; every failure is Error(kConnector) starting with
// `where` and naming host:port, never the password.
class RespConnection {
 public:
  RespConnection(const RedisAddress& address, std::string where);
  ~RespConnection();
  RespConnection(const RespConnection&) = delete;
  RespConnection& operator=(const RespConnection&) = delete;

  // Queue a command (sent by Flush).
  void Append(std::initializer_list<std::string_view> args);
  void Append(const std::vector<std::string>& args);
  void Append(const std::string_view* args, size_t n);
  // Writes every queued command.
  void Flush();
  // The next reply (blocks up to the read timeout).
  RespView Read();
  // Frees the replies read so far (their views become invalid).
  void Discard() { reader_.Discard(); }

  // Discard, send one command, read its reply.
  RespView Command(std::initializer_list<std::string_view> args);
  RespView Command(const std::vector<std::string>& args);
  // Discard, send every command, read every reply (one round trip).
  std::vector<RespView> Pipeline(const std::vector<std::vector<std::string>>& commands);

  const std::string& where() const { return where_; }
  const std::string& endpoint() const { return endpoint_; }
  bool broken() const { return broken_; }

 private:
  void Connect(const RedisAddress& address);
  void StartTls(const RedisAddress& address);
  void Handshake(const RedisAddress& address);
  void Receive();
  void Close();
  [[noreturn]] void Lost(const std::string& why);

  std::string where_;
  std::string endpoint_;
  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;      // SSL*
  int read_timeout_ms_ = 30000;
  std::string out_;
  RespReader reader_;
  bool broken_ = false;
};

}  // namespace aishell
