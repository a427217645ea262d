#include "storage/tree_edge.h"

#include <gtest/gtest.h>

#include "storage/tile_layout.h"
#include "testing/reference_tree.h"

namespace vellum::storage {
namespace {

TEST(TreeEdgeTest, RootAndStoredHashesMatchReferenceAcrossTileBoundaries) {
  auto leaves = merkle::testing::MakeLeaves(70000);
  merkle::testing::MemoryHashSource reference(leaves);
  auto edge = *TreeEdge::FromTiles(0, {});
  std::map<TileId, TileBlob> stored;
  for (size_t i = 0; i < leaves.size(); ++i) {
    edge.AddLeaf(leaves[i]);
    const uint64_t n = i + 1;
    if (n < 1100 || n % 4099 == 0 || n == 65536 || n == 65537 || n == leaves.size()) {
      ASSERT_EQ(edge.Root(), merkle::testing::ReferenceRoot(std::span(leaves).first(n))) << n;
      for (auto& [id, blob] : edge.TakeChanged()) stored[id] = std::move(blob);
    }
  }
  // Every perfect subtree read back from the stored tiles equals the reference's.
  for (uint8_t level = 0; level <= 16; ++level) {
    for (uint64_t k = 0; ((k + 1) << level) <= leaves.size(); k += 1 + k / 3) {
      const NodeLocation loc = Locate({level, k});
      Hash want;
      merkle::NodeId id{level, k};
      ASSERT_TRUE(reference.GetHashes({&id, 1}, {&want, 1}));
      auto got = HashInTile(stored.at(loc.tile), loc);
      ASSERT_TRUE(got) << int(level) << "/" << k;
      ASSERT_EQ(*got, want) << int(level) << "/" << k;
    }
  }
}

TEST(TreeEdgeTest, ResumesFromStoredEdgeTiles) {
  auto leaves = merkle::testing::MakeLeaves(1000);
  auto edge = *TreeEdge::FromTiles(0, {});
  std::map<TileId, TileBlob> stored;
  for (size_t i = 0; i < 777; ++i) edge.AddLeaf(leaves[i]);
  for (auto& [id, blob] : edge.TakeChanged()) stored[id] = std::move(blob);
  std::vector<TileBlob> tiles;
  for (const auto& [id, width] : TreeEdge::EdgeTiles(777)) {
    tiles.push_back(width ? stored.at(id) : TileBlob{});
  }
  auto resumed = TreeEdge::FromTiles(777, tiles);
  ASSERT_TRUE(resumed);
  for (size_t i = 777; i < leaves.size(); ++i) resumed->AddLeaf(leaves[i]);
  EXPECT_EQ(resumed->Root(), merkle::testing::ReferenceRoot(leaves));
  tiles[0].hashes.resize(32);
  EXPECT_EQ(TreeEdge::FromTiles(777, tiles).error().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace vellum::storage
