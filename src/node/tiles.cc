// The C2SP tlog-tiles read API: /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>].
#include "node/node_impl.h"
#include "node/tile_path.h"

namespace vellum::node {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";

}  // namespace

void Node::Impl::HandleCheckpoint(const Request&, Response& res) {
  auto note = CurrentCheckpoint();
  if (!note) return SendError(res, note.error());
  res.headers.emplace("Cache-Control", "no-cache");
  res.Set(std::move(*note), "text/plain; charset=utf-8");
}

void Node::Impl::HandleTile(const Request& req, Response& res) {
  auto tile = ParseTilePath(req.matches[1]);
  if (!tile) return SendError(res, tile.error());
  Bytes body;
  if (tile->entries) {
    const uint64_t first = tile->index * kTileWidth;
    auto head = ledger_->GetHead();
    if (!head) return SendError(res, head.error());
    if (first + tile->width > head->size) {
      return SendError(res, 404, "entry bundle " + FormatTilePath(*tile) + " is not complete yet");
    }
    auto entries = ledger_->GetRange(first, first + tile->width);
    if (!entries) return SendError(res, entries.error());
    for (const Entry& e : *entries) {
      AppendBundleEntry(body, Ledger::EncodeEntry(ledger_->format(), e.time_ms, e.payload));
    }
  } else {
    auto hashes = ledger_->ReadTile(tile->level, tile->index, tile->width);
    if (!hashes) return SendError(res, hashes.error());
    body = std::move(*hashes);
  }
  if (tile->full()) res.headers.emplace("Cache-Control", kImmutable);
  res.Set(std::string(body.begin(), body.end()), "application/octet-stream");
}

}  // namespace vellum::node
