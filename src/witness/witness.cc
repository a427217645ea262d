// C2SP tlog-witness: the add-checkpoint protocol and the witness's state in SQLite.
#include "vellum/witness.h"

#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>

#include "storage/sqlite.h"
#include "vellum/merkle.h"
#include "witness/text.h"

namespace vellum {
namespace {

constexpr int64_t kWitnessSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 10000;
constexpr int64_t kMaxRefusalsKept = 10000;

// `witnessed` holds the last checkpoint cosigned per origin; the triggers make the rule the
// protocol keeps (never a smaller tree, never forget a log) hold for any writer of the file too.
constexpr const char* kWitnessSchema = R"sql(
CREATE TABLE witness_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE witnessed(
  origin TEXT PRIMARY KEY,
  size INTEGER NOT NULL CHECK (size >= 0),
  root BLOB NOT NULL CHECK (length(root) = 32),
  checkpoint TEXT NOT NULL,
  time INTEGER NOT NULL);
CREATE TRIGGER witnessed_never_shrinks BEFORE UPDATE ON witnessed
  WHEN NEW.size < OLD.size OR NEW.origin != OLD.origin
  BEGIN SELECT RAISE(ABORT, 'a witness never rolls a log back'); END;
CREATE TRIGGER witnessed_never_forgets BEFORE DELETE ON witnessed
  BEGIN SELECT RAISE(ABORT, 'a witness never forgets a log'); END;
CREATE TABLE refusals(
  id INTEGER PRIMARY KEY,
  origin TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  request TEXT NOT NULL,
  request_hash BLOB NOT NULL UNIQUE,  -- SHA-256 of the request: each kept once
  time INTEGER NOT NULL);
)sql";

constexpr const char* kPragmas =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

WitnessAnswer Answer(int status, std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return {status, "text/plain; charset=utf-8", std::move(text)};
}

}  // namespace

std::string FormatAddCheckpoint(const AddCheckpointRequest& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const Hash& h : request.proof) out += Base64Encode(h) + "\n";
  out += "\n" + request.checkpoint;
  return out;
}

Result<AddCheckpointRequest> ParseAddCheckpoint(std::string_view body) {
  auto bad = [](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument, "malformed add-checkpoint request: " + why);
  };
  if (body.size() > kMaxNoteSize + 4096) return bad("longer than a checkpoint and a proof");
  AddCheckpointRequest request;
  auto line = witness::NextLine(body);
  if (!line || !line->starts_with("old ")) return bad("the first line must be old <size>");
  auto old_size = ParseDecimal(line->substr(4));
  if (!old_size) return bad("the old size is not a decimal number without leading zeroes");
  request.old_size = *old_size;
  auto proof =
      witness::ReadHashLines(body, kMaxConsistencyProofLines, "malformed add-checkpoint request");
  if (!proof) return std::unexpected(proof.error());
  request.proof = std::move(*proof);
  request.checkpoint = std::string(body);
  return request;
}

Result<WitnessedLogKey> ParseWitnessedLogKey(std::string_view text) {
  // A verifier key has no '=' before its first '+' (its name has no spaces or '+'), so an '='
  // there ends the origin.
  const size_t plus = text.find('+');
  const size_t eq = text.substr(0, plus).rfind('=');
  const std::string_view key_text = eq == std::string_view::npos ? text : text.substr(eq + 1);
  auto key = VerifierKey::Parse(key_text);
  if (!key) return std::unexpected(key.error());
  if (key->type() != KeyType::kNote) {
    return Fail(ErrorCode::kInvalidArgument,
                key->name() + " is a cosigner key; give the log's (note) verifier key");
  }
  std::string origin = eq == std::string_view::npos ? key->name() : std::string(text.substr(0, eq));
  if (auto ok = CheckOrigin(origin); !ok) return std::unexpected(ok.error());
  return WitnessedLogKey{std::move(origin), std::move(*key)};
}

class Witness::Impl {
 public:
  Impl(storage::Db db, storage::Stmt upsert, SignerKey key, std::vector<WitnessedLogKey> logs)
      : db_(std::move(db)),
        upsert_(std::move(upsert)),
        key_(std::move(key)),
        logs_(std::move(logs)) {}

  WitnessAnswer Add(std::string_view body, uint64_t now);

  // One request waiting for the group commit.
  struct Pending {
    const AddCheckpointRequest* request;
    const Checkpoint* checkpoint;
    std::string_view body;
    uint64_t now;
    WitnessAnswer answer{};  // unless `cosign`
    bool cosign = false;     // the state moved to this checkpoint: cosign it
    bool done = false;
  };
  // Checks and writes a batch in one transaction; every request gets its answer (500 for all
  // when the transaction fails: then nothing was written).
  void RunBatch(std::span<Pending* const> batch);
  // One request against the state as the transaction sees it; an error only from SQLite.
  Result<void> Check(Pending& p);
  Result<std::vector<WitnessedLog>> Logs();
  Result<std::vector<WitnessRefusal>> Refusals(size_t limit);

  struct State {
    uint64_t size = 0;
    Hash root = merkle::EmptyRoot();
  };
  Result<State> ReadState(const std::string& origin);
  // Keeps a refused request as evidence (in its own transaction, or the caller's).
  Result<void> KeepRefusal(const std::string& origin, int status, const std::string& reason,
                           std::string_view request, uint64_t now);
  WitnessAnswer Refuse(int status, std::string reason) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return Answer(status, std::move(reason));
  }

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;  // the front one runs the batch
  std::mutex mu_;               // the connection
  storage::Db db_;
  storage::Stmt upsert_;
  SignerKey key_;
  std::vector<WitnessedLogKey> logs_;
  std::atomic<uint64_t> cosigned_{0}, refused_{0};
};

Result<Witness::Impl::State> Witness::Impl::ReadState(const std::string& origin) {
  auto stmt = db_.Prepare("SELECT size, root FROM witnessed WHERE origin = ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->BindText(1, origin);
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  State state;
  if (*row) {
    state.size = static_cast<uint64_t>(stmt->Int(0));
    auto root = HashFromBytes(stmt->Blob(1));
    if (!root)
      return Fail(ErrorCode::kCorruption, "witness state holds a root that is not 32 bytes");
    state.root = *root;
  }
  return state;
}

Result<void> Witness::Impl::KeepRefusal(const std::string& origin, int status,
                                        const std::string& reason, std::string_view request,
                                        uint64_t now) {
  auto insert = db_.Prepare(
      "INSERT OR IGNORE INTO refusals(origin, status, reason, request, request_hash, time) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return std::unexpected(insert.error());
  Hash digest{};
  EVP_Digest(request.data(), request.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
  insert->BindText(1, origin).Bind(2, status).BindText(3, reason).BindText(4, request);
  insert->Bind(5, digest).Bind(6, static_cast<int64_t>(now));
  if (auto ok = insert->Run(); !ok) return ok;
  return db_.Exec("DELETE FROM refusals WHERE id <= (SELECT max(id) FROM refusals) - " +
                  std::to_string(kMaxRefusalsKept));
}

WitnessAnswer Witness::Impl::Add(std::string_view body, uint64_t now) {
  // What needs no state is checked here, on the caller's thread, in parallel with others.
  auto request = ParseAddCheckpoint(body);
  if (!request) return Refuse(400, request.error().message());
  auto note = ParseSignedNote(request->checkpoint);
  if (!note) return Refuse(400, note.error().message());
  auto checkpoint = ParseCheckpointBody(note->text);
  if (!checkpoint) return Refuse(400, checkpoint.error().message());
  std::vector<VerifierKey> keys;
  for (const WitnessedLogKey& log : logs_) {
    if (log.origin == checkpoint->origin) keys.push_back(log.key);
  }
  if (keys.empty()) return Refuse(404, "this witness does not witness " + checkpoint->origin);
  if (auto signers = VerifyNote(*note, keys); !signers) {
    return Refuse(403, "no valid signature by the key of " + checkpoint->origin + ": " +
                           signers.error().message());
  }
  if (request->old_size > checkpoint->size) {
    return Refuse(400, "old size " + std::to_string(request->old_size) +
                           " is larger than the checkpoint's " + std::to_string(checkpoint->size));
  }

  // Group commit (as LevelDB's writers do): requests queue; the one at the front checks every
  // queued request against the state, in order, in one transaction, and commits once; each
  // caller then signs its own cosignature. Cosigning after the commit is what the spec asks:
  // the state is durable before any answer.
  Pending pending{&*request, &*checkpoint, body, now};
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&pending);
  while (!pending.done && &pending != queue_.front()) queue_cv_.wait(lock);
  if (!pending.done) {
    std::vector<Pending*> batch(queue_.begin(), queue_.end());
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    for (Pending* p : batch) {
      p->done = true;
      queue_.pop_front();
    }
    queue_cv_.notify_all();
  }
  lock.unlock();
  if (!pending.cosign) {
    if (pending.answer.status != 200) refused_.fetch_add(1, std::memory_order_relaxed);
    return std::move(pending.answer);
  }
  auto cosignature = Cosign(key_, note->text, now);
  if (!cosignature) return Refuse(500, cosignature.error().message());
  cosigned_.fetch_add(1, std::memory_order_relaxed);
  return Answer(200, FormatSignedNote({"", {std::move(*cosignature)}}).substr(1));
}

void Witness::Impl::RunBatch(std::span<Pending* const> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  auto fail_all = [&](const Error& error) {
    for (Pending* p : batch) {
      p->cosign = false;
      p->answer = Answer(500, "witness state: " + error.message());
    }
  };
  if (auto ok = db_.BeginWrite(); !ok) return fail_all(ok.error());
  for (Pending* p : batch) {
    if (auto ok = Check(*p); !ok) {
      (void)db_.Exec("ROLLBACK");
      return fail_all(ok.error());
    }
  }
  if (auto ok = db_.Exec("COMMIT"); !ok) {
    (void)db_.Exec("ROLLBACK");
    return fail_all(ok.error());
  }
}

Result<void> Witness::Impl::Check(Pending& p) {
  const AddCheckpointRequest& request = *p.request;
  const Checkpoint& checkpoint = *p.checkpoint;
  auto evidence = [&](int status, std::string reason) -> Result<void> {
    p.answer = Answer(status, reason);
    return KeepRefusal(checkpoint.origin, status, reason, p.body, p.now);
  };
  auto state = ReadState(checkpoint.origin);
  if (!state) return std::unexpected(state.error());
  if (request.old_size != state->size) {
    p.answer = {409, std::string(kTlogSizeContentType), std::to_string(state->size) + "\n"};
    return {};
  }
  if (checkpoint.size == state->size && checkpoint.root != state->root) {
    return evidence(409, "the checkpoint has the size this witness holds (" +
                             std::to_string(state->size) + ") but another root: the log forked");
  }
  if (auto consistent = merkle::VerifyConsistency(state->size, checkpoint.size, state->root,
                                                  checkpoint.root, request.proof);
      !consistent) {
    return evidence(422, "the consistency proof from " + std::to_string(state->size) + " to " +
                             std::to_string(checkpoint.size) +
                             " does not verify: " + consistent.error().message());
  }
  upsert_.BindText(1, checkpoint.origin).Bind(2, static_cast<int64_t>(checkpoint.size));
  upsert_.Bind(3, checkpoint.root).BindText(4, request.checkpoint);
  upsert_.Bind(5, static_cast<int64_t>(p.now));
  if (auto ok = upsert_.Run(); !ok) {
    upsert_.Reset();
    return ok;
  }
  p.cosign = true;
  return {};
}

Result<std::vector<WitnessedLog>> Witness::Impl::Logs() {
  std::lock_guard<std::mutex> lock(mu_);
  auto stmt =
      db_.Prepare("SELECT origin, size, root, checkpoint, time FROM witnessed ORDER BY origin");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<WitnessedLog> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    WitnessedLog log{
        stmt->Text(0), static_cast<uint64_t>(stmt->Int(1)), {}, stmt->Text(3), stmt->Int(4)};
    if (auto root = HashFromBytes(stmt->Blob(2)); root) log.root = *root;
    out.push_back(std::move(log));
  }
}

Result<std::vector<WitnessRefusal>> Witness::Impl::Refusals(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto stmt = db_.Prepare(
      "SELECT origin, status, reason, request, time FROM refusals ORDER BY id DESC LIMIT ?");
  if (!stmt) return std::unexpected(stmt.error());
  stmt->Bind(1, static_cast<int64_t>(limit));
  std::vector<WitnessRefusal> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({stmt->Text(0), static_cast<int>(stmt->Int(1)), stmt->Text(2), stmt->Text(3),
                   stmt->Int(4)});
  }
}

Result<void> Witness::Create(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kConflict, path + " exists; a witness state file is never replaced");
  }
  auto db = storage::Db::Open(path, /*create=*/true);
  if (!db) return std::unexpected(db.error());
  if (auto ok = db->Exec(kPragmas); !ok) return ok;
  if (auto ok = db->Exec("BEGIN IMMEDIATE"); !ok) return ok;
  auto ok = db->Exec(kWitnessSchema);
  if (ok) {
    ok = db->Exec(
        "INSERT INTO witness_meta(key, value) VALUES ('kind', 'vellum-witness'), "
        "('schema_version', '" +
        std::to_string(kWitnessSchemaVersion) + "')");
  }
  if (!ok) {
    (void)db->Exec("ROLLBACK");
    return ok;
  }
  return db->Exec("COMMIT");
}

namespace {

// Whether `db` holds a witness's state (its witness_meta says so).
bool HoldsWitnessState(storage::Db& db) {
  auto kind = db.Prepare("SELECT value FROM witness_meta WHERE key = 'kind'");
  auto row = kind ? kind->Step() : Result<bool>(std::unexpected(kind.error()));
  return row && *row && kind->Text(0) == "vellum-witness";
}

}  // namespace

bool Witness::IsStateFile(const std::string& path) {
  // Immutable: reads the file as it is, leaving no -wal or -shm file beside it.
  auto db = storage::Db::Open(path, /*create=*/false, /*read_only=*/true, /*immutable=*/true);
  return db && HoldsWitnessState(*db);
}

Result<std::unique_ptr<Witness>> Witness::Open(const std::string& path, SignerKey key,
                                               std::vector<WitnessedLogKey> logs) {
  auto db = storage::Db::Open(path, /*create=*/false);
  if (!db) return std::unexpected(db.error());
  db->SetBusyHandler(kBusyTimeoutMs, nullptr);
  // What the file is, before anything (the pragmas included) could change another kind of file.
  if (!HoldsWitnessState(*db)) {
    return Fail(ErrorCode::kInvalidArgument,
                path + " is not a witness state file; make one with `vellum witness init`");
  }
  if (key.type() != KeyType::kCosignature) {
    return Fail(ErrorCode::kInvalidArgument, "a witness cosigns with a cosigner key (type 0x04); " +
                                                 key.name() + " is a note key");
  }
  for (const WitnessedLogKey& log : logs) {
    if (log.key.type() != KeyType::kNote) {
      return Fail(ErrorCode::kInvalidArgument,
                  "log key " + log.key.name() + " is a cosigner key; give the log's note key");
    }
  }
  if (auto ok = db->Exec(kPragmas); !ok) return std::unexpected(ok.error());
  auto upsert = db->Prepare(
      "INSERT INTO witnessed(origin, size, root, checkpoint, time) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
      "checkpoint = excluded.checkpoint, time = excluded.time");
  if (!upsert) return std::unexpected(upsert.error());
  return std::unique_ptr<Witness>(new Witness(
      std::make_unique<Impl>(std::move(*db), std::move(*upsert), std::move(key), std::move(logs))));
}

Witness::Witness(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Witness::~Witness() = default;
const SignerKey& Witness::key() const { return impl_->key_; }
const std::vector<WitnessedLogKey>& Witness::logs() const { return impl_->logs_; }
WitnessAnswer Witness::AddCheckpoint(std::string_view body, uint64_t now) {
  return impl_->Add(body, now);
}
Result<std::vector<WitnessedLog>> Witness::Logs() { return impl_->Logs(); }
Result<std::vector<WitnessRefusal>> Witness::Refusals(size_t limit) {
  return impl_->Refusals(limit);
}
Result<uint64_t> Witness::RefusalsKept() {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  auto stmt = impl_->db_.Prepare("SELECT count(*) FROM refusals");
  if (!stmt) return std::unexpected(stmt.error());
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  return static_cast<uint64_t>(stmt->Int(0));
}
WitnessCounts Witness::counts() const {
  return {impl_->cosigned_.load(std::memory_order_relaxed),
          impl_->refused_.load(std::memory_order_relaxed)};
}

}  // namespace vellum
