// Keys and checkpoints through the command line, as a writer and a client would use them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace {

using testing::Vellum;

class CheckpointCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto init = Vellum({"init", db_, "--origin", "example.com/cp", "--json"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    vkey_ = nlohmann::json::parse(init.out)["verifier_key"];
    ASSERT_EQ(Vellum({"append", db_, "--stdin", "--time", "5"}, "a\nb\nc\nd\ne\n").exit_code, 0);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name), std::ios::binary) << text;
    return dir_.File(name);
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("cp.db");
  std::string vkey_;
};

TEST_F(CheckpointCliTest, InitWritesAPrivateKeyFileAndKeyPrintsTheVerifierKey) {
  struct stat st;
  ASSERT_EQ(stat((db_ + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = Vellum({"key", db_});
  EXPECT_EQ(key.out, vkey_ + "\n");
  EXPECT_EQ(vkey_.rfind("example.com/cp+", 0), 0u);
}

TEST_F(CheckpointCliTest, CheckpointVerifiesWithTheKeyFromVellumKey) {
  auto cp = Vellum({"checkpoint", db_});
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_EQ(cp.out.rfind("example.com/cp\n5\n", 0), 0u) << cp.out;
  EXPECT_NE(cp.out.find("\n\n\xE2\x80\x94 example.com/cp "), std::string::npos);
  auto ok = Vellum({"verify-checkpoint", "--vkey", vkey_, Write("cp.txt", cp.out)});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("checkpoint OK: example.com/cp has 5 entries"), std::string::npos);

  std::string forged = cp.out;
  forged.replace(forged.find("\n5\n"), 3, "\n6\n");
  auto bad = Vellum({"verify-checkpoint", "--vkey", vkey_, "-"}, forged);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("does not verify"), std::string::npos) << bad.err;
  auto other = Vellum({"verify-checkpoint", "--vkey",
                       "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "-"},
                      cp.out);
  EXPECT_EQ(other.exit_code, 3);
}

TEST_F(CheckpointCliTest, InclusionProofChecksAgainstASignedCheckpoint) {
  const std::string cp = Write("cp.txt", Vellum({"checkpoint", db_}).out);
  const std::string proof = Write("p.json", Vellum({"prove", db_, "--index", "2", "--json"}).out);
  auto ok = Vellum({"verify-proof", proof, "--checkpoint", cp, "--vkey", vkey_, "--payload", "c",
                    "--time", "5"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto wrong_entry = Vellum({"verify-proof", proof, "--checkpoint", cp, "--vkey", vkey_,
                             "--payload", "x", "--time", "5"});
  EXPECT_EQ(wrong_entry.exit_code, 3);
  const std::string older =
      Write("p4.json", Vellum({"prove", db_, "--index", "2", "--size", "4", "--json"}).out);
  auto wrong_size = Vellum({"verify-proof", older, "--checkpoint", cp, "--vkey", vkey_, "--payload",
                            "c", "--time", "5"});
  EXPECT_EQ(wrong_size.exit_code, 3);
  EXPECT_NE(wrong_size.err.find("checkpoint is for size 5"), std::string::npos) << wrong_size.err;
}

TEST_F(CheckpointCliTest, RefusesAKeyFileOthersCanRead) {
  ASSERT_EQ(chmod((db_ + ".key").c_str(), 0644), 0);
  auto r = Vellum({"checkpoint", db_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("chmod 600 " + db_ + ".key"), std::string::npos) << r.err;
}

TEST_F(CheckpointCliTest, InitCanReuseAnExistingKey) {
  const std::string second = dir_.File("second.db");
  auto r = Vellum({"init", second, "--origin", "example.com/cp", "--key", db_ + ".key", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["verifier_key"], vkey_);
  struct stat st;
  EXPECT_NE(stat((second + ".key").c_str(), &st), 0);  // no new key file was made
  EXPECT_EQ(Vellum({"key", second}).out, vkey_ + "\n");
}

}  // namespace
}  // namespace vellum
