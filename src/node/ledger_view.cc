#include "node/ledger_view.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "node/api_json.h"
#include "node/tile_path.h"

namespace vellum::node {
namespace {

class LocalView : public LedgerView {
 public:
  // With `keys`, the head is the file's newest recorded checkpoint, which must verify with one.
  LocalView(std::string name, std::unique_ptr<Ledger> owned, std::vector<VerifierKey> keys)
      : LedgerView(std::move(name)),
        owned_(std::move(owned)),
        ledger_(owned_.get()),
        keys_(std::move(keys)) {}
  LocalView(std::string name, Ledger& ledger) : LedgerView(std::move(name)), ledger_(&ledger) {}
  Result<ViewHead> Head() override {
    checkpoint_refused_ = false;
    if (!keys_.empty()) {
      auto note = ledger_->LatestCheckpoint();
      if (!note) return std::unexpected(note.error());
      auto checkpoint = OpenCheckpoint(*note, keys_);
      if (!checkpoint) {
        checkpoint_refused_ = true;
        return Fail(ErrorCode::kVerificationFailed,
                    name_ + " holds a bad checkpoint: " + checkpoint.error().message());
      }
      note_ = *note;
      return ViewHead{checkpoint->origin, checkpoint->size, checkpoint->root, true};
    }
    auto head = ledger_->GetHead();
    if (!head) return std::unexpected(head.error());
    return ViewHead{ledger_->origin(), head->size, head->root, false};
  }
  std::string CheckpointNote() const override { return note_; }
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids) override {
    return ledger_->SubtreeHashes(ids);
  }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override {
    return ledger_->ConsistencyProof(old_size, new_size);
  }
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) override {
    return ledger_->InclusionProof(index, size);
  }
  Result<Entry> Get(uint64_t index) override { return ledger_->Get(index); }
  Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) override {
    auto entries = ledger_->GetRange(begin, end);
    if (!entries) return std::unexpected(entries.error());
    std::vector<Bytes> out;
    for (const Entry& e : *entries) {
      out.push_back(Ledger::EncodeEntry(ledger_->format(), e.time_ms, e.payload));
    }
    return out;
  }
  Result<EntryFormat> Format() override { return ledger_->format(); }

 private:
  std::unique_ptr<Ledger> owned_;
  Ledger* ledger_;
  std::vector<VerifierKey> keys_;
  std::string note_;
};

net::ClientOptions ClientOptionsFor(const RemoteOptions& remote) {
  net::ClientOptions options;
  options.deadline_ms = remote.deadline_ms;
  options.cancel = remote.cancel;
  return options;
}

class RemoteView : public LedgerView {
 public:
  RemoteView(const std::string& url, NodeUrl parts, std::vector<VerifierKey> keys,
             RemoteOptions remote)
      : LedgerView(url),
        client_(parts.base, ClientOptionsFor(remote)),
        prefix_(std::move(parts.prefix)),
        keys_(std::move(keys)) {}
  Result<ViewHead> Head() override;
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids) override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) override;
  Result<Entry> Get(uint64_t index) override;
  Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) override;
  Result<EntryFormat> Format() override;
  std::string CheckpointNote() const override { return note_; }
  [[nodiscard]] Result<nlohmann::json> Status() { return FetchJson("/v1/status"); }

 private:
  // GETs `path`; the body of a 200 answer, or an error naming the peer.
  [[nodiscard]] Result<std::string> Fetch(const std::string& path, size_t max_bytes);
  [[nodiscard]] Result<nlohmann::json> FetchJson(const std::string& path);
  [[nodiscard]] Result<std::vector<Hash>> FetchProof(const std::string& path);

  net::HttpClient client_;
  std::string prefix_;
  std::vector<VerifierKey> keys_;
  std::string note_;
};

Result<std::string> RemoteView::Fetch(const std::string& path, size_t max_bytes) {
  ++round_trips_;
  // Error answers are JSON documents of a few hundred bytes; room for those too.
  auto res = client_.Send("GET", prefix_ + path, {}, "", "", std::max<size_t>(max_bytes, 4096));
  if (!res) return std::unexpected(res.error());  // unreachable, too slow, too large
  bytes_ += res->body.size();
  if (res->status != 200) {
    return Fail(res->status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                name_ + path + " answered " + std::to_string(res->status));
  }
  if (res->body.size() > max_bytes) {
    return Fail(ErrorCode::kVerificationFailed, name_ + path + " sent an answer larger than " +
                                                    std::to_string(max_bytes) + " bytes");
  }
  return std::move(res->body);
}

Result<nlohmann::json> RemoteView::FetchJson(const std::string& path) {
  auto body = Fetch(path, 1 << 20);
  if (!body) return std::unexpected(body.error());
  auto doc = nlohmann::json::parse(*body, nullptr, false);
  if (!doc.is_object()) {
    return Fail(ErrorCode::kVerificationFailed, name_ + path + " did not answer JSON");
  }
  return doc;
}

Result<ViewHead> RemoteView::Head() {
  checkpoint_refused_ = false;
  auto note = Fetch("/checkpoint", kMaxNoteSize);
  if (!note) return std::unexpected(note.error());
  Result<Checkpoint> checkpoint = [&]() -> Result<Checkpoint> {
    if (!keys_.empty()) return OpenCheckpoint(*note, keys_);
    auto parsed = ParseSignedNote(*note);
    if (!parsed) return std::unexpected(parsed.error());
    return ParseCheckpointBody(parsed->text);
  }();
  if (!checkpoint) {
    checkpoint_refused_ = true;
    return Fail(ErrorCode::kVerificationFailed,
                name_ + " served a bad checkpoint: " + checkpoint.error().message());
  }
  note_ = *note;
  return ViewHead{checkpoint->origin, checkpoint->size, checkpoint->root, !keys_.empty()};
}

Result<std::vector<Hash>> RemoteView::SubtreeHashes(std::span<const merkle::NodeId> ids) {
  std::string path = "/v1/subtrees?nodes=";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) path += ",";
    path += std::to_string(ids[i].level) + "-" + std::to_string(ids[i].index);
  }
  auto body = Fetch(path, ids.size() * kHashSize);
  if (!body) return std::unexpected(body.error());
  if (body->size() != ids.size() * kHashSize) {
    return Fail(ErrorCode::kVerificationFailed, name_ + " sent " + std::to_string(body->size()) +
                                                    " bytes for " + std::to_string(ids.size()) +
                                                    " subtree hashes");
  }
  std::vector<Hash> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::memcpy(out[i].data(), body->data() + i * kHashSize, kHashSize);
  }
  return out;
}

Result<std::vector<Hash>> RemoteView::FetchProof(const std::string& path) {
  auto doc = FetchJson(path);
  if (!doc) return std::unexpected(doc.error());
  auto proof = ParseProofDocument(*doc);
  if (!proof) {
    return Fail(ErrorCode::kVerificationFailed,
                name_ + " sent a malformed proof: " + proof.error().message());
  }
  return std::move(proof->proof);
}

Result<std::vector<Hash>> RemoteView::ConsistencyProof(uint64_t old_size, uint64_t new_size) {
  return FetchProof("/v1/proof/consistency?old=" + std::to_string(old_size) +
                    "&new=" + std::to_string(new_size));
}

Result<std::vector<Hash>> RemoteView::InclusionProof(uint64_t index, uint64_t size) {
  return FetchProof("/v1/proof/inclusion?index=" + std::to_string(index) +
                    "&size=" + std::to_string(size));
}

Result<Entry> RemoteView::Get(uint64_t index) {
  auto doc = FetchJson("/v1/entries/" + std::to_string(index));
  if (!doc) return std::unexpected(doc.error());
  auto parsed = ParseEntryJson(*doc);
  if (!parsed) {
    return Fail(ErrorCode::kVerificationFailed,
                name_ + " sent a malformed entry: " + parsed.error().message());
  }
  Entry entry;
  entry.index = index;
  entry.payload = std::move(parsed->payload);
  entry.time_ms = parsed->time_ms;
  const EntryFormat format = entry.time_ms ? EntryFormat::kRecord : EntryFormat::kRaw;
  entry.leaf_hash = merkle::LeafHash(Ledger::EncodeEntry(format, entry.time_ms, entry.payload));
  return entry;
}

Result<std::vector<Bytes>> RemoteView::EntryBytes(uint64_t begin, uint64_t end) {
  // One tlog-tiles entry bundle: the full one when it exists, else the partial one up to `end`.
  const uint64_t bundle = begin / kTileWidth, first = bundle * kTileWidth;
  if (end <= begin || end > first + kTileWidth) {
    return Fail(ErrorCode::kInvalidArgument, "entry range must lie within one bundle");
  }
  const uint64_t width = end - first;
  const std::string path =
      "/tile/" +
      FormatTilePath({.entries = true, .index = bundle, .width = static_cast<uint32_t>(width)});
  auto body = Fetch(path, width * (kBundleLengthSize + kMaxEntrySize));
  if (!body) return std::unexpected(body.error());
  auto bundle_entries = ParseEntryBundle(
      std::span(reinterpret_cast<const uint8_t*>(body->data()), body->size()), width);
  if (!bundle_entries) {
    return Fail(ErrorCode::kVerificationFailed,
                name_ + path + ": " + bundle_entries.error().message());
  }
  bundle_entries->erase(bundle_entries->begin(),
                        bundle_entries->begin() + static_cast<ptrdiff_t>(begin - first));
  return bundle_entries;
}

Result<EntryFormat> RemoteView::Format() {
  auto status = FetchJson("/v1/status");
  if (!status) return std::unexpected(status.error());
  return ParseEntryFormat(status->value("format", ""));
}

}  // namespace

Result<nlohmann::json> FetchNodeStatus(const std::string& url, RemoteOptions remote) {
  auto parts = SplitNodeUrl(url);
  if (!parts) return std::unexpected(parts.error());
  RemoteView view(url, std::move(*parts), {}, remote);
  return view.Status();
}

std::unique_ptr<LedgerView> ViewOf(Ledger& ledger, std::string name) {
  return std::make_unique<LocalView>(std::move(name), ledger);
}

Result<NodeUrl> SplitNodeUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (!IsNodeUrl(url) || scheme_end == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "'" + url + "' is not an http:// or https:// URL");
  }
  const size_t slash = url.find('/', scheme_end + 3);
  NodeUrl out{url.substr(0, slash), slash == std::string::npos ? "" : url.substr(slash)};
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (out.base.size() == scheme_end + 3 || out.prefix.find_first_of("?#") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + url + "' needs a host and no query, e.g. http://127.0.0.1:8001");
  }
  return out;
}

Result<std::unique_ptr<LedgerView>> OpenView(const std::string& file_or_url,
                                             std::vector<VerifierKey> keys, RemoteOptions remote) {
  if (IsNodeUrl(file_or_url)) {
    auto parts = SplitNodeUrl(file_or_url);
    if (!parts) return std::unexpected(parts.error());
    return std::unique_ptr<LedgerView>(
        new RemoteView(file_or_url, std::move(*parts), std::move(keys), remote));
  }
  std::error_code ec;
  if (const size_t scheme = file_or_url.find("://");
      scheme != std::string::npos && scheme > 0 && !std::filesystem::exists(file_or_url, ec)) {
    return Fail(ErrorCode::kInvalidArgument,
                file_or_url + ": only http:// and https:// node URLs are supported (or a file)");
  }
  const size_t colon = file_or_url.rfind(':');
  if (!std::filesystem::exists(file_or_url, ec) && colon != std::string::npos &&
      colon + 1 < file_or_url.size() &&
      file_or_url.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    return Fail(ErrorCode::kNotFound, file_or_url +
                                          " is not a file; for a node, give its URL: "
                                          "http://" +
                                          file_or_url);
  }
  auto ledger = Ledger::Open(file_or_url, {.read_only = true});
  if (!ledger) return std::unexpected(ledger.error());
  return std::unique_ptr<LedgerView>(
      new LocalView(file_or_url, std::move(*ledger), std::move(keys)));
}

}  // namespace vellum::node
