// The published RFC 6962 test vectors (tests/testdata/rfc6962-published.json, 0-based indexes).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/reference_tree.h"
#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

class PublishedVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(VELLUM_TESTDATA_DIR "/rfc6962-published.json");
    ASSERT_TRUE(in) << "missing test vectors";
    doc_ = nlohmann::json::parse(in);
    for (const auto& hex : doc_["leaves_hex"]) {
      leaves_.push_back(LeafHash(*FromHex(hex.get<std::string>())));
    }
    ASSERT_EQ(leaves_.size(), 8u);
  }
  static std::vector<Hash> Hashes(const nlohmann::json& list) {
    std::vector<Hash> out;
    for (const auto& h : list) out.push_back(*HashFromHex(h.get<std::string>()));
    return out;
  }
  nlohmann::json doc_;
  std::vector<Hash> leaves_;
};

TEST_F(PublishedVectorsTest, RootsForEverySizeZeroToEight) {
  auto roots = Hashes(doc_["roots_by_size"]);
  ASSERT_EQ(roots.size(), 9u);
  testing::MemoryHashSource source(leaves_);
  CompactRange range;
  for (uint64_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(*RootAt(source, n), roots[n]) << n;
    EXPECT_EQ(range.Root(), roots[n]) << n;
    if (n < 8) range.Append(leaves_[n]);
  }
  EXPECT_EQ(ToHex(roots[8]), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST_F(PublishedVectorsTest, InclusionProofsMatchAndVerify) {
  auto roots = Hashes(doc_["roots_by_size"]);
  testing::MemoryHashSource source(leaves_);
  ASSERT_FALSE(doc_["inclusion_proofs"].empty());
  for (const auto& v : doc_["inclusion_proofs"]) {
    uint64_t index = v["index"], size = v["size"];
    auto want = Hashes(v["proof"]);
    auto got = InclusionProof(source, index, size);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, want) << index << "/" << size;
    EXPECT_TRUE(VerifyInclusion(leaves_[index], index, size, want, roots[size]));
  }
}

TEST_F(PublishedVectorsTest, ConsistencyProofsMatchAndVerify) {
  auto roots = Hashes(doc_["roots_by_size"]);
  testing::MemoryHashSource source(leaves_);
  ASSERT_FALSE(doc_["consistency_proofs"].empty());
  for (const auto& v : doc_["consistency_proofs"]) {
    uint64_t old_size = v["old"], new_size = v["new"];
    auto want = Hashes(v["proof"]);
    auto got = ConsistencyProof(source, old_size, new_size);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, want) << old_size << "->" << new_size;
    EXPECT_TRUE(VerifyConsistency(old_size, new_size, roots[old_size], roots[new_size], want));
  }
}

}  // namespace
}  // namespace vellum::merkle
