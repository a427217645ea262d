// vellum checkpoint LEDGER [--size N] [--key FILE]: sign, record and print a checkpoint.
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct CheckpointArgs {
  std::string path, key;
  std::optional<uint64_t> size;
  bool json = false;
};

int RunCheckpoint(const CheckpointArgs& args) {
  auto ledger = OpenLedger(args.path, false);
  if (!ledger) return ReportError(ledger.error());
  auto key = ReadLedgerKey(args.path, args.key);
  if (!key) return ReportError(key.error());
  auto note = (*ledger)->SignCheckpoint(*key, args.size);
  if (!note) return ReportError(note.error());
  if (args.json) {
    auto body = ParseCheckpointBody(ParseSignedNote(*note)->text);
    PrintJson({{"origin", body->origin},
               {"size", body->size},
               {"root", ToHex(body->root)},
               {"note", *note}});
  } else {
    std::cout << *note;
  }
  return kExitOk;
}

}  // namespace

void AddCheckpoint(CLI::App& app, Action& action) {
  auto args = std::make_shared<CheckpointArgs>();
  CLI::App* cmd = app.add_subcommand("checkpoint", "Sign and print a checkpoint of the ledger");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("--size", args->size, "Tree size to sign (default: the head)")->check(Unsigned());
  cmd->add_option("--key", args->key, "Private key file (default LEDGER.key)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunCheckpoint(*args); }; });
}

}  // namespace vellum::cli
