#include "merkle/tree_math.h"

#include <gtest/gtest.h>

#include "merkle/reference_tree.h"

namespace vellum::merkle {
namespace {

using testing::MakeLeaves;
using testing::MemoryHashSource;
using testing::ReferenceRoot;

TEST(RangeNodesTest, SplitsPrefixBySetBitsLargestFirst) {
  std::vector<NodeId> want = {{2, 0}, {1, 2}};
  EXPECT_EQ(RangeNodes(0, 6), want);
  want = {{0, 4}};
  EXPECT_EQ(RangeNodes(4, 5), want);
  want = {{0, 3}, {2, 1}, {0, 8}};
  EXPECT_EQ(RangeNodes(3, 9), want);
  EXPECT_TRUE(RangeNodes(7, 7).empty());
}

TEST(RangeNodesTest, CoversEveryRangeExactlyWithAlignedNodes) {
  for (uint64_t begin = 0; begin < 70; ++begin) {
    for (uint64_t end = begin; end < 140; ++end) {
      uint64_t at = begin;
      for (NodeId n : RangeNodes(begin, end)) {
        ASSERT_EQ(n.index << n.level, at) << begin << ".." << end;
        at += uint64_t{1} << n.level;
      }
      ASSERT_EQ(at, end);
    }
  }
}

TEST(ProofPlanTest, InclusionPlanHasAtMostOneEphemeralNode) {
  for (uint64_t size = 1; size < 300; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      ProofPlan plan = InclusionPlan(index, size);
      int ephemeral = 0;
      for (uint32_t w : plan.widths) ephemeral += w > 1;
      ASSERT_LE(ephemeral, 1) << index << "/" << size;
    }
  }
}

TEST(ProofPlanTest, ConsistencyFromPowerOfTwoOmitsTheOldRoot) {
  ProofPlan plan = ConsistencyPlan(4, 8);
  std::vector<NodeId> want = {{2, 1}};
  EXPECT_EQ(plan.nodes, want);
  plan = ConsistencyPlan(6, 8);
  want = {{1, 2}, {1, 3}, {2, 0}};
  EXPECT_EQ(plan.nodes, want);
}

TEST(CompactRangeTest, RootMatchesReferenceAtEverySize) {
  auto leaves = MakeLeaves(600);
  CompactRange range;
  EXPECT_EQ(range.Root(), EmptyRoot());
  for (size_t n = 1; n <= leaves.size(); ++n) {
    range.Append(leaves[n - 1]);
    ASSERT_EQ(range.size(), n);
    ASSERT_EQ(range.Root(), ReferenceRoot(std::span(leaves).first(n))) << n;
  }
}

TEST(CompactRangeTest, ResumesFromAStoredFrontier) {
  auto leaves = MakeLeaves(100);
  MemoryHashSource source(leaves);
  for (uint64_t size : {0, 1, 37, 64, 99}) {
    auto nodes = RangeNodes(0, size);
    std::vector<Hash> frontier(nodes.size());
    ASSERT_TRUE(source.GetHashes(nodes, frontier));
    auto range = CompactRange::FromFrontier(size, frontier);
    ASSERT_TRUE(range);
    for (uint64_t i = size; i < leaves.size(); ++i) range->Append(leaves[i]);
    EXPECT_EQ(range->Root(), ReferenceRoot(leaves)) << size;
  }
}

TEST(CompactRangeTest, RejectsFrontierOfTheWrongLength) {
  std::vector<Hash> two(2);
  EXPECT_FALSE(CompactRange::FromFrontier(4, two));
  EXPECT_TRUE(CompactRange::FromFrontier(5, two));
}

}  // namespace
}  // namespace vellum::merkle
