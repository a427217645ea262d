// vellum verify-checkpoint [FILE|-] --vkey KEY...: check a signed checkpoint offline.
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct VerifyCheckpointArgs {
  std::string file = "-";
  std::vector<std::string> vkeys;
  bool json = false;
};

int RunVerifyCheckpoint(const VerifyCheckpointArgs& args) {
  auto keys = ParseVerifierKeys(args.vkeys);
  if (!keys) return ReportUsage(keys.error().message());
  auto text = ReadInput(args.file);
  if (!text) return ReportError(text.error());
  auto checkpoint = OpenCheckpoint(*text, *keys);
  if (!checkpoint) {
    if (args.json)
      PrintJson({{"ok", false}, {"message", checkpoint.error().message()}});
    else
      ReportError("checkpoint FAILED: " + checkpoint.error().message());
    return checkpoint.error().code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError;
  }
  if (args.json) {
    PrintJson({{"ok", true},
               {"origin", checkpoint->origin},
               {"size", checkpoint->size},
               {"root", ToHex(checkpoint->root)}});
  } else {
    std::cout << "checkpoint OK: " << checkpoint->origin << " has " << checkpoint->size
              << " entries with root " << ToHex(checkpoint->root) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddVerifyCheckpoint(CLI::App& app, Action& action) {
  auto args = std::make_shared<VerifyCheckpointArgs>();
  CLI::App* cmd = app.add_subcommand("verify-checkpoint", "Check a signed checkpoint offline");
  cmd->add_option("checkpoint", args->file, "Signed checkpoint (- = stdin)");
  cmd->add_option("--vkey", args->vkeys, "Verifier key (repeatable)")
      ->allow_extra_args(false)
      ->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunVerifyCheckpoint(*args); }; });
}

}  // namespace vellum::cli
