// vellum network PEER... [--vkey KEY]...: sync groups, health, lineages, lags and forks of a set
// of ledgers (files or node URLs).
#include "node/network.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/cli.h"
#include "common/printable.h"

namespace vellum::cli {
namespace {

struct NetworkArgs {
  std::vector<std::string> peers, vkeys;
  bool json = false;
  int timeout = 30;
};

// Names and problems hold what peers said (a redirect's target, an error's text): printed with
// their control characters escaped.
void PrintTable(const node::NetworkReport& r) {
  std::printf("%-36s %10s  %-16s %7s  %s\n", "peer", "size", "root", "lineage", "state");
  for (const node::PeerState& p : r.peers) {
    const std::string name = Printable(p.name), problem = Printable(p.problem);
    if (!p.head) {
      std::printf("%-36s %10s  %-16s %7s  unreachable: %s\n", name.c_str(), "-", "-", "-",
                  problem.c_str());
      continue;
    }
    const std::string state = p.lineage < 0 ? "error: " + problem
                              : p.lag == 0  ? "longest history"
                                            : "behind by " + std::to_string(p.lag);
    std::printf("%-36s %10llu  %-16s %7d  %s\n", name.c_str(),
                static_cast<unsigned long long>(p.head->size),
                ToHex(p.head->root).substr(0, 16).c_str(), p.lineage, state.c_str());
  }
  std::printf("\nsync groups: %zu   synced: %zu of %zu (%.1f%%)   network %s\n",
              r.sync_groups.size(), r.synced, r.peers.size(), r.sync_percentage,
              r.healthy ? "healthy" : "NOT healthy (under 80% in sync)");
  std::printf("lineages: %zu\n", r.lineages.size());
  for (const node::Fork& f : r.forks) {
    std::printf("fork: %s and %s differ from index %llu\n", Printable(f.a).c_str(),
                Printable(f.b).c_str(), static_cast<unsigned long long>(f.index));
  }
}

int RunNetwork(const NetworkArgs& args) {
  std::vector<VerifierKey> keys;
  if (!args.vkeys.empty()) {
    auto parsed = ParseVerifierKeys(args.vkeys);
    if (!parsed) return ReportUsage(parsed.error().message());
    keys = std::move(*parsed);
  }
  if (auto ok = node::RefuseRepeatedPeers(args.peers); !ok)
    return ReportUsage(ok.error().message());
  std::vector<std::unique_ptr<node::LedgerView>> views;
  for (const std::string& peer : args.peers) {
    auto view = node::OpenView(peer, node::IsNodeUrl(peer) ? keys : std::vector<VerifierKey>{},
                               {.deadline_ms = args.timeout * 1000});
    if (!view) return ReportError(view.error());
    views.push_back(std::move(*view));
  }
  const node::NetworkReport report = node::AnalyzeNetwork(views);
  if (keys.empty() && !args.json) {
    std::cerr << "vellum: note: no --vkey was given, so no node's checkpoint was signature-"
                 "checked; this analyses what the nodes say, not what their key signed\n";
  }
  if (args.json) {
    PrintJson(node::NetworkJson(report));
  } else {
    PrintTable(report);
  }
  // A fork, or a peer caught in a false statement (a bad signature, a proof that does not
  // verify): exit 3, as `compare` does. Peers merely unreachable are the table's business.
  const bool refuted = std::any_of(report.peers.begin(), report.peers.end(),
                                   [](const node::PeerState& p) { return p.refuted; });
  return report.forks.empty() && !refuted ? kExitOk : kExitFailed;
}

}  // namespace

void AddNetwork(CLI::App& app, Action& action) {
  auto args = std::make_shared<NetworkArgs>();
  CLI::App* cmd = app.add_subcommand("network", "Analyse a network of ledgers (files or URLs)");
  cmd->add_option("peers", args->peers, "Ledger files or http(s):// node URLs")->required();
  cmd->add_option("--vkey", args->vkeys, "Verify nodes' checkpoints with this key (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", args->timeout,
                  "Seconds each request to a node may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunNetwork(*args); }; });
}

}  // namespace vellum::cli
