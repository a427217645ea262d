#include "testing/reference_tree.h"

#include <string>

namespace vellum::merkle::testing {
namespace {

// Largest power of two strictly less than n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// SUBPROOF(m, D[0:n], b) from RFC 6962 §2.1.2.
std::vector<Hash> SubProof(uint64_t m, std::span<const Hash> d, bool b) {
  const uint64_t n = d.size();
  if (m == n) {
    if (b) return {};
    return {ReferenceRoot(d)};
  }
  const uint64_t k = SplitPoint(n);
  std::vector<Hash> out;
  if (m <= k) {
    out = SubProof(m, d.subspan(0, k), b);
    out.push_back(ReferenceRoot(d.subspan(k)));
  } else {
    out = SubProof(m - k, d.subspan(k), false);
    out.push_back(ReferenceRoot(d.subspan(0, k)));
  }
  return out;
}

}  // namespace

Hash ReferenceRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const uint64_t k = SplitPoint(leaves.size());
  return NodeHash(ReferenceRoot(leaves.subspan(0, k)), ReferenceRoot(leaves.subspan(k)));
}

std::vector<Hash> ReferenceInclusion(uint64_t m, std::span<const Hash> d) {
  const uint64_t n = d.size();
  if (n <= 1) return {};
  const uint64_t k = SplitPoint(n);
  std::vector<Hash> out;
  if (m < k) {
    out = ReferenceInclusion(m, d.subspan(0, k));
    out.push_back(ReferenceRoot(d.subspan(k)));
  } else {
    out = ReferenceInclusion(m - k, d.subspan(k));
    out.push_back(ReferenceRoot(d.subspan(0, k)));
  }
  return out;
}

std::vector<Hash> ReferenceConsistency(uint64_t m, std::span<const Hash> d) {
  if (m == 0 || m == d.size()) return {};
  return SubProof(m, d, true);
}

MemoryHashSource::MemoryHashSource(std::span<const Hash> leaves) {
  levels_.emplace_back(leaves.begin(), leaves.end());
  while (levels_.back().size() >= 2) {
    const auto& below = levels_.back();
    std::vector<Hash> up;
    for (size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(NodeHash(below[i], below[i + 1]));
    levels_.push_back(std::move(up));
  }
}

Result<void> MemoryHashSource::GetHashes(std::span<const NodeId> ids, std::span<Hash> out) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].level >= levels_.size() || ids[i].index >= levels_[ids[i].level].size()) {
      return Fail(ErrorCode::kNotFound, "no perfect subtree at level " +
                                            std::to_string(ids[i].level) + " index " +
                                            std::to_string(ids[i].index));
    }
    out[i] = levels_[ids[i].level][ids[i].index];
  }
  reads_ += ids.size();
  return {};
}

std::vector<Hash> MakeLeaves(uint64_t n) {
  std::vector<Hash> leaves;
  leaves.reserve(n);
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(LeafHash(AsBytes("leaf-" + std::to_string(i))));
  return leaves;
}

}  // namespace vellum::merkle::testing
