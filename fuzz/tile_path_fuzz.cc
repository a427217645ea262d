// tlog-tiles resource paths. Properties: parsing never crashes; every path that parses is the
// one canonical path of its tile, so two different URLs never name the same tile.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "node/tile_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto tile = vellum::node::ParseTilePath(input);
  if (!tile) return 0;
  FUZZ_CHECK(tile->width >= 1 && tile->width <= 256);
  FUZZ_CHECK(!tile->entries || tile->level == 0);
  FUZZ_CHECK(tile->level < 64);
  FUZZ_CHECK(vellum::node::FormatTilePath(*tile) == input);
  return 0;
}
