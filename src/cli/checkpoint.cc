// vellum checkpoint LEDGER [--size N] [--key FILE]: sign, record and print a checkpoint; for a
// mirror without the key, print the newest checkpoint its upstream signed.
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
  // A mirror signs nothing: without its upstream's key here, it has that key's checkpoints.
  const bool mirror_without_key = !key && args.key.empty() && (*ledger)->is_mirror() &&
                                  key.error().code() == ErrorCode::kNotFound;
  Result<std::string> note = Fail(ErrorCode::kNotFound, "");
  if (mirror_without_key && !args.size) {
    // Its upstream's newest checkpoint, checked.
    note = (*ledger)->LatestCheckpoint();
    if (!note && note.error().code() == ErrorCode::kNotFound) {
      return ReportError(args.path + " is a mirror and holds no checkpoint yet: sync it first");
    }
    if (note) {
      std::cerr << "vellum: note: " << args.path
                << " is a mirror: this is the newest checkpoint its upstream signed\n";
    }
  } else if (mirror_without_key) {
    return ReportError(key.error().message() + "; " + args.path +
                       " is a mirror: without --size, this prints the newest checkpoint its "
                       "upstream signed");
  } else if (!key) {
    return ReportError(key.error());
  } else {
    note = (*ledger)->SignCheckpoint(*key, args.size);
  }
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
  CLI::App* cmd = app.add_subcommand(
      "checkpoint",
      "Sign and print a checkpoint of the ledger (a mirror's: its upstream's newest)");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("--size", args->size, "Tree size to sign (default: the head)")->check(Unsigned());
  cmd->add_option("--key", args->key, "Private key file (default LEDGER.key)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunCheckpoint(*args); }; });
}

}  // namespace vellum::cli
