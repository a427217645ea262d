// vellum root LEDGER [--size N] [--json]
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct RootArgs {
  std::string path;
  std::optional<uint64_t> size;
  bool json = false;
};

int RunRoot(const RootArgs& args) {
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  auto head = (*ledger)->GetHead();
  if (!head) return ReportError(head.error());
  const uint64_t size = args.size.value_or(head->size);
  auto root = (*ledger)->RootAt(size);
  if (!root) return ReportError(root.error());
  if (args.json) {
    PrintJson({{"origin", (*ledger)->origin()}, {"size", size}, {"root", ToHex(*root)}});
  } else {
    std::cout << "size " << size << "\nroot " << ToHex(*root) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddRoot(CLI::App& app, Action& action) {
  auto args = std::make_shared<RootArgs>();
  CLI::App* cmd = app.add_subcommand("root", "Print the Merkle root (of the head or a size)");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("--size", args->size, "Tree size (default: the whole ledger)")->check(Unsigned());
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunRoot(*args); }; });
}

}  // namespace vellum::cli
