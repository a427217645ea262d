// Why Boost.Beast: it is a well-kept HTTP/1.1 parser and serializer on Asio's event loop, header-
// only in Debian's libboost-dev, with exactly the controls a public server needs (a header
// limit, a body limit that holds for chunked bodies, one deadline per operation on the stream,
// TLS through Asio's OpenSSL stream), and it leaves threads, routing and policy to us.
// libmicrohttpd was the other candidate; its handler model calls back on its own polling
// threads, which a durable append (waiting for an fsync shared with other requests) would block.
#include "net/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace vellum::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;

// Responses up to this size are always sent; larger ones count against
// max_response_bytes_in_flight.
constexpr size_t kSmallResponse = 64 << 10;
// After answering a request whose body was not read, the server reads (and drops) at most this
// much for at most this long before closing, so the client sees the answer rather than a reset.
// A body refused for its declared length is read to its end, up to twice the body limit: a
// client that sends a body a little past the limit without waiting for 100-continue then still
// reads its 413 (256 KiB was not enough: under load the reset sometimes beat the answer).
constexpr size_t kLingerBytes = 256 << 10;
constexpr milliseconds kLinger{1000};

Response PlainError(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.Set(message + "\n", "text/plain; charset=utf-8");
  return r;
}

std::string_view View(beast::string_view v) { return {v.data(), v.size()}; }

bool IEquals(std::string_view a, std::string_view b) {
  return !CaseInsensitiveLess{}(a, b) && !CaseInsensitiveLess{}(b, a);
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Runs on the session's loop when the server stops: closes the connection if it is
  // waiting for a request.
  virtual void Drain() = 0;
  virtual void PostDrain() = 0;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerLimits l, Handler h, ErrorBody e)
      : limits(l),
        handler(std::move(h)),
        error_body(e ? std::move(e) : ErrorBody(PlainError)),
        loops(MakeLoops(l.threads)) {
    for (auto& loop : loops) {
      busy.push_back(asio::make_work_guard(*loop));
      // Each loop's reactor (epoll and eventfd descriptors) is made now. Made by the first
      // connection handed to the loop, it would throw out of the accept handler when the
      // descriptors are spent (serving hundreds of ledgers), and end the process.
      tcp::socket warm(*loop);
    }
  }

  // One event loop per thread, each with its own connections: a connection's handlers all run
  // on its loop's thread, so they need no strand, and threads share no queue.
  static std::vector<std::unique_ptr<asio::io_context>> MakeLoops(int threads) {
    const int n =
        threads > 0 ? threads : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  // Lets the loops end once they run out of work (the drain is over).
  void Idle() {
    for (auto& guard : busy) guard.reset();
  }

  // Counts a new connection from `address`; false when a cap (or stopping) refuses it.
  bool Admit(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu);
    size_t& mine = per_address[address];
    if (stopping || total >= limits.max_connections || mine >= limits.max_connections_per_address) {
      if (mine == 0) per_address.erase(address);
      return false;
    }
    ++mine;
    ++total;
    return true;
  }
  uint64_t Register(std::weak_ptr<SessionBase> session) {
    std::lock_guard<std::mutex> lock(mu);
    sessions.emplace(++next_id, std::move(session));
    return next_id;
  }
  void Release(uint64_t id, const std::string& address) {
    std::lock_guard<std::mutex> lock(mu);
    sessions.erase(id);
    if (auto it = per_address.find(address); it != per_address.end() && --it->second == 0) {
      per_address.erase(it);
    }
    --total;
    if (total == 0 && drain_armed) {  // the drain is done early
      drain_armed = false;
      asio::post(drain_timer.get_executor(), [this] { drain_timer.cancel(); });
      Idle();
    }
  }
  // Reserves `bytes` of the shared budget `used` (at most `cap`); false when it is spent.
  static bool Reserve(std::atomic<size_t>& used, size_t cap, size_t bytes) {
    size_t now = used.load();
    do {
      if (now + bytes > cap) return false;
    } while (!used.compare_exchange_weak(now, now + bytes));
    return true;
  }

  void Accept();
  void OnAccept(tcp::socket socket);
  // Runs loop `i` until it is out of work, through any exception a handler throws.
  void RunLoop(size_t i);
  void BeginStop();

  const ServerLimits limits;
  const Handler handler;
  const ErrorBody error_body;
  HttpServer::Gate gate;  // set before Run, then only read
  std::atomic<size_t> body_bytes{0}, response_bytes{0};

  std::mutex mu;
  std::atomic<bool> stopping{false};  // set under mu
  bool drain_armed = false;           // guarded by mu
  size_t total = 0;
  std::map<std::string, size_t> per_address;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  uint64_t next_id = 0;

  std::optional<asio::ssl::context> tls;
  // Declared after everything the sessions use: destroying a loop destroys sessions still
  // queued in it, which release themselves above. The acceptor and timers live on loop 0.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> busy;
  size_t next_loop = 0;    // the loop of the next connection; the acceptor's loop only
  bool accepting = false;  // an accept is pending; the acceptor's loop only
  tcp::acceptor acceptor{*loops[0]};
  asio::steady_timer accept_backoff{*loops[0]};
  asio::steady_timer drain_timer{*loops[0]};
};

namespace {

// A read's or write's completion handler behind one type.
using Completion = std::move_only_function<void(error_code, size_t)>;

// A connection's byte stream, plain TCP or TLS over TCP, as one type. Beast's HTTP reads and
// writes (the bulk of this file's compile time) are then compiled once, not once per stream
// type; what differs is the two non-template functions below. Beast keeps one read and one
// write in flight at most, which is all this stream supports.
class ServerStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  ServerStream(tcp::socket socket, asio::ssl::context* tls) {
    if (tls) {
      tls_.emplace(std::move(socket), *tls);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  bool tls() const { return tls_.has_value(); }
  TlsStream& Tls() { return *tls_; }
  beast::tcp_stream& Lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  executor_type get_executor() { return Lowest().get_executor(); }

  // Reads into the first non-empty buffer given: a read may always return less.
  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    asio::mutable_buffer first;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      if (asio::mutable_buffer b(*it); b.size() > 0) {
        first = b;
        break;
      }
    }
    ReadSome(first, Completion(std::forward<Handler>(handler)));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    writing_.clear();
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      writing_.emplace_back(*it);
    }
    WriteSome(Completion(std::forward<Handler>(handler)));
  }

 private:
  void ReadSome(asio::mutable_buffer buffer, Completion done) {
    if (tls_) return tls_->async_read_some(buffer, std::move(done));
    plain_->async_read_some(buffer, std::move(done));
  }
  void WriteSome(Completion done) {
    if (tls_) return tls_->async_write_some(writing_, std::move(done));
    plain_->async_write_some(writing_, std::move(done));
  }

  std::optional<beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
  std::vector<asio::const_buffer> writing_;  // the buffers of the write in flight
};

class Session : public SessionBase, public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, std::string address, tcp::socket socket,
          asio::ssl::context* tls)
      : server_(server),
        limits_(server.limits),
        address_(std::move(address)),
        stream_(std::move(socket), tls) {}

  ~Session() override { Release(); }

  void Start() {
    id_ = server_.Register(weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Begin(); });
  }

  void PostDrain() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->Drain(); });
  }
  void Drain() override {
    if (state_ == State::kWaiting) Lowest().cancel();
  }

 private:
  enum class State { kWaiting, kReading, kHandling, kWriting, kClosing };

  beast::tcp_stream& Lowest() { return stream_.Lowest(); }
  std::shared_ptr<Session> Self() { return shared_from_this(); }

  void Begin() {
    if (stream_.tls()) {
      Lowest().expires_after(milliseconds(limits_.header_timeout_ms));
      stream_.Tls().async_handshake(asio::ssl::stream_base::server, [self = Self()](error_code ec) {
        if (ec) return self->Close();
        self->ReadHeader();
      });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    state_ = State::kWaiting;
    if (server_.stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
    parser_->body_limit(std::max(limits_.max_body_bytes, limits_.max_other_body_bytes));
    Lowest().expires_after(
        milliseconds(first_ ? limits_.header_timeout_ms : limits_.keep_alive_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (ec == http::error::header_limit) {
      return Refuse(431, "request line and headers are limited to " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) return RefuseBodySize();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || (ec && buffer_.size() == 0 && !parser_->got_some())) {
      return Close();
    }
    if (ec) return Refuse(400, "malformed request (" + ec.message() + ")");
    state_ = State::kReading;
    auto& msg = parser_->get();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    if (static_cast<size_t>(std::distance(msg.begin(), msg.end())) > limits_.max_header_count) {
      return Refuse(431, "a request has at most " + std::to_string(limits_.max_header_count) +
                             " header lines");
    }
    const std::string_view encoding = View(msg[http::field::content_encoding]);
    if (!encoding.empty() && !IEquals(encoding, "identity")) {
      return Refuse(415, "compressed request bodies are not accepted (Content-Encoding: " +
                             std::string(encoding) + "): send the body uncompressed");
    }
    const std::string_view transfer = View(msg[http::field::transfer_encoding]);
    if (!transfer.empty() && !IEquals(transfer, "chunked")) {
      return Refuse(415, "transfer coding '" + std::string(transfer) +
                             "' is not accepted: send the body as is or chunked");
    }
    body_limit_ =
        msg.method() == http::verb::post ? limits_.max_body_bytes : limits_.max_other_body_bytes;
    const auto length = parser_->content_length();
    // Only a request with a body has one to spare: GETs do not pay for the copy of their head.
    if (server_.gate && (length.value_or(0) > 0 || parser_->chunked())) {
      Request head;
      FillHead(msg, head);
      if (auto answer = server_.gate(head)) {
        // The body is not read; what of it the client still sends is read and dropped before
        // the connection closes, so that the answer reaches it.
        if (length) {
          linger_bytes_ =
              std::max<uint64_t>(kLingerBytes, std::min<uint64_t>(*length, 2 * body_limit_));
        }
        keep_alive_ = false;
        return Write(std::move(*answer));
      }
    }
    if (length && *length > body_limit_) {
      linger_bytes_ =
          std::max<uint64_t>(kLingerBytes, std::min<uint64_t>(*length, 2 * body_limit_));
      return RefuseBodySize();
    }
    const size_t need = parser_->chunked() ? body_limit_ : static_cast<size_t>(length.value_or(0));
    if (need > 0) {
      if (!HttpServer::Impl::Reserve(server_.body_bytes, limits_.max_body_bytes_in_flight, need)) {
        return Refuse(503, "the server is reading too many request bodies; retry shortly");
      }
      body_reserved_ = need;
    }
    parser_->body_limit(body_limit_);
    if (need > 0 && IEquals(View(msg[http::field::expect]), "100-continue")) {
      continue_.emplace(http::status::continue_, version_);
      Lowest().expires_after(milliseconds(limits_.write_timeout_ms));
      return http::async_write(stream_, *continue_, [self = Self()](error_code e, size_t) {
        if (e) return self->Close();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  // Everything of `request` but its body, from `msg`.
  template <class Message>
  void FillHead(const Message& msg, Request& request) const {
    request.method = msg.method() == http::verb::head ? "GET" : std::string(msg.method_string());
    request.target = std::string(msg.target());
    SplitTarget(request.target, request.path, request.params);
    for (const auto& field : msg) {
      request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    }
    request.remote_address = address_;
  }

  void ReadBody() {
    Lowest().expires_after(milliseconds(limits_.body_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = Self()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(error_code ec) {
    if (ec == http::error::body_limit) return RefuseBodySize();
    if (ec) return Close();
    auto msg = parser_->release();
    parser_.reset();
    head_ = msg.method() == http::verb::head;
    request_ = Request{};
    FillHead(msg, request_);
    request_.body = std::move(msg.body());
    state_ = State::kHandling;
    auto respond = [self = Self()](Response res) {
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    };
    try {
      server_.handler(request_, std::move(respond));
    } catch (...) {
      Write(server_.error_body(500, "internal error"));
    }
  }

  void RefuseBodySize() {
    const auto length = parser_ ? parser_->content_length() : boost::none;
    if (length) {
      linger_bytes_ =
          std::max<uint64_t>(kLingerBytes, std::min<uint64_t>(*length, 2 * limits_.max_body_bytes));
    }
    Refuse(413, "request body too large (at most " +
                    std::to_string(body_limit_ ? body_limit_ : limits_.max_body_bytes) + " bytes)");
  }

  // Answers without reading the rest of the request, then closes.
  void Refuse(int status, const std::string& message) {
    keep_alive_ = false;
    Write(server_.error_body(status, message));
  }

  void Write(Response res) {
    state_ = State::kWriting;
    request_ = Request{};
    server_.body_bytes -= body_reserved_;
    body_reserved_ = 0;
    if (res.body.size() > kSmallResponse &&
        !HttpServer::Impl::Reserve(server_.response_bytes, limits_.max_response_bytes_in_flight,
                                   res.body.size())) {
      res = server_.error_body(503, "the server is sending too many large answers; retry shortly");
    } else if (res.body.size() > kSmallResponse) {
      response_reserved_ = res.body.size();
    }
    const bool stopping = server_.stopping;
    // A request whose body was not read to its end leaves the connection unusable.
    keep_alive_ = keep_alive_ && !stopping && (!parser_ || parser_->is_done());
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(res.status));
    if (!res.content_type.empty()) response_.set(http::field::content_type, res.content_type);
    for (const auto& [name, value] : res.headers) response_.insert(name, value);
    response_.keep_alive(keep_alive_);
    if (head_) {
      response_.content_length(res.body.size());
    } else {
      response_.body() = std::move(res.body);
      response_.prepare_payload();
    }
    Lowest().expires_after(milliseconds(limits_.write_timeout_ms));
    http::async_write(stream_, response_, [self = Self()](error_code ec, size_t) {
      self->server_.response_bytes -= self->response_reserved_;
      self->response_reserved_ = 0;
      self->response_ = {};
      if (ec) return self->Close();
      if (!self->keep_alive_) return self->Finish();
      self->first_ = false;
      self->head_ = false;
      self->ReadHeader();
    });
  }

  // Closes after an answer: TLS says goodbye; plain TCP stops sending and drops what the client
  // still sends for a moment, so that the answer is not lost to a reset.
  void Finish() {
    state_ = State::kClosing;
    parser_.reset();
    Lowest().expires_after(kLinger);
    if (stream_.tls()) {
      stream_.Tls().async_shutdown([self = Self()](error_code) { self->Close(); });
    } else {
      error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Discard();
    }
  }
  void Discard() {
    Lowest().async_read_some(asio::buffer(scratch_), [self = Self()](error_code ec, size_t n) {
      self->discarded_ += n;
      if (ec || self->discarded_ > self->linger_bytes_) return self->Close();
      self->Discard();
    });
  }

  void Close() {
    state_ = State::kClosing;
    error_code ignored;
    Lowest().socket().close(ignored);
    Release();
  }

  // Gives back the connection's place and its budgets once the socket is closed, even while
  // something (an append's answer still on its way) holds on to the session.
  void Release() {
    if (released_) return;
    released_ = true;
    server_.body_bytes -= body_reserved_;
    server_.response_bytes -= response_reserved_;
    body_reserved_ = response_reserved_ = 0;
    server_.Release(id_, address_);
  }

  HttpServer::Impl& server_;
  const ServerLimits& limits_;
  const std::string address_;
  ServerStream stream_;
  uint64_t id_ = 0;
  State state_ = State::kWaiting;
  bool first_ = true, keep_alive_ = true, head_ = false, released_ = false;
  unsigned version_ = 11;
  size_t body_limit_ = 0, body_reserved_ = 0, response_reserved_ = 0, discarded_ = 0;
  size_t linger_bytes_ = kLingerBytes;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  Request request_;
  http::response<http::string_body> response_;
  std::array<char, 4096> scratch_{};
};

}  // namespace

void HttpServer::Impl::Accept() {
  asio::io_context& loop = *loops[next_loop++ % loops.size()];
  accepting = true;
  acceptor.async_accept(loop, [this](error_code ec, tcp::socket socket) {
    accepting = false;
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {  // out of descriptors, most likely: wait a little rather than spin
      accept_backoff.expires_after(milliseconds(100));
      accept_backoff.async_wait([this](error_code e) {
        if (!e) Accept();
      });
      return;
    }
    OnAccept(std::move(socket));
    Accept();
  });
}

void HttpServer::Impl::OnAccept(tcp::socket socket) {
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  std::string address = peer.address().to_string();
  if (!Admit(address)) {
    if (!tls) {  // say why, if the socket takes it at once; never wait for a refused client
      const Response r = error_body(503, "too many connections; retry later");
      const std::string text =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + r.content_type +
          "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" +
          r.body;
      socket.non_blocking(true, ec);
      socket.write_some(asio::buffer(text), ec);
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  std::make_shared<Session>(*this, std::move(address), std::move(socket), tls ? &*tls : nullptr)
      ->Start();
}

void HttpServer::Impl::BeginStop() {
  std::vector<std::shared_ptr<SessionBase>> open;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;
    stopping = true;
    for (auto& [id, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    if (total == 0) Idle();
    if (total > 0) {
      drain_armed = true;
      asio::post(drain_timer.get_executor(), [this] {
        drain_timer.expires_after(milliseconds(limits.drain_timeout_ms));
        drain_timer.async_wait([this](error_code ec) {
          if (ec) return;  // cancelled: every connection closed in time
          {
            std::lock_guard<std::mutex> inner(mu);
            drain_armed = false;
          }
          for (auto& loop : loops) loop->stop();
        });
      });
    }
  }
  asio::post(acceptor.get_executor(), [this] {
    error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
  });
  for (auto& s : open) s->PostDrain();
}

namespace {

// Each connection is a descriptor, and so is each ledger file a node set opens (three, with
// its WAL and shared memory): take what the system allows, as nginx and Go's runtime do.
void RaiseDescriptorLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Create(ServerLimits limits, Handler handler,
                                                       ErrorBody error_body,
                                                       const std::string& tls_cert,
                                                       const std::string& tls_key) {
  RaiseDescriptorLimit();
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>(limits, std::move(handler), std::move(error_body));
  } catch (const boost::system::system_error& e) {
    return Fail(
        ErrorCode::kUnavailable,
        "cannot start the HTTP server: " + e.code().message() +
            (e.code() == asio::error::no_descriptors ? " (raise the limit: ulimit -n)" : ""));
  }
  if (!tls_cert.empty() || !tls_key.empty()) {
    impl->tls.emplace(asio::ssl::context::tls_server);
    error_code ec;
    impl->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                               asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                               asio::ssl::context::no_tlsv1_1,
                           ec);
    impl->tls->use_certificate_chain_file(tls_cert, ec);
    if (!ec) impl->tls->use_private_key_file(tls_key, asio::ssl::context::pem, ec);
    if (ec) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot load the TLS certificate or key (" + ec.message() + ")");
    }
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Result<int> HttpServer::Bind(const std::string& host, int port) {
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  const std::string where = host + ":" + std::to_string(port);
  error_code ec;
  tcp::resolver resolver(*impl_->loops[0]);
  auto found = resolver.resolve(name, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || found.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cannot listen on " + where + ": unknown host");
  }
  const tcp::endpoint endpoint = found.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR only (never SO_REUSEPORT, which would let a second node share the port).
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Fail(ErrorCode::kUnavailable,
                "cannot listen on " + where + ": " +
                    (ec == asio::error::address_in_use
                         ? std::string("address already in use (another process has that port)")
                         : ec.message()));
  }
  return static_cast<int>(acceptor.local_endpoint().port());
}

void HttpServer::Run() {
  asio::post(impl_->acceptor.get_executor(), [this] {
    if (impl_->acceptor.is_open()) impl_->Accept();
  });
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->loops.size(); ++i) {
    threads.emplace_back([this, i] { impl_->RunLoop(i); });
  }
  impl_->RunLoop(0);
  for (auto& t : threads) t.join();
}

void HttpServer::Impl::RunLoop(size_t i) {
  for (;;) {
    try {
      loops[i]->run();
      return;
    } catch (const std::exception& e) {
      // A handler threw (none should; the descriptors running out once did). Its connection is
      // dropped; the others, and the server, go on. An accept it cut short is begun again.
      std::fprintf(stderr, "vellum: an HTTP handler failed, its connection is closed: %s\n",
                   e.what());
      if (i == 0 && acceptor.is_open() && !accepting) {
        accept_backoff.expires_after(milliseconds(100));
        accept_backoff.async_wait([this](error_code ec) {
          if (!ec && acceptor.is_open() && !accepting) Accept();
        });
      }
    }
  }
}

void HttpServer::Stop() { impl_->BeginStop(); }

void HttpServer::SetGate(Gate gate) { impl_->gate = std::move(gate); }

size_t HttpServer::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->total;
}

}  // namespace vellum::net
