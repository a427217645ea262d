// Ed25519 keys in the C2SP signed-note text formats, on OpenSSL.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <memory>
#include <string>

#include "common/coding.h"
#include "vellum/checkpoint.h"

namespace vellum {
namespace {

constexpr size_t kKeySize = 32;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

// Names are non-empty, valid UTF-8 without spaces or '+' (signed-note).
bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '+' || c == 0x7f) return false;
  }
  return true;
}

std::string HexId(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", id);
  return buf;
}

// Splits "a+b+c" at '+' into at most `max_fields` fields; the last keeps any further '+'
// (base64 text may contain '+').
std::vector<std::string_view> SplitPlus(std::string_view text, size_t max_fields) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t plus = text.find('+', start);
    if (plus == std::string_view::npos || out.size() + 1 == max_fields) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, plus - start));
    start = plus + 1;
  }
}

struct KeyFields {
  std::string name;
  uint32_t id = 0;
  KeyType type = KeyType::kNote;
  Bytes key;  // the public key or the seed
};

// Parses "<name>+<hex id>+<base64(type || 32 bytes)>"; the caller checks the id against the key.
[[nodiscard]] Result<KeyFields> ParseKeyFields(std::string_view name, std::string_view hex_id,
                                               std::string_view b64, const char* what) {
  if (!IsValidName(name)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": invalid key name");
  }
  auto id_bytes = FromHex(hex_id);
  if (hex_id.size() != 8 || !id_bytes) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": key id must be 8 hex digits");
  }
  const uint32_t id = LoadBigEndian<uint32_t>(id_bytes->data());
  auto key = Base64Decode(b64);
  if (!key) return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": bad base64 key");
  const uint8_t type = key->empty() ? 0 : (*key)[0];
  if (key->size() != 1 + kKeySize || (type != static_cast<uint8_t>(KeyType::kNote) &&
                                      type != static_cast<uint8_t>(KeyType::kCosignature))) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) +
                    ": not an Ed25519 key (want type 0x01 for notes or 0x04 for cosignatures, "
                    "then 32 bytes)");
  }
  return KeyFields{std::string(name), id, static_cast<KeyType>(type),
                   Bytes(key->begin() + 1, key->end())};
}

Bytes Encoded(KeyType type, const Bytes& key) {
  Bytes encoded = {static_cast<uint8_t>(type)};
  encoded.insert(encoded.end(), key.begin(), key.end());
  return encoded;
}

[[nodiscard]] Result<Bytes> PublicFromSeed(std::span<const uint8_t> seed) {
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  Bytes pub(kKeySize);
  size_t len = pub.size();
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != kKeySize) {
    return Fail(ErrorCode::kInvalidArgument, "not a valid Ed25519 private key");
  }
  return pub;
}

}  // namespace

uint32_t KeyId(std::string_view name, std::span<const uint8_t> public_key, KeyType type) {
  Bytes input(name.begin(), name.end());
  input.push_back('\n');
  input.push_back(static_cast<uint8_t>(type));
  input.insert(input.end(), public_key.begin(), public_key.end());
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  return LoadBigEndian<uint32_t>(digest);
}

Result<VerifierKey> VerifierKey::Parse(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  if (!text.empty() && (kSpace.find(text.front()) != std::string_view::npos ||
                        kSpace.find(text.back()) != std::string_view::npos)) {
    return Fail(ErrorCode::kInvalidArgument,
                "verifier key has a space or a line break at its start or end (copied with "
                "it?); give the key alone, <name>+<8 hex digits>+<base64 key>");
  }
  auto fields = SplitPlus(text, 3);
  if (fields.size() != 3) {
    return Fail(ErrorCode::kInvalidArgument,
                "verifier key must look like <name>+<8 hex digits>+<base64 key>");
  }
  auto parsed = ParseKeyFields(fields[0], fields[1], fields[2], "verifier key");
  if (!parsed) return std::unexpected(parsed.error());
  VerifierKey key;
  key.name_ = std::move(parsed->name);
  key.key_id_ = parsed->id;
  key.type_ = parsed->type;
  key.public_key_ = std::move(parsed->key);
  if (KeyId(key.name_, key.public_key_, key.type_) != key.key_id_) {
    return Fail(ErrorCode::kInvalidArgument, "verifier key: the key id does not match the key");
  }
  return key;
}

std::string VerifierKey::ToString() const {
  return name_ + "+" + HexId(key_id_) + "+" + Base64Encode(Encoded(type_, public_key_));
}

Result<void> VerifierKey::Verify(std::string_view message,
                                 std::span<const uint8_t> signature) const {
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_.data(),
                                        public_key_.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return Fail(ErrorCode::kVerificationFailed, "key " + name_ + " is not a usable Ed25519 key");
  }
  if (signature.size() != 64 ||
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    return Fail(ErrorCode::kVerificationFailed, "signature by " + name_ + " does not verify");
  }
  return {};
}

Result<SignerKey> SignerKey::Generate(std::string_view name, KeyType type) {
  if (!IsValidName(name)) {
    const char* why =
        name.empty() ? "it is empty" : "it may not hold spaces, '+' or control characters";
    const char* hint = type == KeyType::kCosignature
                           ? "a witness is named by a schema-less URL, e.g. example.com/witness"
                           : "a ledger's signing key is named after its origin, so choose an "
                             "origin like example.com/audit";
    return Fail(ErrorCode::kInvalidArgument,
                "key name '" + std::string(name) + "' is invalid: " + why + " (" + hint + ")");
  }
  Bytes seed(kKeySize);
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return Fail(ErrorCode::kIoError, "no randomness available to make a key");
  }
  auto pub = PublicFromSeed(seed);
  if (!pub) return std::unexpected(pub.error());
  return Parse("PRIVATE+KEY+" + std::string(name) + "+" + HexId(KeyId(name, *pub, type)) + "+" +
               Base64Encode(Encoded(type, seed)));
}

Result<SignerKey> SignerKey::Parse(std::string_view text) {
  auto fields = SplitPlus(text, 5);
  if (fields.size() != 5 || fields[0] != "PRIVATE" || fields[1] != "KEY") {
    return Fail(ErrorCode::kInvalidArgument,
                "private key must look like PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>");
  }
  auto parsed = ParseKeyFields(fields[2], fields[3], fields[4], "private key");
  if (!parsed) return std::unexpected(parsed.error());
  SignerKey key;
  auto pub = PublicFromSeed(parsed->key);
  if (!pub) return std::unexpected(pub.error());
  if (KeyId(parsed->name, *pub, parsed->type) != parsed->id) {
    return Fail(ErrorCode::kInvalidArgument, "private key: the key id does not match the key");
  }
  key.verifier_.name_ = std::move(parsed->name);
  key.verifier_.key_id_ = parsed->id;
  key.verifier_.type_ = parsed->type;
  key.verifier_.public_key_ = std::move(*pub);
  key.seed_ = std::move(parsed->key);
  return key;
}

std::string SignerKey::ToString() const {
  return "PRIVATE+KEY+" + name() + "+" + HexId(key_id()) + "+" +
         Base64Encode(Encoded(type(), seed_));
}

Result<Bytes> SignerKey::Sign(std::string_view message) const {
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), seed_.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  Bytes sig(64);
  size_t len = sig.size();
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != 64) {
    return Fail(ErrorCode::kIoError, "Ed25519 signing failed");
  }
  return sig;
}

}  // namespace vellum
