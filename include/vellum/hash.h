// The 32-byte SHA-256 value that names every leaf, node and root, and the text encodings used
// for it on the wire (hex in JSON and the CLI, standard base64 in checkpoints).
#ifndef VELLUM_HASH_H_
#define VELLUM_HASH_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vellum/error.h"

namespace vellum {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;
using Bytes = std::vector<uint8_t>;

// Lower-case hex of `data`.
std::string ToHex(std::span<const uint8_t> data);
// Decodes hex (either case). Fails on odd length or a non-hex character, naming its position.
[[nodiscard]] Result<Bytes> FromHex(std::string_view hex);
// Decodes exactly 64 hex characters into a Hash.
[[nodiscard]] Result<Hash> HashFromHex(std::string_view hex);
// Copies `data` into a Hash; fails unless it is exactly 32 bytes.
[[nodiscard]] Result<Hash> HashFromBytes(std::span<const uint8_t> data);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(std::span<const uint8_t> data);
// Strict standard base64: padding required, no whitespace, canonical trailing bits.
[[nodiscard]] Result<Bytes> Base64Decode(std::string_view text);

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace vellum

#endif  // VELLUM_HASH_H_
