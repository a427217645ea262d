// The attacks of an open network, on loopback: a real `vellum serve` under hostile clients, and
// `vellum sync` and a watching node against hostile servers written here. After each, the node
// still answers a normal client within a second, its peak memory stays under kMemoryBound, and
// the ledger is exactly as it was.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/process.h"
#include "tests/socket.h"
#include "tests/temp_dir.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

using json = nlohmann::json;

// Peak resident memory a node or a client may reach under any attack here. Sanitizers keep freed
// memory in quarantine and shadow all of it, so their builds get more room; an unbounded read
// (gigabytes) fails either way.
#ifdef VELLUM_SANITIZED
constexpr long kMemoryBoundKb = 1024 * 1024;
#else
constexpr long kMemoryBoundKb = 200 * 1024;
#endif

using testing::ConnectLoopback;
using testing::Receive;
using testing::SendAll;

// True when the other side closed `fd` within `ms` (what it sent first is read and dropped).
bool ClosedWithin(int fd, int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      const ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return true;
    }
  }
  return false;
}

long PeakRssKb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

// A server that accepts connections on 127.0.0.1 and hands each, with its request read, to
// `serve` on a thread of its own. `stop` turns true when the server is destroyed.
class RawServer {
 public:
  using Serve = std::function<void(int fd, const std::atomic<bool>& stop)>;
  explicit RawServer(Serve serve) : serve_(std::move(serve)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 64);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~RawServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : connections_) t.join();
    close(listen_fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      connections_.emplace_back([this, fd] {
        std::string request;
        while (request.find("\r\n\r\n") == std::string::npos) {
          const std::string more = Receive(fd, 1, 2000);
          if (more.empty()) break;
          request += more;
        }
        serve_(fd, stop_);
        close(fd);
      });
    }
  }

  Serve serve_;
  int listen_fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
};

class HttpAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = testing::Vellum({"init", db_, "--origin", "example.com/attack"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto ledger = Ledger::Open(db_);
    ASSERT_TRUE(ledger);
    std::vector<NewEntry> entries;
    for (int i = 0; i < 10; ++i) entries.push_back({ToBytes("entry " + std::to_string(i)), 0});
    ASSERT_TRUE((*ledger)->AppendBatch(entries));
  }

  // Starts the node with `extra` flags, and notes its size and root.
  void Start(std::vector<std::string> extra = {}) {
    node_ = std::make_unique<testing::NodeProcess>(db_, extra);
    ASSERT_TRUE(node_->ok());
    auto status = testing::LocalClient(node_->port()).Get("/v1/status");
    ASSERT_TRUE(status && status->status == 200);
    before_ = json::parse(status->body);
  }

  // The node answers a normal client within a second, has stayed under the memory bound and
  // holds exactly the ledger it had.
  void ExpectHealthy() {
    auto status = testing::LocalClient(node_->port(), "", 1000).Get("/v1/status");
    ASSERT_TRUE(status) << status.error().message();
    ASSERT_EQ(status->status, 200);
    const json now = json::parse(status->body);
    EXPECT_EQ(now["size"], before_["size"]);
    EXPECT_EQ(now["root"], before_["root"]);
    const long peak = PeakRssKb(node_->pid());
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, kMemoryBoundKb) << "the node's peak memory";
  }

  testing::TempDir dir_;
  const std::string db_ = dir_.File("node.db");
  std::unique_ptr<testing::NodeProcess> node_;
  json before_;
};

// An endless body is never read whole: with the token it is cut at the body limit (413);
// without it, it is refused before any of it is read (401), also before "100 Continue".
TEST_F(HttpAttackTest, AnEndlessChunkedBodyIsCutAtTheLimitOrRefusedUnreadWithoutTheToken) {
  Start();
  for (const bool with_token : {true, false}) {
    const int fd = ConnectLoopback(node_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(
        fd, "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                (with_token ? "Authorization: Bearer " + node_->token() + "\r\n" : std::string()) +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    size_t sent = 0;
    while (sent < (300u << 20) && SendAll(fd, chunk)) sent += chunk.size();
    // 8 MiB of body, what the node drops before closing, and the socket buffers: far below 300.
    EXPECT_LT(sent, 64u << 20);
    const std::string answer = Receive(fd);
    if (!answer.empty()) {  // it may be lost to the reset of a connection still sending
      EXPECT_TRUE(answer.starts_with(with_token ? "HTTP/1.1 413" : "HTTP/1.1 401"))
          << answer.substr(0, 200);
    }
    close(fd);
  }
  // Asked to continue, a client without the token is told 401 at once, and one with it to go on.
  for (const bool with_token : {false, true}) {
    const int fd = ConnectLoopback(node_->port());
    ASSERT_TRUE(SendAll(
        fd, "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                (with_token ? "Authorization: Bearer " + node_->token() + "\r\n" : std::string()) +
                "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"));
    const std::string answer = Receive(fd, 1 << 16, 3000, "\r\n\r\n");
    EXPECT_TRUE(answer.starts_with(with_token ? "HTTP/1.1 100 Continue" : "HTTP/1.1 401"))
        << answer.substr(0, 200);
    close(fd);
  }
  ExpectHealthy();
}

TEST_F(HttpAttackTest, CompressedBodiesAreRefusedUnread) {
  Start();
  const int fd = ConnectLoopback(node_->port());
  ASSERT_TRUE(SendAll(fd,
                      "POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Encoding: gzip\r\nContent-Length: 407552\r\n\r\n"));
  const std::string answer = Receive(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 415")) << answer;
  EXPECT_NE(answer.find("send the body uncompressed"), std::string::npos) << answer;
  close(fd);
  ExpectHealthy();
}

TEST_F(HttpAttackTest, EndlessHeadersAreCutAtTheLimit) {
  Start();
  const int fd = ConnectLoopback(node_->port());
  ASSERT_TRUE(SendAll(fd, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  const std::string line = "X-Padding: " + std::string(1000, 'p') + "\r\n";
  size_t sent = 0;
  while (sent < (150u << 20) && SendAll(fd, line)) sent += line.size();
  EXPECT_LT(sent, 16u << 20);
  const std::string answer = Receive(fd);
  if (!answer.empty()) {
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
  }
  close(fd);
  // Under the byte limit, but too many header lines.
  const int many = ConnectLoopback(node_->port());
  std::string request = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 150; ++i) request += "X-" + std::to_string(i) + ": 1\r\n";
  ASSERT_TRUE(SendAll(many, request + "\r\n"));
  const std::string refused = Receive(many);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 431")) << refused.substr(0, 200);
  close(many);
  ExpectHealthy();
}

TEST_F(HttpAttackTest, RangeHeadersAreIgnoredAndAnswersAreCappedByBytes) {
  {  // 1,000 entries of 60,000 bytes: 60 MB of payload, 120 MB as hex
    auto ledger = Ledger::Open(db_);
    ASSERT_TRUE(ledger);
    std::vector<NewEntry> big(1000, NewEntry{Bytes(60000, 'b'), 0});
    ASSERT_TRUE((*ledger)->AppendBatch(big));
  }
  Start();
  std::string ranges = "bytes=0-0";
  for (int i = 1; i < 600; ++i) {
    ranges += "," + std::to_string(i * 10) + "-" + std::to_string(i * 10 + 5);
  }
  auto c = testing::LocalClient(node_->port());
  auto answer = c.Get("/v1/entries?start=0&end=1000", {{"Range", ranges}});
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->status, 200);  // never 206, never multipart
  EXPECT_EQ(answer->header("Content-Type"), "application/json");
  EXPECT_LT(answer->body.size(), 8u << 20);
  const json doc = json::parse(answer->body);
  EXPECT_GE(doc["entries"].size(), 1u);
  EXPECT_LT(doc["entries"].size(), 1000u);  // the rest is asked for from where it stopped
  EXPECT_EQ(doc["entries"][0]["index"], 0);
  auto next = c.Get("/v1/entries?start=" + std::to_string(doc["entries"].size()));
  ASSERT_TRUE(next && next->status == 200);
  EXPECT_EQ(json::parse(next->body)["entries"][0]["index"], doc["entries"].size());
  auto bundle = c.Get("/tile/entries/000", {{"Range", ranges}});
  ASSERT_TRUE(bundle);
  EXPECT_EQ(bundle->status, 200);
  // One whole entry bundle: the 10 small entries ("entry N" and its time), then 246 large.
  EXPECT_EQ(bundle->body.size(), 10u * (2 + 8 + 7) + 246u * (2 + 8 + 60000));
  ExpectHealthy();
}

TEST_F(HttpAttackTest, ClientsDribblingHeadersAreDroppedAtTheDeadlineWhileOthersAreServed) {
  Start({"--io-timeout", "2"});
  std::vector<int> dribblers;
  for (int i = 0; i < 100; ++i) {
    dribblers.push_back(ConnectLoopback(node_->port()));
    ASSERT_GE(dribblers.back(), 0);
  }
  const std::string request = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  std::atomic<bool> done{false};
  std::thread dribble([&] {  // one byte per connection every 300 ms, never the end
    for (size_t k = 0; !done && k < request.size(); ++k) {
      for (int fd : dribblers) send(fd, &request[k], 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ExpectHealthy();
  size_t closed = 0;
  for (int fd : dribblers) closed += ClosedWithin(fd, 6000) ? 1 : 0;
  done = true;
  dribble.join();
  EXPECT_EQ(closed, dribblers.size()) << "the header deadline is 2 s for the whole header";
  for (int fd : dribblers) close(fd);
  ExpectHealthy();
}

TEST_F(HttpAttackTest, AThousandIdleConnectionsDoNotStopTheNode) {
  Start({"--max-connections-per-address", "2000", "--io-timeout", "60"});
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    const int fd = ConnectLoopback(node_->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  for (int i = 0; i < 20; ++i) ExpectHealthy();
  auto c = testing::LocalClient(node_->port(), node_->token(), 1000);
  auto appended = c.Post("/v1/entries", R"({"data":"still taking writes"})", "application/json");
  ASSERT_TRUE(appended) << appended.error().message();
  EXPECT_EQ(appended->status, 200);
  for (int fd : idle) close(fd);
}

TEST_F(HttpAttackTest, ConnectionsFromOneAddressAreCapped) {
  Start({"--max-connections-per-address", "10", "--io-timeout", "60"});
  std::vector<int> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(ConnectLoopback(node_->port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all ten accepted
  const int over = ConnectLoopback(node_->port());
  const std::string refused = Receive(over);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
  EXPECT_NE(refused.find("too many connections"), std::string::npos) << refused;
  close(over);
  close(idle.back());
  idle.pop_back();
  bool served = false;  // the freed place is taken once the node has seen the close
  for (int i = 0; i < 40 && !served; ++i) {
    auto status = testing::LocalClient(node_->port(), "", 1000).Get("/v1/status");
    served = status && status->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(served);
  for (int fd : idle) close(fd);
}

TEST_F(HttpAttackTest, SigtermDrainsIdleAndSlowConnections) {
  Start({"--io-timeout", "60"});
  std::vector<int> held;
  for (int i = 0; i < 50; ++i) held.push_back(ConnectLoopback(node_->port()));
  SendAll(held[0], "GET /v1/sta");  // half a request
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(node_->Stop(SIGTERM), 0);  // -2 would mean it had to be killed after 10 s
  for (int fd : held) close(fd);
}

// What a hostile server does with a request, once its headers are read.
enum class Hostile { kEndlessBody, kHugeLength, kEndlessHeaders, kGzipBomb, kDribble };

void Misbehave(Hostile how, int fd, const std::atomic<bool>& stop) {
  switch (how) {
    case Hostile::kEndlessBody: {
      SendAll(fd,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
      const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
      while (!stop && SendAll(fd, chunk)) {
      }
      return;
    }
    case Hostile::kHugeLength: {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n");
      const std::string block(0x10000, 'a');
      while (!stop && SendAll(fd, block)) {
      }
      return;
    }
    case Hostile::kEndlessHeaders: {
      SendAll(fd, "HTTP/1.1 200 OK\r\n");
      const std::string line = "X-More: " + std::string(1000, 'h') + "\r\n";
      while (!stop && SendAll(fd, line)) {
      }
      return;
    }
    case Hostile::kGzipBomb: {
      // 64 MiB of zeros as gzip: a client that inflated it would hold all of it.
      auto zipped = testing::RunProgram({"sh", "-c", "head -c 67108864 /dev/zero | gzip -9"});
      SendAll(fd,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
              "Content-Length: " +
                  std::to_string(zipped.out.size()) + "\r\n\r\n" + zipped.out);
      return;
    }
    case Hostile::kDribble: {
      const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
      for (size_t k = 0; !stop && k < answer.size(); ++k) {
        if (!SendAll(fd, answer.substr(k, 1))) return;
        for (int i = 0; i < 50 && !stop; ++i) {  // a byte every 5 s
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
      return;
    }
  }
}

TEST_F(HttpAttackTest, SyncStopsAtTheCapsAndTheDeadlineOfAHostileUpstream) {
  const std::string vkey = Ledger::Open(db_).value()->verifier_key();
  struct Case {
    Hostile how;
    const char* says;
  };
  for (const Case& c :
       {Case{Hostile::kEndlessBody, "larger than"}, Case{Hostile::kHugeLength, "larger than"},
        Case{Hostile::kEndlessHeaders, "bytes of headers"},
        Case{Hostile::kGzipBomb, "bad checkpoint"},  // never inflated
        Case{Hostile::kDribble, "within 2 s"}}) {
    SCOPED_TRACE(c.says);
    RawServer hostile([&](int fd, const std::atomic<bool>& stop) { Misbehave(c.how, fd, stop); });
    const std::string mirror = dir_.File("mirror.db");
    auto sync = testing::Vellum(
        {"sync", mirror, "--from", hostile.url(), "--vkey", vkey, "--timeout", "2"});
    EXPECT_EQ(sync.exit_code, 1) << sync.err;
    EXPECT_NE(sync.err.find(c.says), std::string::npos) << sync.err;
    EXPECT_LT(sync.max_rss_kb, kMemoryBoundKb) << "the client's peak memory";
    EXPECT_FALSE(std::filesystem::exists(mirror));
  }
}

TEST_F(HttpAttackTest, ANodeWatchingAStalledPeerAnswersAndStopsPromptly) {
  RawServer stalled(
      [](int fd, const std::atomic<bool>& stop) { Misbehave(Hostile::kDribble, fd, stop); });
  Start({"--peer", stalled.url(), "--peer-timeout", "600", "--poll-interval", "100"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the watcher is waiting now
  auto network = testing::LocalClient(node_->port(), "", 1000).Get("/v1/network");
  ASSERT_TRUE(network) << network.error().message();
  ASSERT_EQ(network->status, 200);
  const json doc = json::parse(network->body);
  ASSERT_EQ(doc["peers"].size(), 2u);
  EXPECT_EQ(doc["peers"][1]["problem"], "not checked yet") << doc.dump();
  ExpectHealthy();
  // The watcher is inside a request with 600 s left: SIGTERM interrupts it.
  EXPECT_EQ(node_->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace vellum
