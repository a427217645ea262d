// vellum compare A B [--vkey KEY]...: A and B are ledger files or node URLs of the same origin.
#include "node/compare.h"

#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct CompareArgs {
  std::string a, b;
  std::vector<std::string> vkeys;
  std::string format, policy;
  bool json = false;
  int timeout = 30;
};

void PrintHuman(const node::Comparison& c, const CompareArgs& args) {
  using R = node::Comparison::Relation;
  switch (c.relation) {
    case R::kIdentical:
      std::cout << "identical: both have " << Entries(c.a.size) << ", root " << ToHex(c.a.root)
                << "\n";
      break;
    case R::kABehind:
    case R::kBBehind: {
      const bool a_behind = c.relation == R::kABehind;
      std::cout << (a_behind ? args.a : args.b) << " is behind " << (a_behind ? args.b : args.a)
                << " by " << Entries(c.behind_by) << " (consistency proof verified)\n";
      break;
    }
    case R::kForked:
      std::cout << "forked at index " << *c.fork_index << "\n";
      for (const auto& [name, entry] : {std::pair{args.a, &c.entry_a}, {args.b, &c.entry_b}}) {
        std::cout << "  " << name << ": ";
        if (*entry) {
          if ((*entry)->time_ms) std::cout << FormatTime(*(*entry)->time_ms) << "  ";
          std::cout << ShowPayload((*entry)->payload, 72) << "\n";
        } else {
          std::cout << "(entry unavailable)\n";
        }
      }
      break;
  }
}

int RunCompare(const CompareArgs& args) {
  std::vector<VerifierKey> keys;
  if (!args.vkeys.empty()) {
    auto parsed = ParseVerifierKeys(args.vkeys);
    if (!parsed) return ReportUsage(parsed.error().message());
    keys = std::move(*parsed);
  }
  node::RemoteOptions remote{.deadline_ms = args.timeout * 1000};
  auto policy = ReadPolicy(args.policy);
  if (!policy) return ReportUsage(policy.error().message());
  remote.policy = *policy;
  if (!args.format.empty()) {
    auto format = ParseEntryFormat(args.format);
    if (!format) return ReportUsage("--format: " + format.error().message());
    remote.format = *format;
  }
  // Keys check what nodes signed; a file is read as it is.
  auto a =
      node::OpenView(args.a, node::IsNodeUrl(args.a) ? keys : std::vector<VerifierKey>{}, remote);
  if (!a) return ReportError(a.error());
  auto b =
      node::OpenView(args.b, node::IsNodeUrl(args.b) ? keys : std::vector<VerifierKey>{}, remote);
  if (!b) return ReportError(b.error());
  auto c = node::Compare(**a, **b);
  if (!c) {
    ReportError(c.error());
    return c.error().code() == ErrorCode::kVerificationFailed ? kExitFailed : kExitError;
  }
  const bool signed_a = c->a.signature_checked, signed_b = c->b.signature_checked;
  const bool unchecked_a = node::IsNodeUrl(args.a) && !signed_a;
  const bool unchecked_b = node::IsNodeUrl(args.b) && !signed_b;
  if (!args.json && (unchecked_a || unchecked_b)) {
    std::cerr << "vellum: note: no --vkey was given, so no node's checkpoint was signature-"
                 "checked; this compares what the nodes say, not what their key signed\n";
  }
  if (args.json) {
    PrintJson(node::ComparisonJson(*c, **a, **b));
  } else {
    PrintHuman(*c, args);
  }
  return c->relation == node::Comparison::Relation::kForked ? kExitFailed : kExitOk;
}

}  // namespace

void AddCompare(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two ledgers (files or node URLs)");
  cmd->add_option("first", args->a, "Ledger file or http(s):// node URL")->required();
  cmd->add_option("second", args->b, "The other: ledger file or http(s):// node URL")->required();
  cmd->add_option("--vkey", args->vkeys, "Verify nodes' checkpoints with this key (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: nodes' checkpoints must meet its quorum of witnesses");
  cmd->add_option("--timeout", args->timeout,
                  "Seconds each request to a node may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--format", args->format,
                  "How to show the entries of a log that serves only tlog-tiles: raw (default) "
                  "or record");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunCompare(*args); }; });
}

}  // namespace vellum::cli
