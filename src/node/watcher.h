// The node's background work: following an upstream (mirror mode) and checking peers'
// checkpoints against our own history, recording fork evidence. One thread, polling on an
// interval, backing off while the upstream fails. Thread-safe.
#ifndef VELLUM_NODE_WATCHER_H_
#define VELLUM_NODE_WATCHER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/compare.h"
#include "node/event_log.h"
#include "node/ledger_view.h"
#include "node/network.h"

namespace vellum::node {

// What this node last found out about a peer.
enum class PeerStatus {
  kNotChecked,
  kInSync,
  kAhead,         // the peer is ahead of this node by `count` entries
  kBehind,        // the peer is behind by `count` entries
  kForked,        // the histories differ first at entry `count`
  kUnreachable,   // no answer, or not in time
  kBadSignature,  // its checkpoint did not verify with the peer keys
  kRefused,       // it contradicted itself (a proof or a subtree hash did not check out)
};

struct PeerReport {
  std::string url = {};
  PeerStatus state = PeerStatus::kNotChecked;
  uint64_t count = 0;  // entries ahead or behind, or the fork index
  uint64_t size = 0;
  std::string detail = {};
  uint64_t checks = 0;  // checks of this peer completed since the node started
  // kForked: the peer's entry at the fork index, proven against its signed checkpoint.
  std::optional<Entry> fork_entry = std::nullopt;
};

// The state as the API, metrics and event log show it: "in sync", "behind by 3",
// "forked at 7", "unreachable", "bad signature", "refused", "not checked yet".
std::string PeerStateText(const PeerReport& report);

class Watcher {
 public:
  // `upstream` may be empty (no mirroring); its checkpoints must verify with `upstream_key`
  // alone (the ledger's own verifier key), peers' with one of `peer_keys`. URLs must be
  // valid (SplitNodeUrl). REQUIRES: `ledger` outlives this object.
  // `our_checkpoint` returns this node's newest signed checkpoint (for fork evidence).
  // Each request to the upstream or a peer must finish within `request_deadline_ms`; Stop()
  // interrupts one in progress.
  Watcher(Ledger& ledger, std::string upstream, std::optional<VerifierKey> upstream_key,
          std::vector<std::string> peers, std::vector<VerifierKey> peer_keys, int interval_ms,
          int request_deadline_ms, std::function<Result<std::string>()> our_checkpoint,
          EventLog& log, std::shared_ptr<const Policy> upstream_policy = nullptr);
  ~Watcher();  // stops and joins

  std::vector<PeerReport> Peers() const;
  // The network analysis (NetworkJson) of this node ("self") and its peers as of the last
  // round of checks; before the first, the peers are "not checked yet".
  nlohmann::json Network() const;
  // "in sync at N", "refused or failed: <why>", or "" before the first round.
  std::string UpstreamState() const;
  void Stop();

 private:
  void Run();
  // One check of the upstream and the peers.
  void Round();
  void SyncOnce();
  // Checks peer `i` (keeping fork evidence) and logs a change of its state.
  PeerReport CheckPeer(size_t i);
  // Fork evidence for a fork found by `c` with `peer`, proven and kept in the ledger; the
  // error says why none could be kept.
  [[nodiscard]] Result<void> KeepEvidence(LedgerView& peer, const Comparison& c);

  Ledger& ledger_;
  const std::string upstream_url_;
  std::vector<VerifierKey> peer_keys_;
  const int interval_ms_;
  std::function<Result<std::string>()> our_checkpoint_;
  EventLog& log_;
  std::unique_ptr<LedgerView> upstream_;
  std::vector<std::unique_ptr<LedgerView>> peer_views_;
  std::set<std::pair<std::string, uint64_t>> evidence_kept_;  // (peer, fork index); thread_ only
  std::atomic<bool> cancel_{false};  // set by Stop: interrupts a request in progress

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int failures_ = 0;
  // The last round with the upstream: copied up to `upstream_size_`, or refused and why.
  bool upstream_synced_ = false;
  uint64_t upstream_size_ = 0;
  std::optional<std::string> upstream_refusal_;
  std::vector<PeerReport> peers_;
  nlohmann::json network_;
  std::thread thread_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_WATCHER_H_
