// Shared pieces of the `vellum` command line: command registration, error reporting, output
// helpers. Command files parse arguments, call the library and print; no ledger logic here.
#ifndef VELLUM_CLI_CLI_H_
#define VELLUM_CLI_CLI_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/printable.h"
#include "node/api_json.h"
#include "vellum/checkpoint.h"
#include "vellum/error.h"
#include "vellum/ledger.h"
#include "vellum/witness.h"

namespace vellum::cli {

// The action of the subcommand the user chose; returns the process exit code.
using Action = std::function<int()>;

// Each Add* registers one subcommand; when it is chosen, its callback stores the action.
void AddInit(CLI::App& app, Action& action);
void AddAppend(CLI::App& app, Action& action);
void AddGet(CLI::App& app, Action& action);
void AddLog(CLI::App& app, Action& action);
void AddRoot(CLI::App& app, Action& action);
void AddProve(CLI::App& app, Action& action);
void AddVerifyProof(CLI::App& app, Action& action);
void AddVerify(CLI::App& app, Action& action);
void AddKey(CLI::App& app, Action& action);
void AddCheckpoint(CLI::App& app, Action& action);
void AddVerifyCheckpoint(CLI::App& app, Action& action);
void AddServe(CLI::App& app, Action& action);
void AddCompare(CLI::App& app, Action& action);
void AddNetwork(CLI::App& app, Action& action);
void AddSync(CLI::App& app, Action& action);
void AddPublish(CLI::App& app, Action& action);
void AddStatus(CLI::App& app, Action& action);
void AddDemo(CLI::App& app, Action& action);
void AddWitness(CLI::App& app, Action& action);
void AddCosign(CLI::App& app, Action& action);

// Exit codes (doc/cli.md): the same for every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;   // the command could not do its job
inline constexpr int kExitUsage = 2;   // the command line is wrong; nothing was done
inline constexpr int kExitFailed = 3;  // a verification ran and failed, or a fork was found

// With --json anywhere on the command line, errors are printed as JSON documents too.
void SetJsonErrors(bool json);

// Prints "vellum: <message>" to stderr (or {"error": {"code", "message"}} with --json) and
// returns kExitError. Control characters in the message (it may quote a peer) are escaped.
int ReportError(const Error& error);
int ReportError(const std::string& message);
// The same for a wrong command line; returns kExitUsage.
int ReportUsage(const std::string& message);

// CLI11 check for counts, sizes and indexes: a decimal number from 0 to 2^64-1, no sign.
CLI::Validator Unsigned();

// kInvalidArgument, naming the commands that take one, when `path` is a node's URL and not a
// ledger file.
[[nodiscard]] Result<void> RefuseNodeUrl(const std::string& path);

// Opens a ledger (RefuseNodeUrl first), or says why not.
[[nodiscard]] Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& path, bool read_only);

// Where a ledger's private key lives unless told otherwise: "<ledger>.key".
inline std::string DefaultKeyPath(const std::string& ledger) { return ledger + ".key"; }

// Reads the ledger's private key from `key_file`, or from DefaultKeyPath(ledger) when empty;
// the error says how to point at the key when the default file is missing.
[[nodiscard]] Result<SignerKey> ReadLedgerKey(const std::string& ledger,
                                              const std::string& key_file);

// The most a document the CLI reads (a checkpoint, a proof, a receipt, a policy) may hold.
inline constexpr size_t kMaxDocumentSize = 4 << 20;

// Reads a whole file; a clear error for a missing file, a directory or an unreadable one, and
// kInvalidArgument, having read no more than `max_bytes` + 1, for one larger than `max_bytes`
// ("FILE is larger than `what`", e.g. "any checkpoint (4 MiB)").
[[nodiscard]] Result<std::string> ReadFile(const std::string& file,
                                           size_t max_bytes = kMaxDocumentSize,
                                           std::string_view what = "a document");
// ReadFile, or all of stdin for "-" (as bounded); kInvalidArgument when that is empty (every
// document read this way has something in it).
[[nodiscard]] Result<std::string> ReadInput(const std::string& file,
                                            size_t max_bytes = kMaxDocumentSize,
                                            std::string_view what = "a document");
// kIoError if reading stdin failed, rather than reached its end (stdin is a directory, say).
[[nodiscard]] Result<void> CheckStdinRead();

// --listen HOST:PORT, as (host, port); port 0 lets the system choose.
[[nodiscard]] Result<std::pair<std::string, int>> ParseListen(const std::string& listen);

// The tlog-policy file given with --policy; nullptr when `file` is "".
[[nodiscard]] Result<std::shared_ptr<const Policy>> ReadPolicy(const std::string& file);

// Parses verifier keys given on the command line.
[[nodiscard]] Result<std::vector<VerifierKey>> ParseVerifierKeys(
    const std::vector<std::string>& texts);

using node::EntryJson;
using node::FormatTime;
using node::ParseTime;

// Payload shown to people: the text if printable UTF-8, else "<N bytes: hex...>".
std::string ShowPayload(const Bytes& payload, size_t max_chars);

void PrintJson(const nlohmann::json& doc);

// A one-line progress indicator on stderr, shown only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  void Update(uint64_t done, uint64_t total);
  // Erases the line, before a result or an error is printed.
  void Clear();

 private:
  std::string label_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace vellum::cli

#endif  // VELLUM_CLI_CLI_H_
