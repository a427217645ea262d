// The log side of C2SP tlog-witness: a writer node sends each new checkpoint to the witnesses
// its policy lists with a URL, with a consistency proof from the size each witness last
// cosigned (learned from 409 answers), and keeps the cosignatures that verify.
// Thread-safe: Gather runs on one thread (the node's cosigning task); Reports from any.
#ifndef VELLUM_NODE_COSIGNER_H_
#define VELLUM_NODE_COSIGNER_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "node/event_log.h"
#include "vellum/ledger.h"
#include "vellum/witness.h"

namespace vellum::node {

struct WitnessReport {
  std::string name;  // the policy's name for the witness
  std::string url;
  uint64_t size = 0;       // the size it cosigned last, as far as this node knows
  uint64_t requests = 0;   // add-checkpoint requests sent
  uint64_t cosigned = 0;   // cosignatures received that verified
  std::string last_error;  // "" after a cosignature
};

class Cosigner {
 public:
  // REQUIRES: `ledger` and `log` outlive the cosigner. `cancel` stops requests in progress.
  Cosigner(Ledger& ledger, std::shared_ptr<const Policy> policy, int deadline_ms,
           const std::atomic<bool>* cancel, EventLog& log);
  ~Cosigner();

  // Sends `note` (a checkpoint the ledger's key signed) to every witness with a URL that has
  // not cosigned it yet, all at once, each within the deadline; returns `note` with every
  // cosignature gathered for it so far (policy order). Cosignatures that do not verify with
  // the witness's key are dropped and said. A witness that answered without its cosignature
  // is not sent that note again; one that did not answer is asked again (for this note or a
  // newer) after a wait that doubles up to a minute.
  std::string Gather(const std::string& note);
  std::vector<WitnessReport> Reports() const;
  const Policy& policy() const { return *policy_; }

 private:
  struct Target;
  // One witness's answer for `body` of `note`, or why there is none.
  void AskOne(Target& target, const std::string& note, const std::string& body,
              const Checkpoint& checkpoint);

  Ledger& ledger_;
  std::shared_ptr<const Policy> policy_;
  EventLog& log_;
  mutable std::mutex mu_;  // guards the targets' reports
  std::vector<std::unique_ptr<Target>> targets_;
  std::string note_;  // the note the cosignatures below are for
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_COSIGNER_H_
