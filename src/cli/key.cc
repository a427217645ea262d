// vellum key LEDGER: print the ledger's verifier key.
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct KeyArgs {
  std::string path;
  bool json = false;
};

int RunKey(const KeyArgs& args) {
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  const std::string& vkey = (*ledger)->verifier_key();
  if (vkey.empty()) return ReportError(args.path + " has no signing key");
  if (args.json) {
    PrintJson({{"origin", (*ledger)->origin()}, {"verifier_key", vkey}});
  } else {
    std::cout << vkey << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddKey(CLI::App& app, Action& action) {
  auto args = std::make_shared<KeyArgs>();
  CLI::App* cmd = app.add_subcommand("key", "Print the ledger's verifier key");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunKey(*args); }; });
}

}  // namespace vellum::cli
