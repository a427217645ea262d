// Node::Impl: state shared by the node's request handlers. Internal to src/node.
#ifndef VELLUM_NODE_NODE_IMPL_H_
#define VELLUM_NODE_NODE_IMPL_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <regex>

#include "node/group_commit.h"
#include "node/metrics.h"
#include "node/node.h"
#include "node/watcher.h"

namespace vellum::node {

class Node::Impl {
 public:
  Impl(std::unique_ptr<Ledger> ledger, std::optional<SignerKey> key, ServeOptions options);

  // Builds the route table and registers it with the HTTP server.
  void InstallRoutes();
  // Routes one request the way the server does (same table, same error and exception
  // handling), without a socket. `req.path` and `req.params` must be filled in.
  void Dispatch(httplib::Request& req, httplib::Response& res);
  // The newest signed checkpoint, signing a new one when the head moved and the last one is
  // older than the checkpoint interval.
  Result<std::string> CurrentCheckpoint();

  // Route handlers (routes.cc, tiles.cc).
  void HandleAppend(const httplib::Request& req, httplib::Response& res);
  void HandleGetEntry(const httplib::Request& req, httplib::Response& res);
  void HandleGetEntries(const httplib::Request& req, httplib::Response& res);
  void HandleLookup(const httplib::Request& req, httplib::Response& res);
  void HandleInclusion(const httplib::Request& req, httplib::Response& res);
  void HandleConsistency(const httplib::Request& req, httplib::Response& res);
  void HandleStatus(const httplib::Request& req, httplib::Response& res);
  void HandleSubtrees(const httplib::Request& req, httplib::Response& res);
  void HandleNetwork(const httplib::Request& req, httplib::Response& res);
  void HandleCheckpoint(const httplib::Request& req, httplib::Response& res);
  void HandleTile(const httplib::Request& req, httplib::Response& res);
  void HandleMetrics(const httplib::Request& req, httplib::Response& res);
  // Fills in the JSON error body for httplib's own refusals (unknown route, body too large).
  void HandleHttpError(const httplib::Request& req, httplib::Response& res);

  // Writes a JSON error body with the HTTP status for `error`.
  void SendError(httplib::Response& res, const Error& error);
  void SendError(httplib::Response& res, int status, const std::string& message);
  // Why a write request is refused ("" when it may write): a Host that is not this node's (DNS
  // rebinding), an Origin other than the Host (a cross-site form in a browser), a wrong token.
  // Sets `status` to 403 or 401.
  std::string WriteRefusal(const httplib::Request& req, int& status) const;

  std::unique_ptr<Ledger> ledger_;
  std::optional<SignerKey> key_;
  ServeOptions options_;
  EventLog log_{options_.log_format, options_.log_to};
  std::unique_ptr<httplib::Server> server_;
  socket_t listen_fd_ = -1;
  struct Route {
    std::string method;
    std::regex pattern;
    std::function<void(const httplib::Request&, httplib::Response&)> handler;
  };
  std::vector<Route> routes_;
  GroupCommitter committer_;
  Metrics metrics_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::mutex checkpoint_mu_;
  std::string checkpoint_;  // newest signed note
  uint64_t checkpoint_size_ = 0;
  std::chrono::steady_clock::time_point checkpoint_signed_{};
  std::string last_refusal_;  // the last reason signing was refused, logged once

  // Upstream and peers. Last, so it stops before anything it uses is destroyed.
  std::unique_ptr<Watcher> watcher_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_NODE_IMPL_H_
