// Where each hash of the Merkle tree lives in the stored tiles.
//
// The tree is cut into tiles as in C2SP tlog-tiles: tile (L, N) holds the hashes of tree level
// 8L, indexes N*256 .. N*256+255, in a column `hashes` that is exactly the tlog-tiles bytes (a
// partial tile of width W has W*32 bytes). Level 8L+8 hashes are the roots of full level-L tiles
// and are the bottom row of level L+1.
//
// So that proofs barely re-hash inside a tile, the tile also stores the hashes of local levels
// 3..7 in a column `inner`, in the order they are completed as the bottom row grows. Levels 1
// and 2 are not stored (they would double the tile for little): reading one folds 2 or 4 bottom
// hashes. Both columns only ever grow by appending, which the triggers enforce:
//
//   bottom:  h0 h1 ... h7   h8 ... h15   h16 ... h23   h24 ... h31 ...
//   inner:             (3,0)        (3,1)         (3,2)         (3,3) (4,1) (5,0) ...
//
// A full tile has 256 bottom hashes and 62 inner ones (32 + 16 + 8 + 4 + 2).
#ifndef VELLUM_STORAGE_TILE_LAYOUT_H_
#define VELLUM_STORAGE_TILE_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <span>

#include "vellum/error.h"
#include "vellum/hash.h"
#include "vellum/merkle.h"

namespace vellum::storage {

inline constexpr unsigned kFirstInnerLevel = 3;  // lowest local level stored in `inner`

struct TileId {
  uint8_t level = 0;  // tile level: tree level 8 * level
  uint64_t index = 0;
  friend bool operator==(const TileId&, const TileId&) = default;
  friend auto operator<=>(const TileId&, const TileId&) = default;
};

// Bottom hashes are loaded in blocks of eight: what local levels 0..2 of one leaf need.
inline constexpr unsigned kLeafBlock = 8;

// A stored tile's two columns.
struct TileBlob {
  Bytes hashes;  // bottom row, width * 32 bytes
  Bytes inner;   // InnerCount(width) * 32 bytes
  // Bit b set: bottom hashes [8b, 8b + 8) are not loaded yet, and each of their 32-byte slots
  // holds only the stored leaf-hash prefix (a schema-3 level-0 tile; TileReader::Fill).
  uint32_t unloaded_blocks = 0;
  uint32_t width() const { return static_cast<uint32_t>(hashes.size() / kHashSize); }
};

// Number of inner hashes a tile of `width` bottom hashes holds.
size_t InnerCount(uint32_t width);
// Position in `inner` of the node at local level r (3..7), local index k.
size_t InnerPosition(unsigned r, uint64_t k);

// The tile holding tree node `node`, and the node's local level and index inside it.
struct NodeLocation {
  TileId tile;
  unsigned local_level = 0;  // 0..7
  uint64_t local_index = 0;
};
NodeLocation Locate(const merkle::NodeId& node);

// The width of tile (level, index) in a tree of `size` leaves: 256 for full tiles, less for the
// right edge, 0 when the tile does not exist yet.
uint32_t TileWidthAt(uint8_t level, uint64_t index, uint64_t size);

// Reads (levels 0, 3..7) or computes (levels 1, 2) the hash at `loc` from a tile's columns;
// kCorruption if the tile is too short for it.
[[nodiscard]] Result<Hash> HashInTile(const TileBlob& tile, const NodeLocation& loc);

// Appends `hash` to the tile's bottom row and the inner hashes it completes. Returns the tile's
// root (a level 8L+8 hash) when this made the tile full. REQUIRES: tile.width() < 256.
std::optional<Hash> AppendToTile(TileBlob& tile, const Hash& hash);

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_TILE_LAYOUT_H_
