// vellum's HTTP/1.1 server, on Boost.Beast and Asio: a few threads run an event loop, so idle,
// slow or hostile connections cost a socket and a little memory each, never a thread.
//
// Every limit applies before a request reaches its handler: the request line and headers (bytes
// and count), the body (whatever its transfer coding; compressed bodies are refused), one
// deadline for the whole header phase and one for each body, connections in total and per
// client address, and the bytes of request bodies and responses held in memory at once.
// Responses never have more than one range (Range is ignored). Stop() drains: no new
// connections, idle ones closed, requests in flight answered, all within a deadline.
#ifndef VELLUM_NET_HTTP_SERVER_H_
#define VELLUM_NET_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/http.h"
#include "vellum/error.h"

namespace vellum::net {

struct ServerLimits {
  size_t max_header_bytes = 16 << 10;  // request line and headers together
  size_t max_header_count = 100;
  size_t max_body_bytes = 8 << 20;         // a POST body, after chunked decoding
  size_t max_other_body_bytes = 16 << 10;  // a body on any other method
  int header_timeout_ms = 10000;  // from accepting (or the last answer) to the end of the headers
  int keep_alive_ms = 5000;       // the same for the next request on a kept-alive connection
  int body_timeout_ms = 30000;    // reading one body
  int write_timeout_ms = 30000;   // writing one answer
  size_t max_connections = 4096;
  size_t max_connections_per_address = 256;
  size_t max_body_bytes_in_flight = 64 << 20;      // request bodies being read, all connections
  size_t max_response_bytes_in_flight = 96 << 20;  // answers being written, all connections
  int drain_timeout_ms = 10000;  // Stop(): how long requests in flight may take to finish
  int threads = 0;               // event-loop threads; 0: one per core, at least 2
};

class HttpServer {
 public:
  // Called once the answer is ready; from any thread.
  using Respond = std::function<void(Response)>;
  // Called on an event-loop thread for each request that passed the limits. It must call
  // `respond` exactly once, now or later (from any thread); `request` stays valid until then.
  // It must not block for long: slow work belongs on another thread. `respond` must not
  // outlive the server.
  using Handler = std::function<void(Request& request, Respond respond)>;

  // Looks at a request that has a body before the body is read (`request.body` is empty): an
  // answer refuses it then, before any "100 Continue" and without reading the body into memory
  // (a write without its token, say); nullopt lets it through to the handler. Called on an
  // event-loop thread. A request without a body goes to the handler alone.
  using Gate = std::function<std::optional<Response>(const Request& request)>;

  // The body of an answer the server gives on its own (a limit was hit), e.g. the caller's
  // JSON error document. Default: the message as text/plain.
  using ErrorBody = std::function<Response(int status, const std::string& message)>;

  // With `tls_cert` and `tls_key` (PEM files) the server speaks HTTPS only. Raises the process's
  // limit of open descriptors to the most it may have (each connection holds one).
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Create(ServerLimits limits,
                                                                  Handler handler,
                                                                  ErrorBody error_body = nullptr,
                                                                  const std::string& tls_cert = "",
                                                                  const std::string& tls_key = "");
  ~HttpServer();

  // Sets the gate; before Run.
  void SetGate(Gate gate);

  // Listens on `host`:`port` (port 0: any free port); returns the port.
  [[nodiscard]] Result<int> Bind(const std::string& host, int port);
  // Serves until Stop() and the drain that follows end.
  void Run();
  // Thread-safe; may come before Run.
  void Stop();

  // Connections open now (for tests and /metrics).
  size_t connections() const;

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vellum::net

#endif  // VELLUM_NET_HTTP_SERVER_H_
