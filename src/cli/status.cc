// vellum status URL|LEDGER [--vkey KEY]... [--json]: a node's status (size, root, checkpoint,
// upstream, peers' states, fork evidence), or a ledger file's. With --vkey, the node's signed
// checkpoint is checked too.
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "node/ledger_view.h"

namespace vellum::cli {
namespace {

struct StatusArgs {
  std::string target;
  std::vector<std::string> vkeys;
  bool json = false;
  int timeout = 30;
};

[[nodiscard]] Result<nlohmann::json> FileStatus(const std::string& path) {
  if (auto ok = node::RefuseMistypedUrl(path); !ok) return std::unexpected(ok.error());
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
  return nlohmann::json{
      {"origin", (*ledger)->origin()},    {"size", head->size},
      {"root", ToHex(head->root)},        {"verifier_key", (*ledger)->verifier_key()},
      {"fork_evidence", evidence.size()}, {"forks", evidence}};
}

// The node's checkpoint, verified with one of `keys`; kVerificationFailed when it does not.
[[nodiscard]] Result<node::ViewHead> SignedHead(const StatusArgs& args,
                                                std::vector<VerifierKey> keys) {
  auto view = node::OpenView(args.target, std::move(keys), {.deadline_ms = args.timeout * 1000});
  if (!view) return std::unexpected(view.error());
  auto head = (*view)->Head();
  if (!head && (*view)->checkpoint_refused()) {
    return std::unexpected(Error(ErrorCode::kVerificationFailed, head.error().message()));
  }
  return head;
}

int RunStatus(const StatusArgs& args) {
  const bool remote = node::IsNodeUrl(args.target);
  std::vector<VerifierKey> keys;
  if (!args.vkeys.empty()) {
    if (!remote) {
      return ReportUsage(
          "--vkey checks a node's checkpoint; a ledger file's are checked by "
          "`vellum verify`");
    }
    auto parsed = ParseVerifierKeys(args.vkeys);
    if (!parsed) return ReportUsage(parsed.error().message());
    keys = std::move(*parsed);
  }
  auto status = remote ? node::FetchNodeStatus(args.target, {.deadline_ms = args.timeout * 1000})
                       : FileStatus(args.target);
  if (!status) return ReportError(status.error());
  // Only this command says what was checked: a node's own word for it is dropped.
  if (status->is_object()) status->erase("signed_checkpoint");
  std::optional<node::ViewHead> signed_head;
  if (!keys.empty()) {
    auto head = SignedHead(args, std::move(keys));
    if (!head) {
      ReportError(head.error());
      return head.error().code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError;
    }
    signed_head = *head;
    (*status)["signed_checkpoint"] = {{"size", head->size}, {"root", ToHex(head->root)}};
  } else if (remote && !args.json) {
    std::cerr << "vellum: note: no --vkey was given, so the node's checkpoint was not "
                 "signature-checked; this shows what the node says\n";
  }
  if (args.json) {
    PrintJson(*status);
    return kExitOk;
  }
  // What a node says is shown with its control characters escaped (Printable).
  const auto& s = *status;
  auto text = [](const nlohmann::json& j, const char* key) {
    return Printable(
        j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "");
  };
  auto number = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<uint64_t>() : 0;
  };
  if (s.contains("ledgers") && s["ledgers"].is_array()) {  // `serve --dir`: one per path
    std::cout << "a node serving " << s["ledgers"].size()
              << " ledger(s), each under its own path:\n";
    for (const auto& l : s["ledgers"]) {
      std::cout << "  "
                << Printable(args.target + (args.target.ends_with('/') ? "" : "/")) +
                       text(l, "name") + "/"
                << "  " << text(l, "origin") << ": " << number(l, "size") << " entries, root "
                << text(l, "root") << "\n";
    }
    return kExitOk;
  }
  std::cout << text(s, "origin") << ": " << number(s, "size") << " entries, root "
            << text(s, "root") << "\n";
  if (signed_head) {
    std::cout << "signed checkpoint: " << signed_head->size << " entries, root "
              << ToHex(signed_head->root) << ", signature verified\n";
  }
  if (s.value("tiles_only", false)) {
    std::cout << "a tlog-tiles log without vellum's /v1/ API\n";
    return kExitOk;
  }
  if (s.contains("upstream") && s["upstream"].is_object()) {
    std::cout << "upstream " << text(s["upstream"], "upstream") << ": "
              << text(s["upstream"], "state") << "\n";
  }
  if (s.contains("peers") && s["peers"].is_array()) {
    for (const auto& p : s["peers"]) {
      std::cout << "peer " << text(p, "peer") << ": " << text(p, "state") << "\n";
    }
  }
  std::cout << "fork evidence: " << number(s, "fork_evidence") << "\n";
  if (s.contains("cosigners") && s["cosigners"].is_array()) {
    for (const auto& w : s["cosigners"]) {
      std::cout << "witness " << text(w, "witness") << " (" << text(w, "url")
                << "): " << number(w, "cosigned") << " cosignature(s) from "
                << number(w, "requests") << " request(s)";
      const std::string error = text(w, "error");
      std::cout << (error.empty() ? "" : "; last: " + error) << "\n";
    }
  }
  if (s.contains("witness") && s["witness"].is_object()) {
    const auto& w = s["witness"];
    std::cout << "as a witness: " << number(w, "cosigned") << " cosigned, " << number(w, "refused")
              << " refused since start, " << number(w, "evidence_kept")
              << " refusal(s) kept as evidence\n";
    if (w.contains("logs") && w["logs"].is_array()) {
      for (const auto& log : w["logs"]) {
        std::cout << "  " << text(log, "origin") << ": cosigned size " << number(log, "size")
                  << "\n";
      }
    }
  }
  return kExitOk;
}

}  // namespace

void AddStatus(CLI::App& app, Action& action) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Show a node's or a ledger's status and peers");
  cmd->add_option("target", args->target, "Node URL or ledger file")->required();
  cmd->add_option("--vkey", args->vkeys, "Verify the node's checkpoint with this key (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--timeout", args->timeout,
                  "Seconds each request to a node may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunStatus(*args); }; });
}

}  // namespace vellum::cli
