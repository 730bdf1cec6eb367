// A fuzz target for the Parquet reader: LLVMFuzzerTestOneInput reads the input as a Parquet file
// (every column of every row group). Any aishell::Error is fine; a crash, a sanitizer report or
// any other exception is a bug.
//
// With clang:  clang++ -fsanitize=fuzzer,address ... (see build_and_run.sh)
// With g++:    the same file plus a small main() (AISHELL_FUZZ_STANDALONE) that replays the seed
//              files and random mutations of them for a bounded time.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/exception.h"
#include "formats/parquet/parquet_reader.h"

namespace {

std::string TempPath() {
  static std::string path = "/tmp/aishell_parquet_fuzz_" + std::to_string(::getpid()) + ".parquet";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = TempPath();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    aishell::ParquetFormat format;
    auto table = format.Open("read_parquet", {path}, {}, "", "fuzz");
    auto scan = table->CreateScan();
    for (auto& split : scan->CreateSplits(1)) {
      auto source = scan->CreateDataSource(split);
      aishell::Batch batch;
      while (source->Next(batch)) {
      }
    }
  } catch (const aishell::Error& e) {
    if (e.kind() == aishell::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}

#ifdef AISHELL_FUZZ_STANDALONE
#include <chrono>
#include <random>
#include <vector>

// Usage: parquet_fuzzer SECONDS seed files...
int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SECONDS FILE...\n", argv[0]);
    return 2;
  }
  double seconds = std::atof(argv[1]);
  std::vector<std::string> seeds;
  for (int i = 2; i < argc; i++) {
    std::ifstream in(argv[i], std::ios::binary);
    seeds.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seeds.back().data()),
                           seeds.back().size());
  }
  std::mt19937_64 rng(12345);
  auto start = std::chrono::steady_clock::now();
  long runs = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
         seconds) {
    std::string s = seeds[rng() % seeds.size()];
    if (s.empty()) continue;
    int mode = static_cast<int>(rng() % 4);
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits; k++) {
      size_t pos = rng() % s.size();
      if (mode == 0) {
        s[pos] = static_cast<char>(rng());
      } else if (mode == 1) {
        // Bias towards the footer, where the metadata lives.
        size_t tail = std::min<size_t>(s.size(), 512);
        s[s.size() - 1 - rng() % tail] = static_cast<char>(rng());
      } else if (mode == 2) {
        s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
      } else {
        s.erase(pos, std::min<size_t>(s.size() - pos, rng() % 16));
        if (s.empty()) break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    runs++;
  }
  std::remove(TempPath().c_str());
  std::printf("parquet_fuzzer: %ld runs in %.0f s, no crash\n", runs, seconds);
  return 0;
}
#endif
