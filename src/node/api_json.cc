#include "node/api_json.h"

#include <time.h>

#include <charconv>
#include <climits>
#include <cstdio>

#include "storage/entries.h"

namespace vellum::node {
namespace {

nlohmann::json HexList(const std::vector<Hash>& hashes) {
  nlohmann::json list = nlohmann::json::array();
  for (const Hash& h : hashes) list.push_back(ToHex(h));
  return list;
}

Result<NewEntry> ParseEntry(const nlohmann::json& j, size_t n) {
  const std::string where = "entry " + std::to_string(n);
  if (!j.is_object()) return Fail(ErrorCode::kInvalidArgument, where + " is not an object");
  NewEntry entry;
  const bool text = j.contains("data"), hex = j.contains("data_hex");
  if (text == hex) {
    return Fail(ErrorCode::kInvalidArgument, where + " needs exactly one of data or data_hex");
  }
  const auto& value = text ? j["data"] : j["data_hex"];
  if (!value.is_string()) {
    return Fail(ErrorCode::kInvalidArgument, where + ": data must be a string");
  }
  if (text) {
    entry.payload = ToBytes(value.get<std::string>());
  } else {
    auto bytes = FromHex(value.get<std::string>());
    if (!bytes) return Fail(ErrorCode::kInvalidArgument, where + ": " + bytes.error().message());
    entry.payload = std::move(*bytes);
  }
  if (j.contains("time") && j.contains("time_ms")) {
    return Fail(ErrorCode::kInvalidArgument, where + ": give time or time_ms, not both");
  }
  if (j.contains("time")) {
    if (!j["time"].is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + ": time must be ISO-8601 UTC text like \"2026-11-25T10:00:00Z\"; "
                          "for milliseconds use time_ms");
    }
    auto t = ParseTime(j["time"].get<std::string>());
    if (!t) return Fail(ErrorCode::kInvalidArgument, where + ": " + t.error().message());
    entry.time_ms = *t;
  } else if (j.contains("time_ms")) {
    const auto& t = j["time_ms"];
    if (!t.is_number_integer() || (t.is_number_unsigned() && t.get<uint64_t>() > INT64_MAX) ||
        t.get<int64_t>() < kMinTimeMs || t.get<int64_t>() > kMaxTimeMs) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + ": time_ms must be integer milliseconds since the epoch between " +
                      std::to_string(kMinTimeMs) + " and " + std::to_string(kMaxTimeMs));
    }
    entry.time_ms = t.get<int64_t>();
  }
  return entry;
}

}  // namespace

Result<int64_t> ParseTime(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                "bad time " + quoted + ": " + why +
                    "; give UTC like 2026-11-25T10:00:00.000Z or milliseconds since the epoch");
  };
  if (text.find('T') == std::string_view::npos) {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return bad("not a number");
    }
    if (ms < kMinTimeMs || ms > kMaxTimeMs) return bad("outside the years 0001 to 9999");
    if (text.size() == 10 && ms > 0) {
      return bad("this looks like seconds, not milliseconds (append 000 if it is seconds)");
    }
    return ms;
  }
  const std::string s(text);
  struct tm tm = {};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return bad("not YYYY-MM-DDTHH:MM:SS");
  int64_t ms = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 3) ms = ms * 10 + (*rest - '0');
    }
    if (digits == 0) return bad("no digits after the '.'");
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (std::string_view(rest) != "Z") return bad("it must end in Z (UTC)");
  struct tm given = tm;
  const time_t secs = timegm(&tm);  // normalizes: 2026-02-30 becomes 2026-03-02
  if (tm.tm_year != given.tm_year || tm.tm_mon != given.tm_mon || tm.tm_mday != given.tm_mday ||
      tm.tm_hour != given.tm_hour || tm.tm_min != given.tm_min || tm.tm_sec != given.tm_sec) {
    return bad("no such date or time");
  }
  const int64_t total = static_cast<int64_t>(secs) * 1000 + ms;
  if (tm.tm_year + 1900 < 1 || total < kMinTimeMs || total > kMaxTimeMs) {
    return bad("outside the years 0001 to 9999");
  }
  return total;
}

std::string FormatTime(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int64_t frac = ms - static_cast<int64_t>(secs) * 1000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

nlohmann::json EntryJson(const Entry& entry) {
  nlohmann::json j = {{"index", entry.index}, {"leaf_hash", ToHex(entry.leaf_hash)}};
  if (entry.time_ms) {
    j["time"] = FormatTime(*entry.time_ms);
    j["time_ms"] = *entry.time_ms;
  }
  if (storage::IsPlainText(entry.payload)) {
    j["data"] = std::string(entry.payload.begin(), entry.payload.end());
  }
  j["data_hex"] = ToHex(entry.payload);
  return j;
}

Result<nlohmann::json> InclusionDoc(Ledger& ledger, uint64_t index, std::optional<uint64_t> size) {
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  const uint64_t n = size.value_or(head->size);
  auto proof = ledger.InclusionProof(index, n);
  if (!proof) return std::unexpected(proof.error());
  auto entry = ledger.Get(index);
  if (!entry) return std::unexpected(entry.error());
  auto root = ledger.RootAt(n);
  if (!root) return std::unexpected(root.error());
  return nlohmann::json{{"type", "inclusion"}, {"origin", ledger.origin()},
                        {"format", std::string(EntryFormatName(ledger.format()))},
                        {"index", index},      {"size", n},
                        {"leaf_hash", ToHex(entry->leaf_hash)},
                        {"root", ToHex(*root)}, {"proof", HexList(*proof)}};
}

Result<nlohmann::json> ConsistencyDoc(Ledger& ledger, uint64_t old_size,
                                      std::optional<uint64_t> new_size) {
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  const uint64_t n = new_size.value_or(head->size);
  auto proof = ledger.ConsistencyProof(old_size, n);
  if (!proof) return std::unexpected(proof.error());
  auto old_root = ledger.RootAt(old_size);
  if (!old_root) return std::unexpected(old_root.error());
  auto new_root = ledger.RootAt(n);
  if (!new_root) return std::unexpected(new_root.error());
  return nlohmann::json{{"type", "consistency"},        {"origin", ledger.origin()},
                        {"old_size", old_size},         {"new_size", n},
                        {"old_root", ToHex(*old_root)}, {"new_root", ToHex(*new_root)},
                        {"proof", HexList(*proof)}};
}

Result<std::vector<NewEntry>> ParseAppendBody(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Fail(ErrorCode::kInvalidArgument, "request body is not JSON");
  std::vector<NewEntry> out;
  if (doc.is_object() && doc.contains("entries")) {
    const auto& list = doc["entries"];
    if (!list.is_array() || list.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "entries must be a non-empty list");
    }
    if (list.size() > kMaxEntriesPerRequest) {
      return Fail(ErrorCode::kInvalidArgument, "at most 10000 entries per request");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      auto entry = ParseEntry(list[i], i);
      if (!entry) return std::unexpected(entry.error());
      out.push_back(std::move(*entry));
    }
    return out;
  }
  auto entry = ParseEntry(doc, 0);
  if (!entry) return std::unexpected(entry.error());
  out.push_back(std::move(*entry));
  return out;
}

}  // namespace vellum::node
