// The leaf-hash lookup index: leaf hash -> entry index, kept append-friendly.
//
// A B-tree keyed by leaf hash takes every insert at a random page: at a million entries a
// batch of 1,000 appends dirties ~1,000 index pages and the index, not the ledger, sets the
// append rate (bench: BM_RawSqliteAppendHashIndexed). Instead, full level-0 tiles become sorted
// runs of records in table `leaf_runs`, written sequentially when their last tile fills:
//
//   schema 3: every 256 tiles (65,536 entries) become one level-2 run of 6-byte records (the
//     first 4 bytes of the leaf hash, the entry's offset from the run's first index as 2
//     big-endian bytes). The entries not yet in a run are found through the leaf-hash prefixes
//     their level-0 tiles store (at most 255 tiles). Each key is written once.
//   schema 2: every 16 tiles (4,096 entries) become one level-1 run of 8-byte records (6 bytes
//     of the leaf hash, then the offset), and every 16 level-1 runs merge into one level-2 run.
//     The entries not yet in a run are found in the whole leaf hashes of their tiles. Each key
//     is written twice.
//
// A run is sorted bytewise. A lookup binary-searches each run. The index is derived data:
// callers confirm each candidate against the entry itself, so damage to it can hide an entry
// but never misplace one. Run rows: first INTEGER PRIMARY KEY (first entry index covered),
// level (1 or 2), keys BLOB.
#ifndef VELLUM_STORAGE_LEAF_INDEX_H_
#define VELLUM_STORAGE_LEAF_INDEX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "storage/sqlite.h"
#include "storage/tile_store.h"

namespace vellum::storage {

// Entries covered by a run at `level` (1 or 2).
inline uint64_t RunSpan(int level) { return uint64_t{256} << (4 * level); }

// Not thread-safe; lives no longer than `db`.
class LeafIndex {
 public:
  // Uses the layout of the file `tiles` reads (TileReader::stored_leaf_size).
  LeafIndex(Db& db, TileReader& tiles);
  [[nodiscard]] Result<void> Prepare();

  // Call inside the append transaction after storing full level-0 tile `tile` (its 256 leaf
  // hashes in `hashes`), once per tile, in order: builds and merges the runs it completes.
  [[nodiscard]] Result<void> AddFullTile(uint64_t tile, std::span<const uint8_t> hashes);
  // Drops what is kept in memory between calls; call when the append transaction rolls back.
  void Forget() {
    pending_.clear();
    tail_.clear();
  }

  // Indexes of entries below `size` whose leaf hash may be `leaf_hash`, ascending.
  [[nodiscard]] Result<std::vector<uint64_t>> Candidates(const Hash& leaf_hash, uint64_t size);

 private:
  [[nodiscard]] Result<void> WriteRun(int level, uint64_t first, std::vector<uint64_t>& records);
  [[nodiscard]] Result<void> MergeLevelTwo(uint64_t end);

  // Bytes of leaf hash in a record (4 or 6); tiles per written run (256 or 16), at `run_level_`.
  size_t prefix_;
  uint64_t run_tiles_;
  int run_level_;
  // Records of the full tiles of the current run, from pending_first_tile_ on, in entry order
  // (sorted when the run is written), kept so that closing a group does not read its tiles
  // back. Rebuilt from the tiles when it does not continue exactly (another process appended,
  // or a rollback).
  std::vector<uint64_t> pending_;
  std::vector<uint64_t> scratch_;  // the sort's second buffer, kept for the next run
  // What the full level-0 tiles not yet in a run store of their leaf hashes, from tile
  // tail_first_tile_ on, in order, kept between lookups: a full tile never changes, so a lookup
  // reads only the tiles that filled since the last one, and the partial tile.
  Bytes tail_;
  uint64_t tail_first_tile_ = 0;
  uint64_t pending_first_tile_ = 0;
  Db& db_;
  TileReader& tiles_;
  Stmt insert_, select_level_range_, delete_level_range_, select_all_;
};

}  // namespace vellum::storage

#endif  // VELLUM_STORAGE_LEAF_INDEX_H_
