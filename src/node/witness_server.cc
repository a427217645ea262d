#include "node/witness_server.h"

#include <chrono>

namespace vellum::node {

namespace {

// Threads that wait on the witness's group commit: enough that a commit gathers many requests.
constexpr int kWitnessThreads = 16;
constexpr size_t kMaxWaitingRequests = 4096;

net::Response TextError(int status, const std::string& message) {
  net::Response res;
  res.status = status;
  res.Set(message + "\n", "text/plain; charset=utf-8");
  return res;
}

}  // namespace

WitnessEndpoint::WitnessEndpoint(std::shared_ptr<Witness> witness, EventLog& log)
    : witness_(std::move(witness)), log_(log), queue_(kWitnessThreads, kMaxWaitingRequests) {}

WitnessEndpoint::~WitnessEndpoint() = default;

void WitnessEndpoint::Handle(net::Request& request, const net::HttpServer::Respond& respond,
                             net::Response (*error)(int status, const std::string& message)) {
  auto work = [this, body = std::move(request.body), respond, error] {
    net::Response res;
    try {
      Answer(body, res);
    } catch (...) {
      res = error(500, "internal error");
    }
    respond(std::move(res));
  };
  if (!queue_.Post(std::move(work))) respond(error(503, "the witness is busy; try again"));
}

void WitnessEndpoint::Answer(const std::string& body, net::Response& res) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  WitnessAnswer answer = witness_->AddCheckpoint(body, static_cast<uint64_t>(now));
  if (answer.status != 200 && answer.status != 409) {
    std::string reason = answer.body.substr(0, 300);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    std::lock_guard<std::mutex> lock(mu_);
    if (reason != last_refusal_) {
      last_refusal_ = reason;
      log_.Event("witness-refused", "refused an add-checkpoint request: " + reason,
                 {{"status", answer.status}});
    }
  }
  res.status = answer.status;
  res.Set(std::move(answer.body), std::move(answer.content_type));
}

std::string WitnessEndpoint::Metrics() const {
  const WitnessCounts counts = witness_->counts();
  return "# HELP vellum_witness_cosigned_total Checkpoints this node cosigned as a witness.\n"
         "# TYPE vellum_witness_cosigned_total counter\nvellum_witness_cosigned_total " +
         std::to_string(counts.cosigned) +
         "\n# HELP vellum_witness_refused_total add-checkpoint requests this witness refused.\n"
         "# TYPE vellum_witness_refused_total counter\nvellum_witness_refused_total " +
         std::to_string(counts.refused) + "\n";
}

Result<std::unique_ptr<WitnessServer>> WitnessServer::Create(std::shared_ptr<Witness> witness,
                                                             net::ServerLimits limits,
                                                             EventLog::Format log_format,
                                                             std::FILE* log_to) {
  std::unique_ptr<WitnessServer> out(new WitnessServer(log_format, log_to));
  WitnessServer* raw = out.get();
  auto server = net::HttpServer::Create(
      limits,
      [raw](net::Request& req, net::HttpServer::Respond respond) {
        if (req.method == "POST" && req.path == "/add-checkpoint") {
          return raw->endpoint_->Handle(req, respond, &TextError);
        }
        if (req.method == "GET" && req.path == "/metrics") {
          net::Response res;
          res.Set(raw->endpoint_->Metrics(), "text/plain; version=0.0.4");
          return respond(std::move(res));
        }
        respond(TextError(404, "a witness answers POST /add-checkpoint (C2SP tlog-witness)"));
      },
      &TextError);
  if (!server) return std::unexpected(server.error());
  out->server_ = std::move(*server);
  out->endpoint_ = std::make_unique<WitnessEndpoint>(std::move(witness), out->log_);
  return out;
}

WitnessServer::~WitnessServer() = default;
Result<int> WitnessServer::Bind(const std::string& host, int port) {
  return server_->Bind(host, port);
}
void WitnessServer::Run() { server_->Run(); }
void WitnessServer::Stop() { server_->Stop(); }

}  // namespace vellum::node
