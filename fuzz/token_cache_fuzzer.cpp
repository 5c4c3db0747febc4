// Fuzzes the token-cache reader (TokenCache::from_memory: the same checks as
// opening a file). When the first input byte is odd the input's checksum is
// recomputed and patched in, so the checks behind the checksum are reached too.
#include <cstring>
#include <vector>

#include "core/data/token_cache.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::token_cache(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool reseal = (data[0] & 1) != 0;
  // 8-byte aligned copy, as mmap would give.
  std::vector<uint64_t> storage((size - 1 + 7) / 8 + 1);
  auto* bytes = reinterpret_cast<uint8_t*>(storage.data());
  std::memcpy(bytes, data + 1, size - 1);
  const size_t length = size - 1;
  if (reseal && length >= lengen::kTokenCacheHeaderSize) {
    const uint64_t sum = lengen::token_cache_checksum(bytes, length);
    std::memcpy(bytes + offsetof(lengen::TokenCacheHeader, checksum), &sum, sizeof(sum));
  }
  lengen::fuzz::expect_clean([&] {
    const lengen::TokenCache cache = lengen::TokenCache::from_memory(bytes, length, "fuzz.tok");
    int64_t window[64];
    for (size_t doc = 0; doc < cache.document_count(); ++doc) {
      const int64_t n = cache.document_length(doc);
      (void)cache.document_bytes(doc);
      (void)cache.document_name(doc);
      cache.copy_tokens(doc, 0, std::min<int64_t>(n, 64), window);
      if (n > 0) cache.copy_tokens(doc, n - 1, 1, window);
    }
  });
  return 0;
}
