#include "node/compare.h"

#include <algorithm>
#include <string>

#include "node/api_json.h"
#include "vellum/merkle.h"

namespace vellum::node {
namespace {

std::unexpected<Error> Lied(const LedgerView& view, const std::string& what) {
  return Fail(ErrorCode::kVerificationFailed, view.name() + " contradicts itself: " + what);
}

// The hashes of `ids` from `view`, checked to fold into `parent` when given.
[[nodiscard]] Result<std::vector<Hash>> Fetch(LedgerView& view, std::span<const merkle::NodeId> ids,
                                              const Hash* parent) {
  auto hashes = view.SubtreeHashes(ids);
  if (!hashes) return hashes;
  if (parent && merkle::PerfectRoot(*hashes) != *parent) {
    return Lied(view, "subtree hashes do not rebuild their parent");
  }
  return hashes;
}

// Descends from perfect subtree `node`, whose hashes differ (ha, hb), to the first differing
// leaf; returns it with the two leaf hashes.
struct Difference {
  uint64_t index = 0;
  Hash leaf_a{}, leaf_b{};
};
[[nodiscard]] Result<Difference> FindFirstDifference(LedgerView& a, LedgerView& b,
                                                     merkle::NodeId node, Hash ha, Hash hb,
                                                     const LedgerView*& failed) {
  while (node.level > 0) {
    // Down to the next level that is a multiple of the tile height, so that the children are
    // one row of one hash tile (at most 256 hashes): one request to a node, one tile from a
    // tiles-only log.
    const unsigned step = node.level % kTileHeight ? node.level % kTileHeight : kTileHeight;
    std::vector<merkle::NodeId> children;
    const uint8_t level = static_cast<uint8_t>(node.level - step);
    for (uint64_t i = 0; i < (uint64_t{1} << step); ++i) {
      children.push_back({level, (node.index << step) + i});
    }
    failed = &a;
    auto ca = Fetch(a, children, &ha);
    if (!ca) return std::unexpected(ca.error());
    failed = &b;
    auto cb = Fetch(b, children, &hb);
    if (!cb) return std::unexpected(cb.error());
    const auto diff = std::mismatch(ca->begin(), ca->end(), cb->begin()).first - ca->begin();
    // The parents differ, so some children must.
    failed = &a;
    if (static_cast<size_t>(diff) == ca->size()) return Lied(a, "equal children, unequal parents");
    node = children[static_cast<size_t>(diff)];
    ha = (*ca)[static_cast<size_t>(diff)];
    hb = (*cb)[static_cast<size_t>(diff)];
  }
  return Difference{node.index, ha, hb};
}

// Proves that `hashes` (the perfect subtrees of [0, m)) are `view`'s tree at size m: they fold
// to its signed root when m is its size, else to a root its consistency proof links to it.
// Nothing a side says about its history is used before this.
[[nodiscard]] Result<void> ProveFrontier(LedgerView& view, const ViewHead& head, uint64_t m,
                                         const std::vector<Hash>& hashes) {
  const Hash root_at_m = m == 0 ? merkle::EmptyRoot() : merkle::FoldRange(hashes);
  if (head.size == m) {
    if (root_at_m != head.root) return Lied(view, "its subtree hashes do not rebuild its root");
    return {};
  }
  if (m == 0) return {};  // every tree extends the empty one
  auto proof = view.ConsistencyProof(m, head.size);
  if (!proof) return std::unexpected(proof.error());
  if (auto ok = merkle::VerifyConsistency(m, head.size, root_at_m, head.root, *proof); !ok) {
    return Lied(view, "its subtree hashes at size " + std::to_string(m) +
                          " are not a prefix of its signed tree (" + ok.error().message() + ")");
  }
  return {};
}

// The entry at `index` from `view`, kept only if it hashes to the proven leaf.
std::optional<Entry> ProvenEntry(LedgerView& view, uint64_t index, const Hash& leaf) {
  auto entry = view.Get(index);
  if (!entry || entry->leaf_hash != leaf) return std::nullopt;
  return std::move(*entry);
}

}  // namespace

std::string_view RelationName(Comparison::Relation relation) {
  switch (relation) {
    case Comparison::Relation::kIdentical:
      return "identical";
    case Comparison::Relation::kABehind:
      return "a_behind";
    case Comparison::Relation::kBBehind:
      return "b_behind";
    case Comparison::Relation::kForked:
      return "forked";
  }
  return "unknown";
}

namespace {

// The hashes of `nodes`, the perfect subtrees that make up [0, m), as `view` has them, proven
// against its signed head.
Result<std::vector<Hash>> ProvenFrontier(LedgerView& view, const ViewHead& head,
                                         std::span<const merkle::NodeId> nodes, uint64_t m) {
  std::vector<Hash> hashes;
  if (m > 0) {
    auto fetched = Fetch(view, nodes, nullptr);
    if (!fetched) return std::unexpected(fetched.error());
    hashes = std::move(*fetched);
  }
  if (auto ok = ProveFrontier(view, head, m, hashes); !ok) return std::unexpected(ok.error());
  return hashes;
}

// Compare, setting `failed` before each step to the side whose answer it needs (null: neither's).
Result<Comparison> CompareSides(LedgerView& a, LedgerView& b, const LedgerView*& failed) {
  Comparison out;
  failed = &a;
  auto ha = a.Head();
  if (!ha) return std::unexpected(ha.error());
  failed = &b;
  auto hb = b.Head();
  if (!hb) return std::unexpected(hb.error());
  failed = nullptr;
  out.a = *ha;
  out.b = *hb;
  if (ha->origin != hb->origin) {
    return Fail(ErrorCode::kInvalidArgument, "different logs: " + a.name() + " is '" + ha->origin +
                                                 "', " + b.name() + " is '" + hb->origin + "'");
  }
  const uint64_t m = std::min(ha->size, hb->size);
  const auto nodes = merkle::RangeNodes(0, m);
  failed = &a;
  auto fa = ProvenFrontier(a, *ha, nodes, m);
  if (!fa) return std::unexpected(fa.error());
  failed = &b;
  auto fb = ProvenFrontier(b, *hb, nodes, m);
  if (!fb) return std::unexpected(fb.error());
  failed = nullptr;
  const std::vector<Hash>& da = *fa;
  const std::vector<Hash>& db = *fb;
  const auto diff =
      static_cast<size_t>(std::mismatch(da.begin(), da.end(), db.begin()).first - da.begin());
  if (diff == da.size()) {  // the shorter is a proven prefix of the longer
    if (ha->size == hb->size) return out;
    const bool a_behind = ha->size < hb->size;
    out.relation = a_behind ? Comparison::Relation::kABehind : Comparison::Relation::kBBehind;
    out.behind_by = (a_behind ? hb->size : ha->size) - m;
    return out;
  }
  auto d = FindFirstDifference(a, b, nodes[diff], da[diff], db[diff], failed);
  if (!d) return std::unexpected(d.error());
  failed = nullptr;
  out.relation = Comparison::Relation::kForked;
  out.fork_index = d->index;
  out.leaf_a = d->leaf_a;
  out.leaf_b = d->leaf_b;
  out.entry_a = ProvenEntry(a, d->index, d->leaf_a);
  out.entry_b = ProvenEntry(b, d->index, d->leaf_b);
  return out;
}

}  // namespace

Result<Comparison> Compare(LedgerView& a, LedgerView& b, const LedgerView** failed_side) {
  const LedgerView* failed = nullptr;
  auto result = CompareSides(a, b, failed);
  if (failed_side) *failed_side = result ? nullptr : failed;
  return result;
}

namespace {

nlohmann::json SideJson(const ViewHead& head, const LedgerView& view) {
  return {{"peer", view.name()},
          {"size", head.size},
          {"root", ToHex(head.root)},
          {"signature_checked", head.signature_checked},
          {"round_trips", view.round_trips()},
          {"bytes", view.bytes_received()}};
}

}  // namespace

nlohmann::json ComparisonJson(const Comparison& c, const LedgerView& a, const LedgerView& b) {
  nlohmann::json j = {{"relation", std::string(RelationName(c.relation))},
                      {"a", SideJson(c.a, a)},
                      {"b", SideJson(c.b, b)}};
  if (c.behind_by) j["behind_by"] = c.behind_by;
  if (c.fork_index) j["fork_index"] = *c.fork_index;
  j["signature_checked"] = c.a.signature_checked && c.b.signature_checked;
  if (c.entry_a) j["entry_a"] = EntryJson(*c.entry_a);
  if (c.entry_b) j["entry_b"] = EntryJson(*c.entry_b);
  return j;
}

}  // namespace vellum::node
