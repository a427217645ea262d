// vellum prove LEDGER --index I [--size N]      inclusion proof of entry I
// vellum prove LEDGER --old M [--new N]         consistency proof from size M to N
// vellum prove LEDGER --index I --tlog-proof   a C2SP tlog-proof receipt of entry I
// With --json it prints the proof document that `vellum verify-proof` reads.
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"
#include "node/api_json.h"

namespace vellum::cli {
namespace {

struct ProveArgs {
  std::string path;
  std::optional<uint64_t> index, size, old_size, new_size;
  bool json = false;
  bool tlog_proof = false;
};

// A tlog-proof receipt for entry `index`: the newest checkpoint recorded in the ledger (with the
// cosignatures a node gathered for it) and the inclusion proof in its tree.
int RunTlogProof(Ledger& ledger, uint64_t index) {
  auto note = ledger.LatestCheckpoint();
  if (!note && note.error().code() != ErrorCode::kNotFound) return ReportError(note.error());
  if (!note) {
    return ReportError(ledger.path() +
                       " has no signed checkpoint to make a receipt with: sign one with `vellum "
                       "checkpoint`, or serve the ledger");
  }
  auto parsed = ParseSignedNote(*note);
  auto checkpoint = parsed ? ParseCheckpointBody(parsed->text)
                           : Result<Checkpoint>(std::unexpected(parsed.error()));
  if (!checkpoint) return ReportError(checkpoint.error());
  if (index >= checkpoint->size) {
    return ReportError("entry " + std::to_string(index) + " is not in the newest checkpoint (" +
                       Entries(checkpoint->size) + "); sign a newer one with `vellum checkpoint`");
  }
  auto proof = ledger.InclusionProof(index, checkpoint->size);
  if (!proof) return ReportError(proof.error());
  std::cout << FormatTlogProof({std::nullopt, index, std::move(*proof), std::move(*note)});
  return kExitOk;
}

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
  if (args.tlog_proof) {
    if (!args.index || args.size || args.json) {
      return ReportUsage("--tlog-proof goes with --index I alone (the tree is the checkpoint's)");
    }
    return RunTlogProof(**ledger, *args.index);
  }
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
  cmd->add_flag("--tlog-proof", args->tlog_proof,
                "Print a C2SP tlog-proof receipt of --index I: the newest checkpoint (with its "
                "cosignatures) and the inclusion proof, to verify offline");
  cmd->callback([args, &action] { action = [args] { return RunProve(*args); }; });
}

}  // namespace vellum::cli
