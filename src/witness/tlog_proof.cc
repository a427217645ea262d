// C2SP tlog-proof receipts.
#include <string>

#include "common/plural.h"
#include "vellum/merkle.h"
#include "vellum/witness.h"
#include "witness/text.h"

namespace vellum {
namespace {

std::unexpected<Error> Malformed(const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument, "malformed tlog-proof: " + why);
}

}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out = std::string(kTlogProofHeader) + "\n";
  if (proof.extra) out += "extra " + Base64Encode(*proof.extra) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const Hash& h : proof.inclusion) out += Base64Encode(h) + "\n";
  out += "\n" + proof.checkpoint;
  return out;
}

Result<TlogProof> ParseTlogProof(std::string_view text) {
  if (text.size() > kMaxNoteSize + 4096) return Malformed("longer than a checkpoint and a proof");
  TlogProof proof;
  auto header = witness::NextLine(text);
  if (!header || *header != kTlogProofHeader) {
    return Malformed("the first line must be " + std::string(kTlogProofHeader));
  }
  auto line = witness::NextLine(text);
  if (line && line->starts_with("extra ")) {
    auto extra = Base64Decode(line->substr(6));
    if (!extra) return Malformed("the extra line is not base64");
    proof.extra = std::move(*extra);
    line = witness::NextLine(text);
  }
  if (!line || !line->starts_with("index ")) return Malformed("no index line");
  auto index = ParseDecimal(line->substr(6));
  if (!index) return Malformed("the index is not a decimal number without leading zeroes");
  proof.index = *index;
  auto inclusion = witness::ReadHashLines(text, 64, "malformed tlog-proof");
  if (!inclusion) return std::unexpected(inclusion.error());
  proof.inclusion = std::move(*inclusion);
  auto note = ParseSignedNote(text);
  if (!note) return Malformed(note.error().message());
  auto body = ParseCheckpointBody(note->text);
  if (!body) return Malformed(body.error().message());
  proof.checkpoint = std::string(text);
  return proof;
}

Result<Checkpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                   const Policy& policy, std::span<const VerifierKey> log_keys) {
  auto checkpoint = policy.Open(proof.checkpoint, log_keys);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  if (proof.index >= checkpoint->size) {
    return Fail(ErrorCode::kVerificationFailed, "index " + std::to_string(proof.index) +
                                                    " is not in the checkpoint's tree of " +
                                                    Entries(checkpoint->size));
  }
  auto included = merkle::VerifyInclusion(leaf_hash, proof.index, checkpoint->size, proof.inclusion,
                                          checkpoint->root);
  if (!included) {
    return Fail(ErrorCode::kVerificationFailed,
                "the entry is not at index " + std::to_string(proof.index) +
                    " of the checkpointed tree: " + included.error().message());
  }
  return checkpoint;
}

}  // namespace vellum
