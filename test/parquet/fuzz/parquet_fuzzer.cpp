// A fuzz target for ParquetFileReader: LLVMFuzzerTestOneInput opens the input as a Parquet file
// and reads every column of every row group (and every value of the result). Any aishell::Error is
// fine; a crash, a sanitizer report or any other exception is a bug.
//
// With clang:  clang++ -fsanitize=fuzzer,address ... (see build_and_run.sh)
// With g++:    the same file plus a small main() (AISHELL_FUZZ_STANDALONE) that replays the seed
//              files and random mutations of them for a bounded time.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "common/exception.h"
#include "formats/parquet/parquet_file_reader.h"

namespace {

// The fuzz input as a file: memory-mapped like a local file, or read by ranges like a remote one.
class BufferFile : public aishell::RandomAccessFile {
 public:
  BufferFile(const uint8_t* data, size_t size, bool mapped)
      : data_(data), size_(size), mapped_(mapped) {}
  const std::string& path() const override { return path_; }
  int64_t Size() override { return static_cast<int64_t>(size_); }
  void ReadAt(int64_t offset, int64_t length, uint8_t* out) override {
    if (offset < 0 || length < 0 || offset + length > Size())
      throw aishell::Error(aishell::ErrorKind::kIo, "short read");
    if (length > 0) std::memcpy(out, data_ + offset, static_cast<size_t>(length));
  }
  const uint8_t* MappedData() override { return mapped_ ? data_ : nullptr; }

 private:
  std::string path_ = "fuzz.parquet";
  const uint8_t* data_;
  size_t size_;
  bool mapped_;
};

void ReadEverything(const uint8_t* data, size_t size, bool mapped) {
  try {
    auto file = std::make_shared<BufferFile>(data, size, mapped);
    auto reader = aishell::parquet::ParquetFileReader::Open(file, "fuzz");
    std::vector<int> columns;
    for (size_t c = 0; c < reader->columns().size(); c++) columns.push_back(static_cast<int>(c));
    for (int rg = 0; rg < reader->row_group_count(); rg++) {
      for (size_t c = 0; c < columns.size(); c++) (void)reader->ColumnRange(rg, columns[c]);
      try {
        auto vectors = reader->ReadRowGroup(rg, columns, nullptr);
        for (auto& v : vectors) {
          if (v.size() != static_cast<size_t>(reader->row_group(rg).num_rows)) std::abort();
          for (size_t i = 0; i < v.size(); i++) (void)v.GetValue(i);
        }
      } catch (const aishell::Error& e) {
        if (e.kind() == aishell::ErrorKind::kInternal) throw;
        // One bad column must not hide problems in the others: read them one by one.
        for (int c : columns) {
          try {
            reader->ReadRowGroup(rg, {c}, nullptr);
          } catch (const aishell::Error& e2) {
            if (e2.kind() == aishell::ErrorKind::kInternal) throw;
          }
        }
      }
    }
  } catch (const aishell::Error& e) {
    if (e.kind() == aishell::ErrorKind::kInternal) {
      std::fprintf(stderr, "internal error: %s\n", e.what());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReadEverything(data, size, true);
  // Odd-sized inputs also go through the ranged-read (remote file) path.
  if (size % 2 == 1) ReadEverything(data, size, false);
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
  std::printf("parquet_fuzzer: %ld runs in %.0f s, no crash\n", runs, seconds);
  return 0;
}
#endif
