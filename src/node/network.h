// Network analysis over many peers (files or node URLs): the original demonstration's sync
// groups, synced count, sync percentage and health, plus lineages (histories that are prefixes
// of one another), each peer's lag behind its lineage's longest history, and every fork with
// its first divergent index.
#ifndef VELLUM_NODE_NETWORK_H_
#define VELLUM_NODE_NETWORK_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "node/ledger_view.h"

namespace vellum::node {

struct PeerState {
  std::string name;
  std::optional<ViewHead> head;  // unset: unreachable or refused
  std::string problem;           // why there is no head, or no lineage
  bool refuted = false;          // the problem is a failed check: a bad signature, a false proof
  int lineage = -1;              // index into NetworkReport::lineages
  uint64_t lag = 0;              // entries behind the lineage's longest history
};

struct Fork {
  std::string a, b;  // the two lineage tips
  uint64_t index = 0;
};

struct NetworkReport {
  std::vector<PeerState> peers;
  std::vector<std::vector<size_t>> sync_groups;  // peers with the same size and root
  std::vector<std::vector<size_t>> lineages;     // longest history first in each
  std::vector<Fork> forks;
  size_t synced = 0;  // peers in the largest sync group
  double sync_percentage = 0;
  bool healthy = false;  // sync_percentage >= 80
};

inline constexpr double kHealthyPercentage = 80.0;

// Compares the peers' histories (O(log n) hashes per comparison). Unreachable peers count
// against the sync percentage.
NetworkReport AnalyzeNetwork(std::vector<std::unique_ptr<LedgerView>>& views);

nlohmann::json NetworkJson(const NetworkReport& report);

// kInvalidArgument naming both when two of `peers` (ledger files or node URLs) are one ledger:
// the same file (however named) or the same URL up to a trailing slash and the case of its
// scheme and host. Listed twice, a peer would count twice in the sync percentage.
[[nodiscard]] Result<void> RefuseRepeatedPeers(const std::vector<std::string>& peers);

}  // namespace vellum::node

#endif  // VELLUM_NODE_NETWORK_H_
