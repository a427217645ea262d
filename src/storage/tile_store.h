// Reading stored tiles and serving perfect-subtree hashes from them.
#ifndef VELLUM_STORAGE_TILE_STORE_H_
#define VELLUM_STORAGE_TILE_STORE_H_

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

// A HashSource over stored tiles. Each tile is read once per GetHashes call.
// Lives no longer than the statement it borrows; not thread-safe.
class TileHashSource : public merkle::HashSource {
 public:
  explicit TileHashSource(Stmt& select) : select_(select) {}
  [[nodiscard]] Result<void> GetHashes(std::span<const merkle::NodeId> ids,
                                       std::span<Hash> out) override;

 private:
  [[nodiscard]] Result<const TileBlob*> Load(const TileId& id);
  Stmt& select_;
  std::vector<std::pair<TileId, TileBlob>> cache_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_TILE_STORE_H_
