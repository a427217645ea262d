#include <gtest/gtest.h>

#include <thread>

#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

TEST(HasherTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(ToHex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HasherTest, LeafHashPrefixesZeroByte) {
  // SHA-256(0x00), the RFC 6962 hash of the empty leaf.
  EXPECT_EQ(ToHex(LeafHash({})),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(HasherTest, NodeHashPrefixesOneAndIsOrderSensitive) {
  Hash a = LeafHash(AsBytes("a")), b = LeafHash(AsBytes("b"));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
  EXPECT_NE(NodeHash(a, b), LeafHash(std::span<const uint8_t>(a.data(), 32)));
}

TEST(HasherTest, SameResultsFromManyThreads) {
  const Hash expected = NodeHash(LeafHash(AsBytes("x")), LeafHash(AsBytes("y")));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        if (NodeHash(LeafHash(AsBytes("x")), LeafHash(AsBytes("y"))) != expected) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace vellum::merkle
