#include "merkle/tree_math.h"

#include <bit>

namespace vellum::merkle {
namespace {

// Adds the hashes needed to climb from perfect subtree `node` to the root of a tree of `size`
// leaves (RFC 9162 §2.1.3.1 PATH, generalised to start above the leaves). For leaf 4 of a tree
// of size 7:
//
//                 root
//            /            \   .
//        (2,0)            [ephemeral: 4..6]
//                        /          \   .
//                    (1,2)          (0,6)        <- right sibling cut off by the size: (0,6)
//                   /     \   .
//               (0,4)   (0,5)                     <- start; sibling (0,5)
//
//   level 0: sibling 5 (right, inside)        -> (0,5)
//   level 1: sibling 3 covers 6..7, cut to 6  -> RangeNodes(6, 7) = (0,6), one element
//   level 2: sibling 0 (left)                 -> (2,0)
void AddPath(NodeId node, uint64_t size, ProofPlan* plan) {
  uint64_t index = node.index;
  for (unsigned level = node.level; level < 64; ++level, index >>= 1) {
    if (index == 0 && (uint64_t{1} << level) >= size) break;  // this node is the root
    const uint64_t sibling = index ^ 1;
    const uint64_t begin = sibling << level;
    if (sibling < index) {  // left sibling: always a perfect subtree
      plan->nodes.push_back({static_cast<uint8_t>(level), sibling});
      plan->widths.push_back(1);
    } else if (begin < size) {  // right sibling, possibly cut off by the tree's size
      const uint64_t end =
          size - begin < (uint64_t{1} << level) ? size : begin + (uint64_t{1} << level);
      std::vector<NodeId> parts = RangeNodes(begin, end);
      plan->nodes.insert(plan->nodes.end(), parts.begin(), parts.end());
      plan->widths.push_back(static_cast<uint32_t>(parts.size()));
    }  // else: no right sibling inside the tree; the node is promoted unchanged.
  }
}

// An empty plan with room for a proof in a tree of `size` leaves: a hash per level at most (and
// a consistency proof's first one), one of which may be a range of perfect subtrees, at most one
// per level below it. The plan's two lists then allocate once each, not once per level.
ProofPlan EmptyPlan(uint64_t size) {
  const auto levels = static_cast<size_t>(std::bit_width(size));
  ProofPlan plan;
  plan.nodes.reserve(2 * levels + 1);
  plan.widths.reserve(levels + 1);
  return plan;
}

}  // namespace

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> out;
  while (begin < end) {
    unsigned level = begin == 0 ? 63 : static_cast<unsigned>(std::countr_zero(begin));
    while ((uint64_t{1} << level) > end - begin) --level;
    out.push_back({static_cast<uint8_t>(level), begin >> level});
    begin += uint64_t{1} << level;
  }
  return out;
}

Hash FoldRange(std::span<const Hash> hashes) {
  Hash acc = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) acc = NodeHash(hashes[i], acc);
  return acc;
}

Hash PerfectRoot(std::span<const Hash> children) {
  std::vector<Hash> level(children.begin(), children.end());
  for (size_t n = level.size(); n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i) level[i] = NodeHash(level[2 * i], level[2 * i + 1]);
  }
  return level[0];
}

ProofPlan InclusionPlan(uint64_t index, uint64_t size) {
  ProofPlan plan = EmptyPlan(size);
  AddPath({0, index}, size, &plan);
  return plan;
}

ProofPlan ConsistencyPlan(uint64_t old_size, uint64_t new_size) {
  // RFC 9162 §2.1.4.1 in node form: the largest perfect subtree ending at old_size, then its
  // path to the new root. When old_size is a power of two that subtree is the old root itself,
  // which the verifier already has, so it is left out.
  ProofPlan plan = EmptyPlan(new_size);
  const unsigned level = static_cast<unsigned>(std::countr_zero(old_size));
  const uint64_t index = (old_size - 1) >> level;
  if (index != 0) {
    plan.nodes.push_back({static_cast<uint8_t>(level), index});
    plan.widths.push_back(1);
  }
  AddPath({static_cast<uint8_t>(level), index}, new_size, &plan);
  return plan;
}

std::vector<Hash> AssembleProof(const ProofPlan& plan, std::span<const Hash> hashes) {
  std::vector<Hash> proof;
  proof.reserve(plan.widths.size());
  size_t at = 0;
  for (uint32_t width : plan.widths) {
    proof.push_back(FoldRange(hashes.subspan(at, width)));
    at += width;
  }
  return proof;
}

}  // namespace vellum::merkle
