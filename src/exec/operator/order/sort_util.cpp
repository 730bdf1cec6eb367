#include "exec/operator/order/sort_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string_view>
#include <thread>

namespace aishell {

int CompareRows(const std::vector<SortColumn>& keys, size_t a, size_t b) {
  for (const auto& k : keys) {
    bool na = k.key.nulls[a], nb = k.key.nulls[b];
    if (na || nb) {
      if (na && nb) continue;
      // NULL placement does not depend on the direction.
      return na ? (k.nulls_first ? -1 : 1) : (k.nulls_first ? 1 : -1);
    }
    int c = k.key.Compare(a, k.key, b);
    if (c != 0) return k.ascending ? c : -c;
  }
  return 0;
}

namespace {

// Order-preserving 64-bit encodings of sort key values.
inline uint64_t EncodeInt(int64_t x) { return static_cast<uint64_t>(x) ^ (uint64_t{1} << 63); }
inline uint64_t EncodeDouble(double d) {
  if (d == 0) d = 0;
  if (std::isnan(d)) return ~uint64_t{0};  // NaN sorts after everything
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}
inline uint64_t EncodeStringPrefix(std::string_view s) {
  uint64_t v = 0;
  size_t n = std::min<size_t>(8, s.size());
  for (size_t i = 0; i < n; i++)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(s[i])) << (56 - 8 * i);
  return v;
}

struct Encoded {
  std::vector<uint64_t> words;  // row-major, `width` words per row
  size_t width = 0;
  struct KeyLayout {
    size_t value_word;
    bool string_tiebreak;
    bool ascending;
  };
  std::vector<KeyLayout> layout;
  bool any_string = false;
};

bool Encodable(const std::vector<SortColumn>& keys) {
  for (const auto& k : keys) {
    if (k.key.key_class == KeyClass::kInterval || k.key.key_class == KeyClass::kWide ||
        !k.key.nested_values.empty())
      return false;
  }
  return true;
}

Encoded Encode(const std::vector<SortColumn>& keys, size_t n) {
  Encoded e;
  for (const auto& k : keys) {
    if (k.key.has_nulls) e.width++;
    e.layout.push_back({e.width, k.key.key_class == KeyClass::kString, k.ascending});
    if (k.key.key_class == KeyClass::kString) e.any_string = true;
    e.width++;
  }
  e.words.assign(n * e.width, 0);
  size_t w = 0;
  for (size_t ki = 0; ki < keys.size(); ki++) {
    const SortColumn& k = keys[ki];
    const KeyColumn& c = k.key;
    if (c.has_nulls) {
      uint64_t null_rank = k.nulls_first ? 0 : 2;
      for (size_t i = 0; i < n; i++) e.words[i * e.width + w] = c.nulls[i] ? null_rank : 1;
      w++;
    }
    uint64_t flip = k.ascending ? 0 : ~uint64_t{0};
    uint64_t* out = e.words.data() + w;
    switch (c.key_class) {
      case KeyClass::kInt:
        for (size_t i = 0; i < n; i++) out[i * e.width] = EncodeInt(c.ints[i]) ^ flip;
        break;
      case KeyClass::kDouble:
        for (size_t i = 0; i < n; i++) out[i * e.width] = EncodeDouble(c.doubles[i]) ^ flip;
        break;
      case KeyClass::kString:
        for (size_t i = 0; i < n; i++) out[i * e.width] = EncodeStringPrefix(c.strings[i]) ^ flip;
        break;
      case KeyClass::kInterval:
      case KeyClass::kWide:
        break;
    }
    if (c.has_nulls) {
      for (size_t i = 0; i < n; i++) {
        if (c.nulls[i]) out[i * e.width] = 0;
      }
    }
    w++;
  }
  return e;
}

// Sorts [begin, end) (or only its first `limit` elements), splitting big inputs over threads.
template <class It, class Less>
void SortRange(It begin, It end, Less less, int64_t limit, int threads) {
  size_t n = static_cast<size_t>(end - begin);
  if (limit >= 0 && static_cast<size_t>(limit) <= n / 4) {
    // A heap of `limit` elements; for a big share of the input a full (parallel) sort is faster.
    std::partial_sort(begin, begin + limit, end, less);
    return;
  }
  if (threads <= 1 || n < 100000) {
    std::sort(begin, end, less);
    return;
  }
  It mid = begin + static_cast<std::ptrdiff_t>(n / 2);
  std::thread helper([&] { SortRange(begin, mid, less, -1, threads / 2); });
  try {
    SortRange(mid, end, less, -1, threads - threads / 2);
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  std::inplace_merge(begin, mid, end, less);
}

template <size_t W>
std::vector<uint32_t> SortFixed(const Encoded& e, size_t n, int64_t limit, int threads) {
  struct Rec {
    uint64_t k[W];
    uint32_t idx;
  };
  std::vector<Rec> recs(n);
  for (size_t i = 0; i < n; i++) {
    for (size_t w = 0; w < W; w++) recs[i].k[w] = e.words[i * W + w];
    recs[i].idx = static_cast<uint32_t>(i);
  }
  auto less = [](const Rec& a, const Rec& b) {
    for (size_t w = 0; w < W; w++) {
      if (a.k[w] != b.k[w]) return a.k[w] < b.k[w];
    }
    return a.idx < b.idx;
  };
  size_t keep = limit >= 0 && static_cast<size_t>(limit) < n ? static_cast<size_t>(limit) : n;
  SortRange(recs.begin(), recs.end(), less, limit, threads);
  std::vector<uint32_t> perm(keep);
  for (size_t i = 0; i < keep; i++) perm[i] = recs[i].idx;
  return perm;
}

}  // namespace

std::vector<uint32_t> SortPermutation(const std::vector<SortColumn>& keys, size_t n, int64_t limit,
                                      int threads) {
  if (keys.empty() || n <= 1) {
    std::vector<uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    if (limit >= 0 && static_cast<size_t>(limit) < n) perm.resize(limit);
    return perm;
  }
  if (Encodable(keys)) {
    Encoded e = Encode(keys, n);
    if (!e.any_string) {
      switch (e.width) {
        case 1:
          return SortFixed<1>(e, n, limit, threads);
        case 2:
          return SortFixed<2>(e, n, limit, threads);
        case 3:
          return SortFixed<3>(e, n, limit, threads);
        case 4:
          return SortFixed<4>(e, n, limit, threads);
        default:
          break;
      }
    }
    std::vector<uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    const size_t width = e.width;
    const uint64_t* words = e.words.data();
    auto less = [&](uint32_t a, uint32_t b) {
      const uint64_t* ra = words + static_cast<size_t>(a) * width;
      const uint64_t* rb = words + static_cast<size_t>(b) * width;
      size_t w = 0;
      for (size_t ki = 0; ki < keys.size(); ki++) {
        const auto& l = e.layout[ki];
        for (; w <= l.value_word; w++) {
          if (ra[w] != rb[w]) return ra[w] < rb[w];
        }
        if (l.string_tiebreak && !keys[ki].key.nulls[a]) {
          std::string_view sa = keys[ki].key.strings[a], sb = keys[ki].key.strings[b];
          // Equal prefixes tell equal strings apart only when both fit 8 bytes and have one
          // length (X'' and X'00', 'a' and 'a\0' encode alike: zero bytes pad the prefix).
          if ((sa.size() > 8 || sb.size() > 8 || sa.size() != sb.size()) && sa != sb)
            return l.ascending ? sa < sb : sb < sa;
        }
      }
      return a < b;
    };
    SortRange(perm.begin(), perm.end(), less, limit, threads);
    if (limit >= 0 && static_cast<size_t>(limit) < n) perm.resize(limit);
    return perm;
  }
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  auto less = [&](uint32_t a, uint32_t b) {
    int c = CompareRows(keys, a, b);
    return c != 0 ? c < 0 : a < b;
  };
  if (limit >= 0 && static_cast<size_t>(limit) < n) {
    std::partial_sort(perm.begin(), perm.begin() + limit, perm.end(), less);
    perm.resize(limit);
  } else {
    std::sort(perm.begin(), perm.end(), less);
  }
  return perm;
}

}  // namespace aishell
