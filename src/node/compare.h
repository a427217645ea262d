// Comparing two ledgers of the same origin: identical, one a prefix of the other (proven with a
// consistency proof), or forked at the first index where they differ. The fork is found by
// walking stored subtree hashes top-down, 8 levels per request: O(log n) hashes and, for a
// million entries, at most 4 requests to each side after the heads.
#ifndef VELLUM_NODE_COMPARE_H_
#define VELLUM_NODE_COMPARE_H_

#include <optional>

#include "node/ledger_view.h"

namespace vellum::node {

struct Comparison {
  enum class Relation { kIdentical, kABehind, kBBehind, kForked };
  Relation relation = Relation::kIdentical;
  ViewHead a, b;
  uint64_t behind_by = 0;                  // kABehind / kBBehind
  std::optional<uint64_t> fork_index;      // kForked: the first index where they differ
  std::optional<Entry> entry_a, entry_b;   // kForked: both entries at fork_index
};

std::string_view RelationName(Comparison::Relation relation);

// Everything either side sends is checked against what it claimed before (subtree hashes
// against its root, children against their parent, the consistency proof against both roots);
// a side caught contradicting itself is an error (kVerificationFailed) naming it.
Result<Comparison> Compare(LedgerView& a, LedgerView& b);

}  // namespace vellum::node

#endif  // VELLUM_NODE_COMPARE_H_
