// Roots and proofs over any HashSource: the plan (tree_math) says which perfect subtrees are
// needed, the source supplies them in one call, and at most one ephemeral node is re-hashed.
#include <string>

#include "merkle/tree_math.h"
#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

[[nodiscard]] Result<std::vector<Hash>> Fetch(HashSource& source, std::span<const NodeId> nodes) {
  std::vector<Hash> hashes(nodes.size());
  if (nodes.empty()) return hashes;
  auto ok = source.GetHashes(nodes, hashes);
  if (!ok) return std::unexpected(ok.error());
  return hashes;
}

}  // namespace

Result<Hash> RootAt(HashSource& source, uint64_t size) {
  if (size == 0) return EmptyRoot();
  auto hashes = Fetch(source, RangeNodes(0, size));
  if (!hashes) return std::unexpected(hashes.error());
  return FoldRange(*hashes);
}

Result<std::vector<Hash>> InclusionProof(HashSource& source, uint64_t index, uint64_t size) {
  if (index >= size) {
    return Fail(ErrorCode::kInvalidArgument, "inclusion proof: index " + std::to_string(index) +
                                                 " is not below tree size " + std::to_string(size));
  }
  ProofPlan plan = InclusionPlan(index, size);
  auto hashes = Fetch(source, plan.nodes);
  if (!hashes) return std::unexpected(hashes.error());
  return AssembleProof(plan, *hashes);
}

Result<std::vector<Hash>> ConsistencyProof(HashSource& source, uint64_t old_size,
                                           uint64_t new_size) {
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument,
                "consistency proof: old size " + std::to_string(old_size) +
                    " is larger than new size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>{};
  ProofPlan plan = ConsistencyPlan(old_size, new_size);
  auto hashes = Fetch(source, plan.nodes);
  if (!hashes) return std::unexpected(hashes.error());
  return AssembleProof(plan, *hashes);
}

}  // namespace vellum::merkle
