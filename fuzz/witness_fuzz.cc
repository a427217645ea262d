// The witness formats: tlog-policy files, tlog-proof receipts, add-checkpoint request bodies.
// Properties: parsing never crashes; a receipt or a request that parses formats back to exactly
// the input (each has one canonical form); a policy that parses judges a note consistently (a
// quorum not met names a missing witness, one met names none) and, listing no log, accepts no
// checkpoint without a log key.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "vellum/witness.h"

namespace {

// A checkpoint signed by the published C2SP key pair's signer, cosigned by the test witness of
// src/witness/witness_test.cc: what the policies in the corpus are asked to judge.
constexpr const char* kNote =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "\xE2\x80\x94 witness.example.com/w1 "
    "hWHHHgAAAABkGFDLQB2dbiQ7rPMIDjq/twq5Ixt42T+awjiYS4+fxrnLnI31x5abVjZlhDVvZAcRRLyAiG4oQlhTgi4D"
    "sxiPwiDaDg==\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto policy = vellum::Policy::Parse(input)) {
    auto note = vellum::ParseSignedNote(kNote);
    FUZZ_CHECK(note.has_value());
    if (auto quorum = policy->Quorum(*note)) {
      FUZZ_CHECK(quorum->met == quorum->missing.empty());
      FUZZ_CHECK(quorum->met || policy->requires_cosignatures());
    }
    if (policy->logs().empty()) FUZZ_CHECK(!policy->Open(kNote));
  }
  if (auto proof = vellum::ParseTlogProof(input)) {
    FUZZ_CHECK(vellum::FormatTlogProof(*proof) == input);
    FUZZ_CHECK(proof->inclusion.size() <= 64);
  }
  if (auto request = vellum::ParseAddCheckpoint(input)) {
    FUZZ_CHECK(vellum::FormatAddCheckpoint(*request) == input);
    FUZZ_CHECK(request->proof.size() <= vellum::kMaxConsistencyProofLines);
  }
  return 0;
}
