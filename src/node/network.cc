#include "node/network.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "node/compare.h"
#include "node/ledger_view.h"

namespace vellum::node {

namespace {

// One name per ledger for a file or node URL: a URL up to its trailing slashes and the case of
// its scheme and host; an existing file by its device and inode (however it is linked or
// named); any other file by its path made absolute.
std::string LedgerIdentity(const std::string& peer) {
  if (IsNodeUrl(peer)) {
    auto url = SplitNodeUrl(peer);
    if (!url) return "url " + peer;
    for (char& c : url->base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "url " + url->base + url->prefix;
  }
  if (struct stat st; ::stat(peer.c_str(), &st) == 0) {
    return "file " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  std::error_code ec;
  const auto path = std::filesystem::weakly_canonical(peer, ec);
  return "path " + (ec ? peer : path.string());
}

// Sync groups: peers with identical (size, root), largest group first; the share in the largest
// decides health.
void GroupBySyncState(NetworkReport& report) {
  std::map<std::pair<uint64_t, std::string>, std::vector<size_t>> groups;
  for (size_t i = 0; i < report.peers.size(); ++i) {
    const auto& h = report.peers[i].head;
    if (h) groups[{h->size, ToHex(h->root)}].push_back(i);
  }
  for (auto& [key, members] : groups) report.sync_groups.push_back(members);
  std::sort(report.sync_groups.begin(), report.sync_groups.end(),
            [](const auto& x, const auto& y) { return x.size() > y.size(); });
  report.synced = report.sync_groups.empty() ? 0 : report.sync_groups[0].size();
  report.sync_percentage = report.peers.empty() ? 0
                                                : 100.0 * static_cast<double>(report.synced) /
                                                      static_cast<double>(report.peers.size());
  report.healthy = report.sync_percentage >= kHealthyPercentage;
}

// Lineages: longest histories first; each peer joins the first lineage whose tip it is a
// prefix of, or starts a new one. A comparison that fails for the shorter peer's answer leaves
// that peer out; one that fails for the tip's (a longer history it cannot prove, such as a
// signed size it holds no tree for) leaves the tip out instead, and the lineage's next member,
// proven a prefix of the same tree, becomes its tip.
void GroupByLineage(NetworkReport& report, std::vector<std::unique_ptr<LedgerView>>& views) {
  std::vector<size_t> order;
  for (size_t i = 0; i < report.peers.size(); ++i) {
    if (report.peers[i].head) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return report.peers[x].head->size > report.peers[y].head->size;
  });
  auto& lineages = report.lineages;
  for (size_t i : order) {
    PeerState& peer = report.peers[i];
    bool placed = false;
    for (size_t l = 0; l < lineages.size() && !placed && peer.problem.empty();) {
      const size_t tip = lineages[l][0];
      const LedgerView* failed = nullptr;
      auto c = Compare(*views[tip], *views[i], &failed);
      if (!c && failed == views[tip].get()) {
        report.peers[tip].problem = c.error().message();
        report.peers[tip].refuted = c.error().code() == ErrorCode::kVerificationFailed;
        lineages[l].erase(lineages[l].begin());
        if (lineages[l].empty()) lineages.erase(lineages.begin() + static_cast<ptrdiff_t>(l));
        continue;  // the same lineage again, under its next tip
      }
      if (!c) {
        peer.problem = c.error().message();
        peer.refuted = c.error().code() == ErrorCode::kVerificationFailed;
      } else if (c->relation == Comparison::Relation::kForked) {
        ++l;
      } else {
        lineages[l].push_back(i);
        placed = true;
      }
    }
    if (!placed && peer.problem.empty()) lineages.push_back({i});
  }
  for (size_t l = 0; l < lineages.size(); ++l) {
    const uint64_t tip_size = report.peers[lineages[l][0]].head->size;
    for (size_t i : lineages[l]) {
      report.peers[i].lineage = static_cast<int>(l);
      report.peers[i].lag = tip_size - report.peers[i].head->size;
    }
  }
}

// Forks: between every two lineage tips.
void FindForks(NetworkReport& report, std::vector<std::unique_ptr<LedgerView>>& views) {
  for (size_t x = 0; x < report.lineages.size(); ++x) {
    for (size_t y = x + 1; y < report.lineages.size(); ++y) {
      const size_t a = report.lineages[x][0], b = report.lineages[y][0];
      auto c = Compare(*views[a], *views[b]);
      if (c && c->fork_index) {
        report.forks.push_back({report.peers[a].name, report.peers[b].name, *c->fork_index});
      }
    }
  }
}

}  // namespace

NetworkReport AnalyzeNetwork(std::vector<std::unique_ptr<LedgerView>>& views) {
  NetworkReport report;
  for (auto& view : views) {
    PeerState peer{view->name(), std::nullopt, "", false, -1, 0};
    auto head = view->Head();
    if (head) {
      peer.head = *head;
    } else {
      peer.problem = head.error().message();
      peer.refuted = head.error().code() == ErrorCode::kVerificationFailed;
    }
    report.peers.push_back(std::move(peer));
  }
  GroupBySyncState(report);
  GroupByLineage(report, views);
  FindForks(report, views);
  return report;
}

nlohmann::json NetworkJson(const NetworkReport& report) {
  auto names = [&](const std::vector<size_t>& members) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i : members) list.push_back(report.peers[i].name);
    return list;
  };
  nlohmann::json peers = nlohmann::json::array();
  for (const PeerState& p : report.peers) {
    nlohmann::json j = {{"peer", p.name}, {"reachable", p.head.has_value()}};
    if (p.head) {
      j["size"] = p.head->size;
      j["root"] = ToHex(p.head->root);
      j["signature_checked"] = p.head->signature_checked;
    }
    if (p.lineage >= 0) {
      j["lineage"] = p.lineage;
      j["lag"] = p.lag;
    }
    if (!p.problem.empty()) j["problem"] = p.problem;
    peers.push_back(j);
  }
  nlohmann::json groups = nlohmann::json::array(), lineages = nlohmann::json::array(),
                 forks = nlohmann::json::array();
  for (const auto& g : report.sync_groups) groups.push_back(names(g));
  for (const auto& l : report.lineages) lineages.push_back(names(l));
  for (const Fork& f : report.forks)
    forks.push_back({{"a", f.a}, {"b", f.b}, {"fork_index", f.index}});
  return {{"total_nodes", report.peers.size()},
          {"synced_nodes", report.synced},
          {"sync_percentage", report.sync_percentage},
          {"healthy", report.healthy},
          {"sync_groups", groups},
          {"lineages", lineages},
          {"forks", forks},
          {"peers", peers}};
}

Result<void> RefuseRepeatedPeers(const std::vector<std::string>& peers) {
  std::map<std::string, const std::string*> seen;
  for (const std::string& peer : peers) {
    auto [it, added] = seen.emplace(LedgerIdentity(peer), &peer);
    if (added) continue;
    const std::string& first = *it->second;
    return Fail(ErrorCode::kInvalidArgument,
                (first == peer ? peer + " is listed twice"
                               : first + " and " + peer + " are the same ledger") +
                    "; give each peer once (it would count twice in the sync percentage)");
  }
  return {};
}

}  // namespace vellum::node
