// A witness on HTTP (C2SP tlog-witness): the add-checkpoint endpoint a node adds to its routes
// (`serve LEDGER --witness`), and a server that is only a witness (`vellum witness serve`).
#ifndef VELLUM_NODE_WITNESS_SERVER_H_
#define VELLUM_NODE_WITNESS_SERVER_H_

#include <memory>
#include <mutex>
#include <string>

#include "net/http_server.h"
#include "node/event_log.h"
#include "node/work_queue.h"
#include "vellum/witness.h"

namespace vellum::node {

// POST <prefix>/add-checkpoint. Requests wait for the witness's group commit on a bounded work
// queue, not on the server's event-loop threads; a full queue is answered 503. Refusals are
// said on the event log once per reason (a log retries; a stranger may repeat a request).
// Thread-safe.
class WitnessEndpoint {
 public:
  // REQUIRES: `log` outlives the endpoint. Destroy it before the server whose requests it
  // answers (it answers those it holds first).
  WitnessEndpoint(std::shared_ptr<Witness> witness, EventLog& log);
  ~WitnessEndpoint();

  // Answers `request` (its body) through `respond`, later. `error` makes the body of a 503.
  void Handle(net::Request& request, const net::HttpServer::Respond& respond,
              net::Response (*error)(int status, const std::string& message));
  Witness& witness() { return *witness_; }
  // The /metrics lines of the witness.
  std::string Metrics() const;

 private:
  void Answer(const std::string& body, net::Response& res);

  std::shared_ptr<Witness> witness_;
  EventLog& log_;
  std::mutex mu_;
  std::string last_refusal_;
  WorkQueue queue_;  // last: its threads use what is above
};

// A server that is only a witness: POST /add-checkpoint, GET /metrics; anything else 404.
class WitnessServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<WitnessServer>> Create(
      std::shared_ptr<Witness> witness, net::ServerLimits limits, EventLog::Format log_format,
      std::FILE* log_to);
  ~WitnessServer();
  [[nodiscard]] Result<int> Bind(const std::string& host, int port);
  void Run();
  void Stop();
  EventLog& log() { return log_; }

 private:
  WitnessServer(EventLog::Format log_format, std::FILE* log_to) : log_(log_format, log_to) {}
  EventLog log_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<WitnessEndpoint> endpoint_;  // after the server: destroyed first
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_WITNESS_SERVER_H_
