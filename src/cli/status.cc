// vellum status URL|LEDGER [--json]: a node's status (size, root, checkpoint, upstream, peers'
// states, fork evidence), or a ledger file's.
#include <httplib.h>

#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct StatusArgs {
  std::string target;
  bool json = false;
};

Result<nlohmann::json> FileStatus(const std::string& path) {
  auto ledger = OpenLedger(path, true);
  if (!ledger) return std::unexpected(ledger.error());
  auto head = (*ledger)->GetHead();
  if (!head) return std::unexpected(head.error());
  auto forks = (*ledger)->ListForkEvidence();
  if (!forks) return std::unexpected(forks.error());
  nlohmann::json evidence = nlohmann::json::array();
  for (const ForkEvidence& f : *forks) {
    evidence.push_back({{"peer", f.peer}, {"fork_index", f.fork_index}});
  }
  return nlohmann::json{{"origin", (*ledger)->origin()}, {"size", head->size},
                        {"root", ToHex(head->root)}, {"verifier_key", (*ledger)->verifier_key()},
                        {"fork_evidence", evidence.size()}, {"forks", evidence}};
}

Result<nlohmann::json> NodeStatus(const std::string& url) {
  httplib::Client client(url);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  auto res = client.Get("/v1/status");
  if (!res) return Fail(ErrorCode::kUnavailable, url + " is unreachable");
  auto doc = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || !doc.is_object()) {
    return Fail(ErrorCode::kUnavailable, url + " answered " + std::to_string(res->status));
  }
  return doc;
}

int RunStatus(const StatusArgs& args) {
  const bool remote = args.target.starts_with("http://") || args.target.starts_with("https://");
  auto status = remote ? NodeStatus(args.target) : FileStatus(args.target);
  if (!status) return ReportError(status.error());
  if (args.json) {
    PrintJson(*status);
    return kExitOk;
  }
  const auto& s = *status;
  std::cout << s.value("origin", "") << ": " << s.value("size", uint64_t{0}) << " entries, root "
            << s.value("root", "") << "\n";
  if (s.contains("upstream") && s["upstream"].is_object()) {
    std::cout << "upstream " << s["upstream"].value("url", "") << ": "
              << s["upstream"].value("state", "") << "\n";
  }
  if (s.contains("peers")) {
    for (const auto& p : s["peers"]) {
      std::cout << "peer " << p.value("url", "") << ": " << p.value("state", "") << "\n";
    }
  }
  std::cout << "fork evidence: " << s.value("fork_evidence", 0) << "\n";
  return kExitOk;
}

}  // namespace

void AddStatus(CLI::App& app, Action& action) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show a node's or a ledger's status and peers");
  cmd->add_option("target", args->target, "Node URL or ledger file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunStatus(*args); }; });
}

}  // namespace vellum::cli
