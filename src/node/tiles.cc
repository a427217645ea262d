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
    auto bundle = ReadEntryBundle(*ledger_, tile->index, tile->width);
    if (!bundle) return SendError(res, bundle.error());
    body = std::move(*bundle);
  } else {
    auto hashes = ledger_->ReadTile(tile->level, tile->index, tile->width);
    if (!hashes) return SendError(res, hashes.error());
    body = std::move(*hashes);
  }
  if (tile->full()) res.headers.emplace("Cache-Control", kImmutable);
  res.Set(std::string(body.begin(), body.end()), "application/octet-stream");
}

}  // namespace vellum::node
