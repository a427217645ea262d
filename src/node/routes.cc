// The /v1/ JSON API (doc/protocol.md).
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/plural.h"
#include "node/api_json.h"
#include "node/network.h"
#include "node/node_impl.h"

namespace vellum::node {
namespace {

constexpr uint64_t kMaxRange = 1000;
constexpr size_t kMaxRangeBytes = 512 << 10;  // payload bytes; the JSON is at most ~8x this

void SendJson(net::Response& res, const nlohmann::json& doc) {
  res.Set(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

// Query parameter `name`, if given. Given twice it is refused rather than one of the values
// silently chosen.
[[nodiscard]] Result<std::optional<std::string>> QueryValue(const net::Request& req,
                                                            const char* name) {
  const size_t count = req.params.count(name);
  if (count == 0) return std::optional<std::string>{};
  if (count > 1) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("query parameter '") + name + "' is given more than once");
  }
  return std::optional<std::string>{req.param(name)};
}

// A query parameter as a non-negative integer; nullopt when absent.
[[nodiscard]] Result<std::optional<uint64_t>> QueryNumber(const net::Request& req,
                                                          const char* name) {
  auto given = QueryValue(req, name);
  if (!given) return std::unexpected(given.error());
  if (!*given) return std::optional<uint64_t>{};
  const std::string& text = **given;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("query parameter '") + name + "' must be a non-negative integer");
  }
  return std::optional<uint64_t>{value};
}

}  // namespace

std::optional<net::Response> Node::Impl::RefusedBeforeBody(const Request& req) {
  if (req.method != "POST" || req.path != "/v1/entries") return std::nullopt;
  Response res;
  if (!options_.upstream.empty()) {
    SendError(res, 403, "this node mirrors " + options_.upstream + "; append there");
    return res;
  }
  int status = 0;
  if (std::string why = WriteRefusal(req, status); !why.empty()) {
    SendError(res, status, why);
    return res;
  }
  return std::nullopt;
}

void Node::Impl::HandleAppend(Request& req, const net::HttpServer::Respond& respond) {
  if (auto refused = RefusedBeforeBody(req)) return respond(std::move(*refused));
  Response res;
  const auto start = std::chrono::steady_clock::now();
  auto entries = ParseAppendBody(req.body);
  if (!entries) {
    SendError(res, entries.error());
    return respond(std::move(res));
  }
  const size_t count = entries->size();
  committer_.AppendAsync(
      std::move(*entries), [this, start, count, respond](Result<Appended> appended) {
        Response res;
        NoteAppendFailure(appended ? nullptr : &appended.error());
        if (!appended) {
          SendError(res, appended.error());
          return respond(std::move(res));
        }
        metrics_.RecordAppend(
            count, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        // What SendJson would write for {"first_index", "count", "size"} (keys in order), without
        // building a document on the committer's thread for every request.
        res.Set("{\"count\":" + std::to_string(count) +
                    ",\"first_index\":" + std::to_string(appended->first_index) +
                    ",\"size\":" + std::to_string(appended->size) + "}",
                "application/json");
        respond(std::move(res));
      });
}

void Node::Impl::NoteAppendFailure(const Error* error) {
  // The client's mistakes are its answer's business; the node's own (the file, the disk) are the
  // operator's: said once each, not once per request, until an append succeeds again.
  const bool own =
      error && (error->code() == ErrorCode::kIoError || error->code() == ErrorCode::kNoSpace ||
                error->code() == ErrorCode::kCorruption);
  std::lock_guard<std::mutex> lock(append_failure_mu_);
  if (!error) {
    last_append_failure_.clear();
  } else if (own && error->message() != last_append_failure_) {
    last_append_failure_ = error->message();
    log_.Event("append-failed", "appends fail: " + error->message(),
               {{"code", std::string(ErrorCodeName(error->code()))}});
  }
}

void Node::Impl::HandleGetEntry(const Request& req, Response& res) {
  uint64_t index = 0;
  const std::string text = req.matches[1];
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (end != text.data() + text.size()) {
    return SendError(res, 400, "the index in /v1/entries/<index> must be a non-negative integer");
  }
  if (ec != std::errc()) return SendError(res, 400, "entry index out of range");
  auto entry = ledger_->Get(index);
  if (!entry) return SendError(res, entry.error());
  SendJson(res, EntryJson(*entry));
}

void Node::Impl::HandleGetEntries(const Request& req, Response& res) {
  auto start = QueryNumber(req, "start");
  auto end = QueryNumber(req, "end");
  if (!start) return SendError(res, start.error());
  if (!end) return SendError(res, end.error());
  auto head = ledger_->GetHead();
  if (!head) return SendError(res, head.error());
  const uint64_t begin = start->value_or(0);
  const uint64_t stop = end->value_or(std::min(head->size, begin + kMaxRange));
  if (stop < begin) {
    return SendError(
        res, 400,
        end->has_value()
            ? "end " + std::to_string(stop) + " is before start " + std::to_string(begin)
            : "start " + std::to_string(begin) + " is beyond the ledger's " + Entries(head->size));
  }
  if (stop - begin > kMaxRange) {
    return SendError(res, 400,
                     "a range holds at most " + std::to_string(kMaxRange) +
                         " entries; ask for end=" + std::to_string(begin + kMaxRange) +
                         " and go on from there");
  }
  // At most kMaxRange entries, and no more than kMaxRangeBytes of payload past the first: a
  // client asks again from where the answer stopped. Read a few at a time, so that a range of
  // large entries is never all in memory.
  nlohmann::json list = nlohmann::json::array();
  size_t bytes = 0;
  for (uint64_t at = begin; at < stop && (list.empty() || bytes <= kMaxRangeBytes);) {
    auto entries = ledger_->GetRange(at, std::min(stop, at + 16));
    if (!entries) return SendError(res, entries.error());
    if (entries->empty()) break;
    for (const Entry& e : *entries) {
      bytes += e.payload.size();
      if (!list.empty() && bytes > kMaxRangeBytes) break;
      list.push_back(EntryJson(e));
    }
    at += entries->size();
  }
  SendJson(res, {{"size", head->size}, {"entries", list}});
}

void Node::Impl::HandleLookup(const Request& req, Response& res) {
  auto hash = HashFromHex(std::string(req.matches[1]));
  if (!hash) return SendError(res, hash.error());
  auto index = ledger_->FindByLeafHash(*hash);
  if (!index) return SendError(res, index.error());
  auto entry = ledger_->Get(*index);
  if (!entry) return SendError(res, entry.error());
  SendJson(res, EntryJson(*entry));
}

void Node::Impl::HandleInclusion(const Request& req, Response& res) {
  auto index = QueryNumber(req, "index");
  auto size = QueryNumber(req, "size");
  if (!index) return SendError(res, index.error());
  if (!size) return SendError(res, size.error());
  if (!*index) return SendError(res, 400, "query parameter 'index' is required");
  auto doc = InclusionDoc(*ledger_, **index, *size);
  if (!doc) return SendError(res, doc.error());
  SendJson(res, ProofDocumentJson(*doc));
}

void Node::Impl::HandleConsistency(const Request& req, Response& res) {
  auto old_size = QueryNumber(req, "old");
  auto new_size = QueryNumber(req, "new");
  if (!old_size) return SendError(res, old_size.error());
  if (!new_size) return SendError(res, new_size.error());
  if (!*old_size) return SendError(res, 400, "query parameter 'old' is required");
  auto doc = ConsistencyDoc(*ledger_, **old_size, *new_size);
  if (!doc) return SendError(res, doc.error());
  SendJson(res, ProofDocumentJson(*doc));
}

// GET /v1/subtrees?nodes=L-I,L-I,...: the hashes of up to 256 perfect subtrees, 32 bytes each,
// in the order asked. Compare walks these down to the first differing entry.
void Node::Impl::HandleSubtrees(const Request& req, Response& res) {
  std::vector<merkle::NodeId> ids;
  auto nodes = QueryValue(req, "nodes");
  if (!nodes) return SendError(res, nodes.error());
  if (!*nodes) return SendError(res, 400, "query parameter 'nodes' is required");
  if ((*nodes)->empty()) {
    return SendError(res, 400, "query parameter 'nodes' is empty: give <level>-<index>,...");
  }
  std::string_view list = **nodes;
  while (true) {  // every item, an empty one (",," or a trailing comma) included
    const size_t comma = std::min(list.find(','), list.size());
    const std::string_view item = list.substr(0, comma);
    const size_t dash = item.find('-');
    uint64_t level = 0, index = 0;
    const bool ok =
        dash != std::string_view::npos &&
        std::from_chars(item.data(), item.data() + dash, level).ptr == item.data() + dash &&
        std::from_chars(item.data() + dash + 1, item.data() + item.size(), index).ptr ==
            item.data() + item.size() &&
        level < 64;
    if (!ok) return SendError(res, 400, "nodes must be a list of <level>-<index>");
    ids.push_back({static_cast<uint8_t>(level), index});
    if (ids.size() > kMaxSubtreesPerRequest) {
      return SendError(res, 400,
                       "at most " + std::to_string(kMaxSubtreesPerRequest) + " nodes per request");
    }
    if (comma == list.size()) break;
    list.remove_prefix(comma + 1);
  }
  auto hashes = ledger_->SubtreeHashes(ids);
  if (!hashes) return SendError(res, hashes.error());
  std::string body;
  for (const Hash& h : *hashes) body.append(reinterpret_cast<const char*>(h.data()), h.size());
  res.Set(std::move(body), "application/octet-stream");
}

void Node::Impl::HandleStatus(const Request&, Response& res) {
  auto head = ledger_->GetHead();
  if (!head) return SendError(res, head.error());
  auto checkpoint = CurrentCheckpoint();
  const double up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  nlohmann::json peers = nlohmann::json::array();
  for (const PeerReport& p : watcher_->Peers()) {
    peers.push_back({{"peer", p.url},
                     {"state", PeerStateText(p)},
                     {"size", p.size},
                     {"detail", p.detail},
                     {"checks", p.checks}});
    if (p.fork_entry) {
      peers.back()["fork_index"] = p.count;
      peers.back()["fork_entry"] = EntryJson(*p.fork_entry);
    }
  }
  auto forks = ledger_->ListForkEvidence();
  std::string append_failure;
  {
    std::lock_guard<std::mutex> lock(append_failure_mu_);
    append_failure = last_append_failure_;
  }
  SendJson(res, {{"origin", ledger_->origin()},
                 {"format", std::string(EntryFormatName(ledger_->format()))},
                 {"size", head->size},
                 {"root", ToHex(head->root)},
                 {"verifier_key", ledger_->verifier_key()},
                 {"checkpoint", checkpoint ? nlohmann::json(*checkpoint) : nlohmann::json()},
                 {"uptime_seconds", up},
                 {"upstream", options_.upstream.empty()
                                  ? nlohmann::json()
                                  : nlohmann::json{{"upstream", options_.upstream},
                                                   {"state", watcher_->UpstreamState()}}},
                 {"peers", peers},
                 {"published", publisher_ ? nlohmann::json{{"dir", options_.publish_dir},
                                                           {"size", publisher_->published_size()}}
                                          : nlohmann::json()},
                 {"fork_evidence", forks ? forks->size() : 0},
                 {"witness", WitnessJson()},
                 {"role", key_                         ? "writer"
                          : !options_.upstream.empty() ? "mirror"
                                                       : "unsigned"},
                 {"checkpoint_signed_ms", SignedAtMs()},
                 {"cosigners", CosignersJson()},
                 // Why appends fail for the node's own reason, until one succeeds; else null.
                 {"append_failure",
                  append_failure.empty() ? nlohmann::json() : nlohmann::json(append_failure)}});
}

// GET /v1/network: the network analysis of this node and its peers, as the watcher last made it
// (never fetched inside a request); without peers, of this node alone, now.
void Node::Impl::HandleNetwork(const Request&, Response& res) {
  if (options_.peers.empty()) {
    std::vector<std::unique_ptr<LedgerView>> views;
    views.push_back(ViewOf(*ledger_, "self"));
    return SendJson(res, NetworkJson(AnalyzeNetwork(views)));
  }
  SendJson(res, watcher_->Network());
}

}  // namespace vellum::node
