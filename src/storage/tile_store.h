// Reading stored tiles and serving perfect-subtree hashes from them.
#ifndef VELLUM_STORAGE_TILE_STORE_H_
#define VELLUM_STORAGE_TILE_STORE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/sqlite.h"
#include "storage/tile_layout.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace vellum::storage {

// Bytes stored per leaf in the bottom row of a level-0 tile of a schema-3 file: the first four
// of its leaf hash. The whole hash is recomputed from the entry when the tile is read.
inline constexpr size_t kLeafPrefixSize = 4;

// kCorruption: entry `index` no longer hashes to the leaf hash its level-0 tile stores.
[[nodiscard]] Error ChangedEntry(uint64_t index);

// Reads and writes tiles in the form a ledger file keeps them. Schema 2 and older store every
// bottom row whole. Schema 3 stores a level-0 tile's bottom row as the leaf hashes' prefixes: the
// entries hold everything the hashes are made from, so storing them again would double the file.
// Above the file, every tile has its whole bottom row. Lives no longer than `db`; not thread-safe.
class TileReader {
 public:
  TileReader(Db& db, EntryFormat format, bool leaf_prefixes)
      : db_(db), format_(format), prefixes_(leaf_prefixes) {}
  [[nodiscard]] Result<void> Prepare();

  // Tile `id` exactly as stored (a schema-3 level-0 tile: its prefixes); nullopt if absent.
  [[nodiscard]] Result<std::optional<TileBlob>> ReadStored(const TileId& id);
  // Tile `id` with its whole bottom row; nullopt if absent. A schema-3 level-0 tile's leaf
  // hashes come from its entries, each checked against its stored prefix (Fill).
  [[nodiscard]] Result<std::optional<TileBlob>> Read(const TileId& id);
  // Tile `id` with its bottom row loaded only where Fill is asked to: a schema-3 level-0 tile
  // comes with every block unloaded (TileBlob::unloaded_blocks). Other tiles are read whole.
  [[nodiscard]] Result<std::optional<TileBlob>> ReadLazily(const TileId& id);
  // Loads blocks [first, last] of level-0 tile `index` (read by ReadLazily) from its entries.
  // kCorruption, loading nothing, if an entry is missing or no longer hashes to its stored
  // prefix: the file was edited ('vellum verify' says where). Hashes that do not need that
  // block are still served.
  [[nodiscard]] Result<void> Fill(TileBlob& tile, uint64_t index, unsigned first, unsigned last);
  // Until EndBatch, reads share one read transaction, begun by the first read that needs the
  // file (a proof served from the cache touches it not at all). Call outside any transaction.
  void StartBatch() { batch_ = true; }
  void EndBatch();
  // What the `hashes` column stores for `tile`, whose bottom row is whole.
  Bytes StoredHashes(const TileId& id, const TileBlob& tile) const;
  // Bytes per bottom hash in stored level-0 tiles: 32, or kLeafPrefixSize.
  size_t stored_leaf_size() const { return prefixes_ ? kLeafPrefixSize : kHashSize; }

 private:
  // Begins the batch's read transaction if one is due.
  void BeginIfBatched();
  Db& db_;
  EntryFormat format_;
  bool prefixes_;
  bool batch_ = false, begun_ = false;
  Stmt select_tile_, select_entries_, begin_, commit_;
};

// Tiles one ledger handle has read or written, kept for the next proof. A stored tile only ever
// grows by appending (the triggers refuse anything else), so a tile once read stays a true
// prefix of the stored one, whoever appends later: a cached tile too narrow for a hash is read
// again, never trusted past its width. Holds at most `budget_bytes` of tiles. The least recently
// used level-0 tile goes first, and a tile of a higher level only when no level-0 tile is left:
// each of those serves 256 times as many proofs (at 100M entries they are 16 MB, and random
// proofs, which read two level-0 tiles each, would otherwise push them out). Not thread-safe.
class TileCache {
 public:
  explicit TileCache(size_t budget_bytes) : budget_(budget_bytes) {}
  // Mutable only to load more of its bottom row (TileReader::Fill).
  using Tile = std::shared_ptr<TileBlob>;
  // The cached tile `id`, or null.
  Tile Find(const TileId& id);
  // Keeps `tile` as tile `id` unless a wider copy is cached already.
  void Put(const TileId& id, Tile tile);
  void Clear();
  size_t bytes() const { return bytes_; }
  size_t budget() const { return budget_; }
  // What a full tile costs in the cache (Cost: 256 bottom and 62 inner hashes).
  static constexpr size_t kFullTileCost = (kTileWidth + 62) * kHashSize + 64;

 private:
  static size_t Cost(const TileBlob& tile) { return tile.hashes.size() + tile.inner.size() + 64; }
  using Order = std::list<std::pair<TileId, Tile>>;  // most recently used first
  struct IdHash {
    size_t operator()(const TileId& id) const {
      return std::hash<uint64_t>{}(id.index * 8 + id.level);  // levels are below 8
    }
  };
  Order& OrderOf(const TileId& id) { return id.level == 0 ? level0_ : upper_; }
  Order level0_, upper_;
  std::unordered_map<TileId, Order::iterator, IdHash> where_;
  size_t bytes_ = 0;
  const size_t budget_;
};

// A HashSource over stored tiles (through `tiles`). Each tile is read at most once per GetHashes
// call, and not at all when `cache` (optional) holds it wide enough; tiles read are added to
// `cache`. The bottom row of a schema-3 level-0 tile is loaded from the entries whole when every
// level-0 tile of the tree (`tree_size` leaves) fits in `cache`, so that it serves every later
// proof; in a larger tree, only the block of eight a hash needs, which bounds what one proof
// reads. Lives no longer than the reader and cache it borrows; not thread-safe.
class TileHashSource : public merkle::HashSource {
 public:
  explicit TileHashSource(TileReader& tiles, TileCache* cache = nullptr, uint64_t tree_size = 0)
      : tiles_(tiles),
        shared_(cache),
        whole_tiles_(cache &&
                     tree_size / kTileWidth * TileCache::kFullTileCost <= cache->budget()) {}
  [[nodiscard]] Result<void> GetHashes(std::span<const merkle::NodeId> ids,
                                       std::span<Hash> out) override;

 private:
  // Tile `id` from this call's tiles, the shared cache or the file (`reread`: the file).
  [[nodiscard]] Result<TileCache::Tile> Load(const TileId& id, bool reread);
  TileReader& tiles_;
  TileCache* shared_;
  bool whole_tiles_;
  std::vector<std::pair<TileId, TileCache::Tile>> loaded_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_TILE_STORE_H_
