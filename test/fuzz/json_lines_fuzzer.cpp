// The JSON Lines reader (src/formats/json/json_reader.h): key union and type inference over a
// sample, then the scan. The first input byte chooses the options (a small sample); the rest is the
// file. The file is read whole and in byte-range splits (the minimum range lowered to 64 bytes):
// both must give the same rows. Malformed lines must throw Error naming the file and line, never
// crash or hang.
#include <string>

#include "formats/file_scan.h"
#include "formats/json/json_reader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  aishell::FileScan::SetMinByteRangeForTesting(64);
  const uint8_t mode = data[0];
  aishell::fuzz::TempFile file(aishell::fuzz::AsText(data + 1, size - 1), "jsonl");
  aishell::FileOptions options;
  if (mode & 1) options["sample_size"] = aishell::Value::BigInt(2);
  try {
    aishell::JsonFormat format;
    auto table = format.Open("read_json", {file.path()}, options, "", "t");
    (void)table->info()->columns.size();
    auto whole = table->CreateScan();
    auto split = table->CreateScan();
    aishell::fuzz::CheckSplitsAgree(*whole, *split, "read_json");
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  return 0;
}
