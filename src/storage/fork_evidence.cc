// Checking fork evidence offline: two signed checkpoints of one origin whose trees hold
// different leaves at the same index cannot both be true.
#include <string>

#include "vellum/ledger.h"

namespace vellum {
namespace {

[[nodiscard]] Result<Checkpoint> OpenSide(const char* side, std::string_view note,
                                          std::span<const VerifierKey> keys) {
  auto checkpoint = OpenCheckpoint(note, keys);
  if (!checkpoint) {
    return Fail(ErrorCode::kVerificationFailed,
                std::string("the ") + side + " checkpoint: " + checkpoint.error().message());
  }
  return checkpoint;
}

}  // namespace

Result<void> CheckForkEvidence(const ForkEvidence& e, std::span<const VerifierKey> keys) {
  if (!e.proven) {
    return Fail(ErrorCode::kVerificationFailed,
                "this evidence carries no inclusion proofs (kept by an older vellum)");
  }
  auto local = OpenSide("local", e.local_note, keys);
  if (!local) return std::unexpected(local.error());
  auto peer = OpenSide("peer's", e.peer_note, keys);
  if (!peer) return std::unexpected(peer.error());
  if (local->origin != peer->origin) {
    return Fail(ErrorCode::kVerificationFailed, "the two checkpoints are of different logs ('" +
                                                    local->origin + "', '" + peer->origin + "')");
  }
  if (e.local_leaf == e.peer_leaf) {
    return Fail(ErrorCode::kVerificationFailed,
                "the two leaves at index " + std::to_string(e.fork_index) + " are the same");
  }
  const struct {
    const char* side;
    const Checkpoint& checkpoint;
    const Hash& leaf;
    const std::vector<Hash>& proof;
  } sides[] = {{"local", *local, e.local_leaf, e.local_proof},
               {"peer's", *peer, e.peer_leaf, e.peer_proof}};
  for (const auto& s : sides) {
    if (e.fork_index >= s.checkpoint.size) {
      return Fail(ErrorCode::kVerificationFailed,
                  std::string("the ") + s.side + " checkpoint (size " +
                      std::to_string(s.checkpoint.size) + ") does not reach index " +
                      std::to_string(e.fork_index));
    }
    if (auto ok = merkle::VerifyInclusion(s.leaf, e.fork_index, s.checkpoint.size, s.proof,
                                          s.checkpoint.root);
        !ok) {
      return Fail(
          ErrorCode::kVerificationFailed,
          std::string("the ") + s.side + " leaf's inclusion proof: " + ok.error().message());
    }
  }
  return {};
}

}  // namespace vellum
