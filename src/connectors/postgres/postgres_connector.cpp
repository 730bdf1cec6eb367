#include "connectors/postgres/postgres_connector.h"

#include <libpq-fe.h>

#include <poll.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_set>
#include <utility>

#include "catalog/catalog_registry.h"
#include "catalog/emit_batch.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "common/pow10.h"
#include "connectors/postgres/connection_cache.h"
#include "connectors/postgres/copy_out_stream.h"
#include "connectors/remote_sql/sql_dialect.h"
#include "expr/expression.h"

namespace aishell {

namespace {

constexpr int32_t kPgEpochDays = 10957;                      // 2000-01-01 - 1970-01-01
constexpr int64_t kPgEpochMicros = 946684800LL * 1000000LL;  // the same in microseconds

std::string MetaKey(const std::string& schema, const std::string& name) {
  return schema + '\x1f' + name;
}

// The password part of a postgres URL (user:pw@ or password=pw), or "".
std::string PasswordOf(const std::string& url) {
  std::string pw;
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t at = url.find('@', start);
    size_t slash = url.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = url.find(':', start);
      if (colon != std::string::npos && colon < at) pw = url.substr(colon + 1, at - colon - 1);
    }
  }
  size_t p = url.find("password=");
  if (pw.empty() && p != std::string::npos) {
    size_t end = url.find_first_of("& ", p + 9);
    pw = url.substr(p + 9, end == std::string::npos ? std::string::npos : end - p - 9);
  }
  return pw;
}

// A connection, closed on destruction.
struct PgConnection {
  PGconn* conn = nullptr;
  PgConnection() = default;
  explicit PgConnection(PGconn* c) : conn(c) {}
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() {
    if (conn) PQfinish(conn);
  }
};

struct PgResult {
  PGresult* res = nullptr;
  explicit PgResult(PGresult* r) : res(r) {}
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult() {
    if (res) PQclear(res);
  }
};

std::string ConnMessage(PGconn* conn, const std::string& url) {
  return ScrubPassword(PgMessageOneLine(conn ? PQerrorMessage(conn) : "out of memory"), url);
}

// The message of a failed result on one line: "ERROR: primary (DETAIL: ...; HINT: ...)", without
// the LINE/caret lines libpq adds under syntax errors. Falls back to the connection's message.
std::string ResultMessage(PGresult* r, PGconn* conn, const std::string& url) {
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (!primary) {
    std::string msg = r ? PQresultErrorMessage(r) : "";
    if (msg.empty()) return ConnMessage(conn, url);
    return ScrubPassword(PgMessageOneLine(msg), url);
  }
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY);
  std::string msg = std::string(severity ? severity : "ERROR") + ": " + primary;
  std::string extra;
  if (const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL))
    extra += std::string("DETAIL: ") + detail;
  if (const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT))
    extra += (extra.empty() ? "" : "; ") + std::string("HINT: ") + hint;
  if (!extra.empty()) msg += " (" + extra + ")";
  return ScrubPassword(PgMessageOneLine(msg), url);
}

PGconn* Connect(const std::string& url, const std::string& where) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = ConnMessage(conn, url);
    if (conn) PQfinish(conn);
    throw Error(ErrorKind::kConnector,
                where + ": cannot connect to " + RedactUrl(url) + ": " + msg);
  }
  // Literals are written so that they mean the same either way, but be explicit; dates in ISO.
  PGresult* r = PQexec(conn,
                       "SET standard_conforming_strings = on; SET DateStyle = 'ISO, YMD'; "
                       "SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    std::string msg = ConnMessage(conn, url);
    PQfinish(conn);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
  return conn;
}

// Runs a statement with text parameters; throws on failure.
PgResult Query(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
               const std::string& url, const std::string& where) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  auto st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string msg = ResultMessage(r, conn, url);
    PQclear(r);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
  return PgResult(r);
}

void Exec(PGconn* conn, const std::string& sql, const std::string& url, const std::string& where) {
  Query(conn, sql, {}, url, where);
}

// A catalog query on the source's own connection. A connection the server has closed since the
// last statement (a restart, idle_session_timeout, pg_terminate_backend) is opened again, once, so
// that a long session (the shell) outlives it.
PgResult CatalogQuery(PGconn*& conn, const std::string& sql, const std::vector<std::string>& params,
                      const std::string& url, const std::string& where) {
  try {
    return Query(conn, sql, params, url, where);
  } catch (const Error&) {
    if (PQstatus(conn) == CONNECTION_OK) throw;
  }
  PGconn* fresh = Connect(url, where);  // the connect error, if the server is still away
  PQfinish(conn);
  conn = fresh;
  return Query(conn, sql, params, url, where);
}

// Runs statements (one simple-protocol Query, so there may be several separated by ';');
// throws on the first failure.
void ExecScript(PGconn* conn, const std::string& sql, const std::string& url,
                const std::string& where) {
  PgResult r(PQexec(conn, sql.c_str()));
  if (PQresultStatus(r.res) != PGRES_COMMAND_OK)
    throw Error(ErrorKind::kConnector, where + ": " + ResultMessage(r.res, conn, url));
}

// A connection from the source's cache when it holds one (`*reused` then set), else a new one.
std::unique_ptr<PgConnection> OpenConnection(PgConnectionCache* cache, const std::string& url,
                                             const std::string& where, bool* reused = nullptr) {
  if (cache) {
    if (PGconn* c = cache->Take()) {
      if (reused) *reused = true;
      return std::make_unique<PgConnection>(c);
    }
  }
  if (reused) *reused = false;
  return std::make_unique<PgConnection>(Connect(url, where));
}

// Gives a connection whose work ended cleanly back to the cache (or closes it without one).
void ReturnConnection(PgConnectionCache* cache, std::unique_ptr<PgConnection> c) {
  if (!c) return;
  if (cache) cache->Give(std::exchange(c->conn, nullptr));
}

std::string Qualified(const PgTableMeta& t) {
  return QuotePgIdentifier(t.remote_schema) + "." + QuotePgIdentifier(t.remote_name);
}

// ---------------------------------------------------------------------------------------------
// Binary COPY decoding

inline uint16_t Be16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline uint32_t Be32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t Be64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

// Rounds acc / 10^shift half away from zero (acc >= 0), as PostgreSQL rounds; constant divisors
// for the common shifts (a numeric(p,s) value drops at most 3 digits of its last base-10000 digit).
inline int64_t RoundShift(int64_t acc, int shift) {
  int64_t q, r, div;
  switch (shift) {
    case 1:
      q = acc / 10, r = acc % 10, div = 10;
      break;
    case 2:
      q = acc / 100, r = acc % 100, div = 100;
      break;
    case 3:
      q = acc / 1000, r = acc % 1000, div = 1000;
      break;
    default:
      div = kPow10[shift], q = acc / div, r = acc % div;
      break;
  }
  return r * 2 >= div ? q + 1 : q;
}

// PostgreSQL's binary numeric -> unscaled int64 at `scale`. False on NaN/Infinity or overflow.
bool DecodeNumeric(const char* p, int32_t len, int scale, int precision, int64_t* out) {
  if (len < 8) return false;
  int ndigits = static_cast<int16_t>(Be16(p));
  int weight = static_cast<int16_t>(Be16(p + 2));
  uint16_t sign = Be16(p + 4);
  if (sign != 0x0000 && sign != 0x4000) return false;
  if (ndigits < 0 || len < 8 + 2 * ndigits) return false;
  int exp10 = 4 * (weight - ndigits + 1) + scale;
  if (ndigits <= 4 && precision <= 18 && exp10 <= 18 && exp10 >= -18) {
    // Fast path: up to 16 decimal digits fit an int64.
    int64_t acc = 0;
    for (int i = 0; i < ndigits; i++) acc = acc * 10000 + Be16(p + 8 + 2 * i);
    if (exp10 > 0) {
      if (acc > INT64_MAX / kPow10[exp10]) return false;
      acc *= kPow10[exp10];
    } else if (exp10 < 0) {
      acc = RoundShift(acc, -exp10);
    }
    if (acc >= kPow10[precision]) return false;
    *out = sign == 0x4000 ? -acc : acc;
    return true;
  }
  __int128 acc = 0;
  const __int128 kLimit = static_cast<__int128>(1) << 100;
  for (int i = 0; i < ndigits; i++) {
    acc = acc * 10000 + Be16(p + 8 + 2 * i);
    if (acc > kLimit) return false;
  }
  while (exp10 > 0) {
    acc *= 10;
    exp10--;
    if (acc > kLimit) return false;
  }
  if (exp10 < 0) {
    __int128 div = 1;
    for (int i = 0; i < -exp10 && i < 38; i++) div *= 10;
    if (-exp10 >= 38) {
      acc = 0;
    } else {
      __int128 q = acc / div, r = acc % div;
      if (r * 2 >= div) q++;  // half away from zero, as PostgreSQL rounds
      acc = q;
    }
  }
  __int128 max = 1;
  for (int i = 0; i < precision; i++) max *= 10;
  if (acc >= max) return false;
  *out = static_cast<int64_t>(sign == 0x4000 ? -acc : acc);
  return true;
}

// Connections of one parallel scan, every one reading the same snapshot: the first exports it
// (`pg_export_snapshot()` in a REPEATABLE READ READ ONLY transaction kept open, and never lent out,
// so that it outlives every import), the others import it (`SET TRANSACTION SNAPSHOT`). A split
// takes a connection, runs its COPY and gives the connection back for the next split. The
// connections come from the source's cache and go back to it when every split has ended cleanly.
class PgSnapshotPool {
 public:
  PgSnapshotPool(std::string where, std::string url, std::shared_ptr<PgConnectionCache> cache)
      : where_(std::move(where)), url_(std::move(url)), cache_(std::move(cache)) {}

  // Opens the exporting transaction; returns the current number of pages of `qualified_table`
  // (pg_relation_size, not the statistics), or -1 when the snapshot cannot be exported (a server
  // that refuses it, a hot standby): the caller then reads with one connection.
  int64_t Export(const std::string& qualified_table) {
    for (;;) {
      bool reused = false;
      exporter_ = OpenConnection(cache_.get(), url_, where_, &reused);
      PGresult* begin =
          PQexec(exporter_->conn, "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      bool ok = PQresultStatus(begin) == PGRES_COMMAND_OK;
      PQclear(begin);
      if (ok) break;
      // A cached connection the server has closed since: once more, with another one.
      if (!reused || PQstatus(exporter_->conn) == CONNECTION_OK) return -1;
    }
    const char* params[] = {qualified_table.c_str()};
    PGresult* r = PQexecParams(exporter_->conn,
                               "SELECT pg_export_snapshot(), pg_relation_size($1::regclass) / "
                               "current_setting('block_size')::int8",
                               1, nullptr, params, nullptr, nullptr, 0);
    PgResult hold(r);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return -1;
    snapshot_ = PQgetvalue(r, 0, 0);
    return std::strtoll(PQgetvalue(r, 0, 1), nullptr, 10);
  }

  std::unique_ptr<PgConnection> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    // One round trip: the transaction and its snapshot.
    std::string sql =
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ";
    if (!QuotePgString(snapshot_, &sql))
      throw Error(ErrorKind::kInternal, where_ + ": bad snapshot id");
    for (;;) {
      bool reused = false;
      auto c = OpenConnection(cache_.get(), url_, where_, &reused);
      try {
        ExecScript(c->conn, sql, url_, where_);
        return c;
      } catch (const Error&) {
        // A cached connection the server has closed since: once more, with another one.
        if (!reused || PQstatus(c->conn) == CONNECTION_OK) throw;
      }
    }
  }

  // The number of splits reading through this pool: once each has ended cleanly, every
  // connection closes (no transaction stays open holding locks until the query is destroyed).
  void SetSplits(size_t n) { splits_left_ = n; }

  // A connection whose COPY ended cleanly (still inside the snapshot's transaction).
  void Release(std::unique_ptr<PgConnection> c) {
    std::vector<std::unique_ptr<PgConnection>> closing;
    std::lock_guard<std::mutex> lock(mutex_);
    if (splits_left_ > 0 && --splits_left_ == 0) {
      // Every split has ended cleanly: the transactions end, and the connections go back to the
      // source's cache (which rolls them back without waiting).
      closing = std::move(idle_);
      idle_.clear();
      if (c) closing.push_back(std::move(c));
      if (exporter_) closing.push_back(std::move(exporter_));
      for (auto& done : closing) ReturnConnection(cache_.get(), std::move(done));
      return;
    }
    if (!c || PQtransactionStatus(c->conn) != PQTRANS_INTRANS) return;
    idle_.push_back(std::move(c));
  }

  const std::string& snapshot() const { return snapshot_; }

 private:
  std::string where_;
  std::string url_;
  std::shared_ptr<PgConnectionCache> cache_;
  std::string snapshot_;
  std::unique_ptr<PgConnection> exporter_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t splits_left_ = 0;
};

// How one binary COPY field is decoded into its column.
enum class PgField : uint8_t {
  kBool,
  kInt4,
  kInt8,
  kFloat8,
  kNumeric,
  kDate,
  kTimestamp,
  kText,
  kUnsupported,
};

class PgCopyReader {
 public:
  PgCopyReader(std::string where, std::string url, std::string sql, std::vector<LogicalType> types,
               std::vector<std::string> names, ScanCounters* counters,
               std::shared_ptr<PgConnectionCache> cache, std::shared_ptr<PgSnapshotPool> pool)
      : where_(std::move(where)),
        url_(std::move(url)),
        sql_(std::move(sql)),
        types_(std::move(types)),
        names_(std::move(names)),
        counters_(counters),
        cache_(std::move(cache)),
        pool_(std::move(pool)) {
    for (const auto& t : types_) {
      Sink s;
      s.scale = t.scale;
      s.precision = t.precision;
      switch (t.id) {
        case TypeId::kBoolean:
          s.kind = PgField::kBool;
          break;
        case TypeId::kInteger:
          s.kind = PgField::kInt4;
          break;
        case TypeId::kBigInt:
          s.kind = PgField::kInt8;
          break;
        case TypeId::kDouble:
          s.kind = PgField::kFloat8;
          break;
        case TypeId::kDecimal:
          s.kind = PgField::kNumeric;
          break;
        case TypeId::kDate:
          s.kind = PgField::kDate;
          break;
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
          s.kind = PgField::kTimestamp;
          break;
        case TypeId::kVarchar:
          s.kind = PgField::kText;
          break;
        default:
          s.kind = PgField::kUnsupported;
          break;
      }
      sinks_.push_back(s);
    }
  }
  ~PgCopyReader() { Finish(); }

  void Start() {
    conn_ = pool_ ? pool_->Acquire() : OpenConnection(cache_.get(), url_, where_);
    std::string copy = "COPY (" + sql_ + ") TO STDOUT (FORMAT binary)";
    if (RawCopyEnabled() && PgCopyOutStream::Usable(conn_->conn)) {
      stream_ = std::make_unique<PgCopyOutStream>(PQsocket(conn_->conn));
      in_copy_ = true;
      if (!stream_->Send(copy)) StreamFailed();
      return;
    }
    PGresult* r = PQexec(conn_->conn, copy.c_str());
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
      std::string msg = ResultMessage(r, conn_->conn, url_);
      PQclear(r);
      throw Error(ErrorKind::kConnector, where_ + ": " + msg + " (in: " + sql_ + ")");
    }
    PQclear(r);
    in_copy_ = true;
  }

  // Fills a batch; false at the end.
  bool Next(Batch& out) {
    if (done_) return false;
    Batch batch(types_, kBatchSize);
    Bind(batch);
    size_t rows = 0;
    int64_t bytes = 0;
    Fill(rows, bytes, false);
    counters_->bytes_read += bytes;
    return EmitBatch(batch, rows, *counters_, out);
  }

  // Points the decoder at the columns of `batch` (the types of this reader).
  void Bind(Batch& batch) {
    for (size_t j = 0; j < sinks_.size(); j++) {
      Vector& v = batch.columns[j];
      sinks_[j].vec = &v;
      sinks_[j].data = v.RawData();
      sinks_[j].heap = sinks_[j].kind == PgField::kText ? v.heap().get() : nullptr;
    }
  }

  enum class FillResult { kFull, kWouldBlock, kEnd };
  // Decodes rows into the bound batch from row `rows` on until it holds kBatchSize rows, the COPY
  // ends, or (async) no complete row is buffered: the caller then waits for the socket and calls
  // ConsumeInput.
  FillResult Fill(size_t& rows, int64_t& bytes, bool async) {
    if (done_) return FillResult::kEnd;
    if (stream_) return FillFromStream(rows, bytes, async);
    PGconn* conn = conn_->conn;
    while (rows < kBatchSize) {
      char* buf = nullptr;
      int n = PQgetCopyData(conn, &buf, async ? 1 : 0);
      if (n == 0) return FillResult::kWouldBlock;
      if (n == -1) {  // end of COPY
        CheckFinalResult();
        done_ = true;
        return FillResult::kEnd;
      }
      if (n == -2) {
        std::string msg = ConnMessage(conn, url_);
        throw Error(ErrorKind::kConnector,
                    where_ + ": the connection failed while reading: " + msg);
      }
      std::unique_ptr<char, void (*)(void*)> hold(buf, PQfreemem);
      bytes += n;
      DecodeMessage(buf, buf + n, rows);
    }
    return FillResult::kFull;
  }

  // Reads what the socket holds into the buffer (never blocks).
  void ConsumeInput() {
    if (done_) return;
    if (stream_) {
      if (!stream_->Receive()) StreamFailed();
      return;
    }
    if (PQconsumeInput(conn_->conn) == 0) {
      std::string msg = ConnMessage(conn_->conn, url_);
      throw Error(ErrorKind::kConnector, where_ + ": the connection failed while reading: " + msg);
    }
  }
  int Socket() const { return conn_ && conn_->conn ? PQsocket(conn_->conn) : -1; }
  bool done() const { return done_; }

  // Whether COPY data is read off the socket by PgCopyOutStream (the default) or through
  // PQgetCopyData (AISHELL_PG_COPY_VIA_LIBPQ=1, and always over TLS or GSS encryption).
  static bool RawCopyEnabled() {
    static const bool enabled = [] {
      const char* v = std::getenv("AISHELL_PG_COPY_VIA_LIBPQ");
      return !(v && *v && std::string_view(v) != "0");
    }();
    return enabled;
  }

 private:
  FillResult FillFromStream(size_t& rows, int64_t& bytes, bool async) {
    while (rows < kBatchSize) {
      const char* row = nullptr;
      size_t n = 0;
      switch (stream_->Next(&row, &n)) {
        case PgCopyOutStream::Status::kRow:
          bytes += static_cast<int64_t>(n);
          DecodeMessage(row, row + n, rows);
          continue;
        case PgCopyOutStream::Status::kWouldBlock:
          if (async) return FillResult::kWouldBlock;
          stream_->Wait(1000);
          if (!stream_->Receive()) StreamFailed();
          continue;
        case PgCopyOutStream::Status::kEnd:
          in_copy_ = false;
          done_ = true;
          stream_.reset();
          ReleaseConnection();
          return FillResult::kEnd;
        case PgCopyOutStream::Status::kFailed:
          StreamFailed();
      }
    }
    return FillResult::kFull;
  }

  [[noreturn, gnu::cold, gnu::noinline]] void StreamFailed() {
    std::string msg = ScrubPassword(PgMessageOneLine(stream_->error()), url_);
    // The connection is in an unknown state (an aborted transaction, a broken socket): it is
    // closed with this reader, never given back to the pool.
    in_copy_ = false;
    if (!stream_->server_error())
      throw Error(ErrorKind::kConnector, where_ + ": the connection failed while reading: " + msg);
    if (!stream_->started())
      throw Error(ErrorKind::kConnector, where_ + ": " + msg + " (in: " + sql_ + ")");
    throw Error(ErrorKind::kConnector, where_ + ": " + msg);
  }

  // One CopyData message: the file header (first message only), a row, or the trailer.
  void DecodeMessage(const char* p, const char* end, size_t& rows) {
    const size_t ncols = sinks_.size();
    if (!header_seen_) [[unlikely]] {
      const size_t n = static_cast<size_t>(end - p);
      if (n < 19 || std::memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0) BadData("bad COPY header");
      uint32_t ext = Be32(p + 15);
      if (ext > static_cast<uint32_t>(n - 19)) BadData("bad COPY header extension");
      p += 19 + ext;
      header_seen_ = true;
      if (p >= end) return;
    }
    if (end - p < 2) BadData("truncated row");
    int16_t fields = static_cast<int16_t>(Be16(p));
    p += 2;
    if (fields == -1) return;  // trailer; the end of the COPY follows
    if (ncols == 0) {          // no columns wanted (the SELECT lists a constant): count rows only
      rows++;
      row_number_++;
      return;
    }
    if (fields != static_cast<int16_t>(ncols)) BadData("unexpected field count");
    DecodeRow(p, end, rows);
    rows++;
    row_number_++;
  }

  struct Sink {
    PgField kind = PgField::kText;
    int scale = 0;
    int precision = 0;
    uint8_t* data = nullptr;
    StringHeap* heap = nullptr;
    Vector* vec = nullptr;
  };

  // One row's fields into row `r` of the sinks: one predictable switch per field, values written
  // straight into the typed arrays.
  void DecodeRow(const char* p, const char* end, size_t r) {
    for (size_t j = 0; j < sinks_.size(); j++) {
      if (end - p < 4) BadData("truncated field");
      int32_t len = static_cast<int32_t>(Be32(p));
      p += 4;
      Sink& s = sinks_[j];
      if (len < 0) {
        s.vec->SetNull(r);
        continue;
      }
      if (end - p < len) BadData("truncated value");
      switch (s.kind) {
        case PgField::kInt4:
          if (len != 4) BadData("integer width");
          reinterpret_cast<int32_t*>(s.data)[r] = static_cast<int32_t>(Be32(p));
          break;
        case PgField::kInt8:
          if (len != 8) BadData("bigint width");
          reinterpret_cast<int64_t*>(s.data)[r] = static_cast<int64_t>(Be64(p));
          break;
        case PgField::kFloat8: {
          if (len != 8) BadData("double width");
          uint64_t bits = Be64(p);
          std::memcpy(reinterpret_cast<double*>(s.data) + r, &bits, 8);
          break;
        }
        case PgField::kNumeric: {
          int64_t x;
          if (!DecodeNumeric(p, len, s.scale, s.precision, &x)) NumericError(j);
          reinterpret_cast<int64_t*>(s.data)[r] = x;
          break;
        }
        case PgField::kTimestamp: {
          if (len != 8) BadData("timestamp width");
          int64_t t = static_cast<int64_t>(Be64(p));
          if (t == INT64_MAX || t == INT64_MIN) InfinityError(j, "timestamp");
          reinterpret_cast<int64_t*>(s.data)[r] = t + kPgEpochMicros;
          break;
        }
        case PgField::kDate: {
          if (len != 4) BadData("date width");
          int32_t d = static_cast<int32_t>(Be32(p));
          if (d == INT32_MAX || d == INT32_MIN) InfinityError(j, "date");
          reinterpret_cast<int32_t*>(s.data)[r] = d + kPgEpochDays;
          break;
        }
        case PgField::kText:
          reinterpret_cast<std::string_view*>(s.data)[r] =
              s.heap->Add(std::string_view(p, static_cast<size_t>(len)));
          break;
        case PgField::kBool:
          if (len != 1) BadData("boolean width");
          s.data[r] = p[0] != 0;
          break;
        case PgField::kUnsupported:
          BadData("unsupported type");
      }
      p += len;
    }
  }

  [[noreturn, gnu::cold, gnu::noinline]] void BadData(const char* what) {
    throw Error(ErrorKind::kConnector, where_ + ": malformed binary COPY data (" +
                                           std::string(what) + ") at row " +
                                           std::to_string(row_number_ + 1));
  }
  [[noreturn, gnu::cold, gnu::noinline]] void NumericError(size_t j) {
    throw Error(ErrorKind::kConversion,
                where_ + ": column '" + names_[j] + "' row " + std::to_string(row_number_ + 1) +
                    ": a numeric value (NaN or too large) does not fit " + types_[j].ToString());
  }
  [[noreturn, gnu::cold, gnu::noinline]] void InfinityError(size_t j, const char* what) {
    throw Error(ErrorKind::kConversion, where_ + ": column '" + names_[j] + "' row " +
                                            std::to_string(row_number_ + 1) + ": " + what +
                                            " 'infinity' is not supported");
  }

  void CheckFinalResult() {
    in_copy_ = false;
    while (PGresult* r = PQgetResult(conn_->conn)) {
      auto st = PQresultStatus(r);
      std::string msg = st == PGRES_COMMAND_OK ? "" : ResultMessage(r, conn_->conn, url_);
      PQclear(r);
      if (st != PGRES_COMMAND_OK) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
    }
    ReleaseConnection();
  }

  // After a clean end: the connection (inside the snapshot's transaction) serves the next split,
  // or goes back to the source's cache.
  void ReleaseConnection() {
    if (pool_)
      pool_->Release(std::move(conn_));
    else
      ReturnConnection(cache_.get(), std::move(conn_));
  }

  void Finish() {
    if (conn_ && conn_->conn && in_copy_) {
      // Abandoned early (LIMIT upstream, an error): cancel the COPY rather than drain it; the
      // connection is closed, never given back to the pool.
      PGcancel* cancel = PQgetCancel(conn_->conn);
      if (cancel) {
        char err[256];
        PQcancel(cancel, err, sizeof(err));
        PQfreeCancel(cancel);
      }
    }
    in_copy_ = false;
  }

  std::string where_;
  std::string url_;
  std::string sql_;
  std::vector<LogicalType> types_;
  std::vector<std::string> names_;
  ScanCounters* counters_;
  std::shared_ptr<PgConnectionCache> cache_;
  std::shared_ptr<PgSnapshotPool> pool_;
  std::unique_ptr<PgConnection> conn_;
  std::unique_ptr<PgCopyOutStream> stream_;  // reads the COPY unless libpq does
  std::vector<Sink> sinks_;
  bool in_copy_ = false;
  bool header_seen_ = false;
  bool done_ = false;
  int64_t row_number_ = 0;
};

// Runs one or more COPY queries one after another (several for batched key lookups); each opens
// its connection only when it is reached.
class PgDataSource : public DataSource {
 public:
  explicit PgDataSource(std::vector<std::unique_ptr<PgCopyReader>> readers)
      : readers_(std::move(readers)) {}
  bool Next(Batch& out) override {
    while (current_ < readers_.size()) {
      if (!started_) {
        readers_[current_]->Start();
        started_ = true;
      }
      if (readers_[current_]->Next(out)) return true;
      readers_[current_].reset();  // closes its connection (or gives it back to the pool)
      current_++;
      started_ = false;
    }
    return false;
  }

 private:
  std::vector<std::unique_ptr<PgCopyReader>> readers_;
  size_t current_ = 0;
  bool started_ = false;
};

// Reads several COPYs (page ranges of one split) at once on one thread: rows go into the same
// batch from whichever connection has them, and the thread waits (poll) only when none has.
// More backends than reading threads keep both cores busy while a backend waits for its socket.
class PgMultiplexSource : public DataSource {
 public:
  PgMultiplexSource(std::vector<std::unique_ptr<PgCopyReader>> readers,
                    std::vector<LogicalType> types, ScanCounters* counters)
      : readers_(std::move(readers)), types_(std::move(types)), counters_(counters) {}

  bool Next(Batch& out) override {
    if (!started_) {
      for (auto& r : readers_) r->Start();
      started_ = true;
    }
    if (readers_.empty()) return false;
    Batch batch(types_, kBatchSize);
    for (auto& r : readers_) r->Bind(batch);
    size_t rows = 0;
    int64_t bytes = 0;
    while (rows < kBatchSize && !readers_.empty()) {
      size_t before = rows;
      bool ended = false;
      for (size_t i = 0; i < readers_.size() && rows < kBatchSize; i++) {
        if (readers_[i]->Fill(rows, bytes, true) == PgCopyReader::FillResult::kEnd) ended = true;
      }
      if (ended) {  // finished readers give their connection back
        readers_.erase(
            std::remove_if(readers_.begin(), readers_.end(),
                           [](const std::unique_ptr<PgCopyReader>& r) { return r->done(); }),
            readers_.end());
        continue;
      }
      if (rows != before) continue;
      // Nothing buffered anywhere: wait for a socket, then read what arrived.
      std::vector<pollfd> fds;
      for (auto& r : readers_) fds.push_back({r->Socket(), POLLIN, 0});
      ::poll(fds.data(), fds.size(), 1000);
      for (auto& r : readers_) r->ConsumeInput();
    }
    counters_->bytes_read += bytes;
    return EmitBatch(batch, rows, *counters_, out);
  }

 private:
  std::vector<std::unique_ptr<PgCopyReader>> readers_;
  std::vector<LogicalType> types_;
  ScanCounters* counters_;
  bool started_ = false;
};

// ---------------------------------------------------------------------------------------------
// Scan

struct PgSplit : Split {
  bool ranged = false;
  int64_t first_page = 0;
  std::optional<int64_t> end_page;
  int64_t span = 0;                      // pages of the range (also when open-ended)
  std::shared_ptr<PgSnapshotPool> pool;  // the connections of the scan's shared snapshot
  std::string Describe() const override {
    if (!ranged) return "whole table";
    return "ctid pages [" + std::to_string(first_page) + ", " +
           (end_page ? std::to_string(*end_page) : std::string("end")) + ")";
  }
};

std::string DoubleLiteral(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf) + "::float8";
}

// PostgreSQL's side of the shared SQL translator: literals inline and escaped, strings compared in
// byte order (COLLATE "C", like the engine), double ranges kept in the engine (NaN sorts
// differently), ILIKE only for ASCII patterns (PostgreSQL folds case by the database locale).
class PgDialect : public SqlDialect {
 public:
  static const PgDialect& Get() {
    static const PgDialect dialect;
    return dialect;
  }
  bool Literal(const Value& v, const LogicalType& column_type, std::string* out,
               std::vector<Value>*) const override {
    if (v.is_null()) return false;
    const LogicalType& t = v.type();
    switch (column_type.id) {
      case TypeId::kVarchar:
        return t.id == TypeId::kVarchar && QuotePgString(v.GetString(), out);
      case TypeId::kBoolean:
        if (t.id != TypeId::kBoolean) return false;
        *out += v.GetBool() ? "TRUE" : "FALSE";
        return true;
      case TypeId::kInteger:
      case TypeId::kBigInt:
      case TypeId::kDecimal:
      case TypeId::kDouble:
        if (t.id == TypeId::kInteger || t.id == TypeId::kBigInt) {
          *out += v.GetInt64() < 0 ? "(" + std::to_string(v.GetInt64()) + ")"
                                   : std::to_string(v.GetInt64());
          return true;
        }
        if (t.id == TypeId::kDecimal) {
          *out += "(" + FormatDecimal(v.GetInt64(), t.scale) + "::numeric)";
          return true;
        }
        if (t.id == TypeId::kDouble && std::isfinite(v.GetDouble()) &&
            column_type.id == TypeId::kDouble) {
          *out += "(" + DoubleLiteral(v.GetDouble()) + ")";
          return true;
        }
        return false;
      case TypeId::kDate:
        if (t.id != TypeId::kDate) return false;
        *out += "DATE '" + FormatDate(static_cast<int32_t>(v.GetInt64())) + "'";
        return true;
      case TypeId::kTimestamp:
        if (t.id != TypeId::kTimestamp) return false;
        *out += "TIMESTAMP '" + FormatTimestamp(v.GetInt64()) + "'";
        return true;
      case TypeId::kTimestampTz:  // an instant: written in UTC
        if (t.id != TypeId::kTimestampTz) return false;
        *out += "TIMESTAMPTZ '" + FormatTimestamp(v.GetInt64()) + "+00'";
        return true;
      default:
        return false;
    }
  }
  bool Comparable(const ColumnInfo& column, bool ordering) const override {
    return !(ordering && column.type.id == TypeId::kDouble);
  }
  std::string OrderingSuffix(const LogicalType& type) const override {
    return type.id == TypeId::kVarchar ? " COLLATE \"C\"" : "";
  }
  bool SupportsILike(std::string_view pattern) const override {
    for (unsigned char ch : pattern) {
      if (ch >= 0x80) return false;
    }
    return true;
  }
  std::string DefaultLikeEscape() const override { return " ESCAPE ''"; }
  bool ParenthesizePredicates() const override { return true; }
};

// Where a column of a scan comes from: table `leaf` (t<leaf> once joined), its name and the cast
// that reads it.
struct PgColumnRef {
  size_t leaf = 0;
  std::string name;
  std::string cast;
};

// The FROM clause of a scan: one table, or a join of two relations. ON conditions index this
// node's columns (its left's, then its right's).
struct PgRelation {
  std::shared_ptr<const PgRelation> left, right;  // both null for a table
  PushedJoinType type = PushedJoinType::kInner;
  std::vector<ExprPtr> on;
  size_t leaves = 1;
  size_t columns = 0;
};

// Everything a scan was asked; copied when two scans become one joined scan.
struct PgScanState {
  std::vector<ColumnInfo> columns;  // of the (joined) relation
  std::vector<PgColumnRef> refs;    // one per column
  std::vector<std::string> tables;  // leaf i: quoted schema.table
  std::shared_ptr<const PgRelation> relation;
  bool joined = false;
  std::string label;        // for messages: the table, or "a JOIN b"
  PgTableMeta first_meta;   // of leaf 0 (ctid splits)
  bool splittable = false;  // leaf 0 is preserved by every join above it (inner / left)
  double base_rows = -1;

  std::vector<int> projection;
  std::vector<ExprPtr> filters;  // over `columns`
  // Dynamic filters, ANDed after the filters: the SQL sent, ("k" IN (...)), and the form EXPLAIN
  // shows (long key lists cut to their first keys and a count, in an SQL comment).
  struct DynamicFilter {
    std::string sql;
    std::string shown;
  };
  std::vector<DynamicFilter> dynamic;
  std::string order;
  int64_t limit = -1;
  bool aggregated = false;
  std::string agg_select;
  std::string agg_group;
  std::vector<LogicalType> agg_types;
  size_t agg_groups = 0;

  bool Joinable() const { return limit < 0 && order.empty() && !aggregated && dynamic.empty(); }
};

ExprPtr ShiftColumns(const ExprPtr& e, int shift, size_t ncols) {
  std::vector<int> mapping(ncols);
  for (size_t i = 0; i < ncols; i++) mapping[i] = static_cast<int>(i) + shift;
  return RemapColumns(e, mapping);
}

bool HasDoubleColumnRef(const Expr& e, const std::vector<ColumnInfo>& columns) {
  if (e.kind == ExprKind::kColumnRef && e.column_index >= 0 &&
      e.column_index < static_cast<int>(columns.size()) &&
      columns[e.column_index].type.id == TypeId::kDouble)
    return true;
  for (const auto& c : e.children) {
    if (c && HasDoubleColumnRef(*c, columns)) return true;
  }
  return false;
}

class PgScan : public TableScan {
 public:
  PgScan(const void* source, std::string where, std::string url,
         std::shared_ptr<PgConnectionCache> cache, const TableInfo& table, const PgTableMeta& meta)
      : source_(source), where_(std::move(where)), url_(std::move(url)), cache_(std::move(cache)) {
    s_.columns = table.columns;
    for (size_t i = 0; i < table.columns.size(); i++) {
      s_.refs.push_back({0, table.columns[i].name, meta.casts[i]});
      s_.projection.push_back(static_cast<int>(i));
    }
    s_.tables.push_back(Qualified(meta));
    auto rel = std::make_shared<PgRelation>();
    rel->columns = table.columns.size();
    s_.relation = rel;
    s_.label = table.name;
    s_.first_meta = meta;
    s_.splittable = true;
    s_.base_rows = table.stats.row_count.value_or(-1);
  }
  PgScan(const void* source, std::string where, std::string url,
         std::shared_ptr<PgConnectionCache> cache, PgScanState state)
      : source_(source),
        where_(std::move(where)),
        url_(std::move(url)),
        cache_(std::move(cache)),
        s_(std::move(state)) {}

  void SetProjection(const std::vector<int>& column_ids) override {
    for (int c : column_ids) {
      if (c < 0 || c >= static_cast<int>(s_.columns.size())) {
        throw Error(ErrorKind::kInternal,
                    where_ + ": projection column " + std::to_string(c) + " out of range");
      }
    }
    s_.projection = column_ids;
  }

  bool PushFilter(const Expr& conjunct) override {
    if (s_.limit >= 0 || s_.aggregated) return false;
    std::string sql;
    std::vector<Value> unused;
    if (!Translator().Translate(conjunct, &sql, &unused)) return false;
    s_.filters.push_back(conjunct.Copy());
    return true;
  }

  bool PushLimit(int64_t limit) override {
    if (limit < 0 || s_.aggregated) return false;
    if (s_.limit < 0 || limit < s_.limit) s_.limit = limit;
    return true;
  }

  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override {
    if (keys.empty() || s_.limit >= 0 || s_.aggregated) return false;
    std::string order;
    for (const auto& k : keys) {
      if (!k.expr || k.expr->kind != ExprKind::kColumnRef) return false;
      int c = k.expr->column_index;
      if (c < 0 || c >= static_cast<int>(s_.columns.size())) return false;
      order += (order.empty() ? "" : ", ") + ColumnSql(c, true) + (k.ascending ? " ASC" : " DESC") +
               (k.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    s_.order = order;
    if (limit >= 0) s_.limit = limit;
    return true;
  }

  // GROUP BY with count, count(DISTINCT), sum, avg, min, max, each cast to the engine's result type
  // so that the binary values decode as that type.
  bool PushAggregation(const AggregationRequest& request) override {
    if (s_.aggregated || s_.limit >= 0 || !s_.order.empty()) return false;
    const int ncols = static_cast<int>(s_.columns.size());
    std::vector<std::string> select, group;
    std::vector<LogicalType> types;
    for (int g : request.group_columns) {
      if (g < 0 || g >= ncols) return false;
      if (s_.columns[g].type.id == TypeId::kDouble) return false;  // NaN/-0 grouping may differ
      select.push_back(ColumnSql(g));
      group.push_back(ColumnSql(g));
      types.push_back(s_.columns[g].type);
    }
    for (const auto& call : request.calls) {
      std::string fn = call.function;
      for (auto& ch : fn) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string arg;
      const LogicalType* arg_type = nullptr;
      if (call.column >= 0) {
        if (call.column >= ncols) return false;
        arg_type = &s_.columns[call.column].type;
        arg = ColumnSql(call.column, fn == "min" || fn == "max");
      } else if (fn != "count") {
        return false;
      }
      std::string cast;
      switch (call.result_type.id) {
        case TypeId::kBigInt:
          cast = "::int8";
          break;
        case TypeId::kInteger:
          cast = "::int4";
          break;
        case TypeId::kDouble:
          cast = "::float8";
          break;
        case TypeId::kDecimal:
          cast = "::numeric(" + std::to_string(call.result_type.precision) + "," +
                 std::to_string(call.result_type.scale) + ")";
          break;
        case TypeId::kVarchar:
          cast = "::text";
          break;
        case TypeId::kBoolean:
          cast = "::boolean";
          break;
        case TypeId::kDate:
          cast = "::date";
          break;
        case TypeId::kTimestamp:
          cast = "::timestamp";
          break;
        default:
          return false;
      }
      std::string expr;
      if (fn == "count") {
        expr = call.column < 0
                   ? "count(*)"
                   : std::string("count(") + (call.distinct ? "DISTINCT " : "") + arg + ")";
      } else if (fn == "sum" || fn == "avg") {
        if (!arg_type || !arg_type->IsNumeric()) return false;
        // Floating-point sums depend on the order of addition; keep them in the engine.
        if (arg_type->id == TypeId::kDouble) return false;
        expr = fn + "(" + (call.distinct ? "DISTINCT " : "") + arg + ")";
      } else if (fn == "min" || fn == "max") {
        if (!arg_type || arg_type->id == TypeId::kTimestampTz || arg_type->id == TypeId::kBoolean)
          return false;
        expr = fn + "(" + arg + ")";
      } else {
        return false;
      }
      select.push_back("(" + expr + ")" + cast);
      types.push_back(call.result_type);
    }
    s_.agg_select.clear();
    for (size_t i = 0; i < select.size(); i++) s_.agg_select += (i ? ", " : "") + select[i];
    s_.agg_group.clear();
    for (size_t i = 0; i < group.size(); i++) s_.agg_group += (i ? ", " : "") + group[i];
    s_.agg_types = std::move(types);
    s_.agg_groups = request.group_columns.size();
    s_.aggregated = true;
    return true;
  }

  // Two scans of this source become one query: FROM a t0 [LEFT|RIGHT] JOIN b t1 ON ... . The
  // filters each side had accepted go to WHERE (inner join, and the preserved side of an outer
  // join) or into ON (the side an outer join pads with NULLs).
  std::unique_ptr<TableScan> PushJoin(const TableScan& right_scan, PushedJoinType type,
                                      const std::vector<ExprPtr>& conditions) override {
    const auto* right = dynamic_cast<const PgScan*>(&right_scan);
    if (!right || right->source_ != source_ || right->url_ != url_) return nullptr;
    if (!s_.Joinable() || !right->s_.Joinable() || conditions.empty()) return nullptr;
    const PgScanState& l = s_;
    const PgScanState& r = right->s_;
    PgScanState j;
    j.joined = true;
    j.columns = l.columns;
    j.columns.insert(j.columns.end(), r.columns.begin(), r.columns.end());
    j.refs = l.refs;
    for (PgColumnRef ref : r.refs) {
      ref.leaf += l.tables.size();
      j.refs.push_back(std::move(ref));
    }
    j.tables = l.tables;
    j.tables.insert(j.tables.end(), r.tables.begin(), r.tables.end());
    const int shift = static_cast<int>(l.columns.size());
    std::vector<ExprPtr> right_filters;
    for (const auto& f : r.filters)
      right_filters.push_back(ShiftColumns(f, shift, r.columns.size()));
    auto rel = std::make_shared<PgRelation>();
    rel->left = l.relation;
    rel->right = r.relation;
    rel->type = type;
    rel->leaves = l.tables.size() + r.tables.size();
    rel->columns = j.columns.size();
    for (const auto& c : conditions) {
      // Double keys: NaN equals NaN in PostgreSQL, not in the engine.
      if (!c || HasDoubleColumnRef(*c, j.columns)) return nullptr;
      rel->on.push_back(c->Copy());
    }
    switch (type) {
      case PushedJoinType::kInner:
        j.filters = l.filters;
        j.filters.insert(j.filters.end(), right_filters.begin(), right_filters.end());
        break;
      case PushedJoinType::kLeft:  // the right side's filters select what may match
        j.filters = l.filters;
        rel->on.insert(rel->on.end(), right_filters.begin(), right_filters.end());
        break;
      case PushedJoinType::kRight:
        j.filters = right_filters;
        rel->on.insert(rel->on.end(), l.filters.begin(), l.filters.end());
        break;
    }
    j.relation = rel;
    j.label = l.label + " JOIN " + r.label;
    j.first_meta = l.first_meta;
    j.splittable = l.splittable && type != PushedJoinType::kRight;
    for (size_t i = 0; i < j.columns.size(); i++) j.projection.push_back(static_cast<int>(i));
    auto joined = std::make_unique<PgScan>(source_, where_, url_, cache_, std::move(j));
    // Every condition must translate over the joined columns.
    std::string sql;
    std::vector<Value> unused;
    SqlTranslator t = joined->Translator();
    for (const auto& c : rel->on) {
      if (!t.Translate(*c, &sql, &unused)) return nullptr;
    }
    return joined;
  }

  std::string Describe() const override {
    return "COPY (" + BuildSql({}, true) + ") TO STDOUT (FORMAT binary)";
  }

  double EstimatedRows() const override {
    double rows = s_.base_rows;
    if (rows >= 0 && !s_.filters.empty())
      rows = std::max(1.0, rows * std::pow(0.25, s_.filters.size()));
    if (s_.aggregated) return s_.agg_groups == 0 ? 1 : (rows < 0 ? -1 : std::max(1.0, rows * 0.1));
    if (s_.limit >= 0 && (rows < 0 || rows > s_.limit)) rows = static_cast<double>(s_.limit);
    return rows;
  }

  // Plain tables of many pages split into ctid page ranges (TID range scans) of at most
  // kPagesPerSplit pages, read by up to max_parallelism connections that share one exported
  // snapshot, so that the ranges together read the table as of one moment. Each connection runs
  // one range's COPY after another. The ranges follow the table's current size (pg_relation_size
  // under that snapshot, not the statistics); the last one is open-ended. A join splits by the
  // pages of its first table when every join keeps that table's rows apart (inner and left joins).
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    std::vector<std::shared_ptr<Split>> splits;
    double stats_pages = s_.first_meta.relpages;
    if (max_parallelism > 1 && s_.splittable && s_.first_meta.relkind == 'r' && s_.limit < 0 &&
        !s_.aggregated && s_.order.empty() && stats_pages >= kMinPagesToSplit) {
      auto pool =
          std::make_shared<PgSnapshotPool>(where_ + " table '" + s_.label + "'", url_, cache_);
      int64_t pages = pool->Export(Qualified(s_.first_meta));
      if (pages >= 0) {
        int64_t per = PagesPerSplit(pages, max_parallelism);
        for (const auto& [first, end] : PageRanges(pages, per)) {
          auto s = std::make_shared<PgSplit>();
          s->ranged = true;
          s->first_page = first;
          s->end_page = end;
          s->span = per;
          s->pool = pool;
          splits.push_back(s);
        }
        pool->SetSplits(splits.size() * kStreamsPerSplit);
        return splits;
      }
    }
    splits.push_back(std::make_shared<PgSplit>());
    return splits;
  }

  // Pages per split: at most kPagesPerSplit, and at least 2 splits per thread while splits stay
  // >= 64 pages.
  static int64_t PagesPerSplit(int64_t pages, int max_parallelism) {
    int64_t per = std::min<int64_t>(kPagesPerSplit, pages / (2 * std::max(1, max_parallelism)));
    return std::max<int64_t>(per, 64);
  }

  // [first, end) page ranges of `per` pages covering `pages` pages, the last open-ended (nullopt).
  static std::vector<std::pair<int64_t, std::optional<int64_t>>> PageRanges(int64_t pages,
                                                                            int64_t per) {
    std::vector<std::pair<int64_t, std::optional<int64_t>>> ranges;
    int64_t first = 0;
    while (first + per < pages) {
      ranges.push_back({first, first + per});
      first += per;
    }
    ranges.push_back({first, std::nullopt});
    return ranges;
  }

  // A page range of a parallel scan is read as kStreamsPerSplit sub-ranges, one COPY each, at
  // once (PgMultiplexSource): twice as many backends as reading threads.
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    auto range = std::dynamic_pointer_cast<PgSplit>(split);
    if (!range || !range->ranged) {
      std::vector<std::unique_ptr<PgCopyReader>> readers;
      readers.push_back(MakeReader(BuildSql("")));
      return std::make_unique<PgDataSource>(std::move(readers));
    }
    const int64_t step = std::max<int64_t>(1, range->span / kStreamsPerSplit);
    std::vector<std::unique_ptr<PgCopyReader>> readers;
    int64_t first = range->first_page;
    for (int i = 0; i < kStreamsPerSplit; i++) {
      std::optional<int64_t> end = first + step;
      if (i + 1 == kStreamsPerSplit) end = range->end_page;  // the last sub-range ends with it
      readers.push_back(MakeReader(BuildSql(CtidRange(first, end)), range->pool));
      if (end) first = *end;
    }
    if (range->pool) {
      std::vector<LogicalType> types;
      if (s_.aggregated) {
        types = s_.agg_types;
      } else {
        for (int c : s_.projection) types.push_back(s_.columns[c].type);
      }
      return std::make_unique<PgMultiplexSource>(std::move(readers), types, &counters_);
    }
    return std::make_unique<PgDataSource>(std::move(readers));
  }

  std::string CtidRange(int64_t first, std::optional<int64_t> end) const {
    std::string ctid = s_.joined ? "t0.ctid" : "ctid";
    std::string sql = ctid + " >= '(" + std::to_string(first) + ",0)'::tid";
    if (end) sql += " AND " + ctid + " < '(" + std::to_string(*end) + ",0)'::tid";
    return sql;
  }

  // --- batched key lookups: WHERE <pushed filters> AND ("k" IN (...)) or (("a", "b") IN ((..),
  // ..)), literals escaped like filters, in chunks of kKeysPerQuery keys.
  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override {
    if (key_columns.empty() || s_.limit >= 0 || !s_.order.empty() || s_.aggregated) return false;
    for (int c : key_columns) {
      if (c < 0 || c >= static_cast<int>(s_.columns.size())) return false;
      switch (s_.columns[c].type.id) {
        case TypeId::kVarchar:
        case TypeId::kInteger:
        case TypeId::kBigInt:
        case TypeId::kDecimal:
        case TypeId::kBoolean:
        case TypeId::kDate:
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
          break;
        default:
          return false;  // doubles: NaN
      }
    }
    return true;
  }

  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override {
    if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
    if (keys.ColumnCount() != key_columns.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": lookup keys have " + std::to_string(keys.ColumnCount()) +
                      " columns, expected " + std::to_string(key_columns.size()));
    }
    const size_t width = key_columns.size();
    const std::string key_sql = KeySql(key_columns);
    std::vector<std::unique_ptr<PgCopyReader>> readers;
    std::unordered_set<std::string> seen;
    std::string list;
    size_t in_list = 0;
    auto flush = [&] {
      if (in_list == 0) return;
      readers.push_back(MakeReader(BuildSql("(" + key_sql + " IN (" + list + "))")));
      list.clear();
      in_list = 0;
    };
    for (size_t r = 0; r < keys.count; r++) {
      std::string tuple;
      bool usable = true;
      for (size_t k = 0; k < width && usable; k++) {
        Value v = keys.columns[k].GetValue(r);
        // A NULL key never matches; neither does text PostgreSQL cannot hold (a NUL byte) or a
        // value that has no exact literal of the column's type.
        std::vector<Value> unused;
        if (v.is_null() ||
            !PgDialect::Get().Literal(v, s_.columns[key_columns[k]].type, &tuple, &unused)) {
          usable = false;
          break;
        }
        if (k + 1 < width) tuple += ", ";
      }
      if (!usable) continue;
      if (width > 1) tuple = "(" + tuple + ")";
      if (!seen.insert(tuple).second) continue;  // each key once: no row is returned twice
      list += (in_list ? ", " : "") + tuple;
      if (++in_list == kKeysPerQuery) flush();
    }
    flush();
    return std::make_unique<PgDataSource>(std::move(readers));
  }

  // The remote SQL of one LookupKeys query, the key list left as a placeholder.
  std::string DescribeLookup(const std::vector<int>& key_columns,
                             size_t batch_size) const override {
    if (!SupportsKeyLookup(key_columns)) return {};
    size_t per_query = std::min(batch_size, kKeysPerQuery);
    std::string s = "COPY (" + BuildSql("(" + KeySql(key_columns) + " IN ($keys))", true) +
                    ") TO STDOUT (FORMAT binary)";
    s += " (up to " + std::to_string(per_query) + " distinct keys per query)";
    return s;
  }

  // A join's distinct build keys for one column: AND ("k" IN (...)) in the remote query, each
  // literal escaped through the shared dialect. Refused when a value has no exact literal of the
  // column's type (doubles: NaN), or when a limit or aggregation makes the filter change results.
  bool PushDynamicFilter(int column, const Batch& values) override {
    if (values.ColumnCount() != 1 || values.count == 0) return false;
    if (!SupportsKeyLookup({column})) return false;
    const LogicalType& type = s_.columns[column].type;
    if (!(values.columns[0].type() == type)) return false;
    std::string list, shown;
    std::unordered_set<std::string> seen;
    for (size_t r = 0; r < values.count; r++) {
      Value v = values.columns[0].GetValue(r);
      if (v.is_null()) continue;  // never matches
      std::string lit;
      std::vector<Value> unused;
      if (!PgDialect::Get().Literal(v, type, &lit, &unused) || !unused.empty()) return false;
      if (!seen.insert(lit).second) continue;
      list += (list.empty() ? "" : ", ") + lit;
      if (seen.size() == kShownKeys) shown = list;
    }
    if (list.empty()) {
      s_.dynamic.push_back({"FALSE", "FALSE"});
      return true;
    }
    std::string head = "(" + ColumnSql(column) + " IN (";
    if (seen.size() <= kShownKeys)
      shown = list;
    else
      shown += " /* ... " + std::to_string(seen.size()) + " keys in all */";
    s_.dynamic.push_back({head + list + "))", head + shown + "))"});
    return true;
  }

  static constexpr size_t kShownKeys = 20;          // of a dynamic filter's IN list, in EXPLAIN
  static constexpr double kMinPagesToSplit = 1000;  // about 8 MB
  static constexpr int64_t kPagesPerSplit = 1000;
  static constexpr int kStreamsPerSplit = 1;
  static constexpr size_t kKeysPerQuery = 5000;

 private:
  std::unique_ptr<PgCopyReader> MakeReader(std::string sql,
                                           std::shared_ptr<PgSnapshotPool> pool = nullptr) {
    std::vector<LogicalType> types;
    std::vector<std::string> names;
    if (s_.aggregated) {
      types = s_.agg_types;
      for (size_t i = 0; i < types.size(); i++)
        names.push_back("aggregate output " + std::to_string(i + 1));
    } else {
      for (int c : s_.projection) {
        types.push_back(s_.columns[c].type);
        names.push_back(s_.columns[c].name);
      }
    }
    std::string what = s_.joined ? " query '" + s_.label + "'" : " table '" + s_.label + "'";
    return std::make_unique<PgCopyReader>(where_ + what, url_, std::move(sql), types, names,
                                          &counters_, cache_, std::move(pool));
  }

  std::string KeySql(const std::vector<int>& key_columns) const {
    std::string key_sql;
    for (size_t k = 0; k < key_columns.size(); k++)
      key_sql += (k ? ", " : "") + ColumnSql(key_columns[k]);
    if (key_columns.size() > 1) key_sql = "(" + key_sql + ")";
    return key_sql;
  }

  SqlTranslator Translator() const {
    return SqlTranslator(PgDialect::Get(), s_.columns, [this](int c) { return ColumnSql(c); });
  }

  std::string ColumnSql(int c, bool for_order = false) const {
    const PgColumnRef& ref = s_.refs[c];
    std::string s = (s_.joined ? "t" + std::to_string(ref.leaf) + "." : std::string()) +
                    QuotePgIdentifier(ref.name) + ref.cast;
    if (!ref.cast.empty()) s = "(" + s + ")";
    if (for_order) s += PgDialect::Get().OrderingSuffix(s_.columns[c].type);
    return s;
  }

  // The FROM clause of `rel`, whose first table is leaf `leaf` and first column `column`.
  std::string FromSql(const PgRelation& rel, size_t leaf, size_t column) const {
    if (!rel.left) {
      std::string s = s_.tables[leaf];
      if (s_.joined) s += " t" + std::to_string(leaf);
      return s;
    }
    std::string left = FromSql(*rel.left, leaf, column);
    std::string right = FromSql(*rel.right, leaf + rel.left->leaves, column + rel.left->columns);
    if (rel.right->left) right = "(" + right + ")";
    const char* kw = rel.type == PushedJoinType::kInner  ? " JOIN "
                     : rel.type == PushedJoinType::kLeft ? " LEFT JOIN "
                                                         : " RIGHT JOIN ";
    std::vector<ColumnInfo> cols(s_.columns.begin() + static_cast<long>(column),
                                 s_.columns.begin() + static_cast<long>(column + rel.columns));
    SqlTranslator t(PgDialect::Get(), cols,
                    [this, column](int c) { return ColumnSql(static_cast<int>(column) + c); });
    std::string on;
    std::vector<Value> unused;
    for (const auto& c : rel.on) {
      if (!on.empty()) on += " AND ";
      if (!t.Translate(*c, &on, &unused)) {
        throw Error(ErrorKind::kInternal, where_ + ": a join condition no longer translates");
      }
    }
    return left + kw + right + " ON " + (on.empty() ? "TRUE" : on);
  }

  // The remote query; `shown`: as EXPLAIN prints it (long dynamic key lists cut short).
  std::string BuildSql(const std::string& extra, bool shown = false) const {
    std::string cols;
    for (int c : s_.projection) cols += (cols.empty() ? "" : ", ") + ColumnSql(c);
    if (cols.empty()) cols = "1";  // COPY needs a column; the engine ignores it
    if (s_.aggregated) cols = s_.agg_select;
    std::string sql = "SELECT " + cols + " FROM " + FromSql(*s_.relation, 0, 0);
    size_t n = 0;
    SqlTranslator t = Translator();
    std::vector<Value> unused;
    for (const auto& f : s_.filters) {
      sql += n++ ? " AND " : " WHERE ";
      if (!t.Translate(*f, &sql, &unused))
        throw Error(ErrorKind::kInternal, where_ + ": a pushed filter no longer translates");
    }
    for (const auto& d : s_.dynamic) sql += (n++ ? " AND " : " WHERE ") + (shown ? d.shown : d.sql);
    if (!extra.empty()) sql += (n++ ? " AND " : " WHERE ") + extra;
    if (s_.aggregated && !s_.agg_group.empty()) sql += " GROUP BY " + s_.agg_group;
    if (!s_.order.empty()) sql += " ORDER BY " + s_.order;
    if (s_.limit >= 0) sql += " LIMIT " + std::to_string(s_.limit);
    return sql;
  }

  const void* source_;
  std::string where_;
  std::string url_;
  std::shared_ptr<PgConnectionCache> cache_;  // the source's idle connections
  PgScanState s_;
};
// ---------------------------------------------------------------------------------------------
// Writer: BEGIN; [CREATE TABLE]; COPY ... FROM STDIN (text); COMMIT on Commit, else ROLLBACK.

std::string PgTypeFor(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInteger:
      return "integer";
    case TypeId::kBigInt:
      return "bigint";
    case TypeId::kDouble:
      return "double precision";
    case TypeId::kDecimal:
      return "numeric(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kInterval:
      return "interval";
    default:
      return "text";
  }
}

void AppendCopyText(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
}

class PgTableWriter : public TableWriter {
 public:
  PgTableWriter(std::string where, std::string url, std::string qualified,
                std::vector<ColumnInfo> columns, std::string create_ddl)
      : where_(std::move(where)),
        url_(std::move(url)),
        qualified_(std::move(qualified)),
        columns_(std::move(columns)) {
    conn_.conn = Connect(url_, where_);
    Exec(conn_.conn, "BEGIN", url_, where_);
    in_transaction_ = true;
    if (!create_ddl.empty()) Exec(conn_.conn, create_ddl, url_, where_);
    std::string copy = "COPY " + qualified_ + " (";
    for (size_t i = 0; i < columns_.size(); i++)
      copy += (i ? ", " : "") + QuotePgIdentifier(columns_[i].name);
    copy += ") FROM STDIN";
    PGresult* r = PQexec(conn_.conn, copy.c_str());
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    std::string msg = ok ? "" : ResultMessage(r, conn_.conn, url_);
    PQclear(r);
    if (!ok) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
    in_copy_ = true;
  }

  ~PgTableWriter() override {
    if (conn_.conn && in_transaction_) {
      if (in_copy_) PQputCopyEnd(conn_.conn, "aborted");
      while (PGresult* r = PQgetResult(conn_.conn)) PQclear(r);
      PGresult* r = PQexec(conn_.conn, "ROLLBACK");
      PQclear(r);
    }
  }

  void Append(const Batch& batch) override {
    if (!in_copy_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    if (batch.ColumnCount() != columns_.size()) {
      throw Error(ErrorKind::kInternal,
                  where_ + ": insert batch has " + std::to_string(batch.ColumnCount()) +
                      " columns, table has " + std::to_string(columns_.size()));
    }
    std::string buf;
    for (size_t r = 0; r < batch.count; r++) {
      for (size_t c = 0; c < columns_.size(); c++) {
        if (c) buf += '\t';
        Value v = batch.columns[c].GetValue(r);
        if (v.is_null()) {
          buf += "\\N";
          continue;
        }
        switch (v.type().id) {
          case TypeId::kBoolean:
            buf += v.GetBool() ? "t" : "f";
            break;
          case TypeId::kInteger:
          case TypeId::kBigInt:
            buf += std::to_string(v.GetInt64());
            break;
          case TypeId::kDouble: {
            char tmp[64];
            std::snprintf(tmp, sizeof(tmp), "%.17g", v.GetDouble());
            buf += tmp;
            break;
          }
          case TypeId::kDecimal:
            buf += FormatDecimal(v.GetInt64(), v.type().scale);
            break;
          case TypeId::kDate:
            buf += FormatDate(static_cast<int32_t>(v.GetInt64()));
            break;
          case TypeId::kTimestamp:
            buf += FormatTimestamp(v.GetInt64());
            break;
          case TypeId::kTimestampTz:
            buf += FormatTimestamp(v.GetInt64()) + "+00";
            break;
          case TypeId::kVarchar: {
            if (v.GetString().find('\0') != std::string::npos) {
              throw Error(ErrorKind::kConversion,
                          where_ + ": column '" + columns_[c].name +
                              "': PostgreSQL text cannot hold a NUL character");
            }
            AppendCopyText(buf, v.GetString());
            break;
          }
          default:
            AppendCopyText(buf, v.ToString());
        }
      }
      buf += '\n';
      if (buf.size() >= (1 << 20)) Send(buf);
    }
    Send(buf);
  }

  void Commit() override {
    if (!in_copy_) throw Error(ErrorKind::kInternal, where_ + ": writer used after Commit/Abort");
    in_copy_ = false;
    if (PQputCopyEnd(conn_.conn, nullptr) != 1) Fail();
    while (PGresult* r = PQgetResult(conn_.conn)) {
      auto st = PQresultStatus(r);
      std::string msg = st == PGRES_COMMAND_OK ? "" : ResultMessage(r, conn_.conn, url_);
      PQclear(r);
      // The destructor rolls back.
      if (st != PGRES_COMMAND_OK) throw Error(ErrorKind::kConnector, where_ + ": " + msg);
    }
    Exec(conn_.conn, "COMMIT", url_, where_);
    in_transaction_ = false;
  }

  void Abort() override {
    if (!in_transaction_) return;
    if (in_copy_) PQputCopyEnd(conn_.conn, "aborted");
    in_copy_ = false;
    while (PGresult* r = PQgetResult(conn_.conn)) PQclear(r);
    PGresult* r = PQexec(conn_.conn, "ROLLBACK");
    PQclear(r);
    in_transaction_ = false;
  }

 private:
  void Send(std::string& buf) {
    if (buf.empty()) return;
    if (PQputCopyData(conn_.conn, buf.data(), static_cast<int>(buf.size())) != 1) Fail();
    buf.clear();
  }
  [[noreturn]] void Fail() {
    throw Error(ErrorKind::kConnector, where_ + ": writing to " + qualified_ +
                                           " failed: " + ConnMessage(conn_.conn, url_));
  }

  std::string where_;
  std::string url_;
  std::string qualified_;
  std::vector<ColumnInfo> columns_;
  PgConnection conn_;
  bool in_transaction_ = false;
  bool in_copy_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string QuotePgIdentifier(const std::string& name) { return QuoteSqlIdentifier(name); }

std::string PgMessageOneLine(const std::string& message) {
  std::string out;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::string line = message.substr(start, end - start);
    size_t b = line.find_first_not_of(" \t\r");
    size_t e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) {
      line = line.substr(b, e - b + 1);
      if (!out.empty()) out += (out.back() == ':' || out.back() == ';') ? " " : "; ";
      out += line;
    }
    start = end + 1;
  }
  return out;
}

std::string ScrubPassword(const std::string& message, const std::string& url) {
  std::string out = message;
  std::string pw = PasswordOf(url);
  if (!url.empty()) {
    size_t pos;
    while ((pos = out.find(url)) != std::string::npos) out.replace(pos, url.size(), RedactUrl(url));
  }
  if (pw.size() >= 1) {
    size_t pos;
    while ((pos = out.find(pw)) != std::string::npos) out.replace(pos, pw.size(), "***");
  }
  return out;
}

PgTypeMapping MapPgType(uint32_t oid, int32_t typmod, const std::string& type_name) {
  PgTypeMapping m;
  switch (oid) {
    case 16:
      m.type = TypeId::kBoolean;
      return m;
    case 21:
      m.type = TypeId::kInteger;
      m.cast = "::int4";
      return m;
    case 23:
      m.type = TypeId::kInteger;
      return m;
    case 20:
      m.type = TypeId::kBigInt;
      return m;
    // real: through its shortest text form, so 1.1 reads as 1.1 and not 1.100000023841858.
    case 700:
      m.type = TypeId::kDouble;
      m.cast = "::text::float8";
      return m;
    case 701:
      m.type = TypeId::kDouble;
      return m;
    case 1700: {
      if (typmod >= 4) {
        int p = ((typmod - 4) >> 16) & 0xffff;
        int s = (typmod - 4) & 0xffff;
        if (p >= 1 && p <= kMaxDecimalPrecision && s <= p) {
          m.type = LogicalType::Decimal(p, s);
          return m;
        }
      }
      m.type = TypeId::kDouble;
      m.cast = "::float8";
      m.comment = "pg type '" + type_name + "' read as DOUBLE (DECIMAL holds at most 18 digits)";
      return m;
    }
    case 25:
    case 1043:
    case 19:
      m.type = TypeId::kVarchar;
      return m;
    case 1042:
      m.type = TypeId::kVarchar;
      m.cast = "::text";
      return m;  // char(n): without the padding
    case 1082:
      m.type = TypeId::kDate;
      return m;
    case 1114:
      m.type = TypeId::kTimestamp;
      return m;
    case 1184:
      m.type = TypeId::kTimestampTz;
      return m;
    default:
      m.type = TypeId::kVarchar;
      m.cast = "::text";
      m.comment = "pg type '" + type_name + "' read as text";
      return m;
  }
}

PostgresConnector::PostgresConnector(const ConnectionConfig& config)
    : name_(config.name), url_(config.url) {
  if (url_.rfind("postgres://", 0) != 0 && url_.rfind("postgresql://", 0) != 0) {
    throw Error(ErrorKind::kConnector, Where() + ": not a postgres URL: " + RedactUrl(url_) +
                                           " (use postgres://user:password@host:5432/database)");
  }
  conn_ = Connect(url_, Where());
  cache_ = std::make_shared<PgConnectionCache>();
}

PostgresConnector::~PostgresConnector() {
  if (conn_) PQfinish(conn_);
}

std::string PostgresConnector::Where() const { return "postgres source '" + name_ + "'"; }

std::vector<std::string> PostgresConnector::ListSchemas() {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult r = CatalogQuery(conn_,
                            "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
                            "'information_schema', 'pg_toast') "
                            "AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE "
                            "'pg\\_toast\\_temp\\_%' ORDER BY nspname",
                            {}, url_, Where());
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.res); i++) out.emplace_back(PQgetvalue(r.res, i, 0));
  return out;
}

std::vector<std::string> PostgresConnector::ListTables(const std::string& schema) {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult ns = CatalogQuery(
      conn_,
      "SELECT nspname FROM pg_namespace WHERE nspname = $1 OR lower(nspname) = lower($1) "
      "ORDER BY nspname = $1 DESC LIMIT 1",
      {schema}, url_, Where());
  if (PQntuples(ns.res) == 0)
    throw Error(ErrorKind::kCatalog, Where() + ": no schema '" + schema + "'");
  PgResult r = CatalogQuery(
      conn_,
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY c.relname",
      {PQgetvalue(ns.res, 0, 0)}, url_, Where());
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.res); i++) out.emplace_back(PQgetvalue(r.res, i, 0));
  return out;
}

std::shared_ptr<const TableInfo> PostgresConnector::GetTable(const std::string& schema,
                                                             const std::string& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string s = schema.empty() ? "public" : schema;
  // An exact match first, then a case-insensitive one (unquoted names are folded differently).
  PgResult r = CatalogQuery(
      conn_,
      "SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples, c.relpages FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE (n.nspname = $1 OR lower(n.nspname) = lower($1)) AND (c.relname = $2 OR "
      "lower(c.relname) = lower($2)) "
      "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') "
      "ORDER BY (n.nspname = $1 AND c.relname = $2) DESC, c.relname = $2 DESC, n.nspname = $1 DESC "
      "LIMIT 1",
      {s, table}, url_, Where());
  if (PQntuples(r.res) == 0) return nullptr;
  auto info = std::make_shared<TableInfo>();
  auto meta = std::make_shared<PgTableMeta>();
  std::string oid = PQgetvalue(r.res, 0, 0);
  meta->remote_schema = PQgetvalue(r.res, 0, 1);
  meta->remote_name = PQgetvalue(r.res, 0, 2);
  meta->relkind = PQgetvalue(r.res, 0, 3)[0];
  double reltuples = std::strtod(PQgetvalue(r.res, 0, 4), nullptr);
  meta->relpages = std::strtod(PQgetvalue(r.res, 0, 5), nullptr);
  info->schema = meta->remote_schema;
  info->name = meta->remote_name;
  info->location = "postgres " + meta->remote_schema + "." + meta->remote_name;
  PgResult cols = CatalogQuery(
      conn_,
      "SELECT a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod), "
      "a.attnotnull, "
      "s.null_frac, s.n_distinct FROM pg_attribute a "
      "LEFT JOIN pg_stats s ON s.schemaname = $2 AND s.tablename = $3 AND s.attname = a.attname "
      "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {oid, meta->remote_schema, meta->remote_name}, url_, Where());
  bool have_rows =
      reltuples >= 0 && !(reltuples == 0 && meta->relpages == 0 && meta->relkind != 'r');
  if (reltuples >= 0) info->stats.row_count = reltuples;
  for (int i = 0; i < PQntuples(cols.res); i++) {
    ColumnInfo col;
    col.name = PQgetvalue(cols.res, i, 0);
    uint32_t type_oid =
        static_cast<uint32_t>(std::strtoul(PQgetvalue(cols.res, i, 1), nullptr, 10));
    int32_t typmod = static_cast<int32_t>(std::strtol(PQgetvalue(cols.res, i, 2), nullptr, 10));
    PgTypeMapping m = MapPgType(type_oid, typmod, PQgetvalue(cols.res, i, 3));
    col.type = m.type;
    col.comment = m.comment;
    col.nullable = std::string(PQgetvalue(cols.res, i, 4)) != "t";
    ColumnStatistics cs;
    if (!PQgetisnull(cols.res, i, 5))
      cs.null_fraction = std::strtod(PQgetvalue(cols.res, i, 5), nullptr);
    if (!PQgetisnull(cols.res, i, 6)) {
      double nd = std::strtod(PQgetvalue(cols.res, i, 6), nullptr);
      if (nd < 0 && have_rows)
        cs.distinct_count = -nd * reltuples;
      else if (nd > 0)
        cs.distinct_count = nd;
    }
    info->stats.columns.push_back(cs);
    meta->casts.push_back(m.cast);
    info->columns.push_back(std::move(col));
  }
  metas_[MetaKey(info->schema, info->name)] = meta;
  return info;
}

std::shared_ptr<const PgTableMeta> PostgresConnector::Meta(const TableInfo& table) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = metas_.find(MetaKey(table.schema, table.name));
    if (it != metas_.end()) return it->second;
  }
  if (!GetTable(table.schema, table.name)) {
    throw Error(ErrorKind::kCatalog,
                Where() + ": table '" + table.schema + "." + table.name + "' does not exist");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return metas_.at(MetaKey(table.schema, table.name));
}

std::unique_ptr<TableScan> PostgresConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": CreateScan without a table");
  auto meta = Meta(*table);
  if (meta->casts.size() != table->columns.size()) {
    throw Error(ErrorKind::kCatalog, Where() + ": table '" + table->schema + "." + table->name +
                                         "' changed its columns; reconnect");
  }
  return std::make_unique<PgScan>(this, Where(), url_, cache_, *table, *meta);
}

std::unique_ptr<TableWriter> PostgresConnector::CreateTable(
    const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns) {
  if (columns.empty())
    throw Error(ErrorKind::kCatalog, Where() + ": a table needs at least one column");
  if (GetTable(schema, table))
    throw Error(ErrorKind::kCatalog, Where() + ": table '" + table + "' already exists");
  std::string qualified =
      QuotePgIdentifier(schema.empty() ? "public" : schema) + "." + QuotePgIdentifier(table);
  std::string ddl = "CREATE TABLE " + qualified + " (";
  for (size_t i = 0; i < columns.size(); i++) {
    ddl += (i ? ", " : "") + QuotePgIdentifier(columns[i].name) + " " + PgTypeFor(columns[i].type);
  }
  ddl += ")";
  return std::make_unique<PgTableWriter>(Where() + " table '" + table + "'", url_, qualified,
                                         columns, ddl);
}

std::unique_ptr<TableWriter> PostgresConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table) throw Error(ErrorKind::kInternal, Where() + ": InsertInto without a table");
  std::string qualified = Qualified(*Meta(*table));
  return std::make_unique<PgTableWriter>(Where() + " table '" + table->name + "'", url_, qualified,
                                         table->columns, "");
}

std::string PostgresConnector::Summary() {
  std::lock_guard<std::mutex> lock(mutex_);
  PgResult r = CatalogQuery(
      conn_,
      "SELECT current_setting('server_version'), current_database(), (SELECT count(*) FROM "
      "pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','p','f') "
      "AND n.nspname NOT IN ('pg_catalog','information_schema','pg_toast'))",
      {}, url_, Where());
  return std::string("PostgreSQL ") + PQgetvalue(r.res, 0, 0) + ", database " +
         PQgetvalue(r.res, 0, 1) + ", " + PQgetvalue(r.res, 0, 2) + " table(s)";
}

void RegisterPostgresConnector() {
  ConnectorFactory::Register("postgres", {"postgres", "postgresql"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<PostgresConnector>(config);
                             });
}

}  // namespace aishell
