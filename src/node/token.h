// Bearer tokens for a node's writes. Every node that takes writes has one: given in a file, or
// made at random beside the ledger (LEDGER.token, mode 0600) the first time it is served.
#ifndef VELLUM_NODE_TOKEN_H_
#define VELLUM_NODE_TOKEN_H_

#include <string>

#include "vellum/error.h"

namespace vellum::node {

inline constexpr size_t kMinTokenLength = 32;

// Where a ledger's token is made unless told otherwise: "<ledger>.token".
inline std::string DefaultTokenPath(const std::string& ledger) { return ledger + ".token"; }

struct Token {
  std::string value;
  std::string path;
  bool created = false;  // made now, at `path`
};

// Reads the token from `token_file` (trailing newlines dropped), or, when `token_file` is empty,
// from DefaultTokenPath(ledger), creating it with 32 random bytes in hex when it does not exist.
// Refuses a token shorter than kMinTokenLength, a file others may read, and a directory, each
// with an error that says how to fix it.
[[nodiscard]] Result<Token> LoadOrCreateToken(const std::string& ledger,
                                              const std::string& token_file);

// Compares a request's Authorization header with "Bearer <token>" in time that does not depend
// on where they differ.
bool TokenMatches(const std::string& token, const std::string& authorization);

}  // namespace vellum::node

#endif  // VELLUM_NODE_TOKEN_H_
