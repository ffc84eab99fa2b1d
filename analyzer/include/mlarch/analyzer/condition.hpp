// The condition language of declarative rules: small, documented in docs/writing-rules.md.
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
#include <vector>

#include "mlarch/analyzer/document.hpp"

namespace mlarch {

struct ConditionScope {
  const Json& root;     // the whole document
  const Json& element;  // the element under test
  const Json& risk_tier;  // a string: minimal, limited, high or unacceptable
};

// A condition compiled once, when the catalog loads, and evaluated for every element: no map
// lookups of operator names and no key splitting on the hot path.
class Condition {
 public:
  // Throws std::invalid_argument, with a message, on a malformed condition.
  static Condition compile(const Json& condition);
  bool evaluate(const ConditionScope& scope) const;

 private:
  enum class Op { all, any, negate, exists, equals, not_equals, in, not_in, min, max, nonempty, contains };
  const Json* lookup(const ConditionScope& scope) const;

  Op op_ = Op::all;
  enum class Base { element, root, risk_tier } base_ = Base::element;
  std::vector<std::string> path_;
  Json operand_;
  std::vector<Condition> children_;
};
// The parts of a dotted key ("security.tls" -> security, tls), or of a pointer-like path with '/'.
std::vector<std::string> split_key_path(std::string_view key, char separator = '.');
// The value a key names, or nullptr.
const Json* condition_lookup(std::string_view key, const ConditionScope& scope);
// Fills {id} and {dotted.key} placeholders in a message template.
std::string expand_template(std::string_view text, std::string_view id, const ConditionScope& scope);

}  // namespace mlarch
