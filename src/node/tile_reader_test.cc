#include "node/tile_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <tuple>

#include "node/tile_path.h"
#include "testing/reference_tree.h"

namespace vellum::node {
namespace {

using merkle::NodeId;
using merkle::testing::MakeLeaves;
using merkle::testing::MemoryHashSource;

// The hash tiles of a log of `size` entries that had checkpoints at `checkpoint_sizes`, as a
// static folder holds them: every full tile, and the partial tiles of those sizes except where
// the full tile exists (c2sp.org/tlog-tiles lets a log delete those).
class FakeTiles {
 public:
  FakeTiles(uint64_t size, const std::vector<uint64_t>& checkpoint_sizes)
      : leaves_(MakeLeaves(size)), tree_(leaves_) {
    for (uint64_t s : checkpoint_sizes) {
      for (unsigned t = 0; (s >> (t * kTileHeight)) > 0; ++t) {
        const uint64_t row = s >> (t * kTileHeight), tile = row / kTileWidth;
        const bool full_exists = (tile + 1) * kTileWidth <= (size >> (t * kTileHeight));
        if (row % kTileWidth && !full_exists) partials_.insert({t, tile, row % kTileWidth});
      }
    }
  }
  TileReader::FetchFn Fetcher() {
    return [this](const std::string& path, size_t max_bytes) -> Result<std::string> {
      ++fetches_;
      auto tile = ParseTilePath(std::string_view(path).substr(6));  // after "/tile/"
      EXPECT_TRUE(tile.has_value()) << path;
      const uint64_t row = leaves_.size() >> (tile->level * kTileHeight);
      const bool stored = tile->full()
                              ? (tile->index + 1) * kTileWidth <= row
                              : partials_.contains({tile->level, tile->index, tile->width});
      if (!stored) return Fail(ErrorCode::kNotFound, path + " answered 404");
      std::vector<NodeId> ids;
      for (uint32_t i = 0; i < tile->width; ++i) {
        ids.push_back(
            {static_cast<uint8_t>(tile->level * kTileHeight), tile->index * kTileWidth + i});
      }
      std::vector<Hash> hashes(ids.size());
      EXPECT_TRUE(tree_.GetHashes(ids, hashes).has_value());
      std::string body;
      for (const Hash& h : hashes) body.append(reinterpret_cast<const char*>(h.data()), h.size());
      if (corrupt_) body.pop_back();
      EXPECT_LE(body.size(), max_bytes);
      return body;
    };
  }
  MemoryHashSource& tree() { return tree_; }
  const std::vector<Hash>& leaves() const { return leaves_; }
  int fetches() const { return fetches_; }
  void Corrupt() { corrupt_ = true; }

 private:
  std::vector<Hash> leaves_;
  MemoryHashSource tree_;
  std::set<std::tuple<unsigned, uint64_t, uint64_t>> partials_;
  int fetches_ = 0;
  bool corrupt_ = false;
};

TEST(TileReaderTest, EveryPerfectSubtreeAndProofMatchesTheReferenceAroundTileBoundaries) {
  for (uint64_t size : {1, 2, 255, 256, 257, 511, 4097, 65535, 65536, 65537}) {
    SCOPED_TRACE(size);
    FakeTiles tiles(size, {size});
    TileReader reader("log", tiles.Fetcher());
    reader.SetTreeSize(size);
    // The frontier, and a spread of nodes at every level.
    std::vector<NodeId> ids = merkle::RangeNodes(0, size);
    for (uint8_t level = 0; (uint64_t{1} << level) <= size; ++level) {
      const uint64_t count = size >> level;
      for (uint64_t i : {uint64_t{0}, count / 3, count - 1}) ids.push_back({level, i});
    }
    std::vector<Hash> got(ids.size()), want(ids.size());
    ASSERT_TRUE(reader.GetHashes(ids, got).has_value());
    ASSERT_TRUE(tiles.tree().GetHashes(ids, want).has_value());
    EXPECT_EQ(got, want);
    for (uint64_t m : {uint64_t{1}, size / 2, size - 1}) {
      if (m == 0) continue;
      auto inclusion = merkle::InclusionProof(reader, m - 1, size);
      ASSERT_TRUE(inclusion.has_value());
      EXPECT_EQ(*inclusion, merkle::testing::ReferenceInclusion(m - 1, tiles.leaves()));
      auto consistency = merkle::ConsistencyProof(reader, m, size);
      ASSERT_TRUE(consistency.has_value());
      EXPECT_EQ(*consistency, merkle::testing::ReferenceConsistency(m, tiles.leaves()));
    }
  }
}

TEST(TileReaderTest, APartialTileThatIsGoneIsReadFromTheFullOneAndTilesAreFetchedOnce) {
  // The log had checkpoints at 300 and 600 entries; 0/001.p/44 is gone since 0/001 is full.
  FakeTiles tiles(600, {300, 600});
  TileReader reader("log", tiles.Fetcher());
  reader.SetTreeSize(300);
  const std::vector<NodeId> ids = merkle::RangeNodes(0, 300);  // 256, 32, 8, 4
  std::vector<Hash> got(ids.size()), want(ids.size());
  ASSERT_TRUE(reader.GetHashes(ids, got).has_value());
  ASSERT_TRUE(tiles.tree().GetHashes(ids, want).has_value());
  EXPECT_EQ(got, want);
  // 1/000.p/1, then 0/001.p/44 (gone) and 0/001 instead: three requests, and none again.
  EXPECT_EQ(tiles.fetches(), 3);
  ASSERT_TRUE(reader.GetHashes(ids, got).has_value());
  EXPECT_EQ(tiles.fetches(), 3);
}

TEST(TileReaderTest, NodesBeyondTheTreeAndTilesOfTheWrongLengthAreRefused) {
  FakeTiles tiles(1000, {1000});
  TileReader reader("http://log", tiles.Fetcher());
  reader.SetTreeSize(1000);
  std::vector<Hash> out(1);
  for (NodeId id :
       {NodeId{0, 1000}, NodeId{3, 125}, NodeId{10, 0}, NodeId{64, 0}, NodeId{200, 0}}) {
    auto r = reader.GetHashes(std::span(&id, 1), out);
    ASSERT_FALSE(r.has_value()) << int{id.level} << "-" << id.index;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  tiles.Corrupt();
  NodeId id{0, 999};
  auto r = reader.GetHashes(std::span(&id, 1), out);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kVerificationFailed);
  EXPECT_NE(r.error().message().find("http://log: hash tile 0/003.p/232"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace vellum::node
