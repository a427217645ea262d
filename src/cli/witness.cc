// vellum witness init STATE --name NAME   make a witness: its state file and cosigner key
// vellum witness key STATE                print its verifier key (for policies and logs)
// vellum witness status STATE             what it cosigned last per log, what it refused
// vellum witness serve STATE --log VKEY... answer logs over HTTP (C2SP tlog-witness)
//
// A node can be a witness too: `vellum serve LEDGER --witness STATE --witness-log VKEY`.
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>

#include "cli/cli.h"
#include "cli/serve_util.h"
#include "node/ledger_view.h"
#include "node/witness_server.h"

namespace vellum::cli {
namespace {

struct WitnessArgs {
  std::string state, name, key_file;
  size_t limit = 10;
  bool json = false;
  // serve
  std::vector<std::string> logs;
  std::string listen = "127.0.0.1:0", log_format = "text";
  int io_timeout = 10;
  size_t max_connections = 4096;
};

std::string KeyPath(const WitnessArgs& args) {
  return args.key_file.empty() ? args.state + ".key" : args.key_file;
}

// Reported when STATE is not there, before its key is looked for (which would name STATE.key).
std::optional<int> MissingState(const WitnessArgs& args) {
  if (access(args.state.c_str(), F_OK) == 0) return std::nullopt;
  return ReportError(args.state + " does not exist; make a witness with 'vellum witness init " +
                     args.state + " --name NAME'");
}

int RunInit(const WitnessArgs& args) {
  auto key = SignerKey::Generate(args.name, KeyType::kCosignature);
  if (!key) return ReportError("--name: " + key.error().message());
  // The state first: an existing one (a ledger, say) is the thing to name.
  if (access(args.state.c_str(), F_OK) == 0) {
    return ReportError(args.state +
                       " exists; a witness state file is never replaced (nothing "
                       "was created)");
  }
  if (access(KeyPath(args).c_str(), F_OK) == 0) {
    return ReportError(KeyPath(args) +
                       " exists; a witness key is never replaced: move it away, or give --key "
                       "FILE for the new key (nothing was created)");
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
  if (args.key_file.empty()) {
    if (auto missing = MissingState(args)) return *missing;
  }
  auto key = ReadKeyFile(KeyPath(args));
  if (!key) return ReportError(key.error());
  if (key->type() != KeyType::kCosignature) {
    return ReportError(KeyPath(args) + " is a log's signing key, not a witness's cosigner key" +
                       " (`vellum key LEDGER` prints a log's verifier key)");
  }
  if (args.json) {
    PrintJson({{"name", key->name()}, {"verifier_key", key->verifier().ToString()}});
  } else {
    std::cout << key->verifier().ToString() << "\n";
  }
  return kExitOk;
}

int RunStatus(const WitnessArgs& args) {
  if (auto missing = MissingState(args)) return *missing;
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

int RunServe(const WitnessArgs& args) {
  const sigset_t signals = BlockStopSignals();
  if (args.logs.empty()) {
    return ReportUsage("a witness needs the logs it witnesses: --log VKEY (repeatable)");
  }
  if (auto missing = MissingState(args)) return *missing;
  std::vector<WitnessedLogKey> logs;
  for (const std::string& text : args.logs) {
    auto log = ParseWitnessedLogKey(text);
    if (!log) return ReportUsage("--log: " + log.error().message());
    logs.push_back(std::move(*log));
  }
  auto listen = ParseListen(args.listen);
  if (!listen) return ReportUsage(listen.error().message());
  const auto& [host, port] = *listen;
  auto log_format = node::EventLog::ParseFormat(args.log_format);
  if (!log_format) return ReportUsage("--log-format: " + log_format.error().message());
  auto key = ReadKeyFile(KeyPath(args));
  if (!key) return ReportError(key.error());
  auto witness = Witness::Open(args.state, std::move(*key), std::move(logs));
  if (!witness) return ReportError(witness.error());
  net::ServerLimits limits;
  limits.header_timeout_ms = args.io_timeout * 1000;
  limits.body_timeout_ms = limits.write_timeout_ms = 3 * args.io_timeout * 1000;
  limits.max_connections = args.max_connections;
  limits.max_body_bytes = kMaxNoteSize + 8192;  // a checkpoint and a proof
  const std::string name = (*witness)->key().name();
  auto server = node::WitnessServer::Create(std::move(*witness), limits, *log_format, stderr);
  if (!server) return ReportError(server.error());
  auto bound = (*server)->Bind(host, port);
  if (!bound) return ReportError(bound.error());
  const std::string url = node::LocalUrl(false, host, *bound);
  return ServeUntilSignalled(**server, signals, *bound,
                             [&] {
                               (*server)->log().Event("start",
                                                      "witness " + name + " answering POST " + url +
                                                          "/add-checkpoint" + EveryInterface(host),
                                                      {{"state", args.state}, {"url", url}});
                             },
                             args.state, {{"state", args.state}});
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
  auto [serve, serve_args] =
      add("serve", "Answer logs' add-checkpoint requests over HTTP (C2SP tlog-witness)", &RunServe);
  serve
      ->add_option("--log", serve_args->logs,
                   "A log to witness: its verifier key, or ORIGIN=VKEY when the key is not named "
                   "after the origin (repeatable)")
      ->allow_extra_args(false);
  serve->add_option("--listen", serve_args->listen, "HOST:PORT to listen on; port 0 picks one");
  serve
      ->add_option("--io-timeout", serve_args->io_timeout,
                   "Seconds a client has to send a request's headers (3x that for a body)")
      ->check(CLI::Range(1, 600));
  serve
      ->add_option("--max-connections", serve_args->max_connections,
                   "Open connections at most (default 4096)")
      ->check(CLI::Range(1, 1000000));
  serve->add_option("--log-format", serve_args->log_format,
                    "How it says what it does on stderr: text (default) or json");
}

}  // namespace vellum::cli
