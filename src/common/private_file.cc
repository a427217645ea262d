#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vellum {

Result<void> WritePrivateFile(const std::string& path, std::string_view text,
                              std::string_view what) {
  const std::string name = std::string(what) + " " + path;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(errno == EEXIST ? ErrorCode::kConflict : ErrorCode::kIoError,
                "cannot create " + name + ": " + std::strerror(errno));
  }
  const bool ok =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return Fail(ErrorCode::kIoError, "cannot write " + name);
  }
  return {};
}

Result<std::string> ReadPrivateFile(const std::string& path, std::string_view what,
                                    size_t max_bytes) {
  const std::string name = std::string(what) + " " + path;
  // O_NONBLOCK: a FIFO without a writer is refused below instead of waited on (it changes
  // nothing for a regular file).
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                "cannot open " + name + ": " + std::strerror(errno));
  }
  Result<std::string> out = [&]() -> Result<std::string> {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::kInvalidArgument, name + " is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return Fail(ErrorCode::kInvalidArgument, name + " is readable by others (mode " + mode +
                                                   "); fix it with: chmod 600 " + path);
    }
    std::string text;
    char buf[4096];
    ssize_t n;
    while (text.size() <= max_bytes && (n = read(fd, buf, sizeof(buf))) > 0) {
      text.append(buf, static_cast<size_t>(n));
    }
    if (n < 0)
      return Fail(ErrorCode::kIoError, "cannot read " + name + ": " + std::strerror(errno));
    if (text.size() > max_bytes) {
      return Fail(ErrorCode::kInvalidArgument,
                  name + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }();
  close(fd);
  return out;
}

}  // namespace vellum
