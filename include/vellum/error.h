// Error values returned by every fallible vellum call. The core never throws on bad input or I/O
// failure: it returns Result<T>, a std::expected carrying either the value or an Error.
#ifndef VELLUM_ERROR_H_
#define VELLUM_ERROR_H_

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace vellum {

enum class ErrorCode {
  kNotFound,            // the thing asked for does not exist (index past the end, unknown hash)
  kInvalidArgument,     // the caller's input is malformed or out of range
  kCorruption,          // stored data contradicts itself (tampering, damaged file)
  kVerificationFailed,  // a proof, signature or peer statement did not check out
  kConflict,            // the request contradicts existing state (e.g. inconsistent checkpoint)
  kIoError,             // the file system or SQLite failed
  kUnavailable,         // a peer or resource could not be reached or is busy
  kNoSpace,             // the disk (or the file size limit) is full; nothing was written
};

// Returns a stable lower-case name for `code`, e.g. "verification failed".
std::string_view ErrorCodeName(ErrorCode code);

// An error code plus a message that names the thing that failed. Cheap to copy.
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", for logs and CLI output.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function that returns Result<T>.
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace vellum

#endif  // VELLUM_ERROR_H_
