#include "node/token.h"

#include <openssl/rand.h>

#include "common/private_file.h"
#include "vellum/hash.h"

namespace vellum::node {
namespace {

[[nodiscard]] Result<Token> CreateToken(const std::string& path) {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    return Fail(ErrorCode::kIoError, "cannot make a random token");
  }
  Token token{ToHex(std::span<const uint8_t>(random, sizeof(random))), path, true};
  if (auto ok = WritePrivateFile(path, token.value + "\n", "token file"); !ok) {
    return std::unexpected(ok.error());
  }
  return token;
}

}  // namespace

Result<Token> LoadOrCreateToken(const std::string& ledger, const std::string& token_file) {
  const std::string path = token_file.empty() ? DefaultTokenPath(ledger) : token_file;
  auto text = ReadPrivateFile(path, "token file");
  if (!text && text.error().code() == ErrorCode::kNotFound && token_file.empty()) {
    auto created = CreateToken(path);
    // Another node on the same ledger may have made it first: then that one is the token.
    if (created || created.error().code() != ErrorCode::kConflict) return created;
    text = ReadPrivateFile(path, "token file");
  }
  if (!text) return std::unexpected(text.error());
  if (text->size() < kMinTokenLength) {
    return Fail(ErrorCode::kInvalidArgument,
                "the token in " + path + " is " + std::to_string(text->size()) +
                    " characters; a token needs at least " + std::to_string(kMinTokenLength) +
                    " (e.g. make one with: openssl rand -hex 32 > " + path + ")");
  }
  if (text->find_first_of(" \t\r\n") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "the token in " + path + " has spaces or line breaks");
  }
  return Token{*text, path, false};
}

bool TokenMatches(const std::string& token, const std::string& authorization) {
  const std::string want = "Bearer " + token;
  if (authorization.size() != want.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff |= static_cast<unsigned char>(authorization[i] ^ want[i]);
  }
  return diff == 0;
}

}  // namespace vellum::node
