// vellum get LEDGER INDEX [--json]
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct GetArgs {
  std::string path;
  uint64_t index = 0;
  bool json = false, raw = false;
};

int RunGet(const GetArgs& args) {
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  auto entry = (*ledger)->Get(args.index);
  if (!entry) return ReportError(entry.error());
  if (args.json) {
    PrintJson(EntryJson(*entry));
  } else if (args.raw) {
    std::cout.write(reinterpret_cast<const char*>(entry->payload.data()),
                    static_cast<std::streamsize>(entry->payload.size()));
  } else {
    std::cout << "index     " << entry->index << "\n";
    if (entry->time_ms) std::cout << "time      " << FormatTime(*entry->time_ms) << "\n";
    std::cout << "leaf hash " << ToHex(entry->leaf_hash) << "\n"
              << "data      " << ShowPayload(entry->payload, SIZE_MAX) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddGet(CLI::App& app, Action& action) {
  auto args = std::make_shared<GetArgs>();
  CLI::App* cmd = app.add_subcommand("get", "Show one entry");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("index", args->index, "Entry index (from 0)")->required()->check(Unsigned());
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->add_flag("--raw", args->raw, "Print only the payload bytes");
  cmd->callback([args, &action] { action = [args] { return RunGet(*args); }; });
}

}  // namespace vellum::cli
