#include "storage/tile_store.h"

#include <gtest/gtest.h>

#include <memory>

namespace vellum::storage {
namespace {

TileCache::Tile CacheTile(uint32_t width, uint8_t fill = 0) {
  auto tile = std::make_shared<TileBlob>();
  tile->hashes.assign(size_t{width} * kHashSize, fill);
  return tile;
}

// What one tile of `width` bottom hashes and no inner ones costs the cache.
constexpr size_t CacheCost(uint32_t width) { return size_t{width} * kHashSize + 64; }

TEST(TileCacheTest, FindsWhatItKeepsByLevelAndIndex) {
  TileCache cache(1 << 20);
  cache.Put({0, 7}, CacheTile(4, 1));
  cache.Put({1, 7}, CacheTile(2, 2));
  cache.Put({0, 8}, CacheTile(1, 3));
  ASSERT_NE(cache.Find({0, 7}), nullptr);
  EXPECT_EQ(cache.Find({0, 7})->hashes[0], 1);
  EXPECT_EQ(cache.Find({1, 7})->hashes[0], 2);  // same index, another level: another tile
  EXPECT_EQ(cache.Find({0, 8})->hashes[0], 3);
  EXPECT_EQ(cache.Find({2, 7}), nullptr);
  EXPECT_EQ(cache.Find({0, 9}), nullptr);
  EXPECT_EQ(cache.bytes(), CacheCost(4) + CacheCost(2) + CacheCost(1));
  cache.Clear();
  EXPECT_EQ(cache.Find({0, 7}), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(TileCacheTest, KeepsTheWiderCopyOfATile) {
  TileCache cache(1 << 20);
  cache.Put({0, 1}, CacheTile(3, 1));
  cache.Put({0, 1}, CacheTile(5, 2));  // wider: replaces
  EXPECT_EQ(cache.Find({0, 1})->width(), 5u);
  cache.Put({0, 1}, CacheTile(4, 3));  // narrower: ignored
  cache.Put({0, 1}, CacheTile(5, 4));  // as wide: ignored
  EXPECT_EQ(cache.Find({0, 1})->hashes[0], 2);
  EXPECT_EQ(cache.bytes(), CacheCost(5));
}

TEST(TileCacheTest, DropsTheLeastRecentlyUsedBeyondItsBudget) {
  TileCache cache(3 * CacheCost(8));
  cache.Put({0, 1}, CacheTile(8));
  cache.Put({0, 2}, CacheTile(8));
  cache.Put({0, 3}, CacheTile(8));
  ASSERT_NE(cache.Find({0, 1}), nullptr);  // now the most recently used
  cache.Put({0, 4}, CacheTile(8));         // over budget: tile 2 goes
  EXPECT_EQ(cache.Find({0, 2}), nullptr);
  EXPECT_NE(cache.Find({0, 1}), nullptr);
  EXPECT_NE(cache.Find({0, 3}), nullptr);
  EXPECT_NE(cache.Find({0, 4}), nullptr);
  EXPECT_EQ(cache.bytes(), 3 * CacheCost(8));
  cache.Put({0, 5}, CacheTile(16));  // costs two: the two least recently used go (1, then 3)
  EXPECT_EQ(cache.Find({0, 1}), nullptr);
  EXPECT_EQ(cache.Find({0, 3}), nullptr);
  EXPECT_NE(cache.Find({0, 4}), nullptr);
  EXPECT_NE(cache.Find({0, 5}), nullptr);
  EXPECT_LE(cache.bytes(), cache.budget());
  cache.Put({0, 6}, CacheTile(256));  // larger than the whole budget: not kept, nothing dropped
  EXPECT_EQ(cache.Find({0, 6}), nullptr);
  EXPECT_NE(cache.Find({0, 4}), nullptr);
  EXPECT_NE(cache.Find({0, 5}), nullptr);
}

TEST(TileCacheTest, DropsLevelZeroTilesBeforeAnyOfAHigherLevel) {
  TileCache cache(3 * CacheCost(8));
  cache.Put({1, 1}, CacheTile(8));
  cache.Put({2, 0}, CacheTile(8));
  cache.Put({0, 1}, CacheTile(8));
  cache.Put({0, 2}, CacheTile(8));  // over budget: level-0 tile 1 goes, though newer than both
  EXPECT_EQ(cache.Find({0, 1}), nullptr);
  EXPECT_NE(cache.Find({1, 1}), nullptr);
  EXPECT_NE(cache.Find({2, 0}), nullptr);
  EXPECT_NE(cache.Find({0, 2}), nullptr);
  cache.Put({0, 3}, CacheTile(8));  // and again: the older level-0 tile, not the upper ones
  EXPECT_EQ(cache.Find({0, 2}), nullptr);
  EXPECT_NE(cache.Find({0, 3}), nullptr);
  // Upper tiles only: among them the least recently used goes.
  ASSERT_NE(cache.Find({1, 1}), nullptr);
  cache.Put({1, 2}, CacheTile(16));  // costs two: level-0 tile 3, then tile 2/0
  EXPECT_EQ(cache.Find({0, 3}), nullptr);
  EXPECT_EQ(cache.Find({2, 0}), nullptr);
  EXPECT_NE(cache.Find({1, 1}), nullptr);
  EXPECT_NE(cache.Find({1, 2}), nullptr);
  EXPECT_LE(cache.bytes(), cache.budget());
}

}  // namespace
}  // namespace vellum::storage
