// The PostgreSQL binary COPY reading path: the wire protocol of a COPY (PgCopyOutStream, reading a
// socket) and the binary COPY decoder behind it (DecodePgCopyRows, as a scan decodes). The input:
// a byte whose low bits give the number of columns, one byte per column choosing its type, a byte
// choosing the size of the pieces the server side writes, then the server's bytes (CopyOutResponse,
// CopyData rows, CopyDone, CommandComplete, ReadyForQuery, or anything else). They are written
// through a socket pair in those pieces while the stream reads; the rows of each COPY are then
// decoded. Malformed messages and rows must fail with a message, never crash, hang or allocate
// without bound.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "connectors/postgres/copy_out_stream.h"
#include "connectors/postgres/postgres_data_source.h"
#include "fuzz_util.h"

namespace {

using aishell::LogicalType;
using aishell::TypeId;

LogicalType ColumnType(uint8_t b) {
  switch (b % 16) {
    case 0:
      return LogicalType(TypeId::kBoolean);
    case 1:
      return LogicalType(TypeId::kSmallInt);
    case 2:
      return LogicalType(TypeId::kInteger);
    case 3:
      return LogicalType(TypeId::kBigInt);
    case 4:
      return LogicalType(TypeId::kReal);
    case 5:
      return LogicalType(TypeId::kDouble);
    case 6:
      return LogicalType::Decimal(10, 2);
    case 7:
      return LogicalType::Decimal(38, 6);
    case 8:
      return LogicalType(TypeId::kDate);
    case 9:
      return LogicalType(TypeId::kTimestamp);
    case 10:
      return LogicalType(TypeId::kVarchar);
    case 11:
      return LogicalType(TypeId::kVarbinary);
    case 12:
      return LogicalType(TypeId::kJson);
    case 13:
      return LogicalType(TypeId::kUuid);
    case 14:
      return LogicalType(TypeId::kTime);
    default:
      return LogicalType::Decimal(18, 0);
  }
}

void Decode(const std::vector<LogicalType>& types, const std::vector<std::string>& rows) {
  std::vector<std::string_view> payloads(rows.begin(), rows.end());
  try {
    aishell::Batch batch = aishell::DecodePgCopyRows(types, payloads);
    for (auto& column : batch.columns) {
      for (size_t r = 0; r < batch.count; r++) (void)column.GetValue(r).ToString();
    }
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t ncols = data[0] % 9;
  if (size < 2 + ncols) return 0;
  std::vector<LogicalType> types;
  for (size_t i = 0; i < ncols; i++) types.push_back(ColumnType(data[1 + i]));
  const size_t piece = size_t{1} << (data[1 + ncols] % 16);
  std::string_view server = aishell::fuzz::AsText(data + 2 + ncols, size - 2 - ncols);

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) aishell::fuzz::Fail("socketpair");
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  std::vector<std::string> rows;
  {
    aishell::PgCopyOutStream stream(fds[0]);
    bool ok = stream.Send("COPY (SELECT 1) TO STDOUT (FORMAT binary)");
    size_t written = 0;
    bool closed = false;
    int idle_rounds = 0;
    while (ok) {
      const char* row = nullptr;
      size_t len = 0;
      auto status = stream.Next(&row, &len);
      if (status == aishell::PgCopyOutStream::Status::kRow) {
        if (rows.size() < aishell::kBatchSize) rows.emplace_back(row, len);
        continue;
      }
      if (status != aishell::PgCopyOutStream::Status::kWouldBlock) {
        (void)stream.error().size();
        break;
      }
      // The server side writes its next piece (or closes), then the client reads.
      if (written < server.size()) {
        ssize_t n = ::send(fds[1], server.data() + written,
                           std::min(piece, server.size() - written), MSG_NOSIGNAL);
        if (n > 0) written += static_cast<size_t>(n);
      } else if (!closed) {
        ::shutdown(fds[1], SHUT_WR);
        closed = true;
      }
      // Drain what the client sent, so that the server side's buffer never fills.
      char sink[4096];
      while (::recv(fds[1], sink, sizeof(sink), 0) > 0) {
      }
      size_t before = written;
      ok = stream.Receive();
      if (closed && before == written && ++idle_rounds > 4)
        aishell::fuzz::Fail("the stream neither ends nor fails after the server closed");
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  Decode(types, rows);
  return 0;
}
