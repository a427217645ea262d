// vellum cosign LEDGER --policy FILE: gather cosignatures for the ledger's newest checkpoint
// from the policy's witnesses (C2SP tlog-witness) and record the cosigned checkpoint in the
// ledger, for receipts (`prove --tlog-proof`) and for `publish`. A mirror's newest checkpoint
// is its upstream's: vellum so feeds witnesses for logs it did not write.
#include <iostream>

#include "cli/cli.h"
#include "common/plural.h"
#include "node/cosigner.h"

namespace vellum::cli {
namespace {

struct CosignArgs {
  std::string path, policy;
  int timeout = 30;
  bool json = false;
};

int RunCosign(const CosignArgs& args) {
  auto policy = ReadPolicy(args.policy);
  if (!policy) return ReportUsage(policy.error().message());
  if (!*policy) return ReportUsage("--policy is required: the witnesses to ask");
  auto ledger = OpenLedger(args.path, false);
  if (!ledger) return ReportError(ledger.error());
  auto note = (*ledger)->LatestCheckpoint();
  if (!note && note.error().code() != ErrorCode::kNotFound) return ReportError(note.error());
  if (!note) {
    return ReportError(args.path +
                       " has no signed checkpoint to cosign: sign one with `vellum "
                       "checkpoint`");
  }
  node::EventLog quiet(node::EventLog::Format::kText, nullptr);
  node::Cosigner cosigner(**ledger, *policy, args.timeout * 1000, nullptr, quiet);
  const std::string cosigned = cosigner.Gather(*note);
  auto parsed = ParseSignedNote(cosigned);
  if (!parsed) return ReportError(parsed.error());
  auto quorum = (*policy)->Quorum(*parsed);
  if (!quorum) return ReportError(quorum.error());
  auto body = ParseCheckpointBody(parsed->text);
  if (!body) return ReportError(body.error());
  if (cosigned != *note) {
    if (auto ok = (*ledger)->RecordCheckpoint(cosigned); !ok) return ReportError(ok.error());
  }
  const auto reports = cosigner.Reports();
  if (args.json) {
    nlohmann::json witnesses = nlohmann::json::array();
    for (const node::WitnessReport& w : reports) {
      witnesses.push_back({{"witness", w.name},
                           {"url", w.url},
                           {"cosigned", w.cosigned > 0},
                           {"error", w.last_error}});
    }
    PrintJson({{"size", body->size},
               {"cosigned_by", quorum->cosigned},
               {"missing", quorum->missing},
               {"quorum", quorum->met},
               {"witnesses", witnesses},
               {"checkpoint", cosigned}});
  } else {
    for (const node::WitnessReport& w : reports) {
      std::cout << Printable(w.name) << ": "
                << (w.cosigned > 0 ? "cosigned" : "did not cosign: " + Printable(w.last_error))
                << "\n";
    }
    std::cout << "checkpoint of " << Entries(body->size) << ": "
              << (quorum->met ? "the policy's quorum is met" : "the policy's quorum is NOT met")
              << (cosigned != *note ? "; recorded in " + args.path : "") << "\n";
    if (auto head = (*ledger)->GetHead(); head && head->size > body->size) {
      std::cerr << "vellum: note: " << args.path << " has " << Entries(head->size)
                << "; its newest checkpoint covers " << body->size << " (`vellum checkpoint "
                << args.path << "` signs one of them all, then cosign again)\n";
    }
  }
  if (!quorum->met) {
    std::string missing;
    for (const std::string& name : quorum->missing) missing += (missing.empty() ? "" : ", ") + name;
    return ReportError("no quorum: missing cosignatures by " + missing);
  }
  return kExitOk;
}

}  // namespace

void AddCosign(CLI::App& app, Action& action) {
  auto args = std::make_shared<CosignArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cosign", "Gather witnesses' cosignatures for the ledger's newest checkpoint");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: its witnesses with a URL are asked")
      ->required();
  cmd->add_option("--timeout", args->timeout, "Seconds each witness may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunCosign(*args); }; });
}

}  // namespace vellum::cli
