// The leaf-hash lookup index: leaf hash -> entry index, kept append-friendly.
//
// A B-tree keyed by leaf hash takes every insert at a random page: at a million entries a
// batch of 1,000 appends dirties ~1,000 index pages, and the index, not the ledger, sets the
// append rate. Instead, each full level-0 tile (256 entries) becomes a sorted run of
// (key, index) records in table `leaf_runs`, and runs are merged 16 at a time up to level 2
// (65,536 entries), so every key is written three times, sequentially. A lookup binary-searches
// each run and scans the last, partial tile. The index is derived data: a candidate is always
// confirmed against the entry itself, so damage to it can hide an entry but never misplace one.
//
// Run record (16 bytes): the first 8 bytes of the leaf hash, then the entry index, big-endian;
// a run is sorted by those 16 bytes. Run rows: first INTEGER PRIMARY KEY (first entry index
// covered), level (0..2: covers 256 << 4*level entries), keys BLOB.
#ifndef VELLUM_STORAGE_LEAF_INDEX_H_
#define VELLUM_STORAGE_LEAF_INDEX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "storage/sqlite.h"

namespace vellum::storage {

inline constexpr int kMaxRunLevel = 2;
inline constexpr uint64_t kRunFanout = 16;

// Entries covered by a run at `level`.
inline uint64_t RunSpan(int level) { return uint64_t{256} << (4 * level); }

// The sorted run for the level-0 tile `tile_hashes` (256 leaf hashes) whose first entry is
// `first`.
Bytes RunForTile(uint64_t first, std::span<const uint8_t> tile_hashes);

// Not thread-safe; lives no longer than `db`.
class LeafIndex {
 public:
  explicit LeafIndex(Db& db) : db_(db) {}
  Result<void> Prepare();

  // Indexes full level-0 tile `tile` and merges runs it completes. Call inside the append
  // transaction, once per tile, in order.
  Result<void> AddFullTile(uint64_t tile, std::span<const uint8_t> tile_hashes);

  // Entry indexes whose leaf hash may be `leaf_hash`, from the runs only (the caller scans the
  // partial last tile). Ascending.
  Result<std::vector<uint64_t>> Candidates(const Hash& leaf_hash);

 private:
  Result<void> Merge(int level, uint64_t first);

  Db& db_;
  Stmt insert_, select_level_range_, delete_level_range_, select_all_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_LEAF_INDEX_H_
