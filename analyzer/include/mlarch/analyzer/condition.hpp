// The condition language of declarative rules: small, documented in docs/rules.md.
//
//   {key: security.tls, equals: true}     {key: kind, in: [gateway, model_server]}
//   {key: replicas, exists: true}         {key: pii, nonempty: true}
//   {key: concurrency, min: 2}            {key: tags, contains: pii}
//   {all: [...]}  {any: [...]}  {not: {...}}
//
// `key` is a dotted path inside the element; `/a/b` is a JSON pointer from the document root;
// `$risk_tier` is the system's declared or inferred risk tier.
#pragma once

#include <string>
#include <string_view>

#include "mlarch/analyzer/document.hpp"

namespace mlarch {

struct ConditionScope {
  const Json& root;     // the whole document
  const Json& element;  // the element under test
  std::string risk_tier;
};

// Throws std::invalid_argument on a malformed condition (caught when the catalog is loaded).
bool evaluate_condition(const Json& condition, const ConditionScope& scope);
// Checks a condition's form without evaluating it; returns an error message or empty.
std::string check_condition(const Json& condition);
// The value a key names, or nullptr.
const Json* condition_lookup(std::string_view key, const ConditionScope& scope);
// Fills {id} and {dotted.key} placeholders in a message template.
std::string expand_template(std::string_view text, std::string_view id, const ConditionScope& scope);

}  // namespace mlarch
