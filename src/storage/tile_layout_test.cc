#include "storage/tile_layout.h"

#include <gtest/gtest.h>

namespace vellum::storage {
namespace {

TEST(TileLayoutTest, InnerPositionsFollowCompletionOrder) {
  EXPECT_EQ(InnerPosition(3, 0), 0u);
  EXPECT_EQ(InnerPosition(3, 1), 1u);
  EXPECT_EQ(InnerPosition(4, 0), 2u);
  EXPECT_EQ(InnerPosition(3, 2), 3u);
  EXPECT_EQ(InnerPosition(5, 0), 6u);
  EXPECT_EQ(InnerCount(256), 62u);
  EXPECT_EQ(InnerCount(7), 0u);
  EXPECT_EQ(InnerPosition(7, 1), 61u);
}

TEST(TileLayoutTest, LocatesNodesInTheirTiles) {
  NodeLocation loc = Locate({9, 5});
  EXPECT_EQ(loc.tile, (TileId{1, 0}));
  EXPECT_EQ(loc.local_level, 1u);
  EXPECT_EQ(loc.local_index, 5u);
  loc = Locate({0, 700});
  EXPECT_EQ(loc.tile, (TileId{0, 2}));
  EXPECT_EQ(loc.local_index, 700u - 512);
  EXPECT_EQ(TileWidthAt(0, 2, 700), 700u - 512);
  EXPECT_EQ(TileWidthAt(0, 1, 700), 256u);
  EXPECT_EQ(TileWidthAt(1, 0, 700), 2u);
  EXPECT_EQ(TileWidthAt(0, 3, 700), 0u);
}

}  // namespace
}  // namespace vellum::storage
