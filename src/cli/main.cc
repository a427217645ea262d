// vellum: tamper-evident, append-only ledgers in SQLite.
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "cli/cli.h"

namespace {

// A command missing or unknown at any level ("vellum", "vellum foo", "vellum witness show"),
// which CLI11 reports only as "A subcommand is required".
std::optional<std::string> CommandProblem(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string words;  // the commands so far: "" or "witness"
  for (int i = 1; at->get_require_subcommand_min() > 0; ++i) {
    const std::string path = words.empty() ? "vellum" : "vellum " + words;
    if (i == argc) {
      if (words.empty()) return "give a command, e.g. 'vellum init'; 'vellum --help' lists them";
      return "give a command after '" + path + "'; '" + path + " --help' lists them";
    }
    const std::string word = argv[i];
    if (word.starts_with('-')) return std::nullopt;  // --help, --version, or CLI11's to report
    const std::function<bool(CLI::App*)> named = [&](CLI::App* c) { return c->check_name(word); };
    auto found = at->get_subcommands(named);
    if (found.empty()) {
      return "unknown command '" + (words.empty() ? word : words + " " + word) + "'; '" + path +
             " --help' lists the commands";
    }
    at = found.front();
    words = words.empty() ? word : words + " " + word;
  }
  return std::nullopt;
}

// Every command, in the order `vellum --help` lists them, by the name its Add function registers.
struct Command {
  std::string_view name;
  void (*add)(CLI::App&, vellum::cli::Action&);
};
constexpr Command kCommands[] = {
    {"init", vellum::cli::AddInit},
    {"append", vellum::cli::AddAppend},
    {"get", vellum::cli::AddGet},
    {"log", vellum::cli::AddLog},
    {"root", vellum::cli::AddRoot},
    {"prove", vellum::cli::AddProve},
    {"verify-proof", vellum::cli::AddVerifyProof},
    {"verify", vellum::cli::AddVerify},
    {"key", vellum::cli::AddKey},
    {"checkpoint", vellum::cli::AddCheckpoint},
    {"verify-checkpoint", vellum::cli::AddVerifyCheckpoint},
    {"serve", vellum::cli::AddServe},
    {"compare", vellum::cli::AddCompare},
    {"network", vellum::cli::AddNetwork},
    {"sync", vellum::cli::AddSync},
    {"publish", vellum::cli::AddPublish},
    {"status", vellum::cli::AddStatus},
    {"demo", vellum::cli::AddDemo},
    {"witness", vellum::cli::AddWitness},
    {"cosign", vellum::cli::AddCosign},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vellum: tamper-evident, append-only ledgers in SQLite files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vellum 0.1.0");
  vellum::cli::Action action;
  // Only the command named first is built when there is one: building all twenty, with every
  // option, was a third of what a short command cost to start (`vellum root` 15 against 10-11 ms
  // of CPU, under ASan 82 against 39-52). Anything else (--help, no command, an unknown one) gets
  // them all, to list or refuse.
  const Command* named = nullptr;
  for (const Command& command : kCommands) {
    if (argc > 1 && argv[1] == command.name) named = &command;
  }
  for (const Command& command : kCommands) {
    if (named == nullptr || named == &command) command.add(app, action);
  }
  bool json = false;
  for (int i = 1; i < argc; ++i) json = json || std::string_view(argv[i]) == "--json";
  vellum::cli::SetJsonErrors(json);
  if (auto problem = CommandProblem(app, argc, argv)) {
    return vellum::cli::ReportUsage(*problem);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage error (exit 2).
    if (e.get_exit_code() == 0 || !json) {
      const int code = app.exit(e);
      return code == 0 ? vellum::cli::kExitOk : vellum::cli::kExitUsage;
    }
    return vellum::cli::ReportUsage(e.what());
  }
  try {
    return action ? action() : vellum::cli::kExitError;
  } catch (const std::exception& e) {  // third-party exceptions stop at this boundary
    return vellum::cli::ReportError(std::string("unexpected error: ") + e.what());
  }
}
