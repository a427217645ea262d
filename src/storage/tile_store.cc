#include "storage/tile_store.h"

#include <string>

namespace vellum::storage {

Result<std::optional<TileBlob>> ReadTileBlob(Stmt& select, const TileId& id) {
  select.Bind(1, int64_t{id.level}).Bind(2, static_cast<int64_t>(id.index));
  auto row = select.Step();
  if (!row) return std::unexpected(row.error());
  std::optional<TileBlob> out;
  if (*row) {
    auto hashes = select.Blob(0), inner = select.Blob(1);
    out = TileBlob{Bytes(hashes.begin(), hashes.end()), Bytes(inner.begin(), inner.end())};
  }
  select.Reset();
  return out;
}

TileCache::Tile TileCache::Find(const TileId& id) {
  auto it = where_.find(id);
  if (it == where_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void TileCache::Put(const TileId& id, Tile tile) {
  if (!tile || Cost(*tile) > budget_) return;
  if (auto it = where_.find(id); it != where_.end()) {
    const Tile& old = it->second->second;
    if (old->width() >= tile->width()) return;
    bytes_ -= Cost(*old);
    order_.erase(it->second);
    where_.erase(it);
  }
  bytes_ += Cost(*tile);
  order_.emplace_front(id, std::move(tile));
  where_[id] = order_.begin();
  while (bytes_ > budget_) {
    bytes_ -= Cost(*order_.back().second);
    where_.erase(order_.back().first);
    order_.pop_back();
  }
}

void TileCache::Clear() {
  order_.clear();
  where_.clear();
  bytes_ = 0;
}

Result<TileCache::Tile> TileHashSource::Load(const TileId& id, bool reread) {
  if (!reread) {
    for (const auto& [have, tile] : loaded_) {
      if (have == id) return tile;
    }
    if (shared_) {
      if (auto tile = shared_->Find(id)) {
        loaded_.emplace_back(id, tile);
        return tile;
      }
    }
  }
  auto blob = ReadTileBlob(select_, id);
  if (!blob) return std::unexpected(blob.error());
  if (!*blob) {
    return Fail(ErrorCode::kCorruption, "tile " + std::to_string(id.level) + "/" +
                                            std::to_string(id.index) + " is missing");
  }
  auto tile = std::make_shared<const TileBlob>(std::move(**blob));
  std::erase_if(loaded_, [&](const auto& entry) { return entry.first == id; });
  loaded_.emplace_back(id, tile);
  if (shared_) shared_->Put(id, tile);
  return tile;
}

Result<void> TileHashSource::GetHashes(std::span<const merkle::NodeId> ids, std::span<Hash> out) {
  loaded_.clear();
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeLocation loc = Locate(ids[i]);
    auto tile = Load(loc.tile, false);
    if (!tile) return std::unexpected(tile.error());
    auto hash = HashInTile(**tile, loc);
    if (!hash && shared_) {  // a cached tile narrower than the tree asked about: read it again
      tile = Load(loc.tile, true);
      if (!tile) return std::unexpected(tile.error());
      hash = HashInTile(**tile, loc);
    }
    if (!hash) return std::unexpected(hash.error());
    out[i] = *hash;
  }
  return {};
}

}  // namespace vellum::storage
