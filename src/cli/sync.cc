// vellum sync LEDGER --from URL --vkey KEY: mirror a node's signed history into LEDGER (created
// when missing), verifying everything before writing anything.
#include "node/sync.h"

#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct SyncArgs {
  std::string path, from, vkey, format, policy;
  bool json = false;
  int timeout = 30;
};

int RunSync(const SyncArgs& args) {
  if (auto ok = RefuseNodeUrl(args.path); !ok) return ReportError(ok.error());
  auto keys = ParseVerifierKeys({args.vkey});
  if (!keys) return ReportUsage(keys.error().message());
  std::optional<EntryFormat> format;
  if (!args.format.empty()) {
    auto parsed = ParseEntryFormat(args.format);
    if (!parsed) return ReportUsage("--format: " + parsed.error().message());
    format = *parsed;
  }
  auto policy = ReadPolicy(args.policy);
  if (!policy) return ReportUsage(policy.error().message());
  auto upstream =
      node::OpenView(args.from, *keys, {.deadline_ms = args.timeout * 1000, .policy = *policy});
  if (!upstream) return ReportError(upstream.error());
  Result<node::SyncResult> result;
  {
    Progress progress("syncing");
    result = node::SyncInto(args.path, **upstream, (*keys)[0].ToString(), format,
                            [&](uint64_t done, uint64_t total) { progress.Update(done, total); });
  }
  if (!result) return ReportError(result.error());
  if (args.json) {
    PrintJson({{"old_size", result->old_size},
               {"new_size", result->new_size},
               {"root", ToHex(result->root)}});
  } else if (result->new_size == result->old_size) {
    std::cout << "up to date: " << Entries(result->new_size) << "\n";
  } else {
    std::cout << "synced " << Entries(result->new_size - result->old_size) << " ("
              << result->old_size << " -> " << result->new_size << "), verified against "
              << args.from << "'s signed checkpoint\n";
  }
  return kExitOk;
}

}  // namespace

void AddSync(CLI::App& app, Action& action) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* cmd = app.add_subcommand("sync", "Mirror a node's signed history into a ledger");
  cmd->add_option("ledger", args->path, "Local mirror ledger (created when missing)")->required();
  cmd->add_option("--from", args->from, "Upstream node URL (or ledger file)")->required();
  cmd->add_option("--vkey", args->vkey, "The upstream's verifier key")->required();
  cmd->add_option("--format", args->format,
                  "Entry format of a new mirror: record (default) or raw; the upstream must agree");
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: sync only to checkpoints its quorum of witnesses "
                  "cosigned");
  cmd->add_option("--timeout", args->timeout,
                  "Seconds each request to a node may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunSync(*args); }; });
}

}  // namespace vellum::cli
