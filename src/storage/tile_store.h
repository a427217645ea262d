// Reading stored tiles and serving perfect-subtree hashes from them.
#ifndef VELLUM_STORAGE_TILE_STORE_H_
#define VELLUM_STORAGE_TILE_STORE_H_

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "storage/sqlite.h"
#include "storage/tile_layout.h"
#include "vellum/merkle.h"

namespace vellum::storage {

// SQL that selects (hashes, inner) of one tile, binding level then index.
inline constexpr const char* kSelectTileSql =
    "SELECT hashes, inner FROM tiles WHERE level = ? AND idx = ?";

// Reads tile `id` with a statement prepared from kSelectTileSql; nullopt if it is not stored.
[[nodiscard]] Result<std::optional<TileBlob>> ReadTileBlob(Stmt& select, const TileId& id);

// Tiles one ledger handle has read or written, kept for the next proof. A stored tile only ever
// grows by appending (the triggers refuse anything else), so a tile once read stays a true
// prefix of the stored one, whoever appends later: a cached tile too narrow for a hash is read
// again, never trusted past its width. Holds at most `budget_bytes` of tiles; the least recently
// used go first. Not thread-safe.
class TileCache {
 public:
  explicit TileCache(size_t budget_bytes) : budget_(budget_bytes) {}
  using Tile = std::shared_ptr<const TileBlob>;
  // The cached tile `id`, or null.
  Tile Find(const TileId& id);
  // Keeps `tile` as tile `id` unless a wider copy is cached already.
  void Put(const TileId& id, Tile tile);
  void Clear();
  size_t bytes() const { return bytes_; }

 private:
  static size_t Cost(const TileBlob& tile) { return tile.hashes.size() + tile.inner.size() + 64; }
  using Order = std::list<std::pair<TileId, Tile>>;  // most recently used first
  Order order_;
  std::map<TileId, Order::iterator> where_;
  size_t bytes_ = 0;
  const size_t budget_;
};

// A HashSource over stored tiles. Each tile is read at most once per GetHashes call, and not at
// all when `cache` (optional) holds it wide enough; tiles read are added to `cache`.
// Lives no longer than the statement and cache it borrows; not thread-safe.
class TileHashSource : public merkle::HashSource {
 public:
  explicit TileHashSource(Stmt& select, TileCache* cache = nullptr)
      : select_(select), shared_(cache) {}
  [[nodiscard]] Result<void> GetHashes(std::span<const merkle::NodeId> ids,
                                       std::span<Hash> out) override;

 private:
  // Tile `id` from this call's tiles, the shared cache or the file (`reread`: the file).
  [[nodiscard]] Result<TileCache::Tile> Load(const TileId& id, bool reread);
  Stmt& select_;
  TileCache* shared_;
  std::vector<std::pair<TileId, TileCache::Tile>> loaded_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_TILE_STORE_H_
