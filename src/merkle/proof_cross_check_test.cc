// Every root and proof from the real prover equals the RFC-text reference, and verifies.
#include <gtest/gtest.h>

#include <random>

#include "testing/reference_tree.h"
#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

using testing::MakeLeaves;
using testing::MemoryHashSource;
using testing::ReferenceConsistency;
using testing::ReferenceInclusion;
using testing::ReferenceRoot;

// Checks one inclusion proof against the reference and the verifier.
void CheckInclusion(MemoryHashSource& source, std::span<const Hash> leaves, uint64_t index,
                    uint64_t size, const Hash& root) {
  auto tree = leaves.first(size);
  auto proof = InclusionProof(source, index, size);
  ASSERT_TRUE(proof) << proof.error().ToString();
  ASSERT_EQ(*proof, ReferenceInclusion(index, tree)) << "index " << index << " size " << size;
  auto ok = VerifyInclusion(leaves[index], index, size, *proof, root);
  ASSERT_TRUE(ok) << ok.error().ToString() << " index " << index << " size " << size;
}

void CheckConsistency(MemoryHashSource& source, std::span<const Hash> leaves, uint64_t old_size,
                      uint64_t size, const Hash& old_root, const Hash& root) {
  auto proof = ConsistencyProof(source, old_size, size);
  ASSERT_TRUE(proof) << proof.error().ToString();
  ASSERT_EQ(*proof, ReferenceConsistency(old_size, leaves.first(size)))
      << "old " << old_size << " new " << size;
  auto ok = VerifyConsistency(old_size, size, old_root, root, *proof);
  ASSERT_TRUE(ok) << ok.error().ToString() << " old " << old_size << " new " << size;
}

TEST(ProofCrossCheckTest, EveryProofForEverySizeUpTo128) {
  auto leaves = MakeLeaves(128);
  MemoryHashSource source(leaves);
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= 128; ++n) roots.push_back(ReferenceRoot(std::span(leaves).first(n)));
  for (uint64_t size = 0; size <= 128; ++size) {
    ASSERT_EQ(*RootAt(source, size), roots[size]) << size;
    for (uint64_t index = 0; index < size; ++index) {
      CheckInclusion(source, leaves, index, size, roots[size]);
    }
    for (uint64_t old_size = 0; old_size <= size; ++old_size) {
      CheckConsistency(source, leaves, old_size, size, roots[old_size], roots[size]);
    }
  }
}

TEST(ProofCrossCheckTest, RandomProofsInTreesOfSeveralThousandLeaves) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto leaves = MakeLeaves(5000);
  MemoryHashSource source(leaves);
  for (int round = 0; round < 40; ++round) {
    const uint64_t size = 129 + rng() % (leaves.size() - 128);
    const Hash root = ReferenceRoot(std::span(leaves).first(size));
    ASSERT_EQ(*RootAt(source, size), root) << size;
    for (int i = 0; i < 5; ++i) CheckInclusion(source, leaves, rng() % size, size, root);
    const uint64_t old_size = rng() % (size + 1);
    CheckConsistency(source, leaves, old_size, size,
                     ReferenceRoot(std::span(leaves).first(old_size)), root);
  }
}

TEST(ProofCrossCheckTest, ProofsReadLogarithmicallyManyHashes) {
  auto leaves = MakeLeaves(4097);
  MemoryHashSource source(leaves);
  ASSERT_TRUE(InclusionProof(source, 1234, 4097));
  ASSERT_TRUE(ConsistencyProof(source, 1235, 4097));
  ASSERT_TRUE(RootAt(source, 4095));
  // 13 levels: each of the three calls reads at most 2 * 13 stored hashes.
  EXPECT_LE(source.reads(), 3u * 2 * 13);
}

TEST(ProofCrossCheckTest, RejectsIndexOrSizesOutOfOrder) {
  auto leaves = MakeLeaves(8);
  MemoryHashSource source(leaves);
  EXPECT_EQ(InclusionProof(source, 8, 8).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(source, 5, 4).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ConsistencyProof(source, 0, 8)->empty());
  EXPECT_TRUE(ConsistencyProof(source, 8, 8)->empty());
}

}  // namespace
}  // namespace vellum::merkle
