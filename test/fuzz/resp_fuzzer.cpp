// The Redis RESP2 reply parser (src/connectors/redis/resp_client.h RespReader): the input after
// its first byte is a stream of replies, fed in pieces of a size the first byte chooses (through
// Feed, or Space + Commit), parsed incrementally; every reply is walked and its strings read.
// A malformed reply must throw Error(kConnector), never crash, loop or read out of bounds.
#include <cstring>
#include <string_view>

#include "connectors/redis/resp_client.h"
#include "fuzz_util.h"

namespace {

using aishell::RespType;
using aishell::RespView;

// Visits `v` and its elements; returns a checksum so that nothing is optimized away.
uint64_t Walk(const RespView& v, int depth) {
  if (depth > 1000) aishell::fuzz::Fail("reply nested deeper than the parser allows");
  uint64_t sum = static_cast<uint64_t>(v.type());
  switch (v.type()) {
    case RespType::kString:
    case RespType::kStatus:
    case RespType::kError:
      for (char c : v.str()) sum = sum * 31 + static_cast<unsigned char>(c);
      break;
    case RespType::kInteger:
      sum += static_cast<uint64_t>(v.integer());
      break;
    case RespType::kNil:
      break;
    case RespType::kArray: {
      if (v.integer() < 0) aishell::fuzz::Fail("array with a negative element count");
      RespView e = v.first();
      for (size_t i = 0; i < v.size(); i++) {
        sum += Walk(e, depth + 1);
        e = e.next();
      }
      if (e.index() != v.next().index()) aishell::fuzz::Fail("array subtree end is wrong");
      break;
    }
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view in = aishell::fuzz::AsText(data + 1, size - 1);
  const size_t piece = (mode & 0x3f) == 0 ? in.size() + 1 : (mode & 0x3f);
  const bool use_space = mode & 0x40;
  const bool discard = mode & 0x80;
  aishell::RespReader reader;
  volatile uint64_t sink = 0;
  try {
    size_t pos = 0;
    while (pos < in.size()) {
      size_t n = std::min(piece, in.size() - pos);
      if (use_space) {
        size_t available = 0;
        char* space = reader.Space(n, &available);
        if (available < n) aishell::fuzz::Fail("Space gave less room than asked");
        std::memcpy(space, in.data() + pos, n);
        reader.Commit(n);
      } else {
        reader.Feed(in.substr(pos, n));
      }
      pos += n;
      RespView reply;
      while (reader.Next(&reply)) {
        sink = sink + Walk(reply, 0);
        if (discard) reader.Discard();
      }
    }
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  return 0;
}
