// Evaluation of declarative rule conditions over an element's JSON.
#include "mlarch/analyzer/condition.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace mlarch {

namespace {

bool is_empty(const Json& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_array() || v.is_object() || v.is_string()) return v.empty();
  return false;
}

bool in_list(const Json& v, const Json& list) {
  for (const auto& x : list)
    if (x == v) return true;
  return false;
}

// Follows a path of keys from `node`; nullptr when a key is missing.
const Json* walk(const Json* node, const std::vector<std::string>& path) {
  for (const auto& part : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

}  // namespace

const Json* condition_lookup(std::string_view key, const ConditionScope& scope) {
  if (key == "$risk_tier") return &scope.risk_tier;
  if (!key.empty() && key[0] == '/') return walk(&scope.root, split_key_path(key.substr(1), '/'));
  return walk(&scope.element, split_key_path(key));
}

std::vector<std::string> split_key_path(std::string_view key, char separator) {
  std::vector<std::string> parts;
  while (!key.empty()) {
    auto cut = key.find(separator);
    parts.emplace_back(key.substr(0, cut));
    key = cut == std::string_view::npos ? std::string_view() : key.substr(cut + 1);
  }
  return parts;
}

Condition Condition::compile(const Json& c) {
  auto fail = [](const std::string& why) -> Condition { throw std::invalid_argument(why); };
  if (!c.is_object()) return fail("a condition is a mapping");
  Condition out;
  for (auto [name, op] : {std::pair{"all", Op::all}, std::pair{"any", Op::any}}) {
    if (!c.contains(name)) continue;
    const Json& list = c[name];
    if (c.size() != 1 || !list.is_array() || list.empty()) return fail("'all'/'any' take a non-empty list of conditions, alone");
    out.op_ = op;
    for (const auto& sub : list) out.children_.push_back(compile(sub));
    return out;
  }
  if (c.contains("not")) {
    if (c.size() != 1) return fail("'not' stands alone");
    out.op_ = Op::negate;
    out.children_.push_back(compile(c["not"]));
    return out;
  }
  if (!c.contains("key") || !c["key"].is_string()) return fail("a condition needs a 'key' (or all/any/not)");
  const std::string& key = c["key"].get_ref<const std::string&>();
  static const std::pair<const char*, Op> operators[] = {
      {"exists", Op::exists}, {"equals", Op::equals}, {"not_equals", Op::not_equals}, {"in", Op::in},
      {"not_in", Op::not_in}, {"min", Op::min},       {"max", Op::max},               {"nonempty", Op::nonempty},
      {"contains", Op::contains}};
  int found = 0;
  for (const auto& [name, op] : operators) {
    if (!c.contains(name)) continue;
    ++found;
    out.op_ = op;
    out.operand_ = c[name];
  }
  if (found != 1 || c.size() != 2) return fail(fmt::format("condition on '{}' needs exactly one operator", key));
  if ((out.op_ == Op::in || out.op_ == Op::not_in) && !out.operand_.is_array()) return fail("'in'/'not_in' take a list");
  if ((out.op_ == Op::min || out.op_ == Op::max) && !out.operand_.is_number()) return fail("'min'/'max' take a number");
  if ((out.op_ == Op::exists || out.op_ == Op::nonempty) && !out.operand_.is_boolean())
    return fail("'exists'/'nonempty' take true or false");
  if (key == "$risk_tier") {
    out.base_ = Base::risk_tier;
    return out;
  }
  if (!key.empty() && key[0] == '/') {
    out.base_ = Base::root;
    out.path_ = split_key_path(std::string_view(key).substr(1), '/');
  } else {
    out.path_ = split_key_path(key);
  }
  return out;
}

const Json* Condition::lookup(const ConditionScope& scope) const {
  if (base_ == Base::risk_tier) return &scope.risk_tier;
  return walk(base_ == Base::root ? &scope.root : &scope.element, path_);
}

bool Condition::evaluate(const ConditionScope& scope) const {
  switch (op_) {
    case Op::all:
      for (const auto& c : children_)
        if (!c.evaluate(scope)) return false;
      return true;
    case Op::any:
      for (const auto& c : children_)
        if (c.evaluate(scope)) return true;
      return false;
    case Op::negate: return !children_[0].evaluate(scope);
    default: break;
  }
  const Json* v = lookup(scope);
  switch (op_) {
    case Op::exists: return (v && !v->is_null()) == operand_.get<bool>();
    case Op::equals: return v && *v == operand_;
    case Op::not_equals: return !v || *v != operand_;
    case Op::in: return v && in_list(*v, operand_);
    case Op::not_in: return !v || !in_list(*v, operand_);
    case Op::min: return v && v->is_number() && v->get<double>() >= operand_.get<double>();
    case Op::max: return v && v->is_number() && v->get<double>() <= operand_.get<double>();
    case Op::nonempty: return (v && !is_empty(*v)) == operand_.get<bool>();
    case Op::contains: return v && v->is_array() && in_list(operand_, *v);
    default: return false;
  }
}

std::string expand_template(std::string_view text, std::string_view id, const ConditionScope& scope) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    auto close = text.find('}', i);
    if (close == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    if (name == "id") {
      out += id;
    } else if (const Json* v = condition_lookup(name, scope)) {
      out += v->is_string() ? v->get<std::string>() : v->dump();
    } else {
      out += "(none)";
    }
    i = close;
  }
  return out;
}

}  // namespace mlarch
