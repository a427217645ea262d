// The RFC 6962 / RFC 9162 Merkle tree: hashing, roots, inclusion and consistency proofs and
// their verifiers. Pure computation: no I/O. Storage plugs in through HashSource.
//
// Leaves are numbered from 0. A perfect subtree is named by NodeId{level, index}: it covers the
// leaves [index << level, (index + 1) << level). Every hash of the tree is either such a perfect
// subtree or the fold of a few of them (the "ephemeral" nodes on the right edge).
#ifndef VELLUM_MERKLE_H_
#define VELLUM_MERKLE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vellum/error.h"
#include "vellum/hash.h"

namespace vellum {

// C2SP tlog-tiles (c2sp.org/tlog-tiles): hash tiles are 8 tree levels high and 256 hashes wide;
// an entry bundle holds the entries of one level-0 tile, each as a big-endian uint16 length and
// its bytes.
inline constexpr unsigned kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 1u << kTileHeight;
inline constexpr size_t kBundleLengthSize = 2;  // the uint16 before each entry in a bundle

}  // namespace vellum

namespace vellum::merkle {

// RFC 6962 §2.1: SHA-256(0x00 || entry). Thread-safe: the digest context lives on the stack.
Hash LeafHash(std::span<const uint8_t> entry);
// LeafHash(head || tail) without joining them first (e.g. a record's time, then its payload).
Hash LeafHash(std::span<const uint8_t> head, std::span<const uint8_t> tail);
// RFC 6962 §2.1: SHA-256(0x01 || left || right). Thread-safe.
Hash NodeHash(const Hash& left, const Hash& right);
// MTH({}) = SHA-256 of the empty string.
const Hash& EmptyRoot();

struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// The perfect subtrees that exactly make up leaves [begin, end), left to right, each as large
// as possible. For begin == 0 these are the subtrees of the set bits of `end`, largest first.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);
// Hashes of `nodes` (a RangeNodes list) folded right to left into the hash of their range.
// REQUIRES: !hashes.empty().
Hash FoldRange(std::span<const Hash> hashes);
// The hash of the perfect subtree whose 2^k consecutive, aligned children (at any one level)
// are `children`, folded pairwise. REQUIRES: children.size() is a power of two.
Hash PerfectRoot(std::span<const Hash> children);

// Supplies hashes of perfect subtrees, e.g. from a ledger's stored tiles.
class HashSource {
 public:
  virtual ~HashSource() = default;
  // Fills out[i] with the hash of the perfect subtree ids[i].
  // REQUIRES: out.size() == ids.size(); every id lies inside the source's tree.
  [[nodiscard]] virtual Result<void> GetHashes(std::span<const NodeId> ids,
                                               std::span<Hash> out) = 0;
};

// Root of the tree of the first `size` leaves (EmptyRoot() for 0).
// Reads at most 64 perfect-subtree hashes; re-hashes only the right edge.
[[nodiscard]] Result<Hash> RootAt(HashSource& source, uint64_t size);
// RFC 9162 §2.1.3.1 inclusion proof (PATH order, leaf side first) for leaf `index` in tree `size`.
[[nodiscard]] Result<std::vector<Hash>> InclusionProof(HashSource& source, uint64_t index,
                                                       uint64_t size);
// RFC 9162 §2.1.4.1 consistency proof between trees of `old_size` and `new_size` leaves.
// Empty when old_size is 0 or equal to new_size.
[[nodiscard]] Result<std::vector<Hash>> ConsistencyProof(HashSource& source, uint64_t old_size,
                                                         uint64_t new_size);

// RFC 9162 §2.1.3.2. On failure, the error (kVerificationFailed or kInvalidArgument) says which
// check failed.
[[nodiscard]] Result<void> VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                                           std::span<const Hash> proof, const Hash& root);
// RFC 9162 §2.1.4.2, plus doc/design.md (Hashing): from size 0 the proof must be empty; equal
// sizes need an empty proof and equal roots.
[[nodiscard]] Result<void> VerifyConsistency(uint64_t old_size, uint64_t new_size,
                                             const Hash& old_root, const Hash& new_root,
                                             std::span<const Hash> proof);
// Turns a proof received as raw byte strings into hashes; fails, naming the element, unless
// every one is exactly 32 bytes. Use before the verifiers on anything read from the wire.
[[nodiscard]] Result<std::vector<Hash>> ProofFromBytes(std::span<const Bytes> proof);

// The left-to-right frontier of a growing tree: the perfect subtrees that make up [0, size).
// Appending a leaf costs amortized O(1) hashes; Root() costs O(log n). Not thread-safe.
class CompactRange {
 public:
  CompactRange() = default;
  // Resumes a tree of `size` leaves from the hashes of its frontier, largest subtree first
  // (the nodes of RangeNodes(0, size)). Fails if the count does not match `size`.
  [[nodiscard]] static Result<CompactRange> FromFrontier(uint64_t size,
                                                         std::span<const Hash> frontier);

  void Append(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  Hash Root() const;
  // Frontier hashes, largest (leftmost) subtree first.
  const std::vector<Hash>& frontier() const { return hashes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

}  // namespace vellum::merkle

#endif  // VELLUM_MERKLE_H_
