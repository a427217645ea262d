#include "storage/tile_store.h"

#include <algorithm>
#include <string>

#include "storage/entries.h"

namespace vellum::storage {

Result<void> TileReader::Prepare() {
  auto tile = db_.Prepare("SELECT hashes, inner FROM tiles WHERE level = ? AND idx = ?");
  if (!tile) return std::unexpected(tile.error());
  auto entries =
      db_.Prepare("SELECT idx, ts, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx");
  if (!entries) return std::unexpected(entries.error());
  // Prepared once: compiling BEGIN and COMMIT again for every proof cost a few percent of one.
  auto begin = db_.Prepare("BEGIN");
  if (!begin) return std::unexpected(begin.error());
  auto commit = db_.Prepare("COMMIT");
  if (!commit) return std::unexpected(commit.error());
  select_tile_ = std::move(*tile);
  select_entries_ = std::move(*entries);
  begin_ = std::move(*begin);
  commit_ = std::move(*commit);
  return {};
}

void TileReader::BeginIfBatched() {
  if (!batch_ || begun_ || !sqlite3_get_autocommit(db_.raw())) return;
  begun_ = begin_.Run().has_value();
}

void TileReader::EndBatch() {
  if (begun_) (void)commit_.Run();
  batch_ = begun_ = false;
}

Result<std::optional<TileBlob>> TileReader::ReadStored(const TileId& id) {
  BeginIfBatched();
  select_tile_.Bind(1, int64_t{id.level}).Bind(2, static_cast<int64_t>(id.index));
  auto row = select_tile_.Step();
  if (!row) return std::unexpected(row.error());
  std::optional<TileBlob> out;
  if (*row) {
    auto hashes = select_tile_.Blob(0), inner = select_tile_.Blob(1);
    out = TileBlob{Bytes(hashes.begin(), hashes.end()), Bytes(inner.begin(), inner.end())};
  }
  select_tile_.Reset();
  return out;
}

Result<std::optional<TileBlob>> TileReader::ReadLazily(const TileId& id) {
  auto stored = ReadStored(id);
  if (!stored || !*stored || !prefixes_ || id.level != 0) return stored;
  // Each prefix goes to the start of its hash's slot until Fill loads the whole hash.
  TileBlob& tile = **stored;
  const size_t width = std::min<size_t>(tile.hashes.size() / kLeafPrefixSize, kTileWidth);
  Bytes slots(width * kHashSize);
  for (size_t i = 0; i < width; ++i) {
    std::copy_n(tile.hashes.begin() + i * kLeafPrefixSize, kLeafPrefixSize,
                slots.begin() + i * kHashSize);
  }
  tile.hashes = std::move(slots);
  const size_t blocks = (width + kLeafBlock - 1) / kLeafBlock;
  tile.unloaded_blocks = blocks == 32 ? ~uint32_t{0} : (uint32_t{1} << blocks) - 1;
  return stored;
}

Result<std::optional<TileBlob>> TileReader::Read(const TileId& id) {
  auto tile = ReadLazily(id);
  if (!tile || !*tile || (*tile)->unloaded_blocks == 0) return tile;
  const unsigned last = ((*tile)->width() - 1) / kLeafBlock;
  if (auto ok = Fill(**tile, id.index, 0, last); !ok) return std::unexpected(ok.error());
  return tile;
}

Error ChangedEntry(uint64_t index) {
  return Error(ErrorCode::kCorruption,
               "entry " + std::to_string(index) +
                   " was changed: its bytes no longer hash to the stored leaf hash; run "
                   "'vellum verify'");
}

Result<void> TileReader::Fill(TileBlob& tile, uint64_t index, unsigned first, unsigned last) {
  BeginIfBatched();
  const uint64_t begin = first * kLeafBlock;
  const uint64_t end = std::min<uint64_t>((last + 1) * kLeafBlock, tile.width());
  const uint64_t base = index * kTileWidth;
  Bytes leaves;
  leaves.reserve((end - begin) * kHashSize);
  select_entries_.Bind(1, static_cast<int64_t>(base + begin))
      .Bind(2, static_cast<int64_t>(base + end));
  auto fail = [&](uint64_t entry, const std::string& why) -> Result<void> {
    select_entries_.Reset();
    return Fail(ErrorCode::kCorruption,
                "entry " + std::to_string(entry) + " " + why + "; run 'vellum verify'");
  };
  for (uint64_t i = begin; i < end; ++i) {
    auto row = select_entries_.Step();
    if (!row) {
      select_entries_.Reset();
      return std::unexpected(row.error());
    }
    if (!*row || static_cast<uint64_t>(select_entries_.Int(0)) != base + i) {
      return fail(base + i, "is missing from the file");
    }
    const auto slot = tile.hashes.begin() + i * kHashSize;
    if ((tile.unloaded_blocks >> (i / kLeafBlock) & 1) == 0) {  // loaded already: keep it
      leaves.insert(leaves.end(), slot, slot + kHashSize);
      continue;
    }
    auto leaf = LeafHashFromRow(select_entries_, 1, 2, base + i, format_);
    if (!leaf) return fail(base + i, "is damaged: " + leaf.error().message());
    if (!std::equal(slot, slot + kLeafPrefixSize, leaf->begin())) {
      select_entries_.Reset();
      return std::unexpected(ChangedEntry(base + i));
    }
    leaves.insert(leaves.end(), leaf->begin(), leaf->end());
  }
  select_entries_.Reset();
  std::copy(leaves.begin(), leaves.end(), tile.hashes.begin() + begin * kHashSize);
  for (unsigned b = first; b <= last; ++b) tile.unloaded_blocks &= ~(uint32_t{1} << b);
  return {};
}

Bytes TileReader::StoredHashes(const TileId& id, const TileBlob& tile) const {
  if (!prefixes_ || id.level != 0) return tile.hashes;
  Bytes out;
  out.reserve(tile.width() * kLeafPrefixSize);
  for (uint32_t i = 0; i < tile.width(); ++i) {
    const auto hash = tile.hashes.begin() + i * kHashSize;
    out.insert(out.end(), hash, hash + kLeafPrefixSize);
  }
  return out;
}

TileCache::Tile TileCache::Find(const TileId& id) {
  auto it = where_.find(id);
  if (it == where_.end()) return nullptr;
  Order& order = OrderOf(id);
  order.splice(order.begin(), order, it->second);
  return it->second->second;
}

void TileCache::Put(const TileId& id, Tile tile) {
  if (!tile || Cost(*tile) > budget_) return;
  Order& order = OrderOf(id);
  if (auto it = where_.find(id); it != where_.end()) {
    const Tile& old = it->second->second;
    if (old->width() >= tile->width()) return;
    bytes_ -= Cost(*old);
    order.erase(it->second);
    where_.erase(it);
  }
  bytes_ += Cost(*tile);
  order.emplace_front(id, std::move(tile));
  where_[id] = order.begin();
  while (bytes_ > budget_) {
    Order& out = level0_.empty() ? upper_ : level0_;
    bytes_ -= Cost(*out.back().second);
    where_.erase(out.back().first);
    out.pop_back();
  }
}

void TileCache::Clear() {
  level0_.clear();
  upper_.clear();
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
  auto blob = tiles_.ReadLazily(id);
  if (!blob) return std::unexpected(blob.error());
  if (!*blob) {
    return Fail(ErrorCode::kCorruption, "tile " + std::to_string(id.level) + "/" +
                                            std::to_string(id.index) + " is missing");
  }
  auto tile = std::make_shared<TileBlob>(std::move(**blob));
  std::erase_if(loaded_, [&](const auto& entry) { return entry.first == id; });
  loaded_.emplace_back(id, tile);
  if (shared_) shared_->Put(id, tile);
  return tile;
}

Result<void> TileHashSource::GetHashes(std::span<const merkle::NodeId> ids, std::span<Hash> out) {
  loaded_.clear();
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeLocation loc = Locate(ids[i]);
    // Bottom hashes (local levels 0..2) of a schema-3 level-0 tile: load their block first.
    auto load_block = [&](TileBlob& tile) -> Result<void> {
      if (loc.tile.level != 0 || loc.local_level >= kFirstInnerLevel) return {};
      const uint64_t leaf = loc.local_index << loc.local_level;
      const auto block = static_cast<unsigned>(leaf / kLeafBlock);
      if (leaf >= tile.width() || (tile.unloaded_blocks >> block & 1) == 0) return {};
      if (whole_tiles_) {  // falls back to the block if another block has an edited entry
        auto whole = tiles_.Fill(tile, loc.tile.index, 0, (tile.width() - 1) / kLeafBlock);
        if (whole) return whole;
      }
      return tiles_.Fill(tile, loc.tile.index, block, block);
    };
    auto tile = Load(loc.tile, false);
    if (!tile) return std::unexpected(tile.error());
    if (auto ok = load_block(**tile); !ok) return ok;
    auto hash = HashInTile(**tile, loc);
    if (!hash && shared_) {  // a cached tile narrower than the tree asked about: read it again
      tile = Load(loc.tile, true);
      if (!tile) return std::unexpected(tile.error());
      if (auto ok = load_block(**tile); !ok) return ok;
      hash = HashInTile(**tile, loc);
    }
    if (!hash) return std::unexpected(hash.error());
    out[i] = *hash;
  }
  return {};
}

}  // namespace vellum::storage
