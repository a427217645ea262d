// vellum demo: the "Distributed SQLite as an Immutable Record" walkthrough, for real: ledgers in
// a temporary folder, node processes on loopback, proofs checked, a fork located, a tampered
// file caught. Cleans up after itself, also on Ctrl-C.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include "cli/cli.h"
#include "net/http_client.h"
#include "node/compare.h"
#include "node/network.h"
#include "node/sync.h"
#include "process/node_process.h"

namespace vellum::cli {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kT0 = 1764061200000;  // 2025-11-25T09:00:00Z: fixed times, reproducible roots

std::atomic<bool> interrupted{false};
void OnSignal(int) { interrupted = true; }

// Fails the demo with a message; every step goes through it.
template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
  if (interrupted) throw std::runtime_error("interrupted");
  return std::move(*r);
}
void Must(Result<void> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
}

void Section(const char* title) { std::cout << "\n== " << title << " ==\n"; }
std::string Short(const Hash& h) { return ToHex(h).substr(0, 16) + "…"; }

std::unique_ptr<Ledger> NewLedger(const std::string& path, const SignerKey& key,
                                  const std::string& origin = "demo.vellum/events") {
  return Must(Ledger::Create(path, {.origin = origin, .verifier_key = key.verifier().ToString()}),
              "create ledger");
}

void AppendEvents(Ledger& ledger, const std::vector<std::string>& events, int64_t t0) {
  std::vector<NewEntry> batch;
  for (size_t i = 0; i < events.size(); ++i) {
    batch.push_back({ToBytes(events[i]), t0 + static_cast<int64_t>(i) * 60000});
  }
  Must(ledger.AppendBatch(batch), "append");
}

void PartOne(const fs::path& dir, const SignerKey& key) {
  Section("1. Ledger operations");
  const std::string path = (dir / "node1.db").string();
  auto ledger = NewLedger(path, key);
  std::cout << "initialized " << path << " (origin demo.vellum/events)\n";
  AppendEvents(
      *ledger,
      {"user alice logged in", "user bob logged in", "alice uploaded report.pdf", "bob logged out"},
      kT0);
  for (const Entry& e : Must(ledger->GetRange(0, 4), "read")) {
    std::cout << "  #" << e.index << "  " << FormatTime(*e.time_ms) << "  " << Short(e.leaf_hash)
              << "  " << ShowPayload(e.payload, 60) << "\n";
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* err = nullptr;
  sqlite3_exec(db, "UPDATE entries SET data = 'user mallory logged in' WHERE idx = 0", nullptr,
               nullptr, &err);
  std::cout << "sqlite3> UPDATE entries SET data = 'user mallory logged in' WHERE idx = 0\n  "
            << (err ? err : "(no error?!)") << "\n";
  sqlite3_free(err);
  sqlite3_close(db);
}

void PartTwo(const fs::path& dir, const SignerKey& key) {
  Section("2. Merkle operations");
  auto ledger = Must(Ledger::Open((dir / "node1.db").string()), "open");
  const Head before = Must(ledger->GetHead(), "head");
  std::cout << "root of 4 records: " << ToHex(before.root) << "\n";
  const std::string note = Must(ledger->SignCheckpoint(key), "sign");
  std::cout << "signed checkpoint (C2SP):\n" << note;
  std::vector<VerifierKey> known = {key.verifier()};
  const Checkpoint cp = Must(OpenCheckpoint(note, known), "verify checkpoint");
  const Entry bob = Must(ledger->Get(1), "get");
  const auto proof = Must(ledger->InclusionProof(1, cp.size), "prove");
  std::cout << "inclusion proof for record #1 (" << proof.size() << " hashes): ";
  std::cout << (merkle::VerifyInclusion(bob.leaf_hash, 1, cp.size, proof, cp.root)
                    ? "verified against the signed checkpoint\n"
                    : "FAILED\n");
  AppendEvents(*ledger, {"carol logged in"}, kT0 + 4 * 60000);
  const Head after = Must(ledger->GetHead(), "head");
  const auto consistency = Must(ledger->ConsistencyProof(4, 5), "prove");
  std::cout << "added a record; root changed: " << Short(before.root) << " -> " << Short(after.root)
            << "\nconsistency proof 4 -> 5: "
            << (merkle::VerifyConsistency(4, 5, before.root, after.root, consistency)
                    ? "verified (history only grew)\n"
                    : "FAILED\n");
  Must(ledger->SignCheckpoint(key), "sign");
}

// Polls `view` until its signed size is `size` (at most 10 s).
void WaitForSize(node::LedgerView& view, uint64_t size) {
  for (int i = 0; i < 200 && !interrupted; ++i) {
    auto head = view.Head();
    if (head && head->size == size) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(view.name() + " did not reach size " + std::to_string(size));
}

void PrintComparison(const char* a, const char* b, const node::Comparison& c) {
  using R = node::Comparison::Relation;
  std::cout << "compare " << a << " " << b << ": ";
  if (c.relation == R::kIdentical) std::cout << "identical (" << c.a.size << " events)\n";
  if (c.relation == R::kABehind) std::cout << a << " is behind by " << c.behind_by << " (proven)\n";
  if (c.relation == R::kBBehind) std::cout << b << " is behind by " << c.behind_by << " (proven)\n";
  if (c.relation == R::kForked) {
    std::cout << "forked at index " << *c.fork_index << "\n    " << a << ": "
              << ShowPayload(c.entry_a->payload, 50) << "\n    " << b << ": "
              << ShowPayload(c.entry_b->payload, 50) << "\n";
  }
}

// Starts `vellum serve LEDGER EXTRA...` as node `name`, its event lines going to a file in the
// demo's folder rather than between the demo's paragraphs.
std::unique_ptr<process::NodeProcess> StartNode(const std::string& self, const fs::path& dir,
                                                const std::string& name, const std::string& ledger,
                                                const std::vector<std::string>& extra = {}) {
  auto node =
      std::make_unique<process::NodeProcess>(self, ledger, extra, (dir / (name + ".log")).string());
  if (!node->ok()) throw std::runtime_error(name + " did not start");
  return node;
}

void PrintNetwork(std::vector<std::unique_ptr<node::LedgerView>>& views,
                  const std::vector<std::string>& names) {
  std::cout << "\nnetwork analysis:\n";
  const auto report = node::AnalyzeNetwork(views);
  for (size_t i = 0; i < report.peers.size(); ++i) {
    const auto& p = report.peers[i];
    std::cout << "  " << names[i] << "  size " << p.head->size << "  root " << Short(p.head->root)
              << "  lineage " << p.lineage << (p.lag ? "  behind by " + std::to_string(p.lag) : "")
              << "\n";
  }
  std::cout << "  sync groups: " << report.sync_groups.size() << ", synced nodes: " << report.synced
            << " of " << report.peers.size() << " (" << report.sync_percentage << "%), network "
            << (report.healthy ? "healthy" : "NOT healthy (needs 80%)") << "\n";
  for (const auto& f : report.forks) {
    std::cout << "  fork: histories part at index " << f.index << "\n";
  }
}

// Part three's nodes, kept running with `demo --serve`.
using Nodes = std::vector<std::unique_ptr<process::NodeProcess>>;

Nodes PartThree(const fs::path& dir, const SignerKey& key, const std::string& self) {
  Section("3. Node network");
  const std::string n1 = (dir / "node1.db").string(), vkey = key.verifier().ToString();
  Must(WriteKeyFile(n1 + ".key", key), "key file");
  auto node1 = StartNode(self, dir, "node1", n1);
  std::vector<VerifierKey> keys = {key.verifier()};
  auto v1 = Must(node::OpenView(node1->url(), keys), "view");
  const auto h1 = Must(v1->Head(), "node1 checkpoint");
  std::cout << "node1 " << node1->url() << ": " << h1.size << " events, root " << Short(h1.root)
            << ", signed checkpoint verified\n";

  auto node2 =
      StartNode(self, dir, "node2", (dir / "node2.db").string(),
                {"--upstream", node1->url(), "--upstream-vkey", vkey, "--poll-interval", "100"});
  auto v2 = Must(node::OpenView(node2->url(), keys), "view");
  WaitForSize(*v2, h1.size);
  std::cout << "node2 " << node2->url() << ": a mirror of node1, caught up from an empty file\n";

  // node4: a copy synced now, which will fall behind.
  const std::string n4 = (dir / "node4.db").string();
  auto lagging = Must(node::OpenOrCreateMirror(n4, *v1, vkey, std::nullopt), "node4");
  Must(node::SyncFrom(*lagging, *v1), "sync node4");
  lagging.reset();

  net::HttpClient client(node1->url(), {.bearer_token = node1->token()});
  const std::string more =
      R"({"entries":[{"data":"carol uploaded data.csv"},{"data":"alice logged out"},)"
      R"({"data":"carol logged out"}]})";
  auto appended = client.Post("/v1/entries", more, "application/json");
  if (!appended || appended->status != 200) throw std::runtime_error("append to node1 failed");
  std::cout << "node1 appends 3 events over HTTP; node2 follows them\n";
  WaitForSize(*v1, h1.size + 3);
  WaitForSize(*v2, h1.size + 3);
  PrintComparison("node1", "node2", Must(node::Compare(*v1, *v2), "compare"));

  // node3: the same log, kept independently, that recorded a different third event.
  const std::string n3 = (dir / "node3.db").string();
  auto other = NewLedger(n3, key);
  AppendEvents(
      *other,
      {"user alice logged in", "user bob logged in", "bob deleted report.pdf", "bob logged out"},
      kT0);
  other.reset();
  // node3 watches the other two: its dashboard draws the network.
  auto node3 = StartNode(self, dir, "node3", n3,
                         {"--key", n1 + ".key", "--peer", node1->url(), "--peer", node2->url(),
                          "--poll-interval", "200"});
  auto v3 = Must(node::OpenView(node3->url(), keys), "view");
  PrintComparison("node1", "node3", Must(node::Compare(*v1, *v3), "compare"));
  auto v4 = Must(node::OpenView(n4, {}), "view");
  PrintComparison("node4", "node1", Must(node::Compare(*v4, *v1), "compare"));

  std::vector<std::unique_ptr<node::LedgerView>> views;
  for (const std::string& peer : {node1->url(), node2->url(), node3->url(), n4}) {
    views.push_back(Must(node::OpenView(peer, keys), "view"));
  }
  PrintNetwork(views, {"node1", "node2", "node3", "node4"});
  std::cout << "\ndashboard: " << node3->url() << "/#network (node3's view of the network; "
            << "`vellum demo --serve` keeps the nodes up to look at it)\n";
  Nodes nodes;
  for (auto* n : {&node1, &node2, &node3}) nodes.push_back(std::move(*n));
  return nodes;
}

void PartFour(const fs::path& dir) {
  Section("4. What the original could not do: catch an edit made around the triggers");
  const std::string copy = (dir / "tampered.db").string();
  fs::copy_file(dir / "node4.db", copy);
  sqlite3* db = nullptr;
  sqlite3_open(copy.c_str(), &db);
  sqlite3_exec(db,
               "DROP TRIGGER entries_no_update; "
               "UPDATE entries SET data = 'nobody uploaded anything' WHERE idx = 2",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  std::cout
      << "sqlite3> DROP TRIGGER entries_no_update; UPDATE entries SET data = ... WHERE idx = 2\n";
  auto ledger = Must(Ledger::Open(copy), "open");
  const auto report = Must(ledger->Verify(), "verify");
  std::cout << "vellum verify: " << (report.ok ? "ok (?!)" : "FAILED: " + report.message)
            << "\n  first bad index: "
            << (report.first_bad_index ? std::to_string(*report.first_bad_index) : "-") << "\n";
}

// Polls `url`'s /v1/status until `done` says so (at most 10 s).
nlohmann::json WaitForStatus(const std::string& url,
                             const std::function<bool(const nlohmann::json&)>& done) {
  net::HttpClient client(url);
  for (int i = 0; i < 200 && !interrupted; ++i) {
    auto answer = client.Get("/v1/status");
    if (answer && answer->status == 200) {
      auto status = nlohmann::json::parse(answer->body, nullptr, false);
      if (status.is_object() && done(status)) return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(url + " did not get there in 10 s");
}

void PartFive(const fs::path& dir, const std::string& self) {
  Section("5. Witnesses: a split view is refused");
  // A payments log whose checkpoints count only when both peers' witnesses cosigned them.
  const SignerKey log_key = Must(SignerKey::Generate("demo.vellum/payments"), "key");
  const std::string pay = (dir / "payments.db").string(), vkey = log_key.verifier().ToString();
  Must(WriteKeyFile(pay + ".key", log_key), "key file");
  AppendEvents(*NewLedger(pay, log_key, "demo.vellum/payments"),
               {"alice pays bob 10", "bob pays carol 5"}, kT0);
  std::string policy = "log " + vkey + "\n";
  std::vector<std::unique_ptr<process::NodeProcess>> peers;
  for (const std::string name : {"peer1", "peer2"}) {
    const std::string state = (dir / (name + ".witness")).string();
    Must(Witness::Create(state), "witness state");
    const SignerKey key =
        Must(SignerKey::Generate("demo.vellum/" + name, KeyType::kCosignature), "witness key");
    Must(WriteKeyFile(state + ".key", key), "witness key file");
    Must(Ledger::Create((dir / (name + ".db")).string(), {.origin = "demo.vellum/" + name}),
         "peer ledger");
    peers.push_back(StartNode(self, dir, name, (dir / (name + ".db")).string(),
                              {"--witness", state, "--witness-log", vkey}));
    policy +=
        "witness " + name + " " + key.verifier().ToString() + " " + peers.back()->url() + "\n";
  }
  policy += "group both all peer1 peer2\nquorum both\n";
  const std::string policy_file = (dir / "payments.policy").string();
  std::ofstream(policy_file) << policy;
  std::cout << "payments log; peer1 and peer2 witness it; its policy: both must cosign\n";

  auto writer =
      StartNode(self, dir, "payments", pay, {"--policy", policy_file, "--require-quorum"});
  const Policy parsed = Must(Policy::Parse(policy), "policy");
  auto cosigned_view = [&](const std::string& url) {
    return Must(node::OpenView(url, {}, {.policy = std::make_shared<Policy>(parsed)}), "view");
  };
  auto honest = cosigned_view(writer->url());
  WaitForSize(*honest, 2);
  std::cout << "checkpoint of 2 payments cosigned by peer1 and peer2: readers accept it\n";
  net::HttpClient client(writer->url(), {.bearer_token = writer->token()});
  auto appended = client.Post("/v1/entries", R"({"data":"carol pays dave 7"})", "application/json");
  if (!appended || appended->status != 200) throw std::runtime_error("append failed");
  WaitForSize(*honest, 3);
  std::cout << "the log records \"carol pays dave 7\"; its checkpoint of 3 is cosigned too\n";

  // The same key, on another machine, signs a history where the third payment went elsewhere:
  // what a log shows a victim when it wants a different history there.
  const std::string split = (dir / "split.db").string();
  Must(WriteKeyFile(split + ".key", log_key), "key file");
  AppendEvents(*NewLedger(split, log_key, "demo.vellum/payments"),
               {"alice pays bob 10", "bob pays carol 5", "carol pays mallory 7000"}, kT0);
  auto other = StartNode(self, dir, "split", split, {"--policy", policy_file});
  const auto status = WaitForStatus(other->url(), [](const nlohmann::json& s) {
    for (const auto& w : s["cosigners"]) {
      if (w["error"].get<std::string>().empty()) return false;
    }
    return true;
  });
  std::cout << "a second history of 3 payments signed with the same key (\"carol pays mallory "
               "7000\"):\n";
  for (const auto& w : status["cosigners"]) {
    std::cout << "  " << w["witness"].get<std::string>()
              << " refused it: " << w["error"].get<std::string>() << "\n";
  }
  auto naive = Must(node::OpenView(other->url(), {log_key.verifier()}), "view");
  std::cout << "a reader that checks only the log's signature: "
            << (naive->Head() ? "accepts it (the split view works on it)" : "refuses it") << "\n";
  auto head = cosigned_view(other->url())->Head();
  std::cout << "a reader with the policy: "
            << (head ? "accepts it (?!)" : "refuses it: " + head.error().message()) << "\n";
  auto evidence =
      Must(Witness::Open((dir / "peer1.witness").string(),
                         Must(ReadKeyFile((dir / "peer1.witness.key").string()), "key"), {}),
           "witness");
  std::cout << "peer1 keeps the refused checkpoint as evidence: "
            << Must(evidence->Refusals(), "refusals").size() << " request(s)\n";
}

struct DemoArgs {
  bool keep = false;
  bool serve = false;
};

int RunDemo(const DemoArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::string pattern = (fs::temp_directory_path() / "vellum-demo-XXXXXX").string();
  const fs::path dir = mkdtemp(pattern.data());
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::cout << "vellum demo: tamper-evident ledgers in SQLite, in " << dir.string() << "\n";
  int code = kExitOk;
  try {
    const SignerKey key = Must(SignerKey::Generate("demo.vellum/events"), "key");
    PartOne(dir, key);
    PartTwo(dir, key);
    Nodes nodes = PartThree(dir, key, self);
    PartFour(dir);
    PartFive(dir, self);
    if (args.serve) {
      std::cout << "\nthe nodes of part 3 keep running: open " << nodes[2]->url() << "/#network or "
                << nodes[0]->url() << "/ ; Ctrl-C ends the demo\n"
                << std::flush;
      while (!interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      interrupted = false;  // asked for: the demo ends normally
    }
  } catch (const std::exception& e) {
    code = ReportError(std::string("demo stopped: ") + e.what());
  }
  if (!args.keep) fs::remove_all(dir);
  std::cout << "\n("
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s; " << (args.keep ? "kept " + dir.string() : "cleaned up") << ")\n";
  return interrupted ? 130 : code;
}

}  // namespace

void AddDemo(CLI::App& app, Action& action) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand("demo", "Walk through ledgers, proofs and a node network");
  cmd->add_flag("--keep", args->keep, "Keep the temporary folder");
  cmd->add_flag("--serve", args->serve,
                "Keep the network's nodes running (and their dashboards) until Ctrl-C");
  cmd->callback([args, &action] { action = [args] { return RunDemo(*args); }; });
}

}  // namespace vellum::cli
