// Node setup: options, routes, checkpoints, errors, lifecycle.
#include "node/node.h"

#include <arpa/inet.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>

#include "node/dashboard.h"
#include "node/network.h"
#include "node/node_impl.h"
#include "node/token.h"

namespace vellum::node {

Node::Impl::Impl(std::unique_ptr<Ledger> ledger, std::optional<SignerKey> key, ServeOptions options)
    : ledger_(std::move(ledger)),
      key_(std::move(key)),
      options_(std::move(options)),
      committer_(*ledger_, options_.group_commit) {}

Result<std::unique_ptr<Node>> Node::Create(std::unique_ptr<Ledger> ledger,
                                           std::optional<SignerKey> key, ServeOptions options) {
  if (options.upstream.empty() && options.token.size() < kMinTokenLength) {
    return Fail(ErrorCode::kInvalidArgument, "a node that takes writes needs a token of at least " +
                                                 std::to_string(kMinTokenLength) + " characters");
  }
  if (key && key->verifier().ToString() != ledger->verifier_key()) {
    return Fail(ErrorCode::kInvalidArgument, "the signing key is not this ledger's key");
  }
  for (const std::string& url : options.peers) {
    if (auto ok = SplitNodeUrl(url); !ok) {
      return Fail(ErrorCode::kInvalidArgument, "--peer: " + ok.error().message());
    }
  }
  if (auto ok = RefuseRepeatedPeers(options.peers); !ok) {
    return Fail(ErrorCode::kInvalidArgument, "--peer: " + ok.error().message());
  }
  if (!options.upstream.empty()) {
    if (auto ok = SplitNodeUrl(options.upstream); !ok) {
      return Fail(ErrorCode::kInvalidArgument, "--upstream: " + ok.error().message());
    }
  }
  if (!options.publish_dir.empty() && !key && options.upstream.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--publish needs signed checkpoints: the ledger's key, or an upstream to mirror");
  }
  // What is wrong with the folder's name will not mend by retrying; the rest may (a mirror
  // still catching up to a folder's checkpoint, a full disk), so the publisher retries that.
  if (!options.publish_dir.empty()) {
    if (auto ok = CheckPublishName(options.publish_dir); !ok) {
      return Fail(ok.error().code(), "--publish: " + ok.error().message());
    }
  }
  if (options.policy && options.upstream.empty() && !key) {
    return Fail(ErrorCode::kInvalidArgument,
                "--policy on a node that neither signs nor mirrors: give the ledger's key");
  }
  if (options.require_quorum && (!options.policy || !key)) {
    return Fail(ErrorCode::kInvalidArgument,
                "--require-quorum is for a writer with --policy: it withholds checkpoints that "
                "lack the policy's quorum");
  }
  if (!options.upstream.empty() && key) {
    return Fail(ErrorCode::kInvalidArgument, "a mirror does not sign: drop the key or --upstream");
  }
  std::vector<VerifierKey> peer_keys;
  for (const std::string& text : options.extra_vkeys) {
    auto k = VerifierKey::Parse(text);
    if (!k) return std::unexpected(k.error());
    peer_keys.push_back(*k);
  }
  std::optional<VerifierKey> own;
  if (auto parsed = VerifierKey::Parse(ledger->verifier_key())) own = *parsed;
  if (own) peer_keys.push_back(*own);
  if (!options.upstream.empty() && !own) {
    return Fail(ErrorCode::kInvalidArgument,
                "a mirror needs its upstream's verifier key recorded in the ledger");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "TLS needs both --tls-cert and --tls-key");
  }
  auto impl = std::make_unique<Impl>(std::move(ledger), std::move(key), std::move(options));
  Impl* raw = impl.get();
  if (!raw->options_.embedded) {
    auto server = net::HttpServer::Create(
        raw->options_.limits,
        [raw](net::Request& req, net::HttpServer::Respond respond) { raw->Serve(req, respond); },
        &Impl::ErrorResponse, raw->options_.tls_cert, raw->options_.tls_key);
    if (!server) return std::unexpected(server.error());
    impl->server_ = std::move(*server);
    impl->server_->SetGate([raw](const net::Request& req) { return raw->Gate(req); });
  }
  impl->InstallRoutes();
  // The upstream is trusted with the ledger's own key only; --peer-vkey keys are for peers.
  impl->watcher_ = std::make_unique<Watcher>(
      *impl->ledger_, impl->options_.upstream, own, impl->options_.peers, std::move(peer_keys),
      impl->options_.poll_interval_ms, impl->options_.peer_timeout_ms,
      [raw] { return raw->CurrentCheckpoint(); }, raw->log_,
      impl->options_.upstream.empty() ? nullptr : impl->options_.policy);
  if (impl->options_.policy && impl->key_) {
    impl->cosigner_ =
        std::make_unique<Cosigner>(*impl->ledger_, impl->options_.policy,
                                   impl->options_.peer_timeout_ms, &impl->stopping_, raw->log_);
    impl->cosign_task_ = std::make_unique<PeriodicTask>(
        std::max(impl->options_.checkpoint_interval_ms, 100), PeriodicTask::First::kNow,
        [raw] { raw->GatherCosignatures(); });
  }
  if (!impl->options_.publish_dir.empty()) {
    impl->publisher_ = std::make_unique<Publisher>(
        *impl->ledger_, impl->options_.publish_dir, impl->options_.checkpoint_interval_ms,
        [raw] { return raw->CurrentCheckpoint(); }, raw->log_);
  }
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() = default;

Result<int> Node::Bind() {
  if (!impl_->server_) return Fail(ErrorCode::kInvalidArgument, "an embedded node has no server");
  return impl_->server_->Bind(impl_->options_.host, impl_->options_.port);
}

void Node::Run() {
  if (impl_->server_) impl_->server_->Run();
}

void Node::Serve(net::Request& request, net::HttpServer::Respond respond) {
  impl_->Serve(request, respond);
}

std::optional<net::Response> Node::RefusedBeforeBody(const net::Request& request) {
  return impl_->Gate(request);
}

EventLog& Node::log() { return impl_->log_; }

InProcessResponse Node::HandleInProcess(std::string_view method, std::string_view target,
                                        std::string body) {
  net::Request req;
  req.method = std::string(method);
  req.target = std::string(target);
  net::SplitTarget(target, req.path, req.params);
  req.body = std::move(body);
  // An in-process caller is this process: a local client holding the token.
  req.headers.emplace("Host", "127.0.0.1");
  req.headers.emplace("Authorization", "Bearer " + impl_->options_.token);
  std::promise<net::Response> answered;
  auto answer = answered.get_future();
  impl_->Serve(req, [&answered](net::Response res) { answered.set_value(std::move(res)); });
  net::Response res = answer.get();
  return {res.status, res.content_type, std::move(res.body)};
}

void Node::Stop() {
  impl_->stopping_ = true;
  if (impl_->cosign_task_) impl_->cosign_task_->Stop();
  if (impl_->publisher_) impl_->publisher_->Stop();
  impl_->watcher_->Stop();
  if (impl_->server_) impl_->server_->Stop();
}

void Node::Impl::InstallRoutes() {
  using Handler = void (Impl::*)(const Request&, Response&);
  auto exact = [this](const char* method, const char* path, Handler handler) {
    routes_.push_back({method, path, false, nullptr, handler});
  };
  auto under = [this](const char* prefix, bool (*ok)(char), Handler handler) {
    routes_.push_back({"GET", prefix, true, ok, handler});
  };
  exact("GET", "/checkpoint", &Impl::HandleCheckpoint);
  under(
      "/tile/", [](char) { return true; }, &Impl::HandleTile);
  exact("POST", "/v1/entries", nullptr);  // HandleAppend
  exact("GET", "/v1/entries", &Impl::HandleGetEntries);
  // Any remainder reaches the handler, which says what is wrong with it ("/v1/entries/-1" is a
  // bad index, not a missing resource).
  under(
      "/v1/entries/", [](char) { return true; }, &Impl::HandleGetEntry);
  under(
      "/v1/lookup/", [](char) { return true; }, &Impl::HandleLookup);
  exact("GET", "/v1/proof/inclusion", &Impl::HandleInclusion);
  exact("GET", "/v1/proof/consistency", &Impl::HandleConsistency);
  exact("GET", "/v1/status", &Impl::HandleStatus);
  exact("GET", "/v1/subtrees", &Impl::HandleSubtrees);
  exact("GET", "/v1/network", &Impl::HandleNetwork);
  exact("GET", "/metrics", &Impl::HandleMetrics);
  // C2SP tlog-witness: no token; what it may change is guarded by the log's signature.
  if (options_.witness) {
    routes_.push_back(
        {"POST", "/add-checkpoint", false, nullptr, nullptr, &Impl::HandleAddCheckpoint});
    witness_ = std::make_unique<WitnessEndpoint>(options_.witness, log_);
  }
}

// What a 404 says: the path, and the same path without its trailing slash when that is served.
// The path is named as the client sent it: under `vellum serve --dir` it still starts with the
// ledger's name, which req.path no longer does.
std::string Node::Impl::NotFound(const Request& req) const {
  const std::string sent = SentPath(req);
  std::string message = "no such resource: " + sent;
  if (req.path.size() > 1 && req.path.ends_with('/') && sent.ends_with('/')) {
    const std::string_view bare = std::string_view(req.path).substr(0, req.path.size() - 1);
    for (const Route& route : routes_) {
      if (route.method == req.method && !route.prefix && route.path == bare) {
        return message + " (without the trailing slash: " + sent.substr(0, sent.size() - 1) + ")";
      }
    }
  }
  return message;
}

std::string Node::Impl::SentPath(const Request& req) {
  return req.target.empty() ? req.path : req.target.substr(0, req.target.find('?'));
}

std::optional<std::string_view> Node::Impl::Route::Match(std::string_view request_path) const {
  if (!prefix) return request_path == path ? std::optional<std::string_view>("") : std::nullopt;
  if (!request_path.starts_with(path) || request_path.size() == path.size()) return std::nullopt;
  const std::string_view rest = request_path.substr(path.size());
  if (!std::all_of(rest.begin(), rest.end(), remainder_ok)) return std::nullopt;
  return rest;
}

void Node::Impl::Serve(Request& req, const net::HttpServer::Respond& respond) {
  Response res;
  try {
    if (ServeDashboard(req, res)) {
      metrics_.CountRequest();
      return respond(std::move(res));
    }
    std::string allowed;  // the methods of the routes that serve this path with another method
    for (const Route& route : routes_) {
      const auto rest = route.Match(req.path);
      if (!rest) continue;
      if (route.method != req.method) {
        const std::string methods = route.method == "GET" ? "GET, HEAD" : route.method;
        if (allowed.find(methods) == std::string::npos) {
          allowed += (allowed.empty() ? "" : ", ") + methods;
        }
        continue;
      }
      req.matches = {req.path};
      if (route.prefix) req.matches.emplace_back(*rest);
      metrics_.CountRequest();
      if (route.later) return (this->*route.later)(req, respond);
      if (!route.handler) return HandleAppend(req, respond);
      (this->*route.handler)(req, res);
      return respond(std::move(res));
    }
    if (!allowed.empty()) {
      metrics_.CountError(405);
      res = MethodNotAllowed(req.method, SentPath(req), allowed);
    } else {
      SendError(res, 404, NotFound(req));
    }
  } catch (...) {
    res = {};
    SendError(res, 500, "internal error");
  }
  respond(std::move(res));
}

void Node::Impl::HandleMetrics(const Request&, Response& res) {
  const auto head = ledger_->GetHead();
  const double up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string text = metrics_.Render(head ? head->size : 0, up);
  auto forks = ledger_->ListForkEvidence();
  text +=
      "# HELP vellum_fork_evidence Fork evidence kept in the ledger.\n"
      "# TYPE vellum_fork_evidence gauge\nvellum_fork_evidence " +
      std::to_string(forks ? forks->size() : 0) + "\n";
  text +=
      "# HELP vellum_http_connections Open HTTP connections.\n"
      "# TYPE vellum_http_connections gauge\nvellum_http_connections " +
      std::to_string(server_ ? server_->connections() : 0) + "\n";
  text +=
      "# HELP vellum_peer_up Whether a peer answered the last check.\n"
      "# TYPE vellum_peer_up gauge\n";
  for (const PeerReport& p : watcher_->Peers()) {
    text += "vellum_peer_up{peer=\"" + LabelValue(p.url) + "\",state=\"" +
            LabelValue(PeerStateText(p)) + "\"} " +
            (p.state == PeerStatus::kUnreachable ? "0" : "1") + "\n";
  }
  if (witness_) text += witness_->Metrics();
  if (cosigner_) {
    const auto reports = cosigner_->Reports();
    auto per_witness = [&](const char* name, const char* help, uint64_t WitnessReport::*count) {
      text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
      for (const WitnessReport& w : reports) {
        text += std::string(name) + "{witness=\"" + LabelValue(w.name) + "\"} " +
                std::to_string(w.*count) + "\n";
      }
    };
    per_witness("vellum_cosignatures_total", "Cosignatures gathered from a witness.",
                &WitnessReport::cosigned);
    per_witness("vellum_witness_requests_total", "add-checkpoint requests sent to a witness.",
                &WitnessReport::requests);
  }
  res.Set(std::move(text), "text/plain; version=0.0.4");
}

nlohmann::json Node::Impl::WitnessJson() const {
  if (!options_.witness) return nullptr;
  const WitnessCounts counts = options_.witness->counts();
  nlohmann::json logs = nlohmann::json::array();
  if (auto held = options_.witness->Logs()) {
    for (const WitnessedLog& log : *held) {
      logs.push_back({{"origin", log.origin}, {"size", log.size}, {"root", ToHex(log.root)}});
    }
  }
  auto kept = options_.witness->RefusalsKept();
  return {{"verifier_key", options_.witness->key().verifier().ToString()},
          {"cosigned", counts.cosigned},
          {"refused", counts.refused},
          {"evidence_kept", kept ? *kept : 0},
          {"logs", logs}};
}

nlohmann::json Node::Impl::SignedAtMs() {
  std::lock_guard<std::mutex> lock(checkpoint_mu_);
  if (checkpoint_signed_ms_ == 0) return nullptr;
  return checkpoint_signed_ms_;
}

nlohmann::json Node::Impl::CosignersJson() const {
  if (!cosigner_) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  for (const WitnessReport& w : cosigner_->Reports()) {
    out.push_back({{"witness", w.name},
                   {"url", w.url},
                   {"size", w.size},
                   {"requests", w.requests},
                   {"cosigned", w.cosigned},
                   {"error", w.last_error}});
  }
  return out;
}

void Node::Impl::HandleAddCheckpoint(Request& req, const net::HttpServer::Respond& respond) {
  witness_->Handle(req, respond, &Impl::ErrorResponse);
}

Result<std::string> Node::Impl::CurrentCheckpoint() {
  auto signed_note = SignedCheckpoint();
  if (!cosigner_) return signed_note;
  std::lock_guard<std::mutex> lock(cosigned_mu_);
  if (options_.require_quorum) {
    if (quorum_note_.empty()) {
      return Fail(ErrorCode::kUnavailable,
                  "no checkpoint has the policy's quorum of cosignatures yet");
    }
    return quorum_note_;
  }
  if (signed_note && *signed_note == gathered_for_) return cosigned_note_;
  return signed_note;
}

void Node::Impl::GatherCosignatures() {
  auto note = SignedCheckpoint();
  if (!note) return;
  const std::string cosigned = cosigner_->Gather(*note);
  {
    std::lock_guard<std::mutex> lock(cosigned_mu_);
    if (cosigned == cosigned_note_) return;  // nothing new: no cosignature to check again
  }
  auto parsed = ParseSignedNote(cosigned);
  auto quorum = parsed ? cosigner_->policy().Quorum(*parsed) : Result<QuorumReport>(QuorumReport{});
  {
    std::lock_guard<std::mutex> lock(cosigned_mu_);
    gathered_for_ = *note;
    cosigned_note_ = cosigned;
    if (quorum && quorum->met) quorum_note_ = cosigned;
  }
  if (cosigned == *note) return;  // no cosignature yet
  // Kept in the ledger, so that receipts made offline (`prove --tlog-proof`) carry them.
  auto recorded = ledger_->RecordCheckpoint(cosigned);
  log_.Event("cosigned",
             "checkpoint cosigned by " + std::to_string(quorum ? quorum->cosigned.size() : 0) +
                 " witness(es)" + (quorum && quorum->met ? ", quorum met" : "") +
                 (recorded ? "" : "; not recorded in the ledger: " + recorded.error().message()),
             {{"witnesses", quorum ? quorum->cosigned : std::vector<std::string>{}},
              {"quorum", quorum && quorum->met}});
}

Result<std::string> Node::Impl::MirroredCheckpoint() {
  // Checked again by the ledger before it is served: a verified sync recorded it, unless the
  // file was written around the node.
  auto latest = ledger_->LatestCheckpoint();
  if (!latest && latest.error().code() == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kUnavailable, "this node has no signed checkpoint yet");
  }
  std::lock_guard<std::mutex> lock(checkpoint_mu_);
  if (!latest && latest.error().message() != last_refusal_) {  // said once per reason
    last_refusal_ = latest.error().message();
    log_.Event("refused", "not serving a checkpoint: " + last_refusal_, {});
  }
  if (latest) last_refusal_.clear();
  return latest;
}

Result<std::string> Node::Impl::SignedCheckpoint() {
  if (!key_) return MirroredCheckpoint();
  std::lock_guard<std::mutex> lock(checkpoint_mu_);
  auto head = ledger_->GetHead();
  if (!head) return std::unexpected(head.error());
  const auto now = std::chrono::steady_clock::now();
  const bool fresh =
      !checkpoint_.empty() &&
      (checkpoint_size_ == head->size ||
       now - checkpoint_signed_ < std::chrono::milliseconds(options_.checkpoint_interval_ms));
  if (fresh) return checkpoint_;
  auto note = ledger_->SignCheckpoint(*key_, head->size);
  if (!note) {
    // Said once per reason: every /checkpoint request retries, and requests are not events.
    if (note.error().message() != last_refusal_) {
      last_refusal_ = note.error().message();
      log_.Event("refused", "not signing a checkpoint: " + last_refusal_, {{"size", head->size}});
    }
    return std::unexpected(note.error());
  }
  last_refusal_.clear();
  log_.Event("checkpoint", "signed a checkpoint of size " + std::to_string(head->size),
             {{"size", head->size}, {"root", ToHex(head->root)}});
  checkpoint_ = *note;
  checkpoint_size_ = head->size;
  checkpoint_signed_ = now;
  checkpoint_signed_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  return checkpoint_;
}

net::Response Node::Impl::ErrorResponse(int status, const std::string& message) {
  Response res;
  res.status = status;
  // Messages may quote the request (a path, a parameter): bytes that are not UTF-8 become U+FFFD
  // rather than making the JSON encoder throw.
  const nlohmann::json doc = {{"error", {{"status", status}, {"message", message}}}};
  res.Set(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  return res;
}

net::Response Node::Impl::MethodNotAllowed(const std::string& method, const std::string& path,
                                           const std::string& allowed) {
  Response res =
      ErrorResponse(405, method + " is not allowed on " + path + "; it takes " + allowed);
  res.headers.emplace("Allow", allowed);
  return res;
}

void Node::Impl::SendError(Response& res, int status, const std::string& message) {
  metrics_.CountError(status);
  res = ErrorResponse(status, message);
}

void Node::Impl::SendError(Response& res, const Error& error) {
  int status = 500;
  switch (error.code()) {
    case ErrorCode::kInvalidArgument:
      status = 400;
      break;
    case ErrorCode::kNotFound:
      status = 404;
      break;
    case ErrorCode::kConflict:
      status = 409;
      break;
    case ErrorCode::kVerificationFailed:
      status = 422;
      break;
    case ErrorCode::kUnavailable:
      status = 503;
      break;
    case ErrorCode::kNoSpace:
      status = 507;
      break;  // Insufficient Storage: retry once freed
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
      status = 500;
      break;
  }
  SendError(res, status, error.message());
}

std::string Node::Impl::WriteRefusal(const Request& req, int& status) const {
  status = 403;
  std::string host = req.header("Host");
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  in6_addr addr6{};
  in_addr addr4{};
  const bool literal = inet_pton(AF_INET, host.c_str(), &addr4) == 1 ||
                       inet_pton(AF_INET6, host.c_str(), &addr6) == 1;
  const auto& allowed = options_.allowed_hosts;
  if (!literal && host != "localhost" &&
      std::find(allowed.begin(), allowed.end(), host) == allowed.end()) {
    return "writes are refused for Host '" + host +
           "': use an IP address, or start the node "
           "with --allow-host " +
           host;
  }
  const std::string origin = req.header("Origin");
  const std::string host_header = req.header("Host");
  if (req.has_header("Origin") && origin != "http://" + host_header &&
      origin != "https://" + host_header) {
    return "cross-origin writes are refused (Origin '" + origin + "')";
  }
  status = 401;
  if (!TokenMatches(options_.token, req.header("Authorization"))) {
    return "appending needs Authorization: Bearer <token> (the node said where its token is "
           "when it started)";
  }
  return "";
}

}  // namespace vellum::node
