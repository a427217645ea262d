#include "node/ledger_view.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/plural.h"
#include "net/http_client.h"
#include "node/api_json.h"
#include "node/tile_path.h"
#include "node/tile_reader.h"

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
      if (!note && note.error().code() == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kNotFound, name_ +
                                              " has no signed checkpoint yet, so nothing in it "
                                              "can be checked against the key: its key holder "
                                              "signs one with 'vellum checkpoint " +
                                              name_ + "'");
      }
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
  options.cancel_too = remote.cancel_too;
  return options;
}

class RemoteView : public LedgerView {
 public:
  RemoteView(const std::string& url, NodeUrl parts, std::vector<VerifierKey> keys,
             RemoteOptions remote)
      : LedgerView(url),
        client_(parts.base, ClientOptionsFor(remote)),
        base_(parts.base),
        prefix_(std::move(parts.prefix)),
        keys_(std::move(keys)),
        format_(remote.format),
        remote_(remote),
        tiles_(url, [this](const std::string& path, size_t max_bytes) {
          return Fetch(path, max_bytes);
        }) {}
  Result<ViewHead> Head() override;
  Result<std::vector<Hash>> SubtreeHashes(std::span<const merkle::NodeId> ids) override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) override;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) override;
  Result<Entry> Get(uint64_t index) override;
  Result<std::vector<Bytes>> EntryBytes(uint64_t begin, uint64_t end) override;
  Result<EntryFormat> Format() override;
  std::string CheckpointNote() const override { return note_; }
  // /v1/status, or for a log that serves only tlog-tiles what its checkpoint says. For a node
  // that serves several ledgers (`serve --dir`), its /v1/ledgers list too, as "ledgers".
  [[nodiscard]] Result<nlohmann::json> Status() {
    return ApiOrTiles(
        [&]() -> Result<nlohmann::json> {
          auto status = FetchJson("/v1/status");
          if (!status || !FlagField(*status, "node_set")) return status;
          auto ledgers = FetchJson("/v1/ledgers");
          if (!ledgers) return std::unexpected(ledgers.error());
          (*ledgers)["node_set"] = true;
          return *ledgers;
        },
        [&]() -> Result<nlohmann::json> {
          auto head = Head();
          if (!head) return std::unexpected(head.error());
          return nlohmann::json{{"origin", head->origin},
                                {"size", head->size},
                                {"root", ToHex(head->root)},
                                {"checkpoint", note_},
                                {"tiles_only", true}};
        });
  }
  std::unique_ptr<LedgerView> Another(const std::atomic<bool>* cancel) const override {
    RemoteOptions remote = remote_;
    remote.cancel = cancel;
    remote.cancel_too = remote_.cancel;  // this view's owner stops it too
    auto view = std::make_unique<RemoteView>(name_, NodeUrl{base_, prefix_}, keys_, remote);
    view->api_ = api_;
    view->note_ = note_;
    view->tiles_.SetTreeSize(tiles_.tree_size());
    return view;
  }

 private:
  // Whether the server offers vellum's /v1/ API, learnt from its first answer there. One that
  // answers a /v1/ path with anything but vellum's JSON error (a static folder of tiles, another
  // implementation) is read through its tlog-tiles resources alone, by `tiles_`.
  enum class Api { kUnknown, kVellum, kTilesOnly };

  // When the server is a vellum node serving several ledgers (`serve --dir`), which /checkpoint
  // at its root is not: the error for that, naming some of their URLs. Nothing otherwise.
  [[nodiscard]] Result<void> RefuseNodeSet();
  // GETs `path`; the body of a 200 answer, or an error naming the peer (kNotFound for a 404).
  [[nodiscard]] Result<std::string> Fetch(const std::string& path, size_t max_bytes);
  [[nodiscard]] Result<nlohmann::json> FetchJson(const std::string& path);
  [[nodiscard]] Result<std::vector<Hash>> FetchProof(const std::string& path);
  [[nodiscard]] Result<std::vector<Hash>> SubtreeHashesByApi(std::span<const merkle::NodeId> ids);
  [[nodiscard]] Result<Entry> GetByApi(uint64_t index);
  [[nodiscard]] Result<Entry> GetByTiles(uint64_t index);
  // True when a request to the /v1/ API failed because the server has none; the caller then
  // reads the tiles.
  bool NoApi() const { return api_ == Api::kTilesOnly; }
  // `by_api()` unless the server is known to have no /v1/ API; `by_tiles()` when it has none
  // (learnt now or before).
  template <typename ByApi, typename ByTiles>
  auto ApiOrTiles(const ByApi& by_api, const ByTiles& by_tiles) -> decltype(by_api()) {
    if (!NoApi()) {
      auto answer = by_api();
      if (answer || !NoApi()) return answer;
    }
    return by_tiles();
  }
  [[nodiscard]] Result<void> NeedTreeSize(uint64_t size);

  net::HttpClient client_;
  std::string base_, prefix_;
  std::vector<VerifierKey> keys_;
  std::optional<EntryFormat> format_;
  RemoteOptions remote_;
  std::string note_;
  Api api_ = Api::kUnknown;
  TileReader tiles_;
};

// What a server without vellum's API answers for a /v1/ path: not found, forbidden (an object
// store), method not allowed or not implemented, and not vellum's {"error": {...}} document.
bool IsNotAnApiAnswer(int status, const std::string& body) {
  if (status != 404 && status != 403 && status != 405 && status != 501) return false;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  return !(doc.is_object() && doc.contains("error") && doc["error"].is_object());
}

Result<std::string> RemoteView::Fetch(const std::string& path, size_t max_bytes) {
  ++round_trips_;
  // Error answers are JSON documents of a few hundred bytes; room for those too.
  auto res = client_.Send("GET", prefix_ + path, {}, "", "", std::max<size_t>(max_bytes, 4096));
  if (!res) return std::unexpected(res.error());  // unreachable, too slow, too large
  bytes_ += res->body.size();
  if (path.starts_with("/v1/") && api_ == Api::kUnknown) {
    api_ = IsNotAnApiAnswer(res->status, res->body) ? Api::kTilesOnly : Api::kVellum;
  }
  // The URL as requested (the name may end in a slash the prefix dropped).
  const std::string where = base_ + prefix_ + path;
  if (res->status != 200) {
    std::string why = where + " answered " + std::to_string(res->status);
    // Redirects are not followed (a peer would choose where its answers come from); say where
    // it pointed, so that the user can give that URL.
    if (const std::string to = res->header("Location"); res->status / 100 == 3 && !to.empty()) {
      why += ", a redirect to " + to.substr(0, 200) + (to.size() > 200 ? "..." : "") +
             " (not followed: give the URL of the log itself)";
    }
    return Fail(res->status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable, why);
  }
  if (res->body.size() > max_bytes) {
    return Fail(ErrorCode::kVerificationFailed,
                where + " sent an answer larger than " + std::to_string(max_bytes) + " bytes");
  }
  return std::move(res->body);
}

Result<void> RemoteView::RefuseNodeSet() {
  auto doc = FetchJson("/v1/ledgers");
  if (!doc || !doc->contains("ledgers") || !(*doc)["ledgers"].is_array()) return {};
  const auto& ledgers = (*doc)["ledgers"];
  std::string some;
  size_t shown = 0;
  for (const auto& l : ledgers) {
    if (!l.is_object() || !l.contains("name") || !l["name"].is_string()) continue;
    if (shown++ == 3) {
      some += ", ...";
      break;
    }
    some += (some.empty() ? "" : ", ") + base_ + prefix_ + "/" +
            l["name"].get<std::string>().substr(0, 100) + "/";
  }
  return Fail(ErrorCode::kInvalidArgument,
              name_ + " serves " + std::to_string(ledgers.size()) +
                  " ledger(s), each under its own path, and none at its root: give one's URL" +
                  (some.empty() ? "" : " (" + some + ")"));
}

Result<nlohmann::json> RemoteView::FetchJson(const std::string& path) {
  auto body = Fetch(path, 1 << 20);
  if (!body) return std::unexpected(body.error());
  auto doc = ParseJson(*body, name_ + path + "'s answer");
  if (!doc) return Fail(ErrorCode::kVerificationFailed, doc.error().message());
  if (!doc->is_object()) {
    return Fail(ErrorCode::kVerificationFailed, name_ + path + " did not answer a JSON object");
  }
  return std::move(*doc);
}

Result<ViewHead> RemoteView::Head() {
  checkpoint_refused_ = false;
  auto note = Fetch("/checkpoint", kMaxNoteSize);
  if (!note && note.error().code() == ErrorCode::kNotFound) {
    if (auto ok = RefuseNodeSet(); !ok) return std::unexpected(ok.error());
    return Fail(ErrorCode::kNotFound, "no log at " + name_ + ": " + note.error().message() +
                                          " (a log serves its signed checkpoint there)");
  }
  if (!note) return std::unexpected(note.error());
  Result<Checkpoint> checkpoint = [&]() -> Result<Checkpoint> {
    if (remote_.policy) return remote_.policy->Open(*note, keys_);
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
  tiles_.SetTreeSize(checkpoint->size);
  return ViewHead{checkpoint->origin, checkpoint->size, checkpoint->root,
                  !keys_.empty() || remote_.policy != nullptr};
}

Result<void> RemoteView::NeedTreeSize(uint64_t size) {
  if (size <= tiles_.tree_size()) return {};
  if (auto head = Head(); !head) return std::unexpected(head.error());
  if (size <= tiles_.tree_size()) return {};
  return Fail(ErrorCode::kNotFound, name_ + " has signed only " + Entries(tiles_.tree_size()) +
                                        ", not " + std::to_string(size));
}

Result<std::vector<Hash>> RemoteView::SubtreeHashes(std::span<const merkle::NodeId> ids) {
  return ApiOrTiles([&] { return SubtreeHashesByApi(ids); },
                    [&]() -> Result<std::vector<Hash>> {
                      std::vector<Hash> out(ids.size());
                      if (auto ok = tiles_.GetHashes(ids, out); !ok) {
                        return std::unexpected(ok.error());
                      }
                      return out;
                    });
}

Result<std::vector<Hash>> RemoteView::SubtreeHashesByApi(std::span<const merkle::NodeId> ids) {
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
  return ApiOrTiles(
      [&] {
        return FetchProof("/v1/proof/consistency?old=" + std::to_string(old_size) +
                          "&new=" + std::to_string(new_size));
      },
      [&]() -> Result<std::vector<Hash>> {
        if (auto ok = NeedTreeSize(new_size); !ok) return std::unexpected(ok.error());
        return merkle::ConsistencyProof(tiles_, old_size, new_size);
      });
}

Result<std::vector<Hash>> RemoteView::InclusionProof(uint64_t index, uint64_t size) {
  return ApiOrTiles(
      [&] {
        return FetchProof("/v1/proof/inclusion?index=" + std::to_string(index) +
                          "&size=" + std::to_string(size));
      },
      [&]() -> Result<std::vector<Hash>> {
        if (auto ok = NeedTreeSize(size); !ok) return std::unexpected(ok.error());
        return merkle::InclusionProof(tiles_, index, size);
      });
}

Result<Entry> RemoteView::Get(uint64_t index) {
  return ApiOrTiles([&] { return GetByApi(index); }, [&] { return GetByTiles(index); });
}

Result<Entry> RemoteView::GetByTiles(uint64_t index) {
  if (auto ok = NeedTreeSize(index + 1); !ok) return std::unexpected(ok.error());
  auto bytes = tiles_.EntryBytes(index, index + 1);
  if (!bytes) return std::unexpected(bytes.error());
  // The bundle holds the exact bytes that were hashed; the format (unsigned, the user's word)
  // only says how to show them.
  Entry entry;
  entry.index = index;
  entry.leaf_hash = merkle::LeafHash((*bytes)[0]);
  auto decoded = Ledger::DecodeEntry(format_.value_or(EntryFormat::kRaw), (*bytes)[0]);
  if (decoded) {
    entry.payload = std::move(decoded->payload);
    entry.time_ms = decoded->time_ms;
  } else {
    entry.payload = std::move((*bytes)[0]);
  }
  return entry;
}

Result<Entry> RemoteView::GetByApi(uint64_t index) {
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
  return tiles_.EntryBytes(begin, end);
}

Result<EntryFormat> RemoteView::Format() {
  return ApiOrTiles(
      [&]() -> Result<EntryFormat> {
        auto status = FetchJson("/v1/status");
        if (!status) return std::unexpected(status.error());
        return ParseEntryFormat(TextField(*status, "format"));
      },
      [&]() -> Result<EntryFormat> {
        return Fail(
            ErrorCode::kNotFound,
            name_ +
                " serves only C2SP tlog-tiles (no vellum /v1/ API), which do not say how its "
                "entries are encoded: say which with --format raw or --format record");
      });
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

std::string LocalUrl(bool tls, const std::string& host, int port) {
  const std::string reached = !IsEveryInterface(host) ? host
                              : host == "[::]"        ? "[::1]"
                                                      : "127.0.0.1";
  return std::string(tls ? "https" : "http") + "://" + reached + ":" + std::to_string(port);
}

Result<NodeUrl> SplitNodeUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (!IsNodeUrl(url) || scheme_end == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "'" + url + "' is not an http:// or https:// URL");
  }
  const size_t slash = url.find('/', scheme_end + 3);
  NodeUrl out{url.substr(0, slash), slash == std::string::npos ? "" : url.substr(slash)};
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (out.base.size() == scheme_end + 3 ||
      url.find_first_of("?#", scheme_end + 3) != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + url + "' needs a host and no query or fragment, e.g. http://127.0.0.1:8001");
  }
  return out;
}

Result<void> RefuseMistypedUrl(const std::string& file_or_url) {
  std::error_code ec;
  if (IsNodeUrl(file_or_url) || std::filesystem::exists(file_or_url, ec)) return {};
  if (const size_t scheme = file_or_url.find("://"); scheme != std::string::npos && scheme > 0) {
    return Fail(ErrorCode::kInvalidArgument,
                file_or_url + ": only http:// and https:// node URLs are supported (or a file)");
  }
  const size_t colon = file_or_url.rfind(':');
  if (colon != std::string::npos && colon + 1 < file_or_url.size() &&
      file_or_url.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    return Fail(ErrorCode::kNotFound,
                file_or_url + " is not a file; for a node, give its URL: http://" + file_or_url);
  }
  return {};
}

Result<std::unique_ptr<LedgerView>> OpenView(const std::string& file_or_url,
                                             std::vector<VerifierKey> keys, RemoteOptions remote) {
  if (IsNodeUrl(file_or_url)) {
    auto parts = SplitNodeUrl(file_or_url);
    if (!parts) return std::unexpected(parts.error());
    return std::unique_ptr<LedgerView>(
        new RemoteView(file_or_url, std::move(*parts), std::move(keys), remote));
  }
  if (auto ok = RefuseMistypedUrl(file_or_url); !ok) return std::unexpected(ok.error());
  auto ledger = Ledger::Open(file_or_url, {.read_only = true});
  if (!ledger) return std::unexpected(ledger.error());
  return std::unique_ptr<LedgerView>(
      new LocalView(file_or_url, std::move(*ledger), std::move(keys)));
}

}  // namespace vellum::node
