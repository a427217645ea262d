// vellum prove LEDGER --index I [--size N]      inclusion proof of entry I
// vellum prove LEDGER --old M [--new N]         consistency proof from size M to N
// With --json it prints the proof document that `vellum verify-proof` reads.
#include <iostream>

#include "cli/cli.h"
#include "node/api_json.h"

namespace vellum::cli {
namespace {

struct ProveArgs {
  std::string path;
  std::optional<uint64_t> index, size, old_size, new_size;
  bool json = false;
};

void PrintHuman(const node::ProofDocument& doc) {
  if (doc.type == node::ProofDocument::Type::kInclusion) {
    std::cout << "inclusion proof: entry " << doc.index << " is in the tree of size " << doc.size
              << "\nleaf hash " << ToHex(doc.leaf_hash.value_or(Hash{})) << "\nroot      "
              << ToHex(doc.root.value_or(Hash{})) << "\n";
  } else {
    std::cout << "consistency proof: the tree of size " << doc.old_size
              << " is a prefix of the tree of size " << doc.new_size << "\nold root "
              << ToHex(doc.old_root.value_or(Hash{})) << "\nnew root "
              << ToHex(doc.new_root.value_or(Hash{})) << "\n";
  }
  std::cout << "proof (" << doc.proof.size() << " hashes):\n";
  for (const Hash& h : doc.proof) std::cout << "  " << ToHex(h) << "\n";
}

int RunProve(const ProveArgs& args) {
  if (args.index.has_value() == args.old_size.has_value()) {
    return ReportUsage("give either --index I (inclusion) or --old M (consistency)");
  }
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  auto doc = args.index ? node::InclusionDoc(**ledger, *args.index, args.size)
                        : node::ConsistencyDoc(**ledger, *args.old_size, args.new_size);
  if (!doc) return ReportError(doc.error());
  if (args.json) {
    PrintJson(node::ProofDocumentJson(*doc));
  } else {
    PrintHuman(*doc);
  }
  return kExitOk;
}

}  // namespace

void AddProve(CLI::App& app, Action& action) {
  auto args = std::make_shared<ProveArgs>();
  CLI::App* cmd = app.add_subcommand("prove", "Make an inclusion or consistency proof");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  auto* index =
      cmd->add_option("--index", args->index, "Entry to prove included")->check(Unsigned());
  cmd->add_option("--size", args->size, "Tree size for --index (default: the head)")
      ->check(Unsigned())
      ->needs(index);
  auto* old_size = cmd->add_option("--old", args->old_size, "Older tree size to prove a prefix")
                       ->check(Unsigned());
  cmd->add_option("--new", args->new_size, "Newer tree size for --old (default: the head)")
      ->check(Unsigned())
      ->needs(old_size);
  index->excludes(old_size);
  cmd->add_flag("--json", args->json, "Print the proof document for verify-proof");
  cmd->callback([args, &action] { action = [args] { return RunProve(*args); }; });
}

}  // namespace vellum::cli
