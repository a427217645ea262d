#include "node/tile_reader.h"

#include <algorithm>
#include <cstring>

#include "node/tile_path.h"
#include "vellum/ledger.h"

namespace vellum::node {
namespace {

// Tiles read for one comparison or one proof are few (one or two per tile level); a sync reads
// each level-0 tile once. Beyond this many the cache starts again.
constexpr size_t kMaxCachedTiles = 64;

}  // namespace

void TileReader::SetTreeSize(uint64_t size) {
  if (size < size_) cache_.clear();  // another tree (a rewound view): its partial tiles differ
  size_ = size;
}

Result<std::string> TileReader::FetchWithFallback(bool entries, uint8_t level, uint64_t index,
                                                  uint32_t width, size_t max_item_bytes) {
  TilePath tile{.entries = entries, .level = level, .index = index, .width = width};
  auto body = fetch_("/tile/" + FormatTilePath(tile), width * max_item_bytes);
  if (body || tile.full() || body.error().code() != ErrorCode::kNotFound) return body;
  // c2sp.org/tlog-tiles: a partial tile may be deleted once the full one exists.
  tile.width = kTileWidth;
  return fetch_("/tile/" + FormatTilePath(tile), kTileWidth * max_item_bytes);
}

Result<const Bytes*> TileReader::Tile(uint8_t level, uint64_t index, uint32_t width) {
  const auto key = std::make_tuple(level, index, width);
  if (auto it = cache_.find(key); it != cache_.end()) return &it->second;
  auto body = FetchWithFallback(false, level, index, width, kHashSize);
  if (!body) return std::unexpected(body.error());
  const TilePath asked{.level = level, .index = index, .width = width};
  // The answer is the tile asked for, or the full tile when the partial one was gone.
  if (body->size() != width * kHashSize && body->size() != kTileWidth * kHashSize) {
    return Fail(ErrorCode::kVerificationFailed, name_ + ": hash tile " + FormatTilePath(asked) +
                                                    " is " + std::to_string(body->size()) +
                                                    " bytes, not " +
                                                    std::to_string(width * kHashSize));
  }
  if (cache_.size() >= kMaxCachedTiles) cache_.clear();
  Bytes hashes(body->begin(), body->begin() + static_cast<ptrdiff_t>(width * kHashSize));
  return &cache_.emplace(key, std::move(hashes)).first->second;
}

Result<void> TileReader::GetHashes(std::span<const merkle::NodeId> ids, std::span<Hash> out) {
  for (size_t k = 0; k < ids.size(); ++k) {
    const merkle::NodeId id = ids[k];
    // The node's hash is stored in the tile row at the level below it that is a multiple of 8,
    // or folded from the 2^below hashes there under it, which lie in one tile.
    const unsigned tile_level = id.level / kTileHeight, below = id.level % kTileHeight;
    // The hashes in that row (none for a level beyond any tree).
    const uint64_t row_size = id.level < 64 ? size_ >> (tile_level * kTileHeight) : 0;
    if (id.index >= (row_size >> below)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "subtree " + std::to_string(id.level) + "-" + std::to_string(id.index) +
                      " lies beyond the tree of size " + std::to_string(size_));
    }
    const uint64_t first = id.index << below, count = uint64_t{1} << below;
    const uint64_t tile = first / kTileWidth;
    const auto width =
        static_cast<uint32_t>(std::min<uint64_t>(kTileWidth, row_size - tile * kTileWidth));
    auto hashes = Tile(static_cast<uint8_t>(tile_level), tile, width);
    if (!hashes) return std::unexpected(hashes.error());
    std::vector<Hash> row(count);
    const size_t offset = first % kTileWidth;
    for (size_t i = 0; i < count; ++i) {
      std::memcpy(row[i].data(), (*hashes)->data() + (offset + i) * kHashSize, kHashSize);
    }
    out[k] = merkle::PerfectRoot(row);
  }
  return {};
}

Result<std::vector<Bytes>> TileReader::EntryBytes(uint64_t begin, uint64_t end) {
  const uint64_t bundle = begin / kTileWidth, first = bundle * kTileWidth;
  if (end <= begin || end > first + kTileWidth) {
    return Fail(ErrorCode::kInvalidArgument, "entry range must lie within one bundle");
  }
  // The bundle as it is at the tree size: the only partial one a static log is sure to have.
  uint64_t width = end - first;
  if (size_ > first) width = std::max(width, std::min<uint64_t>(kTileWidth, size_ - first));
  const TilePath asked{.entries = true, .index = bundle, .width = static_cast<uint32_t>(width)};
  auto body = FetchWithFallback(true, 0, bundle, asked.width, kBundleLengthSize + kMaxEntrySize);
  if (!body) return std::unexpected(body.error());
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(body->data()), body->size());
  auto entries = ParseEntryBundle(bytes, width);
  if (!entries && width < kTileWidth) {  // the full bundle, when the partial one was gone
    if (auto full = ParseEntryBundle(bytes, kTileWidth)) entries = std::move(full);
  }
  if (!entries) {
    return Fail(ErrorCode::kVerificationFailed, name_ + ": entry bundle " + FormatTilePath(asked) +
                                                    ": " + entries.error().message());
  }
  std::vector<Bytes> out(std::make_move_iterator(entries->begin() + (begin - first)),
                         std::make_move_iterator(entries->begin() + (end - first)));
  return out;
}

}  // namespace vellum::node
