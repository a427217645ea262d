// Line-oriented text helpers the witness formats share. Internal to src/witness.
#ifndef VELLUM_WITNESS_TEXT_H_
#define VELLUM_WITNESS_TEXT_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vellum::witness {

// A decimal with no sign and no leading zeroes ("0" alone), as the C2SP formats write sizes,
// indexes and times.
inline std::optional<uint64_t> ParseDecimal(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  return value;
}

// Takes the next line (without its newline) off `text`; nullopt when no newline is left.
inline std::optional<std::string_view> NextLine(std::string_view& text) {
  const size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return line;
}

}  // namespace vellum::witness

#endif  // VELLUM_WITNESS_TEXT_H_
