// Evaluation of declarative rule conditions over an element's JSON.
#include "mlarch/analyzer/condition.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace mlarch {

namespace {

const char* const kOperators[] = {"exists", "equals", "not_equals", "in", "not_in", "min", "max", "nonempty", "contains"};

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

}  // namespace

const Json* condition_lookup(std::string_view key, const ConditionScope& scope) {
  if (key == "$risk_tier") {
    thread_local Json tier;
    tier = scope.risk_tier;
    return &tier;
  }
  const Json* node = &scope.element;
  std::string_view rest = key;
  if (!key.empty() && key[0] == '/') {
    node = &scope.root;
    rest = key.substr(1);
  }
  char sep = (!key.empty() && key[0] == '/') ? '/' : '.';
  while (!rest.empty()) {
    auto cut = rest.find(sep);
    std::string part(rest.substr(0, cut));
    if (!node->is_object()) return nullptr;
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  return node;
}

std::string check_condition(const Json& c) {
  if (!c.is_object()) return "a condition is a mapping";
  if (c.contains("all") || c.contains("any")) {
    const Json& list = c.contains("all") ? c["all"] : c["any"];
    if (c.size() != 1 || !list.is_array() || list.empty()) return "'all'/'any' take a non-empty list of conditions, alone";
    for (const auto& sub : list)
      if (auto e = check_condition(sub); !e.empty()) return e;
    return {};
  }
  if (c.contains("not")) {
    if (c.size() != 1) return "'not' stands alone";
    return check_condition(c["not"]);
  }
  if (!c.contains("key") || !c["key"].is_string()) return "a condition needs a 'key' (or all/any/not)";
  int ops = 0;
  for (const char* op : kOperators) ops += c.contains(op) ? 1 : 0;
  if (ops != 1 || c.size() != 2) return fmt::format("condition on '{}' needs exactly one operator", c["key"].get<std::string>());
  if ((c.contains("in") && !c["in"].is_array()) || (c.contains("not_in") && !c["not_in"].is_array()))
    return "'in'/'not_in' take a list";
  if ((c.contains("min") && !c["min"].is_number()) || (c.contains("max") && !c["max"].is_number()))
    return "'min'/'max' take a number";
  if ((c.contains("exists") && !c["exists"].is_boolean()) || (c.contains("nonempty") && !c["nonempty"].is_boolean()))
    return "'exists'/'nonempty' take true or false";
  return {};
}

bool evaluate_condition(const Json& c, const ConditionScope& scope) {
  if (auto it = c.find("all"); it != c.end()) {
    for (const auto& sub : *it)
      if (!evaluate_condition(sub, scope)) return false;
    return true;
  }
  if (auto it = c.find("any"); it != c.end()) {
    for (const auto& sub : *it)
      if (evaluate_condition(sub, scope)) return true;
    return false;
  }
  if (auto it = c.find("not"); it != c.end()) return !evaluate_condition(*it, scope);

  const Json* v = condition_lookup(c.at("key").get_ref<const std::string&>(), scope);
  if (auto it = c.find("exists"); it != c.end()) return (v && !v->is_null()) == it->get<bool>();
  if (auto it = c.find("equals"); it != c.end()) return v && *v == *it;
  if (auto it = c.find("not_equals"); it != c.end()) return !v || *v != *it;
  if (auto it = c.find("in"); it != c.end()) return v && in_list(*v, *it);
  if (auto it = c.find("not_in"); it != c.end()) return !v || !in_list(*v, *it);
  if (auto it = c.find("min"); it != c.end()) return v && v->is_number() && v->get<double>() >= it->get<double>();
  if (auto it = c.find("max"); it != c.end()) return v && v->is_number() && v->get<double>() <= it->get<double>();
  if (auto it = c.find("nonempty"); it != c.end()) return (v && !is_empty(*v)) == it->get<bool>();
  if (auto it = c.find("contains"); it != c.end()) return v && v->is_array() && in_list(*it, *v);
  throw std::invalid_argument("condition without an operator");
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
