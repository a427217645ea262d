// vellum init LEDGER --origin ORIGIN [--format record|raw]
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct InitArgs {
  std::string path, origin, format = "record";
  bool json = false;
};

int RunInit(const InitArgs& args) {
  auto format = ParseEntryFormat(args.format);
  if (!format) return ReportError(format.error());
  auto ledger = Ledger::Create(args.path, {.origin = args.origin, .format = *format});
  if (!ledger) return ReportError(ledger.error());
  if (args.json) {
    PrintJson({{"path", args.path}, {"origin", args.origin}, {"format", args.format}});
  } else {
    std::cout << "created " << args.path << " for origin " << args.origin << " (" << args.format
              << " entries)\n";
  }
  return kExitOk;
}

}  // namespace

void AddInit(CLI::App& app, Action& action) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand("init", "Create a new ledger file");
  cmd->add_option("ledger", args->path, "Ledger file to create")->required();
  cmd->add_option("--origin", args->origin, "Name of the log, e.g. example.com/audit")
      ->required();
  cmd->add_option("--format", args->format, "Entry format: record (time + payload) or raw")
      ->check(CLI::IsMember({"record", "raw"}));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunInit(*args); }; });
}

}  // namespace vellum::cli
