#include "storage/leaf_index.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "common/coding.h"
#include "storage/tile_layout.h"
#include "storage/tile_store.h"

namespace vellum::storage {
namespace {

constexpr uint64_t kTilesPerLevelOneRun = 16;

// A record as a number: (first `prefix` hash bytes) << 16 | offset. Sorting numbers sorts
// records. Schema 2 (prefix 6):
//
//   byte:    0  1  2  3  4  5 | 6  7
//            leaf hash[0..6)  | offset from the run's first entry (big-endian)
//
// Runs cover at most 65,536 entries (offsets < 2^16): the offset always fits in two bytes.
uint64_t MakeRecord(const uint8_t* hash, size_t prefix, uint64_t offset) {
  return LoadBigEndian<uint64_t>(hash, prefix) << 16 | offset;
}

uint64_t LoadRecord(const uint8_t* p, size_t record) { return LoadBigEndian<uint64_t>(p, record); }

// Adds to `out` the index of every record in the run at `first` whose key is `key`.
[[nodiscard]] Result<void> SearchRun(sqlite3* db, int64_t first, uint64_t key, size_t record,
                                     std::vector<uint64_t>& out) {
  sqlite3_blob* blob = nullptr;
  if (sqlite3_blob_open(db, "main", "leaf_runs", "keys", first, 0, &blob) != SQLITE_OK) {
    sqlite3_blob_close(blob);
    return std::unexpected(SqliteError(db, "reading the leaf-hash index"));
  }
  const size_t n = static_cast<size_t>(sqlite3_blob_bytes(blob)) / record;
  uint8_t buf[8];
  auto read = [&](size_t i) {
    return sqlite3_blob_read(blob, buf, record, static_cast<int>(i * record)) == SQLITE_OK;
  };
  size_t lo = 0, hi = n;  // first record with key >= `key`
  bool ok = true;
  while (ok && lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    ok = read(mid);
    if (LoadRecord(buf, record) >> 16 < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (size_t i = lo; ok && i < n && (ok = read(i)) && LoadRecord(buf, record) >> 16 == key; ++i) {
    out.push_back(static_cast<uint64_t>(first) + (LoadRecord(buf, record) & 0xffff));
  }
  sqlite3_blob_close(blob);
  if (!ok) return std::unexpected(SqliteError(db, "reading the leaf-hash index"));
  return {};
}

}  // namespace

LeafIndex::LeafIndex(Db& db, TileReader& tiles)
    : prefix_(tiles.stored_leaf_size() == kHashSize ? 6 : kLeafPrefixSize),
      run_tiles_(tiles.stored_leaf_size() == kHashSize ? kTilesPerLevelOneRun
                                                       : RunSpan(2) / kTileWidth),
      run_level_(tiles.stored_leaf_size() == kHashSize ? 1 : 2),
      db_(db),
      tiles_(tiles) {}

Result<void> LeafIndex::Prepare() {
  struct {
    Stmt* stmt;
    const char* sql;
  } const all[] = {
      {&insert_, "INSERT INTO leaf_runs(first, level, keys) VALUES (?, ?, ?)"},
      {&select_level_range_,
       "SELECT first, keys FROM leaf_runs WHERE level = ? AND first >= ? AND first < ? "
       "ORDER BY first"},
      {&delete_level_range_, "DELETE FROM leaf_runs WHERE level = ? AND first >= ? AND first < ?"},
      {&select_all_, "SELECT first FROM leaf_runs"},
  };
  for (const auto& [stmt, sql] : all) {
    auto prepared = db_.Prepare(sql);
    if (!prepared) return std::unexpected(prepared.error());
    *stmt = std::move(*prepared);
  }
  return {};
}

namespace {

// Sorts records made of `chunks` equal, already sorted chunks by merging them pairwise.
void SortChunks(std::vector<uint64_t>& records, size_t chunks) {
  const size_t n = records.size();
  for (size_t width = n / chunks; width < n; width *= 2) {
    for (size_t lo = 0; lo + width < n; lo += 2 * width) {
      std::inplace_merge(records.begin() + lo, records.begin() + lo + width,
                         records.begin() + std::min(n, lo + 2 * width));
    }
  }
}

// Sorts records (key << 16 | offset), added in offset order, by their `key_bytes`-byte key: a
// least-significant-digit radix sort, one pass per key byte. It is stable, so records with equal
// keys stay in offset order, where a full sort would also put them. For a run of 65,536 records
// this takes under a millisecond where sorting each tile and merging the tiles took several,
// inside every append transaction that closes a run.
void SortByKey(std::vector<uint64_t>& records, std::vector<uint64_t>& scratch, size_t key_bytes) {
  scratch.resize(records.size());
  for (size_t byte = 0; byte < key_bytes; ++byte) {
    const unsigned shift = 16 + 8 * static_cast<unsigned>(byte);
    std::array<size_t, 257> next{};  // next[d]: where the next record of digit d goes
    for (const uint64_t r : records) ++next[(r >> shift & 0xff) + 1];
    for (size_t d = 1; d < next.size(); ++d) next[d] += next[d - 1];
    for (const uint64_t r : records) scratch[next[r >> shift & 0xff]++] = r;
    records.swap(scratch);
  }
}

}  // namespace

Result<void> LeafIndex::WriteRun(int level, uint64_t first, std::vector<uint64_t>& records) {
  const size_t record = prefix_ + 2;
  Bytes keys(records.size() * record);
  uint8_t buf[8];
  for (size_t i = 0; i < records.size(); ++i) {
    StoreBigEndian(records[i], buf);
    std::copy(buf + 8 - record, buf + 8, &keys[i * record]);
  }
  insert_.Bind(1, static_cast<int64_t>(first)).Bind(2, int64_t{level});
  return insert_.Bind(3, keys).Run();
}

Result<void> LeafIndex::AddFullTile(uint64_t tile, std::span<const uint8_t> hashes) {
  const uint64_t group_first = tile / run_tiles_ * run_tiles_;
  // `stride`: bytes per leaf in `tile_hashes`, whole hashes or stored prefixes.
  auto add_tile = [&](uint64_t t, std::span<const uint8_t> tile_hashes, size_t stride) {
    for (uint64_t i = 0; i < kTileWidth; ++i) {
      pending_.push_back(
          MakeRecord(&tile_hashes[i * stride], prefix_, (t - group_first) * kTileWidth + i));
    }
  };
  const uint64_t have = pending_.size() / kTileWidth;
  if (pending_.empty() || pending_first_tile_ != group_first || group_first + have != tile) {
    pending_.clear();
    pending_first_tile_ = group_first;
    const size_t stride = tiles_.stored_leaf_size();
    for (uint64_t t = group_first; t < tile; ++t) {  // continue a run begun elsewhere
      auto blob = tiles_.ReadStored({0, t});
      if (!blob) return std::unexpected(blob.error());
      if (!*blob || (*blob)->hashes.size() != kTileWidth * stride) {
        return Fail(ErrorCode::kCorruption, "tile 0/" + std::to_string(t) + " is missing or short");
      }
      add_tile(t, (*blob)->hashes, stride);
    }
  }
  add_tile(tile, hashes, kHashSize);
  if ((tile + 1) % run_tiles_ != 0) return {};
  SortByKey(pending_, scratch_, prefix_);
  auto written = WriteRun(run_level_, group_first * kTileWidth, pending_);
  pending_.clear();
  if (!written || run_level_ == 2) return written;
  if ((tile + 1) % (run_tiles_ * kTilesPerLevelOneRun) != 0) return {};
  return MergeLevelTwo((tile + 1) * kTileWidth);
}

// Merges the 16 level-1 runs of the 65,536 entries before `end` into one level-2 run.
Result<void> LeafIndex::MergeLevelTwo(uint64_t end_index) {
  const auto end = static_cast<int64_t>(end_index);
  const auto begin = static_cast<int64_t>(end_index - RunSpan(2));
  select_level_range_.Bind(1, int64_t{1}).Bind(2, begin).Bind(3, end);
  std::vector<uint64_t> records;
  records.reserve(RunSpan(2));
  while (true) {
    auto row = select_level_range_.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    const uint64_t shift = static_cast<uint64_t>(select_level_range_.Int(0) - begin);
    auto keys = select_level_range_.Blob(1);
    for (size_t i = 0; i + prefix_ + 2 <= keys.size(); i += prefix_ + 2) {
      records.push_back(LoadRecord(&keys[i], prefix_ + 2) + shift);  // offsets now from `begin`
    }
  }
  select_level_range_.Reset();
  if (records.size() != RunSpan(2)) {
    return Fail(ErrorCode::kCorruption,
                "leaf-hash index: level-1 runs before " + std::to_string(end) + " are incomplete");
  }
  SortChunks(records, kTilesPerLevelOneRun);  // each level-1 run is sorted; shifting keeps it so
  delete_level_range_.Bind(1, int64_t{1}).Bind(2, begin).Bind(3, end);
  if (auto ok = delete_level_range_.Run(); !ok) return ok;
  return WriteRun(2, static_cast<uint64_t>(begin), records);
}

namespace {

// Appends first_index + i for each of the `width` stored leaf hashes (`stored` bytes each, at
// `hashes`) that `leaf_hash` begins with.
void ScanTile(const uint8_t* hashes, uint64_t width, size_t stored, const Hash& leaf_hash,
              uint64_t first_index, std::vector<uint64_t>& out) {
  if (stored == kLeafPrefixSize) {  // schema 3: four bytes each, compared as one word
    uint32_t want;
    std::memcpy(&want, leaf_hash.data(), sizeof(want));
    for (uint64_t i = 0; i < width; ++i) {
      uint32_t have;
      std::memcpy(&have, hashes + i * sizeof(have), sizeof(have));
      if (have == want) out.push_back(first_index + i);
    }
    return;
  }
  for (uint64_t i = 0; i < width; ++i) {
    if (std::memcmp(hashes + i * stored, leaf_hash.data(), stored) == 0) {
      out.push_back(first_index + i);
    }
  }
}

}  // namespace

Result<std::vector<uint64_t>> LeafIndex::Candidates(const Hash& leaf_hash, uint64_t size) {
  const uint64_t key = MakeRecord(leaf_hash.data(), prefix_, 0) >> 16;
  std::vector<int64_t> runs;
  while (true) {
    auto row = select_all_.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    runs.push_back(select_all_.Int(0));
  }
  select_all_.Reset();
  std::vector<uint64_t> out;
  for (int64_t first : runs) {
    if (auto ok = SearchRun(db_.raw(), first, key, prefix_ + 2, out); !ok) {
      return std::unexpected(ok.error());
    }
  }
  // Entries not in a run yet: scan what their level-0 tiles store of their leaf hashes.
  const size_t stored = tiles_.stored_leaf_size(), tile_bytes = kTileWidth * stored;
  const uint64_t first_tile = size / kTileWidth / run_tiles_ * run_tiles_;
  if (first_tile != tail_first_tile_) {
    tail_.clear();
    tail_first_tile_ = first_tile;
  }
  for (uint64_t t = first_tile; t * kTileWidth < size; ++t) {
    const uint64_t kept = tail_.size() / tile_bytes;
    std::optional<TileBlob> read;
    std::span<const uint8_t> hashes;
    if (t - first_tile < kept) {
      hashes = std::span<const uint8_t>(tail_).subspan((t - first_tile) * tile_bytes, tile_bytes);
    } else {
      auto blob = tiles_.ReadStored({0, t});
      if (!blob) return std::unexpected(blob.error());
      if (!*blob) continue;
      read = std::move(**blob);
      hashes = read->hashes;
      if (t - first_tile == kept && hashes.size() == tile_bytes) {  // full: keep it
        if (tail_.empty()) tail_.reserve(run_tiles_ * tile_bytes);
        tail_.insert(tail_.end(), hashes.begin(), hashes.end());
      }
    }
    const uint64_t width = std::min<uint64_t>(hashes.size() / stored, size - t * kTileWidth);
    ScanTile(hashes.data(), width, stored, leaf_hash, t * kTileWidth, out);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vellum::storage
