#include "merkle/tree_math.h"

#include <gtest/gtest.h>

namespace vellum::merkle {
namespace {

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

}  // namespace
}  // namespace vellum::merkle
