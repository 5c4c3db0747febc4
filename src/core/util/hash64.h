// XXH64 (xxHash, 64-bit, by Yann Collet; spec: github.com/Cyan4973/xxHash,
// doc/xxhash_spec.md): the fast, non-cryptographic checksum of token caches
// and cell records. It detects torn writes, bit flips and hand edits; it does
// not resist a forger (sha256 fingerprints identify files, this only checks them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lengen {

uint64_t xxh64(const void* data, size_t size, uint64_t seed = 0);
inline uint64_t xxh64(std::string_view bytes, uint64_t seed = 0) {
  return xxh64(bytes.data(), bytes.size(), seed);
}
// 16 lowercase hex digits.
std::string xxh64_hex(std::string_view bytes);

}  // namespace lengen
