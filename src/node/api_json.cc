#include "node/api_json.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdio>
#include <utility>

#include "vellum/merkle.h"

namespace vellum::node {
namespace {

nlohmann::json HexList(const std::vector<Hash>& hashes) {
  nlohmann::json list = nlohmann::json::array();
  for (const Hash& h : hashes) list.push_back(ToHex(h));
  return list;
}

// A key for a message, quoted: its first 40 bytes (not cutting a UTF-8 sequence) and "..." if
// there is more.
std::string QuotedKey(const std::string& key) {
  size_t end = std::min<size_t>(key.size(), 40);
  while (end > 0 && end < key.size() && (static_cast<unsigned char>(key[end]) & 0xC0) == 0x80) {
    --end;  // key[end] continues a sequence that began before it
  }
  return "'" + key.substr(0, end) + (end < key.size() ? "...'" : "'");
}

[[nodiscard]] Result<NewEntry> ParseEntry(const nlohmann::json& j, size_t n) {
  const std::string where = "entry " + std::to_string(n);
  if (!j.is_object()) return Fail(ErrorCode::kInvalidArgument, where + " is not an object");
  // A misspelt field would otherwise be dropped unseen ("tmie": the entry would get now).
  for (const auto& [key, value] : j.items()) {
    if (key != "data" && key != "data_hex" && key != "time" && key != "time_ms") {
      return Fail(ErrorCode::kInvalidArgument,
                  where + " has an unknown field " + QuotedKey(key) +
                      "; an entry has data or data_hex, and may have time or time_ms");
    }
  }
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
                  where +
                      ": time must be ISO-8601 UTC text like \"2026-11-25T10:00:00Z\"; "
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

std::string TextField(const nlohmann::json& json, const char* key, std::string fallback) {
  if (!json.is_object()) return fallback;
  const auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool FlagField(const nlohmann::json& json, const char* key) {
  if (!json.is_object()) return false;
  const auto it = json.find(key);
  return it != json.end() && it->is_boolean() && it->get<bool>();
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what) {
  // The keys of the objects being parsed, outermost first; `starts` says where each object's
  // keys begin (one vector for the document, not one per object).
  std::vector<std::string> keys;
  std::vector<size_t> starts;
  std::optional<std::string> twice;
  auto on_event = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      starts.push_back(keys.size());
    } else if (event == Event::object_end) {
      if (!starts.empty()) {
        keys.resize(starts.back());
        starts.pop_back();
      }
    } else if (event == Event::key && !starts.empty() && !twice) {
      const std::string& key = parsed.get_ref<const std::string&>();
      const auto mine = keys.begin() + static_cast<std::ptrdiff_t>(starts.back());
      if (std::find(mine, keys.end(), key) != keys.end()) {
        twice = key;
      } else {
        keys.push_back(key);
      }
    }
    return true;
  };
  auto doc = nlohmann::json::parse(text, on_event, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + " is not JSON");
  if (twice) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + " names the key " +
                                                 QuotedKey(*twice) +
                                                 " twice in one object; give each key once");
  }
  return doc;
}

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
  if (IsPlainText(entry.payload)) {
    j["data"] = std::string(entry.payload.begin(), entry.payload.end());
  }
  j["data_hex"] = ToHex(entry.payload);
  return j;
}

Result<NewEntry> ParseEntryJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("data_hex") || !json["data_hex"].is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "an entry needs a 'data_hex' string");
  }
  auto payload = FromHex(json["data_hex"].get<std::string>());
  if (!payload) return Fail(ErrorCode::kInvalidArgument, "data_hex: " + payload.error().message());
  NewEntry entry{.payload = std::move(*payload)};
  if (json.contains("time_ms")) {
    if (!json["time_ms"].is_number_integer()) {
      return Fail(ErrorCode::kInvalidArgument, "time_ms must be an integer");
    }
    entry.time_ms = json["time_ms"].get<int64_t>();
  }
  return entry;
}

Result<ProofDocument> InclusionDoc(Ledger& ledger, uint64_t index, std::optional<uint64_t> size) {
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  ProofDocument doc;
  doc.origin = ledger.origin();
  doc.format = ledger.format();
  doc.index = index;
  doc.size = size.value_or(head->size);
  auto proof = ledger.InclusionProof(index, doc.size);
  if (!proof) return std::unexpected(proof.error());
  doc.proof = std::move(*proof);
  auto entry = ledger.Get(index);
  if (!entry) return std::unexpected(entry.error());
  doc.leaf_hash = entry->leaf_hash;
  auto root = ledger.RootAt(doc.size);
  if (!root) return std::unexpected(root.error());
  doc.root = *root;
  return doc;
}

Result<ProofDocument> ConsistencyDoc(Ledger& ledger, uint64_t old_size,
                                     std::optional<uint64_t> new_size) {
  auto head = ledger.GetHead();
  if (!head) return std::unexpected(head.error());
  ProofDocument doc;
  doc.type = ProofDocument::Type::kConsistency;
  doc.origin = ledger.origin();
  doc.old_size = old_size;
  doc.new_size = new_size.value_or(head->size);
  auto proof = ledger.ConsistencyProof(old_size, doc.new_size);
  if (!proof) return std::unexpected(proof.error());
  doc.proof = std::move(*proof);
  auto old_root = ledger.RootAt(old_size);
  if (!old_root) return std::unexpected(old_root.error());
  doc.old_root = *old_root;
  auto new_root = ledger.RootAt(doc.new_size);
  if (!new_root) return std::unexpected(new_root.error());
  doc.new_root = *new_root;
  return doc;
}

nlohmann::json ProofDocumentJson(const ProofDocument& doc) {
  nlohmann::json j = {{"origin", doc.origin}, {"proof", HexList(doc.proof)}};
  auto put_hash = [&j](const char* name, const std::optional<Hash>& h) {
    if (h) j[name] = ToHex(*h);
  };
  if (doc.type == ProofDocument::Type::kInclusion) {
    j["type"] = "inclusion";
    if (doc.format) j["format"] = std::string(EntryFormatName(*doc.format));
    j["index"] = doc.index;
    j["size"] = doc.size;
    put_hash("leaf_hash", doc.leaf_hash);
    put_hash("root", doc.root);
  } else {
    j["type"] = "consistency";
    j["old_size"] = doc.old_size;
    j["new_size"] = doc.new_size;
    put_hash("old_root", doc.old_root);
    put_hash("new_root", doc.new_root);
  }
  return j;
}

namespace {

[[nodiscard]] Result<uint64_t> ProofField(const nlohmann::json& doc, const char* name) {
  if (!doc.contains(name) || !doc[name].is_number_unsigned()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("proof document needs a non-negative integer '") + name + "'");
  }
  return doc[name].get<uint64_t>();
}

// An optional claimed hash: absent is fine, malformed is not.
[[nodiscard]] Result<std::optional<Hash>> ClaimedHash(const nlohmann::json& doc, const char* name) {
  if (!doc.contains(name)) return std::nullopt;
  const auto& value = doc[name];
  auto hash = value.is_string() ? HashFromHex(value.get<std::string>())
                                : Fail(ErrorCode::kInvalidArgument, "not a string");
  if (!hash) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("proof document '") + name + "': " + hash.error().message());
  }
  return *hash;
}

[[nodiscard]] Result<std::vector<Hash>> ProofHashes(const nlohmann::json& doc) {
  if (!doc.contains("proof") || !doc["proof"].is_array()) {
    return Fail(ErrorCode::kInvalidArgument, "proof document needs a 'proof' list of hex hashes");
  }
  std::vector<Bytes> raw;
  for (const auto& h : doc["proof"]) {
    if (!h.is_string()) return Fail(ErrorCode::kInvalidArgument, "proof hashes must be strings");
    auto bytes = FromHex(h.get<std::string>());
    if (!bytes) return Fail(ErrorCode::kInvalidArgument, "proof hash: " + bytes.error().message());
    raw.push_back(std::move(*bytes));
  }
  return merkle::ProofFromBytes(raw);
}

}  // namespace

Result<ProofDocument> ParseProofDocument(const nlohmann::json& json) {
  if (!json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "proof document is not a JSON object");
  }
  ProofDocument doc;
  auto proof = ProofHashes(json);
  if (!proof) return std::unexpected(proof.error());
  doc.proof = std::move(*proof);
  if (json.contains("origin") && json["origin"].is_string()) {
    doc.origin = json["origin"].get<std::string>();
  }
  const std::string type = TextField(json, "type");
  if (type != "inclusion" && type != "consistency") {
    return Fail(ErrorCode::kInvalidArgument,
                "proof document 'type' must be \"inclusion\" or \"consistency\"");
  }
  const bool inclusion = type == "inclusion";
  if (!inclusion) doc.type = ProofDocument::Type::kConsistency;
  auto a = ProofField(json, inclusion ? "index" : "old_size");
  auto b = ProofField(json, inclusion ? "size" : "new_size");
  if (!a) return std::unexpected(a.error());
  if (!b) return std::unexpected(b.error());
  (inclusion ? doc.index : doc.old_size) = *a;
  (inclusion ? doc.size : doc.new_size) = *b;
  auto hash_a = ClaimedHash(json, inclusion ? "leaf_hash" : "old_root");
  auto hash_b = ClaimedHash(json, inclusion ? "root" : "new_root");
  if (!hash_a) return std::unexpected(hash_a.error());
  if (!hash_b) return std::unexpected(hash_b.error());
  (inclusion ? doc.leaf_hash : doc.old_root) = *hash_a;
  (inclusion ? doc.root : doc.new_root) = *hash_b;
  if (inclusion && json.contains("format") && json["format"].is_string()) {
    auto format = ParseEntryFormat(json["format"].get<std::string>());
    if (!format) return std::unexpected(format.error());
    doc.format = *format;
  }
  return doc;
}

Result<std::vector<NewEntry>> ParseAppendBody(std::string_view body) {
  auto parsed = ParseJson(body, "request body");
  if (!parsed) return std::unexpected(parsed.error());
  const nlohmann::json& doc = *parsed;
  std::vector<NewEntry> out;
  if (doc.is_object() && doc.contains("entries")) {
    if (doc.size() > 1) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a body with entries has no other field: put each entry in the list");
    }
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
  if (!doc.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("the body is a JSON ") + doc.type_name() +
                    "; give an object: {\"data\": ...} or {\"data_hex\": ...} for one entry, "
                    "{\"entries\": [...]} for several");
  }
  auto entry = ParseEntry(doc, 0);
  if (!entry) return std::unexpected(entry.error());
  out.push_back(std::move(*entry));
  return out;
}

}  // namespace vellum::node
