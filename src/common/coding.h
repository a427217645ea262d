// Big-endian (network order) unsigned integers in byte buffers: the one place vellum writes or
// reads them (record times, entry-bundle lengths, key ids, leaf-index records).
#ifndef VELLUM_COMMON_CODING_H_
#define VELLUM_COMMON_CODING_H_

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "vellum/hash.h"

namespace vellum {

// Writes `value` to out[0 .. sizeof(T)), most significant byte first.
template <std::unsigned_integral T>
constexpr void StoreBigEndian(T value, uint8_t* out) {
  for (size_t i = sizeof(T); i-- > 0;) {
    out[i] = static_cast<uint8_t>(value);
    value = static_cast<T>(value >> 8);
  }
}

// Reads the `bytes` big-endian bytes at `in` as a number. REQUIRES: bytes <= sizeof(T).
template <std::unsigned_integral T>
constexpr T LoadBigEndian(const uint8_t* in, size_t bytes = sizeof(T)) {
  T value = 0;
  for (size_t i = 0; i < bytes; ++i) value = static_cast<T>(value << 8 | in[i]);
  return value;
}

// Appends `value` to `out`, most significant byte first.
template <std::unsigned_integral T>
void AppendBigEndian(Bytes& out, T value) {
  uint8_t buf[sizeof(T)];
  StoreBigEndian(value, buf);
  out.insert(out.end(), buf, buf + sizeof(T));
}

}  // namespace vellum

#endif  // VELLUM_COMMON_CODING_H_
