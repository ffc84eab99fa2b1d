// Schema errors: one clear message each, at the offending key's line and column, with its pointer.
#include <gtest/gtest.h>

#include "mlarch/analyzer/schema.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

std::vector<Finding> validate(const std::string& text) {
  static std::vector<Document> keep;  // findings refer to nothing in the doc, but keep it simple
  Document doc = test::load_text(text);
  return SchemaValidator::spec_v1().validate(doc);
}

const char* kHeader = "mlarch: 1\nsystem: {name: s, owner: t}\n";

TEST(Schema, ValidSpecHasNoErrors) {
  EXPECT_TRUE(validate(std::string(kHeader) + "components:\n  api: {kind: gateway, replicas: 2}\n").empty());
}

TEST(Schema, UnknownKeyWithSuggestionAtTheKey) {
  auto errors = validate(std::string(kHeader) + "components:\n  api:\n    kind: gateway\n    replcas: 2\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rule, kErrSchema);
  EXPECT_EQ(errors[0].position, (Position{6, 5}));
  EXPECT_EQ(errors[0].pointer, "/components/api/replcas");
  EXPECT_EQ(errors[0].element, "api");
  EXPECT_EQ(errors[0].message, "unknown key 'replcas' in component 'api' (did you mean 'replicas'?)");
}

TEST(Schema, EveryUnknownKeyIsReported) {
  auto errors = validate(std::string(kHeader) + "components:\n  api: {kind: gateway, foo: 1, bar: 2}\n");
  EXPECT_EQ(errors.size(), 2u);
}

TEST(Schema, WrongTypeSaysWhatWasExpectedAndFound) {
  auto errors = validate(std::string(kHeader) + "components:\n  api:\n    kind: gateway\n    concurrency: lots\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].position, (Position{6, 18}));
  EXPECT_EQ(errors[0].message, "'concurrency' in component 'api' must be a whole number, found the string \"lots\"");
}

TEST(Schema, UnionTypeNamesItsAlternatives) {
  auto errors = validate(std::string(kHeader) + "components:\n  api:\n    kind: gateway\n    replicas: three\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/components/api/replicas");
  EXPECT_NE(errors[0].message.find("must be a replica count or an autoscaling block"), std::string::npos)
      << errors[0].message;
}

TEST(Schema, UnionBranchErrorsComeFromTheMatchingBranch) {
  auto errors =
      validate(std::string(kHeader) + "components:\n  api:\n    kind: gateway\n    replicas: {min: 2, mx: 4}\n");
  ASSERT_EQ(errors.size(), 2u) << errors[0].message;  // 'max' missing, 'mx' unknown
  bool unknown = false, missing = false;
  for (const auto& e : errors) {
    unknown |= e.message == "unknown key 'mx' in 'replicas' of component 'api' (did you mean 'max'?)";
    missing |= e.message == "'replicas' of component 'api' is missing the required key 'max'";
  }
  EXPECT_TRUE(unknown && missing) << errors[0].message << " / " << errors[1].message;
}

TEST(Schema, NegativeReplicasGiveTheBound) {
  auto errors = validate(std::string(kHeader) + "components:\n  api: {kind: gateway, replicas: -1}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'replicas' in component 'api' must be at least 0, found -1");
}

TEST(Schema, EnumSuggestsTheClosestValue) {
  auto errors = validate(std::string(kHeader) + "components:\n  api: {kind: gatewy}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].position, (Position{4, 15}));
  EXPECT_EQ(errors[0].message, "'gatewy' is not a valid value for 'kind' in component 'api' (did you mean 'gateway'?)");
  EXPECT_NE(errors[0].help.find("model_server"), std::string::npos);
}

TEST(Schema, MissingRequiredKeyPointsAtItsParent) {
  auto errors = validate("mlarch: 1\nsystem: {owner: t}\ncomponents:\n  api: {replicas: 2}\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "the system is missing the required key 'name'");
  EXPECT_EQ(errors[0].position, (Position{2, 1}));
  EXPECT_EQ(errors[1].message, "component 'api' is missing the required key 'kind'");
  EXPECT_EQ(errors[1].position, (Position{4, 3}));
}

TEST(Schema, WrongVersionIsReported) {
  auto errors = validate("mlarch: 2\nsystem: {name: s}\ncomponents: {a: {kind: service}}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/mlarch");
}

TEST(Schema, TopLevelMustBeAMapping) {
  auto errors = validate("- a\n- b\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].message, "the spec must be a mapping, found a list");
}

TEST(Schema, PathStepUnionsExplainThemselves) {
  auto errors = validate(std::string(kHeader) +
                         "components: {a: {kind: service}}\nworkloads:\n  - name: w\n    arrival: {process: poisson}\n"
                         "    path: [a, {paralel: [a, a]}]\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].position.line, 7);
}

}  // namespace
}  // namespace mlarch
