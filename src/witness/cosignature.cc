// C2SP tlog-cosignature, the Ed25519 type (cosignature/v1).
#include <string>

#include "common/coding.h"
#include "vellum/witness.h"

namespace vellum {

std::string CosignatureMessage(std::string_view body, uint64_t timestamp) {
  std::string message = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  message += body;
  return message;
}

Result<NoteSignature> Cosign(const SignerKey& key, std::string_view body, uint64_t timestamp) {
  if (key.type() != KeyType::kCosignature) {
    return Fail(ErrorCode::kInvalidArgument,
                "key " + key.name() +
                    " is not a cosigner key (type 0x04); make one with "
                    "`vellum witness init`");
  }
  if (timestamp > kMaxCosignatureTime) {
    return Fail(ErrorCode::kInvalidArgument, "a cosignature's time must be below 2^63");
  }
  auto sig = key.Sign(CosignatureMessage(body, timestamp));
  if (!sig) return std::unexpected(sig.error());
  NoteSignature out{key.name(), key.key_id(), {}};
  AppendBigEndian(out.signature, timestamp);
  out.signature.insert(out.signature.end(), sig->begin(), sig->end());
  return out;
}

Result<uint64_t> VerifyCosignature(const VerifierKey& key, std::string_view body,
                                   const NoteSignature& signature) {
  if (key.type() != KeyType::kCosignature || signature.name != key.name() ||
      signature.key_id != key.key_id()) {
    return Fail(ErrorCode::kVerificationFailed,
                "the signature line is not a cosignature by " + key.name());
  }
  if (signature.signature.size() != 8 + 64) {
    return Fail(ErrorCode::kVerificationFailed,
                "cosignature by " + key.name() + " is not 8 + 64 bytes");
  }
  const uint64_t timestamp = LoadBigEndian<uint64_t>(signature.signature.data());
  if (timestamp > kMaxCosignatureTime) {
    return Fail(ErrorCode::kVerificationFailed,
                "cosignature by " + key.name() + " has a time beyond 2^63 - 1");
  }
  auto ok =
      key.Verify(CosignatureMessage(body, timestamp), std::span(signature.signature).subspan(8));
  if (!ok) {
    return Fail(ErrorCode::kVerificationFailed, "cosignature by " + key.name() +
                                                    " does not verify: the checkpoint was "
                                                    "altered or the cosignature forged");
  }
  return timestamp;
}

}  // namespace vellum
