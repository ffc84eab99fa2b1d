// Schema validation. valijson finds the violations; this file turns each into one clear message:
// the leaf error kept, summaries of nested failures dropped, numbers and allowed values taken from
// the schema itself rather than from valijson's wording.
#include "mlarch/analyzer/schema.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "mlarch/analyzer/embedded.hpp"
#include "mlarch/analyzer/suggest.hpp"

namespace mlarch {

struct SchemaValidator::Impl {
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator(Json schema) : schema_json_(std::move(schema)), impl_(std::make_unique<Impl>()) {
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(schema_json_);
  parser.populateSchema(adapter, impl_->schema);
}

SchemaValidator::~SchemaValidator() = default;

const SchemaValidator& SchemaValidator::spec_v1() {
  static const SchemaValidator validator(Json::parse(embedded_file("schemas/spec-v1.schema.json")));
  return validator;
}

LoadResult load_validated(const std::string& path, const SchemaValidator& validator) {
  LoadResult loaded = load_document(path);
  if (!loaded.document) return loaded;
  loaded.errors = validator.validate(*loaded.document);
  if (!loaded.errors.empty()) loaded.document.reset();
  return loaded;
}

namespace {

std::string json_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "nothing (null)";
    case Json::value_t::boolean: return fmt::format("the boolean {}", v.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return fmt::format("the number {}", v.dump());
    case Json::value_t::number_float: return fmt::format("the number {}", v.dump());
    case Json::value_t::string: {
      std::string s = v.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return fmt::format("the string \"{}\"", s);
    }
    case Json::value_t::array: return "a list";
    case Json::value_t::object: return "a mapping";
    default: return "a value";
  }
}

bool type_matches(const std::string& type, const Json& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "integer") return v.is_number_integer() || v.is_number_unsigned();
  if (type == "number") return v.is_number();
  if (type == "null") return v.is_null();
  return false;
}

std::string type_phrase(const std::string& type) {
  if (type == "object") return "a mapping";
  if (type == "array") return "a list";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "integer") return "a whole number";
  if (type == "number") return "a number";
  return type;
}

std::string number_text(const Json& n) {
  if (n.is_number_float()) {
    double d = n.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d))) return std::to_string(static_cast<long long>(d));
    return fmt::format("{}", d);
  }
  return n.dump();
}

class Explainer {
 public:
  Explainer(const Json& root_schema, const Document& doc) : root_(root_schema), doc_(doc) {}

  const Json& resolve(const Json& node) const {
    const Json* n = &node;
    for (int guard = 0; guard < 32 && n->is_object() && n->contains("$ref"); ++guard) {
      const std::string& ref = (*n)["$ref"].get_ref<const std::string&>();
      if (ref.rfind("#", 0) != 0) break;
      n = &root_.at(Json::json_pointer(ref.substr(1)));
    }
    return *n;
  }

  // The union branch (oneOf/anyOf) that a value is meant for: the one whose type it has.
  const Json& branch_for(const Json& schema, const Json& value) const {
    const Json& s = resolve(schema);
    for (const char* key : {"oneOf", "anyOf"}) {
      if (!s.contains(key)) continue;
      for (const auto& b : s[key]) {
        const Json& rb = resolve(b);
        if (rb.contains("type") && rb["type"].is_string() && type_matches(rb["type"].get<std::string>(), value))
          return rb;
      }
    }
    return s;
  }

  // The schema that applies at `pointer`, or nullptr.
  const Json* schema_at(std::string_view pointer) const {
    const Json* schema = &resolve(root_);
    const Json* value = &doc_.root;
    for (const auto& token : pointer_tokens(pointer)) {
      schema = &branch_for(*schema, *value);
      if (value->is_object()) {
        auto child = value->find(token);
        if (child == value->end()) return nullptr;
        if (schema->contains("properties") && (*schema)["properties"].contains(token))
          schema = &resolve((*schema)["properties"][token]);
        else if (schema->contains("additionalProperties") && (*schema)["additionalProperties"].is_object())
          schema = &resolve((*schema)["additionalProperties"]);
        else
          return nullptr;
        value = &*child;
      } else if (value->is_array()) {
        std::size_t index = std::stoul(token);
        if (index >= value->size() || !schema->contains("items")) return nullptr;
        schema = &resolve((*schema)["items"]);
        value = &(*value)[index];
      } else {
        return nullptr;
      }
    }
    return &branch_for(*schema, *value);
  }

  const Json* union_schema_at(std::string_view pointer) const {
    // Like schema_at, but stops before choosing a union branch for the last value.
    if (pointer.empty()) return &resolve(root_);
    std::string parent = pointer_parent(pointer);
    const Json* ps = schema_at(parent);
    const Json* pv = doc_.find(parent);
    if (!ps || !pv) return nullptr;
    std::string token = pointer_tokens(pointer).back();
    if (pv->is_object()) {
      if (ps->contains("properties") && (*ps)["properties"].contains(token)) return &resolve((*ps)["properties"][token]);
      if (ps->contains("additionalProperties") && (*ps)["additionalProperties"].is_object())
        return &resolve((*ps)["additionalProperties"]);
    } else if (pv->is_array() && ps->contains("items")) {
      return &resolve((*ps)["items"]);
    }
    return nullptr;
  }

  std::string name_of(std::string_view pointer) const {
    auto tokens = pointer_tokens(pointer);
    if (tokens.empty()) return "the spec";
    const Json* parent = doc_.find(pointer_parent(pointer));
    if (parent && parent->is_array()) {
      std::string list = tokens.size() >= 2 ? tokens[tokens.size() - 2] : "list";
      return fmt::format("item {} of '{}'", std::stoul(tokens.back()) + 1, list);
    }
    return fmt::format("'{}'", tokens.back());
  }

  // "'replicas' in component 'gateway'"
  std::string where(std::string_view pointer) const {
    ElementRef e = element_at(doc_, pointer);
    std::string name = name_of(pointer);
    if (e.kind.empty() || e.pointer == pointer) return name == "the spec" ? name : name;
    return fmt::format("{} in {}", name, e.describe());
  }

  std::string container(std::string_view pointer) const {
    ElementRef e = element_at(doc_, pointer);
    if (pointer.empty()) return "the spec";
    if (e.pointer == pointer) return e.describe();
    if (e.kind.empty()) return fmt::format("'{}'", pointer_tokens(pointer).back());
    return fmt::format("'{}' of {}", pointer_tokens(pointer).back(), e.describe());
  }

  std::vector<std::string> property_names(const Json& schema) const {
    std::vector<std::string> names;
    if (schema.contains("properties"))
      for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) names.push_back(it.key());
    return names;
  }

  Finding make(std::string_view pointer, Position pos, std::string message, std::string help = {}) const {
    Finding f = input_error(kErrSchema, doc_.path(), pos, std::move(message), std::move(help));
    f.pointer = std::string(pointer);
    f.element = element_at(doc_, pointer).id;
    return f;
  }

  std::string description_of(const Json* schema) const {
    if (schema && schema->contains("description") && (*schema)["description"].is_string())
      return (*schema)["description"].get<std::string>();
    return {};
  }

  std::vector<Finding> explain(const std::string& pointer, const std::string& description, bool union_failed) const {
    std::vector<Finding> out;
    const Json* value = doc_.find(pointer);
    if (!value) return out;
    const Json* schema = schema_at(pointer);

    if (description.rfind("Missing required property '", 0) == 0) {
      std::string key = description.substr(27, description.find('\'', 27) - 27);
      std::string child = pointer_append(pointer, key);
      std::string help;
      if (schema && schema->contains("properties") && (*schema)["properties"].contains(key))
        help = fmt::format("add `{}`: {}", key, description_of(&resolve((*schema)["properties"][key])));
      out.push_back(make(child, doc_.key_position(pointer),
                         fmt::format("{} is missing the required key '{}'", container(pointer), key), help));
      return out;
    }
    if (description.rfind("Object contains a property that could not be validated", 0) == 0) {
      if (!schema || !value->is_object()) return out;
      auto known = property_names(*schema);
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
        std::string child = pointer_append(pointer, it.key());
        std::string suggestion = did_you_mean(it.key(), known);
        std::string help = suggestion.empty() ? fmt::format("the keys allowed here are: {}", fmt::join(known, ", "))
                                              : fmt::format("rename it to '{}'", *closest_match(it.key(), known));
        out.push_back(make(child, doc_.key_position(child),
                           fmt::format("unknown key '{}' in {}{}", it.key(), container(pointer), suggestion), help));
      }
      return out;
    }
    if (description == "Value type not permitted by 'type' constraint." || union_failed) {
      const Json* u = union_schema_at(pointer);
      std::string expected;
      if (u && u->contains("x-expected")) expected = (*u)["x-expected"].get<std::string>();
      else if (schema && schema->contains("type") && (*schema)["type"].is_string())
        expected = type_phrase((*schema)["type"].get<std::string>());
      else expected = "another type of value";
      out.push_back(make(pointer, doc_.value_position(pointer),
                         fmt::format("{} must be {}, found {}", where(pointer), expected, json_type_name(*value))));
      return out;
    }
    if (description == "Failed to match against any enum values." && schema && schema->contains("enum")) {
      std::vector<std::string> allowed;
      for (const auto& v : (*schema)["enum"]) allowed.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      std::string got = value->is_string() ? value->get<std::string>() : value->dump();
      std::string suggestion = value->is_string() ? did_you_mean(got, allowed) : std::string();
      out.push_back(make(pointer, doc_.value_position(pointer),
                         fmt::format("{} is not a valid value for {}{}", value->is_string() ? "'" + got + "'" : got,
                                     where(pointer), suggestion),
                         fmt::format("use one of: {}", fmt::join(allowed, ", "))));
      return out;
    }
    if (schema && value->is_number()) {
      auto bound = [&](const char* key, const char* phrase) -> bool {
        if (!schema->contains(key)) return false;
        double b = (*schema)[key].get<double>();
        double v = value->get<double>();
        bool bad = (std::string(key) == "minimum" && v < b) || (std::string(key) == "maximum" && v > b) ||
                   (std::string(key) == "exclusiveMinimum" && v <= b) || (std::string(key) == "exclusiveMaximum" && v >= b);
        if (!bad) return false;
        out.push_back(make(pointer, doc_.value_position(pointer),
                           fmt::format("{} must be {} {}, found {}", where(pointer), phrase, number_text((*schema)[key]),
                                       number_text(*value)),
                           description_of(schema)));
        return true;
      };
      if (bound("minimum", "at least") || bound("maximum", "at most") || bound("exclusiveMinimum", "greater than") ||
          bound("exclusiveMaximum", "less than"))
        return out;
    }
    if (description.find("'pattern' constraint") != std::string::npos && schema && schema->contains("pattern")) {
      out.push_back(make(pointer, doc_.value_position(pointer),
                         fmt::format("{} ({}) does not have the expected form", where(pointer), json_type_name(*value)),
                         fmt::format("it must match the pattern {}", (*schema)["pattern"].get<std::string>())));
      return out;
    }
    if (schema && (description.rfind("Array should contain no fewer", 0) == 0 ||
                   description.rfind("Object should have no fewer", 0) == 0)) {
      const char* key = value->is_array() ? "minItems" : "minProperties";
      std::string n = schema->contains(key) ? (*schema)[key].dump() : "1";
      out.push_back(make(pointer, doc_.value_position(pointer),
                         fmt::format("{} must have at least {} {}", where(pointer), n,
                                     value->is_array() ? "items" : "entries")));
      return out;
    }
    std::string msg = description;
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
    while (!msg.empty() && msg.back() == '.') msg.pop_back();
    out.push_back(make(pointer, doc_.value_position(pointer), fmt::format("{}: {}", where(pointer), msg)));
    return out;
  }

 private:
  const Json& root_;
  const Document& doc_;
};

// valijson contexts look like ["<root>", "[components]", "[gateway]"]: one bracketed step per
// level, the same syntax for keys and indices. Resolve each against the value to build a pointer.
std::string context_pointer(const std::vector<std::string>& context, const Json& root) {
  std::string pointer;
  const Json* node = &root;
  for (std::size_t i = 1; i < context.size(); ++i) {
    std::string step = context[i];
    if (step.size() >= 2 && step.front() == '[' && step.back() == ']') step = step.substr(1, step.size() - 2);
    if (node && node->is_array()) {
      pointer = pointer_append(pointer, step);
      std::size_t index = std::stoul(step);
      node = index < node->size() ? &(*node)[index] : nullptr;
    } else {
      pointer = pointer_append(pointer, step);
      node = (node && node->is_object() && node->contains(step)) ? &(*node)[step] : nullptr;
    }
  }
  return pointer;
}

bool is_summary(const std::string& d) {
  return d.rfind("Failed to validate against schema associated with property name", 0) == 0 ||
         d.rfind("Failed to validate item #", 0) == 0 || d.rfind("Cannot validate item #", 0) == 0 ||
         d.rfind("Failed to validate against additional properties schema", 0) == 0 ||
         d.rfind("Failed to validate against schema associated with pattern", 0) == 0 ||
         d.rfind("Failed to validate against dependent schema", 0) == 0 ||
         d.rfind("Failed to validate against child schema", 0) == 0;
}

bool is_union_summary(const std::string& d) {
  return d.rfind("Failed to validate against any child schemas allowed by oneOf", 0) == 0 ||
         d.rfind("Failed to validate against any schemas allowed by anyOf", 0) == 0;
}

bool is_under(const std::string& pointer, const std::string& base) {
  return pointer == base || (pointer.size() > base.size() && pointer.compare(0, base.size(), base) == 0 &&
                             pointer[base.size()] == '/');
}

}  // namespace

std::vector<Finding> SchemaValidator::validate(const Document& doc) const {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc.root);
  if (validator.validate(impl_->schema, target, &results)) return {};

  struct Raw {
    std::string pointer;
    std::string description;
  };
  std::vector<Raw> raw;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) raw.push_back({context_pointer(error.context, doc.root), error.description});

  // Where a union (oneOf/anyOf) failed, valijson also reports every branch's errors. Keep the
  // errors of the branch the value was meant for (the one of its type); when there are none,
  // report the union as a whole ("must be X or Y").
  std::set<std::string> union_failures;
  for (const auto& r : raw)
    if (is_union_summary(r.description)) union_failures.insert(r.pointer);

  Explainer explainer(schema_json_, doc);
  std::vector<Finding> findings;
  std::set<std::tuple<std::string, std::string>> seen;
  std::set<std::string> unions_explained;
  for (const auto& r : raw) {
    if (is_summary(r.description)) continue;
    bool union_failed = false;
    if (is_union_summary(r.description)) {
      // Only when no branch-specific error below it survives.
      bool has_specific = std::any_of(raw.begin(), raw.end(), [&](const Raw& o) {
        return is_under(o.pointer, r.pointer) && !is_summary(o.description) && !is_union_summary(o.description) &&
               !(o.pointer == r.pointer && o.description == "Value type not permitted by 'type' constraint.");
      });
      if (has_specific) continue;
      union_failed = true;
    } else if (r.description == "Value type not permitted by 'type' constraint." && union_failures.count(r.pointer)) {
      continue;  // a branch of another type: the union summary speaks for it
    }
    for (auto& f : explainer.explain(r.pointer, r.description, union_failed)) {
      if (seen.emplace(f.pointer, f.message).second) findings.push_back(std::move(f));
    }
  }
  (void)unions_explained;
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.position.line, a.position.column) < std::tie(b.position.line, b.position.column);
  });
  return findings;
}

}  // namespace mlarch
