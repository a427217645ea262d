#include "node/api_json.h"

#include <time.h>

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
  if (j.contains("time")) {
    if (!j["time"].is_number_integer()) {
      return Fail(ErrorCode::kInvalidArgument, where + ": time must be integer milliseconds");
    }
    entry.time_ms = j["time"].get<int64_t>();
  }
  return entry;
}

}  // namespace

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
    j["ts"] = *entry.time_ms;
    j["time"] = FormatTime(*entry.time_ms);
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
