// vellum's HTTP node: one ledger served over the C2SP tlog-tiles read API, the /v1/ JSON API and
// /metrics (doc/protocol.md). Thread-safe; requests run on the HTTP server's event-loop threads
// (net/http_server.h), appends are made durable by the group committer's thread.
#ifndef VELLUM_NODE_NODE_H_
#define VELLUM_NODE_NODE_H_

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_server.h"
#include "node/event_log.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/witness.h"

namespace vellum::node {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 0;       // 0: any free port (Node::Bind returns it)
  std::string token;  // bearer token for writes (node/token.h); required unless a mirror
  // Host names (besides IP addresses and localhost) that write requests may carry in Host.
  std::vector<std::string> allowed_hosts;
  std::string tls_cert, tls_key;         // both set: HTTPS
  bool group_commit = true;              // false: one transaction per append request (baseline)
  int checkpoint_interval_ms = 250;      // sign a new checkpoint at most this often
  net::ServerLimits limits;              // connections, deadlines, sizes (net/http_server.h)
  int peer_timeout_ms = 30000;           // deadline of each request to the upstream or a peer
  std::string upstream;                  // mirror mode: follow this node's signed history
  std::vector<std::string> peers;        // nodes to watch for lag and forks
  std::vector<std::string> extra_vkeys;  // also accepted on upstream/peer checkpoints
  int poll_interval_ms = 1000;
  // Keep this folder a static tlog-tiles copy of the ledger (node/publish.h); "" for none.
  std::string publish_dir;
  // No server of its own: requests come through Node::Serve (a NodeSet serving many ledgers
  // on one port); Bind and Run are not used.
  bool embedded = false;
  // Answer C2SP tlog-witness requests (POST /add-checkpoint) with this witness; none when null.
  std::shared_ptr<Witness> witness = nullptr;
  // A writer sends each new checkpoint to this policy's witnesses that have a URL and serves it
  // with the cosignatures gathered; a mirror accepts only upstream checkpoints that meet it.
  std::shared_ptr<const Policy> policy = nullptr;
  // A writer with a policy serves only the newest checkpoint that meets the policy's quorum
  // (503 until one does) instead of its newest with whatever cosignatures it has.
  bool require_quorum = false;
  // Where the node's event lines go (node/event_log.h); nullptr: nowhere.
  std::FILE* log_to = nullptr;
  EventLog::Format log_format = EventLog::Format::kText;
};

// What Node::HandleInProcess answers.
struct InProcessResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class Node {
 public:
  // `key` signs checkpoints; without it /checkpoint answers 503. Refuses a node that takes
  // writes without a token of kMinTokenLength, and a key that is not the ledger's.
  [[nodiscard]] static Result<std::unique_ptr<Node>> Create(std::unique_ptr<Ledger> ledger,
                                                            std::optional<SignerKey> key,
                                                            ServeOptions options);
  ~Node();

  // Binds the listening socket; returns the port.
  [[nodiscard]] Result<int> Bind();
  // Serves until Stop(); in-flight requests finish first.
  void Run();
  // Safe from any thread.
  void Stop();
  // The node's event log (ServeOptions::log_to), for its owner's events (start, stop).
  EventLog& log();

  // Routes one request as the node's own server would: `respond` is called once, at once for
  // reads, once the entries are durable for appends. For an embedded node's owner.
  void Serve(net::Request& request, net::HttpServer::Respond respond);
  // The answer to a request refused before its body is read (an append without the token, or
  // to a mirror), or nullopt: for an embedded node's owner's HttpServer::Gate.
  std::optional<net::Response> RefusedBeforeBody(const net::Request& request);

  // Answers one request through the same routes and handlers as the server, without a socket
  // (the request-handler fuzzer drives the node this way), as a local client that holds the
  // token. `target` is a path with an optional
  // query string, e.g. "/v1/entries?start=3". Thread-safe.
  InProcessResponse HandleInProcess(std::string_view method, std::string_view target,
                                    std::string body = "");

  class Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_NODE_H_
