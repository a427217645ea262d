// C2SP signed-note: strict parsing, formatting, signing and verification.
#include <algorithm>
#include <string>

#include "common/coding.h"
#include "common/utf8.h"
#include "vellum/checkpoint.h"

namespace vellum {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space

std::unexpected<Error> MalformedNote(const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument, "malformed signed note: " + why);
}

// Valid UTF-8 with no control characters (C0, DEL, C1) other than newline.
bool IsCleanText(std::string_view s) {
  return AllCodePoints(s, [](uint32_t cp) {
    return cp == '\n' || (cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp >= 0xa0));
  });
}

bool IsValidSignerName(std::string_view name) {
  return !name.empty() && name.find_first_of(" +\n") == std::string_view::npos;
}

[[nodiscard]] Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSigPrefix)) {
    return MalformedNote("signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return MalformedNote("signature line has no signature");
  NoteSignature sig;
  sig.name = std::string(line.substr(0, space));
  if (!IsValidSignerName(sig.name)) return MalformedNote("invalid key name in signature line");
  auto raw = Base64Decode(line.substr(space + 1));
  if (!raw) return MalformedNote("signature is not canonical base64");
  if (raw->size() < 5) return MalformedNote("signature is too short");
  sig.key_id = LoadBigEndian<uint32_t>(raw->data());
  sig.signature.assign(raw->begin() + 4, raw->end());
  return sig;
}

}  // namespace

Result<SignedNote> ParseSignedNote(std::string_view note) {
  if (note.size() > kMaxNoteSize) return MalformedNote("longer than 1 MiB");
  if (note.find("\r\n") != std::string_view::npos) {
    return MalformedNote("its lines end in CR LF; a signed note's lines end in LF alone");
  }
  if (!IsCleanText(note)) return MalformedNote("not UTF-8 text without control characters");

  for (size_t start = 0; start < note.size();) {
    const size_t nl = std::min(note.find('\n', start), note.size());
    if (nl - start > kMaxNoteLine) return MalformedNote("a line is longer than 8192 bytes");
    start = nl + 1;
  }
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return MalformedNote("no blank line before the signatures");
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n')
    return MalformedNote("signatures must end with a newline");
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    auto sig = ParseSignatureLine(sigs.substr(0, nl));
    if (!sig) return std::unexpected(sig.error());
    if (out.signatures.size() == kMaxNoteSignatures)
      return MalformedNote("more than 100 signatures");
    out.signatures.push_back(std::move(*sig));
    sigs.remove_prefix(nl + 1);
  }
  return out;
}

std::string FormatSignedNote(const SignedNote& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& sig : note.signatures) {
    Bytes raw;
    AppendBigEndian(raw, sig.key_id);
    raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
    out += std::string(kSigPrefix) + sig.name + " " + Base64Encode(raw) + "\n";
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, const SignerKey& key) {
  if (text.empty() || text.back() != '\n' || !IsCleanText(text) ||
      text.find("\n\n") != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "note text must be UTF-8 lines, each ending in a newline, none empty");
  }
  auto sig = key.Sign(text);
  if (!sig) return std::unexpected(sig.error());
  return FormatSignedNote({std::string(text), {{key.name(), key.key_id(), std::move(*sig)}}});
}

Result<std::vector<std::string>> VerifyNote(const SignedNote& note,
                                            std::span<const VerifierKey> known) {
  std::vector<std::string> verified;
  for (const NoteSignature& sig : note.signatures) {
    auto key = std::find_if(known.begin(), known.end(), [&](const VerifierKey& k) {
      return k.type() == KeyType::kNote && k.name() == sig.name && k.key_id() == sig.key_id;
    });
    if (key == known.end()) continue;  // unknown signer: ignored
    if (auto ok = key->Verify(note.text, sig.signature); !ok) {
      // A byte-order mark is legal text, but no signer puts one there: an editor did.
      const bool bom = StartsWithByteOrderMark(note.text);
      return Fail(ErrorCode::kVerificationFailed,
                  "signature by known key " + sig.name +
                      " does not verify: the note was altered or forged" +
                      (bom ? " (it starts with a byte-order mark, U+FEFF, that an editor may "
                             "have added)"
                           : ""));
    }
    verified.push_back(sig.name);
  }
  if (verified.empty()) {
    return Fail(ErrorCode::kVerificationFailed, "no signature by any of the given keys");
  }
  return verified;
}

}  // namespace vellum
