// A vellum ledger: one append-only log in one SQLite file, with its RFC 6962 Merkle tree stored
// beside the entries in C2SP tlog-tiles layout. Start here.
//
//   auto ledger = vellum::Ledger::Create("audit.db", {.origin = "example.com/audit"});
//   auto index = (*ledger)->Append({.payload = vellum::ToBytes("user alice logged in")});
//   auto proof = (*ledger)->InclusionProof(*index, (*ledger)->GetHead()->size);
//
// Thread-safety: a Ledger may be shared by many threads; calls are serialized on one SQLite
// connection. Several processes may open the same file; their appends are serialized by SQLite's
// write lock and each sees the others' entries.
#ifndef VELLUM_LEDGER_H_
#define VELLUM_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vellum/checkpoint.h"
#include "vellum/error.h"
#include "vellum/hash.h"
#include "vellum/merkle.h"

namespace vellum {

// How payloads become entry bytes (the hashed leaf). Fixed when the ledger is created.
enum class EntryFormat {
  kRecord,  // 8-byte big-endian signed milliseconds since the Unix epoch, then the payload
  kRaw,     // the payload exactly
};

inline constexpr size_t kMaxEntrySize = 65535;  // tlog-tiles entry-bundle limit, in entry bytes
inline constexpr size_t kRecordTimeSize = 8;    // the time that starts a record-format entry
// The largest payload an entry of `format` can carry.
inline constexpr size_t MaxPayloadSize(EntryFormat format) {
  return format == EntryFormat::kRecord ? kMaxEntrySize - kRecordTimeSize : kMaxEntrySize;
}

// Record times vellum accepts and shows: the years 0001 to 9999, in milliseconds since the epoch.
inline constexpr int64_t kMinTimeMs = -62135596800000;  // 0001-01-01T00:00:00.000Z
inline constexpr int64_t kMaxTimeMs = 253402300799999;  // 9999-12-31T23:59:59.999Z

std::string_view EntryFormatName(EntryFormat format);
[[nodiscard]] Result<EntryFormat> ParseEntryFormat(std::string_view name);
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
// True when `data` is valid UTF-8 without NUL bytes: such payloads are stored as TEXT (so
// `sqlite3` users read them as text in the `records` view) and shown as text.
bool IsPlainText(std::span<const uint8_t> data);

struct CreateOptions {
  std::string origin;  // e.g. "example.com/audit": names the log in checkpoints
  EntryFormat format = EntryFormat::kRecord;
  // Text form of the verifier key whose private key signs this ledger's checkpoints
  // (vellum/checkpoint.h). Empty: the ledger cannot sign checkpoints.
  std::string verifier_key = {};
  // A mirror copies another node's signed history: it takes entries only through
  // AppendVerified, never through Append. REQUIRES: verifier_key (the upstream's) when set.
  bool mirror = false;
};

struct OpenOptions {
  // Reads only. A file or directory this process cannot write is read as it is, without the
  // -wal and -shm files SQLite would otherwise create (and leave behind unwritable).
  bool read_only = false;
  int busy_timeout_ms = 10000;  // how long to wait for another process's write lock
  // Called once when a wait for another process's lock has lasted a second (e.g. to tell the
  // user why nothing happens). Runs on the waiting thread.
  std::function<void()> on_lock_wait = {};
  // Memory for tiles kept between calls, so that roots and proofs read the file seldom: all of
  // them at 1M entries fit in the default (a tile holds 256 entries' hashes in ~10 KiB).
  size_t tile_cache_bytes = size_t{64} << 20;
};

// An entry to append. In kRecord format `time_ms` defaults to the current time; it must be
// unset in kRaw format.
struct NewEntry {
  Bytes payload = {};
  std::optional<int64_t> time_ms = std::nullopt;
};

struct Entry {
  uint64_t index = 0;
  std::optional<int64_t> time_ms;  // set in kRecord format
  Bytes payload;
  Hash leaf_hash{};
};

struct Head {
  uint64_t size = 0;
  Hash root{};
};

// Outcome of Ledger::Verify(). `ok` is false when any check failed; then `first_bad_index` is
// the lowest entry index affected and `problem` says what kind of damage was found there.
struct VerifyReport {
  enum class Problem {
    kNone,
    kEntryChanged,        // an entry's bytes no longer hash to the stored leaf hash
    kEntryMissing,        // the head counts an entry that is not stored
    kExtraEntry,          // an entry is stored beyond the head
    kTreeHashChanged,     // a stored tree hash does not match the hashes below it
    kHeadMismatch,        // the stored head root is not the root of the stored tree
    kCheckpointMismatch,  // a recorded signed checkpoint is forged or not of the stored tree
  };
  bool ok = true;
  uint64_t size = 0;  // the head size the file claims
  uint64_t entries_checked = 0;
  std::optional<uint64_t> first_bad_index;
  Problem problem = Problem::kNone;
  std::string message;  // names the first problem, e.g. "entry 17 was changed"
};
std::string_view ProblemName(VerifyReport::Problem problem);

// Two signed checkpoints of the same log that cannot both be true: ours and a peer's, with the
// inclusion proofs of the two different leaves at `fork_index`, so that anyone holding the two
// verifier keys can check offline that the notes contradict (CheckForkEvidence).
struct ForkEvidence {
  std::string peer;
  uint64_t fork_index = 0;  // the first index where the histories differ
  std::string local_note, peer_note;
  Hash local_leaf{}, peer_leaf{};             // the leaf hashes at fork_index in each tree
  std::vector<Hash> local_proof, peer_proof;  // their inclusion proofs
  int64_t found_ms = 0;
  bool proven = true;  // false for evidence kept by vellum before schema version 2 (no proofs)
};

// Checks fork evidence offline: both notes verify with `keys` and name the same origin, both
// leaves are proven at fork_index in their note's tree, and the leaves differ.
[[nodiscard]] Result<void> CheckForkEvidence(const ForkEvidence& evidence,
                                             std::span<const VerifierKey> keys);

// Called with (entries checked, total) while Verify() runs.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

class Ledger {
 public:
  // Creates a new ledger file. Fails if `path` exists.
  [[nodiscard]] static Result<std::unique_ptr<Ledger>> Create(const std::string& path,
                                                              CreateOptions options);
  // Opens an existing ledger. Refuses, without changing the file, anything that is not a vellum
  // ledger or has a newer schema version.
  [[nodiscard]] static Result<std::unique_ptr<Ledger>> Open(const std::string& path,
                                                            OpenOptions options = {});
  // Deletes a ledger file that holds no entries, with its -wal and -shm files: undoes a Create
  // whose next step failed. Refuses (kConflict) a ledger with entries: those are never deleted.
  // REQUIRES: no handle on the file is open.
  [[nodiscard]] static Result<void> RemoveEmpty(const std::string& path);
  ~Ledger();

  const std::string& path() const;
  const std::string& origin() const;
  EntryFormat format() const;
  // The verifier key recorded at creation ("" if none).
  const std::string& verifier_key() const;

  // Checks entries against the ledger's format and the size limit without writing anything;
  // AppendBatch does the same first. Lets callers that append in several batches refuse bad
  // input before the first one.
  [[nodiscard]] Result<void> Validate(std::span<const NewEntry> entries) const;

  // Appends one entry; returns its index. Durable when this returns.
  [[nodiscard]] Result<uint64_t> Append(const NewEntry& entry);
  // Appends all entries in one transaction: all or none. Returns the index of the first.
  // Refuses (kConflict) on a mirror.
  [[nodiscard]] Result<uint64_t> AppendBatch(std::span<const NewEntry> entries);
  // Appends entries copied from the upstream whose signed checkpoint `note` vouches for them,
  // the only way entries enter a mirror. The note must verify with this ledger's verifier key
  // and name its origin. With the entries appended, the tree must be the note's tree (the
  // checkpoint is then recorded in the same transaction) or, when it is smaller, a prefix of
  // it proven by `proof` (RFC 9162 consistency proof from the new size to the note's size).
  // Otherwise nothing is written (kVerificationFailed). Returns the index of the first entry.
  [[nodiscard]] Result<uint64_t> AppendVerified(std::span<const NewEntry> entries,
                                                std::string_view note,
                                                std::span<const Hash> proof = {});
  bool is_mirror() const;

  [[nodiscard]] Result<Head> GetHead();  // O(1)
  // Root of the first `size` entries. REQUIRES: size <= head size. O(log n) stored hashes.
  [[nodiscard]] Result<Hash> RootAt(uint64_t size);
  [[nodiscard]] Result<Entry> Get(uint64_t index);
  // Entries [begin, end), at most 10,000 per call.
  [[nodiscard]] Result<std::vector<Entry>> GetRange(uint64_t begin, uint64_t end);
  // The index of the entry whose leaf hash is `leaf_hash`; kNotFound if none.
  [[nodiscard]] Result<uint64_t> FindByLeafHash(const Hash& leaf_hash);

  [[nodiscard]] Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size);
  [[nodiscard]] Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size);

  // Hashes of the perfect subtrees `ids` (each must lie inside the tree), from stored tiles.
  [[nodiscard]] Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids);

  // The tlog-tiles tile (level, index) of `width` hashes (1..256) as served on the wire:
  // width * 32 bytes. kNotFound if the tree does not hold that many hashes there yet.
  [[nodiscard]] Result<Bytes> ReadTile(uint8_t level, uint64_t index, uint32_t width);

  // Signs the checkpoint (C2SP tlog-checkpoint) for the tree of `size` entries (the head when
  // unset) with `key`, records it in the ledger and returns the signed note. Refuses a key other
  // than the ledger's, and refuses (kConflict) when the stored tree no longer matches the
  // largest checkpoint signed before, or when the entries added since it no longer hash to the
  // stored tree: a writer never signs two histories, nor one that `Verify` would reject.
  [[nodiscard]] Result<std::string> SignCheckpoint(const SignerKey& key,
                                                   std::optional<uint64_t> size = {});
  // Records a checkpoint signed elsewhere (a mirror keeps its upstream's): it must verify with
  // the ledger's verifier key, name the ledger's origin, and match the stored tree. A note
  // equal to the newest recorded one is not stored twice.
  [[nodiscard]] Result<void> RecordCheckpoint(std::string_view note);
  // Keeps fork evidence once per peer and fork index, only if CheckForkEvidence passes with
  // `peer_keys` and this ledger's own verifier key. Lists what is kept, oldest first.
  [[nodiscard]] Result<void> RecordForkEvidence(const ForkEvidence& evidence,
                                                std::span<const VerifierKey> peer_keys);
  [[nodiscard]] Result<std::vector<ForkEvidence>> ListForkEvidence();
  // The most recently recorded checkpoint note; kNotFound if none was signed, kCorruption if it
  // does not verify with the ledger's key or does not sign the stored tree (the file was
  // written around vellum).
  [[nodiscard]] Result<std::string> LatestCheckpoint();

  // Recomputes every leaf hash and stored tree hash and compares with the head.
  [[nodiscard]] Result<VerifyReport> Verify(const ProgressFn& progress = nullptr);

  // The bytes that are hashed for `payload` at `time_ms` in `format` (the entry bytes of the
  // tlog-tiles entry bundles), and back. DecodeEntry refuses a record-format entry shorter than
  // its time or whose time lies outside [kMinTimeMs, kMaxTimeMs] (kInvalidArgument).
  static Bytes EncodeEntry(EntryFormat format, std::optional<int64_t> time_ms,
                           std::span<const uint8_t> payload);
  [[nodiscard]] static Result<NewEntry> DecodeEntry(EntryFormat format,
                                                    std::span<const uint8_t> entry);

  class Impl;

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vellum

#endif  // VELLUM_LEDGER_H_
