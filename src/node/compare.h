// Comparing two ledgers of the same origin: identical, one a prefix of the other (proven with a
// consistency proof), or forked at the first index where they differ. The fork is found by
// walking subtree hashes top-down one tile row (up to 8 levels) per request: O(log n) hashes
// and, for a million entries, at most 4 requests to each side after the heads (a few more to a
// tiles-only log, whose frontier takes one hash tile per tile level).
#ifndef VELLUM_NODE_COMPARE_H_
#define VELLUM_NODE_COMPARE_H_

#include <nlohmann/json.hpp>
#include <optional>

#include "node/ledger_view.h"

namespace vellum::node {

struct Comparison {
  enum class Relation { kIdentical, kABehind, kBBehind, kForked };
  Relation relation = Relation::kIdentical;
  ViewHead a, b;
  uint64_t behind_by = 0;                 // kABehind / kBBehind
  std::optional<uint64_t> fork_index;     // kForked: the first index where they differ
  Hash leaf_a{}, leaf_b{};                // kForked: the leaf hashes there, proven
  std::optional<Entry> entry_a, entry_b;  // kForked: both entries there, if they hash to them
};

std::string_view RelationName(Comparison::Relation relation);

// Everything either side sends is proven against its head before it is used: its subtree hashes
// at the shorter size against its root (directly, or through its consistency proof when it is
// the longer side), children against their parent, entries against their leaf hash. A side
// caught contradicting itself is an error (kVerificationFailed) naming it, never a fork. On an
// error, `failed_side` (optional) is set to the side whose answer was missing, refused or false,
// or to null when it was neither's (two different logs).
[[nodiscard]] Result<Comparison> Compare(LedgerView& a, LedgerView& b,
                                         const LedgerView** failed_side = nullptr);

// What `vellum compare --json` prints (doc/cli.md): the relation, each side's head and what
// talking to it cost, and at a fork the index and both entries.
nlohmann::json ComparisonJson(const Comparison& c, const LedgerView& a, const LedgerView& b);

}  // namespace vellum::node

#endif  // VELLUM_NODE_COMPARE_H_
