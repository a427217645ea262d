// Every damaged proof is rejected: flipped bits, dropped or added hashes, wrong index or sizes,
// hashes of the wrong length.
#include <gtest/gtest.h>

#include "testing/reference_tree.h"
#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

using testing::MakeLeaves;
using testing::MemoryHashSource;
using testing::ReferenceRoot;

class ProofNegativeTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMax = 48;
  void SetUp() override {
    leaves_ = MakeLeaves(kMax + 1);
    source_ = std::make_unique<MemoryHashSource>(leaves_);
    for (uint64_t n = 0; n <= kMax + 1; ++n)
      roots_.push_back(ReferenceRoot(std::span(leaves_).first(n)));
  }
  // Variants of `proof` that must all be rejected: one bit flipped in each hash, each hash
  // dropped, a hash added at each position.
  static std::vector<std::vector<Hash>> Damaged(const std::vector<Hash>& proof) {
    std::vector<std::vector<Hash>> out;
    for (size_t i = 0; i < proof.size(); ++i) {
      auto flipped = proof;
      flipped[i][i % kHashSize] ^= static_cast<uint8_t>(1u << (i % 8));
      out.push_back(flipped);
      auto dropped = proof;
      dropped.erase(dropped.begin() + static_cast<long>(i));
      out.push_back(dropped);
    }
    for (size_t i = 0; i <= proof.size(); ++i) {
      auto added = proof;
      added.insert(added.begin() + static_cast<long>(i), LeafHash(AsBytes("extra")));
      out.push_back(added);
    }
    return out;
  }
  std::vector<Hash> leaves_;
  std::unique_ptr<MemoryHashSource> source_;
  std::vector<Hash> roots_;
};

TEST_F(ProofNegativeTest, RejectsDamagedInclusionProofs) {
  for (uint64_t size = 1; size <= kMax; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = *InclusionProof(*source_, index, size);
      const Hash& leaf = leaves_[index];
      for (const auto& bad : Damaged(proof)) {
        ASSERT_FALSE(VerifyInclusion(leaf, index, size, bad, roots_[size])) << index << "/" << size;
      }
      Hash other_leaf = leaf;
      other_leaf[0] ^= 1;
      EXPECT_FALSE(VerifyInclusion(other_leaf, index, size, proof, roots_[size]));
      EXPECT_FALSE(VerifyInclusion(leaf, index + 1, size, proof, roots_[size]));
      if (index > 0) {
        EXPECT_FALSE(VerifyInclusion(leaf, index - 1, size, proof, roots_[size]));
      }
      EXPECT_FALSE(VerifyInclusion(leaf, index, size + 1, proof, roots_[size + 1]));
      if (size - 1 > index) {
        EXPECT_FALSE(VerifyInclusion(leaf, index, size - 1, proof, roots_[size - 1]));
      }
      EXPECT_FALSE(VerifyInclusion(leaf, size + index, size, proof, roots_[size]));
    }
  }
}

TEST_F(ProofNegativeTest, RejectsDamagedConsistencyProofs) {
  for (uint64_t size = 2; size <= kMax; ++size) {
    for (uint64_t old_size = 1; old_size < size; ++old_size) {
      auto proof = *ConsistencyProof(*source_, old_size, size);
      const Hash &r1 = roots_[old_size], &r2 = roots_[size];
      for (const auto& bad : Damaged(proof)) {
        ASSERT_FALSE(VerifyConsistency(old_size, size, r1, r2, bad)) << old_size << "->" << size;
      }
      EXPECT_FALSE(VerifyConsistency(size, old_size, r2, r1, proof));  // sizes swapped
      EXPECT_FALSE(VerifyConsistency(old_size + 1, size, roots_[old_size + 1], r2, proof))
          << old_size << "->" << size;
      EXPECT_FALSE(VerifyConsistency(old_size - 1, size, roots_[old_size - 1], r2, proof));
      EXPECT_FALSE(VerifyConsistency(old_size, size + 1, r1, roots_[size + 1], proof));
      if (size - 1 > old_size) {
        EXPECT_FALSE(VerifyConsistency(old_size, size - 1, r1, roots_[size - 1], proof));
      }
      EXPECT_FALSE(VerifyConsistency(old_size, size, r2, r2, proof));  // wrong old root
      EXPECT_FALSE(VerifyConsistency(old_size, size, r1, r1, proof));  // wrong new root
    }
  }
}

TEST_F(ProofNegativeTest, EdgeConventionsOfEmptyAndEqualTrees) {
  std::vector<Hash> one = {leaves_[0]}, none;
  EXPECT_TRUE(VerifyConsistency(0, 5, roots_[0], roots_[5], none));
  EXPECT_FALSE(VerifyConsistency(0, 5, roots_[0], roots_[5], one));
  EXPECT_TRUE(VerifyConsistency(5, 5, roots_[5], roots_[5], none));
  EXPECT_FALSE(VerifyConsistency(5, 5, roots_[5], roots_[5], one));
  EXPECT_FALSE(VerifyConsistency(5, 5, roots_[5], roots_[4], none));
  EXPECT_FALSE(VerifyConsistency(3, 5, roots_[3], roots_[5], none));
  EXPECT_FALSE(VerifyInclusion(leaves_[0], 0, 0, none, roots_[0]));
}

TEST_F(ProofNegativeTest, RejectsHashesThatAreNotThirtyTwoBytes) {
  auto proof = *InclusionProof(*source_, 5, 13);
  for (size_t len : {0, 31, 33, 64}) {
    for (size_t i = 0; i < proof.size(); ++i) {
      std::vector<Bytes> raw;
      for (const Hash& h : proof) raw.emplace_back(h.begin(), h.end());
      raw[i].resize(len, 0);
      auto got = ProofFromBytes(raw);
      ASSERT_FALSE(got);
      EXPECT_NE(got.error().message().find("not 32"), std::string::npos);
    }
  }
  std::vector<Bytes> good;
  for (const Hash& h : proof) good.emplace_back(h.begin(), h.end());
  EXPECT_TRUE(VerifyInclusion(leaves_[5], 5, 13, *ProofFromBytes(good), roots_[13]));

  auto cproof = *ConsistencyProof(*source_, 6, 13);
  std::vector<Bytes> craw;
  for (const Hash& h : cproof) craw.emplace_back(h.begin(), h.end());
  EXPECT_TRUE(VerifyConsistency(6, 13, roots_[6], roots_[13], *ProofFromBytes(craw)));
  craw.back().pop_back();
  EXPECT_FALSE(ProofFromBytes(craw));
}

TEST_F(ProofNegativeTest, FailureSaysWhichCheckFailed) {
  auto proof = *InclusionProof(*source_, 3, 10);
  proof.pop_back();
  auto got = VerifyInclusion(leaves_[3], 3, 10, proof, roots_[10]);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kVerificationFailed);
  EXPECT_NE(got.error().message().find("fewer hashes"), std::string::npos);
}

}  // namespace
}  // namespace vellum::merkle
