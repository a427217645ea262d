// vellum append LEDGER (ENTRY... | --stdin | --file F...) [--hex] [--time T] [--batch N]
//
// All input is read and checked before anything is written, so bad input leaves the ledger as
// it was. Large inputs are then appended in batches, one transaction each.
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "cli/cli.h"
#include "common/plural.h"

namespace vellum::cli {
namespace {

struct AppendArgs {
  std::string path;
  std::vector<std::string> entries, files;
  bool from_stdin = false, hex = false, json = false;
  std::string time;
  size_t batch = 1000;
};

[[nodiscard]] Result<Bytes> Decode(const std::string& text, bool hex, const std::string& where) {
  if (!hex) return ToBytes(text);
  auto bytes = FromHex(text);
  if (!bytes) return Fail(ErrorCode::kInvalidArgument, where + ": " + bytes.error().message());
  return bytes;
}

Result<std::vector<NewEntry>> ReadEntries(const AppendArgs& args, std::optional<int64_t> time) {
  std::vector<NewEntry> out;
  auto add = [&](Result<Bytes> payload) -> Result<void> {
    if (!payload) return std::unexpected(payload.error());
    out.push_back({std::move(*payload), time});
    return {};
  };
  for (size_t i = 0; i < args.entries.size(); ++i) {
    auto ok = add(Decode(args.entries[i], args.hex, "argument " + std::to_string(i + 1)));
    if (!ok) return std::unexpected(ok.error());
  }
  // An entry's bytes, as hex with --hex, and a line ending: nothing longer is an entry.
  const size_t max_text = (args.hex ? 2 : 1) * kMaxEntrySize + 2;
  const std::string too_long = "an entry may be (" + std::to_string(kMaxEntrySize) + " bytes" +
                               (args.hex ? ", in hex" : "") + ")";
  for (const auto& file : args.files) {
    auto content = ReadFile(file, max_text, too_long);
    if (!content) return std::unexpected(content.error());
    if (auto ok = add(Decode(*content, args.hex, file)); !ok) return std::unexpected(ok.error());
  }
  if (args.from_stdin) {
    // A line is read into a buffer of its largest size: a longer one (a file with no line
    // breaks, /dev/zero) is refused there, not gathered whole.
    std::vector<char> buffer(max_text + 1);
    for (uint64_t n = 1;; ++n) {
      std::cin.getline(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      if (std::cin.fail() && !std::cin.eof()) {
        if (std::cin.bad()) break;  // CheckStdinRead says so
        return Fail(ErrorCode::kInvalidArgument,
                    "stdin line " + std::to_string(n) + " is longer than " + too_long);
      }
      const auto got = static_cast<size_t>(std::cin.gcount());
      if (got == 0 && std::cin.eof()) break;
      // gcount counts the '\n' taken out, unless the input ended without one.
      std::string line(buffer.data(), std::cin.eof() ? got : got - 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto ok = add(Decode(line, args.hex, "stdin line " + std::to_string(n)));
      if (!ok) return std::unexpected(ok.error());
    }
    if (auto ok = CheckStdinRead(); !ok) return std::unexpected(ok.error());
    if (out.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "nothing to append: stdin held no lines (an empty line is an empty entry)");
    }
  }
  if (out.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "nothing to append: give entries as arguments, --stdin or --file");
  }
  return out;
}

int RunAppend(const AppendArgs& args) {
  const int sources = !args.entries.empty() + !args.files.empty() + args.from_stdin;
  if (sources > 1) {
    return ReportUsage("give entries one way: as arguments, with --file, or with --stdin");
  }
  std::optional<int64_t> time;
  if (!args.time.empty()) {
    auto t = ParseTime(args.time);
    if (!t) return ReportUsage("--time: " + t.error().message());
    time = *t;
  }
  auto entries = ReadEntries(args, time);
  if (!entries) {
    return entries.error().code() == ErrorCode::kInvalidArgument
               ? ReportUsage(entries.error().message())
               : ReportError(entries.error());
  }
  auto ledger = OpenLedger(args.path, false);
  if (!ledger) return ReportError(ledger.error());
  if (auto ok = (*ledger)->Validate(*entries); !ok) return ReportError(ok.error());

  std::optional<uint64_t> first;
  size_t done = 0;
  Progress progress("appending");
  const size_t batch = std::max<size_t>(args.batch, 1);
  while (done < entries->size()) {
    const size_t n = std::min(batch, entries->size() - done);
    auto index = (*ledger)->AppendBatch(std::span(*entries).subspan(done, n));
    if (!index) {
      progress.Clear();
      if (done == 0) return ReportError(index.error());
      ReportError(index.error());
      return ReportError(std::to_string(done) + " of " + std::to_string(entries->size()) +
                         " entries were appended before the failure");
    }
    if (!first) first = *index;
    done += n;
    progress.Update(done, entries->size());
  }
  progress.Clear();
  auto head = (*ledger)->GetHead();
  if (!head) return ReportError(head.error());
  if (args.json) {
    PrintJson({{"first_index", *first},
               {"count", done},
               {"size", head->size},
               {"root", ToHex(head->root)}});
  } else if (done == 1) {
    std::cout << "appended entry " << *first << "; size " << head->size << ", root "
              << ToHex(head->root) << "\n";
  } else {
    std::cout << "appended " << Entries(done) << " (" << *first << ".." << *first + done - 1
              << "); size " << head->size << ", root " << ToHex(head->root) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddAppend(CLI::App& app, Action& action) {
  auto args = std::make_shared<AppendArgs>();
  CLI::App* cmd = app.add_subcommand("append", "Append entries to a ledger");
  cmd->add_option("ledger", args->path, "Ledger file")->required();
  cmd->add_option("entries", args->entries, "Entries to append, one per argument");
  cmd->add_flag("--stdin", args->from_stdin, "Read entries from stdin, one per line");
  cmd->add_option("--file", args->files, "Append each FILE's whole content as one entry, in order");
  cmd->add_flag("--hex", args->hex, "Entries are given in hex");
  cmd->add_option("--time", args->time,
                  "Time of the entries (ms since the epoch or ISO-8601 UTC); default now");
  cmd->add_option("--batch", args->batch, "Entries per transaction for large inputs")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args, &action] { action = [args] { return RunAppend(*args); }; });
}

}  // namespace vellum::cli
