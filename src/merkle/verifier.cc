// Proof verifiers, written step by step from RFC 9162 §2.1.3.2 and §2.1.4.2. A verifier needs
// only the hasher; it never trusts the prover's arithmetic.
#include <string>

#include "vellum/merkle.h"

namespace vellum::merkle {
namespace {

std::unexpected<Error> Bad(std::string what) {
  return Fail(ErrorCode::kVerificationFailed, std::move(what));
}

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0.
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Result<void> VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Bad("inclusion: index " + std::to_string(index) + " is not below size " +
               std::to_string(size));
  }
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Bad("inclusion: proof has more hashes than the path to the root");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) ShiftUntilOddOrZero(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Bad("inclusion: proof has fewer hashes than the path to the root");
  if (r != root) return Bad("inclusion: computed root does not match the expected root");
  return {};
}

Result<void> VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) {
    return Bad("consistency: old size " + std::to_string(old_size) + " exceeds new size " +
               std::to_string(new_size));
  }
  if (old_size == 0) {
    if (!proof.empty()) return Bad("consistency: proof from size 0 must be empty");
    return {};
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Bad("consistency: proof between equal sizes must be empty");
    if (old_root != new_root) return Bad("consistency: equal sizes but different roots");
    return {};
  }
  if (proof.empty()) return Bad("consistency: proof is empty");

  // Step 2: when old_size is a power of two, the old root is the first node of the path.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if ((old_size & (old_size - 1)) == 0) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {  // step 4
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Bad("consistency: proof has more hashes than the path to the root");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Bad("consistency: proof has fewer hashes than the path to the root");
  if (fr != old_root) return Bad("consistency: proof does not rebuild the old root");
  if (sr != new_root) return Bad("consistency: proof does not rebuild the new root");
  return {};
}

Result<std::vector<Hash>> ProofFromBytes(std::span<const Bytes> proof) {
  std::vector<Hash> out;
  out.reserve(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return Fail(ErrorCode::kInvalidArgument, "proof hash " + std::to_string(i) + " is " +
                                                   std::to_string(proof[i].size()) +
                                                   " bytes, not 32");
    }
    out.push_back(*HashFromBytes(proof[i]));
  }
  return out;
}

}  // namespace vellum::merkle
