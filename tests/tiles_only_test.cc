// Logs vellum did not write: a tlog-tiles log made by tests/tlog_tiles_log.py (written from the
// C2SP specs alone) and served as a folder of static files, with no /v1/ API. vellum mirrors
// it, compares it and watches it through its tiles, and refuses what was changed on the server.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tests/process.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"

namespace vellum {
namespace {

namespace fs = std::filesystem;
using testing::Vellum;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes the log at `dir` as it is at each of `sizes` in turn; returns its verifier key.
std::string MakeLog(const std::string& dir, const std::vector<uint64_t>& sizes,
                    const std::vector<std::string>& flags = {"--drop-partials"}) {
  std::vector<std::string> argv = {VELLUM_TEST_PYTHON, VELLUM_TLOG_TILES_LOG, dir,
                                   "example.com/log"};
  for (uint64_t size : sizes) argv.push_back(std::to_string(size));
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto r = testing::RunProgram(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string vkey = r.out;
  while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
  return vkey;
}

// A static web server for a folder, as nginx or `python3 -m http.server` would be: a GET of a
// file below `prefix` answers its bytes, anything else 404 with a text page. `Tamper` changes
// the last byte of the answers for paths that contain a string; requests are counted.
class StaticServer {
 public:
  explicit StaticServer(std::string dir, std::string prefix = "")
      : dir_(std::move(dir)),
        prefix_(std::move(prefix)),
        server_([this](const net::Request& req, net::Response& res) { Answer(req, res); }) {}
  std::string url() const { return server_.url() + prefix_; }
  int requests() const { return requests_; }
  void Tamper(std::string path_part) {
    std::lock_guard<std::mutex> lock(mu_);
    tamper_ = std::move(path_part);
  }

 private:
  void Answer(const net::Request& req, net::Response& res) {
    ++requests_;
    std::string tamper;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tamper = tamper_;
    }
    const std::string rel = req.path.substr(std::min(req.path.size(), prefix_.size()));
    const fs::path file = fs::path(dir_) / rel.substr(rel.empty() ? 0 : 1);
    std::error_code ec;
    if (req.method != "GET" || !req.path.starts_with(prefix_ + "/") ||
        rel.find("..") != std::string::npos || !fs::is_regular_file(file, ec)) {
      res.status = 404;
      res.Set("<html><body>404 Not Found</body></html>", "text/html");
      return;
    }
    std::string body = ReadFile(file.string());
    if (!tamper.empty() && rel.find(tamper) != std::string::npos && !body.empty()) {
      body.back() ^= 1;  // an entry bundle still parses: its last entry is another
    }
    res.Set(std::move(body), "application/octet-stream");
  }

  std::string dir_, prefix_;
  std::mutex mu_;
  std::string tamper_;
  std::atomic<int> requests_{0};
  testing::TestServer server_;
};

// The signed root the log's checkpoint file names.
Hash CheckpointRoot(const std::string& dir, const std::string& vkey) {
  auto key = VerifierKey::Parse(vkey);
  EXPECT_TRUE(key.has_value());
  auto checkpoint = OpenCheckpoint(ReadFile(dir + "/checkpoint"), std::vector{*key});
  EXPECT_TRUE(checkpoint.has_value()) << checkpoint.error().message();
  return checkpoint->root;
}

Head HeadOf(const std::string& path) {
  auto ledger = Ledger::Open(path, {.read_only = true});
  EXPECT_TRUE(ledger.has_value());
  return *(*ledger)->GetHead();
}

class TilesOnlyTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_;
};

TEST_F(TilesOnlyTest, MirrorsAStaticLogAsItGrowsThroughTileBoundaries) {
  const std::string log = tmp_.File("log"), mirror = tmp_.File("mirror.db");
  StaticServer server(log, "/logs/a");
  // Sizes on and around tile boundaries at levels 0, 1 and 2; old partial tiles are deleted as
  // the log grows, so proofs must fall back to full tiles.
  for (uint64_t size : {0, 1, 255, 256, 257, 511, 65535, 65536, 65537, 70001}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string vkey = MakeLog(log, {size});
    auto r =
        Vellum({"sync", mirror, "--from", server.url() + "/", "--vkey", vkey, "--format", "raw"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(HeadOf(mirror).size, size);
    EXPECT_EQ(HeadOf(mirror).root, CheckpointRoot(log, vkey));
    r = Vellum({"compare", mirror, server.url(), "--vkey", vkey});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("identical"), std::string::npos) << r.out;
  }
  auto r = Vellum({"verify", mirror});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Its entries are the generator's, empty ones included.
  r = Vellum({"get", mirror, "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Vellum({"get", mirror, "70000", "--json"});
  EXPECT_NE(r.out.find("entry 70000"), std::string::npos) << r.out;
}

TEST_F(TilesOnlyTest, AFreshMirrorAndAnExtensionLineAndPartialTilesKept) {
  // A checkpoint with an extension line, and every partial tile of earlier sizes still there.
  const std::string log = tmp_.File("log"), mirror = tmp_.File("mirror.db");
  const std::string vkey = MakeLog(log, {300, 5000}, {"--extension"});
  StaticServer server(log);
  auto r = Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey, "--format", "raw"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HeadOf(mirror).root, CheckpointRoot(log, vkey));
}

TEST_F(TilesOnlyTest, TheFormatIsTheUsersWordAndAMissingOneIsRefusedSayingSo) {
  const std::string log = tmp_.File("log"), mirror = tmp_.File("mirror.db");
  const std::string vkey = MakeLog(log, {1000});
  StaticServer server(log);
  auto r = Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(mirror));
  // Read as records, the generator's raw entries are refused and nothing is written.
  r = Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey, "--format", "record"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("raw"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(mirror) && HeadOf(mirror).size > 0);
  // `status` says what the checkpoint says, and that this is not a vellum node.
  r = Vellum({"status", server.url()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("example.com/log: 1000 entries"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("without vellum's /v1/ API"), std::string::npos) << r.out;
}

TEST_F(TilesOnlyTest, LocatesAForkInAStaticLogInAHandfulOfRequests) {
  const std::string log = tmp_.File("log"), fork = tmp_.File("fork");
  const std::string vkey = MakeLog(log, {70000});
  ASSERT_EQ(MakeLog(fork, {69000}, {"--fork-at", "12345"}), vkey);
  StaticServer a(log), b(fork);
  auto r = Vellum({"compare", a.url(), b.url(), "--vkey", vkey, "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["relation"], "forked");
  EXPECT_EQ(j["fork_index"], 12345);
  EXPECT_EQ(j["entry_a"]["data"], "entry 12345");
  EXPECT_EQ(j["entry_b"]["data"], "fork 12345");
  EXPECT_TRUE(j["signature_checked"].get<bool>());
  for (const char* side : {"a", "b"}) {
    // The checkpoint, the /v1/ probe, the frontier's tiles (one per tile level, and a consistency
    // proof's for the longer side), the tiles on the way down and the entry's bundle.
    EXPECT_LE(j[side]["round_trips"].get<int>(), 12) << side;
  }
  // What compare says it cost is what the servers saw.
  EXPECT_EQ(j["a"]["round_trips"].get<int>(), a.requests());
  EXPECT_EQ(j["b"]["round_trips"].get<int>(), b.requests());
  // A local mirror of the log against the fork: the same answer.
  const std::string mirror = tmp_.File("mirror.db");
  ASSERT_EQ(
      Vellum({"sync", mirror, "--from", a.url(), "--vkey", vkey, "--format", "raw"}).exit_code, 0);
  r = Vellum({"compare", mirror, b.url(), "--vkey", vkey});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("forked at index 12345"), std::string::npos) << r.out;
}

TEST_F(TilesOnlyTest, ChangedTilesBundlesAndCheckpointsAreRefusedAndTheMirrorIsUnchanged) {
  const std::string log = tmp_.File("log"), mirror = tmp_.File("mirror.db");
  std::string vkey = MakeLog(log, {1000});
  StaticServer server(log);
  ASSERT_EQ(
      Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey, "--format", "raw"}).exit_code,
      0);
  vkey = MakeLog(log, {1000, 3000});
  const std::string before = ReadFile(mirror);
  for (const char* part : {"tile/0/", "tile/1/", "tile/entries/", "checkpoint"}) {
    SCOPED_TRACE(part);
    server.Tamper(part);
    auto r = Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(ReadFile(mirror), before) << "the mirror changed";
    EXPECT_EQ(HeadOf(mirror).size, 1000u);
  }
  server.Tamper("");
  auto r = Vellum({"sync", mirror, "--from", server.url(), "--vkey", vkey});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(HeadOf(mirror).root, CheckpointRoot(log, vkey));
}

TEST_F(TilesOnlyTest, ANodeMirrorsOneStaticLogAndWatchesAnother) {
  const std::string log = tmp_.File("log"), fork = tmp_.File("fork");
  const std::string vkey = MakeLog(log, {3000});
  MakeLog(fork, {2900}, {"--fork-at", "2000"});
  StaticServer upstream(log), peer(fork);
  testing::NodeProcess node(
      tmp_.File("m.db"), {"--upstream", upstream.url(), "--upstream-vkey", vkey, "--format", "raw",
                          "--peer", peer.url(), "--peer-vkey", vkey, "--poll-interval", "50"});
  ASSERT_TRUE(node.ok());
  EXPECT_TRUE(testing::WaitForStatus(node.port(), [](const nlohmann::json& s) {
    return s["size"] == 3000 && s["peers"][0]["state"] == "forked at 2000" &&
           s["fork_evidence"] == 1;
  }));
  MakeLog(log, {3000, 3100});  // the log grows; the node follows it
  EXPECT_TRUE(testing::WaitForStatus(node.port(), [](const nlohmann::json& s) {
    return s["size"] == 3100 && s["upstream"]["state"] == "in sync at 3100";
  }));
}

}  // namespace
}  // namespace vellum
