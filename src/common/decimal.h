// Decimal numbers as the C2SP formats and vellum's paths write them: no sign, no leading zeroes
// ("0" alone), at most 2^64 - 1 (checkpoint sizes, tile widths, witness and receipt lines).
#ifndef VELLUM_COMMON_DECIMAL_H_
#define VELLUM_COMMON_DECIMAL_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vellum {

inline std::optional<uint64_t> ParseDecimal(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  return value;
}

}  // namespace vellum

#endif  // VELLUM_COMMON_DECIMAL_H_
