// RFC 9162 proof verification with arbitrary proofs. Input: a mode byte, two little-endian
// 8-byte numbers, then proof elements of 32 bytes (a short last element is kept, to exercise
// the length check on wire input).
// Properties: verification never crashes, whatever the sizes (up to 2^64 - 1) and proof; against
// a real 300-leaf tree, a proof only verifies if it is exactly the proof RFC 6962 §2.1 defines
// (anything else would be a forgery), and for an inclusion proof only for the real leaf.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "testing/reference_tree.h"
#include "vellum/merkle.h"

namespace {

using vellum::Bytes;
using vellum::Hash;
namespace merkle = vellum::merkle;

constexpr uint64_t kLeaves = 300;

struct Tree {
  std::vector<Hash> leaves;
  std::vector<Hash> roots;  // roots[n] = MTH of the first n leaves
  Tree() {
    for (uint64_t i = 0; i < kLeaves; ++i) {
      const uint8_t entry[2] = {static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
      leaves.push_back(merkle::LeafHash(entry));
    }
    for (uint64_t n = 0; n <= kLeaves; ++n) {
      roots.push_back(merkle::testing::ReferenceRoot(std::span(leaves).first(n)));
    }
  }
};

uint64_t Take64(const uint8_t*& data, size_t& size) {
  uint64_t value = 0;
  const size_t n = std::min<size_t>(size, 8);
  std::memcpy(&value, data, n);
  data += n, size -= n;
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Tree tree;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data, --size;
  const uint64_t a = Take64(data, size), b = Take64(data, size);
  std::vector<Bytes> wire;
  for (size_t at = 0; at < size; at += 32) {
    wire.emplace_back(data + at, data + std::min(size, at + 32));
  }
  auto proof = merkle::ProofFromBytes(wire);
  if (!proof) {
    FUZZ_CHECK(!wire.empty() && wire.back().size() != 32);
    return 0;
  }
  const bool consistency = mode & 1, in_tree = !(mode & 2), own_leaf = !(mode & 4);

  if (!in_tree) {  // sizes anywhere in [0, 2^64): must not crash or allocate without bound
    const Hash& some = tree.roots[mode % kLeaves];
    if (consistency) {
      (void)merkle::VerifyConsistency(a, b, some, tree.roots[kLeaves], *proof);
    } else {
      (void)merkle::VerifyInclusion(tree.leaves[mode % kLeaves], a, b, *proof, some);
    }
    return 0;
  }
  if (consistency) {
    const uint64_t new_size = a % (kLeaves + 1), old_size = new_size ? b % (new_size + 1) : 0;
    if (merkle::VerifyConsistency(old_size, new_size, tree.roots[old_size], tree.roots[new_size],
                                  *proof)) {
      const auto leaves = std::span(tree.leaves).first(new_size);
      const auto expected = old_size == 0 || old_size == new_size
                                ? std::vector<Hash>{}
                                : merkle::testing::ReferenceConsistency(old_size, leaves);
      FUZZ_CHECK(*proof == expected);
    }
    return 0;
  }
  const uint64_t tree_size = 1 + a % kLeaves, index = b % tree_size;
  Hash leaf = tree.leaves[index];
  if (!own_leaf) leaf[mode % 32] ^= static_cast<uint8_t>(mode | 1);
  if (merkle::VerifyInclusion(leaf, index, tree_size, *proof, tree.roots[tree_size])) {
    FUZZ_CHECK(own_leaf);
    FUZZ_CHECK(*proof ==
               merkle::testing::ReferenceInclusion(index, std::span(tree.leaves).first(tree_size)));
  }
  return 0;
}
