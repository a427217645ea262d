// vellum witness init STATE --name NAME   make a witness: its state file and cosigner key
// vellum witness key STATE                print its verifier key (for policies and logs)
// vellum witness status STATE             what it cosigned last per log, what it refused
//
// A witness answers logs through `vellum serve LEDGER --witness STATE --witness-log VKEY`.
#include <unistd.h>

#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct WitnessArgs {
  std::string state, name, key_file;
  size_t limit = 10;
  bool json = false;
};

std::string KeyPath(const WitnessArgs& args) {
  return args.key_file.empty() ? args.state + ".key" : args.key_file;
}

int RunInit(const WitnessArgs& args) {
  auto key = SignerKey::Generate(args.name, KeyType::kCosignature);
  if (!key) {
    return ReportError("--name: " + key.error().message() +
                       " (a witness is named by a schema-less URL, e.g. example.com/witness)");
  }
  if (access(KeyPath(args).c_str(), F_OK) == 0) {
    return ReportError(KeyPath(args) + " exists; a witness key is never replaced");
  }
  if (auto ok = Witness::Create(args.state); !ok) return ReportError(ok.error());
  if (auto ok = WriteKeyFile(KeyPath(args), *key); !ok) {
    unlink(args.state.c_str());
    return ReportError(ok.error().message() + " (so the new state file was removed again)");
  }
  const std::string vkey = key->verifier().ToString();
  if (args.json) {
    PrintJson({{"state", args.state}, {"key_file", KeyPath(args)}, {"verifier_key", vkey}});
  } else {
    std::cout << "created witness " << args.name << ": state " << args.state << ", private key "
              << KeyPath(args) << " (keep it secret)\nverifier key: " << vkey << "\n";
  }
  return kExitOk;
}

int RunKey(const WitnessArgs& args) {
  auto key = ReadKeyFile(KeyPath(args));
  if (!key) return ReportError(key.error());
  if (args.json) {
    PrintJson({{"name", key->name()}, {"verifier_key", key->verifier().ToString()}});
  } else {
    std::cout << key->verifier().ToString() << "\n";
  }
  return kExitOk;
}

int RunStatus(const WitnessArgs& args) {
  auto key = ReadKeyFile(KeyPath(args));
  if (!key) return ReportError(key.error());
  auto witness = Witness::Open(args.state, std::move(*key), {});
  if (!witness) return ReportError(witness.error());
  auto logs = (*witness)->Logs();
  if (!logs) return ReportError(logs.error());
  auto refusals = (*witness)->Refusals(args.limit);
  if (!refusals) return ReportError(refusals.error());
  if (args.json) {
    nlohmann::json doc = {{"verifier_key", (*witness)->key().verifier().ToString()},
                          {"logs", nlohmann::json::array()},
                          {"refusals", nlohmann::json::array()}};
    for (const WitnessedLog& log : *logs) {
      doc["logs"].push_back({{"origin", log.origin},
                             {"size", log.size},
                             {"root", ToHex(log.root)},
                             {"time", log.time},
                             {"checkpoint", log.checkpoint}});
    }
    for (const WitnessRefusal& r : *refusals) {
      doc["refusals"].push_back({{"origin", r.origin},
                                 {"status", r.status},
                                 {"reason", r.reason},
                                 {"time", r.time},
                                 {"request", r.request}});
    }
    PrintJson(doc);
    return kExitOk;
  }
  std::cout << "witness " << (*witness)->key().name() << "\n";
  if (logs->empty()) std::cout << "  has cosigned nothing yet\n";
  for (const WitnessedLog& log : *logs) {
    std::cout << "  " << Printable(log.origin) << ": cosigned size " << log.size << " (root "
              << ToHex(log.root) << ")\n";
  }
  if (!refusals->empty()) {
    std::cout << "refused requests kept as evidence (newest first):\n";
    for (const WitnessRefusal& r : *refusals) {
      std::cout << "  " << Printable(r.origin) << ": " << r.status << " " << Printable(r.reason)
                << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddWitness(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "witness", "A C2SP tlog-witness: make one, print its key, show what it cosigned");
  cmd->require_subcommand(1);
  auto add = [&](const char* name, const char* help, int (*run)(const WitnessArgs&)) {
    auto args = std::make_shared<WitnessArgs>();
    CLI::App* sub = cmd->add_subcommand(name, help);
    sub->add_option("state", args->state, "Witness state file")->required();
    sub->add_option("--key", args->key_file, "Private key file (default STATE.key)");
    sub->add_flag("--json", args->json, "Print JSON");
    sub->callback([args, run, &action] { action = [args, run] { return run(*args); }; });
    return std::pair{sub, args};
  };
  auto [init, init_args] =
      add("init", "Make a witness: a state file and a cosigner key (STATE.key)", &RunInit);
  init->add_option("--name", init_args->name,
                   "The witness's name: a schema-less URL, e.g. example.com/witness")
      ->required();
  add("key", "Print the witness's verifier key", &RunKey);
  auto [status, status_args] =
      add("status", "What the witness cosigned last per log, and what it refused", &RunStatus);
  status->add_option("--limit", status_args->limit, "Refusals to show (default 10)");
}

}  // namespace vellum::cli
