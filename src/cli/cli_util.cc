#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "storage/entries.h"

namespace vellum::cli {

int ReportError(const Error& error) { return ReportError(error.message()); }

int ReportError(const std::string& message) {
  std::cerr << "vellum: " << message << "\n";
  return kExitError;
}

Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& path, bool read_only) {
  return Ledger::Open(path, {.read_only = read_only});
}

Result<SignerKey> ReadLedgerKey(const std::string& ledger, const std::string& key_file) {
  auto key = ReadKeyFile(key_file.empty() ? DefaultKeyPath(ledger) : key_file);
  if (!key && key_file.empty() && key.error().code() == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kNotFound, key.error().message() + " (give the key with --key FILE)");
  }
  return key;
}

Result<std::string> ReadInput(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<std::vector<VerifierKey>> ParseVerifierKeys(const std::vector<std::string>& texts) {
  std::vector<VerifierKey> keys;
  for (const std::string& text : texts) {
    auto key = VerifierKey::Parse(text);
    if (!key) return Fail(ErrorCode::kInvalidArgument, "--vkey: " + key.error().message());
    keys.push_back(std::move(*key));
  }
  if (keys.empty()) return Fail(ErrorCode::kInvalidArgument, "give the verifier key with --vkey");
  return keys;
}

Result<int64_t> ParseTime(const std::string& text) {
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                "bad time '" + text +
                    "': give milliseconds since the epoch or UTC like 2026-11-25T10:00:00.000Z");
  };
  if (text.empty()) return bad();
  if (text.find('T') == std::string::npos) {
    size_t used = 0;
    try {
      int64_t ms = std::stoll(text, &used);
      if (used != text.size()) return bad();
      return ms;
    } catch (const std::exception&) {
      return bad();
    }
  }
  struct tm tm = {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return bad();
  int64_t ms = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 3) ms = ms * 10 + (*rest - '0');
    }
    if (digits == 0) return bad();
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (std::string(rest) != "Z") return bad();
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string ShowPayload(const Bytes& payload, size_t max_chars) {
  bool printable = storage::IsPlainText(payload);
  for (uint8_t c : payload) printable = printable && (c >= 0x20 || c == '\t');
  if (printable) {
    std::string text(payload.begin(), payload.end());
    if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
    return text;
  }
  std::string hex = ToHex(std::span(payload).first(std::min<size_t>(payload.size(), 16)));
  return "<" + std::to_string(payload.size()) + " bytes: " + hex +
         (payload.size() > 16 ? "...>" : ">");
}

void PrintJson(const nlohmann::json& doc) {
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

Progress::Progress(std::string label) : label_(std::move(label)), enabled_(isatty(2) == 1) {}

Progress::~Progress() {
  if (shown_) std::cerr << "\r\033[K" << std::flush;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  shown_ = true;
  const int pct = total ? static_cast<int>(done * 100 / total) : 100;
  std::cerr << "\r" << label_ << " " << done << "/" << total << " (" << pct << "%)" << std::flush;
}

}  // namespace vellum::cli
