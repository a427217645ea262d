// JSON documents shared by the HTTP API and the command line: entries, proofs, append requests.
// doc/protocol.md describes them.
#ifndef VELLUM_NODE_API_JSON_H_
#define VELLUM_NODE_API_JSON_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vellum/ledger.h"

namespace vellum::node {

// Milliseconds since the epoch as ISO-8601 UTC with milliseconds: 2026-11-25T11:00:00.000Z.
std::string FormatTime(int64_t ms);

// {"index", "leaf_hash", "ts", "time", "data" (text payloads), "data_hex"}
nlohmann::json EntryJson(const Entry& entry);

// The proof documents `vellum prove --json`, `GET /v1/proof/...` and `vellum verify-proof` use.
// Sizes default to the head.
Result<nlohmann::json> InclusionDoc(Ledger& ledger, uint64_t index, std::optional<uint64_t> size);
Result<nlohmann::json> ConsistencyDoc(Ledger& ledger, uint64_t old_size,
                                      std::optional<uint64_t> new_size);

inline constexpr size_t kMaxEntriesPerRequest = 10000;

// An append request body: {"entries": [ENTRY, ...]} or a single ENTRY, where ENTRY is
// {"data": "text"} or {"data_hex": "..."}, with an optional "time" (ms, record format).
Result<std::vector<NewEntry>> ParseAppendBody(std::string_view body);

}  // namespace vellum::node

#endif  // VELLUM_NODE_API_JSON_H_
