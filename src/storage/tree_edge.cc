#include "storage/tree_edge.h"

#include <string>

#include "merkle/tree_math.h"

namespace vellum::storage {

std::vector<std::pair<TileId, uint32_t>> TreeEdge::EdgeTiles(uint64_t size) {
  std::vector<std::pair<TileId, uint32_t>> out;
  for (uint8_t level = 0; level * kTileHeight < 64; ++level) {
    const uint64_t count = size >> (level * kTileHeight);
    if (count == 0) break;
    out.push_back({{level, count / kTileWidth}, static_cast<uint32_t>(count % kTileWidth)});
  }
  return out;
}

Result<TreeEdge> TreeEdge::FromTiles(uint64_t size, std::vector<TileBlob> tiles) {
  auto expected = EdgeTiles(size);
  if (tiles.size() != expected.size()) {
    return Fail(ErrorCode::kCorruption, "tree edge: expected " + std::to_string(expected.size()) +
                                            " tiles, got " + std::to_string(tiles.size()));
  }
  TreeEdge edge;
  edge.size_ = size;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const auto& [id, width] = expected[i];
    if (tiles[i].hashes.size() != width * kHashSize ||
        tiles[i].inner.size() != InnerCount(width) * kHashSize) {
      return Fail(ErrorCode::kCorruption, "tile " + std::to_string(id.level) + "/" +
                                              std::to_string(id.index) + " should hold " +
                                              std::to_string(width) + " hashes for tree size " +
                                              std::to_string(size));
    }
    edge.indexes_.push_back(id.index);
    edge.changed_.push_back(false);
  }
  edge.tiles_ = std::move(tiles);
  return edge;
}

void TreeEdge::AddLeaf(const Hash& leaf_hash) {
  AddAtLevel(0, leaf_hash);
  ++size_;
}

void TreeEdge::AddAtLevel(size_t level, const Hash& hash) {
  if (level == tiles_.size()) {
    tiles_.emplace_back();
    indexes_.push_back(0);
    changed_.push_back(false);
  }
  std::optional<Hash> root = AppendToTile(tiles_[level], hash);
  changed_[level] = true;
  if (!root) return;
  const TileId full{static_cast<uint8_t>(level), indexes_[level]};
  completed_.emplace_back(full, std::move(tiles_[level]));
  tiles_[level] = TileBlob{};
  ++indexes_[level];
  changed_[level] = false;
  AddAtLevel(level + 1, *root);
}

Hash TreeEdge::Root() const {
  if (size_ == 0) return merkle::EmptyRoot();
  std::vector<Hash> hashes;
  for (const merkle::NodeId& node : merkle::RangeNodes(0, size_)) {
    const NodeLocation loc = Locate(node);
    // Every subtree of the size's decomposition lies in that level's edge tile.
    hashes.push_back(*HashInTile(tiles_[loc.tile.level], loc));
  }
  return merkle::FoldRange(hashes);
}

std::vector<std::pair<TileId, TileBlob>> TreeEdge::TakeChanged() {
  std::vector<std::pair<TileId, TileBlob>> out = std::move(completed_);
  completed_.clear();
  for (size_t level = 0; level < tiles_.size(); ++level) {
    if (!changed_[level]) continue;
    out.emplace_back(TileId{static_cast<uint8_t>(level), indexes_[level]}, tiles_[level]);
    changed_[level] = false;
  }
  return out;
}

}  // namespace vellum::storage
