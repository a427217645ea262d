// The JSON documents vellum reads from outside: the body of POST /v1/entries, and a peer's
// proof documents (/v1/proof/...) and entries (/v1/entries/<i>). Properties: parsing never
// crashes or throws (a peer chooses every type, and an exception in a node's watcher thread
// ended the process); what an append body gives is within the documented limits, and every
// entry is one the ledger can hold.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "node/api_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto doc = vellum::node::ParseJson(input, "input")) {
    if (auto proof = vellum::node::ParseProofDocument(*doc); !proof) {
      FUZZ_CHECK(!proof.error().message().empty());
    }
    if (auto entry = vellum::node::ParseEntryJson(*doc)) {
      FUZZ_CHECK(entry->payload.size() <= input.size());
    }
    (void)vellum::node::TextField(*doc, "format");
    (void)vellum::node::FlagField(*doc, "node_set");
  }
  auto entries = vellum::node::ParseAppendBody(input);
  if (!entries) {
    FUZZ_CHECK(!entries.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(!entries->empty());
  FUZZ_CHECK(entries->size() <= vellum::node::kMaxEntriesPerRequest);
  for (const vellum::NewEntry& entry : *entries) {
    FUZZ_CHECK(entry.payload.size() <= vellum::kMaxEntrySize);
  }
  return 0;
}
