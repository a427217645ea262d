#include "node/token.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vellum/hash.h"

namespace vellum::node {
namespace {

Result<std::string> ReadTokenFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                "cannot open token file " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  std::string text;
  Result<std::string> out = [&]() -> Result<std::string> {
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::kInvalidArgument, "token file " + path + " is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
      return Fail(ErrorCode::kInvalidArgument, "token file " + path +
                                                   " is readable by others; fix it with: chmod "
                                                   "600 " + path);
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0 && text.size() < (1 << 16)) {
      text.append(buf, static_cast<size_t>(n));
    }
    if (n < 0) return Fail(ErrorCode::kIoError, "cannot read " + path + ": " + std::strerror(errno));
    return text;
  }();
  close(fd);
  return out;
}

Result<Token> CreateToken(const std::string& path) {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    return Fail(ErrorCode::kIoError, "cannot make a random token");
  }
  Token token{ToHex(std::span<const uint8_t>(random, sizeof(random))), path, true};
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kIoError, "cannot create token file " + path + ": " +
                                         std::strerror(errno));
  }
  const std::string line = token.value + "\n";
  const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return Fail(ErrorCode::kIoError, "cannot write token file " + path);
  }
  return token;
}

}  // namespace

Result<Token> LoadOrCreateToken(const std::string& ledger, const std::string& token_file) {
  const std::string path = token_file.empty() ? DefaultTokenPath(ledger) : token_file;
  auto text = ReadTokenFile(path);
  if (!text && text.error().code() == ErrorCode::kNotFound && token_file.empty()) {
    return CreateToken(path);
  }
  if (!text) return std::unexpected(text.error());
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
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
