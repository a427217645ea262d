// Gathering cosignatures from witnesses (C2SP tlog-witness, client side).
#include "node/cosigner.h"

#include <chrono>
#include <thread>

#include "common/decimal.h"
#include "common/plural.h"
#include "net/http_client.h"
#include "node/ledger_view.h"

namespace vellum::node {
namespace {

constexpr size_t kMaxWitnessAnswer = 64 << 10;

// A short, printable excerpt of a witness's answer for messages.
std::string Excerpt(const std::string& body) {
  std::string out = body.substr(0, std::min<size_t>(body.find('\n'), 200));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

struct Cosigner::Target {
  const PolicyWitness* witness = nullptr;
  std::string prefix;
  std::unique_ptr<net::HttpClient> client;
  WitnessReport report;
  std::optional<NoteSignature> cosignature;  // for note_
  // A witness that answered without its cosignature is not sent that note again; one that did
  // not answer is asked again only after a wait that doubles up to a minute. Either way a
  // witness that is down or refuses this log's history is not flooded.
  bool refused_note = false;
  std::chrono::steady_clock::time_point next_try{};
  std::chrono::milliseconds backoff{0};
};

Cosigner::Cosigner(Ledger& ledger, std::shared_ptr<const Policy> policy, int deadline_ms,
                   const std::atomic<bool>* cancel, EventLog& log)
    : ledger_(ledger), policy_(std::move(policy)), log_(log) {
  for (const PolicyWitness& w : policy_->witnesses()) {
    if (w.url.empty()) continue;
    auto target = std::make_unique<Target>();
    target->witness = &w;
    target->report.name = w.name;
    target->report.url = w.url;
    if (auto parts = SplitNodeUrl(w.url)) {
      target->prefix = parts->prefix;
      net::ClientOptions options;
      options.deadline_ms = deadline_ms;
      options.max_body_bytes = kMaxWitnessAnswer;
      options.cancel = cancel;
      target->client = std::make_unique<net::HttpClient>(parts->base, options);
    } else {
      target->report.last_error = parts.error().message();
    }
    targets_.push_back(std::move(target));
  }
}

Cosigner::~Cosigner() = default;

void Cosigner::AskOne(Target& t, const std::string& note, const std::string& body,
                      const Checkpoint& checkpoint) {
  // A witness that answered, but not with its cosignature, is not sent this note again; one
  // that did not answer (or failed on its side, 5xx) is asked again after the backoff, for this
  // note or a newer one.
  enum Kind { kRefused, kUnreachable };
  auto fail = [&](std::string why, Kind kind = kRefused) {
    std::lock_guard<std::mutex> lock(mu_);
    if (kind == kRefused) {
      t.refused_note = true;
    } else {
      t.backoff = std::min<std::chrono::milliseconds>(
          std::max<std::chrono::milliseconds>(2 * t.backoff, std::chrono::seconds(1)),
          std::chrono::minutes(1));
      t.next_try = std::chrono::steady_clock::now() + t.backoff;
    }
    if (why != t.report.last_error) {
      log_.Event("witness",
                 "witness " + t.report.name + " did not cosign size " +
                     std::to_string(checkpoint.size) + ": " + why,
                 {{"witness", t.report.name}, {"size", checkpoint.size}});
    }
    t.report.last_error = std::move(why);
  };
  if (!t.client) return fail(t.report.last_error);
  uint64_t old_size;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old_size = t.report.size;
  }
  // At most twice: a 409 tells the size the witness holds, and the second request proves
  // consistency from there.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (old_size > checkpoint.size) {
      return fail("it cosigned a tree of " + Entries(old_size) +
                  ", larger than this checkpoint's: this node lost entries, or "
                  "another signed with its key");
    }
    std::vector<Hash> proof;
    if (old_size > 0 && old_size < checkpoint.size) {
      auto p = ledger_.ConsistencyProof(old_size, checkpoint.size);
      if (!p) {
        return fail(
            "no consistency proof from " + std::to_string(old_size) + ": " + p.error().message(),
            kUnreachable);
      }
      proof = std::move(*p);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++t.report.requests;
    }
    auto answer = t.client->Post(t.prefix + "/add-checkpoint",
                                 FormatAddCheckpoint({old_size, std::move(proof), note}),
                                 "text/plain; charset=utf-8");
    if (!answer) {
      return fail(answer.error().message(),
                  answer.error().code() == ErrorCode::kUnavailable ? kUnreachable : kRefused);
    }
    if (answer->status == 409 && answer->header("Content-Type").starts_with(kTlogSizeContentType)) {
      std::string_view text = answer->body;
      if (text.ends_with('\n')) text.remove_suffix(1);
      const auto parsed_size = ParseDecimal(text);
      if (!parsed_size) return fail("it answered 409 without a size");
      const uint64_t held = *parsed_size;
      if (held == old_size) {
        return fail("it answered 409 for the size it holds: it cosigned another root");
      }
      old_size = held;
      std::lock_guard<std::mutex> lock(mu_);
      t.report.size = held;
      continue;
    }
    if (answer->status != 200) {
      return fail("it answered " + std::to_string(answer->status) + ": " + Excerpt(answer->body),
                  answer->status >= 500 ? kUnreachable : kRefused);
    }
    // The answer is signature lines; appended to the note they parse as its signatures.
    auto parsed = ParseSignedNote(body + "\n" + answer->body);
    if (!parsed) return fail("its answer is not signature lines: " + parsed.error().message());
    for (const NoteSignature& sig : parsed->signatures) {
      if (sig.name != t.witness->key.name() || sig.key_id != t.witness->key.key_id()) continue;
      auto time = VerifyCosignature(t.witness->key, body, sig);
      if (!time) return fail(time.error().message());
      std::lock_guard<std::mutex> lock(mu_);
      t.cosignature = sig;
      t.backoff = std::chrono::milliseconds(0);
      t.next_try = {};
      t.report.size = checkpoint.size;
      ++t.report.cosigned;
      t.report.last_error.clear();
      return;
    }
    return fail("its answer has no cosignature by its key " + t.witness->key.ToString());
  }
  fail("it kept answering 409");
}

std::string Cosigner::Gather(const std::string& note) {
  auto parsed = ParseSignedNote(note);
  if (!parsed) return note;
  auto checkpoint = ParseCheckpointBody(parsed->text);
  if (!checkpoint) return note;
  if (note != note_) {
    std::lock_guard<std::mutex> lock(mu_);
    note_ = note;
    for (auto& t : targets_) {
      t->cosignature.reset();
      t->refused_note = false;  // a new note is a new request; a backoff still holds
    }
  }
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::thread> askers;
  for (auto& t : targets_) {
    bool done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done = t->cosignature.has_value() || t->refused_note || now < t->next_try;
    }
    if (!done) {
      askers.emplace_back(
          [this, &t, &note, &parsed, &checkpoint] { AskOne(*t, note, parsed->text, *checkpoint); });
    }
  }
  for (auto& a : askers) a.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : targets_) {
    if (t->cosignature) parsed->signatures.push_back(*t->cosignature);
  }
  return FormatSignedNote(*parsed);
}

std::vector<WitnessReport> Cosigner::Reports() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<WitnessReport> out;
  for (const auto& t : targets_) out.push_back(t->report);
  return out;
}

}  // namespace vellum::node
