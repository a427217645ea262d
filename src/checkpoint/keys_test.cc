#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testing/published_keys.h"
#include "tests/temp_dir.h"
#include "vellum/checkpoint.h"

namespace vellum {
namespace {

using testing::kPublishedSkey;
using testing::kPublishedVkey;

TEST(KeysTest, ParsesThePublishedExampleKeys) {
  auto vkey = VerifierKey::Parse(kPublishedVkey);
  ASSERT_TRUE(vkey) << vkey.error().ToString();
  EXPECT_EQ(vkey->name(), "PeterNeumann");
  EXPECT_EQ(vkey->key_id(), 0xc74f20a3u);
  EXPECT_EQ(vkey->ToString(), kPublishedVkey);
  auto skey = SignerKey::Parse(kPublishedSkey);
  ASSERT_TRUE(skey) << skey.error().ToString();
  EXPECT_EQ(skey->ToString(), kPublishedSkey);
  EXPECT_EQ(skey->verifier().ToString(), kPublishedVkey);  // public key derived from the seed
}

TEST(KeysTest, GeneratedKeysRoundTripThroughTheirTextForms) {
  auto key = SignerKey::Generate("example.com/log");
  ASSERT_TRUE(key);
  auto again = SignerKey::Parse(key->ToString());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ToString(), key->ToString());
  auto vkey = VerifierKey::Parse(key->verifier().ToString());
  ASSERT_TRUE(vkey);
  EXPECT_EQ(vkey->key_id(), KeyId("example.com/log", vkey->public_key()));
  auto sig = key->Sign("hello\n");
  ASSERT_TRUE(sig);
  EXPECT_TRUE(vkey->Verify("hello\n", *sig));
  EXPECT_FALSE(vkey->Verify("hello!\n", *sig));
  EXPECT_NE(SignerKey::Generate("example.com/log")->ToString(), key->ToString());
}

TEST(KeysTest, RejectsMalformedKeysNamingTheProblem) {
  EXPECT_FALSE(VerifierKey::Parse("PeterNeumann+c74f20a3"));
  EXPECT_FALSE(
      VerifierKey::Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  EXPECT_FALSE(
      VerifierKey::Parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"));
  EXPECT_FALSE(
      VerifierKey::Parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  EXPECT_FALSE(
      VerifierKey::Parse("PeterNeumann+c74f20a3+ApPc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  // A line break copied with a key was "bad base64 key"; it is named.
  for (const std::string& padded :
       {std::string(kPublishedVkey) + "\n", " " + std::string(kPublishedVkey)}) {
    auto key = VerifierKey::Parse(padded);
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message().find("a space or a line break at its start or end"),
              std::string::npos)
        << key.error().message();
  }
  auto wrong_type = SignerKey::Parse(kPublishedVkey);
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message().find("PRIVATE+KEY"), std::string::npos);
  EXPECT_FALSE(SignerKey::Parse(
      "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"));
  EXPECT_FALSE(SignerKey::Generate("has space"));
  EXPECT_FALSE(SignerKey::Generate("has+plus"));
}

// A key file is read with a line ending of either kind; a byte-order mark an editor put before
// it is named.
TEST(KeysTest, AKeyFileIsReadWithCrLfAndAByteOrderMarkIsNamed) {
  vellum::testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = dir.File(name);
    std::ofstream(path) << text;
    chmod(path.c_str(), 0600);
    return path;
  };
  auto crlf = ReadKeyFile(write("crlf.key", std::string(kPublishedSkey) + "\r\n"));
  ASSERT_TRUE(crlf) << crlf.error().ToString();
  EXPECT_EQ(crlf->ToString(), kPublishedSkey);
  auto bom = ReadKeyFile(write("bom.key", "\xEF\xBB\xBF" + std::string(kPublishedSkey) + "\n"));
  ASSERT_FALSE(bom);
  EXPECT_NE(bom.error().message().find("starts with a byte-order mark"), std::string::npos)
      << bom.error().message();
}

}  // namespace
}  // namespace vellum
