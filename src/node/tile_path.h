// C2SP tlog-tiles resource paths: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], with N
// written in groups of three digits, all but the last prefixed by "x" (1234067 -> x001/x234/067).
#ifndef VELLUM_NODE_TILE_PATH_H_
#define VELLUM_NODE_TILE_PATH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vellum/error.h"
#include "vellum/hash.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace vellum::node {

struct TilePath {
  bool entries = false;  // an entry bundle rather than a hash tile
  uint8_t level = 0;     // hash tiles only
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // kTileWidth (256) for a full tile, 1..255 for a partial one
  bool full() const { return width == kTileWidth; }
};

// Parses what follows "/tile/". Only the canonical encoding is accepted.
[[nodiscard]] Result<TilePath> ParseTilePath(std::string_view path);
// "x001/x234/067"
std::string EncodeTileIndex(uint64_t index);
// What follows "/tile/" for `tile`.
std::string FormatTilePath(const TilePath& tile);

// Entry bundles: each entry as a big-endian uint16 length, then its bytes.
// Appends one entry (at most kMaxEntrySize bytes) to `bundle`.
void AppendBundleEntry(Bytes& bundle, std::span<const uint8_t> entry);
// The entry bundle of entries [bundle * 256, bundle * 256 + width) of `ledger`, each entry
// encoded as it is hashed. kNotFound if the ledger does not have them all yet.
[[nodiscard]] Result<Bytes> ReadEntryBundle(Ledger& ledger, uint64_t bundle, uint32_t width);
// Splits a bundle that must hold exactly `count` entries; names what is wrong with it otherwise.
[[nodiscard]] Result<std::vector<Bytes>> ParseEntryBundle(std::span<const uint8_t> bundle,
                                                          uint64_t count);

}  // namespace vellum::node

#endif  // VELLUM_NODE_TILE_PATH_H_
