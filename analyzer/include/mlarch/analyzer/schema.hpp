// Validation of a Document against a JSON Schema (valijson), with errors rewritten into words a
// person understands and placed at the offending key's line and column.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/document.hpp"

namespace mlarch {

class SchemaValidator {
 public:
  // Throws std::runtime_error if the schema itself is invalid (a bug, not an input error).
  explicit SchemaValidator(Json schema);
  ~SchemaValidator();
  SchemaValidator(const SchemaValidator&) = delete;
  SchemaValidator& operator=(const SchemaValidator&) = delete;

  // The spec language schema compiled into mlarch (schemas/spec-v1.schema.json).
  static const SchemaValidator& spec_v1();

  std::vector<Finding> validate(const Document& doc) const;
  // The same over a bare JSON value (for config files and rule metadata); positions from `doc`.
  const Json& schema() const { return schema_json_; }

 private:
  struct Impl;
  Json schema_json_;
  std::unique_ptr<Impl> impl_;
};

// Loads a file and validates it against `validator`: the document, or the errors (unreadable,
// malformed, schema violations) that keep it from being one; the source either way.
LoadResult load_validated(const std::string& path, const SchemaValidator& validator);

}  // namespace mlarch
