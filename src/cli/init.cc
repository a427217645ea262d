// vellum init LEDGER --origin ORIGIN [--format record|raw] [--key FILE | --key-file PATH]
//
// Makes the ledger's Ed25519 signing key (or reuses --key FILE), writes it to a 0600 key file
// beside the ledger, and records the verifier key in the ledger.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct InitArgs {
  std::string path, origin, format = "record", key, key_file;
  bool json = false;
};

int RunInit(const InitArgs& args) {
  auto format = ParseEntryFormat(args.format);
  if (!format) return ReportError(format.error());
  if (auto ok = CheckOrigin(args.origin); !ok) return ReportError(ok.error());
  if (auto ok = RefuseNodeUrl(args.path); !ok) return ReportError(ok.error());
  const bool reuse = !args.key.empty();
  const std::string key_path = reuse                   ? args.key
                               : args.key_file.empty() ? DefaultKeyPath(args.path)
                                                       : args.key_file;
  // A key file in the way (left by an earlier ledger, say) is never overwritten: said before
  // anything is made.
  if (std::error_code ec; !reuse && std::filesystem::exists(key_path, ec)) {
    return ReportError(Error(ErrorCode::kConflict,
                             key_path + " already exists; to sign with that key, give --key " +
                                 key_path +
                                 "; for a new key, move it away or give --key-file "
                                 "FILE (nothing was created)"));
  }
  auto key = reuse ? ReadKeyFile(key_path) : SignerKey::Generate(args.origin);
  if (!key) return ReportError(key.error());
  auto ledger = Ledger::Create(
      args.path,
      {.origin = args.origin, .format = *format, .verifier_key = key->verifier().ToString()});
  if (!ledger) return ReportError(ledger.error());
  ledger->reset();
  if (!reuse) {
    if (auto ok = WriteKeyFile(key_path, *key); !ok) {
      (void)Ledger::RemoveEmpty(args.path);
      return ReportError(ok.error().message() + " (so the new ledger was removed again)");
    }
  }
  if (args.json) {
    PrintJson({{"path", args.path},
               {"origin", args.origin},
               {"format", args.format},
               {"key_file", key_path},
               {"verifier_key", key->verifier().ToString()}});
  } else {
    std::cout << "created " << args.path << " for origin " << args.origin << " (" << args.format
              << " entries)\nsigning key:  " << key_path << (reuse ? "" : " (new; keep it private)")
              << "\nverifier key: " << key->verifier().ToString() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddInit(CLI::App& app, Action& action) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand("init", "Create a new ledger file");
  cmd->add_option("ledger", args->path, "Ledger file to create")->required();
  cmd->add_option("--origin", args->origin, "Name of the log, e.g. example.com/audit")->required();
  cmd->add_option("--format", args->format, "Entry format: record (time + payload) or raw")
      ->check(CLI::IsMember({"record", "raw"}));
  auto* key = cmd->add_option("--key", args->key, "Sign with this existing private key file");
  cmd->add_option("--key-file", args->key_file, "Where to write the new key (default LEDGER.key)")
      ->excludes(key);
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunInit(*args); }; });
}

}  // namespace vellum::cli
