// vellum's HTTP client, on libcurl: what a node, `sync`, `compare` and `network` use to talk to
// peers that may be hostile. Every request has an overall deadline and a byte cap checked while
// the answer streams in (headers included); nothing is decompressed, redirects are not
// followed, only http:// and https:// are spoken, and no proxy from the environment is used. One
// client holds one connection that keep-alive reuses; not thread-safe (one per thread).
#ifndef VELLUM_NET_HTTP_CLIENT_H_
#define VELLUM_NET_HTTP_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>

#include "net/http.h"
#include "vellum/error.h"

namespace vellum::net {

struct ClientOptions {
  int deadline_ms = 30000;  // the whole request, from connecting to the last byte
  int connect_timeout_ms = 5000;
  size_t max_body_bytes = 32 << 20;  // default cap on an answer's body (per call: Send)
  size_t max_header_bytes = 64 << 10;
  bool verify_tls = true;    // check an https server's certificate against the system's CAs
  std::string bearer_token;  // sent as Authorization: Bearer <token> when set
  // When set and it becomes true, a request in progress stops within about a second
  // (kUnavailable, "cancelled"). `cancel_too` likewise: a client working for two owners (a
  // sync's fetch worker: the sync, and the node that runs it) stops for either.
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* cancel_too = nullptr;
};

struct ClientResponse {
  int status = 0;
  std::string body;
  Headers headers;
  std::string header(std::string_view name) const { return HeaderValue(headers, name); }
};

class HttpClient {
 public:
  // `base` is "http://host:port" or "https://host:port" (no path).
  explicit HttpClient(std::string base, ClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // kUnavailable when the server cannot be reached, does not answer within the deadline or the
  // request was cancelled; kVerificationFailed when the answer is larger than `max_body_bytes`
  // (0: the client's default) or its headers than max_header_bytes. Any HTTP status is a
  // response.
  [[nodiscard]] Result<ClientResponse> Send(const std::string& method, const std::string& path,
                                            const Headers& headers = {},
                                            const std::string& body = "",
                                            const std::string& content_type = "",
                                            size_t max_body_bytes = 0);
  [[nodiscard]] Result<ClientResponse> Get(const std::string& path, const Headers& headers = {}) {
    return Send("GET", path, headers);
  }
  [[nodiscard]] Result<ClientResponse> Post(const std::string& path, const std::string& body,
                                            const std::string& content_type) {
    return Send("POST", path, {}, body, content_type);
  }
  [[nodiscard]] Result<ClientResponse> Post(const std::string& path, const Headers& headers,
                                            const std::string& body,
                                            const std::string& content_type) {
    return Send("POST", path, headers, body, content_type);
  }

  const std::string& base() const { return base_; }
  ClientOptions& options() { return options_; }

 private:
  struct Curl;
  std::string base_;
  ClientOptions options_;
  std::unique_ptr<Curl> curl_;
};

}  // namespace vellum::net

#endif  // VELLUM_NET_HTTP_CLIENT_H_
