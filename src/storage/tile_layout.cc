#include "storage/tile_layout.h"

#include <cstring>
#include <string>

namespace vellum::storage {

size_t InnerCount(uint32_t width) {
  size_t n = 0;
  for (unsigned r = kFirstInnerLevel; r < kTileHeight; ++r) n += width >> r;
  return n;
}

// Where local node (r, k) sits in `inner`. With r = 3 and k = 1, for example:
//
//   bottom:  h0 .. h7 | h8 .. h15 | h16 ..          m = (k + 1) << r = 16 hashes complete it
//   inner:   (3,0)      (3,1)                       InnerCount(15) = 1 hash stored before it
//                        ^ position 1
//
// and when h15 arrives (3,1) and (4,0) complete, in that order: (4,0) goes at position 2.
size_t InnerPosition(unsigned r, uint64_t k) {
  // The node completes when the bottom row reaches m = (k + 1) << r hashes. Before that,
  // InnerCount(m - 1) inner hashes are stored; at m, levels 3..r complete in that order.
  const auto m = static_cast<uint32_t>((k + 1) << r);
  return InnerCount(m - 1) + (r - kFirstInnerLevel);
}

// Tree node (level, index) lies in the tile of level level / 8; inside it, at local level
// level % 8, where one tile spans 256 >> local_level nodes. Node (10, 5), for example:
//
//   tile level 1 (tree levels 8..15), local level 2: 64 nodes per tile
//   tile index 5 / 64 = 0, local index 5 % 64 = 5
NodeLocation Locate(const merkle::NodeId& node) {
  NodeLocation loc;
  loc.tile.level = static_cast<uint8_t>(node.level / kTileHeight);
  loc.local_level = node.level % kTileHeight;
  const uint64_t per_tile = kTileWidth >> loc.local_level;  // nodes of this level in one tile
  loc.tile.index = node.index / per_tile;
  loc.local_index = node.index % per_tile;
  return loc;
}

uint32_t TileWidthAt(uint8_t level, uint64_t index, uint64_t size) {
  const uint64_t count = level * kTileHeight >= 64 ? 0 : size >> (level * kTileHeight);
  const uint64_t begin = index * kTileWidth;
  if (count <= begin) return 0;
  return count - begin >= kTileWidth ? kTileWidth : static_cast<uint32_t>(count - begin);
}

namespace {

// Local levels 1 and 2 are not stored: fold their 2 or 4 bottom hashes.
[[nodiscard]] Result<Hash> ComputedHash(const TileBlob& tile, const NodeLocation& loc) {
  const uint64_t first = loc.local_index << loc.local_level;
  Hash h[4];
  for (uint64_t i = 0; i < (uint64_t{1} << loc.local_level); ++i) {
    auto bottom = HashInTile(tile, {loc.tile, 0, first + i});
    if (!bottom) return bottom;
    h[i] = *bottom;
  }
  if (loc.local_level == 1) return merkle::NodeHash(h[0], h[1]);
  return merkle::NodeHash(merkle::NodeHash(h[0], h[1]), merkle::NodeHash(h[2], h[3]));
}

}  // namespace

Result<Hash> HashInTile(const TileBlob& tile, const NodeLocation& loc) {
  if (loc.local_level > 0 && loc.local_level < kFirstInnerLevel) return ComputedHash(tile, loc);
  const Bytes& column = loc.local_level == 0 ? tile.hashes : tile.inner;
  const size_t pos =
      loc.local_level == 0 ? loc.local_index : InnerPosition(loc.local_level, loc.local_index);
  if (loc.local_level == 0 && (tile.unloaded_blocks >> (pos / kLeafBlock) & 1) != 0) {
    return Fail(ErrorCode::kCorruption,
                "tile " + std::to_string(loc.tile.level) + "/" + std::to_string(loc.tile.index) +
                    ": the bottom hash at " + std::to_string(pos) + " is not loaded");
  }
  if ((pos + 1) * kHashSize > column.size()) {
    return Fail(ErrorCode::kCorruption,
                "tile " + std::to_string(loc.tile.level) + "/" + std::to_string(loc.tile.index) +
                    " is too short to hold the hash at local level " +
                    std::to_string(loc.local_level) + " index " + std::to_string(loc.local_index) +
                    "; run 'vellum verify'");
  }
  Hash h;
  std::memcpy(h.data(), column.data() + pos * kHashSize, kHashSize);
  return h;
}

}  // namespace vellum::storage

namespace vellum::storage {

std::optional<Hash> AppendToTile(TileBlob& tile, const Hash& hash) {
  tile.hashes.insert(tile.hashes.end(), hash.begin(), hash.end());
  const uint32_t width = tile.width();
  Hash acc = hash;
  // Each trailing zero bit of the new width is one more level this hash completes.
  for (unsigned r = 1; r <= kTileHeight && (width & ((1u << r) - 1)) == 0; ++r) {
    const NodeLocation left{{}, r - 1, (width >> (r - 1)) - 2};
    acc = merkle::NodeHash(*HashInTile(tile, left), acc);
    if (r == kTileHeight) return acc;
    if (r >= kFirstInnerLevel) tile.inner.insert(tile.inner.end(), acc.begin(), acc.end());
  }
  return std::nullopt;
}

}  // namespace vellum::storage
