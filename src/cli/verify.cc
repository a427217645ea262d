// vellum verify LEDGER [--json]: whole-file integrity check; exit 0 only if it all checks out.
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct VerifyArgs {
  std::string path;
  bool json = false;
};

int RunVerify(const VerifyArgs& args) {
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  Result<VerifyReport> report;
  {
    Progress progress("verifying");
    report =
        (*ledger)->Verify([&](uint64_t done, uint64_t total) { progress.Update(done, total); });
  }
  if (!report) return ReportError(report.error());
  auto head = (*ledger)->GetHead();
  if (args.json) {
    nlohmann::json j = {{"ok", report->ok},
                        {"size", report->size},
                        {"entries_checked", report->entries_checked},
                        {"problem", std::string(ProblemName(report->problem))},
                        {"message", report->message}};
    j["first_bad_index"] = report->first_bad_index ? nlohmann::json(*report->first_bad_index)
                                                   : nlohmann::json(nullptr);
    if (report->ok && head) j["root"] = ToHex(head->root);
    PrintJson(j);
  } else if (report->ok) {
    std::cout << "ok: " << Entries(report->entries_checked) << " verified";
    if (head) std::cout << ", root " << ToHex(head->root);
    std::cout << "\n";
  } else {
    std::cerr << "vellum: verification FAILED: " << report->message << "\n";
    if (report->first_bad_index) {
      std::cerr << "first bad index: " << *report->first_bad_index << " ("
                << ProblemName(report->problem) << ")\n";
    }
  }
  return report->ok ? kExitOk : kExitFailed;
}

}  // namespace

void AddVerify(CLI::App& app, Action& action) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand("verify", "Check the whole file: entries, tree and head");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunVerify(*args); }; });
}

}  // namespace vellum::cli
