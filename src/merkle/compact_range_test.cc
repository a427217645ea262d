#include <gtest/gtest.h>

#include "testing/reference_tree.h"
#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

using testing::MakeLeaves;
using testing::MemoryHashSource;
using testing::ReferenceRoot;

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
