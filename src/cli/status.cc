// vellum status URL|LEDGER [--vkey KEY]... [--json]: a node's status (size, root, checkpoint,
// upstream, peers' states, fork evidence), or a ledger file's. With --vkey, the node's signed
// checkpoint is checked too.
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "common/plural.h"
#include "node/api_json.h"
#include "node/ledger_view.h"
#include "vellum/merkle.h"

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

// The node's checkpoint, verified with one of `keys`, and what the node says its head is (the
// size and root in `status`: unsigned), proven one history with it by the node's own
// consistency proof. kVerificationFailed when the signature or the proof does not verify.
struct SignedHead {
  node::ViewHead head;
  // How the checkpoint stands to the node's head, proven: "same", "prefix" (the node has more
  // since) or "extension" (the node says less than it signed: a mirror catching up).
  std::string relation;
};
[[nodiscard]] Result<SignedHead> CheckSignedHead(const StatusArgs& args,
                                                 std::vector<VerifierKey> keys,
                                                 const nlohmann::json& status) {
  auto view = node::OpenView(args.target, std::move(keys), {.deadline_ms = args.timeout * 1000});
  if (!view) return std::unexpected(view.error());
  auto head = (*view)->Head();
  if (!head && (*view)->checkpoint_refused()) {
    return std::unexpected(Error(ErrorCode::kVerificationFailed, head.error().message()));
  }
  if (!head) return std::unexpected(head.error());
  std::optional<Hash> said_root;
  if (status.contains("root") && status["root"].is_string()) {
    if (auto root = HashFromHex(status["root"].get<std::string>())) said_root = *root;
  }
  if (!status.contains("size") || !status["size"].is_number_unsigned() || !said_root) {
    return Fail(ErrorCode::kVerificationFailed,
                args.target + " does not say its own size and root (/v1/status)");
  }
  const uint64_t said_size = status["size"].get<uint64_t>();
  const std::string said = "what the node says (" + Entries(said_size) + ")";
  const std::string signed_size = "its signed checkpoint (" + Entries(head->size) + ")";
  if (said_size == head->size) {
    if (*said_root != head->root) {
      return Fail(ErrorCode::kVerificationFailed,
                  "the node contradicts itself: " + said + " has another root than " + signed_size);
    }
    return SignedHead{*head, "same"};
  }
  const bool ahead = said_size > head->size;
  const uint64_t old_size = ahead ? head->size : said_size,
                 new_size = ahead ? said_size : head->size;
  const Hash& old_root = ahead ? head->root : *said_root;
  const Hash& new_root = ahead ? *said_root : head->root;
  auto proof = (*view)->ConsistencyProof(old_size, new_size);
  if (!proof) {
    return Fail(proof.error().code(), "the node did not prove that " + said + " and " +
                                          signed_size +
                                          " are one history: " + proof.error().message());
  }
  if (auto ok = merkle::VerifyConsistency(old_size, new_size, old_root, new_root, *proof); !ok) {
    return Fail(ErrorCode::kVerificationFailed, "the node contradicts itself: " + said + " and " +
                                                    signed_size + " are not one history (" +
                                                    ok.error().message() + ")");
  }
  return SignedHead{*head, ahead ? "prefix" : "extension"};
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
  std::optional<SignedHead> signed_head;
  if (!keys.empty()) {
    auto checked = CheckSignedHead(args, std::move(keys), *status);
    if (!checked) {
      ReportError(checked.error());
      return checked.error().code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError;
    }
    signed_head = *checked;
    (*status)["signed_checkpoint"] = {{"size", checked->head.size},
                                      {"root", ToHex(checked->head.root)},
                                      {"relation_to_head", checked->relation}};
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
    std::cout << "signed checkpoint: " << signed_head->head.size << " entries, root "
              << ToHex(signed_head->head.root) << ", signature verified; "
              << (signed_head->relation == "same"     ? "it is the node's head"
                  : signed_head->relation == "prefix" ? "the node's head extends it (proven)"
                                                      : "it extends the node's head (proven)")
              << "\n";
  }
  if (node::FlagField(s, "tiles_only")) {
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
  if (const std::string failure = text(s, "append_failure"); !failure.empty()) {
    std::cout << "appends fail: " << failure << "\n";
  }
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
