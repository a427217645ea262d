// Test-only: the Merkle tree written straight from RFC 6962 §2.1 (recursive MTH, PATH, PROOF),
// with no shared code beyond the two hash functions, to cross-check the real implementation.
#ifndef VELLUM_TESTING_REFERENCE_TREE_H_
#define VELLUM_TESTING_REFERENCE_TREE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vellum/merkle.h"

namespace vellum::merkle::testing {

// MTH(D[0:n]) over leaf hashes.
Hash ReferenceRoot(std::span<const Hash> leaves);
// PATH(m, D[0:n]).
std::vector<Hash> ReferenceInclusion(uint64_t m, std::span<const Hash> leaves);
// PROOF(m, D[0:n]).
std::vector<Hash> ReferenceConsistency(uint64_t m, std::span<const Hash> leaves);

// A HashSource over leaf hashes held in memory, with every perfect subtree precomputed.
class MemoryHashSource : public HashSource {
 public:
  explicit MemoryHashSource(std::span<const Hash> leaves);
  [[nodiscard]] Result<void> GetHashes(std::span<const NodeId> ids, std::span<Hash> out) override;
  // How many hashes were requested so far (to check proofs read O(log n) of them).
  uint64_t reads() const { return reads_; }

 private:
  std::vector<std::vector<Hash>> levels_;
  uint64_t reads_ = 0;
};

// Deterministic distinct leaf hashes for tests: LeafHash of "leaf-<i>".
std::vector<Hash> MakeLeaves(uint64_t n);

}  // namespace vellum::merkle::testing

#endif  // VELLUM_TESTING_REFERENCE_TREE_H_
