// The JSON body of POST /v1/entries. Properties: parsing never crashes or throws; what it accepts
// is within the documented limits, and every entry is one the ledger can hold.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "node/api_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
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
