#include "connectors/postgres/postgres_data_source.h"

#include <libpq-fe.h>

#include <poll.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "catalog/emit_batch.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/pow10.h"
#include "connectors/postgres/connection_cache.h"
#include "connectors/postgres/copy_out_stream.h"
#include "connectors/remote_sql/sql_dialect.h"

namespace aishell {

namespace {

constexpr int32_t kPgEpochDays = 10957;                      // 2000-01-01 - 1970-01-01
constexpr int64_t kPgEpochMicros = 946684800LL * 1000000LL;  // the same in microseconds

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

// PostgreSQL's binary numeric -> unscaled value at `scale` (int64 for precision <= 18, Int128 up
// to 38). False on NaN/Infinity or when the value does not fit `precision` digits.
bool DecodeNumeric(const char* p, int32_t len, int scale, int precision, Int128* out) {
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
  const Int128 max = Pow10Wide(precision);
  Int128 acc = 0;
  int i = 0;
  // Digits beyond the scale only round: stop multiplying once the value passes the limit.
  for (; i < ndigits; i++) {
    Int128 next;
    if (__builtin_mul_overflow(acc, 10000, &next) ||
        __builtin_add_overflow(next, Be16(p + 8 + 2 * i), &next))
      return false;
    acc = next;
  }
  while (exp10 > 0) {
    if (__builtin_mul_overflow(acc, 10, &acc)) return false;
    exp10--;
  }
  if (exp10 < 0) {
    if (-exp10 > kMaxDecimalPrecision) {
      acc = 0;
    } else {
      Int128 div = Pow10Wide(-exp10);
      Int128 q = acc / div, r = acc % div;
      if (r * 2 >= div) q++;  // half away from zero, as PostgreSQL rounds
      acc = q;
    }
  }
  if (acc >= max) return false;
  *out = sign == 0x4000 ? -acc : acc;
  return true;
}

// How one binary COPY field is decoded into its column.
enum class PgField : uint8_t {
  kBool,
  kBytes,     // bytea: the raw bytes
  kJsonText,  // json, jsonb (read as ::text)
  kUuid,
  kTime,
  kInt2,
  kFloat4,
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
        case TypeId::kSmallInt:
          s.kind = PgField::kInt2;
          break;
        case TypeId::kReal:
          s.kind = PgField::kFloat4;
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
        case TypeId::kVarbinary:
          s.kind = PgField::kBytes;
          break;
        case TypeId::kJson:
          s.kind = PgField::kJsonText;
          break;
        case TypeId::kUuid:
          s.kind = PgField::kUuid;
          break;
        case TypeId::kTime:
          s.kind = PgField::kTime;
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
    conn_ = pool_ ? pool_->Acquire() : OpenPgConnection(cache_.get(), url_, where_);
    std::string copy = "COPY (" + sql_ + ") TO STDOUT (FORMAT binary)";
    if (RawCopyEnabled() && PgCopyOutStream::Usable(conn_->conn)) {
      stream_ = std::make_unique<PgCopyOutStream>(PQsocket(conn_->conn));
      in_copy_ = true;
      if (!stream_->Send(copy)) StreamFailed();
      return;
    }
    PGresult* r = PQexec(conn_->conn, copy.c_str());
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
      std::string msg = PgResultMessage(r, conn_->conn, url_);
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
      bool bytes = sinks_[j].kind == PgField::kText || sinks_[j].kind == PgField::kBytes ||
                   sinks_[j].kind == PgField::kJsonText;
      sinks_[j].heap = bytes ? v.heap().get() : nullptr;
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
        std::string msg = PgConnMessage(conn, url_);
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
      std::string msg = PgConnMessage(conn_->conn, url_);
      throw Error(ErrorKind::kConnector, where_ + ": the connection failed while reading: " + msg);
    }
  }
  int Socket() const { return conn_ && conn_->conn ? PQsocket(conn_->conn) : -1; }
  bool done() const { return done_; }

  // Whether COPY data is read off the socket by PgCopyOutStream (the default) or through
  // PQgetCopyData (AISHELL_PG_COPY_VIA_LIBPQ=1, and always over TLS or GSS encryption).
  static bool RawCopyEnabled() {
    static const bool kEnabled = [] {
      const char* v = std::getenv("AISHELL_PG_COPY_VIA_LIBPQ");
      return !(v && *v && std::string_view(v) != "0");
    }();
    return kEnabled;
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

  friend Batch aishell::DecodePgCopyRows(const std::vector<LogicalType>& types,
                                         const std::vector<std::string_view>& payloads);

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
        case PgField::kInt2:
          if (len != 2) BadData("smallint width");
          reinterpret_cast<int16_t*>(s.data)[r] = static_cast<int16_t>(Be16(p));
          break;
        case PgField::kInt4:
          if (len != 4) BadData("integer width");
          reinterpret_cast<int32_t*>(s.data)[r] = static_cast<int32_t>(Be32(p));
          break;
        case PgField::kFloat4: {
          if (len != 4) BadData("real width");
          uint32_t bits = Be32(p);
          std::memcpy(reinterpret_cast<float*>(s.data) + r, &bits, 4);
          break;
        }
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
          Int128 x;
          if (!DecodeNumeric(p, len, s.scale, s.precision, &x)) NumericError(j);
          if (s.precision > kMaxShortDecimalPrecision)
            reinterpret_cast<Int128*>(s.data)[r] = x;
          else
            reinterpret_cast<int64_t*>(s.data)[r] = static_cast<int64_t>(x);
          break;
        }
        case PgField::kTimestamp: {
          if (len != 8) BadData("timestamp width");
          int64_t t = static_cast<int64_t>(Be64(p));
          if (t == INT64_MAX || t == INT64_MIN) InfinityError(j, "timestamp");
          // PostgreSQL's range ends in 294276 AD, past what microseconds since 1970 hold.
          if (__builtin_add_overflow(t, kPgEpochMicros, &reinterpret_cast<int64_t*>(s.data)[r]))
            RangeError(j, "timestamp");
          break;
        }
        case PgField::kDate: {
          if (len != 4) BadData("date width");
          int32_t d = static_cast<int32_t>(Be32(p));
          if (d == INT32_MAX || d == INT32_MIN) InfinityError(j, "date");
          if (__builtin_add_overflow(d, kPgEpochDays, &reinterpret_cast<int32_t*>(s.data)[r]))
            RangeError(j, "date");
          break;
        }
        case PgField::kText:
        case PgField::kBytes:
          reinterpret_cast<std::string_view*>(s.data)[r] =
              s.heap->Add(std::string_view(p, static_cast<size_t>(len)));
          break;
        case PgField::kJsonText: {  // json / jsonb as text, kept in canonical form
          auto canonical = CanonicalJson(std::string_view(p, static_cast<size_t>(len)));
          if (!canonical) BadData("json text");
          reinterpret_cast<std::string_view*>(s.data)[r] = s.heap->Add(*canonical);
          break;
        }
        case PgField::kUuid:
          if (len != 16) BadData("uuid width");
          std::memcpy(reinterpret_cast<Uuid*>(s.data)[r].bytes, p, 16);
          break;
        case PgField::kTime:
          if (len != 8) BadData("time width");
          reinterpret_cast<int64_t*>(s.data)[r] = static_cast<int64_t>(Be64(p));
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
  [[noreturn, gnu::cold, gnu::noinline]] void RangeError(size_t j, const char* what) {
    throw Error(ErrorKind::kConversion, where_ + ": column '" + names_[j] + "' row " +
                                            std::to_string(row_number_ + 1) + ": a " + what +
                                            " past the year 292277 is not supported");
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
      std::string msg = st == PGRES_COMMAND_OK ? "" : PgResultMessage(r, conn_->conn, url_);
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
      ReturnPgConnection(cache_.get(), std::move(conn_));
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

std::vector<std::unique_ptr<PgCopyReader>> Readers(const PgCopyTarget& target,
                                                   const std::vector<std::string>& sqls,
                                                   const std::shared_ptr<PgSnapshotPool>& pool) {
  std::vector<std::unique_ptr<PgCopyReader>> readers;
  for (const auto& sql : sqls) {
    readers.push_back(std::make_unique<PgCopyReader>(target.where, target.url, sql, target.types,
                                                     target.names, target.counters, target.cache,
                                                     pool));
  }
  return readers;
}

}  // namespace

Batch DecodePgCopyRows(const std::vector<LogicalType>& types,
                       const std::vector<std::string_view>& payloads) {
  if (payloads.size() > kBatchSize)
    throw Error(ErrorKind::kUnsupported, "DecodePgCopyRows: more payloads than a batch holds");
  std::vector<std::string> names;
  for (size_t i = 0; i < types.size(); i++) names.push_back("c" + std::to_string(i));
  PgCopyReader reader("postgres source", "", "", types, std::move(names), nullptr, nullptr,
                      nullptr);
  Batch batch(types, kBatchSize);
  reader.Bind(batch);
  size_t rows = 0;
  for (std::string_view p : payloads) reader.DecodeMessage(p.data(), p.data() + p.size(), rows);
  batch.SetCount(rows);
  return batch;
}

int64_t PgSnapshotPool::Export(const std::string& qualified_table) {
  for (;;) {
    bool reused = false;
    exporter_ = OpenPgConnection(cache_.get(), url_, where_, &reused);
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

std::unique_ptr<PgConnection> PgSnapshotPool::Acquire() {
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
    auto c = OpenPgConnection(cache_.get(), url_, where_, &reused);
    try {
      PgExecScript(c->conn, sql, url_, where_);
      return c;
    } catch (const Error&) {
      // A cached connection the server has closed since: once more, with another one.
      if (!reused || PQstatus(c->conn) == CONNECTION_OK) throw;
    }
  }
}

void PgSnapshotPool::Release(std::unique_ptr<PgConnection> c) {
  std::vector<std::unique_ptr<PgConnection>> closing;
  std::lock_guard<std::mutex> lock(mutex_);
  if (splits_left_ > 0 && --splits_left_ == 0) {
    // Every split has ended cleanly: the transactions end, and the connections go back to the
    // source's cache (which rolls them back without waiting).
    closing = std::move(idle_);
    idle_.clear();
    if (c) closing.push_back(std::move(c));
    if (exporter_) closing.push_back(std::move(exporter_));
    for (auto& done : closing) ReturnPgConnection(cache_.get(), std::move(done));
    return;
  }
  if (!c || PQtransactionStatus(c->conn) != PQTRANS_INTRANS) return;
  idle_.push_back(std::move(c));
}

std::unique_ptr<DataSource> CreatePgDataSource(const PgCopyTarget& target,
                                               const std::vector<std::string>& sqls,
                                               std::shared_ptr<PgSnapshotPool> pool) {
  return std::make_unique<PgDataSource>(Readers(target, sqls, pool));
}

std::unique_ptr<DataSource> CreatePgMultiplexSource(const PgCopyTarget& target,
                                                    const std::vector<std::string>& sqls,
                                                    std::shared_ptr<PgSnapshotPool> pool) {
  return std::make_unique<PgMultiplexSource>(Readers(target, sqls, pool), target.types,
                                             target.counters);
}

}  // namespace aishell
