#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "node/ledger_view.h"
#include "vellum/witness.h"

namespace vellum::cli {

namespace {

bool json_errors = false;

int Report(std::string_view code, const std::string& message, int exit_code) {
  if (json_errors) {
    const nlohmann::json doc = {{"error", {{"code", code}, {"message", message}}}};
    std::cerr << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cerr << "vellum: " << Printable(message) << "\n";
  }
  return exit_code;
}

}  // namespace

void SetJsonErrors(bool json) { json_errors = json; }

int ReportError(const Error& error) {
  return Report(ErrorCodeName(error.code()), error.message(), kExitError);
}

int ReportError(const std::string& message) { return Report("error", message, kExitError); }

int ReportUsage(const std::string& message) { return Report("usage", message, kExitUsage); }

CLI::Validator Unsigned() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
          return "'" + text + "' is not a number from 0 to 18446744073709551615";
        }
        return "";
      },
      "UINT");
}

Result<void> RefuseNodeUrl(const std::string& path) {
  if (!node::IsNodeUrl(path)) return {};
  return Fail(ErrorCode::kInvalidArgument,
              path + " is a node's URL, and this command works on a ledger file. For a node: " +
                  "`vellum status`, `compare`, `network`; for a copy of its ledger: `vellum " +
                  "sync FILE --from URL`; to append to it: POST /v1/entries (doc/protocol.md)");
}

Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& path, bool read_only) {
  if (auto ok = RefuseNodeUrl(path); !ok) return std::unexpected(ok.error());
  auto ledger = Ledger::Open(path, {.read_only = read_only, .on_lock_wait = [path] {
                                      std::cerr << "vellum: " << path
                                                << " is locked by another process; waiting up to "
                                                   "10 s\n";
                                    }});
  if (!ledger && ledger.error().code() == ErrorCode::kInvalidArgument &&
      Witness::IsStateFile(path)) {
    return Fail(ErrorCode::kInvalidArgument,
                path + " is a witness's state file, not a ledger ('vellum witness status " + path +
                    "' shows what it cosigned)");
  }
  return ledger;
}

Result<SignerKey> ReadLedgerKey(const std::string& ledger, const std::string& key_file) {
  auto key = ReadKeyFile(key_file.empty() ? DefaultKeyPath(ledger) : key_file);
  if (!key && key_file.empty() && key.error().code() == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kNotFound, key.error().message() + " (give the key with --key FILE)");
  }
  return key;
}

namespace {

// Up to `max_bytes` + 1 bytes of `in`: one more than allowed says the input is too large.
std::string ReadAtMost(std::istream& in, size_t max_bytes) {
  std::string content;
  char buffer[1 << 16];
  while (content.size() <= max_bytes && in.read(buffer, sizeof(buffer)).gcount() > 0) {
    content.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (content.size() > max_bytes + 1) content.resize(max_bytes + 1);
  return content;
}

Error TooLarge(const std::string& name, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument,
               name + " is larger than " + std::string(what) +
                   (name == "stdin" ? ": is it the right input?" : ": is it the right file?"));
}

}  // namespace

Result<std::string> ReadFile(const std::string& file, size_t max_bytes, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return Fail(ErrorCode::kInvalidArgument, file + " is a directory; give a file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Fail(std::filesystem::exists(file, ec) ? ErrorCode::kIoError : ErrorCode::kNotFound,
                "cannot read " + file + ": " + std::strerror(errno));
  }
  std::string content = ReadAtMost(in, max_bytes);
  if (in.bad()) return Fail(ErrorCode::kIoError, "error reading " + file);
  if (content.size() > max_bytes) return std::unexpected(TooLarge(file, what));
  return content;
}

Result<std::string> ReadInput(const std::string& file, size_t max_bytes, std::string_view what) {
  std::string content;
  if (file != "-") {
    auto read = ReadFile(file, max_bytes, what);
    if (!read) return read;
    content = std::move(*read);
  } else {
    content = ReadAtMost(std::cin, max_bytes);
    if (auto ok = CheckStdinRead(); !ok) return std::unexpected(ok.error());
    if (content.size() > max_bytes) return std::unexpected(TooLarge("stdin", what));
  }
  if (content.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                file == "-" ? "stdin held nothing; give the document as a file, or pipe it in"
                            : file + " is empty");
  }
  return content;
}

Result<void> CheckStdinRead() {
  // std::cin reads through C stdio (nothing turns the sync off), which keeps the read's error.
  if (std::cin.bad() || std::ferror(stdin)) {
    return Fail(ErrorCode::kIoError, std::string("cannot read stdin: ") + std::strerror(errno));
  }
  return {};
}

Result<std::vector<VerifierKey>> ParseVerifierKeys(const std::vector<std::string>& texts) {
  std::vector<VerifierKey> keys;
  for (const std::string& text : texts) {
    auto key = VerifierKey::Parse(text);
    if (!key) return Fail(ErrorCode::kInvalidArgument, "--vkey: " + key.error().message());
    if (key->type() != KeyType::kNote) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--vkey " + key->name() +
                      " is a witness's cosigner key; give the log's key (a witness goes in a "
                      "--policy file)");
    }
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return Fail(ErrorCode::kInvalidArgument, "give the verifier key with --vkey");
  return keys;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                "--listen '" + listen + "': " + why + "; give HOST:PORT, e.g. 127.0.0.1:8001 " +
                    "(port 0: any free one; host 0.0.0.0: every interface)");
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return bad("no port");
  const std::string host = listen.substr(0, colon), digits = listen.substr(colon + 1);
  const int port = digits.empty() || digits.size() > 5 ||
                           digits.find_first_not_of("0123456789") != std::string::npos
                       ? -1
                       : std::stoi(digits);
  if (port < 0 || port > 65535) return bad("the port must be a number from 0 to 65535");
  if (host.empty()) return bad("no host");
  if (host.find(':') != std::string::npos && !(host.starts_with('[') && host.ends_with(']'))) {
    return bad("an IPv6 address goes in brackets, as in [::1]:8001");
  }
  return std::pair{host, port};
}

Result<std::shared_ptr<const Policy>> ReadPolicy(const std::string& file) {
  if (file.empty()) return nullptr;
  auto text = ReadFile(file, kMaxDocumentSize, "any policy (4 MiB)");
  if (!text) return std::unexpected(text.error());
  auto policy = Policy::Parse(*text);
  if (!policy) {
    return Fail(ErrorCode::kInvalidArgument, "--policy " + file + ": " + policy.error().message());
  }
  return std::make_shared<const Policy>(std::move(*policy));
}

std::string ShowPayload(const Bytes& payload, size_t max_chars) {
  bool printable = IsPlainText(payload);
  for (uint8_t c : payload) printable = printable && (c >= 0x20 || c == '\t');
  if (printable) {
    std::string text(payload.begin(), payload.end());
    if (text.size() > max_chars) {
      size_t cut = max_chars;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      text = text.substr(0, cut) + "...";
    }
    return Printable(text);
  }
  std::string hex = ToHex(std::span(payload).first(std::min<size_t>(payload.size(), 16)));
  return "<" + std::to_string(payload.size()) + " bytes: " + hex +
         (payload.size() > 16 ? "...>" : ">");
}

void PrintJson(const nlohmann::json& doc) {
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

Progress::Progress(std::string label) : label_(std::move(label)), enabled_(isatty(2) == 1) {}

Progress::~Progress() { Clear(); }

void Progress::Clear() {
  if (shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  shown_ = true;
  const int pct = total ? static_cast<int>(done * 100 / total) : 100;
  std::cerr << "\r" << label_ << " " << done << "/" << total << " (" << pct << "%)" << std::flush;
}

}  // namespace vellum::cli
