// C2SP tlog-checkpoint bodies.
#include "vellum/checkpoint.h"

#include <string>

#include "common/decimal.h"
#include "common/utf8.h"

namespace vellum {
namespace {

std::unexpected<Error> MalformedCheckpoint(const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument, "malformed checkpoint: " + why);
}

}  // namespace

Result<void> CheckOrigin(std::string_view origin) {
  if (origin.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a ledger needs an origin, e.g. example.com/audit");
  }
  if (origin.size() > kMaxOriginSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "the origin is longer than " + std::to_string(kMaxOriginSize) + " bytes");
  }
  const bool printable = AllCodePoints(
      origin, [](uint32_t cp) { return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0); });
  if (!printable) {
    return Fail(ErrorCode::kInvalidArgument,
                "the origin must be printable UTF-8 without control characters (it is the first "
                "line of every checkpoint), e.g. example.com/audit");
  }
  return {};
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  std::string out = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                    Base64Encode(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) out += line + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return MalformedCheckpoint("the last line has no newline");
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return MalformedCheckpoint("needs origin, size and root lines");
  Checkpoint cp;
  if (lines[0].empty()) return MalformedCheckpoint("empty origin");
  cp.origin = std::string(lines[0]);
  auto size = ParseDecimal(lines[1]);
  if (!size) return MalformedCheckpoint("size line is not a decimal number");
  cp.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != kHashSize)
    return MalformedCheckpoint("root is not 32 bytes of base64");
  cp.root = *HashFromBytes(*root);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return MalformedCheckpoint("empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, std::span<const VerifierKey> known) {
  auto parsed = ParseSignedNote(note);
  if (!parsed) return std::unexpected(parsed.error());
  auto verified = VerifyNote(*parsed, known);
  if (!verified) return std::unexpected(verified.error());
  return ParseCheckpointBody(parsed->text);
}

}  // namespace vellum
