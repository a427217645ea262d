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

Result<const TileBlob*> TileHashSource::Load(const TileId& id) {
  for (const auto& [cached, blob] : cache_) {
    if (cached == id) return &blob;
  }
  auto blob = ReadTileBlob(select_, id);
  if (!blob) return std::unexpected(blob.error());
  if (!*blob) {
    return Fail(ErrorCode::kCorruption, "tile " + std::to_string(id.level) + "/" +
                                            std::to_string(id.index) + " is missing");
  }
  cache_.emplace_back(id, std::move(**blob));
  return &cache_.back().second;
}

Result<void> TileHashSource::GetHashes(std::span<const merkle::NodeId> ids, std::span<Hash> out) {
  cache_.clear();
  cache_.reserve(ids.size());  // keeps returned pointers stable
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeLocation loc = Locate(ids[i]);
    auto tile = Load(loc.tile);
    if (!tile) return std::unexpected(tile.error());
    auto hash = HashInTile(**tile, loc);
    if (!hash) return std::unexpected(hash.error());
    out[i] = *hash;
  }
  return {};
}

}  // namespace vellum::storage
