// Signing and recording checkpoints of a ledger (C2SP tlog-checkpoint, vellum/checkpoint.h).
#include <algorithm>
#include <string>

#include "merkle/tree_math.h"
#include "storage/entries.h"
#include "storage/ledger_impl.h"
#include "storage/tile_store.h"
#include "vellum/merkle.h"

namespace vellum {

Result<void> Ledger::Impl::InsertCheckpoint(uint64_t size, const Hash& root,
                                            std::string_view note) {
  // A node re-serving the same checkpoint (an idle mirror polling, a restarted writer signing
  // the same tree: Ed25519 is deterministic) must not grow the table; nor must the same
  // checkpoint with fewer signatures than the newest one, which carries witnesses'
  // cosignatures (vellum/witness.h) that it would hide.
  auto latest = LatestCheckpoint();
  if (latest && *latest == note) return {};
  if (latest) {
    auto old_note = ParseSignedNote(*latest);
    auto new_note = ParseSignedNote(note);
    if (old_note && new_note && old_note->text == new_note->text &&
        std::all_of(new_note->signatures.begin(), new_note->signatures.end(),
                    [&](const NoteSignature& s) {
                      return std::any_of(old_note->signatures.begin(), old_note->signatures.end(),
                                         [&](const NoteSignature& o) {
                                           return o.name == s.name && o.key_id == s.key_id &&
                                                  o.signature == s.signature;
                                         });
                    })) {
      return {};
    }
  }
  if (!latest && latest.error().code() != ErrorCode::kNotFound) {
    return std::unexpected(latest.error());
  }
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
  if (auto ok = db_.BeginWrite(); !ok) return std::unexpected(ok.error());
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
      if (n > prev_size) {
        if (auto ok = CheckEntriesSince(prev_size, *prev_root, n); !ok) {
          return std::unexpected(ok.error());
        }
      }
    } else if (auto ok = CheckEntriesSince(0, merkle::EmptyRoot(), n); !ok) {
      return std::unexpected(ok.error());
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

Result<void> Ledger::Impl::CheckEntriesSince(uint64_t from, const Hash& from_root, uint64_t to) {
  const auto nodes = merkle::RangeNodes(0, from);
  std::vector<Hash> frontier;
  if (!nodes.empty()) {
    auto got = SubtreeHashes(nodes);
    if (!got) return std::unexpected(got.error());
    frontier = std::move(*got);
  }
  auto range = merkle::CompactRange::FromFrontier(from, frontier);
  if (!range) return std::unexpected(range.error());
  const std::string refuse = "refusing to sign: ";
  if (range->Root() != from_root) {
    return Fail(ErrorCode::kConflict, refuse +
                                          "the stored tree no longer folds to the root "
                                          "signed at size " +
                                          std::to_string(from) + "; run 'vellum verify'");
  }
  constexpr uint64_t kChunk = 10000;
  for (uint64_t at = from; at < to; at += kChunk) {
    auto entries = GetRange(at, std::min(to, at + kChunk));
    if (!entries && entries.error().code() == ErrorCode::kCorruption) {
      return Fail(ErrorCode::kConflict, refuse + entries.error().message());
    }
    if (!entries) return std::unexpected(entries.error());
    for (const Entry& e : *entries) range->Append(e.leaf_hash);  // recomputed from the bytes
  }
  auto stored = RootAt(to);
  if (!stored) return std::unexpected(stored.error());
  if (range->Root() != *stored) {
    return Fail(ErrorCode::kConflict,
                refuse + "entries " + std::to_string(from) + ".." + std::to_string(to - 1) +
                    " no longer hash to the stored tree (the file was changed around vellum); "
                    "run 'vellum verify' to find the first bad entry");
  }
  return {};
}

Result<Checkpoint> Ledger::Impl::OpenOwnCheckpoint(std::string_view note) const {
  auto key = VerifierKey::Parse(meta_.verifier_key);
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument,
                db_.path() + " has no verifier key, so it cannot check a signed checkpoint");
  }
  std::vector<VerifierKey> known = {*key};
  auto checkpoint = OpenCheckpoint(note, known);
  if (!checkpoint) {
    return Fail(ErrorCode::kVerificationFailed,
                "the checkpoint does not verify with this ledger's key " + meta_.verifier_key +
                    ": " + checkpoint.error().message());
  }
  if (checkpoint->origin != meta_.origin) {
    return Fail(ErrorCode::kVerificationFailed,
                "checkpoint is for '" + checkpoint->origin + "', not '" + meta_.origin + "'");
  }
  return checkpoint;
}

Result<Checkpoint> Ledger::Impl::OpenCheckpointOfTree(std::string_view note) {
  auto checkpoint = OpenOwnCheckpoint(note);
  if (!checkpoint) return checkpoint;
  if (auto ok = CheckSize(checkpoint->size, "checkpoint size"); !ok) {
    return std::unexpected(ok.error());
  }
  auto root = RootAt(checkpoint->size);
  if (!root) return std::unexpected(root.error());
  if (*root != checkpoint->root) {
    return Fail(ErrorCode::kVerificationFailed, "checkpoint of size " +
                                                    std::to_string(checkpoint->size) +
                                                    " does not match this ledger's tree");
  }
  return checkpoint;
}

Result<void> Ledger::Impl::RecordCheckpoint(std::string_view note) {
  auto checkpoint = OpenCheckpointOfTree(note);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  // Outside the write transactions, which check it when they begin (Db::BeginWrite).
  if (auto ok = db_.RefuseIfMoved(); !ok) return ok;
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

Result<std::string> Ledger::Impl::LatestCheckedCheckpoint() {
  auto note = LatestCheckpoint();
  if (!note || *note == checked_note_) return note;
  auto checkpoint = OpenCheckpointOfTree(*note);
  if (!checkpoint) {
    return Fail(ErrorCode::kCorruption,
                db_.path() + ": the newest recorded checkpoint is not the ledger's (" +
                    checkpoint.error().message() +
                    "); it was written around vellum: run 'vellum verify'");
  }
  checked_note_ = *note;
  return note;
}

Result<void> Ledger::Impl::RecordForkEvidence(const ForkEvidence& e,
                                              std::span<const VerifierKey> peer_keys) {
  std::vector<VerifierKey> keys(peer_keys.begin(), peer_keys.end());
  if (auto own = VerifierKey::Parse(meta_.verifier_key)) keys.push_back(*own);
  if (auto ok = CheckForkEvidence(e, keys); !ok) {
    return Fail(ok.error().code(), "not keeping fork evidence: " + ok.error().message());
  }
  auto local = ParseSignedNote(e.local_note);
  auto body = local ? ParseCheckpointBody(local->text) : Result<Checkpoint>(Checkpoint{});
  if (!body || body->origin != meta_.origin) {
    return Fail(ErrorCode::kInvalidArgument,
                "not keeping fork evidence: the local note is not "
                "a checkpoint of '" +
                    meta_.origin + "'");
  }
  // Once per peer and fork: a peer that stays forked is not recorded again at every poll.
  auto insert = db_.Prepare(
      "INSERT INTO fork_evidence(peer, fork_index, local_note, peer_note, found_ms, local_leaf, "
      "local_proof, peer_leaf, peer_proof) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
      "WHERE NOT EXISTS (SELECT 1 FROM fork_evidence WHERE peer = ?1 AND fork_index = ?2) "
      "ON CONFLICT DO NOTHING");
  if (!insert) return std::unexpected(insert.error());
  if (auto ok = db_.RefuseIfMoved(); !ok) return ok;
  auto joined = [](const std::vector<Hash>& hashes) {
    Bytes out;
    for (const Hash& h : hashes) out.insert(out.end(), h.begin(), h.end());
    return out;
  };
  insert->BindText(1, e.peer).Bind(2, static_cast<int64_t>(e.fork_index));
  insert->BindText(3, e.local_note).BindText(4, e.peer_note).Bind(5, storage::CurrentTimeMs());
  insert->Bind(6, e.local_leaf).Bind(7, joined(e.local_proof));
  insert->Bind(8, e.peer_leaf).Bind(9, joined(e.peer_proof));
  return insert->Run();
}

Result<std::vector<ForkEvidence>> Ledger::Impl::ListForkEvidence() {
  // A version 1 file opened read-only has no proof columns yet.
  auto select = db_.Prepare(
      meta_.schema_version >= 2
          ? "SELECT peer, fork_index, local_note, peer_note, found_ms, local_leaf, local_proof, "
            "peer_leaf, peer_proof FROM fork_evidence ORDER BY id"
          : "SELECT peer, fork_index, local_note, peer_note, found_ms, x'', x'', x'', x'' "
            "FROM fork_evidence ORDER BY id");
  if (!select) return std::unexpected(select.error());
  auto hashes = [](std::span<const uint8_t> blob) {
    std::vector<Hash> out(blob.size() / kHashSize);
    for (size_t i = 0; i < out.size(); ++i) {
      std::copy_n(blob.begin() + static_cast<ptrdiff_t>(i * kHashSize), kHashSize, out[i].begin());
    }
    return out;
  };
  std::vector<ForkEvidence> out;
  while (true) {
    auto row = select->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    ForkEvidence e;
    e.peer = select->Text(0);
    e.fork_index = static_cast<uint64_t>(select->Int(1));
    e.local_note = select->Text(2);
    e.peer_note = select->Text(3);
    e.found_ms = select->Int(4);
    auto local_leaf = HashFromBytes(select->Blob(5));
    auto peer_leaf = HashFromBytes(select->Blob(7));
    e.proven = local_leaf && peer_leaf;
    if (e.proven) {
      e.local_leaf = *local_leaf;
      e.peer_leaf = *peer_leaf;
      e.local_proof = hashes(select->Blob(6));
      e.peer_proof = hashes(select->Blob(8));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vellum
