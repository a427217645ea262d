// A ledger seen from outside: a local file or a node's URL. Compare and network analysis work on
// views, so they treat files and peers alike and count what talking to a peer cost.
// Not thread-safe.
#ifndef VELLUM_NODE_LEDGER_VIEW_H_
#define VELLUM_NODE_LEDGER_VIEW_H_

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"
#include "vellum/witness.h"

namespace vellum::node {

// GET /v1/subtrees answers at most this many subtree hashes per request: one tile's worth.
inline constexpr size_t kMaxSubtreesPerRequest = kTileWidth;

struct ViewHead {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  bool signature_checked = false;  // the head came from a checkpoint verified with a given key
};

class LedgerView {
 public:
  virtual ~LedgerView() = default;
  const std::string& name() const { return name_; }
  [[nodiscard]] virtual Result<ViewHead> Head() = 0;
  // Perfect-subtree hashes, in the order asked (at most kMaxSubtreesPerRequest ids).
  [[nodiscard]] virtual Result<std::vector<Hash>> SubtreeHashes(
      std::span<const merkle::NodeId> ids) = 0;
  [[nodiscard]] virtual Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size,
                                                                   uint64_t new_size) = 0;
  [[nodiscard]] virtual Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) = 0;
  // The entry at `index`; its leaf hash is computed here from its bytes, never taken on trust.
  [[nodiscard]] virtual Result<Entry> Get(uint64_t index) = 0;
  // The exact entry bytes (what is hashed) of entries [begin, end), within one entry bundle
  // (kTileWidth entries).
  [[nodiscard]] virtual Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) = 0;
  // The entry format the side says it has. Not signed: a remote side's answer is a claim.
  // kNotFound when the side does not say (a log that serves only tlog-tiles).
  [[nodiscard]] virtual Result<EntryFormat> Format() = 0;
  // The signed checkpoint note behind Head() ("" for a local file).
  virtual std::string CheckpointNote() const { return ""; }

  // True when the last Head() failed because the checkpoint did not verify (a bad signature,
  // an unknown key, a malformed note), as opposed to the side being unreachable.
  bool checkpoint_refused() const { return checkpoint_refused_; }

  // Requests sent and response bytes received (0 for a local file).
  uint64_t round_trips() const { return round_trips_; }
  uint64_t bytes_received() const { return bytes_; }
  // Counts what other views did on this one's behalf (Another()'s).
  void AddCost(const LedgerView& other) {
    round_trips_ += other.round_trips_;
    bytes_ += other.bytes_;
  }

  // A second view of the same side, for another thread (each view is single-threaded): with
  // the same keys and options and the tree size of this one's last Head(); `cancel` stops its
  // requests, as does this view's own flag. nullptr where one view is all there is to have (a
  // local file).
  virtual std::unique_ptr<LedgerView> Another(const std::atomic<bool>* cancel) const {
    (void)cancel;
    return nullptr;
  }

 protected:
  explicit LedgerView(std::string name) : name_(std::move(name)) {}
  std::string name_;
  uint64_t round_trips_ = 0;
  uint64_t bytes_ = 0;
  bool checkpoint_refused_ = false;
};

// A node URL split into what the HTTP client connects to ("http://host:port") and the path
// prefix its requests start with ("" or "/logs/a", never a trailing slash).
struct NodeUrl {
  std::string base, prefix;
};
// kInvalidArgument unless `url` is http:// or https:// with a host.
[[nodiscard]] Result<NodeUrl> SplitNodeUrl(const std::string& url);
// The URL this machine reaches a node at that listens on `host` (as --listen gives it: an IPv6
// address in brackets) and `port`. A node listening on every interface (0.0.0.0, [::]) is
// reached at the loopback address: "http://0.0.0.0:8001" names no host to connect to.
std::string LocalUrl(bool tls, const std::string& host, int port);
// Whether `host` (as --listen gives it) is every interface: 0.0.0.0 or [::].
inline bool IsEveryInterface(const std::string& host) {
  return host == "0.0.0.0" || host == "[::]";
}
inline bool IsNodeUrl(const std::string& s) {
  return s.starts_with("http://") || s.starts_with("https://");
}
// For a name given as a file or a node URL that is neither a URL nor an existing file: the error
// for one that looks like a mistyped URL ("ftp://...", or host:port without http://), naming
// what to give instead; nothing otherwise.
[[nodiscard]] Result<void> RefuseMistypedUrl(const std::string& file_or_url);

// How a remote view talks to its node: each request's deadline, and a flag that stops a
// request in progress (the watcher's, when the node stops).
struct RemoteOptions {
  int deadline_ms = 30000;
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* cancel_too = nullptr;  // a second owner's flag (LedgerView::Another)
  // How to show the entries of a log that does not say (a tiles-only one): raw when not given.
  std::optional<EntryFormat> format = std::nullopt;
  // When set, a checkpoint must also meet this policy (its logs, its quorum of witnesses'
  // cosignatures: vellum/witness.h) or Head() refuses it.
  std::shared_ptr<const Policy> policy = nullptr;
};

// A local file (read-only) or an http(s):// node URL (a path prefix and a trailing slash are
// fine). Heads of remote views come from the node's /checkpoint; with `keys`, its signature
// must verify with one of them. A URL may also be any C2SP tlog-tiles log (a static folder,
// another implementation): without vellum's /v1/ API, hashes, proofs and entries are read from
// its tiles and bundles (node/tile_reader.h). A mistyped URL gets RefuseMistypedUrl's error.
[[nodiscard]] Result<std::unique_ptr<LedgerView>> OpenView(const std::string& file_or_url,
                                                           std::vector<VerifierKey> keys,
                                                           RemoteOptions remote = {});

// GET /v1/status of the node at `url` (a JSON object), or an error naming the node. For a log
// that serves only tlog-tiles: {"origin", "size", "root", "checkpoint", "tiles_only": true}
// from its checkpoint, whose signature is not checked here.
[[nodiscard]] Result<nlohmann::json> FetchNodeStatus(const std::string& url,
                                                     RemoteOptions remote = {});

// A view of a ledger this process already has open. REQUIRES: `ledger` outlives the view.
std::unique_ptr<LedgerView> ViewOf(Ledger& ledger, std::string name);

}  // namespace vellum::node

#endif  // VELLUM_NODE_LEDGER_VIEW_H_
