// vellum verify-proof PROOF.json (--root HEX | --checkpoint FILE (--vkey KEY | --policy FILE))
//                     [--old-root HEX] [--leaf-hash HEX | --entry-hex HEX | --payload TEXT [--time
//                     T]]
// vellum verify-proof RECEIPT.tlog-proof (--policy FILE | --vkey KEY) [--leaf-hash ... as above]
//
// Offline: trusts nothing in the proof document but the proof hashes and the sizes/index. The
// root (given, or taken from a checkpoint whose signature is checked here) and the leaf come
// from the user, who got them from somewhere they trust.
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"
#include "node/api_json.h"
#include "vellum/merkle.h"

namespace vellum::cli {
namespace {

struct VerifyProofArgs {
  std::string proof_file = "-";
  std::string root, old_root, leaf_hash, entry_hex, payload, time, checkpoint, policy;
  std::vector<std::string> vkeys;
  bool json = false;
};

// The trusted (new) root, and the size it belongs to when it came from a checkpoint.
struct TrustedRoot {
  Hash root{};
  std::optional<uint64_t> size;
};

[[nodiscard]] Result<node::ProofDocument> ParseDocument(const std::string& text) {
  auto json = node::ParseJson(text, "the proof document");
  if (!json) return std::unexpected(json.error());
  return node::ParseProofDocument(*json);
}

[[nodiscard]] Result<Hash> UserHash(const std::string& hex, const char* flag) {
  auto h = HashFromHex(hex);
  if (!h) return Fail(ErrorCode::kInvalidArgument, std::string(flag) + ": " + h.error().message());
  return h;
}

// The policy a checkpoint must meet and the log keys it may be signed with: --policy (whose
// logs, if it lists any, are the keys) and --vkey; with --vkey alone, the log's signature only.
[[nodiscard]] Result<std::pair<Policy, std::vector<VerifierKey>>> PolicyFromArgs(
    const VerifyProofArgs& args) {
  auto policy = ReadPolicy(args.policy);
  if (!policy) return std::unexpected(policy.error());
  std::vector<VerifierKey> keys;
  if (!args.vkeys.empty() || !*policy || (*policy)->logs().empty()) {
    auto parsed = ParseVerifierKeys(args.vkeys);
    if (!parsed) {
      return Fail(ErrorCode::kInvalidArgument,
                  parsed.error().message() + " (or a --policy that lists the log)");
    }
    keys = std::move(*parsed);
  }
  return std::pair{*policy ? **policy : Policy::None(), std::move(keys)};
}

[[nodiscard]] Result<TrustedRoot> RootFromArgs(const VerifyProofArgs& args) {
  if (args.checkpoint.empty() == args.root.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "give the trusted root: --root HEX, or --checkpoint FILE with --vkey KEY");
  }
  if (!args.root.empty()) {
    auto root = UserHash(args.root, "--root");
    if (!root) return std::unexpected(root.error());
    return TrustedRoot{*root, std::nullopt};
  }
  auto policy = PolicyFromArgs(args);
  if (!policy) return std::unexpected(policy.error());
  auto text = ReadInput(args.checkpoint, kMaxDocumentSize, "any checkpoint (4 MiB)");
  if (!text) return std::unexpected(text.error());
  auto checkpoint = policy->first.Open(*text, policy->second);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  return TrustedRoot{checkpoint->root, checkpoint->size};
}

Result<void> CheckSize(const TrustedRoot& trusted, uint64_t size) {
  if (trusted.size && *trusted.size != size) {
    return Fail(ErrorCode::kVerificationFailed,
                "the proof is for tree size " + std::to_string(size) +
                    " but the checkpoint is for size " + std::to_string(*trusted.size));
  }
  return {};
}

[[nodiscard]] Result<Hash> LeafFromArgs(const VerifyProofArgs& args) {
  const int given = !args.leaf_hash.empty() + !args.entry_hex.empty() + !args.payload.empty();
  if (given != 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "an inclusion proof needs exactly one of --leaf-hash, --entry-hex or --payload");
  }
  if (!args.leaf_hash.empty()) return UserHash(args.leaf_hash, "--leaf-hash");
  if (!args.entry_hex.empty()) {
    auto bytes = FromHex(args.entry_hex);
    if (!bytes) return Fail(ErrorCode::kInvalidArgument, "--entry-hex: " + bytes.error().message());
    return merkle::LeafHash(*bytes);
  }
  std::optional<int64_t> time;
  if (!args.time.empty()) {
    auto t = ParseTime(args.time);
    if (!t) return std::unexpected(t.error());
    time = *t;
  }
  const EntryFormat format = time ? EntryFormat::kRecord : EntryFormat::kRaw;
  return merkle::LeafHash(Ledger::EncodeEntry(format, time, ToBytes(args.payload)));
}

// Why a check did not pass, and the exit code that says so.
struct Refusal {
  int exit_code;
  Error error;
};
std::unexpected<Refusal> Usage(const Error& e) { return std::unexpected(Refusal{kExitUsage, e}); }
std::unexpected<Refusal> Failed(const Error& e) {
  return std::unexpected(
      Refusal{e.code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError, e});
}

// The leaf the user vouches for, knowing the format the proof document names.
std::expected<Hash, Refusal> Leaf(const VerifyProofArgs& args, const node::ProofDocument& doc) {
  if (!args.payload.empty() && args.time.empty() && doc.format == EntryFormat::kRecord) {
    return Usage(Error(ErrorCode::kInvalidArgument,
                       "the proof is from a record-format ledger, whose entries start with "
                       "their time: give the entry's --time with --payload"));
  }
  auto leaf = LeafFromArgs(args);
  if (!leaf) return Usage(leaf.error());
  return *leaf;
}

// A tlog-proof receipt: the checkpoint under the policy, then the entry's inclusion.
std::expected<std::string, Refusal> CheckReceipt(const VerifyProofArgs& args,
                                                 const std::string& text) {
  if (!args.root.empty() || !args.checkpoint.empty() || !args.old_root.empty()) {
    return Usage(Error(ErrorCode::kInvalidArgument,
                       "a tlog-proof carries its checkpoint: give --policy or --vkey, not --root, "
                       "--checkpoint or --old-root"));
  }
  auto receipt = ParseTlogProof(text);
  if (!receipt) return Failed(receipt.error());
  auto policy = PolicyFromArgs(args);
  if (!policy) return Usage(policy.error());
  auto leaf = LeafFromArgs(args);
  if (!leaf) return Usage(leaf.error());
  auto checkpoint = VerifyTlogProof(*receipt, *leaf, policy->first, policy->second);
  if (!checkpoint) {
    // A receipt does not say the entry format: a record's bytes start with its time.
    const bool maybe_record = !args.payload.empty() && args.time.empty();
    return Failed(Error(ErrorCode::kVerificationFailed,
                        checkpoint.error().message() +
                            (maybe_record ? " (if the ledger holds records, their bytes start "
                                            "with their time: give the entry's --time too)"
                                          : "")));
  }
  std::string cosigners;
  if (auto quorum = policy->first.Quorum(*ParseSignedNote(receipt->checkpoint))) {
    for (const std::string& name : quorum->cosigned) {
      cosigners += (cosigners.empty() ? "; cosigned by " : ", ") + name;
    }
  }
  return "entry " + std::to_string(receipt->index) + " is in " + checkpoint->origin +
         "'s checkpoint of " + Entries(checkpoint->size) + cosigners;
}

std::expected<std::string, Refusal> Check(const VerifyProofArgs& args) {
  auto text = ReadInput(args.proof_file, kMaxDocumentSize, "any proof or receipt (4 MiB)");
  if (!text) return Failed(text.error());
  if (text->starts_with(std::string(kTlogProofHeader) + "\n")) return CheckReceipt(args, *text);
  auto doc = ParseDocument(*text);
  if (!doc) return Failed(doc.error());
  auto trusted = RootFromArgs(args);
  if (!trusted) {
    return trusted.error().code() == ErrorCode::kInvalidArgument ? Usage(trusted.error())
                                                                 : Failed(trusted.error());
  }
  const Hash& root = trusted->root;
  if (doc->type == node::ProofDocument::Type::kInclusion) {
    auto leaf = Leaf(args, *doc);
    if (!leaf) return std::unexpected(leaf.error());
    if (auto ok = CheckSize(*trusted, doc->size); !ok) return Failed(ok.error());
    auto ok = merkle::VerifyInclusion(*leaf, doc->index, doc->size, doc->proof, root);
    if (!ok) return Failed(Error(ErrorCode::kVerificationFailed, ok.error().message()));
    return "entry " + std::to_string(doc->index) + " is in the tree of size " +
           std::to_string(doc->size) + " with root " + ToHex(root);
  }
  if (args.old_root.empty()) {
    return Usage(Error(ErrorCode::kInvalidArgument, "a consistency proof needs --old-root"));
  }
  auto old_root = UserHash(args.old_root, "--old-root");
  if (!old_root) return Usage(old_root.error());
  if (auto ok = CheckSize(*trusted, doc->new_size); !ok) return Failed(ok.error());
  auto ok = merkle::VerifyConsistency(doc->old_size, doc->new_size, *old_root, root, doc->proof);
  if (!ok) return Failed(Error(ErrorCode::kVerificationFailed, ok.error().message()));
  return "the tree of size " + std::to_string(doc->old_size) + " is a prefix of the tree of size " +
         std::to_string(doc->new_size);
}

int RunVerifyProof(const VerifyProofArgs& args) {
  auto verdict = Check(args);
  if (!verdict) {
    const Refusal& r = verdict.error();
    if (r.exit_code == kExitUsage) return ReportUsage(r.error.message());
    if (r.exit_code == kExitError) return ReportError(r.error);
    if (args.json) {
      PrintJson({{"ok", false}, {"message", r.error.message()}});
    } else {
      ReportError("proof FAILED: " + r.error.message());
    }
    return kExitFailed;
  }
  if (args.json) {
    PrintJson({{"ok", true}, {"message", *verdict}});
  } else {
    std::cout << "proof OK: " << *verdict << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddVerifyProof(CLI::App& app, Action& action) {
  auto args = std::make_shared<VerifyProofArgs>();
  CLI::App* cmd = app.add_subcommand("verify-proof", "Check a proof offline against a root");
  cmd->add_option("proof", args->proof_file,
                  "Proof document from 'vellum prove --json', or a tlog-proof receipt from "
                  "'vellum prove --tlog-proof' (- = stdin)");
  cmd->add_option("--root", args->root, "Trusted root (hex) of the (new) tree");
  cmd->add_option("--checkpoint", args->checkpoint, "Signed checkpoint giving the trusted root");
  cmd->add_option("--vkey", args->vkeys,
                  "The log's verifier key, for --checkpoint or a tlog-proof (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: the checkpoint must meet its logs and quorum");
  cmd->add_option("--old-root", args->old_root, "Trusted root of the old tree (consistency)");
  cmd->add_option("--leaf-hash", args->leaf_hash, "Leaf hash of the entry (hex)");
  cmd->add_option("--entry-hex", args->entry_hex, "The entry's exact bytes (hex)");
  cmd->add_option("--payload", args->payload, "The entry's payload as text");
  cmd->add_option("--time", args->time, "With --payload: the entry's time (record format)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunVerifyProof(*args); }; });
}

}  // namespace vellum::cli
