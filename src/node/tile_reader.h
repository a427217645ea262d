// Reading a log through its C2SP tlog-tiles resources alone (c2sp.org/tlog-tiles): perfect-
// subtree hashes from hash tiles, entries from entry bundles. This is how vellum reads a log it
// did not write (a static folder behind any web server, another implementation), and what a
// vellum node's /v1/ API only speeds up. Nothing read here is trusted: callers prove what they
// use against a signed root (Compare, SyncFrom, the proof verifiers). Not thread-safe.
#ifndef VELLUM_NODE_TILE_READER_H_
#define VELLUM_NODE_TILE_READER_H_

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "vellum/error.h"
#include "vellum/hash.h"
#include "vellum/merkle.h"

namespace vellum::node {

class TileReader : public merkle::HashSource {
 public:
  // GETs a path below the log's base URL ("/tile/0/x001/234"): the body of a 200 answer (at most
  // `max_bytes`), kNotFound for a 404, another error otherwise.
  using FetchFn = std::function<Result<std::string>(const std::string& path, size_t max_bytes)>;
  // `name` (the log's URL) starts the errors about what it sent.
  TileReader(std::string name, FetchFn fetch) : name_(std::move(name)), fetch_(std::move(fetch)) {}

  // The size of the tree the tiles are read at (a signed checkpoint's): it decides each tile's
  // width, partial at the right edge. Hashes beyond it cannot be read.
  void SetTreeSize(uint64_t size);
  uint64_t tree_size() const { return size_; }

  // Each perfect subtree's hash: read from the hash tile holding it, or folded from the 2..128
  // hashes below it in one tile row. Fails, naming the tile, when a tile has the wrong length.
  [[nodiscard]] Result<void> GetHashes(std::span<const merkle::NodeId> ids,
                                       std::span<Hash> out) override;
  // The bytes of entries [begin, end), which lie in one bundle, from that bundle as it is at the
  // tree size (or up to `end`, when that is beyond it).
  [[nodiscard]] Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end);

 private:
  // The hash tile at (level, index) of `width` hashes; a partial tile that is gone falls back to
  // the full one, as the spec asks of clients. Kept for later calls.
  [[nodiscard]] Result<const Bytes*> Tile(uint8_t level, uint64_t index, uint32_t width);
  // Fetches a hash tile or entry bundle of `width` items of at most `max_item_bytes` each; a 404
  // for a partial one is retried as the full one.
  [[nodiscard]] Result<std::string> FetchWithFallback(bool entries, uint8_t level, uint64_t index,
                                                      uint32_t width, size_t max_item_bytes);

  std::string name_;
  FetchFn fetch_;
  uint64_t size_ = 0;
  std::map<std::tuple<uint8_t, uint64_t, uint32_t>, Bytes> cache_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_TILE_READER_H_
