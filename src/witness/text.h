// Line-oriented text helpers the witness formats share. Internal to src/witness.
// (Decimals: common/decimal.h.)
#ifndef VELLUM_WITNESS_TEXT_H_
#define VELLUM_WITNESS_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "vellum/error.h"
#include "vellum/hash.h"

namespace vellum::witness {

// Takes the next line (without its newline) off `text`; nullopt when no newline is left.
inline std::optional<std::string_view> NextLine(std::string_view& text) {
  const size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return line;
}

// Reads base64 hash lines off `text` up to and including the blank line that ends them (proof
// lines in tlog-witness requests and tlog-proof receipts), at most `max`. The error says which
// rule was broken, starting with `what`.
inline Result<std::vector<Hash>> ReadHashLines(std::string_view& text, size_t max,
                                               const std::string& what) {
  std::vector<Hash> hashes;
  while (true) {
    auto line = NextLine(text);
    if (!line)
      return Fail(ErrorCode::kInvalidArgument, what + ": no blank line before the checkpoint");
    if (line->empty()) return hashes;
    if (hashes.size() == max) {
      return Fail(ErrorCode::kInvalidArgument,
                  what + ": more than " + std::to_string(max) + " proof lines");
    }
    auto hash = Base64Decode(*line);
    if (!hash || hash->size() != kHashSize) {
      return Fail(ErrorCode::kInvalidArgument, what + ": proof line " +
                                                   std::to_string(hashes.size() + 1) +
                                                   " is not 32 bytes of base64");
    }
    hashes.push_back(*HashFromBytes(*hash));
  }
}

}  // namespace vellum::witness

#endif  // VELLUM_WITNESS_TEXT_H_
