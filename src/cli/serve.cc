// vellum serve LEDGER [--listen HOST:PORT] [--token-file F] [--key F] [--tls-cert F --tls-key F]
//
// Prints the chosen port alone on the first line of stdout, then serves until SIGTERM or
// SIGINT, which let in-flight requests finish and close the ledger cleanly.
#include <signal.h>

#include <functional>
#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "cli/serve_util.h"
#include "common/plural.h"
#include "node/ledger_view.h"
#include "node/node.h"
#include "node/node_set.h"
#include "node/sync.h"
#include "node/token.h"

namespace vellum::cli {
namespace {

struct ServeArgs {
  std::string path, listen = "127.0.0.1:0", token_file, key, tls_cert, tls_key;
  bool no_group_commit = false;
  int io_timeout = 10;
  int peer_timeout = 30;
  int threads = 0;
  size_t max_connections = 4096, max_per_address = 256;
  std::string upstream, upstream_vkey, format, log_format = "text";
  std::vector<std::string> peers, peer_vkeys, allowed_hosts;
  int poll_interval_ms = 1000;
  std::string publish_dir;
  std::string dir;
  std::string witness, witness_key, policy;
  std::vector<std::string> witness_logs;
  bool require_quorum = false;
};

// The ledger to serve: for a mirror, created from the upstream when it does not exist yet.
[[nodiscard]] Result<std::unique_ptr<Ledger>> OpenServed(const ServeArgs& args) {
  if (args.upstream.empty()) return OpenLedger(args.path, false);
  if (auto ok = RefuseNodeUrl(args.path); !ok) return std::unexpected(ok.error());
  if (args.upstream_vkey.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "--upstream needs --upstream-vkey");
  }
  auto vkey = VerifierKey::Parse(args.upstream_vkey);
  if (!vkey) return Fail(ErrorCode::kInvalidArgument, "--upstream-vkey: " + vkey.error().message());
  std::optional<EntryFormat> format;
  if (!args.format.empty()) {
    auto parsed = ParseEntryFormat(args.format);
    if (!parsed) return Fail(ErrorCode::kInvalidArgument, "--format: " + parsed.error().message());
    format = *parsed;
  }
  auto view = node::OpenView(args.upstream, {*vkey}, {.deadline_ms = args.peer_timeout * 1000});
  if (!view) return std::unexpected(view.error());
  return node::OpenOrCreateMirror(args.path, **view, vkey->ToString(), format);
}

// The node's options from the command line (the listen address already parsed).
Result<node::ServeOptions> OptionsFromArgs(const ServeArgs& args) {
  auto listen = ParseListen(args.listen);
  if (!listen) return std::unexpected(listen.error());
  auto log_format = node::EventLog::ParseFormat(args.log_format);
  if (!log_format) {
    return Fail(ErrorCode::kInvalidArgument, "--log-format: " + log_format.error().message());
  }
  if (!args.format.empty() && args.upstream.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--format chooses a new mirror's format: it goes with --upstream");
  }
  node::ServeOptions options;
  std::tie(options.host, options.port) = *listen;
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.group_commit = !args.no_group_commit;
  options.log_format = *log_format;
  options.limits.header_timeout_ms = args.io_timeout * 1000;
  options.limits.body_timeout_ms = 3 * args.io_timeout * 1000;
  options.limits.write_timeout_ms = 3 * args.io_timeout * 1000;
  options.limits.max_connections = args.max_connections;
  options.limits.max_connections_per_address = args.max_per_address;
  options.peer_timeout_ms = args.peer_timeout * 1000;
  options.limits.threads = args.threads;
  options.upstream = args.upstream;
  options.peers = args.peers;
  options.extra_vkeys = args.peer_vkeys;
  options.poll_interval_ms = args.poll_interval_ms;
  options.allowed_hosts = args.allowed_hosts;
  options.publish_dir = args.publish_dir;
  options.log_to = stderr;
  auto policy = ReadPolicy(args.policy);
  if (!policy) return std::unexpected(policy.error());
  options.policy = std::move(*policy);
  options.require_quorum = args.require_quorum;
  if (args.witness.empty() && (!args.witness_logs.empty() || !args.witness_key.empty())) {
    return Fail(ErrorCode::kInvalidArgument,
                "--witness-log and --witness-key go with --witness STATE");
  }
  if (!args.witness.empty()) {
    if (args.witness_logs.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--witness needs the logs it witnesses: --witness-log VKEY (repeatable)");
    }
    std::vector<WitnessedLogKey> logs;
    for (const std::string& text : args.witness_logs) {
      auto log = ParseWitnessedLogKey(text);
      if (!log) return Fail(ErrorCode::kInvalidArgument, "--witness-log: " + log.error().message());
      logs.push_back(std::move(*log));
    }
    auto key = ReadKeyFile(args.witness_key.empty() ? args.witness + ".key" : args.witness_key);
    if (!key) return std::unexpected(key.error());
    auto witness = Witness::Open(args.witness, std::move(*key), std::move(logs));
    if (!witness) return std::unexpected(witness.error());
    options.witness = std::move(*witness);
  }
  return options;
}

// Where this machine reaches the node.
std::string ServedUrl(const ServeArgs& args, const node::ServeOptions& options, int port) {
  return node::LocalUrl(!args.tls_cert.empty(), options.host, port);
}

// The "start" event: where the node serves what, and how to write to it.
void LogStart(node::Node& node, const ServeArgs& args, const node::ServeOptions& options, int port,
              const std::string& origin, uint64_t size, const std::optional<node::Token>& token) {
  const std::string url = ServedUrl(args, options, port);
  nlohmann::json fields = {{"ledger", args.path},
                           {"url", url},
                           {"origin", origin},
                           {"size", size},
                           {"role", args.upstream.empty() ? "writer" : "mirror"}};
  std::string message = "serving " + args.path + " (" + origin + ", " + Entries(size) + ") on " +
                        url + EveryInterface(options.host);
  if (token) {
    fields["token_file"] = token->path;
    message += "; writes need Authorization: Bearer <the token in " + token->path + ">" +
               (token->created ? " (made now)" : "");
  } else {
    message += "; a mirror of " + args.upstream + ", it takes no writes";
  }
  node.log().Event("start", message, std::move(fields));
}

// `serve --dir DIR`: every ledger in the folder, one port (node/node_set.h).
int RunServeDir(const ServeArgs& args, const node::ServeOptions& options, sigset_t signals) {
  for (const auto& [given, flag] : {std::pair{!args.upstream.empty(), "--upstream"},
                                    {!args.peers.empty(), "--peer"},
                                    {!args.publish_dir.empty(), "--publish"},
                                    {!args.key.empty(), "--key"},
                                    {!args.token_file.empty(), "--token-file"},
                                    {!args.format.empty(), "--format"}}) {
    if (given) {
      return ReportUsage(std::string(flag) +
                         " serves one ledger; with --dir each ledger has its own key and token "
                         "beside it (NAME.db.key, NAME.db.token)");
    }
  }
  auto set = node::NodeSet::Create({.dir = args.dir, .serve = options});
  if (!set) return ReportError(set.error());
  auto port = (*set)->Bind();
  if (!port) return ReportError(port.error());
  const std::string url = ServedUrl(args, options, *port);
  return ServeUntilSignalled(**set, signals, *port,
                             [&] {
                               (*set)->log().Event(
                                   "start",
                                   "serving the ledgers in " + args.dir + " on " + url +
                                       EveryInterface(options.host) + " (" +
                                       std::to_string((*set)->Names().size()) +
                                       " now; GET /v1/ledgers lists them, each under /NAME/)",
                                   {{"dir", args.dir}, {"url", url}});
                             },
                             args.dir, {{"dir", args.dir}});
}

int RunServe(const ServeArgs& args) {
  const sigset_t signals = BlockStopSignals();
  if (args.path.empty() == args.dir.empty()) {
    return ReportUsage("serve needs a LEDGER file or --dir DIR (a folder of ledgers), not both");
  }
  auto options = OptionsFromArgs(args);
  if (!options) {
    return options.error().code() == ErrorCode::kInvalidArgument
               ? ReportUsage(options.error().message())
               : ReportError(options.error());
  }
  if (!args.dir.empty()) return RunServeDir(args, *options, signals);
  auto ledger = OpenServed(args);
  if (!ledger) return ReportError(ledger.error());
  std::optional<node::Token> token;
  if (args.upstream.empty()) {  // a mirror takes no writes
    auto loaded = node::LoadOrCreateToken(args.path, args.token_file);
    if (!loaded) return ReportError(loaded.error());
    token = std::move(*loaded);
    options->token = token->value;
  }
  std::optional<SignerKey> key;
  if (args.upstream.empty() && !(*ledger)->verifier_key().empty()) {
    auto read = ReadLedgerKey(args.path, args.key);
    if (!read) return ReportError(read.error());
    key = std::move(*read);
  }
  const std::string origin = (*ledger)->origin();
  const uint64_t size = (*ledger)->GetHead().value_or(Head{}).size;
  auto node = node::Node::Create(std::move(*ledger), std::move(key), *options);
  if (!node) return ReportError(node.error());
  auto port = (*node)->Bind();
  if (!port) return ReportError(port.error());
  return ServeUntilSignalled(**node, signals, *port,
                             [&] { LogStart(**node, args, *options, *port, origin, size, token); },
                             args.path, {{"ledger", args.path}});
}

}  // namespace

void AddServe(CLI::App& app, Action& action) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve a ledger over HTTP (tlog-tiles and /v1/)");
  cmd->add_option("ledger", args->path, "Ledger file");
  cmd->add_option("--dir", args->dir,
                  "Serve every ledger in this folder (NAME.db under /NAME/; new ones are found "
                  "while serving) instead of one LEDGER");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks one");
  cmd->add_option("--token-file", args->token_file,
                  "File with the bearer token for writes (default LEDGER.token, made if missing)");
  cmd->add_option("--allow-host", args->allowed_hosts,
                  "Host name clients may write through, besides IP addresses (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--key", args->key, "Private key file for checkpoints (default LEDGER.key)");
  cmd->add_option("--tls-cert", args->tls_cert, "TLS certificate (PEM)");
  cmd->add_option("--tls-key", args->tls_key, "TLS private key (PEM)");
  cmd->add_option("--io-timeout", args->io_timeout,
                  "Seconds a client has to send a request's headers (3x that for a body)")
      ->check(CLI::Range(1, 600));
  cmd->add_option("--max-connections", args->max_connections,
                  "Open connections at most (default 4096)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-connections-per-address", args->max_per_address,
                  "Open connections from one client address at most (default 256)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--threads", args->threads,
                  "Threads serving connections (default: one per core, at least 2)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--peer-timeout", args->peer_timeout,
                  "Seconds each request to the upstream or a peer may take (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--upstream", args->upstream, "Mirror this node (URL); refuses direct appends");
  cmd->add_option("--upstream-vkey", args->upstream_vkey, "The upstream's verifier key");
  cmd->add_option("--format", args->format,
                  "Entry format of a new mirror: record (default) or raw; the upstream must agree");
  cmd->add_option("--peer", args->peers, "Watch this node (URL) for lag and forks (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--peer-vkey", args->peer_vkeys, "Also accept this key on peers' checkpoints")
      ->allow_extra_args(false);
  cmd->add_option("--poll-interval", args->poll_interval_ms, "Milliseconds between checks")
      ->check(CLI::Range(50, 3600000));
  cmd->add_option("--publish", args->publish_dir,
                  "Keep this folder a static tlog-tiles copy of the ledger (as `vellum publish`), "
                  "for any web server to serve");
  cmd->add_option("--log-format", args->log_format,
                  "How the node says what it does on stderr: text (default) or json");
  cmd->add_option("--witness", args->witness,
                  "Also be a C2SP tlog-witness (POST /add-checkpoint) with this state file "
                  "(`vellum witness init`)");
  cmd->add_option("--witness-key", args->witness_key,
                  "The witness's private key file (default STATE.key)");
  cmd->add_option("--witness-log", args->witness_logs,
                  "A log this witness cosigns: its verifier key, or ORIGIN=VKEY when the key is "
                  "not named after the log's origin (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--policy", args->policy,
                  "A C2SP tlog-policy file: a writer gathers cosignatures from its witnesses "
                  "(those with a URL); a mirror accepts only upstream checkpoints that meet it");
  cmd->add_flag("--require-quorum", args->require_quorum,
                "With --policy on a writer: serve only checkpoints cosigned by the quorum");
  cmd->add_flag("--no-group-commit", args->no_group_commit,
                "One transaction per append request (for comparison)");
  cmd->callback([args, &action] { action = [args] { return RunServe(*args); }; });
}

}  // namespace vellum::cli
