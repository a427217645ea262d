// Signing and recording checkpoints of a ledger (C2SP tlog-checkpoint, vellum/checkpoint.h).
#include <string>

#include "storage/entries.h"
#include "storage/ledger_impl.h"
#include "storage/tile_store.h"
#include "vellum/merkle.h"

namespace vellum {

Result<void> Ledger::Impl::InsertCheckpoint(uint64_t size, const Hash& root,
                                            std::string_view note) {
  insert_checkpoint_.Bind(1, static_cast<int64_t>(size)).Bind(2, root);
  insert_checkpoint_.BindText(3, note).Bind(4, storage::CurrentTimeMs());
  return insert_checkpoint_.Run();
}

Result<std::string> Ledger::Impl::SignCheckpoint(const SignerKey& key,
                                                 std::optional<uint64_t> size) {
  if (meta_.verifier_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                db_.path() + " was created without a signing key; it cannot sign checkpoints");
  }
  if (key.verifier().ToString() != meta_.verifier_key) {
    return Fail(ErrorCode::kInvalidArgument, "key " + key.verifier().ToString() +
                                                 " is not this ledger's key (" +
                                                 meta_.verifier_key + ")");
  }
  if (auto ok = db_.Exec("BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  auto note = [&]() -> Result<std::string> {
    auto head = ReadHead();
    if (!head) return std::unexpected(head.error());
    const uint64_t n = size.value_or(head->size);
    auto root = RootAt(n);
    if (!root) return std::unexpected(root.error());
    // Consistency with what was signed before: the largest earlier checkpoint must still be
    // the root of its prefix of this tree (smaller ones were checked when it was signed).
    auto row = select_largest_checkpoint_.Step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
      const auto prev_size = static_cast<uint64_t>(select_largest_checkpoint_.Int(0));
      auto prev_root = HashFromBytes(select_largest_checkpoint_.Blob(1));
      select_largest_checkpoint_.Reset();
      auto now_root = prev_size <= head->size ? RootAt(prev_size) : Result<Hash>(Hash{});
      if (!prev_root || !now_root || *now_root != *prev_root) {
        return Fail(ErrorCode::kConflict,
                    "refusing to sign: the ledger no longer matches the checkpoint of size " +
                        std::to_string(prev_size) +
                        " signed before (the file was changed); run 'vellum verify'");
      }
    }
    select_largest_checkpoint_.Reset();
    auto signed_note = SignNote(CheckpointBody({meta_.origin, n, *root, {}}), key);
    if (!signed_note) return signed_note;
    if (auto ok = InsertCheckpoint(n, *root, *signed_note); !ok) return std::unexpected(ok.error());
    return signed_note;
  }();
  if (note) {
    if (auto ok = db_.Exec("COMMIT"); !ok) note = std::unexpected(ok.error());
  }
  if (!note) (void)db_.Exec("ROLLBACK");
  return note;
}

Result<void> Ledger::Impl::RecordCheckpoint(std::string_view note) {
  auto key = VerifierKey::Parse(meta_.verifier_key);
  if (!key) return Fail(ErrorCode::kInvalidArgument, db_.path() + " has no verifier key");
  std::vector<VerifierKey> known = {*key};
  auto checkpoint = OpenCheckpoint(note, known);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  if (checkpoint->origin != meta_.origin) {
    return Fail(ErrorCode::kVerificationFailed, "checkpoint is for '" + checkpoint->origin +
                                                    "', not '" + meta_.origin + "'");
  }
  auto root = RootAt(checkpoint->size);
  if (!root) return std::unexpected(root.error());
  if (*root != checkpoint->root) {
    return Fail(ErrorCode::kVerificationFailed,
                "checkpoint of size " + std::to_string(checkpoint->size) +
                    " does not match this ledger's tree");
  }
  return InsertCheckpoint(checkpoint->size, checkpoint->root, note);
}

Result<std::string> Ledger::Impl::LatestCheckpoint() {
  auto row = select_latest_checkpoint_.Step();
  if (!row) return std::unexpected(row.error());
  std::string note = *row ? select_latest_checkpoint_.Text(0) : "";
  select_latest_checkpoint_.Reset();
  if (note.empty()) return Fail(ErrorCode::kNotFound, "no checkpoint has been signed yet");
  return note;
}

Result<void> Ledger::Impl::RecordForkEvidence(const ForkEvidence& e) {
  auto insert = db_.Prepare(
      "INSERT OR IGNORE INTO fork_evidence(peer, fork_index, local_note, peer_note, found_ms) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!insert) return std::unexpected(insert.error());
  insert->BindText(1, e.peer).Bind(2, static_cast<int64_t>(e.fork_index));
  insert->BindText(3, e.local_note).BindText(4, e.peer_note).Bind(5, storage::CurrentTimeMs());
  return insert->Run();
}

Result<std::vector<ForkEvidence>> Ledger::Impl::ListForkEvidence() {
  auto select = db_.Prepare(
      "SELECT peer, fork_index, local_note, peer_note, found_ms FROM fork_evidence ORDER BY id");
  if (!select) return std::unexpected(select.error());
  std::vector<ForkEvidence> out;
  while (true) {
    auto row = select->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({select->Text(0), static_cast<uint64_t>(select->Int(1)), select->Text(2),
                   select->Text(3), select->Int(4)});
  }
  return out;
}

}  // namespace vellum
