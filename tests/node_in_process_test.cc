// Node::HandleInProcess: the same routes and handlers as the HTTP server, without a socket.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "node/node.h"
#include "tests/temp_dir.h"

namespace vellum::node {
namespace {

using nlohmann::json;

class InProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SignerKey::Generate("test.example/log");
    ASSERT_TRUE(key);
    auto ledger = Ledger::Create(dir_.File("l.db"), {.origin = "test.example/log",
                                                     .verifier_key = key->verifier().ToString()});
    ASSERT_TRUE(ledger);
    ledger_ = ledger->get();
    auto node = Node::Create(std::move(*ledger), *key, [] {
      node::ServeOptions o;
      o.token = std::string(64, 't');
      return o;
    }());
    ASSERT_TRUE(node) << node.error().ToString();
    node_ = std::move(*node);
  }

  testing::TempDir dir_;
  Ledger* ledger_ = nullptr;
  std::unique_ptr<Node> node_;
};

TEST_F(InProcessTest, AppendsAndReadsThroughTheServersRoutes) {
  auto appended =
      node_->HandleInProcess("POST", "/v1/entries", R"({"entries":[{"data":"a"},{"data":"b"}]})");
  ASSERT_EQ(appended.status, 200) << appended.body;
  EXPECT_EQ(json::parse(appended.body)["count"], 2);
  EXPECT_EQ(ledger_->GetHead()->size, 2u);

  auto entry = node_->HandleInProcess("GET", "/v1/entries/1");
  ASSERT_EQ(entry.status, 200) << entry.body;
  EXPECT_EQ(json::parse(entry.body)["data"], "b");

  auto range = node_->HandleInProcess("GET", "/v1/entries?start=0&end=%32");  // decoded: 2
  ASSERT_EQ(range.status, 200) << range.body;
  EXPECT_EQ(json::parse(range.body)["entries"].size(), 2u);

  auto bundle = node_->HandleInProcess("GET", "/tile/entries/000.p/2");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_EQ(bundle.content_type, "application/octet-stream");
  EXPECT_EQ(bundle.body.size(), 2u * (2 + 8 + 1));  // length prefix, 8-byte time, one byte
}

TEST(NodeCreateTest, APublishingNodeNeedsSignedCheckpoints) {
  testing::TempDir dir;
  auto ledger = Ledger::Create(dir.File("l.db"), {.origin = "test.example/log"});
  ASSERT_TRUE(ledger);
  node::ServeOptions o;
  o.token = std::string(64, 't');
  o.publish_dir = dir.File("www");
  auto node = Node::Create(std::move(*ledger), std::nullopt, o);
  ASSERT_FALSE(node);
  EXPECT_NE(node.error().message().find("--publish needs signed checkpoints"), std::string::npos)
      << node.error().message();
}

TEST_F(InProcessTest, RefusesLikeTheServer) {
  auto unknown = node_->HandleInProcess("GET", "/nothing/here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(json::parse(unknown.body).contains("error"));
  auto wrong_method = node_->HandleInProcess("POST", "/v1/status");
  EXPECT_EQ(wrong_method.status, 405);
  auto bad = node_->HandleInProcess("POST", "/v1/entries", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ledger_->GetHead()->size, 0u);
}

// Found by fuzz/node_request_fuzz.cc: the error quoted the path back, and bytes that are not
// UTF-8 made the JSON encoder throw, so the node answered 500 instead of saying what was wrong.
TEST_F(InProcessTest, ErrorsQuotingBytesThatAreNotUtf8AreStillJson) {
  auto res = node_->HandleInProcess("GET", "/tile/entrie\xff\xfe/002");
  EXPECT_EQ(res.status, 400);
  auto doc = json::parse(res.body, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << res.body;
  EXPECT_NE(doc["error"]["message"].get<std::string>().find("bad tile path"), std::string::npos);
}

}  // namespace
}  // namespace vellum::node
