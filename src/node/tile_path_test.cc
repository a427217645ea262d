#include "node/tile_path.h"

#include <gtest/gtest.h>

#include "vellum/ledger.h"

namespace vellum::node {
namespace {

TEST(TilePathTest, EncodesIndexesInGroupsOfThree) {
  EXPECT_EQ(EncodeTileIndex(0), "000");
  EXPECT_EQ(EncodeTileIndex(5), "005");
  EXPECT_EQ(EncodeTileIndex(1000), "x001/000");
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
  EXPECT_EQ(FormatTilePath({false, 2, 1234067, 256}), "2/x001/x234/067");
  EXPECT_EQ(FormatTilePath({true, 0, 7, 12}), "entries/007.p/12");
}

TEST(TilePathTest, ParsesWhatItFormats) {
  for (uint64_t index : {0ull, 1ull, 999ull, 1000ull, 1234067ull, 999999999999ull}) {
    for (uint32_t width : {1u, 255u, 256u}) {
      for (bool entries : {false, true}) {
        TilePath t{entries, static_cast<uint8_t>(entries ? 0 : 1), index, width};
        auto back = ParseTilePath(FormatTilePath(t));
        ASSERT_TRUE(back) << FormatTilePath(t) << ": " << back.error().ToString();
        EXPECT_EQ(back->index, index);
        EXPECT_EQ(back->width, width);
        EXPECT_EQ(back->entries, entries);
        EXPECT_EQ(back->level, t.level);
      }
    }
  }
}

TEST(TilePathTest, RejectsNonCanonicalPaths) {
  for (const char* bad : {"0/1", "0/0001", "0/x000/001", "0/x1/001", "0/001/002", "0/001.p/0",
                          "0/001.p/256", "0/001.p/07", "01/000", "64/000", "-1/000", "0/",
                          "entries", "0/abc", "0/001.p", "0/001.x/5", "", "8/000"}) {
    EXPECT_FALSE(ParseTilePath(bad)) << bad;
  }
  // A width in range but written with a leading zero is refused for that, and the message says so.
  auto padded = ParseTilePath("0/001.p/07");
  ASSERT_FALSE(padded);
  EXPECT_NE(padded.error().message().find("without leading zeros"), std::string::npos)
      << padded.error().message();
}

// Tile N at level L starts at entry N * 256^(L+1): past 2^64 it would wrap around to a tile
// that exists (entries/2^56 was served as bundle 0).
TEST(TilePathTest, RejectsIndexesBeyondTheLargestTree) {
  const uint64_t limit = uint64_t{1} << 56;
  for (bool entries : {false, true}) {
    EXPECT_TRUE(ParseTilePath(FormatTilePath({entries, 0, limit - 1, 256})));
    EXPECT_FALSE(ParseTilePath(FormatTilePath({entries, 0, limit, 256})));
    EXPECT_FALSE(ParseTilePath(FormatTilePath({entries, 0, UINT64_MAX, 256})));
  }
  EXPECT_TRUE(ParseTilePath(FormatTilePath({false, 6, 255, 256})));
  EXPECT_FALSE(ParseTilePath(FormatTilePath({false, 6, 256, 256})));
  EXPECT_TRUE(ParseTilePath(FormatTilePath({false, 7, 0, 1})));
  EXPECT_FALSE(ParseTilePath(FormatTilePath({false, 7, 1, 1})));
}

TEST(EntryBundleTest, ParsesWhatItWrites) {
  const std::vector<Bytes> entries = {{}, {'a'}, Bytes(300, 7), Bytes(kMaxEntrySize, 1)};
  Bytes bundle;
  for (const Bytes& e : entries) AppendBundleEntry(bundle, e);
  EXPECT_EQ(bundle.size(), 2 * 4 + 0 + 1 + 300 + kMaxEntrySize);
  EXPECT_EQ(bundle[2], 0x00);  // second entry's length, big-endian
  EXPECT_EQ(bundle[3], 0x01);
  auto back = ParseEntryBundle(bundle, entries.size());
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, entries);
}

TEST(EntryBundleTest, NamesTruncationAndTrailingBytes) {
  Bytes bundle;
  AppendBundleEntry(bundle, Bytes{1, 2, 3});
  AppendBundleEntry(bundle, Bytes{4});
  auto fewer = ParseEntryBundle(bundle, 3);
  ASSERT_FALSE(fewer);
  EXPECT_NE(fewer.error().message().find("truncated: 2 of 3"), std::string::npos);
  auto more = ParseEntryBundle(bundle, 1);
  ASSERT_FALSE(more);
  EXPECT_NE(more.error().message().find("3 bytes after its 1 entry"), std::string::npos);
  bundle.pop_back();
  auto cut = ParseEntryBundle(bundle, 2);
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find("inside entry 1"), std::string::npos);
  EXPECT_FALSE(ParseEntryBundle(Bytes{0}, 1));
  EXPECT_TRUE(ParseEntryBundle(Bytes{}, 0));
}

}  // namespace
}  // namespace vellum::node
