// vellum log LEDGER [--limit N] [--from I] [--json]: entries, newest last.
#include <iostream>

#include "cli/cli.h"

namespace vellum::cli {
namespace {

struct LogArgs {
  std::string path;
  uint64_t limit = 20;
  std::optional<uint64_t> from;
  bool json = false;
};

int RunLog(const LogArgs& args) {
  auto ledger = OpenLedger(args.path, true);
  if (!ledger) return ReportError(ledger.error());
  auto head = (*ledger)->GetHead();
  if (!head) return ReportError(head.error());
  // Without --from, show the last `limit` entries.
  const uint64_t begin = args.from.value_or(head->size > args.limit ? head->size - args.limit : 0);
  if (begin > head->size) {
    return ReportError("--from " + std::to_string(begin) + " is beyond the ledger's size " +
                       std::to_string(head->size));
  }
  const uint64_t end = begin + std::min(args.limit, head->size - begin);
  // Streamed a chunk at a time, so memory stays flat however many entries are listed; JSON is
  // written as it goes: {"size": N, "entries": [...]}.
  if (args.json) std::cout << "{\"size\": " << head->size << ", \"entries\": [";
  bool first = true;
  for (uint64_t at = begin; at < end; at += 10000) {
    auto entries = (*ledger)->GetRange(at, std::min(end, at + 10000));
    if (!entries) {
      if (args.json) std::cout << "]}\n" << std::flush;
      return ReportError(entries.error());
    }
    for (const Entry& e : *entries) {
      if (args.json) {
        std::cout << (first ? "\n  " : ",\n  ")
                  << EntryJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        first = false;
        continue;
      }
      std::cout << e.index << "  ";
      if (e.time_ms) std::cout << FormatTime(*e.time_ms) << "  ";
      std::cout << ToHex(e.leaf_hash).substr(0, 12) << "  " << ShowPayload(e.payload, 72) << "\n";
    }
  }
  if (args.json) {
    std::cout << (first ? "]}\n" : "\n]}\n");
  } else if (begin == end) {
    std::cout << "(no entries; the ledger has " << head->size << ")\n";
  }
  return kExitOk;
}

}  // namespace

void AddLog(CLI::App& app, Action& action) {
  auto args = std::make_shared<LogArgs>();
  CLI::App* cmd = app.add_subcommand("log", "List entries, newest last");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("--limit,-n", args->limit, "How many entries (default 20)")->check(Unsigned());
  cmd->add_option("--from", args->from, "First index to show (default: the last --limit)")
      ->check(Unsigned());
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunLog(*args); }; });
}

}  // namespace vellum::cli
