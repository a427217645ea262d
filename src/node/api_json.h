// JSON documents shared by the HTTP API and the command line: entries, proofs, append requests.
// doc/protocol.md describes them.
#ifndef VELLUM_NODE_API_JSON_H_
#define VELLUM_NODE_API_JSON_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vellum/ledger.h"

namespace vellum::node {

// Parses JSON text as nlohmann::json does, and refuses an object that names a key twice: parsers
// disagree on which value wins (nlohmann keeps the last, others the first), so a body a proxy
// checked could append something else. kInvalidArgument naming the key, or saying the text is
// not JSON; `what` names the text in that message ("request body").
[[nodiscard]] Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what);

// Fields of a JSON document from outside (a peer's answer), read without throwing: nlohmann's
// value() throws when the key holds another type, which a peer chooses. TextField is
// `fallback` unless `json` is an object whose `key` holds a string; FlagField is true only if
// it holds true.
std::string TextField(const nlohmann::json& json, const char* key, std::string fallback = "");
bool FlagField(const nlohmann::json& json, const char* key);

// Milliseconds since the epoch as ISO-8601 UTC with milliseconds: 2026-11-25T11:00:00.000Z.
std::string FormatTime(int64_t ms);

// Times in vellum's JSON (doc/json.md): "time" is ISO-8601 UTC, "time_ms" the same instant as
// integer milliseconds since the epoch. Accepted: years 0001 to 9999 (kMinTimeMs, kMaxTimeMs).

// Parses a time a person gave: ISO-8601 UTC ("2026-11-25T10:00:00Z", optional .mmm) or integer
// milliseconds since the epoch. Refuses impossible dates (2026-02-30, second 60), times out of
// range, and a 10-digit number, which is seconds mistaken for milliseconds.
[[nodiscard]] Result<int64_t> ParseTime(std::string_view text);

// {"index", "leaf_hash", "time", "time_ms", "data" (text payloads), "data_hex"}
nlohmann::json EntryJson(const Entry& entry);
// The payload ("data_hex") and time ("time_ms", when present) of an EntryJson document; the
// other fields repeat these or are claims a reader recomputes (the leaf hash).
[[nodiscard]] Result<NewEntry> ParseEntryJson(const nlohmann::json& json);

// A proof document (doc/protocol.md): what `vellum prove --json` prints, `GET /v1/proof/...`
// answers and `vellum verify-proof` reads. Only the proof hashes and the sizes (and index) mean
// anything to a verifier; the roots, leaf hash, origin and format are what the writer claims.
struct ProofDocument {
  enum class Type { kInclusion, kConsistency };
  Type type = Type::kInclusion;
  std::string origin;
  std::vector<Hash> proof;
  // kInclusion
  std::optional<EntryFormat> format;
  uint64_t index = 0, size = 0;
  std::optional<Hash> leaf_hash, root;
  // kConsistency
  uint64_t old_size = 0, new_size = 0;
  std::optional<Hash> old_root, new_root;
};
nlohmann::json ProofDocumentJson(const ProofDocument& doc);
// Reads a proof document; kInvalidArgument naming the field that is missing or malformed.
[[nodiscard]] Result<ProofDocument> ParseProofDocument(const nlohmann::json& json);

// The proof documents of `ledger`; sizes default to the head.
[[nodiscard]] Result<ProofDocument> InclusionDoc(Ledger& ledger, uint64_t index,
                                                 std::optional<uint64_t> size);
[[nodiscard]] Result<ProofDocument> ConsistencyDoc(Ledger& ledger, uint64_t old_size,
                                                   std::optional<uint64_t> new_size);

inline constexpr size_t kMaxEntriesPerRequest = 10000;

// An append request body: {"entries": [ENTRY, ...]} or a single ENTRY, where ENTRY is
// {"data": "text"} or {"data_hex": "..."}, with an optional time (record format): "time" as
// ISO-8601 UTC or "time_ms" as integer milliseconds.
[[nodiscard]] Result<std::vector<NewEntry>> ParseAppendBody(std::string_view body);

}  // namespace vellum::node

#endif  // VELLUM_NODE_API_JSON_H_
