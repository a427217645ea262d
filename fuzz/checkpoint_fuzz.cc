// Signed notes and checkpoint bodies (C2SP signed-note, tlog-checkpoint).
// Properties: parsing never crashes; what parses formats back to the same note; the only note
// the published PeterNeumann key verifies is the one it signed; a checkpoint body that parses
// is in its one canonical form.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "vellum/checkpoint.h"

namespace {

// From C2SP signed-note (and Go's golang.org/x/mod/sumdb/note).
constexpr const char* kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr const char* kSignedText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";

bool SameSignatures(const vellum::SignedNote& a, const vellum::SignedNote& b) {
  if (a.signatures.size() != b.signatures.size()) return false;
  for (size_t i = 0; i < a.signatures.size(); ++i) {
    const auto &x = a.signatures[i], &y = b.signatures[i];
    if (x.name != y.name || x.key_id != y.key_id || x.signature != y.signature) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vellum::VerifierKey known = *vellum::VerifierKey::Parse(kVkey);
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto note = vellum::ParseSignedNote(input)) {
    const std::string text = vellum::FormatSignedNote(*note);
    auto again = vellum::ParseSignedNote(text);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->text == note->text);
    FUZZ_CHECK(SameSignatures(*note, *again));
    if (vellum::VerifyNote(*note, std::span(&known, 1))) FUZZ_CHECK(note->text == kSignedText);
    if (auto body = vellum::ParseCheckpointBody(note->text)) {
      FUZZ_CHECK(vellum::CheckpointBody(*body) == note->text);
    }
  }
  if (auto body = vellum::ParseCheckpointBody(input)) {
    FUZZ_CHECK(vellum::CheckpointBody(*body) == input);
  }
  (void)vellum::VerifierKey::Parse(input);
  return 0;
}
