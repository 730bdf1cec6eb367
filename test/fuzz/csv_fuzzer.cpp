// The CSV reader (src/formats/csv/csv_reader.h): the sniffer (dialect, header, column types from a
// sample) and the scan. The first input byte chooses the options (header forced or detected, the
// delimiter forced or detected, a small sample, a NULL string); the rest is the file. The file is
// read whole and in byte-range splits (the minimum range lowered to 64 bytes): both must give the
// same rows. Malformed files must throw Error naming the file, never crash or hang.
#include <string>

#include "formats/csv/csv_reader.h"
#include "formats/file_scan.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  aishell::FileScan::SetMinByteRangeForTesting(64);
  const uint8_t mode = data[0];
  aishell::fuzz::TempFile file(aishell::fuzz::AsText(data + 1, size - 1), "csv");
  aishell::FileOptions options;
  if ((mode & 3) == 1) options["header"] = aishell::Value::Boolean(true);
  if ((mode & 3) == 2) options["header"] = aishell::Value::Boolean(false);
  static const char* const kDelimiters[] = {"", ",", ";", "\t", "|", "", "", ""};
  const char* delimiter = kDelimiters[(mode >> 2) & 7];
  if (*delimiter) options["delim"] = aishell::Value::Varchar(delimiter);
  if (mode & 0x20) options["sample_size"] = aishell::Value::BigInt(2);
  if (mode & 0x40) options["nullstr"] = aishell::Value::Varchar("NA");
  if (mode & 0x80) options["quote"] = aishell::Value::Varchar("'");
  try {
    aishell::CsvFormat format;
    auto table = format.Open("read_csv", {file.path()}, options, "", "t");
    (void)table->info()->columns.size();
    auto whole = table->CreateScan();
    auto split = table->CreateScan();
    aishell::fuzz::CheckSplitsAgree(*whole, *split, "read_csv");
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  return 0;
}
