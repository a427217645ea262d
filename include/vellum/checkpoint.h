// Signed checkpoints: C2SP signed-note (Ed25519 keys, key ids, signature lines) and C2SP
// tlog-checkpoint bodies. The key and note formats are those of Go's
// golang.org/x/mod/sumdb/note, so vellum's checkpoints verify with any implementation of them.
//
// Thread-safety: the key classes are immutable after construction and safe to share.
#ifndef VELLUM_CHECKPOINT_H_
#define VELLUM_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vellum/error.h"
#include "vellum/hash.h"

namespace vellum {

// What an Ed25519 key signs, as its signature type byte says (C2SP signed-note): notes such as a
// log's checkpoints (0x01), or cosignatures (0x04, C2SP tlog-cosignature: a witness's statement
// that it checked a checkpoint, vellum/witness.h). One type per key: a note signature never
// verifies with a cosigner key nor the other way round.
enum class KeyType : uint8_t { kNote = 0x01, kCosignature = 0x04 };

// Key id (C2SP signed-note): first 4 bytes, big-endian, of
// SHA-256(name || 0x0A || type || 32-byte Ed25519 public key).
uint32_t KeyId(std::string_view name, std::span<const uint8_t> public_key,
               KeyType type = KeyType::kNote);

// A verifier key: text form "<name>+<8 hex key id>+<base64(type || public key)>".
class VerifierKey {
 public:
  [[nodiscard]] static Result<VerifierKey> Parse(std::string_view text);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  KeyType type() const { return type_; }
  const Bytes& public_key() const { return public_key_; }
  std::string ToString() const;
  // Checks an Ed25519 signature over `message`.
  [[nodiscard]] Result<void> Verify(std::string_view message,
                                    std::span<const uint8_t> signature) const;

 private:
  friend class SignerKey;
  std::string name_;
  uint32_t key_id_ = 0;
  KeyType type_ = KeyType::kNote;
  Bytes public_key_;  // 32 bytes
};

// A private signing key: text form "PRIVATE+KEY+<name>+<8 hex key id>+<base64(type || seed)>".
class SignerKey {
 public:
  // A new random Ed25519 key named `name` (a log's key: its origin, by convention; a witness's:
  // a schema-less URL naming it, e.g. example.com/witness).
  [[nodiscard]] static Result<SignerKey> Generate(std::string_view name,
                                                  KeyType type = KeyType::kNote);
  [[nodiscard]] static Result<SignerKey> Parse(std::string_view text);
  const std::string& name() const { return verifier_.name(); }
  uint32_t key_id() const { return verifier_.key_id(); }
  KeyType type() const { return verifier_.type(); }
  const VerifierKey& verifier() const { return verifier_; }
  std::string ToString() const;
  // The 64-byte Ed25519 signature of `message`.
  [[nodiscard]] Result<Bytes> Sign(std::string_view message) const;

 private:
  VerifierKey verifier_;
  Bytes seed_;  // 32 bytes
};

// Key files hold the private key text and a newline, mode 0600, beside the ledger (never in it).
// Writing refuses to replace an existing file.
[[nodiscard]] Result<void> WriteKeyFile(const std::string& path, const SignerKey& key);
// Refuses a key file that group or others may read, saying how to fix it.
[[nodiscard]] Result<SignerKey> ReadKeyFile(const std::string& path);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // without the 4-byte key id
};

// A signed note: text (ending in a newline), then a blank line, then signature lines
// "— <name> <base64(key id || signature)>".
struct SignedNote {
  std::string text;
  std::vector<NoteSignature> signatures;
};

inline constexpr size_t kMaxNoteSize = 1 << 20;
inline constexpr size_t kMaxNoteLine = 8192;  // bytes per line, newline excluded
inline constexpr size_t kMaxNoteSignatures = 100;

// Strict parser; never crashes on any input. The error names the rule that was broken.
[[nodiscard]] Result<SignedNote> ParseSignedNote(std::string_view note);
// The note's text form.
std::string FormatSignedNote(const SignedNote& note);
// Signs `text` (must end in a newline) and returns the note with that one signature.
[[nodiscard]] Result<std::string> SignNote(std::string_view text, const SignerKey& key);
// The standard rules: signatures by unknown keys are ignored; a signature by a known key
// (same name and key id) that fails verification rejects the note; at least one known key
// must have signed. Returns the names of the keys that verified. Only note keys (KeyType::kNote)
// count here; cosignatures are checked with vellum/witness.h.
[[nodiscard]] Result<std::vector<std::string>> VerifyNote(const SignedNote& note,
                                                          std::span<const VerifierKey> known);

// C2SP tlog-checkpoint body: origin, size, base64 root, then optional extension lines.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
};
inline constexpr size_t kMaxOriginSize = 1024;
// An origin a checkpoint can carry: non-empty, printable UTF-8 (no control characters, so no
// line breaks), at most kMaxOriginSize bytes. The error says what is wrong.
[[nodiscard]] Result<void> CheckOrigin(std::string_view origin);
std::string CheckpointBody(const Checkpoint& checkpoint);
[[nodiscard]] Result<Checkpoint> ParseCheckpointBody(std::string_view text);
// Parses a signed checkpoint note, verifies it against `known` and parses its body.
[[nodiscard]] Result<Checkpoint> OpenCheckpoint(std::string_view note,
                                                std::span<const VerifierKey> known);

}  // namespace vellum

#endif  // VELLUM_CHECKPOINT_H_
