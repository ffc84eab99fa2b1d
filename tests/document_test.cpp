// The loader: positions for YAML and JSON, scalar typing, duplicate keys, and hostile input.
#include <string>

#include <gtest/gtest.h>

#include "mlarch/analyzer/document.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

using test::load_text;

LoadResult load(const std::string& text, const std::string& name = "spec.yaml") {
  return load_document_from_text(name, text);
}

TEST(Document, KeepsKeyAndValuePositionsInYaml) {
  Document doc = load_text("mlarch: 1\ncomponents:\n  gateway:\n    kind: gateway\n    replicas: 3\n");
  EXPECT_EQ(doc.value_position("/components/gateway/replicas"), (Position{5, 15}));
  EXPECT_EQ(doc.key_position("/components/gateway/replicas"), (Position{5, 5}));
  EXPECT_EQ(doc.key_position("/components/gateway"), (Position{3, 3}));
  // A missing key falls back to its nearest ancestor.
  EXPECT_EQ(doc.key_position("/components/gateway/security/tls"), (Position{3, 3}));
}

TEST(Document, KeepsPositionsInJson) {
  Document doc = load_text("{\n  \"mlarch\": 1,\n  \"components\": {\n    \"api\": {\"kind\": \"gateway\"}\n  }\n}\n",
                           "spec.json");
  EXPECT_EQ(doc.key_position("/components/api"), (Position{4, 5}));
  EXPECT_EQ(doc.value_position("/components/api/kind"), (Position{4, 21}));
  EXPECT_EQ(doc.root["components"]["api"]["kind"], "gateway");
}

TEST(Document, JsonWithTabsLoads) {
  Document doc = load_text("{\n\t\"mlarch\": 1,\n\t\"a\": [1,\t2]\n}\n", "spec.json");
  EXPECT_EQ(doc.root["a"].size(), 2u);
  EXPECT_EQ(doc.value_position("/a/1").line, 3);
}

TEST(Document, TypesScalarsAsYaml12CoreSchema) {
  Document doc = load_text("a: 12\nb: \"12\"\nc: yes\nd: true\ne: 1.5e3\nf: ~\ng: no\nh: 0.25\ni: '1.0'\n");
  EXPECT_TRUE(doc.root["a"].is_number_integer());
  EXPECT_TRUE(doc.root["b"].is_string());
  EXPECT_EQ(doc.root["c"], "yes");  // no Norway problem
  EXPECT_EQ(doc.root["d"], true);
  EXPECT_DOUBLE_EQ(doc.root["e"].get<double>(), 1500.0);
  EXPECT_TRUE(doc.root["f"].is_null());
  EXPECT_EQ(doc.root["g"], "no");
  EXPECT_DOUBLE_EQ(doc.root["h"].get<double>(), 0.25);
  EXPECT_EQ(doc.root["i"], "1.0");
}

TEST(Document, DuplicateKeysAreErrorsAtTheSecondKey) {
  LoadResult r = load("mlarch: 1\ncomponents:\n  api: {kind: gateway}\n  db: {kind: database}\n  api: {kind: service}\n");
  ASSERT_FALSE(r.document);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rule, kErrDuplicateKey);
  EXPECT_EQ(r.errors[0].position, (Position{5, 3}));
  EXPECT_NE(r.errors[0].message.find("line 3"), std::string::npos);
}

TEST(Document, DuplicateKeysInJsonToo) {
  LoadResult r = load("{\"a\": 1, \"a\": 2}", "x.json");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrDuplicateKey);
}

TEST(Document, MergeKeysCopyEntriesAndExplicitKeysWin) {
  Document doc = load_text("base: &b {kind: service, replicas: 2}\nc:\n  <<: *b\n  replicas: 3\n");
  EXPECT_EQ(doc.root["c"]["kind"], "service");
  EXPECT_EQ(doc.root["c"]["replicas"], 3);
  EXPECT_FALSE(doc.root["c"].contains("<<"));
}

TEST(Document, MalformedYamlReportsLineAndColumn) {
  LoadResult r = load("mlarch: 1\ncomponents:\n  api: {kind: gateway\n  db: x\n");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrSyntax);
  EXPECT_GT(r.errors[0].position.line, 0);
  EXPECT_NE(r.errors[0].message.find("malformed YAML"), std::string::npos);
}

TEST(Document, MalformedJsonReportsLineAndColumn) {
  LoadResult r = load("{\n  \"mlarch\": 1,\n  \"a\": [1, 2,\n}\n", "spec.json");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrSyntax);
  EXPECT_GE(r.errors[0].position.line, 3);
}

TEST(Document, EmptyFileIsAnError) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "~\n"}) {
    LoadResult r = load(text);
    ASSERT_FALSE(r.document) << text;
    EXPECT_NE(r.errors[0].message.find("empty"), std::string::npos);
    EXPECT_EQ(r.errors[0].position, (Position{1, 1}));
  }
}

TEST(Document, BinaryContentIsRefusedWithItsPosition) {
  std::string text = "mlarch: 1\nname: ab";
  text += '\0';
  text += "cd\n";
  LoadResult r = load(text);
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrUnreadable);
  EXPECT_EQ(r.errors[0].position, (Position{2, 9}));
  EXPECT_NE(r.errors[0].message.find("binary"), std::string::npos);
}

TEST(Document, InvalidUtf8IsRefusedWithItsPosition) {
  LoadResult r = load("mlarch: 1\nowner: caf\xe9\n");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].position, (Position{2, 11}));
  EXPECT_NE(r.errors[0].message.find("UTF-8"), std::string::npos);
}

TEST(Document, Utf8AndByteOrderMarkAreFine) {
  Document doc = load_text("\xEF\xBB\xBFmlarch: 1\nowner: \"équipe-données\"\n");
  EXPECT_EQ(doc.root["owner"], "équipe-données");
}

TEST(Document, AliasBombIsRefusedQuickly) {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  LoadResult r = load(bomb);
  ASSERT_FALSE(r.document);
  EXPECT_NE(r.errors[0].message.find("alias"), std::string::npos);
  EXPECT_GT(r.errors[0].position.line, 1);
  // Refused before expanding: 9^10 values would take minutes and gigabytes (ctest's timeout
  // would end the test), and the message says how far expansion went.
  EXPECT_NE(r.errors[0].message.find("more than"), std::string::npos);
}

TEST(Document, ModestAliasesAreExpanded) {
  Document doc = load_text("defaults: &d {kind: service, replicas: 2}\nx: *d\ny: *d\n");
  EXPECT_EQ(doc.root["y"]["replicas"], 2);
}

TEST(Document, DeepNestingIsRefused) {
  for (const std::string open : {"[", "{a: "}) {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += open;
    LoadResult r = load(text);
    ASSERT_FALSE(r.document);
    EXPECT_EQ(r.errors[0].rule, kErrSyntax);
    EXPECT_NE(r.errors[0].message.find("nested"), std::string::npos) << r.errors[0].message;
  }
  std::string block;
  for (int i = 0; i < 10000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  LoadResult r = load(block);
  ASSERT_FALSE(r.document);
}

TEST(Document, HugeFileIsRefusedBeforeParsing) {
  std::string huge(100u << 20, 'a');
  LoadResult r = load(huge);
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrUnreadable);
  EXPECT_NE(r.errors[0].message.find("MiB"), std::string::npos);
}

TEST(Document, MissingFileIsAnError) {
  LoadResult r = load_document("/nonexistent/spec.yaml");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].rule, kErrUnreadable);
  EXPECT_NE(r.errors[0].message.find("No such file"), std::string::npos);
}

TEST(Document, SecondDocumentIsAnError) {
  LoadResult r = load("mlarch: 1\n---\nmlarch: 1\n");
  ASSERT_FALSE(r.document);
  EXPECT_EQ(r.errors[0].position.line, 2);
}

TEST(Document, PointersEscapeAndFindValues) {
  Document doc = load_text("a/b: {c~d: [1, 2]}\n");
  EXPECT_EQ(pointer_append("", "a/b"), "/a~1b");
  const Json* v = doc.find("/a~1b/c~0d/1");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 2);
  EXPECT_EQ(doc.find("/a~1b/c~0d/7"), nullptr);
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

// JSON goes through its own parser; it must give the same values, and positions as precise.
TEST(Document, JsonAndYamlLoadTheSameValues) {
  std::string yaml = test::read_file(test::source_dir() / "examples" / "card-fraud.yaml");
  Document from_yaml = test::load_text(yaml, "card-fraud.yaml");
  std::string json = from_yaml.root.dump(2);
  Document from_json = test::load_text(json, "card-fraud.json");
  EXPECT_EQ(from_json.root, from_yaml.root);
  // Every value's position in the JSON text points at that value's first character.
  SourceFile source("card-fraud.json", json);
  for (const char* pointer : {"/components/gateway/kind", "/flows/0/from", "/mlarch", "/system/name"}) {
    Position p = from_json.value_position(pointer);
    std::string_view line = source.line(p.line);
    ASSERT_GE(line.size(), static_cast<std::size_t>(p.column)) << pointer;
    std::string expected = from_json.find(pointer)->dump();
    EXPECT_EQ(line.substr(static_cast<std::size_t>(p.column - 1), expected.size()), expected) << pointer;
  }
  Position key = from_json.key_position("/components/gateway");
  EXPECT_EQ(source.line(key.line).substr(static_cast<std::size_t>(key.column - 1), 9), "\"gateway\"");
}

TEST(Document, JsonStringsWithEscapesKeepPositions) {
  Document doc = test::load_text("{\"a\": \"x, \\\"y\\\": [z\", \"b\": [true, null, -1.5e3]}", "s.json");
  EXPECT_EQ(doc.root["a"], "x, \"y\": [z");
  EXPECT_EQ(doc.value_position("/b/2"), (Position{1, 41}));
  EXPECT_EQ(doc.key_position("/b"), (Position{1, 23}));
}

}  // namespace
}  // namespace mlarch
