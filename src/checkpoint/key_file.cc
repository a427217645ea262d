// Private key files: mode 0600, created exclusively, checked on every read (common/private_file.h).
#include <string>

#include "common/private_file.h"
#include "common/utf8.h"
#include "vellum/checkpoint.h"

namespace vellum {

Result<void> WriteKeyFile(const std::string& path, const SignerKey& key) {
  return WritePrivateFile(path, key.ToString() + "\n", "key file");
}

Result<SignerKey> ReadKeyFile(const std::string& path) {
  auto text = ReadPrivateFile(path, "key file", 4096);
  if (!text) return std::unexpected(text.error());
  auto key = SignerKey::Parse(*text);
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument,
                path + ": " + key.error().message() +
                    (StartsWithByteOrderMark(*text)
                         ? " (it starts with a byte-order mark, U+FEFF, that an editor may have "
                           "added: remove it)"
                         : ""));
  }
  return key;
}

}  // namespace vellum
