// The leaf-hash lookup index: leaf hash -> entry index, kept append-friendly.
//
// A B-tree keyed by leaf hash takes every insert at a random page: at a million entries a
// batch of 1,000 appends dirties ~1,000 index pages and the index, not the ledger, sets the
// append rate (bench: BM_RawSqliteAppendHashIndexed). Instead, every 16 full level-0 tiles
// (4,096 entries) become one sorted run of records in table `leaf_runs` (level 1), and every 16
// level-1 runs merge into one level-2 run (65,536 entries). Each key is written twice,
// sequentially. A lookup binary-searches each run and scans the leaf hashes of the entries not
// yet in a run (fewer than 4,096) straight from the tiles. The index is derived data: callers
// confirm each candidate against the entry itself, so damage to it can hide an entry but never
// misplace one.
//
// Record (8 bytes): the first 6 bytes of the leaf hash, then the entry's offset from the run's
// first index as a 2-byte big-endian number; a run is sorted bytewise. Run rows: first INTEGER
// PRIMARY KEY (first entry index covered), level (1 or 2), keys BLOB.
#ifndef VELLUM_STORAGE_LEAF_INDEX_H_
#define VELLUM_STORAGE_LEAF_INDEX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "storage/sqlite.h"

namespace vellum::storage {

// Entries covered by a run at `level` (1 or 2).
inline uint64_t RunSpan(int level) { return uint64_t{256} << (4 * level); }

// Not thread-safe; lives no longer than `db`.
class LeafIndex {
 public:
  explicit LeafIndex(Db& db) : db_(db) {}
  [[nodiscard]] Result<void> Prepare();

  // Call inside the append transaction after storing full level-0 tile `tile` (its 256 leaf
  // hashes in `hashes`), once per tile, in order: builds and merges the runs it completes.
  [[nodiscard]] Result<void> AddFullTile(uint64_t tile, std::span<const uint8_t> hashes);
  // Drops what is kept in memory between calls; call when the append transaction rolls back.
  void Forget() { pending_.clear(); }

  // Indexes of entries below `size` whose leaf hash may be `leaf_hash`, ascending.
  [[nodiscard]] Result<std::vector<uint64_t>> Candidates(const Hash& leaf_hash, uint64_t size);

 private:
  [[nodiscard]] Result<void> WriteRun(int level, uint64_t first, std::vector<uint64_t>& records);
  [[nodiscard]] Result<void> MergeLevelTwo(uint64_t end);

  // Sorted records of the full tiles of the current group of 16, from pending_first_tile_ on,
  // kept so that closing a group does not read its tiles back. Rebuilt from the tiles when it
  // does not continue exactly (another process appended, or a rollback).
  std::vector<uint64_t> pending_;
  uint64_t pending_first_tile_ = 0;
  Db& db_;
  Stmt insert_, select_level_range_, delete_level_range_, select_all_, select_tile_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_LEAF_INDEX_H_
