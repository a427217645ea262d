// vellum publish LEDGER DIR [--key FILE]: write the ledger as a static C2SP tlog-tiles log.
#include "node/publish.h"

#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct PublishArgs {
  std::string path, dir, key;
  bool json = false, repair = false;
};

int RunPublish(const PublishArgs& args) {
  // A ledger with a key gets a checkpoint of its head signed now; a mirror (no key) publishes
  // the newest checkpoint its upstream signed.
  std::error_code ec;
  const bool sign = !args.key.empty() || std::filesystem::exists(DefaultKeyPath(args.path), ec);
  auto ledger = OpenLedger(args.path, !sign);
  if (!ledger) return ReportError(ledger.error());
  Result<std::string> note = Fail(ErrorCode::kNotFound, "");
  if (sign) {
    auto key = ReadLedgerKey(args.path, args.key);
    if (!key) return ReportError(key.error());
    // Asked first, so that a folder Publish would refuse leaves no new checkpoint behind.
    if (auto ok = node::CheckPublishFolder(
            **ledger, args.dir, args.repair ? node::Mend::kAltered : node::Mend::kMissing);
        !ok) {
      return ReportError(ok.error());
    }
    note = (*ledger)->SignCheckpoint(*key, std::nullopt);
    // The same checkpoint as recorded with witnesses' cosignatures (`vellum cosign`), if it is.
    if (auto recorded = (*ledger)->LatestCheckpoint(); note && recorded) {
      auto a = ParseSignedNote(*note);
      auto b = ParseSignedNote(*recorded);
      if (a && b && a->text == b->text) note = std::move(*recorded);
    }
  } else {
    note = (*ledger)->LatestCheckpoint();
    if (!note && note.error().code() == ErrorCode::kNotFound) {
      return ReportError(Error(ErrorCode::kNotFound,
                               args.path + " has no key (" + DefaultKeyPath(args.path) +
                                   ") to sign a checkpoint and no recorded one (a mirror "
                                   "records its upstream's): give --key FILE, or sync it first"));
    }
  }
  if (!note) return ReportError(note.error());
  // Run by hand, it also mends a folder that lost files (--repair: or whose files were altered).
  auto published = node::Publish(**ledger, *note, args.dir, nullptr,
                                 args.repair ? node::Mend::kAltered : node::Mend::kMissing);
  if (!published) return ReportError(published.error());
  if (args.json) {
    PrintJson({{"dir", args.dir},
               {"old_size", published->old_size},
               {"size", published->size},
               {"files_written", published->files_written},
               {"bytes_written", published->bytes_written},
               {"files_restored", published->files_restored}});
  } else {
    std::cout << "published " << Entries(published->size) << " to " << args.dir << " (was "
              << published->old_size << "): " << CountOf(published->files_written, "file", "files")
              << ", " << CountOf(published->bytes_written, "byte", "bytes") << " written";
    if (published->files_restored > 0) {
      std::cout << "; " << CountOf(published->files_restored, "file was", "files were")
                << (args.repair ? " missing from the folder or altered"
                                : " missing from the folder")
                << " and written again";
    }
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddPublish(CLI::App& app, Action& action) {
  auto args = std::make_shared<PublishArgs>();
  CLI::App* cmd = app.add_subcommand(
      "publish",
      "Write the ledger as a static C2SP tlog-tiles log (a folder any web server serves)");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("dir", args->dir, "Folder to publish into (created; updated when run again)")
      ->required();
  cmd->add_option("--key", args->key,
                  "Sign the checkpoint with this key (default LEDGER.key; without one, the "
                  "newest recorded checkpoint is published)");
  cmd->add_flag("--repair", args->repair,
                "Also read back every file the folder should hold and write again any whose "
                "bytes are not the ledger's (as slow as publishing it all again)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunPublish(*args); }; });
}

}  // namespace vellum::cli
