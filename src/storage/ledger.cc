// Ledger: opening, appends, verify and the thread-safe wrappers over one SQLite file. The tree
// is never recomputed here: appends extend the right-edge tiles (reads: ledger_reads.cc).
#include "vellum/ledger.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "common/plural.h"
#include "storage/entries.h"
#include "storage/ledger_impl.h"
#include "storage/schema.h"
#include "storage/tile_store.h"
#include "storage/verify.h"
#include "vellum/merkle.h"

namespace vellum {

using storage::Db;
using storage::Stmt;

Result<void> Ledger::Impl::Prepare() {
  struct {
    Stmt* stmt;
    const char* sql;
  } const all[] = {
      {&begin_, "BEGIN"},
      {&commit_, "COMMIT"},
      {&insert_entry_, "INSERT INTO entries(idx, ts, data) VALUES (?, ?, ?)"},
      {&upsert_tile_,
       "INSERT INTO tiles(level, idx, hashes, inner) VALUES (?, ?, ?, ?) "
       "ON CONFLICT(level, idx) DO UPDATE SET hashes = excluded.hashes, inner = excluded.inner"},
      {&select_head_, "SELECT size, root FROM head WHERE id = 0"},
      {&update_head_, "UPDATE head SET size = ?, root = ? WHERE id = 0"},
      {&select_entry_, "SELECT ts, data FROM entries WHERE idx = ?"},
      {&select_range_, "SELECT idx, ts, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx"},
      {&insert_checkpoint_,
       "INSERT INTO checkpoints(size, root, note, signed_ms) VALUES (?, ?, ?, ?)"},
      {&select_latest_checkpoint_, "SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1"},
      {&select_largest_checkpoint_,
       "SELECT size, root FROM checkpoints ORDER BY size DESC, id DESC LIMIT 1"},
  };
  for (const auto& [stmt, sql] : all) {
    auto prepared = db_.Prepare(sql);
    if (!prepared) return std::unexpected(prepared.error());
    *stmt = std::move(*prepared);
  }
  if (auto ok = tiles_.Prepare(); !ok) return ok;
  return leaf_index_.Prepare();
}

Result<Head> Ledger::Impl::ReadHead() {
  auto row = select_head_.Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kCorruption, db_.path() + ": the ledger head is missing");
  Head head;
  head.size = static_cast<uint64_t>(select_head_.Int(0));
  auto root = HashFromBytes(select_head_.Blob(1));
  select_head_.Reset();
  if (!root) return Fail(ErrorCode::kCorruption, db_.path() + ": the head root is damaged");
  head.root = *root;
  if (head.size < known_head_.size ||
      (head.size == known_head_.size && head.root != known_head_.root)) {
    // A head never shrinks or changes at its size: the file was rewritten under this handle.
    // Forget what was cached from it; the reads that follow say what is there now.
    tile_cache_.Clear();
    edge_.reset();
  }
  known_head_ = head;
  return head;
}

Result<uint64_t> Ledger::Impl::HeadSize() {
  auto head = ReadHead();
  if (!head) return std::unexpected(head.error());
  return head->size;
}

Result<void> Ledger::Impl::CheckSize(uint64_t size, const char* what) {
  if (size <= known_head_.size) return {};  // the head only grows
  auto head_size = HeadSize();
  if (!head_size) return std::unexpected(head_size.error());
  if (size > *head_size) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + " " + std::to_string(size) +
                                                 " is beyond the ledger's size " +
                                                 std::to_string(*head_size));
  }
  return {};
}

Result<void> Ledger::Impl::CheckEntries(std::span<const NewEntry> entries) const {
  if (entries.empty()) return Fail(ErrorCode::kInvalidArgument, "nothing to append");
  const size_t limit = MaxPayloadSize(meta_.format);
  for (size_t i = 0; i < entries.size(); ++i) {
    const NewEntry& e = entries[i];
    if (e.payload.size() > limit) {  // named only when refused: this loop runs for every entry
      const std::string which = entries.size() == 1 ? "the entry"
                                                    : "entry " + std::to_string(i + 1) + " of " +
                                                          std::to_string(entries.size());
      return Fail(
          ErrorCode::kInvalidArgument,
          which + " has a " + std::to_string(e.payload.size()) + "-byte payload; the limit is " +
              std::to_string(limit) + " bytes" +
              (meta_.format == EntryFormat::kRecord ? " (65,535-byte entries less the 8-byte time)"
                                                    : "") +
              " (nothing was appended)");
    }
    if (e.time_ms && meta_.format == EntryFormat::kRaw) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a raw-format ledger stores no times; drop the time (nothing was appended)");
    }
  }
  return {};
}

Result<void> Ledger::Impl::LoadEdge(uint64_t size) {
  std::vector<storage::TileBlob> tiles;
  for (const auto& [id, width] : storage::TreeEdge::EdgeTiles(size)) {
    if (width == 0) {
      tiles.emplace_back();
      continue;
    }
    auto blob = tiles_.Read(id);
    if (!blob) return std::unexpected(blob.error());
    tiles.push_back(blob->value_or(storage::TileBlob{}));
  }
  auto edge = storage::TreeEdge::FromTiles(size, std::move(tiles));
  if (!edge) {
    return Fail(ErrorCode::kCorruption,
                db_.path() + ": " + edge.error().message() + "; run 'vellum verify'");
  }
  edge_ = std::move(*edge);
  return {};
}

// Hashes the entries and grows the in-memory tree edge. Touches no SQLite state, so a large
// batch runs it on a second core while the rows are inserted.
void Ledger::Impl::ExtendTree(std::span<const NewEntry> entries, int64_t now) {
  for (const NewEntry& e : entries) {
    std::optional<int64_t> time;
    if (meta_.format == EntryFormat::kRecord) time = e.time_ms.value_or(now);
    edge_->AddLeaf(storage::EntryLeafHash(meta_.format, time, e.payload));
  }
}

Result<void> Ledger::Impl::InsertRows(std::span<const NewEntry> entries, uint64_t first,
                                      int64_t now) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const NewEntry& e = entries[i];
    insert_entry_.Bind(1, static_cast<int64_t>(first + i));
    if (meta_.format == EntryFormat::kRecord) insert_entry_.Bind(2, e.time_ms.value_or(now));
    if (IsPlainText(e.payload)) {
      insert_entry_.BindText(
          3, std::string_view(reinterpret_cast<const char*>(e.payload.data()), e.payload.size()));
    } else {
      insert_entry_.Bind(3, e.payload);
    }
    if (auto ok = insert_entry_.RunKeepingBindings(); !ok) {
      insert_entry_.Reset();
      // The only constraint an insert can break: the index is taken past the head.
      if (ok.error().code() == ErrorCode::kConflict) {
        return Fail(ErrorCode::kCorruption,
                    db_.path() + ": entry " + std::to_string(first + i) +
                        " is already stored beyond the ledger head (size " + std::to_string(first) +
                        "): it was added behind vellum's back; run 'vellum verify'");
      }
      return ok;
    }
  }
  insert_entry_.Reset();  // drops the last payload's copy
  return {};
}

Result<void> Ledger::Impl::StoreTree() {
  written_ = edge_->TakeChanged();
  for (const auto& [id, blob] : written_) {
    upsert_tile_.Bind(1, int64_t{id.level}).Bind(2, static_cast<int64_t>(id.index));
    upsert_tile_.Bind(3, tiles_.StoredHashes(id, blob)).Bind(4, blob.inner);
    if (auto ok = upsert_tile_.Run(); !ok) {
      // The triggers refused to change what the file holds: it is not what vellum wrote.
      if (ok.error().code() == ErrorCode::kConflict) {
        return Fail(ErrorCode::kCorruption,
                    db_.path() + ": tile " + std::to_string(id.level) + "/" +
                        std::to_string(id.index) +
                        " in the file is not the one these entries make: it was written behind "
                        "vellum's back; run 'vellum verify'");
      }
      return ok;
    }
    if (id.level == 0 && blob.width() == kTileWidth) {
      if (auto ok = leaf_index_.AddFullTile(id.index, blob.hashes); !ok) return ok;
    }
  }
  written_head_ = {edge_->size(), edge_->Root()};
  update_head_.Bind(1, static_cast<int64_t>(written_head_.size)).Bind(2, written_head_.root);
  return update_head_.Run();
}

Result<uint64_t> Ledger::Impl::AppendLocked(std::span<const NewEntry> entries) {
  static constexpr size_t kParallelBatch = 256;
  auto head = ReadHead();
  if (!head) return std::unexpected(head.error());
  if (!edge_ || edge_->size() != head->size) {
    if (auto ok = LoadEdge(head->size); !ok) return std::unexpected(ok.error());
  }
  const uint64_t first = head->size;
  const int64_t now = storage::CurrentTimeMs();
  Result<void> inserted;
  if (entries.size() >= kParallelBatch) {
    helper_.RunBeside([&] { ExtendTree(entries, now); },
                      [&] { inserted = InsertRows(entries, first, now); });
  } else {
    ExtendTree(entries, now);
    inserted = InsertRows(entries, first, now);
  }
  if (!inserted) return std::unexpected(inserted.error());
  if (auto ok = StoreTree(); !ok) return std::unexpected(ok.error());
  return first;
}

Result<uint64_t> Ledger::Impl::AppendBatch(std::span<const NewEntry> entries) {
  if (meta_.mirror) {
    return Fail(ErrorCode::kConflict,
                db_.path() +
                    " is a mirror: it takes entries only from its upstream through "
                    "verified sync ('vellum sync' or 'vellum serve --upstream'); append "
                    "to the upstream instead (nothing was appended)");
  }
  return AppendChecked(entries, [](uint64_t) -> Result<void> { return {}; });
}

Result<uint64_t> Ledger::Impl::AppendVerified(std::span<const NewEntry> entries,
                                              std::string_view note, std::span<const Hash> proof) {
  auto checkpoint = OpenOwnCheckpoint(note);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  return AppendChecked(entries, [&](uint64_t new_size) -> Result<void> {
    const Hash root = edge_->Root();
    const std::string what = "entries " + std::to_string(new_size - entries.size()) + ".." +
                             std::to_string(new_size - 1);
    if (new_size > checkpoint->size) {
      return Fail(ErrorCode::kVerificationFailed, what + " reach past the checkpoint's " +
                                                      Entries(checkpoint->size) +
                                                      " (nothing was appended)");
    }
    if (new_size == checkpoint->size) {
      if (root != checkpoint->root) {
        return Fail(ErrorCode::kVerificationFailed,
                    what + " do not rebuild the signed root (nothing was appended)");
      }
      return InsertCheckpoint(checkpoint->size, checkpoint->root, note);
    }
    if (auto ok =
            merkle::VerifyConsistency(new_size, checkpoint->size, root, checkpoint->root, proof);
        !ok) {
      return Fail(ErrorCode::kVerificationFailed,
                  what + " do not rebuild a prefix of the signed tree (" + ok.error().message() +
                      "; nothing was appended)");
    }
    return {};
  });
}

Result<uint64_t> Ledger::Impl::AppendChecked(std::span<const NewEntry> entries,
                                             const std::function<Result<void>(uint64_t)>& check) {
  if (auto ok = CheckEntries(entries); !ok) return std::unexpected(ok.error());
  if (auto ok = db_.BeginWrite(); !ok) return std::unexpected(ok.error());
  auto first = AppendLocked(entries);
  if (first) {
    if (auto ok = check(*first + entries.size()); !ok) first = std::unexpected(ok.error());
  }
  if (first) {
    if (auto ok = db_.Exec("COMMIT"); !ok) first = std::unexpected(ok.error());
  }
  if (first) {
    known_head_ = written_head_;
    for (auto& [id, blob] : written_) {
      tile_cache_.Put(id, std::make_shared<storage::TileBlob>(std::move(blob)));
    }
  }
  written_.clear();
  if (!first) {
    (void)db_.Exec("ROLLBACK");
    edge_.reset();  // it may hold leaves that were rolled back
    leaf_index_.Forget();
    known_head_ = Head{0, merkle::EmptyRoot()};  // it may name the head rolled back
  }
  return first;
}

Result<VerifyReport> Ledger::Impl::Verify(const ProgressFn& progress) {
  return storage::VerifyLedger(db_, meta_, progress);
}

// --- Ledger: locking wrappers -----------------------------------------------------------------

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

Result<std::unique_ptr<Ledger>> Ledger::Create(const std::string& path, CreateOptions options) {
  if (auto ok = CheckOrigin(options.origin); !ok) return std::unexpected(ok.error());
  if (options.mirror && options.verifier_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a mirror needs its upstream's verifier key");
  }
  if (!options.verifier_key.empty()) {
    auto key = VerifierKey::Parse(options.verifier_key);
    if (!key) return std::unexpected(key.error());
    if (key->type() != KeyType::kNote) {
      return Fail(ErrorCode::kInvalidArgument,
                  key->name() +
                      " is a witness's cosigner key; a ledger's checkpoints are signed with a "
                      "note key (vellum init makes one when --key is left out)");
    }
  }
  std::error_code ec;
  if (path.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a ledger needs a file name, e.g. audit.db");
  }
  if (std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kConflict, path + " already exists; refusing to overwrite it");
  }
  if (const auto folder = std::filesystem::path(path).parent_path();
      !folder.empty() && !std::filesystem::is_directory(folder, ec)) {
    return Fail(ErrorCode::kNotFound,
                "cannot create " + path + ": " + folder.string() +
                    (std::filesystem::exists(folder, ec) ? " is not a folder" : " does not exist"));
  }
  // The schema is written to a private file that is linked into place only when complete, so a
  // process killed while creating leaves no half-made ledger behind (at most the private file).
  const std::string building = path + ".creating-" + std::to_string(getpid());
  std::filesystem::remove(building, ec);
  {
    auto db = Db::Open(building, /*create=*/true);
    if (!db) return std::unexpected(db.error());
    auto ok = storage::ConfigureConnection(*db, OpenOptions{}.busy_timeout_ms, false);
    if (ok) ok = storage::CreateSchema(*db, options);
    if (!ok) {
      std::filesystem::remove(building, ec);
      return std::unexpected(ok.error());
    }
  }  // closed: the write-ahead log is folded into the file
  const bool linked = link(building.c_str(), path.c_str()) == 0;  // fails if path exists
  const int link_errno = errno;
  std::filesystem::remove(building, ec);
  if (!linked) {
    if (link_errno == EEXIST) {
      return Fail(ErrorCode::kConflict, path + " already exists; refusing to overwrite it");
    }
    return Fail(ErrorCode::kIoError, "cannot create " + path + ": " + std::strerror(link_errno));
  }
  return Open(path);
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path, OpenOptions options) {
  std::error_code ec;
  if (path.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "the ledger's file name is empty; give its path");
  }
  if (!std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kNotFound, path + " does not exist; create it with 'vellum init'");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Fail(ErrorCode::kInvalidArgument, path + " is a directory, not a ledger file");
  }
  // A reader that cannot write the file or its directory reads it as it is: otherwise SQLite
  // needs to create the -wal and -shm files (and would leave them behind read-only).
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const bool immutable =
      options.read_only && !std::filesystem::exists(path + "-wal", ec) &&
      !std::filesystem::exists(path + "-shm", ec) &&
      (access(path.c_str(), W_OK) != 0 || access(dir.empty() ? "." : dir.c_str(), W_OK) != 0);
  if (!options.read_only) {
    // SQLite would open a write-protected file read-only and leave unwritable -wal and -shm
    // files behind; say what is wrong before anything is touched.
    if (const std::string hint = storage::ReadOnlyHint(path); !hint.empty()) {
      return Fail(ErrorCode::kIoError, "cannot write " + path + hint);
    }
  }
  auto db = Db::Open(path, /*create=*/false, options.read_only, immutable);
  if (!db) return std::unexpected(db.error());
  db->SetBusyHandler(options.busy_timeout_ms, options.on_lock_wait);
  auto meta = storage::ReadMetadata(*db);  // before any pragma that could change the file
  if (!meta) return std::unexpected(meta.error());
  if (auto ok = storage::ConfigureConnection(*db, options.busy_timeout_ms, options.read_only,
                                             options.on_lock_wait);
      !ok) {
    return std::unexpected(ok.error());
  }
  if (!options.read_only) {
    if (auto ok = storage::UpgradeSchema(*db, *meta); !ok) return std::unexpected(ok.error());
  }
  auto impl = std::make_unique<Impl>(std::move(*db), std::move(*meta), options.tile_cache_bytes);
  if (auto ok = impl->Prepare(); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

Result<void> Ledger::RemoveEmpty(const std::string& path) {
  {
    auto ledger = Open(path, {.read_only = true});
    if (!ledger) return std::unexpected(ledger.error());
    auto head = (*ledger)->GetHead();
    if (!head) return std::unexpected(head.error());
    if (head->size > 0) {
      return Fail(ErrorCode::kConflict, path +
                                            " holds entries; a ledger with entries is never "
                                            "deleted");
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
  return {};
}

const std::string& Ledger::path() const { return impl_->db_.path(); }
const std::string& Ledger::origin() const { return impl_->meta_.origin; }
EntryFormat Ledger::format() const { return impl_->meta_.format; }
const std::string& Ledger::verifier_key() const { return impl_->meta_.verifier_key; }
bool Ledger::is_mirror() const { return impl_->meta_.mirror; }

Result<void> Ledger::Validate(std::span<const NewEntry> entries) const {
  return impl_->CheckEntries(entries);
}

Result<uint64_t> Ledger::Append(const NewEntry& entry) {
  return AppendBatch(std::span<const NewEntry>(&entry, 1));
}

#define VELLUM_LOCKED(call)                     \
  std::lock_guard<std::mutex> lock(impl_->mu_); \
  return impl_->call
#define VELLUM_READ(call)                       \
  std::lock_guard<std::mutex> lock(impl_->mu_); \
  return impl_->InReadTransaction([&] { return impl_->call; })

Result<uint64_t> Ledger::AppendBatch(std::span<const NewEntry> entries) {
  VELLUM_LOCKED(AppendBatch(entries));
}
Result<uint64_t> Ledger::AppendVerified(std::span<const NewEntry> entries, std::string_view note,
                                        std::span<const Hash> proof) {
  VELLUM_LOCKED(AppendVerified(entries, note, proof));
}
Result<Head> Ledger::GetHead() { VELLUM_READ(ReadHead()); }
// Roots and proofs need no read transaction for their snapshot: the head only grows and a
// stored tile only lengthens, so a size once seen stays valid and every statement's snapshot
// holds its tiles. With the tiles cached, they touch the file not at all; otherwise their reads
// share one transaction, which saves a lock round trip per read.
#define VELLUM_TILE_READS(call)                 \
  std::lock_guard<std::mutex> lock(impl_->mu_); \
  impl_->tiles_.StartBatch();                   \
  auto result = impl_->call;                    \
  impl_->tiles_.EndBatch();                     \
  return result
Result<Hash> Ledger::RootAt(uint64_t size) { VELLUM_TILE_READS(RootAt(size)); }
Result<Entry> Ledger::Get(uint64_t index) { VELLUM_READ(Get(index)); }
Result<std::vector<Entry>> Ledger::GetRange(uint64_t begin, uint64_t end) {
  VELLUM_READ(GetRange(begin, end));
}
Result<uint64_t> Ledger::FindByLeafHash(const Hash& leaf_hash) {
  VELLUM_READ(FindByLeafHash(leaf_hash));
}
Result<std::vector<Hash>> Ledger::InclusionProof(uint64_t index, uint64_t size) {
  VELLUM_TILE_READS(InclusionProof(index, size));
}
Result<std::vector<Hash>> Ledger::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  VELLUM_TILE_READS(ConsistencyProof(old_size, new_size));
}
Result<Bytes> Ledger::ReadTile(uint8_t level, uint64_t index, uint32_t width) {
  VELLUM_READ(ReadTile(level, index, width));
}
Result<std::string> Ledger::SignCheckpoint(const SignerKey& key, std::optional<uint64_t> size) {
  VELLUM_LOCKED(SignCheckpoint(key, size));
}
Result<std::string> Ledger::LatestCheckpoint() { VELLUM_READ(LatestCheckedCheckpoint()); }
Result<void> Ledger::RecordForkEvidence(const ForkEvidence& evidence,
                                        std::span<const VerifierKey> peer_keys) {
  VELLUM_LOCKED(RecordForkEvidence(evidence, peer_keys));
}
Result<std::vector<ForkEvidence>> Ledger::ListForkEvidence() { VELLUM_READ(ListForkEvidence()); }
Result<void> Ledger::RecordCheckpoint(std::string_view note) {
  VELLUM_LOCKED(RecordCheckpoint(note));
}
Result<std::vector<Hash>> Ledger::SubtreeHashes(std::span<const merkle::NodeId> ids) {
  VELLUM_READ(SubtreeHashes(ids));
}
Result<VerifyReport> Ledger::Verify(const ProgressFn& progress) { VELLUM_LOCKED(Verify(progress)); }

#undef VELLUM_LOCKED
#undef VELLUM_READ
#undef VELLUM_TILE_READS

}  // namespace vellum
