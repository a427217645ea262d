#include "common/printable.h"

#include <cstdio>

namespace vellum {

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls are U+0080..U+009F, encoded in UTF-8 as 0xC2 0x80..0x9F.
    const bool c1 = c == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    // The bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069):
    // shown, they reorder the text around them: U+202E before "gnp.exe" makes it read "exe.png".
    if (c == 0xe2 && i + 2 < text.size()) {
      const auto b = static_cast<unsigned char>(text[i + 1]);
      const auto d = static_cast<unsigned char>(text[i + 2]);
      if ((b == 0x80 && d >= 0xaa && d <= 0xae) || (b == 0x81 && d >= 0xa6 && d <= 0xa9)) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", 0x2000 + ((b & 0x3f) << 6) + (d & 0x3f));
        out += buf;
        i += 2;
        continue;
      }
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c1) {
      char buf[8];
      const unsigned v = c1 ? static_cast<unsigned char>(text[++i]) : c;
      std::snprintf(buf, sizeof(buf), "\\x%02x", v);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace vellum
