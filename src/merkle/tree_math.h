// Index arithmetic of the RFC 9162 tree: which perfect subtrees make up a range, and which
// stored hashes an inclusion or consistency proof is assembled from. Pure, no hashing.
//
// The tree of size 6, with perfect subtrees named (level, index):
//
//                 root = H(A, B)
//               /               \   .
//          A=(2,0)            B=(1,2)        (1,2) is perfect; the root is "ephemeral"
//          /     \            /     \   .
//      (1,0)     (1,1)    (0,4)    (0,5)
//      /   \     /   \   .
//   (0,0) (0,1) (0,2) (0,3)
//
// A node whose range runs past the tree's size is ephemeral: its hash is the right-to-left fold
// of the perfect subtrees that make up the part inside the tree. A proof contains at most one.
#ifndef VELLUM_MERKLE_TREE_MATH_H_
#define VELLUM_MERKLE_TREE_MATH_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vellum/hash.h"
#include "vellum/merkle.h"

namespace vellum::merkle {

// RangeNodes and FoldRange, public in vellum/merkle.h, are defined in tree_math.cc too.

// The stored hashes a proof needs, in proof order. Proof element i is the fold of the next
// widths[i] hashes of `nodes` (width 1: a perfect subtree; more: the one ephemeral node).
struct ProofPlan {
  std::vector<NodeId> nodes;
  std::vector<uint32_t> widths;
};

// REQUIRES: index < size.
ProofPlan InclusionPlan(uint64_t index, uint64_t size);
// REQUIRES: 0 < old_size < new_size.
ProofPlan ConsistencyPlan(uint64_t old_size, uint64_t new_size);
// Turns fetched hashes (one per plan.nodes entry) into proof hashes.
std::vector<Hash> AssembleProof(const ProofPlan& plan, std::span<const Hash> hashes);

}  // namespace vellum::merkle

#endif  // VELLUM_MERKLE_TREE_MATH_H_
