#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <initializer_list>
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

// SHA-256 of `parts` joined, straight from OpenSSL: what RFC 6962 says the hashes must be.
Hash Sha256(std::initializer_list<std::span<const uint8_t>> parts) {
  Bytes joined;
  for (auto part : parts) joined.insert(joined.end(), part.begin(), part.end());
  Hash out;
  unsigned int len = 0;
  EVP_Digest(joined.data(), joined.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

TEST(HasherTest, LeafHashOfDataPrefixesZero) {
  const uint8_t zero[] = {0x00};
  EXPECT_EQ(LeafHash(AsBytes("a")), Sha256({zero, AsBytes("a")}));
  EXPECT_EQ(LeafHash(AsBytes("ab"), AsBytes("cd")), Sha256({zero, AsBytes("abcd")}));
}

TEST(HasherTest, NodeHashPrefixesOneAndIsOrderSensitive) {
  Hash a = LeafHash(AsBytes("a")), b = LeafHash(AsBytes("b"));
  const uint8_t one[] = {0x01};
  EXPECT_EQ(NodeHash(a, b), Sha256({one, a, b}));
  EXPECT_NE(NodeHash(a, b), Sha256({a, b}));  // the prefix is not optional
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
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
