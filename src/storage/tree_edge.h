// The right edge of a stored tree: at each tile level, the tile that is still growing. The writer
// loads it, appends leaf hashes in memory, then stores the tiles that changed, all in one
// transaction. Not thread-safe.
#ifndef VELLUM_STORAGE_TREE_EDGE_H_
#define VELLUM_STORAGE_TREE_EDGE_H_

#include <utility>
#include <vector>

#include "storage/tile_layout.h"

namespace vellum::storage {

class TreeEdge {
 public:
  // The right-edge tiles of a tree of `size` leaves, lowest level first, with their widths.
  // Tiles of width 0 do not exist yet and need not be loaded.
  static std::vector<std::pair<TileId, uint32_t>> EdgeTiles(uint64_t size);
  // Resumes from the stored edge: tiles[i] is the contents of EdgeTiles(size)[i] (empty for
  // width 0). kCorruption if a tile's length disagrees with its expected width.
  [[nodiscard]] static Result<TreeEdge> FromTiles(uint64_t size, std::vector<TileBlob> tiles);

  void AddLeaf(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  // Root of the whole tree, from the edge tiles alone.
  Hash Root() const;
  // Every tile AddLeaf changed since construction or the last call, with its new contents.
  std::vector<std::pair<TileId, TileBlob>> TakeChanged();

 private:
  void AddAtLevel(size_t level, const Hash& hash);

  uint64_t size_ = 0;
  std::vector<TileBlob> tiles_;    // tiles_[L]: the growing tile at level L
  std::vector<uint64_t> indexes_;  // its tile index
  std::vector<bool> changed_;
  std::vector<std::pair<TileId, TileBlob>> completed_;  // tiles filled since the last take
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_TREE_EDGE_H_
