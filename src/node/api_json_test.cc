#include "node/api_json.h"

#include <gtest/gtest.h>

#include "node/metrics.h"

namespace vellum::node {
namespace {

Hash Filled(uint8_t b) {
  Hash h;
  h.fill(b);
  return h;
}

TEST(ProofDocumentTest, InclusionDocumentRoundTrips) {
  ProofDocument doc;
  doc.origin = "example.com/log";
  doc.format = EntryFormat::kRecord;
  doc.index = 3;
  doc.size = 7;
  doc.leaf_hash = Filled(1);
  doc.root = Filled(2);
  doc.proof = {Filled(3), Filled(4)};
  const nlohmann::json json = ProofDocumentJson(doc);
  EXPECT_EQ(json["type"], "inclusion");
  EXPECT_EQ(json["format"], "record");
  EXPECT_EQ(json["proof"].size(), 2u);
  auto back = ParseProofDocument(json);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->type, ProofDocument::Type::kInclusion);
  EXPECT_EQ(back->origin, doc.origin);
  EXPECT_EQ(back->format, doc.format);
  EXPECT_EQ(back->index, 3u);
  EXPECT_EQ(back->size, 7u);
  EXPECT_EQ(back->leaf_hash, doc.leaf_hash);
  EXPECT_EQ(back->root, doc.root);
  EXPECT_EQ(back->proof, doc.proof);
}

TEST(ProofDocumentTest, ConsistencyDocumentRoundTrips) {
  ProofDocument doc;
  doc.type = ProofDocument::Type::kConsistency;
  doc.origin = "o";
  doc.old_size = 2;
  doc.new_size = 9;
  doc.old_root = Filled(5);
  doc.new_root = Filled(6);
  doc.proof = {Filled(7)};
  const nlohmann::json json = ProofDocumentJson(doc);
  EXPECT_EQ(json["type"], "consistency");
  EXPECT_FALSE(json.contains("index"));
  auto back = ParseProofDocument(json);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->type, ProofDocument::Type::kConsistency);
  EXPECT_EQ(back->old_size, 2u);
  EXPECT_EQ(back->new_size, 9u);
  EXPECT_EQ(back->old_root, doc.old_root);
  EXPECT_EQ(back->new_root, doc.new_root);
  EXPECT_EQ(back->proof, doc.proof);
}

TEST(ProofDocumentTest, OnlyProofAndSizesAreRequired) {
  auto doc = ParseProofDocument(
      {{"type", "inclusion"}, {"index", 0u}, {"size", 1u}, {"proof", nlohmann::json::array()}});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_FALSE(doc->root);
  EXPECT_FALSE(doc->format);
}

TEST(ProofDocumentTest, NamesWhatIsMalformed) {
  const std::string hash(64, 'a');
  const nlohmann::json good = {
      {"type", "inclusion"}, {"index", 0u}, {"size", 1u}, {"proof", nlohmann::json::array({hash})}};
  auto refused = [&](const std::string& field, const nlohmann::json& value) {
    nlohmann::json doc = good;
    doc[field] = value;
    auto parsed = ParseProofDocument(doc);
    if (parsed) return std::string("accepted");
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    return parsed.error().message();
  };
  ASSERT_TRUE(ParseProofDocument(good));
  EXPECT_NE(refused("type", "inclusions").find("'type'"), std::string::npos);
  EXPECT_NE(refused("index", -1).find("'index'"), std::string::npos);
  EXPECT_NE(refused("size", "1").find("'size'"), std::string::npos);
  EXPECT_NE(refused("proof", "00").find("'proof'"), std::string::npos);
  EXPECT_NE(refused("proof", nlohmann::json::array({hash.substr(2)})).find("proof"),
            std::string::npos);
  EXPECT_NE(refused("proof", nlohmann::json::array({1})).find("strings"), std::string::npos);
  EXPECT_NE(refused("root", "zz").find("'root'"), std::string::npos);
  EXPECT_NE(refused("leaf_hash", 5).find("'leaf_hash'"), std::string::npos);
  EXPECT_NE(refused("format", "csv").find("csv"), std::string::npos);
  EXPECT_FALSE(ParseProofDocument(nlohmann::json::array()));
}

TEST(EntryJsonTest, PayloadAndTimeRoundTrip) {
  Entry entry{.index = 4, .time_ms = 1764000000123, .payload = ToBytes("caf\xC3\xA9")};
  const nlohmann::json json = EntryJson(entry);
  EXPECT_EQ(json["data"], "caf\xC3\xA9");
  auto back = ParseEntryJson(json);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->payload, entry.payload);
  EXPECT_EQ(back->time_ms, entry.time_ms);
  Entry raw{.index = 0, .time_ms = std::nullopt, .payload = {0, 1, 2}};
  back = ParseEntryJson(EntryJson(raw));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->payload, raw.payload);
  EXPECT_FALSE(back->time_ms);
}

TEST(EntryJsonTest, RefusesEntriesWithoutHexPayloadOrWithABadTime) {
  EXPECT_FALSE(ParseEntryJson({{"data", "text only"}}));
  EXPECT_FALSE(ParseEntryJson({{"data_hex", "zz"}}));
  EXPECT_FALSE(ParseEntryJson({{"data_hex", "00"}, {"time_ms", "noon"}}));
  EXPECT_FALSE(ParseEntryJson(nlohmann::json::array()));
  EXPECT_TRUE(ParseEntryJson({{"data_hex", ""}}));
}

// POST /v1/entries bodies: one entry, or {"entries": [...]}; anything else says what to send.
TEST(AppendBodyTest, TakesOneEntryOrAListAndNamesWhatElseItGot) {
  EXPECT_EQ(ParseAppendBody(R"({"data":""})")->size(), 1u);
  EXPECT_EQ(ParseAppendBody(R"({"entries":[{"data":"a"},{"data_hex":"62"}]})")->size(), 2u);
  for (const auto& [body, says] :
       {std::pair{"[]", "the body is a JSON array; give an object"},
        {"null", "the body is a JSON null; give an object"},
        {"\"text\"", "the body is a JSON string; give an object"},
        {"7", "the body is a JSON number; give an object"},
        {"", "not JSON"},
        {R"({"entries":[]})", "non-empty list"},
        {R"({"entries":[7]})", "entry 0 is not an object"},
        {R"({"entries":[{"data":"a"}],"data":"b"})", "no other field"},
        // Which of two values a parser keeps differs between parsers: neither is appended.
        {R"({"data":"a","data":"b"})", "names the key 'data' twice"},
        {R"({"entries":[{"data":"a"},{"data_hex":"62","data_hex":"63"}]})", "'data_hex' twice"},
        {R"({"entries":[{"data":"a"}],"entries":[{"data":"b"}]})", "'entries' twice"}}) {
    auto parsed = ParseAppendBody(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_NE(parsed.error().message().find(says), std::string::npos)
        << body << ": " << parsed.error().message();
  }
}

// A peer chooses the types in its answers: a field of another type is refused, never thrown.
TEST(ParseJsonTest, FieldsOfAnotherTypeAreReadWithoutThrowing) {
  const auto doc = nlohmann::json::parse(R"({"type":5,"format":null,"flag":"yes","on":true})");
  EXPECT_EQ(TextField(doc, "type"), "");
  EXPECT_EQ(TextField(doc, "format", "raw"), "raw");
  EXPECT_EQ(TextField(doc, "missing", "x"), "x");
  EXPECT_EQ(TextField(nlohmann::json::array(), "type"), "");
  EXPECT_FALSE(FlagField(doc, "flag"));
  EXPECT_TRUE(FlagField(doc, "on"));
  EXPECT_FALSE(FlagField(nlohmann::json(7), "on"));
  for (const char* text : {R"({"type":5,"proof":[]})", R"({"type":["inclusion"],"proof":[]})",
                           R"({"type":"inclusion","proof":[],"index":"1","size":2})",
                           R"({"type":"inclusion","proof":[7],"index":1,"size":2})",
                           R"({"type":"inclusion","proof":[],"index":0,"size":1,"root":5})",
                           R"({"type":"inclusion","proof":[],"index":0,"size":1,"format":5})"}) {
    const auto proof = nlohmann::json::parse(text);
    Result<ProofDocument> parsed = Fail(ErrorCode::kInvalidArgument, "not parsed");
    EXPECT_NO_THROW(parsed = ParseProofDocument(proof)) << text;
    if (parsed) {
      EXPECT_EQ(parsed->format, std::nullopt) << text;  // a non-string format is no claim
    }
  }
  EXPECT_FALSE(ParseProofDocument(nlohmann::json::parse(R"({"type":5,"proof":[]})")));
  EXPECT_FALSE(ParseEntryJson(nlohmann::json::parse(R"({"data_hex":"00","time_ms":"1"})")));
}

TEST(ParseJsonTest, RefusesAKeyTwiceInOneObjectOnly) {
  // The same key in sibling or nested objects is fine; twice in one object, at any depth, is not.
  EXPECT_TRUE(ParseJson(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"c":{"d":{"a":1}}})", "t"));
  EXPECT_TRUE(ParseJson(R"([{"x":1},{"x":2}])", "t"));
  for (const char* text : {R"({"a":1,"a":1})", R"({"b":{"x":1,"y":2,"x":3}})",
                           R"([{"k":1},{"k":1,"k":2}])", R"({"o":{"p":{}},"o":2})"}) {
    auto parsed = ParseJson(text, "the text");
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message().find("the text names the key"), std::string::npos)
        << parsed.error().message();
  }
  auto bad = ParseJson("{", "the body");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "the body is not JSON");
  // A long key is cut at 40 bytes, never inside a UTF-8 sequence.
  const std::string key = std::string(39, 'k') + "\u00e9" + "tail";
  auto cut = ParseJson("{\"" + key + "\":1,\"" + key + "\":2}", "t");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find("'" + std::string(39, 'k') + "...'"), std::string::npos)
      << cut.error().message();
}

}  // namespace
}  // namespace vellum::node

namespace vellum::node {
namespace {

TEST(MetricsTest, LabelValuesAreEscapedForPrometheus) {
  EXPECT_EQ(LabelValue("http://127.0.0.1:8001"), "http://127.0.0.1:8001");
  EXPECT_EQ(LabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace vellum::node
