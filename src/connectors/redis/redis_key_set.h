// The keys a SCAN returned so far (SCAN may return a key more than once): copies in arena blocks
// and an open-addressing table, so a scan of N keys makes O(log N) allocations, not N.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace aishell {

class RedisKeySet {
 public:
  // Makes room for `keys` keys without rehashing.
  void Reserve(size_t keys);
  // True (and *stored = the stable copy) if `key` was not in the set.
  bool Insert(std::string_view key, std::string_view* stored) {
    if ((count_ + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(1024, slots_.size() * 2));
    uint64_t h = XXH3_64bits(key.data(), key.size());
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.data) {
        s.data = Copy(key);
        s.len = static_cast<uint32_t>(key.size());
        s.hash = static_cast<uint32_t>(h >> 32);
        count_++;
        *stored = std::string_view(s.data, s.len);
        return true;
      }
      if (s.hash == static_cast<uint32_t>(h >> 32) && s.len == key.size() &&
          std::memcmp(s.data, key.data(), key.size()) == 0)
        return false;
    }
  }

 private:
  struct Slot {
    const char* data = nullptr;
    uint32_t len = 0;
    uint32_t hash = 0;  // high bits of the hash (the low bits pick the slot)
  };
  const char* Copy(std::string_view key);
  void Rehash(size_t slots);

  std::vector<Slot> slots_;
  size_t count_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0, block_size_ = 0;
};

}  // namespace aishell
