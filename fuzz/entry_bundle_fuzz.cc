// tlog-tiles entry bundles, as a mirror reads them from a peer. The first byte says how many
// entries the bundle must hold (1..256); the rest is the bundle. Properties: parsing never
// crashes or over-reads; a bundle that parses is exactly the encoding of what it parsed to.
#include <cstdint>
#include <span>

#include "fuzz/fuzz_check.h"
#include "node/tile_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint64_t count = uint64_t{data[0]} + 1;
  const std::span<const uint8_t> bundle(data + 1, size - 1);
  auto entries = vellum::node::ParseEntryBundle(bundle, count);
  if (!entries) return 0;
  FUZZ_CHECK(entries->size() == count);
  vellum::Bytes again;
  for (const vellum::Bytes& entry : *entries) vellum::node::AppendBundleEntry(again, entry);
  FUZZ_CHECK(std::equal(again.begin(), again.end(), bundle.begin(), bundle.end()));
  return 0;
}
