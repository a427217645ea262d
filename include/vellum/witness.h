// Witnesses and what they sign, after the C2SP specs, byte for byte:
//   c2sp.org/tlog-cosignature  a witness's Ed25519 cosignature on a checkpoint (type 0x04),
//   c2sp.org/tlog-witness      the add-checkpoint protocol, and a witness that keeps its state in
//                              SQLite and never cosigns two histories of one log,
//   c2sp.org/tlog-policy       which logs and which quorum of witnesses a reader trusts,
//   c2sp.org/tlog-proof        an offline receipt: index, inclusion proof, cosigned checkpoint.
// doc/protocol.md says how vellum nodes use them.
//
// Thread-safety: Policy is immutable after parsing; Witness serializes its own requests and
// may be shared.
#ifndef VELLUM_WITNESS_H_
#define VELLUM_WITNESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vellum/checkpoint.h"
#include "vellum/error.h"
#include "vellum/hash.h"

namespace vellum {

// ---- Cosignatures (tlog-cosignature, cosignature/v1) ----

// The largest timestamp a cosignature may carry (2^63 - 1).
inline constexpr uint64_t kMaxCosignatureTime = (uint64_t{1} << 63) - 1;

// What a cosigner signs: "cosignature/v1\ntime <timestamp>\n" and the checkpoint body.
std::string CosignatureMessage(std::string_view body, uint64_t timestamp);
// `key` (KeyType::kCosignature) cosigns the checkpoint `body` at `timestamp` (POSIX seconds):
// the signature line's key id, then timestamp (8 bytes, big-endian) || Ed25519 signature (64).
[[nodiscard]] Result<NoteSignature> Cosign(const SignerKey& key, std::string_view body,
                                           uint64_t timestamp);
// Checks a cosignature line by `key` on `body`; returns its timestamp. kVerificationFailed when
// the line is not `key`'s, is not 72 bytes, or does not verify.
[[nodiscard]] Result<uint64_t> VerifyCosignature(const VerifierKey& key, std::string_view body,
                                                 const NoteSignature& signature);

// ---- Policies (tlog-policy) ----

struct PolicyLog {
  VerifierKey key;  // KeyType::kNote; its name is the log's origin
  std::string url;  // "" when not given
};
struct PolicyWitness {
  std::string name;  // the policy's own name for it (a witness line's first field)
  VerifierKey key;   // KeyType::kCosignature
  std::string url;   // its submission prefix, "" when not given
};

// What a checkpoint has under a policy.
struct QuorumReport {
  std::vector<std::string> cosigned;  // policy names of the witnesses that cosigned, in order
  std::vector<std::string> missing;   // the quorum's witnesses that did not
  bool met = false;
};

class Policy {
 public:
  // Limits: kMaxPolicyBytes of text, kMaxPolicyItems logs, witnesses and groups each.
  static constexpr size_t kMaxPolicyBytes = 1 << 20;
  static constexpr size_t kMaxPolicyItems = 1000;

  // The strict parser of the spec; the error names the line and the rule it broke.
  [[nodiscard]] static Result<Policy> Parse(std::string_view text);
  // The policy with no logs and `quorum none`: a log's own signature is all it asks.
  static Policy None() { return Policy(); }

  const std::vector<PolicyLog>& logs() const { return logs_; }
  const std::vector<PolicyWitness>& witnesses() const { return witnesses_; }
  bool requires_cosignatures() const { return quorum_ >= 0; }

  // Which of the policy's witnesses cosigned `note` and whether that meets the quorum. A
  // cosignature line by a witness of the policy that does not verify fails the whole note
  // (kVerificationFailed): it was altered or forged. Does not check the log's signature.
  [[nodiscard]] Result<QuorumReport> Quorum(const SignedNote& note) const;
  // Opens a checkpoint note: signed by one of the policy's logs (or, when it lists none, one of
  // `log_keys`) and cosigned by its quorum. The error says which witnesses are missing.
  [[nodiscard]] Result<Checkpoint> Open(std::string_view note,
                                        std::span<const VerifierKey> log_keys = {}) const;

 private:
  // A group's members are indexes into witnesses_ (< witnesses_.size()) or, offset by
  // witnesses_.size(), into groups_.
  struct Group {
    std::string name;
    size_t threshold = 0;
    std::vector<size_t> members;
  };
  bool Satisfied(size_t member, const std::vector<bool>& cosigned) const;
  void Missing(size_t member, const std::vector<bool>& cosigned,
               std::vector<std::string>& out) const;

  std::vector<PolicyLog> logs_;
  std::vector<PolicyWitness> witnesses_;
  std::vector<Group> groups_;
  long quorum_ = -1;  // a member index as in Group::members; -1: quorum none
};

// ---- Receipts (tlog-proof) ----

inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

struct TlogProof {
  std::optional<Bytes> extra;  // opaque, unauthenticated
  uint64_t index = 0;
  std::vector<Hash> inclusion;  // leaf's sibling first
  std::string checkpoint;       // the signed note, verbatim
};
std::string FormatTlogProof(const TlogProof& proof);
// Strict: the header, an optional extra line, the index line, proof lines, a blank line, a
// checkpoint note that parses. Checks nothing cryptographic (VerifyTlogProof does).
[[nodiscard]] Result<TlogProof> ParseTlogProof(std::string_view text);
// The checkpoint under `policy` (see Policy::Open), then the inclusion of `leaf_hash` at the
// proof's index in it. Returns the checkpoint.
[[nodiscard]] Result<Checkpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                                 const Policy& policy,
                                                 std::span<const VerifierKey> log_keys = {});

// ---- The witness (tlog-witness) ----

// The body of an add-checkpoint request.
struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<Hash> proof;  // consistency proof from old_size to the checkpoint's size
  std::string checkpoint;   // the signed note
};
inline constexpr size_t kMaxConsistencyProofLines = 63;
std::string FormatAddCheckpoint(const AddCheckpointRequest& request);
[[nodiscard]] Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body);

// A witness's answer, as the HTTP layer sends it.
struct WitnessAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";

// What a witness holds for one log: the checkpoint it cosigned last.
struct WitnessedLog {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::string checkpoint;  // the note as it was submitted
  int64_t time = 0;        // when it was cosigned (POSIX seconds)
};

// A request a witness refused although it was signed by a log it knows: a stale or forked
// checkpoint, a bad proof. Kept as evidence of what the log said (the spec allows it).
struct WitnessRefusal {
  std::string origin;
  int status = 0;
  std::string reason;
  std::string request;  // the whole body
  int64_t time = 0;
};

struct WitnessCounts {
  uint64_t cosigned = 0;  // since this process opened the witness
  uint64_t refused = 0;   // every answer but 200
};

// A log a witness cosigns: its origin line and the key that signs its checkpoints. Most logs
// name the key after the origin; some do not (Go's checksum database: origin "go.sum database
// tree", key sum.golang.org).
struct WitnessedLogKey {
  std::string origin;
  VerifierKey key;
};
// "VKEY" (the origin is the key's name) or "ORIGIN=VKEY", as `serve --witness-log` takes it.
[[nodiscard]] Result<WitnessedLogKey> ParseWitnessedLogKey(std::string_view text);

class Witness {
 public:
  // Creates an empty witness state file; refuses a file that exists.
  [[nodiscard]] static Result<void> Create(const std::string& path);
  // Whether `path` is a witness state file (read only; false for anything else), so that a
  // command given one where a ledger belongs can say what it was given.
  static bool IsStateFile(const std::string& path);
  // Opens the state file; `key` (KeyType::kCosignature) cosigns; `logs` are the logs it
  // witnesses (their keys KeyType::kNote).
  [[nodiscard]] static Result<std::unique_ptr<Witness>> Open(const std::string& path, SignerKey key,
                                                             std::vector<WitnessedLogKey> logs);
  ~Witness();

  const SignerKey& key() const;
  const std::vector<WitnessedLogKey>& logs() const;

  // One add-checkpoint request, answered as the spec says: 200 and the cosignature line; 400
  // malformed; 404 an unknown origin; 403 no signature by the log's key; 409 with the size it
  // holds (text/x.tlog.size) when `old` is not that size, or the same size with another root;
  // 422 a consistency proof that does not verify. The state moves forward only in a
  // transaction that checked it (compare-and-swap), across threads and processes, and is
  // durable before the answer. `now` is the cosignature's time (POSIX seconds).
  WitnessAnswer AddCheckpoint(std::string_view body, uint64_t now);

  [[nodiscard]] Result<std::vector<WitnessedLog>> Logs();
  // The newest refusals kept as evidence, newest first (at most `limit`), and how many are kept.
  [[nodiscard]] Result<std::vector<WitnessRefusal>> Refusals(size_t limit = 100);
  [[nodiscard]] Result<uint64_t> RefusalsKept();
  WitnessCounts counts() const;

  class Impl;

 private:
  explicit Witness(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vellum

#endif  // VELLUM_WITNESS_H_
