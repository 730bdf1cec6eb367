#include "connectors/redis/redis_key_set.h"

#include <algorithm>

namespace aishell {

void RedisKeySet::Reserve(size_t keys) {
  size_t slots = 1024;
  while (slots < keys * 2) slots *= 2;
  if (slots > slots_.size()) Rehash(slots);
}

const char* RedisKeySet::Copy(std::string_view key) {
  if (block_used_ + key.size() > block_size_) {
    block_size_ = std::max<size_t>(size_t{1} << 20, key.size());
    blocks_.emplace_back(new char[block_size_]);
    block_used_ = 0;
  }
  char* p = blocks_.back().get() + block_used_;
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  block_used_ += key.size();
  return p;
}

void RedisKeySet::Rehash(size_t slots) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(slots, Slot{});
  size_t mask = slots - 1;
  for (const Slot& s : old) {
    if (!s.data) continue;
    uint64_t h = XXH3_64bits(s.data, s.len);
    size_t i = h & mask;
    while (slots_[i].data) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace aishell
