// Witnesses between real nodes (C2SP tlog-witness, tlog-cosignature, tlog-policy, tlog-proof):
// two nodes witness each other, a third node witnesses one of them, a log vellum did not write
// is witnessed too, and readers with a policy accept only checkpoints cosigned by its quorum.
#include "vellum/witness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tests/process.h"
#include "tests/temp_dir.h"

namespace vellum {
namespace witness_network_test {
namespace {

using testing::NodeProcess;
using testing::Vellum;
using testing::WaitForStatus;

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class WitnessNetworkTest : public ::testing::Test {
 protected:
  // A ledger with its key; returns its verifier key.
  std::string Init(const std::string& name, const std::string& origin) {
    auto r = Vellum({"init", dir_.File(name), "--origin", origin});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Trim(Vellum({"key", dir_.File(name)}).out);
  }
  // A witness (state file and key); returns its verifier key.
  std::string InitWitness(const std::string& name, const std::string& witness_name) {
    auto r = Vellum({"witness", "init", dir_.File(name), "--name", witness_name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Trim(Vellum({"witness", "key", dir_.File(name)}).out);
  }
  static void Append(const NodeProcess& node, int from, int to) {
    auto client = testing::LocalClient(node.port(), node.token());
    nlohmann::json body = {{"entries", nlohmann::json::array()}};
    for (int i = from; i < to; ++i) body["entries"].push_back({{"data", "e" + std::to_string(i)}});
    auto answer = client.Post("/v1/entries", body.dump(), "application/json");
    ASSERT_TRUE(answer && answer->status == 200);
  }
  // Waits until the node serves a checkpoint of `size` that `policy` accepts.
  bool WaitForCosigned(const NodeProcess& node, uint64_t size, const std::string& policy_file,
                       std::string* note_out = nullptr) {
    auto policy = Policy::Parse(ReadFile(policy_file));
    EXPECT_TRUE(policy) << policy.error().ToString();
    auto client = testing::LocalClient(node.port());
    for (int i = 0; i < 300; ++i) {
      auto answer = client.Get("/checkpoint");
      if (answer && answer->status == 200) {
        auto checkpoint = policy->Open(answer->body);
        if (checkpoint && checkpoint->size == size) {
          if (note_out) *note_out = answer->body;
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  testing::TempDir dir_;
};

TEST_F(WitnessNetworkTest, TwoNodesWitnessEachOtherAndReadersRequireTheQuorum) {
  const std::string va = Init("a.db", "example.com/a");
  const std::string vb = Init("b.db", "example.com/b");
  Init("c.db", "example.com/c");
  const std::string wa = InitWitness("wa.db", "example.com/wa");
  const std::string wb = InitWitness("wb.db", "example.com/wb");
  const std::string wc = InitWitness("wc.db", "example.com/wc");

  // C only witnesses A. A witnesses B and starts first, so that B's policy can name it; then A
  // restarts on its port with a policy naming B and C: each node learns the other's URL.
  NodeProcess c(dir_.File("c.db"),
                {"--witness", dir_.File("wc.db"), "--witness-log", va, "--poll-interval", "100"});
  ASSERT_TRUE(c.ok());
  auto a = std::make_unique<NodeProcess>(
      dir_.File("a.db"), std::vector<std::string>{"--witness", dir_.File("wa.db"), "--witness-log",
                                                  vb, "--witness-log", va});
  ASSERT_TRUE(a->ok());
  const int a_port = a->port();
  const std::string policy_b = dir_.File("b.policy");
  WriteFile(policy_b, "log " + vb + "\nwitness WA " + wa + " " + a->url() + "\nquorum WA\n");
  NodeProcess b(dir_.File("b.db"), {"--witness", dir_.File("wb.db"), "--witness-log", va,
                                    "--witness-log", vb, "--policy", policy_b});
  ASSERT_TRUE(b.ok());
  const std::string policy_a = dir_.File("a.policy");
  WriteFile(policy_a, "# A's readers want both of its witnesses\nlog " + va + "\nwitness WB " + wb +
                          " " + b.url() + "\nwitness WC " + wc + " " + c.url() +
                          "\ngroup both all WB WC\nquorum both\n");
  EXPECT_EQ(a->Stop(SIGTERM), 0);
  a = std::make_unique<NodeProcess>(
      dir_.File("a.db"),
      std::vector<std::string>{"--witness", dir_.File("wa.db"), "--witness-log", vb,
                               "--witness-log", va, "--policy", policy_a},
      "", "127.0.0.1:" + std::to_string(a_port));
  ASSERT_TRUE(a->ok());

  // Both logs grow; each checkpoint is cosigned by the other's witness (and A's by C's), with a
  // consistency proof from what each witness cosigned before.
  Append(*a, 0, 5);
  Append(b, 0, 3);
  std::string note_a;
  ASSERT_TRUE(WaitForCosigned(*a, 5, policy_a, &note_a));
  ASSERT_TRUE(WaitForCosigned(b, 3, policy_b));
  Append(*a, 5, 300);
  ASSERT_TRUE(WaitForCosigned(*a, 300, policy_a, &note_a));
  auto witnessed = Vellum({"witness", "status", dir_.File("wb.db"), "--json"});
  ASSERT_EQ(witnessed.exit_code, 0) << witnessed.err;
  auto doc = nlohmann::json::parse(witnessed.out);
  ASSERT_EQ(doc["logs"].size(), 1u);  // B's own checkpoints go to A's witness only
  EXPECT_EQ(doc["logs"][0]["origin"], "example.com/a");
  EXPECT_EQ(doc["logs"][0]["size"], 300);
  EXPECT_TRUE(doc["refusals"].empty());

  // Readers: verify-checkpoint with the policy; without one cosignature it is refused, naming
  // the witness that is missing.
  const std::string cp = dir_.File("a.checkpoint");
  WriteFile(cp, note_a);
  auto ok = Vellum({"verify-checkpoint", cp, "--policy", policy_a});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("cosigned by WB, WC"), std::string::npos) << ok.out;
  std::string without_c;
  std::istringstream lines(note_a);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("example.com/wc ") == std::string::npos) without_c += line + "\n";
  }
  WriteFile(cp, without_c);
  auto missing = Vellum({"verify-checkpoint", cp, "--policy", policy_a});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("missing cosignatures by WC"), std::string::npos) << missing.err;
  EXPECT_EQ(Vellum({"verify-checkpoint", cp, "--vkey", va}).exit_code, 0);  // the log's alone

  // sync, compare and a mirror node take the policy; one that cannot be met is refused and
  // leaves nothing behind.
  auto synced =
      Vellum({"sync", dir_.File("m.db"), "--from", a->url(), "--vkey", va, "--policy", policy_a});
  EXPECT_EQ(synced.exit_code, 0) << synced.err;
  const std::string strict = dir_.File("strict.policy");
  const std::string stranger = InitWitness("stranger.db", "example.com/stranger");
  WriteFile(strict, ReadFile(policy_a) + "witness WX " + stranger + "\ngroup three all both WX\n");
  std::string strict_text = ReadFile(strict);
  strict_text.replace(strict_text.find("quorum both\n"), 12, "");
  WriteFile(strict, strict_text + "quorum three\n");
  auto refused =
      Vellum({"sync", dir_.File("m2.db"), "--from", a->url(), "--vkey", va, "--policy", strict});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("missing cosignatures by WX"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("m2.db")));
  auto compared = Vellum({"compare", a->url(), dir_.File("m.db"), "--policy", policy_a});
  EXPECT_EQ(compared.exit_code, 0) << compared.err << compared.out;
  EXPECT_NE(Vellum({"compare", a->url(), dir_.File("m.db"), "--policy", strict}).exit_code, 0);
  NodeProcess mirror(dir_.File("mirror.db"), {"--upstream", a->url(), "--upstream-vkey", va,
                                              "--policy", policy_a, "--poll-interval", "100"});
  ASSERT_TRUE(mirror.ok());
  EXPECT_TRUE(WaitForStatus(mirror.port(), [](const auto& s) { return s["size"] == 300; }));

  // A receipt made offline from the ledger carries the cosignatures and verifies with the entry
  // alone; any changed byte in it is refused.
  auto receipt = Vellum({"prove", dir_.File("a.db"), "--index", "7", "--tlog-proof"});
  ASSERT_EQ(receipt.exit_code, 0) << receipt.err;
  const std::string receipt_file = dir_.File("e7.tlog-proof");
  WriteFile(receipt_file, receipt.out);
  auto entry = nlohmann::json::parse(Vellum({"get", dir_.File("a.db"), "7", "--json"}).out);
  const std::string leaf = entry["leaf_hash"];
  auto verified = Vellum({"verify-proof", receipt_file, "--policy", policy_a, "--leaf-hash", leaf});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("cosigned by WB, WC"), std::string::npos) << verified.out;
  auto by_time = Vellum({"verify-proof", receipt_file, "--policy", policy_a, "--payload", "e7",
                         "--time", entry["time"]});
  EXPECT_EQ(by_time.exit_code, 0) << by_time.err;
  EXPECT_EQ(Vellum({"verify-proof", receipt_file, "--policy", policy_a, "--payload", "e8", "--time",
                    entry["time"]})
                .exit_code,
            3);
  // A receipt does not say its entries are records: without --time, the failure says to give it.
  auto no_time = Vellum({"verify-proof", receipt_file, "--policy", policy_a, "--payload", "e7"});
  EXPECT_EQ(no_time.exit_code, 3);
  EXPECT_NE(no_time.err.find("give the entry's --time too"), std::string::npos) << no_time.err;
  for (size_t at : {size_t{30}, receipt.out.size() / 2, receipt.out.size() - 10}) {
    std::string changed = receipt.out;
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    WriteFile(receipt_file, changed);
    EXPECT_NE(
        Vellum({"verify-proof", receipt_file, "--policy", policy_a, "--leaf-hash", leaf}).exit_code,
        0)
        << "byte " << at;
  }

  // /metrics and /v1/status say what was gathered and witnessed.
  auto metrics = testing::LocalClient(a->port()).Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("vellum_cosignatures_total{witness=\"WB\"}"), std::string::npos);
  EXPECT_NE(metrics->body.find("vellum_witness_cosigned_total"), std::string::npos);
  auto shown = Vellum({"status", b.url()});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("witness WA (" + a->url() + "): "), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("as a witness: "), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("  example.com/a: cosigned size 300"), std::string::npos) << shown.out;
  auto status = nlohmann::json::parse(testing::LocalClient(b.port()).Get("/v1/status")->body);
  EXPECT_EQ(status["cosigners"][0]["witness"], "WA");
  EXPECT_GE(status["cosigners"][0]["cosigned"], 1);
  EXPECT_GE(status["witness"]["cosigned"], 2);
}

TEST_F(WitnessNetworkTest, ASplitViewIsRefusedByTheWitnessAndKeptAsEvidence) {
  const std::string va = Init("a.db", "example.com/a");
  const std::string wb = InitWitness("wb.db", "example.com/wb");
  Init("b.db", "example.com/b");
  NodeProcess b(dir_.File("b.db"), {"--witness", dir_.File("wb.db"), "--witness-log", va});
  ASSERT_TRUE(b.ok());
  const std::string policy = dir_.File("a.policy");
  WriteFile(policy, "log " + va + "\nwitness WB " + wb + " " + b.url() + "\nquorum WB\n");
  auto a = std::make_unique<NodeProcess>(
      dir_.File("a.db"), std::vector<std::string>{"--policy", policy, "--require-quorum"});
  ASSERT_TRUE(a->ok());
  Append(*a, 0, 10);
  ASSERT_TRUE(WaitForCosigned(*a, 10, policy));
  EXPECT_EQ(a->Stop(SIGTERM), 0);

  // The writer's key signs a second history (a copy of the file that went its own way) and
  // gets it cosigned first ...
  std::filesystem::copy_file(dir_.File("a.db"), dir_.File("fork.db"));
  std::filesystem::copy_file(dir_.File("a.db.key"), dir_.File("fork.db.key"));
  std::filesystem::permissions(dir_.File("fork.db.key"), std::filesystem::perms::owner_read,
                               std::filesystem::perm_options::replace);
  NodeProcess fork(dir_.File("fork.db"), {"--policy", policy, "--require-quorum"});
  ASSERT_TRUE(fork.ok());
  Append(fork, 100, 120);
  ASSERT_TRUE(WaitForCosigned(fork, 30, policy));
  ASSERT_EQ(fork.Stop(SIGTERM), 0);

  // ... so the first history is refused from then on: its node keeps serving the last
  // checkpoint the quorum cosigned, and the witness keeps what it was sent.
  a = std::make_unique<NodeProcess>(
      dir_.File("a.db"), std::vector<std::string>{"--policy", policy, "--require-quorum"});
  ASSERT_TRUE(a->ok());
  Append(*a, 10, 40);
  auto client = testing::LocalClient(a->port());
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    auto status = nlohmann::json::parse(client.Get("/v1/status")->body);
    refused = status["cosigners"][0]["error"].get<std::string>().find("422") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(refused);
  auto served = client.Get("/checkpoint");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 503) << served->body;  // nothing of its own since restart has quorum
  auto evidence = Vellum({"witness", "status", dir_.File("wb.db"), "--json"});
  auto doc = nlohmann::json::parse(evidence.out);
  EXPECT_EQ(doc["logs"][0]["size"], 30);
  ASSERT_GE(doc["refusals"].size(), 1u);
  EXPECT_EQ(doc["refusals"][0]["status"], 422);
  EXPECT_NE(doc["refusals"][0]["request"].get<std::string>().find("\n40\n"), std::string::npos);
}

TEST_F(WitnessNetworkTest, AHostileWitnessCannotAttachAnythingNorHoldTheWriter) {
  const std::string va = Init("a.db", "example.com/a");
  auto witness_key = SignerKey::Generate("example.com/hostile", KeyType::kCosignature);
  auto other_key = SignerKey::Generate("example.com/hostile", KeyType::kCosignature);
  ASSERT_TRUE(witness_key && other_key);
  // What the hostile witness answers, switched as the test goes.
  std::mutex mu;
  std::string mode = "garbage";
  std::atomic<int> requests{0};
  testing::TestServer hostile([&](const net::Request& req, net::Response& res) {
    ++requests;
    std::string m;
    {
      std::lock_guard<std::mutex> lock(mu);
      m = mode;
    }
    auto parsed = ParseAddCheckpoint(req.body);
    auto note = parsed ? ParseSignedNote(parsed->checkpoint) : Result<SignedNote>(SignedNote{});
    const std::string body = note ? note->text : "";
    if (m == "garbage") {
      res.Set("\x1b[31mnot a signature\n", "text/plain");
    } else if (m == "other key") {  // a real cosignature, by a key of the same name
      res.Set(FormatSignedNote({"", {*Cosign(*other_key, body, 5)}}).substr(1), "text/plain");
    } else if (m == "other body") {  // its own key, on another checkpoint
      res.Set(FormatSignedNote({"", {*Cosign(*witness_key, body + "x\n", 5)}}).substr(1),
              "text/plain");
    } else if (m == "huge") {
      res.Set(std::string(1 << 20, 'A'), "text/plain");
    } else if (m == "bad size") {
      res.status = 409;
      res.Set("-1\n", "text/x.tlog.size");
    } else if (m == "stall") {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      res.status = 500;
    }
  });
  const std::string policy = dir_.File("a.policy");
  WriteFile(policy, "log " + va + "\nwitness H " + witness_key->verifier().ToString() + " " +
                        hostile.url() + "\nquorum H\n");
  NodeProcess a(dir_.File("a.db"), {"--policy", policy, "--peer-timeout", "1"});
  ASSERT_TRUE(a.ok());
  auto client = testing::LocalClient(a.port());
  const std::vector<VerifierKey> log_key = {*VerifierKey::Parse(va)};
  // Each mode for one new checkpoint: the node says why, and serves its checkpoint with its own
  // signature alone.
  int size = 0;
  const std::pair<const char*, const char*> modes[] = {
      {"garbage", "not signature lines"}, {"other key", "no cosignature by its key"},
      {"other body", "does not verify"},  {"huge", "larger than 65536 bytes"},
      {"bad size", "409 without a size"}, {"stall", "did not answer /add-checkpoint within"}};
  for (const auto& [m, expected] : modes) {
    {
      std::lock_guard<std::mutex> lock(mu);
      mode = m;
    }
    const int before = requests;
    Append(a, size, size + 1);
    ++size;
    std::string error;
    for (int i = 0; i < 200 && error.find(expected) == std::string::npos; ++i) {
      auto status = nlohmann::json::parse(client.Get("/v1/status")->body);
      if (requests > before && status["size"] == size) error = status["cosigners"][0]["error"];
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(error.find(expected), std::string::npos) << m << ": " << error;
    EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
    auto served = client.Get("/checkpoint");
    ASSERT_TRUE(served);
    auto note = ParseSignedNote(served->body);
    ASSERT_TRUE(note) << served->body;
    EXPECT_EQ(note->signatures.size(), 1u) << m << ": " << served->body;
    EXPECT_TRUE(OpenCheckpoint(served->body, log_key)) << m;
  }
  // Stalled, it does not hold the node when it stops.
  EXPECT_EQ(a.Stop(SIGTERM), 0);
}

TEST_F(WitnessNetworkTest, BadCommandLinesAreRefusedSayingWhatToDo) {
  const std::string va = Init("a.db", "example.com/a");
  const std::string wv = InitWitness("w.db", "example.com/w");
  const std::string policy = dir_.File("p.policy");
  WriteFile(policy, "log " + va + "\nwitness W " + wv + "\nquorum W\n");
  WriteFile(dir_.File("bad.policy"), "log " + va + "\nquorum W\n");
  // Another SQLite file, in rollback-journal mode: a witness must not turn it to WAL.
  ASSERT_EQ(testing::RunProgram({"sqlite3", dir_.File("plain.db"), "CREATE TABLE t(x)"}).exit_code,
            0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"witness", "init", dir_.File("w.db"), "--name", "example.com/w2"},
       1,
       "w.db exists; a witness state file is never replaced"},
      // A ledger's key is no witness's.
      {{"witness", "key", dir_.File("a.db")},
       1,
       "a.db.key is a log's signing key, not a witness's cosigner key"},
      // A ledger is named as what is in the way, not its key beside it.
      {{"witness", "init", dir_.File("a.db"), "--name", "example.com/w2"},
       1,
       "a.db exists; a witness state file is never replaced"},
      {{"witness", "init", dir_.File("new.db"), "--name", "example.com/w2", "--key",
        dir_.File("w.db.key")},
       1,
       "w.db.key exists; a witness key is never replaced: move it away, or give --key FILE"},
      {{"witness", "init", dir_.File("w2.db"), "--name", "bad name"},
       1,
       "--name: key name 'bad name' is invalid: it may not hold spaces, '+' or control characters "
       "(a witness is named by a schema-less URL, e.g. example.com/witness)"},
      {{"witness", "init", dir_.File("w2.db"), "--name", ""},
       1,
       "--name: key name '' is invalid: it is empty (a witness is named by a schema-less URL"},
      {{"witness", "serve", dir_.File("w.db")}, 2, "--log VKEY"},
      {{"witness", "serve", dir_.File("w.db"), "--log", wv}, 2, "cosigner key"},
      {{"witness", "serve", dir_.File("a.db"), "--log", va, "--key", dir_.File("w.db.key")},
       1,
       "not a witness state file"},
      {{"witness", "serve", dir_.File("plain.db"), "--log", va, "--key", dir_.File("w.db.key")},
       1,
       "plain.db is not a witness state file"},
      // A ledger beside its own (note) key is named for what it is, not for its key.
      {{"witness", "status", dir_.File("a.db")}, 1, "a.db is not a witness state file"},
      {{"witness", "status", dir_.File("missing.db")}, 1, "missing.db"},
      {{"init", dir_.File("w3.db"), "--origin", "example.com/a", "--key", dir_.File("w.db.key")},
       1,
       "example.com/w is a witness's cosigner key; a ledger's checkpoints are signed with a note "
       "key"},
      {{"serve", dir_.File("a.db"), "--witness", dir_.File("w.db")}, 2, "--witness-log VKEY"},
      {{"serve", dir_.File("a.db"), "--witness-log", va}, 2, "go with --witness STATE"},
      {{"serve", dir_.File("a.db"), "--require-quorum"}, 1, "--require-quorum is for a writer"},
      {{"serve", dir_.File("a.db"), "--policy", dir_.File("bad.policy")}, 2, "not defined above"},
      {{"serve", dir_.File("a.db"), "--policy", dir_.File("none.policy")}, 1, "none.policy"},
      {{"verify-checkpoint", "-", "--policy", policy, "--vkey", wv}, 2, "cosigner key"},
      {{"prove", dir_.File("a.db"), "--tlog-proof"}, 2, "--index"},
      {{"prove", dir_.File("a.db"), "--index", "0", "--tlog-proof"}, 1, "no signed checkpoint"},
      {{"cosign", dir_.File("a.db"), "--policy", policy}, 1, "no signed checkpoint to cosign"},
  };
  auto files = [&] {
    return ReadFile(dir_.File("w.db")) + ReadFile(dir_.File("a.db")) +
           ReadFile(dir_.File("plain.db"));
  };
  const std::string before = files();
  for (const Case& c : cases) {
    auto r = Vellum(c.args);
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    EXPECT_EQ(r.exit_code, c.exit_code) << line << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << line << "\n" << r.err;
  }
  EXPECT_TRUE(files() == before);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("w2.db")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("w3.db")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("plain.db-wal")));
}

// `vellum cosign` gathers cosignatures for the newest checkpoint the ledger holds; when entries
// came after it, it says so and how to sign one of them all.
TEST_F(WitnessNetworkTest, CosignSaysWhenTheNewestCheckpointIsBehindTheLedger) {
  const std::string av = Init("a.db", "example.com/a");
  const std::string wv = InitWitness("w.db", "example.com/w");
  Init("host.db", "example.com/host");
  NodeProcess host(dir_.File("host.db"), {"--witness", dir_.File("w.db"), "--witness-log", av});
  ASSERT_TRUE(host.ok());
  const std::string policy = dir_.File("a.policy");
  WriteFile(policy, "log " + av + "\nwitness W " + wv + " " + host.url() + "\nquorum W\n");
  ASSERT_EQ(Vellum({"append", dir_.File("a.db"), "one", "two"}).exit_code, 0);
  ASSERT_EQ(Vellum({"checkpoint", dir_.File("a.db")}).exit_code, 0);
  auto current = Vellum({"cosign", dir_.File("a.db"), "--policy", policy});
  EXPECT_EQ(current.exit_code, 0) << current.err;
  EXPECT_NE(current.out.find("checkpoint of 2 entries: the policy's quorum is met"),
            std::string::npos)
      << current.out;
  EXPECT_EQ(current.err.find("note:"), std::string::npos) << current.err;
  ASSERT_EQ(Vellum({"append", dir_.File("a.db"), "three"}).exit_code, 0);
  auto behind = Vellum({"cosign", dir_.File("a.db"), "--policy", policy});
  EXPECT_EQ(behind.exit_code, 0) << behind.err;
  EXPECT_NE(behind.err.find("has 3 entries; its newest checkpoint covers 2 (`vellum checkpoint"),
            std::string::npos)
      << behind.err;
}

TEST_F(WitnessNetworkTest, ALogVellumDidNotWriteIsWitnessedToo) {
  // A log written by the tests' independent tlog-tiles writer (Python, C2SP specs only), whose
  // key is named "example.com" while its origin is "example.com/log".
  const std::string log = dir_.File("log");
  auto make = [&](const std::vector<std::string>& sizes) {
    std::vector<std::string> argv = {VELLUM_TEST_PYTHON, VELLUM_TLOG_TILES_LOG, log,
                                     "example.com/log"};
    argv.insert(argv.end(), sizes.begin(), sizes.end());
    auto r = testing::RunProgram(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Trim(r.out);
  };
  const std::string vkey = make({"10"});
  const std::string first = ReadFile(log + "/checkpoint");
  make({"10", "300"});
  const std::string second = ReadFile(log + "/checkpoint");

  const std::string wv = InitWitness("w.db", "example.com/w");
  Init("host.db", "example.com/host");
  // Named by its key alone, the origin does not match: 404, as the spec says for an unknown log.
  {
    NodeProcess plain(dir_.File("host.db"),
                      {"--witness", dir_.File("w.db"), "--witness-log", vkey});
    ASSERT_TRUE(plain.ok());
    auto answer = testing::LocalClient(plain.port())
                      .Post("/add-checkpoint", FormatAddCheckpoint({0, {}, first}), "text/plain");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 404) << answer->body;
  }
  NodeProcess host(dir_.File("host.db"),
                   {"--witness", dir_.File("w.db"), "--witness-log", "example.com/log=" + vkey});
  ASSERT_TRUE(host.ok());
  auto client = testing::LocalClient(host.port());
  auto cosigned = client.Post("/add-checkpoint", FormatAddCheckpoint({0, {}, first}), "text/plain");
  ASSERT_TRUE(cosigned);
  ASSERT_EQ(cosigned->status, 200) << cosigned->body;
  auto wkey = VerifierKey::Parse(wv);
  auto note = ParseSignedNote(first + cosigned->body);
  ASSERT_TRUE(wkey && note);
  EXPECT_TRUE(VerifyCosignature(*wkey, note->text, note->signatures.back()));

  // The next checkpoint needs a proof from 10: a stale old size is answered with the size held.
  auto stale = client.Post("/add-checkpoint", FormatAddCheckpoint({0, {}, second}), "text/plain");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_EQ(stale->header("Content-Type"), "text/x.tlog.size");
  EXPECT_EQ(stale->body, "10\n");
  // The proof comes from a vellum mirror of the static log (its own tiles, checked against the
  // log's signed checkpoint as it synced).
  testing::TestServer files([&](const net::Request& req, net::Response& res) {
    const std::string path = log + req.path;
    if (req.path.find("..") != std::string::npos || !std::filesystem::is_regular_file(path)) {
      res.status = 404;
      return;
    }
    res.Set(ReadFile(path), "application/octet-stream");
  });
  auto synced = Vellum(
      {"sync", dir_.File("mirror.db"), "--from", files.url(), "--vkey", vkey, "--format", "raw"});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  auto proof_doc = nlohmann::json::parse(
      Vellum({"prove", dir_.File("mirror.db"), "--old", "10", "--new", "300", "--json"}).out);
  std::vector<Hash> proof;
  for (const auto& h : proof_doc["proof"]) proof.push_back(*HashFromHex(h.get<std::string>()));
  auto bad = proof;
  bad.back()[0] ^= 1;
  EXPECT_EQ(
      client.Post("/add-checkpoint", FormatAddCheckpoint({10, bad, second}), "text/plain")->status,
      422);
  auto grown =
      client.Post("/add-checkpoint", FormatAddCheckpoint({10, proof, second}), "text/plain");
  ASSERT_TRUE(grown);
  EXPECT_EQ(grown->status, 200) << grown->body;
  auto state =
      nlohmann::json::parse(Vellum({"witness", "status", dir_.File("w.db"), "--json"}).out);
  EXPECT_EQ(state["logs"][0]["origin"], "example.com/log");
  EXPECT_EQ(state["logs"][0]["size"], 300);
}

}  // namespace
}  // namespace witness_network_test
}  // namespace vellum
