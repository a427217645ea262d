// `vellum serve --dir DIR`: every ledger in a folder, on one port and in one process, each under
// its own URL prefix /<name>/ (its file name without ".db"), with its own group commit, key
// (NAME.db.key) and token (NAME.db.token, made if missing), answering exactly as `vellum serve
// NAME.db` would alone. GET /v1/ledgers lists them. Ledger files added to the folder are found
// while serving (the folder is looked at every rescan interval), and files removed, renamed or
// replaced are noticed then too; one that cannot be served (a mirror, a missing key, a damaged
// file) is skipped with one event line saying why.
#ifndef VELLUM_NODE_NODE_SET_H_
#define VELLUM_NODE_NODE_SET_H_

#include <memory>
#include <string>

#include "node/node.h"

namespace vellum::node {

struct NodeSetOptions {
  std::string dir;
  // Listening address, limits, TLS, checkpoint interval and event log, for every ledger; each
  // ledger's token is its own.
  ServeOptions serve;
  int rescan_interval_ms = 1000;
};

class NodeSet {
 public:
  // Serves the ledgers the folder holds now (none is fine); kNotFound if it is not a folder.
  [[nodiscard]] static Result<std::unique_ptr<NodeSet>> Create(NodeSetOptions options);
  ~NodeSet();

  [[nodiscard]] Result<int> Bind();
  // Serves until Stop(); in-flight requests finish first.
  void Run();
  // Safe from any thread.
  void Stop();
  EventLog& log();
  // The names served now.
  std::vector<std::string> Names() const;

  struct Impl;

 private:
  explicit NodeSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A ledger file's name in a NodeSet's URLs ("audit" for "audit.db"), or "" when the file is not
// served: not ending in ".db", or a name that is not letters, digits, '.', '_' and '-' (not
// starting with '.'), or "v1".
std::string LedgerNameOf(const std::string& file_name);

}  // namespace vellum::node

#endif  // VELLUM_NODE_NODE_SET_H_
