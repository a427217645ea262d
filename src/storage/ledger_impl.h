// Ledger::Impl: the state behind a Ledger handle. Internal to src/storage.
#ifndef VELLUM_STORAGE_LEDGER_IMPL_H_
#define VELLUM_STORAGE_LEDGER_IMPL_H_

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/helper_thread.h"
#include "storage/leaf_index.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/tile_store.h"
#include "storage/tree_edge.h"
#include "vellum/ledger.h"

namespace vellum {

class Ledger::Impl {
 public:
  Impl(storage::Db db, storage::Metadata meta, size_t tile_cache_bytes)
      : db_(std::move(db)),
        meta_(std::move(meta)),
        tiles_(db_, meta_.format, meta_.leaf_prefixes()),
        tile_cache_(tile_cache_bytes),
        leaf_index_(db_, tiles_) {}
  [[nodiscard]] Result<void> Prepare();

  [[nodiscard]] Result<uint64_t> AppendBatch(std::span<const NewEntry> entries);
  [[nodiscard]] Result<uint64_t> AppendVerified(std::span<const NewEntry> entries,
                                                std::string_view note, std::span<const Hash> proof);
  [[nodiscard]] Result<Head> ReadHead();
  [[nodiscard]] Result<uint64_t> HeadSize();
  [[nodiscard]] Result<Hash> RootAt(uint64_t size);
  [[nodiscard]] Result<Entry> Get(uint64_t index);
  [[nodiscard]] Result<std::vector<Entry>> GetRange(uint64_t begin, uint64_t end);
  // Checks consecutive `entries` against the leaf hashes the level-0 tiles store for them (the
  // first kLeafPrefixSize bytes in schema 3): an entry changed around vellum is refused
  // (kCorruption) instead of being handed out with a leaf hash the tree never held.
  [[nodiscard]] Result<void> CheckStoredLeafHashes(std::span<const Entry> entries);
  [[nodiscard]] Result<uint64_t> FindByLeafHash(const Hash& leaf_hash);
  [[nodiscard]] Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size);
  [[nodiscard]] Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size);
  [[nodiscard]] Result<Bytes> ReadTile(uint8_t level, uint64_t index, uint32_t width);
  [[nodiscard]] Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids);
  [[nodiscard]] Result<std::string> SignCheckpoint(const SignerKey& key,
                                                   std::optional<uint64_t> size);
  // The newest recorded note, as stored (for comparing with the next one to record).
  [[nodiscard]] Result<std::string> LatestCheckpoint();
  // The same, once OpenCheckpointOfTree takes it (kCorruption otherwise: the file was written
  // around vellum).
  [[nodiscard]] Result<std::string> LatestCheckedCheckpoint();
  [[nodiscard]] Result<void> RecordCheckpoint(std::string_view note);
  [[nodiscard]] Result<void> RecordForkEvidence(const ForkEvidence& evidence,
                                                std::span<const VerifierKey> peer_keys);
  [[nodiscard]] Result<std::vector<ForkEvidence>> ListForkEvidence();
  [[nodiscard]] Result<VerifyReport> Verify(const ProgressFn& progress);

  // Runs `read` inside one read transaction: one snapshot, and one lock round trip to the
  // file instead of one per statement.
  template <typename F>
  auto InReadTransaction(F read) -> decltype(read()) {
    if (auto ok = begin_.Run(); !ok) return std::unexpected(ok.error());
    auto result = read();
    (void)commit_.Run();
    return result;
  }

  std::mutex mu_;
  storage::Db db_;
  storage::Metadata meta_;
  storage::TileReader tiles_;  // tiles as the file stores them

 public:
  [[nodiscard]] Result<void> CheckEntries(std::span<const NewEntry> entries) const;

 private:
  // One append transaction: the entries, then `check(new size)` with the tree extended (it may
  // write more in the same transaction); all of it is rolled back if anything fails.
  [[nodiscard]] Result<uint64_t> AppendChecked(std::span<const NewEntry> entries,
                                               const std::function<Result<void>(uint64_t)>& check);
  [[nodiscard]] Result<uint64_t> AppendLocked(std::span<const NewEntry> entries);
  // Parses `note` as a checkpoint of this ledger signed by its own verifier key.
  [[nodiscard]] Result<Checkpoint> OpenOwnCheckpoint(std::string_view note) const;
  // OpenOwnCheckpoint, and the checkpoint must be of the stored tree: its size within the head,
  // its root the tree's at that size (kVerificationFailed otherwise).
  [[nodiscard]] Result<Checkpoint> OpenCheckpointOfTree(std::string_view note);
  // Recomputes the leaf hashes of entries [from, to) and checks that, with the stored frontier
  // at `from` (which must fold to `from_root`), they rebuild the stored root at `to`.
  [[nodiscard]] Result<void> CheckEntriesSince(uint64_t from, const Hash& from_root, uint64_t to);
  void ExtendTree(std::span<const NewEntry> entries, int64_t now);
  [[nodiscard]] Result<void> InsertRows(std::span<const NewEntry> entries, uint64_t first,
                                        int64_t now);
  [[nodiscard]] Result<void> StoreTree();
  [[nodiscard]] Result<void> LoadEdge(uint64_t size);
  [[nodiscard]] Result<void> CheckSize(uint64_t size, const char* what);
  [[nodiscard]] Result<void> InsertCheckpoint(uint64_t size, const Hash& root,
                                              std::string_view note);

  // Tiles kept for roots, proofs and the leaf-hash checks of entry reads
  // (OpenOptions::tile_cache_bytes): the upper levels and the right edge stay in memory, so a
  // proof reads little more than its level-0 tiles.
  storage::TileCache tile_cache_;
  // Tiles and head the open append transaction wrote; cached once it commits.
  std::vector<std::pair<storage::TileId, storage::TileBlob>> written_;
  Head written_head_;
  // The largest head read or committed through this handle. The head only grows, so any size up
  // to it is valid without reading the file again.
  Head known_head_{0, merkle::EmptyRoot()};
  std::string checked_note_;  // the last note LatestCheckedCheckpoint let through
  storage::LeafIndex leaf_index_;
  storage::HelperThread helper_;           // hashes large appends beside the inserts
  std::optional<storage::TreeEdge> edge_;  // cached right edge; valid while the head matches
  storage::Stmt begin_, commit_, insert_entry_, upsert_tile_, select_head_, update_head_,
      select_entry_, select_range_, insert_checkpoint_, select_latest_checkpoint_,
      select_largest_checkpoint_;
};

}  // namespace vellum

#endif  // VELLUM_STORAGE_LEDGER_IMPL_H_
