// UTF-8 shared by the entry store (text payloads), the signed-note parser, key files and policies.
#ifndef VELLUM_COMMON_UTF8_H_
#define VELLUM_COMMON_UTF8_H_

#include <cstdint>
#include <string_view>

namespace vellum {

// True when `s` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
// and `accept` returns true for every code point.
template <typename Accept>
bool AllCodePoints(std::string_view s, Accept accept) {
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = c;
    if (c >= 0x80) {
      if ((c & 0xe0) == 0xc0) {
        extra = 1, cp = c & 0x1f;
      } else if ((c & 0xf0) == 0xe0) {
        extra = 2, cp = c & 0x0f;
      } else if ((c & 0xf8) == 0xf0) {
        extra = 3, cp = c & 0x07;
      } else {
        return false;
      }
      if (i + extra >= s.size()) return false;
      for (size_t j = 1; j <= extra; ++j) {
        const auto d = static_cast<unsigned char>(s[i + j]);
        if ((d & 0xc0) != 0x80) return false;
        cp = cp << 6 | (d & 0x3f);
      }
      if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    }
    if (!accept(cp)) return false;
    i += extra + 1;
  }
  return true;
}

// True when `s` starts with U+FEFF, the byte-order mark some editors put before a file's text:
// legal UTF-8, but no signer or policy writes one, so an error about such a file names it.
inline bool StartsWithByteOrderMark(std::string_view s) { return s.starts_with("\xEF\xBB\xBF"); }

}  // namespace vellum

#endif  // VELLUM_COMMON_UTF8_H_
