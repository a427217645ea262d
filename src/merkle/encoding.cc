// Hex and base64 codecs for hashes, keys and signatures.
#include <openssl/evp.h>

#include <string>

#include "vellum/hash.h"

namespace vellum {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string ToHex(std::span<const uint8_t> data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "hex string has odd length " + std::to_string(hex.size()));
  }
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
      return Fail(ErrorCode::kInvalidArgument,
                  "invalid hex character at position " + std::to_string(bad));
    }
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

Result<Hash> HashFromBytes(std::span<const uint8_t> data) {
  if (data.size() != kHashSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "hash must be 32 bytes, got " + std::to_string(data.size()));
  }
  Hash h;
  std::copy(data.begin(), data.end(), h.begin());
  return h;
}

Result<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 2 * kHashSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "hash must be 64 hex characters, got " + std::to_string(hex.size()));
  }
  auto bytes = FromHex(hex);
  if (!bytes) return std::unexpected(bytes.error());
  return HashFromBytes(*bytes);
}

std::string Base64Encode(std::span<const uint8_t> data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  // EVP_DecodeBlock is lenient (whitespace, padding); check the strict form first.
  if (text.size() % 4 != 0) {
    return Fail(ErrorCode::kInvalidArgument, "base64 length is not a multiple of 4");
  }
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    if (!IsBase64Char(text[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  "invalid base64 character at position " + std::to_string(i));
    }
  }
  Bytes out(text.size() / 4 * 3);
  if (!text.empty()) {
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return Fail(ErrorCode::kInvalidArgument, "malformed base64");
  }
  out.resize(out.size() - pad);
  if (Base64Encode(out) != text) {
    return Fail(ErrorCode::kInvalidArgument, "non-canonical base64 (stray bits in padding)");
  }
  return out;
}

}  // namespace vellum
