// vellum verify-checkpoint [FILE|-] (--vkey KEY... | --policy FILE): check a signed checkpoint
// offline; with a tlog-policy, also its witnesses' cosignatures against the policy's quorum.
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct VerifyCheckpointArgs {
  std::string file = "-";
  std::vector<std::string> vkeys;
  std::string policy;
  bool json = false;
};

int RunVerifyCheckpoint(const VerifyCheckpointArgs& args) {
  auto policy = ReadPolicy(args.policy);
  if (!policy) return ReportUsage(policy.error().message());
  std::vector<VerifierKey> keys;
  if (!args.vkeys.empty() || !*policy || (*policy)->logs().empty()) {
    auto parsed = ParseVerifierKeys(args.vkeys);
    if (!parsed)
      return ReportUsage(parsed.error().message() + " (or a --policy that lists the log)");
    keys = std::move(*parsed);
  }
  auto text = ReadInput(args.file, kMaxDocumentSize, "any checkpoint (4 MiB)");
  if (!text) return ReportError(text.error());
  auto checkpoint = *policy ? (*policy)->Open(*text, keys) : OpenCheckpoint(*text, keys);
  std::vector<std::string> cosigners;
  if (checkpoint && *policy) {
    if (auto quorum = (*policy)->Quorum(*ParseSignedNote(*text))) cosigners = quorum->cosigned;
  }
  if (!checkpoint) {
    if (args.json)
      PrintJson({{"ok", false}, {"message", checkpoint.error().message()}});
    else
      ReportError("checkpoint FAILED: " + checkpoint.error().message());
    return checkpoint.error().code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError;
  }
  if (args.json) {
    nlohmann::json doc = {{"ok", true},
                          {"origin", checkpoint->origin},
                          {"size", checkpoint->size},
                          {"root", ToHex(checkpoint->root)}};
    if (*policy) doc["cosigned_by"] = cosigners;
    PrintJson(doc);
  } else {
    std::cout << "checkpoint OK: " << Printable(checkpoint->origin) << " has "
              << Entries(checkpoint->size) << " with root " << ToHex(checkpoint->root) << "\n";
    if (*policy) {
      std::cout << "the policy's quorum is met";
      for (size_t i = 0; i < cosigners.size(); ++i) {
        std::cout << (i == 0 ? "; cosigned by " : ", ") << Printable(cosigners[i]);
      }
      std::cout << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddVerifyCheckpoint(CLI::App& app, Action& action) {
  auto args = std::make_shared<VerifyCheckpointArgs>();
  CLI::App* cmd = app.add_subcommand("verify-checkpoint", "Check a signed checkpoint offline");
  cmd->add_option("checkpoint", args->file, "Signed checkpoint (- = stdin)");
  cmd->add_option("--vkey", args->vkeys, "Verifier key (repeatable)")->allow_extra_args(false);
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: the checkpoint must be signed by one of its logs and "
                  "cosigned by its quorum of witnesses");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunVerifyCheckpoint(*args); }; });
}

}  // namespace vellum::cli
