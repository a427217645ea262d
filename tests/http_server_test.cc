// net::HttpServer and net::HttpClient on their own: HTTP/1.1 details the node relies on, and the
// shared budgets, against a handler written for each test.
#include "net/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "net/http.h"
#include "net/http_client.h"
#include "tests/socket.h"

namespace vellum::net {
namespace {

class Served {
 public:
  Served(ServerLimits limits, HttpServer::Handler handler, HttpServer::Gate gate = nullptr) {
    server_ = std::move(*HttpServer::Create(limits, std::move(handler)));
    if (gate) server_->SetGate(std::move(gate));
    port_ = *server_->Bind("127.0.0.1", 0);
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~Served() {
    server_->Stop();
    thread_.join();
  }
  int port() const { return port_; }
  HttpClient Client() const { return HttpClient("http://127.0.0.1:" + std::to_string(port_)); }

 private:
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

// Answers "<method> <path> <body size>".
void Echo(Request& req, HttpServer::Respond respond) {
  Response res;
  res.Set(req.method + " " + req.path + " " + std::to_string(req.body.size()), "text/plain");
  respond(std::move(res));
}

using testing::ConnectLoopback;
using testing::Receive;
using testing::SendAll;

TEST(HttpTest, TargetsAreSplitAndDecoded) {
  std::string path;
  std::multimap<std::string, std::string> params;
  SplitTarget("/a%20b/c%2F?x=1+2&y=%41&flag&bad=%zz&=v", path, params);
  EXPECT_EQ(path, "/a b/c/");
  EXPECT_EQ(params.find("x")->second, "1 2");
  EXPECT_EQ(params.find("y")->second, "A");
  EXPECT_EQ(params.find("flag")->second, "");
  EXPECT_EQ(params.find("bad")->second, "%zz");  // a malformed escape stays as sent
  EXPECT_EQ(params.find("")->second, "v");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  Headers headers = {{"Content-Type", "text/plain"}};
  EXPECT_EQ(HeaderValue(headers, "content-TYPE"), "text/plain");
  EXPECT_EQ(HeaderValue(headers, "Host"), "");
}

TEST(HttpServerTest, ChunkedBodiesUnderTheLimitArriveWhole) {
  Served served({}, Echo);
  const int fd = ConnectLoopback(served.port());
  std::string request = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) request += "2800\r\n" + std::string(0x2800, 'c') + "\r\n";
  ASSERT_TRUE(SendAll(fd, request + "0\r\n\r\n"));
  const std::string answer = Receive(fd, 1);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("POST /x 102400"), std::string::npos) << answer;
  close(fd);
}

TEST(HttpServerTest, HeadAnswersTheHeadersOfGet) {
  Served served({}, Echo);
  const int fd = ConnectLoopback(served.port());
  ASSERT_TRUE(
      SendAll(fd, "HEAD /thing HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n"));
  const std::string answers = Receive(fd, 1 << 20, 3000, "GET /after 0");
  // "GET /thing 0" is 12 bytes: announced, not sent; the next answer follows at once.
  EXPECT_NE(answers.find("Content-Length: 12\r\n\r\nHTTP/1.1 200"), std::string::npos) << answers;
  EXPECT_EQ(answers.find("GET /thing"), std::string::npos) << answers;
  EXPECT_NE(answers.find("GET /after 0"), std::string::npos) << answers;
  close(fd);
}

TEST(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Served served({}, Echo);
  const int fd = ConnectLoopback(served.port());
  ASSERT_TRUE(SendAll(
      fd, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const std::string go = Receive(fd, 25);
  EXPECT_EQ(go, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(SendAll(fd, "hello"));
  EXPECT_NE(Receive(fd, 1).find("POST /x 5"), std::string::npos);
  close(fd);
}

// A gate answers before the body: no "100 Continue", the handler never sees the request.
TEST(HttpServerTest, AGateRefusesBeforeTheBody) {
  std::atomic<int> handled{0};
  Served served(
      {},
      [&](Request& req, HttpServer::Respond respond) {
        ++handled;
        Echo(req, std::move(respond));
      },
      [](const Request& head) -> std::optional<Response> {
        if (head.path != "/locked" || !head.body.empty()) return std::nullopt;
        Response res;
        res.status = 401;
        res.Set("locked", "text/plain");
        return res;
      });
  const int fd = ConnectLoopback(served.port());
  ASSERT_TRUE(SendAll(
      fd, "POST /locked HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const std::string answer = Receive(fd, 1 << 16, 3000);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 401")) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  close(fd);
  auto open = served.Client().Post("/open", "hello", "text/plain");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->body, "POST /open 5");
  EXPECT_EQ(handled.load(), 1);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Served served({}, Echo);
  const int fd = ConnectLoopback(served.port());
  std::string requests;
  for (int i = 0; i < 20; ++i) {
    requests += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  }
  ASSERT_TRUE(SendAll(fd, requests));
  const std::string answers = Receive(fd, 1 << 20, 3000, "GET /19 0");
  size_t at = 0;
  for (int i = 0; i < 20; ++i) {
    const size_t found = answers.find("GET /" + std::to_string(i) + " 0", at);
    ASSERT_NE(found, std::string::npos) << i;
    at = found;
  }
  close(fd);
}

TEST(HttpServerTest, LargeAnswersBeyondTheSharedBudgetAreRefused) {
  ServerLimits limits;
  limits.max_response_bytes_in_flight = 20 << 20;
  Served served(limits, [](Request&, HttpServer::Respond respond) {
    Response res;
    res.Set(std::string(16 << 20, 'z'), "application/octet-stream");
    respond(std::move(res));
  });
  // A client that does not read holds its 16 MiB answer (more than the sockets buffer) in the
  // budget...
  const int stuck = ConnectLoopback(served.port(), 4096);
  ASSERT_TRUE(SendAll(stuck, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // ...so the next large answer does not fit, and says so.
  auto c = served.Client();
  auto refused = c.Get("/big");
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_EQ(refused->status, 503);
  close(stuck);
  bool served_again = false;  // once the stuck client is gone, the budget is free again
  for (int i = 0; i < 40 && !served_again; ++i) {
    auto again = served.Client().Get("/big");
    served_again = again && again->status == 200 && again->body.size() == (16u << 20);
    if (!served_again) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(served_again);
}

TEST(HttpServerTest, StopBeforeRunEndsRun) {
  auto server = HttpServer::Create({}, Echo);
  ASSERT_TRUE(server);
  ASSERT_TRUE((*server)->Bind("127.0.0.1", 0));
  (*server)->Stop();
  (*server)->Run();  // returns: nothing to drain
  SUCCEED();
}

TEST(HttpServerTest, AnUnknownHostOrABusyPortIsAnError) {
  auto server = HttpServer::Create({}, Echo);
  auto unknown = (*server)->Bind("no-such-host.invalid", 0);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("cannot listen on no-such-host.invalid:0"),
            std::string::npos);
  Served taken({}, Echo);
  auto busy = (*HttpServer::Create({}, Echo))->Bind("127.0.0.1", taken.port());
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message().find("address already in use"), std::string::npos);
}

TEST(HttpClientTest, AClientCanBeCancelledMidRequest) {
  std::atomic<bool> cancel{false};
  std::mutex mu;
  std::vector<HttpServer::Respond> unanswered;  // answered at the end, before the server stops
  Served slow({}, [&](Request&, HttpServer::Respond respond) {
    std::lock_guard<std::mutex> lock(mu);
    unanswered.push_back(std::move(respond));
  });
  ClientOptions options;
  options.cancel = &cancel;
  HttpClient c("http://127.0.0.1:" + std::to_string(slow.port()), options);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  auto r = c.Get("/slow");
  canceller.join();
  EXPECT_FALSE(r);
  if (!r) {
    EXPECT_NE(r.error().message().find("cancelled"), std::string::npos) << r.error().message();
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& respond : unanswered) respond(Response{});
  unanswered.clear();  // a Respond must not outlive its server
}

TEST(HttpClientTest, OnlyHttpAndHttpsAreSpoken) {
  HttpClient c("file:///etc");
  auto r = c.Get("/passwd");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace vellum::net
