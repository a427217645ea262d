// Hashing throughput beside OpenSSL's raw SHA-256 for the same input sizes, in the same run.
//
// Baselines, all OpenSSL 3 SHA-256 over one buffer of the same size:
//   raw_sha256_oneshot  SHA256(), which looks the digest up on every call
//   raw_sha256_evp      a reused EVP_MD_CTX with a pre-fetched EVP_MD
//   raw_sha256          SHA256_Init/Update/Final, the fastest path OpenSSL offers (the limit)
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "merkle/tree_math.h"
#include "ratio_reporter.h"
#include "vellum/merkle.h"

namespace {

using vellum::Hash;
using vellum::merkle::CompactRange;

std::vector<uint8_t> Input(size_t n) { return std::vector<uint8_t>(n, 0x5a); }

void BM_RawSha256(benchmark::State& state) {
  auto in = Input(static_cast<size_t>(state.range(0)));
  uint8_t out[32];
  for (auto _ : state) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, in.data(), in.size());
    SHA256_Final(out, &ctx);
    in[1] = out[0];  // chain so the compiler cannot hoist the work
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSha256Evp(benchmark::State& state) {
  auto in = Input(static_cast<size_t>(state.range(0)));
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  uint8_t out[32];
  unsigned len = 0;
  for (auto _ : state) {
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, in.data(), in.size());
    EVP_DigestFinal_ex(ctx, out, &len);
    in[1] = out[0];
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSha256OneShot(benchmark::State& state) {
  auto in = Input(static_cast<size_t>(state.range(0)));
  uint8_t out[32];
  for (auto _ : state) {
    SHA256(in.data(), in.size(), out);
    in[1] = out[0];
  }
  state.SetItemsProcessed(state.iterations());
}

// Leaf hash of an entry of range(0) - 1 bytes: the hashed input is range(0) bytes.
void BM_LeafHash(benchmark::State& state) {
  auto entry = Input(static_cast<size_t>(state.range(0)) - 1);
  for (auto _ : state) {
    Hash h = vellum::merkle::LeafHash(entry);
    entry[0] = h[0];
  }
  state.SetItemsProcessed(state.iterations());
}

// Node hash: 65 bytes hashed.
void BM_NodeHash(benchmark::State& state) {
  Hash a = vellum::merkle::LeafHash(Input(3)), b = vellum::merkle::LeafHash(Input(4));
  for (auto _ : state) a = vellum::merkle::NodeHash(a, b);
  benchmark::DoNotOptimize(a);
  state.SetItemsProcessed(state.iterations());
}

// Root of n leaf hashes with the compact range: n - 1 node hashes. Items are leaves.
void BM_RootOfLeaves(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(vellum::merkle::LeafHash(Input(i % 64)));
  for (auto _ : state) {
    CompactRange range;
    for (const Hash& h : leaves) range.Append(h);
    benchmark::DoNotOptimize(range.Root());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

// Baseline for root-of-n: n - 1 raw 65-byte hashes, reported per leaf like BM_RootOfLeaves.
void BM_RawNodeHashesPerLeaf(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  auto in = Input(65);
  uint8_t out[32];
  for (auto _ : state) {
    for (uint64_t i = 1; i < n; ++i) {
      SHA256_CTX ctx;
      SHA256_Init(&ctx);
      SHA256_Update(&ctx, in.data(), in.size());
      SHA256_Final(out, &ctx);
      in[1] = out[0];
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

BENCHMARK(BM_RawSha256)->Arg(33)->Arg(65)->Arg(101);
BENCHMARK(BM_RawSha256Evp)->Arg(65);
BENCHMARK(BM_RawSha256OneShot)->Arg(65);
BENCHMARK(BM_LeafHash)->Arg(33)->Arg(101);
BENCHMARK(BM_NodeHash);
BENCHMARK(BM_RootOfLeaves)->Arg(1 << 16);
BENCHMARK(BM_RawNodeHashesPerLeaf)->Arg(1 << 16);

using vellum::bench::RatioPair;
RatioPair leaf33{"BM_LeafHash/33", "BM_RawSha256/33"};
RatioPair leaf101{"BM_LeafHash/101", "BM_RawSha256/101"};
RatioPair node{"BM_NodeHash", "BM_RawSha256/65"};
RatioPair evp{"BM_RawSha256Evp/65", "BM_RawSha256/65"};
RatioPair oneshot{"BM_RawSha256OneShot/65", "BM_RawSha256/65"};
RatioPair root{"BM_RootOfLeaves/65536", "BM_RawNodeHashesPerLeaf/65536"};

}  // namespace
