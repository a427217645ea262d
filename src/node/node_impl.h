// Node::Impl: state shared by the node's request handlers. Internal to src/node.
#ifndef VELLUM_NODE_NODE_IMPL_H_
#define VELLUM_NODE_NODE_IMPL_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "net/http.h"
#include "net/http_server.h"
#include "node/cosigner.h"
#include "node/group_commit.h"
#include "node/metrics.h"
#include "node/node.h"
#include "node/periodic_task.h"
#include "node/publish.h"
#include "node/watcher.h"
#include "node/witness_server.h"

namespace vellum::node {

class Node::Impl {
 public:
  Impl(std::unique_ptr<Ledger> ledger, std::optional<SignerKey> key, ServeOptions options);
  // Stops the cosigner's requests in progress before its task is joined.
  ~Impl() { stopping_ = true; }

  // Builds the route table.
  void InstallRoutes();
  // Routes one request (the server's handler; also HandleInProcess): `respond` is called once,
  // at once for reads, once the entries are durable for appends.
  void Serve(net::Request& req, const net::HttpServer::Respond& respond);
  // A 404's message: the path, and a hint when only a trailing slash is in the way.
  std::string NotFound(const net::Request& req) const;
  // The request's path as the client sent it (under `vellum serve --dir`, with the ledger's name).
  static std::string SentPath(const net::Request& req);
  // The checkpoint the node serves: for a writer with a policy, the newest signed one with the
  // cosignatures gathered for it (or, with require_quorum, the newest that met the quorum);
  // otherwise SignedCheckpoint().
  [[nodiscard]] Result<std::string> CurrentCheckpoint();
  // The newest signed checkpoint, signing a new one when the head moved and the last one is
  // older than the checkpoint interval. A mirror's is its upstream's.
  [[nodiscard]] Result<std::string> SignedCheckpoint();
  // A mirror's: the newest its upstream signed, as recorded, once it checks out.
  [[nodiscard]] Result<std::string> MirroredCheckpoint();
  // One round of the cosigning task: the newest signed checkpoint to the witnesses that have
  // not cosigned it yet.
  void GatherCosignatures();

  using Request = net::Request;
  using Response = net::Response;
  // Route handlers (routes.cc, tiles.cc). Appends answer later, from the group committer.
  void HandleAppend(Request& req, const net::HttpServer::Respond& respond);
  // After each append: `error`, or null when it succeeded (see last_append_failure_).
  void NoteAppendFailure(const Error* error);
  void HandleGetEntry(const Request& req, Response& res);
  void HandleGetEntries(const Request& req, Response& res);
  void HandleLookup(const Request& req, Response& res);
  void HandleInclusion(const Request& req, Response& res);
  void HandleConsistency(const Request& req, Response& res);
  void HandleStatus(const Request& req, Response& res);
  void HandleSubtrees(const Request& req, Response& res);
  void HandleNetwork(const Request& req, Response& res);
  void HandleCheckpoint(const Request& req, Response& res);
  void HandleTile(const Request& req, Response& res);
  void HandleMetrics(const Request& req, Response& res);
  // Answers later, from the witness endpoint's queue.
  void HandleAddCheckpoint(Request& req, const net::HttpServer::Respond& respond);
  // /v1/status parts: this node as a witness, and the witnesses it gathers from (null if none).
  nlohmann::json WitnessJson() const;
  nlohmann::json CosignersJson() const;
  // When this node signed the checkpoint it serves (ms since the epoch), or null.
  nlohmann::json SignedAtMs();

  // Writes a JSON error body with the HTTP status for `error`.
  void SendError(Response& res, const Error& error);
  void SendError(Response& res, int status, const std::string& message);
  // The JSON error document, for answers the HTTP server gives on its own (limits).
  static Response ErrorResponse(int status, const std::string& message);
  // 405 for a path that exists but not with `method`, naming (and listing in Allow) the methods
  // it takes (RFC 9110 15.5.6).
  static Response MethodNotAllowed(const std::string& method, const std::string& path,
                                   const std::string& allowed);
  // Why a write request is refused ("" when it may write): a Host that is not this node's (DNS
  // rebinding), an Origin other than the Host (a cross-site form in a browser), a wrong token.
  // Sets `status` to 403 or 401.
  std::string WriteRefusal(const Request& req, int& status) const;
  // The answer to an append refused whatever its body (a mirror's, or a refused write), or
  // nullopt. The HTTP server asks before it reads a body (HttpServer::Gate), the append again.
  std::optional<Response> RefusedBeforeBody(const Request& req);
  // RefusedBeforeBody for the HTTP server's gate, counting the request it answers.
  std::optional<Response> Gate(const Request& req) {
    auto refused = RefusedBeforeBody(req);
    if (refused) metrics_.CountRequest();
    return refused;
  }

  std::unique_ptr<Ledger> ledger_;
  std::optional<SignerKey> key_;
  ServeOptions options_;
  EventLog log_{options_.log_format, options_.log_to};
  // Declared before the committer, whose answers to the appends it still holds when destroyed
  // use them: they outlive it.
  Metrics metrics_;
  // The node's own failures to append (the file, the disk), logged once each until one succeeds.
  std::mutex append_failure_mu_;
  std::string last_append_failure_;
  // A path, or a prefix whose remainder (req.matches[1]) is one or more characters that
  // `remainder_ok` accepts.
  struct Route {
    std::string method;
    std::string path;
    bool prefix = false;
    bool (*remainder_ok)(char) = nullptr;
    void (Impl::*handler)(const Request&, Response&) = nullptr;  // null: `later` or append
    // A handler that answers later through `respond`.
    void (Impl::*later)(Request&, const net::HttpServer::Respond&) = nullptr;
    // The part of `request_path` after the route's prefix ("" for an exact route), or nothing
    // when the route does not serve that path (whatever the method).
    [[nodiscard]] std::optional<std::string_view> Match(std::string_view request_path) const;
  };
  std::vector<Route> routes_;
  std::unique_ptr<net::HttpServer> server_;
  // After the server: destroyed first, answering the appends it still holds while the
  // server's connections can take the answers.
  GroupCommitter committer_;
  // POST /add-checkpoint when the node is a witness (else null); likewise destroyed before the
  // server, answering the requests it holds.
  std::unique_ptr<WitnessEndpoint> witness_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::mutex checkpoint_mu_;
  std::string checkpoint_;  // newest signed note
  uint64_t checkpoint_size_ = 0;
  std::chrono::steady_clock::time_point checkpoint_signed_{};
  int64_t checkpoint_signed_ms_ = 0;  // the same, wall clock (0: not signed by this node)
  std::string last_refusal_;          // the last reason signing was refused, logged once

  // Cosignatures (a writer with a policy): the newest signed note (`gathered_for_`) with those
  // gathered for it, and the newest note that met the policy's quorum.
  std::mutex cosigned_mu_;
  std::string gathered_for_, cosigned_note_, quorum_note_;

  // Upstream and peers, and the published folder. Last, so that they stop before anything
  // they use is destroyed.
  std::unique_ptr<Watcher> watcher_;
  std::unique_ptr<Publisher> publisher_;
  std::atomic<bool> stopping_{false};  // stops the cosigner's requests
  std::unique_ptr<Cosigner> cosigner_;
  std::unique_ptr<PeriodicTask> cosign_task_;  // after the cosigner: stops first
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_NODE_IMPL_H_
