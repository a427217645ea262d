// Private key files: mode 0600, created exclusively, checked on every read.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "vellum/checkpoint.h"

namespace vellum {

Result<void> WriteKeyFile(const std::string& path, const SignerKey& key) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(errno == EEXIST ? ErrorCode::kConflict : ErrorCode::kIoError,
                "cannot create key file " + path + ": " + std::strerror(errno));
  }
  const std::string text = key.ToString() + "\n";
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return Fail(ErrorCode::kIoError, "cannot write key file " + path);
  }
  return {};
}

Result<SignerKey> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                "cannot open key file " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorCode::kInvalidArgument, "key file " + path + " is readable by others (mode " +
                                                 mode + "); fix it with: chmod 600 " + path);
  }
  std::string text(4096, '\0');
  const ssize_t n = read(fd, text.data(), text.size());
  close(fd);
  if (n < 0) return Fail(ErrorCode::kIoError, "cannot read key file " + path);
  text.resize(static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto key = SignerKey::Parse(text);
  if (!key) return Fail(ErrorCode::kInvalidArgument, path + ": " + key.error().message());
  return key;
}

}  // namespace vellum
