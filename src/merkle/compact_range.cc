#include <bit>
#include <string>

#include "merkle/tree_math.h"
#include "vellum/merkle.h"

namespace vellum::merkle {

Result<CompactRange> CompactRange::FromFrontier(uint64_t size, std::span<const Hash> frontier) {
  const auto expected = static_cast<size_t>(std::popcount(size));
  if (frontier.size() != expected) {
    return Fail(ErrorCode::kInvalidArgument,
                "a tree of size " + std::to_string(size) + " has " + std::to_string(expected) +
                    " frontier hashes, got " + std::to_string(frontier.size()));
  }
  CompactRange range;
  range.size_ = size;
  range.hashes_.assign(frontier.begin(), frontier.end());
  return range;
}

void CompactRange::Append(const Hash& leaf_hash) {
  // Each trailing one bit of the old size is a subtree the new leaf completes a pair with.
  Hash acc = leaf_hash;
  for (uint64_t s = size_; s & 1; s >>= 1) {
    acc = NodeHash(hashes_.back(), acc);
    hashes_.pop_back();
  }
  hashes_.push_back(acc);
  ++size_;
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  return FoldRange(hashes_);
}

}  // namespace vellum::merkle
