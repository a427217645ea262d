// Ledger reads: entries, lookups, roots, proofs and tiles, all from stored data.
#include <algorithm>
#include <string>

#include "common/plural.h"
#include "storage/entries.h"
#include "storage/ledger_impl.h"
#include "storage/tile_store.h"
#include "vellum/merkle.h"

namespace vellum {

Result<Hash> Ledger::Impl::RootAt(uint64_t size) {
  if (auto ok = CheckSize(size, "size"); !ok) return std::unexpected(ok.error());
  if (size == known_head_.size) return known_head_.root;
  storage::TileHashSource source(tiles_, &tile_cache_, known_head_.size);
  return merkle::RootAt(source, size);
}

Result<Entry> Ledger::Impl::Get(uint64_t index) {
  auto size = HeadSize();
  if (!size) return std::unexpected(size.error());
  if (index >= *size) {
    return Fail(ErrorCode::kNotFound,
                "no entry " + std::to_string(index) + "; the ledger has " + Entries(*size));
  }
  select_entry_.Bind(1, static_cast<int64_t>(index));
  auto row = select_entry_.Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    select_entry_.Reset();
    return Fail(ErrorCode::kCorruption, "entry " + std::to_string(index) +
                                            " is missing from the file; run 'vellum verify'");
  }
  auto entry = storage::EntryFromRow(select_entry_, 0, 1, index, meta_.format);
  select_entry_.Reset();
  if (!entry) return entry;
  if (auto ok = CheckStoredLeafHashes({&*entry, 1}); !ok) return std::unexpected(ok.error());
  return entry;
}

Result<std::vector<Entry>> Ledger::Impl::GetRange(uint64_t begin, uint64_t end) {
  static constexpr uint64_t kMaxRange = 10000;
  if (begin > end || end - begin > kMaxRange) {
    return Fail(ErrorCode::kInvalidArgument,
                "range [" + std::to_string(begin) + ", " + std::to_string(end) +
                    ") is invalid or longer than " + std::to_string(kMaxRange));
  }
  if (auto ok = CheckSize(end, "range end"); !ok) return std::unexpected(ok.error());
  select_range_.Bind(1, static_cast<int64_t>(begin)).Bind(2, static_cast<int64_t>(end));
  std::vector<Entry> out;
  out.reserve(end - begin);
  while (true) {
    auto row = select_range_.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const auto index = static_cast<uint64_t>(select_range_.Int(0));
    auto entry = storage::EntryFromRow(select_range_, 1, 2, index, meta_.format);
    if (!entry || index != begin + out.size()) {
      select_range_.Reset();
      if (!entry) return std::unexpected(entry.error());
      return Fail(ErrorCode::kCorruption, "entry " + std::to_string(begin + out.size()) +
                                              " is missing from the file; run 'vellum verify'");
    }
    out.push_back(std::move(*entry));
  }
  select_range_.Reset();
  if (out.size() != end - begin) {
    return Fail(ErrorCode::kCorruption, "entry " + std::to_string(begin + out.size()) +
                                            " is missing from the file; run 'vellum verify'");
  }
  if (auto ok = CheckStoredLeafHashes(out); !ok) return std::unexpected(ok.error());
  return out;
}

// The level-0 tiles come from the tile cache the proofs use (read into it when missing or too
// narrow), so a range read in small steps reads each tile once. A 4-byte prefix (a block not yet
// loaded whole) stops an edit made by hand or by a tool that does not know the tree; one made to
// match a prefix still fails every proof against a signed checkpoint, and `vellum verify`, which
// rebuilds the tree.
Result<void> Ledger::Impl::CheckStoredLeafHashes(std::span<const Entry> entries) {
  for (size_t at = 0; at < entries.size();) {
    const storage::TileId id{0, entries[at].index / kTileWidth};
    size_t end = at;
    while (end < entries.size() && entries[end].index / kTileWidth == id.index) ++end;
    const uint64_t needed = entries[end - 1].index % kTileWidth + 1;  // bottom hashes
    auto tile = tile_cache_.Find(id);
    if (!tile || tile->width() < needed) {
      auto read = tiles_.ReadLazily(id);
      if (!read) return std::unexpected(read.error());
      if (*read) {
        tile = std::make_shared<storage::TileBlob>(std::move(**read));
        tile_cache_.Put(id, tile);
      }
    }
    for (; at < end; ++at) {
      const Entry& entry = entries[at];
      const uint64_t slot = entry.index % kTileWidth;
      if (!tile || tile->width() <= slot) {
        return Fail(ErrorCode::kCorruption, "the leaf hash of entry " +
                                                std::to_string(entry.index) +
                                                " is missing from the file; run 'vellum verify'");
      }
      const bool whole = ((tile->unloaded_blocks >> (slot / storage::kLeafBlock)) & 1) == 0;
      const auto stored = tile->hashes.begin() + static_cast<ptrdiff_t>(slot * kHashSize);
      if (!std::equal(stored, stored + (whole ? kHashSize : storage::kLeafPrefixSize),
                      entry.leaf_hash.begin())) {
        return std::unexpected(storage::ChangedEntry(entry.index));
      }
    }
  }
  return {};
}

Result<uint64_t> Ledger::Impl::FindByLeafHash(const Hash& leaf_hash) {
  auto size = HeadSize();
  if (!size) return std::unexpected(size.error());
  auto candidates = leaf_index_.Candidates(leaf_hash, *size);
  if (!candidates) return std::unexpected(candidates.error());
  // The index is a hint: confirm each candidate against the entry it names.
  for (uint64_t index : *candidates) {
    if (index >= *size) continue;
    auto entry = Get(index);
    if (entry && entry->leaf_hash == leaf_hash) return index;
  }
  return Fail(ErrorCode::kNotFound, "no entry has leaf hash " + ToHex(leaf_hash));
}

Result<std::vector<Hash>> Ledger::Impl::InclusionProof(uint64_t index, uint64_t size) {
  if (auto ok = CheckSize(size, "tree size"); !ok) return std::unexpected(ok.error());
  storage::TileHashSource source(tiles_, &tile_cache_, known_head_.size);
  return merkle::InclusionProof(source, index, size);
}

Result<std::vector<Hash>> Ledger::Impl::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  if (auto ok = CheckSize(new_size, "tree size"); !ok) return std::unexpected(ok.error());
  storage::TileHashSource source(tiles_, &tile_cache_, known_head_.size);
  return merkle::ConsistencyProof(source, old_size, new_size);
}

Result<Bytes> Ledger::Impl::ReadTile(uint8_t level, uint64_t index, uint32_t width) {
  auto size = HeadSize();
  if (!size) return std::unexpected(size.error());
  if (width == 0 || width > kTileWidth) {
    return Fail(ErrorCode::kInvalidArgument, "tile width must be 1..256");
  }
  const std::string name = std::to_string(level) + "/" + std::to_string(index);
  if (storage::TileWidthAt(level, index, *size) < width) {
    return Fail(ErrorCode::kNotFound, "tile " + name + " does not hold " + std::to_string(width) +
                                          " hashes at tree size " + std::to_string(*size));
  }
  // Through the tile cache, as proofs read: a schema-3 level-0 tile served again is not
  // re-hashed from its entries.
  const storage::TileId id{level, index};
  storage::TileCache::Tile tile = tile_cache_.Find(id);
  if (!tile || tile->width() < width) {
    auto blob = tiles_.ReadLazily(id);
    if (!blob) return std::unexpected(blob.error());
    if (!*blob || (*blob)->width() < width) {
      return Fail(ErrorCode::kCorruption,
                  "tile " + name + " is missing or short; run 'vellum verify'");
    }
    tile = std::make_shared<storage::TileBlob>(std::move(**blob));
    tile_cache_.Put(id, tile);
  }
  const unsigned last = (width - 1) / storage::kLeafBlock;
  if ((tile->unloaded_blocks & ((uint64_t{2} << last) - 1)) != 0) {
    if (auto ok = tiles_.Fill(*tile, index, 0, last); !ok) return std::unexpected(ok.error());
  }
  return Bytes(tile->hashes.begin(), tile->hashes.begin() + width * kHashSize);
}

Result<std::vector<Hash>> Ledger::Impl::SubtreeHashes(std::span<const merkle::NodeId> ids) {
  auto size = HeadSize();
  if (!size) return std::unexpected(size.error());
  for (const merkle::NodeId& id : ids) {
    if (id.level >= 64 || id.index >= (*size >> id.level)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "subtree " + std::to_string(id.level) + "/" + std::to_string(id.index) +
                      " is not complete in a tree of size " + std::to_string(*size));
    }
  }
  std::vector<Hash> out(ids.size());
  storage::TileHashSource source(tiles_, &tile_cache_, known_head_.size);
  if (auto ok = source.GetHashes(ids, out); !ok) return std::unexpected(ok.error());
  return out;
}

}  // namespace vellum
