// Files that only their owner may read (signing keys, write tokens): created exclusively with
// mode 0600 and synced; on reading, refused unless they are regular files that group and
// others cannot read, each refusal saying how to fix it.
#ifndef VELLUM_COMMON_PRIVATE_FILE_H_
#define VELLUM_COMMON_PRIVATE_FILE_H_

#include <string>
#include <string_view>

#include "vellum/error.h"

namespace vellum {

// Creates `path` with `text`; kConflict if it exists. `what` names the file in errors
// ("key file"). Nothing is left behind on failure.
[[nodiscard]] Result<void> WritePrivateFile(const std::string& path, std::string_view text,
                                            std::string_view what);
// Reads at most `max_bytes` of `path`, trailing line breaks dropped. kNotFound if it is missing.
[[nodiscard]] Result<std::string> ReadPrivateFile(const std::string& path, std::string_view what,
                                                  size_t max_bytes = 1 << 16);

}  // namespace vellum

#endif  // VELLUM_COMMON_PRIVATE_FILE_H_
