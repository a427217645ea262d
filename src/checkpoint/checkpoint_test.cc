#include "vellum/checkpoint.h"

#include <gtest/gtest.h>

#include "vellum/merkle.h"

namespace vellum {
namespace {

TEST(CheckpointTest, BodyRoundTripsAndSignedCheckpointOpens) {
  Checkpoint cp{"example.com/log", 8, merkle::LeafHash(AsBytes("x")), {"ext one"}};
  const std::string body = CheckpointBody(cp);
  EXPECT_EQ(body.substr(0, 18), "example.com/log\n8\n");
  auto back = ParseCheckpointBody(body);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->root, cp.root);
  EXPECT_EQ(back->extensions, cp.extensions);
  auto key = *SignerKey::Generate("example.com/log");
  auto note = SignNote(body, key);
  ASSERT_TRUE(note);
  std::vector<VerifierKey> known = {key.verifier()};
  auto opened = OpenCheckpoint(*note, known);
  ASSERT_TRUE(opened) << opened.error().ToString();
  EXPECT_EQ(opened->size, 8u);
}

TEST(CheckpointTest, RejectsMalformedBodies) {
  const std::string root = Base64Encode(merkle::EmptyRoot());
  const std::vector<std::string> bodies = {
      std::string("o\n1\n"),   "\n1\n" + root + "\n",
      "o\n01\n" + root + "\n", "o\n-1\n" + root + "\n",
      "o\n1x\n" + root + "\n", "o\n1\nAAAA\n",
      "o\n1\n" + root,         "o\n18446744073709551616\n" + root + "\n",
      "o\n1\n" + root + "\n\n"};
  for (const std::string& body : bodies) {
    EXPECT_FALSE(ParseCheckpointBody(body)) << body;
  }
  EXPECT_TRUE(ParseCheckpointBody("o\n0\n" + root + "\n"));
}

}  // namespace
}  // namespace vellum
