// The node's request handlers (/v1/ JSON API, tlog-tiles, /checkpoint, /metrics), driven
// in-process through the server's own route table. Input: "METHOD TARGET\n" then the body.
// Properties: no input crashes the node or makes it fail internally (500); every refusal is a
// JSON error that says why and leaves the ledger as it was; JSON answers are valid JSON; an
// accepted append grows the ledger by exactly the entries it reports.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "node/node.h"

namespace {

using namespace vellum;

struct Fixture {
  std::filesystem::path dir;
  Ledger* ledger = nullptr;  // owned by node
  std::unique_ptr<node::Node> node;

  Fixture() {
    char pattern[] = "/tmp/vellum-fuzz-node-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern) != nullptr);
    dir = pattern;
    auto key = SignerKey::Generate("fuzz.example/log");
    FUZZ_CHECK(key.has_value());
    auto created =
        Ledger::Create((dir / "l.db").string(),
                       {.origin = "fuzz.example/log", .verifier_key = key->verifier().ToString()});
    FUZZ_CHECK(created.has_value());
    std::vector<NewEntry> entries;
    for (int i = 0; i < 300; ++i) {
      entries.push_back({ToBytes(std::string("entry ").append(std::to_string(i))), 1000 + i});
    }
    FUZZ_CHECK((*created)->AppendBatch(entries).has_value());
    ledger = created->get();
    auto made = node::Node::Create(std::move(*created), *key, [] {
      node::ServeOptions o;
      o.token = std::string(64, 't');
      return o;
    }());
    FUZZ_CHECK(made.has_value());
    node = std::move(*made);
  }
  ~Fixture() {
    node.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

bool IsJson(const std::string& content_type) {
  return content_type.starts_with("application/json");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = std::min(input.find('\n'), input.size());
  const std::string_view line = input.substr(0, newline);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  const std::string_view method = line.substr(0, space), target = line.substr(space + 1);
  if (method != "GET" && method != "POST") return 0;
  const std::string body(input.substr(std::min(input.size(), newline + 1)));

  const uint64_t before = fixture.ledger->GetHead()->size;
  const node::InProcessResponse res = fixture.node->HandleInProcess(method, target, body);
  const uint64_t after = fixture.ledger->GetHead()->size;

  FUZZ_CHECK(res.status != 500);
  FUZZ_CHECK(res.status == 200 || (res.status >= 400 && res.status < 500) || res.status == 503);
  if (res.status != 200) {
    FUZZ_CHECK(after == before);
    FUZZ_CHECK(IsJson(res.content_type));
    auto doc = nlohmann::json::parse(res.body, nullptr, false);
    FUZZ_CHECK(doc.is_object() && doc.contains("error"));
    FUZZ_CHECK(!doc["error"].value("message", "").empty());
    return 0;
  }
  if (IsJson(res.content_type)) {
    auto doc = nlohmann::json::parse(res.body, nullptr, false);
    FUZZ_CHECK(!doc.is_discarded());
    if (method == "POST") {
      FUZZ_CHECK(doc.value("first_index", uint64_t{0}) == before);
      FUZZ_CHECK(after == before + doc.value("count", uint64_t{0}));
    }
  }
  if (method == "GET") FUZZ_CHECK(after == before);
  return 0;
}
