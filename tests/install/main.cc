// Uses the installed library: a ledger, an entry, a proof that verifies, a signed checkpoint.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

int main() {
  char dir[] = "/tmp/vellum-consumer-XXXXXX";
  if (!mkdtemp(dir) || chdir(dir) != 0) return 2;
  auto key = vellum::SignerKey::Generate("example.com/installed");
  auto ledger = vellum::Ledger::Create(
      "l.db", {.origin = "example.com/installed", .verifier_key = key->verifier().ToString()});
  if (!ledger) {
    std::cerr << ledger.error().ToString() << "\n";
    return 1;
  }
  auto index = (*ledger)->Append({.payload = vellum::ToBytes("installed")});
  auto head = (*ledger)->GetHead();
  auto proof = (*ledger)->InclusionProof(*index, head->size);
  auto entry = (*ledger)->Get(*index);
  auto ok =
      vellum::merkle::VerifyInclusion(entry->leaf_hash, *index, head->size, *proof, head->root);
  auto note = (*ledger)->SignCheckpoint(*key);
  std::cout << (ok && note ? "consumer ok" : "consumer FAILED") << "\n";
  return ok && note ? 0 : 1;
}
